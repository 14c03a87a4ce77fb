//! `vsecure doctor`: the url check, then a real connection: server version, TLS
//! protocol and cipher, channel binding, the role and its rights; one verdict for CI.

use std::io::Write;

use serde::Serialize;

use crate::cli::{Format, GlobalArgs};
use crate::db::{self, SessionOptions};
use crate::dsn::policy::PolicyContext;
use crate::dsn::{self, Analysis, host};
use crate::error::{Error, Result};
use crate::settings::{self, UrlSource};
use crate::{catalog, exit, output};

/// What the server said about itself and this session.
#[derive(Debug, Serialize)]
pub struct ServerFacts {
    /// `server_version`, e.g. `18.3`.
    pub version: String,
    /// `server_version_num`, e.g. 180003.
    pub version_num: i32,
    /// The database connected to.
    pub database: String,
    /// Whether this session uses TLS (pg_stat_ssl).
    pub tls: bool,
    /// TLS protocol version, e.g. `TLSv1.3`.
    pub tls_version: Option<String>,
    /// TLS cipher suite.
    pub tls_cipher: Option<String>,
    /// The channel_binding setting in force: `require` means SCRAM-SHA-256-PLUS was used.
    pub channel_binding: String,
    /// The role connected as.
    pub role: String,
    /// Whether the role is a superuser.
    pub superuser: bool,
    /// Whether the role may create databases (needed for shadow databases).
    pub can_create_database: bool,
    /// Whether the role bypasses row level security.
    pub bypasses_rls: bool,
}

/// The whole doctor report.
#[derive(Debug, Serialize)]
pub struct DoctorReport {
    /// The url check.
    pub url: Analysis,
    /// Facts from the server; null when the policy refused to connect.
    pub server: Option<ServerFacts>,
    /// The live schema against the embedded snapshot; null when not connected.
    pub drift: Option<super::drift::DriftReport>,
    /// Problems found after connecting.
    pub problems: Vec<String>,
    /// The verdict: true when nothing is wrong.
    pub ok: bool,
}

const FACTS_SQL: &str = "
SELECT current_setting('server_version'),
       current_setting('server_version_num')::int,
       current_database(),
       coalesce(s.ssl, false),
       s.version,
       s.cipher,
       r.rolname::text,
       r.rolsuper,
       r.rolcreatedb,
       r.rolbypassrls
FROM pg_roles r
LEFT JOIN pg_stat_ssl s ON s.pid = pg_backend_pid()
WHERE r.rolname = current_user";

/// Runs the doctor and prints its report.
pub async fn run(global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let database_url = settings::resolve_database_url(None, &global.connection)?;
    let ctx = PolicyContext {
        from_command_line: database_url.source == UrlSource::CommandLine,
        needs_direct_endpoint: false,
    };
    let (info, analysis) = dsn::analyse(&database_url.text, ctx)?;
    let mut report = DoctorReport {
        ok: analysis.ok,
        url: analysis,
        server: None,
        drift: None,
        problems: Vec::new(),
    };
    if report.ok {
        let opts = SessionOptions::from_args(&global.connection, global.output.verbose);
        let session = db::connect(&info, &opts).await?;
        let row = session
            .client
            .query_one(FACTS_SQL, &[])
            .await
            .map_err(|e| {
                Error::Connect(db::ConnectError::Session {
                    target: session.target.clone(),
                    cause: e.to_string(),
                })
            })?;
        let facts = ServerFacts {
            version: row.get(0),
            version_num: row.get(1),
            database: row.get(2),
            tls: row.get(3),
            tls_version: row.get(4),
            tls_cipher: row.get(5),
            channel_binding: info.get("channel_binding").unwrap_or("prefer").to_string(),
            role: row.get(6),
            superuser: row.get(7),
            can_create_database: row.get(8),
            bypasses_rls: row.get(9),
        };
        report.problems = problems(&info, &facts);
        let drift = drift_report(&session.client).await?;
        if drift.drift {
            report.problems.push(format!(
                "schema drift: {} difference(s) from the embedded snapshot (run vsecure drift)",
                drift.differences.len()
            ));
        }
        report.drift = Some(drift);
        report.ok = report.problems.is_empty();
        report.server = Some(facts);
    }
    if super::shows_report(global) {
        match global.output.format {
            Format::Json => output::write_json(out, &report)?,
            Format::Table => render(&report, global.output.verbose, out)?,
        }
    }
    Ok(if report.ok {
        exit::SUCCESS
    } else {
        exit::FOUND_PROBLEMS
    })
}

/// The live public schema against the snapshot of the migrations.
async fn drift_report(client: &tokio_postgres::Client) -> Result<super::drift::DriftReport> {
    let actual = catalog::introspect(client, &catalog::scope(&[])).await?;
    let expected = catalog::snapshot::embedded()?;
    let none = catalog::IgnoreSet::new(&[]).map_err(Error::Usage)?;
    Ok(super::drift::compare(
        &expected,
        &actual,
        &none,
        "embedded snapshot".to_string(),
    ))
}

/// What is wrong with a working connection.
fn problems(info: &dsn::ConnInfo, facts: &ServerFacts) -> Vec<String> {
    let mut problems = Vec::new();
    let remote = info
        .hosts()
        .iter()
        .any(|h| !host::is_local(host::classify(h)));
    if remote && !facts.tls {
        problems.push("the session is not encrypted although the host is not local".to_string());
    }
    if let Some(version) = &facts.tls_version
        && matches!(version.as_str(), "TLSv1" | "TLSv1.1")
    {
        problems.push(format!(
            "{version} is obsolete: the server should offer TLS 1.2 or 1.3"
        ));
    }
    problems
}

fn render(report: &DoctorReport, verbose: bool, out: &mut dyn Write) -> std::io::Result<()> {
    super::url_check::render_table(&report.url, verbose, out)?;
    if let Some(s) = &report.server {
        let tls = if s.tls {
            format!(
                "{} {}",
                s.tls_version.as_deref().unwrap_or("?"),
                s.tls_cipher.as_deref().unwrap_or("?")
            )
        } else {
            "not in use".to_string()
        };
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let facts = output::facts([
            (
                "server",
                format!("PostgreSQL {} ({})", s.version, s.version_num),
            ),
            ("database", s.database.clone()),
            ("tls", tls),
            ("channel binding", s.channel_binding.clone()),
            ("role", s.role.clone()),
            ("superuser", yes_no(s.superuser)),
            ("can create databases", yes_no(s.can_create_database)),
            ("bypasses RLS", yes_no(s.bypasses_rls)),
        ]);
        writeln!(out, "{facts}")?;
    }
    if let Some(drift) = &report.drift {
        let line = if drift.drift {
            format!(
                "{} difference(s) from the migrations",
                drift.differences.len()
            )
        } else {
            "none: the schema matches the migrations".to_string()
        };
        writeln!(out, "{}", output::facts([("schema drift", line)]))?;
    }
    for problem in &report.problems {
        writeln!(out, "problem: {problem}")?;
    }
    let verdict = if report.ok {
        "doctor: ok"
    } else {
        "doctor: problems found"
    };
    writeln!(out, "{verdict}")
}
