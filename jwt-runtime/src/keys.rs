//! Prepared signing and verification keys, built once per manager.
//!
//! HMAC keys are prepared with the crypto backend chosen by feature (`aws-lc-rs`
//! by default, `rust-crypto` for pure-Rust builds) and verified with its
//! constant-time comparison. Nothing here is computed per request.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::{json, Value};

use crate::error::JwtError;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!("axum-jwt-extended needs a crypto backend: enable the `aws-lc-rs` (default) or `rust-crypto` feature");

/// An HMAC key prepared for one algorithm.
#[derive(Clone)]
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

/// SHA-256 of `data`, in lowercase hex: the revocation key of a token that
/// carries no `jti`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    #[cfg(feature = "aws-lc-rs")]
    let digest: Vec<u8> = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
        .as_ref()
        .to_vec();
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    let digest: Vec<u8> = <sha2::Sha256 as sha2::Digest>::digest(data).to_vec();
    digest.iter().map(|b| format!("{b:02x}")).collect()
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

    #[derive(Clone)]
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

/// An HMAC key for `alg` from a secret at least as long as the hash.
fn checked_hmac(alg: Algorithm, secret: &[u8]) -> Result<HmacKey, JwtError> {
    if secret.len() < min_hmac_secret(alg) {
        return Err(config_err(format!(
            "the {alg:?} secret is {} bytes, shorter than the {} bytes it needs",
            secret.len(),
            min_hmac_secret(alg)
        )));
    }
    HmacKey::new(alg, secret).ok_or_else(|| config_err(format!("{alg:?} is not an HMAC algorithm")))
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

/// Refuses RSA signing on the rust-crypto backend: it signs with the `rsa`
/// crate, whose private-key operations are not constant time
/// (RUSTSEC-2023-0071, the Marvin attack; no fixed release exists).
/// Verifying with an RSA public key involves no secret and stays allowed.
fn check_rsa_signing(option: &str, alg: Algorithm) -> Result<(), JwtError> {
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    if alg.family() == AlgorithmFamily::Rsa {
        return Err(config_err(format!(
            "{option}: {alg:?} signing is refused with the rust-crypto backend: its RSA \
             private-key operations are not constant time (RUSTSEC-2023-0071, the Marvin \
             attack). Sign with the aws-lc-rs backend, or set only JWT_PUBLIC_KEY to verify"
        )));
    }
    let _ = (option, alg);
    Ok(())
}

/// Parses a PEM private key for `alg`'s family.
pub(crate) fn encoding_key(
    alg: Algorithm,
    pem: &[u8],
) -> Result<jsonwebtoken::EncodingKey, String> {
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
    pub(crate) signing: Option<Arc<SigningKey>>,
    pub(crate) verifying: Vec<Arc<VerificationKey>>,
    /// The base64url header segments this service writes, already parsed.
    known_headers: Vec<KnownHeader>,
}

/// A header segment this service writes, parsed once, with what decoding
/// reads from it: no `crit`, no `b64`, a string `kid` if any.
#[derive(Debug)]
pub(crate) struct KnownHeader {
    segment: String,
    pub(crate) map: Arc<serde_json::Map<String, Value>>,
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet").finish_non_exhaustive()
    }
}

fn config_err(msg: String) -> JwtError {
    JwtError::Config(msg)
}

impl KeySet {
    /// The parsed header for a segment this service writes itself.
    pub(crate) fn known_header(&self, segment: &str) -> Option<&KnownHeader> {
        self.known_headers.iter().find(|h| h.segment == segment)
    }

    /// The header segment of a new token signed with `alg` and `kid` and no
    /// additional headers.
    pub(crate) fn header_segment(&self, alg: Algorithm, kid: Option<&str>) -> Option<&str> {
        self.known_headers
            .iter()
            .find(|h| h.alg == alg && h.kid.as_deref() == kid)
            .map(|h| h.segment.as_str())
    }

    /// Precomputes the headers of new tokens: `{"alg":..,"typ":"JWT"}`, with
    /// the key id when there is one (sorted keys, as PyJWT writes them).
    fn remember_headers(&mut self) {
        let mut seen = Vec::new();
        for key in &self.verifying {
            let algorithm = key.algorithm();
            let alg = alg_name(algorithm);
            for kid in [None, key.kid.as_deref()] {
                let mut header = serde_json::Map::new();
                header.insert("alg".into(), Value::String(alg.into()));
                if let Some(kid) = kid {
                    header.insert("kid".into(), Value::String(kid.into()));
                }
                header.insert("typ".into(), Value::String("JWT".into()));
                let Ok(bytes) = serde_json::to_vec(&header) else {
                    continue;
                };
                let segment = URL_SAFE_NO_PAD.encode(bytes);
                if !seen.contains(&segment) {
                    seen.push(segment.clone());
                    self.known_headers.push(KnownHeader {
                        segment,
                        map: Arc::new(header),
                        alg: algorithm,
                        kid: kid.map(str::to_owned),
                    });
                }
            }
        }
    }

    /// Prepares and checks the keys, with errors that name Flask's options.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        algorithm: Algorithm,
        decode_algorithms: &[Algorithm],
        secret: Option<&[u8]>,
        private_pem: Option<&[u8]>,
        public_pem: Option<&[u8]>,
        allow_weak: bool,
        key_id: Option<&str>,
        rotated: &[VerificationKey],
        remote: bool,
    ) -> Result<Self, crate::error::JwtError> {
        if remote && algorithm.family() == AlgorithmFamily::Hmac {
            return Err(config_err(
                "a remote JWKS provides public keys: configure an asymmetric JWT_ALGORITHM".into(),
            ));
        }
        let mut set = if remote && public_pem.is_none() {
            if private_pem.is_some() {
                check_rsa_signing("JWT_PRIVATE_KEY", algorithm)?;
            }
            let signing = match private_pem {
                Some(pem) => Some(Arc::new(SigningKey::new(SignKey::Asymmetric {
                    alg: algorithm,
                    key: encoding_key(algorithm, pem).map_err(|e| {
                        config_err(format!(
                            "JWT_PRIVATE_KEY is not a {algorithm:?} private key in PEM: {e}"
                        ))
                    })?,
                }))),
                None => None,
            };
            KeySet {
                signing,
                verifying: Vec::new(),
                known_headers: Vec::new(),
            }
        } else {
            Self::build_primary(
                algorithm,
                decode_algorithms,
                secret,
                private_pem,
                public_pem,
                allow_weak,
            )?
        };
        let kid = key_id.map(str::to_owned);
        if let Some(signing) = &mut set.signing {
            if let Some(s) = Arc::get_mut(signing) {
                s.kid = kid.clone();
            }
        }
        for key in &mut set.verifying {
            if let Some(k) = Arc::get_mut(key) {
                k.kid = kid.clone();
            }
        }
        for key in rotated {
            if key.kid.is_none() {
                return Err(config_err(
                    "a verification key added for rotation needs a key id (`with_kid`): tokens select it by their `kid` header".into(),
                ));
            }
            if !decode_algorithms.contains(&key.algorithm()) {
                return Err(config_err(format!(
                    "a verification key for {:?} is not among JWT_DECODE_ALGORITHMS {decode_algorithms:?}",
                    key.algorithm()
                )));
            }
            if set
                .verifying
                .iter()
                .any(|k| k.kid == key.kid && k.algorithm() == key.algorithm())
            {
                return Err(config_err(format!(
                    "two verification keys share the key id {:?}",
                    key.kid.as_deref().unwrap_or_default()
                )));
            }
            set.verifying.push(Arc::new(key.clone()));
        }
        set.remember_headers();
        Ok(set)
    }

    fn build_primary(
        algorithm: Algorithm,
        decode_algorithms: &[Algorithm],
        secret: Option<&[u8]>,
        private_pem: Option<&[u8]>,
        public_pem: Option<&[u8]>,
        allow_weak: bool,
    ) -> Result<Self, crate::error::JwtError> {
        install_crypto_provider();
        if algorithm.family() == AlgorithmFamily::Hmac {
            return Self::hmac(algorithm, decode_algorithms, secret, allow_weak);
        }
        let verifying = Self::public_keys(algorithm, decode_algorithms, public_pem, allow_weak)?;
        let signing = match private_pem {
            None => None,
            Some(pem) => Self::private_key(algorithm, pem, allow_weak, &verifying)?,
        };
        Ok(KeySet {
            signing,
            verifying,
            known_headers: Vec::new(),
        })
    }

    /// The HMAC secret for every decode algorithm, refused when it is empty,
    /// looks like an asymmetric key, or is shorter than the hash.
    fn hmac(
        algorithm: Algorithm,
        decode_algorithms: &[Algorithm],
        secret: Option<&[u8]>,
        allow_weak: bool,
    ) -> Result<Self, crate::error::JwtError> {
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
            verifying.push(Arc::new(VerificationKey::new(VerifyKey::Hmac(key))));
        }
        let signing = HmacKey::new(algorithm, secret)
            .ok_or_else(|| config_err(format!("{algorithm:?} is not an HMAC algorithm")))?;
        Ok(KeySet {
            signing: Some(Arc::new(SigningKey::new(SignKey::Hmac(signing)))),
            verifying,
            known_headers: Vec::new(),
        })
    }

    /// The public key for every decode algorithm (RSA keys of 2048 bits or more).
    fn public_keys(
        algorithm: Algorithm,
        decode_algorithms: &[Algorithm],
        public_pem: Option<&[u8]>,
        allow_weak: bool,
    ) -> Result<Vec<Arc<VerificationKey>>, crate::error::JwtError> {
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
            verifying.push(Arc::new(VerificationKey::new(VerifyKey::Asymmetric {
                alg,
                key,
            })));
        }
        Ok(verifying)
    }

    /// The private key, refused unless it signs what the public key verifies.
    fn private_key(
        algorithm: Algorithm,
        pem: &[u8],
        allow_weak: bool,
        verifying: &[Arc<VerificationKey>],
    ) -> Result<Option<Arc<SigningKey>>, crate::error::JwtError> {
        check_rsa_signing("JWT_PRIVATE_KEY", algorithm)?;
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
                    .is_ok_and(|raw| k.inner.verify(probe, &raw, &signature))
            });
        if !matches {
            return Err(config_err(
                "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are not a key pair: a token signed with the one would not verify with the other".into(),
            ));
        }
        Ok(Some(Arc::new(SigningKey::new(signing))))
    }
}

/// A key that verifies tokens of one algorithm, optionally named by a key id
/// (`kid`): for key rotation, a `decode_key_loader`, or a JWKS.
///
/// Never contains private material that [`to_jwk`](Self::to_jwk) would
/// publish: HMAC keys are never exported.
///
/// ```
/// use axum_jwt_extended::{Algorithm, VerificationKey};
/// let pem = include_str!("../../tests/fixtures/keys/ec256-public.pem");
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

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    pub(crate) fn new(inner: VerifyKey) -> Self {
        VerificationKey { kid: None, inner }
    }

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

    /// A public key from a JWK (RFC 7517) object. `alg` comes from the JWK, or
    /// from `default_alg` when the JWK has none. Private members are ignored.
    pub fn from_jwk(jwk: &Value, default_alg: Option<Algorithm>) -> Result<Self, JwtError> {
        let parsed: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone())
            .map_err(|e| config_err(format!("not a JWK: {e}")))?;
        let alg = match jwk.get("alg").and_then(Value::as_str) {
            Some(name) => name
                .parse::<Algorithm>()
                .map_err(|_| config_err(format!("unknown JWK alg {name:?}")))?,
            None => match (
                jwk.get("kty").and_then(Value::as_str),
                jwk.get("crv").and_then(Value::as_str),
            ) {
                (Some("EC"), Some("P-256")) => Algorithm::ES256,
                (Some("EC"), Some("P-384")) => Algorithm::ES384,
                (Some("OKP"), Some("Ed25519")) => Algorithm::EdDSA,
                _ => default_alg.ok_or_else(|| {
                    config_err("the JWK has no `alg` and its algorithm cannot be inferred".into())
                })?,
            },
        };
        if alg.family() == AlgorithmFamily::Hmac {
            return Err(config_err(
                "symmetric JWKs (`kty: oct`) are not accepted as verification keys".into(),
            ));
        }
        let key = jsonwebtoken::DecodingKey::from_jwk(&parsed)
            .map_err(|e| config_err(format!("unusable JWK: {e}")))?;
        if key.family() != alg.family() {
            return Err(config_err(format!(
                "the JWK's key type does not match its alg {alg:?}"
            )));
        }
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        Ok(VerificationKey {
            kid,
            inner: VerifyKey::Asymmetric { alg, key },
        })
    }

    /// Names the key (the `kid` header of the tokens it verifies).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm()
    }

    /// The public JWK of an asymmetric key (`None` for HMAC keys, which are
    /// never published).
    pub fn to_jwk(&self) -> Option<Value> {
        let VerifyKey::Asymmetric { alg, key } = &self.inner else {
            return None;
        };
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let mut jwk = match (alg.family(), key.kind()) {
            (AlgorithmFamily::Rsa, jsonwebtoken::DecodingKeyKind::RsaModulusExponent { n, e }) => {
                json!({ "kty": "RSA", "n": b64(n), "e": b64(e) })
            }
            (AlgorithmFamily::Rsa, jsonwebtoken::DecodingKeyKind::SecretOrDer(der)) => {
                let (n, e) = (provider().key_utils.rsa_pub_components_from_public_key)(der).ok()?;
                json!({ "kty": "RSA", "n": b64(&n), "e": b64(&e) })
            }
            (AlgorithmFamily::Ec, jsonwebtoken::DecodingKeyKind::SecretOrDer(point)) => {
                let (crv, size) = match alg {
                    Algorithm::ES384 => ("P-384", 48),
                    _ => ("P-256", 32),
                };
                if point.len() != 1 + 2 * size || point[0] != 4 {
                    return None;
                }
                json!({ "kty": "EC", "crv": crv, "x": b64(&point[1..=size]), "y": b64(&point[1 + size..]) })
            }
            (AlgorithmFamily::Ed, jsonwebtoken::DecodingKeyKind::SecretOrDer(raw)) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(raw) })
            }
            _ => return None,
        };
        jwk["use"] = json!("sig");
        jwk["alg"] = json!(alg_name(*alg));
        if let Some(kid) = &self.kid {
            jwk["kid"] = json!(kid);
        }
        Some(jwk)
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

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    pub(crate) fn new(inner: SignKey) -> Self {
        SigningKey { kid: None, inner }
    }

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

    /// Names the key: new tokens carry this `kid` header.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm()
    }
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
