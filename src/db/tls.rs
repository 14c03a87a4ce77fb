//! The TLS connector: native-tls with the certificate chain and host name verified
//! whenever TLS is used, and `sslrootcert` loaded as the only trust anchor when given.
//!
//! OpenSSL parses the system's whole CA bundle (about 140 certificates) twice whenever
//! native-tls builds a connector, some 35 ms of CPU, even when `sslrootcert` replaces
//! it. The binary defers that at start ([`defer_system_certificates`]): the bundle is
//! read once, and only for a connection that trusts the system's CAs.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use native_tls::{Certificate, Protocol, TlsConnector};
use postgres_native_tls::MakeTlsConnector;

use crate::dsn::ConnInfo;

use super::ConnectError;

/// The connector for a connection string, built once per process for each trust anchor
/// and minimum protocol: loading certificates costs tens of milliseconds of CPU, and a
/// command that opens two connections (the pooler probe, `drift --against`) pays once.
pub fn connector(info: &ConnInfo) -> Result<MakeTlsConnector, ConnectError> {
    static BUILT: Mutex<Vec<(ConnectorKey, MakeTlsConnector)>> = Mutex::new(Vec::new());
    let key = ConnectorKey {
        root: info.get("sslrootcert").map(str::to_string),
        min_protocol: info.get("ssl_min_protocol_version").map(str::to_string),
        direct: direct_negotiation(info),
    };
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, connector)) = built.iter().find(|(k, _)| *k == key) {
        return Ok(connector.clone());
    }
    let connector = build(info)?;
    built.push((key, connector.clone()));
    Ok(connector)
}

/// What a connector depends on.
#[derive(PartialEq, Eq)]
struct ConnectorKey {
    root: Option<String>,
    min_protocol: Option<String>,
    direct: bool,
}

/// `sslnegotiation=direct`: TLS from the first byte, which PostgreSQL 17 and later accept
/// only with the ALPN protocol `postgresql`.
fn direct_negotiation(info: &ConnInfo) -> bool {
    info.get("sslnegotiation") == Some("direct")
}

/// The system CA bundle OpenSSL was kept from loading at start, read only when needed.
static DEFERRED_BUNDLE: OnceLock<PathBuf> = OnceLock::new();

/// Keeps OpenSSL from parsing the system's CA bundle each time a connector is built, by
/// pointing `SSL_CERT_FILE` at an empty file; the bundle (the user's `SSL_CERT_FILE`,
/// else the system's) is remembered and read only for a connection that trusts the
/// system's CAs.
///
/// # Safety
///
/// Sets an environment variable: call it before any other thread exists (first thing
/// in `main`).
pub unsafe fn defer_system_certificates() {
    let Some(bundle) = openssl_probe::probe().cert_file else {
        return;
    };
    let _ = DEFERRED_BUNDLE.set(bundle);
    // SAFETY: the caller guarantees that no other thread exists.
    unsafe { std::env::set_var("SSL_CERT_FILE", "/dev/null") };
}

/// Adds every certificate of a PEM bundle as a trust anchor; `what` names the file in
/// errors ("sslrootcert file", "the system CA bundle").
fn add_bundle(
    builder: &mut native_tls::TlsConnectorBuilder,
    path: &Path,
    what: &str,
) -> Result<usize, ConnectError> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| ConnectError::Config(format!("cannot read {what} {shown}: {e}")))?;
    let certs = pem_certificates(&pem);
    for cert in &certs {
        let cert = Certificate::from_pem(cert)
            .map_err(|e| ConnectError::Config(format!("bad certificate in {what} {shown}: {e}")))?;
        builder.add_root_certificate(cert);
    }
    Ok(certs.len())
}

fn build(info: &ConnInfo) -> Result<MakeTlsConnector, ConnectError> {
    let mut builder = TlsConnector::builder();
    builder.min_protocol_version(Some(min_protocol(info)));
    if direct_negotiation(info) {
        builder.request_alpns(&["postgresql"]);
    }
    match info.get("sslrootcert").filter(|p| *p != "system") {
        Some(path) => {
            builder.disable_built_in_roots(true);
            let added = add_bundle(&mut builder, Path::new(path), "sslrootcert file")?;
            if added == 0 {
                return Err(ConnectError::Config(format!(
                    "sslrootcert file {path} holds no PEM certificate"
                )));
            }
        }
        None => {
            if let Some(bundle) = DEFERRED_BUNDLE.get() {
                add_bundle(&mut builder, bundle, "the system CA bundle")?;
            }
        }
    }
    let connector = builder
        .build()
        .map_err(|e| ConnectError::Config(format!("cannot set up TLS: {e}")))?;
    Ok(MakeTlsConnector::new(connector))
}

/// Says in words why the server's certificate was not trusted: for which name, against
/// which trust anchor, and what to do; other TLS failures keep OpenSSL's text.
pub fn explain(cause: &str, info: &ConnInfo) -> String {
    let names = match info.hosts().as_slice() {
        [] => "the server".to_string(),
        hosts => hosts.join(", "),
    };
    let anchor = match info.get("sslrootcert").filter(|p| *p != "system") {
        Some(path) => format!("the CA certificate(s) in sslrootcert {path}"),
        None => "the system's trusted CAs".to_string(),
    };
    let lower = cause.to_ascii_lowercase();
    let reason = lower
        .rsplit_once('(')
        .map(|(_, r)| r.trim_end_matches(')').to_string())
        .unwrap_or_default();
    if lower.contains("hostname mismatch") || lower.contains("ip address mismatch") {
        format!(
            "the server's certificate is not issued for {names} (its chain was checked against {anchor}); connect by the name the certificate carries"
        )
    } else if lower.contains("certificate has expired") {
        format!("the server's certificate for {names} has expired")
    } else if lower.contains("not yet valid") {
        format!("the server's certificate for {names} is not valid yet (check the clock)")
    } else if lower.contains("certificate verify failed") {
        format!(
            "the server's certificate for {names} is not signed by {anchor} ({reason}); give the CA that signed it with sslrootcert=FILE, or sslrootcert=system for a public CA"
        )
    } else {
        cause.to_string()
    }
}

/// libpq's default minimum is TLS 1.2.
fn min_protocol(info: &ConnInfo) -> Protocol {
    match info.get("ssl_min_protocol_version") {
        Some("TLSv1") => Protocol::Tlsv10,
        Some("TLSv1.1") => Protocol::Tlsv11,
        _ => Protocol::Tlsv12,
    }
}

/// Splits a PEM bundle into its certificates.
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = String::from_utf8_lossy(pem);
    let mut certs = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let end = start + len + END.len();
        certs.push(rest.as_bytes()[start..end].to_vec());
        rest = &rest[end..];
    }
    certs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untrusted_certificate_is_explained_in_words() {
        let info = crate::dsn::parse("host=db.acme.io sslrootcert=/etc/ca.pem").unwrap();
        let openssl = "error performing TLS handshake: error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889: (self-signed certificate in certificate chain)";
        let text = explain(openssl, &info);
        assert!(
            text.contains(
                "for db.acme.io is not signed by the CA certificate(s) in sslrootcert /etc/ca.pem"
            ),
            "{text}"
        );
        assert!(
            text.contains("(self-signed certificate in certificate chain)"),
            "{text}"
        );
        assert!(!text.contains("statem"), "{text}");
        let mismatch =
            "error:0A000086:SSL routines::certificate verify failed: (Hostname mismatch)";
        assert!(explain(mismatch, &info).contains("not issued for db.acme.io"));
        let system = crate::dsn::parse("host=db.acme.io").unwrap();
        assert!(explain(openssl, &system).contains("the system's trusted CAs"));
    }
}
