//! Suppression in a migration: `-- vsecure:lint-ignore RULE: reason` on the line of a
//! finding or the line before its statement. A reason is required: the comment is the
//! review record of why the risk was accepted.

use std::collections::HashMap;

/// The marker that starts a suppression comment.
const MARKER: &str = "vsecure:lint-ignore";

/// The suppressions of one file: (rule, line it covers) to reason.
#[derive(Debug, Default)]
pub struct Suppressions {
    by_line: HashMap<(String, usize), String>,
}

impl Suppressions {
    /// The reason a finding of `rule` is accepted, when a comment covers the statement
    /// starting at `statement_line` or the finding's own `line`.
    pub fn reason_for(&self, rule: &str, statement_line: usize, line: usize) -> Option<String> {
        [line, statement_line]
            .into_iter()
            .find_map(|l| self.by_line.get(&(rule.to_string(), l)).cloned())
    }
}

/// Reads the suppression comments; one without a reason is an error naming its line.
pub fn read(sql: &str) -> Result<Suppressions, String> {
    let mut found = Suppressions::default();
    for (index, text) in sql.lines().enumerate() {
        let Some(at) = text.find(MARKER) else {
            continue;
        };
        let line = index + 1;
        let rest = text[at + MARKER.len()..].trim();
        let (rule, reason) = rest.split_once(':').unwrap_or((rest, ""));
        let (rule, reason) = (rule.trim(), reason.trim());
        if rule.is_empty() || reason.is_empty() {
            return Err(format!(
                "line {line}: a lint-ignore comment needs a rule and a reason: -- {MARKER} RULE: why it is safe here"
            ));
        }
        if super::rule(rule).is_none() {
            return Err(format!(
                "line {line}: no lint rule is called \"{rule}\" (vsecure lint --explain lists them)"
            ));
        }
        // A comment alone on its line covers the next line; after code, its own line.
        let covers = if text[..at].trim().trim_end_matches("--").trim().is_empty() {
            line + 1
        } else {
            line
        };
        found
            .by_line
            .insert((rule.to_string(), covers), reason.to_string());
        found
            .by_line
            .insert((rule.to_string(), line), reason.to_string());
    }
    Ok(found)
}
