//! The lint baseline, `.vsecure-lint.toml`: findings accepted in migrations that have
//! shipped (their checksums are in production histories, so they cannot be edited), by
//! version and rule, each with the reason a reviewer accepted it. Read automatically
//! from the current directory; a new migration gets no pass unless one is added here.

use std::path::Path;

use serde::Deserialize;

/// The file read when present.
pub const FILE: &str = ".vsecure-lint.toml";

/// Accepted findings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default)]
    accept: Vec<Acceptance>,
}

/// One accepted rule in one migration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    version: i32,
    rule: String,
    reason: String,
}

impl Baseline {
    /// Reads `path`; a missing file is an empty baseline, a malformed one an error.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Baseline::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let baseline: Baseline =
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        for a in &baseline.accept {
            if super::rule(&a.rule).is_none() {
                return Err(format!(
                    "{}: no lint rule is called \"{}\"",
                    path.display(),
                    a.rule
                ));
            }
            if a.reason.trim().is_empty() {
                return Err(format!(
                    "{}: the acceptance of {} in V{} needs a reason",
                    path.display(),
                    a.rule,
                    a.version
                ));
            }
        }
        Ok(baseline)
    }

    /// Why `rule` is accepted in the migration with `version`, if it is.
    pub fn reason_for(&self, version: Option<i32>, rule: &str) -> Option<String> {
        let version = version?;
        self.accept
            .iter()
            .find(|a| a.version == version && a.rule == rule)
            .map(|a| format!("baseline: {}", a.reason))
    }
}

/// The version of a migration file named `V{n}__...`.
pub fn version_of(file: &str) -> Option<i32> {
    let name = Path::new(file).file_name()?.to_str()?;
    name.strip_prefix('V')?.split_once("__")?.0.parse().ok()
}
