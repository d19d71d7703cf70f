//! Keys: prepared once per manager, never computed per request.
//!
//! - [`crypto`]: the backend chosen by feature (HMAC, SHA-256, jsonwebtoken's
//!   provider), one file per backend;
//! - [`prepared`]: the signing and verifying keys the token code uses;
//! - [`material`]: secrets and PEMs turned into keys, with the strength checks;
//! - [`public`]: the public [`VerificationKey`] and [`SigningKey`];
//! - [`jwk`]: JWK (RFC 7517) import and export;
//! - [`set`]: the keys of a configuration, with the headers this service writes.

mod crypto;
mod jwk;
mod material;
mod prepared;
mod public;
mod set;

pub(crate) use crypto::sha256_hex;
#[cfg(feature = "tracing")]
pub(crate) use material::min_hmac_secret;
pub(crate) use prepared::{SignKey, VerifyKey};
pub use public::{SigningKey, VerificationKey};
pub(crate) use set::{KeySet, KeySources, KnownHeader};

/// The `alg` header value of an algorithm.
pub(crate) fn alg_name(alg: jsonwebtoken::Algorithm) -> &'static str {
    use jsonwebtoken::Algorithm::*;
    match alg {
        HS256 => "HS256",
        HS384 => "HS384",
        HS512 => "HS512",
        RS256 => "RS256",
        RS384 => "RS384",
        RS512 => "RS512",
        PS256 => "PS256",
        PS384 => "PS384",
        PS512 => "PS512",
        ES256 => "ES256",
        ES384 => "ES384",
        EdDSA => "EdDSA",
        // `Algorithm` is non-exhaustive: a future variant is never a valid `alg` here.
        _ => "",
    }
}

/// How a Flask service's short secret is used during a migration (see
/// [`JwtConfigBuilder::legacy_secret`](crate::JwtConfigBuilder::legacy_secret)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacySecret {
    /// It verifies the Flask service's tokens (which carry no `kid`); new
    /// tokens are signed with `secret_key`, a secret of full length, under
    /// `key_id`. Flask cannot verify those: use this once the routes that
    /// read tokens have moved, or with a Flask side that trusts the new key.
    VerifyOnly,
    /// It signs and verifies, as in the Flask service: both services keep
    /// accepting each other's tokens while routes move.
    SignAndVerify,
}
