//! The manager of the current request, Flask's `current_app` (kept in the
//! request's state, see `guard::state`), read by Flask's module-level
//! functions (`create_access_token()`, `revoke_current_token()`, ...), by
//! the rendering of a handler's errors, and carried into spawned tasks.

use std::future::Future;

use axum_core::response::{IntoResponse, Response};
use serde::Serialize;

use super::context::{self, JwtContext};
use super::state::RequestState;
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::manager::{JwtManager, TokenPair};
use crate::requirements::TokenKind;
use crate::token::TokenOptions;

/// The manager of the current request (what Flask reaches through
/// `current_app`); `None` outside a request under [`JwtManager::layer`].
///
/// ```
/// assert!(axum_jwt_extended::current_manager().is_none());
/// ```
pub fn current_manager() -> Option<JwtManager> {
    super::state::manager()
}

/// `tokio::spawn`, carrying the current JWT context into the new task (a plain
/// `tokio::spawn` does not inherit task-locals, so `get_jwt_identity()` would
/// be `None` there).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum_jwt_extended::{get_jwt_identity, spawn_with_jwt};
/// // Outside a protected handler there is nothing to carry: the task sees `None`.
/// let seen = spawn_with_jwt(async { get_jwt_identity() }).await.unwrap();
/// assert_eq!(seen, None);
/// # });
/// ```
pub fn spawn_with_jwt<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let context = JwtContext::current().unwrap_or_default();
    let state = RequestState::new(current_manager(), Some(context));
    tokio::spawn(super::state::scope(state, fut))
}

/// The current manager, or [`JwtError::NoManager`] naming the fix.
pub(crate) fn current() -> Result<JwtManager, JwtError> {
    current_manager().ok_or(JwtError::NoManager)
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

/// [`JwtManager::create_token_of`] with the manager of the current request.
pub fn create_token_of<K: TokenKind>(
    identity: impl Serialize,
    options: TokenOptions,
) -> Result<String, JwtError> {
    current()?.create_token_of::<K>(identity, options)
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
/// Every error a handler returns is rendered by the one renderer, as the
/// guard's refusals are.
impl IntoResponse for JwtError {
    /// Answers through the `JwtManager` whose layer the request is under (its
    /// error handler or response loaders, with the token the handler was
    /// verified with), or Flask's defaults outside one.
    fn into_response(self) -> Response {
        match current_manager() {
            Some(manager) => {
                let token = context::token_in_scope();
                manager.error_response(&self, token.as_deref())
            }
            None => self.to_response("msg"),
        }
    }
}
