//! Keeps connection strings given as arguments out of messages that quote arguments:
//! clap's ("unexpected argument '...'", "invalid value '...' for '--format'") and
//! vsecure's own (a `scan` path that does not exist). Every message that may quote the
//! command line passes through [`scrub`] before it is printed.

use super::parse;

/// What replaces an argument that cannot be shown even redacted.
const HIDDEN: &str = "<argument not shown: it holds a connection string or password>";

/// Whether an argument may carry a secret: a URI, a userinfo `@`, a `password` keyword.
pub fn may_carry_secret(arg: &str) -> bool {
    arg.contains("://")
        || arg.contains('@')
        || arg.to_ascii_lowercase().contains("password")
        || arg.contains("npg_")
}

/// `message` with every argument that may carry a secret (whole, and the value part of
/// `--flag=value`) replaced by its redacted form. When a password is still found in the
/// result, the whole message is replaced by a generic one.
pub fn scrub(message: &str, args: &[String]) -> String {
    let mut pieces: Vec<&str> = Vec::new();
    for arg in args {
        pieces.push(arg);
        if arg.starts_with('-')
            && let Some((_, value)) = arg.split_once('=')
        {
            pieces.push(value);
        }
    }
    let mut secrets: Vec<&str> = pieces
        .into_iter()
        .filter(|p| !p.is_empty() && may_carry_secret(p))
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = message.to_string();
    for secret in &secrets {
        out = out.replace(secret, &shown_as(secret));
    }
    let leaked = secrets
        .iter()
        .filter_map(|s| parse(s).ok())
        .filter_map(|info| info.get("password").map(str::to_string))
        .any(|password| password.chars().count() >= 4 && out.contains(&password));
    if leaked {
        format!("invalid arguments ({HIDDEN}); see --help")
    } else {
        out
    }
}

/// How a secret-carrying argument is shown: the redacted URI when it parses as a
/// connection string, otherwise nothing of it.
fn shown_as(arg: &str) -> String {
    super::redacted_text(arg).unwrap_or_else(|| HIDDEN.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq8-Secret-Pw";

    #[test]
    fn a_quoted_connection_string_is_redacted() {
        let url = format!("postgresql://app:{SECRET}@db.example.com/d");
        let message = format!("error: unexpected argument '{url}' found");
        let out = scrub(&message, &["vsecure".into(), "doctor".into(), url]);
        assert!(!out.contains(SECRET), "{out}");
        assert!(
            out.contains("postgresql://app***@db.example.com/d"),
            "{out}"
        );
    }

    #[test]
    fn the_value_of_a_flag_is_redacted_too() {
        let arg = format!("--format=host=h password={SECRET}");
        let message = format!("invalid value 'host=h password={SECRET}' for '--format'");
        let out = scrub(&message, &[arg]);
        assert!(!out.contains(SECRET), "{out}");
    }

    #[test]
    fn plain_arguments_stay() {
        let message = "no such file: notes.txt";
        assert_eq!(scrub(message, &["notes.txt".into()]), message);
    }
}
