//! The tower layer of a manager: puts the manager into every request, reads a
//! JSON (or CSRF form) body when a token may be carried there, and optionally
//! re-issues access cookies that are about to expire.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::response::Response;
#[cfg(feature = "cookies")]
use http::header::SET_COOKIE;
use http::Request;
use time::Duration;
use tower_layer::Layer;
use tower_service::Service;

use crate::authz::Need;
use crate::guard::body::PendingBody;
use crate::guard::state::{InState, RequestState};
use crate::manager::JwtManager;
use crate::requirements::Requirements;

impl JwtManager {
    /// The layer that puts this manager into every request (extensions and
    /// task-local scope), so that extractors, `#[jwt_required]` and the free
    /// functions find it.
    pub fn layer(&self) -> JwtLayer {
        JwtLayer::new(self.clone())
    }
}

/// The tower layer of a [`JwtManager`]; see [`JwtManager::layer`].
#[derive(Debug, Clone)]
pub struct JwtLayer {
    manager: JwtManager,
    refresh_window: Option<Duration>,
}

impl JwtLayer {
    pub(crate) fn new(manager: JwtManager) -> Self {
        JwtLayer {
            manager,
            refresh_window: None,
        }
    }

    /// Implicit refresh for cookie sessions (what Flask users write with
    /// `after_request`): when a protected request was authenticated by an access
    /// cookie that expires within `window`, the response gets a new access
    /// cookie for the same identity (not fresh). Responses that already set or
    /// unset the access cookie are left alone.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, Location};
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder()
    ///         .secret_key("a long, random secret of 32+ bytes")
    ///         .token_location([Location::Cookies])
    ///         .build()?,
    /// )?;
    /// let layer = jwt.layer().refresh_expiring_cookies(time::Duration::minutes(5));
    /// # let _ = layer;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    #[cfg(feature = "cookies")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
    pub fn refresh_expiring_cookies(mut self, window: impl crate::clock::IntoDuration) -> Self {
        self.refresh_window = Some(window.into_time());
        self
    }

    /// This layer around a whole router (or any service), once, instead of
    /// around each route as `Router::layer` does. Every request then goes
    /// through it, unmatched ones too, and axum's per-route layering is
    /// saved (about 0.2 µs per request in `benches/router.rs`). The same as
    /// tower's `Layer::layer`, without importing the trait.
    ///
    /// ```
    /// use axum::{routing::get, Router, ServiceExt as _};
    /// use axum_jwt_extended::{JwtConfig, JwtManager};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let app = Router::new().route("/", get(|| async { "hello" }));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # if false {
    /// axum::serve(listener, jwt.layer().wrap(app).into_make_service()).await?;
    /// # }
    /// # Ok(())
    /// # }
    /// ```
    pub fn wrap<S>(&self, inner: S) -> JwtService<S> {
        Layer::layer(self, inner)
    }
}

impl<S> Layer<S> for JwtLayer {
    type Service = JwtService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        JwtService {
            inner,
            manager: self.manager.clone(),
            refresh_window: self.refresh_window,
        }
    }
}

/// The service made by [`JwtLayer`].
#[derive(Debug, Clone)]
pub struct JwtService<S> {
    inner: S,
    manager: JwtManager,
    refresh_window: Option<Duration>,
}

pin_project_lite::pin_project! {
    /// The response future of [`JwtService`].
    pub struct JwtFuture<F: Future> {
        #[pin]
        inner: FutureKind<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureKindProj]
    enum FutureKind<F: Future> {
        // No body to read, no refresh: the inner future in the manager's
        // scope, with the request's slot for what an extractor verifies.
        Direct { #[pin] fut: InState<F> },
        // The body is read first, or the response is post-processed.
        Boxed { fut: Pin<Box<dyn Future<Output = F::Output> + Send>> },
    }
}

impl<F: Future> std::fmt::Debug for JwtFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtFuture").finish_non_exhaustive()
    }
}

impl<F, E> Future for JwtFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            FutureKindProj::Direct { fut } => fut.poll(cx),
            FutureKindProj::Boxed { fut } => fut.as_mut().poll(cx),
        }
    }
}

impl<S> Service<Request<Body>> for JwtService<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = JwtFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        let manager = self.manager.clone();
        req.extensions_mut().insert(manager.clone());
        // Read later, only if the route's guard needs it (see guard/body.rs).
        let body = crate::guard::body_to_read(manager.config(), req.method(), req.headers())
            .map(|kind| PendingBody::wrap(kind, &mut req));
        let Some(window) = self.refresh_window else {
            // The state is open while the inner future runs (handlers and
            // extractors run there); a service's synchronous `call` only
            // builds that future.
            let fut = self.inner.call(req);
            let state = RequestState::request(manager, body, false);
            return JwtFuture {
                inner: FutureKind::Direct {
                    fut: crate::guard::state::scope(state, fut),
                },
            };
        };
        // The clone that was not polled ready stays here; the ready one runs.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = RequestState::request(manager.clone(), body, true);
        let fut = crate::guard::state::scope(state, async move {
            let response = inner.call(req).await?;
            #[cfg(feature = "cookies")]
            let response = refresh_cookie(&manager, window, response).await;
            #[cfg(not(feature = "cookies"))]
            let _ = (window, manager);
            Ok(response)
        });
        JwtFuture {
            inner: FutureKind::Boxed { fut: Box::pin(fut) },
        }
    }
}

/// Flask's implicit refresh: a new access cookie when the verified one
/// expires within `window`. Only this service's own access tokens are
/// renewed (never a trusted issuer's or a remote key set's token, never an
/// app-defined kind or another `type`); the new token is what Flask's
/// pattern mints (`create_access_token(identity)`, the loaders run, not
/// fresh), stays in the same login, and none is made for a token revoked
/// while the request ran (or when the store cannot tell).
#[cfg(feature = "cookies")]
async fn refresh_cookie(
    manager: &JwtManager,
    window: Duration,
    mut response: Response,
) -> Response {
    // The guard left only a token this service may renew in the request's
    // state (this runs inside it).
    let Some(token) = crate::guard::state::take_renewal() else {
        return response;
    };
    let Some(exp) = token.expires_at() else {
        return response;
    };
    let now = manager.config().clock.now();
    if exp - now > window.as_seconds_f64() {
        return response;
    }
    let access_name = manager.config().cookies.access_cookie_name.as_str();
    let already_set = response.headers().get_all(SET_COOKIE).iter().any(|v| {
        v.as_bytes()
            .strip_prefix(access_name.as_bytes())
            .is_some_and(|rest| rest.starts_with(b"="))
    });
    if already_set {
        return response;
    }
    if !matches!(manager.is_token_revoked(&token).await, Ok(false)) {
        return response;
    }
    let mut options = crate::TokenOptions::new();
    options.family = token.family().map(str::to_owned);
    let cookies = manager
        .create_access_token_with(token.identity(), options)
        .and_then(|fresh_token| manager.set_access_cookies(&fresh_token));
    if let Ok(cookies) = cookies {
        cookies.append_to(response.headers_mut());
    }
    response
}

/// Protects every route of a router with the same requirements (what Flask
/// users write with `before_request`); see [`JwtManager::require`].
#[derive(Debug, Clone)]
pub struct RequireJwtLayer {
    manager: JwtManager,
    requirements: Requirements,
    roles: Option<Need>,
    scopes: Option<Need>,
}

impl RequireJwtLayer {
    /// Requires these roles of every request (see [`Need`]): a token
    /// without them is refused with `403` and `WWW-Authenticate: Bearer
    /// error="insufficient_scope"`.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use axum_jwt_extended::{req, JwtConfig, JwtManager, Need};
    ///
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let admin: Router = Router::new()
    ///     .route("/admin/stats", get(|| async { "stats" }))
    ///     .layer(jwt.require(req::NONE).roles(Need::all(&["admin"])));
    /// let app = Router::new().merge(admin).layer(jwt.layer());
    /// # let _ = app;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn roles(mut self, roles: Need) -> Self {
        self.roles = Some(roles);
        self
    }

    /// Requires these scopes of every request (see [`Need`]).
    pub fn scopes(mut self, scopes: Need) -> Self {
        self.scopes = Some(scopes);
        self
    }
}

impl JwtManager {
    /// A layer that verifies every request of the router it wraps with these
    /// [`req`](crate::req) requirements, and runs the handlers in the token's
    /// scope, so plain handlers can call `get_jwt_identity()`.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use axum_jwt_extended::{get_jwt_identity, req, JwtConfig, JwtManager};
    ///
    /// async fn whoami() -> String {
    ///     get_jwt_identity().unwrap_or_default()
    /// }
    ///
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let admin: Router = Router::new()
    ///     .route("/whoami", get(whoami))
    ///     .layer(jwt.require(req::FRESH));
    /// let app: Router = Router::new().nest("/admin", admin).layer(jwt.layer());
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn require(&self, requirements: u32) -> RequireJwtLayer {
        RequireJwtLayer {
            manager: self.clone(),
            // Runs before every handler argument, as the attribute's guard.
            requirements: Requirements::from_bits(requirements | crate::requirements::req::FIRST),
            roles: None,
            scopes: None,
        }
    }
}

impl<S> Layer<S> for RequireJwtLayer {
    type Service = RequireJwt<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireJwt {
            inner,
            manager: self.manager.clone(),
            requirements: self.requirements,
            roles: self.roles,
            scopes: self.scopes,
        }
    }
}

/// The service made by [`RequireJwtLayer`].
#[derive(Debug, Clone)]
pub struct RequireJwt<S> {
    inner: S,
    manager: JwtManager,
    requirements: Requirements,
    roles: Option<Need>,
    scopes: Option<Need>,
}

impl<S> Service<Request<Body>> for RequireJwt<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let manager = self.manager.clone();
        let requirements = self.requirements;
        let (roles, scopes) = (self.roles, self.scopes);
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            if parts.extensions.get::<JwtManager>().is_none() {
                parts.extensions.insert(manager.clone());
            }
            let grants = |token: &_| crate::authz::check_grants(token, roles, scopes);
            let context =
                match crate::guard::verify(&manager, &mut parts, requirements, grants).await {
                    Ok(context) => context,
                    Err(rejection) => {
                        return Ok(axum_core::response::IntoResponse::into_response(rejection))
                    }
                };
            let req = Request::from_parts(parts, body);
            // Inside the layer's state, this guard's record is what the
            // handler reads; without a layer in front, a state of its own.
            match crate::guard::state::record(context) {
                Ok(()) => inner.call(req).await,
                Err(context) => {
                    let state = RequestState::new(Some(manager), Some(context));
                    crate::guard::state::scope(state, inner.call(req)).await
                }
            }
        })
    }
}
