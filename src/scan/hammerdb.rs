//! HammerDB's scripts: its settings are `diset`, a section, a key and the value, apart
//! by spaces (`diset tpcc pg_pass ...`, also typed at its prompt, `hammerdb> diset ...`).
//! Neither `=` nor `:` follows the key, so the settings reader does not see the
//! password; HammerDB names its PostgreSQL keys `pg_...`, PostgreSQL's by the name alone,
//! and the host and the users are keys beside it (`diset connection pg_host ...`).

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, lossy};

/// A `diset` of a PostgreSQL key: the key and its value, quoted or a word.
fn setting() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:hammerdb>[ \t]*)?diset[ \t]+[a-z]+[ \t]+(pg_[a-z_]+)[ \t]+(?:"([^"\n]*)"|([^\s"$\[{;]+))"#,
        )
        .expect("valid regex")
    })
}

/// The passwords a HammerDB script in `text` sets for PostgreSQL (`pg_pass`,
/// `pg_superuserpass`, `pg_tpch_pass`), each with the range of its value.
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if !setting().is_match(text) {
        return found;
    }
    let (mut host, mut users) = (String::new(), Vec::new());
    let mut passwords = Vec::new();
    for c in setting().captures_iter(text) {
        let key = lossy(&c[1]);
        let value = c.get(2).or_else(|| c.get(3)).expect("value");
        if key == "pg_host" {
            host = lossy(value.as_bytes());
        } else if key.ends_with("user") {
            users.push(lossy(value.as_bytes()));
        } else if key.ends_with("pass") {
            passwords.push((key, value));
        }
    }
    for (key, value) in passwords {
        found.extend(super::detect::directive_password(
            value,
            format!("diset ... {key} ****"),
            &users,
            &host,
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::text_findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        text_findings_of(detect, text)
    }

    #[test]
    fn a_pg_pass_diset_is_the_postgres_password_of_the_host_beside_it() {
        let remote = "hammerdb> dbset db pg\nhammerdb> diset connection pg_host aurora1.cluster-cx1.ap-northeast-1.rds.amazonaws.com\nhammerdb> diset tpch pg_tpch_superuser postgres\nhammerdb> diset tpch pg_tpch_superuserpass postgres\n";
        assert_eq!(passwords(remote), vec![("postgres".to_string(), false)]);
        let quoted = "diset connection pg_host \"10.20.0.7\"\ndiset tpcc pg_user \"tpcc\"\ndiset tpcc pg_pass \"Tq4-Wz8-Lm\"\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(quoted), vec![("Tq4-Wz8-Lm".to_string(), false)]); // vsecure:allow (a documented fake)
    }

    #[test]
    fn a_default_or_the_user_s_own_on_loopback_is_a_local_default() {
        let local = "diset connection pg_host 127.0.0.1\ndiset tpcc pg_superuser postgres\ndiset tpcc pg_superuserpass postgres\ndiset tpcc pg_user tpcc\ndiset tpcc pg_pass tpcc\n";
        assert_eq!(
            passwords(local),
            vec![("postgres".to_string(), true), ("tpcc".to_string(), true)]
        );
    }

    #[test]
    fn a_variable_a_template_or_a_placeholder_is_not_a_password() {
        for text in [
            "diset tpcc pg_pass $PASSWORD\n",
            "diset tpcc pg_superuserpass {{PG_PASSWORD}}\n",
            "diset tpcc pg_superuserpass [ string trim $pass ]\n",
            "diset connection pg_pass \"your_superuser_password\"\n",
            "diset tpcc pg_pass \"\"\n",
        ] {
            assert!(passwords(text).is_empty(), "{text}");
        }
    }
}
