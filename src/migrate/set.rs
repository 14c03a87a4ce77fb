//! A set of migrations as a value: the one embedded in the binary, or any other (tests
//! build small sets of their own). Checked before anything runs.

use refinery::Migration;

/// The first-line directive that makes vsecure run a migration statement by statement
/// outside a transaction (for `CREATE INDEX CONCURRENTLY`, `VACUUM`, ...).
pub const NO_TRANSACTION_DIRECTIVE: &str = "-- vsecure:no-transaction";

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// One migration: refinery's (name, version, checksum, SQL) and how vsecure runs it.
#[derive(Debug, Clone)]
pub struct MigrationFile {
    /// refinery's migration: version, name, checksum over name, version and SQL.
    pub migration: Migration,
    /// Run outside a transaction, statement by statement.
    pub no_transaction: bool,
}

impl MigrationFile {
    /// The version number.
    pub fn version(&self) -> i32 {
        self.migration.version()
    }

    /// The name after `V{n}__`.
    pub fn name(&self) -> &str {
        self.migration.name()
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        self.migration.sql().unwrap_or("")
    }

    /// The checksum refinery records in its history table.
    pub fn checksum(&self) -> u64 {
        self.migration.checksum()
    }

    /// `V{n}__{name}`, as the file is named.
    pub fn label(&self) -> String {
        self.migration.to_string()
    }
}

/// A set of migrations, ordered by version.
#[derive(Debug, Clone)]
pub struct MigrationSet {
    files: Vec<MigrationFile>,
}

/// Why a migration set cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// A name refinery cannot parse.
    #[error("migration {0} is not named V{{version}}__{{name}}: {1}")]
    BadName(String, String),
    /// Two migrations with one version.
    #[error("migrations {0} and {1} share version {2}")]
    DuplicateVersion(String, String, i32),
    /// Carriage returns would change every checksum on a CRLF checkout.
    #[error(
        "migration {0} contains carriage returns (CRLF line endings): convert it to LF; .gitattributes keeps *.sql at LF"
    )]
    CarriageReturn(String),
}

impl MigrationSet {
    /// The migrations embedded in this binary from `migrations/`.
    pub fn embedded() -> Result<MigrationSet, SetError> {
        MigrationSet::from_migrations(embedded::migrations::runner().get_migrations().clone())
    }

    /// A set from (file stem, SQL) pairs, e.g. `("V3__add_index", "CREATE ...")`.
    pub fn from_sources<S: AsRef<str>, T: AsRef<str>>(
        sources: impl IntoIterator<Item = (S, T)>,
    ) -> Result<MigrationSet, SetError> {
        let migrations = sources
            .into_iter()
            .map(|(name, sql)| {
                Migration::unapplied(name.as_ref(), sql.as_ref())
                    .map_err(|e| SetError::BadName(name.as_ref().to_string(), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        MigrationSet::from_migrations(migrations)
    }

    fn from_migrations(mut migrations: Vec<Migration>) -> Result<MigrationSet, SetError> {
        migrations.sort_by_key(|m| m.version());
        for pair in migrations.windows(2) {
            if pair[0].version() == pair[1].version() {
                return Err(SetError::DuplicateVersion(
                    pair[0].to_string(),
                    pair[1].to_string(),
                    pair[0].version(),
                ));
            }
        }
        let files = migrations
            .into_iter()
            .map(|migration| {
                let sql = migration.sql().unwrap_or("");
                if sql.contains('\r') {
                    return Err(SetError::CarriageReturn(migration.to_string()));
                }
                let no_transaction = sql
                    .lines()
                    .next()
                    .is_some_and(|l| l.trim() == NO_TRANSACTION_DIRECTIVE);
                Ok(MigrationFile {
                    migration,
                    no_transaction,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MigrationSet { files })
    }

    /// The migrations, ordered by version.
    pub fn files(&self) -> &[MigrationFile] {
        &self.files
    }

    /// refinery's view of the set, e.g. to run refinery's own runner against it.
    pub fn refinery_migrations(&self) -> Vec<Migration> {
        self.files.iter().map(|f| f.migration.clone()).collect()
    }

    /// The migration with a version.
    pub fn get(&self, version: i32) -> Option<&MigrationFile> {
        self.files.iter().find(|f| f.version() == version)
    }
}
