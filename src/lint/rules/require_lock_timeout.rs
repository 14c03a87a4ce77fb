//! A statement that locks an existing table, with no lock_timeout set before it.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `require-lock-timeout`.
pub struct RequireLockTimeout;

impl Rule for RequireLockTimeout {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "require-lock-timeout",
            severity: Severity::Warning,
            summary: "a statement that locks an existing table, with no lock_timeout set in the migration before it",
            why: "a statement waiting for its lock behind one long query makes every later query on the table queue behind it: the table is down for as long as the wait; vsecure's session lock_timeout (--lock-timeout, 10s) bounds it, a shorter one in the migration bounds it better",
            fix: "start the migration with SET LOCAL lock_timeout = '2s'; (and retry the migration if it gives up)",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        if cx.lock_timeout_set {
            return Vec::new();
        }
        let table = match &statement.node {
            Some(NodeEnum::AlterTableStmt(s)) => tree::table(&s.relation),
            Some(NodeEnum::IndexStmt(s)) if !s.concurrent => tree::table(&s.relation),
            Some(NodeEnum::RenameStmt(s)) => tree::table(&s.relation),
            _ => return Vec::new(),
        };
        if table.is_empty() || !cx.existing(&table) {
            return Vec::new();
        }
        vec![Hit {
            message: format!("{table} is locked with no lock_timeout set in this migration"),
            at: 0,
        }]
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_without_a_lock_timeout_before() {
        check(
            &super::RequireLockTimeout,
            &["ALTER TABLE users ADD COLUMN x int;"],
            &[
                "SET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN x int;",
                "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;",
            ],
        );
    }
}
