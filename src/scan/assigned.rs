//! Variables a connection string reads: `pg_connect("host=$host password=$pass")` holds
//! no password itself, but the script set `$pass = "..."` a few lines above, and that
//! literal is the credential. Following the variable back to its assignment finds it
//! by structure — the value is the one the connection uses — without flagging every
//! literal a script assigns.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

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
    is_identifier(name).then_some(name)
}

/// The name of the variable code passes or formats where a value goes, if it is one
/// and nothing else: an argument (`password=pw,` or `password=pw)`) or a placeholder
/// of Python's f-strings and `str.format` (`{pw}`).
pub fn identifier_read(value: &str) -> Option<&str> {
    let name = value
        .strip_prefix('{')
        .and_then(|inner| inner.strip_suffix('}'))
        .or_else(|| value.strip_suffix([',', ')']))
        .unwrap_or(value);
    is_identifier(name).then_some(name)
}

/// Whether a name is a variable's as code and shells spell one: a letter or `_`, then
/// letters, digits and `_`.
pub fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The literals a text assigns to variables, read once (one pass over the text) so
/// that following any number of variables back stays linear: PHP's and Perl's `$pass
/// = "...";` (also `my $pass = '...';`), Puppet's `$pass = '...'` (also wrapped,
/// `Sensitive('...')`), the shell's `pass="..."`, `pass='...'`,
/// `pass=...` (also after `export`), or code's `pw = "..."` (also `const pw =
/// '...';`, a field's or typed variable's `private static final String pw = "...";`,
/// `this.pw = "...";`, Go's `pw := "..."`, R's `pw <- "..."` or, as R's tutorials hide it, `pw <- {
/// "..." }`, C's `strcpy(pw, "...")`, and commented out, or with a comment after it; also percent-encoded for a
/// URI on its way in: `pw = quote_plus("...")`, `encodeURIComponent('...')`,
/// `url.QueryEscape("...")`), or one of several strings a statement declares
/// (`static String user="app",pass="...";`). A value that is itself code (`$pass
/// = getenv("PW");`, `"$prefix-x"`, `$(cat ...)`) is no literal.
pub struct Assignments {
    /// Per name, each literal assigned: where the assignment is and where its literal.
    by_name: HashMap<String, Vec<(usize, Range<usize>)>>,
}

impl Assignments {
    /// Every literal assignment in `text`.
    pub fn new(text: &[u8]) -> Assignments {
        static ASSIGNMENT: OnceLock<Regex> = OnceLock::new();
        let assignment = ASSIGNMENT.get_or_init(|| {
            Regex::new(
                r#"(?m)^[ \t]*(?:(?:my|our|local)[ \t]+)?\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?:Sensitive\([ \t]*)?(?:"([^"\\\n$]*)"|'([^'\\\n]*)')[ \t]*(?:;|\)?[ \t]*\r?$)|^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"\\\n$`]*)"|'([^'\n]*)'|([^\s"'$`;&|()<>]+))[ \t]*\r?$|^[ \t]*(?:(?:#|//)[ \t]*)?(?:(?:const|let|var|val|final|public|private|protected|internal|static|readonly)[ \t]+)*(?:(?:String|string|str)[ \t]+)?(?:this\.|self\.)?([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]*:[ \t]*[A-Za-z]+)?[ \t]*(?::=|=|<-)[ \t]*(?:(?:(?:urllib\.)?parse\.)?quote(?:_plus)?[ \t]*\([ \t]*|encodeURIComponent[ \t]*\([ \t]*|url\.QueryEscape[ \t]*\([ \t]*)?(?:"([^"\\\n]*)"|'([^'\\\n]*)')(?:[ \t]*\))?[ \t]*;?[ \t]*(?:(?:#|//)[^\n]*)?\r?$|^[ \t]*([A-Za-z_][A-Za-z0-9_.]*)[ \t]*<-[ \t]*\{\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*\}|(?-u:\b)(?:strcpy|strncpy|strlcpy)[ \t]*\([ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*,[ \t]*"([^"\\\n]*)""#,
            )
            .expect("valid regex")
        });
        let mut by_name: HashMap<String, Vec<(usize, Range<usize>)>> = HashMap::new();
        for c in assignment.captures_iter(text) {
            let name = c
                .get(1)
                .or_else(|| c.get(4))
                .or_else(|| c.get(8))
                .or_else(|| c.get(11))
                .or_else(|| c.get(14))
                .expect("a name group");
            let Some(value) = (2..=15)
                .filter(|group| ![4, 8, 11, 14].contains(group))
                .find_map(|group| c.get(group))
            else {
                continue;
            };
            by_name
                .entry(String::from_utf8_lossy(name.as_bytes()).into_owned())
                .or_default()
                .push((name.start(), value.range()));
        }
        // A statement declaring several strings at once (Java's and C#'s `static String
        // user="app",pass="...";`): each declarator after the type or a comma.
        static SEVERAL: OnceLock<(Regex, Regex)> = OnceLock::new();
        let (several, declarator) = SEVERAL.get_or_init(|| {
            (
                Regex::new(
                    r#"(?m)^[ \t]*(?:(?:public|private|protected|internal|static|final|readonly|const)[ \t]+)*(?:String|string)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*"[^"\\\n]*"[ \t]*,[^\n]*"#,
                )
                .expect("valid regex"),
                Regex::new(
                    r#"(?:(?:String|string)[ \t]+|,[ \t]*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*"([^"\\\n]*)""#,
                )
                .expect("valid regex"),
            )
        });
        for statement in several.find_iter(text) {
            for c in declarator.captures_iter(statement.as_bytes()) {
                let (name, value) = (c.get(1).expect("name"), c.get(2).expect("value"));
                // The string is the whole value only when the declarator ends after it.
                let after = statement.as_bytes()[value.end() + 1..]
                    .iter()
                    .find(|b| !matches!(b, b' ' | b'\t'));
                if !matches!(after, Some(b',' | b';')) {
                    continue;
                }
                by_name
                    .entry(String::from_utf8_lossy(name.as_bytes()).into_owned())
                    .or_default()
                    .push((
                        statement.start() + name.start(),
                        statement.start() + value.start()..statement.start() + value.end(),
                    ));
            }
        }
        for assigned in by_name.values_mut() {
            assigned.sort_by_key(|(at, _)| *at);
        }
        Assignments { by_name }
    }

    /// Where the literal last assigned to `name` before `before` (and near it) stands.
    pub fn literal_before(&self, name: &str, before: usize) -> Option<Range<usize>> {
        let assigned = self.by_name.get(name)?;
        let earlier = assigned.partition_point(|(at, _)| *at < before);
        let (at, literal) = assigned[..earlier].last()?;
        (before - at <= REACH).then(|| literal.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str, name: &str, used_at: &str) -> Option<String> {
        let used = text.find(used_at).unwrap();
        Assignments::new(text.as_bytes())
            .literal_before(name, used)
            .map(|range| text[range].to_string())
    }

    #[test]
    fn a_variable_read_is_named() {
        assert_eq!(variable_read("$pass"), Some("pass"));
        assert_eq!(variable_read("${DB_PASS}"), Some("DB_PASS"));
        assert_eq!(variable_read("$pass.x"), None);
        assert_eq!(variable_read("pass"), None);
        assert_eq!(variable_read("$1"), None);
    }

    #[test]
    fn each_string_a_statement_declares_is_found() {
        let java = "static String usuario=\"app\",contra=\"Kq8-Tz2\";\nc = DriverManager.getConnection(url, usuario, contra);\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            literal(java, "contra", "DriverManager"),
            Some("Kq8-Tz2".to_string())
        );
        assert_eq!(
            literal(java, "usuario", "DriverManager"),
            Some("app".to_string())
        );
        let call = "static String s = f(\"a\"), contra = g(\"Kq8-Tz2\");\nc = connect(contra);\n";
        assert_eq!(literal(call, "contra", "connect"), None);
    }

    #[test]
    fn the_last_literal_assigned_before_the_use_is_found() {
        let text = "$pass = \"old-one\";\n$pass = \"Kq8-Tz2\";\n$c = pg_connect(\"password=$pass\");\n$pass = \"later\";\n";
        assert_eq!(
            literal(text, "pass", "pg_connect"),
            Some("Kq8-Tz2".to_string())
        );
        let puppet = "$pw = Sensitive('Kq8-Tz2')\npostgresql_password('app', $pw.unwrap)\n";
        assert_eq!(
            literal(puppet, "pw", "postgresql_password"),
            Some("Kq8-Tz2".to_string())
        );
        let shell = "export PW='Kq8-Tz2'\npsql \"host=db password=$PW\"\n"; // vsecure:allow (a documented fake)
        assert_eq!(literal(shell, "PW", "psql"), Some("Kq8-Tz2".to_string()));
        let r = "pw <- \"Kq8-Tz2\"\ncon <- dbConnect(drv, password = pw)\n";
        assert_eq!(literal(r, "pw", "dbConnect"), Some("Kq8-Tz2".to_string()));
        let hidden = "pw <- {\n  \"Kq8-Tz2\"\n}\ncon <- dbConnect(drv, password = pw)\n";
        assert_eq!(
            literal(hidden, "pw", "dbConnect"),
            Some("Kq8-Tz2".to_string())
        );
        let field = "private static final String pw = \"Kq8-Tz2\";\nConnection c = getConnection(url, id, pw);\n";
        assert_eq!(
            literal(field, "pw", "getConnection"),
            Some("Kq8-Tz2".to_string())
        );
        let member = "    this.pw = \"Kq8-Tz2\";\n    conn = getConnection(url, id, pw);\n";
        assert_eq!(
            literal(member, "pw", "getConnection"),
            Some("Kq8-Tz2".to_string())
        );
        let c = "char password[100];\nstrcpy(password, \"Kq8-Tz2\");\nECPGconnect(__LINE__, 0, db, user, password, NULL, 0);\n";
        assert_eq!(
            literal(c, "password", "ECPGconnect"),
            Some("Kq8-Tz2".to_string())
        );
        let far = format!(
            "$pass = \"Kq8-Tz2\";\n{}pg_connect(\"password=$pass\");\n",
            "#\n".repeat(REACH)
        );
        assert_eq!(literal(&far, "pass", "pg_connect"), None);
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
            assert_eq!(literal(text, name, "pg_connect"), None, "{text}");
        }
    }
}
