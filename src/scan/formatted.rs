//! Connection strings built by a format call from literal arguments: Go's
//! `fmt.Sprintf("host=%s ... password=%s", "localhost", ..., "s3cret")`, C's and PHP's
//! `sprintf`, Java's `String.format`, Python's `"host={0} ... password={4}".format(...)`.
//! The password is not in the string but in the argument its verb or field stands for,
//! so it is read from there, and only when it is a literal.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind, detection, is_local_default};
use super::placeholder::is_placeholder;

/// A format call whose format string is a libpq conninfo or a PostgreSQL URI with verbs
/// in it, up to its arguments; or Python's string with replacement fields and its
/// `.format(` call.
fn format_call() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(concat!(
            r#"(?:Sprintf|sprintf|String\.format|Printf)\s*\(\s*"((?:[^"\\\n]|\\.)*(?:password='?%|postgres(?:ql)?://%)(?:[^"\\\n]|\\.)*)"\s*,"#,
            r#"|"((?:[^"\\\n]|\\.)*(?:password='?\{|postgres(?:ql)?(?:\+[a-z0-9]+)?://\{)(?:[^"\\\n]|\\.)*)"\s*\.format\s*\("#,
            r#"|'((?:[^'\\\n]|\\.)*(?:password=\{|postgres(?:ql)?(?:\+[a-z0-9]+)?://\{)(?:[^'\\\n]|\\.)*)'\s*\.format\s*\("#,
        ))
        .expect("valid regex")
    })
}

/// Every password given as a literal argument to a format call that builds a
/// connection string, each with the range of the call it is found in.
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    for c in format_call().captures_iter(text) {
        let format = [1, 2, 3]
            .iter()
            .find_map(|&group| c.get(group))
            .expect("a format string");
        let rest_start = c.get(0).expect("call").end();
        let rest = &text[rest_start..arguments_end(text, rest_start)];
        let format = String::from_utf8_lossy(format.as_bytes());
        // Printf's verbs (the first alternative) or Python's replacement fields.
        let printf = c.get(1).is_some();
        let fields = if printf {
            verbs(&format)
        } else {
            replacement_fields(&format)
        };
        let (arguments, length) = arguments(rest);
        let at = |role: Role| {
            fields
                .iter()
                .find(|(field_role, _)| *field_role == role)
                .and_then(|(_, field)| argument_for(&arguments, field))
        };
        let Some(password) = at(Role::Password) else {
            continue;
        };
        if is_placeholder(password) {
            continue;
        }
        let (user, host) = (at(Role::User).unwrap_or(""), at(Role::Host).unwrap_or(""));
        let start = c.get(0).expect("call").start();
        let verb = if printf { "%s" } else { "{}" };
        let (kind, shown) = if format.contains("://%") || format.contains("://{") {
            (
                Kind::PostgresUri,
                format!("postgres://{verb}:{verb}@ (arguments) ****"),
            )
        } else {
            (
                Kind::KeyValuePassword,
                format!("password={verb} (argument) ****"),
            )
        };
        let mut d = detection(kind, start, shown, password);
        d.local_default = is_local_default(user, password, host);
        found.push((start..rest_start + length, d));
    }
    found
}

/// How many lines after a format string its arguments are read over: one to a line, a
/// conninfo's five take six.
const ARGUMENT_LINES: usize = 8;

/// How many bytes after a format string its arguments are read over at most, so that a
/// long line of format calls costs each no more than this.
const ARGUMENT_REACH: usize = 4096;

/// Where the text the arguments of a call starting at `from` are read from ends: after
/// `ARGUMENT_LINES` lines or `ARGUMENT_REACH` bytes, whichever comes first (the
/// arguments stop at the call's closing parenthesis within it).
fn arguments_end(text: &[u8], from: usize) -> usize {
    let reach = text.len().min(from + ARGUMENT_REACH);
    text[from..reach]
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(ARGUMENT_LINES - 1)
        .map_or(reach, |(i, _)| from + i + 1)
}

/// What a format verb stands for in a connection string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Host,
    User,
    Password,
    Other,
}

/// Which argument a verb or a replacement field stands for: the one at a position among
/// the positional arguments, or the keyword argument of a name (Python's `{host}`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Position(usize),
    Named(String),
}

/// The role of each verb of a conninfo (`host=%s user=%s password=%s`) or URI
/// (`postgres://%s:%s@%s:%d/%s`) format string, in order, each standing for the next
/// argument; `%%` is no verb.
fn verbs(format: &str) -> Vec<(Role, Field)> {
    let bytes = format.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        if bytes[i + 1] == b'%' {
            i += 2;
            continue;
        }
        let role = role_at(format, i);
        fields.push((role, Field::Position(fields.len())));
        i += 2;
    }
    fields
}

/// The role of each of Python's replacement fields in a conninfo (`host={0}
/// password={4}`) or URI (`postgresql://{}:{}@{}/{}`) format string, in order: `{}` stands
/// for the next positional argument, `{2}` for the third, `{pw}` for the keyword argument
/// `pw=`; `{{` is a brace, no field.
fn replacement_fields(format: &str) -> Vec<(Role, Field)> {
    let bytes = format.as_bytes();
    let mut fields = Vec::new();
    let mut next = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'{') {
            i += 2;
            continue;
        }
        let Some(length) = format[i + 1..].find('}') else {
            break;
        };
        // A field's conversion and format spec (`{0!s}`, `{port:d}`) follow its name.
        let name = format[i + 1..i + 1 + length]
            .split(['!', ':'])
            .next()
            .unwrap_or_default();
        let field = if name.is_empty() {
            next += 1;
            Field::Position(next - 1)
        } else if let Ok(index) = name.parse() {
            Field::Position(index)
        } else {
            Field::Named(name.to_string())
        };
        fields.push((role_at(format, i), field));
        i += length + 2;
    }
    fields
}

/// The role of the verb or field starting at `at` in a conninfo or URI format string:
/// by the keyword before it (`password=`), or by its place in the URI's login and host.
fn role_at(format: &str, at: usize) -> Role {
    let before = &format[..at];
    if format.contains("://%") || format.contains("://{") {
        match (
            before.ends_with("://"),
            before.ends_with(':'),
            before.ends_with('@'),
        ) {
            (true, _, _) => Role::User,
            (_, true, _) if !before.contains('@') => Role::Password,
            (_, _, true) => Role::Host,
            _ => Role::Other,
        }
    } else {
        let key = before.trim_end_matches(['\'', '"']);
        match key.rsplit([' ', '\'', '"']).next().unwrap_or("") {
            "host=" => Role::Host,
            "user=" => Role::User,
            "password=" => Role::Password,
            _ => Role::Other,
        }
    }
}

/// The literal a verb or field stands for, if its argument is one: the positional
/// arguments counted apart from keyword arguments (`name=...`).
fn argument_for<'a>(arguments: &'a [Argument], field: &Field) -> Option<&'a str> {
    match field {
        Field::Position(index) => arguments
            .iter()
            .filter(|argument| argument.keyword.is_none())
            .nth(*index),
        Field::Named(name) => arguments
            .iter()
            .find(|argument| argument.keyword.as_deref() == Some(name.as_str())),
    }
    .and_then(|argument| argument.literal.as_deref())
}

/// One argument of a format call: its keyword if it is given by name (Python's
/// `pw="..."`), and its text if it is a string literal.
struct Argument {
    keyword: Option<String>,
    literal: Option<String>,
}

/// The arguments after the format string, each with its keyword if it has one and a
/// string literal's text or `None` (a name, a call or a number: not a literal
/// password), up to the call's closing parenthesis; and how many bytes they take.
fn arguments(rest: &[u8]) -> (Vec<Argument>, usize) {
    let mut arguments = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut length = rest.len();
    for (i, &b) in rest.iter().enumerate() {
        if let Some(q) = quote {
            current.push(b);
            if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'"' | b'\'' | b'`' => {
                quote = Some(b);
                current.push(b);
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                current.push(b);
            }
            b')' | b']' | b'}' if depth == 0 => {
                length = i;
                break;
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                current.push(b);
            }
            b',' if depth == 0 => arguments.push(std::mem::take(&mut current)),
            _ => current.push(b),
        }
    }
    arguments.push(current);
    let arguments = arguments
        .iter()
        .map(|argument| {
            let argument = String::from_utf8_lossy(argument);
            let (keyword, value) = match argument.split_once('=') {
                Some((name, value))
                    if !name.trim().is_empty()
                        && name
                            .trim()
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && !value.starts_with('=') =>
                {
                    (Some(name.trim().to_string()), value)
                }
                _ => (None, argument.as_ref()),
            };
            let value = value.trim();
            let literal = value.len() >= 2
                && [b'"', b'\''].iter().any(|&quote| {
                    value.as_bytes()[0] == quote
                        && value.as_bytes()[value.len() - 1] == quote
                        && !value.as_bytes()[1..value.len() - 1].contains(&quote)
                });
            Argument {
                keyword,
                literal: literal.then(|| value[1..value.len() - 1].to_string()),
            }
        })
        .collect();
    (arguments, length)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts the text's one finding, local (a local default) or not as `local` says,
    /// shows no piece of the test's password.
    fn assert_one_redacted_finding(text: &str, local: bool) {
        let found = detect(text.as_bytes());
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].1.local_default, local, "{text}");
        assert!(!found[0].1.redacted.contains("Kq8v"));
    }

    #[test]
    fn a_literal_argument_for_the_password_verb_is_found() {
        const CONNINFO: &str = "dsn := fmt.Sprintf(\"host=%s port=%d user=%s password=%s dbname=%s\", \"db.acme.io\", 5432, \"app\", \"Kq8vTz2mLp\", \"app\")"; // vsecure:allow (a documented fake)
        const URI: &str = "url := fmt.Sprintf(\"postgres://%s:%s@%s:5432/%s\", \"app\", \"Kq8vTz2mLp\", \"db.acme.io\", \"app\")"; // vsecure:allow (a documented fake)
        const ON_LOOPBACK: &str = "fmt.Sprintf(\"host=%s user=%s password=%s\", \"localhost\", \"postgres\", \"postgres\")"; // vsecure:allow (a documented fake)
        const OVER_TWO_LINES: &str =
            "fmt.Sprintf(\"host=%s password=%s\",\n\t\"db.acme.io\", \"Kq8vTz2mLp\")\n"; // vsecure:allow (a documented fake)
        const ONE_TO_A_LINE: &str = "$dsn = sprintf(\n    \"pgsql:host=%s port=%s dbname=%s user=%s password=%s\",\n    \"db.acme.io\",\n    \"5432\",\n    \"post\",\n    \"app\",\n    \"Kq8vTz2mLp\"\n);\n"; // vsecure:allow (a documented fake)
        const QUOTED: &str =
            "String.format(\"host='%s' password='%s'\", \"db.acme.io\", \"Kq8vTz2mLp\");"; // vsecure:allow (a documented fake)
        for (text, local) in [
            (CONNINFO, false),
            (URI, false),
            (ON_LOOPBACK, true),
            (ONE_TO_A_LINE, false),
            (QUOTED, false),
            (OVER_TWO_LINES, false),
        ] {
            assert_one_redacted_finding(text, local);
        }
        assert_eq!(detect(URI.as_bytes())[0].1.kind, Kind::PostgresUri);
    }

    #[test]
    fn python_s_replacement_fields_stand_for_their_arguments() {
        const INDEXED: &str = "conn_str = \"host={0} port={1} dbname={2} user={3} password={4}\".format(\"db.acme.io\", 5432, \"app\", \"app\", \"Kq8vTz2mLp\")"; // vsecure:allow (a documented fake)
        const IN_ORDER: &str = "url = 'postgresql+psycopg2://{}:{}@{}/{}'.format('app', 'Kq8vTz2mLp', 'db.acme.io', 'app')"; // vsecure:allow (a documented fake)
        const NAMED: &str = "dsn = \"host={host} user={user} password={pw}\".format(\n    host=\"db.acme.io\",\n    user=\"app\",\n    pw=\"Kq8vTz2mLp\",\n)"; // vsecure:allow (a documented fake)
        const ON_LOOPBACK: &str =
            "\"host={0} user={1} password={2}\".format(\"localhost\", \"postgres\", \"postgres\")"; // vsecure:allow (a documented fake)
        for (text, local) in [
            (INDEXED, false),
            (IN_ORDER, false),
            (NAMED, false),
            (ON_LOOPBACK, true),
        ] {
            assert_one_redacted_finding(text, local);
        }
        for text in [
            "\"host={0} password={1}\".format(host, password)",
            "\"host={} password={}\".format(cfg.host, os.environ[\"PGPASSWORD\"])",
            "'postgresql://{}:{}@{}/{}'.format(user, pw, 'db.acme.io', 'app')",
        ] {
            assert!(detect(text.as_bytes()).is_empty(), "{text}");
        }
    }

    #[test]
    fn names_and_placeholders_as_arguments_are_not_found() {
        for text in [
            "fmt.Sprintf(\"host=%s user=%s password=%s\", host, user, password)",
            "fmt.Sprintf(\"host=%s user=%s password=%s\", cfg.Host, cfg.User, os.Getenv(\"PGPASSWORD\"))",
            "fmt.Sprintf(\"host=%s user=%s password=%s\", \"localhost\", \"app\", \"<password>\")",
            "fmt.Sprintf(\"user=%s dbname=%s\", \"app\", \"app\")",
        ] {
            assert!(detect(text.as_bytes()).is_empty(), "{text}");
        }
    }
}
