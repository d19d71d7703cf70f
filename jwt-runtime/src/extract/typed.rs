//! Typed extractors: the identity, the claims and the loaded user of the
//! verified token, as Rust types.
//!
//! Each uses the token a guard already verified for this request (the
//! macro, an earlier extractor, router-wide protection); without one it
//! verifies the request itself as `#[jwt_required]` does (a valid access
//! token). A required route therefore never unwraps an `Option` to get the
//! identity, and a value of the wrong shape is a 422 with a `msg`, never a
//! panic.

use std::sync::Arc;

use axum_core::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::{verify, AnyClaims};
use crate::claims::DecodedToken;
use crate::context::JwtContext;
use crate::error::JwtError;
use crate::manager::{JwtManager, JwtRejection};
use crate::requirements::Requirements;

/// The verified token of this request, with the manager that verified it.
async fn verified_token(
    parts: &mut Parts,
) -> Result<(Arc<DecodedToken>, JwtContext), JwtRejection> {
    let earlier = parts
        .extensions
        .get::<JwtContext>()
        .filter(|c| c.token.is_some())
        .cloned();
    let context = match earlier {
        Some(context) => context,
        None => verify::<AnyClaims>(parts, Requirements::default()).await?,
    };
    match &context.token {
        Some(token) => Ok((Arc::clone(token), context)),
        // A required verification always yields a token; kept total anyway.
        None => Err(JwtError::NoAuthorization("Missing Authorization Header".into()).into()),
    }
}

/// A refusal rendered by the manager of the request (its loaders apply).
fn refuse(parts: &Parts, error: JwtError, token: Arc<DecodedToken>) -> JwtRejection {
    match parts.extensions.get::<JwtManager>() {
        Some(manager) => JwtRejection::new(error, Some(token), manager),
        None => error.into(),
    }
}

/// The identity of the verified token as a `T` (see
/// [`DecodedToken::identity_as`]): `String`, an integer, a UUID, any type that
/// deserializes from the identity.
///
/// ```
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{Identity, JwtConfig, JwtManager};
///
/// // The identity was minted as "42"; a route that needs a user id gets one.
/// async fn my_orders(Identity(user_id): Identity<u64>) -> String {
///     format!("orders of user {user_id}")
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let app: Router = Router::new().route("/orders", get(my_orders)).layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Identity<T> {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (token, _) = verified_token(parts).await?;
        match token.identity_as() {
            Ok(identity) => Ok(Identity(identity)),
            Err(e) => Err(refuse(parts, e, token)),
        }
    }
}

/// The claims of the verified token as a `T` (see
/// [`DecodedToken::claims_as`]).
///
/// ```
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{JwtClaims, JwtConfig, JwtManager};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct MyClaims {
///     sub: String,
///     #[serde(default)]
///     roles: Vec<String>,
/// }
///
/// async fn profile(JwtClaims(claims): JwtClaims<MyClaims>) -> String {
///     format!("{} ({})", claims.sub, claims.roles.join(", "))
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let app: Router = Router::new().route("/profile", get(profile)).layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtClaims<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for JwtClaims<T> {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (token, _) = verified_token(parts).await?;
        match token.claims_as() {
            Ok(claims) => Ok(JwtClaims(claims)),
            Err(e) => Err(refuse(parts, e, token)),
        }
    }
}

/// The user the manager's `user_lookup_loader` loaded for the verified token
/// (Flask's `current_user`).
///
/// A loader that finds no user already refused the request (401, Flask's
/// `user_lookup_error_loader`). No loader, or a loader of another type than
/// `U`, is a programming error: a 500 [`JwtError::Config`] naming it.
///
/// ```
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{CurrentUser, JwtConfig, JwtManager};
///
/// struct User { name: String }
///
/// async fn hello(CurrentUser(user): CurrentUser<User>) -> String {
///     format!("hello {}", user.name)
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?
///     .user_lookup_loader(|token| async move {
///         Some(User { name: token.identity_str()?.to_owned() })
///     });
/// let app: Router = Router::new().route("/hello", get(hello)).layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Debug)]
pub struct CurrentUser<U>(pub Arc<U>);

impl<U> Clone for CurrentUser<U> {
    fn clone(&self) -> Self {
        CurrentUser(Arc::clone(&self.0))
    }
}

impl<S: Send + Sync, U: Send + Sync + 'static> FromRequestParts<S> for CurrentUser<U> {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (token, context) = verified_token(parts).await?;
        if let Some(user) = context.current_user::<U>() {
            return Ok(CurrentUser(user));
        }
        let why = if context.user.is_some() {
            format!(
                "CurrentUser<{}>: the user_lookup_loader returns another type",
                std::any::type_name::<U>()
            )
        } else {
            "CurrentUser needs a user_lookup_loader on the JwtManager".to_owned()
        };
        Err(refuse(parts, JwtError::Config(why), token))
    }
}
