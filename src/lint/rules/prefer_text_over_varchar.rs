//! A varchar(n) or char(n) column: a length limit that costs an ALTER TYPE to relax.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `prefer-text-over-varchar`.
pub struct PreferText;

impl Rule for PreferText {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-text-over-varchar",
            severity: Severity::Warning,
            summary: "a varchar(n) or char(n) column",
            why: "the length limit is a constraint that cannot be relaxed without an ALTER TYPE (a rewrite for some changes); char(n) pads with spaces; text performs the same",
            fix: "use text, with a CHECK (char_length(col) <= n) constraint when a limit is a real rule (it can be changed NOT VALID)",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        tree::columns_of_type(statement, |name, sized, _| match name {
            "varchar" if sized => Some("varchar(n)".to_string()),
            "bpchar" => Some("char(n)".to_string()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn varchar_and_char() {
        check(
            &super::PreferText,
            &[
                "CREATE TABLE t (a varchar(20));",
                "ALTER TABLE t ADD COLUMN c char(2);",
            ],
            &["CREATE TABLE t (a text, b varchar);"],
        );
    }
}
