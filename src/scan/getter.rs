//! Accessors that return a literal login: a class that answers `getPassword()` with
//! `return "...";` (a test's data source properties, a hand-written `DBInfo`), its URL
//! and user from the accessors beside it. No `=` or `:` follows the word for password
//! and no driver call is given the value, so neither the settings reader nor the call
//! reader sees it.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, literal_beside_login, lossy};
use super::structured::{Context, call_host};

/// An accessor with no parameters that returns one string literal: its name and the
/// literal. Braces and `return` (Java, C#, TypeScript, Kotlin's block body) or an
/// expression body (Kotlin's `= "..."`, C#'s `=> "..."`); named in C#'s way too
/// (`GetPassword()`), declaring what it throws (`throws IOException`), with comment
/// lines before its `return` (a file read once, set aside for the literal).
fn accessor() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?-u:\b)([Gg]et_?[A-Za-z]*)[ \t]*\([ \t]*\)[ \t]*(?:throws[ \t]+[A-Za-z_.]+(?:[ \t]*,[ \t]*[A-Za-z_.]+)*[ \t]*)?(?::[ \t]*[A-Za-z?]+[ \t]*)?(?:\{(?:\s*//[^\n]*)*\s*return[ \t]+|=>?[ \t]*)"([^"\\\n]*)""#,
        )
        .expect("valid regex")
    })
}

/// The passwords `text`'s accessors return where the text configures PostgreSQL, each
/// with the range of its literal.
pub fn detect(text: &[u8], context: &mut Context) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    let (mut passwords, mut users, mut host) = (Vec::new(), Vec::new(), None);
    for c in accessor().captures_iter(text) {
        let name = lossy(&c[1]).to_ascii_lowercase().replace('_', "");
        let value = c.get(2).expect("literal");
        let literal = lossy(value.as_bytes());
        if name.ends_with("password") || name.ends_with("passwd") {
            passwords.push(value);
        } else if name.ends_with("username") || name.ends_with("user") || name.ends_with("login") {
            users.push(literal);
        } else if name.ends_with("url")
            || name.ends_with("host")
            || name.ends_with("connectionstring")
        {
            let named = call_host(value.as_bytes()).unwrap_or(literal);
            if host.is_none() && !named.is_empty() {
                host = Some(named);
            }
        }
    }
    for value in passwords {
        found.extend(literal_beside_login(
            context,
            value.start(),
            value,
            "getPassword() { return \"****\" }",
            &users,
            host.as_deref(),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        findings_of(detect, text)
    }

    #[test]
    fn an_accessor_s_literal_password_is_the_login_of_the_url_beside_it() {
        let remote = "public class PgDialect {\n    public String getUrl() {\n        return \"jdbc:postgresql://183.247.10.7:15431/app_test\";\n    }\n    public String getUsername() {\n        return \"app_reader\";\n    }\n    public String getPassword() {\n        return \"app_reader\";\n    }\n}\n";
        assert_eq!(passwords(remote), vec![("app_reader".to_string(), false)]);
        let kotlin =
            "// org.postgresql.Driver\noverride fun getPassword(): String = \"Vb7-Qx2-Lk\"\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(kotlin), vec![("Vb7-Qx2-Lk".to_string(), false)]); // vsecure:allow (a documented fake)
    }

    #[test]
    fn an_accessor_named_the_c_sharp_way_that_throws_and_comments_is_read() {
        let getters = |password: &str| {
            format!(
                "public static String GetConnectionString() throws IOException {{\n    //return Files.readString(configPath);\n    return \"jdbc:postgresql://46.229.20.41:5432/shop\";\n}}\npublic static String GetLogin() throws IOException {{\n    return \"clerk\";\n}}\npublic static String GetPassword() throws IOException {{\n    //Path configPath = Path.of(\"config\");\n    //return Files.readString(configPath);\n    return \"{password}\";\n}}\n"
            )
        };
        assert_eq!(
            passwords(&getters("Vb7-Qx2-Lk")), // vsecure:allow (a documented fake)
            vec![("Vb7-Qx2-Lk".to_string(), false)]  // vsecure:allow (a documented fake)
        );
        // The login's own name to that public address is still its password.
        assert_eq!(
            passwords(&getters("clerk")),
            vec![("clerk".to_string(), false)]
        );
    }

    #[test]
    fn the_user_s_own_on_this_machine_or_no_host_is_a_local_default() {
        let local = "// PostgreSQL\nString getUrl() { return \"jdbc:postgresql://localhost:5432/shop\"; }\nString getUser() { return \"shop\"; }\nString getPassword() { return \"shop\"; }\n";
        assert_eq!(passwords(local), vec![("shop".to_string(), true)]);
        let hostless = "// PostgreSQL\nString getPassword() { return \"postgres\"; }\n";
        assert_eq!(passwords(hostless), vec![("postgres".to_string(), true)]);
    }

    #[test]
    fn a_reference_a_placeholder_another_engine_or_another_accessor_is_not_a_password() {
        for text in [
            "// PostgreSQL\nString getPassword() { return \"${DB_PASSWORD}\"; }\n",
            "// PostgreSQL\nString getPassword() { return \"your_password\"; }\n",
            "// PostgreSQL\nString getPassword() { return \"\"; }\n",
            "// MySQL\nString getUrl() { return \"jdbc:mysql://10.0.0.5/app\"; }\nString getPassword() { return \"Vb7-Qx2-Lk\"; }\n", // vsecure:allow (a documented fake)
            "// PostgreSQL\nString getPasswordHint() { return \"Vb7-Qx2-Lk\"; }\n", // vsecure:allow (a documented fake)
        ] {
            assert!(passwords(text).is_empty(), "{text}");
        }
    }
}
