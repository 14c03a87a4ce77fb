//! An integer or smallint primary key, which runs out at 2.1 billion.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `prefer-bigint-keys`.
pub struct PreferBigintKeys;

impl Rule for PreferBigintKeys {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-bigint-keys",
            severity: Severity::Warning,
            summary: "an integer or smallint primary key",
            why: "a 32-bit key runs out at 2.1 billion rows or sequence values, and widening it later rewrites the table and every table referencing it",
            fix: "use bigint (bigint GENERATED ALWAYS AS IDENTITY) or uuid keys",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        tree::columns_of_type(statement, |name, _, role| match (name, role) {
            ("int4" | "int2" | "serial" | "serial4" | "smallserial" | "serial2", "key") => {
                Some(format!("a {name} primary key"))
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn integer_keys() {
        check(
            &super::PreferBigintKeys,
            &[
                "CREATE TABLE t (id int PRIMARY KEY);",
                "CREATE TABLE t (id integer, PRIMARY KEY (id));",
            ],
            &[
                "CREATE TABLE t (id bigint PRIMARY KEY, n int);",
                "CREATE TABLE t (id uuid PRIMARY KEY);",
            ],
        );
    }
}
