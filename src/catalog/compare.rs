//! A drift comparison as a whole: the differences on a basis (what the migrations
//! determine, or another live database fact for fact), `--ignore` applied, and what the
//! report needs to say about it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Difference, IgnoreSet, SchemaModel, pinning};
use crate::migrate::{MigrationSet, SetError};

/// The outcome of a drift comparison: what `drift` prints and doctor includes.
#[derive(Debug, Serialize)]
pub struct DriftReport {
    /// True when any difference remains after `--ignore`.
    pub drift: bool,
    /// Where the expected schema came from.
    pub expected_source: String,
    /// The differences, sorted by object.
    pub differences: Vec<Difference>,
    /// How many differences `--ignore` silenced.
    pub ignored: usize,
    /// Which extension versions were compared: `pinned` (against the migrations: only
    /// the versions they name; the rest are the server's choice, checked by `extensions
    /// check`) or `all` (two live databases).
    pub extension_versions: &'static str,
    /// The two servers' majors, when two live databases run different ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub majors_differ: Option<MajorPair>,
    /// Options that had no effect: an `--ignore` pattern that matches no object, a
    /// `--schema` that exists in neither database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The PostgreSQL majors of the expected and the actual database.
#[derive(Debug, Serialize)]
pub struct MajorPair {
    /// The major of the expected (`--against`) database.
    pub expected: u32,
    /// The major of the database checked.
    pub actual: u32,
}

/// What the expected schema is held to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// What the migrations determine (snapshot, shadow database): of the extensions'
    /// versions, only those the migrations pin are compared.
    Migrations {
        /// The extensions whose version a migration names.
        pinned: BTreeSet<String>,
    },
    /// Another live database, compared fact for fact.
    LiveDatabase,
}

impl Basis {
    /// What the embedded migrations determine, with the extension versions they pin.
    pub fn embedded_migrations() -> Result<Basis, SetError> {
        Ok(Basis::Migrations {
            pinned: pinning::pinned_extensions(&MigrationSet::embedded()?),
        })
    }
}

/// What is compared (and read) beyond the schema itself, off by default: owners differ
/// between a Neon branch and a local database, and comments are documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Optional {
    /// Compare who owns each table, view and function (`--owners`).
    pub owners: bool,
    /// Compare comments on tables, columns, views and functions (`--comments`).
    pub comments: bool,
}

impl Optional {
    /// Everything: what a snapshot records, so that any comparison can be made from it.
    pub const ALL: Optional = Optional {
        owners: true,
        comments: true,
    };
}

/// The comparison on a basis, with `--ignore` applied; `named_schemas` are those given
/// with `--schema`, checked for existence.
pub fn compare(
    mut expected: SchemaModel,
    mut actual: SchemaModel,
    ignore: &IgnoreSet,
    named_schemas: &[String],
    optional: Optional,
    expected_source: String,
    basis: Basis,
) -> DriftReport {
    for (kind, wanted) in [("owner", optional.owners), ("comment", optional.comments)] {
        if !wanted {
            expected.others.remove(kind);
            actual.others.remove(kind);
        }
    }
    if let Basis::Migrations { pinned } = &basis {
        pinning::keep_pinned_versions(&mut expected, pinned);
        pinning::keep_pinned_versions(&mut actual, pinned);
    }
    let majors_differ = match (&basis, expected.server_major, actual.server_major) {
        (Basis::LiveDatabase, Some(e), Some(a)) if e != a => Some(MajorPair {
            expected: e,
            actual: a,
        }),
        _ => None,
    };
    let mut warnings = ineffective_options(&expected, &actual, ignore, named_schemas);
    if expected.format < 2 {
        forget_what_format_1_lacks(&mut actual);
        warnings.push(format!(
            "the expected schema is a format-{} snapshot, which records no privileges, domains, composite or range types, collations, rules, statistics, event triggers, aggregates, comments, owners, storage parameters, view options, replica identity or identity options: they are not compared (write a new snapshot with vsecure schema dump)",
            expected.format
        ));
    }
    let (ignored, differences): (Vec<_>, Vec<_>) = super::diff(&expected, &actual)
        .into_iter()
        .partition(|d| ignore.silences(d));
    DriftReport {
        drift: !differences.is_empty(),
        expected_source,
        differences,
        ignored: ignored.len(),
        extension_versions: match basis {
            Basis::Migrations { .. } => "pinned",
            Basis::LiveDatabase => "all",
        },
        majors_differ,
        warnings,
    }
}

/// Clears from a live model what a format-1 snapshot does not record, so that it is
/// not called drift.
fn forget_what_format_1_lacks(model: &mut SchemaModel) {
    model.privileges.clear();
    model.types.clear();
    model.others.clear();
    for table in model.tables.values_mut() {
        table.options.clear();
        table.replica_identity = "default".to_string();
        for column in table.columns.values_mut() {
            column.identity_options = None;
        }
    }
    for view in model.views.values_mut() {
        view.options.clear();
    }
}

/// Says which `--ignore` patterns and `--schema` names changed nothing.
fn ineffective_options(
    expected: &SchemaModel,
    actual: &SchemaModel,
    ignore: &IgnoreSet,
    named_schemas: &[String],
) -> Vec<String> {
    let mut warnings: Vec<String> = named_schemas
        .iter()
        .filter(|s| !expected.schemas.contains(s) && !actual.schemas.contains(s))
        .map(|s| format!("--schema {s}: no such schema in either database, so it adds nothing"))
        .collect();
    if ignore.is_empty() {
        return warnings;
    }
    let names: Vec<String> = expected
        .object_names()
        .into_iter()
        .chain(actual.object_names())
        .collect();
    warnings.extend(
        ignore
            .unmatched(names.iter().map(String::as_str))
            .into_iter()
            .map(|p| {
                format!(
                    "--ignore {p}: matches no object in either database, so it silences nothing"
                )
            }),
    );
    warnings
}
