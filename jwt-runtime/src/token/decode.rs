//! Decoding as its steps, in PyJWT's and Flask-JWT-Extended's order.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::header::{Header, Segments};
use super::key_pick::KeyChoice;
use super::payload::{parse_claims, payload_text, Claim, Registered};
use super::signature::{verify_signature, Signature};
use super::validate::{check_csrf, check_registered_claims, check_strict};
use crate::claims::{DecodedToken, Text, TokenType};
use crate::config::JwtConfig;
use crate::error::JwtError;

/// Decodes and verifies a token in PyJWT's and Flask-JWT-Extended's order.
///
/// `keys` are the prepared keys of the allowed decode algorithms. `csrf` is the
/// double-submit value sent with a cookie token, if any.
pub(crate) fn decode(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    identity_claim: &Arc<str>,
    token: &str,
    allow_expired: bool,
    csrf: Option<&str>,
) -> Result<DecodedToken, JwtError> {
    let decoded = decode_checked(config, keys, identity_claim, token, csrf)?;
    if decoded.expired && !allow_expired {
        return Err(JwtError::Expired);
    }
    Ok(decoded.token)
}

/// A token that passed every check but, perhaps, its expiry.
pub(crate) struct Decoded {
    pub(crate) token: DecodedToken,
    /// Past `exp` (with the leeway): reported only once every other check
    /// has passed, so the expired-token loader can see the claims (as
    /// Flask's does).
    pub(crate) expired: bool,
}

/// [`decode`] that returns an expired token as such instead of failing.
///
/// The steps, in PyJWT's and Flask-JWT-Extended's order: length and
/// segments, header, base64 of payload and signature, header members, the
/// signature, and only then the payload and its claims.
pub(crate) fn decode_checked(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    identity_claim: &Arc<str>,
    token: &str,
    csrf: Option<&str>,
) -> Result<Decoded, JwtError> {
    let segments = Segments::split(token, config.max_token_length)?;
    let header = Header::read(config, &segments)?;
    let payload_bytes = header.payload_bytes(&segments)?;
    let mut signature = Signature::new();
    signature.decode(segments.crypto)?;
    header.check_members()?;
    verify_signature(config, keys, &header, &segments, &signature)?;

    // Only now is the payload parsed, as PyJWT parses it: nothing an
    // unauthenticated sender wrote is evaluated beyond base64. (Flask's
    // unverified pre-decode would report a malformed payload of a forged
    // token first; we answer "Signature verification failed", documented.)
    let want_csrf = csrf.is_some();
    let payload = payload_text(payload_bytes, identity_claim, want_csrf)?;
    let mut claims = Registered::default();
    parse_claims(&payload, identity_claim, want_csrf, &mut claims)?;
    let now = config.clock.now();
    let expired = check_registered_claims(config, &claims, now)?;
    if let Some(strict) = &config.strict {
        check_strict(config, strict, &header.map, &claims, now)?;
    }

    // Flask-JWT-Extended's own checks.
    let identity = claims.take_identity(identity_claim)?;
    if let Some(sent) = csrf {
        check_csrf(&claims, sent)?;
    }
    let kept = Kept::from_claims(claims, identity, &payload);
    Ok(Decoded {
        token: kept.into_token(header.map, payload, &config.grants),
        expired,
    })
}

/// What a verified token keeps of its claims: strings as spans of the
/// payload (no copy), other values owned.
pub(super) struct Kept {
    identity: Option<Text>,
    identity_value: std::sync::OnceLock<Value>,
    token_type: TokenType,
    fresh: Option<Value>,
    jti: Option<Text>,
    iat: Option<f64>,
    nbf: Option<f64>,
    exp: Option<f64>,
    iss: Option<Text>,
    family: Option<Text>,
}

impl Kept {
    fn from_claims(claims: Registered<'_>, identity: Claim<'_>, payload: &str) -> Self {
        let token_type = match claims.kind {
            None => TokenType::Missing,
            Some(Claim::Str(t)) if t == "access" => TokenType::Access,
            Some(Claim::Str(t)) if t == "refresh" => TokenType::Refresh,
            Some(other) => TokenType::Other(other.into_value()),
        };
        let fresh = claims.fresh.map(Claim::into_value);
        let iat = claims.iat.as_ref().and_then(Claim::as_f64);
        let nbf = claims.nbf.as_ref().and_then(Claim::as_f64);
        let exp = claims.exp.as_ref().and_then(Claim::as_f64);
        // Kept strings point into the payload, which the token keeps.
        let base = payload.as_ptr() as usize;
        let len = payload.len();
        let text = |claim: Option<Claim<'_>>| claim.and_then(|c| c.into_text(base, len));
        let identity_value = std::sync::OnceLock::new();
        let identity = match identity {
            Claim::Str(_) => text(Some(identity)),
            Claim::Other(value) => {
                let _ = identity_value.set(value);
                None
            }
        };
        let jti = text(claims.jti);
        let iss = text(claims.iss);
        let family = text(claims.fam);
        Kept {
            identity,
            identity_value,
            token_type,
            fresh,
            jti,
            iat,
            nbf,
            exp,
            iss,
            family,
        }
    }

    fn into_token(
        self,
        header: Arc<Map<String, Value>>,
        payload: String,
        grants: &Arc<crate::claim_paths::ClaimPaths>,
    ) -> DecodedToken {
        DecodedToken {
            header,
            payload,
            claims: std::sync::OnceLock::new(),
            identity: self.identity,
            identity_value: self.identity_value,
            token_type: self.token_type,
            fresh: self.fresh,
            jti: self.jti,
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
            iss: self.iss,
            family: self.family,
            grants: Arc::clone(grants),
            grant_claims: std::sync::OnceLock::new(),
            own: false,
        }
    }
}
