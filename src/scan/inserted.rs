//! Passwords in the rows an SQL `INSERT INTO t (..., dbpw, ...) VALUES (...)` adds: a
//! table of data sources or sites, each row with its `jdbc:postgresql://` URL, user and
//! password. A row's values are read by the columns the statement names: a literal
//! counts in a column named for a password, and no other literal of the row does (a
//! `vhost` before the URL is no password, as a driver call's reading would make it).
//! A configuration table's rows are read by their key: a row keyed by a password
//! setting (Spring Cloud Config's JDBC `properties`, a config centre's table:
//! `..., 'spring.datasource.password', '...'`) gives its value, where another row sets
//! the PostgreSQL JDBC URL the setting is for.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::{Detection, Kind, detection, is_local_host, is_weak_for};
use super::placeholder::is_placeholder;
use super::positional::{is_password_name, list_items};
use super::structured::{
    call_host, calls_another_engine, contains_ignoring_case, is_database_password_key,
    is_reference, is_weak_call_to_loopback,
};

/// How many rows of one statement are read: a seed's table of connections is short, and
/// a dump's thousands of rows of data hold none.
const MAX_ROWS: usize = 1000;

/// How far one row is read for its closing parenthesis: a row of connection settings
/// is short.
const MAX_ROW: usize = 4096;

/// An `INSERT INTO` with its column list, up to `VALUES`: the table and the columns.
fn insert_into() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)(?-u:\b)insert\s+into\s+([A-Za-z0-9_."`\[\]]+)\s*\(([^()]{1,2000})\)\s*values\s*"#,
        )
        .expect("valid regex")
    })
}

/// A configuration row's key naming a password setting, quoted, and the value after
/// it: the key and the value.
fn keyed_password() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"'((?:[A-Za-z0-9_-]+\.)*(?i:[A-Za-z0-9_-]*password))'\s*,\s*'([^'\n]*)'"#)
            .expect("valid regex")
    })
}

/// The user a configuration row sets, quoted (`'spring.datasource.username', 'app'`).
fn keyed_user() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?i)'(?:[A-Za-z0-9_-]+\.)*user(?:_?name)?'\s*,\s*'([^'\n]*)'"#)
            .expect("valid regex")
    })
}

/// The PostgreSQL JDBC URL a configuration row sets, quoted.
fn keyed_url() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)'(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]*url'\s*,\s*'(jdbc:postgresql://[^'\n]*)'"#,
        )
        .expect("valid regex")
    })
}

/// The passwords the text's `INSERT` rows give a PostgreSQL connection, each with the
/// range of its row.
pub fn detect(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    let mut found = settings_rows(text);
    for c in insert_into().captures_iter(text) {
        let table = String::from_utf8_lossy(&c[1]).into_owned();
        let columns = column_names(&c[2]);
        let Some(place) = columns.iter().position(|column| is_password_name(column)) else {
            continue;
        };
        let mut at = c.get(0).expect("match").end();
        for _ in 0..MAX_ROWS {
            let Some((row, values)) = row_at(text, at) else {
                break;
            };
            at = row.end;
            if let Some(secret) = (values.len() == columns.len())
                .then(|| quoted_literal(&values[place]))
                .flatten()
            {
                // The row itself names PostgreSQL (its URL, its driver, its type): a
                // schema's `users` table of the application's logins does not.
                let row_text = &text[row.clone()];
                let names_postgres = row_text
                    .to_ascii_lowercase()
                    .windows(8)
                    .any(|w| w == b"postgres");
                if names_postgres && !is_reference(&secret) && !calls_another_engine(row_text) {
                    let shown = format!("INSERT INTO {table} ({}) '****'", columns[place]);
                    let mut d = detection(Kind::PasswordSetting, row.start, shown, &secret);
                    d.local_default = is_weak_call_to_loopback(row_text, &secret);
                    found.push((row, d));
                }
            }
            match text[at..].iter().position(|b| !b.is_ascii_whitespace()) {
                Some(skip) if text[at + skip] == b',' => at += skip + 1,
                _ => break,
            }
        }
    }
    found
}

/// The passwords a configuration table's inserted rows hold, keyed by a database's
/// password setting (not `spring.redis.password`), where another row sets a PostgreSQL
/// JDBC URL: judged local by that URL.
fn settings_rows(text: &[u8]) -> Vec<(Range<usize>, Detection)> {
    if !contains_ignoring_case(text, b"jdbc:postgresql://") {
        return Vec::new();
    }
    let Some(url) = keyed_url().captures(text).map(|c| c.get(1).expect("url")) else {
        return Vec::new();
    };
    let local = call_host(url.as_bytes()).is_some_and(|host| is_local_host(&host));
    let user = keyed_user()
        .captures(text)
        .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
        .unwrap_or_default();
    keyed_password()
        .captures_iter(text)
        .filter_map(|c| {
            let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
            let secret = String::from_utf8_lossy(value.as_bytes()).into_owned();
            if secret.is_empty()
                || !is_database_password_key(&String::from_utf8_lossy(key.as_bytes()))
                || is_reference(&secret)
                || is_placeholder(&secret)
                || !is_in_a_values_list(text, key.start())
            {
                return None;
            }
            let key = String::from_utf8_lossy(key.as_bytes());
            let shown = format!("INSERT ... ('{key}', '****')");
            let mut d = detection(Kind::PasswordSetting, c.get(0)?.start(), shown, &secret);
            d.local_default = local && is_weak_for(&user, &secret);
            Some((c.get(0)?.range(), d))
        })
        .collect()
}

/// Whether a place is inside an `INSERT INTO t [(columns)] VALUES (...)` statement's
/// rows: the statement, back to the last `;` within a row's reach, opens so.
fn is_in_a_values_list(text: &[u8], at: usize) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r"(?i)(?-u:\b)insert\s+into\s[^;]*?(?-u:\b)values\s*\(").expect("valid regex")
    });
    let before = &text[at.saturating_sub(MAX_ROW)..at];
    let statement = before
        .iter()
        .rposition(|&b| b == b';')
        .map_or(before, |end| &before[end + 1..]);
    pattern.is_match(statement)
}

/// Whether a "call" the driver-call reader found is SQL's `VALUES (...)` of an `INSERT
/// INTO t (columns)`, or a place inside such a row (its `, 'jdbc:postgresql://...',
/// '...'` read as a URL and a password): the row is read by its columns here, not by
/// the places of a call.
pub(super) fn is_inserted_row(text: &[u8], call: usize) -> bool {
    // The call may open at `VALUES` itself.
    let from = call.saturating_sub(MAX_ROW);
    let reach = &text[from..(call + 6).min(text.len())];
    let Some(values) = reach
        .windows(6)
        .rposition(|w| w.eq_ignore_ascii_case(b"values"))
        .map(|at| from + at)
    else {
        return false;
    };
    // The row goes on to the call: no statement ends between.
    if text[values..call.max(values)].contains(&b';') {
        return false;
    }
    let before = text[..values].trim_ascii_end();
    let Some(list) = before.strip_suffix(b")") else {
        return false;
    };
    let Some(open) = list.iter().rposition(|&b| b == b'(') else {
        return false;
    };
    let head = list[..open].trim_ascii_end();
    let start = head.len().saturating_sub(200);
    insert_into().is_match(&text[start..values + 6])
}

/// The names of a column list, unquoted (`"dbpw"`, `` `dbpw` ``, `[dbpw]`).
fn column_names(list: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(list)
        .split(',')
        .map(|column| column.trim().trim_matches(['"', '`', '[', ']']).to_string())
        .collect()
}

/// The row whose `(` is the first thing at or after `at`, as its range and its values
/// (split at the commas outside quotes and nested brackets); `None` where none opens
/// there or it does not close within reach.
fn row_at(text: &[u8], at: usize) -> Option<(Range<usize>, Vec<String>)> {
    let open = at + text[at..].iter().position(|b| !b.is_ascii_whitespace())?;
    if text[open] != b'(' {
        return None;
    }
    let (values, close) = list_items(text, open, MAX_ROW)?;
    Some((open..close + 1, values))
}

/// A value written as an SQL string literal, unquoted (`'it''s'` is `it's`); `None` for
/// anything else (a number, `NULL`, a call) and for the empty string.
fn quoted_literal(value: &str) -> Option<String> {
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    (!inner.is_empty()).then(|| inner.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, bool)> {
        detect(text.as_bytes())
            .into_iter()
            .map(|(_, d)| (d.redacted, d.local_default))
            .collect()
    }

    #[test]
    fn a_row_s_password_is_read_by_its_column() {
        let seed = "INSERT INTO sites (code, vhost, url, dbuser, dbpw) VALUES\n  ('a', 'a.shopnet.io', 'jdbc:postgresql://10.4.0.9/a', 'app', 'Kq8-Tz2W'),\n  ('b', 'b.shopnet.io', 'jdbc:postgresql://localhost/b', 'app', 'app');\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            found(seed),
            [
                ("INSERT INTO sites (dbpw) '****'".to_string(), false),
                ("INSERT INTO sites (dbpw) '****'".to_string(), true)
            ]
        );
    }

    #[test]
    fn an_application_s_logins_are_no_database_s() {
        let users = "-- PostgreSQL schema\nINSERT INTO users (email, password) VALUES ('ana@shopnet.io', 'Kq8-Tz2W');\n"; // vsecure:allow (a documented fake)
        assert!(found(users).is_empty());
    }

    #[test]
    fn an_empty_password_another_engine_and_no_password_column_are_not_read() {
        let empty = "INSERT INTO sites (vhost, url, dbuser, dbpw) VALUES ('a.shopnet.io', 'jdbc:postgresql://10.4.0.9/a', 'app', '');\n";
        assert!(found(empty).is_empty());
        let mysql = "INSERT INTO sites (url, dbuser, dbpw) VALUES ('jdbc:mysql://10.4.0.9/a', 'app', 'Kq8-Tz2W');\n"; // vsecure:allow (a documented fake)
        assert!(found(mysql).is_empty());
        let none = "INSERT INTO sites (vhost, url) VALUES ('a.shopnet.io', 'jdbc:postgresql://10.4.0.9/a');\n";
        assert!(found(none).is_empty());
    }

    #[test]
    fn a_configuration_table_s_password_row_is_read_by_its_key() {
        let rows = "INSERT INTO properties (application, profile, label, key, value) VALUES ('orders', 'prod', 'main', 'spring.datasource.username', 'orders');\nINSERT INTO properties (application, profile, label, key, value) VALUES ('orders', 'prod', 'main', 'spring.datasource.password', 'Kq8-Tz2W');\nINSERT INTO properties (application, profile, label, key, value) VALUES ('orders', 'prod', 'main', 'spring.datasource.url', 'jdbc:postgresql://30.55.10.222:5433/orders');\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            found(rows),
            [(
                "INSERT ... ('spring.datasource.password', '****')".to_string(),
                false
            )]
        );
        // A table with no column list, its rows keyed the same way, on loopback with
        // the user's own name as the password: a local default.
        let local = "INSERT INTO cfg VALUES ('1', 'app', 'datasource.userName', 'orders', '');\nINSERT INTO cfg VALUES ('2', 'app', 'datasource.password', 'orders', '');\nINSERT INTO cfg VALUES ('3', 'app', 'datasource.url', 'jdbc:postgresql://localhost:5432/orders', '');\n";
        assert_eq!(found(local).len(), 1);
        assert!(found(local)[0].1);
        // No PostgreSQL URL among the rows, a reference, or a key outside a statement.
        let mysql = rows.replace("jdbc:postgresql:", "jdbc:mysql:");
        assert!(found(&mysql).is_empty());
        let reference = rows.replace("Kq8-Tz2W", "${DB_PASSWORD}");
        assert!(found(&reference).is_empty());
        // Another service's password among the rows is not the database's.
        let redis = rows.replace("spring.datasource.password", "spring.redis.password");
        assert!(found(&redis).is_empty());
        let prose = "Set 'spring.datasource.password', 'Kq8-Tz2W' and 'spring.datasource.url', 'jdbc:postgresql://30.55.10.222/orders'.\n"; // vsecure:allow (a documented fake)
        assert!(found(prose).is_empty());
    }

    #[test]
    fn values_after_a_column_list_are_an_inserted_row() {
        let text = b"INSERT INTO sites\n(vhost, url, dbpw)\nVALUES ('a', 'b', 'c');";
        let call = text
            .windows(6)
            .position(|w| w == b"VALUES")
            .expect("values");
        assert!(is_inserted_row(text, call));
        let call_of_a_method = b"values ('a', 'jdbc:postgresql://10.4.0.9/a', 'b')";
        assert!(!is_inserted_row(call_of_a_method, 0));
        // A place inside the row: a URL then a comment read as a call's password.
        let properties = "insert into ops.t_application_properties(profile,key, value, comment, application) values('dev','spring.datasource.url','jdbc:postgresql://111.202.109.210:5432/cateye','数据源连接','database-config');\n";
        assert!(found(properties).is_empty());
        let whole = crate::scan::detect::detect(
            properties.as_bytes(),
            crate::scan::structured::Syntax::Code,
        );
        assert!(whole.is_empty(), "{whole:?}");
    }
}
