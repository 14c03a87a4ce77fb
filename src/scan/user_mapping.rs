//! SQL/MED's user mappings: `CREATE USER MAPPING FOR app SERVER ora OPTIONS (user
//! 'scott', password '...')` gives the login of a foreign server, whose wrapper the text
//! declares with `CREATE SERVER ora FOREIGN DATA WRAPPER oracle_fdw OPTIONS (dbserver
//! '...')`. The password is PostgreSQL's only where the wrapper speaks to PostgreSQL
//! (`postgres_fdw`, `dblink_fdw`, PGSpider's); Oracle's, MySQL's or SQL Server's wrapper
//! takes that engine's login.

use std::sync::OnceLock;

use regex::bytes::Regex;

use super::detect::lossy;

/// The foreign server a mapping logs in to, as the text declares it.
pub struct ForeignServer {
    /// Whether its wrapper speaks to PostgreSQL.
    pub postgres: bool,
    /// Its `host` option, empty where it names none.
    pub host: String,
}

/// A user mapping's head and the server it names.
fn mapping() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?i)^(?:create|alter)\s+user\s+mapping\s+(?:if\s+not\s+exists\s+)?for\s+\S+\s+server\s+"?([A-Za-z0-9_]+)"?"#)
            .expect("valid regex")
    })
}

/// A server's declaration: its name, its wrapper and what follows, to the statement's end.
fn server() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r#"(?i)create\s+server\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z0-9_]+)"?\s+(?:type\s+'[^']*'\s+)?(?:version\s+'[^']*'\s+)?foreign\s+data\s+wrapper\s+"?([A-Za-z0-9_]+)"?([^;]*)"#)
            .expect("valid regex")
    })
}

/// An option given as `name 'value'`.
fn option() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?i)(?-u:\b)(host|user|username)\s+'([^']*)'").expect("valid regex")
    })
}

/// Whether the statement starting at `statement` is a user mapping.
pub fn is_mapping(statement: &[u8]) -> bool {
    mapping().is_match(statement)
}

/// The server the user mapping starting at `statement` names, where `text` declares it.
pub fn server_of(text: &[u8], statement: &[u8]) -> Option<ForeignServer> {
    let name = mapping()
        .captures(statement)?
        .get(1)?
        .as_bytes()
        .to_ascii_lowercase();
    server().captures_iter(text).find_map(|c| {
        (c[1].to_ascii_lowercase() == name).then(|| {
            let wrapper = lossy(&c[2]).to_ascii_lowercase();
            let host = option_value(&c[3], "host").unwrap_or_default();
            ForeignServer {
                postgres: ["postgres", "dblink", "pgspider"]
                    .iter()
                    .any(|name| wrapper.starts_with(name)),
                host,
            }
        })
    })
}

/// The login a user mapping's options give (`user 'scott'`, mysql_fdw's `username`).
pub fn mapped_user(statement: &[u8]) -> String {
    option_value(statement, "user")
        .or_else(|| option_value(statement, "username"))
        .unwrap_or_default()
}

/// The value of option `name` in `options`.
fn option_value(options: &[u8], name: &str) -> Option<String> {
    option()
        .captures_iter(options)
        .find(|c| c[1].eq_ignore_ascii_case(name.as_bytes()))
        .map(|c| lossy(&c[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVERS: &str = "CREATE SERVER ora FOREIGN DATA WRAPPER oracle_fdw OPTIONS (dbserver '//10.1.2.3:1521/ORCL');\nCREATE SERVER pg_remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'pg.acme.io', port '5432', dbname 'shop');\n";

    #[test]
    fn a_mapping_s_server_is_read_from_its_declaration() {
        let oracle =
            b"CREATE USER MAPPING FOR app SERVER ora OPTIONS (user 'scott', password 'x');";
        let server = server_of(SERVERS.as_bytes(), oracle).expect("declared");
        assert!(!server.postgres);
        let postgres =
            b"CREATE USER MAPPING FOR app SERVER pg_remote OPTIONS (user 'shop', password 'x');";
        let server = server_of(SERVERS.as_bytes(), postgres).expect("declared");
        assert!(server.postgres);
        assert_eq!(server.host, "pg.acme.io");
        assert_eq!(mapped_user(postgres), "shop");
        let undeclared =
            b"CREATE USER MAPPING FOR app SERVER elsewhere OPTIONS (user 'a', password 'x');";
        assert!(server_of(SERVERS.as_bytes(), undeclared).is_none());
        assert!(!is_mapping(b"CREATE USER shop PASSWORD 'x';"));
    }
}
