//! Shadow databases: the migrations applied to a temporary database, introspected, and
//! dropped again on every path (an interrupt or termination signal included), so the
//! expected schema comes from the SQL itself. Leftovers of runs killed outright are
//! swept by the next run.

use tokio_postgres::Client;

use super::introspect::{IntrospectError, introspect};
use super::model::SchemaModel;
use crate::db::{self, ConnectError, SessionOptions};
use crate::dsn::ConnInfo;
use crate::migrate::{self, MigrateError, MigrateOptions, MigrationSet};
use crate::ops::tx;
use crate::signals::{self, Terminating};

/// Prefix of every shadow database's name, so a leftover one is easy to recognise.
pub const SHADOW_PREFIX: &str = "vsecure_shadow_";

/// Why a shadow database could not provide the expected schema.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    /// CREATE DATABASE failed, usually for want of CREATEDB.
    #[error(
        "could not create a shadow database ({0}); the role needs CREATEDB, or use --shadow-url or --snapshot"
    )]
    Create(String),
    /// The shadow database could not be reached.
    #[error("shadow database: {0}")]
    Connect(#[from] ConnectError),
    /// A migration failed on the shadow database.
    #[error("shadow database: {0}")]
    Migrate(#[from] MigrateError),
    /// The migrated shadow database could not be read.
    #[error("shadow database: {0}")]
    Introspect(#[from] IntrospectError),
    /// The work on the shadow database failed (a statement, a catalog read).
    #[error("shadow database: {0}")]
    Work(String),
    /// A signal stopped the run; the shadow database was dropped.
    #[error("interrupted by {0}; the shadow database was dropped")]
    Interrupted(&'static str),
}

/// How old a leftover shadow database must be before a later run drops it: far longer
/// than any run takes, so a concurrent run's database is never touched.
const STALE_AFTER_SECS: u64 = 3600;

/// The smallest plausible creation date (2001): older names put a process id there.
const DATED_SINCE: u64 = 1_000_000_000;

/// Creates a temporary database through `admin` (connected as `server`), applies `set`,
/// introspects `schemas`, and drops the database whatever happened.
pub async fn expected_schema(
    admin: &Client,
    server: &ConnInfo,
    opts: &SessionOptions,
    set: &MigrationSet,
    schemas: &[String],
) -> Result<SchemaModel, ShadowError> {
    with_shadow(admin, async |name| {
        migrate_and_read(server, opts, set, schemas, &name).await
    })
    .await
}

/// Creates a temporary database through `admin`, runs `work` with its name, and drops
/// it whatever happened: success, failure, or an interrupt or termination signal.
pub async fn with_shadow<T>(
    admin: &Client,
    work: impl AsyncFnOnce(String) -> Result<T, ShadowError>,
) -> Result<T, ShadowError> {
    sweep_leftovers(admin).await;
    let mut signals = Terminating::catch();
    let name = shadow_name(now_secs());
    admin
        .simple_query(&format!("CREATE DATABASE {}", crate::sql::ident(&name)))
        .await
        .map_err(|e| ShadowError::Create(db::describe_error(&e)))?;
    let result = tokio::select! {
        result = work(name.clone()) => result,
        signal = signals::received(signals.as_mut()) => Err(ShadowError::Interrupted(signal)),
    };
    let _ = admin
        .simple_query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            crate::sql::ident(&name)
        ))
        .await;
    result
}

async fn migrate_and_read(
    server: &ConnInfo,
    opts: &SessionOptions,
    set: &MigrationSet,
    schemas: &[String],
    name: &str,
) -> Result<SchemaModel, ShadowError> {
    let session = db::connect(&server.with("dbname", name), opts).await?;
    let options = MigrateOptions {
        dry_run: false,
        target: None,
        lock_wait: std::time::Duration::from_secs(60),
    };
    migrate::migrate(&session.client, set, &options, &mut |_| {}).await?;
    Ok(introspect(&session, schemas, super::Optional::ALL).await?)
}

/// Drops the shadow databases of runs that were killed before they could clean up:
/// named by this tool, older than [`STALE_AFTER_SECS`] and with nobody connected. Best
/// effort: a database another role owns, or one somebody connects to meanwhile, stays.
async fn sweep_leftovers(admin: &Client) {
    let listed = admin
        .simple_query(&format!(
            "SELECT d.datname FROM pg_catalog.pg_database d
             WHERE d.datname LIKE {}
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid)",
            crate::sql::literal(&format!("{}%", SHADOW_PREFIX.replace('_', "\\_")))
        ))
        .await;
    let Ok(messages) = listed else { return };
    let now = now_secs();
    for name in tx::rows(&messages)
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .filter(|name| is_stale(name, now))
    {
        let _ = admin
            .simple_query(&format!(
                "DROP DATABASE IF EXISTS {}",
                crate::sql::ident(&name)
            ))
            .await;
    }
}

/// Whether a database name is one of ours, created over [`STALE_AFTER_SECS`] ago.
fn is_stale(name: &str, now: u64) -> bool {
    name.strip_prefix(SHADOW_PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|created| created.parse::<u64>().ok())
        .filter(|created| *created >= DATED_SINCE)
        .is_some_and(|created| now.saturating_sub(created) > STALE_AFTER_SECS)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `vsecure_shadow_<unix seconds>_<pid>_<nanoseconds>`: unique per run, dated so a later
/// run can tell a leftover from a concurrent run's, and under the 63-byte limit.
fn shadow_name(now: u64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{SHADOW_PREFIX}{now}_{}_{nanos:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_dated_databases_older_than_an_hour_are_stale() {
        let now = 1_800_000_000;
        assert!(is_stale(&shadow_name(now - 7200), now));
        assert!(!is_stale(&shadow_name(now - 60), now));
        // Names from before the date was part of them start with a process id.
        assert!(!is_stale("vsecure_shadow_4242_1a2b", now));
        assert!(!is_stale("vsecure_shadow_", now));
        assert!(!is_stale("vsecure_shadow_x_1_2", now));
        assert!(!is_stale("production", now));
        assert!(shadow_name(now).len() <= 63);
    }
}
