//! Which extension versions the migrations determine. `CREATE EXTENSION IF NOT EXISTS
//! vector` leaves the version to the server (PostgreSQL 16 installs citext 1.6, 18 installs
//! 1.8), so drift against the migrations compares the versions the migrations pin
//! (`CREATE EXTENSION ... VERSION`, `ALTER EXTENSION ... UPDATE TO`) and holds the others
//! against the requirements of `extensions check` instead.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::model::SchemaModel;
use crate::migrate::{MigrationSet, split};

/// `CREATE EXTENSION [IF NOT EXISTS] name ... VERSION` and `ALTER EXTENSION name UPDATE TO`.
static PINNING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)^\s*(?:create\s+extension\s+(?:if\s+not\s+exists\s+)?(?P<created>"(?:[^"]|"")+"|[a-z_][a-z0-9_$-]*)\s.*\bversion\b|alter\s+extension\s+(?P<updated>"(?:[^"]|"")+"|[a-z_][a-z0-9_$-]*)\s+update\s+to\b)"#,
    )
    .expect("the pinning pattern compiles")
});

/// The extensions whose version some migration of `set` names.
pub fn pinned_extensions(set: &MigrationSet) -> BTreeSet<String> {
    set.files()
        .iter()
        .flat_map(|file| split::statements(file.sql()))
        .filter_map(|statement| {
            let text = without_comments(statement.text);
            let caps = PINNING.captures(&text)?;
            let name = caps.name("created").or(caps.name("updated"))?.as_str();
            Some(
                match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                    Some(quoted) => quoted.replace("\"\"", "\""),
                    None => name.to_lowercase(),
                },
            )
        })
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

/// The statement with its leading `--` comment lines removed (a migration's header).
fn without_comments(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
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
