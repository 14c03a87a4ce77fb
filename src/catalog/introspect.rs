//! Reads a live database into a [`SchemaModel`] in one round trip: the catalog
//! statements, their transaction and its settings travel as one simple-protocol batch.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use tokio_postgres::{Client, SimpleQueryMessage};

use super::model::{
    Column, Constraint, Extension, FORMAT_VERSION, Function, Index, Policy, SchemaModel, Sequence,
    Table, Trigger, View, collapse_whitespace, qualified, unqualify_columns, without_own_name,
};

const QUERY: &str = include_str!("introspect.sql");

/// How many result sets the query returns, one per statement.
const RESULT_SETS: usize = 5;

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

/// Reads the schemas named (they need not exist) into a model.
pub async fn introspect(
    client: &Client,
    schemas: &[String],
) -> Result<SchemaModel, IntrospectError> {
    let messages = client
        .simple_query(&batch(schemas))
        .await
        .map_err(|e| IntrospectError::Query(crate::db::describe_error(&e)))?;
    let mut sets = result_sets(&messages).into_iter();
    if sets.len() != RESULT_SETS {
        return Err(IntrospectError::Decode(format!(
            "{} result sets instead of {RESULT_SETS}",
            sets.len()
        )));
    }
    let mut next = || sets.next().unwrap_or_default();
    let schemas = decode::<RawSchema>(next())?;
    let extensions = decode(next())?;
    let enums = decode(next())?;
    let functions = decode(next())?;
    let mut relations = Sections::split(next());
    let raw = Raw {
        schemas: schemas.into_iter().map(|s| s.name).collect(),
        extensions,
        enums,
        tables: relations.decode("table", TABLE_FIELDS)?,
        partitions: relations.decode("partition", PARTITION_FIELDS)?,
        columns: relations.decode("column", COLUMN_FIELDS)?,
        constraints: relations.decode("constraint", CONSTRAINT_FIELDS)?,
        indexes: relations.decode("index", INDEX_FIELDS)?,
        policies: relations.decode("policy", POLICY_FIELDS)?,
        triggers: relations.decode("trigger", TRIGGER_FIELDS)?,
        functions,
        views: relations.decode("view", VIEW_FIELDS)?,
        sequences: relations.decode("sequence", SEQUENCE_FIELDS)?,
    };
    Ok(build(raw))
}

/// The one batch sent: a read-only transaction that qualifies every name, prints
/// timestamps in UTC (partition bounds) and skips JIT compilation (the statements are
/// costed high but run in milliseconds), the statements, and the end.
fn batch(schemas: &[String]) -> String {
    let array = format!(
        "ARRAY[{}]",
        schemas
            .iter()
            .map(|s| crate::ops::tx::literal(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let statements = QUERY.replace("{{SCHEMAS}}", &array);
    format!(
        "BEGIN READ ONLY; SET LOCAL search_path = pg_catalog; SET LOCAL timezone = 'UTC'; \
         SET LOCAL statement_timeout = 0; SET LOCAL jit = off;\n{}\n; COMMIT",
        statements.trim_end()
    )
}

/// Splits the rows of a simple query by statement: each row-returning statement starts
/// with a row description, even when it returns no rows. Each row becomes a map of
/// column name to text (or null).
fn result_sets(messages: &[SimpleQueryMessage]) -> Vec<Vec<serde_json::Value>> {
    let mut sets: Vec<Vec<serde_json::Value>> = Vec::new();
    for message in messages {
        match message {
            SimpleQueryMessage::RowDescription(_) => sets.push(Vec::new()),
            SimpleQueryMessage::Row(row) => {
                let object: serde_json::Map<String, serde_json::Value> = row
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        let value = row
                            .get(i)
                            .map_or(serde_json::Value::Null, |v| v.to_string().into());
                        (column.name().to_string(), value)
                    })
                    .collect();
                if let Some(set) = sets.last_mut() {
                    set.push(object.into());
                }
            }
            _ => {}
        }
    }
    sets
}

/// The names of the positional columns c1, c2, ... of each section of the relations
/// statement, in the order introspect.sql selects them.
const TABLE_FIELDS: &[&str] = &[
    "schema",
    "name",
    "kind",
    "unlogged",
    "partition_key",
    "rls_enabled",
    "rls_forced",
];
const PARTITION_FIELDS: &[&str] = &["schema", "name", "parent_schema", "parent", "bound"];
const COLUMN_FIELDS: &[&str] = &[
    "schema",
    "table",
    "name",
    "type",
    "not_null",
    "default",
    "identity",
    "generated",
    "generated_kind",
    "collation",
];
const CONSTRAINT_FIELDS: &[&str] = &["schema", "table", "name", "type", "definition"];
const INDEX_FIELDS: &[&str] = &["schema", "table", "name", "definition", "valid"];
const POLICY_FIELDS: &[&str] = &[
    "schema",
    "table",
    "name",
    "command",
    "permissive",
    "roles",
    "using",
    "with_check",
];
const TRIGGER_FIELDS: &[&str] = &["schema", "table", "name", "definition", "enabled"];
const VIEW_FIELDS: &[&str] = &["schema", "name", "kind", "definition"];
const SEQUENCE_FIELDS: &[&str] = &[
    "schema",
    "name",
    "type",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
    "owned_by",
];

/// The rows of the relations statement, grouped by their `section` column.
struct Sections {
    rows: std::collections::HashMap<String, Vec<serde_json::Value>>,
}

impl Sections {
    fn split(rows: Vec<serde_json::Value>) -> Sections {
        let mut grouped: std::collections::HashMap<String, Vec<serde_json::Value>> =
            std::collections::HashMap::new();
        for row in rows {
            let section = row["section"].as_str().unwrap_or_default().to_string();
            grouped.entry(section).or_default().push(row);
        }
        Sections { rows: grouped }
    }

    /// Names the positional columns of one section and decodes its rows.
    fn decode<T: DeserializeOwned>(
        &mut self,
        section: &str,
        fields: &[&str],
    ) -> Result<Vec<T>, IntrospectError> {
        let rows = self.rows.remove(section).unwrap_or_default();
        let named = rows
            .into_iter()
            .map(|row| {
                let object: serde_json::Map<String, serde_json::Value> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, name)| (name.to_string(), row[format!("c{}", i + 1)].clone()))
                    .collect();
                serde_json::Value::Object(object)
            })
            .collect();
        decode(named)
    }
}

/// Decodes the rows of one result set.
fn decode<T: DeserializeOwned>(rows: Vec<serde_json::Value>) -> Result<Vec<T>, IntrospectError> {
    rows.into_iter()
        .map(|row| serde_json::from_value(row).map_err(|e| IntrospectError::Decode(e.to_string())))
        .collect()
}

/// A boolean as PostgreSQL prints it: `t` or `f`, or `true` or `false` cast to text.
fn pg_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match String::deserialize(deserializer)?.as_str() {
        "t" | "true" => Ok(true),
        "f" | "false" => Ok(false),
        other => Err(serde::de::Error::custom(format!("not a boolean: {other}"))),
    }
}

/// A list the query built with json_agg, as JSON text (null for none).
fn json_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str::<Option<Vec<String>>>(&text)
            .map(Option::unwrap_or_default)
            .map_err(serde::de::Error::custom),
    }
}

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
}

#[derive(Deserialize)]
struct RawSchema {
    name: String,
}

#[derive(Deserialize)]
struct RawExtension {
    name: String,
    version: String,
    schema: String,
}

#[derive(Deserialize)]
struct RawEnum {
    schema: String,
    name: String,
    #[serde(deserialize_with = "json_list")]
    labels: Vec<String>,
}

#[derive(Deserialize)]
struct RawTable {
    schema: String,
    name: String,
    kind: String,
    #[serde(deserialize_with = "pg_bool")]
    unlogged: bool,
    partition_key: Option<String>,
    #[serde(deserialize_with = "pg_bool")]
    rls_enabled: bool,
    #[serde(deserialize_with = "pg_bool")]
    rls_forced: bool,
}

#[derive(Deserialize)]
struct RawPartition {
    schema: String,
    name: String,
    parent_schema: String,
    parent: String,
    bound: String,
}

#[derive(Deserialize)]
struct RawColumn {
    schema: String,
    table: String,
    name: String,
    #[serde(rename = "type")]
    data_type: String,
    #[serde(deserialize_with = "pg_bool")]
    not_null: bool,
    default: Option<String>,
    identity: Option<String>,
    generated: Option<String>,
    generated_kind: Option<String>,
    collation: Option<String>,
}

#[derive(Deserialize)]
struct RawConstraint {
    schema: String,
    table: String,
    name: String,
    #[serde(rename = "type")]
    constraint_type: String,
    definition: String,
}

#[derive(Deserialize)]
struct RawIndex {
    schema: String,
    table: String,
    name: String,
    definition: String,
    #[serde(deserialize_with = "pg_bool")]
    valid: bool,
}

#[derive(Deserialize)]
struct RawPolicy {
    schema: String,
    table: String,
    name: String,
    command: String,
    #[serde(deserialize_with = "pg_bool")]
    permissive: bool,
    #[serde(deserialize_with = "json_list")]
    roles: Vec<String>,
    using: Option<String>,
    with_check: Option<String>,
}

#[derive(Deserialize)]
struct RawTrigger {
    schema: String,
    table: String,
    name: String,
    definition: String,
    enabled: String,
}

#[derive(Deserialize)]
struct RawFunction {
    schema: String,
    name: String,
    arguments: String,
    kind: String,
    result: Option<String>,
    language: String,
    volatility: String,
    #[serde(deserialize_with = "pg_bool")]
    strict: bool,
    #[serde(deserialize_with = "pg_bool")]
    security_definer: bool,
    #[serde(deserialize_with = "json_list")]
    settings: Vec<String>,
    body: Option<String>,
}

#[derive(Deserialize)]
struct RawView {
    schema: String,
    name: String,
    kind: String,
    definition: Option<String>,
}

#[derive(Deserialize)]
struct RawSequence {
    schema: String,
    name: String,
    #[serde(rename = "type")]
    data_type: String,
    start: String,
    increment: String,
    min: String,
    max: String,
    cache: String,
    #[serde(deserialize_with = "pg_bool")]
    cycle: bool,
    owned_by: Option<String>,
}

/// Turns the catalog rows into the model, normalizing on the way.
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
    for p in raw.partitions {
        if let Some(parent) = tables.get_mut(&qualified(&p.parent_schema, &p.parent)) {
            parent
                .partitions
                .insert(qualified(&p.schema, &p.name), p.bound);
        }
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
                    generated,
                    collation: c.collation,
                },
            );
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
    SchemaModel {
        format: FORMAT_VERSION,
        schemas: raw.schemas,
        extensions: raw
            .extensions
            .into_iter()
            .map(|e| {
                (
                    e.name,
                    Extension {
                        version: e.version,
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
