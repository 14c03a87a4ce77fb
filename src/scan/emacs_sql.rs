//! Emacs's SQL mode logins: an entry of `sql-connection-alist`, `("dwh" (sql-product
//! 'postgres) (sql-server "db.acme.io") (sql-user "dw") (sql-password "..."))`, and the
//! defaults of `sql-postgres-login-params`, `((user :default "dw") (password :default
//! "...") (server :default "db.acme.io"))`. Each setting is a list of its own, the name
//! first and the value after a space, so neither the settings reader (`name = value`,
//! `name: value`) nor the call readers (arguments between commas) see the password.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind, lossy};
use super::structured::{Context, is_reference};

/// The settings this reader reads, one of which a text must name (a literal search,
/// cheap over every file).
fn names_sql_mode() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"sql-(?:connection-alist|postgres-login-params)").expect("valid regex")
    })
}

/// A password an entry or the login defaults give: `(sql-password "...")` or
/// `(password :default "...")`.
fn password() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"\((?:sql-password|password[ \t]+:default)[ \t]+"((?:[^"\\\n]|\\.)*)""#)
            .expect("valid regex")
    })
}

/// One setting of an entry: `(sql-server "...")`, `(server :default "...")`, and the
/// product, `(sql-product 'postgres)` or `(sql-product (quote postgres))`.
fn setting() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"\((?:sql-)?(server|user|product)(?:[ \t]+:default)?\s+(?:"((?:[^"\\\n]|\\.)*)"|'([\w-]+)|\(quote\s+([\w-]+)\))"#,
        )
        .expect("valid regex")
    })
}

/// The passwords Emacs's SQL mode logins in `text` give PostgreSQL, each with the range
/// of its string.
pub fn detect(text: &[u8], context: &mut Context) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if !names_sql_mode().is_match(text) {
        return found;
    }
    for c in password().captures_iter(text) {
        let value = c.get(1).expect("value");
        let secret = lossy(value.as_bytes());
        if secret.is_empty() || is_reference(&secret) {
            continue;
        }
        let at = c.get(0).expect("setting").start();
        let Some(entry) = enclosing_list(text, at) else {
            continue;
        };
        let login = Login::read(&text[entry.clone()]);
        let for_postgres = match login.product.as_deref() {
            Some(product) => product.starts_with("postgres"),
            None => match login_defaults_product(text, entry.start) {
                Some(product) => product.starts_with("postgres"),
                None => context.configures_postgres(at),
            },
        };
        if !for_postgres {
            continue;
        }
        let mut d = super::detect::detection(
            Kind::PasswordSetting,
            value.start(),
            "(sql-password \"****\")".to_string(),
            &secret,
        );
        let host = login.server.unwrap_or_default();
        d.local_default =
            super::detect::is_weak_login_here(&login.user.unwrap_or_default(), &secret, &host);
        found.push((value.start()..value.end() + 1, d));
    }
    found
}

/// What one entry (or the login defaults) sets beside its password.
#[derive(Default)]
struct Login {
    product: Option<String>,
    server: Option<String>,
    user: Option<String>,
}

impl Login {
    fn read(entry: &[u8]) -> Login {
        let mut login = Login::default();
        for c in setting().captures_iter(entry) {
            let value = (2..=4)
                .find_map(|group| c.get(group))
                .map(|m| lossy(m.as_bytes()).to_ascii_lowercase());
            match &c[1] {
                b"server" => login.server = value,
                b"user" => login.user = value,
                _ => login.product = value,
            }
        }
        login
    }
}

/// The product whose login defaults the list opening at `start` is the value of
/// (`postgres` for `sql-postgres-login-params`), if it is one.
fn login_defaults_product(text: &[u8], start: usize) -> Option<String> {
    let before = lossy(&text[start.saturating_sub(64)..start]);
    let name = before
        .trim_end_matches(['\'', '`'])
        .trim_end()
        .strip_suffix("-login-params")?;
    let product = &name[name.rfind("sql-")? + 4..];
    Some(product.to_ascii_lowercase())
}

/// The list around the one opening at `at`: from its `(` to its `)`, nesting counted
/// (an entry's strings hold no parentheses in practice).
fn enclosing_list(text: &[u8], at: usize) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let start = text[..at].iter().rposition(|&b| match b {
        b')' => {
            depth += 1;
            false
        }
        b'(' if depth == 0 => true,
        b'(' => {
            depth -= 1;
            false
        }
        _ => false,
    })?;
    let mut depth = 0usize;
    let end = text[start..].iter().position(|&b| match b {
        b'(' => {
            depth += 1;
            false
        }
        b')' => {
            depth -= 1;
            depth == 0
        }
        _ => false,
    })?;
    Some(start..start + end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        findings_of(detect, text)
    }

    #[test]
    fn an_entry_s_password_is_judged_by_its_own_server_and_user() {
        let remote = "(setq sql-connection-alist\n      '((dwh\n         (sql-product 'postgres)\n         (sql-server \"db.acme.io\")\n         (sql-user \"postgres\")\n         (sql-password \"postgres\")\n         (sql-port 5432))))\n";
        assert_eq!(passwords(remote), vec![("postgres\"".to_string(), false)]);
        let local = remote.replace("db.acme.io", "localhost");
        assert_eq!(passwords(&local), vec![("postgres\"".to_string(), true)]);
        // A person's own password on this machine, no user named, in Custom's spelling.
        let own = " '(sql-connection-alist\n   (quote\n    ((\"ts\"\n      (sql-product\n       (quote postgres))\n      (sql-password \"Wd5-vKq8z\")\n      (sql-server \"0.0.0.0\")\n      (sql-port 5432)))))\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(own), vec![("Wd5-vKq8z\"".to_string(), false)]); // vsecure:allow (a documented fake)
    }

    #[test]
    fn the_postgres_login_defaults_are_read_like_an_entry() {
        let defaults = "(setq sql-postgres-login-params\n      '((user :default \"rss\")\n        (password :default \"Wd5-vKq8z\")\n        (server :default \"10.1.2.3\")))\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            passwords(defaults),
            vec![("Wd5-vKq8z\"".to_string(), false)]
        ); // vsecure:allow (a documented fake)
        let mysql = defaults.replace("sql-postgres-login-params", "sql-mysql-login-params");
        assert!(passwords(&mysql).is_empty());
    }

    #[test]
    fn another_product_s_entry_and_an_empty_password_are_not_postgres_logins() {
        let mysql = "(setq sql-connection-alist\n      '((pool-a\n         (sql-product 'mysql)\n         (sql-server \"10.94.65.102\")\n         (sql-user \"root\")\n         (sql-password \"Wd5-vKq8z\"))))\n"; // vsecure:allow (a documented fake)
        assert!(passwords(mysql).is_empty());
        let empty = "(setq sql-connection-alist\n      '((pool-a\n         (sql-product 'postgres)\n         (sql-password \"\"))))\n";
        assert!(passwords(empty).is_empty());
    }
}
