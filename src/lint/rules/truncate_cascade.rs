//! TRUNCATE ... CASCADE empties every table that references the one named.

use pg_query::NodeEnum;
use pg_query::protobuf::DropBehavior;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `truncate-cascade`.
pub struct TruncateCascade;

impl Rule for TruncateCascade {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "truncate-cascade",
            severity: Severity::Error,
            summary: "TRUNCATE ... CASCADE",
            why: "CASCADE empties every table with a foreign key to the tables named, and theirs in turn: data you did not name is gone",
            fix: "name every table to empty explicitly, without CASCADE",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        match &statement.node {
            Some(NodeEnum::TruncateStmt(s)) if s.behavior == DropBehavior::DropCascade as i32 => {
                vec![Hit {
                    message: "TRUNCATE CASCADE empties the tables that reference these too"
                        .to_string(),
                    at: 0,
                }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_cascade() {
        check(
            &super::TruncateCascade,
            &["TRUNCATE users CASCADE;"],
            &["TRUNCATE scratch;"],
        );
    }
}
