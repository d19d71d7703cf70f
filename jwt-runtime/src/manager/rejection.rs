//! Error rendering: the one renderer that turns every [`JwtError`] into a
//! response (Flask's body and status, or the registered response loader),
//! used alike by the guard's [`JwtRejection`] and by errors handlers return.

use std::fmt;
use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};
use http::header::WWW_AUTHENTICATE;

use super::callbacks::TokenResponder;
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::manager::JwtManager;

/// A failed verification, rendered through the manager's response loaders
/// (the rejection of the extractors and of `#[jwt_required]`).
#[derive(Debug)]
pub struct JwtRejection {
    error: JwtError,
    token: Option<Arc<DecodedToken>>,
    manager: Option<JwtManager>,
    /// An `OPTIONS` request to a route that requires a token: answered as
    /// Flask answers a preflight (200, empty body) without the handler.
    preflight: bool,
}

impl JwtRejection {
    pub(crate) fn new(
        error: JwtError,
        token: Option<Arc<DecodedToken>>,
        manager: &JwtManager,
    ) -> Self {
        JwtRejection {
            error,
            token,
            manager: Some(manager.clone()),
            preflight: false,
        }
    }

    /// The answer to an `OPTIONS` request on a route that requires a token:
    /// the handler never runs without one. Its [`error`](Self::error) is
    /// the missing token; the response is Flask's automatic `OPTIONS`
    /// answer, `200` with an empty body (a CORS layer in front answers
    /// preflights before this).
    pub(crate) fn preflight(manager: &JwtManager) -> Self {
        JwtRejection {
            preflight: true,
            ..Self::new(
                JwtError::NoAuthorization(crate::error::messages::PREFLIGHT.into()),
                None,
                manager,
            )
        }
    }

    /// Why the request was refused.
    pub fn error(&self) -> &JwtError {
        &self.error
    }

    /// The token, when the failure is about a decoded token (expired, not
    /// fresh, revoked, refused by a loader).
    pub fn token(&self) -> Option<&DecodedToken> {
        self.token.as_deref()
    }

    /// The error alone.
    pub fn into_error(self) -> JwtError {
        self.error
    }
}

impl From<JwtError> for JwtRejection {
    fn from(error: JwtError) -> Self {
        JwtRejection {
            error,
            token: None,
            manager: None,
            preflight: false,
        }
    }
}

impl fmt::Display for JwtRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for JwtRejection {}

impl IntoResponse for JwtRejection {
    fn into_response(self) -> Response {
        if self.preflight {
            return http::StatusCode::OK.into_response();
        }
        match &self.manager {
            Some(manager) => manager.error_response(&self.error, self.token.as_deref()),
            None => self.error.into_response(),
        }
    }
}

impl JwtManager {
    /// Renders `error` as this manager answers it: the [`error_handler`]
    /// when one is set, else the response loader for its kind, else Flask's
    /// default body and status (RFC 6750's statuses under
    /// [`rfc6750`](crate::JwtConfigBuilder::rfc6750)). A 401, and the 403 of
    /// a missing role or scope, always carry a `WWW-Authenticate` challenge
    /// (the renderer's own, or the error's).
    ///
    /// [`error_handler`]: JwtManager::error_handler
    pub fn error_response(&self, error: &JwtError, token: Option<&DecodedToken>) -> Response {
        let cb = self.callbacks();
        let rfc6750 = self.config().rfc6750;
        let mut response = match &cb.error_handler {
            Some(handler) => handler(error, token),
            None => self
                .kind_loader(error, token)
                .unwrap_or_else(|| error.render(self.config().error_msg_key(), rfc6750)),
        };
        let status = response.status();
        let insufficient = matches!(error, JwtError::InsufficientScope { .. })
            && status == http::StatusCode::FORBIDDEN;
        if (status == http::StatusCode::UNAUTHORIZED || insufficient)
            && !response.headers().contains_key(WWW_AUTHENTICATE)
        {
            let challenge = if rfc6750 {
                error.rfc6750_challenge()
            } else {
                error.www_authenticate()
            };
            let challenge = challenge.unwrap_or_else(|| http::HeaderValue::from_static("Bearer"));
            response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
        }
        response
    }

    /// Flask's per-kind response loader for `error`, if one is registered.
    fn kind_loader(&self, error: &JwtError, token: Option<&DecodedToken>) -> Option<Response> {
        let cb = self.callbacks();
        let by_token = |f: &Option<TokenResponder>| match (f, token) {
            (Some(f), Some(t)) => Some(f(t)),
            _ => None,
        };
        match error {
            JwtError::Expired => by_token(&cb.expired),
            JwtError::FreshTokenRequired => by_token(&cb.needs_fresh),
            JwtError::Revoked => by_token(&cb.revoked),
            JwtError::UserClaimsVerificationFailed => by_token(&cb.verification_failed),
            JwtError::UserLookup(_) => by_token(&cb.user_lookup_error),
            JwtError::NoAuthorization(m) | JwtError::Csrf(m) => {
                cb.unauthorized.as_ref().map(|f| f(m))
            }
            JwtError::InvalidHeader(m)
            | JwtError::InvalidToken(m)
            | JwtError::WrongTokenType(m) => cb.invalid.as_ref().map(|f| f(m)),
            _ => None,
        }
    }
}
