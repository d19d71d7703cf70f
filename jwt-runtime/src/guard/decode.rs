//! Step 2: the verified token. From the verified-token cache when it may
//! serve this request, otherwise decoded in full with the rules and keys of
//! the token's issuer (fetching a remote key set when needed). The cache
//! rule: [`JwtManager::verified_cache`] (the manager's part) and no CSRF
//! double-submit value (the request's part, since decoding compares it).

use std::sync::Arc;

use http::request::Parts;

use super::find;
use super::find::Found;
use crate::cache::VerifiedCache;
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::location::Location;
use crate::manager::JwtManager;
use crate::requirements::Requirements;
use crate::token::{self, KeyChoice};

/// A refusal, with the token when it was decoded (an expired token, for
/// the expired-token callback).
pub(super) type Refusal = (JwtError, Option<Arc<DecodedToken>>);

/// The usual request: one header line carrying a token the cache holds,
/// found without building the general reading's future. Otherwise the
/// text that was asked about (or `None`), for [`found_token`].
#[inline]
pub(super) fn cached_bearer<'p>(
    manager: &JwtManager,
    parts: &'p Parts,
    locations: &[Location],
) -> Result<Arc<DecodedToken>, Option<&'p [u8]>> {
    let cache = manager.verified_cache();
    let asked = cache.and_then(|_| find::plain_bearer(manager, parts, locations));
    match asked.and_then(|text| cached(manager, cache, text)) {
        Some(token) => Ok(token),
        None => Err(asked),
    }
}

/// The verified token of the request and where it was found, by the
/// general reading (which reads a plain bearer header as
/// [`cached_bearer`] does); `asked` is the text the cache was already
/// asked about.
pub(super) async fn found_token(
    manager: &JwtManager,
    parts: &Parts,
    requirements: &Requirements,
    asked: Option<&[u8]>,
) -> Result<(Arc<DecodedToken>, Location), Refusal> {
    let cache = manager.verified_cache();
    let own = requirements.location_array();
    let locations = find::route_locations(manager, &own);
    let found = find::token(manager, parts, locations, requirements.refresh)
        .await
        .map_err(|e| (e, None))?;
    let cache = usable(cache, &found);
    // Not asked twice for the text the first look already asked about.
    if asked != Some(found.token.as_bytes()) {
        if let Some(token) = cached(manager, cache, found.token.as_bytes()) {
            return Ok((token, found.location));
        }
    }
    let decoded = decode(manager, &found).await.map_err(|e| (e, None))?;
    let token = Arc::new(decoded.token);
    if decoded.expired {
        return Err((JwtError::Expired, Some(token)));
    }
    if let Some(cache) = cache {
        cache.insert(&found.token, &token);
    }
    Ok((token, found.location))
}

/// The request's part of the cache rule: a token sent with a CSRF
/// double-submit value is decoded in full, since decoding compares them.
fn usable<'c>(cache: Option<&'c VerifiedCache>, found: &Found<'_>) -> Option<&'c VerifiedCache> {
    cache.filter(|_| found.csrf.is_none())
}

#[inline]
/// The cached token for `text`, while it is still current.
fn cached(
    manager: &JwtManager,
    cache: Option<&VerifiedCache>,
    text: &[u8],
) -> Option<Arc<DecodedToken>> {
    cache?
        .get(text)
        .filter(|t| token::still_current(manager.config(), t))
}

/// Decodes a request's token with the rules and keys of its issuer, and
/// records whether this service's own keys verified it.
async fn decode(manager: &JwtManager, found: &Found<'_>) -> Result<token::Decoded, JwtError> {
    let verifier = manager.verifier_for(&found.token)?;
    let chosen = match verifier.config.jwks {
        // Boxed: only a remote key set may wait (a fetch), and its future
        // would otherwise enlarge every guarded request's.
        Some(_) => Box::pin(manager.chosen_key_fetching(verifier.config, &found.token)).await?,
        None => manager.chosen_key(verifier.config, &found.token),
    };
    let mut decoded = token::decode_checked(
        verifier.config,
        &KeyChoice {
            configured: &verifier.config.keys.verifying,
            chosen: chosen.key(),
        },
        verifier.identity_claim,
        &found.token,
        found.csrf.as_deref(),
    )?;
    decoded.token.own = verifier.own && !chosen.is_remote();
    Ok(decoded)
}
