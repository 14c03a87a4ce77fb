//! `vsecure baseline --version V`: adopt a database that was built by hand.

use std::io::Write;

use crate::cli::{BaselineArgs, GlobalArgs};
use crate::error::Result;
use crate::exit;
use crate::migrate::{self, BaselineOptions, BaselineReport, MigrateError, MigrationSet};
use crate::output::{self, Report};

use super::connection::{self, Endpoint};

/// Records migrations up to the version as applied, after checking their tables.
pub async fn run(args: &BaselineArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let set = MigrationSet::embedded().map_err(MigrateError::from)?;
    let (_, session) = connection::open(global, Endpoint::Direct).await?;
    let opts = BaselineOptions {
        version: args.baseline_version,
        force: args.force,
        lock_wait: args.lock_wait,
    };
    Ok(Box::new(
        migrate::baseline(&session.client, &set, &opts).await?,
    ))
}

impl Report for BaselineReport {
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
        for label in &self.recorded {
            writeln!(out, "recorded {label} as applied")?;
        }
        writeln!(
            out,
            "baseline: {} recorded, {} already applied",
            self.recorded.len(),
            self.already_applied.len()
        )
    }
}
