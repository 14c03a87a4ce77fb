//! URIs, conninfos and semicolon connection strings that code writes as several string
//! literals joined: Python's and C's adjacent literals (`"postgresql://" "app:" "s3cret"
//! "@db.acme.io/app"`, one to a line inside parentheses or over a macro's continued
//! lines; `'user=app password=... '` then `'host=10.2.0.7'`; `"uid=app;"` then
//! `"pwd=...;server=..."`) or pieces joined with `+`. No one literal holds the URI, nor
//! the password with its host or user, so each reading of the text misses it or
//! misjudges it; the literals are joined as the language joins them and the credential
//! is read from the whole.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind};
use super::structured::Syntax;

/// How many literals after the first are joined at most: a URI is a few pieces.
const MAX_PIECES: usize = 8;

/// A string literal that starts a PostgreSQL URI and ends before its `@`.
fn uri_start() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?i)(["'])(postgres(?:ql)?(?:\+[a-z0-9_]+)?://[^"'@\n]*)["']"#)
            .expect("valid regex")
    })
}

/// A string literal of a conninfo that sets a password but not yet its host, which a
/// literal joined on sets (`'dbname=crm user=app password=... '`).
fn conninfo_start() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(["'])([^"'\n]*(?:^|[\s"'])password=[^"'\n]*)["']"#).expect("valid regex")
    })
}

/// A string literal of a semicolon connection string (ODBC's, ADO.NET's) that sets the
/// user, first or after another field, but not yet the password, which a literal joined
/// on sets (`"driver={PostgreSQL ANSI};uid=app;" "pwd=...;server=localhost"`, `"UID=app;"`
/// then `"PWD=...;"`).
fn semicolon_start() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)(["'])((?:[^"'\n]*;)?\s*(?:uid|user id|userid|username|user)\s*=[^"'\n;]*;[^"'\n]*)["']"#,
        )
        .expect("valid regex")
    })
}

/// The next literal joined on: spaces and line breaks, perhaps a `+` or the backslash
/// that continues a C macro's line, then a quoted piece.
fn next_piece() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"^\s*(?:\\\s*)?\+?\s*(["'])([^"'\n]*)["']"#).expect("valid regex")
    })
}

/// The URI credentials in code's joined literals, each with the range from the first
/// literal to the last (findings report the first literal's line).
pub fn detect(text: &[u8], syntax: Syntax) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if syntax != Syntax::Code {
        return found;
    }
    for c in uri_start().captures_iter(text) {
        let (whole, first) = (c.get(0).expect("group 0"), c.get(2).expect("piece"));
        let (joined, end) = joined_from(text, first.as_bytes(), whole.end());
        if !joined.contains(&b'@') {
            continue;
        }
        for mut d in super::detect::detect(&joined, syntax) {
            if matches!(d.kind, Kind::PostgresUri | Kind::DatabaseUrl) {
                d.offset = whole.start();
                found.push((whole.start()..end, d));
            }
        }
    }
    for c in conninfo_start().captures_iter(text) {
        let (whole, first) = (c.get(0).expect("group 0"), c.get(2).expect("piece"));
        if contains_host(first.as_bytes()) {
            continue;
        }
        let (joined, end) = joined_from(text, first.as_bytes(), whole.end());
        if end == whole.end() || !contains_host(&joined) {
            continue;
        }
        for mut d in super::detect::detect(&joined, syntax) {
            if d.kind == Kind::KeyValuePassword {
                d.offset = whole.start();
                found.push((whole.start()..end, d));
            }
        }
    }
    for c in semicolon_start().captures_iter(text) {
        let (whole, first) = (c.get(0).expect("group 0"), c.get(2).expect("piece"));
        if sets_a_password(first.as_bytes()) {
            continue;
        }
        // The literals before the user's, joined to it, name the driver and the server
        // (`"DRIVER={PostgreSQL Unicode};"` then `"SERVER=...;"` then `"UID=...;"`).
        let start = chain_start(text, whole.start());
        let before = &text[start..whole.start()];
        let (joined, end) = joined_from(text, first.as_bytes(), whole.end());
        if end == whole.end() {
            continue;
        }
        let joined = [pieces_of(before), joined].concat();
        for mut d in super::detect::detect(&joined, syntax) {
            if d.kind == Kind::SemicolonPassword {
                d.offset = start;
                found.push((start..end, d));
            }
        }
    }
    found
}

/// Where the run of literals joined up to the one at `start` begins: each literal before
/// it that only spaces, line breaks, a `+` or a macro's backslash part from the next
/// (at most `MAX_PIECES`).
fn chain_start(text: &[u8], mut start: usize) -> usize {
    for _ in 0..MAX_PIECES {
        let gap = text[..start]
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'+' | b'\\'))
            .count();
        let close = start - gap;
        let Some(&quote) = text[..close].last().filter(|b| matches!(b, b'"' | b'\'')) else {
            break;
        };
        let Some(open) = text[..close - 1]
            .iter()
            .rposition(|&b| b == quote || b == b'\n')
            .filter(|&at| text[at] == quote)
        else {
            break;
        };
        start = open;
    }
    start
}

/// The text of the literals in a run (`"a;" "b;"` is `a;b;`).
fn pieces_of(run: &[u8]) -> Vec<u8> {
    let mut pieces = Vec::new();
    let mut rest = run;
    while let Some(piece) = next_piece().captures(rest) {
        pieces.extend_from_slice(&piece[2]);
        rest = &rest[piece.get(0).expect("group 0").end()..];
    }
    pieces
}

/// Whether a semicolon connection string's text sets its password (`pwd=`,
/// `password=`).
fn sets_a_password(piece: &[u8]) -> bool {
    let lower = piece.to_ascii_lowercase();
    lower.windows(4).any(|w| w == b"pwd=") || lower.windows(9).any(|w| w == b"password=")
}

/// The first piece with the literals joined on after `end`, and where the last ends.
fn joined_from(text: &[u8], first: &[u8], mut end: usize) -> (Vec<u8>, usize) {
    let mut joined = first.to_vec();
    for _ in 0..MAX_PIECES {
        let Some(piece) = next_piece().captures(&text[end..]) else {
            break;
        };
        joined.extend_from_slice(&piece[2]);
        end += piece.get(0).expect("group 0").end();
    }
    (joined, end)
}

/// Whether a conninfo's text sets its host (`host=` or `hostaddr=`).
fn contains_host(conninfo: &[u8]) -> bool {
    conninfo
        .windows(5)
        .any(|w| w.eq_ignore_ascii_case(b"host="))
        || conninfo
            .windows(9)
            .any(|w| w.eq_ignore_ascii_case(b"hostaddr="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_literals_are_joined() {
        let text = "URL = (\n    \"postgresql+psycopg://\"\n    \"app:\"\n    \"Kq8vTz2mLp\"\n    \"@db.acme.io:5432/app\"\n)\n"; // vsecure:allow (a documented fake)
        let found = detect(text.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.offset, text.find("\"postgresql").unwrap());
    }

    #[test]
    fn literals_joined_with_plus_are_joined() {
        let text = "const url = 'postgres://app:' + 'Kq8vTz2mLp' + '@db.acme.io/app';\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(text.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_conninfo_s_host_in_the_literal_joined_on_judges_its_password() {
        let text = "db = momoko.Pool(\n    dsn='dbname=crm user=postgres password=000000 '\n        'host=10.200.200.233 port=5432',\n)\n"; // vsecure:allow (a documented fake)
        let found = detect(text.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].1.local_default);
        let local = text.replace("10.200.200.233", "localhost");
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|(_, d)| d.local_default), "{found:?}");
    }

    #[test]
    fn a_semicolon_string_s_user_in_the_literal_before_judges_its_password() {
        let text = "#define CONNECTION_PARS \"driver={PostgreSQL ANSI};uid=alumnodb;\" \\\n        \"pwd=alumnodb;server=localhost;database=classicmodels\"\n";
        let found = detect(text.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && found[0].1.local_default, "{found:?}");
        let chosen = text.replace("pwd=alumnodb", "pwd=Wt5-Hq2-Lr8"); // vsecure:allow (a documented fake)
        let found = detect(chosen.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && !found[0].1.local_default, "{found:?}");
    }

    #[test]
    fn a_semicolon_string_a_field_a_literal_is_read_from_its_first_literal() {
        let text = "conn = pyodbc.connect(\n    \"DRIVER={PostgreSQL Unicode};\"\n    \"SERVER=10.4.0.9;\"\n    \"UID=shop;\"\n    \"PWD=Wt5-Hq2-Lr8;\"\n)\n"; // vsecure:allow (a documented fake)
        let found = detect(text.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && !found[0].1.local_default, "{found:?}");
        assert_eq!(found[0].1.offset, text.find("\"DRIVER").unwrap());
        let local = text
            .replace("10.4.0.9", "localhost")
            .replace("Wt5-Hq2-Lr8", "shop"); // vsecure:allow (a documented fake)
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && found[0].1.local_default, "{found:?}");
        // Another engine's driver named in the run leaves it that engine's.
        let mysql = text.replace("PostgreSQL Unicode", "MySQL ODBC 8.0 Driver");
        assert!(detect(mysql.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_variable_between_pieces_ends_the_join() {
        let text = "url = \"postgresql://app:\" + password + \"@db.acme.io/app\"\n";
        assert!(detect(text.as_bytes(), Syntax::Code).is_empty());
    }
}
