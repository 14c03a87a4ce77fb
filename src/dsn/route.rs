//! Where a connection's bytes go, judged the way they travel rather than by how the host
//! is spelt: `hostaddr` wins over `host` (libpq and tokio-postgres connect to it), a unix
//! socket stays on the machine, a strictly written literal loopback address stays on the
//! machine, and anything else is resolved by name and may go anywhere — `localhost`,
//! `127.0.0.1.` with a trailing dot and full-width digits included, since the resolver,
//! not vsecure, decides where those lead.

use std::net::IpAddr;

use super::ConnInfo;

/// Where one attempt of a connection goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A unix-domain socket (a path, `@` abstract namespace, or libpq's default socket).
    Socket,
    /// A literal loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.x.y.z`).
    Loopback,
    /// A non-loopback address, or a name the resolver turns into addresses.
    Network,
}

impl Route {
    /// Whether credentials on this route stay on the machine without TLS.
    pub fn is_local(self) -> bool {
        matches!(self, Route::Socket | Route::Loopback)
    }
}

/// Every route a connection string may take, one per host (or hostaddr) entry.
pub fn routes(info: &ConnInfo) -> Vec<Route> {
    let hosts = info.hosts();
    let hostaddrs = info.hostaddrs();
    let count = hosts.len().max(hostaddrs.len()).max(1);
    (0..count)
        .map(|i| match hostaddrs.get(i).filter(|a| !a.is_empty()) {
            Some(addr) => literal(addr).map_or(Route::Network, address_route),
            None => host_route(hosts.get(i).copied().unwrap_or("")),
        })
        .collect()
}

/// Whether every route stays on this machine.
pub fn all_local(info: &ConnInfo) -> bool {
    routes(info).iter().all(|r| r.is_local())
}

/// The route of a `host` entry without a `hostaddr`.
fn host_route(host: &str) -> Route {
    if host.is_empty() || host.starts_with('/') || host.starts_with('@') {
        return Route::Socket;
    }
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    literal(unbracketed).map_or(Route::Network, address_route)
}

/// A strictly written numeric address (ASCII dotted quad or IPv6), as the resolver
/// takes it without a lookup. Anything looser is a name.
fn literal(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

fn address_route(ip: IpAddr) -> Route {
    if ip.to_canonical().is_loopback() {
        Route::Loopback
    } else {
        Route::Network
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsn::parse;

    fn routes_of(s: &str) -> Vec<Route> {
        routes(&parse(s).unwrap())
    }

    #[test]
    fn hostaddr_decides_over_host() {
        assert_eq!(
            routes_of("host=localhost hostaddr=10.1.2.3 user=u"),
            [Route::Network]
        );
        assert_eq!(
            routes_of("host=/tmp hostaddr=192.0.2.1 user=u"),
            [Route::Network]
        );
        assert_eq!(
            routes_of("host=db.example.com hostaddr=127.0.0.1 user=u"),
            [Route::Loopback]
        );
    }

    #[test]
    fn only_literal_loopback_and_sockets_are_local() {
        for local in [
            "host=127.0.0.1",
            "host=127.8.9.10",
            "host=::1",
            "host=::ffff:127.0.0.1",
            "host=/var/run/postgresql",
            "host=@abstract",
            "user=u",
            "postgresql://u@[::1]/db",
            "postgresql://u@%2Ftmp/db",
        ] {
            assert!(all_local(&parse(local).unwrap()), "{local}");
        }
        for network in [
            "host=localhost",
            "host=127.0.0.1.",
            "host=１２７.0.0.1",
            "host=127.1",
            "host=0x7f.0.0.1",
            "host=2130706433",
            "host=10.0.0.1",
            "host=127.0.0.1,db.example.com",
            "postgresql://u@localhost/db",
        ] {
            assert!(!all_local(&parse(network).unwrap()), "{network}");
        }
    }
}
