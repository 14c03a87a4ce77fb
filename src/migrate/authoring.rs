//! Writing a new migration file: the next version, a name refinery will pick up (it
//! skips a misnamed file without a word), and a header that says how to write it.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use super::set::NO_TRANSACTION_DIRECTIVE;

/// refinery's rule for a migration file name: `V{version}__{name}.sql`, the name made
/// of word characters only.
static FILE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^V(\d+)__(\w+)\.sql$").expect("the file name pattern compiles"));

/// What a new migration file needs.
#[derive(Debug, Clone)]
pub struct NewMigration<'a> {
    /// The folder the migrations are embedded from.
    pub dir: &'a Path,
    /// The name after `V{version}__`.
    pub name: &'a str,
    /// A version of its own choosing; else the highest in the folder plus one.
    pub version: Option<i32>,
    /// Start the file with the directive that runs it outside a transaction.
    pub no_transaction: bool,
}

/// The file written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    /// Its path.
    pub path: PathBuf,
    /// Its version.
    pub version: i32,
    /// Its name.
    pub name: String,
    /// Whether it runs outside a transaction.
    pub no_transaction: bool,
}

/// Why the file was not written.
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    /// The migrations folder does not exist.
    #[error(
        "no migrations folder at {0}: run this from the repository root, or name the folder with --dir"
    )]
    NoFolder(String),
    /// A name refinery would skip.
    #[error(
        "the name \"{0}\" would not be picked up: refinery embeds only files named V{{version}}__{{name}}.sql whose name is letters, digits and underscores (no dash, space or dot); try \"{1}\""
    )]
    BadName(String, String),
    /// The version is taken.
    #[error(
        "version {0} is taken by {1}: choose another with --version, or leave it out for the next one"
    )]
    VersionTaken(i32, String),
    /// A version below 1.
    #[error("version {0} is not a migration version: versions start at 1")]
    BadVersion(i32),
    /// The folder could not be read or the file written.
    #[error("{0}")]
    Io(String),
}

/// Writes `V{next}__{name}.sql` with its header; never overwrites a file.
pub fn write_new(new: &NewMigration<'_>) -> Result<Written, AuthoringError> {
    if !new.dir.is_dir() {
        return Err(AuthoringError::NoFolder(new.dir.display().to_string()));
    }
    let candidate = format!("V1__{}.sql", new.name);
    if new.name.is_empty() || !FILE_NAME.is_match(&candidate) {
        return Err(AuthoringError::BadName(
            new.name.to_string(),
            suggested_name(new.name),
        ));
    }
    let existing = existing_versions(new.dir)?;
    let version = match new.version {
        Some(v) if v < 1 => return Err(AuthoringError::BadVersion(v)),
        Some(v) => {
            if let Some((_, file)) = existing.iter().find(|(n, _)| *n == v) {
                return Err(AuthoringError::VersionTaken(v, file.clone()));
            }
            v
        }
        None => existing.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1,
    };
    let path = new.dir.join(format!("V{version}__{}.sql", new.name));
    let io =
        |e: std::io::Error| AuthoringError::Io(format!("cannot write {}: {e}", path.display()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    std::io::Write::write_all(
        &mut file,
        header(version, new.name, new.no_transaction).as_bytes(),
    )
    .map_err(io)?;
    Ok(Written {
        path,
        version,
        name: new.name.to_string(),
        no_transaction: new.no_transaction,
    })
}

/// The versions of the migration files in `dir`, with their file names.
fn existing_versions(dir: &Path) -> Result<Vec<(i32, String)>, AuthoringError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| AuthoringError::Io(format!("cannot read {}: {e}", dir.display())))?;
    Ok(entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = FILE_NAME.captures(&name)?.get(1)?.as_str().parse().ok()?;
            Some((version, name))
        })
        .collect())
}

/// The name with every run of other characters made one underscore.
fn suggested_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        "add_something".to_string()
    } else {
        out
    }
}

/// What a new migration starts with.
fn header(version: i32, name: &str, no_transaction: bool) -> String {
    let mut text = String::new();
    if no_transaction {
        text.push_str(NO_TRANSACTION_DIRECTIVE);
        text.push('\n');
        text.push_str(&format!(
            "-- V{version} {name}: runs outside a transaction, statement by statement (for\n\
             -- CREATE INDEX CONCURRENTLY, VACUUM and the like). A failure leaves the statements\n\
             -- before it applied and the migration unrecorded, so write each statement to be\n\
             -- safe to run again (IF NOT EXISTS, IF EXISTS).\n"
        ));
    } else {
        text.push_str(&format!(
            "-- V{version} {name}: runs in one transaction with its history row, so all of it\n\
             -- applies or none of it. A statement PostgreSQL will not run in a transaction\n\
             -- (CREATE INDEX CONCURRENTLY, VACUUM) belongs in a migration of its own whose first\n\
             -- line is `{NO_TRANSACTION_DIRECTIVE}` (`vsecure migration new NAME --no-transaction`).\n"
        ));
    }
    text.push_str(
        "--\n\
         -- Locks: a statement that must lock a busy table (ALTER TABLE, CREATE INDEX) waits at\n\
         -- most lock_timeout (vsecure's --lock-timeout, 10s by default), then fails and the\n\
         -- migration rolls back; on a busy table set a shorter wait first, for example\n\
         -- SET LOCAL lock_timeout = '2s';\n\
         -- Once it is applied anywhere, never edit this file: vsecure refuses a changed\n\
         -- migration (its checksum differs); write a new one instead.\n\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_in<'a>(dir: &'a Path, name: &'a str) -> NewMigration<'a> {
        NewMigration {
            dir,
            name,
            version: None,
            no_transaction: false,
        }
    }

    #[test]
    fn the_next_version_follows_the_highest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("V1__a.sql"), "").unwrap();
        std::fs::write(dir.path().join("V10__b.sql"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let written = write_new(&new_in(dir.path(), "add_index")).unwrap();
        assert_eq!(written.version, 11);
        assert!(written.path.ends_with("V11__add_index.sql"));
        let text = std::fs::read_to_string(&written.path).unwrap();
        assert!(text.contains("lock_timeout"));
        assert!(crate::sqlparse::statements(&text).unwrap().is_empty());
    }

    #[test]
    fn names_refinery_would_skip_are_refused_with_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["add-index", "add index", "v1.2", ""] {
            let error = write_new(&new_in(dir.path(), name)).unwrap_err();
            assert!(
                matches!(error, AuthoringError::BadName(..)),
                "{name}: {error}"
            );
        }
        let error = write_new(&new_in(dir.path(), "add-users index")).unwrap_err();
        assert!(
            error.to_string().contains("try \"add_users_index\""),
            "{error}"
        );
    }

    #[test]
    fn a_taken_version_and_a_missing_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("V3__a.sql"), "").unwrap();
        let mut new = new_in(dir.path(), "b");
        new.version = Some(3);
        assert!(matches!(
            write_new(&new),
            Err(AuthoringError::VersionTaken(3, _))
        ));
        let missing = dir.path().join("nope");
        assert!(matches!(
            write_new(&new_in(&missing, "b")),
            Err(AuthoringError::NoFolder(_))
        ));
        let mut directive = new_in(dir.path(), "concurrent_index");
        directive.no_transaction = true;
        let written = write_new(&directive).unwrap();
        let text = std::fs::read_to_string(written.path).unwrap();
        assert!(text.starts_with(NO_TRANSACTION_DIRECTIVE));
    }
}
