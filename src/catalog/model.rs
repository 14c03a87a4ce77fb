//! The schema model: what a database holds, normalized so that the same DDL gives the
//! same model on PostgreSQL 15, 17 and 18, sorted so that its JSON is stable and diff-able.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version of the snapshot format; bumped when the model's shape changes.
pub const FORMAT_VERSION: u32 = 2;

/// Every object of the schemas in scope. Keys are qualified names (`public.users`);
/// children of a table are keyed by their own name inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SchemaModel {
    /// [`FORMAT_VERSION`] of the snapshot this was read from or written as.
    pub format: u32,
    /// The major version of the server the model was read from (`None` in snapshots
    /// written before it was recorded). Not compared: drift names it when two live
    /// databases run different majors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_major: Option<u32>,
    /// The schemas in scope that exist.
    pub schemas: Vec<String>,
    /// Installed extensions (database-wide).
    pub extensions: BTreeMap<String, Extension>,
    /// Enum types: qualified name to labels in sort order.
    pub enums: BTreeMap<String, Vec<String>>,
    /// Tables (ordinary and partitioned; partitions are listed under their parent).
    pub tables: BTreeMap<String, Table>,
    /// Functions and procedures, keyed `schema.name(identity arguments)`.
    pub functions: BTreeMap<String, Function>,
    /// Views and materialized views.
    pub views: BTreeMap<String, View>,
    /// Sequences, except those behind identity columns (part of the column).
    pub sequences: BTreeMap<String, Sequence>,
    /// What is written on each partition itself (row level security, constraints,
    /// indexes, policies, triggers; not what it inherits), by qualified name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partition_objects: BTreeMap<String, Table>,
    /// Domains, composite types, range types and collations, by qualified name.
    #[serde(default)]
    pub types: BTreeMap<String, UserType>,
    /// Rules, statistics objects, event triggers, aggregates, comments and owners: kind
    /// to name to definition (comments and owners compared on request only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub others: BTreeMap<String, BTreeMap<String, String>>,
    /// Privileges per object (format 2; a format-1 snapshot has none recorded).
    #[serde(default)]
    pub privileges: BTreeMap<String, super::privileges::Privileges>,
}

/// An installed extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// `extversion`; `None` where it is not compared (a version the migrations leave
    /// to the server, see [`super::pinning`]).
    pub version: Option<String>,
    /// The schema its objects live in.
    pub schema: String,
}

/// A table and everything that hangs off it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// `table` or `partitioned table`.
    pub kind: String,
    /// Whether the table is UNLOGGED.
    pub unlogged: bool,
    /// `RANGE ("timestamp")` for a partitioned table.
    pub partition_key: Option<String>,
    /// ENABLE ROW LEVEL SECURITY.
    pub rls_enabled: bool,
    /// FORCE ROW LEVEL SECURITY.
    pub rls_forced: bool,
    /// Storage parameters (`fillfactor=70`, autovacuum settings), sorted.
    #[serde(default)]
    pub options: Vec<String>,
    /// REPLICA IDENTITY: default, full, nothing or `using index NAME`.
    #[serde(default = "default_replica_identity")]
    pub replica_identity: String,
    /// Columns by name.
    pub columns: BTreeMap<String, Column>,
    /// Constraints by name (NOT NULL is a column property, on every version).
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that do not back a constraint, by name.
    pub indexes: BTreeMap<String, Index>,
    /// Row level security policies by name.
    pub policies: BTreeMap<String, Policy>,
    /// User triggers by name.
    pub triggers: BTreeMap<String, Trigger>,
    /// Partitions by qualified name, with their bound.
    pub partitions: BTreeMap<String, String>,
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// `format_type`, e.g. `timestamp with time zone`, `public.vector(1536)`.
    #[serde(rename = "type")]
    pub data_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default expression.
    pub default: Option<String>,
    /// `always` or `by default` for identity columns.
    pub identity: Option<String>,
    /// The identity sequence's options (START, INCREMENT, MINVALUE, MAXVALUE, CACHE,
    /// CYCLE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_options: Option<String>,
    /// The generation expression of a generated column, with `STORED` or `VIRTUAL`.
    pub generated: Option<String>,
    /// The collation, when it is not the type's default.
    pub collation: Option<String>,
}

/// A table constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// `primary key`, `unique`, `foreign key`, `check`, `exclusion` or `trigger`.
    #[serde(rename = "type")]
    pub constraint_type: String,
    /// `pg_get_constraintdef`.
    pub definition: String,
}

/// An index that does not back a constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// `pg_get_indexdef` without the index's own name, so it compares by what it does.
    pub definition: String,
    /// False for an index left invalid by a failed CREATE INDEX CONCURRENTLY.
    pub valid: bool,
}

/// A row level security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// ALL, SELECT, INSERT, UPDATE or DELETE.
    pub command: String,
    /// PERMISSIVE (true) or RESTRICTIVE.
    pub permissive: bool,
    /// Roles it applies to (`public` for all).
    pub roles: Vec<String>,
    /// The USING expression.
    pub using: Option<String>,
    /// The WITH CHECK expression.
    pub with_check: Option<String>,
}

/// A user trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// `pg_get_triggerdef` without the trigger's own name.
    pub definition: String,
    /// `enabled`, `disabled`, `replica` or `always`.
    pub enabled: String,
}

/// A function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// `function` or `procedure`.
    pub kind: String,
    /// `pg_get_function_result`.
    pub result: Option<String>,
    /// `plpgsql`, `sql`, ...
    pub language: String,
    /// immutable, stable or volatile.
    pub volatility: String,
    /// RETURNS NULL ON NULL INPUT.
    pub strict: bool,
    /// SECURITY DEFINER.
    pub security_definer: bool,
    /// `SET name = value` clauses, e.g. `search_path=pg_catalog, public`.
    pub settings: Vec<String>,
    /// The body as written (`prosrc`), or the parsed body of a `BEGIN ATOMIC` function.
    pub body: String,
}

/// A domain, composite type, range type or collation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserType {
    /// `domain`, `composite type`, `range type` or `collation`.
    pub kind: String,
    /// What defines it, as one line: a domain's base type, default, NOT NULL and CHECK
    /// constraints; a composite type's attributes in order; a range type's subtype; a
    /// collation's provider, locale and determinism.
    pub definition: String,
}

/// A view or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// `view` or `materialized view`.
    pub kind: String,
    /// `pg_get_viewdef`, white space collapsed.
    pub definition: String,
    /// security_barrier, security_invoker, check_option and storage parameters, sorted.
    #[serde(default)]
    pub options: Vec<String>,
    /// Indexes of a materialized view, by name.
    pub indexes: BTreeMap<String, Index>,
}

/// A sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// smallint, integer or bigint.
    #[serde(rename = "type")]
    pub data_type: String,
    /// START WITH.
    pub start: String,
    /// INCREMENT BY.
    pub increment: String,
    /// MINVALUE.
    pub min: String,
    /// MAXVALUE.
    pub max: String,
    /// CACHE.
    pub cache: String,
    /// CYCLE.
    pub cycle: bool,
    /// `schema.table.column` for OWNED BY.
    pub owned_by: Option<String>,
}

impl SchemaModel {
    /// Every object's name as drift reports it (`public.users`, `public.users.email`),
    /// so that an `--ignore` pattern can be told it matches nothing.
    pub fn object_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.schemas.clone();
        names.extend(self.extensions.keys().cloned());
        names.extend(self.enums.keys().cloned());
        names.extend(self.functions.keys().cloned());
        names.extend(self.sequences.keys().cloned());
        names.extend(self.types.keys().cloned());
        for (name, table) in self.tables.iter().chain(&self.partition_objects) {
            names.push(name.clone());
            let children = table
                .columns
                .keys()
                .chain(table.constraints.keys())
                .chain(table.indexes.keys())
                .chain(table.policies.keys())
                .chain(table.triggers.keys())
                .chain(table.partitions.keys());
            names.extend(children.map(|child| format!("{name}.{child}")));
        }
        for (name, view) in &self.views {
            names.push(name.clone());
            names.extend(view.indexes.keys().map(|index| format!("{name}.{index}")));
        }
        names
    }
}

impl SchemaModel {
    /// Whether `name` is one of [`SchemaModel::object_names`], found without listing
    /// them all (drift asks it for every object holding privileges).
    pub fn has_object(&self, name: &str) -> bool {
        if self.schemas.iter().any(|s| s == name)
            || self.extensions.contains_key(name)
            || self.enums.contains_key(name)
            || self.functions.contains_key(name)
            || self.sequences.contains_key(name)
            || self.types.contains_key(name)
            || self.tables.contains_key(name)
            || self.partition_objects.contains_key(name)
            || self.views.contains_key(name)
        {
            return true;
        }
        name.match_indices('.').any(|(at, _)| {
            let (owner, child) = (&name[..at], &name[at + 1..]);
            let table = self
                .tables
                .get(owner)
                .or_else(|| self.partition_objects.get(owner));
            table.is_some_and(|t| {
                t.columns.contains_key(child)
                    || t.constraints.contains_key(child)
                    || t.indexes.contains_key(child)
                    || t.policies.contains_key(child)
                    || t.triggers.contains_key(child)
                    || t.partitions.contains_key(child)
            }) || self
                .views
                .get(owner)
                .is_some_and(|v| v.indexes.contains_key(child))
        })
    }

    /// Whether the object of a privilege is there. A column of a view or a partition is
    /// there with its relation: the model lists the columns of tables only (a view's
    /// are compared through its definition, a partition's are its parent's).
    pub fn has_privilege_object(&self, kind: &str, name: &str) -> bool {
        self.has_object(name)
            || kind == "column"
                && name.match_indices('.').any(|(at, _)| {
                    let owner = &name[..at];
                    self.views.contains_key(owner) || self.partition_objects.contains_key(owner)
                })
    }
}

/// What a table's replica identity is unless set: its primary key.
fn default_replica_identity() -> String {
    "default".to_string()
}

/// Joins a schema and a name.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

/// Collapses every run of white space to one space and trims the ends: deparsed view
/// text is laid out differently by different majors, its meaning is not.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops `table.` qualifiers from column references to tables named in FROM or JOIN.
///
/// Up to PostgreSQL 15 a view's query carried two hidden range-table entries, so the
/// deparser qualified every column (`SELECT t.a FROM public.t`); from 16 on it prints
/// `SELECT a FROM public.t`. The qualifier is redundant either way (the server rejects
/// an ambiguous reference), so both forms normalize to the unqualified one.
pub fn unqualify_columns(definition: &str) -> String {
    let words: Vec<&str> = definition.split(' ').collect();
    let mut relations: Vec<String> = Vec::new();
    for pair in words.windows(2) {
        if matches!(pair[0], "FROM" | "JOIN") {
            let relation = pair[1].trim_start_matches('(');
            let relation = relation.trim_end_matches([')', ';', ',']);
            if let Some((_, name)) = relation.rsplit_once('.')
                && !name.is_empty()
            {
                relations.push(format!("{name}."));
            }
        }
    }
    let mut text = definition.to_string();
    for prefix in relations {
        text = strip_qualifier(&text, &prefix);
    }
    text
}

/// Removes `prefix` (`name.`) wherever it starts a column reference: not preceded by an
/// identifier character, a dot or a quote, and followed by an identifier.
fn strip_qualifier(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = match at {
            0 => out.chars().last(),
            _ => rest[..at].chars().last(),
        };
        let after = rest[at + prefix.len()..].chars().next();
        let starts_reference = before
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
            && after.is_some_and(|c| c.is_alphabetic() || c == '_' || c == '"');
        out.push_str(&rest[..at]);
        if !starts_reference {
            out.push_str(prefix);
        }
        rest = &rest[at + prefix.len()..];
    }
    out.push_str(rest);
    out
}

/// Removes an object's own name from its `CREATE INDEX name ON` or `CREATE TRIGGER name`
/// definition, so two objects that do the same thing compare equal whatever the server
/// or a hand-written script named them.
pub fn without_own_name(definition: &str, name: &str) -> String {
    let quoted = crate::sql::ident_as_printed(name);
    for candidate in [quoted.as_str(), name] {
        let needle = format!(" {candidate} ");
        if let Some(at) = definition.find(&needle) {
            return format!(
                "{}{}",
                &definition[..at],
                &definition[at + needle.len() - 1..]
            );
        }
    }
    definition.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_object_agrees_with_the_names_listed() {
        let model = crate::catalog::snapshot::embedded().unwrap();
        let names = model.object_names();
        assert!(names.len() > 500);
        for name in &names {
            assert!(model.has_object(name), "{name}");
        }
        for absent in [
            "public.nope",
            "public.users.nope",
            "public",
            "public.users.",
            ".",
        ] {
            assert_eq!(
                model.has_object(absent),
                names.iter().any(|n| n == absent),
                "{absent}"
            );
        }
    }

    #[test]
    fn own_names_are_removed_from_definitions() {
        assert_eq!(
            without_own_name(
                "CREATE UNIQUE INDEX users_email_key1 ON public.users USING btree (email)",
                "users_email_key1"
            ),
            "CREATE UNIQUE INDEX ON public.users USING btree (email)"
        );
        assert_eq!(
            without_own_name(
                "CREATE TRIGGER \"Touch\" BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION f()",
                "Touch"
            ),
            "CREATE TRIGGER BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION f()"
        );
    }

    #[test]
    fn redundant_column_qualifiers_are_dropped() {
        assert_eq!(
            unqualify_columns(
                "SELECT bookings.room, count(*) AS n FROM public.bookings GROUP BY bookings.room;"
            ),
            "SELECT room, count(*) AS n FROM public.bookings GROUP BY room;"
        );
        assert_eq!(
            unqualify_columns("SELECT a.id FROM public.accounts a WHERE a.x = 'bookings.y'"),
            "SELECT a.id FROM public.accounts a WHERE a.x = 'bookings.y'"
        );
        assert_eq!(
            unqualify_columns("SELECT t.a, xt.b FROM public.t JOIN public.xt ON (t.a = xt.a)"),
            "SELECT a, b FROM public.t JOIN public.xt ON (a = a)"
        );
    }

    #[test]
    fn white_space_is_collapsed() {
        assert_eq!(
            collapse_whitespace("  SELECT a,\n    b\n   FROM t;"),
            "SELECT a, b FROM t;"
        );
    }
}
