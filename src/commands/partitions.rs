//! `vsecure partitions ensure --months-ahead N`.

use std::io::Write;

use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::exit;
use crate::ops::partitions::{self, EnsureReport};
use crate::ops::tx::Timeouts;
use crate::output::{self, Report};

use super::connection::{self, Endpoint};

/// Creates the coming monthly partitions (or, with `dry_run`, says which it would) and
/// prints them.
pub async fn run(months_ahead: u32, dry_run: bool, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let timeouts = Timeouts {
        statement: global.connection.statement_timeout,
        lock: global.connection.lock_timeout,
    };
    Ok(Box::new(
        partitions::ensure(&session.client, months_ahead, timeouts, dry_run).await?,
    ))
}

impl Report for EnsureReport {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    /// One line, for log collectors.
    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        writeln!(out)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        let mut t = output::table(&["partition", "from", "to", "result"]);
        for p in &self.partitions {
            let result = if p.created && self.dry_run {
                format!(
                    "would be created, {} row(s) would move from the default partition",
                    p.rows_moved
                )
            } else if p.created {
                format!(
                    "created, {} row(s) moved from the default partition",
                    p.rows_moved
                )
            } else {
                "exists".to_string()
            };
            t.add_row(vec![p.name.clone(), p.from.clone(), p.to.clone(), result]);
        }
        writeln!(out, "{t}")?;
        if self.skipped {
            writeln!(out, "skipped: another run holds the partition lock")?;
        }
        Ok(())
    }
}
