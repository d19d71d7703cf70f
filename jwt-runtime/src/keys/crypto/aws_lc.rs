//! The `aws-lc-rs` backend.

use aws_lc_rs::{digest, hmac};
use jsonwebtoken::Algorithm;

pub(super) static PROVIDER: &jsonwebtoken::crypto::CryptoProvider =
    &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;

/// A prepared HMAC key.
#[derive(Clone)]
pub(super) struct Hmac(hmac::Key);

impl Hmac {
    pub(super) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
        let algorithm = match alg {
            Algorithm::HS256 => hmac::HMAC_SHA256,
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            _ => return None,
        };
        Some(Hmac(hmac::Key::new(algorithm, secret)))
    }

    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, message).as_ref().to_vec()
    }

    /// Constant-time comparison (aws-lc's `verify`).
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        hmac::verify(&self.0, message, signature).is_ok()
    }
}

pub(super) fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}
