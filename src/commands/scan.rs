//! `vsecure scan [PATH...]`: leaked credentials in files, secrets redacted.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::cli::ScanArgs;
use crate::error::{Error, Result};
use crate::exit;
use crate::output::{self, Report, codescan};
use crate::scan::{self, ScanOptions, ScanReport};

/// Scans; exit 1 when anything was found, 2 when something could not be scanned.
pub fn run(args: &ScanArgs) -> Result<Box<dyn Report>> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = ScanOptions {
        no_ignore: args.no_ignore,
        fail_on_local_defaults: args.fail_on_local_defaults,
    };
    let mut report = scan::scan(&paths, options);
    if let Some(range) = &args.git {
        let repo = if paths[0].is_dir() {
            paths[0].clone()
        } else {
            paths[0]
                .parent()
                .map_or_else(|| PathBuf::from("."), PathBuf::from)
        };
        let found = scan::history::scan_history(&repo, range)
            .map_err(|e| Error::Usage(format!("scan --git: {e}")))?;
        report.add_history(found, options);
    }
    if let Some(path) = &args.baseline {
        let baseline =
            scan::baseline::Baseline::load(path).map_err(|e| Error::Usage(e.to_string()))?;
        report.apply_baseline(&baseline);
    }
    Ok(Box::new(report))
}

impl Report for ScanReport {
    fn exit_code(&self) -> i32 {
        if !self.findings.is_empty() {
            exit::FOUND_PROBLEMS
        } else if !self.complete() {
            exit::USAGE
        } else {
            exit::SUCCESS
        }
    }

    fn failure(&self) -> Option<String> {
        let unscanned = self.missing.len() + self.unreadable.len();
        match (self.findings.first(), unscanned) {
            (Some(first), _) => Some(format!(
                "{} credential(s) found, the first at {}:{}",
                self.findings.len(),
                first.path.display(),
                first.line
            )),
            (None, 0) => None,
            (None, n) => Some(format!(
                "the scan is incomplete: {n} path(s) could not be scanned"
            )),
        }
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        render(self, out)
    }

    fn sarif(&self) -> Option<serde_json::Value> {
        Some(sarif(self))
    }

    fn github_annotations(&self) -> Option<Vec<String>> {
        Some(github(self))
    }
}

/// What a finding says, the same in every format: its kind, where in the history, and
/// the redacted match.
fn message(f: &scan::Finding) -> String {
    format!("{}{}: {}", commit_prefix(f), f.kind.as_str(), f.redacted)
}

/// Every finding as a SARIF result with its fingerprint (so code scanning follows it as
/// lines move): failing ones at level error, local defaults as notes, accepted ones
/// with a suppression naming the baseline.
fn sarif(report: &ScanReport) -> serde_json::Value {
    let rules = scan::Kind::ALL
        .iter()
        .map(|kind| {
            json!({
                "id": kind.as_str(),
                "shortDescription": {"text": kind.description()},
                "help": {"text": "Rotate the password (it is leaked once committed), then read it from the environment or a secret store instead of the file."},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let listed = report
        .findings
        .iter()
        .chain(&report.local_defaults)
        .map(|f| (f, false))
        .chain(report.accepted.iter().map(|f| (f, true)));
    let results = listed
        .map(|(f, accepted)| {
            let mut result = json!({
                "ruleId": f.kind.as_str(),
                "level": if f.severity == "low" { "note" } else { "error" },
                "message": {"text": message(f)},
                "locations": codescan::sarif_location(&f.path.to_string_lossy(), f.line, f.column),
                "partialFingerprints": {"vsecureFingerprint/v1": f.fingerprint},
            });
            if accepted {
                result["suppressions"] =
                    json!([{"kind": "external", "justification": "in the --baseline file"}]);
            }
            result
        })
        .collect();
    codescan::sarif_log(rules, results)
}

/// The failing findings as GitHub error annotations, local defaults as notices.
fn github(report: &ScanReport) -> Vec<String> {
    let listed = report
        .findings
        .iter()
        .map(|f| (f, "error"))
        .chain(report.local_defaults.iter().map(|f| (f, "notice")));
    listed
        .map(|(f, level)| {
            let path = f.path.to_string_lossy();
            let place = codescan::Place {
                file: &path,
                line: f.line,
                column: f.column,
            };
            codescan::annotation(level, &place, f.kind.as_str(), &message(f))
        })
        .collect()
}

/// `commit 1a2b3c4d5e6f: ` before a finding of the history, as `git show` takes it.
fn commit_prefix(f: &scan::Finding) -> String {
    match &f.commit {
        Some(sha) => format!("commit {}: ", &sha[..sha.len().min(12)]),
        None => String::new(),
    }
}

fn render(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    let low = report
        .local_defaults
        .iter()
        .map(|f| (f, " (local default, low severity)"));
    let accepted = report.accepted.iter().map(|f| (f, " (accepted: baseline)"));
    for (f, note) in report
        .findings
        .iter()
        .map(|f| (f, ""))
        .chain(low)
        .chain(accepted)
    {
        writeln!(
            out,
            "{}{}:{}:{}: {}{note}: {}",
            commit_prefix(f),
            f.path.display(),
            f.line,
            f.column,
            f.kind.as_str(),
            f.redacted
        )?;
    }
    for path in &report.missing {
        writeln!(out, "{path}: not scanned: no such file or directory")?;
    }
    for u in &report.unreadable {
        writeln!(out, "{}: not scanned: {}", u.path.display(), u.reason)?;
    }
    let skipped = match report.files_skipped {
        0 => String::new(),
        n => format!(", {n} binary or oversized skipped"),
    };
    let incomplete = match report.missing.len() + report.unreadable.len() {
        0 => String::new(),
        n => format!("; incomplete: {n} path(s) could not be scanned"),
    };
    let local = match report.local_defaults.len() {
        0 => String::new(),
        n => format!(" ({n} local default(s) reported, not failing: --fail-on-local-defaults)"),
    };
    let baseline = match (report.accepted.len(), report.baseline_unmatched) {
        (0, 0) => String::new(),
        (n, 0) => format!(" ({n} accepted by the baseline)"),
        (n, stale) => format!(
            " ({n} accepted by the baseline; {stale} baseline entr{} no longer found)",
            if stale == 1 { "y" } else { "ies" }
        ),
    };
    writeln!(
        out,
        "{} credential(s) found in {} file(s) scanned{skipped}{incomplete}{local}{baseline}",
        report.findings.len(),
        report.files_scanned
    )
}
