//! `vsecure status`: applied, pending, divergent and missing migrations.

use std::io::Write;

use serde::Serialize;

use crate::cli::{GlobalArgs, StatusArgs};
use crate::error::Result;
use crate::exit;
use crate::migrate::{self, MigrateError, MigrationSet, history, plan};
use crate::output::{self, Report};

use super::connection::{self, Endpoint};

/// The status, and whether `--check` asked for an up-to-date database.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct StatusReport {
    status: plan::Status,
    #[serde(skip)]
    check: bool,
}

impl Report for StatusReport {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.failure().is_none())
    }

    fn failure(&self) -> Option<String> {
        let s = &self.status;
        let blocking = !s.divergent.is_empty() || !s.missing.is_empty();
        (blocking || (self.check && !s.is_clean())).then(|| {
            format!(
                "migrations not up to date: {} pending, {} divergent, {} missing",
                s.pending.len(),
                s.divergent.len(),
                s.missing.len()
            )
        })
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, &self.status)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        render(&self.status, out)
    }
}

/// Reads the status; with `--check`, exit 1 unless the database is up to date.
pub async fn run(args: &StatusArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let set = MigrationSet::embedded().map_err(MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let rows = session
        .read_with_timeouts(history::read(&session.client))
        .await
        .map_err(|e| MigrateError::database("could not read the migration history", &e))?
        .map_err(migrate::MigrateError::from)?;
    Ok(Box::new(StatusReport {
        status: plan::status(&set, &rows),
        check: args.check,
    }))
}

fn render(status: &plan::Status, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rows: Vec<(i32, Vec<String>)> = Vec::new();
    for a in &status.applied {
        rows.push((
            a.version,
            vec![
                a.version.to_string(),
                a.name.clone(),
                "applied".into(),
                to_the_second(&a.applied_on),
            ],
        ));
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
        rows.push((
            d.version,
            vec![
                d.version.to_string(),
                d.name.clone(),
                "divergent".into(),
                detail,
            ],
        ));
    }
    for m in &status.missing {
        rows.push((
            m.version,
            vec![
                m.version.to_string(),
                m.name.clone(),
                "missing".into(),
                format!(
                    "applied {} but not in this binary",
                    to_the_second(&m.applied_on)
                ),
            ],
        ));
    }
    for p in &status.pending {
        let detail = match (p.out_of_order, p.no_transaction) {
            (true, _) => "older than the newest applied migration",
            (false, true) => "runs outside a transaction",
            (false, false) => "",
        };
        rows.push((
            p.version,
            vec![
                p.version.to_string(),
                p.name.clone(),
                "pending".into(),
                detail.into(),
            ],
        ));
    }
    rows.sort_by_key(|(version, _)| *version);
    let mut t = output::table(&["version", "name", "state", "detail"]);
    for (_, row) in rows {
        t.add_row(row);
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

/// An RFC 3339 time without its fraction of a second: `2026-11-30T19:04:12.123456Z`
/// reads `2026-11-30T19:04:12Z`.
fn to_the_second(time: &str) -> String {
    match time.split_once('.') {
        Some((head, rest)) => {
            let zone = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{head}{zone}")
        }
        None => time.to_string(),
    }
}
