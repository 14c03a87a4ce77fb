//! Applies pending migrations: under the migration lock, each in its own transaction
//! (or statement by statement outside one, for `-- vsecure:no-transaction`), recorded
//! in refinery's history exactly as refinery records them.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::error::MigrateError;
use super::history::{self, CREATE_HISTORY_TABLE};
use super::plan::{self, Pending};
use super::set::{MigrationFile, MigrationSet};
use super::{lock, split};

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
        return Ok(MigrateReport {
            applied: Vec::new(),
            would_apply,
            dry_run: true,
            target: opts.target,
            pending_beyond_target: beyond.len(),
        });
    }
    lock::holding(client, opts.lock_wait, async || {
        migrate_locked(client, set, opts, &in_target, progress).await
    })
    .await
}

async fn migrate_locked(
    client: &Client,
    set: &MigrationSet,
    opts: &MigrateOptions,
    in_target: &dyn Fn(i32) -> bool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<MigrateReport, MigrateError> {
    let status = read_status(client, set).await?;
    client
        .batch_execute(CREATE_HISTORY_TABLE)
        .await
        .map_err(|e| MigrateError::database("could not create the history table", &e))?;
    let mut applied = Vec::new();
    for pending in status.pending.iter().filter(|p| in_target(p.version)) {
        let Some(file) = set.get(pending.version) else {
            continue;
        };
        progress(Progress::Starting(file));
        let started = Instant::now();
        if file.no_transaction {
            apply_outside_transaction(client, file).await?;
        } else {
            apply_in_transaction(client, file).await?;
        }
        let done = AppliedNow {
            version: file.version(),
            name: file.name().to_string(),
            duration_ms: started.elapsed().as_millis(),
            no_transaction: file.no_transaction,
        };
        progress(Progress::Applied(&done));
        applied.push(done);
    }
    Ok(MigrateReport {
        applied,
        would_apply: Vec::new(),
        dry_run: false,
        target: opts.target,
        pending_beyond_target: status
            .pending
            .iter()
            .filter(|p| !in_target(p.version))
            .count(),
    })
}

/// Reads and validates the history and computes the status; refuses to go on when
/// anything is divergent, missing or out of order.
pub async fn read_status(
    client: &Client,
    set: &MigrationSet,
) -> Result<plan::Status, MigrateError> {
    let rows = history::read(client)
        .await
        .map_err(|e| MigrateError::database("could not read the migration history", &e))??;
    let status = plan::status(set, &rows);
    let problems = status.blocking_problems();
    if problems.is_empty() {
        Ok(status)
    } else {
        Err(MigrateError::Blocked(problems))
    }
}

async fn apply_in_transaction(client: &Client, file: &MigrationFile) -> Result<(), MigrateError> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| MigrateError::database("could not begin a transaction", &e))?;
    let outcome = async {
        run_statements(
            client,
            file,
            "the migration was rolled back and nothing of it remains",
        )
        .await?;
        record(client, file).await
    }
    .await;
    match outcome {
        Ok(()) => client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| MigrateError::database("could not commit the migration", &e)),
        Err(mut e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            name_lock_timeout(client, &mut e).await;
            Err(e)
        }
    }
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
    for (index, statement) in split::statements(file.sql()).iter().enumerate() {
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
