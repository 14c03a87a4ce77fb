//! Tells a direct PostgreSQL session from one behind a transaction-mode pooler
//! (PgBouncer, pgcat, Supavisor ...), whatever the host is called. Session advisory locks
//! and SET do not survive between transactions there, so migrate and baseline refuse it.
//!
//! The probe: the session connects under a one-time application_name and sends nothing;
//! a second session asks pg_stat_activity for that name. A direct server (or a proxy that
//! only forwards bytes, or a session-mode pooler) started a backend for the session at
//! login, so the name is there. A transaction-mode pooler gives a client a server only
//! while a transaction runs, so an idle new client has none and the name is nowhere.

use std::hash::{BuildHasher, RandomState};

use tokio_postgres::SimpleQueryMessage;

use super::{ConnectError, Session, SessionOptions, config, connect};
use crate::dsn::ConnInfo;
use crate::sql::literal;

/// What the probe concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The session has a backend of its own.
    Direct,
    /// Sessions share server connections between transactions.
    TransactionPooler,
}

/// Connects and probes; on a direct server the session then gets its real
/// application_name and, as `opts` asks, its timeouts (queued with the command's
/// first statement, no round trip of their own).
pub async fn connect_probed(
    info: &ConnInfo,
    opts: &SessionOptions,
) -> Result<(Session, Verdict), ConnectError> {
    let name = config::application_name(info, opts);
    let marker = format!(
        "vsecure-probe-{:016x}",
        RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()))
    );
    let mut probe_opts = opts.clone();
    probe_opts.application_name = Some(marker.clone());
    probe_opts.session_settings = false;
    let session = connect(info, &probe_opts).await?;
    let mut second_opts = opts.clone();
    second_opts.session_settings = false;
    second_opts.connect_retries = 0;
    let second = connect(info, &second_opts).await?;
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = {}",
        literal(&marker)
    );
    let messages = second
        .client
        .simple_query(&sql)
        .await
        .map_err(|e| second.query_failed(&e))?;
    drop(second);
    let seen = messages.iter().any(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0).is_some_and(|n| n != "0"),
        _ => false,
    });
    if !seen {
        return Ok((session, Verdict::TransactionPooler));
    }
    let mut settings = format!("SET application_name = {}", literal(&name));
    if opts.session_settings {
        settings.push_str("; ");
        settings.push_str(&super::connect::timeout_settings(opts));
    }
    super::connect::send_without_waiting(&session.client, &settings);
    Ok((session, Verdict::Direct))
}
