//! Analytics retention by partition: monthly partitions wholly older than the cutoff
//! are dropped (instant, no bloat); rows are deleted, in batches, only in partitions
//! that straddle the cutoff and in the default partition.

use std::time::Instant;

use tokio_postgres::Client;

use super::cleanup::{CleanupOptions, Job, JobReport, Walk, walk_all};
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
    let messages = tx::run(client, opts.timeouts, &sql).await?;
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
    format!(
        "\"timestamp\" < {}::timestamptz",
        crate::sql::literal(cutoff)
    )
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
            crate::sql::ident(&p.name)
        ));
        if p.droppable {
            report.partitions_dropped.push(p.name.clone());
        }
    }
    if parts.is_empty() {
        return Ok(0);
    }
    let sql = format!("SELECT {}", parts.join(" + "));
    let messages = tx::run(client, opts.timeouts, &sql).await?;
    Ok(tx::first_value(&messages)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Drops what is wholly older (in one short transaction) and deletes older rows,
/// range by range, in the partitions that straddle the cutoff and the default one.
pub async fn remove(
    client: &Client,
    opts: &CleanupOptions,
    report: &mut JobReport,
) -> Result<(), tokio_postgres::Error> {
    let key = Job::Analytics.lock_key();
    let (cutoff, partitions) = plan(client, opts).await?;
    let droppable: Vec<&Partition> = partitions.iter().filter(|p| p.droppable).collect();
    if !droppable.is_empty() {
        let started = Instant::now();
        if !tx::begin_locked(client, opts.timeouts, key).await? {
            report.yield_to_other_run();
            return Ok(());
        }
        let names: Vec<String> = droppable
            .iter()
            .map(|p| crate::sql::ident(&p.name))
            .collect();
        let regclasses: Vec<String> = droppable
            .iter()
            .map(|p| {
                format!(
                    "{}::regclass",
                    crate::sql::literal(&crate::sql::ident(&p.name))
                )
            })
            .collect();
        // Exact counts would read every dropped row; the statistics say as much for an
        // analyzed partition, and a never-analyzed one is counted.
        let estimates = tx::rows(
            &client
                .simple_query(&format!(
                    "SELECT relname::text, reltuples::bigint FROM pg_class WHERE oid IN ({})",
                    regclasses.join(", ")
                ))
                .await?,
        );
        let mut terms = Vec::new();
        for p in &droppable {
            let estimate = estimates
                .iter()
                .find(|r| r.first().cloned().flatten().as_deref() == Some(p.name.as_str()))
                .and_then(|r| r.get(1).cloned().flatten())
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(-1);
            if estimate >= 0 {
                terms.push(estimate.to_string());
                report.rows_estimated = true;
            } else {
                terms.push(format!(
                    "(SELECT count(*) FROM ONLY {})",
                    crate::sql::ident(&p.name)
                ));
            }
        }
        let messages = tx::finish(
            client,
            &format!(
                "SELECT {}; DROP TABLE {}",
                terms.join(" + "),
                names.join(", ")
            ),
        )
        .await?;
        report.record_transaction(started);
        report.batches += 1;
        report.rows += tx::first_value(&messages)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        report.partitions_dropped = droppable.iter().map(|p| p.name.clone()).collect();
    }
    let mut walks = Vec::new();
    for p in partitions.iter().filter(|p| !p.droppable) {
        let name = crate::sql::ident(&p.name);
        let older = older_than(&cutoff);
        let walk = Walk {
            table: p.name.clone(),
            batch_sql: Box::new(move |first, count| {
                format!(
                    ", gone AS (DELETE FROM ONLY {name}
                         WHERE ctid >= tid_block({first}) AND ctid < tid_block({first} + {count})
                           AND {older} AND {got}
                         RETURNING 1)
                     SELECT {got}, count(*) FROM gone",
                    got = tx::GOT_LOCK
                )
            }),
        };
        walks.push(walk);
    }
    walk_all(client, Job::Analytics, opts, &walks, report).await?;
    Ok(())
}
