//! Facts a Neon host name carries: endpoint id, region, and pooled or direct.
//!
//! Neon hosts look like `ep-cool-darkness-123456[-pooler].us-east-2.aws.neon.tech`
//! (sometimes with a cell label such as `c-2.` before the region). The pooled host is
//! PgBouncer in transaction mode; migrations need the direct one.

use serde::Serialize;

/// What vsecure knows about a Neon endpoint from its host name alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeonEndpoint {
    /// `ep-...` without the `-pooler` suffix.
    pub endpoint_id: String,
    /// Neon's region id, e.g. `aws-us-east-2`; null when the name does not say.
    pub region: Option<String>,
    /// Whether the host is the pooled (`-pooler`) endpoint.
    pub pooled: bool,
    /// The direct (unpooled) host name of the same endpoint.
    pub direct_host: String,
    /// The pooled host name of the same endpoint.
    pub pooled_host: String,
}

const POOLER_SUFFIX: &str = "-pooler";

/// Reads the endpoint facts from a `*.neon.tech` host name; `None` for other hosts.
pub fn endpoint(host: &str) -> Option<NeonEndpoint> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let rest = host.strip_suffix(".neon.tech")?;
    let labels: Vec<&str> = rest.split('.').collect();
    let first = labels.first()?;
    if first.is_empty() {
        return None;
    }
    let pooled = first.ends_with(POOLER_SUFFIX);
    let endpoint_id = first.trim_end_matches(POOLER_SUFFIX).to_string();
    let region = region(&labels[1..]);
    let tail = labels[1..].join(".");
    let with_tail = |label: String| {
        if tail.is_empty() {
            format!("{label}.neon.tech")
        } else {
            format!("{label}.{tail}.neon.tech")
        }
    };
    Some(NeonEndpoint {
        direct_host: with_tail(endpoint_id.clone()),
        pooled_host: with_tail(format!("{endpoint_id}{POOLER_SUFFIX}")),
        endpoint_id,
        region,
        pooled,
    })
}

/// `["us-east-2", "aws"]` -> `aws-us-east-2`; cell labels (`c-2`) are skipped.
fn region(labels: &[&str]) -> Option<String> {
    let labels: Vec<&str> = labels
        .iter()
        .copied()
        .filter(|l| !is_cell_label(l))
        .collect();
    match labels.as_slice() {
        [region, provider] => Some(format!("{provider}-{region}")),
        [region] => Some((*region).to_string()),
        _ => None,
    }
}

fn is_cell_label(label: &str) -> bool {
    label
        .strip_prefix("c-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_host_names_its_direct_host() {
        let ep = endpoint("ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech").unwrap();
        assert!(ep.pooled);
        assert_eq!(ep.endpoint_id, "ep-cool-darkness-123456");
        assert_eq!(ep.region.as_deref(), Some("aws-us-east-2"));
        assert_eq!(
            ep.direct_host,
            "ep-cool-darkness-123456.us-east-2.aws.neon.tech"
        );
    }

    #[test]
    fn cell_label_is_not_the_region() {
        let ep = endpoint("ep-a-1.c-2.eu-central-1.aws.neon.tech").unwrap();
        assert!(!ep.pooled);
        assert_eq!(ep.region.as_deref(), Some("aws-eu-central-1"));
        assert_eq!(
            ep.pooled_host,
            "ep-a-1-pooler.c-2.eu-central-1.aws.neon.tech"
        );
    }

    #[test]
    fn other_hosts_are_not_neon() {
        assert_eq!(endpoint("db.example.com"), None);
        assert_eq!(endpoint("neon.tech"), None);
    }
}
