//! Connection strings built by a format call from literal arguments: Go's
//! `fmt.Sprintf("host=%s ... password=%s", "localhost", ..., "s3cret")`, C's and PHP's
//! `sprintf`, Java's `String.format`. The password is not in the string but in the
//! argument its verb stands for, so it is read from there, and only when it is a literal.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind, detection, is_local_default};
use super::placeholder::is_placeholder;

/// A format call whose format string is a libpq conninfo or a PostgreSQL URI with verbs
/// in it, and the text after it (the arguments, which may go on over the next lines: one
/// to a line, a conninfo's five take six).
fn format_call() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?:Sprintf|sprintf|String\.format|Printf)\s*\(\s*"((?:[^"\\\n]|\\.)*(?:password='?%|postgres(?:ql)?://%)(?:[^"\\\n]|\\.)*)"\s*,((?:[^\n]*\n?){1,8})"#,
        )
        .expect("valid regex")
    })
}

/// Every password given as a literal argument to a format call that builds a
/// connection string, each with the range of the call it is found in.
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    for c in format_call().captures_iter(text) {
        let (format, rest) = (c.get(1).expect("format"), c.get(2).expect("arguments"));
        let format = String::from_utf8_lossy(format.as_bytes());
        let verbs = verbs(&format);
        let (arguments, length) = arguments(rest.as_bytes());
        let at = |role: Role| {
            verbs
                .iter()
                .position(|verb| *verb == role)
                .and_then(|i| arguments.get(i))
                .and_then(|argument| argument.as_deref())
        };
        let Some(password) = at(Role::Password) else {
            continue;
        };
        if is_placeholder(password) {
            continue;
        }
        let (user, host) = (at(Role::User).unwrap_or(""), at(Role::Host).unwrap_or(""));
        let start = c.get(0).expect("call").start();
        let (kind, shown) = if format.contains("://%") {
            (Kind::PostgresUri, "postgres://%s:%s@ (arguments) ****")
        } else {
            (Kind::KeyValuePassword, "password=%s (argument) ****")
        };
        let mut d = detection(kind, start, shown.to_string(), password);
        d.local_default = is_local_default(user, password, host);
        found.push((start..rest.start() + length, d));
    }
    found
}

/// What a format verb stands for in a connection string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Host,
    User,
    Password,
    Other,
}

/// The role of each verb of a conninfo (`host=%s user=%s password=%s`) or URI
/// (`postgres://%s:%s@%s:%d/%s`) format string, in order; `%%` is no verb.
fn verbs(format: &str) -> Vec<Role> {
    let bytes = format.as_bytes();
    let uri = format.contains("://%");
    let mut roles = Vec::new();
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
        let before = &format[..i];
        let role = if uri {
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
        };
        roles.push(role);
        i += 2;
    }
    roles
}

/// The arguments after the format string, each a string literal's text or `None` (a
/// name, a call or a number: not a literal password), up to the call's closing
/// parenthesis; and how many bytes they take.
fn arguments(rest: &[u8]) -> (Vec<Option<String>>, usize) {
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
    let literals = arguments
        .iter()
        .map(|argument| {
            let argument = String::from_utf8_lossy(argument);
            let argument = argument.trim();
            let literal = argument.len() >= 2
                && argument.starts_with('"')
                && argument.ends_with('"')
                && !argument[1..argument.len() - 1].contains('"');
            literal.then(|| argument[1..argument.len() - 1].to_string())
        })
        .collect();
    (literals, length)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let found = detect(text.as_bytes());
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].1.local_default, local, "{text}");
            assert!(!found[0].1.redacted.contains("Kq8v"));
        }
        assert_eq!(detect(URI.as_bytes())[0].1.kind, Kind::PostgresUri);
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
