//! Connections: TLS with verification, channel binding, timeouts, retries with backoff,
//! and session settings. Errors name the connection only by its redacted form.

mod config;
mod connect;
mod error;
pub mod pooler;
mod tls;

pub use config::{DEFAULT_CONNECT_TIMEOUT, default_application_name};
pub use connect::{Session, connect, finish_closing};
pub use error::{ConnectError, describe_error};
pub use tls::defer_system_certificates;

use std::time::Duration;

/// How to connect and what to set on the session, resolved from the global flags.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Per-attempt connect timeout; `None` takes the URL's or the default.
    pub connect_timeout: Option<Duration>,
    /// Retries after a transient failure.
    pub connect_retries: u32,
    /// statement_timeout for the session (zero: none).
    pub statement_timeout: Duration,
    /// lock_timeout for the session (zero: none).
    pub lock_timeout: Duration,
    /// application_name override.
    pub application_name: Option<String>,
    /// Print each connection attempt to stderr.
    pub verbose: bool,
    /// Apply statement_timeout and lock_timeout with SET for the whole session. False
    /// where a transaction-mode pooler may sit in between (a SET would leak to other
    /// clients there): those commands use SET LOCAL in each transaction instead.
    pub session_settings: bool,
}
