//! v-secure: a policy whose condition is `true` lets every row through.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity};
use crate::sqlparse::Statement;

/// `policy-using-true`.
pub struct PolicyUsingTrue;

/// Whether an expression is the constant `true`.
fn is_true(expression: &Option<Box<pg_query::Node>>) -> bool {
    expression.as_deref().and_then(|e| e.node.as_ref()).is_some_and(|n| {
        matches!(n, NodeEnum::AConst(c) if matches!(&c.val, Some(pg_query::protobuf::a_const::Val::Boolval(b)) if b.boolval))
            || matches!(n, NodeEnum::TypeCast(t) if matches!(t.arg.as_deref().and_then(|a| a.node.as_ref()), Some(NodeEnum::AConst(c)) if matches!(&c.val, Some(pg_query::protobuf::a_const::Val::Sval(s)) if s.sval == "t" || s.sval == "true")))
    })
}

impl Rule for PolicyUsingTrue {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "policy-using-true",
            severity: Severity::Error,
            summary: "a row level security policy USING (true) or WITH CHECK (true)",
            why: "the policy admits every row for its roles: row level security is on, but isolates nothing",
            fix: "compare the row's tenant with the session's: USING (organization_id = app_current_org_id()); for an intentional bypass, grant a role BYPASSRLS instead",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        let Some(NodeEnum::CreatePolicyStmt(s)) = &statement.node else {
            return Vec::new();
        };
        if is_true(&s.qual) || is_true(&s.with_check) {
            vec![Hit {
                message: format!("policy {} admits every row", s.policy_name),
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
    fn fires_on_true_policies() {
        check(
            &super::PolicyUsingTrue,
            &[
                "CREATE POLICY p ON notes USING (true);",
                "CREATE POLICY p ON notes FOR INSERT WITH CHECK (true);",
            ],
            &["CREATE POLICY p ON notes USING (organization_id = app_current_org_id());"],
        );
    }
}
