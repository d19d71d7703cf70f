//! Minting inside a request: a token created while a verified token of a
//! login is in scope (a guarded handler, a task carrying its context) joins
//! that login, so that logging the login out revokes it too.

use serde::Serialize;

use super::context::token_in_scope;
use crate::error::JwtError;
use crate::manager::JwtManager;
use crate::requirements::TokenKind;
use crate::token::{MintKind, TokenOptions};

impl JwtManager {
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
        self.encode(identity, MintKind::Access, joined(options))
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
        self.encode(identity, MintKind::Refresh, joined(options))
    }

    /// A token of an app-defined type `K` (a password-reset or e-mail
    /// confirmation token): its `type` claim is `K::NAME`, it is never fresh,
    /// and it lives `JWT_ACCESS_TOKEN_EXPIRES` unless `options` say otherwise.
    /// Only a route that requires `K` accepts it (`#[jwt_required(token_type =
    /// K)]`, [`JwtOfType<K>`](crate::JwtOfType)); a route that requires an
    /// access or a refresh token refuses it, and `K`'s routes refuse those.
    /// `K` must be registered with
    /// [`JwtConfigBuilder::token_kind`](crate::JwtConfigBuilder::token_kind)
    /// (otherwise an `Err` naming it): that is how every route of the
    /// service, on every instance, knows the type is not an access token.
    ///
    /// ```
    /// use axum_jwt_extended::{Duration, JwtConfig, JwtManager, TokenKind, TokenOptions};
    ///
    /// struct PasswordReset;
    /// impl TokenKind for PasswordReset {
    ///     const NAME: &'static str = "password_reset";
    /// }
    ///
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder()
    ///         .secret_key("a long, random secret of 32+ bytes")
    ///         .token_kind::<PasswordReset>()
    ///         .build()?,
    /// )?;
    /// let options = TokenOptions::new().expires(Duration::minutes(30));
    /// let token = jwt.create_token_of::<PasswordReset>("alice", options)?;
    /// assert_eq!(jwt.decode_token(&token, false)?.token_type(), Some("password_reset"));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn create_token_of<K: TokenKind>(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<String, JwtError> {
        self.encode_kind::<K>(identity, joined(options))
    }
}

/// `options` with the family of the login in scope, unless they name one or
/// are [`unlinked`](TokenOptions::unlinked).
fn joined(mut options: TokenOptions) -> TokenOptions {
    if !options.unlinked && options.family.is_none() {
        options.family = token_in_scope().and_then(|current| current.family().map(str::to_owned));
    }
    options
}
