//! Key choice: which issuer's rules and which key verify a token, chosen
//! from its unverified `iss` and header among configured issuers and keys
//! only (trusted issuers by `iss`, `decode_key_loader`, rotation keys by
//! `kid`, the remote JWKS, fetched when a `kid` is unknown).

use std::sync::Arc;

use serde_json::Value;

use crate::config::JwtConfig;
use crate::error::{messages, JwtError};
use crate::manager::JwtManager;
use crate::token;

/// The configuration a token is verified with: this service's own, or a
/// trusted issuer's.
#[derive(Clone, Copy)]
pub(crate) struct Verifier<'a> {
    pub(crate) config: &'a JwtConfig,
    pub(crate) identity_claim: &'a Arc<str>,
    /// This service's own configuration (not a trusted issuer's).
    pub(crate) own: bool,
}

/// The key a token's header chose, and where it came from.
pub(crate) enum ChosenKey {
    /// None chosen: the configured keys (by `kid`, else the primary).
    Configured,
    /// The app's `decode_key_loader` picked it.
    Loader(Arc<crate::keys::VerificationKey>),
    /// The remote key set (JWKS): another issuer's key.
    Remote(Arc<crate::keys::VerificationKey>),
}

impl ChosenKey {
    pub(crate) fn key(&self) -> Option<&crate::keys::VerificationKey> {
        match self {
            ChosenKey::Configured => None,
            ChosenKey::Loader(key) | ChosenKey::Remote(key) => Some(key),
        }
    }

    pub(crate) fn is_remote(&self) -> bool {
        matches!(self, ChosenKey::Remote(_))
    }
}

impl JwtManager {
    /// The trusted issuer named by the token's `iss`, else this service's
    /// own configuration. A token of an issuer that is not trusted, when this
    /// service has no key of its own, is refused here: no key is used and
    /// nothing is fetched for it.
    pub(crate) fn verifier_for(&self, token: &str) -> Result<Verifier<'_>, JwtError> {
        let inner = &*self.inner;
        let own = Verifier {
            config: &inner.config,
            identity_claim: &inner.identity_claim,
            own: true,
        };
        let config = &inner.config;
        if config.issuers.is_empty() {
            return Ok(own);
        }
        let Some(iss) = token::peek_issuer(token, config.max_token_length) else {
            // Unreadable: decoding with our own rules says why.
            return Ok(own);
        };
        if let Some(profile) = config
            .issuers
            .iter()
            .find(|p| iss.as_deref() == Some(p.name.as_str()))
        {
            return Ok(Verifier {
                config: &profile.config,
                identity_claim: &profile.identity_claim,
                own: false,
            });
        }
        let has_own_keys = !config.keys.verifying.is_empty()
            || config.jwks.is_some()
            || inner.callbacks.decode_key.is_some();
        if has_own_keys {
            Ok(own)
        } else {
            Err(JwtError::invalid(messages::INVALID_ISSUER))
        }
    }

    /// The key the `decode_key_loader` (or, without fetching, the remote
    /// JWKS cache) picks from the unverified header.
    pub(crate) fn chosen_key(&self, config: &JwtConfig, token: &str) -> ChosenKey {
        if self.inner.callbacks.decode_key.is_none() && config.jwks.is_none() {
            return ChosenKey::Configured;
        }
        let Some(header) = token::peek_header(token, config.max_token_length) else {
            return ChosenKey::Configured;
        };
        if let Some(loader) = &self.inner.callbacks.decode_key {
            if let Some(key) = loader(&header) {
                return ChosenKey::Loader(key);
            }
        }
        header_key_hint(config, &header)
            .and_then(|(kid, alg)| config.jwks.as_ref()?.cached(kid, alg))
            .map_or(ChosenKey::Configured, ChosenKey::Remote)
    }

    /// [`chosen_key`](Self::chosen_key), fetching the remote JWKS when needed.
    /// A token whose `iss` the configuration would refuse is refused before
    /// any fetch.
    pub(crate) async fn chosen_key_fetching(
        &self,
        config: &JwtConfig,
        token: &str,
    ) -> Result<ChosenKey, JwtError> {
        let Some(remote) = &config.jwks else {
            return Ok(self.chosen_key(config, token));
        };
        let Some(header) = token::peek_header(token, config.max_token_length) else {
            return Ok(ChosenKey::Configured);
        };
        if let Some(loader) = &self.inner.callbacks.decode_key {
            if let Some(key) = loader(&header) {
                return Ok(ChosenKey::Loader(key));
            }
        }
        let Some((kid, alg)) = header_key_hint(config, &header) else {
            return Ok(ChosenKey::Configured);
        };
        if config
            .keys
            .verifying
            .iter()
            .any(|k| k.algorithm() == alg && (kid.is_none() || k.kid() == kid))
        {
            return Ok(ChosenKey::Configured);
        }
        if let Some(issuers) = &config.decode_issuer {
            let iss = token::peek_issuer(token, config.max_token_length).flatten();
            if !iss.is_some_and(|iss| issuers.contains(&iss)) {
                return Err(JwtError::invalid(messages::INVALID_ISSUER));
            }
        }
        remote.key_for(kid, alg).await.map(ChosenKey::Remote)
    }
}

/// The `kid` and the allowed `alg` a header names.
fn header_key_hint<'h>(
    config: &JwtConfig,
    header: &'h serde_json::Map<String, Value>,
) -> Option<(Option<&'h str>, crate::Algorithm)> {
    let name = header.get("alg")?.as_str()?;
    let alg = config
        .decode_algorithms
        .iter()
        .copied()
        .find(|a| crate::keys::alg_name(*a) == name)?;
    Some((header.get("kid").and_then(Value::as_str), alg))
}
