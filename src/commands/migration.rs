//! `vsecure migration new|list`: writing a migration, and the migrations this binary
//! carries, without a database.

use std::io::Write;

use serde::Serialize;

use crate::cli::MigrationNewArgs;
use crate::error::{Error, Result};
use crate::exit;
use crate::migrate::authoring::{self, NewMigration, Written};
use crate::migrate::{MigrateError, MigrationSet};
use crate::output::{self, Report};
use crate::sqlparse;

/// Writes the new migration file and names it.
pub fn new(args: &MigrationNewArgs) -> Result<Box<dyn Report>> {
    let written = authoring::write_new(&NewMigration {
        dir: &args.dir,
        name: &args.name,
        version: args.migration_version,
        no_transaction: args.no_transaction,
    })
    .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(Box::new(written))
}

impl Report for Written {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        writeln!(out, "{}", self.path.display())?;
        writeln!(
            out,
            "next: write it, run the tests, scripts/update-snapshot, rebuild, then vsecure migrate"
        )
    }
}

/// One embedded migration, as `migration list` shows it.
#[derive(Debug, Serialize)]
pub struct ListedMigration {
    version: i32,
    name: String,
    /// refinery's checksum, as recorded in the history table.
    checksum: String,
    /// `transaction` (its own, with its history row) or `none` (statement by statement).
    transaction: &'static str,
    /// How many statements PostgreSQL's parser reads in it.
    statements: Option<usize>,
    /// Why it cannot run as written, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// The embedded migrations.
#[derive(Debug, Serialize)]
pub struct MigrationList {
    migrations: Vec<ListedMigration>,
}

/// Lists the migrations embedded in this binary.
pub fn list() -> Result<Box<dyn Report>> {
    let set = MigrationSet::embedded().map_err(MigrateError::from)?;
    let migrations = set
        .files()
        .iter()
        .map(|file| {
            let parsed = sqlparse::statements(file.sql());
            ListedMigration {
                version: file.version(),
                name: file.name().to_string(),
                checksum: file.checksum().to_string(),
                transaction: if file.no_transaction {
                    "none"
                } else {
                    "transaction"
                },
                statements: parsed.as_ref().ok().map(Vec::len),
                problem: parsed.err().map(|e| e.to_string()),
            }
        })
        .collect();
    Ok(Box::new(MigrationList { migrations }))
}

impl Report for MigrationList {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.migrations.iter().all(|m| m.problem.is_none()))
    }

    fn failure(&self) -> Option<String> {
        let bad: Vec<String> = self
            .migrations
            .iter()
            .filter_map(|m| {
                let problem = m.problem.as_ref()?;
                Some(format!("V{}__{}: {problem}", m.version, m.name))
            })
            .collect();
        (!bad.is_empty()).then(|| bad.join("; "))
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        let mut t = output::table(&["version", "name", "checksum", "transaction", "statements"]);
        for m in &self.migrations {
            t.add_row(vec![
                m.version.to_string(),
                m.name.clone(),
                m.checksum.clone(),
                m.transaction.to_string(),
                match (&m.statements, &m.problem) {
                    (Some(n), _) => n.to_string(),
                    (None, Some(problem)) => problem.clone(),
                    (None, None) => "-".to_string(),
                },
            ]);
        }
        writeln!(out, "{t}")?;
        writeln!(
            out,
            "{} migration(s) embedded in this binary",
            self.migrations.len()
        )
    }
}
