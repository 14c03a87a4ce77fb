//! `vsecure baseline --version V`: adopt a database that was built by hand.

use std::io::Write;

use crate::cli::{BaselineArgs, Format, GlobalArgs};
use crate::error::Result;
use crate::migrate::{self, BaselineOptions, MigrateError, MigrationSet};
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// Records migrations up to the version as applied, after checking their tables.
pub async fn run(args: &BaselineArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let set = MigrationSet::embedded().map_err(MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::Direct).await?;
    let opts = BaselineOptions {
        version: args.baseline_version,
        force: args.force,
        lock_wait: args.lock_wait,
    };
    let report = migrate::baseline(&session.client, &set, &opts).await?;
    if !global.output.quiet {
        match global.output.format {
            Format::Json => output::write_json(out, &report)?,
            Format::Table => {
                for label in &report.recorded {
                    writeln!(out, "recorded {label} as applied")?;
                }
                writeln!(
                    out,
                    "baseline at V{}: {} recorded, {} already applied",
                    args.baseline_version,
                    report.recorded.len(),
                    report.already_applied.len()
                )?;
            }
        }
    }
    Ok(exit::SUCCESS)
}
