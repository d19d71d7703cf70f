//! Where a guard finds its manager: the layer's request extension (the
//! default), or the router's state, which makes a missing manager a compile
//! error.

use axum_core::extract::FromRef;
use http::request::Parts;

use crate::error::JwtError;
use crate::manager::JwtManager;

/// Where a [`VerifyJwt`](crate::VerifyJwt) finds its manager.
pub trait ManagerSource<S>: 'static {
    /// The manager for this request.
    fn manager(parts: &Parts, state: &S) -> Result<JwtManager, JwtError>;
}

/// The manager of `JwtManager::layer()` around the route (the default): a
/// route without the layer answers 500 [`JwtError::MissingLayer`].
#[derive(Debug, Clone, Copy)]
pub struct FromLayer;

impl<S> ManagerSource<S> for FromLayer {
    fn manager(parts: &Parts, _: &S) -> Result<JwtManager, JwtError> {
        parts
            .extensions
            .get::<JwtManager>()
            .cloned()
            .ok_or(JwtError::MissingLayer)
    }
}

/// The manager in the router's state (`JwtManager: FromRef<S>`): a router
/// whose state has none does not compile. A layer around the route, when
/// there is one, still wins (it is the manager of that part of the app).
///
/// Without `JwtManager::layer()`, header, cookie and query-string tokens are
/// verified, refusals are rendered by the state's manager (its loaders and
/// error handler), and the attribute's handlers reach the free functions.
/// What needs the layer as well (`.layer(jwt.layer())` with the same
/// manager): the JSON-body location, the implicit cookie refresh, the free
/// accessors after a plain extractor (use the extractor's own methods, or the
/// attribute), and the error handler for errors a handler *returns* (axum
/// renders them after the handler, where only a layer's scope reaches).
///
/// ```
/// use axum::extract::FromRef;
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtConfig, JwtManager, StateJwt};
///
/// #[derive(Clone)]
/// struct AppState {
///     jwt: JwtManager,
/// }
///
/// impl FromRef<AppState> for JwtManager {
///     fn from_ref(state: &AppState) -> JwtManager {
///         state.jwt.clone()
///     }
/// }
///
/// #[jwt_required(from_state)]
/// async fn whoami() -> String {
///     get_jwt_identity().unwrap_or_default()
/// }
///
/// async fn whoami_typed(jwt: StateJwt) -> String {
///     jwt.identity().unwrap_or_default()
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let app: Router = Router::new()
///     .route("/whoami", get(whoami))
///     .route("/whoami_typed", get(whoami_typed))
///     .with_state(AppState { jwt });
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FromState;

impl<S> ManagerSource<S> for FromState
where
    JwtManager: FromRef<S>,
{
    fn manager(_: &Parts, state: &S) -> Result<JwtManager, JwtError> {
        Ok(JwtManager::from_ref(state))
    }
}
