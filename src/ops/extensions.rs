//! Required extensions: what is installed, what the server could install, and whether
//! each requirement holds; and installing or updating where the server allows.

use std::cmp::Ordering;

use serde::Serialize;
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use crate::db::Session;

/// One extension requirement: a name and a minimum version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Extension name as in pg_extension.
    pub name: String,
    /// Lowest acceptable version.
    pub min_version: String,
}

/// The extensions v-secure needs, with the versions deployed on Neon.
pub const REQUIRED: &[(&str, &str)] = &[
    ("uuid-ossp", "1.1"),
    ("vector", "0.8.0"),
    ("pgcrypto", "1.3"),
    ("btree_gin", "1.3"),
    ("btree_gist", "1.7"),
    ("citext", "1.6"),
    ("pg_trgm", "1.6"),
];

/// The default requirements, with `overrides` (`NAME>=VERSION`) added or replacing.
pub fn requirements(overrides: &[Requirement]) -> Vec<Requirement> {
    let mut list: Vec<Requirement> = REQUIRED
        .iter()
        .map(|(name, min)| Requirement {
            name: (*name).to_string(),
            min_version: (*min).to_string(),
        })
        .collect();
    for o in overrides {
        match list.iter_mut().find(|r| r.name == o.name) {
            Some(r) => r.min_version = o.min_version.clone(),
            None => list.push(o.clone()),
        }
    }
    list
}

/// Parses `NAME>=VERSION` (as given to `--require`).
pub fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let (name, version) = text.split_once(">=").ok_or_else(|| {
        format!("invalid requirement \"{text}\": expected NAME>=VERSION, e.g. vector>=0.8.0")
    })?;
    let (name, version) = (name.trim(), version.trim());
    if name.is_empty() || version.is_empty() || version_parts(version).is_none() {
        return Err(format!(
            "invalid requirement \"{text}\": expected NAME>=VERSION, e.g. vector>=0.8.0"
        ));
    }
    Ok(Requirement {
        name: name.to_string(),
        min_version: version.to_string(),
    })
}

/// How an extension stands against its requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionStatus {
    /// Installed at or above the minimum.
    Ok,
    /// Not installed; the server can install a good enough version.
    Missing,
    /// Installed below the minimum (whether or not the server offers a newer version:
    /// see [`ExtensionReport::upgradable`]).
    Outdated,
    /// The server cannot provide a good enough version.
    Unavailable,
}

impl ExtensionStatus {
    /// The word shown in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionStatus::Ok => "ok",
            ExtensionStatus::Missing => "missing",
            ExtensionStatus::Outdated => "outdated",
            ExtensionStatus::Unavailable => "unavailable",
        }
    }
}

/// One line of `extensions check`.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionReport {
    /// Extension name.
    pub name: String,
    /// Minimum version required.
    pub required: String,
    /// Installed version, if any.
    pub installed: Option<String>,
    /// Highest version the server could install, if any.
    pub available: Option<String>,
    /// The verdict.
    pub status: ExtensionStatus,
    /// Whether the server offers a version that meets the minimum (so `extensions
    /// install` can create or update it).
    pub upgradable: bool,
}

/// Compares dotted versions numerically (`0.10.0` > `0.8.2`); None if not numeric.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (version_parts(a)?, version_parts(b)?);
    let len = a.len().max(b.len());
    let pad = |v: &[u64]| {
        (0..len)
            .map(|i| v.get(i).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    Some(pad(&a).cmp(&pad(&b)))
}

fn version_parts(v: &str) -> Option<Vec<u64>> {
    v.split('.').map(|p| p.parse().ok()).collect()
}

fn at_least(version: &str, min: &str) -> bool {
    compare_versions(version, min).is_some_and(|o| o != Ordering::Less)
}

/// Reads installed and available versions for every requirement in one round trip.
pub async fn check(
    client: &Client,
    reqs: &[Requirement],
) -> Result<Vec<ExtensionReport>, tokio_postgres::Error> {
    let names: Vec<&str> = reqs.iter().map(|r| r.name.as_str()).collect();
    // query_typed: an unnamed statement in one round trip, safe through a pooler.
    let rows = client
        .query_typed(
            "SELECT r.name, e.extversion::text,
                    (SELECT array_agg(v.version::text) FROM pg_available_extension_versions v
                     WHERE v.name = r.name)
             FROM unnest($1::text[]) AS r(name)
             LEFT JOIN pg_extension e ON e.extname = r.name",
            &[(&names, Type::TEXT_ARRAY)],
        )
        .await?;
    let mut out = Vec::new();
    for req in reqs {
        let row = rows.iter().find(|row| row.get::<_, String>(0) == req.name);
        let installed: Option<String> = row.and_then(|r| r.get(1));
        let versions: Vec<String> = row
            .and_then(|r| r.get::<_, Option<Vec<String>>>(2))
            .unwrap_or_default();
        let available = versions
            .into_iter()
            .max_by(|a, b| compare_versions(a, b).unwrap_or(Ordering::Equal));
        let installable = available
            .as_deref()
            .is_some_and(|v| at_least(v, &req.min_version));
        let status = match &installed {
            Some(v) if at_least(v, &req.min_version) => ExtensionStatus::Ok,
            Some(_) => ExtensionStatus::Outdated,
            None if installable => ExtensionStatus::Missing,
            None => ExtensionStatus::Unavailable,
        };
        out.push(ExtensionReport {
            name: req.name.clone(),
            required: req.min_version.clone(),
            installed,
            available,
            status,
            upgradable: installable,
        });
    }
    Ok(out)
}

/// What `extensions install` did for one extension.
#[derive(Debug, Clone, Serialize)]
pub struct InstallAction {
    /// Extension name.
    pub name: String,
    /// `created`, `updated`, `failed`, or `skipped`.
    pub action: &'static str,
    /// Why, for failed and skipped ones.
    pub reason: Option<String>,
}

/// Creates missing extensions and updates outdated ones, one transaction each under the
/// flags' timeouts, and says plainly what could not be done and why.
pub async fn install(session: &Session, reports: &[ExtensionReport]) -> Vec<InstallAction> {
    let mut actions = Vec::new();
    for ext in reports {
        let ident = crate::sql::ident(&ext.name);
        let (sql, done) = match ext.status {
            ExtensionStatus::Ok => continue,
            ExtensionStatus::Missing => {
                (format!("CREATE EXTENSION IF NOT EXISTS {ident}"), "created")
            }
            ExtensionStatus::Outdated if !ext.upgradable => {
                actions.push(InstallAction {
                    name: ext.name.clone(),
                    action: "skipped",
                    reason: Some(format!(
                        "installed {} is below {}, and the server offers nothing newer{}",
                        ext.installed.as_deref().unwrap_or("?"),
                        ext.required,
                        ext.available
                            .as_deref()
                            .map(|v| format!(" (at most {v})"))
                            .unwrap_or_default()
                    )),
                });
                continue;
            }
            ExtensionStatus::Outdated => (format!("ALTER EXTENSION {ident} UPDATE"), "updated"),
            ExtensionStatus::Unavailable => {
                actions.push(InstallAction {
                    name: ext.name.clone(),
                    action: "skipped",
                    reason: Some(match &ext.available {
                        Some(v) => {
                            format!("the server offers only version {v}, below {}", ext.required)
                        }
                        None => {
                            "the server does not have this extension installed on disk".to_string()
                        }
                    }),
                });
                continue;
            }
        };
        let result = session
            .client
            .batch_execute(&format!("BEGIN; {} {sql}; COMMIT", session.local_timeouts))
            .await;
        actions.push(match result {
            Ok(()) => InstallAction {
                name: ext.name.clone(),
                action: done,
                reason: None,
            },
            Err(e) => InstallAction {
                name: ext.name.clone(),
                action: "failed",
                reason: Some(crate::db::describe_error(&e)),
            },
        });
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("0.10.0", "0.8.2"), Some(Ordering::Greater));
        assert_eq!(compare_versions("1.6", "1.6.0"), Some(Ordering::Equal));
        assert_eq!(compare_versions("1.5", "1.6"), Some(Ordering::Less));
        assert_eq!(compare_versions("1.x", "1.6"), None);
    }

    #[test]
    fn requirements_can_be_added_and_overridden() {
        let reqs = requirements(&[
            parse_requirement("vector>=0.9.0").unwrap(),
            parse_requirement("postgis>=3.4").unwrap(),
        ]);
        assert_eq!(
            reqs.iter()
                .find(|r| r.name == "vector")
                .unwrap()
                .min_version,
            "0.9.0"
        );
        assert!(reqs.iter().any(|r| r.name == "postgis"));
        assert!(parse_requirement("vector").is_err());
        assert!(parse_requirement("vector>=x").is_err());
    }
}
