//! `vsecure lint [FILE...]`: the static rules over migration files.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{GlobalArgs, LintArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::lint::baseline::{self, Baseline};
use crate::lint::{self, Finding, Severity, render};
use crate::output::{self, Report};

/// What lint found.
#[derive(Debug, Serialize)]
pub struct LintReport {
    /// Every finding, accepted ones included (with their reason).
    findings: Vec<Finding>,
    /// How many files were read.
    files: usize,
    /// Findings that fail the run: errors not accepted.
    errors: usize,
    /// Warnings not accepted.
    warnings: usize,
    /// Accepted by a lint-ignore comment or the baseline.
    accepted: usize,
}

/// Lints the named files, or every migration in migrations/.
pub fn run(args: &LintArgs, _global: &GlobalArgs) -> Result<Box<dyn Report>> {
    if let Some(id) = &args.explain {
        return explain(id);
    }
    for id in &args.exclude {
        if lint::rule(id).is_none() {
            return Err(Error::Usage(format!(
                "--exclude {id}: no such rule (vsecure lint --explain all lists them)"
            )));
        }
    }
    let files = if args.files.is_empty() {
        migration_files(Path::new("migrations"))?
    } else {
        args.files.clone()
    };
    let baseline = Baseline::read(&args.baseline).map_err(Error::Usage)?;
    let mut findings = Vec::new();
    for path in &files {
        let shown = path.display().to_string();
        let sql = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read {shown}: {e}")))?;
        let mut found =
            lint::lint_sql(&shown, &sql, &args.exclude).map_err(|e| Error::Usage(e.to_string()))?;
        let version = baseline::version_of(&shown);
        for f in &mut found {
            if f.accepted.is_none() {
                f.accepted = baseline.reason_for(version, f.rule);
            }
        }
        findings.extend(found);
    }
    let count = |severity: Severity| {
        findings
            .iter()
            .filter(|f| f.accepted.is_none() && f.severity == severity)
            .count()
    };
    Ok(Box::new(LintReport {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        accepted: findings.iter().filter(|f| f.accepted.is_some()).count(),
        files: files.len(),
        findings,
    }))
}

/// The `V*.sql` files of the migrations folder, in version order.
fn migration_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|_| {
        Error::Usage(format!(
            "no migrations folder at {}: name the files to lint, or run from the repository root",
            dir.display()
        ))
    })?;
    let mut files: Vec<(i32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?;
            let version = baseline::version_of(name)?;
            name.ends_with(".sql").then_some((version, path))
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

impl Report for LintReport {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.errors == 0)
    }

    fn failure(&self) -> Option<String> {
        (self.errors > 0).then(|| {
            format!(
                "lint: {} error(s), {} warning(s)",
                self.errors, self.warnings
            )
        })
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, verbose: bool) -> std::io::Result<()> {
        for f in self
            .findings
            .iter()
            .filter(|f| verbose || f.accepted.is_none())
        {
            render::human(f, out)?;
        }
        writeln!(
            out,
            "lint: {} file(s), {} error(s), {} warning(s), {} accepted{}",
            self.files,
            self.errors,
            self.warnings,
            self.accepted,
            if self.accepted > 0 && !verbose {
                " (-v shows them)"
            } else {
                ""
            }
        )
    }

    fn sarif(&self) -> Option<serde_json::Value> {
        Some(render::sarif(&self.findings))
    }

    fn github_annotations(&self) -> Option<Vec<String>> {
        Some(render::github(&self.findings))
    }
}

/// One rule explained, or every rule listed.
struct Explanation(Vec<lint::RuleInfo>);

fn explain(id: &str) -> Result<Box<dyn Report>> {
    let rules: Vec<lint::RuleInfo> = if id == "all" {
        lint::rules::ALL.iter().map(|r| r.info()).collect()
    } else {
        match lint::rule(id) {
            Some(rule) => vec![rule.info()],
            None => {
                return Err(Error::Usage(format!(
                    "no lint rule is called \"{id}\" (vsecure lint --explain all lists them)"
                )));
            }
        }
    };
    Ok(Box::new(Explanation(rules)))
}

impl Report for Explanation {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let rules: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|r| {
                serde_json::json!({"id": r.id, "severity": r.severity, "summary": r.summary, "why": r.why, "fix": r.fix})
            })
            .collect();
        output::write_json(out, &rules)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        for r in &self.0 {
            let level = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(out, "{} ({level}): {}", r.id, r.summary)?;
            writeln!(out, "  why: {}", r.why)?;
            writeln!(out, "  instead: {}\n", r.fix)?;
        }
        Ok(())
    }
}
