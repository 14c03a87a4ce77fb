//! A NOT NULL column without a default cannot be added to a table with rows.

use pg_query::NodeEnum;
use pg_query::protobuf::ConstrType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `adding-required-column`.
pub struct AddingRequiredColumn;

impl Rule for AddingRequiredColumn {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "adding-required-column",
            severity: Severity::Error,
            summary: "a NOT NULL column without a default added to an existing table",
            why: "every existing row would hold NULL in it, so the ALTER fails on any table with rows (in production, not in the empty test database)",
            fix: "add it with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable, backfill in batches, then add a CHECK (col IS NOT NULL) NOT VALID, VALIDATE it and SET NOT NULL",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        tree::columns_added(cmds)
            .filter(|c| {
                let has = |t: ConstrType| {
                    c.constraints.iter().any(|n| matches!(&n.node, Some(NodeEnum::Constraint(k)) if k.contype == t as i32))
                };
                (c.is_not_null || has(ConstrType::ConstrNotnull))
                    && c.raw_default.is_none()
                    && !has(ConstrType::ConstrDefault)
                    && !has(ConstrType::ConstrIdentity)
                    && !has(ConstrType::ConstrGenerated)
            })
            .map(|c| Hit {
                message: format!("{table}.{} is NOT NULL without a default", c.colname),
                at: tree::at(c.location, statement.offset),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_required_columns_without_default() {
        check(
            &super::AddingRequiredColumn,
            &["ALTER TABLE users ADD COLUMN locale text NOT NULL;"],
            &[
                "ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en';",
                "ALTER TABLE users ADD COLUMN locale text;",
                "ALTER TABLE users ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY;",
                "CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN x int NOT NULL;",
            ],
        );
    }
}
