//! The periodic cleanup jobs, fit for cron: through the SQL functions the migrations
//! define, in short batches, one run per job at a time, safe through Neon's pooler.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_postgres::Client;

use super::error::OpsError;
use super::tx::{self, Timeouts};

/// A cleanup job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Expired and long-consumed OAuth authorization codes (hourly).
    OauthCodes,
    /// Expired, unrevoked OAuth tokens; revoked ones past a retention (daily).
    OauthTokens,
    /// Expired MCP key sessions and proxy tokens (hourly).
    KeySessions,
    /// usage_analytics rows older than the retention (monthly).
    Analytics,
}

impl Job {
    /// Every job, in the order `cleanup all` runs them.
    pub const ALL: [Job; 4] = [
        Job::OauthCodes,
        Job::OauthTokens,
        Job::KeySessions,
        Job::Analytics,
    ];

    /// The job's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Job::OauthCodes => "oauth-codes",
            Job::OauthTokens => "oauth-tokens",
            Job::KeySessions => "key-sessions",
            Job::Analytics => "analytics",
        }
    }

    /// The transaction-scoped advisory lock key that keeps one run of the job at a time.
    /// Fixed per job, so reordering or adding jobs never changes a running job's key.
    pub fn lock_key(self) -> i64 {
        const BASE: i64 = 0x7673_6563_7572_6510;
        BASE + match self {
            Job::OauthCodes => 0,
            Job::OauthTokens => 1,
            Job::KeySessions => 2,
            Job::Analytics => 3,
        }
    }
}

/// How to run a job.
#[derive(Debug, Clone, Copy)]
pub struct CleanupOptions {
    /// Rows per batch (each batch is one transaction).
    pub batch_size: u32,
    /// Count what would be touched; change nothing.
    pub dry_run: bool,
    /// oauth-tokens: also remove revoked tokens revoked longer ago than this many days.
    pub revoked_retention_days: Option<u32>,
    /// analytics: months to keep (the cutoff is the start of the month this many back).
    pub keep_months: u32,
    /// SET LOCAL timeouts of each transaction.
    pub timeouts: Timeouts,
}

/// One job's outcome: one JSON line for log collectors.
#[derive(Debug, Clone, Serialize)]
pub struct JobReport {
    /// When the job finished (RFC 3339, UTC), for log collectors.
    pub timestamp: String,
    /// The job's name.
    pub job: &'static str,
    /// Rows deleted or updated (with --dry-run: that would be).
    pub rows: u64,
    /// Batch transactions run (each covers one range of the table's blocks).
    pub batches: u32,
    /// Wall time of the job.
    pub duration_ms: u128,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Another run held the job's lock, so this one did nothing.
    pub skipped: bool,
    /// Another run took the job's lock after this one had run some batches: this run
    /// stopped there, and its rows are those batches' (the other run does the rest).
    pub stopped_partway: bool,
    /// The longest single transaction.
    pub longest_transaction_ms: u128,
    /// analytics: partitions dropped whole (or that would be); empty for the other jobs.
    pub partitions_dropped: Vec<String>,
    /// analytics: the rows of some dropped partitions are the planner's estimate
    /// (pg_class.reltuples after ANALYZE), not an exact count.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rows_estimated: bool,
    /// key-sessions: the sessions ended (mcp_key_sessions), part of `rows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_ended: Option<u64>,
    /// key-sessions: the proxy tokens revoked (mcp_proxy_tokens), part of `rows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens_revoked: Option<u64>,
}

impl JobReport {
    fn new(job: Job, dry_run: bool) -> JobReport {
        JobReport {
            timestamp: String::new(),
            job: job.name(),
            rows: 0,
            batches: 0,
            duration_ms: 0,
            dry_run,
            skipped: false,
            stopped_partway: false,
            longest_transaction_ms: 0,
            partitions_dropped: Vec::new(),
            rows_estimated: false,
            sessions_ended: None,
            tokens_revoked: None,
        }
    }

    /// Records, for key-sessions, how many rows one of its two tables accounted for.
    fn count_table(&mut self, table: &str, rows: u64) {
        match table {
            SESSIONS_TABLE => self.sessions_ended = Some(rows),
            PROXY_TOKENS_TABLE => self.tokens_revoked = Some(rows),
            _ => {}
        }
    }

    /// Notes that another run holds the job's lock: skipped when nothing ran yet,
    /// stopped partway otherwise.
    pub(crate) fn yield_to_other_run(&mut self) {
        self.skipped = self.batches == 0;
        self.stopped_partway = self.batches > 0;
    }

    /// Adds what a walk of one table did (its own report) to this job's report.
    pub(crate) fn absorb(&mut self, walk: JobReport) {
        self.rows += walk.rows;
        self.batches += walk.batches;
        self.longest_transaction_ms = self.longest_transaction_ms.max(walk.longest_transaction_ms);
        if walk.skipped || walk.stopped_partway {
            self.skipped = false;
            self.stopped_partway = true;
        }
    }

    /// After absorbing the walks: a job whose walks all yielded before any batch ran
    /// was skipped, not stopped partway.
    pub(crate) fn settle_yield(&mut self) {
        if self.stopped_partway && self.batches == 0 {
            self.stopped_partway = false;
            self.skipped = true;
        }
    }

    /// Notes a finished transaction that began at `started`.
    pub(crate) fn record_transaction(&mut self, started: Instant) {
        self.longest_transaction_ms = self
            .longest_transaction_ms
            .max(started.elapsed().as_millis());
    }
}

/// Runs one job.
pub async fn run(client: &Client, job: Job, opts: &CleanupOptions) -> Result<JobReport, OpsError> {
    let started = Instant::now();
    let mut report = JobReport::new(job, opts.dry_run);
    let pg = |e: tokio_postgres::Error| OpsError::from_pg(job.name(), &e);
    if opts.dry_run {
        report.rows = match job {
            Job::Analytics => super::analytics::count(client, opts, &mut report)
                .await
                .map_err(pg)?,
            _ => count(client, job, opts, &mut report).await.map_err(pg)?,
        };
    } else {
        match job {
            Job::Analytics => super::analytics::remove(client, opts, &mut report)
                .await
                .map_err(pg)?,
            _ => batches(client, job, opts, &mut report).await.map_err(pg)?,
        }
    }
    report.duration_ms = started.elapsed().as_millis();
    report.timestamp = crate::migrate::history::now_rfc3339();
    Ok(report)
}

fn retention(opts: &CleanupOptions) -> String {
    match opts.revoked_retention_days {
        Some(days) => format!("make_interval(days => {days})"),
        None => "NULL::interval".to_string(),
    }
}

async fn count(
    client: &Client,
    job: Job,
    opts: &CleanupOptions,
    report: &mut JobReport,
) -> Result<u64, tokio_postgres::Error> {
    let sql = match job {
        Job::OauthCodes => "SELECT cleanup_expired_oauth_codes_count()".to_string(),
        Job::OauthTokens => format!(
            "SELECT cleanup_expired_oauth_tokens_count({})",
            retention(opts)
        ),
        Job::KeySessions => {
            "SELECT sessions + proxy_tokens, sessions, proxy_tokens FROM cleanup_expired_key_sessions_count()".to_string()
        }
        Job::Analytics => unreachable!("analytics counts by partition"),
    };
    let messages = tx::run(client, opts.timeouts, &sql).await?;
    let row = tx::rows(&messages).into_iter().next().unwrap_or_default();
    let number = |i: usize| -> u64 {
        row.get(i)
            .cloned()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    if job == Job::KeySessions {
        report.count_table(SESSIONS_TABLE, number(1));
        report.count_table(PROXY_TOKENS_TABLE, number(2));
    }
    Ok(number(0))
}

/// The two tables key-sessions walks.
const SESSIONS_TABLE: &str = "mcp_key_sessions";
const PROXY_TOKENS_TABLE: &str = "mcp_proxy_tokens";

/// A table a job walks block range by block range, and the SQL of one batch.
pub(crate) struct Walk {
    /// The table (or partition) walked.
    pub table: String,
    /// SQL for the block range (first block, block count): the rest of a statement that
    /// [`tx::with_job_lock`] starts. It acts only when [`tx::GOT_LOCK`] is true and
    /// returns one row: that flag and how many rows the batch touched.
    pub batch_sql: Box<dyn Fn(u64, u64) -> String + Send + Sync>,
}

/// A batch that is one call of a deployed function returning the rows it touched.
fn gated_call(call: String) -> String {
    format!(
        " SELECT {got}, CASE WHEN {got} THEN {call} END",
        got = tx::GOT_LOCK
    )
}

fn walks(job: Job, opts: &CleanupOptions) -> Vec<Walk> {
    let retention = retention(opts);
    let walk = |table: &str, sql: Box<dyn Fn(u64, u64) -> String + Send + Sync>| Walk {
        table: table.to_string(),
        batch_sql: sql,
    };
    match job {
        Job::OauthCodes => vec![walk(
            "oauth_authorization_codes",
            Box::new(|f, c| gated_call(format!("cleanup_expired_oauth_codes({f}, {c})"))),
        )],
        Job::OauthTokens => vec![walk(
            "oauth_tokens",
            Box::new(move |f, c| {
                gated_call(format!(
                    "cleanup_expired_oauth_tokens({f}, {c}, {retention})"
                ))
            }),
        )],
        Job::KeySessions => vec![
            walk(
                SESSIONS_TABLE,
                Box::new(|f, c| gated_call(format!("end_expired_key_sessions({f}, {c})"))),
            ),
            walk(
                PROXY_TOKENS_TABLE,
                Box::new(|f, c| gated_call(format!("revoke_expired_proxy_tokens({f}, {c})"))),
            ),
        ],
        Job::Analytics => unreachable!("analytics walks its partitions"),
    }
}

async fn batches(
    client: &Client,
    job: Job,
    opts: &CleanupOptions,
    report: &mut JobReport,
) -> Result<(), tokio_postgres::Error> {
    let walks = walks(job, opts);
    walk_all(client, job, opts, &walks, report).await
}

/// Walks several tables side by side (their transactions pipelined on the connection)
/// and adds up what they did.
pub(crate) async fn walk_all(
    client: &Client,
    job: Job,
    opts: &CleanupOptions,
    walks: &[Walk],
    report: &mut JobReport,
) -> Result<(), tokio_postgres::Error> {
    let runs = walks
        .iter()
        .map(|walk| {
            Box::pin(async move {
                let mut own = JobReport::new(job, opts.dry_run);
                walk_table(client, job, opts, walk, &mut own)
                    .await
                    .map(|_| own)
            }) as super::together::Boxed<_>
        })
        .collect();
    for (walk, result) in walks.iter().zip(super::together::all(runs).await) {
        let own: JobReport = result?;
        report.count_table(&walk.table, own.rows);
        report.absorb(own);
    }
    report.settle_yield();
    Ok(())
}

/// Rows per block assumed for a table never analyzed.
const DEFAULT_ROWS_PER_BLOCK: f64 = 50.0;

/// Walks one table; false when another run took the job's lock (stop the job). One
/// round trip reads the table's size and tries the lock (so an overlapping run, or an
/// empty table, costs nothing more), then one round trip per batch, lock included.
async fn walk_table(
    client: &Client,
    job: Job,
    opts: &CleanupOptions,
    walk: &Walk,
    report: &mut JobReport,
) -> Result<bool, tokio_postgres::Error> {
    let table = crate::sql::literal(&crate::sql::ident(&walk.table));
    let geometry = tx::run(
        client,
        opts.timeouts,
        &format!(
            "SELECT pg_relation_size({table}::regclass) / current_setting('block_size')::bigint,
                    CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages ELSE 0 END,
                    pg_try_advisory_xact_lock({key})
             FROM pg_class WHERE oid = {table}::regclass",
            key = job.lock_key()
        ),
    )
    .await?;
    let row = tx::rows(&geometry).into_iter().next().unwrap_or_default();
    let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    if field(2) != "t" {
        report.yield_to_other_run();
        return Ok(false);
    }
    let blocks: u64 = field(0).parse().unwrap_or(0);
    let rows_per_block = field(1)
        .parse::<f64>()
        .ok()
        .filter(|r| *r > 0.0)
        .unwrap_or(DEFAULT_ROWS_PER_BLOCK);
    let step = ((f64::from(opts.batch_size) / rows_per_block).floor() as u64).max(1);
    let mut first = 0;
    while first < blocks {
        let started = Instant::now();
        let sql = format!(
            "{}{}",
            tx::with_job_lock(job.lock_key()),
            (walk.batch_sql)(first, step)
        );
        let messages = tx::run(client, opts.timeouts, &sql).await?;
        let row = tx::rows(&messages).into_iter().next().unwrap_or_default();
        if row.first().cloned().flatten().as_deref() != Some("t") {
            report.yield_to_other_run();
            return Ok(false);
        }
        report.record_transaction(started);
        report.batches += 1;
        report.rows += row
            .get(1)
            .cloned()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        first += step;
    }
    Ok(true)
}

/// The default months of usage analytics kept.
pub const DEFAULT_KEEP_MONTHS: u32 = 12;

/// The default rows per batch: small enough that each transaction stays short.
pub const DEFAULT_BATCH_SIZE: u32 = 5000;

/// The default statement and lock timeouts of a cleanup transaction.
pub const DEFAULT_TIMEOUTS: Timeouts = Timeouts {
    statement: Duration::from_secs(60),
    lock: Duration::from_secs(5),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_loses_the_lock_partway_says_so_and_keeps_its_rows() {
        let mut before = JobReport::new(Job::OauthCodes, false);
        before.yield_to_other_run();
        assert!(before.skipped && !before.stopped_partway);
        let mut partway = JobReport::new(Job::OauthCodes, false);
        partway.batches = 2;
        partway.rows = 7;
        partway.yield_to_other_run();
        assert!(!partway.skipped && partway.stopped_partway);
        assert_eq!(partway.rows, 7);
    }
}
