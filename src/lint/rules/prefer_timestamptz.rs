//! A timestamp without time zone column, which stores no instant.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `prefer-timestamptz`.
pub struct PreferTimestamptz;

impl Rule for PreferTimestamptz {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-timestamptz",
            severity: Severity::Warning,
            summary: "a timestamp without time zone column",
            why: "timestamp stores a wall-clock reading without its zone: the same instant reads differently from sessions with other TimeZone settings, and comparisons with now() depend on the session",
            fix: "use timestamptz (timestamp with time zone), which stores an instant",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        tree::columns_of_type(statement, |name, _, _| {
            (name == "timestamp").then(|| "timestamp without time zone".to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn timestamp_without_zone() {
        check(
            &super::PreferTimestamptz,
            &[
                "CREATE TABLE t (at timestamp);",
                "ALTER TABLE t ADD COLUMN at timestamp without time zone;",
            ],
            &["CREATE TABLE t (at timestamptz, b timestamp with time zone);"],
        );
    }
}
