//! Reads a live database into a [`SchemaModel`] in one round trip: the catalog
//! statements, their transaction and its settings travel as one simple-protocol batch.
//! Rows are read by position straight into plain structs: no intermediate JSON.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;

use tokio_postgres::{SimpleQueryMessage, SimpleQueryRow};

use super::compare::Optional;
use crate::db::Session;

use super::model::{
    Column, Constraint, Extension, FORMAT_VERSION, Function, Index, Policy, SchemaModel, Sequence,
    Table, Trigger, UserType, View, collapse_whitespace, qualified, unqualify_columns,
    without_own_name,
};

const QUERY: &str = include_str!("introspect.sql");

/// How many result sets the query returns, one per statement.
const RESULT_SETS: usize = 8;

/// The schemas introspected when none are named.
pub const DEFAULT_SCHEMAS: &[&str] = &["public"];

/// The default schemas plus those named on the command line, sorted, without repeats.
pub fn scope(extra: &[String]) -> Vec<String> {
    let mut schemas: Vec<String> = DEFAULT_SCHEMAS.iter().map(|s| s.to_string()).collect();
    schemas.extend(extra.iter().cloned());
    schemas.sort();
    schemas.dedup();
    schemas
}

/// Why a database could not be introspected.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// The catalog query failed.
    #[error("could not read the catalog: {0}")]
    Query(String),
    /// The server answered with something other than the expected rows.
    #[error("the catalog query returned unexpected data: {0}")]
    Decode(String),
}

/// Reads the schemas named (they need not exist) into a model, under the session's
/// timeouts; owners and comments only where `optional` asks for them (a comparison
/// that leaves them out need not read them).
pub async fn introspect(
    session: &Session,
    schemas: &[String],
    optional: Optional,
) -> Result<SchemaModel, IntrospectError> {
    let stream = session
        .client
        .simple_query_raw(&batch(schemas, optional, &session.local_timeouts))
        .await
        .map_err(|e| IntrospectError::Query(crate::db::describe_error(&e)))?;
    let mut stream = std::pin::pin!(stream);
    let mut reader = RawReader::default();
    while let Some(message) = stream
        .try_next()
        .await
        .map_err(|e| IntrospectError::Query(crate::db::describe_error(&e)))?
    {
        match message {
            SimpleQueryMessage::RowDescription(_) => reader.sets += 1,
            SimpleQueryMessage::Row(row) => reader.read(&row)?,
            _ => {}
        }
    }
    let raw = reader.finish()?;
    Ok(build(raw))
}

/// The one batch sent: a read-only transaction that qualifies every name, prints
/// timestamps in UTC (partition bounds), applies the flags' timeouts, skips JIT
/// compilation (the statements are costed high but run in milliseconds), the search
/// for join orders (the statements are written in the order to join, and planning them
/// is a third of the server's time on a small schema) and merge joins (costing one reads
/// the ends of catalog indexes; hash joins serve catalogs of any size), the statements,
/// and the end.
fn batch(schemas: &[String], optional: Optional, local_timeouts: &str) -> String {
    let array = format!(
        "ARRAY[{}]",
        schemas
            .iter()
            .map(|s| crate::sql::literal(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let statements = optional_branches(
        &optional_branches(QUERY, "OWNERS", optional.owners),
        "COMMENTS",
        optional.comments,
    )
    .replace("{{SCHEMAS}}", &array);
    format!(
        "BEGIN READ ONLY; SET LOCAL search_path = pg_catalog; SET LOCAL timezone = 'UTC'; \
         {local_timeouts} SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; \
         SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1; \
         SET LOCAL enable_mergejoin = off;\n{}\n; COMMIT",
        statements.trim_end()
    )
}

/// The batch with the branches between `-- {{NAME:` and `-- :NAME}}` kept (markers
/// removed) or, when not wanted, left out: the server would otherwise parse and plan
/// branches that return nothing.
fn optional_branches(sql: &str, name: &str, wanted: bool) -> String {
    let (open, close) = (format!("-- {{{{{name}:\n"), format!("-- :{name}}}}}\n"));
    match (sql.find(&open), sql.find(&close)) {
        (Some(start), Some(end)) if start < end => {
            let inside = &sql[start + open.len()..end];
            let kept = if wanted { inside } else { "" };
            format!("{}{kept}{}", &sql[..start], &sql[end + close.len()..])
        }
        _ => sql.to_string(),
    }
}

/// The text cells of one row, read in order from `next` on (the relations statement
/// starts its positional columns c1, c2, ... after its section name).
struct Cells<'a> {
    row: &'a SimpleQueryRow,
    next: usize,
    /// What the row describes, for errors.
    what: &'a str,
}

impl Cells<'_> {
    /// The next cell, null as `None`.
    fn opt(&mut self) -> Result<Option<String>, IntrospectError> {
        let at = self.next;
        self.next += 1;
        self.row
            .try_get(at)
            .map(|v| v.map(str::to_string))
            .map_err(|_| self.error(at, "is missing"))
    }

    /// The next cell, which must not be null.
    fn text(&mut self) -> Result<String, IntrospectError> {
        let at = self.next;
        self.opt()?.ok_or_else(|| self.error(at, "is null"))
    }

    /// A boolean as PostgreSQL prints it: `t` or `f`, or `true` or `false` cast to text.
    fn flag(&mut self) -> Result<bool, IntrospectError> {
        let at = self.next;
        match self.text()?.as_str() {
            "t" | "true" => Ok(true),
            "f" | "false" => Ok(false),
            other => Err(self.error(at, &format!("is not a boolean: {other}"))),
        }
    }

    /// A list the query built with json_agg, as JSON text (null for none).
    fn list(&mut self) -> Result<Vec<String>, IntrospectError> {
        let at = self.next;
        match self.opt()? {
            None => Ok(Vec::new()),
            Some(text) => serde_json::from_str::<Option<Vec<String>>>(&text)
                .map(Option::unwrap_or_default)
                .map_err(|e| self.error(at, &format!("is not a list of names: {e}"))),
        }
    }

    /// A JSON list of settings, sorted by their bytes: the same order whatever the
    /// database's collation (sorting on the server would also cost a subquery to plan).
    fn sorted_list(&mut self) -> Result<Vec<String>, IntrospectError> {
        let mut list = self.list()?;
        list.sort_unstable();
        Ok(list)
    }

    fn error(&self, at: usize, problem: &str) -> IntrospectError {
        IntrospectError::Decode(format!(
            "column {} of a {} row {problem}",
            at + 1,
            self.what
        ))
    }
}

/// A catalog row decoded by position.
trait FromCells: Sized {
    fn from_cells(cells: &mut Cells<'_>) -> Result<Self, IntrospectError>;
}

/// Decodes one row of a result set, read from column `first` on. A statement of its
/// own (`first` 0) must return exactly the columns read, so that a column added to the
/// SQL but not to the struct cannot shift the others unnoticed; the statements that
/// list several kinds (the functions', the relations') name each row's kind in column 0
/// and pad every kind to the same width.
fn decode<T: FromCells>(
    row: &SimpleQueryRow,
    what: &str,
    first: usize,
) -> Result<T, IntrospectError> {
    let mut cells = Cells {
        row,
        next: first,
        what,
    };
    let value = T::from_cells(&mut cells)?;
    if first == 0 && cells.next != row.len() {
        return Err(IntrospectError::Decode(format!(
            "a {what} row has {} columns, {} expected",
            row.len(),
            cells.next
        )));
    }
    Ok(value)
}

/// Reads the batch's rows as they arrive, so that decoding them overlaps the server's
/// work on the statements after them: a row goes to its kind by the statement it came
/// from (counted by row descriptions, which even a statement without rows sends) and,
/// in the statements that list several kinds, by its section column.
#[derive(Default)]
struct RawReader {
    raw: Raw,
    /// Row descriptions seen so far: the statement the next rows come from, plus one.
    sets: usize,
}

impl RawReader {
    fn read(&mut self, row: &SimpleQueryRow) -> Result<(), IntrospectError> {
        let raw = &mut self.raw;
        match self.sets {
            1 => raw
                .schemas
                .push(decode::<RawSchema>(row, "schema", 0)?.name),
            2 => raw.extensions.push(decode(row, "extension", 0)?),
            3 => raw.enums.push(decode(row, "enum", 0)?),
            4 | 5 => match row.get(0) {
                Some(section @ "function") => raw.functions.push(decode(row, section, 1)?),
                Some(section @ "table") => raw.tables.push(decode(row, section, 1)?),
                Some(section @ "partition") => raw.partitions.push(decode(row, section, 1)?),
                Some(section @ "column") => raw.columns.push(decode(row, section, 1)?),
                Some(section @ "constraint") => raw.constraints.push(decode(row, section, 1)?),
                Some(section @ "index") => raw.indexes.push(decode(row, section, 1)?),
                Some(section @ "policy") => raw.policies.push(decode(row, section, 1)?),
                Some(section @ "trigger") => raw.triggers.push(decode(row, section, 1)?),
                Some(section @ "view") => raw.views.push(decode(row, section, 1)?),
                Some(section @ "sequence") => raw.sequences.push(decode(row, section, 1)?),
                Some(section @ "identity") => raw.identities.push(decode(row, section, 1)?),
                Some(section @ "privilege") => raw.privileges.push(decode(row, section, 1)?),
                Some(other) => {
                    return Err(IntrospectError::Decode(format!(
                        "a row of an unknown kind: {other}"
                    )));
                }
                None => {
                    return Err(IntrospectError::Decode(
                        "a relation row without a section".into(),
                    ));
                }
            },
            6 => raw.privileges.push(decode(row, "privilege", 0)?),
            7 => raw.types.push(decode(row, "type", 0)?),
            8 => {
                raw.version_num = Some(decode::<RawVersion>(row, "server version", 0)?.version_num)
            }
            _ => {
                return Err(IntrospectError::Decode(
                    "rows outside the statements sent".into(),
                ));
            }
        }
        Ok(())
    }

    /// The rows read, once every statement has answered.
    fn finish(self) -> Result<Raw, IntrospectError> {
        if self.sets != RESULT_SETS {
            return Err(IntrospectError::Decode(format!(
                "{} result sets instead of {RESULT_SETS}",
                self.sets
            )));
        }
        Ok(self.raw)
    }
}

#[derive(Default)]
struct Raw {
    schemas: Vec<String>,
    extensions: Vec<RawExtension>,
    enums: Vec<RawEnum>,
    tables: Vec<RawTable>,
    partitions: Vec<RawPartition>,
    columns: Vec<RawColumn>,
    constraints: Vec<RawConstraint>,
    indexes: Vec<RawIndex>,
    policies: Vec<RawPolicy>,
    triggers: Vec<RawTrigger>,
    functions: Vec<RawFunction>,
    views: Vec<RawView>,
    sequences: Vec<RawSequence>,
    identities: Vec<RawIdentity>,
    privileges: Vec<RawPrivilege>,
    types: Vec<RawType>,
    version_num: Option<String>,
}

/// Declares a raw row struct and how it is read: each field with the reader used for it
/// (`text`, `opt`, `flag` or `list`), in the order introspect.sql selects the columns.
macro_rules! raw_row {
    ($name:ident { $($field:ident: $ty:ty = $read:ident),+ $(,)? }) => {
        struct $name {
            $($field: $ty,)+
        }

        impl FromCells for $name {
            fn from_cells(cells: &mut Cells<'_>) -> Result<Self, IntrospectError> {
                Ok($name {
                    $($field: cells.$read()?,)+
                })
            }
        }
    };
}

raw_row!(RawSchema {
    name: String = text
});
raw_row!(RawPrivilege {
    kind: String = text,
    object: String = text,
    grantee: String = text,
    privilege: String = text,
    grantable: bool = flag,
});
raw_row!(RawIdentity {
    schema: String = text,
    table: String = text,
    column: String = text,
    options: String = text,
});
raw_row!(RawType {
    kind: String = text,
    schema: String = text,
    name: String = text,
    definition: Option<String> = opt,
});
raw_row!(RawVersion {
    version_num: String = text
});
raw_row!(RawExtension {
    name: String = text,
    version: String = text,
    schema: String = text,
});
raw_row!(RawEnum {
    schema: String = text,
    name: String = text,
    labels: Vec<String> = list,
});
raw_row!(RawFunction {
    schema: String = text,
    name: String = text,
    arguments: String = text,
    kind: String = text,
    result: Option<String> = opt,
    language: String = text,
    volatility: String = text,
    strict: bool = flag,
    security_definer: bool = flag,
    settings: Vec<String> = list,
    body: Option<String> = opt,
});
raw_row!(RawTable {
    schema: String = text,
    name: String = text,
    kind: String = text,
    unlogged: bool = flag,
    partition_key: Option<String> = opt,
    rls_enabled: bool = flag,
    rls_forced: bool = flag,
    options: Vec<String> = sorted_list,
    replica_identity: String = text,
});
raw_row!(RawPartition {
    schema: String = text,
    name: String = text,
    parent_schema: String = text,
    parent: String = text,
    bound: String = text,
    rls_enabled: bool = flag,
    rls_forced: bool = flag,
});
raw_row!(RawColumn {
    schema: String = text,
    table: String = text,
    name: String = text,
    data_type: String = text,
    not_null: bool = flag,
    default: Option<String> = opt,
    identity: Option<String> = opt,
    generated: Option<String> = opt,
    generated_kind: Option<String> = opt,
    collation: Option<String> = opt,
});
raw_row!(RawConstraint {
    schema: String = text,
    table: String = text,
    name: String = text,
    constraint_type: String = text,
    definition: String = text,
});
raw_row!(RawIndex {
    schema: String = text,
    table: String = text,
    name: String = text,
    definition: String = text,
    valid: bool = flag,
});
raw_row!(RawPolicy {
    schema: String = text,
    table: String = text,
    name: String = text,
    command: String = text,
    permissive: bool = flag,
    roles: Vec<String> = list,
    using: Option<String> = opt,
    with_check: Option<String> = opt,
});
raw_row!(RawTrigger {
    schema: String = text,
    table: String = text,
    name: String = text,
    definition: String = text,
    enabled: String = text,
});
raw_row!(RawView {
    schema: String = text,
    name: String = text,
    kind: String = text,
    definition: Option<String> = opt,
    options: Vec<String> = sorted_list,
});
raw_row!(RawSequence {
    schema: String = text,
    name: String = text,
    data_type: String = text,
    start: String = text,
    increment: String = text,
    min: String = text,
    max: String = text,
    cache: String = text,
    cycle: bool = flag,
    owned_by: Option<String> = opt,
});

/// Turns the catalog rows into the model, normalizing on the way.
/// The kinds of the type statement's rows that are types (the model's `types`).
const TYPE_KINDS: &[&str] = &["domain", "composite type", "range type", "collation"];

/// The other rows of the type statement, by kind: name (qualified, or bare for the
/// database-wide event triggers) to definition.
fn others_of(rows: &[RawType]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut others: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for t in rows
        .iter()
        .filter(|t| !TYPE_KINDS.contains(&t.kind.as_str()))
    {
        let name = if t.schema.is_empty() {
            t.name.clone()
        } else {
            qualified(&t.schema, &t.name)
        };
        others
            .entry(t.kind.clone())
            .or_default()
            .insert(name, t.definition.clone().unwrap_or_default());
    }
    others
}

fn build(raw: Raw) -> SchemaModel {
    let mut tables: BTreeMap<String, Table> = raw
        .tables
        .into_iter()
        .map(|t| {
            let kind = if t.kind == "p" {
                "partitioned table"
            } else {
                "table"
            };
            let table = Table {
                kind: kind.to_string(),
                unlogged: t.unlogged,
                partition_key: t.partition_key,
                rls_enabled: t.rls_enabled,
                rls_forced: t.rls_forced,
                options: t.options,
                replica_identity: t.replica_identity,
                columns: BTreeMap::new(),
                constraints: BTreeMap::new(),
                indexes: BTreeMap::new(),
                policies: BTreeMap::new(),
                triggers: BTreeMap::new(),
                partitions: BTreeMap::new(),
            };
            (qualified(&t.schema, &t.name), table)
        })
        .collect();
    // Partitions stand in the table map while the objects written on them are
    // attached, and move to the model's partition_objects after.
    let mut partition_names = Vec::new();
    for p in raw.partitions {
        let name = qualified(&p.schema, &p.name);
        if let Some(parent) = tables.get_mut(&qualified(&p.parent_schema, &p.parent)) {
            parent.partitions.insert(name.clone(), p.bound);
        }
        tables.insert(
            name.clone(),
            Table {
                kind: "partition".to_string(),
                unlogged: false,
                partition_key: None,
                rls_enabled: p.rls_enabled,
                rls_forced: p.rls_forced,
                options: Vec::new(),
                replica_identity: "default".to_string(),
                columns: BTreeMap::new(),
                constraints: BTreeMap::new(),
                indexes: BTreeMap::new(),
                policies: BTreeMap::new(),
                triggers: BTreeMap::new(),
                partitions: BTreeMap::new(),
            },
        );
        partition_names.push(name);
    }
    for c in raw.columns {
        if let Some(table) = tables.get_mut(&qualified(&c.schema, &c.table)) {
            let generated = c.generated.map(|expression| {
                let kind = c.generated_kind.as_deref().unwrap_or("stored");
                format!("{expression} {}", kind.to_uppercase())
            });
            table.columns.insert(
                c.name,
                Column {
                    data_type: c.data_type,
                    nullable: !c.not_null,
                    default: c.default,
                    identity: c.identity,
                    identity_options: None,
                    generated,
                    collation: c.collation,
                },
            );
        }
    }
    for i in raw.identities {
        if let Some(column) = tables
            .get_mut(&qualified(&i.schema, &i.table))
            .and_then(|t| t.columns.get_mut(&i.column))
        {
            column.identity_options = Some(i.options);
        }
    }
    for c in raw.constraints {
        if let Some(table) = tables.get_mut(&qualified(&c.schema, &c.table)) {
            let constraint_type = match c.constraint_type.as_str() {
                "p" => "primary key",
                "u" => "unique",
                "f" => "foreign key",
                "c" => "check",
                "x" => "exclusion",
                "t" => "trigger",
                other => other,
            };
            table.constraints.insert(
                c.name,
                Constraint {
                    constraint_type: constraint_type.to_string(),
                    definition: c.definition,
                },
            );
        }
    }
    let mut view_indexes: BTreeMap<String, BTreeMap<String, Index>> = BTreeMap::new();
    for i in raw.indexes {
        let index = Index {
            definition: without_own_name(&i.definition, &i.name),
            valid: i.valid,
        };
        let owner = qualified(&i.schema, &i.table);
        match tables.get_mut(&owner) {
            Some(table) => {
                table.indexes.insert(i.name, index);
            }
            None => {
                view_indexes.entry(owner).or_default().insert(i.name, index);
            }
        }
    }
    for p in raw.policies {
        if let Some(table) = tables.get_mut(&qualified(&p.schema, &p.table)) {
            table.policies.insert(
                p.name,
                Policy {
                    command: p.command,
                    permissive: p.permissive,
                    roles: p.roles,
                    using: p.using,
                    with_check: p.with_check,
                },
            );
        }
    }
    for t in raw.triggers {
        if let Some(table) = tables.get_mut(&qualified(&t.schema, &t.table)) {
            let enabled = match t.enabled.as_str() {
                "O" => "enabled",
                "D" => "disabled",
                "R" => "replica",
                "A" => "always",
                other => other,
            };
            table.triggers.insert(
                t.name.clone(),
                Trigger {
                    definition: without_own_name(&t.definition, &t.name),
                    enabled: enabled.to_string(),
                },
            );
        }
    }
    let partition_objects = partition_names
        .into_iter()
        .filter_map(|name| tables.remove(&name).map(|t| (name, t)))
        .collect();
    SchemaModel {
        format: FORMAT_VERSION,
        partition_objects,
        server_major: raw
            .version_num
            .and_then(|v| v.parse::<u32>().ok())
            .map(|n| n / 10_000),
        schemas: raw.schemas,
        extensions: raw
            .extensions
            .into_iter()
            .map(|e| {
                (
                    e.name,
                    Extension {
                        version: Some(e.version),
                        schema: e.schema,
                    },
                )
            })
            .collect(),
        enums: raw
            .enums
            .into_iter()
            .map(|e| (qualified(&e.schema, &e.name), e.labels))
            .collect(),
        tables,
        others: others_of(&raw.types),
        types: raw
            .types
            .into_iter()
            .filter(|t| TYPE_KINDS.contains(&t.kind.as_str()))
            .map(|t| {
                let definition = UserType {
                    kind: t.kind,
                    definition: t.definition.unwrap_or_default(),
                };
                (qualified(&t.schema, &t.name), definition)
            })
            .collect(),
        privileges: super::privileges::assemble(
            raw.privileges
                .into_iter()
                .map(|p| super::privileges::Grant {
                    kind: p.kind,
                    object: p.object,
                    grantee: p.grantee,
                    privilege: p.privilege,
                    grantable: p.grantable,
                })
                .collect(),
        ),
        functions: raw
            .functions
            .into_iter()
            .map(|f| {
                let key = format!("{}({})", qualified(&f.schema, &f.name), f.arguments);
                let function = Function {
                    kind: if f.kind == "p" {
                        "procedure"
                    } else {
                        "function"
                    }
                    .to_string(),
                    result: f.result.filter(|r| !r.is_empty()),
                    language: f.language,
                    volatility: f.volatility,
                    strict: f.strict,
                    security_definer: f.security_definer,
                    settings: f.settings,
                    body: f.body.unwrap_or_default().trim().to_string(),
                };
                (key, function)
            })
            .collect(),
        views: raw
            .views
            .into_iter()
            .map(|v| {
                let kind = if v.kind == "m" {
                    "materialized view"
                } else {
                    "view"
                };
                let key = qualified(&v.schema, &v.name);
                let view = View {
                    indexes: view_indexes.remove(&key).unwrap_or_default(),
                    options: v.options,
                    kind: kind.to_string(),
                    definition: unqualify_columns(&collapse_whitespace(
                        v.definition.as_deref().unwrap_or(""),
                    )),
                };
                (key, view)
            })
            .collect(),
        sequences: raw
            .sequences
            .into_iter()
            .map(|s| {
                let sequence = Sequence {
                    data_type: s.data_type,
                    start: s.start,
                    increment: s.increment,
                    min: s.min,
                    max: s.max,
                    cache: s.cache,
                    cycle: s.cycle,
                    owned_by: s.owned_by,
                };
                (qualified(&s.schema, &s.name), sequence)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_branches_are_sent_only_when_asked_for() {
        let schemas = ["public".to_string()];
        let neither = batch(&schemas, Optional::default(), "");
        assert!(!neither.contains("SELECT 'comment'") && !neither.contains("SELECT 'owner'"));
        assert!(!neither.contains("{{") && neither.contains("SELECT 'collation'"));
        let both = batch(&schemas, Optional::ALL, "");
        assert!(both.contains("SELECT 'comment'") && both.contains("SELECT 'owner'"));
        assert!(!both.contains("-- {{") && !both.contains("}}\n"));
    }
}
