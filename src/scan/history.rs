//! `scan --git`: the repository's history, streamed from `git log -p` one hunk at a
//! time, every added line read (with the lines around it) as the working tree is read. A secret deleted from the
//! tree but still in a commit is still leaked; each finding names that commit.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Finding;
use super::detect::detect;
use super::lines::Lines;
use super::structured::Syntax;

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// git could not be started.
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    /// git refused (not a repository, an unknown range).
    #[error("git log failed: {0}")]
    Git(String),
}

/// The findings in every line the commits in `range` added (`--all`: every commit
/// reachable from a ref), with the commit that added each.
pub fn scan_history(repo: &Path, range: &str) -> Result<Vec<Finding>, HistoryError> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "log",
            "-p",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            // Lines around each change, so that a password key is read with the
            // settings beside it, as in the tree.
            "--unified=12",
            "--format=commit %H",
            range,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(HistoryError::Spawn)?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut findings = Vec::new();
    let mut commit = String::new();
    let mut hunk = Hunk::default();
    let mut after_old_name = false;
    for raw in BufReader::new(stdout).split(b'\n') {
        let Ok(line) = raw else { break };
        // A file's new name follows its old one (`--- a/x`); an added line that happens
        // to start with `++ ` is content, not a header.
        let header = after_old_name;
        after_old_name = line.starts_with(b"--- ");
        if let Some(sha) = line.strip_prefix(b"commit ") {
            hunk.flush(&commit, &mut findings);
            commit = String::from_utf8_lossy(sha).into_owned();
            hunk.path = None;
        } else if let Some(file) = line.strip_prefix(b"+++ ").filter(|_| header) {
            hunk.flush(&commit, &mut findings);
            hunk.path = file
                .strip_prefix(b"b/")
                .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()));
        } else if line.starts_with(b"@@ ") {
            hunk.flush(&commit, &mut findings);
            hunk.next_line = hunk_start(&line).unwrap_or(1);
        } else if let Some(added) = line.strip_prefix(b"+") {
            hunk.push(added, true);
        } else if let Some(context) = line.strip_prefix(b" ") {
            hunk.push(context, false);
        }
    }
    hunk.flush(&commit, &mut findings);
    let ignored = ignore_file(repo);
    findings.retain(|f| {
        !ignored
            .matched_path_or_any_parents(&f.path, false)
            .is_ignore()
    });
    let output = child.wait_with_output().map_err(HistoryError::Spawn)?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(HistoryError::Git(
            message.lines().next().unwrap_or("").trim().to_string(),
        ));
    }
    Ok(findings)
}

/// The new side of one hunk: its lines (context and added), read together when the
/// hunk ends, and findings kept on the added lines only.
#[derive(Default)]
struct Hunk {
    path: Option<PathBuf>,
    text: Vec<u8>,
    /// Per line of `text`: whether the commit added it, and its line in the file.
    lines: Vec<(bool, usize)>,
    next_line: usize,
}

impl Hunk {
    fn push(&mut self, line: &[u8], added: bool) {
        self.text.extend_from_slice(line);
        self.text.push(b'\n');
        self.lines.push((added, self.next_line));
        self.next_line += 1;
    }

    /// Reads what the hunk added and starts the next one empty.
    fn flush(&mut self, commit: &str, findings: &mut Vec<Finding>) {
        if let Some(path) = &self.path
            && self.lines.iter().any(|(added, _)| *added)
        {
            let lines = Lines::new(&self.text);
            for d in detect(&self.text, Syntax::of_path(path)) {
                let (line, column) = lines.position(d.offset);
                if let Some(&(true, file_line)) = self.lines.get(line - 1) {
                    let commit = Some(commit.to_string());
                    findings.push(Finding::new(path.clone(), (file_line, column), d, commit));
                }
            }
        }
        self.text.clear();
        self.lines.clear();
    }
}

/// The repository's `.vsecureignore`, applied to the paths of the history as to the
/// tree (a labelled corpus of fakes stays out of both).
fn ignore_file(repo: &Path) -> ignore::gitignore::Gitignore {
    let mut builder = ignore::gitignore::GitignoreBuilder::new(repo);
    let _ = builder.add(repo.join(super::IGNORE_FILE));
    builder
        .build()
        .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty())
}

/// The first line of the new side of a hunk header `@@ -a,b +c,d @@`.
fn hunk_start(header: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(header);
    let new = text.split_whitespace().find(|w| w.starts_with('+'))?;
    new[1..].split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_the_new_line() {
        assert_eq!(hunk_start(b"@@ -0,0 +1,3 @@"), Some(1));
        assert_eq!(hunk_start(b"@@ -4 +7 @@ fn x()"), Some(7));
    }
}
