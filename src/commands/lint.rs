//! `vsecure lint [FILE...]`: the static rules over migration files.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{GlobalArgs, LintArgs};
use crate::db::Session;
use crate::dsn::ConnInfo;
use crate::error::{Error, Result};
use crate::exit;
use crate::lint::baseline::{self, Baseline};
use crate::lint::observe::{self, MigrationText, Observation};
use crate::lint::{self, Finding, Severity, render};
use crate::migrate::{MigrateError, NO_TRANSACTION_DIRECTIVE, history};
use crate::output::{self, Report};
use crate::settings;

use super::connection::{self, Endpoint};

/// What lint found.
#[derive(Debug, Serialize)]
pub struct LintReport {
    /// Every finding, accepted ones included (with their reason).
    findings: Vec<Finding>,
    /// How many files were read.
    files: usize,
    /// Findings that fail the run: errors not accepted.
    errors: usize,
    /// Warnings not accepted.
    warnings: usize,
    /// Accepted by a lint-ignore comment or the baseline.
    accepted: usize,
    /// With `--observe`: what each statement did on the shadow database.
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<Vec<Observation>>,
}

/// Lints the named files; by default the migrations DATABASE_URL has not applied yet,
/// or every migration in the folder when no database is set.
pub async fn run(args: &LintArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    if let Some(id) = &args.explain {
        return explain(id);
    }
    for id in &args.exclude {
        if lint::rule(id).is_none() {
            return Err(Error::Usage(format!(
                "--exclude {id}: no such rule (vsecure lint --explain all lists them)"
            )));
        }
    }
    let baseline = Baseline::read(&args.baseline).map_err(Error::Usage)?;
    let needs_database = args.live || args.observe;
    let database = match settings::resolve_database_url(None, &global.connection) {
        Ok(url) => Some(connection::open_url(global, &url, Endpoint::AnyEndpoint).await?),
        Err(Error::MissingDatabaseUrl) if !needs_database => None,
        Err(Error::MissingDatabaseUrl) => {
            return Err(Error::Usage(
                "--live and --observe need a database: set DATABASE_URL (or pass --database-url)"
                    .to_string(),
            ));
        }
        Err(e) => return Err(e),
    };
    let files = match (args.files.is_empty(), &database) {
        (false, _) => args.files.clone(),
        (true, None) => migration_files(&args.dir)?,
        (true, Some((_, session))) => pending_files(session, &args.dir).await?,
    };
    let mut findings = Vec::new();
    let mut texts = Vec::new();
    for path in &files {
        let shown = path.display().to_string();
        let sql = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
        let mut found =
            lint::lint_sql(&shown, &sql, &args.exclude).map_err(|e| Error::Usage(e.to_string()))?;
        let version = baseline::version_of(&shown);
        for f in &mut found {
            if f.accepted.is_none() {
                f.accepted = baseline.reason_for(version, f.rule);
            }
        }
        findings.extend(found);
        texts.push(text_of(shown, sql));
    }
    let mut observed = None;
    if let Some((info, session)) = &database {
        if args.live {
            lint::live::weigh(session, &mut findings)
                .await
                .map_err(|e| session.query_failed(&e))?;
        }
        if args.observe {
            let earlier = earlier_migrations(&args.dir, &files)?;
            observed = Some(observe_all(global, info, session, &earlier, &texts).await?);
        }
    }
    let count = |severity: Severity| {
        findings
            .iter()
            .filter(|f| f.accepted.is_none() && f.severity == severity)
            .count()
    };
    Ok(Box::new(LintReport {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        accepted: findings.iter().filter(|f| f.accepted.is_some()).count(),
        files: files.len(),
        findings,
        observed,
    }))
}

fn text_of(file: String, sql: String) -> MigrationText {
    let no_transaction = sql
        .lines()
        .next()
        .is_some_and(|l| l.trim() == NO_TRANSACTION_DIRECTIVE);
    MigrationText {
        file,
        sql,
        no_transaction,
    }
}

async fn observe_all(
    global: &GlobalArgs,
    info: &ConnInfo,
    session: &Session,
    earlier: &[MigrationText],
    observed: &[MigrationText],
) -> Result<Vec<Observation>> {
    let opts = connection::session_options(global);
    Ok(observe::observe(&session.client, info, &opts, earlier, observed).await?)
}

/// The folder's migrations that come before the first linted one, to build the schema
/// the linted ones run against.
fn earlier_migrations(dir: &Path, linted: &[PathBuf]) -> Result<Vec<MigrationText>> {
    let first = linted
        .iter()
        .filter_map(|p| baseline::version_of(&p.display().to_string()))
        .min()
        .unwrap_or(i32::MAX);
    let mut earlier = Vec::new();
    for path in migration_files(dir).unwrap_or_default() {
        let shown = path.display().to_string();
        if baseline::version_of(&shown).is_some_and(|v| v < first) && !linted.contains(&path) {
            let sql = std::fs::read_to_string(&path)
                .map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
            earlier.push(text_of(shown, sql));
        }
    }
    Ok(earlier)
}

/// The folder's migrations the database has not applied.
async fn pending_files(session: &Session, dir: &Path) -> Result<Vec<PathBuf>> {
    let applied = session
        .read_with_timeouts(history::read(&session.client))
        .await
        .map_err(|e| MigrateError::database("could not read the migration history", &e))?
        .map_err(MigrateError::from)?;
    Ok(migration_files(dir)?
        .into_iter()
        .filter(|p| {
            baseline::version_of(&p.display().to_string())
                .is_none_or(|v| !applied.iter().any(|row| row.version == v))
        })
        .collect())
}

/// The `V*.sql` files of the migrations folder, in version order.
fn migration_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|_| {
        Error::Usage(format!(
            "no migrations folder at {}: name the files to lint, or run from the repository root",
            dir.display()
        ))
    })?;
    let mut files: Vec<(i32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?;
            let version = baseline::version_of(name)?;
            name.ends_with(".sql").then_some((version, path))
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

impl Report for LintReport {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.errors == 0)
    }

    fn failure(&self) -> Option<String> {
        (self.errors > 0).then(|| {
            format!(
                "lint: {} error(s), {} warning(s)",
                self.errors, self.warnings
            )
        })
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, verbose: bool) -> std::io::Result<()> {
        for f in self
            .findings
            .iter()
            .filter(|f| verbose || f.accepted.is_none())
        {
            render::human(f, out)?;
        }
        if let Some(observed) = &self.observed {
            render::observations(observed, &self.findings, out)?;
        }
        writeln!(
            out,
            "lint: {} file(s), {} error(s), {} warning(s), {} accepted{}",
            self.files,
            self.errors,
            self.warnings,
            self.accepted,
            if self.accepted > 0 && !verbose {
                " (-v shows them)"
            } else {
                ""
            }
        )
    }

    fn sarif(&self) -> Option<serde_json::Value> {
        Some(render::sarif(&self.findings))
    }

    fn github_annotations(&self) -> Option<Vec<String>> {
        Some(render::github(&self.findings))
    }
}

/// One rule explained, or every rule listed.
struct Explanation(Vec<lint::RuleInfo>);

fn explain(id: &str) -> Result<Box<dyn Report>> {
    let rules: Vec<lint::RuleInfo> = if id == "all" {
        lint::rules::ALL.iter().map(|r| r.info()).collect()
    } else {
        match lint::rule(id) {
            Some(rule) => vec![rule.info()],
            None => {
                return Err(Error::Usage(format!(
                    "no lint rule is called \"{id}\" (vsecure lint --explain all lists them)"
                )));
            }
        }
    };
    Ok(Box::new(Explanation(rules)))
}

impl Report for Explanation {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let rules: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|r| {
                serde_json::json!({"id": r.id, "severity": r.severity, "summary": r.summary, "why": r.why, "fix": r.fix})
            })
            .collect();
        output::write_json(out, &rules)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        for r in &self.0 {
            let level = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(out, "{} ({level}): {}", r.id, r.summary)?;
            writeln!(out, "  why: {}", r.why)?;
            writeln!(out, "  instead: {}\n", r.fix)?;
        }
        Ok(())
    }
}
