//! TLS, and optionally mutual TLS, on the gRPC listener (rustls with the `ring` provider;
//! no OpenSSL).
//!
//! The server reads a certificate chain and its private key (PEM files); with a client CA
//! file it also requires every client to present a certificate issued by one of those CAs
//! (mTLS). That authenticates the connection, in addition to, never instead of, the Ed25519
//! signature every transaction carries and the read credential every protected read does.
//!
//! The files are read again by [`TlsFiles::reload`] (the server calls it on `SIGHUP`): a
//! complete new configuration replaces the old one for the connections accepted after it;
//! open connections keep theirs, and the ledger is not touched. A reload that fails (a
//! missing file, a key that does not match the certificate) changes nothing and is logged:
//! the server goes on with the configuration it had.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;

/// Longest time a client may take to complete the TLS handshake: 10 s. The connection holds
/// a connection slot meanwhile, so a client that never finishes cannot hold it longer.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where the server's TLS material is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsPaths {
    /// The certificate chain, PEM, the server's own certificate first.
    pub cert: PathBuf,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// CA certificates, PEM, that client certificates must chain to; `None`: no client
    /// certificate is asked for.
    pub client_ca: Option<PathBuf>,
}

/// Why TLS material could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or holds no usable PEM item.
    #[error("{path}: {why}")]
    File {
        /// The file.
        path: String,
        /// What was expected and what was found.
        why: String,
    },
    /// rustls refused the combination (a key that does not match the certificate, an
    /// unusable CA).
    #[error("the TLS configuration is not usable: {0}")]
    Config(String),
}

fn file_error(path: &Path, why: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

fn certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, format!("cannot read {what}: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, format!("cannot read {what}: {e}")))?;
    if certificates.is_empty() {
        return Err(file_error(
            path,
            format!("expected {what} as PEM (\"-----BEGIN CERTIFICATE-----\"), found none"),
        ));
    }
    Ok(certificates)
}

/// Reads the files into a rustls server configuration (HTTP/2 by ALPN, as gRPC needs).
pub fn server_config(paths: &TlsPaths) -> Result<rustls::ServerConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&paths.cert, "a certificate chain")?;
    let key = PrivateKeyDer::from_pem_file(&paths.key).map_err(|e| {
        file_error(
            &paths.key,
            format!("expected a private key as PEM (PKCS#8, PKCS#1 or SEC1): {e}"),
        )
    })?;
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match &paths.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in certificates(path, "client CA certificates")? {
                roots
                    .add(certificate)
                    .map_err(|e| file_error(path, format!("not a usable CA certificate: {e}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Config(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        TlsError::Config(format!(
            "{} and {}: {e}",
            paths.cert.display(),
            paths.key.display()
        ))
    })?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// The server's current TLS configuration, replaced whole by a reload.
pub struct TlsFiles {
    paths: TlsPaths,
    current: ArcSwap<rustls::ServerConfig>,
}

impl TlsFiles {
    /// Reads the files; an error names the file and what was wrong with it.
    pub fn load(paths: TlsPaths) -> Result<Self, TlsError> {
        let config = server_config(&paths)?;
        Ok(Self {
            paths,
            current: ArcSwap::from_pointee(config),
        })
    }

    /// Reads the files again; on success new connections use them, on failure nothing
    /// changes.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = server_config(&self.paths)?;
        self.current.store(Arc::new(config));
        Ok(())
    }

    /// Whether clients must present a certificate.
    pub fn mutual(&self) -> bool {
        self.paths.client_ca.is_some()
    }

    /// An acceptor with the configuration of now.
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.current.load_full())
    }
}

/// What a client uses to reach a server over TLS (the CLI's `--ca`, `--cert`, `--key-tls`).
#[derive(Clone, Debug, Default)]
pub struct ClientTls {
    /// CA certificates (PEM) the server's certificate must chain to; `None`: the system's
    /// usual roots are not consulted, so a TLS URL needs it.
    pub ca: Option<PathBuf>,
    /// The client's certificate (PEM), for a server that requires one.
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
}

impl ClientTls {
    /// tonic's client configuration from the files, or `None` when none is given.
    pub fn config(&self) -> Result<Option<tonic::transport::ClientTlsConfig>, TlsError> {
        let read = |path: &Path, what: &str| {
            std::fs::read(path).map_err(|e| file_error(path, format!("cannot read {what}: {e}")))
        };
        let mut config = tonic::transport::ClientTlsConfig::new();
        let mut any = false;
        if let Some(ca) = &self.ca {
            config = config.ca_certificate(tonic::transport::Certificate::from_pem(read(
                ca,
                "the CA certificate",
            )?));
            any = true;
        }
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                config = config.identity(tonic::transport::Identity::from_pem(
                    read(cert, "the client certificate")?,
                    read(key, "the client key")?,
                ));
                any = true;
            }
            (None, None) => {}
            (Some(path), None) | (None, Some(path)) => {
                return Err(file_error(
                    path,
                    "a client certificate needs its key and a key its certificate: give both \
                     --cert and --key-tls",
                ));
            }
        }
        Ok(any.then_some(config))
    }
}
