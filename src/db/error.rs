//! Why a connection failed, as one line with no secret in it.

use thiserror::Error;

/// A connection that could not be made (exit 3).
#[derive(Debug, Error)]
pub enum ConnectError {
    /// The connection string cannot be turned into a working configuration.
    #[error("cannot connect: {0}")]
    Config(String),
    /// The server rejected the credentials or the role.
    #[error("authentication failed for {target}: {cause}")]
    Auth {
        /// The redacted connection.
        target: String,
        /// The server's message.
        cause: String,
    },
    /// TLS could not be negotiated or the certificate was not trusted.
    #[error("TLS failed for {target}: {cause}")]
    Tls {
        /// The redacted connection.
        target: String,
        /// What went wrong.
        cause: String,
    },
    /// No attempt reached the server in time.
    #[error(
        "timed out connecting to {target} after {attempts} attempt(s) of {timeout_secs:.1}s each"
    )]
    Timeout {
        /// The redacted connection.
        target: String,
        /// How many attempts were made.
        attempts: u32,
        /// The per-attempt timeout.
        timeout_secs: f64,
    },
    /// Any other failure: refused, unreachable, reset, rejected by the server.
    #[error("could not connect to {target} ({attempts} attempt(s)): {cause}")]
    Unreachable {
        /// The redacted connection.
        target: String,
        /// How many attempts were made (retries follow transient failures only).
        attempts: u32,
        /// The cause chain, joined.
        cause: String,
    },
    /// Connected, but the first queries (session settings, introspection) failed.
    #[error("connected to {target}, but the session failed: {cause}")]
    Session {
        /// The redacted connection.
        target: String,
        /// What failed.
        cause: String,
    },
}

/// One line describing a tokio-postgres error: the server's message, SQLSTATE, detail
/// and hint for a database error (and, for a cancelled statement, its likely cause),
/// else the cause chain. Never contains a password.
pub fn describe_error(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut line = format!(
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            );
            if let Some(detail) = db.detail() {
                line.push_str(&format!("; detail: {detail}"));
            }
            if let Some(hint) = db.hint() {
                line.push_str(&format!("; hint: {hint}"));
            }
            // A statement timeout that fires as a statement ends is reported by the
            // server as a cancel "due to user request": name the likelier cause.
            if *db.code() == tokio_postgres::error::SqlState::QUERY_CANCELED
                && !db.message().contains("timeout")
            {
                line.push_str(
                    "; the statement was cancelled before it finished: by the statement timeout \
                     (--statement-timeout) or by an interrupt",
                );
            }
            line.replace('\n', " ")
        }
        None => super::connect::cause_chain(error),
    }
}
