//! The public key types: [`VerificationKey`] and [`SigningKey`].

use std::fmt;

use jsonwebtoken::{Algorithm, AlgorithmFamily};

use super::material::{
    check_rsa_signing, checked_hmac, config_err, decoding_der, decoding_key, encoding_key,
    rsa_bits, MIN_RSA_BITS,
};
use super::{SignKey, VerifyKey};
use crate::error::JwtError;

/// What both key types share: a prepared key and an optional key id.
macro_rules! named_key {
    ($name:ident, $inner:ident, with_kid: $with_kid:literal, algorithm: $algorithm:literal) => {
        impl $name {
            pub(crate) fn new(inner: $inner) -> Self {
                $name { kid: None, inner }
            }

            #[doc = $with_kid]
            pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
                self.kid = Some(kid.into());
                self
            }

            /// The key id.
            pub fn kid(&self) -> Option<&str> {
                self.kid.as_deref()
            }

            #[doc = $algorithm]
            pub fn algorithm(&self) -> Algorithm {
                self.inner.algorithm()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("alg", &self.algorithm())
                    .field("kid", &self.kid)
                    .finish_non_exhaustive()
            }
        }
    };
}

named_key!(
    VerificationKey,
    VerifyKey,
    with_kid: "Names the key (the `kid` header of the tokens it verifies).",
    algorithm: "The algorithm this key verifies."
);
named_key!(
    SigningKey,
    SignKey,
    with_kid: "Names the key: new tokens carry this `kid` header.",
    algorithm: "The algorithm this key signs with."
);

/// A key that verifies tokens of one algorithm, optionally named by a key id
/// (`kid`): for key rotation, a `decode_key_loader`, or a JWKS.
///
/// Never contains private material that [`to_jwk`](Self::to_jwk) would
/// publish: HMAC keys are never exported.
///
/// ```
/// use axum_jwt_extended::{Algorithm, VerificationKey};
/// let pem = include_str!("../../../tests/fixtures/keys/ec256-public.pem");
/// let key = VerificationKey::from_pem(Algorithm::ES256, pem)?.with_kid("2026-11");
/// assert_eq!(key.kid(), Some("2026-11"));
/// let jwk = key.to_jwk().unwrap();
/// assert_eq!(jwk["kty"], "EC");
/// assert_eq!(jwk["crv"], "P-256");
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct VerificationKey {
    pub(crate) kid: Option<String>,
    pub(crate) inner: VerifyKey,
}

impl VerificationKey {
    /// An HMAC key (`HS256`, `HS384`, `HS512`); the secret must be at least
    /// the hash size.
    pub fn from_secret(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, JwtError> {
        Ok(Self::new(VerifyKey::Hmac(checked_hmac(
            alg,
            secret.as_ref(),
        )?)))
    }

    /// A public key in PEM for an asymmetric algorithm.
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, JwtError> {
        let key = decoding_key(alg, pem.as_ref())
            .map_err(|e| config_err(format!("not a {alg:?} public key in PEM: {e}")))?;
        if alg.family() == AlgorithmFamily::Rsa {
            let bits = decoding_der(&key)
                .and_then(|der| rsa_bits(der, false))
                .unwrap_or(0);
            if bits < MIN_RSA_BITS {
                return Err(config_err(format!(
                    "the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"
                )));
            }
        }
        Ok(Self::new(VerifyKey::Asymmetric { alg, key }))
    }
}

/// A key that signs new tokens, optionally named by a key id written into
/// their `kid` header: for `encode_key_loader` (per-identity keys, for
/// example).
#[derive(Clone)]
pub struct SigningKey {
    pub(crate) kid: Option<String>,
    pub(crate) inner: SignKey,
}

impl SigningKey {
    /// An HMAC key; the secret must be at least the hash size.
    pub fn from_secret(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, JwtError> {
        Ok(Self::new(SignKey::Hmac(checked_hmac(
            alg,
            secret.as_ref(),
        )?)))
    }

    /// A private key in PEM for an asymmetric algorithm.
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, JwtError> {
        check_rsa_signing("SigningKey::from_pem", alg)?;
        let key = encoding_key(alg, pem.as_ref())
            .map_err(|e| config_err(format!("not a {alg:?} private key in PEM: {e}")))?;
        Ok(Self::new(SignKey::Asymmetric { alg, key }))
    }
}
