//! Reading the parse tree for the rules: table names, ALTER TABLE commands, type names,
//! the functions an expression calls.

use pg_query::protobuf::{AlterTableCmd, AlterTableType, RangeVar, TypeName};
use pg_query::{Node, NodeEnum};

/// A table's bare name, lower-cased as PostgreSQL folds it (quoted names keep their
/// case in the tree already).
pub fn table(relation: &Option<RangeVar>) -> String {
    relation
        .as_ref()
        .map(|r| r.relname.to_lowercase())
        .unwrap_or_default()
}

/// Whether a relation is in the public schema (named so, or not qualified).
pub fn in_public(relation: &Option<RangeVar>) -> bool {
    relation
        .as_ref()
        .is_some_and(|r| r.schemaname.is_empty() || r.schemaname == "public")
}

/// The commands of an `ALTER TABLE` with their subtype.
pub fn alter_commands(nodes: &[Node]) -> impl Iterator<Item = (AlterTableType, &AlterTableCmd)> {
    nodes.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::AlterTableCmd(cmd)) => {
            Some((AlterTableType::try_from(cmd.subtype).ok()?, cmd.as_ref()))
        }
        _ => None,
    })
}

/// The table and commands of an `ALTER TABLE` on a table that existed before this
/// migration, the subject of the lock rules; `None` for any other statement.
pub fn alter_of_existing<'a>(
    statement: &'a crate::sqlparse::Statement<'_>,
    cx: &super::Context,
) -> Option<(String, &'a [Node])> {
    let Some(NodeEnum::AlterTableStmt(s)) = &statement.node else {
        return None;
    };
    let name = table(&s.relation);
    cx.existing(&name).then_some((name, s.cmds.as_slice()))
}

/// The constraints an `ALTER TABLE` adds.
pub fn constraints_added(cmds: &[Node]) -> impl Iterator<Item = &pg_query::protobuf::Constraint> {
    alter_commands(cmds)
        .filter(|(kind, _)| *kind == AlterTableType::AtAddConstraint)
        .filter_map(
            |(_, cmd)| match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::Constraint(c)) => Some(c.as_ref()),
                _ => None,
            },
        )
}

/// The columns an `ALTER TABLE` adds.
pub fn columns_added(cmds: &[Node]) -> impl Iterator<Item = &pg_query::protobuf::ColumnDef> {
    alter_commands(cmds)
        .filter(|(kind, _)| *kind == AlterTableType::AtAddColumn)
        .filter_map(
            |(_, cmd)| match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::ColumnDef(c)) => Some(c.as_ref()),
                _ => None,
            },
        )
}

/// The last part of a type's name as the parser spells it (`varchar`, `int4`,
/// `timestamp`, `serial`), and whether it has a length or precision.
pub fn type_name(name: &Option<TypeName>) -> (String, bool) {
    let Some(t) = name else {
        return (String::new(), false);
    };
    let last = t
        .names
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.to_lowercase()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default();
    (last, !t.typmods.is_empty())
}

/// The names of every function an expression calls, lower-cased, without schema.
pub fn functions_called(expression: &Node) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(value) = serde_json::to_value(expression) {
        collect_functions(&value, &mut names);
    }
    names
}

fn collect_functions(value: &serde_json::Value, names: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(call) = map.get("FuncCall")
                && let Some(parts) = call.get("funcname").and_then(|f| f.as_array())
                && let Some(last) = parts.last()
                && let Some(name) = last.pointer("/node/String/sval").and_then(|s| s.as_str())
            {
                names.push(name.to_lowercase());
            }
            map.values().for_each(|v| collect_functions(v, names));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_functions(v, names)),
        _ => {}
    }
}

/// The tables a statement enables row level security on.
pub fn rls_enabled_tables(node: &NodeEnum) -> Vec<String> {
    let NodeEnum::AlterTableStmt(s) = node else {
        return Vec::new();
    };
    if alter_commands(&s.cmds).any(|(t, _)| t == AlterTableType::AtEnableRowSecurity) {
        vec![table(&s.relation)]
    } else {
        Vec::new()
    }
}

/// Whether a statement sets lock_timeout (`SET [LOCAL] lock_timeout = ...`).
pub fn sets_lock_timeout(node: &NodeEnum) -> bool {
    matches!(node, NodeEnum::VariableSetStmt(s) if s.name == "lock_timeout")
}

/// A DefElem option of a list, by name.
pub fn option<'a>(options: &'a [Node], name: &str) -> Option<&'a pg_query::protobuf::DefElem> {
    options.iter().find_map(|o| match &o.node {
        Some(NodeEnum::DefElem(d)) if d.defname == name => Some(d.as_ref()),
        _ => None,
    })
}

/// The byte offset of a parse-tree location inside a statement that starts at
/// `statement_offset` in the file (0 when the tree gives none).
pub fn at(location: i32, statement_offset: usize) -> usize {
    usize::try_from(location)
        .ok()
        .and_then(|l| l.checked_sub(statement_offset))
        .unwrap_or(0)
}

/// The column definitions a statement writes (CREATE TABLE, ALTER TABLE ... ADD
/// COLUMN), with their table.
pub fn column_defs(node: &NodeEnum) -> Vec<(String, &pg_query::protobuf::ColumnDef)> {
    match node {
        NodeEnum::CreateStmt(s) => s
            .table_elts
            .iter()
            .filter_map(|e| match &e.node {
                Some(NodeEnum::ColumnDef(c)) => Some((table(&s.relation), c.as_ref())),
                _ => None,
            })
            .collect(),
        NodeEnum::AlterTableStmt(s) => columns_added(&s.cmds)
            .map(|c| (table(&s.relation), c))
            .collect(),
        _ => Vec::new(),
    }
}

/// The columns a CREATE TABLE makes its primary key (column or table constraint).
pub fn primary_key_columns(node: &NodeEnum) -> Vec<String> {
    let NodeEnum::CreateStmt(s) = node else {
        return Vec::new();
    };
    let primary = pg_query::protobuf::ConstrType::ConstrPrimary as i32;
    let mut columns = Vec::new();
    for element in &s.table_elts {
        match &element.node {
            Some(NodeEnum::ColumnDef(c))
                if c.constraints.iter().any(
                    |k| matches!(&k.node, Some(NodeEnum::Constraint(k)) if k.contype == primary),
                ) =>
            {
                columns.push(c.colname.clone());
            }
            Some(NodeEnum::Constraint(k)) if k.contype == primary => {
                columns.extend(k.keys.iter().filter_map(|n| match &n.node {
                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    columns
}

/// The table a statement locks or changes, when it works on one.
pub fn statement_table(node: &NodeEnum) -> Option<String> {
    let name = match node {
        NodeEnum::AlterTableStmt(s) => table(&s.relation),
        NodeEnum::IndexStmt(s) => table(&s.relation),
        NodeEnum::RenameStmt(s) => table(&s.relation),
        NodeEnum::CreateStmt(s) => table(&s.relation),
        _ => return None,
    };
    (!name.is_empty()).then_some(name)
}

/// The columns a statement defines whose type `matches` (given the type's name,
/// whether it has a length, and `key` for a primary key column), as hits naming them.
pub fn columns_of_type(
    statement: &crate::sqlparse::Statement<'_>,
    matches: impl Fn(&str, bool, &str) -> Option<String>,
) -> Vec<super::Hit> {
    let Some(node) = &statement.node else {
        return Vec::new();
    };
    let keys = primary_key_columns(node);
    column_defs(node)
        .into_iter()
        .filter_map(|(table, column)| {
            let (name, sized) = type_name(&column.type_name);
            let is_key = keys.contains(&column.colname);
            let what = matches(&name, sized, if is_key { "key" } else { "" })?;
            Some(super::Hit {
                message: format!("{table}.{} is {what}", column.colname),
                at: at(column.location, statement.offset),
            })
        })
        .collect()
}
