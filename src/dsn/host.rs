//! What kind of place a libpq host entry names: a unix socket, the loopback, Neon, or
//! some other network host. The policy and the connection layer both depend on it.

use std::net::IpAddr;

/// The kind of a single host entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// A unix-domain socket directory (an absolute path, or `@` for the abstract namespace).
    Socket,
    /// `localhost` or a loopback address.
    Loopback,
    /// A Neon endpoint (`*.neon.tech`).
    Neon,
    /// Any other network host.
    Remote,
}

/// Classifies one host entry as libpq would reach it.
pub fn classify(host: &str) -> HostKind {
    if host.starts_with('/') || host.starts_with('@') {
        return HostKind::Socket;
    }
    if host.eq_ignore_ascii_case("localhost") {
        return HostKind::Loopback;
    }
    match url::Host::parse(&bracketed(host)) {
        Ok(url::Host::Ipv4(ip)) if ip.is_loopback() => HostKind::Loopback,
        Ok(url::Host::Ipv6(ip)) if ip.is_loopback() => HostKind::Loopback,
        Ok(url::Host::Domain(name)) if is_neon_domain(&name) => HostKind::Neon,
        _ => HostKind::Remote,
    }
}

/// `url::Host::parse` wants IPv6 literals in brackets, as in a URL.
fn bracketed(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn is_neon_domain(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.ends_with(".neon.tech")
}

/// Parses a `hostaddr` entry: libpq accepts only numeric addresses there.
pub fn parse_hostaddr(addr: &str) -> Option<IpAddr> {
    addr.parse().ok()
}
