//! The keys of a configuration: the signing key (absent for a verify-only
//! service), one verification key per allowed algorithm, rotated keys, and
//! the header segments this service writes, parsed once.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::Value;

use super::crypto::{install_provider, HmacKey};
use super::material::{
    check_rsa_signing, config_err, decoding_der, decoding_key, encoding_key, min_hmac_secret,
    rsa_bits, MIN_RSA_BITS,
};
use super::{alg_name, SignKey, SigningKey, VerificationKey, VerifyKey};
use crate::error::JwtError;

/// Where a configuration's keys come from: the `JWT_*` key options.
#[derive(Clone, Copy)]
pub(crate) struct KeySources<'a> {
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: &'a [Algorithm],
    pub(crate) secret: Option<&'a [u8]>,
    pub(crate) private_pem: Option<&'a [u8]>,
    pub(crate) public_pem: Option<&'a [u8]>,
    pub(crate) allow_weak: bool,
    /// A Flask service's short secret for a migration, and its use: it
    /// passes the length check, and with `VerifyOnly` verifies the tokens
    /// without a `kid`.
    pub(crate) legacy: Option<(&'a [u8], super::LegacySecret)>,
    pub(crate) key_id: Option<&'a str>,
    /// Keys kept for rotation, each with a key id.
    pub(crate) rotated: &'a [VerificationKey],
    /// Whether a remote JWKS supplies verification keys.
    pub(crate) remote: bool,
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

    /// No key: a configuration that verifies only the tokens of trusted
    /// issuers.
    pub(crate) fn empty() -> Self {
        install_provider();
        KeySet {
            signing: None,
            verifying: Vec::new(),
            known_headers: Vec::new(),
        }
    }

    /// The keys of a trusted issuer configured here: they verify only.
    pub(crate) fn verify_only(keys: &[VerificationKey]) -> Self {
        let mut set = Self::empty();
        set.verifying = keys.iter().cloned().map(Arc::new).collect();
        set.remember_headers();
        set
    }

    /// Prepares and checks the keys, with errors that name Flask's options.
    pub(crate) fn build(sources: &KeySources<'_>) -> Result<Self, JwtError> {
        let mut set = if sources.remote {
            Self::for_remote(sources)?
        } else {
            Self::build_primary(sources)?
        };
        set.name_primary(sources.key_id);
        if let Some((secret, super::LegacySecret::VerifyOnly)) = sources.legacy {
            // First of its algorithm: the key of every token without a kid.
            let key = HmacKey::new(sources.algorithm, secret)
                .ok_or_else(|| config_err("legacy_secret needs an HMAC algorithm".into()))?;
            let key = VerificationKey::new(VerifyKey::Hmac(key));
            set.verifying.insert(0, Arc::new(key));
        }
        set.add_rotated(sources.rotated, sources.decode_algorithms)?;
        set.remember_headers();
        Ok(set)
    }

    /// With a remote JWKS: its keys verify, so only an asymmetric algorithm
    /// makes sense; a local public key still verifies too, and a private
    /// key still signs.
    fn for_remote(sources: &KeySources<'_>) -> Result<Self, JwtError> {
        let algorithm = sources.algorithm;
        if algorithm.family() == AlgorithmFamily::Hmac {
            return Err(config_err(
                "a remote JWKS provides public keys: configure an asymmetric JWT_ALGORITHM".into(),
            ));
        }
        if sources.public_pem.is_some() {
            return Self::build_primary(sources);
        }
        let signing = match sources.private_pem {
            Some(pem) => {
                check_rsa_signing("JWT_PRIVATE_KEY", algorithm)?;
                let key = encoding_key(algorithm, pem).map_err(|e| {
                    config_err(format!(
                        "JWT_PRIVATE_KEY is not a {algorithm:?} private key in PEM: {e}"
                    ))
                })?;
                Some(Arc::new(SigningKey::new(SignKey::Asymmetric {
                    alg: algorithm,
                    key,
                })))
            }
            None => None,
        };
        Ok(KeySet {
            signing,
            verifying: Vec::new(),
            known_headers: Vec::new(),
        })
    }

    /// Gives the primary keys the configured key id (`JWT_KEY_ID`).
    fn name_primary(&mut self, key_id: Option<&str>) {
        let kid = key_id.map(str::to_owned);
        if let Some(signing) = &mut self.signing {
            if let Some(s) = Arc::get_mut(signing) {
                s.kid = kid.clone();
            }
        }
        for key in &mut self.verifying {
            if let Some(k) = Arc::get_mut(key) {
                k.kid = kid.clone();
            }
        }
    }

    /// Adds the keys kept for rotation: each named, of an allowed
    /// algorithm, and with a key id no other key of its algorithm has.
    fn add_rotated(
        &mut self,
        rotated: &[VerificationKey],
        decode_algorithms: &[Algorithm],
    ) -> Result<(), JwtError> {
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
            if self
                .verifying
                .iter()
                .any(|k| k.kid == key.kid && k.algorithm() == key.algorithm())
            {
                return Err(config_err(format!(
                    "two verification keys share the key id {:?}",
                    key.kid.as_deref().unwrap_or_default()
                )));
            }
            self.verifying.push(Arc::new(key.clone()));
        }
        Ok(())
    }

    /// The keys of `JWT_SECRET_KEY`, or of `JWT_PUBLIC_KEY` and `JWT_PRIVATE_KEY`.
    fn build_primary(sources: &KeySources<'_>) -> Result<Self, JwtError> {
        let KeySources {
            algorithm,
            decode_algorithms,
            secret,
            private_pem,
            public_pem,
            allow_weak,
            legacy,
            ..
        } = *sources;
        install_provider();
        if algorithm.family() == AlgorithmFamily::Hmac {
            // A signing legacy secret passes the length check, alone.
            let short_ok = matches!(legacy, Some((_, super::LegacySecret::SignAndVerify)));
            return Self::hmac(algorithm, decode_algorithms, secret, allow_weak || short_ok);
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
    ) -> Result<Self, JwtError> {
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
    ) -> Result<Vec<Arc<VerificationKey>>, JwtError> {
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
    ) -> Result<Option<Arc<SigningKey>>, JwtError> {
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
