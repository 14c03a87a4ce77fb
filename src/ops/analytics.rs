//! Analytics retention by partition: monthly partitions wholly older than the cutoff
//! are dropped (instant, no bloat); rows are deleted, in batches, only in partitions
//! that straddle the cutoff and in the default partition.

use std::time::Instant;

use tokio_postgres::Client;

use super::cleanup::{CleanupOptions, Job, JobReport};
use super::tx;

/// A partition of usage_analytics and where it stands against the cutoff.
#[derive(Debug, Clone)]
struct Partition {
    name: String,
    /// Entirely older than the cutoff: drop it.
    droppable: bool,
}

/// The cutoff (as the server renders it) and the partitions, in one transaction.
async fn plan(
    client: &Client,
    opts: &CleanupOptions,
) -> Result<(String, Vec<Partition>), tokio_postgres::Error> {
    tx::begin(client, opts.timeouts).await?;
    let sql = format!(
        "WITH cutoff AS (SELECT date_trunc('month', now()) - make_interval(months => {months}) AS at),
              parts AS (
                SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'usage_analytics'::regclass)
         SELECT (SELECT at::text FROM cutoff), p.name,
                p.bound <> 'DEFAULT'
                  AND (regexp_match(p.bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz <= (SELECT at FROM cutoff)
         FROM parts p
         UNION ALL SELECT (SELECT at::text FROM cutoff), NULL, NULL
         ORDER BY 2",
        months = opts.keep_months
    );
    let messages = tx::finish(client, &sql).await?;
    let mut cutoff = String::new();
    let mut partitions = Vec::new();
    for row in tx::rows(&messages) {
        cutoff = row.first().cloned().flatten().unwrap_or_default();
        if let Some(name) = row.get(1).cloned().flatten() {
            partitions.push(Partition {
                name,
                droppable: row.get(2).cloned().flatten().as_deref() == Some("t"),
            });
        }
    }
    Ok((cutoff, partitions))
}

fn older_than(cutoff: &str) -> String {
    format!("\"timestamp\" < {}::timestamptz", tx::literal(cutoff))
}

/// Dry run: the rows in droppable partitions plus the older rows elsewhere.
pub async fn count(
    client: &Client,
    opts: &CleanupOptions,
    report: &mut JobReport,
) -> Result<u64, tokio_postgres::Error> {
    let (cutoff, partitions) = plan(client, opts).await?;
    let mut parts = Vec::new();
    for p in &partitions {
        let filter = if p.droppable {
            String::new()
        } else {
            format!(" WHERE {}", older_than(&cutoff))
        };
        parts.push(format!(
            "(SELECT count(*) FROM ONLY {}{filter})",
            tx::ident(&p.name)
        ));
        if p.droppable {
            report.partitions_dropped.push(p.name.clone());
        }
    }
    if parts.is_empty() {
        return Ok(0);
    }
    tx::begin(client, opts.timeouts).await?;
    let messages = tx::finish(client, &format!("SELECT {}", parts.join(" + "))).await?;
    Ok(tx::first_value(&messages)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Drops what is wholly older and deletes older rows in batches elsewhere.
pub async fn remove(
    client: &Client,
    opts: &CleanupOptions,
    report: &mut JobReport,
) -> Result<(), tokio_postgres::Error> {
    let key = Job::Analytics.lock_key();
    let started = Instant::now();
    if !tx::begin_locked(client, opts.timeouts, key).await? {
        report.skipped = true;
        return Ok(());
    }
    client.simple_query("COMMIT").await?;
    report.record_transaction(started);
    let (cutoff, partitions) = plan(client, opts).await?;
    for p in partitions.iter().filter(|p| p.droppable) {
        let started = Instant::now();
        if !tx::begin_locked(client, opts.timeouts, key).await? {
            return Ok(());
        }
        let name = tx::ident(&p.name);
        let messages = tx::finish(
            client,
            &format!("SELECT count(*) FROM ONLY {name}; DROP TABLE {name}"),
        )
        .await?;
        report.record_transaction(started);
        report.rows += tx::first_value(&messages)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        report.batches += 1;
        report.partitions_dropped.push(p.name.clone());
    }
    let batch = opts.batch_size;
    for p in partitions.iter().filter(|p| !p.droppable) {
        let name = tx::ident(&p.name);
        let sql = format!(
            "DELETE FROM ONLY {name} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ONLY {name} WHERE {} LIMIT {batch} FOR UPDATE SKIP LOCKED))",
            older_than(&cutoff)
        );
        loop {
            let started = Instant::now();
            if !tx::begin_locked(client, opts.timeouts, key).await? {
                return Ok(());
            }
            let deleted = tx::affected(&tx::finish(client, &sql).await?);
            report.record_transaction(started);
            if deleted > 0 {
                report.rows += deleted;
                report.batches += 1;
            }
            if deleted < u64::from(batch) {
                break;
            }
        }
    }
    Ok(())
}
