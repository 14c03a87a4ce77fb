//! Embedded SQL in C (ECPG, PostgreSQL's own preprocessor): `EXEC SQL CONNECT TO db
//! USER app USING "..."` (or `IDENTIFIED BY`, or `USER app/...`) in a `.pgc` source,
//! and the C it becomes, `ECPGconnect(__LINE__, 0, db, user, password, NULL, 0)`. The
//! login is passed by position or through host variables (`:password`, set with
//! `strcpy(password, "...")`), so no key names the password.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::{Match, Regex};

use super::assigned::{Assignments, is_identifier};
use super::detect::{Detection, Kind, lossy};
use super::structured::is_reference;

/// The login of a connect statement or of the call it is preprocessed into, captured
/// as the target, the user and the password: each a string, a host variable
/// (`:password`) or, in the call, a variable.
fn connect() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let argument = r#"("[^"\n]*"|'[^'\n]*'|:?[A-Za-z_][A-Za-z0-9_.@:]*)"#;
        // A target may be a URL (`tcp:postgresql://db.acme.io/shop`).
        let target = r#"("[^"\n]*"|'[^'\n]*'|:?[A-Za-z_][A-Za-z0-9_.@:/-]*)"#;
        Regex::new(&format!(
            r#"(?i)EXEC[ \t]+SQL[ \t]+CONNECT[ \t]+TO[ \t]+{target}(?:[ \t]+AS[ \t]+\S+)?[ \t]+USER[ \t]+{argument}(?:[ \t]*/[ \t]*|[ \t]+(?:USING|IDENTIFIED[ \t]+BY)[ \t]+){argument}|(?-i:ECPGconnect)[ \t]*\([ \t]*[^,()\n]+,[ \t]*[^,()\n]+,[ \t]*{argument}[ \t]*,[ \t]*{argument}[ \t]*,[ \t]*{argument}[ \t]*,"#
        ))
        .expect("valid regex")
    })
}

/// Whether a text is PostgreSQL's embedded SQL and not another engine's (DB2's and
/// Informix's precompilers take the same `CONNECT TO ... USER ... USING`): it names ECPG
/// or PostgreSQL, or a target with a port (`"shop@db.acme.io:5432"`), as ECPG's are.
fn is_postgres_embedded_sql(text: &[u8]) -> bool {
    static POSTGRES: OnceLock<Regex> = OnceLock::new();
    static OTHER: OnceLock<Regex> = OnceLock::new();
    let postgres = POSTGRES
        .get_or_init(|| {
            Regex::new(r#"(?i)ecpg|\.pgc(?-u:\b)|postgres|pgsql|(?-u:\b)5432(?-u:\b)|"[A-Za-z0-9_]+@[A-Za-z0-9.-]+:[0-9]{2,5}""#)
                .expect("valid regex")
        });
    let other = OTHER.get_or_init(|| {
        Regex::new(r"(?i)(?-u:\b)(?:db2|informix|oracle|sqlplus|sqlca\.sqlerrmc)(?-u:\b)")
            .expect("valid regex")
    });
    postgres.is_match(text) && !other.is_match(text)
}

/// The passwords the embedded SQL in `text` connects with, each with the range of the
/// literal (where the statement gives it, or where its variable is set).
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if !connect().is_match(text) || !is_postgres_embedded_sql(text) {
        return found;
    }
    let assignments = Assignments::new(text);
    for c in connect().captures_iter(text) {
        let groups = if c.get(1).is_some() {
            [1, 2, 3]
        } else {
            [4, 5, 6]
        };
        let [_, user, password] = groups.map(|group| c.get(group).expect("argument"));
        let Some(secret) = literal(text, password, &assignments) else {
            continue;
        };
        let shown = lossy(&text[secret.clone()]);
        if shown.is_empty() || is_reference(&shown) {
            continue;
        }
        let user = literal(text, user, &assignments)
            .map(|range| lossy(&text[range]))
            .unwrap_or_default();
        let mut d = super::detect::detection(
            Kind::PasswordSetting,
            secret.start,
            "CONNECT TO ... USER ... \"****\"".to_string(),
            &shown,
        );
        // A target with no host (`student_db`) is this machine's socket, as libpq's is.
        let target = c.get(groups[0]).expect("target");
        let target = match literal(text, target, &assignments) {
            Some(range) => lossy(&text[range]),
            None => lossy(target.as_bytes()),
        };
        let on_this_machine = !(target.contains('@') || target.contains("//"))
            || target.contains("@localhost")
            || target.contains("//localhost");
        d.local_default = on_this_machine && super::detect::is_weak_for(&user, &shown);
        found.push((secret.start..secret.end + 1, d));
    }
    found
}

/// Where an argument's string stands: inside its quotes, or where the (host) variable
/// it names was last set to a literal before it.
fn literal(text: &[u8], argument: Match, assignments: &Assignments) -> Option<Range<usize>> {
    let raw = argument.as_bytes();
    if matches!(raw.first(), Some(b'"' | b'\'')) {
        return Some(argument.start() + 1..argument.end() - 1);
    }
    let name = lossy(raw.strip_prefix(b":").unwrap_or(raw));
    if !is_identifier(&name) {
        return None;
    }
    assignments
        .literal_before(&name, argument.start())
        .filter(|range| range.end <= text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::text_findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        text_findings_of(detect, text)
    }

    #[test]
    fn a_connect_statement_s_password_is_found() {
        for statement in [
            "/* shop.pgc */\nEXEC SQL CONNECT TO shop@db.acme.io USER app USING \"Wd5-vKq8z\";\n", // vsecure:allow (a documented fake)
            "/* shop.pgc */\nEXEC SQL CONNECT TO shop AS con1 USER app IDENTIFIED BY 'Wd5-vKq8z';\n", // vsecure:allow (a documented fake)
            "exec sql connect to tcp:postgresql://db.acme.io/shop user app/\"Wd5-vKq8z\";\n", // vsecure:allow (a documented fake)
        ] {
            let found = passwords(statement);
            assert_eq!(found.len(), 1, "{statement}");
            assert!(found[0].0.starts_with("Wd5-vKq8z"), "{statement}"); // vsecure:allow (a documented fake)
        }
    }

    #[test]
    fn the_preprocessed_call_s_variables_are_followed_to_their_strings() {
        let c = "/* Processed by ecpg (4.6.0) */\nchar dbName[255], userName[100], password[100];\nstrcpy(userName, \"student\");\nstrcpy(password, \"Wd5-vKq8z\");\nstrcpy(dbName, \"student_db\");\n{ ECPGconnect(__LINE__, 0, dbName , userName , password , NULL, 0); }\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(c).len(), 1);
        let local = c.replace("\"Wd5-vKq8z\"", "\"student\""); // vsecure:allow (a documented fake)
        assert_eq!(passwords(&local), vec![("student\"".to_string(), true)]);
        let remote = local.replace("\"student_db\"", "\"student_db@pg.acme.io:5432\"");
        assert_eq!(passwords(&remote), vec![("student\"".to_string(), false)]);
    }

    #[test]
    fn a_host_variable_never_set_a_bare_connect_and_db2_s_are_no_password() {
        for text in [
            "/* ecpg */\nEXEC SQL CONNECT TO :target USER :user USING :passwd;\n",
            "/* ecpg */\nEXEC SQL CONNECT TO tpcc;\n",
            "/* ecpg */\n{ ECPGconnect(__LINE__, 0, dbName , NULL, NULL , NULL, 0); }\n",
            "/* DB2 sample */\nEXEC SQL CONNECT TO sample USER app USING \"Wd5-vKq8z\";\n", // vsecure:allow (a documented fake)
        ] {
            assert!(passwords(text).is_empty(), "{text}");
        }
    }
}
