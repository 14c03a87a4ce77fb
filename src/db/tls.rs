//! The TLS connector: native-tls with the certificate chain and host name verified
//! whenever TLS is used, and `sslrootcert` loaded as the only trust anchor when given.

use native_tls::{Certificate, Protocol, TlsConnector};
use postgres_native_tls::MakeTlsConnector;

use crate::dsn::ConnInfo;

use super::ConnectError;

/// Builds the connector for a connection string.
pub fn connector(info: &ConnInfo) -> Result<MakeTlsConnector, ConnectError> {
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
