//! The forms lint findings are shown in: rustc-like text for people, SARIF 2.1.0 for
//! code scanning, and GitHub workflow annotations.

use std::io::Write;

use serde_json::json;

use crate::output::codescan;

use super::{Finding, Severity, rules};

/// One finding as rustc shows a diagnostic: rule, message, location, the line with the
/// statement underlined from the finding's column, and the safe way as help.
pub fn human(finding: &Finding, out: &mut dyn Write) -> std::io::Result<()> {
    let level = match (&finding.accepted, finding.severity) {
        (Some(_), _) => "accepted",
        (None, Severity::Error) => "error",
        (None, Severity::Warning) => "warning",
    };
    writeln!(out, "{level}[{}]: {}", finding.rule, finding.message)?;
    let gutter = " ".repeat(finding.line.to_string().len());
    writeln!(
        out,
        "{gutter}--> {}:{}:{}",
        finding.file, finding.line, finding.column
    )?;
    writeln!(out, "{gutter} |")?;
    writeln!(out, "{} | {}", finding.line, finding.source_line)?;
    let start = finding.column.saturating_sub(1);
    let width = finding
        .source_line
        .trim_end()
        .chars()
        .count()
        .saturating_sub(start)
        .max(1);
    writeln!(out, "{gutter} | {}{}", " ".repeat(start), "^".repeat(width))?;
    if let Some(weight) = &finding.weight {
        writeln!(out, "{gutter} = live: {weight}")?;
    }
    writeln!(out, "{gutter} = help: {}", finding.help)?;
    if let Some(reason) = &finding.accepted {
        writeln!(out, "{gutter} = accepted: {reason}")?;
    }
    writeln!(out)
}

/// The findings as a SARIF 2.1.0 log, every rule described, accepted findings carried
/// with their suppression and its justification.
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = rules::ALL
        .iter()
        .map(|rule| {
            let info = rule.info();
            json!({
                "id": info.id,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": info.why},
                "help": {"text": info.fix},
                "defaultConfiguration": {"level": level(info.severity)},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": codescan::sarif_location(&f.file, f.line, f.column),
            });
            if let Some(reason) = &f.accepted {
                result["suppressions"] = json!([{
                    "kind": if reason.starts_with("baseline:") { "external" } else { "inSource" },
                    "justification": reason,
                }]);
            }
            result
        })
        .collect();
    codescan::sarif_log(rules, results)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The findings not accepted, as GitHub workflow commands.
pub fn github(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.accepted.is_none())
        .map(|f| {
            let place = codescan::Place {
                file: &f.file,
                line: f.line,
                column: f.column,
            };
            codescan::annotation(
                level(f.severity),
                &place,
                f.rule,
                &format!("{} (help: {})", f.message, f.help),
            )
        })
        .collect()
}

/// What `--observe` saw, statement by statement: every lock SHARE or stronger on a
/// table that existed before (long when held while the table was scanned or rewritten)
/// and every rewrite, with the static findings on the same line, or a note that none
/// caught it.
pub fn observations(
    observed: &[super::observe::Observation],
    findings: &[Finding],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "observed on a shadow database:")?;
    let mut shown = 0;
    for o in observed {
        if o.locks.is_empty() && o.rewritten.is_empty() {
            continue;
        }
        shown += 1;
        let mut what: Vec<String> = o
            .locks
            .iter()
            .map(|l| {
                format!(
                    "{} on {}{}",
                    l.mode,
                    l.table,
                    if l.long {
                        " held while it was scanned or rewritten"
                    } else {
                        " (briefly)"
                    }
                )
            })
            .collect();
        what.extend(o.rewritten.iter().map(|t| format!("rewrote {t}")));
        let rules: Vec<&str> = findings
            .iter()
            .filter(|f| f.file == o.file && f.line == o.line)
            .map(|f| f.rule)
            .collect();
        let reconciled = if rules.is_empty() {
            "no static rule caught this".to_string()
        } else {
            format!("flagged by {}", rules.join(", "))
        };
        writeln!(
            out,
            "  {}:{}: {} -- {} ({} ms; {reconciled})",
            o.file,
            o.line,
            o.statement,
            what.join("; "),
            o.duration_ms
        )?;
    }
    if shown == 0 {
        writeln!(
            out,
            "  no statement locked or rewrote a table that existed before it"
        )?;
    }
    let unobserved = observed.iter().filter(|o| !o.locks_observed).count();
    if unobserved > 0 {
        writeln!(
            out,
            "  ({unobserved} statement(s) of no-transaction migrations: their locks end with the statement and are not observed; rewrites are)"
        )?;
    }
    Ok(())
}
