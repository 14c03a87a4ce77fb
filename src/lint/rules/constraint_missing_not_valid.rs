//! A foreign key or CHECK added to an existing table without NOT VALID scans it under
//! a lock that blocks writes.

use pg_query::protobuf::ConstrType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `constraint-missing-not-valid`.
pub struct ConstraintMissingNotValid;

impl Rule for ConstraintMissingNotValid {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "constraint-missing-not-valid",
            severity: Severity::Error,
            summary: "a foreign key or CHECK constraint added to an existing table without NOT VALID",
            why: "the constraint is checked against every row while the table (and, for a foreign key, the referenced one) is locked against writes",
            fix: "add it NOT VALID (instant), then ALTER TABLE ... VALIDATE CONSTRAINT in a later statement or migration: validation takes only a SHARE UPDATE EXCLUSIVE lock, which lets writes through",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some((table, cmds)) = tree::alter_of_existing(statement, cx) else {
            return Vec::new();
        };
        tree::constraints_added(cmds)
            .filter(|c| {
                (c.contype == ConstrType::ConstrForeign as i32
                    || c.contype == ConstrType::ConstrCheck as i32)
                    && !c.skip_validation
            })
            .map(|c| Hit {
                message: format!(
                    "constraint {} on {table} is validated while the table is locked",
                    if c.conname.is_empty() {
                        "(unnamed)"
                    } else {
                        &c.conname
                    }
                ),
                at: tree::at(c.location, statement.offset),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_without_not_valid() {
        check(
            &super::ConstraintMissingNotValid,
            &[
                "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
                "ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0);",
            ],
            &[
                "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
                "ALTER TABLE orders VALIDATE CONSTRAINT fk;",
                "CREATE TABLE o (a int); ALTER TABLE o ADD CONSTRAINT c CHECK (a > 0);",
            ],
        );
    }
}
