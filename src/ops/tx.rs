//! Short transactions that work through a transaction-mode pooler: the simple query
//! protocol only (no named prepared statements), `SET LOCAL` timeouts, and a
//! transaction-scoped advisory lock per job.

use std::time::Duration;

use tokio_postgres::{Client, SimpleQueryMessage};

/// Timeouts applied with SET LOCAL in every transaction.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// statement_timeout.
    pub statement: Duration,
    /// lock_timeout.
    pub lock: Duration,
}

/// Starts a transaction with the timeouts and tries the job's lock. Returns false (and
/// has rolled back) when another run holds it.
pub async fn begin_locked(
    client: &Client,
    timeouts: Timeouts,
    lock_key: i64,
) -> Result<bool, tokio_postgres::Error> {
    let sql = format!(
        "{} SELECT pg_try_advisory_xact_lock({lock_key})",
        begin_with(timeouts)
    );
    let messages = client.simple_query(&sql).await?;
    let got = first_value(&messages).as_deref() == Some("t");
    if !got {
        client.simple_query("ROLLBACK").await?;
    }
    Ok(got)
}

/// Runs `sql` in a transaction of its own with the timeouts, in one round trip (BEGIN,
/// SET LOCAL, the statements, COMMIT as one simple query); rolls back when it fails.
pub async fn run(
    client: &Client,
    timeouts: Timeouts,
    sql: &str,
) -> Result<Vec<SimpleQueryMessage>, tokio_postgres::Error> {
    finish(client, &format!("{} {sql}", begin_with(timeouts))).await
}

/// BEGIN and the SET LOCAL timeouts every transaction here starts with.
fn begin_with(timeouts: Timeouts) -> String {
    format!(
        "BEGIN; SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {};",
        timeouts.statement.as_millis(),
        timeouts.lock.as_millis()
    )
}

/// The start of a statement that tries a job's lock for its transaction: a `job_lock`
/// CTE whose flag [`GOT_LOCK`] reads. The rest of the statement must act only when it is
/// true, so that taking the lock and working under it cost one round trip.
pub fn with_job_lock(lock_key: i64) -> String {
    format!("WITH job_lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock({lock_key}) AS got)")
}

/// Whether the lock of [`with_job_lock`] was obtained, as an SQL expression.
pub const GOT_LOCK: &str = "(SELECT got FROM job_lock)";

/// Runs `sql` then COMMIT in one round trip; rolls back when it fails.
pub async fn finish(
    client: &Client,
    sql: &str,
) -> Result<Vec<SimpleQueryMessage>, tokio_postgres::Error> {
    match client.simple_query(&format!("{sql}; COMMIT")).await {
        Ok(messages) => Ok(messages),
        Err(e) => {
            let _ = client.simple_query("ROLLBACK").await;
            Err(e)
        }
    }
}

/// The first column of the first row, if any.
pub fn first_value(messages: &[SimpleQueryMessage]) -> Option<String> {
    rows(messages)
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next().flatten())
}

/// Every row as a vector of optional text values.
pub fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// The row count of the first command that reported one (DELETE n, INSERT 0 n).
pub fn affected(messages: &[SimpleQueryMessage]) -> u64 {
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) if *n > 0 => Some(*n),
            _ => None,
        })
        .unwrap_or(0)
}
