//! CREATE INDEX without CONCURRENTLY blocks writes to the table while it builds.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `require-concurrent-index-creation`.
pub struct RequireConcurrentIndexCreation;

impl Rule for RequireConcurrentIndexCreation {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "require-concurrent-index-creation",
            severity: Severity::Error,
            summary: "CREATE INDEX on an existing table without CONCURRENTLY",
            why: "a plain CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on the table waits",
            fix: "CREATE INDEX CONCURRENTLY in a migration of its own whose first line is `-- vsecure:no-transaction` (vsecure migration new NAME --no-transaction), with IF NOT EXISTS",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        match &statement.node {
            Some(NodeEnum::IndexStmt(s))
                if !s.concurrent && cx.existing(&tree::table(&s.relation)) =>
            {
                vec![Hit {
                    message: format!(
                        "building {} blocks writes to {}",
                        if s.idxname.is_empty() {
                            "the index"
                        } else {
                            &s.idxname
                        },
                        tree::table(&s.relation)
                    ),
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
    fn fires_on_plain_create_index_of_existing_tables() {
        check(
            &super::RequireConcurrentIndexCreation,
            &["CREATE INDEX users_email ON users (email);"],
            &[
                "-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);",
                "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);",
            ],
        );
    }
}
