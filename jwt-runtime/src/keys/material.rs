//! Secrets and PEMs turned into keys, with the strength checks (RFC 7518's
//! HMAC secret sizes, 2048-bit RSA, no RSA signing on rust-crypto).

use jsonwebtoken::{Algorithm, AlgorithmFamily};

use super::crypto::{provider, HmacKey};
use crate::error::JwtError;

/// A configuration error.
pub(super) fn config_err(msg: String) -> JwtError {
    JwtError::Config(msg)
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
pub(super) fn checked_hmac(alg: Algorithm, secret: &[u8]) -> Result<HmacKey, JwtError> {
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
pub(super) const MIN_RSA_BITS: usize = 2048;

/// The modulus size of an RSA key, from its DER (public or private).
pub(super) fn rsa_bits(der: &[u8], private: bool) -> Option<usize> {
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
pub(super) fn check_rsa_signing(option: &str, alg: Algorithm) -> Result<(), JwtError> {
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
pub(super) fn encoding_key(
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
pub(super) fn decoding_key(
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
pub(super) fn decoding_der(key: &jsonwebtoken::DecodingKey) -> Option<&[u8]> {
    match key.kind() {
        jsonwebtoken::DecodingKeyKind::SecretOrDer(der) => Some(der),
        _ => None,
    }
}
