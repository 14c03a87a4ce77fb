//! v-secure: a GRANT to PUBLIC gives every role, present and future, the privilege.

use pg_query::NodeEnum;
use pg_query::protobuf::RoleSpecType;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `grant-to-public`.
pub struct GrantToPublic;

impl Rule for GrantToPublic {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "grant-to-public",
            severity: Severity::Error,
            summary: "a GRANT to PUBLIC",
            why: "PUBLIC is every role, including ones created later: on a database that holds secrets, a privilege granted to it is granted to everyone who can connect",
            fix: "grant to the application's own role",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        let Some(NodeEnum::GrantStmt(s)) = &statement.node else {
            return Vec::new();
        };
        let to_public = s.grantees.iter().any(|g| {
            matches!(&g.node, Some(NodeEnum::RoleSpec(r)) if r.roletype == RoleSpecType::RolespecPublic as i32)
        });
        if s.is_grant && to_public {
            vec![Hit {
                message: "granted to every role (PUBLIC)".to_string(),
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
    fn fires_on_grants_to_public() {
        check(
            &super::GrantToPublic,
            &["GRANT SELECT ON secrets TO PUBLIC;"],
            &[
                "GRANT SELECT ON secrets TO app;",
                "REVOKE ALL ON secrets FROM PUBLIC;",
            ],
        );
    }
}
