//! v-secure: a table in public without row level security leaks across organizations.

use pg_query::NodeEnum;

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// `table-without-rls`.
pub struct TableWithoutRls;

impl Rule for TableWithoutRls {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "table-without-rls",
            severity: Severity::Error,
            summary: "a new table in public without ENABLE ROW LEVEL SECURITY in the same migration",
            why: "v-secure isolates organizations with row level security: a table without it is readable by every tenant the application role serves",
            fix: "ALTER TABLE t ENABLE ROW LEVEL SECURITY; and a tenant policy (USING (organization_id = app_current_org_id())) in the same migration",
        }
    }

    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit> {
        let Some(NodeEnum::CreateStmt(s)) = &statement.node else {
            return Vec::new();
        };
        let temporary = s.relation.as_ref().is_some_and(|r| r.relpersistence == "t");
        let partition = s.partbound.is_some();
        let table = tree::table(&s.relation);
        if temporary
            || partition
            || !tree::in_public(&s.relation)
            || cx.rls_enabled.contains(&table)
        {
            return Vec::new();
        }
        vec![Hit {
            message: format!("{table} gets no row level security in this migration"),
            at: 0,
        }]
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn fires_on_public_tables_without_rls() {
        check(
            &super::TableWithoutRls,
            &["CREATE TABLE notes (id bigint);"],
            &[
                "CREATE TABLE notes (id bigint);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
                "CREATE TABLE audit.log (id bigint);",
                "CREATE TEMP TABLE scratch (id int);",
                "CREATE TABLE p_2026 PARTITION OF p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
            ],
        );
    }
}
