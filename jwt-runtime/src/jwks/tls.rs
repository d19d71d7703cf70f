//! The roots an HTTPS key set or discovery document is trusted with: the
//! platform's, `SSL_CERT_FILE`'s and a PEM file's, for rustls (no OpenSSL).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::JwtError;

/// Where the system bundles are on the common Unix systems: read besides
/// `SSL_CERT_FILE` (rustls-native-certs reads only that file when it is set).
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The certificate authorities an `https://` key set or OpenID provider is
/// trusted with. Needs the `jwks-https` feature.
///
/// ```no_run
/// use axum_jwt_extended::TlsRoots;
/// // The platform's roots, those of SSL_CERT_FILE, and a private CA.
/// let roots = TlsRoots::platform()?.add_pem_file("/etc/my-company/ca.pem")?;
/// assert!(roots.len() > 1);
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct TlsRoots {
    certs: Vec<CertificateDer<'static>>,
}

impl fmt::Debug for TlsRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsRoots")
            .field("certificates", &self.certs.len())
            .finish()
    }
}

impl TlsRoots {
    /// No roots: add them with [`add_pem`](Self::add_pem) or
    /// [`add_pem_file`](Self::add_pem_file).
    pub fn empty() -> Self {
        TlsRoots { certs: Vec::new() }
    }

    /// The platform's trusted roots plus, when the `SSL_CERT_FILE`
    /// variable names a PEM file, its certificates. An `Err` when there are
    /// none at all (a container without `ca-certificates`) or the variable's
    /// file cannot be read.
    pub fn platform() -> Result<Self, JwtError> {
        let mut roots = TlsRoots::empty();
        let loaded = rustls_native_certs::load_native_certs();
        roots.certs.extend(loaded.certs);
        if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
            // With the variable set, rustls-native-certs read only that file:
            // the system bundle is added here, so the variable adds roots.
            for bundle in SYSTEM_BUNDLES {
                if Path::new(bundle).is_file() && Path::new(bundle) != Path::new(&file) {
                    roots = roots.add_pem_file(bundle)?;
                    break;
                }
            }
            roots = roots
                .add_pem_file(&file)
                .map_err(|e| JwtError::Config(format!("SSL_CERT_FILE: {e}")))?;
        }
        if roots.certs.is_empty() {
            return Err(JwtError::Config(
                "no trusted TLS roots: the platform has none (install ca-certificates) and \
                 SSL_CERT_FILE is not set"
                    .into(),
            ));
        }
        Ok(roots)
    }

    /// Adds the certificates of a PEM file; an `Err` naming the file when
    /// it cannot be read or holds no certificate.
    pub fn add_pem_file(self, path: impl AsRef<Path>) -> Result<Self, JwtError> {
        let path = path.as_ref();
        let pem = std::fs::read(path)
            .map_err(|e| JwtError::Config(format!("TLS roots {}: {e}", path.display())))?;
        self.add_pem(&pem)
            .map_err(|e| JwtError::Config(format!("TLS roots {}: {e}", path.display())))
    }

    /// Adds the certificates of PEM text; an `Err` when it holds none or
    /// one cannot be parsed.
    pub fn add_pem(mut self, pem: &[u8]) -> Result<Self, JwtError> {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| JwtError::Config(format!("not a PEM certificate: {e}")))?;
            self.certs.push(cert);
            added += 1;
        }
        if added == 0 {
            return Err(JwtError::Config("no PEM certificate found".into()));
        }
        Ok(self)
    }

    /// How many certificates are trusted.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether no certificate is trusted.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// A rustls client configuration trusting these roots, with the crypto
    /// provider of the crate's backend (aws-lc-rs, else ring).
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig, JwtError> {
        let mut store = rustls::RootCertStore::empty();
        // Platform bundles hold the odd certificate rustls cannot parse;
        // those are skipped, the rest are trusted.
        let (valid, _) = store.add_parsable_certificates(self.certs.iter().cloned());
        if valid == 0 {
            return Err(JwtError::Config(
                "none of the TLS roots is a usable certificate".into(),
            ));
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| JwtError::Config(format!("TLS: {e}")))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(config)
    }
}

#[cfg(feature = "aws-lc-rs")]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[cfg(not(feature = "aws-lc-rs"))]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}
