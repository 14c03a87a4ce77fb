//! Renaming a column or a table breaks every running version of the application that
//! still uses the old name.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `renaming-column-or-table`.
pub struct Renaming;

impl Rule for Renaming {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "renaming-column-or-table",
            severity: Severity::Warning,
            summary: "a column or table renamed",
            why: "the instances still running the previous release query the old name and fail from the moment the migration commits",
            fix: "add the new name (a new column kept in sync, or a view for a table), move the application over, and drop the old name in a later release",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some(NodeEnum::RenameStmt(s)) = &statement.node else {
            return Vec::new();
        };
        let table = tree::table(&s.relation);
        if !cx.existing(&table) {
            return Vec::new();
        }
        let what = match ObjectType::try_from(s.rename_type) {
            Ok(ObjectType::ObjectColumn) => format!("column {table}.{}", s.subname),
            Ok(ObjectType::ObjectTable) => format!("table {table}"),
            _ => return Vec::new(),
        };
        vec![Hit {
            message: format!(
                "renaming {what} to {} breaks the running release",
                s.newname
            ),
            at: 0,
        }]
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_renames() {
        check(
            &super::Renaming,
            &[
                "ALTER TABLE users RENAME COLUMN name TO full_name;",
                "ALTER TABLE users RENAME TO accounts;",
            ],
            &["ALTER TABLE users RENAME CONSTRAINT a TO b;"],
        );
    }
}
