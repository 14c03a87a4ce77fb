//! A serial column, whose sequence lives apart from the table.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `prefer-identity`.
pub struct PreferIdentity;

impl Rule for PreferIdentity {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-identity",
            severity: Severity::Warning,
            summary: "a serial column",
            why: "serial creates a separate sequence with its own owner and grants that drift from the table's; identity columns are the SQL-standard form and keep the sequence part of the column",
            fix: "bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT)",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        tree::columns_of_type(statement, |name, _, _| {
            matches!(
                name,
                "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
            )
            .then(|| format!("{name} (a sequence of its own)"))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn serial() {
        check(
            &super::PreferIdentity,
            &["CREATE TABLE t (id bigserial PRIMARY KEY);"],
            &["CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"],
        );
    }
}
