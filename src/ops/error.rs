//! Why a maintenance job (cleanup, partitions) stopped.

/// A failed job. Whatever its current transaction did was rolled back.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// A statement failed.
    #[error("{job} failed and its current batch was rolled back: {cause}")]
    Failed {
        /// The job.
        job: String,
        /// The server's error.
        cause: String,
    },
    /// The job's tables or functions do not exist: the database is not migrated.
    #[error(
        "{job} cannot run: the database does not have its tables and functions yet ({cause}); run vsecure migrate first"
    )]
    NotMigrated {
        /// The job.
        job: String,
        /// The server's error.
        cause: String,
    },
    /// A statement waited longer than lock_timeout for a lock.
    #[error(
        "{job} gave up waiting for a table or row lock (lock_timeout); its current batch was rolled back and the next run continues"
    )]
    LockTimeout {
        /// The job.
        job: String,
    },
    /// The connection was lost (a server restart, a network failure).
    #[error(
        "{job} lost its connection and its current batch was rolled back; the next run continues: {cause}"
    )]
    ConnectionLost {
        /// The job.
        job: String,
        /// The error.
        cause: String,
    },
}

impl OpsError {
    pub(crate) fn from_pg(job: &str, error: &tokio_postgres::Error) -> OpsError {
        let job = job.to_string();
        if error.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
            return OpsError::LockTimeout { job };
        }
        let cause = crate::db::describe_error(error);
        use tokio_postgres::error::SqlState;
        if matches!(
            error.code(),
            Some(&SqlState::UNDEFINED_TABLE | &SqlState::UNDEFINED_FUNCTION)
        ) {
            return OpsError::NotMigrated { job, cause };
        }
        if error.is_closed() || error.as_db_error().is_none() || is_shutdown(error) {
            OpsError::ConnectionLost { job, cause }
        } else {
            OpsError::Failed { job, cause }
        }
    }

    /// The exit code: 4 for a lock timeout, 3 for a lost connection, 5 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            OpsError::Failed { .. } | OpsError::NotMigrated { .. } => crate::exit::FAILED,
            OpsError::LockTimeout { .. } => crate::exit::LOCK_BUSY,
            OpsError::ConnectionLost { .. } => crate::exit::CONNECT,
        }
    }
}

/// Server-side terminations: admin shutdown, crash shutdown, cannot connect now.
fn is_shutdown(error: &tokio_postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|c| c.code().starts_with("57P") || c.code().starts_with("08"))
}
