//! Typed extractors: the identity, the claims and the loaded user of the
//! verified token, as Rust types.
//!
//! Each uses the token a guard already verified for this request: always
//! the attribute's or router-wide protection's (they run before every
//! argument), an earlier guard argument's when its verification also meets
//! what `#[jwt_required]` requires. Otherwise it verifies the request itself
//! as `#[jwt_required]` does (a valid access token), so the answer does not
//! depend on where a guard argument stands among the handler's arguments.
//! A required route therefore never unwraps an `Option` to get the
//! identity, and a value of the wrong shape is a 422 with a `msg`, never a
//! panic.

use std::future::Future;
use std::sync::Arc;

use axum_core::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::source::{FromLayer, ManagerSource};
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::guard::context::JwtContext;
use crate::manager::{JwtManager, JwtRejection, UserLookupOutcome};
use crate::requirements::Requirements;

/// The verified token of this request, with the manager that verified it.
async fn verified_token(
    parts: &mut Parts,
) -> Result<(Arc<DecodedToken>, JwtContext), JwtRejection> {
    let context = match crate::guard::adopted(parts) {
        Some(context) => context,
        None => {
            let manager = <FromLayer as ManagerSource<()>>::manager(parts, &())?;
            crate::guard::verify(&manager, parts, Requirements::default(), |_| Ok(())).await?
        }
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
/// // The identity was minted from 42 (as its text, "42"); a route that needs a user id gets one.
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

/// A user type loaded from the verified token's identity with the router's
/// state (a database pool in `State`, for example): the axum-native form of
/// Flask's `user_lookup_loader`, read by the [`AuthUser`] extractor. Nothing
/// is captured at startup: `load` gets the state of the request.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{AuthUser, JwtConfig, JwtManager, LoadUser};
///
/// #[derive(Clone)]
/// struct AppState {
///     // A database pool in a real service.
///     users: Arc<HashMap<u64, String>>,
/// }
///
/// struct User {
///     id: u64,
///     name: String,
/// }
///
/// impl LoadUser<AppState> for User {
///     type Id = u64;
///     type Loaded = Option<User>;
///     async fn load(id: u64, state: &AppState) -> Option<User> {
///         let name = state.users.get(&id)?.clone();
///         Some(User { id, name })
///     }
/// }
///
/// async fn me(AuthUser(user): AuthUser<User>) -> String {
///     format!("{} ({})", user.name, user.id)
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let state = AppState { users: Arc::new(HashMap::from([(42, "alice".to_owned())])) };
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .with_state(state)
///     .layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
pub trait LoadUser<S>: Sized + Send + 'static {
    /// The identity's type (`String`, an integer id, a UUID): read as by
    /// [`DecodedToken::identity_as`].
    type Id: DeserializeOwned + Send;

    /// What [`load`](Self::load) returns: `Option<Self>`, or
    /// `Result<Option<Self>, E>` for a loader that can fail.
    type Loaded: UserLookupOutcome<User = Self>;

    /// The user with this id, or `None`, which refuses the request as
    /// Flask's user lookup does (401 `Error loading the user <identity>`,
    /// through the manager's `user_lookup_error_loader` or error handler).
    /// It may also return `Result<Option<Self>, E>`: an `Err` (the database
    /// is down) answers 503 `User lookup unavailable`, never a 401 that makes
    /// clients log their users out (see [`UserLookupOutcome`]).
    fn load(id: Self::Id, state: &S) -> impl Future<Output = Self::Loaded> + Send;
}

/// The user of the verified token, loaded by [`LoadUser`] with the router's
/// state.
#[derive(Debug, Clone)]
pub struct AuthUser<U>(pub U);

impl<S: Send + Sync, U: LoadUser<S>> FromRequestParts<S> for AuthUser<U> {
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (token, _) = verified_token(parts).await?;
        let id = match token.identity_as::<U::Id>() {
            Ok(id) => id,
            Err(e) => return Err(refuse(parts, e, token)),
        };
        let loaded = U::load(id, state).await.into_outcome();
        match loaded {
            Ok(Some(user)) => Ok(AuthUser(user)),
            Err(error) => Err(refuse(parts, error, token)),
            Ok(None) => {
                let identity = match token.identity() {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Err(refuse(parts, JwtError::UserLookup(identity), token))
            }
        }
    }
}
