//! A PRIMARY KEY or UNIQUE constraint added to an existing table builds its index under
//! an ACCESS EXCLUSIVE lock.

use pg_query::protobuf::ConstrType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `adding-key-without-index`.
pub struct AddingKeyWithoutIndex;

impl Rule for AddingKeyWithoutIndex {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "adding-key-without-index",
            severity: Severity::Error,
            summary: "a PRIMARY KEY or UNIQUE constraint added to an existing table without an existing index",
            why: "the constraint builds its index while holding an ACCESS EXCLUSIVE lock: no reads or writes until the whole table is indexed",
            fix: "CREATE UNIQUE INDEX CONCURRENTLY first (in a no-transaction migration), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX / UNIQUE USING INDEX",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        tree::constraints_added(cmds)
            .filter(|c| {
                (c.contype == ConstrType::ConstrPrimary as i32
                    || c.contype == ConstrType::ConstrUnique as i32)
                    && c.indexname.is_empty()
            })
            .map(|c| Hit {
                message: format!(
                    "the key on {table} builds its index under an ACCESS EXCLUSIVE lock"
                ),
                at: tree::at(c.location, statement.offset),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_without_using_index() {
        check(
            &super::AddingKeyWithoutIndex,
            &[
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
                "ALTER TABLE users ADD PRIMARY KEY (id);",
            ],
            &[
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
                "CREATE TABLE t (id int); ALTER TABLE t ADD PRIMARY KEY (id);",
            ],
        );
    }
}
