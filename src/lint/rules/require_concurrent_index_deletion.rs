//! DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `require-concurrent-index-deletion`.
pub struct RequireConcurrentIndexDeletion;

impl Rule for RequireConcurrentIndexDeletion {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "require-concurrent-index-deletion",
            severity: Severity::Warning,
            summary: "DROP INDEX without CONCURRENTLY",
            why: "a plain DROP INDEX locks the index's table ACCESS EXCLUSIVE, and waits behind every running query on it while blocking all that come after",
            fix: "DROP INDEX CONCURRENTLY IF EXISTS in a `-- vsecure:no-transaction` migration",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        match &statement.node {
            Some(NodeEnum::DropStmt(s))
                if s.remove_type == ObjectType::ObjectIndex as i32 && !s.concurrent =>
            {
                vec![Hit {
                    message: "DROP INDEX locks its table against all access".to_string(),
                    at: 0,
                }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_plain_drop_index() {
        check(
            &super::RequireConcurrentIndexDeletion,
            &["DROP INDEX users_email;"],
            &["-- vsecure:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS users_email;"],
        );
    }
}
