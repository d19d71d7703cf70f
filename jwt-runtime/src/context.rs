//! The verified token of the current protected handler (set by
//! `#[jwt_required]` or [`JwtContext::scope`], like Flask's `g`) and the
//! accessors that read it. Outside a protected handler every accessor returns
//! `None` or an empty map; none of them panics. (The manager of the current
//! request, Flask's `current_app`, is `manager::current`.)
//!
//! A task-local scope is not inherited by `tokio::spawn`: carry the context
//! into a spawned task with [`JwtContext::current`] and [`JwtContext::scope`].

use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::claims::DecodedToken;
use crate::location::Location;

tokio::task_local! {
    static CURRENT: JwtContext;
}

/// A user loaded by the manager's `user_lookup_loader`.
pub(crate) type AnyUser = Arc<dyn std::any::Any + Send + Sync>;

/// Where the guard leaves a token verified from the access cookie, for the
/// implicit refresh.
#[derive(Debug, Clone, Default)]
pub(crate) struct RefreshSlot(pub(crate) Arc<Mutex<Option<Arc<DecodedToken>>>>);

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
}

impl JwtContext {
    pub(crate) fn new(token: Arc<DecodedToken>, location: Location, user: Option<AnyUser>) -> Self {
        JwtContext {
            token: Some(token),
            location: Some(location),
            user,
        }
    }

    /// The user loaded by the `user_lookup_loader`, if it is a `U`.
    pub fn current_user<U: Send + Sync + 'static>(&self) -> Option<Arc<U>> {
        self.user.clone()?.downcast::<U>().ok()
    }

    /// The context of the protected handler this code runs in, if any.
    ///
    /// Use it with [`scope`](Self::scope) to carry the context into a task
    /// started with `tokio::spawn`, which does not inherit task-locals.
    pub fn current() -> Option<JwtContext> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// Runs `fut` with this context, so that `get_jwt_identity()` and the other
    /// accessors see it.
    pub fn scope<F: Future>(self, fut: F) -> tokio::task::futures::TaskLocalFuture<JwtContext, F> {
        CURRENT.scope(self, fut)
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
    CURRENT.try_with(JwtContext::identity).ok().flatten()
}

/// The identity claim of the current token as JSON.
pub fn get_jwt_identity_value() -> Option<Value> {
    CURRENT
        .try_with(|c| c.token.as_deref().map(|t| t.identity().clone()))
        .ok()
        .flatten()
}

/// The claims of the current token (Flask's `get_jwt()`); empty outside a
/// protected handler or without a token.
///
/// ```
/// assert!(axum_jwt_extended::get_jwt().is_empty());
/// ```
pub fn get_jwt() -> Claims {
    CURRENT.try_with(JwtContext::claims).unwrap_or_default()
}

/// The header of the current token (Flask's `get_jwt_header()`); empty outside
/// a protected handler or without a token.
pub fn get_jwt_header() -> JwtHeader {
    CURRENT.try_with(JwtContext::header).unwrap_or_default()
}

/// Where the current token was found (Flask's `get_jwt_request_location()`).
pub fn get_jwt_request_location() -> Option<Location> {
    CURRENT.try_with(|c| c.location).ok().flatten()
}

/// Runs `fut` with `context` as the current verified token.
pub(crate) fn context_scope<F: Future>(
    context: JwtContext,
    fut: F,
) -> tokio::task::futures::TaskLocalFuture<JwtContext, F> {
    CURRENT.scope(context, fut)
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
    CURRENT.try_with(|c| c.current_user::<U>()).ok().flatten()
}

/// The current verified token, if any.
pub fn current_token() -> Option<Arc<DecodedToken>> {
    CURRENT.try_with(|c| c.token.clone()).ok().flatten()
}
