//! Which extension versions the migrations determine. `CREATE EXTENSION IF NOT EXISTS
//! vector` leaves the version to the server (PostgreSQL 16 installs citext 1.6, 18 installs
//! 1.8), so drift against the migrations compares the versions the migrations pin
//! (`CREATE EXTENSION ... VERSION`, `ALTER EXTENSION ... UPDATE TO`) and holds the others
//! against the requirements of `extensions check` instead.

use std::collections::BTreeSet;

use super::model::SchemaModel;
use crate::migrate::MigrationSet;
use crate::sqlparse::{self, rules};

/// The extensions whose version some migration of `set` names. The migrations that
/// mention extensions are split by PostgreSQL's own scanner and only the statements
/// that begin `CREATE
/// EXTENSION` or `ALTER EXTENSION` are parsed (parsing every migration would be most of
/// what `drift` costs on the client). A migration the parser rejects pins nothing here;
/// migrate refuses it before anything runs.
pub fn pinned_extensions(set: &MigrationSet) -> BTreeSet<String> {
    set.files()
        .iter()
        .filter(|file| file.sql().to_ascii_lowercase().contains("extension"))
        .filter_map(|file| pg_query::split_with_scanner(file.sql()).ok())
        .flatten()
        .filter(|statement| names_an_extension(statement))
        .filter_map(|statement| sqlparse::statements(statement).ok())
        .flatten()
        .filter_map(|statement| rules::pinned_extension(statement.node.as_ref()?))
        .collect()
}

/// Whether a statement's first two words, after any comments, are `CREATE EXTENSION` or
/// `ALTER EXTENSION`: the only statements that can pin a version.
fn names_an_extension(statement: &str) -> bool {
    let mut rest = statement.trim_start();
    loop {
        if let Some(line_comment) = rest.strip_prefix("--") {
            rest = line_comment
                .split_once('\n')
                .map_or("", |(_, r)| r)
                .trim_start();
        } else if let Some(block) = rest.strip_prefix("/*") {
            rest = block.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let mut words = rest.split_whitespace().map(str::to_ascii_lowercase);
    matches!(
        (words.next().as_deref(), words.next().as_deref()),
        (Some("create" | "alter"), Some("extension"))
    )
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
    fn only_extension_statements_are_read() {
        assert!(names_an_extension(
            "-- pin it\n/* really */ create  Extension citext VERSION '1.6'"
        ));
        assert!(names_an_extension(
            "ALTER EXTENSION vector UPDATE TO '0.8.0'"
        ));
        assert!(!names_an_extension("CREATE TABLE extension (id int)"));
        assert!(!names_an_extension(
            "-- CREATE EXTENSION x VERSION '1'\nSELECT 1"
        ));
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
