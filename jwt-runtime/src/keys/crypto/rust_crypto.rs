//! The `rust-crypto` backend (pure Rust: `hmac`, `sha2`).

use hmac::digest::KeyInit;
use hmac::Mac;
use jsonwebtoken::Algorithm;
use sha2::{Sha256, Sha384, Sha512};

pub(super) static PROVIDER: &jsonwebtoken::crypto::CryptoProvider =
    &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

/// A prepared HMAC key, one variant per hash.
#[derive(Clone)]
pub(super) enum Hmac {
    S256(hmac::Hmac<Sha256>),
    S384(hmac::Hmac<Sha384>),
    S512(hmac::Hmac<Sha512>),
}

impl Hmac {
    pub(super) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
        Some(match alg {
            Algorithm::HS256 => Hmac::S256(KeyInit::new_from_slice(secret).ok()?),
            Algorithm::HS384 => Hmac::S384(KeyInit::new_from_slice(secret).ok()?),
            Algorithm::HS512 => Hmac::S512(KeyInit::new_from_slice(secret).ok()?),
            _ => return None,
        })
    }

    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Hmac::S256(m) => mac(m, message),
            Hmac::S384(m) => mac(m, message),
            Hmac::S512(m) => mac(m, message),
        }
    }

    /// Constant-time comparison (`Mac::verify_slice`).
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Hmac::S256(m) => matches(m, message, signature),
            Hmac::S384(m) => matches(m, message, signature),
            Hmac::S512(m) => matches(m, message, signature),
        }
    }
}

fn mac<M: Mac + Clone>(prepared: &M, message: &[u8]) -> Vec<u8> {
    prepared
        .clone()
        .chain_update(message)
        .finalize()
        .into_bytes()
        .to_vec()
}

fn matches<M: Mac + Clone>(prepared: &M, message: &[u8], signature: &[u8]) -> bool {
    prepared
        .clone()
        .chain_update(message)
        .verify_slice(signature)
        .is_ok()
}

pub(super) fn sha256(data: &[u8]) -> Vec<u8> {
    <Sha256 as sha2::Digest>::digest(data).to_vec()
}
