//! BEGIN or COMMIT inside a migration ends vsecure's transaction early.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::{Statement, rules};

/// `transaction-control`.
pub struct TransactionControl;

impl Rule for TransactionControl {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "transaction-control",
            severity: Severity::Error,
            summary: "BEGIN, COMMIT or ROLLBACK inside a migration",
            why: "vsecure runs each migration in its own transaction with its history row; a COMMIT inside it commits part of the migration, so a later failure leaves it half applied and unrecorded (migrate refuses it before anything runs)",
            fix: "remove it: each migration is already one transaction",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        if cx.no_transaction {
            return Vec::new();
        }
        statement
            .node
            .as_ref()
            .and_then(rules::transaction_control)
            .map(|what| Hit {
                message: format!("{what} ends the migration's transaction"),
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
    fn fires_on_transaction_statements() {
        check(
            &super::TransactionControl,
            &["BEGIN; CREATE TABLE t (a int); COMMIT;"],
            &[
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;",
                "SAVEPOINT s;",
            ],
        );
    }
}
