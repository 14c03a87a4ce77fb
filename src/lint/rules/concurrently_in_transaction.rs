//! A statement that cannot run inside a transaction, in a migration that runs in one.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::{Statement, rules};

/// `concurrently-in-transaction`.
pub struct ConcurrentlyInTransaction;

impl Rule for ConcurrentlyInTransaction {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "concurrently-in-transaction",
            severity: Severity::Error,
            summary: "CREATE INDEX CONCURRENTLY, VACUUM and the like in a migration that runs in a transaction",
            why: "PostgreSQL refuses them inside a transaction block, so the migration fails (vsecure migrate refuses it before anything runs)",
            fix: "move the statement to a migration of its own whose first line is `-- vsecure:no-transaction`",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        if cx.no_transaction {
            return Vec::new();
        }
        statement
            .node
            .as_ref()
            .and_then(rules::outside_transaction_only)
            .map(|what| Hit {
                message: format!("{what} cannot run inside the migration's transaction"),
                at: 0,
            })
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_only_in_transactional_migrations() {
        check(
            &super::ConcurrentlyInTransaction,
            &["CREATE INDEX CONCURRENTLY i ON t (a);", "VACUUM t;"],
            &["-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"],
        );
    }
}
