//! Key choice: which key verifies a token, chosen from its unverified header
//! among configured keys only (`decode_key_loader`, rotation keys by `kid`,
//! the remote JWKS, fetched when a `kid` is unknown).

use std::sync::Arc;

use serde_json::Value;

use crate::error::JwtError;
use crate::manager::JwtManager;
use crate::token;

impl JwtManager {
    /// The key the `decode_key_loader` (or, without fetching, the remote
    /// JWKS cache) picks from the unverified header.
    pub(super) fn chosen_key(&self, token: &str) -> Option<Arc<crate::keys::VerificationKey>> {
        let config = &self.inner.config;
        if self.inner.callbacks.decode_key.is_none() && config.jwks.is_none() {
            return None;
        }
        let header = token::peek_header(token, config.max_token_length)?;
        if let Some(loader) = &self.inner.callbacks.decode_key {
            if let Some(key) = loader(&header) {
                return Some(key);
            }
        }
        let (kid, alg) = self.header_key_hint(&header)?;
        config.jwks.as_ref()?.cached(kid, alg)
    }

    /// The `kid` and the allowed `alg` a header names.
    pub(super) fn header_key_hint<'h>(
        &self,
        header: &'h serde_json::Map<String, Value>,
    ) -> Option<(Option<&'h str>, crate::Algorithm)> {
        let name = header.get("alg")?.as_str()?;
        let alg = self
            .inner
            .config
            .decode_algorithms
            .iter()
            .copied()
            .find(|a| crate::keys::alg_name(*a) == name)?;
        Some((header.get("kid").and_then(Value::as_str), alg))
    }

    /// [`chosen_key`](Self::chosen_key), fetching the remote JWKS when needed.
    pub(super) async fn chosen_key_fetching(
        &self,
        token: &str,
    ) -> Result<Option<Arc<crate::keys::VerificationKey>>, JwtError> {
        let config = &self.inner.config;
        let Some(remote) = &config.jwks else {
            return Ok(self.chosen_key(token));
        };
        let Some(header) = token::peek_header(token, config.max_token_length) else {
            return Ok(None);
        };
        if let Some(loader) = &self.inner.callbacks.decode_key {
            if let Some(key) = loader(&header) {
                return Ok(Some(key));
            }
        }
        let Some((kid, alg)) = self.header_key_hint(&header) else {
            return Ok(None);
        };
        if config
            .keys
            .verifying
            .iter()
            .any(|k| k.algorithm() == alg && (kid.is_none() || k.kid() == kid))
        {
            return Ok(None);
        }
        remote.key_for(kid, alg).await.map(Some)
    }
}
