//! `vsecure doctor`: everything at once, one verdict for CI: the url policy, the
//! connection (server, TLS, channel binding, the role and its rights), the required
//! extensions, the migration status, schema drift, and local hygiene.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::db;
use crate::dsn::environment::LibpqEnvironment;
use crate::dsn::policy::PolicyContext;
use crate::dsn::{self, Analysis};
use crate::error::{Error, Result};
use crate::hygiene::{self, HygieneFinding};
use crate::migrate::{self, MigrateError, MigrationSet, plan};
use crate::ops::extensions::{self, ExtensionReport, ExtensionStatus};
use crate::output::{self, Report};
use crate::settings::{self, UrlSource};
use crate::{catalog, exit};

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
    /// Whether channel binding was used, as far as the client can know: true under
    /// `require` (the connection could not exist without it), false without TLS or under
    /// `disable`, unknown (null) under `prefer` over TLS (used only if the server offered
    /// SCRAM-SHA-256-PLUS).
    pub channel_binding_in_use: Option<bool>,
    /// The role connected as.
    pub role: String,
    /// Whether the role is a superuser.
    pub superuser: bool,
    /// Whether the role may create databases (needed for shadow databases).
    pub can_create_database: bool,
    /// Whether the role may create extensions: a superuser, or CREATE on the database
    /// (enough for trusted extensions, and on Neon, where the owner role may).
    pub can_create_extensions: bool,
    /// Whether the role bypasses row level security.
    pub bypasses_rls: bool,
    /// Rights the cron jobs need that the role lacks (empty when it has them all, or
    /// when the tables do not exist yet).
    pub missing_job_rights: Vec<String>,
}

/// The whole doctor report.
#[derive(Debug, Serialize)]
pub struct DoctorReport {
    /// The url check.
    pub url: Analysis,
    /// Facts from the server; null when the policy refused to connect.
    pub server: Option<ServerFacts>,
    /// The required extensions; null when not connected.
    pub extensions: Option<Vec<ExtensionReport>>,
    /// The migration status against this binary's migrations; null when not connected.
    pub migrations: Option<plan::Status>,
    /// The live schema against the embedded snapshot; null when not connected.
    pub drift: Option<catalog::DriftReport>,
    /// Local hygiene: the env file and the command line.
    pub hygiene: Vec<HygieneFinding>,
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
       r.rolsuper OR has_database_privilege(current_database(), 'CREATE'),
       r.rolbypassrls,
       array_to_string(ARRAY(
         SELECT format('%s on %s (%s)', j.privilege, j.tbl, j.job)
         FROM (VALUES ('DELETE', 'oauth_authorization_codes', 'cleanup oauth-codes'),
                      ('DELETE', 'oauth_tokens', 'cleanup oauth-tokens'),
                      ('UPDATE', 'mcp_key_sessions', 'cleanup key-sessions'),
                      ('UPDATE', 'mcp_proxy_tokens', 'cleanup key-sessions'),
                      ('DELETE', 'usage_analytics', 'cleanup analytics')) j(privilege, tbl, job)
         WHERE to_regclass(j.tbl) IS NOT NULL
           AND NOT has_table_privilege(to_regclass(j.tbl), j.privilege)
         UNION ALL
         SELECT 'ownership of usage_analytics (cleanup analytics drops and partitions ensure creates its partitions)'
         FROM pg_class c
         WHERE c.oid = to_regclass('usage_analytics') AND NOT pg_has_role(c.relowner, 'USAGE')), '; ')
FROM pg_roles r
LEFT JOIN pg_stat_ssl s ON s.pid = pg_backend_pid()
WHERE r.rolname = current_user";

/// Runs every check and combines their reports into one verdict.
pub async fn run(global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let database_url = settings::resolve_database_url(None, &global.connection)?;
    let ctx = PolicyContext {
        from_command_line: database_url.source == UrlSource::CommandLine,
        needs_direct_endpoint: false,
        ..PolicyContext::default()
    };
    let (info, analysis) =
        dsn::analyse(&database_url.text, ctx, &LibpqEnvironment::from_process())?;
    let password_present = analysis.password_present;
    let mut report = DoctorReport {
        ok: analysis.ok,
        url: analysis,
        server: None,
        extensions: None,
        migrations: None,
        drift: None,
        hygiene: hygiene::check(
            env_file(global).as_deref(),
            database_url.source == UrlSource::CommandLine && password_present,
        ),
        problems: Vec::new(),
    };
    if report.ok {
        let opts = super::connection::session_options(global);
        let session = db::connect(&info, &opts).await?;
        // The four reads travel together: one round trip after connecting.
        let requirements = extensions::requirements(&[]);
        let (facts_row, extensions, history, drift) = tokio::join!(
            session.client.query_typed_one(FACTS_SQL, &[]),
            extensions::check(&session.client, &requirements),
            migrate::history::read(&session.client),
            drift_report(&session),
        );
        let row = facts_row.map_err(|e| session.query_failed(&e))?;
        let missing_job_rights: String = row.get(11);
        let facts = ServerFacts {
            version: row.get(0),
            version_num: row.get(1),
            database: row.get(2),
            tls: row.get(3),
            tls_version: row.get(4),
            tls_cipher: row.get(5),
            channel_binding: info.get("channel_binding").unwrap_or("prefer").to_string(),
            channel_binding_in_use: match (
                info.get("channel_binding").unwrap_or("prefer"),
                row.get::<_, bool>(3),
            ) {
                ("require", _) => Some(true),
                ("disable", _) | (_, false) => Some(false),
                _ => None,
            },
            role: row.get(6),
            superuser: row.get(7),
            can_create_database: row.get(8),
            can_create_extensions: row.get(9),
            bypasses_rls: row.get(10),
            missing_job_rights: missing_job_rights
                .split("; ")
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
        };
        report.problems = problems(&info, &facts);
        // Each section stands alone: one that cannot be read is a problem of its own,
        // and the others are still reported.
        match extensions {
            Ok(extensions) => {
                report.problems.extend(extension_problems(&extensions));
                report.extensions = Some(extensions);
            }
            Err(e) => report.problems.push(format!(
                "extensions could not be checked: {}",
                db::describe_error(&e)
            )),
        }
        let set = MigrationSet::embedded().map_err(MigrateError::from)?;
        match history {
            Ok(Ok(history)) => {
                let status = plan::status(&set, &history);
                report.problems.extend(migration_problems(&status));
                report.migrations = Some(status);
            }
            Ok(Err(corrupt)) => report.problems.push(format!(
                "migration history: {}",
                MigrateError::from(corrupt)
            )),
            Err(e) => report.problems.push(format!(
                "the migration history could not be read: {}",
                db::describe_error(&e)
            )),
        }
        match drift {
            Ok(drift) => {
                if drift.drift {
                    report.problems.push(format!(
                        "schema drift: {} difference(s) from the embedded snapshot (run vsecure drift)",
                        drift.differences.len()
                    ));
                }
                report.drift = Some(drift);
            }
            Err(e) => report
                .problems
                .push(format!("schema drift could not be checked: {e}")),
        }
        report.server = Some(facts);
    }
    report
        .problems
        .extend(report.hygiene.iter().map(|f| f.message.clone()));
    report.ok = report.url.ok && report.problems.is_empty();
    Ok(Box::new(report))
}

impl Report for DoctorReport {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.ok)
    }

    fn failure(&self) -> Option<String> {
        if self.ok {
            return None;
        }
        if !self.url.ok {
            return Some(super::url_check::refusal(&self.url.findings));
        }
        Some(format!(
            "doctor: {} problem(s): {}",
            self.problems.len(),
            self.problems.join("; ")
        ))
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, verbose: bool) -> std::io::Result<()> {
        render(self, verbose, out)
    }
}

/// The env file in use: `--env-file`, or the nearest `.env`.
fn env_file(global: &GlobalArgs) -> Option<PathBuf> {
    match &global.connection.env_file {
        Some(path) => Some(path.clone()),
        None => settings::default_env_file(),
    }
}

/// Extensions that are not ok.
fn extension_problems(reports: &[ExtensionReport]) -> Vec<String> {
    reports
        .iter()
        .filter(|r| r.status != ExtensionStatus::Ok)
        .map(|r| {
            format!(
                "extension {} is {} (required {}; run vsecure extensions check)",
                r.name,
                r.status.as_str(),
                r.required
            )
        })
        .collect()
}

/// Pending, divergent and missing migrations.
fn migration_problems(status: &plan::Status) -> Vec<String> {
    let mut problems = status.blocking_problems();
    if !status.pending.is_empty() {
        problems.push(format!(
            "{} migration(s) pending (run vsecure migrate)",
            status.pending.len()
        ));
    }
    problems
}

/// The live public schema against the snapshot of the migrations.
async fn drift_report(session: &db::Session) -> Result<catalog::DriftReport> {
    let compared = catalog::Optional::default();
    let actual = catalog::introspect(session, &catalog::scope(&[]), compared).await?;
    let expected = catalog::snapshot::embedded()?;
    let none = catalog::IgnoreSet::new(&[]).map_err(Error::Usage)?;
    let basis = catalog::Basis::embedded_migrations().map_err(MigrateError::from)?;
    Ok(catalog::compare(
        expected,
        actual,
        &none,
        &[],
        compared,
        "embedded snapshot".to_string(),
        basis,
    ))
}

/// What is wrong with a working connection.
fn problems(info: &dsn::ConnInfo, facts: &ServerFacts) -> Vec<String> {
    let mut problems = Vec::new();
    let remote = !dsn::route::all_local(info);
    if remote && !facts.tls {
        problems.push("the session is not encrypted although the host is not local".to_string());
    }
    for right in &facts.missing_job_rights {
        problems.push(format!("the role lacks {right}, which the cron job needs"));
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
            (
                "channel binding",
                match s.channel_binding_in_use {
                    Some(true) => "in use (channel_binding=require: SCRAM-SHA-256-PLUS was required)".to_string(),
                    Some(false) if !s.tls => "not in use (no TLS)".to_string(),
                    Some(false) => format!("not in use (channel_binding={})", s.channel_binding),
                    None => "not verified (channel_binding=prefer: used only if the server offered it; set channel_binding=require)".to_string(),
                },
            ),
            ("role", s.role.clone()),
            ("superuser", yes_no(s.superuser)),
            ("can create databases", yes_no(s.can_create_database)),
            ("can create extensions", yes_no(s.can_create_extensions)),
            ("bypasses RLS", yes_no(s.bypasses_rls)),
        ]);
        writeln!(out, "{facts}")?;
    }
    let mut summary = Vec::new();
    if let Some(extensions) = &report.extensions {
        let bad = extensions
            .iter()
            .filter(|e| e.status != ExtensionStatus::Ok)
            .count();
        summary.push((
            "extensions",
            match bad {
                0 => format!("all {} ok", extensions.len()),
                n => format!("{n} of {} not ok", extensions.len()),
            },
        ));
    }
    if let Some(status) = &report.migrations {
        summary.push((
            "migrations",
            format!(
                "{} applied, {} pending, {} divergent, {} missing",
                status.applied.len(),
                status.pending.len(),
                status.divergent.len(),
                status.missing.len()
            ),
        ));
    }
    if let Some(drift) = &report.drift {
        summary.push((
            "schema drift",
            if drift.drift {
                format!(
                    "{} difference(s) from the migrations",
                    drift.differences.len()
                )
            } else {
                "none: the schema matches the migrations".to_string()
            },
        ));
    }
    summary.push((
        "local hygiene",
        match report.hygiene.len() {
            0 => "ok".to_string(),
            n => format!("{n} problem(s)"),
        },
    ));
    writeln!(out, "{}", output::facts(summary))?;
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
