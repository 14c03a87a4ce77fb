//! Adopts a database built by hand before vsecure: records migrations up to a version
//! as applied without running them, after checking that the tables they create exist.

use std::time::Duration;

use serde::Serialize;
use tokio_postgres::Client;

use super::apply::read_status;
use super::error::MigrateError;
use super::history::{self, CREATE_HISTORY_TABLE};
use super::lock;
use super::set::{MigrationFile, MigrationSet};
use crate::sqlparse::{self, rules};

/// What `baseline` should do.
#[derive(Debug, Clone)]
pub struct BaselineOptions {
    /// Record migrations up to and including this version.
    pub version: i32,
    /// Record without checking that the tables exist.
    pub force: bool,
    /// How long to wait for another run's lock.
    pub lock_wait: Duration,
}

/// A migration by version and name, as `status` lists them.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationId {
    /// Version.
    pub version: i32,
    /// Name after `V{n}__`.
    pub name: String,
}

impl MigrationId {
    fn of(file: &MigrationFile) -> MigrationId {
        MigrationId {
            version: file.version(),
            name: file.name().to_string(),
        }
    }
}

impl std::fmt::Display for MigrationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "V{}__{}", self.version, self.name)
    }
}

/// The outcome of a baseline.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineReport {
    /// The migrations recorded now.
    pub recorded: Vec<MigrationId>,
    /// Those already recorded before.
    pub already_applied: Vec<MigrationId>,
    /// Tables checked for existence (empty under --force).
    pub checked_tables: usize,
}

/// Records migrations up to `opts.version` as applied.
pub async fn baseline(
    client: &Client,
    set: &MigrationSet,
    opts: &BaselineOptions,
) -> Result<BaselineReport, MigrateError> {
    if set.get(opts.version).is_none() {
        return Err(MigrateError::UnknownVersion(opts.version));
    }
    lock::holding(
        client,
        opts.lock_wait,
        async || (),
        async |()| (baseline_locked(client, set, opts).await, lock::Released::No),
    )
    .await
}

async fn baseline_locked(
    client: &Client,
    set: &MigrationSet,
    opts: &BaselineOptions,
) -> Result<BaselineReport, MigrateError> {
    let status = read_status(client, set).await?;
    let covered: Vec<&MigrationFile> = set
        .files()
        .iter()
        .filter(|f| f.version() <= opts.version)
        .collect();
    let to_record: Vec<&MigrationFile> = covered
        .iter()
        .copied()
        .filter(|f| status.pending.iter().any(|p| p.version == f.version()))
        .collect();
    let mut checked_tables = 0;
    if !opts.force {
        let mut absent = Vec::new();
        for file in &to_record {
            let tables = created_tables(file.sql());
            checked_tables += tables.len();
            let missing: Vec<String> = client
                .query(
                    "SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NULL",
                    &[&tables],
                )
                .await
                .map_err(|e| MigrateError::database("could not check the tables", &e))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if !missing.is_empty() {
                absent.push(format!("{}: {}", file.label(), missing.join(", ")));
            }
        }
        if !absent.is_empty() {
            return Err(MigrateError::BaselineAbsent(absent));
        }
    }
    client
        .batch_execute(&format!("BEGIN; {CREATE_HISTORY_TABLE}"))
        .await
        .map_err(|e| MigrateError::database("could not create the history table", &e))?;
    for file in &to_record {
        if let Err(e) = history::record(client, file).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(MigrateError::database("could not record the baseline", &e));
        }
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| MigrateError::database("could not commit the baseline", &e))?;
    Ok(BaselineReport {
        recorded: to_record.iter().map(|f| MigrationId::of(f)).collect(),
        already_applied: covered
            .iter()
            .filter(|f| !to_record.iter().any(|r| r.version() == f.version()))
            .map(|f| MigrationId::of(f))
            .collect(),
        checked_tables,
    })
}

/// The names of the tables a migration creates and keeps, as PostgreSQL's parser reads
/// its statements (none for a migration the parser rejects).
pub fn created_tables(sql: &str) -> Vec<String> {
    sqlparse::statements(sql)
        .unwrap_or_default()
        .iter()
        .filter_map(|statement| rules::created_table(statement.node.as_ref()?))
        .map(|(_, name)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::created_tables;

    #[test]
    fn finds_created_tables() {
        let sql = "CREATE TABLE IF NOT EXISTS users (id int);\n\
                   create unlogged table public.\"Events\"(x int);\n\
                   CREATE TABLE usage_analytics_default PARTITION OF usage_analytics DEFAULT;\n\
                   CREATE TEMP TABLE scratch (id int);\n\
                   CREATE INDEX x ON users (id);";
        assert_eq!(
            created_tables(sql),
            vec!["users", "Events", "usage_analytics_default"]
        );
    }
}
