//! `JwtManager`: the configured keys, the blocklist and the verification
//! pipeline; its layer makes them available to every request.

use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use http::Method;
use serde::Serialize;
use serde_json::Value;

use crate::blocklist::{Blocklist, MemoryBlocklist, Revocation, RevocationQuery};
use crate::cache::VerifiedCache;
pub(crate) mod callbacks;
pub(crate) mod current;

use crate::claims::DecodedToken;
use crate::config::JwtConfig;
use crate::context::RefreshSlot;
use crate::context::{self, JwtContext};
use crate::error::JwtError;
use crate::location::Location;
use crate::locations;
use crate::requirements::Requirements;
use crate::token::{self, KeyChoice, TokenOptions};
use callbacks::Callbacks;
pub use callbacks::JwtRejection;
pub(crate) use current::current;
pub use current::{current_manager, spawn_with_jwt};

/// Holds the configuration, prepared keys and blocklist: Flask's `JWTManager`.
///
/// Cheap to clone (one `Arc`). Attach it to a router with
/// [`layer`](Self::layer); outside requests (CLIs, tests) use its methods
/// directly.
///
/// ```
/// use axum_jwt_extended::{JwtConfig, JwtManager};
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let token = jwt.create_access_token("alice")?;
/// let decoded = jwt.decode_token(&token, false)?;
/// assert_eq!(decoded.identity_str(), Some("alice"));
/// assert_eq!(decoded.token_type(), Some("access"));
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct JwtManager {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    config: JwtConfig,
    cache: Option<Arc<VerifiedCache>>,
    identity_claim: Arc<str>,
    blocklist: Arc<dyn Blocklist>,
    callbacks: Callbacks,
}

impl fmt::Debug for JwtManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtManager")
            .field("config", &self.inner.config)
            .field("blocklist", &self.inner.blocklist)
            .finish_non_exhaustive()
    }
}

impl JwtManager {
    /// Prepares the keys of `config` (once, not per request) with an in-memory
    /// blocklist.
    pub fn new(config: JwtConfig) -> Result<Self, JwtError> {
        let blocklist = Arc::new(MemoryBlocklist::with_shared_clock(Arc::clone(
            &config.clock,
        )));
        Ok(JwtManager {
            inner: Arc::new(Inner {
                identity_claim: Arc::from(config.identity_claim.as_str()),
                cache: VerifiedCache::new(config.verified_token_cache).map(Arc::new),
                config,
                blocklist,
                callbacks: Callbacks::default(),
            }),
        })
    }

    /// Replaces the blocklist (Flask's `token_in_blocklist_loader`).
    pub fn with_blocklist(self, blocklist: impl Blocklist) -> Self {
        let mut inner = (*self.inner).clone();
        inner.blocklist = Arc::new(blocklist);
        JwtManager {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn with_callbacks(self, f: impl FnOnce(&mut Callbacks)) -> Self {
        let mut inner = (*self.inner).clone();
        f(&mut inner.callbacks);
        JwtManager {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn callbacks(&self) -> &Callbacks {
        &self.inner.callbacks
    }

    /// The configuration.
    pub fn config(&self) -> &JwtConfig {
        &self.inner.config
    }

    /// The blocklist.
    pub fn blocklist(&self) -> &Arc<dyn Blocklist> {
        &self.inner.blocklist
    }

    /// Creates an access token for `identity` with the configured defaults.
    pub fn create_access_token(&self, identity: impl Serialize) -> Result<String, JwtError> {
        self.create_access_token_with(identity, TokenOptions::default())
    }

    /// Creates an access token with Flask's per-call options.
    pub fn create_access_token_with(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<String, JwtError> {
        self.encode(identity, false, options)
    }

    /// Creates a refresh token for `identity` (never fresh).
    pub fn create_refresh_token(&self, identity: impl Serialize) -> Result<String, JwtError> {
        self.create_refresh_token_with(identity, TokenOptions::default())
    }

    /// Creates a refresh token with Flask's per-call options (`fresh` is ignored).
    pub fn create_refresh_token_with(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<String, JwtError> {
        self.encode(identity, true, options)
    }

    fn encode(
        &self,
        identity: impl Serialize,
        refresh: bool,
        mut options: TokenOptions,
    ) -> Result<String, JwtError> {
        let original: Value = serde_json::to_value(identity)
            .map_err(|e| JwtError::Encode(format!("identity cannot be serialized: {e}")))?;
        let inner = &*self.inner;
        let cb = &inner.callbacks;
        if let Some(loader) = &cb.additional_claims {
            options.additional_claims = Some(merge(
                "additional_claims_loader",
                loader(&original),
                options.additional_claims,
            )?);
        }
        if let Some(loader) = &cb.additional_headers {
            options.additional_headers = Some(merge(
                "additional_headers_loader",
                loader(&original),
                options.additional_headers,
            )?);
        }
        self.link_to_login(refresh, &mut options)?;
        let loaded = cb.encode_key.as_ref().and_then(|loader| loader(&original));
        let identity = match &cb.user_identity {
            Some(loader) => loader(&original),
            None => original,
        };
        let key = match &loaded {
            Some(key) => key,
            None => inner.config.keys.signing.as_ref().ok_or_else(|| {
                JwtError::Encode(format!(
                    "JWT_PRIVATE_KEY must be set to create tokens with {:?}; this manager can only verify",
                    inner.config.algorithm
                ))
            })?,
        };
        token::encode(&inner.config, key, identity, refresh, options)
    }

    /// A token created while a token of a linked login is in scope joins that
    /// login (unless [`TokenOptions::unlinked`]); a token of a login may not
    /// outlive what a revocation of the login is kept for.
    fn link_to_login(&self, refresh: bool, options: &mut TokenOptions) -> Result<(), JwtError> {
        if options.unlinked {
            options.family = None;
            return Ok(());
        }
        if options.family.is_none() {
            options.family = crate::context::current_token()
                .and_then(|current| current.family().map(str::to_owned));
        }
        let (Some(_), Some(longest)) = (&options.family, self.login_lifetime()) else {
            return Ok(());
        };
        let config = &self.inner.config;
        let lifetime = options.expires.unwrap_or(if refresh {
            config.refresh_token_expires
        } else {
            config.access_token_expires
        });
        let within = match lifetime {
            crate::Expires::After(d) => d.as_seconds_f64() <= longest,
            crate::Expires::Never => false,
        };
        if within {
            Ok(())
        } else {
            Err(JwtError::Encode(format!(
                "a token of a linked login cannot live longer than the longest configured \
                 lifetime ({longest} s), which is how long a logout of the login is kept; \
                 give it a shorter `expires`, or use `TokenOptions::unlinked()`"
            )))
        }
    }

    /// Decodes and verifies `token` (signature and claims; Flask's
    /// `decode_token`). With `allow_expired`, an expired token is returned
    /// instead of [`JwtError::Expired`].
    pub fn decode_token(&self, token: &str, allow_expired: bool) -> Result<DecodedToken, JwtError> {
        let inner = &*self.inner;
        let chosen = self.chosen_key(token);
        token::decode(
            &inner.config,
            &KeyChoice {
                configured: &inner.config.keys.verifying,
                chosen: chosen.as_deref(),
            },
            &inner.identity_claim,
            token,
            allow_expired,
            None,
        )
    }

    /// Flask's `get_jti`: the `jti` of a token, which is verified first.
    pub fn get_jti(&self, token: &str) -> Result<Option<String>, JwtError> {
        Ok(self.decode_token(token, false)?.jti().map(str::to_owned))
    }

    /// Flask's `get_unverified_jwt_headers`: the JOSE header of a token
    /// **without verifying it** (to pick a key, never to trust its contents).
    pub fn get_unverified_jwt_headers(
        &self,
        token: &str,
    ) -> Result<serde_json::Map<String, Value>, JwtError> {
        token::unverified_header(token, self.inner.config.max_token_length)
    }

    /// The key the `decode_key_loader` (or, without fetching, the remote
    /// JWKS cache) picks from the unverified header.
    fn chosen_key(&self, token: &str) -> Option<Arc<crate::keys::VerificationKey>> {
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
    fn header_key_hint<'h>(
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
    async fn chosen_key_fetching(
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

    /// The blocklist key of a token: its `jti`, prefixed with its issuer. A
    /// token without a `jti` (minted by another holder of the key) is keyed
    /// by the SHA-256 of its payload, so it can be revoked all the same.
    fn revocation_key(token: &DecodedToken) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match (token.issuer(), token.jti()) {
            (None, Some(jti)) => Cow::Borrowed(jti),
            (Some(iss), Some(jti)) => Cow::Owned(format!("{iss}\u{1f}{jti}")),
            (iss, None) => Cow::Owned(format!(
                "{}\u{1f}sha256:{}",
                iss.unwrap_or_default(),
                crate::keys::sha256_hex(token.payload.as_bytes())
            )),
        }
    }

    /// The login a token belongs to: its `fam` claim, or for a token without
    /// one, the login it starts (the family its rotations carry).
    fn family_key(token: &DecodedToken) -> std::borrow::Cow<'_, str> {
        match token.family() {
            Some(family) => std::borrow::Cow::Borrowed(family),
            None => Self::revocation_key(token),
        }
    }

    fn store_error(_: crate::blocklist::BlocklistError) -> JwtError {
        JwtError::RevocationUnavailable
    }

    /// Runs a store operation within the blocklist timeout: a failing or
    /// hanging store fails closed.
    async fn store<T>(
        &self,
        op: impl std::future::Future<Output = Result<T, crate::blocklist::BlocklistError>>,
    ) -> Result<T, JwtError> {
        let mut op = std::pin::pin!(op);
        // Fast path: an in-memory store answers at once, without arming a timer.
        let first = {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            op.as_mut().poll(&mut cx)
        };
        if let std::task::Poll::Ready(result) = first {
            return result.map_err(Self::store_error);
        }
        match tokio::time::timeout(self.inner.config.blocklist_timeout, op).await {
            Ok(result) => result.map_err(Self::store_error),
            Err(_) => Err(JwtError::RevocationUnavailable),
        }
    }

    /// When an entry about `token` may be forgotten: its expiry plus the
    /// leeway (`None`, never, for a token without `exp`).
    fn until_expiry(&self, token: &DecodedToken) -> Option<f64> {
        token
            .expires_at()
            .map(|exp| exp + self.inner.config.decode_leeway)
    }

    /// The longest a token of a linked login may live: the longest configured
    /// lifetime (`None` when tokens may never expire). Tokens are minted into
    /// a login only within it, so a login's revocation kept this long from
    /// now covers every token of that login.
    pub(crate) fn login_lifetime(&self) -> Option<f64> {
        let config = &self.inner.config;
        match (config.access_token_expires, config.refresh_token_expires) {
            (crate::Expires::After(a), crate::Expires::After(r)) => {
                Some(a.max(r).as_seconds_f64().max(0.0))
            }
            _ => None,
        }
    }

    /// When the revocation of a whole login may be forgotten.
    fn until_login_ends(&self) -> Option<f64> {
        let config = &self.inner.config;
        self.login_lifetime()
            .map(|longest| config.clock.now() + longest + config.decode_leeway)
    }

    /// Revokes `token` until it expires (plus the decode leeway); a token
    /// without `exp` stays revoked for good. A token without a `jti` is
    /// revoked by the digest of its payload.
    pub async fn revoke_token(&self, token: &DecodedToken) -> Result<(), JwtError> {
        let key = Self::revocation_key(token);
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Token(&key), self.until_expiry(token)),
        )
        .await
    }

    /// Revokes every token of `token`'s login: the access and refresh tokens
    /// made together by [`create_token_pair`](Self::create_token_pair), their
    /// rotations, and every token created while one of them was being
    /// verified. A token of no linked login revokes itself and its rotations.
    ///
    /// The store keeps the entry for the longest configured token lifetime
    /// (tokens of a login cannot live longer; see
    /// [`TokenOptions::unlinked`]), for good when tokens may never expire.
    pub async fn revoke_token_family(&self, token: &DecodedToken) -> Result<(), JwtError> {
        if token.family().is_none() {
            self.revoke_token(token).await?;
        }
        let family = Self::family_key(token);
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Family(&family), self.until_login_ends()),
        )
        .await
    }

    /// "Log out everywhere": revokes every token of `identity` issued until
    /// now, whatever its lifetime (even one that never expires). The store
    /// keeps one entry per identity for good, moved forward by each later
    /// call. A token without `iat` counts as issued before it.
    pub async fn revoke_all_tokens_of(&self, identity: &str) -> Result<(), JwtError> {
        let at = self.inner.config.clock.now();
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::IdentityBefore { identity, at }, None),
        )
        .await
    }

    /// Whether `token` is revoked (by id, family, or identity); a failing
    /// store is [`JwtError::RevocationUnavailable`].
    pub async fn is_token_revoked(&self, token: &DecodedToken) -> Result<bool, JwtError> {
        if !self.inner.blocklist.may_contain_revocations() {
            return Ok(false);
        }
        let key = Self::revocation_key(token);
        let family = Self::family_key(token);
        let query = RevocationQuery {
            jti: Some(&key),
            family: Some(&family),
            identity: token.identity_str(),
            issued_at: token.issued_at(),
        };
        self.store(self.inner.blocklist.is_revoked(query)).await
    }

    /// The guard's revocation check: [`is_token_revoked`](Self::is_token_revoked),
    /// and when a spent (rotated) refresh token comes back, on any route,
    /// reuse detection: its whole login is revoked.
    async fn check_revocation(&self, token: &DecodedToken) -> Result<bool, JwtError> {
        let revoked = self.is_token_revoked(token).await?;
        if revoked && token.is_refresh() {
            let key = Self::revocation_key(token);
            if self.store(self.inner.blocklist.is_consumed(&key)).await? {
                let family = Self::family_key(token);
                self.store(
                    self.inner
                        .blocklist
                        .revoke(Revocation::Family(&family), self.until_login_ends()),
                )
                .await?;
            }
        }
        Ok(revoked)
    }

    /// An access and a refresh token for one login, linked by a `fam` claim so
    /// that [`revoke_token_family`](Self::revoke_token_family) logs both out
    /// and refresh rotation can detect reuse. `options` apply to the access
    /// token (fresh, expiry, claims, headers); the refresh token gets the same
    /// additional claims and headers.
    pub fn create_token_pair(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<TokenPair, JwtError> {
        let identity = serde_json::to_value(identity)
            .map_err(|e| JwtError::Encode(format!("identity cannot be serialized: {e}")))?;
        self.pair_in_family(&identity, options, uuid::Uuid::new_v4().to_string())
    }

    fn pair_in_family(
        &self,
        identity: &Value,
        mut options: TokenOptions,
        family: String,
    ) -> Result<TokenPair, JwtError> {
        options.family = Some(family.clone());
        options.unlinked = false;
        let refresh_options = TokenOptions {
            family: Some(family),
            fresh: crate::Fresh::No,
            expires: None,
            additional_claims: options.additional_claims.clone(),
            additional_headers: options.additional_headers.clone(),
            unlinked: false,
        };
        Ok(TokenPair {
            access_token: self.encode(identity, false, options)?,
            refresh_token: self.encode(identity, true, refresh_options)?,
        })
    }

    /// Refresh-token rotation with reuse detection (RFC 9700 section 4.14.2):
    /// spends `refresh_token` (atomically, once across all instances sharing
    /// the store) and returns a new pair in the same family. Presenting an
    /// already spent refresh token revokes its whole family and answers
    /// [`JwtError::Revoked`].
    pub async fn rotate_refresh_token(
        &self,
        refresh_token: &DecodedToken,
    ) -> Result<TokenPair, JwtError> {
        if !refresh_token.is_refresh() {
            return Err(JwtError::WrongTokenType(
                crate::error::messages::ONLY_REFRESH.into(),
            ));
        }
        let key = Self::revocation_key(refresh_token);
        let family = Self::family_key(refresh_token).into_owned();
        // Spent from now on, on every route and instance: revoked first (a
        // store failure then leaves it unusable, never usable twice), then
        // marked used, so that its reuse is told from a logout.
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Token(&key), self.until_expiry(refresh_token)),
        )
        .await?;
        let first_use = self
            .store(
                self.inner
                    .blocklist
                    .consume_once(&key, self.until_expiry(refresh_token)),
            )
            .await?;
        if !first_use {
            self.store(
                self.inner
                    .blocklist
                    .revoke(Revocation::Family(&family), self.until_login_ends()),
            )
            .await?;
            return Err(JwtError::Revoked);
        }
        let mut claims = serde_json::Map::new();
        for (k, v) in refresh_token.claims() {
            let library = matches!(
                k.as_str(),
                "fresh" | "iat" | "jti" | "type" | "nbf" | "csrf" | "exp" | "aud" | "iss" | "fam"
            ) || k == &*self.inner.identity_claim;
            if !library {
                claims.insert(k.clone(), v.clone());
            }
        }
        let options = if claims.is_empty() {
            TokenOptions::default()
        } else {
            TokenOptions::new().additional_claims(Value::Object(claims))
        };
        self.pair_in_family(refresh_token.identity(), options, family)
    }

    /// Runs Flask's `verify_jwt_in_request` on a request: find the token in
    /// the route's locations, decode and verify it, check its type, freshness
    /// and revocation, run the verification loader and load the user.
    pub async fn verify_request(
        &self,
        parts: &Parts,
        requirements: Requirements,
    ) -> Result<JwtContext, JwtRejection> {
        // Flask exempts OPTIONS (CORS preflight) from verification; a handler
        // that requires a token still never runs without one.
        if parts.method == Method::OPTIONS {
            if requirements.optional {
                return Ok(JwtContext::default());
            }
            return Err(JwtRejection::preflight(self));
        }
        let inner = &*self.inner;
        let config = &inner.config;
        let (route_locations, n) = requirements.location_array();
        let locations = if n == 0 {
            config.token_location.as_slice()
        } else {
            &route_locations[..n]
        };
        let found = match self
            .find_token(parts, locations, requirements.refresh)
            .await
        {
            Ok(found) => found,
            Err(JwtError::NoAuthorization(_)) if requirements.optional => {
                return Ok(JwtContext::default())
            }
            Err(e) => return Err(self.reject(e, None)),
        };
        // Decoding depends only on the token and the static keys here, so a
        // token verified before may come from the cache (see cache.rs).
        let cache = inner.cache.as_deref().filter(|_| {
            found.csrf.is_none() && config.jwks.is_none() && inner.callbacks.decode_key.is_none()
        });
        let cached = cache
            .and_then(|c| c.get(&found.token))
            .filter(|t| token::still_current(config, t));
        let token = match cached {
            Some(token) => token,
            None => {
                let chosen = self
                    .chosen_key_fetching(&found.token)
                    .await
                    .map_err(|e| self.reject(e, None))?;
                let (token, expired) = token::decode_checked(
                    config,
                    &KeyChoice {
                        configured: &config.keys.verifying,
                        chosen: chosen.as_deref(),
                    },
                    &inner.identity_claim,
                    &found.token,
                    found.csrf.as_deref(),
                )
                .map_err(|e| self.reject(e, None))?;
                let token = Arc::new(token);
                if expired {
                    return Err(self.reject(JwtError::Expired, Some(token)));
                }
                if let Some(cache) = cache {
                    cache.insert(&found.token, &token);
                }
                token
            }
        };
        if requirements.verify_type {
            if let Err(e) = token::check_type(&token, requirements.refresh) {
                return Err(self.reject(e, Some(token)));
            }
        }
        if requirements.fresh {
            if let Err(e) = token::check_fresh(&token, config.clock.now()) {
                return Err(self.reject(e, Some(token)));
            }
        }
        let cb = &inner.callbacks;
        if !requirements.skip_revocation_check {
            let revoked = match &cb.token_in_blocklist {
                Some(check) => self.store(check(Arc::clone(&token))).await,
                None => self.check_revocation(&token).await,
            };
            match revoked {
                Ok(false) => {}
                Ok(true) => return Err(self.reject(JwtError::Revoked, Some(token))),
                Err(e) => return Err(self.reject(e, Some(token))),
            }
        }
        if let Some(check) = &cb.token_verification {
            if !check(Arc::clone(&token)).await {
                return Err(self.reject(JwtError::UserClaimsVerificationFailed, Some(token)));
            }
        }
        let user = match &cb.user_lookup {
            Some(lookup) => match lookup(Arc::clone(&token)).await {
                Some(user) => Some(user),
                None => {
                    let identity = match token.identity() {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    return Err(self.reject(JwtError::UserLookup(identity), Some(token)));
                }
            },
            None => None,
        };
        if found.location == Location::Cookies && !token.is_refresh() {
            if let Some(slot) = parts.extensions.get::<RefreshSlot>() {
                if let Ok(mut guard) = slot.0.lock() {
                    *guard = Some(Arc::clone(&token));
                }
            }
        }
        #[cfg(feature = "tracing")]
        tracing::trace!(target: "axum_jwt_extended", location = found.location.as_str(), "token verified");
        Ok(JwtContext::new(token, found.location, user))
    }

    /// Finds the token in the route's locations, reading the body only when
    /// a location reached in order needs it (see `body.rs`).
    async fn find_token<'p>(
        &self,
        parts: &'p Parts,
        locations: &[crate::Location],
        refresh: bool,
    ) -> Result<locations::Found<'p>, JwtError> {
        let config = &self.inner.config;
        if let Some(found) = locations::find_token(config, parts, locations, refresh)? {
            return Ok(found);
        }
        let pending = parts
            .extensions
            .get::<crate::body::PendingBody>()
            .ok_or(JwtError::BodyUnreadable)?;
        pending.read(config).await?;
        locations::find_token(config, parts, locations, refresh)?.ok_or(JwtError::BodyUnreadable)
    }

    fn reject(&self, error: JwtError, token: Option<Arc<DecodedToken>>) -> JwtRejection {
        // The kind of failure only, at debug level (a flood of forged tokens
        // must not flood logs at the default level); never the token.
        #[cfg(feature = "tracing")]
        tracing::debug!(
            target: "axum_jwt_extended",
            kind = error.kind(),
            status = error.status().as_u16(),
            "request refused"
        );
        JwtRejection::new(error, token, self)
    }
}

/// A loader's object with the per-call object merged over it (Flask's
/// `claims.update(per_call)`).
fn merge(loader: &str, base: Value, per_call: Option<Value>) -> Result<Value, JwtError> {
    let mut base = match base {
        Value::Object(map) => map,
        Value::Null => serde_json::Map::new(),
        _ => {
            return Err(JwtError::Encode(format!(
                "{loader} must return a JSON object"
            )))
        }
    };
    match per_call {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => base.extend(extra),
        Some(other) => return Ok(other),
    }
    Ok(Value::Object(base))
}

/// Creates an access token with the manager of the current request (Flask's
/// `create_access_token`); [`JwtError::NoManager`] outside a request under
/// [`JwtManager::layer`].
pub fn create_access_token(identity: impl Serialize) -> Result<String, JwtError> {
    current()?.create_access_token(identity)
}

/// [`create_access_token`] with Flask's per-call options.
pub fn create_access_token_with(
    identity: impl Serialize,
    options: TokenOptions,
) -> Result<String, JwtError> {
    current()?.create_access_token_with(identity, options)
}

/// Creates a refresh token with the manager of the current request (Flask's
/// `create_refresh_token`).
pub fn create_refresh_token(identity: impl Serialize) -> Result<String, JwtError> {
    current()?.create_refresh_token(identity)
}

/// [`create_refresh_token`] with Flask's per-call options.
pub fn create_refresh_token_with(
    identity: impl Serialize,
    options: TokenOptions,
) -> Result<String, JwtError> {
    current()?.create_refresh_token_with(identity, options)
}

/// Decodes a token with the manager of the current request (Flask's `decode_token`).
pub fn decode_token(token: &str, allow_expired: bool) -> Result<DecodedToken, JwtError> {
    current()?.decode_token(token, allow_expired)
}

/// The tokens of one login, from [`JwtManager::create_token_pair`] or
/// [`JwtManager::rotate_refresh_token`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// [`JwtManager::create_token_pair`] with the manager of the current request.
pub fn create_token_pair(identity: impl Serialize) -> Result<TokenPair, JwtError> {
    current()?.create_token_pair(identity, TokenOptions::default())
}

/// [`JwtManager::create_token_pair`] with options, with the current manager.
pub fn create_token_pair_with(
    identity: impl Serialize,
    options: TokenOptions,
) -> Result<TokenPair, JwtError> {
    current()?.create_token_pair(identity, options)
}

/// Rotates the refresh token of the current `#[jwt_required(refresh)]`
/// handler ([`JwtManager::rotate_refresh_token`]).
pub async fn rotate_current_refresh_token() -> Result<TokenPair, JwtError> {
    let manager = current()?;
    let token = context::current_token()
        .ok_or_else(|| JwtError::NoAuthorization("No token to rotate".into()))?;
    manager.rotate_refresh_token(&token).await
}

/// Revokes every token of the current token's login family (logout of both
/// the access and the refresh token).
pub async fn revoke_current_token_family() -> Result<(), JwtError> {
    let manager = current()?;
    let token = context::current_token()
        .ok_or_else(|| JwtError::NoAuthorization("No token to revoke".into()))?;
    manager.revoke_token_family(&token).await
}

/// Revokes the token of the current protected handler (for a logout route).
pub async fn revoke_current_token() -> Result<(), JwtError> {
    let manager = current()?;
    let token = context::current_token()
        .ok_or_else(|| JwtError::NoAuthorization("No token to revoke".into()))?;
    manager.revoke_token(&token).await
}
