//! `vsecure scan`: leaked PostgreSQL credentials in files, found fast (a parallel walk
//! that respects .gitignore and skips binaries) and reported without the secrets.

mod detect;
mod placeholder;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use serde::Serialize;

pub use detect::{ALLOW_MARKER, Detection, Kind, detect};
pub use placeholder::is_placeholder;

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
}

/// What a scan found and covered.
#[derive(Debug, Default, Serialize)]
pub struct ScanReport {
    /// True when nothing was found.
    pub ok: bool,
    /// Every finding, sorted by path and position.
    pub findings: Vec<Finding>,
    /// Text files read.
    pub files_scanned: usize,
    /// Files skipped as binary or too large.
    pub files_skipped: usize,
}

/// Which files a scan reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Also read files that .gitignore and the like exclude.
    pub no_ignore: bool,
}

/// Why a scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A path given does not exist.
    #[error("{0}: no such file or directory")]
    NoSuchPath(String),
}

#[derive(Default)]
struct Totals {
    findings: Vec<Finding>,
    scanned: usize,
    skipped: usize,
}

/// Scans files and directories (hidden files included, `.git` excluded).
pub fn scan(paths: &[PathBuf], options: ScanOptions) -> Result<ScanReport, ScanError> {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        return Err(ScanError::NoSuchPath(missing.display().to_string()));
    }
    let (first, rest) = paths.split_first().expect("at least one path");
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
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if entry.file_type().is_some_and(|t| t.is_file()) {
                let outcome = scan_file(entry.path());
                let mut totals = totals.lock().expect("scan totals");
                match outcome {
                    Some(found) => {
                        totals.scanned += 1;
                        totals.findings.extend(found);
                    }
                    None => totals.skipped += 1,
                }
            }
            WalkState::Continue
        })
    });
    let mut totals = totals.into_inner().expect("scan totals");
    totals
        .findings
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok(ScanReport {
        ok: totals.findings.is_empty(),
        findings: totals.findings,
        files_scanned: totals.scanned,
        files_skipped: totals.skipped,
    })
}

/// The findings of one file, or None when it is skipped (binary, too large, unreadable).
fn scan_file(path: &Path) -> Option<Vec<Finding>> {
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_FILE_BYTES {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    if text[..text.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        return None;
    }
    Some(
        detect(&text)
            .into_iter()
            .map(|d| {
                let (line, column) = position(&text, d.offset);
                Finding {
                    path: path.to_path_buf(),
                    line,
                    column,
                    kind: d.kind,
                    redacted: d.redacted,
                }
            })
            .collect(),
    )
}

/// 1-based line and column of a byte offset.
fn position(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (line, column)
}
