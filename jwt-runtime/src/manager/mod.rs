//! `JwtManager`: the configured keys, the blocklist and the verification
//! pipeline; its layer makes them available to every request.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::blocklist::{Blocklist, MemoryBlocklist};
use crate::cache::VerifiedCache;
pub(crate) mod callbacks;
mod rejection;
mod revocation;
mod sessions;
pub(crate) mod verifier;

use crate::claims::DecodedToken;
use crate::config::JwtConfig;
use crate::error::JwtError;
use crate::requirements::TokenKind;
use crate::token::{self, KeyChoice, MintKind, TokenOptions};
use callbacks::Callbacks;
pub use callbacks::{UserLookupOutcome, VerificationOutcome};
pub use rejection::JwtRejection;

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
    sessions: Option<Arc<dyn crate::session_store::SessionStore>>,
    session_options: crate::session_store::SessionOptions,
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
                sessions: None,
                session_options: crate::session_store::SessionOptions::default(),
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

    /// The verified-token cache, when it may serve this manager's tokens:
    /// on, and decoding depends only on the token and the static keys (no
    /// remote key set, no trusted issuer, no `decode_key_loader`). The one
    /// statement of that rule; the guard adds the request's part (no CSRF
    /// double-submit value, see `guard::decode`).
    #[inline]
    pub(crate) fn verified_cache(&self) -> Option<&VerifiedCache> {
        let inner = &*self.inner;
        let config = &inner.config;
        inner.cache.as_deref().filter(|_| {
            config.jwks.is_none()
                && config.issuers.is_empty()
                && inner.callbacks.decode_key.is_none()
        })
    }

    /// A token of the registered kind `K` (the check of
    /// [`create_token_of`](Self::create_token_of)), `options` already linked.
    pub(crate) fn encode_kind<K: TokenKind>(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<String, JwtError> {
        let name = checked_kind_name::<K>()?;
        if !self.inner.config.token_kinds.contains(&name) {
            return Err(JwtError::Encode(format!(
                "the token type {name:?} ({}) is not registered: add \
                 `.token_kind::<{}>()` to the JwtConfig builder, so that access and refresh \
                 routes refuse these tokens",
                std::any::type_name::<K>(),
                short_type_name::<K>()
            )));
        }
        self.encode(identity, MintKind::Custom(name), options)
    }

    /// Mints with the loaders' claims and headers; `options.family` is
    /// already decided (see `guard::mint`), and checked against how long a
    /// logout of the login is kept.
    pub(crate) fn encode(
        &self,
        identity: impl Serialize,
        kind: MintKind,
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
        self.link_to_login(kind, &mut options)?;
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
        token::encode(&inner.config, key, identity, kind, options)
    }

    /// A token of a login (its family decided by the caller; none with
    /// [`TokenOptions::unlinked`]) may not outlive what a revocation of the
    /// login is kept for.
    fn link_to_login(&self, kind: MintKind, options: &mut TokenOptions) -> Result<(), JwtError> {
        if options.unlinked {
            options.family = None;
            return Ok(());
        }
        let (Some(_), Some(longest)) = (&options.family, self.login_lifetime()) else {
            return Ok(());
        };
        let config = &self.inner.config;
        let lifetime = options.expires.unwrap_or(kind.default_expires(config));
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
        let verifier = self.verifier_for(token)?;
        let config = verifier.config;
        let chosen = self.chosen_key(config, token);
        let mut decoded = token::decode(
            config,
            &KeyChoice {
                configured: &config.keys.verifying,
                chosen: chosen.key(),
            },
            verifier.identity_claim,
            token,
            allow_expired,
            None,
        )?;
        decoded.own = verifier.own && !chosen.is_remote();
        Ok(decoded)
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

/// The tokens of one login, from [`JwtManager::create_token_pair`] or
/// [`JwtManager::rotate_refresh_token`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// `K::NAME`, refused when it is empty or names a built-in type.
fn checked_kind_name<K: TokenKind>() -> Result<&'static str, JwtError> {
    match K::NAME {
        "" | "access" | "refresh" => Err(JwtError::Encode(format!(
            "TokenKind::NAME {:?} of {}: an app-defined token type needs a name of its own \
             (access and refresh tokens have create_access_token and create_refresh_token)",
            K::NAME,
            std::any::type_name::<K>()
        ))),
        name => Ok(name),
    }
}

/// `K`'s name without its module path (`PasswordReset`).
fn short_type_name<K>() -> &'static str {
    let full = std::any::type_name::<K>();
    full.rsplit("::").next().unwrap_or(full)
}
