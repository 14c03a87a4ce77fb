//! Resolves where the database URL comes from: flag over environment over env file.
//!
//! The env file is loaded with dotenvy and never overrides a variable already set.
//! Where the URL came from matters: a password on the command line draws a warning.

use std::path::{Path, PathBuf};

use crate::cli::ConnectionArgs;
use crate::error::{Error, Result};

/// The environment variable holding the connection string.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// The env file read when `--env-file` is not given and it exists.
pub const DEFAULT_ENV_FILE: &str = ".env";

/// Where a database URL was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// A command-line argument (visible in `ps`).
    CommandLine,
    /// The process environment.
    Environment,
    /// An env file loaded by vsecure.
    EnvFile(PathBuf),
}

/// A connection string and where it came from.
#[derive(Clone)]
pub struct DatabaseUrl {
    /// The connection string itself: a secret, never printed.
    pub text: String,
    /// Where it was found.
    pub source: UrlSource,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("text", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

/// Loads the env file (explicit, or `.env` when present) without overriding the
/// environment, and returns the path loaded, if any.
pub fn load_env_file(args: &ConnectionArgs) -> Result<Option<PathBuf>> {
    let path = match &args.env_file {
        Some(path) if !path.is_file() => {
            return Err(Error::Usage(format!(
                "env file {} does not exist",
                path.display()
            )));
        }
        Some(path) => path.clone(),
        None if Path::new(DEFAULT_ENV_FILE).is_file() => PathBuf::from(DEFAULT_ENV_FILE),
        None => return Ok(None),
    };
    dotenvy::from_path(&path).map_err(|e| env_file_error(&path, &e))?;
    Ok(Some(path))
}

/// dotenvy's parse errors quote the offending line, which may hold a password: say
/// only where it is.
fn env_file_error(path: &Path, error: &dotenvy::Error) -> Error {
    let detail = match error {
        dotenvy::Error::LineParse(_, index) => format!("cannot parse it at byte {index}"),
        dotenvy::Error::Io(e) => format!("cannot read it: {e}"),
        dotenvy::Error::EnvVar(_) => "it holds an invalid variable".to_string(),
        _ => "cannot load it".to_string(),
    };
    Error::Usage(format!("env file {}: {detail}", path.display()))
}

/// Finds the database URL: an explicit argument, else `--database-url`, else
/// `DATABASE_URL` from the environment or the env file.
pub fn resolve_database_url(explicit: Option<&str>, args: &ConnectionArgs) -> Result<DatabaseUrl> {
    if let Some(text) = explicit.or(args.database_url.as_deref()) {
        return Ok(DatabaseUrl {
            text: text.to_string(),
            source: UrlSource::CommandLine,
        });
    }
    let from_environment = std::env::var(DATABASE_URL_VAR).ok();
    let env_file = load_env_file(args)?;
    let source = match (&from_environment, env_file) {
        (Some(_), _) => UrlSource::Environment,
        (None, Some(path)) => UrlSource::EnvFile(path),
        (None, None) => return Err(Error::MissingDatabaseUrl),
    };
    match std::env::var(DATABASE_URL_VAR) {
        Ok(text) if !text.trim().is_empty() => Ok(DatabaseUrl { text, source }),
        _ => Err(Error::MissingDatabaseUrl),
    }
}
