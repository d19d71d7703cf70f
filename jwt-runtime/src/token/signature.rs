//! The signature check: an allowed algorithm, a key chosen by `kid`, a match.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

use super::header::{Header, Segments};
use super::key_pick::KeyChoice;
use crate::config::JwtConfig;
use crate::error::{messages, JwtError};
use crate::keys::alg_name;

/// Bytes of stack for a decoded signature.
const ON_STACK: usize = 258;

/// The decoded signature segment. It is only compared, so it stays on the
/// stack when it fits (every HMAC, ECDSA and EdDSA signature, RSA up to 2048
/// bits); `heap` holds longer ones.
pub(super) struct Signature {
    stack: [u8; ON_STACK],
    len: usize,
    heap: Vec<u8>,
}

impl Signature {
    /// An empty signature, to be filled in place by [`Signature::decode`]
    /// (it is large: moving it through a result showed up as memcpy).
    pub(super) fn new() -> Self {
        Signature {
            stack: [0u8; ON_STACK],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Canonical, unpadded base64url, or PyJWT's "Invalid crypto padding".
    #[inline]
    pub(super) fn decode(&mut self, segment: &str) -> Result<(), JwtError> {
        fn invalid<E>(_: E) -> JwtError {
            JwtError::invalid(messages::INVALID_CRYPTO_PADDING)
        }
        if segment.len() <= ON_STACK / 3 * 4 {
            self.len = URL_SAFE_NO_PAD
                .decode_slice(segment, &mut self.stack)
                .map_err(invalid)?;
        } else {
            self.heap = URL_SAFE_NO_PAD.decode(segment).map_err(invalid)?;
            self.len = self.heap.len();
        }
        Ok(())
    }

    fn as_bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The signature: the algorithm must be one of ours (never `none`, never
/// another key family), the key is chosen among configured keys by `kid`,
/// and the MAC or signature must match.
pub(super) fn verify_signature(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    header: &Header<'_>,
    segments: &Segments<'_>,
    signature: &Signature,
) -> Result<(), JwtError> {
    let (alg, kid) = match header.known {
        // `build()` refuses keys outside the decode algorithms; checked again
        // here so that this path never relies on it alone.
        Some(known) => (
            Some(known.alg).filter(|a| config.decode_algorithms.contains(a)),
            known.kid.as_deref(),
        ),
        None => {
            let alg = header
                .map
                .get("alg")
                .ok_or_else(|| JwtError::invalid(messages::ALGORITHM_NOT_SPECIFIED))?;
            let alg = alg.as_str().and_then(|name| {
                config
                    .decode_algorithms
                    .iter()
                    .copied()
                    .find(|a| alg_name(*a) == name)
            });
            (alg, header.map.get("kid").and_then(Value::as_str))
        }
    };
    let alg = alg.ok_or_else(|| JwtError::invalid(messages::ALG_NOT_ALLOWED))?;
    let key = keys
        .select(alg, kid)
        .ok_or_else(|| JwtError::invalid(messages::ALG_NOT_ALLOWED))?;
    if !key.inner.verify(
        segments.signing_input.as_bytes(),
        signature.as_bytes(),
        segments.crypto,
    ) {
        return Err(JwtError::invalid(messages::SIGNATURE_FAILED));
    }
    Ok(())
}
