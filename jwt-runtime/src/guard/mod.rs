//! The per-request flow, in one place. Every front end (the attribute and
//! the [`VerifyJwt`](crate::VerifyJwt) extractors, router-wide protection,
//! the typed extractors) calls [`verify`], which runs the steps in
//! Flask-JWT-Extended's order and records what it decided:
//!
//! 1. [`find`]: the token in the route's locations (a cached bearer token
//!    first; the body read only when a location needs it);
//! 2. [`decode`]: from the verified-token cache, or in full with the keys
//!    of the token's issuer (the cache rule is written once, there);
//! 3. [`checks`]: the route's checks (type, freshness), the stores'
//!    (revocation, the session of a refresh token), the app's loaders
//!    (custom verification, user lookup), then the route's rule (claims,
//!    roles, scopes);
//! 4. the record ([`JwtContext`]): which token, from where, verified with
//!    whose keys, and the user; the renewal of an expiring access cookie,
//!    the accessors and the typed extractors read it and decide nothing
//!    again.

pub(crate) mod body;
mod checks;
pub(crate) mod context;
pub(crate) mod current;
mod decode;
mod find;
mod mint;
pub(crate) mod state;

pub(crate) use find::body_to_read;

use std::sync::Arc;

use http::request::Parts;
use http::Method;

use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::location::Location;
use crate::manager::{JwtManager, JwtRejection};
use crate::requirements::Requirements;
use context::JwtContext;

/// Verifies `parts` against the route's `requirements` and `rule`, and
/// records the outcome for what runs after (accessors, typed extractors,
/// the cookie renewal). The one entry of every guard.
pub(crate) async fn verify(
    manager: &JwtManager,
    parts: &mut Parts,
    requirements: Requirements,
    rule: impl FnOnce(&DecodedToken) -> Result<(), JwtError>,
) -> Result<JwtContext, JwtRejection> {
    let context = steps(manager, parts, requirements).await?;
    if let Some(token) = &context.token {
        if let Err(error) = rule(token) {
            return Err(JwtRejection::new(error, Some(Arc::clone(token)), manager));
        }
    }
    record(parts, &context);
    Ok(context)
}

impl JwtManager {
    /// Runs Flask's `verify_jwt_in_request` on a request: find the token in
    /// the route's locations, decode and verify it, check its type, freshness
    /// and revocation, run the verification loader and load the user.
    ///
    /// ```
    /// use axum::http::Request;
    /// use axum_jwt_extended::{req, JwtConfig, JwtManager, Requirements};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let token = jwt.create_access_token("alice")?;
    /// let (parts, _) = Request::get("/")
    ///     .header("Authorization", format!("Bearer {token}"))
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// let context = jwt.verify_request(&parts, Requirements::from_bits(req::NONE)).await.unwrap();
    /// assert_eq!(context.identity().as_deref(), Some("alice"));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// # }).unwrap();
    /// ```
    pub async fn verify_request(
        &self,
        parts: &Parts,
        requirements: Requirements,
    ) -> Result<JwtContext, JwtRejection> {
        steps(self, parts, requirements).await
    }
}

/// The steps, in order; the first refusal ends them.
async fn steps(
    manager: &JwtManager,
    parts: &Parts,
    requirements: Requirements,
) -> Result<JwtContext, JwtRejection> {
    // Flask exempts OPTIONS (CORS preflight) from verification; a handler
    // that requires a token still never runs without one.
    if parts.method == Method::OPTIONS {
        return match requirements.optional {
            true => Ok(JwtContext::default()),
            false => Err(JwtRejection::preflight(manager)),
        };
    }
    // The route's locations are not kept across the general reading's
    // await (it reads them again): a smaller future for every guard.
    let hit = {
        let own = requirements.location_array();
        decode::cached_bearer(manager, parts, find::route_locations(manager, &own))
    };
    let found = match hit {
        Ok(token) => Ok((token, Location::Headers)),
        Err(asked) => decode::found_token(manager, parts, &requirements, asked).await,
    };
    let (token, location) = match found {
        Ok(found) => found,
        Err((JwtError::NoAuthorization(_), _)) if requirements.optional => {
            return Ok(JwtContext::default())
        }
        Err((error, token)) => return Err(reject(manager, error, token)),
    };
    if let Err(error) = checks::route(manager, &token, &requirements) {
        return Err(reject(manager, error, Some(token)));
    }
    match checks::stores_and_loaders(manager, &token, &requirements).await {
        Ok(user) => Ok(finish(token, location, user, &requirements)),
        Err(error) => Err(reject(manager, error, Some(token))),
    }
}

#[inline]
/// What was decided, for what runs after: a verified access cookie for the
/// renewal (which renews only this service's own access tokens), and the
/// context.
fn finish(
    token: Arc<DecodedToken>,
    location: Location,
    user: Option<context::AnyUser>,
    requirements: &Requirements,
) -> JwtContext {
    if location == Location::Cookies && token.own && token.is_access() {
        state::offer_renewal(&token);
    }
    #[cfg(feature = "tracing")]
    tracing::trace!(target: "axum_jwt_extended", location = location.as_str(), "token verified");
    let made = context::Made {
        first: requirements.first,
        revocation_checked: !requirements.skip_revocation_check,
        configured_locations: requirements.configured_locations(),
    };
    JwtContext::new(token, location, user, made)
}

/// Whether a typed extractor (which requires what `#[jwt_required]` does)
/// takes `context`, recorded by an earlier guard, as its own verification:
/// always after the attribute or router-wide protection (they run before
/// every argument), otherwise only when that guard's verification also
/// meets the typed extractor's requirements (a token of the configured
/// locations, checked for revocation, of a type an access route takes).
/// Else the typed extractor verifies on its own, so its answer is the same
/// whether it comes before or after a guard argument.
pub(crate) fn adopts(manager: &JwtManager, context: &JwtContext) -> bool {
    let Some(token) = &context.token else {
        return false;
    };
    let made = context.made;
    made.first
        || (made.revocation_checked
            && made.configured_locations
            && checks::route(manager, token, &Requirements::default()).is_ok())
}

#[inline(always)]
/// The outcome, where the free accessors (`get_jwt_identity()`, ...) and
/// the typed extractors that run after this guard find it: the request's
/// state, or without a layer in front (a guard with the router's manager)
/// the request's extensions.
fn record(parts: &mut Parts, context: &JwtContext) {
    if let Err(context) = state::record(context.clone()) {
        parts.extensions.insert(context);
    }
}

/// What an earlier guard of this request verified, when a typed extractor
/// takes it as its own (see [`adopts`]).
pub(crate) fn adopted(parts: &Parts) -> Option<JwtContext> {
    let manager = parts.extensions.get::<JwtManager>()?;
    let take = |c: &JwtContext| adopts(manager, c).then(|| c.clone());
    match state::with_verified(take) {
        Some(found) => found,
        None => parts.extensions.get::<JwtContext>().and_then(take),
    }
}

fn reject(manager: &JwtManager, error: JwtError, token: Option<Arc<DecodedToken>>) -> JwtRejection {
    // The kind of failure only, at debug level (a flood of forged tokens
    // must not flood logs at the default level); never the token.
    #[cfg(feature = "tracing")]
    tracing::debug!(
        target: "axum_jwt_extended",
        kind = error.kind(),
        status = error.status().as_u16(),
        "request refused"
    );
    JwtRejection::new(error, token, manager)
}
