//! GlassFish's and Payara's connection pools, which `asadmin create-jdbc-connection-pool`
//! is given as one colon-separated list of properties (`--property
//! user=app:password=...:DatabaseName=shop:ServerName=db`, a literal colon escaped
//! `\:`). The list is neither a conninfo string (spaces) nor a semicolon one, so each
//! of those readings misses the password; it is read here field by field, for a pool
//! whose data source class is PostgreSQL's.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind};
use super::structured::{Context, continued_command, is_reference};

/// An `asadmin` property list: `--property` (or `--property=`), then the list, quoted
/// or not, up to the next space.
fn property_list() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"--property(?:[ \t]*=[ \t]*|[ \t]+)["']?((?:[^\s"'\\]|\\.)+)"#)
            .expect("valid regex")
    })
}

/// PostgreSQL's data source classes and JDBC URL, one of which the pool's command
/// names (`--datasourceclassname org.postgresql.ds.PGSimpleDataSource`).
fn postgres_pool() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?i)org\.postgresql\.|jdbc\\?:postgresql").expect("valid regex")
    })
}

/// The passwords in the property lists of PostgreSQL connection pools `text` creates,
/// each with the range of its list.
pub fn detect(text: &[u8], context: &mut Context) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    for c in property_list().captures_iter(text) {
        let list = c.get(1).expect("list");
        let command = continued_command(text, list.start());
        if !postgres_pool().is_match(&text[command]) {
            continue;
        }
        let fields = fields(list.as_bytes());
        let value = |names: &[&str]| {
            fields
                .iter()
                .find(|(name, _)| names.iter().any(|n| name.eq_ignore_ascii_case(n)))
                .map(|(_, value)| value.clone())
        };
        let Some(secret) = value(&["password"]) else {
            continue;
        };
        if secret.is_empty() || is_reference(&secret) {
            continue;
        }
        let user = value(&["user", "username"]).unwrap_or_default();
        let host = value(&["serverName", "host"]).or_else(|| {
            value(&["url"]).and_then(|url| super::structured::call_host(url.as_bytes()))
        });
        let mut d = super::detect::detection(
            Kind::PasswordSetting,
            list.start(),
            "--property ...:password=****".to_string(),
            &secret,
        );
        d.local_default = super::detect::is_weak_for(&user, &secret)
            && host.as_deref().is_none_or(super::detect::is_local_host)
            && !context.configures_another_engine(list.start());
        found.push((list.range(), d));
    }
    found
}

/// A property list's fields, split at the colons that are not escaped, each as its
/// name and its value with the escapes removed (`Url=jdbc\:postgresql\://db/app`).
fn fields(list: &[u8]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut bytes = list.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'\\' => field.extend(bytes.next()),
            b':' => fields.push(std::mem::take(&mut field)),
            _ => field.push(b),
        }
    }
    fields.push(field);
    fields
        .into_iter()
        .filter_map(|field| {
            let text = String::from_utf8_lossy(&field).into_owned();
            let (name, value) = text.split_once('=')?;
            Some((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        findings_of(detect, text)
    }

    #[test]
    fn a_postgres_pool_s_password_is_read_from_its_property_list() {
        let pool = "$ASADMIN create-jdbc-connection-pool --datasourceclassname org.postgresql.xa.PGXADataSource --restype javax.sql.XADataSource --property user=coreuser:password=Wd5-vKq8z:DatabaseName=coredb:ServerName=master coredb-pool\n"; // vsecure:allow (a documented fake)
        let found = passwords(pool);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].1);
        // Over continued lines, the URL's colons escaped.
        let continued = "asadmin create-jdbc-connection-pool \\\n  --datasourceclassname org.postgresql.ds.PGSimpleDataSource \\\n  --property \"User=app:Password=Wd5-vKq8z:Url=jdbc\\:postgresql\\://db.acme.io\\:5432/app\" app-pool\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(continued).len(), 1);
    }

    #[test]
    fn another_engine_s_pool_a_variable_and_a_local_default_are_not_credentials() {
        let mysql = "asadmin create-jdbc-connection-pool --datasourceclassname com.mysql.cj.jdbc.MysqlDataSource --property user=app:password=Wd5-vKq8z:serverName=localhost pool\n"; // vsecure:allow (a documented fake)
        assert!(passwords(mysql).is_empty());
        let variable = "asadmin create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource --property portNumber=%DB_PORT%:password=%DB_PWD%:user=%DB_USER% pool\n";
        assert!(passwords(variable).is_empty());
        let local = "asadmin create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource --property User=app:Password=app:Url=jdbc\\:postgresql\\://localhost\\:5432/app pool\n";
        assert_eq!(
            passwords(local),
            vec![(
                "User=app:Password=app:Url=jdbc\\:postgresql\\://localhost\\:5432/app".to_string(),
                true
            )]
        );
    }
}
