//! Variables a connection string reads: `pg_connect("host=$host password=$pass")` holds
//! no password itself, but the script set `$pass = "..."` a few lines above, and that
//! literal is the credential. Following the variable back to its assignment finds it
//! by structure — the value is the one the connection uses — without flagging every
//! literal a script assigns.

use std::ops::Range;

use regex::bytes::Regex;

/// How far above its use an assignment is looked for: a script sets its connection's
/// variables together, near where it connects.
const REACH: usize = 4096;

/// The name of the variable a conninfo value reads, if it is one and nothing else:
/// PHP's, Perl's and the shell's `$pass` or `${pass}`.
pub fn variable_read(value: &str) -> Option<&str> {
    let name = value.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .and_then(|inner| inner.strip_suffix('}'))
        .unwrap_or(name);
    let mut bytes = name.bytes();
    let starts = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    (starts && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(name)
}

/// The literal last assigned to the variable `name` before `before`, and where that
/// literal stands: PHP's and Perl's `$pass = "...";` (also `my $pass = '...';`), or the
/// shell's `pass="..."`, `pass='...'`, `pass=...` (also after `export`). A value that
/// is itself code (`$pass = getenv("PW");`) is no literal.
pub fn literal_assigned(text: &[u8], name: &str, before: usize) -> Option<(Range<usize>, String)> {
    let from = before.saturating_sub(REACH);
    let window = &text[from..before];
    let escaped = regex::escape(name);
    let assignment = Regex::new(&format!(
        r#"(?m)^[ \t]*(?:(?:my|our|local)[ \t]+)?\${escaped}[ \t]*=[ \t]*(?:"([^"\\\n$]*)"|'([^'\\\n]*)')[ \t]*;|^[ \t]*(?:export[ \t]+)?{escaped}=(?:"([^"\\\n$`]*)"|'([^'\n]*)'|([^\s"'$`;&|()<>]+))[ \t]*\r?$"#
    ))
    .ok()?;
    let found = assignment.captures_iter(window).last()?;
    let value = found.iter().skip(1).flatten().next()?;
    let literal = String::from_utf8_lossy(value.as_bytes()).into_owned();
    Some((from + value.start()..from + value.end(), literal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_read_is_named() {
        assert_eq!(variable_read("$pass"), Some("pass"));
        assert_eq!(variable_read("${DB_PASS}"), Some("DB_PASS"));
        assert_eq!(variable_read("$pass.x"), None);
        assert_eq!(variable_read("pass"), None);
        assert_eq!(variable_read("$1"), None);
    }

    #[test]
    fn the_last_literal_assigned_before_the_use_is_found() {
        let text = "$pass = \"old-one\";\n$pass = \"Kq8-Tz2\";\n$c = pg_connect(\"password=$pass\");\n$pass = \"later\";\n";
        let used = text.find("pg_connect").unwrap();
        let (range, literal) = literal_assigned(text.as_bytes(), "pass", used).unwrap();
        assert_eq!(literal, "Kq8-Tz2");
        assert_eq!(&text[range], "Kq8-Tz2");
        let shell = "export PW='Kq8-Tz2'\npsql \"host=db password=$PW\"\n";
        let used = shell.find("psql").unwrap();
        assert_eq!(
            literal_assigned(shell.as_bytes(), "PW", used).map(|(_, l)| l),
            Some("Kq8-Tz2".to_string())
        );
    }

    #[test]
    fn code_assigned_is_no_literal() {
        for (text, name) in [
            (
                "$pass = getenv(\"PW\");\npg_connect(\"password=$pass\");\n",
                "pass",
            ),
            (
                "$pass = \"$prefix-x\";\npg_connect(\"password=$pass\");\n",
                "pass",
            ),
            (
                "PW=$(cat /run/secrets/pw)\npg_connect \"password=$PW\"\n",
                "PW",
            ),
            (
                "$password2 = \"Kq8-Tz2\";\npg_connect(\"password=$password\");\n",
                "password",
            ),
        ] {
            let used = text.find("pg_connect").unwrap();
            assert_eq!(
                literal_assigned(text.as_bytes(), name, used),
                None,
                "{text}"
            );
        }
    }
}
