//! The only forms in which a connection may be shown: a redacted URI and a fingerprint.
//!
//! The redacted form keeps the first three characters of the user and nothing of any
//! secret. The fingerprint is SHA-256 over host, port, database and user (never the
//! password), so it is stable across password rotation and safe to log.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use sha2::{Digest, Sha256};

use super::ConnInfo;

/// Characters escaped in any URI component vsecure renders.
const COMPONENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'+')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

const USER_CHARS_SHOWN: usize = 3;

fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Renders the connection as a `postgresql://` URI with secrets removed.
pub fn redacted(info: &ConnInfo) -> String {
    let mut out = String::from("postgresql://");
    if let Some(user) = info.get("user") {
        let shown: String = user.chars().take(USER_CHARS_SHOWN).collect();
        out.push_str(&enc(&shown));
        out.push_str("***@");
    } else if info.get("password").is_some() {
        out.push_str(":***@");
    }
    // An explicitly empty host or dbname cannot be written in the authority or path
    // (libpq would read "not set"): those go in the query, where `host=` keeps them.
    let host_in_authority = info.get("host").is_none_or(|h| !h.is_empty());
    let hosts = if host_in_authority {
        info.hosts()
    } else {
        Vec::new()
    };
    let ports = info.ports();
    let pair_ports = ports.len() == hosts.len() || (hosts.is_empty() && ports.len() == 1);
    let rendered_hosts: Vec<String> = if hosts.is_empty() && pair_ports && !ports.is_empty() {
        vec![format!(":{}", enc(ports[0]))]
    } else {
        hosts
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let mut h = if host.contains(':') && !host.starts_with('/') {
                    format!("[{}]", enc(host))
                } else {
                    enc(host)
                };
                if pair_ports && !ports[i].is_empty() {
                    h.push(':');
                    h.push_str(&enc(ports[i]));
                }
                h
            })
            .collect()
    };
    out.push_str(&rendered_hosts.join(","));
    let db_in_path = info.get("dbname").is_some_and(|db| !db.is_empty());
    if db_in_path {
        out.push('/');
        out.push_str(&enc(info.get("dbname").unwrap_or_default()));
    }
    let mut query = Vec::new();
    for (key, value) in info.public_values() {
        let in_authority = key == "user"
            || (key == "host" && host_in_authority)
            || (key == "dbname" && db_in_path)
            || (key == "port" && pair_ports);
        // Where the password file is says nothing about the connection.
        if !in_authority && key != "passfile" {
            query.push(format!("{}={}", enc(key), enc(value)));
        }
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

const FINGERPRINT_HEX_CHARS: usize = 12;

/// SHA-256 over host, port, database and user; the first 12 hex characters.
pub fn fingerprint(info: &ConnInfo) -> String {
    let mut hasher = Sha256::new();
    for key in ["host", "port", "dbname", "user"] {
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(info.get(key).unwrap_or("").as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(FINGERPRINT_HEX_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsn::parse;

    #[test]
    fn keeps_three_user_characters_and_no_password() {
        let info = parse("postgresql://neondb_owner:npg_secret@ep-a-1.us-east-2.aws.neon.tech/neondb?sslmode=require").unwrap(); // vsecure:allow (a documented fake)
        assert_eq!(
            redacted(&info),
            "postgresql://neo***@ep-a-1.us-east-2.aws.neon.tech/neondb?sslmode=require"
        );
    }

    #[test]
    fn fingerprint_ignores_the_password() {
        let a = parse("postgresql://u:one@h/db").unwrap(); // vsecure:allow (a documented fake)
        let b = parse("postgresql://u:two@h/db").unwrap(); // vsecure:allow (a documented fake)
        let c = parse("postgresql://v:one@h/db").unwrap(); // vsecure:allow (a documented fake)
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&a).len(), 12);
    }

    #[test]
    fn redacted_form_parses_back_to_the_same_public_values() {
        let info = parse("host=/tmp,db.local port=5433,5434 dbname='a b' user=x sslpassword=s hostaddr=,10.0.0.1").unwrap();
        let back = parse(&redacted(&info)).unwrap();
        let without_user = |i: &ConnInfo| {
            i.public_values()
                .into_iter()
                .filter(|(k, _)| *k != "user")
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(without_user(&info), without_user(&back));
    }
}
