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

fn provider() -> &'static jsonwebtoken::crypto::CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
    }
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    {
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
    }
}

/// A prepared key that verifies signatures of one algorithm.
// The HMAC state is large, but keys are built once per manager and kept
// inline on purpose: no pointer chase on the hot path.
#[allow(clippy::large_enum_variant)]
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
        use base64::Engine as _;
        match self {
            SignKey::Hmac(k) => {
                Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.sign(message)))
            }
            SignKey::Asymmetric { alg, key } => {
                jsonwebtoken::crypto::sign(message, key, *alg).map_err(|e| e.to_string())
            }
        }
    }
}

/// Minimum HMAC secret length for `alg` (RFC 7518 section 3.2: the hash size).
pub(crate) fn min_hmac_secret(alg: Algorithm) -> usize {
    match alg {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    }
}

/// Minimum RSA modulus size, in bits.
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// The modulus size of an RSA key, from its DER (public or private).
pub(crate) fn rsa_bits(der: &[u8], private: bool) -> Option<usize> {
    let utils = &provider().key_utils;
    let (n, _) = if private {
        (utils.rsa_pub_components_from_private_key)(der).ok()?
    } else {
        (utils.rsa_pub_components_from_public_key)(der).ok()?
    };
    let first = n.iter().position(|&b| b != 0)?;
    let significant = &n[first..];
    Some(significant.len() * 8 - significant[0].leading_zeros() as usize)
}

/// Parses a PEM private key for `alg`'s family.
pub(crate) fn encoding_key(
    alg: Algorithm,
    pem: &[u8],
) -> Result<jsonwebtoken::EncodingKey, String> {
    use jsonwebtoken::AlgorithmFamily;
    let key = match alg.family() {
        AlgorithmFamily::Rsa => jsonwebtoken::EncodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => jsonwebtoken::EncodingKey::from_ec_pem(pem),
        AlgorithmFamily::Ed => jsonwebtoken::EncodingKey::from_ed_pem(pem),
        _ => return Err("not an asymmetric algorithm".into()),
    };
    key.map_err(|e| e.to_string())
}

/// Parses a PEM public key for `alg`'s family.
pub(crate) fn decoding_key(
    alg: Algorithm,
    pem: &[u8],
) -> Result<jsonwebtoken::DecodingKey, String> {
    use jsonwebtoken::AlgorithmFamily;
    let key = match alg.family() {
        AlgorithmFamily::Rsa => jsonwebtoken::DecodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => jsonwebtoken::DecodingKey::from_ec_pem(pem),
        AlgorithmFamily::Ed => jsonwebtoken::DecodingKey::from_ed_pem(pem),
        _ => return Err("not an asymmetric algorithm".into()),
    };
    key.map_err(|e| e.to_string())
}

/// The DER inside a decoding key made from a PEM.
pub(crate) fn decoding_der(key: &jsonwebtoken::DecodingKey) -> Option<&[u8]> {
    match key.kind() {
        jsonwebtoken::DecodingKeyKind::SecretOrDer(der) => Some(der),
        _ => None,
    }
}

/// The keys of a configuration: the signing key (absent for a verify-only
/// service) and one verification key per allowed algorithm.
pub(crate) struct KeySet {
    pub(crate) signing: Option<SignKey>,
    pub(crate) verifying: Vec<VerifyKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet").finish_non_exhaustive()
    }
}

fn config_err(msg: String) -> crate::error::JwtError {
    crate::error::JwtError::Config(msg)
}

impl KeySet {
    /// Prepares and checks the keys, with errors that name Flask's options.
    pub(crate) fn build(
        algorithm: Algorithm,
        decode_algorithms: &[Algorithm],
        secret: Option<&[u8]>,
        private_pem: Option<&[u8]>,
        public_pem: Option<&[u8]>,
        allow_weak: bool,
    ) -> Result<Self, crate::error::JwtError> {
        use jsonwebtoken::AlgorithmFamily;
        install_crypto_provider();
        if algorithm.family() == AlgorithmFamily::Hmac {
            let secret = match secret {
                Some(s) if !s.is_empty() => s,
                _ => {
                    return Err(config_err(format!(
                        "JWT_SECRET_KEY must be set (and not empty) when using symmetric algorithm \"{algorithm:?}\""
                    )))
                }
            };
            let looks_asymmetric = [
                &b"-----BEGIN"[..],
                b"ssh-rsa",
                b"ssh-ed25519",
                b"ecdsa-sha2-",
            ]
            .iter()
            .any(|prefix| secret.trim_ascii_start().starts_with(prefix));
            if looks_asymmetric {
                return Err(config_err(
                    "JWT_SECRET_KEY looks like an asymmetric key or certificate, which must not be used as an HMAC secret: \
                     configure JWT_ALGORITHM with JWT_PUBLIC_KEY/JWT_PRIVATE_KEY instead"
                        .into(),
                ));
            }
            let mut verifying = Vec::new();
            for &alg in decode_algorithms {
                let min = min_hmac_secret(alg);
                if secret.len() < min && !allow_weak {
                    return Err(config_err(format!(
                        "JWT_SECRET_KEY is {} bytes, shorter than the {min} bytes {alg:?} needs (RFC 7518 section 3.2): \
                         use a longer random secret, or allow_weak_keys(true) for tests",
                        secret.len()
                    )));
                }
                let key = HmacKey::new(alg, secret)
                    .ok_or_else(|| config_err(format!("{alg:?} is not an HMAC algorithm")))?;
                verifying.push(VerifyKey::Hmac(key));
            }
            let signing = HmacKey::new(algorithm, secret)
                .ok_or_else(|| config_err(format!("{algorithm:?} is not an HMAC algorithm")))?;
            return Ok(KeySet {
                signing: Some(SignKey::Hmac(signing)),
                verifying,
            });
        }

        let public_pem = public_pem.ok_or_else(|| {
            config_err(format!(
                "JWT_PUBLIC_KEY must be set to use asymmetric cryptography algorithm \"{algorithm:?}\""
            ))
        })?;
        let mut verifying = Vec::new();
        for &alg in decode_algorithms {
            let key = decoding_key(alg, public_pem).map_err(|e| {
                config_err(format!(
                    "JWT_PUBLIC_KEY is not a {alg:?} public key in PEM: {e}"
                ))
            })?;
            if alg.family() == AlgorithmFamily::Rsa && !allow_weak {
                let bits = decoding_der(&key)
                    .and_then(|der| rsa_bits(der, false))
                    .ok_or_else(|| {
                        config_err("JWT_PUBLIC_KEY is not a valid RSA public key".into())
                    })?;
                if bits < MIN_RSA_BITS {
                    return Err(config_err(format!(
                        "JWT_PUBLIC_KEY is a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are required \
                         (allow_weak_keys(true) for tests)"
                    )));
                }
            }
            verifying.push(VerifyKey::Asymmetric { alg, key });
        }
        let signing = match private_pem {
            None => None,
            Some(pem) => {
                let key = encoding_key(algorithm, pem).map_err(|e| {
                    config_err(format!(
                        "JWT_PRIVATE_KEY is not a {algorithm:?} private key in PEM: {e}"
                    ))
                })?;
                if algorithm.family() == AlgorithmFamily::Rsa && !allow_weak {
                    let bits = rsa_bits(key.as_bytes(), true).ok_or_else(|| {
                        config_err(format!(
                            "JWT_PRIVATE_KEY is not an RSA private key the crypto backend accepts \
                             (RSA keys need at least {MIN_RSA_BITS} bits)"
                        ))
                    })?;
                    if bits < MIN_RSA_BITS {
                        return Err(config_err(format!(
                            "JWT_PRIVATE_KEY is a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are required \
                             (allow_weak_keys(true) for tests)"
                        )));
                    }
                }
                let signing = SignKey::Asymmetric {
                    alg: algorithm,
                    key,
                };
                // The pair must match: sign a probe and verify it.
                let probe = b"axum-jwt-extended key pair check";
                let signature = signing.sign(probe).map_err(|e| {
                    config_err(format!(
                        "JWT_PRIVATE_KEY cannot sign with {algorithm:?}: {e}"
                    ))
                })?;
                let matches = verifying
                    .iter()
                    .find(|k| k.algorithm() == algorithm)
                    .is_some_and(|k| {
                        use base64::Engine as _;
                        base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .decode(&signature)
                            .is_ok_and(|raw| k.verify(probe, &raw, &signature))
                    });
                if !matches {
                    return Err(config_err(
                        "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are not a key pair: a token signed with the one would not verify with the other".into(),
                    ));
                }
                Some(signing)
            }
        };
        Ok(KeySet { signing, verifying })
    }
}
