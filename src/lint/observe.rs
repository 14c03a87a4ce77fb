//! `lint --observe`: the migrations applied to a shadow database statement by
//! statement, with what each statement did to the tables that existed before it: the
//! locks its backend took (from pg_locks), whether it scanned a table while holding
//! them (pg_stat_xact_user_tables), whether it rewrote one (its relfilenode changed),
//! and how long it ran. What no static rule can see: the server says what it did.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::Serialize;
use tokio_postgres::Client;

use crate::catalog::ShadowError;
use crate::catalog::shadow;
use crate::db::{self, SessionOptions};
use crate::dsn::ConnInfo;
use crate::ops::tx;
use crate::sqlparse;

/// A migration to apply: its file (as shown), its SQL, and whether it runs outside a
/// transaction.
#[derive(Debug, Clone)]
pub struct MigrationText {
    /// The file, as shown in reports.
    pub file: String,
    /// Its SQL.
    pub sql: String,
    /// `-- vsecure:no-transaction`.
    pub no_transaction: bool,
}

/// A lock a statement took on a table that existed before it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TableLock {
    /// `schema.table`.
    pub table: String,
    /// The lock mode, as PostgreSQL names it (`AccessExclusiveLock`).
    pub mode: String,
    /// Held while the statement scanned or rewrote the table: for as long as the table
    /// is large, not a moment.
    pub long: bool,
}

/// What one statement did.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// The file.
    pub file: String,
    /// 1-based line of the statement.
    pub line: usize,
    /// The statement's first line.
    pub statement: String,
    /// Strong locks (SHARE and stronger) on tables that existed before the migration.
    pub locks: Vec<TableLock>,
    /// Tables rewritten (a new relfilenode).
    pub rewritten: Vec<String>,
    /// How long the statement ran on the shadow database.
    pub duration_ms: u128,
    /// Locks are known only inside a transaction: a no-transaction migration's
    /// statements release theirs before they can be read.
    pub locks_observed: bool,
}

/// The lock modes that block writes (SHARE) or everything (ACCESS EXCLUSIVE), and those
/// between.
const STRONG: &[&str] = &[
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

/// Applies `earlier` to a fresh shadow database (created through `admin` on `server`),
/// then `observed` statement by statement, recording what each did; the shadow database
/// is dropped on every path.
pub async fn observe(
    admin: &Client,
    server: &ConnInfo,
    opts: &SessionOptions,
    earlier: &[MigrationText],
    observed: &[MigrationText],
) -> Result<Vec<Observation>, ShadowError> {
    shadow::with_shadow(admin, async |name| {
        let session = db::connect(&server.with("dbname", &name), opts).await?;
        let client = &session.client;
        for migration in earlier {
            run(client, &wrap(migration)).await?;
        }
        let mut found = Vec::new();
        for migration in observed {
            found.extend(observe_one(client, migration).await?);
        }
        Ok(found)
    })
    .await
}

fn wrap(migration: &MigrationText) -> String {
    if migration.no_transaction {
        migration.sql.clone()
    } else {
        format!("BEGIN;\n{}\n;\nCOMMIT;", migration.sql)
    }
}

async fn run(
    client: &Client,
    sql: &str,
) -> Result<Vec<tokio_postgres::SimpleQueryMessage>, ShadowError> {
    client
        .simple_query(sql)
        .await
        .map_err(|e| ShadowError::Work(db::describe_error(&e)))
}

/// The user tables (and materialized views) by oid: name and relfilenode.
async fn tables(client: &Client) -> Result<BTreeMap<String, (String, String)>, ShadowError> {
    let rows = run(
        client,
        "SELECT c.oid::text, n.nspname || '.' || c.relname, c.relfilenode::text
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
    )
    .await?;
    Ok(tx::rows(&rows)
        .into_iter()
        .filter_map(|r| {
            let mut r = r.into_iter();
            Some((r.next()??, (r.next()??, r.next()??)))
        })
        .collect())
}

/// The relation locks this backend holds (oid, mode), and its scans per table so far.
async fn locks_and_scans(
    client: &Client,
) -> Result<(BTreeSet<(String, String)>, BTreeMap<String, i64>), ShadowError> {
    let rows = run(
        client,
        "SELECT 'lock', l.relation::oid::text, l.mode FROM pg_catalog.pg_locks l
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted;
         SELECT 'scan', relid::text, (seq_scan + coalesce(idx_scan, 0))::text
         FROM pg_catalog.pg_stat_xact_user_tables",
    )
    .await?;
    let mut locks = BTreeSet::new();
    let mut scans = BTreeMap::new();
    for row in tx::rows(&rows) {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        match field(0).as_str() {
            "lock" => {
                locks.insert((field(1), field(2)));
            }
            _ => {
                scans.insert(field(1), field(2).parse().unwrap_or(0));
            }
        }
    }
    Ok((locks, scans))
}

async fn observe_one(
    client: &Client,
    migration: &MigrationText,
) -> Result<Vec<Observation>, ShadowError> {
    let statements = sqlparse::statements(&migration.sql)
        .map_err(|e| ShadowError::Work(format!("{}: {e}", migration.file)))?;
    let existing = tables(client).await?;
    let mut relfilenodes: BTreeMap<String, String> = existing
        .iter()
        .map(|(oid, (_, node))| (oid.clone(), node.clone()))
        .collect();
    let transactional = !migration.no_transaction;
    if transactional {
        run(client, "BEGIN").await?;
    }
    let (mut held, mut scans) = if transactional {
        locks_and_scans(client).await?
    } else {
        Default::default()
    };
    let mut found = Vec::new();
    for statement in &statements {
        let started = Instant::now();
        run(client, statement.text).await.map_err(|e| {
            ShadowError::Work(format!("{}:{}: {e}", migration.file, statement.line))
        })?;
        let duration_ms = started.elapsed().as_millis();
        let now = tables(client).await?;
        let rewritten: Vec<String> = relfilenodes
            .iter()
            .filter_map(|(oid, before)| {
                let (name, after) = now.get(oid)?;
                (after != before).then(|| name.clone())
            })
            .collect();
        for (oid, (_, node)) in &now {
            if existing.contains_key(oid) {
                relfilenodes.insert(oid.clone(), node.clone());
            }
        }
        let mut locks = Vec::new();
        if transactional {
            let (now_held, now_scans) = locks_and_scans(client).await?;
            // A lock taken by this statement, or one the transaction holds already while
            // this statement scans or rewrites its table (the migration's first ALTER
            // may take the SHARE lock a later CREATE INDEX then holds while it builds).
            for (oid, mode) in &now_held {
                let Some((name, _)) = existing.get(oid) else {
                    continue;
                };
                if !STRONG.contains(&mode.as_str()) {
                    continue;
                }
                let scanned =
                    now_scans.get(oid).copied().unwrap_or(0) > scans.get(oid).copied().unwrap_or(0);
                let long = scanned || rewritten.contains(name);
                if long || !held.contains(&(oid.clone(), mode.clone())) {
                    locks.push(TableLock {
                        table: name.clone(),
                        mode: mode.clone(),
                        long,
                    });
                }
            }
            locks.sort();
            held = now_held;
            scans = now_scans;
        }
        found.push(Observation {
            file: migration.file.clone(),
            line: statement.line,
            statement: statement.summary(),
            locks,
            rewritten,
            duration_ms,
            locks_observed: transactional,
        });
    }
    if transactional {
        run(client, "COMMIT").await?;
    }
    Ok(found)
}
