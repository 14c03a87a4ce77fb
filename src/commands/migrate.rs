//! `vsecure migrate`: apply the embedded migrations under the migration lock.

use std::io::{IsTerminal, Write};

use crate::cli::{Format, GlobalArgs, MigrateArgs};
use crate::error::Result;
use crate::migrate::{self, MigrateOptions, MigrationSet, Progress};
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// Runs migrate with the embedded migration set.
pub async fn run(args: &MigrateArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let set = MigrationSet::embedded().map_err(migrate::MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::Direct).await?;
    let opts = MigrateOptions {
        dry_run: args.dry_run,
        target: args.target,
        lock_wait: args.lock_wait,
    };
    let table = global.output.format == Format::Table && !global.output.quiet;
    let terminal = std::io::stderr().is_terminal();
    let mut lines = Vec::new();
    let report = migrate::migrate(&session.client, &set, &opts, &mut |event| match event {
        Progress::Starting(file) if terminal && table => {
            output::note(format_args!("applying {} ...", file.label()));
        }
        Progress::Applied(done) if table => {
            lines.push(format!(
                "applied V{}__{} ({} ms{})",
                done.version,
                done.name,
                done.duration_ms,
                if done.no_transaction {
                    ", outside a transaction"
                } else {
                    ""
                }
            ));
        }
        _ => {}
    })
    .await?;
    if global.output.quiet {
        return Ok(exit::SUCCESS);
    }
    match global.output.format {
        Format::Json => output::write_json(out, &report)?,
        Format::Table if report.dry_run => {
            if report.would_apply.is_empty() {
                writeln!(out, "dry run: nothing to apply, the database is up to date")?;
            } else {
                let mut t = output::table(&["version", "name", "transaction"]);
                for p in &report.would_apply {
                    t.add_row(vec![
                        p.version.to_string(),
                        p.name.clone(),
                        if p.no_transaction { "none" } else { "own" }.to_string(),
                    ]);
                }
                writeln!(out, "{t}")?;
                writeln!(
                    out,
                    "dry run: {} migration(s) would be applied",
                    report.would_apply.len()
                )?;
            }
        }
        Format::Table => {
            for line in &lines {
                writeln!(out, "{line}")?;
            }
            if report.applied.is_empty() {
                writeln!(out, "nothing to apply, the database is up to date")?;
            } else {
                writeln!(out, "{} migration(s) applied", report.applied.len())?;
            }
        }
    }
    Ok(exit::SUCCESS)
}
