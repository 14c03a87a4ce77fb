//! `vsecure migrate`: apply the embedded migrations under the migration lock.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::{Format, GlobalArgs, MigrateArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::migrate::{self, AppliedNow, MigrateOptions, MigrateReport, MigrationSet, Progress};
use crate::output::{self, Failure, Report};

use super::connection::{self, Endpoint};

/// What a migrate run did, and the failure that stopped it, if one did: the migrations
/// applied before a failure stay committed and are shown with it.
#[derive(Debug, Serialize)]
pub struct MigrateOutcome {
    #[serde(flatten)]
    report: MigrateReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Failure>,
    /// With `--dry-run --sql`: the SQL that would run.
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<String>,
}

impl Report for MigrateOutcome {
    fn exit_code(&self) -> i32 {
        self.error.as_ref().map_or(exit::SUCCESS, |f| f.exit)
    }

    fn failure(&self) -> Option<String> {
        self.error.as_ref().map(|f| f.message.clone())
    }

    fn failure_is_error(&self) -> bool {
        self.error.is_some()
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        let report = &self.report;
        if let Some(sql) = &self.sql {
            return write!(out, "{sql}");
        }
        if report.dry_run {
            if report.would_apply.is_empty() {
                return writeln!(out, "dry run: nothing to apply, the database is up to date");
            }
            let mut t = output::table(&["version", "name", "transaction"]);
            for p in &report.would_apply {
                t.add_row(vec![
                    p.version.to_string(),
                    p.name.clone(),
                    if p.no_transaction { "none" } else { "own" }.to_string(),
                ]);
            }
            writeln!(out, "{t}")?;
            return writeln!(
                out,
                "dry run: {} migration(s) would be applied",
                report.would_apply.len()
            );
        }
        for done in &report.applied {
            writeln!(
                out,
                "applied V{}__{} ({} ms{})",
                done.version,
                done.name,
                done.duration_ms,
                if done.no_transaction {
                    ", outside a transaction"
                } else {
                    ""
                }
            )?;
        }
        let beyond = match (report.target, report.pending_beyond_target) {
            (Some(target), n) if n > 0 => format!("; at target V{target}, {n} pending beyond it"),
            _ => String::new(),
        };
        match (&self.error, report.applied.len()) {
            (Some(_), 0) => writeln!(out, "no migration applied"),
            (Some(_), n) => writeln!(
                out,
                "{n} migration(s) applied and committed before the failure"
            ),
            (None, 0) if beyond.is_empty() => {
                writeln!(out, "nothing to apply, the database is up to date")
            }
            (None, 0) => writeln!(out, "nothing to apply{beyond}"),
            (None, n) => writeln!(out, "{n} migration(s) applied{beyond}"),
        }
    }
}

/// Runs migrate with the embedded migration set.
pub async fn run(args: &MigrateArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let set = MigrationSet::embedded().map_err(migrate::MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::Direct).await?;
    let opts = MigrateOptions {
        dry_run: args.dry_run,
        target: args.target,
        lock_wait: args.lock_wait,
    };
    let progress = global.output.chosen_format() == Format::Table
        && !global.output.quiet
        && std::io::stderr().is_terminal();
    let mut applied: Vec<AppliedNow> = Vec::new();
    let outcome = migrate::migrate(&session.client, &set, &opts, &mut |event| match event {
        Progress::Starting(file) if progress => {
            output::note(format_args!("applying {} ...", file.label()));
        }
        Progress::Applied(done) => applied.push(done.clone()),
        _ => {}
    })
    .await;
    Ok(Box::new(match outcome {
        Ok(report) => MigrateOutcome {
            sql: args.sql.then(|| would_run(&set, &report)),
            report,
            error: None,
        },
        Err(error) => MigrateOutcome {
            report: MigrateReport {
                applied,
                would_apply: Vec::new(),
                dry_run: opts.dry_run,
                target: opts.target,
                pending_beyond_target: 0,
            },
            error: Some(Failure::from_error(&Error::from(error))),
            sql: None,
        },
    }))
}

/// The SQL a dry run's pending migrations would run, each under a comment naming it.
fn would_run(set: &MigrationSet, report: &MigrateReport) -> String {
    let applied_on = migrate::history::now_rfc3339();
    let mut sql = String::new();
    for file in report.would_apply.iter().filter_map(|p| set.get(p.version)) {
        sql.push_str(&format!("-- {}\n", file.label()));
        sql.push_str(&migrate::sql_as_run(file, &applied_on));
        sql.push('\n');
    }
    if sql.is_empty() {
        sql.push_str("-- nothing to apply, the database is up to date\n");
    }
    sql
}
