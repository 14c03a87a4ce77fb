//! `vsecure url check [URL]`: parse exactly as libpq does, apply the policy, no network.

use std::io::Write;

use crate::cli::GlobalArgs;
use crate::dsn::environment::LibpqEnvironment;
use crate::dsn::policy::{Finding, PolicyContext, Severity};
use crate::dsn::{self, Analysis};
use crate::error::Result;
use crate::exit;
use crate::output::{self, Report};
use crate::settings::{self, UrlSource};

/// Checks the given URL, or the resolved database URL.
pub fn run(url: Option<&str>, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let database_url = settings::resolve_database_url(url, &global.connection)?;
    let ctx = PolicyContext {
        from_command_line: database_url.source == UrlSource::CommandLine,
        needs_direct_endpoint: false,
        ..PolicyContext::default()
    };
    let (_, analysis) = dsn::analyse(&database_url.text, ctx, &LibpqEnvironment::from_process())?;
    Ok(Box::new(analysis))
}

impl Report for Analysis {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.ok)
    }

    fn failure(&self) -> Option<String> {
        (!self.ok).then(|| refusal(&self.findings))
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, verbose: bool) -> std::io::Result<()> {
        render_table(self, verbose, out)
    }
}

/// One line naming the policy errors, for `-q`.
pub fn refusal(findings: &[Finding]) -> String {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} ({})", f.message, f.code))
        .collect();
    format!("connection string refused by policy: {}", errors.join("; "))
}

/// The human report: facts, parsed values, findings, verdict.
pub fn render_table(
    analysis: &Analysis,
    verbose: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let neon = match &analysis.neon {
        Some(ep) => format!(
            "endpoint {}, region {}, {}",
            ep.endpoint_id,
            ep.region.as_deref().unwrap_or("unknown"),
            if ep.pooled {
                format!("pooled (direct host: {})", ep.direct_host)
            } else {
                "direct".to_string()
            }
        ),
        None => "not a Neon host".to_string(),
    };
    let facts = output::facts([
        ("connection", analysis.redacted.clone()),
        ("fingerprint", analysis.fingerprint.clone()),
        (
            "password",
            if analysis.password_present {
                "present (not shown)"
            } else {
                "absent"
            }
            .to_string(),
        ),
        ("neon", neon),
    ]);
    writeln!(out, "{facts}")?;
    let mut values = output::table(&["keyword", "value", "from"]);
    for (key, source) in &analysis.sources {
        let value = match analysis.parsed.get(key) {
            Some(value) => value.as_str().unwrap_or_default().to_string(),
            None => "(not shown)".to_string(),
        };
        values.add_row(vec![key.clone(), value, source.to_string()]);
    }
    writeln!(out, "{values}")?;
    render_findings(&analysis.findings, verbose, out)?;
    writeln!(out, "{}", verdict(&analysis.findings))
}

/// The findings table (info findings only with `--verbose`).
pub fn render_findings(
    findings: &[Finding],
    verbose: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| verbose || f.severity != Severity::Info)
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    let mut table = output::table(&["severity", "code", "message"]);
    for f in shown {
        table.add_row(vec![
            f.severity.to_string(),
            f.code.to_string(),
            f.message.clone(),
        ]);
    }
    writeln!(out, "{table}")
}

/// One line: ok, or how many errors and warnings.
pub fn verdict(findings: &[Finding]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    match (errors, warnings) {
        (0, 0) => "verdict: ok".to_string(),
        (0, w) => format!("verdict: ok ({w} warning(s))"),
        (e, w) => format!("verdict: refused ({e} error(s), {w} warning(s))"),
    }
}
