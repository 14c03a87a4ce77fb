//! SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated
//! CHECK already proves it.

use pg_query::protobuf::AlterTableType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `setting-not-null`.
pub struct SettingNotNull;

impl Rule for SettingNotNull {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "setting-not-null",
            severity: Severity::Warning,
            summary: "SET NOT NULL on a column of an existing table",
            why: "PostgreSQL scans every row to prove the column has no NULL while holding an ACCESS EXCLUSIVE lock, unless a validated CHECK (col IS NOT NULL) constraint already proves it",
            fix: "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (lets writes through); then SET NOT NULL (no scan) and drop the CHECK",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        tree::alter_commands(cmds)
            .filter(|(kind, _)| *kind == AlterTableType::AtSetNotNull)
            .map(|(_, cmd)| Hit {
                message: format!("SET NOT NULL on {table}.{} scans {table} under an exclusive lock unless a validated CHECK proves it", cmd.name),
                at: 0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_set_not_null() {
        check(
            &super::SettingNotNull,
            &["ALTER TABLE users ALTER COLUMN email SET NOT NULL;"],
            &[
                "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
                "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            ],
        );
    }
}
