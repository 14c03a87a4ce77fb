//! Builds a `tokio_postgres::Config` field by field from a parsed connection string,
//! since tokio-postgres's own parser rejects libpq keywords Neon users write.

use std::time::Duration;

use tokio_postgres::Config;
use tokio_postgres::config::{
    ChannelBinding, LoadBalanceHosts, SslMode, SslNegotiation, TargetSessionAttrs,
};

use crate::dsn::{ConnInfo, host, ports};

use super::{ConnectError, SessionOptions};

/// The default connect timeout: Neon computes scaled to zero can take seconds to wake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The application_name vsecure identifies itself with unless told otherwise.
pub fn default_application_name() -> String {
    format!("vsecure/{}", env!("CARGO_PKG_VERSION"))
}

/// The application_name in force: the flag, else the URL's, else its fallback, else
/// vsecure's own.
pub fn application_name(info: &ConnInfo, opts: &SessionOptions) -> String {
    opts.application_name
        .clone()
        .or_else(|| info.get("application_name").map(str::to_string))
        .or_else(|| info.get("fallback_application_name").map(str::to_string))
        .unwrap_or_else(default_application_name)
}

/// The connect timeout in force: the flag, else the URL's connect_timeout, else 15 s.
pub fn connect_timeout(info: &ConnInfo, opts: &SessionOptions) -> Duration {
    opts.connect_timeout
        .or_else(|| {
            info.get("connect_timeout")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map(|s| Duration::from_secs(s.max(2)))
        })
        .unwrap_or(DEFAULT_CONNECT_TIMEOUT)
}

/// Translates the connection string into a tokio-postgres configuration.
pub fn build(info: &ConnInfo, opts: &SessionOptions) -> Result<Config, ConnectError> {
    let mut config = Config::new();
    if let Some(user) = info.get("user") {
        config.user(user);
    }
    if let Some(password) = info.get("password") {
        config.password(password);
    }
    if let Some(dbname) = info.get("dbname") {
        config.dbname(dbname);
    }
    if let Some(options) = info.get("options").filter(|o| !o.is_empty()) {
        config.options(options);
    }
    config.application_name(application_name(info, opts));
    add_hosts(info, &mut config)?;
    config.connect_timeout(connect_timeout(info, opts));
    config.ssl_mode(match info.get("sslmode") {
        Some("disable") => SslMode::Disable,
        Some("require" | "verify-ca" | "verify-full") => SslMode::Require,
        _ => SslMode::Prefer,
    });
    if info.get("sslnegotiation") == Some("direct") {
        config.ssl_negotiation(SslNegotiation::Direct);
    }
    config.channel_binding(match info.get("channel_binding") {
        Some("disable") => ChannelBinding::Disable,
        Some("require") => ChannelBinding::Require,
        _ => ChannelBinding::Prefer,
    });
    config.target_session_attrs(match info.get("target_session_attrs") {
        Some("read-write") => TargetSessionAttrs::ReadWrite,
        Some("read-only") => TargetSessionAttrs::ReadOnly,
        _ => TargetSessionAttrs::Any,
    });
    if info.get("load_balance_hosts") == Some("random") {
        config.load_balance_hosts(LoadBalanceHosts::Random);
    }
    add_keepalives(info, &mut config);
    Ok(config)
}

fn add_hosts(info: &ConnInfo, config: &mut Config) -> Result<(), ConnectError> {
    let hosts = info.hosts();
    let hostaddrs = info.hostaddrs();
    if hosts.is_empty() && hostaddrs.is_empty() {
        config.host_path("/var/run/postgresql");
        config.host_path("/tmp");
    }
    for h in &hosts {
        match host::classify(h) {
            host::HostKind::Socket => config.host_path(h),
            _ => config.host(*h),
        };
    }
    for addr in &hostaddrs {
        let ip = host::parse_hostaddr(addr).ok_or_else(|| {
            ConnectError::Config(format!("hostaddr \"{addr}\" is not a numeric IP address"))
        })?;
        config.hostaddr(ip);
    }
    let ports = ports::ports(info).map_err(|e| ConnectError::Config(e.to_string()))?;
    for port in ports {
        config.port(port.unwrap_or(5432));
    }
    Ok(())
}

fn seconds(info: &ConnInfo, key: &str) -> Option<u64> {
    info.get(key).and_then(|v| v.trim().parse().ok())
}

fn add_keepalives(info: &ConnInfo, config: &mut Config) {
    if let Some(on) = seconds(info, "keepalives") {
        config.keepalives(on != 0);
    }
    if let Some(s) = seconds(info, "keepalives_idle") {
        config.keepalives_idle(Duration::from_secs(s));
    }
    if let Some(s) = seconds(info, "keepalives_interval") {
        config.keepalives_interval(Duration::from_secs(s));
    }
    if let Some(n) = seconds(info, "keepalives_count") {
        config.keepalives_retries(n.try_into().unwrap_or(u32::MAX));
    }
    if let Some(ms) = seconds(info, "tcp_user_timeout") {
        config.tcp_user_timeout(Duration::from_millis(ms));
    }
}
