//! The compact serialization's segments and the JOSE header checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::payload::{parse_object, TopLevel};
use crate::config::JwtConfig;
use crate::error::{messages, JwtError};
use crate::keys::KnownHeader;

/// The header of a token, unverified (Flask's `get_unverified_jwt_headers`),
/// with the same errors as decoding for a malformed token.
pub(crate) fn unverified_header(
    token: &str,
    max_len: usize,
) -> Result<Map<String, Value>, JwtError> {
    if token.len() > max_len {
        return Err(JwtError::invalid(messages::TOKEN_TOO_LONG));
    }
    let (signing_input, _) = token
        .rsplit_once('.')
        .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
    let (header_segment, _) = signing_input
        .split_once('.')
        .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
    let bytes = b64(header_segment, messages::INVALID_HEADER_PADDING)?;
    parse_object(&bytes, "header", messages::HEADER_NOT_OBJECT)
}

/// The header of a token, parsed without any verification, for key
/// selection; `None` when malformed (decoding then reports why).
pub(crate) fn peek_header(token: &str, max_len: usize) -> Option<Map<String, Value>> {
    if token.len() > max_len {
        return None;
    }
    let (head, _) = token.split_once('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(head).ok()?;
    match serde_json::from_slice::<TopLevel>(&bytes).ok()? {
        TopLevel::Object(map) => Some(map),
        TopLevel::NotObject => None,
    }
}

/// The `iss` claim of a token **before it is verified**: only to choose
/// which trusted issuer's keys and rules verify it. `None` when the payload
/// cannot be read (the decode reports why); `Some(None)` when it has no
/// string `iss`.
pub(crate) fn peek_issuer(token: &str, max_len: usize) -> Option<Option<String>> {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(default)]
        iss: Option<Value>,
    }
    if token.len() > max_len {
        return None;
    }
    let mut parts = token.splitn(3, '.');
    let (_, payload) = (parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    match serde_json::from_slice::<Peek>(&bytes).ok()?.iss {
        Some(Value::String(iss)) => Some(Some(iss)),
        _ => Some(None),
    }
}

/// Canonical, unpadded base64url, or PyJWT's "Invalid {name} padding".
fn b64(segment: &str, error: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::invalid(error))
}

/// The three segments of a compact JWS, split as PyJWT splits them
/// (`rsplit(".", 1)` then `split(".", 1)`), after the length check.
pub(super) struct Segments<'t> {
    pub(super) signing_input: &'t str,
    pub(super) header: &'t str,
    pub(super) payload: &'t str,
    pub(super) crypto: &'t str,
}

impl<'t> Segments<'t> {
    #[inline]
    pub(super) fn split(token: &'t str, max_len: usize) -> Result<Self, JwtError> {
        if token.len() > max_len {
            return Err(JwtError::invalid(messages::TOKEN_TOO_LONG));
        }
        let (signing_input, crypto) = token
            .rsplit_once('.')
            .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
        let (header, payload) = signing_input
            .split_once('.')
            .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
        Ok(Segments {
            signing_input,
            header,
            payload,
            crypto,
        })
    }
}

/// The JOSE header of a token being decoded.
pub(super) struct Header<'k> {
    pub(super) map: Arc<Map<String, Value>>,
    /// Set when this service wrote the header: parsed once at startup, and
    /// what decoding reads from it is known.
    pub(super) known: Option<&'k KnownHeader>,
    /// `b64: false`: an unencoded (detached) payload, which is refused.
    pub(super) detached: bool,
}

impl<'k> Header<'k> {
    /// The header segment, parsed unless this service wrote it.
    #[inline]
    pub(super) fn read(config: &'k JwtConfig, segments: &Segments<'_>) -> Result<Self, JwtError> {
        if let Some(known) = config.keys.known_header(segments.header) {
            return Ok(Header {
                map: Arc::clone(&known.map),
                known: Some(known),
                detached: false,
            });
        }
        let bytes = b64(segments.header, messages::INVALID_HEADER_PADDING)?;
        let map = parse_object(&bytes, "header", messages::HEADER_NOT_OBJECT)?;
        let detached = map.get("b64") == Some(&Value::Bool(false));
        Ok(Header {
            map: Arc::new(map),
            known: None,
            detached,
        })
    }

    /// The payload segment's bytes (PyJWT decodes them before checking the
    /// header's members).
    #[inline]
    pub(super) fn payload_bytes(&self, segments: &Segments<'_>) -> Result<Vec<u8>, JwtError> {
        if self.detached {
            if !segments.payload.is_empty() {
                return Err(JwtError::invalid(messages::B64_PAYLOAD_NOT_EMPTY));
            }
            return Ok(Vec::new());
        }
        b64(segments.payload, messages::INVALID_PAYLOAD_PADDING)
    }

    /// PyJWT's member checks, for a header this service did not write.
    #[inline]
    pub(super) fn check_members(&self) -> Result<(), JwtError> {
        match self.known {
            Some(_) => Ok(()),
            None => check_header_members(&self.map, self.detached),
        }
    }
}

/// PyJWT's header checks of a header this service did not write: `kid` is a
/// string, `crit` lists only `b64` (present in the header), and a detached
/// (`b64: false`) payload is refused with PyJWT's messages.
fn check_header_members(header: &Map<String, Value>, detached: bool) -> Result<(), JwtError> {
    if let Some(kid) = header.get("kid") {
        if !kid.is_string() {
            return Err(JwtError::invalid(messages::KID_NOT_STRING));
        }
    }
    if let Some(crit) = header.get("crit") {
        let list = match crit {
            Value::Array(list) if !list.is_empty() => list,
            _ => return Err(JwtError::invalid(messages::CRIT_NOT_LIST)),
        };
        for ext in list {
            let ext = ext
                .as_str()
                .ok_or_else(|| JwtError::invalid(messages::CRIT_NOT_STRINGS))?;
            if ext != "b64" {
                return Err(JwtError::invalid(format!(
                    "Unsupported critical extension: {}",
                    crate::error::echo(ext)
                )));
            }
            if !header.contains_key(ext) {
                return Err(JwtError::invalid(format!(
                    "Critical extension '{ext}' is missing from headers"
                )));
            }
        }
    }
    if detached {
        let listed =
            matches!(header.get("crit"), Some(Value::Array(l)) if l.iter().any(|e| e == "b64"));
        if !listed {
            return Err(JwtError::invalid(messages::B64_NEEDS_CRIT));
        }
        return Err(JwtError::invalid(messages::B64_DETACHED));
    }
    Ok(())
}
