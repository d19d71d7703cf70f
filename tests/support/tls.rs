//! A test CA (made with rcgen) and a certificate it signed for `localhost`
//! and `127.0.0.1`: the OpenID provider and the TLS Redis of the tests use
//! it; the tests trust it, the platform does not.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The test CA and a certificate for `localhost` and `127.0.0.1`, written
/// once per test binary into its own directory.
pub struct TestCa {
    pub dir: PathBuf,
    pub ca_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
}

pub fn test_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        let dir = std::env::temp_dir().join(format!("ajx-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "axum-jwt-extended test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let mut leaf =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        leaf.distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
        let ca = TestCa {
            ca_pem: dir.join("ca.pem"),
            cert_pem: dir.join("localhost.pem"),
            key_pem: dir.join("localhost-key.pem"),
            dir,
        };
        std::fs::write(&ca.ca_pem, ca_cert.pem()).unwrap();
        std::fs::write(&ca.cert_pem, leaf_cert.pem()).unwrap();
        std::fs::write(&ca.key_pem, leaf_key.serialize_pem()).unwrap();
        ca
    })
}

/// A CA that signed nothing here: trusting only it, the provider's
/// certificate is refused.
pub fn unrelated_ca_pem() -> String {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .self_signed(&KeyPair::generate().unwrap())
        .unwrap()
        .pem()
}
