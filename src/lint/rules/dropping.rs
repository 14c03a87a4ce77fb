//! Dropping a column, table, schema or database loses data and breaks the running
//! release.

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ObjectType};

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `dropping-data`.
pub struct Dropping;

impl Rule for Dropping {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "dropping-data",
            severity: Severity::Warning,
            summary: "a column, table, schema or database dropped",
            why: "the data is gone for good (a migration cannot be undone by another), and the instances still running the previous release fail on the missing object",
            fix: "stop using the object in a release first, keep a backup (or a Neon branch) of the data, then drop it in a later migration",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        let hit = |what: String| Hit {
            message: format!("dropping {what} loses its data"),
            at: 0,
        };
        match &statement.node {
            Some(NodeEnum::DropStmt(s)) => match ObjectType::try_from(s.remove_type) {
                Ok(ObjectType::ObjectTable) => vec![hit("a table".to_string())],
                Ok(ObjectType::ObjectSchema) => vec![hit("a schema".to_string())],
                _ => Vec::new(),
            },
            Some(NodeEnum::DropdbStmt(s)) => vec![hit(format!("database {}", s.dbname))],
            Some(NodeEnum::AlterTableStmt(s)) => tree::alter_commands(&s.cmds)
                .filter(|(kind, _)| *kind == AlterTableType::AtDropColumn)
                .map(|(_, cmd)| hit(format!("column {}.{}", tree::table(&s.relation), cmd.name)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_drops_of_data() {
        check(
            &super::Dropping,
            &[
                "ALTER TABLE users DROP COLUMN legacy;",
                "DROP TABLE IF EXISTS old_events;",
                "DROP SCHEMA staging CASCADE;",
            ],
            &[
                "DROP INDEX CONCURRENTLY IF EXISTS i;",
                "DROP FUNCTION f();",
                "DROP VIEW v;",
            ],
        );
    }
}
