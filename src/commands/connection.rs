//! Opens the connection a command works on, after the url policy allows it.

use crate::cli::GlobalArgs;
use crate::db::{self, Session, SessionOptions};
use crate::dsn::environment::LibpqEnvironment;
use crate::dsn::policy::{PolicyContext, Severity};
use crate::dsn::{self, ConnInfo};
use crate::error::{Error, Result};
use crate::settings::{self, DatabaseUrl, UrlSource};

/// The session options the global flags ask for.
pub fn session_options(global: &GlobalArgs) -> SessionOptions {
    let args = &global.connection;
    SessionOptions {
        connect_timeout: args.connect_timeout,
        connect_retries: args.connect_retries,
        statement_timeout: args.statement_timeout,
        lock_timeout: args.lock_timeout,
        application_name: args.application_name.clone(),
        verbose: global.output.verbose,
        session_settings: true,
    }
}

/// What a command needs of its connection.
#[derive(Debug, Clone, Copy)]
pub enum Endpoint {
    /// Session state must survive (SET, session advisory locks): not Neon's pooler.
    Direct,
    /// Works through a transaction-mode pooler too.
    AnyEndpoint,
}

/// Resolves the database URL, applies the policy (refusing on any error finding, with
/// the findings in the message) and connects.
pub async fn open(global: &GlobalArgs, endpoint: Endpoint) -> Result<(ConnInfo, Session)> {
    let database_url = settings::resolve_database_url(None, &global.connection)?;
    open_url(global, &database_url, endpoint).await
}

/// Like [`open`], for a URL other than the database URL (`drift --against`).
pub async fn open_url(
    global: &GlobalArgs,
    database_url: &DatabaseUrl,
    endpoint: Endpoint,
) -> Result<(ConnInfo, Session)> {
    let ctx = PolicyContext {
        from_command_line: database_url.source == UrlSource::CommandLine,
        needs_direct_endpoint: matches!(endpoint, Endpoint::Direct),
        ..PolicyContext::default()
    };
    let (info, analysis) =
        dsn::analyse(&database_url.text, ctx, &LibpqEnvironment::from_process())?;
    if global.output.verbose {
        crate::output::note(format_args!(
            "connection string from {}",
            database_url.source.describe()
        ));
    }
    if !global.output.quiet {
        for finding in analysis
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
        {
            crate::output::note(format_args!("vsecure: warning: {}", finding.message));
        }
    }
    if !analysis.ok {
        let errors: Vec<String> = analysis
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{} ({})", f.message, f.code))
            .collect();
        return Err(Error::PolicyRefused(errors.join("; ")));
    }
    let mut opts = session_options(global);
    let direct = matches!(endpoint, Endpoint::Direct);
    // A host Neon names as direct is known to be; any other is probed before a SET or
    // a session lock goes through it.
    let probe = direct
        && !info
            .hosts()
            .iter()
            .any(|h| dsn::neon::endpoint(h).is_some());
    opts.session_settings = direct;
    if !probe {
        let session = db::connect(&info, &opts).await?;
        return Ok((info, session));
    }
    let (session, verdict) = db::pooler::connect_probed(&info, &opts).await?;
    if verdict == db::pooler::Verdict::TransactionPooler {
        return Err(Error::PolicyRefused(format!(
            "{} behaves as a transaction-mode pooler (PgBouncer or similar: clients share server connections between transactions); migrate and baseline need a direct connection to PostgreSQL, since session locks and settings do not survive there (pooled-endpoint)",
            session.target
        )));
    }
    Ok((info, session))
}
