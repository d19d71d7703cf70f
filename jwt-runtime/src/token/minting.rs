//! What a new token carries beyond its identity: [`Fresh`] and [`TokenOptions`].

use serde_json::Value;
use time::Duration;

use crate::config::Expires;

/// The `fresh` claim of a new access token (Flask's `fresh` argument).
///
/// ```
/// use axum_jwt_extended::Fresh;
/// use time::Duration;
/// assert_eq!(Fresh::from(true), Fresh::Yes);
/// assert_eq!(Fresh::from(Duration::minutes(5)), Fresh::For(Duration::minutes(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Fresh {
    /// `"fresh": false` (the default).
    #[default]
    No,
    /// `"fresh": true`.
    Yes,
    /// Fresh for this long from now: stored as a float Unix timestamp, like Flask.
    For(Duration),
    /// Fresh until this Unix timestamp (seconds).
    Until(f64),
}

impl From<bool> for Fresh {
    fn from(b: bool) -> Self {
        if b {
            Fresh::Yes
        } else {
            Fresh::No
        }
    }
}

impl From<Duration> for Fresh {
    fn from(d: Duration) -> Self {
        Fresh::For(d)
    }
}

impl From<std::time::Duration> for Fresh {
    fn from(d: std::time::Duration) -> Self {
        Fresh::For(crate::clock::IntoDuration::into_time(d))
    }
}

/// Per-token options of `create_access_token_with` / `create_refresh_token_with`:
/// Flask's `fresh`, `expires_delta`, `additional_claims` and `additional_headers`.
///
/// ```
/// use axum_jwt_extended::{TokenOptions, Expires};
/// use serde_json::json;
/// use time::Duration;
/// let opts = TokenOptions::new()
///     .fresh(true)
///     .expires(Duration::minutes(5))
///     .additional_claims(json!({"role": "admin"}))
///     .additional_headers(json!({"kid": "2026-11"}));
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TokenOptions {
    pub(crate) family: Option<String>,
    pub(crate) fresh: Fresh,
    pub(crate) expires: Option<Expires>,
    pub(crate) additional_claims: Option<Value>,
    pub(crate) additional_headers: Option<Value>,
    pub(crate) unlinked: bool,
}

impl TokenOptions {
    /// No options: not fresh, the configured lifetime, no extra claims or headers.
    pub fn new() -> Self {
        Self::default()
    }
    /// Flask's `fresh` (ignored by refresh tokens, which are never fresh).
    pub fn fresh(mut self, fresh: impl Into<Fresh>) -> Self {
        self.fresh = fresh.into();
        self
    }
    /// Flask's `expires_delta`: a lifetime for this token, or [`Expires::Never`].
    pub fn expires(mut self, expires: impl Into<Expires>) -> Self {
        self.expires = Some(expires.into());
        self
    }
    /// Flask's `additional_claims`: a JSON object merged into the payload.
    ///
    /// Reserved claims (the identity claim, `type`, `fresh`, `jti`, `exp`,
    /// `csrf`, `fam`) cannot be overridden: creating the token then fails with
    /// [`JwtError::Encode`](crate::JwtError::Encode).
    pub fn additional_claims(mut self, claims: Value) -> Self {
        self.additional_claims = Some(claims);
        self
    }
    /// Flask's `additional_headers`: a JSON object merged into the JOSE header
    /// (`alg`, `crit` and `b64` cannot be set this way).
    pub fn additional_headers(mut self, headers: Value) -> Self {
        self.additional_headers = Some(headers);
        self
    }
    /// The new token does not join the login of the token being verified.
    ///
    /// By default a token created while a token of a linked login (one made
    /// by `create_token_pair`, with a `fam` claim) is in scope joins that
    /// login: logging the login out (`revoke_current_token_family`) revokes
    /// it too. A token of a login cannot live longer than the longest
    /// configured lifetime (creating one fails); an unlinked token can, and
    /// stays revocable by its own `jti` and by "log out everywhere".
    ///
    /// ```
    /// use axum_jwt_extended::{Duration, TokenOptions};
    /// let long_lived = TokenOptions::new().expires(Duration::days(365)).unlinked();
    /// # let _ = long_lived;
    /// ```
    pub fn unlinked(mut self) -> Self {
        self.unlinked = true;
        self
    }
}

/// The `type` claim of a new token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MintKind {
    Access,
    Refresh,
    /// An app-defined type ([`TokenKind`](crate::TokenKind)).
    Custom(&'static str),
}

impl MintKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            MintKind::Access => "access",
            MintKind::Refresh => "refresh",
            MintKind::Custom(name) => name,
        }
    }

    /// The configured lifetime of this kind (`JWT_REFRESH_TOKEN_EXPIRES` for
    /// refresh tokens, `JWT_ACCESS_TOKEN_EXPIRES` otherwise).
    pub(crate) fn default_expires(self, config: &crate::config::JwtConfig) -> Expires {
        match self {
            MintKind::Refresh => config.refresh_token_expires,
            MintKind::Access | MintKind::Custom(_) => config.access_token_expires,
        }
    }
}
