//! The verified token of the current request (like Flask's `g`) and the
//! accessors that read it.
//!
//! A token verified by `#[jwt_required]`, by router-wide protection
//! ([`JwtManager::require`](crate::JwtManager::require)) or by
//! [`JwtContext::scope`] is in a task-local scope around the handler; one
//! verified by an extractor ([`Jwt`](crate::Jwt) and friends) is kept in the
//! request's slot, which the layer opens around every request. The accessors
//! look in both.
//!
//! Outside a verified request (no guard ran, a spawned task, a route the
//! layer does not wrap) the accessors return `None` or an empty map, never
//! panic, and log a warning (with the `tracing` feature) naming the accessor,
//! because that is a bug Flask reports with a `RuntimeError`;
//! [`JwtContext::try_current`] is the fallible form. (The manager of the
//! current request, Flask's `current_app`, is `manager::current`.)
//!
//! A task-local scope is not inherited by `tokio::spawn`: carry the context
//! into a spawned task with [`spawn_with_jwt`](crate::spawn_with_jwt), or
//! [`JwtContext::current`] and [`JwtContext::scope`].

use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::location::Location;

/// `f` of the current verified context: what a guard verified for this
/// request (or the context of this task's scope). `None` when no token was
/// verified for this code.
fn with_current<R>(f: impl FnOnce(&JwtContext) -> R) -> Option<R> {
    super::state::with_verified(f)
}

/// [`with_current`] for an accessor: outside a verified request, a warning
/// naming the accessor (Flask raises a `RuntimeError` there).
fn accessor<R>(name: &'static str, f: impl FnOnce(&JwtContext) -> R) -> Option<R> {
    let found = with_current(f);
    if found.is_none() {
        warn_unverified(name);
    }
    found
}

#[cfg(feature = "tracing")]
fn warn_unverified(accessor: &'static str) {
    tracing::warn!(
        target: "axum_jwt_extended",
        accessor,
        "{}",
        crate::error::messages::NOT_VERIFIED
    );
}

#[cfg(not(feature = "tracing"))]
fn warn_unverified(_: &'static str) {}

pub(crate) use crate::claims::AnyUser;

/// The outcome of verifying one request: the token (none on an optional route
/// without one) and where it was found.
///
/// ```
/// use axum_jwt_extended::{get_jwt_identity, JwtContext};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// // Outside a protected scope the accessors are empty, never a panic.
/// assert_eq!(get_jwt_identity(), None);
/// let seen = JwtContext::default().scope(async { get_jwt_identity() }).await;
/// assert_eq!(seen, None);
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct JwtContext {
    pub(crate) token: Option<Arc<DecodedToken>>,
    pub(crate) location: Option<Location>,
    pub(crate) user: Option<AnyUser>,
    pub(crate) made: Made,
}

/// How the guard that verified a context ran: what a typed extractor after
/// it needs to know to take that verification as its own.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Made {
    /// The guard ran before every handler argument (the attribute,
    /// router-wide protection).
    pub(crate) first: bool,
    /// The blocklist (or the app's revocation check) was consulted.
    pub(crate) revocation_checked: bool,
    /// The token was looked for in the configured locations.
    pub(crate) configured_locations: bool,
}

impl JwtContext {
    pub(crate) fn new(
        token: Arc<DecodedToken>,
        location: Location,
        user: Option<AnyUser>,
        made: Made,
    ) -> Self {
        JwtContext {
            token: Some(token),
            location: Some(location),
            user,
            made,
        }
    }

    /// The user loaded by the `user_lookup_loader`, if it is a `U`.
    pub fn current_user<U: Send + Sync + 'static>(&self) -> Option<Arc<U>> {
        self.user.clone()?.downcast::<U>().ok()
    }

    /// The context of the verified request this code runs in, if any: a
    /// guarded handler's, or the one an extractor verified.
    ///
    /// Use it with [`scope`](Self::scope) to carry the context into a task
    /// started with `tokio::spawn`, which does not inherit task-locals.
    pub fn current() -> Option<JwtContext> {
        with_current(Clone::clone)
    }

    /// [`current`](Self::current), or [`JwtError::NotVerified`] (a 500 naming
    /// the fix) when no guard verified a token for this code: the fallible
    /// form of the accessors, for code that must not run unverified.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtContext, JwtError};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // No guard ran here: an error, not a quiet `None`.
    /// assert!(matches!(JwtContext::try_current(), Err(JwtError::NotVerified)));
    /// let inside = JwtContext::default().scope(async { JwtContext::try_current().is_ok() });
    /// assert!(inside.await);
    /// # });
    /// ```
    pub fn try_current() -> Result<JwtContext, JwtError> {
        with_current(Clone::clone).ok_or(JwtError::NotVerified)
    }

    /// Runs `fut` with this context, so that `get_jwt_identity()` and the other
    /// accessors see it (and the free functions the current manager).
    pub fn scope<F: Future>(self, fut: F) -> impl Future<Output = F::Output> {
        let state = super::state::RequestState::new(super::state::manager(), Some(self));
        super::state::scope(state, fut)
    }

    /// The verified token; `None` on an optional route without one.
    pub fn token(&self) -> Option<&DecodedToken> {
        self.token.as_deref()
    }

    /// Where the token was found.
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// The identity, rendered as a string (see [`get_jwt_identity`]).
    pub fn identity(&self) -> Option<String> {
        self.token.as_deref().map(|t| match t.identity_str() {
            Some(s) => s.to_owned(),
            None => identity_string(t.identity()),
        })
    }

    /// The claims (Flask's `get_jwt()`), empty without a token.
    pub fn claims(&self) -> Claims {
        Claims(self.token.clone())
    }

    /// The JOSE header (Flask's `get_jwt_header()`), empty without a token.
    pub fn header(&self) -> JwtHeader {
        JwtHeader(self.token.clone())
    }
}

fn identity_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// The claims of the current token (Flask's `get_jwt()`): a cheap handle that
/// dereferences to the JSON object, empty when there is no token.
#[derive(Debug, Clone, Default)]
pub struct Claims(Option<Arc<DecodedToken>>);

impl Deref for Claims {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        match self.0.as_deref() {
            Some(t) => t.claims(),
            None => empty_map(),
        }
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// The JOSE header of the current token (Flask's `get_jwt_header()`), empty
/// when there is no token.
#[derive(Debug, Clone, Default)]
pub struct JwtHeader(Option<Arc<DecodedToken>>);

impl Deref for JwtHeader {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        match self.0.as_deref() {
            Some(t) => t.header(),
            None => empty_map(),
        }
    }
}

impl Serialize for JwtHeader {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// The identity of the current token (Flask's `get_jwt_identity()`).
///
/// `None` outside a protected handler and on an optional route without a
/// token. A string identity is returned as is; any other JSON identity (only
/// possible with `verify_sub` off) as its JSON text. Use
/// [`get_jwt_identity_value`] for the raw value.
///
/// ```
/// assert_eq!(axum_jwt_extended::get_jwt_identity(), None);
/// ```
pub fn get_jwt_identity() -> Option<String> {
    accessor("get_jwt_identity", JwtContext::identity).flatten()
}

/// The identity claim of the current token as JSON.
pub fn get_jwt_identity_value() -> Option<Value> {
    accessor("get_jwt_identity_value", |c| {
        c.token.as_deref().map(|t| t.identity().clone())
    })
    .flatten()
}

/// The claims of the current token (Flask's `get_jwt()`); empty outside a
/// protected handler or without a token.
///
/// ```
/// assert!(axum_jwt_extended::get_jwt().is_empty());
/// ```
pub fn get_jwt() -> Claims {
    accessor("get_jwt", JwtContext::claims).unwrap_or_default()
}

/// The header of the current token (Flask's `get_jwt_header()`); empty outside
/// a protected handler or without a token.
pub fn get_jwt_header() -> JwtHeader {
    accessor("get_jwt_header", JwtContext::header).unwrap_or_default()
}

/// Where the current token was found (Flask's `get_jwt_request_location()`).
pub fn get_jwt_request_location() -> Option<Location> {
    accessor("get_jwt_request_location", |c| c.location).flatten()
}

/// The user loaded by the manager's `user_lookup_loader` for the current token
/// (Flask's `get_current_user()`): `None` outside a protected handler, on an
/// optional route without a token, without a loader, or when `U` is not the
/// loader's type (never a panic).
///
/// ```
/// #[derive(Debug)]
/// struct User;
/// assert!(axum_jwt_extended::get_current_user::<User>().is_none());
/// ```
pub fn get_current_user<U: Send + Sync + 'static>() -> Option<Arc<U>> {
    accessor("get_current_user", |c| {
        let user = c.current_user::<U>();
        if user.is_none() && c.user.is_some() {
            warn_wrong_user_type(std::any::type_name::<U>());
        }
        user
    })
    .flatten()
}

#[cfg(feature = "tracing")]
fn warn_wrong_user_type(asked: &'static str) {
    tracing::warn!(
        target: "axum_jwt_extended",
        asked,
        "get_current_user: the loaded user is not of the type asked for (the user_lookup_loader returns another type)"
    );
}

#[cfg(not(feature = "tracing"))]
fn warn_wrong_user_type(_: &'static str) {}

/// The verified token in scope, if any, without the misuse warning: for code
/// that works with or without one (linking a new token to the current login).
pub(crate) fn token_in_scope() -> Option<Arc<DecodedToken>> {
    with_current(|c| c.token.clone()).flatten()
}

/// The current verified token, if any.
pub fn current_token() -> Option<Arc<DecodedToken>> {
    accessor("current_token", |c| c.token.clone()).flatten()
}
