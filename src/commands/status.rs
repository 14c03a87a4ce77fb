//! `vsecure status`: applied, pending, divergent and missing migrations.

use std::io::Write;

use crate::cli::{Format, GlobalArgs, StatusArgs};
use crate::error::Result;
use crate::migrate::{self, MigrateError, MigrationSet, history, plan};
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// Prints the status; with `--check`, exit 1 unless the database is up to date.
pub async fn run(args: &StatusArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let set = MigrationSet::embedded().map_err(MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let rows = history::read(&session.client)
        .await
        .map_err(|e| MigrateError::database("could not read the migration history", &e))?
        .map_err(migrate::MigrateError::from)?;
    let status = plan::status(&set, &rows);
    if !global.output.quiet {
        match global.output.format {
            Format::Json => output::write_json(out, &status)?,
            Format::Table => render(&status, out)?,
        }
    }
    let problems = !status.divergent.is_empty() || !status.missing.is_empty();
    Ok(if problems || (args.check && !status.is_clean()) {
        exit::FOUND_PROBLEMS
    } else {
        exit::SUCCESS
    })
}

fn render(status: &plan::Status, out: &mut dyn Write) -> std::io::Result<()> {
    let mut t = output::table(&["version", "name", "state", "detail"]);
    for a in &status.applied {
        t.add_row(vec![
            a.version.to_string(),
            a.name.clone(),
            "applied".into(),
            a.applied_on.clone(),
        ]);
    }
    for d in &status.divergent {
        let detail = if d.whitespace_only {
            "changed in white space or line endings only".to_string()
        } else if d.applied_name != d.name {
            format!(
                "recorded as V{}__{}, the file is now V{}__{}",
                d.version, d.applied_name, d.version, d.name
            )
        } else {
            format!(
                "checksum {} recorded, {} now",
                d.applied_checksum, d.expected_checksum
            )
        };
        t.add_row(vec![
            d.version.to_string(),
            d.name.clone(),
            "divergent".into(),
            detail,
        ]);
    }
    for m in &status.missing {
        t.add_row(vec![
            m.version.to_string(),
            m.name.clone(),
            "missing".into(),
            format!("applied {} but not in this binary", m.applied_on),
        ]);
    }
    for p in &status.pending {
        let detail = match (p.out_of_order, p.no_transaction) {
            (true, _) => "older than the newest applied migration",
            (false, true) => "runs outside a transaction",
            (false, false) => "",
        };
        t.add_row(vec![
            p.version.to_string(),
            p.name.clone(),
            "pending".into(),
            detail.into(),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{} applied, {} pending, {} divergent, {} missing",
        status.applied.len(),
        status.pending.len(),
        status.divergent.len(),
        status.missing.len()
    )
}
