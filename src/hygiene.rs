//! Local hygiene: the ways a connection string leaks from a developer's machine before
//! any server is involved: an env file others can read, an env file git would commit,
//! a password typed on the command line.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Serialize;

/// One hygiene problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HygieneFinding {
    /// Stable code: `env-file-readable`, `env-file-not-ignored`, `password-on-command-line`.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Checks the env file (if one is in use) and where the database URL came from.
pub fn check(env_file: Option<&Path>, password_on_command_line: bool) -> Vec<HygieneFinding> {
    let mut findings = Vec::new();
    if let Some(path) = env_file {
        if let Some(mode) = readable_by_others(path) {
            findings.push(HygieneFinding {
                code: "env-file-readable",
                message: format!(
                    "{} is readable by group or others (mode {mode:o}): chmod 600 {}",
                    path.display(),
                    path.display()
                ),
            });
        }
        if git_would_commit(path) {
            findings.push(HygieneFinding {
                code: "env-file-not-ignored",
                message: format!(
                    "{} is inside a git work tree and not covered by .gitignore: add it to .gitignore",
                    path.display()
                ),
            });
        }
    }
    if password_on_command_line {
        findings.push(HygieneFinding {
            code: "password-on-command-line",
            message: "the database URL with its password was given on the command line, where `ps` and shell history show it: use DATABASE_URL or .env".to_string(),
        });
    }
    findings
}

/// The permission bits when group or others may read the file.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> Option<u32> {
    None
}

/// Whether the file lies in a git work tree and no ignore rule (the .gitignore files from
/// the root down, .git/info/exclude, the global excludes file) covers it.
pub fn git_would_commit(path: &Path) -> bool {
    let Ok(path) = std::path::absolute(path) else {
        return false;
    };
    let Some(root) = work_tree_root(&path) else {
        return false;
    };
    let matcher = ignore_rules(&root, &path);
    let relative = path.strip_prefix(&root).unwrap_or(&path);
    let ignored = matcher
        .matched_path_or_any_parents(relative, false)
        .is_ignore();
    let globally_ignored = Gitignore::global()
        .0
        .matched_path_or_any_parents(relative, false)
        .is_ignore();
    !(ignored || globally_ignored)
}

/// The nearest ancestor holding `.git` (a directory, or a file for worktrees).
fn work_tree_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

fn ignore_rules(root: &Path, path: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(root);
    let _ = builder.add(root.join(".git/info/exclude"));
    let mut dir = Some(root.to_path_buf());
    let parent = path.parent().unwrap_or(root);
    let relative_parent = parent.strip_prefix(root).unwrap_or(Path::new(""));
    let mut components = relative_parent.components();
    while let Some(current) = dir {
        let file = current.join(".gitignore");
        if file.is_file() {
            let _ = builder.add(file);
        }
        dir = components.next().map(|c| current.join(c));
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        dir
    }

    #[test]
    fn an_env_file_outside_gitignore_is_reported() {
        let dir = repo();
        let env = dir.path().join(".env");
        std::fs::write(&env, "DATABASE_URL=x").unwrap();
        std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
        let codes: Vec<_> = check(Some(&env), false).iter().map(|f| f.code).collect();
        assert_eq!(codes, ["env-file-not-ignored"]);

        std::fs::write(dir.path().join(".gitignore"), "/target\n.env\n").unwrap();
        assert!(check(Some(&env), false).is_empty());
    }

    #[test]
    fn a_nested_gitignore_covers_files_below_it() {
        let dir = repo();
        let sub = dir.path().join("deploy");
        std::fs::create_dir(&sub).unwrap();
        let env = sub.join("prod.env");
        std::fs::write(&env, "x").unwrap();
        assert!(git_would_commit(&env));
        std::fs::write(sub.join(".gitignore"), "*.env\n").unwrap();
        assert!(!git_would_commit(&env));
    }

    #[test]
    fn a_world_readable_env_file_and_a_command_line_password_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "x").unwrap();
        std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
        let codes: Vec<_> = check(Some(&env), true).iter().map(|f| f.code).collect();
        assert_eq!(codes, ["env-file-readable", "password-on-command-line"]);
    }
}
