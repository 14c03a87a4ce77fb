//! In a no-transaction migration, a statement that fails when run a second time.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `non-idempotent-without-transaction`.
pub struct NonIdempotentWithoutTransaction;

impl Rule for NonIdempotentWithoutTransaction {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "non-idempotent-without-transaction",
            severity: Severity::Warning,
            summary: "a statement that fails when run again, in a `-- vsecure:no-transaction` migration",
            why: "a no-transaction migration that fails keeps the statements before the failure and is not recorded, so the next migrate runs it again from the top: a statement that fails the second time blocks it",
            fix: "write CREATE ... IF NOT EXISTS and DROP ... IF EXISTS (a failed CREATE INDEX CONCURRENTLY leaves an invalid index: drop it first)",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        if !cx.no_transaction {
            return Vec::new();
        }
        let repeatable = match &statement.node {
            Some(NodeEnum::IndexStmt(s)) => s.if_not_exists,
            Some(NodeEnum::CreateStmt(s)) => s.if_not_exists,
            Some(NodeEnum::DropStmt(s)) => s.missing_ok,
            Some(NodeEnum::CreateExtensionStmt(s)) => s.if_not_exists,
            Some(NodeEnum::CreateSchemaStmt(s)) => s.if_not_exists,
            _ => true,
        };
        if repeatable {
            Vec::new()
        } else {
            vec![Hit {
                message: "this statement fails if the migration is run again after a failure"
                    .to_string(),
                at: 0,
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_without_if_not_exists_outside_a_transaction() {
        check(
            &super::NonIdempotentWithoutTransaction,
            &["-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);"],
            &[
                "-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);",
                "CREATE INDEX i ON t (a);",
            ],
        );
    }
}
