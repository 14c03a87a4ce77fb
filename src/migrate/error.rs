//! Why a migrate, status or baseline stopped. Each kind maps to one exit code.

use std::time::Duration;

use super::history::CorruptHistory;
use super::set::SetError;

/// A failed schema operation.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The migration set itself is unusable (names, CR line endings).
    #[error(transparent)]
    Set(#[from] SetError),
    /// The history table holds rows refinery could not read.
    #[error(transparent)]
    Corrupt(#[from] CorruptHistory),
    /// Divergent, missing or out-of-order migrations: nothing was run.
    #[error("refusing to migrate, nothing was run: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// `--target` or `--version` names no migration of the set.
    #[error("no migration has version {0}")]
    UnknownVersion(i32),
    /// Another run holds the migration lock.
    #[error(
        "another vsecure run holds the migration lock; gave up after waiting {:.1}s (raise --lock-wait to wait longer)",
        .0.as_secs_f64()
    )]
    LockBusy(Duration),
    /// A statement waited longer than lock_timeout for a table lock.
    #[error(
        "migration {label} gave up waiting for a table lock (lock_timeout {lock_timeout}) at statement {statement} (line {line}: {summary}): another session holds a conflicting lock; the migration was rolled back and nothing of it remains"
    )]
    LockTimeout {
        /// `V{n}__{name}`.
        label: String,
        /// The session's lock_timeout.
        lock_timeout: String,
        /// 1-based statement number.
        statement: usize,
        /// 1-based line in the file.
        line: usize,
        /// The statement's first line.
        summary: String,
    },
    /// A statement failed.
    #[error(
        "migration {label} failed at statement {statement} (line {line}: {summary}): {cause}; {aftermath}"
    )]
    Failed {
        /// `V{n}__{name}`.
        label: String,
        /// 1-based statement number.
        statement: usize,
        /// 1-based line in the file.
        line: usize,
        /// The statement's first line.
        summary: String,
        /// The server's error.
        cause: String,
        /// What was left behind.
        aftermath: &'static str,
    },
    /// A migration failed in the batch, and replaying it statement by statement (in a
    /// transaction rolled back) did not fail again: the server's error is all there is.
    #[error(
        "migration {label} failed: {cause}; replaying it statement by statement did not fail again, so no statement can be named; the migration was rolled back and nothing of it remains"
    )]
    NotReproduced {
        /// `V{n}__{name}`.
        label: String,
        /// The server's error from the batch.
        cause: String,
    },
    /// A pending migration cannot run as written: the parser rejects it, or it holds a
    /// statement that cannot run the way vsecure would run it. Nothing was run.
    #[error("migration {label} refused, nothing was run: {}{reason}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Refused {
        /// `V{n}__{name}`.
        label: String,
        /// 1-based line in the file, when known.
        line: Option<usize>,
        /// Why, and what to do.
        reason: String,
    },
    /// Baseline: tables the migrations create are not in the database.
    #[error("cannot baseline, these tables are absent (use --force to record anyway): {}", .0.join("; "))]
    BaselineAbsent(Vec<String>),
    /// A query outside the migrations' own statements failed.
    #[error("{context}: {cause}")]
    Database {
        /// What vsecure was doing.
        context: &'static str,
        /// The error.
        cause: String,
        /// The connection itself was lost (exit 3 rather than 5).
        connection_lost: bool,
    },
}

impl MigrateError {
    pub(crate) fn database(context: &'static str, error: &tokio_postgres::Error) -> MigrateError {
        MigrateError::Database {
            context,
            cause: crate::db::describe_error(error),
            connection_lost: error.is_closed() || error.as_db_error().is_none(),
        }
    }

    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> i32 {
        use crate::exit;
        match self {
            MigrateError::Set(_)
            | MigrateError::Corrupt(_)
            | MigrateError::Blocked(_)
            | MigrateError::BaselineAbsent(_) => exit::FOUND_PROBLEMS,
            MigrateError::UnknownVersion(_) => exit::USAGE,
            MigrateError::LockBusy(_) | MigrateError::LockTimeout { .. } => exit::LOCK_BUSY,
            MigrateError::Failed { .. }
            | MigrateError::NotReproduced { .. }
            | MigrateError::Refused { .. } => exit::FAILED,
            MigrateError::Database {
                connection_lost, ..
            } => {
                if *connection_lost {
                    exit::CONNECT
                } else {
                    exit::FAILED
                }
            }
        }
    }
}
