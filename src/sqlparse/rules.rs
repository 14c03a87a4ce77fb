//! What a statement is, read from its parse tree, for the rules that depend on it.

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, TransactionStmtKind};

/// The statement, named, when PostgreSQL refuses to run it inside a transaction block:
/// such a statement needs a `-- vsecure:no-transaction` migration.
pub fn outside_transaction_only(node: &NodeEnum) -> Option<&'static str> {
    match node {
        NodeEnum::IndexStmt(s) if s.concurrent => Some("CREATE INDEX CONCURRENTLY"),
        NodeEnum::DropStmt(s) if s.concurrent => Some("DROP INDEX CONCURRENTLY"),
        NodeEnum::ReindexStmt(s) if has_option(&s.params, "concurrently") => {
            Some("REINDEX CONCURRENTLY")
        }
        NodeEnum::VacuumStmt(s) if s.is_vacuumcmd => Some("VACUUM"),
        NodeEnum::CreatedbStmt(_) => Some("CREATE DATABASE"),
        NodeEnum::DropdbStmt(_) => Some("DROP DATABASE"),
        NodeEnum::AlterSystemStmt(_) => Some("ALTER SYSTEM"),
        NodeEnum::CreateTableSpaceStmt(_) => Some("CREATE TABLESPACE"),
        NodeEnum::DropTableSpaceStmt(_) => Some("DROP TABLESPACE"),
        NodeEnum::AlterTableStmt(s) if s.cmds.iter().any(detaches_concurrently) => {
            Some("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")
        }
        _ => None,
    }
}

/// The statement, named, when it starts or ends a transaction: inside a migration
/// vsecure runs in a transaction, it would commit part of the migration early.
pub fn transaction_control(node: &NodeEnum) -> Option<&'static str> {
    let NodeEnum::TransactionStmt(s) = node else {
        return None;
    };
    match TransactionStmtKind::try_from(s.kind).ok()? {
        TransactionStmtKind::TransStmtBegin => Some("BEGIN"),
        TransactionStmtKind::TransStmtStart => Some("START TRANSACTION"),
        TransactionStmtKind::TransStmtCommit => Some("COMMIT"),
        TransactionStmtKind::TransStmtRollback => Some("ROLLBACK"),
        TransactionStmtKind::TransStmtPrepare => Some("PREPARE TRANSACTION"),
        TransactionStmtKind::TransStmtCommitPrepared => Some("COMMIT PREPARED"),
        TransactionStmtKind::TransStmtRollbackPrepared => Some("ROLLBACK PREPARED"),
        _ => None,
    }
}

/// The table a statement creates and keeps (`CREATE [UNLOGGED] TABLE`, `CREATE TABLE
/// ... AS`, `SELECT ... INTO`; not a temporary one): its schema as written (if any)
/// and its name.
pub fn created_table(node: &NodeEnum) -> Option<(Option<String>, String)> {
    let relation = match node {
        NodeEnum::CreateStmt(s) => s.relation.as_ref()?,
        NodeEnum::CreateTableAsStmt(s) => s.into.as_ref()?.rel.as_ref()?,
        _ => return None,
    };
    if relation.relpersistence == "t" {
        return None;
    }
    let schema = Some(relation.schemaname.clone()).filter(|s| !s.is_empty());
    Some((schema, relation.relname.clone()))
}

/// The extension whose version a statement names: `CREATE EXTENSION ... VERSION` or
/// `ALTER EXTENSION ... UPDATE TO`.
pub fn pinned_extension(node: &NodeEnum) -> Option<String> {
    let (name, options) = match node {
        NodeEnum::CreateExtensionStmt(s) => (&s.extname, &s.options),
        NodeEnum::AlterExtensionStmt(s) => (&s.extname, &s.options),
        _ => return None,
    };
    has_option(options, "new_version").then(|| name.clone())
}

fn has_option(options: &[pg_query::Node], name: &str) -> bool {
    options
        .iter()
        .any(|o| matches!(&o.node, Some(NodeEnum::DefElem(d)) if d.defname == name))
}

fn detaches_concurrently(cmd: &pg_query::Node) -> bool {
    let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
        return false;
    };
    cmd.subtype == AlterTableType::AtDetachPartition as i32
        && matches!(
            cmd.def.as_deref().and_then(|d| d.node.as_ref()),
            Some(NodeEnum::PartitionCmd(p)) if p.concurrent
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(sql: &str) -> NodeEnum {
        super::super::statements(sql).unwrap()[0]
            .node
            .clone()
            .unwrap()
    }

    #[test]
    fn statements_that_cannot_run_in_a_transaction_are_named() {
        let cases = [
            (
                "CREATE INDEX CONCURRENTLY i ON t (a)",
                Some("CREATE INDEX CONCURRENTLY"),
            ),
            ("CREATE INDEX i ON t (a)", None),
            ("DROP INDEX CONCURRENTLY i", Some("DROP INDEX CONCURRENTLY")),
            ("REINDEX INDEX CONCURRENTLY i", Some("REINDEX CONCURRENTLY")),
            ("REINDEX INDEX i", None),
            ("VACUUM t", Some("VACUUM")),
            ("ANALYZE t", None),
            (
                "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
                Some("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"),
            ),
            ("ALTER TABLE p DETACH PARTITION c", None),
            ("CREATE DATABASE d", Some("CREATE DATABASE")),
        ];
        for (sql, expected) in cases {
            assert_eq!(outside_transaction_only(&node(sql)), expected, "{sql}");
        }
    }

    #[test]
    fn transaction_control_created_tables_and_pinned_versions() {
        assert_eq!(transaction_control(&node("COMMIT")), Some("COMMIT"));
        assert_eq!(transaction_control(&node("SAVEPOINT s")), None);
        assert_eq!(
            created_table(&node(
                "CREATE UNLOGGED TABLE IF NOT EXISTS audit.log (id int)"
            )),
            Some((Some("audit".to_string()), "log".to_string()))
        );
        assert_eq!(
            created_table(&node("CREATE TEMP TABLE scratch (id int)")),
            None
        );
        assert_eq!(
            created_table(&node("CREATE TABLE copy AS SELECT 1")),
            Some((None, "copy".to_string()))
        );
        assert_eq!(
            pinned_extension(&node(
                "CREATE EXTENSION IF NOT EXISTS vector VERSION '0.8.0'"
            )),
            Some("vector".to_string())
        );
        assert_eq!(
            pinned_extension(&node("ALTER EXTENSION \"uuid-ossp\" UPDATE TO '1.1'")),
            Some("uuid-ossp".to_string())
        );
        assert_eq!(pinned_extension(&node("CREATE EXTENSION pg_trgm")), None);
    }
}
