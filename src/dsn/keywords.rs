//! The connection keywords libpq knows, and how far vsecure can honour each.
//!
//! libpq rejects any keyword it does not know, and so does vsecure: a misspelt
//! `sslmod=verify-full` silently dropped would leave TLS unenforced.

/// How vsecure's connection layer treats a keyword libpq accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Applied to the connection exactly as libpq would.
    Honoured,
    /// Accepted but has no effect on a vsecure connection; reported as a warning.
    Ignored,
    /// Would change how libpq connects in a way vsecure cannot reproduce; an error.
    Unsupported,
}

/// One libpq connection keyword.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    /// The keyword as written in a connection string.
    pub name: &'static str,
    /// The first PostgreSQL major whose libpq accepts it.
    pub since_major: u32,
    /// Whether the value is a secret that must never be printed.
    pub secret: bool,
    /// What vsecure does with it.
    pub support: Support,
}

const fn kw(name: &'static str, since_major: u32, support: Support) -> Keyword {
    Keyword {
        name,
        since_major,
        secret: false,
        support,
    }
}

const fn secret(name: &'static str, since_major: u32, support: Support) -> Keyword {
    Keyword {
        name,
        since_major,
        secret: true,
        support,
    }
}

use Support::{Honoured, Ignored, Unsupported};

/// Every keyword of libpq 18, in libpq's own order.
pub const KEYWORDS: &[Keyword] = &[
    kw("service", 9, Unsupported),
    kw("user", 9, Honoured),
    secret("password", 9, Honoured),
    kw("passfile", 10, Honoured),
    kw("channel_binding", 13, Honoured),
    kw("connect_timeout", 9, Honoured),
    kw("dbname", 9, Honoured),
    kw("host", 9, Honoured),
    kw("hostaddr", 9, Honoured),
    kw("port", 9, Honoured),
    kw("client_encoding", 9, Honoured),
    kw("options", 9, Honoured),
    kw("application_name", 9, Honoured),
    kw("fallback_application_name", 9, Honoured),
    kw("keepalives", 9, Honoured),
    kw("keepalives_idle", 9, Honoured),
    kw("keepalives_interval", 9, Honoured),
    kw("keepalives_count", 9, Honoured),
    kw("tcp_user_timeout", 12, Honoured),
    kw("sslmode", 9, Honoured),
    kw("sslnegotiation", 17, Honoured),
    kw("sslcompression", 9, Ignored),
    kw("sslcert", 9, Unsupported),
    kw("sslkey", 9, Unsupported),
    kw("sslcertmode", 16, Honoured),
    secret("sslpassword", 13, Unsupported),
    kw("sslkeylogfile", 18, Unsupported),
    kw("sslrootcert", 9, Honoured),
    kw("sslcrl", 9, Unsupported),
    kw("sslcrldir", 14, Unsupported),
    kw("sslsni", 14, Ignored),
    kw("requirepeer", 9, Unsupported),
    kw("require_auth", 16, Unsupported),
    kw("min_protocol_version", 18, Ignored),
    kw("max_protocol_version", 18, Ignored),
    kw("ssl_min_protocol_version", 13, Honoured),
    kw("ssl_max_protocol_version", 13, Ignored),
    kw("gssencmode", 12, Honoured),
    kw("krbsrvname", 9, Ignored),
    kw("gsslib", 9, Ignored),
    kw("gssdelegation", 16, Ignored),
    kw("replication", 9, Unsupported),
    kw("target_session_attrs", 10, Honoured),
    kw("load_balance_hosts", 16, Honoured),
    secret("scram_client_key", 18, Unsupported),
    secret("scram_server_key", 18, Unsupported),
    kw("oauth_issuer", 18, Unsupported),
    kw("oauth_client_id", 18, Unsupported),
    secret("oauth_client_secret", 18, Unsupported),
    kw("oauth_scope", 18, Unsupported),
];

/// Looks a keyword up by name.
pub fn find(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// The position of a keyword in libpq's order, for stable output.
pub fn order(name: &str) -> usize {
    KEYWORDS
        .iter()
        .position(|k| k.name == name)
        .unwrap_or(usize::MAX)
}

/// Whether the keyword's value must never be printed.
pub fn is_secret(name: &str) -> bool {
    find(name).is_some_and(|k| k.secret)
}
