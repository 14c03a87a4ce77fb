//! `vsecure scan [PATH...]`: leaked credentials in files, secrets redacted.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Format, GlobalArgs, ScanArgs};
use crate::error::Result;
use crate::scan::{self, ScanOptions, ScanReport};
use crate::{exit, output};

/// Scans and prints; exit 1 when anything was found.
pub fn run(args: &ScanArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let report = scan::scan(
        &paths,
        ScanOptions {
            no_ignore: args.no_ignore,
        },
    );
    if super::shows_report(global) {
        match global.output.format {
            Format::Json => output::write_json(out, &report)?,
            Format::Table => render(&report, out)?,
        }
    }
    Ok(if !report.findings.is_empty() {
        exit::FOUND_PROBLEMS
    } else if !report.complete() {
        exit::USAGE
    } else {
        exit::SUCCESS
    })
}

fn render(report: &ScanReport, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {}: {}",
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
    writeln!(
        out,
        "{} credential(s) found in {} file(s) scanned{skipped}{incomplete}",
        report.findings.len(),
        report.files_scanned
    )
}
