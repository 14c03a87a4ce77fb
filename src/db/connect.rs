//! Connecting with retries and backoff, and classifying failures into one-line causes.

use std::error::Error as _;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::dsn::{ConnInfo, neon, redact};

use super::{ConnectError, SessionOptions, config, tls};

/// An open connection and how to name it safely.
pub struct Session {
    /// The client to run queries with.
    pub client: Client,
    /// The redacted connection string, for messages.
    pub target: String,
    /// The connection fingerprint, for logs.
    pub fingerprint: String,
    /// Whether the endpoint is Neon's transaction-mode pooler, where session state
    /// (SET, session advisory locks) does not survive between transactions.
    pub pooled: bool,
    /// `SET LOCAL statement_timeout = ...; SET LOCAL lock_timeout = ...;`: the flags'
    /// timeouts for one transaction, safe through a transaction-mode pooler.
    pub local_timeouts: String,
    connection: Option<tokio::task::JoinHandle<()>>,
}

impl Session {
    /// Runs `work` (one request on this session's client) in a read-only transaction
    /// with the flags' timeouts set locally: BEGIN and SET LOCAL are queued before the
    /// work's request and COMMIT right after it, so all three travel in one round trip,
    /// and through a transaction-mode pooler the settings end with the transaction.
    pub async fn read_with_timeouts<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        use std::task::{Context, Poll, Waker};
        send_without_waiting(
            &self.client,
            &format!("BEGIN READ ONLY; {}", self.local_timeouts),
        );
        let mut work = std::pin::pin!(work);
        // The first poll encodes the work's request and queues it on the connection.
        let first = work.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        send_without_waiting(&self.client, "COMMIT");
        match first {
            Poll::Ready(out) => out,
            Poll::Pending => work.await,
        }
    }

    /// A query on this session failed: the error that names the connection (redacted)
    /// and what the server said, for commands whose failing query means the database is
    /// unusable rather than a job failed.
    pub fn query_failed(&self, error: &tokio_postgres::Error) -> ConnectError {
        ConnectError::Session {
            target: self.target.clone(),
            cause: super::describe_error(error),
        }
    }
}

impl Drop for Session {
    /// The client is dropped right after this, and its connection then ends the protocol
    /// properly (Terminate) instead of leaving "Connection reset by peer" in the server's
    /// log; [`finish_closing`] lets it do so before the runtime stops.
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            CLOSING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(connection);
        }
    }
}

/// Connections of ended sessions, still sending their Terminate.
static CLOSING: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits (at most `limit`) for the connections of ended sessions to close properly;
/// called once a command is done, before its runtime stops.
pub async fn finish_closing(limit: Duration) {
    let closing = std::mem::take(&mut *CLOSING.lock().unwrap_or_else(|e| e.into_inner()));
    let all = async {
        for connection in closing {
            let _ = connection.await;
        }
    };
    let _ = tokio::time::timeout(limit, all).await;
}

const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// Slack over tokio-postgres's own per-host timeout before vsecure gives up on an attempt.
const ATTEMPT_SLACK: Duration = Duration::from_secs(2);

/// Connects, retrying transient failures with exponential backoff and jitter, then
/// applies the session settings (unless the endpoint is a transaction-mode pooler).
pub async fn connect(info: &ConnInfo, opts: &SessionOptions) -> Result<Session, ConnectError> {
    let target = redact::redacted(info);
    let pg_config = config::build(info, opts)?;
    let timeout = config::connect_timeout(info, opts);
    // sslmode=disable never starts TLS: skip building a connector, which loads the
    // system's certificate bundle (tens of milliseconds of CPU).
    let connector = match info.get("sslmode") {
        Some("disable") => None,
        _ => Some(tls::connector(info)?),
    };
    let pooled = info
        .hosts()
        .iter()
        .any(|h| neon::endpoint(h).is_some_and(|ep| ep.pooled));
    let mut attempt = 0;
    loop {
        attempt += 1;
        if opts.verbose {
            crate::output::note(format_args!("connecting to {target} (attempt {attempt})"));
        }
        let outcome = tokio::time::timeout(
            timeout + ATTEMPT_SLACK,
            attempt_once(&pg_config, &connector),
        )
        .await;
        let failure = match outcome {
            Ok(Ok((client, connection))) => {
                let session = Session {
                    client,
                    target: target.clone(),
                    fingerprint: redact::fingerprint(info),
                    pooled,
                    local_timeouts: local_timeout_settings(opts),
                    connection: Some(connection),
                };
                apply_session_settings(&session, opts);
                return Ok(session);
            }
            Ok(Err(e)) => classify(&e, &target, attempt),
            Err(_) => Failure {
                transient: true,
                error: ConnectError::Timeout {
                    target: target.clone(),
                    attempts: attempt,
                    timeout_secs: timeout.as_secs_f64(),
                },
            },
        };
        if !failure.transient || attempt > opts.connect_retries {
            return Err(match failure.error {
                ConnectError::Timeout { target, .. } => ConnectError::Timeout {
                    target,
                    attempts: attempt,
                    timeout_secs: timeout.as_secs_f64(),
                },
                ConnectError::Tls { target, cause } => ConnectError::Tls {
                    target,
                    cause: tls::explain(&cause, info),
                },
                other => other,
            });
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
}

/// One connection attempt, with TLS or without; the connection is driven by its own task.
async fn attempt_once(
    pg_config: &tokio_postgres::Config,
    connector: &Option<postgres_native_tls::MakeTlsConnector>,
) -> Result<(Client, tokio::task::JoinHandle<()>), tokio_postgres::Error> {
    // An error on the connection surfaces on the next query through the client.
    Ok(match connector {
        Some(tls) => {
            let (client, connection) = pg_config.connect(tls.clone()).await?;
            (client, tokio::spawn(async move { drop(connection.await) }))
        }
        None => {
            let (client, connection) = pg_config.connect(tokio_postgres::NoTls).await?;
            (client, tokio::spawn(async move { drop(connection.await) }))
        }
    })
}

/// Queues the session's timeouts without waiting for the answer: the SET travels with
/// the command's first statement instead of costing a round trip of its own (at Neon's
/// distance, 10-80 ms). The values are checked when the flags are parsed, so the answer
/// carries nothing to wait for.
fn apply_session_settings(session: &Session, opts: &SessionOptions) {
    if session.pooled || !opts.session_settings {
        return;
    }
    send_without_waiting(&session.client, &timeout_settings(opts));
}

/// The SET statements of the session's timeouts.
pub(crate) fn timeout_settings(opts: &SessionOptions) -> String {
    format!(
        "SET statement_timeout = {}; SET lock_timeout = {}",
        opts.statement_timeout.as_millis(),
        opts.lock_timeout.as_millis()
    )
}

/// The SET LOCAL statements of the flags' timeouts, for one transaction.
fn local_timeout_settings(opts: &SessionOptions) -> String {
    format!(
        "SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {};",
        opts.statement_timeout.as_millis(),
        opts.lock_timeout.as_millis()
    )
}

/// Hands `sql` to the connection (requests leave in order) and drops the wait for its
/// answer; the connection reads and discards the answer when it comes.
pub(crate) fn send_without_waiting(client: &Client, sql: &str) {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let mut request = std::pin::pin!(client.batch_execute(sql));
    // The first poll encodes the query and queues it on the connection's channel.
    let _: Poll<_> = request
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
}

/// Exponential backoff with jitter: 50 to 100 % of base * 2^(attempt-1), capped.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    let jitter = RandomState::new().hash_one(attempt) % 1000;
    full.mul_f64(0.5 + jitter as f64 / 2000.0)
}

struct Failure {
    transient: bool,
    error: ConnectError,
}

/// The error and its causes as one line, each cause once.
pub(crate) fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line.replace('\n', " ")
}

fn classify(error: &tokio_postgres::Error, target: &str, attempts: u32) -> Failure {
    let target = target.to_string();
    if let Some(db) = error.as_db_error() {
        let cause = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return Failure {
                transient: false,
                error: ConnectError::Auth { target, cause },
            };
        }
        let transient =
            *code == SqlState::CANNOT_CONNECT_NOW || *code == SqlState::TOO_MANY_CONNECTIONS;
        return Failure {
            transient,
            error: ConnectError::Unreachable {
                target,
                attempts,
                cause,
            },
        };
    }
    let cause = cause_chain(error);
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(inner) = source {
        if inner.downcast_ref::<native_tls::Error>().is_some() {
            return Failure {
                transient: false,
                error: ConnectError::Tls { target, cause },
            };
        }
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            let transient = matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | TimedOut
                    | NotConnected
                    | BrokenPipe
                    | UnexpectedEof
                    | HostUnreachable
                    | NetworkUnreachable
            );
            return Failure {
                transient,
                error: ConnectError::Unreachable {
                    target,
                    attempts,
                    cause,
                },
            };
        }
        source = inner.source();
    }
    let lower = cause.to_ascii_lowercase();
    if lower.contains("tls") || lower.contains("ssl") {
        return Failure {
            transient: false,
            error: ConnectError::Tls { target, cause },
        };
    }
    if lower.contains("timeout") || lower.contains("timed out") {
        return Failure {
            transient: true,
            error: ConnectError::Timeout {
                target,
                attempts: 1,
                timeout_secs: 0.0,
            },
        };
    }
    Failure {
        transient: false,
        error: ConnectError::Unreachable {
            target,
            attempts,
            cause,
        },
    }
}
