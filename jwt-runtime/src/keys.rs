//! Prepared signing and verification keys, built once per manager.
//!
//! HMAC keys are prepared with the crypto backend chosen by feature (`aws-lc-rs`
//! by default, `rust-crypto` for pure-Rust builds) and verified with its
//! constant-time comparison. Nothing here is computed per request.

use std::fmt;

use jsonwebtoken::Algorithm;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!("axum-jwt-extended needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature");

/// An HMAC key prepared for one algorithm.
pub(crate) struct HmacKey {
    alg: Algorithm,
    #[cfg(feature = "aws-lc-rs")]
    key: aws_lc_rs::hmac::Key,
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    key: rc::Prepared,
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("alg", &self.alg)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Installs jsonwebtoken's process-wide crypto provider matching our feature,
/// so that a dependency graph enabling both of its backends never panics.
pub(crate) fn install_crypto_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

impl HmacKey {
    /// Prepares `secret` for `alg`, which must be one of the HS algorithms.
    pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
        #[cfg(feature = "aws-lc-rs")]
        {
            use aws_lc_rs::hmac;
            let algorithm = match alg {
                Algorithm::HS256 => hmac::HMAC_SHA256,
                Algorithm::HS384 => hmac::HMAC_SHA384,
                Algorithm::HS512 => hmac::HMAC_SHA512,
                _ => return None,
            };
            Some(HmacKey {
                alg,
                key: hmac::Key::new(algorithm, secret),
            })
        }
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        {
            Some(HmacKey {
                alg,
                key: rc::Prepared::new(alg, secret)?,
            })
        }
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The MAC of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        #[cfg(feature = "aws-lc-rs")]
        {
            aws_lc_rs::hmac::sign(&self.key, message).as_ref().to_vec()
        }
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        {
            self.key.sign(message)
        }
    }

    /// Whether `signature` is the MAC of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        {
            aws_lc_rs::hmac::verify(&self.key, message, signature).is_ok()
        }
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        {
            self.key.verify(message, signature)
        }
    }
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
mod rc {
    use hmac::{Hmac, Mac};
    use jsonwebtoken::Algorithm;
    use sha2::{Sha256, Sha384, Sha512};

    pub(crate) enum Prepared {
        S256(Hmac<Sha256>),
        S384(Hmac<Sha384>),
        S512(Hmac<Sha512>),
    }

    impl Prepared {
        pub(crate) fn new(alg: Algorithm, secret: &[u8]) -> Option<Self> {
            Some(match alg {
                Algorithm::HS256 => Prepared::S256(Hmac::new_from_slice(secret).ok()?),
                Algorithm::HS384 => Prepared::S384(Hmac::new_from_slice(secret).ok()?),
                Algorithm::HS512 => Prepared::S512(Hmac::new_from_slice(secret).ok()?),
                _ => return None,
            })
        }

        pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
            match self {
                Prepared::S256(m) => m
                    .clone()
                    .chain_update(message)
                    .finalize()
                    .into_bytes()
                    .to_vec(),
                Prepared::S384(m) => m
                    .clone()
                    .chain_update(message)
                    .finalize()
                    .into_bytes()
                    .to_vec(),
                Prepared::S512(m) => m
                    .clone()
                    .chain_update(message)
                    .finalize()
                    .into_bytes()
                    .to_vec(),
            }
        }

        pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            match self {
                Prepared::S256(m) => m
                    .clone()
                    .chain_update(message)
                    .verify_slice(signature)
                    .is_ok(),
                Prepared::S384(m) => m
                    .clone()
                    .chain_update(message)
                    .verify_slice(signature)
                    .is_ok(),
                Prepared::S512(m) => m
                    .clone()
                    .chain_update(message)
                    .verify_slice(signature)
                    .is_ok(),
            }
        }
    }
}
