//! The connection-string policy: what vsecure accepts, warns about and refuses, and why.
//!
//! Each finding has a stable `code` for scripts and a message saying how to fix it.

use serde::Serialize;

use super::host::{self, HostKind};
use super::keywords::{self, Support};
use super::route::{self, Route};
use super::{ConnInfo, neon};

/// How serious a finding is. Any `Error` makes the verdict fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; changes nothing.
    Info,
    /// Works, but is risky or surprising.
    Warning,
    /// vsecure refuses to connect with this string.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One thing the policy noticed about a connection string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// A stable identifier, e.g. `insecure-sslmode`.
    pub code: &'static str,
    /// What is wrong and how to fix it; never contains a secret.
    pub message: String,
}

/// Facts about how the string reached vsecure and what it is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyContext {
    /// The string came from the command line, where `ps` shows it to other users.
    pub from_command_line: bool,
    /// The command holds session state (migrate, baseline) and needs a direct endpoint.
    pub needs_direct_endpoint: bool,
    /// Neither the string nor PGUSER named the role: libpq's default, the
    /// operating-system account, filled it in.
    pub user_from_default: bool,
}

/// The sslmode libpq uses when none is given.
pub const DEFAULT_SSLMODE: &str = "prefer";

/// Applies the policy to a parsed connection string.
pub fn check(info: &ConnInfo, ctx: PolicyContext) -> Vec<Finding> {
    let mut out = Findings::default();
    check_keywords(info, &mut out);
    check_identity(info, ctx, &mut out);
    check_hosts(info, ctx, &mut out);
    check_tls(info, &mut out);
    check_values(info, &mut out);
    out.0.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out.0
}

/// Whether a list of findings allows connecting.
pub fn passes(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity != Severity::Error)
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn error(&mut self, code: &'static str, message: impl Into<String>) {
        self.push(Severity::Error, code, message);
    }
    fn warning(&mut self, code: &'static str, message: impl Into<String>) {
        self.push(Severity::Warning, code, message);
    }
    fn info(&mut self, code: &'static str, message: impl Into<String>) {
        self.push(Severity::Info, code, message);
    }
    fn push(&mut self, severity: Severity, code: &'static str, message: impl Into<String>) {
        self.0.push(Finding {
            severity,
            code,
            message: message.into(),
        });
    }
}

fn check_keywords(info: &ConnInfo, out: &mut Findings) {
    for (key, _) in info.iter() {
        let Some(kw) = keywords::find(key) else {
            continue;
        };
        match kw.support {
            Support::Honoured => {}
            Support::Ignored => out.warning(
                "ignored-parameter",
                format!("{key} has no effect on a vsecure connection"),
            ),
            Support::Unsupported => out.error(
                "unsupported-parameter",
                format!("{key} is not supported by vsecure; remove it from the connection string"),
            ),
        }
    }
}

fn check_identity(info: &ConnInfo, ctx: PolicyContext, out: &mut Findings) {
    if ctx.user_from_default || info.get("user").is_none_or(str::is_empty) {
        out.error(
            "missing-user",
            "no user: the role would default to the operating-system account; name it (postgresql://USER@host/db, or PGUSER)",
        );
    }
    let password = info.get("password").is_some_and(|p| !p.is_empty());
    let tcp = route::routes(info).iter().any(|r| *r != Route::Socket);
    if tcp && !password {
        out.error(
            "missing-password",
            "no password for a TCP host: add it to DATABASE_URL in the environment or .env",
        );
    }
    if password && ctx.from_command_line {
        out.warning(
            "password-on-command-line",
            "a password on the command line is visible to other users in `ps`; use DATABASE_URL or .env instead",
        );
    }
}

fn check_hosts(info: &ConnInfo, ctx: PolicyContext, out: &mut Findings) {
    let hosts = info.hosts();
    let hostaddrs = info.hostaddrs();
    if !hostaddrs.is_empty() && !hosts.is_empty() && hosts.len() != hostaddrs.len() {
        out.error(
            "hostaddr-count",
            format!(
                "{} hostaddr values for {} hosts: give one per host",
                hostaddrs.len(),
                hosts.len()
            ),
        );
    }
    for addr in &hostaddrs {
        if !addr.is_empty() && host::parse_hostaddr(addr).is_none() {
            out.error(
                "invalid-hostaddr",
                format!("hostaddr \"{addr}\" is not a numeric IP address"),
            );
        }
    }
    for h in &hosts {
        match host::classify(h) {
            HostKind::Remote if !h.is_empty() => out.warning(
                "non-neon-host",
                format!("host {h} is neither a Neon endpoint nor local"),
            ),
            HostKind::Neon => check_neon_host(info, h, ctx, out),
            _ => {}
        }
    }
}

fn check_neon_host(info: &ConnInfo, h: &str, ctx: PolicyContext, out: &mut Findings) {
    if info.get("channel_binding") != Some("require") {
        out.error(
            "neon-channel-binding",
            format!("host {h} is a Neon endpoint: add channel_binding=require"),
        );
    }
    let Some(ep) = neon::endpoint(h) else {
        return;
    };
    if !ep.pooled {
        return;
    }
    let message = format!(
        "host {h} is Neon's pooled endpoint (PgBouncer, transaction mode); migrate and baseline need the direct host {}",
        ep.direct_host
    );
    if ctx.needs_direct_endpoint {
        out.error("pooled-endpoint", message);
    } else {
        out.warning("pooled-endpoint", message);
    }
}

fn check_tls(info: &ConnInfo, out: &mut Findings) {
    let sslmode = info.get("sslmode").unwrap_or(DEFAULT_SSLMODE);
    let valid = [
        "disable",
        "allow",
        "prefer",
        "require",
        "verify-ca",
        "verify-full",
    ];
    if !valid.contains(&sslmode) {
        out.error(
            "invalid-value",
            format!(
                "invalid sslmode value \"{sslmode}\" (expected one of: {})",
                valid.join(", ")
            ),
        );
        return;
    }
    let plaintext_allowed = matches!(sslmode, "disable" | "allow" | "prefer");
    if plaintext_allowed && !route::all_local(info) {
        out.error(
            "insecure-sslmode",
            format!("sslmode={sslmode} may send credentials in clear text over the network (only a unix socket or a literal loopback address such as 127.0.0.1 or ::1 may go without TLS; a name like localhost is resolved and may lead elsewhere): use sslmode=verify-full"),
        );
    }
    if sslmode == "disable" && info.get("channel_binding") == Some("require") {
        out.error(
            "channel-binding-without-tls",
            "channel_binding=require needs TLS, but sslmode=disable turns it off",
        );
    }
    if matches!(sslmode, "require" | "verify-ca") {
        out.info(
            "verification-stricter",
            format!("with sslmode={sslmode} vsecure still verifies the certificate chain and host name, like verify-full"),
        );
    }
    if let Some(root) = info.get("sslrootcert")
        && root != "system"
        && !std::path::Path::new(root).is_file()
    {
        out.error(
            "sslrootcert-unreadable",
            format!("sslrootcert file {root} does not exist or is not a file"),
        );
    }
}

/// Keyword, accepted values, values libpq accepts but vsecure cannot honour.
const ENUMERATED: &[(&str, &[&str], &[&str])] = &[
    ("channel_binding", &["disable", "prefer", "require"], &[]),
    ("gssencmode", &["disable", "prefer"], &["require"]),
    (
        "target_session_attrs",
        &["any", "read-write", "read-only"],
        &["primary", "standby", "prefer-standby"],
    ),
    ("load_balance_hosts", &["disable", "random"], &[]),
    ("sslnegotiation", &["postgres", "direct"], &[]),
    ("sslcertmode", &["disable", "allow"], &["require"]),
    (
        "ssl_min_protocol_version",
        &["TLSv1", "TLSv1.1", "TLSv1.2"],
        &["TLSv1.3"],
    ),
    (
        "client_encoding",
        &["UTF8", "utf8", "UTF-8", "utf-8"],
        &["auto"],
    ),
];

const INTEGERS: &[&str] = &[
    "connect_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
];

fn check_values(info: &ConnInfo, out: &mut Findings) {
    for (key, accepted, unsupported) in ENUMERATED {
        let Some(value) = info.get(key) else {
            continue;
        };
        if accepted.contains(&value) {
            continue;
        }
        if unsupported.contains(&value) {
            out.error(
                "unsupported-value",
                format!(
                    "{key}={value} is not supported by vsecure (use one of: {})",
                    accepted.join(", ")
                ),
            );
        } else {
            out.error(
                "invalid-value",
                format!(
                    "invalid {key} value \"{value}\" (expected one of: {})",
                    accepted.join(", ")
                ),
            );
        }
    }
    for key in INTEGERS {
        if let Some(value) = info.get(key)
            && value.trim().parse::<u32>().is_err()
        {
            out.error(
                "invalid-value",
                format!("invalid {key} value \"{value}\" (expected a whole number)"),
            );
        }
    }
}
