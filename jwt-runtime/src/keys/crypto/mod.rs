//! The crypto backend, chosen by feature as jsonwebtoken chooses its own:
//! `aws-lc-rs` (the default) or `rust-crypto` (pure Rust). Each backend file
//! gives the same three things: a prepared HMAC key, SHA-256, and
//! jsonwebtoken's provider for the asymmetric algorithms.

use std::fmt;

use jsonwebtoken::Algorithm;

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "aws-lc-rs")]
use aws_lc as backend;

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
mod rust_crypto;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
use rust_crypto as backend;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!("axum-jwt-extended needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature");

/// An HMAC key prepared for one algorithm.
#[derive(Clone)]
pub(crate) struct HmacKey {
    alg: Algorithm,
    key: backend::Hmac,
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("alg", &self.alg)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl HmacKey {
    /// Prepares `secret` for `alg`, which must be one of the HS algorithms.
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
        Some(HmacKey {
            alg,
            key: backend::Hmac::new(alg, secret)?,
        })
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The MAC of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message)
    }

    /// Whether `signature` is the MAC of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify(message, signature)
    }
}

/// SHA-256 of `data`, in lowercase hex: the revocation key of a token that
/// carries no `jti`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    backend::sha256(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// jsonwebtoken's provider of this backend (RSA key utilities, asymmetric
/// signing and verification).
pub(crate) fn provider() -> &'static jsonwebtoken::crypto::CryptoProvider {
    backend::PROVIDER
}

/// Installs jsonwebtoken's process-wide crypto provider matching our feature,
/// so that a dependency graph enabling both of its backends never panics.
pub(crate) fn install_provider() {
    let _ = backend::PROVIDER.install_default();
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_hex_matches_the_fips_180_vector_on_every_backend() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
