//! A drift comparison as a whole: the differences on a basis (what the migrations
//! determine, or another live database fact for fact), `--ignore` applied, and what the
//! report needs to say about it.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// What the migrations determine (snapshot, shadow database).
    Migrations,
    /// Another live database, compared fact for fact.
    LiveDatabase,
}

/// The comparison on a basis, with `--ignore` applied.
pub fn compare(
    mut expected: SchemaModel,
    mut actual: SchemaModel,
    ignore: &IgnoreSet,
    expected_source: String,
    basis: Basis,
) -> Result<DriftReport, SetError> {
    if basis == Basis::Migrations {
        let set = MigrationSet::embedded()?;
        let pinned = pinning::pinned_extensions(&set);
        pinning::keep_pinned_versions(&mut expected, &pinned);
        pinning::keep_pinned_versions(&mut actual, &pinned);
    }
    let majors_differ = match (basis, expected.server_major, actual.server_major) {
        (Basis::LiveDatabase, Some(e), Some(a)) if e != a => Some(MajorPair {
            expected: e,
            actual: a,
        }),
        _ => None,
    };
    let (ignored, differences): (Vec<_>, Vec<_>) = super::diff(&expected, &actual)
        .into_iter()
        .partition(|d| ignore.silences(d));
    Ok(DriftReport {
        drift: !differences.is_empty(),
        expected_source,
        differences,
        ignored: ignored.len(),
        extension_versions: match basis {
            Basis::Migrations => "pinned",
            Basis::LiveDatabase => "all",
        },
        majors_differ,
    })
}
