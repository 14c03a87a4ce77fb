//! `lint --live`: each finding weighed with the table it touches in the database —
//! estimated rows and size from the catalog, in one round trip. A lock or rewrite on a
//! table that is empty costs nothing, so such a finding drops to a warning.

use std::collections::BTreeMap;

use tokio_postgres::types::Type;

use super::{Finding, Severity};
use crate::db::Session;

/// The rules whose danger grows with the table: locks held while it is scanned or
/// rewritten, or a NOT NULL column that only an empty table accepts.
const SIZE_DEPENDENT: &[&str] = &[
    "adding-volatile-default",
    "adding-required-column",
    "constraint-missing-not-valid",
    "adding-key-without-index",
    "changing-column-type",
    "require-concurrent-index-creation",
    "setting-not-null",
];

/// A table in the database: estimated rows (None when never analyzed) and total bytes.
#[derive(Debug, Clone, Copy)]
struct Size {
    rows: Option<i64>,
    bytes: i64,
}

/// Adds each finding's table size to it, and drops a size-dependent error to a
/// warning when its table is empty.
pub async fn weigh(
    session: &Session,
    findings: &mut [Finding],
) -> Result<(), tokio_postgres::Error> {
    let mut names: Vec<String> = findings.iter().filter_map(|f| f.table.clone()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(());
    }
    let rows = session
        .read_with_timeouts(session.client.query_typed(
            "SELECT c.relname::text, n.nspname::text,
                    CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::int8 END,
                    pg_catalog.pg_total_relation_size(c.oid)
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'm') AND c.relname = ANY($1)
               AND pg_catalog.pg_table_is_visible(c.oid)",
            &[(&names, Type::TEXT_ARRAY)],
        ))
        .await?;
    let sizes: BTreeMap<String, (String, Size)> = rows
        .iter()
        .map(|r| {
            let name: String = r.get(0);
            let schema: String = r.get(1);
            (
                name.clone(),
                (
                    format!("{schema}.{name}"),
                    Size {
                        rows: r.get(2),
                        bytes: r.get(3),
                    },
                ),
            )
        })
        .collect();
    for finding in findings.iter_mut() {
        let Some((qualified, size)) = finding.table.as_ref().and_then(|t| sizes.get(t)) else {
            continue;
        };
        let empty = size.rows == Some(0) || (size.rows.is_none() && size.bytes <= EMPTY_BYTES);
        finding.weight = Some(format!(
            "{qualified}: {}, {}",
            rows_text(size.rows),
            bytes_text(size.bytes)
        ));
        if empty && finding.severity == Severity::Error && SIZE_DEPENDENT.contains(&finding.rule) {
            finding.severity = Severity::Warning;
            finding
                .message
                .push_str(" (the table is empty in this database)");
        }
    }
    Ok(())
}

/// The size of a table that has never held a row: its first pages and index roots.
const EMPTY_BYTES: i64 = 64 * 1024;

fn rows_text(rows: Option<i64>) -> String {
    match rows {
        None => "rows unknown (never analyzed)".to_string(),
        Some(n) if n >= 1_000_000 => format!("{:.1} M rows", n as f64 / 1e6),
        Some(n) if n >= 10_000 => format!("{:.0} k rows", n as f64 / 1e3),
        Some(n) => format!("{n} rows"),
    }
}

fn bytes_text(bytes: i64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= 1024.0 * MB {
        format!("{:.1} GB", bytes as f64 / (1024.0 * MB))
    } else if bytes as f64 >= MB {
        format!("{:.0} MB", bytes as f64 / MB)
    } else {
        format!("{} kB", bytes / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(rows_text(Some(2_100_000)), "2.1 M rows");
        assert_eq!(rows_text(Some(45_000)), "45 k rows");
        assert_eq!(rows_text(Some(12)), "12 rows");
        assert_eq!(bytes_text(480 * 1024 * 1024), "480 MB");
        assert_eq!(bytes_text(16 * 1024), "16 kB");
    }
}
