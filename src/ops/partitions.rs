//! Monthly partitions of usage_analytics: created ahead of time, idempotently, with the
//! rows the default partition already holds for a new month moved into it, and row
//! level security enabled on each (policies on the parent do not cover direct access).

use serde::Serialize;
use tokio_postgres::Client;

use super::error::OpsError;
use super::tx::{self, Timeouts};

/// The advisory lock key of partition maintenance.
pub const PARTITIONS_LOCK_KEY: i64 = 0x7673_6563_7572_6520;

const JOB: &str = "partitions ensure";

/// One month's partition.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionReport {
    /// Table name, `usage_analytics_YYYY_MM`.
    pub name: String,
    /// Lower bound (inclusive).
    pub from: String,
    /// Upper bound (exclusive).
    pub to: String,
    /// Created by this run, or to be created in a dry run (false: it existed).
    pub created: bool,
    /// Rows moved out of the default partition into it (to be moved, in a dry run).
    pub rows_moved: u64,
}

/// The outcome of `partitions ensure`.
#[derive(Debug, Clone, Serialize)]
pub struct EnsureReport {
    /// Each month from the current one to `months_ahead` ahead.
    pub partitions: Vec<PartitionReport>,
    /// Another run held the lock, so this one did nothing.
    pub skipped: bool,
    /// Nothing was changed: `created` and `rows_moved` say what a real run would do.
    pub dry_run: bool,
}

/// Ensures partitions exist from the current month to `months_ahead` months ahead; a
/// dry run reads in one round trip what a real run would create and move.
pub async fn ensure(
    client: &Client,
    months_ahead: u32,
    timeouts: Timeouts,
    dry_run: bool,
) -> Result<EnsureReport, OpsError> {
    let pg = |e: tokio_postgres::Error| OpsError::from_pg(JOB, &e);
    let rows_to_move = if dry_run {
        "CASE WHEN to_regclass('usage_analytics_' || to_char(m, 'YYYY_MM')) IS NULL THEN
             (SELECT count(*) FROM usage_analytics_default
              WHERE \"timestamp\" >= m AND \"timestamp\" < m + interval '1 month') END"
    } else {
        "NULL"
    };
    let months = tx::run(
        client,
        timeouts,
        &format!(
            "SELECT 'usage_analytics_' || to_char(m, 'YYYY_MM'), m::text, (m + interval '1 month')::text,
                    to_regclass('usage_analytics_' || to_char(m, 'YYYY_MM')) IS NOT NULL,
                    {rows_to_move}
             FROM generate_series(date_trunc('month', now()),
                                  date_trunc('month', now()) + make_interval(months => {months_ahead}),
                                  interval '1 month') AS m
             ORDER BY m"
        ),
    )
    .await
    .map_err(pg)?;
    let mut report = EnsureReport {
        partitions: Vec::new(),
        skipped: false,
        dry_run,
    };
    for row in tx::rows(&months) {
        let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let (name, from, to) = (text(0), text(1), text(2));
        let exists = text(3) == "t";
        let mut partition = PartitionReport {
            name,
            from,
            to,
            created: false,
            rows_moved: 0,
        };
        if !exists && dry_run {
            partition.created = true;
            partition.rows_moved = text(4).parse().unwrap_or(0);
        } else if !exists {
            if !tx::begin_locked(client, timeouts, PARTITIONS_LOCK_KEY)
                .await
                .map_err(pg)?
            {
                report.skipped = true;
                return Ok(report);
            }
            let messages = tx::finish(client, &create_sql(&partition))
                .await
                .map_err(pg)?;
            partition.rows_moved = tx::affected(&messages);
            partition.created = true;
        }
        report.partitions.push(partition);
    }
    Ok(report)
}

/// Creates the month as a plain table, moves the default partition's rows for that
/// month into it, attaches it, and enables row level security: one transaction.
fn create_sql(p: &PartitionReport) -> String {
    let name = crate::sql::ident(&p.name);
    let (from, to) = (crate::sql::literal(&p.from), crate::sql::literal(&p.to));
    format!(
        "CREATE TABLE {name} (LIKE usage_analytics INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
         WITH moved AS (
             DELETE FROM usage_analytics_default
             WHERE \"timestamp\" >= {from}::timestamptz AND \"timestamp\" < {to}::timestamptz
             RETURNING *)
         INSERT INTO {name} SELECT * FROM moved;
         ALTER TABLE usage_analytics ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to});
         ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
         CREATE POLICY tenant_isolation ON {name}
             USING (organization_id = app_current_org_id())
             WITH CHECK (organization_id = app_current_org_id())"
    )
}
