//! libpq's environment: the `PG*` variables, the operating-system user and the password
//! file fill what a connection string leaves unset, with libpq's precedence.
//!
//! Users of psql, pg_dump and every libpq-based tool keep `PGHOST`, `PGSSLROOTCERT` or a
//! `~/.pgpass` and expect them to apply. vsecure applies them exactly as libpq's
//! `conninfo_add_defaults` and `passwordFromFile` do, records where each value came
//! from, and lets the policy judge the result rather than the string alone.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::ConnInfo;
use super::passfile;

/// Where a value in force came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum Source {
    /// The connection string.
    String,
    /// A libpq environment variable.
    Environment {
        /// The variable, e.g. `PGHOST`.
        variable: &'static str,
    },
    /// The password file (`~/.pgpass`, `PGPASSFILE` or `passfile`).
    Passfile {
        /// The file the password was read from.
        path: String,
    },
    /// libpq's built-in default (the operating-system user for `user`).
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::String => f.write_str("connection string"),
            Source::Environment { variable } => write!(f, "environment {variable}"),
            Source::Passfile { path } => write!(f, "password file {path}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// The keyword each libpq environment variable fills, in libpq's keyword order.
pub const VARIABLES: &[(&str, &str)] = &[
    ("service", "PGSERVICE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("channel_binding", "PGCHANNELBINDING"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("dbname", "PGDATABASE"),
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("client_encoding", "PGCLIENTENCODING"),
    ("options", "PGOPTIONS"),
    ("application_name", "PGAPPNAME"),
    ("sslmode", "PGSSLMODE"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("sslcompression", "PGSSLCOMPRESSION"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("sslcertmode", "PGSSLCERTMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcrl", "PGSSLCRL"),
    ("sslcrldir", "PGSSLCRLDIR"),
    ("sslsni", "PGSSLSNI"),
    ("requirepeer", "PGREQUIREPEER"),
    ("require_auth", "PGREQUIREAUTH"),
    ("min_protocol_version", "PGMINPROTOCOLVERSION"),
    ("max_protocol_version", "PGMAXPROTOCOLVERSION"),
    ("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
    ("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"),
    ("gssencmode", "PGGSSENCMODE"),
    ("krbsrvname", "PGKRBSRVNAME"),
    ("gsslib", "PGGSSLIB"),
    ("gssdelegation", "PGGSSDELEGATION"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("load_balance_hosts", "PGLOADBALANCEHOSTS"),
];

/// libpq's deprecated variable: a value starting with `1` means `sslmode=require` when
/// neither the string nor `PGSSLMODE` sets sslmode.
const REQUIRE_SSL: &str = "PGREQUIRESSL";

/// A snapshot of what libpq reads from outside the connection string.
#[derive(Debug, Clone, Default)]
pub struct LibpqEnvironment {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
    os_user: Option<String>,
}

impl LibpqEnvironment {
    /// This process's environment, home directory and effective user, as libpq sees them.
    pub fn from_process() -> Self {
        let names = VARIABLES.iter().map(|(_, v)| *v).chain([REQUIRE_SSL]);
        let vars = names
            .filter_map(|name| {
                let value = std::env::var_os(name)?.into_string().ok()?;
                Some((name.to_string(), value))
            })
            .collect();
        LibpqEnvironment {
            vars,
            home: passfile::home_directory(),
            os_user: passfile::effective_user_name(),
        }
    }

    /// An environment given explicitly (variables, home directory, operating-system user).
    pub fn new(
        vars: impl IntoIterator<Item = (String, String)>,
        home: Option<PathBuf>,
        os_user: Option<String>,
    ) -> Self {
        LibpqEnvironment {
            vars: vars.into_iter().collect(),
            home,
            os_user,
        }
    }

    /// Whether the environment alone says where to connect (`PGHOST`, `PGHOSTADDR` or
    /// `PGSERVICE`), so that it can stand in for a missing DATABASE_URL.
    pub fn names_a_server(&self) -> bool {
        ["PGHOST", "PGHOSTADDR", "PGSERVICE"]
            .iter()
            .any(|v| self.vars.get(*v).is_some_and(|value| !value.is_empty()))
    }

    fn get(&self, variable: &str) -> Option<&str> {
        self.vars.get(variable).map(String::as_str)
    }
}

/// A connection with everything libpq would fill in, and where each value came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The values in force.
    pub info: ConnInfo,
    /// Keyword to where its value came from, for every value in force.
    pub sources: BTreeMap<String, Source>,
    /// Why a password file was passed over (libpq's warnings), if it was.
    pub warnings: Vec<String>,
}

/// Why the password file cannot be used as libpq would use it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// libpq looks a password up per host; vsecure sends one password to every host, so
    /// a password the file gives one host only must not reach the others.
    #[error(
        "the password file {0} does not give the same password for every host of this connection; vsecure sends one password to every host: give it in the connection string or PGPASSWORD, or connect to one host"
    )]
    PasswordPerHost(String),
}

/// Fills what `info` leaves unset from `env`, as libpq does: each unset keyword from its
/// variable (set, even to an empty value), `sslmode` from `PGREQUIRESSL`, an unset or
/// empty `user` from the operating-system user and `dbname` from the user, and then,
/// when no password is given (or an empty one), the password from the password file.
pub fn resolve(info: &ConnInfo, env: &LibpqEnvironment) -> Result<Resolved, ResolveError> {
    let mut values = info.clone();
    let mut sources: BTreeMap<String, Source> = info
        .iter()
        .map(|(k, _)| (k.to_string(), Source::String))
        .collect();
    for (keyword, variable) in VARIABLES {
        if values.get(keyword).is_some() {
            continue;
        }
        if let Some(value) = env.get(variable) {
            values = values.with(keyword, value);
            sources.insert(keyword.to_string(), Source::Environment { variable });
        } else if *keyword == "sslmode" && env.get(REQUIRE_SSL).is_some_and(|v| v.starts_with('1'))
        {
            values = values.with(keyword, "require");
            let variable = REQUIRE_SSL;
            sources.insert(keyword.to_string(), Source::Environment { variable });
        }
    }
    if values.get("user").is_none_or(str::is_empty)
        && let Some(user) = &env.os_user
    {
        values = values.with("user", user);
        sources.insert("user".to_string(), Source::Default);
    }
    if values.get("dbname").is_none_or(str::is_empty)
        && let Some(user) = values.get("user").filter(|u| !u.is_empty())
    {
        values = values.with("dbname", user);
        sources.insert("dbname".to_string(), Source::Default);
    }
    let mut warnings = Vec::new();
    if values.get("password").is_none_or(str::is_empty) {
        let lookup = passfile::lookup(&values, env.home.as_deref());
        warnings.extend(lookup.warning);
        match lookup.passwords.as_slice() {
            found if found.iter().all(Option::is_none) => {}
            [Some(first), rest @ ..] if rest.iter().all(|p| p.as_ref() == Some(first)) => {
                values = values.with("password", first);
                let path = lookup.path.display().to_string();
                sources.insert("password".to_string(), Source::Passfile { path });
            }
            _ => {
                return Err(ResolveError::PasswordPerHost(
                    lookup.path.display().to_string(),
                ));
            }
        }
    }
    Ok(Resolved {
        info: values,
        sources,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_password_file_entry_for_one_host_never_reaches_another() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "127.0.0.1:*:*:*:only-loopback-v4\n").unwrap(); // vsecure:allow (a test fake)
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let text = format!(
            "host=127.0.0.1,db.acme.io user=app passfile={}",
            file.display()
        );
        let env = LibpqEnvironment::new([], None, Some("app".to_string()));
        let error = resolve(&super::super::parse(&text).unwrap(), &env).unwrap_err();
        assert!(error.to_string().contains("one password to every host"));
        let one_host = text.replace(",db.acme.io", "");
        let resolved = resolve(&super::super::parse(&one_host).unwrap(), &env).unwrap();
        assert_eq!(resolved.info.get("password"), Some("only-loopback-v4"));
        assert!(matches!(
            resolved.sources.get("password"),
            Some(Source::Passfile { .. })
        ));
    }

    #[test]
    fn the_string_wins_over_the_environment() {
        let env = LibpqEnvironment::new(
            [
                ("PGHOST".to_string(), "env.acme.io".to_string()),
                ("PGSSLMODE".to_string(), "disable".to_string()),
            ],
            None,
            Some("osuser".to_string()),
        );
        let info = super::super::parse("host=db.acme.io").unwrap();
        let resolved = resolve(&info, &env).unwrap();
        assert_eq!(resolved.info.get("host"), Some("db.acme.io"));
        assert_eq!(resolved.info.get("sslmode"), Some("disable"));
        assert_eq!(resolved.info.get("user"), Some("osuser"));
        assert_eq!(resolved.info.get("dbname"), Some("osuser"));
        assert_eq!(resolved.sources["host"], Source::String);
        assert_eq!(
            resolved.sources["sslmode"],
            Source::Environment {
                variable: "PGSSLMODE"
            }
        );
        assert_eq!(resolved.sources["user"], Source::Default);
    }
}
