//! `vsecure lint`: the migration that would lock or rewrite a busy table, or weaken the
//! v-secure security model, caught before it runs — each statement read by PostgreSQL's
//! own parser and held against one rule per module in `rules/`.

pub mod baseline;
pub mod live;
pub mod observe;
pub mod render;
pub mod rules;
mod suppress;
mod tree;

use std::collections::HashSet;

use serde::Serialize;

use crate::sqlparse::{self, Statement};

/// How serious a finding is: an error fails the run (exit 1), a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not fail the run.
    Warning,
    /// Fails the run.
    Error,
}

/// One rule: what it catches, why that is dangerous, and the safe way to write it.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// Stable id, used to suppress and exclude it (`require-concurrent-index-creation`).
    pub id: &'static str,
    /// How serious its findings are.
    pub severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// Why that is dangerous on a live database.
    pub why: &'static str,
    /// The safe way to write it.
    pub fix: &'static str,
}

/// What a rule knows of the migration around a statement.
#[derive(Debug, Default)]
pub struct Context {
    /// Tables created earlier in this migration (bare, lower-case names): the lock rules
    /// do not apply to them, nobody else uses them yet.
    pub created: HashSet<String>,
    /// Tables this migration enables row level security on, anywhere in it.
    pub rls_enabled: HashSet<String>,
    /// A `SET lock_timeout` came earlier in this migration.
    pub lock_timeout_set: bool,
    /// The migration runs outside a transaction (`-- vsecure:no-transaction`).
    pub no_transaction: bool,
}

impl Context {
    /// Whether a table existed before this migration (so locking it blocks others).
    pub fn existing(&self, table: &str) -> bool {
        !self.created.contains(table)
    }
}

/// What a rule found in a statement: its message, and where in the statement it points
/// (a byte offset into the statement's text; the start when unknown).
#[derive(Debug, Clone)]
pub struct Hit {
    /// What is wrong here, naming the object.
    pub message: String,
    /// Byte offset into the statement's text.
    pub at: usize,
}

/// A rule: its description, and the check of one statement.
pub trait Rule: Sync {
    /// What it is.
    fn info(&self) -> RuleInfo;
    /// Its findings in one statement.
    fn check(&self, statement: &Statement<'_>, cx: &Context) -> Vec<Hit>;
}

/// A finding in a file.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: &'static str,
    /// Its severity (a warning when accepted by the baseline or the file).
    pub severity: Severity,
    /// The file, as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The safe way to write it.
    pub help: &'static str,
    /// The table the statement works on, when it works on one (for `--live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// With `--live`: the table's estimated rows and size in the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The statement's line the finding points at, for the underline.
    #[serde(skip)]
    pub source_line: String,
    /// Accepted by a `-- vsecure:lint-ignore` comment or the baseline, with the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

/// Why a file could not be linted.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {cause}")]
pub struct LintError {
    /// The file.
    pub file: String,
    /// What went wrong.
    pub cause: String,
}

/// Lints one migration's SQL, `file` naming it in findings. `excluded` rules are not run.
pub fn lint_sql(file: &str, sql: &str, excluded: &[String]) -> Result<Vec<Finding>, LintError> {
    let statements = sqlparse::statements(sql).map_err(|e| LintError {
        file: file.to_string(),
        cause: e.to_string(),
    })?;
    let suppressions = suppress::read(sql).map_err(|cause| LintError {
        file: file.to_string(),
        cause,
    })?;
    let mut cx = Context {
        no_transaction: sql
            .lines()
            .next()
            .is_some_and(|l| l.trim() == crate::migrate::NO_TRANSACTION_DIRECTIVE),
        rls_enabled: statements
            .iter()
            .filter_map(|s| s.node.as_ref())
            .flat_map(tree::rls_enabled_tables)
            .collect(),
        ..Context::default()
    };
    let mut findings = Vec::new();
    for statement in &statements {
        for rule in rules::ALL {
            let info = rule.info();
            if excluded.iter().any(|e| e == info.id) {
                continue;
            }
            for hit in rule.check(statement, &cx) {
                let at = statement.offset + hit.at.min(statement.text.len());
                let (line, column, source_line) = position(sql, at);
                findings.push(Finding {
                    rule: info.id,
                    severity: info.severity,
                    file: file.to_string(),
                    line,
                    column,
                    message: hit.message,
                    help: info.fix,
                    table: statement.node.as_ref().and_then(tree::statement_table),
                    weight: None,
                    source_line,
                    accepted: suppressions.reason_for(info.id, statement.line, line),
                });
            }
        }
        if let Some(node) = &statement.node {
            cx.created
                .extend(sqlparse::rules::created_table(node).map(|(_, n)| n.to_lowercase()));
            cx.lock_timeout_set |= tree::sets_lock_timeout(node);
        }
    }
    Ok(findings)
}

/// Line, column and the text of the line of a byte offset.
fn position(sql: &str, at: usize) -> (usize, usize, String) {
    let before = &sql[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = 1 + before.matches('\n').count();
    let column = 1 + sql[line_start..at].chars().count();
    let source_line = sql[line_start..].lines().next().unwrap_or("").to_string();
    (line, column, source_line)
}

/// Finds a rule by id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    rules::ALL.iter().copied().find(|r| r.info().id == id)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the rules' tests: a rule's findings in SQL read by the real parser.

    use super::*;

    /// The messages `rule` gives for `sql` (a whole migration).
    pub fn hits(rule: &dyn Rule, sql: &str) -> Vec<String> {
        lint_sql("test.sql", sql, &[])
            .unwrap()
            .into_iter()
            .filter(|f| f.rule == rule.info().id)
            .map(|f| f.message)
            .collect()
    }

    /// Asserts that `rule` fires on each of `bad` and on none of `good`.
    pub fn check(rule: &dyn Rule, bad: &[&str], good: &[&str]) {
        for sql in bad {
            assert!(
                !hits(rule, sql).is_empty(),
                "{} should fire on: {sql}",
                rule.info().id
            );
        }
        for sql in good {
            let found = hits(rule, sql);
            assert!(
                found.is_empty(),
                "{} should not fire on: {sql}: {found:?}",
                rule.info().id
            );
        }
    }
}
