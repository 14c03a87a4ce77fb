//! Connection-string parsing that follows libpq's `PQconninfoParse` exactly.
//!
//! tokio-postgres's own parser rejects keywords and values Neon users write
//! (`sslmode=verify-full`, `sslrootcert`, ...), so vsecure parses the two libpq forms
//! itself: the URI form (`postgresql://user:password@host:port/dbname?key=value`) and the
//! `key=value` form. Error messages never repeat the input, which may hold a password.

use std::collections::BTreeMap;

use thiserror::Error;

use super::keywords;

/// Which of libpq's two syntaxes a connection string was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// `postgresql://...` or `postgres://...`.
    Uri,
    /// `host=... user=...`.
    KeyValue,
}

/// A parsed connection string: libpq keyword to value, exactly as libpq would hold them.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnInfo {
    form: Form,
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for ConnInfo {
    /// Debug output leaves secrets out, so a stray `{:?}` cannot leak a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: BTreeMap<&str, &str> = self
            .values
            .iter()
            .map(|(k, v)| {
                let v = if keywords::is_secret(k) {
                    "<redacted>"
                } else {
                    v
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("ConnInfo")
            .field("form", &self.form)
            .field("values", &shown)
            .finish()
    }
}

/// Why a connection string could not be parsed. Messages never quote the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// `key=value` form: a word without `=` after it.
    #[error("missing \"=\" after a keyword at byte {position} (is the scheme postgresql://?)")]
    MissingEquals {
        /// 1-based byte position where the keyword starts.
        position: usize,
    },
    /// `key=value` form: a quoted value without its closing quote.
    #[error("unterminated quoted string in connection info string")]
    UnterminatedQuote,
    /// A keyword libpq does not know. Its text is not shown (a password with an
    /// unquoted space or an unencoded `&` turns its tail into a "keyword"); a near miss
    /// of a known keyword is named instead.
    #[error("invalid connection option{hint}", hint = unknown_keyword_hint(.0))]
    UnknownKeyword(String),
    /// A `%` not followed by two hex digits, in the named part of the URI.
    #[error("invalid percent-encoded token in the {0} part of the URI")]
    BadPercentEncoding(&'static str),
    /// `%00` in the named part of the URI.
    #[error("forbidden value %00 in the {0} part of the URI")]
    PercentNul(&'static str),
    /// `[` without a matching `]`.
    #[error("end of string reached when looking for matching \"]\" in IPv6 host address in URI")]
    UnclosedIpv6,
    /// `[]`.
    #[error("IPv6 host address may not be empty in URI")]
    EmptyIpv6,
    /// A character other than `:`, `/`, `?` or `,` right after `]`.
    #[error(
        "unexpected character at position {position} in URI (expected \":\" or \"/\" after \"]\")"
    )]
    AfterIpv6 {
        /// 1-based byte position of the character.
        position: usize,
    },
    /// Percent-escapes that decode to bytes that are not UTF-8. libpq passes such bytes
    /// through; vsecure cannot (tokio-postgres takes names as UTF-8 text).
    #[error("the {0} part of the URI decodes to bytes that are not UTF-8")]
    NotUtf8(&'static str),
    /// A query parameter with two `=` (its name is shown only when it is a known keyword).
    #[error("extra key/value separator \"=\" in URI query parameter{shown}", shown = known_keyword_quoted(.0))]
    ExtraEquals(String),
    /// A query parameter with no `=` (its text is not quoted: it may be a secret).
    #[error("missing key/value separator \"=\" in URI query parameter number {0}")]
    MissingQueryEquals(usize),
}

impl ConnInfo {
    /// Which syntax the string was written in.
    pub fn form(&self) -> Form {
        self.form
    }

    /// The same connection with one keyword set, e.g. another `dbname` on the same
    /// server (a shadow database).
    pub fn with(&self, keyword: &str, value: &str) -> ConnInfo {
        let mut copy = self.clone();
        copy.values.insert(keyword.to_string(), value.to_string());
        copy
    }

    /// The value of a keyword, if the string set it.
    pub fn get(&self, keyword: &str) -> Option<&str> {
        self.values.get(keyword).map(String::as_str)
    }

    /// Every keyword the string set, with its value (secrets included: handle with care).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Keyword and value pairs without secret values, in libpq's keyword order.
    pub fn public_values(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self
            .iter()
            .filter(|(k, _)| !keywords::is_secret(k))
            .collect();
        pairs.sort_by_key(|(k, _)| keywords::order(k));
        pairs
    }

    /// Host list as libpq splits it (comma-separated; empty when none was given).
    pub fn hosts(&self) -> Vec<&str> {
        split_list(self.get("host"))
    }

    /// Port list as libpq splits it.
    pub fn ports(&self) -> Vec<&str> {
        split_list(self.get("port"))
    }

    /// hostaddr list as libpq splits it.
    pub fn hostaddrs(&self) -> Vec<&str> {
        split_list(self.get("hostaddr"))
    }

    fn store(&mut self, keyword: &str, value: String) -> Result<(), ParseError> {
        // libpq's backwards-compatibility alias.
        let (keyword, value) = if keyword == "requiressl" {
            let mode = if value.starts_with('1') {
                "require"
            } else {
                "prefer"
            };
            ("sslmode", mode.to_string())
        } else {
            (keyword, value)
        };
        if keywords::find(keyword).is_none() {
            return Err(ParseError::UnknownKeyword(printable(keyword)));
        }
        self.values.insert(keyword.to_string(), value);
        Ok(())
    }
}

fn split_list(value: Option<&str>) -> Vec<&str> {
    match value {
        None | Some("") => Vec::new(),
        Some(v) => v.split(',').collect(),
    }
}

/// A keyword is safe to quote in an error unless it could carry a secret by mistake;
/// keep it short and printable.
fn printable(keyword: &str) -> String {
    keyword
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Parses a connection string in either libpq form, as `PQconninfoParse` does.
pub fn parse(input: &str) -> Result<ConnInfo, ParseError> {
    // A C string ends at its first NUL.
    let input = input.split('\0').next().unwrap_or("");
    match uri_prefix_len(input) {
        Some(len) => parse_uri(input, len),
        None => parse_key_value(input),
    }
}

fn uri_prefix_len(input: &str) -> Option<usize> {
    ["postgresql://", "postgres://"]
        .iter()
        .find(|p| input.starts_with(*p))
        .map(|p| p.len())
}

/// The whitespace of C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn parse_key_value(input: &str) -> Result<ConnInfo, ParseError> {
    let bytes = input.as_bytes();
    let mut info = ConnInfo {
        form: Form::KeyValue,
        values: BTreeMap::new(),
    };
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && is_c_space(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let name_start = i;
        let mut name_end;
        loop {
            if i >= bytes.len() {
                name_end = i;
                break;
            }
            if bytes[i] == b'=' {
                name_end = i;
                break;
            }
            if is_c_space(bytes[i]) {
                name_end = i;
                i += 1;
                while i < bytes.len() && is_c_space(bytes[i]) {
                    i += 1;
                }
                break;
            }
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return Err(ParseError::MissingEquals {
                position: name_start + 1,
            });
        }
        if name_end > i {
            name_end = i;
        }
        let name = &input[name_start..name_end];
        i += 1;
        while i < bytes.len() && is_c_space(bytes[i]) {
            i += 1;
        }
        let mut value = Vec::new();
        if i < bytes.len() && bytes[i] == b'\'' {
            i += 1;
            loop {
                if i >= bytes.len() {
                    return Err(ParseError::UnterminatedQuote);
                }
                match bytes[i] {
                    b'\\' => {
                        i += 1;
                        if i < bytes.len() {
                            value.push(bytes[i]);
                            i += 1;
                        }
                    }
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    b => {
                        value.push(b);
                        i += 1;
                    }
                }
            }
        } else {
            while i < bytes.len() {
                let b = bytes[i];
                if is_c_space(b) {
                    i += 1;
                    break;
                }
                if b == b'\\' {
                    i += 1;
                    if i < bytes.len() {
                        value.push(bytes[i]);
                        i += 1;
                    }
                } else {
                    value.push(b);
                    i += 1;
                }
            }
        }
        // Only ASCII bytes are ever removed, so the value stays valid UTF-8.
        let value = String::from_utf8(value).unwrap_or_default();
        info.store(name, value)?;
    }
    Ok(info)
}

/// Decodes `%XX` escapes as libpq's `conninfo_uri_decode` does (`+` stays `+`).
fn percent_decode(raw: &str, part: &'static str) -> Result<String, ParseError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hi = bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16));
        let lo = bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16));
        let (Some(hi), Some(lo)) = (hi, lo) else {
            return Err(ParseError::BadPercentEncoding(part));
        };
        let byte = (hi << 4 | lo) as u8;
        if byte == 0 {
            return Err(ParseError::PercentNul(part));
        }
        out.push(byte);
        i += 3;
    }
    // libpq keeps raw bytes; vsecure needs text, and a non-UTF-8 value cannot be a
    // working host, user or database name for it either.
    String::from_utf8(out).map_err(|_| ParseError::NotUtf8(part))
}

fn parse_uri(input: &str, prefix_len: usize) -> Result<ConnInfo, ParseError> {
    let bytes = input.as_bytes();
    let mut info = ConnInfo {
        form: Form::Uri,
        values: BTreeMap::new(),
    };
    let start = prefix_len;
    let mut p = start;
    while p < bytes.len() && bytes[p] != b'@' && bytes[p] != b'/' {
        p += 1;
    }
    if p < bytes.len() && bytes[p] == b'@' {
        let user_start = start;
        p = user_start;
        while bytes[p] != b':' && bytes[p] != b'@' {
            p += 1;
        }
        let user = &input[user_start..p];
        if !user.is_empty() {
            let user = percent_decode(user, "user")?;
            info.store("user", user)?;
        }
        if bytes[p] == b':' {
            let pw_start = p + 1;
            while bytes[p] != b'@' {
                p += 1;
            }
            let password = &input[pw_start..p];
            if !password.is_empty() {
                let password = percent_decode(password, "password")?;
                info.store("password", password)?;
            }
        }
        p += 1;
    } else {
        p = start;
    }

    let mut hosts = String::new();
    let mut ports = String::new();
    let mut terminator: Option<u8>;
    loop {
        let host;
        if p < bytes.len() && bytes[p] == b'[' {
            p += 1;
            let host_start = p;
            while p < bytes.len() && bytes[p] != b']' {
                p += 1;
            }
            if p >= bytes.len() {
                return Err(ParseError::UnclosedIpv6);
            }
            if p == host_start {
                return Err(ParseError::EmptyIpv6);
            }
            host = &input[host_start..p];
            p += 1;
            if p < bytes.len() && !matches!(bytes[p], b':' | b'/' | b'?' | b',') {
                return Err(ParseError::AfterIpv6 { position: p + 1 });
            }
        } else {
            let host_start = p;
            while p < bytes.len() && !matches!(bytes[p], b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            host = &input[host_start..p];
        }
        terminator = bytes.get(p).copied();
        hosts.push_str(host);
        if terminator == Some(b':') {
            p += 1;
            let port_start = p;
            while p < bytes.len() && !matches!(bytes[p], b'/' | b'?' | b',') {
                p += 1;
            }
            terminator = bytes.get(p).copied();
            ports.push_str(&input[port_start..p]);
        }
        if terminator != Some(b',') {
            break;
        }
        p += 1;
        hosts.push(',');
        ports.push(',');
    }
    if !hosts.is_empty() {
        let hosts = percent_decode(&hosts, "host")?;
        info.store("host", hosts)?;
    }
    if !ports.is_empty() {
        let ports = percent_decode(&ports, "port")?;
        info.store("port", ports)?;
    }

    if terminator.is_some() && terminator != Some(b'?') {
        p += 1;
        let db_start = p;
        while p < bytes.len() && bytes[p] != b'?' {
            p += 1;
        }
        terminator = bytes.get(p).copied();
        let dbname = &input[db_start..p];
        if !dbname.is_empty() {
            let dbname = percent_decode(dbname, "database")?;
            info.store("dbname", dbname)?;
        }
    }
    if terminator.is_some() {
        parse_query(&input[p + 1..], &mut info)?;
    }
    Ok(info)
}

fn parse_query(mut params: &str, info: &mut ConnInfo) -> Result<(), ParseError> {
    let mut number = 0;
    while !params.is_empty() {
        number += 1;
        let end = params.find('&').unwrap_or(params.len());
        let pair = &params[..end];
        params = params.get(end + 1..).unwrap_or("");
        let Some((raw_key, raw_value)) = pair.split_once('=') else {
            return Err(ParseError::MissingQueryEquals(number));
        };
        if raw_value.contains('=') {
            return Err(ParseError::ExtraEquals(raw_key.to_string()));
        }
        let key = percent_decode(raw_key, "query parameter name")?;
        let value = percent_decode(raw_value, "query parameter value")?;
        let (key, value) = if key == "ssl" && value == "true" {
            ("sslmode".to_string(), "require".to_string())
        } else {
            (key, value)
        };
        info.store(&key, value)?;
    }
    Ok(())
}

/// Names a query parameter in an error without risking its value.
/// What to do when a password holds characters the syntax gives a meaning to.
pub const ENCODING_ADVICE: &str = "a password with a space must be quoted in key=value form (password='a b'), and in a URI @ / : ? # & and spaces must be percent-encoded (%40 %2F %3A %3F %23 %26 %20)";

/// ` "sslmode"` for a known keyword, else nothing: unknown text may be part of a secret.
fn known_keyword_quoted(key: &str) -> String {
    if keywords::find(key).is_some() {
        format!(" \"{key}\"")
    } else {
        format!(" (its name is not shown; {ENCODING_ADVICE})")
    }
}

/// " (did you mean \"sslmode\"?)" for a near miss of a known keyword; otherwise the
/// advice for passwords with special characters (the text itself is never shown).
fn unknown_keyword_hint(unknown: &str) -> String {
    keywords::KEYWORDS
        .iter()
        .map(|k| (edit_distance(unknown, k.name), k.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, name)| format!(" (did you mean \"{name}\"?)"))
        .unwrap_or_else(|| format!(" (its name is not shown; {ENCODING_ADVICE})"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
