//! Changing a column's type usually rewrites the table and its indexes.

use pg_query::protobuf::AlterTableType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `changing-column-type`.
pub struct ChangingColumnType;

impl Rule for ChangingColumnType {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "changing-column-type",
            severity: Severity::Error,
            summary: "a column's type changed on an existing table",
            why: "most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE lock (only a few, such as widening a varchar, do not)",
            fix: "add a new column of the new type, backfill it in batches, switch the application over, then drop the old column",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        tree::alter_commands(cmds)
            .filter(|(kind, _)| *kind == AlterTableType::AtAlterColumnType)
            .map(|(_, cmd)| Hit {
                message: format!(
                    "changing the type of {table}.{} may rewrite {table}",
                    cmd.name
                ),
                at: 0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_type_changes() {
        check(
            &super::ChangingColumnType,
            &["ALTER TABLE users ALTER COLUMN age TYPE bigint;"],
            &[
                "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;",
                "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            ],
        );
    }
}
