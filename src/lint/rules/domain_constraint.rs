//! A constraint on a domain is checked against every column of that domain.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `domain-constraint`.
pub struct DomainConstraint;

impl Rule for DomainConstraint {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "domain-constraint",
            severity: Severity::Warning,
            summary: "a CHECK constraint on a domain",
            why: "adding one scans every column of the domain in every table under lock, and changing it later is as costly; a domain constraint also cannot be added NOT VALID and validated separately everywhere",
            fix: "put the CHECK on the table's column (NOT VALID, then VALIDATE)",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        let constrained = match &statement.node {
            Some(NodeEnum::CreateDomainStmt(s)) => !s.constraints.is_empty()
                && s.constraints.iter().any(
                    |c| matches!(&c.node, Some(NodeEnum::Constraint(k)) if k.raw_expr.is_some()),
                ),
            Some(NodeEnum::AlterDomainStmt(s)) => s.subtype == "C",
            _ => false,
        };
        if constrained {
            vec![Hit {
                message: "a CHECK on a domain is checked in every table that uses it".to_string(),
                at: 0,
            }]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_domain_checks() {
        check(
            &super::DomainConstraint,
            &[
                "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');",
                "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');",
            ],
            &[
                "CREATE DOMAIN email AS text;",
                "CREATE DOMAIN n AS int NOT NULL;",
            ],
        );
    }
}
