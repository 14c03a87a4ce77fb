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

/// Runs `work` holding the migration lock (taken within `wait`, or [`MigrateError::LockBusy`])
/// and releases the lock whatever `work` returns: the one owner of the lock for migrate
/// and baseline.
pub async fn holding<T>(
    client: &Client,
    wait: Duration,
    work: impl AsyncFnOnce() -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let held = acquire(client, MIGRATION_LOCK_KEY, wait)
        .await
        .map_err(|e| MigrateError::database("could not take the migration lock", &e))?;
    if !held {
        return Err(MigrateError::LockBusy(wait));
    }
    let result = work().await;
    release(client, MIGRATION_LOCK_KEY).await;
    result
}

/// Tries to take the lock until `wait` has passed; true when it is held.
async fn acquire(client: &Client, key: i64, wait: Duration) -> Result<bool, tokio_postgres::Error> {
    let deadline = Instant::now() + wait;
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await?
            .get(0);
        if got {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
    }
}

/// Releases the lock. Every path that opens a transaction ends it before this runs, so
/// no ROLLBACK is sent (on Neon an unneeded one is a warning in the operator's log).
async fn release(client: &Client, key: i64) {
    // Nothing more can be done if the connection is gone: the server then frees it.
    let _ = client
        .query_one("SELECT pg_advisory_unlock($1)", &[&key])
        .await;
}
