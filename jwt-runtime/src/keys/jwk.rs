//! JWK (RFC 7517) import and export of verification keys. Only public
//! asymmetric keys cross this boundary: symmetric JWKs are refused on import
//! and HMAC keys are never exported.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::{json, Value};

use super::crypto::provider;
use super::material::config_err;
use super::{alg_name, VerificationKey, VerifyKey};
use crate::error::JwtError;

impl VerificationKey {
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
