//! `vsecure partitions ensure --months-ahead N`.

use std::io::Write;

use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::ops::partitions;
use crate::ops::tx::Timeouts;
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// Creates the coming monthly partitions and prints them.
pub async fn run(months_ahead: u32, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let timeouts = Timeouts {
        statement: global.connection.statement_timeout,
        lock: global.connection.lock_timeout,
    };
    let report = partitions::ensure(&session.client, months_ahead, timeouts).await?;
    if !global.output.quiet {
        match global.output.format {
            Format::Json => output::write_json(out, &report)?,
            Format::Table => {
                let mut t = output::table(&["partition", "from", "to", "result"]);
                for p in &report.partitions {
                    let result = if p.created {
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
                if report.skipped {
                    writeln!(out, "skipped: another run holds the partition lock")?;
                }
            }
        }
    }
    Ok(exit::SUCCESS)
}
