//! Ora2Pg's configuration: its directives are a name, whitespace, then the value
//! (`PG_PWD<TAB>...`), beside `PG_DSN dbi:Pg:dbname=...;host=...` and `PG_USER ...`.
//! Neither `=` nor `:` follows the name, so the settings reader does not see the
//! password; Ora2Pg names it `PG_PWD`, which is PostgreSQL's by the name alone.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, lossy};

/// A directive of Ora2Pg's PostgreSQL connection: its name and its value, to the end of
/// the line or a comment.
fn directive() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?m)^[ \t]*(PG_DSN|PG_USER|PG_PWD)[ \t]+([^\s#`]+)").expect("valid regex")
    })
}

/// The passwords an Ora2Pg configuration in `text` gives its PostgreSQL connection, each
/// with the range of its value.
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if !directive().is_match(text) {
        return found;
    }
    let (mut host, mut user) = (None, String::new());
    let mut passwords = Vec::new();
    for c in directive().captures_iter(text) {
        let value = c.get(2).expect("value");
        match &c[1] {
            b"PG_DSN" => host = Some(dsn_host(&lossy(value.as_bytes()))),
            b"PG_USER" => user = lossy(value.as_bytes()),
            _ => passwords.push(value),
        }
    }
    let host = host.flatten().unwrap_or_default();
    let users = [user];
    for value in passwords {
        found.extend(super::detect::directive_password(
            value,
            "PG_PWD ****".to_string(),
            &users,
            &host,
        ));
    }
    found
}

/// The host a Perl DBI data source for PostgreSQL names (`dbi:Pg:dbname=x;host=h;...`).
fn dsn_host(dsn: &str) -> Option<String> {
    let rest = dsn.strip_prefix("dbi:Pg:")?;
    rest.split(';')
        .find_map(|pair| pair.trim().strip_prefix("host="))
        .map(|host| host.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::text_findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        text_findings_of(detect, text)
    }

    #[test]
    fn the_pg_pwd_directive_is_the_postgres_connection_s_password() {
        let conf = "ORACLE_DSN\tdbi:Oracle:host=172.17.3.3;sid=orcl;port=1521\nORACLE_PWD\tOr4-Kx8-Lm\nPG_DSN\t\tdbi:Pg:dbname=generic;host=192.168.5.112;port=5432\nPG_USER\t\tmigrator\nPG_PWD\t\tPg7-Rw2-Zn\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(conf), vec![("Pg7-Rw2-Zn".to_string(), false)]); // vsecure:allow (a documented fake)
        let local = "PG_DSN\tdbi:Pg:dbname=otrs;host=localhost\nPG_USER\totrs\nPG_PWD\totrs\n";
        assert_eq!(passwords(local), vec![("otrs".to_string(), true)]);
    }

    #[test]
    fn a_placeholder_or_a_macro_is_not_a_password() {
        let template = "PG_DSN\t\tdbi:Pg:dbname=otrs;host=postgres;port=5432\nPG_USER\t  otrs\nPG_PWD\t\t<PG_PASSWORD>\n";
        assert!(passwords(template).is_empty());
        let macro_ = "#define RTK_OTPC_MASK_EF_PG_PWD\t\t((u32)0x000000FF << 24)\n";
        assert!(passwords(macro_).is_empty());
    }
}
