//! Connection strings: exact libpq parsing, the vsecure policy, and the redacted forms
//! that are the only way a connection is ever shown.

pub mod environment;
pub mod host;
pub mod keywords;
pub mod neon;
mod parse;
mod passfile;
pub mod policy;
pub mod ports;
pub mod redact;
pub mod route;
pub mod scrub;

pub use parse::{ConnInfo, ENCODING_ADVICE, Form, ParseError, parse};

use serde::Serialize;

use environment::{LibpqEnvironment, Source};
use policy::{Finding, PolicyContext, Severity};

/// Everything `url check` reports about a connection string, computed without network.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Which libpq syntax the string used.
    pub form: Form,
    /// libpq keyword to value in force (the string, then libpq's environment), secrets
    /// left out.
    pub parsed: serde_json::Map<String, serde_json::Value>,
    /// libpq keyword to where its value came from (string, environment, password file,
    /// default), the password's included.
    pub sources: std::collections::BTreeMap<String, Source>,
    /// Whether the string carries a password.
    pub password_present: bool,
    /// The connection as a URI with secrets removed.
    pub redacted: String,
    /// SHA-256 over host, port, database and user: stable across password rotation.
    pub fingerprint: String,
    /// Endpoint facts when the (first Neon) host is a Neon endpoint.
    pub neon: Option<neon::NeonEndpoint>,
    /// What the policy found.
    pub findings: Vec<Finding>,
    /// True when no finding is an error.
    pub ok: bool,
}

/// Why a string could not be analysed at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InvalidConnectionString {
    /// libpq would reject it too.
    #[error("cannot parse connection string: {0}")]
    Parse(#[from] ParseError),
    /// libpq accepts it, but its ports cannot work.
    #[error("invalid connection string: {0}")]
    Port(#[from] ports::PortError),
    /// A URI whose user or password holds an unencoded `@`, `/`, `:`, `?` or `#`: libpq
    /// would read part of the password as the host, port or database, and show or even
    /// connect to it.
    #[error(
        "the user or password part of the URI holds an unencoded special character, so part of it would be read as the host, port or database (nothing of it is shown): {}",
        parse::ENCODING_ADVICE
    )]
    Unencoded,
    /// A scheme libpq does not read as a URI.
    #[error("unsupported URI scheme \"{0}\": use postgresql:// or postgres://")]
    Scheme(String),
    /// libpq's environment cannot be applied as libpq would apply it.
    #[error("{0}")]
    Environment(#[from] environment::ResolveError),
}

/// Parses a connection string, fills what it leaves unset from libpq's environment,
/// checks the ports, and applies the policy to the values in force.
pub fn analyse(
    input: &str,
    ctx: PolicyContext,
    env: &LibpqEnvironment,
) -> Result<(ConnInfo, Analysis), InvalidConnectionString> {
    let written = parse(input).map_err(|e| match foreign_scheme(input) {
        Some(scheme) => InvalidConnectionString::Scheme(scheme),
        None => InvalidConnectionString::Parse(e),
    })?;
    if written.form() == Form::Uri && misplaced_at(input, &written) {
        return Err(InvalidConnectionString::Unencoded);
    }
    let resolved = environment::resolve(&written, env)?;
    let ctx = PolicyContext {
        user_from_default: resolved.sources.get("user") == Some(&Source::Default),
        ..ctx
    };
    let info = resolved.info;
    ports::ports(&info)?;
    let mut findings = policy::check(&info, ctx);
    findings.extend(resolved.warnings.into_iter().map(|message| Finding {
        severity: Severity::Warning,
        code: "passfile-ignored",
        message,
    }));
    let parsed = info
        .public_values()
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let analysis = Analysis {
        form: info.form(),
        parsed,
        sources: resolved.sources,
        password_present: info.get("password").is_some(),
        redacted: redact::redacted(&info),
        fingerprint: redact::fingerprint(&info),
        neon: info.hosts().iter().find_map(|h| neon::endpoint(h)),
        ok: policy::passes(&findings),
        findings,
    };
    Ok((info, analysis))
}

/// The redacted form of a connection string given as text, or `None` when it does not
/// parse or when part of its password would show (an unencoded `@` or `/`).
pub fn redacted_text(input: &str) -> Option<String> {
    let info = parse(input).ok()?;
    if info.form() == Form::Uri && misplaced_at(input, &info) {
        return None;
    }
    Some(redact::redacted(&info))
}

/// Whether an `@` ended up outside the user-and-password part of a URI: in a host (the
/// password held an `@`), or in the path (the password held a `/`, or a second `@`
/// followed one). A well-formed URI has no raw `@` in its host or path.
fn misplaced_at(input: &str, info: &ConnInfo) -> bool {
    let rest = input.split_once("://").map_or("", |(_, rest)| rest);
    let path = rest.split_once('/').map_or("", |(_, path)| path);
    let path = path.split('?').next().unwrap_or("");
    info.hosts().iter().any(|h| h.contains('@')) || path.contains('@')
}

/// `mysql://...` parses as key=value and fails; name the scheme instead, which is the
/// real mistake. Only a short alphabetic scheme is quoted, never the rest.
fn foreign_scheme(input: &str) -> Option<String> {
    let (scheme, _) = input.split_once("://")?;
    let plausible = !matches!(scheme, "postgresql" | "postgres")
        && !scheme.is_empty()
        && scheme.len() <= 20
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    plausible.then(|| scheme.to_string())
}
