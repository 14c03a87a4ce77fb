//! Compares a migration set with the history: applied, pending, divergent (checksum
//! changed) and missing (applied but no longer in the set). refinery's async API
//! exposes none of this, so vsecure computes it from the rows and the checksums.

use refinery::Migration;
use serde::Serialize;

use super::history::AppliedRow;
use super::set::{MigrationFile, MigrationSet};

/// A migration that was applied and still matches.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// Version.
    pub version: i32,
    /// Name.
    pub name: String,
    /// When it was applied.
    pub applied_on: String,
    /// refinery's checksum, as recorded.
    pub checksum: String,
}

/// A migration of the set not yet applied.
#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    /// Version.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Whether it runs outside a transaction.
    pub no_transaction: bool,
    /// Its version is below the newest applied one: refinery refuses to apply it.
    pub out_of_order: bool,
}

/// An applied migration whose file changed since.
#[derive(Debug, Clone, Serialize)]
pub struct Divergent {
    /// Version.
    pub version: i32,
    /// Name in the set.
    pub name: String,
    /// Name recorded in the history.
    pub applied_name: String,
    /// Checksum recorded in the history.
    pub applied_checksum: String,
    /// Checksum of the file now.
    pub expected_checksum: String,
    /// The change is only in line endings or trailing white space.
    pub whitespace_only: bool,
}

/// An applied migration that is no longer in the set.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// Version.
    pub version: i32,
    /// Name recorded in the history.
    pub name: String,
    /// When it was applied.
    pub applied_on: String,
}

/// The status of a database against a migration set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Applied and unchanged.
    pub applied: Vec<Applied>,
    /// Not yet applied.
    pub pending: Vec<Pending>,
    /// Applied, but the file changed.
    pub divergent: Vec<Divergent>,
    /// Applied, but no longer in the set.
    pub missing: Vec<Missing>,
}

impl Status {
    /// Nothing pending, divergent or missing.
    pub fn is_clean(&self) -> bool {
        self.pending.is_empty() && self.divergent.is_empty() && self.missing.is_empty()
    }

    /// Divergent, missing or out-of-order migrations: migrate must not run.
    pub fn blocking_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for d in &self.divergent {
            let how = if d.whitespace_only {
                "changed in white space or line endings only".to_string()
            } else if d.applied_name != d.name {
                format!("it was applied as V{}__{}", d.version, d.applied_name)
            } else {
                "changed after it was applied".to_string()
            };
            problems.push(format!("V{}__{} is divergent: {how}", d.version, d.name));
        }
        for m in &self.missing {
            problems.push(format!(
                "V{}__{} is missing: applied but not in this binary",
                m.version, m.name
            ));
        }
        for p in self.pending.iter().filter(|p| p.out_of_order) {
            problems.push(format!(
                "V{}__{} is older than the newest applied migration: give it a higher version",
                p.version, p.name
            ));
        }
        problems
    }
}

/// Compares the set with the (validated) history rows.
pub fn status(set: &MigrationSet, history: &[AppliedRow]) -> Status {
    let mut status = Status::default();
    let newest_applied = history.iter().map(|r| r.version).max();
    for row in history {
        match set.get(row.version) {
            Some(file) if file.checksum() == row.checksum && file.name() == row.name => {
                status.applied.push(Applied {
                    version: row.version,
                    name: row.name.clone(),
                    applied_on: row.applied_on.clone(),
                    checksum: row.checksum.to_string(),
                });
            }
            Some(file) => status.divergent.push(Divergent {
                version: row.version,
                name: file.name().to_string(),
                applied_name: row.name.clone(),
                applied_checksum: row.checksum.to_string(),
                expected_checksum: file.checksum().to_string(),
                whitespace_only: file.name() == row.name
                    && whitespace_variants_match(file, row.checksum),
            }),
            None => status.missing.push(Missing {
                version: row.version,
                name: row.name.clone(),
                applied_on: row.applied_on.clone(),
            }),
        }
    }
    for file in set.files() {
        if !history.iter().any(|r| r.version == file.version()) {
            status.pending.push(Pending {
                version: file.version(),
                name: file.name().to_string(),
                no_transaction: file.no_transaction,
                out_of_order: newest_applied.is_some_and(|v| file.version() < v),
            });
        }
    }
    status
}

/// Whether the recorded checksum is that of the file with other line endings or
/// trailing white space: the usual result of a CRLF checkout or an editor's clean-up.
fn whitespace_variants_match(file: &MigrationFile, recorded: u64) -> bool {
    let sql = file.sql();
    let trimmed_lines: String = sql
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    let variants = [
        sql.replace('\n', "\r\n"),
        trimmed_lines.clone(),
        format!("{trimmed_lines}\n"),
        sql.trim_end().to_string(),
        format!("{sql}\n"),
    ];
    variants
        .iter()
        .any(|v| Migration::unapplied(&file.label(), v).is_ok_and(|m| m.checksum() == recorded))
}
