//! The typed errors vsecure's commands end with, each mapped to one exit code.
//!
//! Messages say how to fix the problem and never contain a password or a full
//! connection string: connections are named by their redacted form and fingerprint.
//!
//! vsecure does not use anyhow, even at the binary's edge: every error must map to a
//! documented exit code and pass through the secret scrubber, which a closed enum makes
//! checkable at compile time; the context a chain would add is in each variant's
//! message (the file, the statement, the redacted connection).

use thiserror::Error;

use crate::exit;

/// An error that ends a command.
#[derive(Debug, Error)]
pub enum Error {
    /// A bad flag, file or setting (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The connection string cannot be parsed (exit 2).
    #[error(transparent)]
    ConnectionString(#[from] crate::dsn::InvalidConnectionString),
    /// No database URL anywhere (exit 2).
    #[error(
        "no database URL: pass --database-url, set DATABASE_URL, put DATABASE_URL in .env, or set PGHOST (libpq's variables)"
    )]
    MissingDatabaseUrl,
    /// The connection string breaks the policy, so vsecure will not connect (exit 1).
    #[error("connection string refused by policy: {0}")]
    PolicyRefused(String),
    /// Connecting, authenticating or negotiating TLS failed (exit 3).
    #[error("{0}")]
    Connect(#[from] crate::db::ConnectError),
    /// A check ran and found problems; the report was already printed (exit 1).
    #[error("{0}")]
    FoundProblems(String),
    /// A lock was not obtained in time (exit 4).
    #[error("{0}")]
    LockBusy(String),
    /// A migration or job failed and was rolled back (exit 5).
    #[error("{0}")]
    Failed(String),
    /// A migrate, status or baseline failed.
    #[error(transparent)]
    Migrate(#[from] crate::migrate::MigrateError),
    /// A cleanup job or partition maintenance failed.
    #[error(transparent)]
    Ops(#[from] crate::ops::OpsError),
    /// The catalog could not be read.
    #[error(transparent)]
    Catalog(#[from] crate::catalog::IntrospectError),
    /// A snapshot file could not be read or written (exit 2).
    #[error(transparent)]
    Snapshot(#[from] crate::catalog::SnapshotError),
    /// A shadow database could not provide the expected schema.
    #[error(transparent)]
    Shadow(#[from] crate::catalog::ShadowError),
    /// Writing output failed (exit 2: usually a closed pipe or a full disk).
    #[error("could not write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// A stable name for the kind of error, for the JSON error object.
    pub fn code(&self) -> &'static str {
        match self {
            Error::PolicyRefused(_) => return "policy",
            Error::ConnectionString(_) => return "connection-string",
            Error::MissingDatabaseUrl => return "no-database-url",
            _ => {}
        }
        match self.exit_code() {
            exit::FOUND_PROBLEMS => "problem",
            exit::USAGE => "usage",
            exit::CONNECT => "connect",
            exit::LOCK_BUSY => "lock-busy",
            exit::FAILED => "failed",
            _ => "error",
        }
    }

    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_)
            | Error::ConnectionString(_)
            | Error::MissingDatabaseUrl
            | Error::Output(_) => exit::USAGE,
            Error::PolicyRefused(_) | Error::FoundProblems(_) => exit::FOUND_PROBLEMS,
            Error::Connect(_) => exit::CONNECT,
            Error::LockBusy(_) => exit::LOCK_BUSY,
            Error::Failed(_) => exit::FAILED,
            Error::Migrate(e) => e.exit_code(),
            Error::Ops(e) => e.exit_code(),
            Error::Catalog(_) => exit::FAILED,
            Error::Snapshot(_) => exit::USAGE,
            Error::Shadow(e) => match e {
                crate::catalog::ShadowError::Create(_) => exit::FAILED,
                crate::catalog::ShadowError::Connect(_) => exit::CONNECT,
                crate::catalog::ShadowError::Migrate(m) => m.exit_code(),
                crate::catalog::ShadowError::Introspect(_)
                | crate::catalog::ShadowError::Work(_) => exit::FAILED,
                crate::catalog::ShadowError::Interrupted(_) => exit::FAILED,
            },
        }
    }
}

/// The result type of every command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
