//! A role's password said in words beside the verifier that sets it. A dump or a set-up
//! script stores only the role's MD5 or SCRAM hash, and the comment above the statement
//! (`-- the role, with the password 'Kq8.Tz'`) or the role's own comment after it
//! (`COMMENT ON ROLE app IS '... Password: Kq8.Tz'`) gives the password itself away.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{is_verifier, lossy};
use super::placeholder::is_placeholder;

/// How many lines above the statement a comment on it is read from.
const LINES_ABOVE: usize = 2;

/// How far after the statement the role's `COMMENT ON ROLE` is looked for, in bytes.
const COMMENT_REACH: usize = 400;

/// The word for password, in the languages set-ups are written in too, then the value
/// after a colon or an equals sign, the last word of its phrase (`Senha: Kq8.Tz`, not
/// `password: see the vault`), or the value quoted (`con la contraseña 'Kq8.Tz'`,
/// `password is "Kq8.Tz"`).
fn said() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(&format!(
            r#"(?im)(?:password|passwd|mot de passe|{})[ \t]*(?:(?:is|es|é|est|ist)[ \t]+)?(?:[:=：][ \t]*["']?([^\s'";,]{{3,}})["']?[ \t]*(?:$|[\r\n'";,])|["']([^\s'"]{{3,}})["'])"#,
            super::structured::localized_password_words()
        ))
        .expect("valid regex")
    })
}

/// A role's comment: `COMMENT ON ROLE name IS '...'`, its role and body captured.
fn role_comment() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?i)comment\s+on\s+role\s+"?([A-Za-z0-9_-]+)"?\s+is\s+'((?:[^']|'')*)'"#)
            .expect("valid regex")
    })
}

/// The passwords said beside the role statement from `start` to `end` that sets `role`'s
/// verifier: in the comment lines just above it, or in the role's comment just after.
/// Each comes with where it stands in `text`.
pub fn said_beside(
    text: &[u8],
    start: usize,
    end: usize,
    role: &str,
) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    for line in comment_lines_above(text, start) {
        found.extend(values_said(text, line));
    }
    let after = end..text.len().min(end + COMMENT_REACH);
    if let Some(c) = role_comment().captures(&text[after.clone()]) {
        let named = lossy(&c[1]);
        if named.eq_ignore_ascii_case(role.trim_matches('"')) {
            let body = c.get(2).expect("body");
            found.extend(values_said(
                text,
                after.start + body.start()..after.start + body.end(),
            ));
        }
    }
    found
}

/// The comment lines right above `start`'s line (SQL's `--`, a shell's `#`, C's `//` and
/// `/*`), nearest first, up to the first line that is not one.
fn comment_lines_above(text: &[u8], start: usize) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut line_start = text[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    while lines.len() < LINES_ABOVE && line_start > 0 {
        let end = line_start - 1;
        let begin = text[..end]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let trimmed = text[begin..end].trim_ascii_start();
        if !["--", "#", "//", "/*"]
            .iter()
            .any(|mark| trimmed.starts_with(mark.as_bytes()))
        {
            break;
        }
        lines.push(begin..end);
        line_start = begin;
    }
    lines
}

/// The values the text in `range` says a password is: neither stand-ins (`'<new>'`) nor
/// verifiers.
fn values_said(text: &[u8], range: Range<usize>) -> Vec<(Range<usize>, String)> {
    said()
        .captures_iter(&text[range.clone()])
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| {
            (
                range.start + m.start()..range.start + m.end(),
                lossy(m.as_bytes()),
            )
        })
        .filter(|(_, value)| !is_placeholder(value) && !is_verifier(value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said_for(text: &str, role: &str) -> Vec<String> {
        let start = text
            .find("CREATE ROLE")
            .or_else(|| text.find("ALTER ROLE"))
            .expect("statement");
        let end = start + text[start..].find(';').expect("end");
        said_beside(text.as_bytes(), start, end, role)
            .into_iter()
            .map(|(_, value)| value)
            .collect()
    }

    #[test]
    fn a_comment_above_the_statement_says_the_password() {
        let text = "-- the PERMISOS role, con la contraseña 'Kq8.Tz'\nCREATE ROLE \"PERMISOS\" LOGIN PASSWORD 'md5fc74e85dceb0ea0453175fd3c072b733';\n"; // vsecure:allow (a documented fake)
        assert_eq!(said_for(text, "PERMISOS"), ["Kq8.Tz"]);
        // A statement in between: the comment is that statement's.
        let apart = text.replace("\nCREATE", "\nCREATE DATABASE shop;\nCREATE");
        assert!(said_for(&apart, "PERMISOS").is_empty());
        // A comment that only names the password says none.
        for comment in [
            "-- the password for the app role",
            "-- Rotate the password: ALTER ROLE app PASSWORD '<new>'.",
            "-- password: see the vault",
        ] {
            let text = format!(
                "{comment}\nCREATE ROLE app PASSWORD 'md5fc74e85dceb0ea0453175fd3c072b733';\n"
            );
            assert!(said_for(&text, "app").is_empty(), "{text}");
        }
    }

    #[test]
    fn the_role_s_own_comment_says_the_password() {
        let text = "ALTER ROLE \"queops\" WITH LOGIN PASSWORD 'md5d9f405cfa266ef5a01010fdcb1e1940c';\nCOMMENT ON ROLE \"queops\" IS 'Banco: patrimonio\n• Usuário: queops\n• Senha: Kq8.Tz';\n"; // vsecure:allow (a documented fake)
        assert_eq!(said_for(text, "queops"), ["Kq8.Tz"]);
        // Another role's comment is not this one's.
        assert!(said_for(text, "other").is_empty());
    }
}
