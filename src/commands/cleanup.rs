//! `vsecure cleanup <job>|all`: the periodic jobs, one JSON line per job.

use std::io::Write;

use crate::cli::{CleanupArgs, CleanupJob, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::ops::cleanup::{self, CleanupOptions, Job, JobReport};
use crate::ops::together;
use crate::ops::tx::Timeouts;
use crate::output::{self, Failure, Report};

use super::connection::{self, Endpoint};

/// The jobs that ran, and the failure that stopped the rest, if one did.
pub struct CleanupOutcome {
    jobs: Vec<JobReport>,
    failure: Option<Failure>,
}

impl Report for CleanupOutcome {
    fn exit_code(&self) -> i32 {
        self.failure.as_ref().map_or(exit::SUCCESS, |f| f.exit)
    }

    fn failure(&self) -> Option<String> {
        self.failure.as_ref().map(|f| f.message.clone())
    }

    fn failure_is_error(&self) -> bool {
        self.failure.is_some()
    }

    /// One line per job, then one `{"error": ...}` line if a job failed: log collectors
    /// read each line on its own.
    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for job in &self.jobs {
            serde_json::to_writer(&mut *out, job)?;
            writeln!(out)?;
        }
        if let Some(failure) = &self.failure {
            serde_json::to_writer(&mut *out, &serde_json::json!({ "error": failure }))?;
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        if self.jobs.is_empty() {
            return Ok(());
        }
        render(&self.jobs, out)
    }
}

/// Runs the job (or all of them, in order, stopping at the first that fails).
pub async fn run(args: &CleanupArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let jobs: Vec<Job> = match args.job {
        CleanupJob::OauthCodes => vec![Job::OauthCodes],
        CleanupJob::OauthTokens => vec![Job::OauthTokens],
        CleanupJob::KeySessions => vec![Job::KeySessions],
        CleanupJob::Analytics => vec![Job::Analytics],
        CleanupJob::All => Job::ALL.to_vec(),
    };
    refuse_options_without_effect(args)?;
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let opts = CleanupOptions {
        batch_size: args.batch_size,
        dry_run: args.dry_run,
        revoked_retention_days: args.revoked_retention,
        keep_months: args.keep_months.unwrap_or(cleanup::DEFAULT_KEEP_MONTHS),
        timeouts: Timeouts {
            statement: global.connection.statement_timeout,
            lock: global.connection.lock_timeout,
        },
    };
    let mut outcome = CleanupOutcome {
        jobs: Vec::new(),
        failure: None,
    };
    // The jobs run side by side on the one connection: each transaction is one message
    // of its own, so their statements travel together (pipelined) and a run with nothing
    // to clean costs the round trips of the longest job, not of all of them.
    let runs = jobs
        .iter()
        .map(|job| Box::pin(cleanup::run(&session.client, *job, &opts)) as together::Boxed<_>)
        .collect();
    for result in together::all(runs).await {
        match result {
            Ok(report) => outcome.jobs.push(report),
            Err(e) if outcome.failure.is_none() => {
                outcome.failure = Some(Failure::from_error(&Error::from(e)));
            }
            Err(_) => {}
        }
    }
    Ok(Box::new(outcome))
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
            (false, true) => with_detail("dry run: would touch these rows", r),
            (false, false) => with_detail("done", r),
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

/// The outcome followed by what it consisted of: the partitions dropped (or that would
/// be), the sessions ended and the proxy tokens revoked.
fn with_detail(outcome: &str, r: &JobReport) -> String {
    let verb = if r.dry_run { "would drop" } else { "dropped" };
    let mut parts = vec![outcome.to_string()];
    if !r.partitions_dropped.is_empty() {
        parts.push(format!("{verb} {}", r.partitions_dropped.join(", ")));
    }
    if let (Some(sessions), Some(tokens)) = (r.sessions_ended, r.tokens_revoked) {
        let (ended, revoked) = if r.dry_run {
            ("to end", "to revoke")
        } else {
            ("ended", "revoked")
        };
        parts.push(format!(
            "{sessions} session(s) {ended}, {tokens} proxy token(s) {revoked}"
        ));
    }
    parts.join("; ")
}

/// Options that only some jobs read are refused where they would do nothing, so a
/// typo in a crontab does not pass silently.
fn refuse_options_without_effect(args: &CleanupArgs) -> Result<()> {
    let job = args.job;
    let reads_retention = matches!(job, CleanupJob::OauthTokens | CleanupJob::All);
    if args.revoked_retention.is_some() && !reads_retention {
        return Err(Error::Usage(
            "--revoked-retention applies to oauth-tokens (or all) only".to_string(),
        ));
    }
    let reads_months = matches!(job, CleanupJob::Analytics | CleanupJob::All);
    if args.keep_months.is_some() && !reads_months {
        return Err(Error::Usage(
            "--keep-months applies to analytics (or all) only".to_string(),
        ));
    }
    Ok(())
}
