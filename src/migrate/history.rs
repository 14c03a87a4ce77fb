//! refinery's history table, read and validated before anything trusts it: refinery
//! itself panics on a hand-edited row (a checksum that is not a number, a date that is
//! not RFC 3339); vsecure reports what is wrong instead.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio_postgres::Client;

use super::set::MigrationFile;

/// refinery's history table.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// refinery's DDL for its history table (kept identical, so refinery accepts ours).
pub const CREATE_HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS refinery_schema_history(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));";

/// The row refinery inserts for an applied migration.
const INSERT_HISTORY_ROW: &str = "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES ($1, $2, $3, $4)";

/// One valid history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRow {
    /// Migration version.
    pub version: i32,
    /// Migration name.
    pub name: String,
    /// When it was applied, as refinery wrote it (RFC 3339).
    pub applied_on: String,
    /// refinery's checksum.
    pub checksum: u64,
}

/// What is wrong with a history table.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the migration history table {HISTORY_TABLE} is corrupt: {}", problems.join("; "))]
pub struct CorruptHistory {
    /// One entry per bad row.
    pub problems: Vec<String>,
}

/// Reads the history; a database without the table has applied nothing.
pub async fn read(
    client: &Client,
) -> Result<Result<Vec<AppliedRow>, CorruptHistory>, tokio_postgres::Error> {
    // One round trip: query_typed sends an unnamed statement (safe through a pooler),
    // and a database without the table answers "undefined table": nothing applied.
    let rows = match client
        .query_typed(
            "SELECT version::int8, name::text, applied_on::text, checksum::text \
             FROM refinery_schema_history ORDER BY version",
            &[],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {
            return Ok(Ok(Vec::new()));
        }
        Err(e) => return Err(e),
    };
    let raw = rows
        .iter()
        .map(|r| RawRow {
            version: r.get(0),
            name: r.get(1),
            applied_on: r.get(2),
            checksum: r.get(3),
        })
        .collect::<Vec<_>>();
    Ok(validate(raw))
}

/// A history row as stored, before validation.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// version column.
    pub version: Option<i64>,
    /// name column.
    pub name: Option<String>,
    /// applied_on column.
    pub applied_on: Option<String>,
    /// checksum column.
    pub checksum: Option<String>,
}

/// Checks every row the way refinery would parse it.
pub fn validate(rows: Vec<RawRow>) -> Result<Vec<AppliedRow>, CorruptHistory> {
    let mut problems = Vec::new();
    let mut valid = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        let at = match row.version {
            Some(v) => format!("version {v}"),
            None => "a row without a version".to_string(),
        };
        let version = row.version.and_then(|v| i32::try_from(v).ok());
        let Some(version) = version else {
            problems.push(format!("{at}: version missing or out of range"));
            continue;
        };
        if !seen.insert(version) {
            problems.push(format!("{at}: recorded twice"));
            continue;
        }
        let Some(name) = row.name.filter(|n| !n.is_empty()) else {
            problems.push(format!("{at}: name is empty"));
            continue;
        };
        let applied_on = row.applied_on.unwrap_or_default();
        if OffsetDateTime::parse(&applied_on, &Rfc3339).is_err() {
            problems.push(format!(
                "{at}: applied_on {applied_on:?} is not an RFC 3339 time"
            ));
            continue;
        }
        let checksum_text = row.checksum.unwrap_or_default();
        let Ok(checksum) = checksum_text.parse::<u64>() else {
            problems.push(format!("{at}: checksum {checksum_text:?} is not a number"));
            continue;
        };
        valid.push(AppliedRow {
            version,
            name,
            applied_on,
            checksum,
        });
    }
    if problems.is_empty() {
        Ok(valid)
    } else {
        Err(CorruptHistory { problems })
    }
}

/// The current time as refinery writes applied_on.
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// Writes a migration's history row exactly as refinery does: the one place both
/// migrate and baseline record a migration.
pub async fn record(client: &Client, file: &MigrationFile) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            INSERT_HISTORY_ROW,
            &[
                &file.version(),
                &file.name(),
                &now_rfc3339(),
                &file.checksum().to_string(),
            ],
        )
        .await
        .map(|_| ())
}

/// The history row of `file` as one SQL statement with literal values, for the batch
/// that carries a migration and its row in one message.
pub fn insert_sql(file: &MigrationFile, applied_on: &str) -> String {
    format!(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES ({}, {}, {}, {})",
        file.version(),
        crate::sql::literal(file.name()),
        crate::sql::literal(applied_on),
        crate::sql::literal(&file.checksum().to_string())
    )
}
