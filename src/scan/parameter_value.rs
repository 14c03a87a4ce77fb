//! JSON whose keys each hold an object with the value inside it: an Azure deployment's
//! parameters file (`"administratorLoginPassword": { "value": "..." }`), OSDU's
//! partition properties (`"osm.postgres.datasource.password": { "sensitive": true,
//! "value": "..." }`). The key naming the password is followed by `{`, not by the
//! value, so the settings reader does not see it; here the object's `value` is read as
//! the key's, and the login's user and host from the keys beside it.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, literal_beside_login, lossy};
use super::structured::{Context, call_host};

/// A quoted key, then an object without objects inside it that holds a `"value"`
/// string: the key and the value.
fn valued_key() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#""([A-Za-z0-9_.-]+)"[ \t]*:[ \t]*\{[^{}]*?"value"[ \t]*:[ \t]*"((?:[^"\\\n]|\\.)*)""#,
        )
        .expect("valid regex")
    })
}

/// The passwords the valued keys of `text` hold where it configures PostgreSQL, each
/// with the range of its value.
pub fn detect(text: &[u8], context: &mut Context) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    let (mut passwords, mut users, mut host) = (Vec::new(), Vec::new(), None);
    for c in valued_key().captures_iter(text) {
        let key = lossy(&c[1]).to_ascii_lowercase();
        let value = c.get(2).expect("value");
        let literal = lossy(value.as_bytes());
        let last = key.rsplit(['.', '_', '-']).next().unwrap_or_default();
        if key.contains("password") || matches!(last, "passwd" | "pwd") {
            passwords.push((c.get(1).expect("key").start(), value));
        } else if key.ends_with("login") || key.ends_with("user") || key.ends_with("username") {
            users.push(literal);
        } else if key.ends_with("url") || key.ends_with("host") {
            let named = call_host(value.as_bytes()).unwrap_or(literal);
            if host.is_none() && !named.is_empty() {
                host = Some(named);
            }
        }
    }
    for (key, value) in passwords {
        found.extend(literal_beside_login(
            context,
            key,
            value,
            "\"...password\": { \"value\": \"****\" }",
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
    fn a_deployment_parameter_s_value_is_the_password_it_names() {
        let azure = "{\n  \"parameters\": {\n    \"serverName\": { \"value\": \"pg-flex-prod\" },\n    \"administratorLogin\": { \"value\": \"pgadmin\" },\n    \"administratorLoginPassword\": {\n      \"value\": \"Cq7-Wz2-Lm9\"\n    },\n    \"postgresVersion\": { \"value\": \"16\" }\n  }\n}\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(azure), vec![("Cq7-Wz2-Lm9".to_string(), false)]); // vsecure:allow (a documented fake)
    }

    #[test]
    fn a_partition_property_s_value_beside_its_url_and_user_is_their_login() {
        let remote = "{\n  \"osm.postgres.datasource.url\": { \"sensitive\": false, \"value\": \"jdbc:postgresql://35.239.10.90:5432/postgres\" },\n  \"osm.postgres.datasource.username\": { \"value\": \"osm_poc\" },\n  \"osm.postgres.datasource.password\": { \"sensitive\": true, \"value\": \"osm_poc\" }\n}\n";
        assert_eq!(passwords(remote), vec![("osm_poc".to_string(), false)]);
        let local = remote.replace("35.239.10.90", "localhost");
        assert_eq!(passwords(&local), vec![("osm_poc".to_string(), true)]);
    }

    #[test]
    fn a_reference_a_placeholder_or_another_engine_is_not_a_password() {
        for text in [
            "{ \"postgresPassword\": { \"value\": \"[parameters('pw')]\" } }\n",
            "{ \"postgresPassword\": { \"value\": \"<your-password>\" } }\n",
            "{ \"postgresPassword\": { \"value\": \"\" } }\n",
            "{ \"mysqlServerName\": { \"value\": \"db\" }, \"mysqlPassword\": { \"value\": \"Cq7-Wz2-Lm9\" } }\n", // vsecure:allow (a documented fake)
        ] {
            assert!(passwords(text).is_empty(), "{text}");
        }
    }
}
