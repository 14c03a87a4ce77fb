//! v-secure: a SECURITY DEFINER function without a fixed search_path can be hijacked.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `security-definer-without-search-path`.
pub struct SecurityDefinerSearchPath;

impl Rule for SecurityDefinerSearchPath {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "security-definer-without-search-path",
            severity: Severity::Error,
            summary: "a SECURITY DEFINER function without SET search_path",
            why: "it runs with its owner's rights but resolves names through the caller's search_path: a caller who can create objects in a schema on that path makes it call theirs",
            fix: "add SET search_path = pg_catalog, public (or '') to the function and qualify the names it uses",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        let Some(NodeEnum::CreateFunctionStmt(s)) = &statement.node else {
            return Vec::new();
        };
        let definer = tree::option(&s.options, "security").is_some_and(|d| {
            matches!(d.arg.as_deref().and_then(|a| a.node.as_ref()), Some(NodeEnum::Boolean(b)) if b.boolval)
        });
        let sets_path = s.options.iter().any(|o| {
            matches!(&o.node, Some(NodeEnum::DefElem(d)) if d.defname == "set"
                && matches!(d.arg.as_deref().and_then(|a| a.node.as_ref()), Some(NodeEnum::VariableSetStmt(v)) if v.name == "search_path"))
        });
        if definer && !sets_path {
            vec![Hit {
                message:
                    "this SECURITY DEFINER function resolves names through the caller's search_path"
                        .to_string(),
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
    fn fires_without_a_fixed_search_path() {
        check(
            &super::SecurityDefinerSearchPath,
            &["CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';"],
            &[
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            ],
        );
    }
}
