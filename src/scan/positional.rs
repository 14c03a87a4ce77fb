//! Passwords passed by position to a routine the same file declares with a parameter
//! named for one: `new Database("localhost", "app", "s3cret")` under `Database(String
//! host, String user, String password)`, or an enum's constants (`ADMIN("app",
//! "s3cret")`) under its constructor `(String user, String password)`. The call names no
//! password; the declaration's parameter does, so the literal in its place is one.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind};
use super::structured::{Context, Syntax, calls_another_engine, is_reference, masks_the_login};

/// How far a call's arguments are read for its closing parenthesis: a call that passes
/// a login is short.
const MAX_ARGUMENTS: usize = 400;

/// How many routines with a password parameter one file is read for: each costs a
/// search of the file for its calls, and a file that declares more is generated.
const MAX_DECLARATIONS: usize = 64;

/// A routine's name and its parameter list on one line, then its body (`{`, Python's
/// `:`), or a class's primary constructor (Kotlin's `class Db(val user: String, ...)`).
fn declaration() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(concat!(
            r#"(?m)(?:(?-u:\b)(class)[ \t]+)?(?-u:\b)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(([^()"'\n]+)\)"#,
            r#"[ \t]*(?:throws[^{;\n]*)?(\{|:[ \t]*\r?$|[ \t]*\r?$)"#,
        ))
        .expect("valid regex")
    })
}

/// The words a password parameter's name holds (`password`, `dbPass`, `pwd`, `pw`):
/// only the lines holding one are read for declarations.
fn password_word() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new(r"(?i)pass|pwd|pw").expect("valid regex"))
}

/// The name of the class a constructor written `constructor(...)` or `__init__(...)`
/// belongs to: the nearest class declared above it.
fn class_name() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?-u:\b)class[ \t]+([A-Za-z_][A-Za-z0-9_]*)").expect("valid regex")
    })
}

/// A line opening with a name and `(`: an enum's constant with its arguments.
fn constant() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(").expect("valid regex")
    })
}

/// Words that open a parenthesised list but declare nothing (`if (password) {`).
const KEYWORDS: &[&str] = &[
    "if",
    "while",
    "for",
    "foreach",
    "switch",
    "catch",
    "with",
    "return",
    "elif",
    "using",
    "lock",
    "synchronized",
    "when",
];

/// A routine whose parameters name a password, and where its calls are found.
struct Declaration {
    /// What a call names: the routine, or the class a constructor builds.
    name: String,
    /// Where the parameter list's name starts (the declaration is no call of itself).
    at: usize,
    /// How many arguments a call passes, and which one is the password.
    arguments: usize,
    password: usize,
}

/// The credentials passed by position to routines `text` declares, each with the range
/// of its call.
pub fn detect(
    text: &[u8],
    context: &mut Context,
    syntax: Syntax,
) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if syntax != Syntax::Code {
        return found;
    }
    for declaration in declarations(text) {
        for (call, arguments) in calls(text, &declaration) {
            let Some(secret) = literal(&arguments[declaration.password]) else {
                continue;
            };
            let dialled = super::detect::is_weak_enough_to_mean_it(&secret)
                && context.dials_an_address_with(&secret, call.start, syntax);
            if (is_reference(&secret) && !dialled)
                || masks_the_login(&text[call.clone()])
                || calls_another_engine(&text[call.clone()])
                || !(context.configures_postgres(call.start)
                    || context.configures_postgres(declaration.at))
            {
                continue;
            }
            let shown = format!("{}(..., \"****\")", declaration.name);
            let detection =
                super::detect::detection(Kind::PasswordSetting, call.start, shown, &secret);
            found.push((call, detection));
        }
    }
    found
}

/// The routines `text` declares with a parameter named for a password.
fn declarations(text: &[u8]) -> Vec<Declaration> {
    let mut lines: Vec<Range<usize>> = Vec::new();
    for m in password_word().find_iter(text) {
        // A word on a line already taken (a long line holds many): no search back.
        if lines.last().is_some_and(|line| m.start() <= line.end) {
            continue;
        }
        let start = text[..m.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = text[m.end()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| m.end() + i);
        lines.push(start..end);
    }
    let mut found = Vec::new();
    for line in lines {
        found.extend(declarations_on(text, line));
        if found.len() >= MAX_DECLARATIONS {
            found.truncate(MAX_DECLARATIONS);
            break;
        }
    }
    found
}

/// The declarations with a password parameter on one line of `text`.
fn declarations_on(text: &[u8], line: Range<usize>) -> Vec<Declaration> {
    let mut found = Vec::new();
    for c in declaration().captures_iter(&text[line.clone()]) {
        let (name, list) = (c.get(2).expect("name"), c.get(3).expect("parameters"));
        let at = line.start + name.start();
        let name_text = String::from_utf8_lossy(name.as_bytes()).into_owned();
        let class = c.get(1).is_some();
        let body = c.get(4).expect("body").as_bytes();
        // A bare line end follows only a class's primary constructor.
        if KEYWORDS.contains(&name_text.as_str())
            || (!class && body.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        let mut names: Vec<String> = String::from_utf8_lossy(list.as_bytes())
            .split(',')
            .map(parameter_name)
            .collect();
        if names
            .first()
            .is_some_and(|first| first == "self" || first == "cls")
        {
            names.remove(0);
        }
        let Some(password) = names.iter().position(|name| is_password_name(name)) else {
            continue;
        };
        let name = if matches!(name_text.as_str(), "constructor" | "__init__") {
            match class_name()
                .captures_iter(&text[..at])
                .last()
                .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
            {
                Some(class) => class,
                None => continue,
            }
        } else {
            name_text
        };
        found.push(Declaration {
            name,
            at,
            arguments: names.len(),
            password,
        });
    }
    found
}

/// A parameter's name as its language writes it: `String password`, `final String
/// pwd`, `password: String`, `val password: String`, `password=None`.
fn parameter_name(parameter: &str) -> String {
    let parameter = parameter.split('=').next().unwrap_or_default();
    let named = match parameter.split_once(':') {
        Some((before, _)) => before,
        None => parameter,
    };
    named
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .rfind(|word| !word.is_empty())
        .unwrap_or_default()
        .to_string()
}

/// Whether a parameter's (or a table column's) name is a password's (`password`,
/// `dbPassword`, `pwd`, `dbPass`, `dbpw`).
pub(super) fn is_password_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("passw")
        || lower.ends_with("pwd")
        || lower.ends_with("pass")
        || lower.ends_with("pw")
}

/// The calls of a declaration that pass as many arguments as it takes, by position,
/// each with its range and its arguments: calls by name, and an enum's constants when
/// the declaration is its constructor.
fn calls(text: &[u8], declaration: &Declaration) -> Vec<(Range<usize>, Vec<String>)> {
    let mut starts: Vec<(usize, usize)> = Vec::new();
    let by_name = Regex::new(&format!(
        r"(?-u:\b){}[ \t]*\(",
        regex::escape(&declaration.name)
    ))
    .expect("valid regex");
    for m in by_name.find_iter(text) {
        if m.start() != declaration.at {
            starts.push((m.start(), m.end() - 1));
        }
    }
    // An enum's constants come before its constructor: `enum Db { ADMIN("app", "..."),
    // ...; Db(String user, String password) { ... } }`.
    let opening = Regex::new(&format!(
        r"(?-u:\b)enum[ \t]+(?:class[ \t]+)?{}(?-u:\b)",
        regex::escape(&declaration.name)
    ))
    .expect("valid regex");
    if let Some(enum_start) = opening
        .find_iter(&text[..declaration.at])
        .last()
        .map(|m| m.end())
    {
        for c in constant().captures_iter(&text[enum_start..declaration.at]) {
            let m = c.get(0).expect("match");
            starts.push((
                enum_start + c.get(1).expect("name").start(),
                enum_start + m.end() - 1,
            ));
        }
    }
    starts
        .into_iter()
        .filter_map(|(start, open)| {
            let (arguments, close) = arguments(text, open)?;
            (arguments.len() == declaration.arguments).then_some((start..close + 1, arguments))
        })
        .collect()
}

/// The arguments of the call whose `(` is at `open`, split at the commas outside quotes
/// and brackets, and where its `)` is; `None` where it does not close within reach or
/// names an argument (`password = "..."` is read where keyword arguments are).
fn arguments(text: &[u8], open: usize) -> Option<(Vec<String>, usize)> {
    let (arguments, close) = list_items(text, open, MAX_ARGUMENTS)?;
    let named = arguments.iter().any(|argument| is_named(argument));
    (!named).then_some((arguments, close))
}

/// The items of the parenthesised list whose `(` is at `open` (a call's arguments, an SQL
/// row's values), split at the commas outside quotes and brackets and trimmed, and where
/// its `)` is; `None` where it does not close within `reach` bytes or a quote runs past
/// its line.
pub(super) fn list_items(text: &[u8], open: usize, reach: usize) -> Option<(Vec<String>, usize)> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let end = text.len().min(open + 1 + reach);
    for (i, &b) in text.iter().enumerate().take(end).skip(open + 1) {
        if let Some(q) = quote {
            current.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == q {
                quote = None;
            } else if b == b'\n' {
                return None;
            }
            continue;
        }
        match b {
            b'"' | b'\'' => {
                quote = Some(b);
                current.push(b);
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                current.push(b);
            }
            b')' | b']' | b'}' if depth > 0 => {
                depth -= 1;
                current.push(b);
            }
            b')' => {
                items.push(String::from_utf8_lossy(&current).trim().to_string());
                return Some((items, i));
            }
            b',' if depth == 0 => {
                items.push(String::from_utf8_lossy(&current).trim().to_string());
                current.clear();
            }
            _ => current.push(b),
        }
    }
    None
}

/// Whether an argument names its parameter (`password = "..."`, `password: "..."`).
fn is_named(argument: &str) -> bool {
    let name_end = argument
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(argument.len());
    name_end > 0
        && argument[name_end..].trim_start().starts_with(['=', ':'])
        && !argument[name_end..].trim_start().starts_with("==")
        && !argument[name_end..].trim_start().starts_with("::")
}

/// A string literal's text (`"s3cret"`, `'s3cret'`), or `None` for anything else (a
/// variable, a call, literals joined).
fn literal(argument: &str) -> Option<String> {
    let quote = argument
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    let inner = argument.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.is_empty() && !inner.contains(quote)).then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::lines::Lines;
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let lines = Lines::new(text.as_bytes());
        let mut context = Context::new(text.as_bytes(), &lines);
        detect(text.as_bytes(), &mut context, Syntax::Code)
            .into_iter()
            .map(|(_, d)| d.redacted)
            .collect()
    }

    #[test]
    fn an_enum_s_constants_pass_its_constructor_s_password() {
        let text = "public enum DbLogin {\n\tREADER(\"reader\", \"Vq7mTz2k\"),\n\tWRITER(\"writer\", \"Vq7mTz2k\");\n\tprivate final String url = \"jdbc:postgresql://127.0.0.1:5432/app\";\n\tprivate DbLogin(String user, String password) {\n\t\tthis.user = user;\n\t}\n}\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            found(text),
            ["DbLogin(..., \"****\")", "DbLogin(..., \"****\")"]
        );
    }

    #[test]
    fn a_constructor_s_password_is_read_by_its_place() {
        let java = "class Database {\n  Database(String host, String user, String password) {}\n}\nDatabase db = new Database(\"db.acme.io\", \"app\", \"Vq7mTz2k\"); // jdbc:postgresql\n"; // vsecure:allow (a documented fake)
        assert_eq!(found(java).len(), 1);
        let python = "class Pg:\n    def __init__(self, host, user, password):\n        self.conn = psycopg2.connect(host=host, user=user, password=password)\n\npg = Pg(\"db.acme.io\", \"app\", \"Vq7mTz2k\")\n"; // vsecure:allow (a documented fake)
        assert_eq!(found(python), ["Pg(..., \"****\")"]);
        let kotlin = "class PgLogin(val user: String, val password: String)\nval login = PgLogin(\"app\", \"Vq7mTz2k\") // org.postgresql.Driver\n"; // vsecure:allow (a documented fake)
        assert_eq!(found(kotlin).len(), 1);
    }

    #[test]
    fn variables_keywords_other_counts_and_other_engines_are_not_read() {
        for text in [
            // A variable in the password's place.
            "Database(String host, String user, String password) {}\nnew Database(\"db\", \"app\", secret); // postgres\n",
            // A keyword argument: read where keyword arguments are.
            "def connect(host, user, password):\n    pass\nconnect(\"db\", \"app\", password=\"Vq7mTz2k\") # postgres\n", // vsecure:allow (a documented fake)
            // Fewer arguments than the declaration takes: another overload.
            "Database(String host, String user, String password) {}\nnew Database(\"Vq7mTz2k\"); // postgres\n", // vsecure:allow (a documented fake)
            // No parameter named for a password.
            "Database(String host, String user, String token) {}\nnew Database(\"db\", \"app\", \"Vq7mTz2k\"); // postgres\n", // vsecure:allow (a documented fake)
            // Another engine's.
            "Database(String url, String user, String password) {}\nnew Database(\"jdbc:mysql://db/app\", \"app\", \"Vq7mTz2k\");\n", // vsecure:allow (a documented fake)
            // A login masked: its user all `x`, its password with them.
            "DataSource(String url, String user, String password) {}\n// new DataSource(\"jdbc:postgresql://52.39.10.17:5432/xx\", \"xx\", \"p@xx\");\n", // vsecure:allow (a documented fake)
            // A check, not a declaration.
            "if (password) {\n  login(\"Vq7mTz2k\"); // postgres\n}\n", // vsecure:allow (a documented fake)
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
