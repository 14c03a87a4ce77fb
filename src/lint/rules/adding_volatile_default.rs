//! A new column whose default is volatile rewrites the whole table under an ACCESS
//! EXCLUSIVE lock.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// Functions whose value differs per row (PostgreSQL marks them volatile).
const VOLATILE: &[&str] = &[
    "clock_timestamp",
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "nextval",
    "timeofday",
    "txid_current",
    "statement_timestamp",
    "setseed",
    "gen_random_bytes",
];

/// `adding-volatile-default`.
pub struct AddingVolatileDefault;

impl Rule for AddingVolatileDefault {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "adding-volatile-default",
            severity: Severity::Error,
            summary: "a column added to an existing table with a volatile default",
            why: "PostgreSQL stores a constant default without touching the rows, but a volatile one (clock_timestamp(), random(), gen_random_uuid(), nextval()) must be computed for every row: the table is rewritten under an ACCESS EXCLUSIVE lock that blocks reads and writes until it is done",
            fix: "add the column without a default (or with a constant one), set the default with ALTER COLUMN ... SET DEFAULT, and backfill existing rows in batches",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for column in tree::columns_added(cmds) {
            let defaults = column.raw_default.iter().map(|d| d.as_ref()).chain(
                column.constraints.iter().filter_map(|c| match &c.node {
                    Some(NodeEnum::Constraint(c)) => c.raw_expr.as_deref(),
                    _ => None,
                }),
            );
            for default in defaults {
                if let Some(f) = tree::functions_called(default)
                    .into_iter()
                    .find(|f| VOLATILE.contains(&f.as_str()))
                {
                    hits.push(Hit {
                        message: format!(
                            "adding {}.{} with the volatile default {f}() rewrites {table}",
                            table, column.colname
                        ),
                        at: tree::at(column.location, statement.offset),
                    });
                }
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_volatile_defaults_of_existing_tables_only() {
        check(
            &super::AddingVolatileDefault,
            &[
                "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();",
                "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
            ],
            &[
                "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now();",
                "ALTER TABLE users ADD COLUMN n int DEFAULT 0;",
                "CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN r float8 DEFAULT random();",
            ],
        );
    }
}
