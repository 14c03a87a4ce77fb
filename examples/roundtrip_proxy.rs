//! The tests' round-trip counting proxy (tests/support/proxy.rs) as a program, so that
//! scripts/bench counts round trips with the same code the tests assert with.
//!
//! Usage: roundtrip_proxy TARGET_PORT [DELAY_MS]. Prints the port it listens on
//! (127.0.0.1; DELAY_MS, default 0, added each way, so a round trip costs twice it as to
//! a distant Neon region); then, for each line read on stdin, prints the
//! round trips of the connections made since the previous line, summed, once they have
//! all closed (counted for the plain protocol; through TLS only the delay applies).

#[path = "../tests/support/proxy.rs"]
mod proxy;

use std::io::{BufRead, Write};
use std::time::Duration;

fn main() {
    let Some(target) = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: roundtrip_proxy TARGET_PORT [DELAY_MS]");
        std::process::exit(2);
    };
    let delay = std::env::args()
        .nth(2)
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(0);
    let proxy = proxy::CountingProxy::start(target, Duration::from_millis(delay));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", proxy.port)
        .and_then(|()| out.flush())
        .unwrap();
    for _ in std::io::stdin().lock().lines() {
        let total: usize = proxy.take_counts().iter().sum();
        writeln!(out, "{total}").and_then(|()| out.flush()).unwrap();
    }
}
