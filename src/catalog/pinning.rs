//! Which extension versions the migrations determine. `CREATE EXTENSION IF NOT EXISTS
//! vector` leaves the version to the server (PostgreSQL 16 installs citext 1.6, 18 installs
//! 1.8), so drift against the migrations compares the versions the migrations pin
//! (`CREATE EXTENSION ... VERSION`, `ALTER EXTENSION ... UPDATE TO`) and holds the others
//! against the requirements of `extensions check` instead.

use std::collections::BTreeSet;

use super::model::SchemaModel;
use crate::migrate::MigrationSet;
use crate::sqlparse::{self, rules};

/// The extensions whose version some migration of `set` names. A migration the parser
/// rejects pins nothing here; migrate refuses it before anything runs.
pub fn pinned_extensions(set: &MigrationSet) -> BTreeSet<String> {
    set.files()
        .iter()
        .filter_map(|file| sqlparse::statements(file.sql()).ok())
        .flatten()
        .filter_map(|statement| rules::pinned_extension(statement.node.as_ref()?))
        .collect()
}

/// Forgets the versions of the extensions not in `pinned`: what remains is what the
/// migrations determine.
pub fn keep_pinned_versions(model: &mut SchemaModel, pinned: &BTreeSet<String>) {
    for (name, extension) in model.extensions.iter_mut() {
        if !pinned.contains(name) {
            extension.version = None;
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(sql: &str) -> BTreeSet<String> {
        let set = MigrationSet::from_sources([("V1__x", sql)]).unwrap();
        pinned_extensions(&set)
    }

    #[test]
    fn an_extension_created_without_a_version_is_not_pinned() {
        assert!(
            pinned("CREATE EXTENSION IF NOT EXISTS vector;\nCREATE EXTENSION citext;").is_empty()
        );
    }

    #[test]
    fn a_version_clause_or_an_update_to_pins() {
        let set = pinned(
            "-- header\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public VERSION '1.1';\n\
             create extension Citext version '1.6';\nALTER EXTENSION vector UPDATE TO '0.8.0';\n\
             ALTER EXTENSION pg_trgm UPDATE;",
        );
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            ["citext", "uuid-ossp", "vector"]
        );
    }
}
