//! The check every pending migration passes before anything runs: PostgreSQL's parser
//! reads it, and what cannot run the way vsecure would run it is refused with the file,
//! the line and the reason.

use crate::sqlparse::{self, rules};

use super::error::MigrateError;
use super::set::MigrationFile;

/// Refuses the first of `files` that the parser rejects, that holds a statement
/// PostgreSQL will not run inside a transaction while the migration runs in one, or
/// that starts or ends a transaction itself.
pub fn check(files: &[&MigrationFile]) -> Result<(), MigrateError> {
    for file in files {
        let refused = |line: Option<usize>, reason: String| MigrateError::Refused {
            label: file.label(),
            line,
            reason,
        };
        let statements = sqlparse::statements(file.sql())
            .map_err(|e| refused(e.line, e.to_string_without_line()))?;
        if file.no_transaction {
            continue;
        }
        for statement in &statements {
            let Some(node) = &statement.node else {
                continue;
            };
            if let Some(what) = rules::outside_transaction_only(node) {
                return Err(refused(
                    Some(statement.line),
                    format!(
                        "{what} cannot run inside a transaction, and this migration runs in one: move it to a migration of its own whose first line is `{}`",
                        super::NO_TRANSACTION_DIRECTIVE
                    ),
                ));
            }
            if let Some(what) = rules::transaction_control(node) {
                return Err(refused(
                    Some(statement.line),
                    format!(
                        "{what} would end the transaction vsecure runs this migration in and commit part of it; remove it (each migration is its own transaction)"
                    ),
                ));
            }
        }
    }
    Ok(())
}
