//! Applies pending migrations: under the migration lock, each in its own transaction
//! (or statement by statement outside one, for `-- vsecure:no-transaction`), recorded
//! in refinery's history exactly as refinery records them.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::error::MigrateError;
use super::history::{self, CREATE_HISTORY_TABLE};
use super::plan::{self, Pending};
use super::set::{MigrationFile, MigrationSet};
use super::{lock, readable};
use crate::sqlparse;

/// What `migrate` should do.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Only list what would run.
    pub dry_run: bool,
    /// Stop after this version.
    pub target: Option<i32>,
    /// How long to wait for another run's lock.
    pub lock_wait: Duration,
}

/// A migration applied by this run.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedNow {
    /// Version.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Wall time it took.
    pub duration_ms: u128,
    /// Whether it ran outside a transaction.
    pub no_transaction: bool,
}

/// The outcome of a migrate run.
#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    /// Applied by this run (empty for a dry run).
    pub applied: Vec<AppliedNow>,
    /// What a dry run would apply (empty otherwise).
    pub would_apply: Vec<Pending>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// The target version, if any.
    pub target: Option<i32>,
    /// Pending migrations past `--target`, left for a later run.
    pub pending_beyond_target: usize,
}

/// Progress events, for printing as the run goes.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A migration is about to run.
    Starting(&'a MigrationFile),
    /// A migration was applied and recorded.
    Applied(&'a AppliedNow),
}

/// Brings the database up to the set (or to `--target`).
pub async fn migrate(
    client: &Client,
    set: &MigrationSet,
    opts: &MigrateOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<MigrateReport, MigrateError> {
    if let Some(target) = opts.target
        && set.get(target).is_none()
    {
        return Err(MigrateError::UnknownVersion(target));
    }
    let in_target = |version: i32| opts.target.is_none_or(|t| version <= t);
    if opts.dry_run {
        let status = read_status(client, set).await?;
        let (would_apply, beyond): (Vec<_>, Vec<_>) = status
            .pending
            .into_iter()
            .partition(|p| in_target(p.version));
        let files: Vec<&MigrationFile> = would_apply
            .iter()
            .filter_map(|p| set.get(p.version))
            .collect();
        readable::check(&files)?;
        return Ok(MigrateReport {
            applied: Vec::new(),
            would_apply,
            dry_run: true,
            target: opts.target,
            pending_beyond_target: beyond.len(),
        });
    }
    lock::holding(
        client,
        opts.lock_wait,
        async || history::read(client).await,
        async |history| match status_of(set, history) {
            Ok(status) => migrate_locked(client, set, opts, &status, &in_target, progress).await,
            Err(e) => (Err(e), lock::Released::No),
        },
    )
    .await
}

/// The status from a history read, refusing to go on when anything is divergent,
/// missing or out of order.
fn status_of(set: &MigrationSet, history: HistoryRead) -> Result<plan::Status, MigrateError> {
    let rows = history
        .map_err(|e| MigrateError::database("could not read the migration history", &e))??;
    let status = plan::status(set, &rows);
    let problems = status.blocking_problems();
    if problems.is_empty() {
        Ok(status)
    } else {
        Err(MigrateError::Blocked(problems))
    }
}

/// What [`history::read`] answers.
type HistoryRead =
    Result<Result<Vec<history::AppliedRow>, history::CorruptHistory>, tokio_postgres::Error>;

/// Applies the pending migrations in target: runs of ordinary migrations as one batch
/// each (one round trip, each migration its own transaction, the last batch releasing
/// the lock), migrations outside a transaction statement by statement.
async fn migrate_locked(
    client: &Client,
    set: &MigrationSet,
    opts: &MigrateOptions,
    status: &plan::Status,
    in_target: &dyn Fn(i32) -> bool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> (Result<MigrateReport, MigrateError>, lock::Released) {
    let pending: Vec<&MigrationFile> = status
        .pending
        .iter()
        .filter(|p| in_target(p.version))
        .filter_map(|p| set.get(p.version))
        .collect();
    if let Err(e) = readable::check(&pending) {
        return (Err(e), lock::Released::No);
    }
    let mut applied = Vec::new();
    let mut history_exists = !status.applied.is_empty();
    let mut released = lock::Released::No;
    let mut at = 0;
    while at < pending.len() {
        let file = pending[at];
        let outcome = if file.no_transaction {
            at += 1;
            apply_alone(client, file, &mut history_exists, progress, &mut applied).await
        } else {
            let run: Vec<&MigrationFile> = pending[at..]
                .iter()
                .copied()
                .take_while(|f| !f.no_transaction)
                .collect();
            at += run.len();
            let last = at == pending.len();
            let created = !history_exists;
            history_exists = true;
            let outcome = apply_run(client, &run, created, last, progress, &mut applied).await;
            if outcome.is_ok() && last {
                released = lock::Released::Yes;
            }
            outcome
        };
        if let Err(e) = outcome {
            return (Err(e), released);
        }
    }
    let report = MigrateReport {
        applied,
        would_apply: Vec::new(),
        dry_run: false,
        target: opts.target,
        pending_beyond_target: status
            .pending
            .iter()
            .filter(|p| !in_target(p.version))
            .count(),
    };
    (Ok(report), released)
}

/// Reads and validates the history and computes the status; refuses to go on when
/// anything is divergent, missing or out of order.
pub async fn read_status(
    client: &Client,
    set: &MigrationSet,
) -> Result<plan::Status, MigrateError> {
    status_of(set, history::read(client).await)
}

/// A marker row each batch returns after each commit: the version and the server's
/// clock, so that each migration's time is known from the one answer.
fn mark(version: i32) -> String {
    format!(
        "SELECT 'vsecure-mark', {version}, (extract(epoch FROM clock_timestamp()) * 1000)::bigint;\n"
    )
}

/// A run of ordinary migrations: one batch; when the batch fails in a way the replay of
/// its first uncommitted migration does not reproduce (a syntax error later in the
/// message stops the server before it runs anything), the uncommitted ones one batch
/// each, so every migration before the failing one is applied and the failure named.
async fn apply_run(
    client: &Client,
    run: &[&MigrationFile],
    create_history: bool,
    last: bool,
    progress: &mut dyn FnMut(Progress<'_>),
    applied: &mut Vec<AppliedNow>,
) -> Result<(), MigrateError> {
    let remaining = match apply_batch(client, run, create_history, last, progress, applied).await {
        Ok(()) => return Ok(()),
        Err(BatchError::Failed(e)) => return Err(e),
        Err(BatchError::NotReproduced { remaining, cause }) if remaining.len() == 1 => {
            return Err(MigrateError::NotReproduced {
                label: remaining[0].label(),
                cause,
            });
        }
        Err(BatchError::NotReproduced { remaining, .. }) => remaining,
    };
    for (i, file) in remaining.iter().enumerate() {
        let last_one = last && i + 1 == remaining.len();
        match apply_batch(client, &[file], create_history, last_one, progress, applied).await {
            Ok(()) => {}
            Err(BatchError::Failed(e)) => return Err(e),
            Err(BatchError::NotReproduced { cause, .. }) => {
                return Err(MigrateError::NotReproduced {
                    label: file.label(),
                    cause,
                });
            }
        }
    }
    Ok(())
}

/// How a batch failed.
enum BatchError<'a> {
    /// The failure, named exactly.
    Failed(MigrateError),
    /// Replaying the first uncommitted migration did not fail: these were not committed,
    /// and the server's error was this.
    NotReproduced {
        remaining: Vec<&'a MigrationFile>,
        cause: String,
    },
}

/// Ordinary migrations in one message: for each, BEGIN, its SQL as written, its
/// history row, COMMIT and a marker; the lock released at the end when `last`. On a
/// failure the migrations committed before it stay, and the failing one is replayed
/// statement by statement in a transaction that is rolled back, to name the statement.
async fn apply_batch<'a>(
    client: &Client,
    run: &[&'a MigrationFile],
    create_history: bool,
    last: bool,
    progress: &mut dyn FnMut(Progress<'_>),
    applied: &mut Vec<AppliedNow>,
) -> Result<(), BatchError<'a>> {
    let applied_on = history::now_rfc3339();
    let mut sql = mark(0);
    for (i, file) in run.iter().enumerate() {
        progress(Progress::Starting(file));
        sql.push_str("BEGIN;\n");
        if create_history && i == 0 {
            sql.push_str(CREATE_HISTORY_TABLE);
            sql.push_str(";\n");
        }
        sql.push_str(&transaction_body(file, &applied_on));
        sql.push_str(&mark(file.version()));
    }
    if last {
        sql.push_str(&lock::unlock_sql());
    }
    match client.simple_query(&sql).await {
        Ok(messages) => {
            let marks = marks(&messages);
            for file in run {
                let took = marks
                    .iter()
                    .position(|(v, _)| *v == file.version())
                    .filter(|&i| i > 0)
                    .map_or(0, |i| (marks[i].1 - marks[i - 1].1).max(0) as u128);
                let done = AppliedNow {
                    version: file.version(),
                    name: file.name().to_string(),
                    duration_ms: took,
                    no_transaction: false,
                };
                progress(Progress::Applied(&done));
                applied.push(done);
            }
            Ok(())
        }
        Err(error) => Err(batch_failure(client, run, error, progress, applied).await),
    }
}

/// A migration's SQL as written, its history row and COMMIT: what follows BEGIN in the
/// batch. The line after the SQL ends a last statement written without its semicolon;
/// deferred constraints are checked before COMMIT, so a failure always leaves the
/// transaction to roll back.
fn transaction_body(file: &MigrationFile, applied_on: &str) -> String {
    format!(
        "{}\n;\nSET CONSTRAINTS ALL IMMEDIATE;\n{};\nCOMMIT;\n",
        file.sql(),
        history::insert_sql(file, applied_on)
    )
}

/// The SQL vsecure sends to apply a migration (a history table created first aside):
/// in its own transaction with its history row, or, for a no-transaction migration,
/// statement by statement and then its history row.
pub fn sql_as_run(file: &MigrationFile, applied_on: &str) -> String {
    if !file.no_transaction {
        return format!("BEGIN;\n{}", transaction_body(file, applied_on));
    }
    let mut sql = String::new();
    for statement in sqlparse::statements(file.sql()).unwrap_or_default() {
        sql.push_str(statement.text);
        sql.push_str(";\n");
    }
    sql.push_str(&history::insert_sql(file, applied_on));
    sql.push_str(";\n");
    sql
}

/// The (version, server milliseconds) of each marker row of a batch's answer.
fn marks(messages: &[SimpleQueryMessage]) -> Vec<(i32, i64)> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) if row.get(0) == Some("vsecure-mark") => {
                Some((row.get(1)?.parse().ok()?, row.get(2)?.parse().ok()?))
            }
            _ => None,
        })
        .collect()
}

/// After a batch failed: ends its aborted transaction, learns from the history which of
/// its migrations committed (they are listed as applied), and replays the first one that
/// did not, statement by statement in a transaction that is rolled back, so the error
/// names its file, statement and line exactly.
async fn batch_failure<'a>(
    client: &Client,
    run: &[&'a MigrationFile],
    error: tokio_postgres::Error,
    progress: &mut dyn FnMut(Progress<'_>),
    applied: &mut Vec<AppliedNow>,
) -> BatchError<'a> {
    let failed = BatchError::Failed;
    if error.is_closed() || error.as_db_error().is_none() {
        return failed(MigrateError::database(
            "the connection was lost during migrate",
            &error,
        ));
    }
    if let Err(e) = end_failed_transaction(client).await {
        return failed(MigrateError::database(
            "could not roll back the failed migration",
            &e,
        ));
    }
    let committed: Vec<i32> = match history::read(client).await {
        Ok(Ok(rows)) => rows.iter().map(|r| r.version).collect(),
        Ok(Err(corrupt)) => return failed(MigrateError::from(corrupt)),
        Err(e) => {
            return failed(MigrateError::database(
                "could not read the migration history",
                &e,
            ));
        }
    };
    for file in run.iter().filter(|f| committed.contains(&f.version())) {
        let done = AppliedNow {
            version: file.version(),
            name: file.name().to_string(),
            duration_ms: 0,
            no_transaction: false,
        };
        progress(Progress::Applied(&done));
        applied.push(done);
    }
    let remaining: Vec<&MigrationFile> = run
        .iter()
        .copied()
        .filter(|f| !committed.contains(&f.version()))
        .collect();
    let Some(first) = remaining.first() else {
        return failed(MigrateError::database(
            "the migration batch failed after its last commit",
            &error,
        ));
    };
    match replay(client, first).await {
        Ok(Some(e)) | Err(e) => failed(e),
        Ok(None) => BatchError::NotReproduced {
            remaining,
            cause: crate::db::describe_error(&error),
        },
    }
}

/// Rolls back the session's transaction when one is open and failed: a statement in an
/// aborted transaction is refused with 25P02, anywhere else it runs.
async fn end_failed_transaction(client: &Client) -> Result<(), tokio_postgres::Error> {
    match client.simple_query("SELECT 1").await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::IN_FAILED_SQL_TRANSACTION) => {
            client.batch_execute("ROLLBACK").await
        }
        Err(e) => Err(e),
    }
}

/// Replays one migration statement by statement inside a transaction that is rolled
/// back: the error its failing statement gives, or `None` when none fails.
async fn replay(
    client: &Client,
    file: &MigrationFile,
) -> Result<Option<MigrateError>, MigrateError> {
    client.batch_execute("BEGIN").await.map_err(|e| {
        MigrateError::database("could not begin the replay of the failed migration", &e)
    })?;
    let outcome = run_statements(
        client,
        file,
        "the migration was rolled back and nothing of it remains",
    )
    .await;
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| MigrateError::database("could not roll back the replay", &e))?;
    match outcome {
        Err(mut e) => {
            name_lock_timeout(client, &mut e).await;
            Ok(Some(e))
        }
        Ok(()) => Ok(None),
    }
}

/// A migration outside a transaction, statement by statement (CREATE INDEX
/// CONCURRENTLY and the like cannot share a message with other statements).
async fn apply_alone(
    client: &Client,
    file: &MigrationFile,
    history_exists: &mut bool,
    progress: &mut dyn FnMut(Progress<'_>),
    applied: &mut Vec<AppliedNow>,
) -> Result<(), MigrateError> {
    if !*history_exists {
        client
            .batch_execute(CREATE_HISTORY_TABLE)
            .await
            .map_err(|e| MigrateError::database("could not create the history table", &e))?;
        *history_exists = true;
    }
    progress(Progress::Starting(file));
    let started = Instant::now();
    apply_outside_transaction(client, file).await?;
    let done = AppliedNow {
        version: file.version(),
        name: file.name().to_string(),
        duration_ms: started.elapsed().as_millis(),
        no_transaction: true,
    };
    progress(Progress::Applied(&done));
    applied.push(done);
    Ok(())
}

async fn apply_outside_transaction(
    client: &Client,
    file: &MigrationFile,
) -> Result<(), MigrateError> {
    if let Err(mut e) = run_statements(
        client,
        file,
        "it runs outside a transaction, so the statements before it stay applied and it is not recorded; make its statements idempotent and run migrate again",
    )
    .await
    {
        name_lock_timeout(client, &mut e).await;
        return Err(e);
    }
    record(client, file).await
}

async fn run_statements(
    client: &Client,
    file: &MigrationFile,
    aftermath: &'static str,
) -> Result<(), MigrateError> {
    let statements = sqlparse::statements(file.sql()).map_err(|e| MigrateError::Refused {
        label: file.label(),
        line: e.line,
        reason: e.to_string_without_line(),
    })?;
    for (index, statement) in statements.iter().enumerate() {
        if let Err(error) = client.batch_execute(statement.text).await {
            if error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
                return Err(MigrateError::LockTimeout {
                    label: file.label(),
                    lock_timeout: String::new(),
                    statement: index + 1,
                    line: statement.line,
                    summary: statement.summary(),
                });
            }
            return Err(MigrateError::Failed {
                label: file.label(),
                statement: index + 1,
                line: statement.line,
                summary: statement.summary(),
                cause: crate::db::describe_error(&error),
                aftermath,
            });
        }
    }
    Ok(())
}

/// Fills in the session's lock_timeout on a lock timeout error, once no transaction is
/// open any more (an aborted one refuses SHOW).
async fn name_lock_timeout(client: &Client, error: &mut MigrateError) {
    if let MigrateError::LockTimeout { lock_timeout, .. } = error {
        *lock_timeout = match client.query_one("SHOW lock_timeout", &[]).await {
            Ok(row) => row.get(0),
            Err(_) => "unknown".to_string(),
        };
    }
}

async fn record(client: &Client, file: &MigrationFile) -> Result<(), MigrateError> {
    history::record(client, file)
        .await
        .map_err(|e| MigrateError::database("could not record the migration in the history", &e))
}
