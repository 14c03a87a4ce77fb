//! Port validation: the one place vsecure is stricter than `PQconninfoParse`, which
//! accepts any text as a port and only fails when it connects.

use thiserror::Error;

use super::ConnInfo;

/// A port list that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortError {
    /// Not a whole number from 1 to 65535. The text is shown only when it is made of
    /// digits: anything else may be the tail of a password with an unencoded `/` or `:`.
    #[error("invalid port number{shown} (expected 1 to 65535)", shown = shown_port(.0))]
    Invalid(String),
    /// Several ports, but not one per host.
    #[error("could not match {ports} port numbers to {hosts} hosts")]
    CountMismatch {
        /// How many ports were given.
        ports: usize,
        /// How many hosts were given.
        hosts: usize,
    },
}

fn shown_port(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        format!(" \"{text}\"")
    } else {
        format!(" (not shown; {})", super::parse::ENCODING_ADVICE)
    }
}

/// The ports to use, one per host entry (or a single one), as numbers.
/// Empty entries mean the default port, as in libpq.
pub fn ports(info: &ConnInfo) -> Result<Vec<Option<u16>>, PortError> {
    let raw = info.ports();
    let hosts = info.hosts().len().max(info.hostaddrs().len()).max(1);
    if raw.len() > 1 && raw.len() != hosts {
        return Err(PortError::CountMismatch {
            ports: raw.len(),
            hosts,
        });
    }
    raw.iter().map(|p| parse_port(p)).collect()
}

fn parse_port(text: &str) -> Result<Option<u16>, PortError> {
    // libpq's parse_int_param allows surrounding white space.
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.is_empty() {
        return Ok(None);
    }
    let shown: String = trimmed.chars().take(20).collect();
    match trimmed.parse::<u16>() {
        Ok(0) | Err(_) => Err(PortError::Invalid(shown)),
        Ok(port) => Ok(Some(port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsn::parse;

    #[test]
    fn accepts_defaults_and_one_port_per_host() {
        let info = parse("postgresql://a:5433,b:,c:5435/db").unwrap();
        assert_eq!(ports(&info).unwrap(), vec![Some(5433), None, Some(5435)]);
    }

    #[test]
    fn rejects_ports_that_cannot_work() {
        for s in ["port=0", "port=65536", "port=54x2", "port=-1"] {
            assert!(
                matches!(ports(&parse(s).unwrap()), Err(PortError::Invalid(_))),
                "{s}"
            );
        }
        let info = parse("host=a,b,c port=1,2").unwrap();
        assert!(matches!(ports(&info), Err(PortError::CountMismatch { .. })));
    }
}
