//! `vsecure scan`: leaked PostgreSQL credentials in files, found fast (a parallel walk
//! that respects .gitignore and skips binaries) and reported without the secrets.

/// A setting's type written between its name and `=` (`db_password: str = "..."`, `val
/// dbPassword: String = "..."`, pydantic's `SecretStr`): one spelling for the patterns
/// that read a password, a user and a host, in whichever reader they are.
macro_rules! type_annotation {
    () => {
        r":[ \t]*(?:str|SecretStr|String|string)[ \t]*"
    };
}

mod assigned;
pub mod baseline;
mod detect;
mod ecpg;
mod emacs_sql;
mod formatted;
mod getter;
mod hammerdb;
pub mod history;
mod inserted;
mod joined;
mod lines;
mod ora2pg;
mod parameter_value;
mod placeholder;
mod positional;
mod postmodern;
mod property_list;
mod role_comment;
mod structured;
#[cfg(test)]
mod test_support;
mod user_mapping;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use detect::{ALLOW_MARKER, Detection, Kind, detect};
pub use placeholder::is_placeholder;
use structured::Syntax;

/// A gitignore-style file of paths `scan` skips (besides .gitignore and .ignore).
pub const IGNORE_FILE: &str = ".vsecureignore";

/// Files larger than this are skipped (and counted): generated dumps, not sources.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How far into a file to look for a NUL byte, the sign of a binary file.
const BINARY_PROBE_BYTES: usize = 8192;

/// A credential found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as reached from the path given.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in bytes).
    pub column: usize,
    /// What kind of credential.
    pub kind: Kind,
    /// The finding with its secret replaced by `****`.
    pub redacted: String,
    /// `high` for a credential; `low` for a well-known local default on loopback or a
    /// CI service container, which does not fail the run (unless asked).
    pub severity: &'static str,
    /// With `--git`: the commit that added the line (the path and line are that
    /// commit's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Stable identity for `--baseline`: a hash of the kind, the path and the secret's
    /// hash (never the secret), unchanged when the line moves.
    pub fingerprint: String,
}

impl Finding {
    /// The finding `detection` makes at `line` and `column` of `path` (of `commit`, in
    /// the history).
    pub fn new(
        path: PathBuf,
        (line, column): (usize, usize),
        detection: Detection,
        commit: Option<String>,
    ) -> Finding {
        let fingerprint = fingerprint(detection.kind, &path, &detection.secret_digest);
        Finding {
            path,
            line,
            column,
            kind: detection.kind,
            redacted: detection.redacted,
            severity: if detection.local_default {
                "low"
            } else {
                "high"
            },
            commit,
            fingerprint,
        }
    }
}

/// The kind, the path (as given, without a leading `./`) and the secret's digest,
/// hashed together: 32 hexadecimal digits.
fn fingerprint(kind: Kind, path: &Path, secret_digest: &[u8; 32]) -> String {
    let shown = path.to_string_lossy();
    let mut hasher = Sha256::new();
    hasher.update(kind.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(shown.trim_start_matches("./").as_bytes());
    hasher.update([0]);
    hasher.update(secret_digest);
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a scan found and covered.
#[derive(Debug, Default, Serialize)]
pub struct ScanReport {
    /// True when nothing was found and everything asked for was read.
    pub ok: bool,
    /// Every finding that fails the run, sorted by path and position.
    pub findings: Vec<Finding>,
    /// Well-known local defaults (`postgres:postgres@localhost`), reported without
    /// failing the run; `--fail-on-local-defaults` moves them to `findings`.
    pub local_defaults: Vec<Finding>,
    /// Findings the `--baseline` file accepts: known, reported, not failing the run.
    pub accepted: Vec<Finding>,
    /// How many of the baseline's fingerprints matched nothing (fixed since, or stale).
    pub baseline_unmatched: usize,
    /// Text files read.
    pub files_scanned: usize,
    /// Files skipped as binary or too large.
    pub files_skipped: usize,
    /// Files and directories that exist but could not be read (permissions, I/O):
    /// what they hold is unknown, so the scan is incomplete.
    pub unreadable: Vec<Unreadable>,
    /// Paths given that do not exist (shown redacted when they look like a connection
    /// string); the others are scanned all the same.
    pub missing: Vec<String>,
}

impl ScanReport {
    /// Whether every path asked for was read.
    pub fn complete(&self) -> bool {
        self.unreadable.is_empty() && self.missing.is_empty()
    }
}

/// A file or directory that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The path.
    pub path: PathBuf,
    /// Why, e.g. `permission denied`.
    pub reason: String,
}

/// Which files a scan reads, and what fails it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Also read files that .gitignore and the like exclude.
    pub no_ignore: bool,
    /// Count well-known local defaults as findings that fail the run.
    pub fail_on_local_defaults: bool,
}

impl ScanReport {
    /// Adds the findings of the history (`scan --git`), sorted after the tree's; local
    /// defaults go where `options` says.
    pub fn add_history(&mut self, found: Vec<Finding>, options: ScanOptions) {
        for f in found {
            if f.severity == "low" && !options.fail_on_local_defaults {
                self.local_defaults.push(f);
            } else {
                self.findings.push(f);
            }
        }
        self.ok = self.findings.is_empty() && self.complete();
    }
}

impl ScanReport {
    /// Moves the findings (and local defaults) the baseline knows to `accepted`, and
    /// counts the baseline's fingerprints that matched nothing.
    pub fn apply_baseline(&mut self, baseline: &baseline::Baseline) {
        let mut matched = std::collections::BTreeSet::new();
        for list in [&mut self.findings, &mut self.local_defaults] {
            let (known, new): (Vec<Finding>, Vec<Finding>) = std::mem::take(list)
                .into_iter()
                .partition(|f| baseline.contains(&f.fingerprint));
            *list = new;
            matched.extend(known.iter().map(|f| f.fingerprint.clone()));
            self.accepted.extend(known);
        }
        self.baseline_unmatched = baseline.unmatched(&matched);
        self.ok = self.findings.is_empty() && self.complete();
    }
}

#[derive(Default)]
struct Totals {
    findings: Vec<Finding>,
    scanned: usize,
    skipped: usize,
    unreadable: Vec<Unreadable>,
}

/// What became of one file.
enum FileOutcome {
    Scanned(Vec<Finding>),
    Skipped,
    Unreadable(Unreadable),
}

/// Scans files and directories (hidden files included, `.git` excluded). Paths that do
/// not exist are listed and the rest scanned; what cannot be read is listed too.
pub fn scan(paths: &[PathBuf], options: ScanOptions) -> ScanReport {
    let (present, absent): (Vec<&PathBuf>, Vec<&PathBuf>) = paths
        .iter()
        .partition(|p| std::fs::symlink_metadata(p).is_ok());
    let missing: Vec<String> = absent.iter().map(|p| shown_path(p)).collect();
    let Some((first, rest)) = present.split_first() else {
        return ScanReport {
            ok: false,
            missing,
            ..ScanReport::default()
        };
    };
    let mut builder = WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    builder
        .hidden(false)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|entry| entry.file_name() != ".git");
    let totals = Mutex::new(Totals::default());
    builder.build_parallel().run(|| {
        let totals = &totals;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let unreadable = walk_error(&error);
                    totals
                        .lock()
                        .expect("scan totals")
                        .unreadable
                        .push(unreadable);
                    return WalkState::Continue;
                }
            };
            if entry.file_type().is_some_and(|t| t.is_file()) {
                let outcome = scan_file(entry.path());
                let mut totals = totals.lock().expect("scan totals");
                match outcome {
                    FileOutcome::Scanned(found) => {
                        totals.scanned += 1;
                        totals.findings.extend(found);
                    }
                    FileOutcome::Skipped => totals.skipped += 1,
                    FileOutcome::Unreadable(u) => totals.unreadable.push(u),
                }
            }
            WalkState::Continue
        })
    });
    let mut totals = totals.into_inner().expect("scan totals");
    totals
        .findings
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    totals.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    let (local_defaults, findings): (Vec<Finding>, Vec<Finding>) = totals
        .findings
        .into_iter()
        .partition(|f| f.severity == "low" && !options.fail_on_local_defaults);
    let mut report = ScanReport {
        ok: false,
        findings,
        local_defaults,
        accepted: Vec::new(),
        baseline_unmatched: 0,
        files_scanned: totals.scanned,
        files_skipped: totals.skipped,
        unreadable: totals.unreadable,
        missing,
    };
    report.ok = report.findings.is_empty() && report.complete();
    report
}

/// A path as it may be shown: redacted when it looks like a connection string (someone
/// passed `scan "$DATABASE_URL"`).
fn shown_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if crate::dsn::scrub::may_carry_secret(&text) {
        crate::dsn::redacted_text(&text).unwrap_or_else(|| "<path not shown>".to_string())
    } else {
        text.into_owned()
    }
}

/// The path and cause of an error met while walking (an unreadable directory).
fn walk_error(error: &ignore::Error) -> Unreadable {
    match error {
        ignore::Error::WithPath { path, err } => Unreadable {
            path: path.clone(),
            reason: walk_error(err).reason,
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::Io(e) => Unreadable {
            path: PathBuf::new(),
            reason: io_reason(e),
        },
        other => Unreadable {
            path: PathBuf::new(),
            reason: other.to_string(),
        },
    }
}

fn io_reason(error: &std::io::Error) -> String {
    error.kind().to_string()
}

/// What became of one file: its findings, skipped (binary, too large), or unreadable.
fn scan_file(path: &Path) -> FileOutcome {
    let unreadable = |e: std::io::Error| {
        FileOutcome::Unreadable(Unreadable {
            path: path.to_path_buf(),
            reason: io_reason(&e),
        })
    };
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) => return unreadable(e),
    };
    if size > MAX_FILE_BYTES {
        return FileOutcome::Skipped;
    }
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) => return unreadable(e),
    };
    if text[..text.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        return FileOutcome::Skipped;
    }
    let lines = lines::Lines::new(&text);
    FileOutcome::Scanned(
        detect(&text, Syntax::of_path(path))
            .into_iter()
            .map(|d| Finding::new(path.to_path_buf(), lines.position(d.offset), d, None))
            .collect(),
    )
}
