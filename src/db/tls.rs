//! The TLS connector: native-tls with the certificate chain and host name verified
//! whenever TLS is used, and `sslrootcert` loaded as the only trust anchor when given.

use std::sync::Mutex;

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
}

fn build(info: &ConnInfo) -> Result<MakeTlsConnector, ConnectError> {
    let mut builder = TlsConnector::builder();
    builder.min_protocol_version(Some(min_protocol(info)));
    if let Some(path) = info.get("sslrootcert").filter(|p| *p != "system") {
        let pem = std::fs::read(path).map_err(|e| {
            ConnectError::Config(format!("cannot read sslrootcert file {path}: {e}"))
        })?;
        let certs = pem_certificates(&pem);
        if certs.is_empty() {
            return Err(ConnectError::Config(format!(
                "sslrootcert file {path} holds no PEM certificate"
            )));
        }
        builder.disable_built_in_roots(true);
        for cert in certs {
            let cert = Certificate::from_pem(&cert).map_err(|e| {
                ConnectError::Config(format!("bad certificate in sslrootcert file {path}: {e}"))
            })?;
            builder.add_root_certificate(cert);
        }
    }
    let connector = builder
        .build()
        .map_err(|e| ConnectError::Config(format!("cannot set up TLS: {e}")))?;
    Ok(MakeTlsConnector::new(connector))
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
