//! Flask-JWT-Extended's `JWTManager` loaders, as typed Rust registered on the
//! manager (the rejection that renders errors through them is `rejection`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum_core::response::Response;
use serde_json::Value;

use crate::blocklist::{BlocklistError, BoxFuture};
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::keys::{SigningKey, VerificationKey};
use crate::manager::JwtManager;

type ValueLoader = Arc<dyn Fn(&Value) -> Value + Send + Sync>;
pub(super) type TokenResponder = Arc<dyn Fn(&DecodedToken) -> Response + Send + Sync>;
type MessageResponder = Arc<dyn Fn(&str) -> Response + Send + Sync>;
pub(super) type ErrorHandler =
    Arc<dyn Fn(&JwtError, Option<&DecodedToken>) -> Response + Send + Sync>;
type TokenCheck =
    Arc<dyn Fn(Arc<DecodedToken>) -> BoxFuture<'static, Result<bool, JwtError>> + Send + Sync>;
type BlocklistCheck = Arc<
    dyn Fn(Arc<DecodedToken>) -> BoxFuture<'static, Result<bool, BlocklistError>> + Send + Sync,
>;
use crate::claims::AnyUser;
type UserLookup = Arc<
    dyn Fn(Arc<DecodedToken>) -> BoxFuture<'static, Result<Option<AnyUser>, JwtError>>
        + Send
        + Sync,
>;

/// What a user loader returns: Flask's `Option<U>` (`None` refuses the
/// request with 401 `Error loading the user <identity>`), or
/// `Result<Option<U>, E>`, whose `Err` (the database is down) answers 503
/// `User lookup unavailable` through the error renderer instead of a 401
/// that makes clients log their users out; the error is logged (feature
/// `tracing`).
///
/// ```
/// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
/// #[derive(Debug)]
/// struct User { name: String }
/// # async fn find_user(name: &str) -> Result<Option<User>, std::io::Error> { Ok(Some(User { name: name.to_owned() })) }
///
/// let jwt = axum_jwt_extended::JwtManager::new(config)?.user_lookup_loader(|token| async move {
///     let Some(name) = token.identity_str() else { return Ok(None) };
///     find_user(name).await // Err: 503, Ok(None): 401
/// });
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
pub trait UserLookupOutcome: Send + 'static {
    /// The user type.
    type User: Send + Sync + 'static;
    /// The user, none (401), or the loader's failure (503).
    fn into_outcome(self) -> Result<Option<Self::User>, JwtError>;
}

impl<U: Send + Sync + 'static> UserLookupOutcome for Option<U> {
    type User = U;
    fn into_outcome(self) -> Result<Option<U>, JwtError> {
        Ok(self)
    }
}

impl<U: Send + Sync + 'static, E: fmt::Display + Send + 'static> UserLookupOutcome
    for Result<Option<U>, E>
{
    type User = U;
    fn into_outcome(self) -> Result<Option<U>, JwtError> {
        self.map_err(|error| loader_failed(&error))
    }
}

/// The 503 of a user loader's `Err`, which is logged (it is the app's own
/// error, not the client's).
pub(crate) fn loader_failed(error: &dyn fmt::Display) -> JwtError {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "axum_jwt_extended", %error, "the user loader failed");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
    JwtError::UserLookupUnavailable
}

/// What a `token_verification_loader` returns: Flask's `bool` (`false`
/// refuses the token: 400 `User claims verification failed`), or
/// `Result<bool, E>` for a check that can fail (it reads a database, say):
/// an `Err` is logged and answers 503 `Token verification unavailable`.
///
/// ```
/// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
/// # async fn account_active(name: &str) -> Result<bool, std::io::Error> { Ok(name != "banned") }
/// let jwt = axum_jwt_extended::JwtManager::new(config)?.token_verification_loader(|token| async move {
///     account_active(token.identity_str().unwrap_or_default()).await
/// });
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
pub trait VerificationOutcome: Send + 'static {
    /// Whether the token passes, or the check's failure (503).
    fn into_outcome(self) -> Result<bool, JwtError>;
}

impl VerificationOutcome for bool {
    fn into_outcome(self) -> Result<bool, JwtError> {
        Ok(self)
    }
}

impl<E: fmt::Display + Send + 'static> VerificationOutcome for Result<bool, E> {
    fn into_outcome(self) -> Result<bool, JwtError> {
        self.map_err(|error| {
            #[cfg(feature = "tracing")]
            tracing::warn!(target: "axum_jwt_extended", %error, "the token verification loader failed");
            #[cfg(not(feature = "tracing"))]
            let _ = error;
            JwtError::VerificationUnavailable
        })
    }
}

/// The registered loaders; `None` means Flask's default behaviour.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub(crate) additional_claims: Option<ValueLoader>,
    pub(crate) additional_headers: Option<ValueLoader>,
    pub(crate) user_identity: Option<ValueLoader>,
    pub(crate) user_lookup: Option<UserLookup>,
    pub(crate) token_verification: Option<TokenCheck>,
    pub(crate) token_in_blocklist: Option<BlocklistCheck>,
    pub(crate) expired: Option<TokenResponder>,
    pub(crate) needs_fresh: Option<TokenResponder>,
    pub(crate) revoked: Option<TokenResponder>,
    pub(crate) verification_failed: Option<TokenResponder>,
    pub(crate) user_lookup_error: Option<TokenResponder>,
    pub(crate) invalid: Option<MessageResponder>,
    pub(crate) unauthorized: Option<MessageResponder>,
    pub(crate) error_handler: Option<ErrorHandler>,
    pub(crate) encode_key: Option<EncodeKeyLoader>,
    pub(crate) decode_key: Option<DecodeKeyLoader>,
}

type EncodeKeyLoader = Arc<dyn Fn(&Value) -> Option<Arc<SigningKey>> + Send + Sync>;
type DecodeKeyLoader =
    Arc<dyn Fn(&serde_json::Map<String, Value>) -> Option<Arc<VerificationKey>> + Send + Sync>;

impl fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |b: bool| if b { "set" } else { "default" };
        f.debug_struct("Callbacks")
            .field("additional_claims", &set(self.additional_claims.is_some()))
            .field(
                "additional_headers",
                &set(self.additional_headers.is_some()),
            )
            .field("user_identity", &set(self.user_identity.is_some()))
            .field("user_lookup", &set(self.user_lookup.is_some()))
            .field(
                "token_verification",
                &set(self.token_verification.is_some()),
            )
            .field(
                "token_in_blocklist",
                &set(self.token_in_blocklist.is_some()),
            )
            .finish_non_exhaustive()
    }
}

impl JwtManager {
    /// Flask's `additional_claims_loader`: claims added to every new token,
    /// computed from the identity passed to `create_access_token` (as JSON).
    /// Per-call `additional_claims` win over these; reserved claims are refused.
    ///
    /// ```
    /// use serde_json::json;
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?
    ///     .additional_claims_loader(|identity| json!({ "is_admin": identity == "admin" }));
    /// let token = jwt.decode_token(&jwt.create_access_token("admin")?, false)?;
    /// assert_eq!(token.claims()["is_admin"], true);
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn additional_claims_loader<F>(self, f: F) -> Self
    where
        F: Fn(&Value) -> Value + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.additional_claims = Some(Arc::new(f)))
    }

    /// Flask's `additional_headers_loader`: JOSE header members added to every
    /// new token (`kid`, for example); `alg`, `crit` and `b64` are refused.
    pub fn additional_headers_loader<F>(self, f: F) -> Self
    where
        F: Fn(&Value) -> Value + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.additional_headers = Some(Arc::new(f)))
    }

    /// Flask's `user_identity_loader`: turns the identity passed to
    /// `create_access_token` (any `Serialize` value, as JSON) into the identity
    /// claim. With `verify_sub` on it must give a string.
    ///
    /// ```
    /// use serde_json::json;
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// #[derive(serde::Serialize)]
    /// struct User { id: u64, name: &'static str }
    ///
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?
    ///     .user_identity_loader(|user| json!(user["id"].to_string()));
    /// let token = jwt.create_access_token(User { id: 7, name: "alice" })?;
    /// assert_eq!(jwt.decode_token(&token, false)?.identity_str(), Some("7"));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn user_identity_loader<F>(self, f: F) -> Self
    where
        F: Fn(&Value) -> Value + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.user_identity = Some(Arc::new(f)))
    }

    /// Flask's `user_lookup_loader`: loads the user of a verified token, made
    /// available by [`get_current_user`](crate::get_current_user). Returning
    /// `None` refuses the request (401 `Error loading the user <identity>`);
    /// a loader may also return `Result<Option<U>, E>`, whose `Err` answers
    /// 503 (see [`UserLookupOutcome`]). Not called on an optional route
    /// without a token.
    ///
    /// ```
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// #[derive(Debug)]
    /// struct User { name: String }
    ///
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?.user_lookup_loader(|token| async move {
    ///     let name = token.identity_str()?.to_owned();
    ///     (name != "ghost").then(|| User { name })
    /// });
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn user_lookup_loader<F, Fut>(self, f: F) -> Self
    where
        F: Fn(Arc<DecodedToken>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: UserLookupOutcome,
    {
        let f = Arc::new(f);
        self.with_callbacks(move |cb| {
            cb.user_lookup = Some(Arc::new(move |token| {
                let fut = f(token);
                Box::pin(async move {
                    let user = fut.await.into_outcome()?;
                    Ok(user.map(|u| Arc::new(u) as AnyUser))
                })
            }))
        })
    }

    /// Flask's `token_verification_loader`: a last check of a verified token;
    /// `false` refuses it (400 `User claims verification failed`). It may
    /// also return `Result<bool, E>`, whose `Err` answers 503 (see
    /// [`VerificationOutcome`]).
    pub fn token_verification_loader<F, Fut>(self, f: F) -> Self
    where
        F: Fn(Arc<DecodedToken>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: VerificationOutcome,
    {
        let f = Arc::new(f);
        self.with_callbacks(move |cb| {
            cb.token_verification = Some(Arc::new(move |token| {
                let fut = f(token);
                Box::pin(async move { fut.await.into_outcome() })
            }))
        })
    }

    /// Flask's `token_in_blocklist_loader`: decides revocation itself, instead
    /// of the manager's [`Blocklist`](crate::Blocklist) store. Consulted only
    /// for tokens whose signature and claims are valid; an `Err` fails the
    /// request closed (503).
    pub fn token_in_blocklist_loader<F, Fut>(self, f: F) -> Self
    where
        F: Fn(Arc<DecodedToken>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, BlocklistError>> + Send + 'static,
    {
        let f = Arc::new(f);
        self.with_callbacks(move |cb| {
            cb.token_in_blocklist = Some(Arc::new(move |token| Box::pin(f(token))))
        })
    }

    /// Flask's `encode_key_loader`: the key that signs a new token, chosen from
    /// the identity (as JSON); `None` uses the configured key. A key with a
    /// key id writes it into the token's `kid` header.
    pub fn encode_key_loader<F>(self, f: F) -> Self
    where
        F: Fn(&Value) -> Option<Arc<SigningKey>> + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.encode_key = Some(Arc::new(f)))
    }

    /// Flask's `decode_key_loader`: the key that verifies a token, chosen from
    /// its **unverified header** only (`kid`, `alg`; never the unverified
    /// claims). `None` uses the configured keys. The token's `alg` must still
    /// be among the decode algorithms and match the key.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use axum_jwt_extended::{Algorithm, VerificationKey};
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// let tenant_a = Arc::new(VerificationKey::from_secret(Algorithm::HS256, "tenant A's secret, 32 bytes or more")?);
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?.decode_key_loader(move |header| {
    ///     (header.get("kid").and_then(|k| k.as_str()) == Some("tenant-a")).then(|| tenant_a.clone())
    /// });
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn decode_key_loader<F>(self, f: F) -> Self
    where
        F: Fn(&serde_json::Map<String, Value>) -> Option<Arc<VerificationKey>>
            + Send
            + Sync
            + 'static,
    {
        self.with_callbacks(|cb| cb.decode_key = Some(Arc::new(f)))
    }

    /// The JWKS document (RFC 7517) of the public keys of this manager: the
    /// configured key and the rotation keys, with their key ids. HMAC secrets
    /// are never published (a symmetric configuration has no keys here).
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .config()
            .keys
            .verifying
            .iter()
            .filter_map(|k| k.to_jwk())
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// A ready axum handler serving [`jwks`](Self::jwks), for
    /// `/.well-known/jwks.json`. The document is built once.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// # let jwt = axum_jwt_extended::JwtManager::new(axum_jwt_extended::JwtConfig::builder().algorithm("ES256")
    /// #     .public_key(include_str!("../../../tests/fixtures/keys/ec256-public.pem")).build()?)?;
    /// let app: Router = Router::new().route("/.well-known/jwks.json", get(jwt.jwks_handler()));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn jwks_handler(
        &self,
    ) -> impl Fn() -> std::future::Ready<Response> + Clone + Send + Sync + 'static {
        let body = bytes::Bytes::from(self.jwks().to_string());
        move || {
            let mut res = Response::new(axum_core::body::Body::from(body.clone()));
            res.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/jwk-set+json"),
            );
            res.headers_mut().insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("public, max-age=300"),
            );
            std::future::ready(res)
        }
    }

    /// The one hook that renders every [`JwtError`]: the guard's refusals
    /// (401, 422, 403 of claim rules, 408/413 of bodies, 503 of stores), the
    /// errors handlers return with `?`, and the 500s of programming errors.
    /// It gets the error and, when there is one, the token it is about (for
    /// an error a handler returns, the token the handler was verified with).
    ///
    /// It replaces Flask's default rendering and the per-kind loaders below,
    /// which are shorthands for one kind each. A 401 keeps its
    /// `WWW-Authenticate` challenge unless the hook sets its own.
    ///
    /// ```
    /// use axum::{response::IntoResponse, Json};
    /// use serde_json::json;
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?.error_handler(|error, _token| {
    ///     let body = json!({ "error": { "code": error.kind(), "message": error.to_string() } });
    ///     (error.status(), Json(body)).into_response()
    /// });
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn error_handler<F>(self, f: F) -> Self
    where
        F: Fn(&JwtError, Option<&DecodedToken>) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.error_handler = Some(Arc::new(f)))
    }

    /// Flask's `expired_token_loader`: the response for an expired token.
    ///
    /// ```
    /// use axum::{http::StatusCode, response::IntoResponse, Json};
    /// use serde_json::json;
    /// # let config = axum_jwt_extended::JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
    /// let jwt = axum_jwt_extended::JwtManager::new(config)?.expired_token_loader(|token| {
    ///     let body = json!({ "code": "token_expired", "type": token.token_type() });
    ///     (StatusCode::UNAUTHORIZED, Json(body)).into_response()
    /// });
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn expired_token_loader<F>(self, f: F) -> Self
    where
        F: Fn(&DecodedToken) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.expired = Some(Arc::new(f)))
    }

    /// Flask's `needs_fresh_token_loader`.
    pub fn needs_fresh_token_loader<F>(self, f: F) -> Self
    where
        F: Fn(&DecodedToken) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.needs_fresh = Some(Arc::new(f)))
    }

    /// Flask's `revoked_token_loader`.
    pub fn revoked_token_loader<F>(self, f: F) -> Self
    where
        F: Fn(&DecodedToken) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.revoked = Some(Arc::new(f)))
    }

    /// Flask's `token_verification_failed_loader`.
    pub fn token_verification_failed_loader<F>(self, f: F) -> Self
    where
        F: Fn(&DecodedToken) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.verification_failed = Some(Arc::new(f)))
    }

    /// Flask's `user_lookup_error_loader`.
    pub fn user_lookup_error_loader<F>(self, f: F) -> Self
    where
        F: Fn(&DecodedToken) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.user_lookup_error = Some(Arc::new(f)))
    }

    /// Flask's `invalid_token_loader`: the response for every 422 (malformed
    /// or invalid token, wrong type), given the message.
    pub fn invalid_token_loader<F>(self, f: F) -> Self
    where
        F: Fn(&str) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.invalid = Some(Arc::new(f)))
    }

    /// Flask's `unauthorized_loader`: the response when no token is found (and
    /// for CSRF failures), given the message.
    pub fn unauthorized_loader<F>(self, f: F) -> Self
    where
        F: Fn(&str) -> Response + Send + Sync + 'static,
    {
        self.with_callbacks(|cb| cb.unauthorized = Some(Arc::new(f)))
    }
}
