//! The prepared keys the token code signs and verifies with.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::Algorithm;

use super::crypto::HmacKey;

/// A prepared key that verifies signatures of one algorithm.
// The HMAC state is large, but keys are built once per manager and kept
// inline on purpose: no pointer chase on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum VerifyKey {
    Hmac(HmacKey),
    Asymmetric {
        alg: Algorithm,
        key: jsonwebtoken::DecodingKey,
    },
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyKey")
            .field("alg", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl VerifyKey {
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            VerifyKey::Hmac(k) => k.algorithm(),
            VerifyKey::Asymmetric { alg, .. } => *alg,
        }
    }

    /// Whether `signature` (raw bytes; `encoded` is its base64url segment)
    /// signs `message`, with the backend's constant-time primitives.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8], encoded: &str) -> bool {
        match self {
            VerifyKey::Hmac(k) => k.verify(message, signature),
            VerifyKey::Asymmetric { alg, key } => {
                jsonwebtoken::crypto::verify(encoded, message, key, *alg).unwrap_or(false)
            }
        }
    }
}

/// A prepared key that signs new tokens.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum SignKey {
    Hmac(HmacKey),
    Asymmetric {
        alg: Algorithm,
        key: jsonwebtoken::EncodingKey,
    },
}

impl fmt::Debug for SignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignKey")
            .field("alg", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl SignKey {
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            SignKey::Hmac(k) => k.algorithm(),
            SignKey::Asymmetric { alg, .. } => *alg,
        }
    }

    /// The base64url signature segment of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<String, String> {
        match self {
            SignKey::Hmac(k) => Ok(URL_SAFE_NO_PAD.encode(k.sign(message))),
            SignKey::Asymmetric { alg, key } => {
                jsonwebtoken::crypto::sign(message, key, *alg).map_err(|e| e.to_string())
            }
        }
    }
}
