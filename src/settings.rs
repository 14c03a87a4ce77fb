//! Resolves where the database URL comes from: flag over environment over env file,
//! else libpq's own variables when they name a server.
//!
//! The env file is parsed with dotenvy and never overrides a variable already set.
//! Where the URL came from matters: a password on the command line draws a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cli::ConnectionArgs;
use crate::dsn::environment::LibpqEnvironment;
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
    /// No DATABASE_URL anywhere: libpq's variables (`PGHOST`, ...) name the server, and
    /// the connection string is empty, as for psql run without arguments.
    LibpqEnvironment,
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

/// The env file (explicit, or `.env` when present), parsed with dotenvy but not put
/// into the process environment: vsecure reads from it only what the environment leaves
/// unset, and nothing in it can make the process panic (a NUL byte, say).
pub struct EnvFile {
    /// The file read.
    pub path: PathBuf,
    vars: HashMap<String, String>,
}

impl EnvFile {
    /// The value the file gives a variable, if it does.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }
}

/// Reads the env file, if there is one to read.
pub fn load_env_file(args: &ConnectionArgs) -> Result<Option<EnvFile>> {
    let path = match &args.env_file {
        Some(path) => match std::fs::metadata(path) {
            Err(_) => {
                return Err(Error::Usage(format!(
                    "env file {} does not exist",
                    path.display()
                )));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(Error::Usage(format!(
                    "env file {} is not a regular file (a directory, FIFO or device cannot be read as one)",
                    path.display()
                )));
            }
            Ok(_) => path.clone(),
        },
        None => match default_env_file() {
            Some(path) => path,
            None => return Ok(None),
        },
    };
    let entries = dotenvy::from_path_iter(&path).map_err(|e| env_file_error(&path, &e))?;
    let mut vars = HashMap::new();
    for entry in entries {
        let (key, value) = entry.map_err(|e| env_file_error(&path, &e))?;
        vars.insert(key, value);
    }
    Ok(Some(EnvFile { path, vars }))
}

/// The `.env` read when `--env-file` is not given: in the current directory or the
/// nearest parent that has one, as dotenvy-based tools find it.
pub fn default_env_file() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    here.ancestors()
        .map(|dir| dir.join(DEFAULT_ENV_FILE))
        .find(|path| path.is_file())
}

/// dotenvy's parse errors quote the offending line, which may hold a password: say
/// only where it is.
fn env_file_error(path: &Path, error: &dotenvy::Error) -> Error {
    let detail = match error {
        dotenvy::Error::LineParse(_, index) => format!("cannot parse it at byte {index}"),
        dotenvy::Error::Io(e) => format!("cannot read it: {}", e.kind()),
        dotenvy::Error::EnvVar(_) => "it holds an invalid variable".to_string(),
        _ => "cannot load it".to_string(),
    };
    Error::Usage(format!("env file {}: {detail}", path.display()))
}

/// Finds the database URL: an explicit argument, else `--database-url`, else
/// `DATABASE_URL` from the environment, else from the env file.
pub fn resolve_database_url(explicit: Option<&str>, args: &ConnectionArgs) -> Result<DatabaseUrl> {
    if let Some(text) = explicit.or(args.database_url.as_deref()) {
        return Ok(DatabaseUrl {
            text: text.to_string(),
            source: UrlSource::CommandLine,
        });
    }
    // The default .env is read only when it is needed; one named with --env-file is
    // always read, so that a mistake in it does not go unnoticed.
    let in_environment = std::env::var_os(DATABASE_URL_VAR).is_some();
    let env_file = if in_environment && args.env_file.is_none() {
        None
    } else {
        load_env_file(args)?
    };
    let (text, source) = match std::env::var_os(DATABASE_URL_VAR) {
        Some(value) => match value.into_string() {
            Ok(text) => (text, UrlSource::Environment),
            Err(_) => {
                return Err(Error::Usage(format!(
                    "{DATABASE_URL_VAR} in the environment is not valid UTF-8"
                )));
            }
        },
        None => match &env_file {
            Some(file) => match file.get(DATABASE_URL_VAR) {
                Some(text) => (text.to_string(), UrlSource::EnvFile(file.path.clone())),
                None => return libpq_environment_only(),
            },
            None => return libpq_environment_only(),
        },
    };
    if text.contains('\0') {
        return Err(Error::Usage(format!(
            "{DATABASE_URL_VAR} ({}) holds a NUL byte, which no connection string can contain",
            source.describe()
        )));
    }
    if text.trim().is_empty() {
        return Err(Error::MissingDatabaseUrl);
    }
    Ok(DatabaseUrl { text, source })
}

/// The empty connection string when libpq's environment names a server, else the
/// missing-URL error.
fn libpq_environment_only() -> Result<DatabaseUrl> {
    if LibpqEnvironment::from_process().names_a_server() {
        Ok(DatabaseUrl {
            text: String::new(),
            source: UrlSource::LibpqEnvironment,
        })
    } else {
        Err(Error::MissingDatabaseUrl)
    }
}

impl UrlSource {
    /// Where the value came from, in words.
    pub fn describe(&self) -> String {
        match self {
            UrlSource::CommandLine => "the command line".to_string(),
            UrlSource::Environment => "the environment".to_string(),
            UrlSource::EnvFile(path) => format!("env file {}", path.display()),
            UrlSource::LibpqEnvironment => {
                "libpq's environment (PGHOST and friends; DATABASE_URL is not set)".to_string()
            }
        }
    }
}
