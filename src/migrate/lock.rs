//! The session advisory lock that makes one migrate (or baseline) run at a time.
//!
//! Taken with `pg_try_advisory_lock`, polled up to a deadline, never inside a
//! transaction (a lock taken in an aborted transaction could not be released by it),
//! and released on every path; if the connection dies, the server releases it.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::error::MigrateError;

/// The advisory lock key of schema changes: "vsecure" in ASCII, then 1.
pub const MIGRATION_LOCK_KEY: i64 = 0x7673_6563_7572_6501;

const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The statement that releases the migration lock, for a batch that ends with it.
pub fn unlock_sql() -> String {
    format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
}

/// Runs `work` holding the migration lock, and releases the lock unless `work` says it
/// already did (its last batch ended with [`unlock_sql`]): the one owner of the lock
/// for migrate and baseline. Each attempt to take the lock travels with `read`, whose
/// answer `work` receives: one round trip for the lock and what the work needs to know.
/// Not obtained within `wait`: [`MigrateError::LockBusy`].
pub async fn holding<R, T>(
    client: &Client,
    wait: Duration,
    read: impl AsyncFn() -> R,
    work: impl AsyncFnOnce(R) -> (Result<T, MigrateError>, Released),
) -> Result<T, MigrateError> {
    let deadline = Instant::now() + wait;
    let attempt = format!("SELECT pg_try_advisory_lock({MIGRATION_LOCK_KEY})");
    let read_ahead = loop {
        let (got, read_ahead) = tokio::join!(client.simple_query(&attempt), read());
        let got =
            got.map_err(|e| MigrateError::database("could not take the migration lock", &e))?;
        if crate::ops::tx::first_value(&got).as_deref() == Some("t") {
            break read_ahead;
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(MigrateError::LockBusy(wait));
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
    };
    let (result, released) = work(read_ahead).await;
    if released == Released::No {
        release(client, MIGRATION_LOCK_KEY).await;
    }
    result
}

/// Whether the work released the lock itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    /// Its last batch ended with [`unlock_sql`] and ran to the end.
    Yes,
    /// The lock is still held.
    No,
}

/// Releases the lock. Every path that opens a transaction ends it before this runs, so
/// no ROLLBACK is sent (on Neon an unneeded one is a warning in the operator's log).
async fn release(client: &Client, key: i64) {
    // Nothing more can be done if the connection is gone: the server then frees it.
    let _ = client
        .simple_query(&format!("SELECT pg_advisory_unlock({key})"))
        .await;
}
