//! `scan --baseline FILE`: findings already known (a report written by
//! `vsecure scan --format json`), so CI fails only on new ones. Only fingerprints are
//! read from it; a baseline holds no secret.

use std::collections::BTreeSet;
use std::path::Path;

/// The fingerprints a baseline accepts.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read the baseline {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not a report of `vsecure scan --format json`.
    #[error(
        "the baseline {path} is not a report of `vsecure scan --format json` ({reason}); write one with `vsecure scan --format json > {path}`"
    )]
    NotAReport {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Baseline {
    /// Reads the fingerprints of every finding, local default and accepted finding of a
    /// JSON scan report.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Unreadable {
            path: shown.clone(),
            reason: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                kind => kind.to_string(),
            },
        })?;
        Baseline::parse(&text).map_err(|reason| BaselineError::NotAReport {
            path: shown,
            reason,
        })
    }

    fn parse(text: &str) -> Result<Baseline, String> {
        let report: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: line {}", e.line()))?;
        let lists = ["findings", "local_defaults", "accepted"];
        if !lists.iter().any(|key| report.get(key).is_some()) {
            return Err("no findings list".to_string());
        }
        let mut fingerprints = BTreeSet::new();
        for key in lists {
            for finding in report[key].as_array().into_iter().flatten() {
                let fingerprint = finding["fingerprint"]
                    .as_str()
                    .ok_or_else(|| format!("a finding in {key} has no fingerprint"))?;
                fingerprints.insert(fingerprint.to_string());
            }
        }
        Ok(Baseline { fingerprints })
    }

    /// Whether the baseline accepts a finding of this fingerprint.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// How many of its fingerprints are not among `seen`: findings fixed since, or a
    /// stale baseline.
    pub fn unmatched(&self, seen: &BTreeSet<String>) -> usize {
        self.fingerprints.difference(seen).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_read_from_every_list_of_a_report() {
        let baseline = Baseline::parse(
            r#"{"ok": false, "findings": [{"fingerprint": "aa"}],
                "local_defaults": [{"fingerprint": "bb"}], "accepted": []}"#,
        )
        .unwrap();
        assert!(baseline.contains("aa") && baseline.contains("bb"));
        assert_eq!(baseline.unmatched(&BTreeSet::from(["aa".to_string()])), 1);
    }

    #[test]
    fn what_is_not_a_report_is_refused_with_the_reason() {
        assert!(
            Baseline::parse("not json")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            Baseline::parse("[]")
                .unwrap_err()
                .contains("no findings list")
        );
        assert!(
            Baseline::parse(r#"{"findings": [{"path": "x"}]}"#)
                .unwrap_err()
                .contains("no fingerprint")
        );
    }
}
