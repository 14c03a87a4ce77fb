//! `vsecure cleanup <job>|all`: the periodic jobs, one JSON line per job.

use std::io::Write;

use crate::cli::{CleanupArgs, CleanupJob, Format, GlobalArgs};
use crate::error::Result;
use crate::ops::cleanup::{self, CleanupOptions, Job, JobReport};
use crate::ops::tx::Timeouts;
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// Runs the job (or all of them) and prints a report per job.
pub async fn run(args: &CleanupArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let jobs: Vec<Job> = match args.job {
        CleanupJob::OauthCodes => vec![Job::OauthCodes],
        CleanupJob::OauthTokens => vec![Job::OauthTokens],
        CleanupJob::KeySessions => vec![Job::KeySessions],
        CleanupJob::Analytics => vec![Job::Analytics],
        CleanupJob::All => Job::ALL.to_vec(),
    };
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let opts = CleanupOptions {
        batch_size: args.batch_size,
        dry_run: args.dry_run,
        revoked_retention_days: args.revoked_retention,
        keep_months: args.keep_months,
        timeouts: Timeouts {
            statement: global.connection.statement_timeout,
            lock: global.connection.lock_timeout,
        },
    };
    let mut reports = Vec::new();
    for job in jobs {
        let report = cleanup::run(&session.client, job, &opts).await?;
        if !global.output.quiet && global.output.format == Format::Json {
            writeln!(
                out,
                "{}",
                serde_json::to_string(&report).unwrap_or_default()
            )?;
        }
        reports.push(report);
    }
    if !global.output.quiet && global.output.format == Format::Table {
        render(&reports, out)?;
    }
    Ok(exit::SUCCESS)
}

fn render(reports: &[JobReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut t = output::table(&[
        "job",
        "rows",
        "batches",
        "duration",
        "longest transaction",
        "result",
    ]);
    for r in reports {
        let result = match (r.skipped, r.dry_run) {
            (true, _) => "skipped: another run holds the job's lock".to_string(),
            (false, _) if r.stopped_partway => {
                "stopped partway: another run took the job's lock and does the rest".to_string()
            }
            (false, true) => "dry run: would touch these rows".to_string(),
            (false, false) if r.partitions_dropped.is_empty() => "done".to_string(),
            (false, false) => format!("done; dropped {}", r.partitions_dropped.join(", ")),
        };
        t.add_row(vec![
            r.job.to_string(),
            r.rows.to_string(),
            r.batches.to_string(),
            format!("{} ms", r.duration_ms),
            format!("{} ms", r.longest_transaction_ms),
            result,
        ]);
    }
    writeln!(out, "{t}")
}
