//! Extractors that verify the request's token: Flask's `verify_jwt_in_request`
//! for handlers written without the macro (the macro is sugar over them), and
//! the typed extractors ([`typed`]) that read the verified token.

mod source;
mod typed;

pub use source::{FromLayer, FromState, ManagerSource};
pub use typed::{AuthUser, CurrentUser, Identity, JwtClaims, LoadUser};

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::guard::context::JwtContext;
use crate::location::Location;
use crate::manager::JwtManager;
use crate::manager::JwtRejection;
use crate::requirements::{req, Requirements, TokenKind};

/// Verifies the request's token before the handler runs; the rejection is
/// Flask's error response.
///
/// `REQ` is a combination of [`req`] bits; the aliases [`Jwt`], [`OptionalJwt`],
/// [`FreshJwt`] and [`RefreshJwt`] cover the usual cases.
///
/// ```
/// use axum::{routing::get, Json, Router};
/// use axum_jwt_extended::{Jwt, JwtConfig, JwtManager};
/// use serde_json::{json, Value};
///
/// async fn protected(jwt: Jwt) -> Json<Value> {
///     Json(json!({ "logged_in_as": jwt.identity() }))
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let app: Router = Router::new().route("/protected", get(protected)).layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
///
/// `M` says where the manager comes from: [`FromLayer`] (the default,
/// `JwtManager::layer()`) or [`FromState`] (the router's state, checked at
/// compile time).
pub struct VerifyJwt<const REQ: u32 = 0, R: ClaimRule = AnyClaims, M = FromLayer> {
    context: JwtContext,
    /// The manager when it came from the state and no layer gave one: the
    /// handler's body runs in its scope (for the free functions).
    manager: Option<JwtManager>,
    rule: PhantomData<fn() -> (R, M)>,
}

impl<const REQ: u32, R: ClaimRule, M> Clone for VerifyJwt<REQ, R, M> {
    fn clone(&self) -> Self {
        VerifyJwt {
            context: self.context.clone(),
            manager: self.manager.clone(),
            rule: PhantomData,
        }
    }
}

impl<const REQ: u32, R: ClaimRule, M> std::fmt::Debug for VerifyJwt<REQ, R, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyJwt")
            .field("requirements", &Self::REQUIREMENTS)
            .field("context", &self.context)
            .finish()
    }
}

/// A rule on the claims of a verified token, checked after Flask's
/// verification: a refusal answers 403 with `{"msg": <your message>}`. What
/// Flask users write as a custom decorator around `verify_jwt_in_request`.
///
/// Rules apply when a token is present (an optional route without a token
/// passes).
///
/// ```
/// use std::borrow::Cow;
/// use axum_jwt_extended::{ClaimRule, DecodedToken};
///
/// /// Only tokens whose `roles` claim lists `admin`.
/// struct Admin;
///
/// impl ClaimRule for Admin {
///     fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>> {
///         let is_admin = token
///             .get("roles")
///             .and_then(|r| r.as_array())
///             .is_some_and(|roles| roles.iter().any(|r| r == "admin"));
///         if is_admin { Ok(()) } else { Err("Admins only!".into()) }
///     }
/// }
/// // In a handler: `#[jwt_required(rule = Admin)]`, or the extractor
/// // `VerifyJwt<0, Admin>`.
/// ```
pub trait ClaimRule: 'static {
    /// `Ok` lets the request through; `Err(msg)` answers 403 `{"msg": msg}`.
    fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>>;

    /// The refusal as an error: [`check`](Self::check)'s message as a 403
    /// [`JwtError::Forbidden`] unless a rule says otherwise.
    fn verify(token: &DecodedToken) -> Result<(), JwtError> {
        Self::check(token).map_err(JwtError::Forbidden)
    }
}

/// Both rules, in order.
impl<A: ClaimRule, B: ClaimRule> ClaimRule for (A, B) {
    fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>> {
        A::check(token)?;
        B::check(token)
    }

    fn verify(token: &DecodedToken) -> Result<(), JwtError> {
        A::verify(token)?;
        B::verify(token)
    }
}

/// The rule of a route that requires an app-defined token type `K`: a token
/// of another type is a 422 `Only <K::NAME> tokens are allowed` (Flask's
/// wording for refresh tokens).
pub struct OfType<K>(PhantomData<fn() -> K>);

impl<K: TokenKind> std::fmt::Debug for OfType<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OfType").field(&K::NAME).finish()
    }
}

impl<K: TokenKind> ClaimRule for OfType<K> {
    fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>> {
        if token.token_type() == Some(K::NAME) && !matches!(K::NAME, "" | "access" | "refresh") {
            Ok(())
        } else {
            Err(format!("Only {} tokens are allowed", K::NAME).into())
        }
    }

    fn verify(token: &DecodedToken) -> Result<(), JwtError> {
        Self::check(token).map_err(JwtError::WrongTokenType)
    }
}

/// A token of the app-defined type `K` is required (see [`TokenKind`]).
///
/// ```
/// use axum_jwt_extended::{JwtOfType, TokenKind};
///
/// struct PasswordReset;
/// impl TokenKind for PasswordReset {
///     const NAME: &'static str = "password_reset";
/// }
///
/// async fn reset_password(token: JwtOfType<PasswordReset>) -> String {
///     format!("new password for {}", token.identity().unwrap_or_default())
/// }
/// ```
pub type JwtOfType<K> = VerifyJwt<{ req::CUSTOM_TYPE }, OfType<K>>;

/// A trusted issuer named in a type, for [`FromIssuer`].
pub trait IssuerName: 'static {
    /// The issuer's `iss`, exactly as trusted with
    /// [`JwtConfigBuilder::trust_issuer`](crate::JwtConfigBuilder::trust_issuer).
    const ISSUER: &'static str;
}

/// The rule of a route that accepts the tokens of one issuer only: a token
/// of another trusted issuer (or one this service minted) is a 422 `Invalid
/// issuer`, PyJWT's answer to an issuer it does not accept.
///
/// ```
/// use axum::routing::get;
/// use axum::Router;
/// use axum_jwt_extended::{jwt_required, FromIssuer, IssuerName};
///
/// struct Staff;
/// impl IssuerName for Staff {
///     const ISSUER: &'static str = "https://sso.example.com/realms/staff";
/// }
///
/// #[jwt_required(rule = FromIssuer<Staff>)]
/// async fn payroll() -> &'static str {
///     "staff only"
/// }
///
/// let app: Router = Router::new().route("/payroll", get(payroll));
/// # let _ = app;
/// ```
pub struct FromIssuer<I>(PhantomData<fn() -> I>);

impl<I: IssuerName> std::fmt::Debug for FromIssuer<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FromIssuer").field(&I::ISSUER).finish()
    }
}

impl<I: IssuerName> ClaimRule for FromIssuer<I> {
    fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>> {
        if token.issuer() == Some(I::ISSUER) {
            Ok(())
        } else {
            Err(crate::error::messages::INVALID_ISSUER.into())
        }
    }

    fn verify(token: &DecodedToken) -> Result<(), JwtError> {
        Self::check(token).map_err(JwtError::InvalidToken)
    }
}

/// The rule that accepts every verified token (the default).
#[derive(Debug, Clone, Copy)]
pub struct AnyClaims;

impl ClaimRule for AnyClaims {
    fn check(_: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Ok(())
    }
}

/// A valid access token is required (`@jwt_required()`).
pub type Jwt = VerifyJwt<0>;
/// A token is optional; an invalid one is still refused (`@jwt_required(optional=True)`).
pub type OptionalJwt = VerifyJwt<{ req::OPTIONAL }>;
/// A fresh access token is required (`@jwt_required(fresh=True)`).
pub type FreshJwt = VerifyJwt<{ req::FRESH }>;
/// A refresh token is required (`@jwt_required(refresh=True)`).
pub type RefreshJwt = VerifyJwt<{ req::REFRESH }>;
/// [`Jwt`] with the manager of the router's state ([`FromState`]).
pub type StateJwt = VerifyJwt<0, AnyClaims, FromState>;

impl<const REQ: u32, R: ClaimRule, M> VerifyJwt<REQ, R, M> {
    /// The route's requirements.
    pub const REQUIREMENTS: Requirements = Requirements::from_bits(REQ);

    /// The verification outcome, to run code with [`JwtContext::scope`].
    pub fn context(&self) -> &JwtContext {
        &self.context
    }

    /// Consumes the extractor into its context.
    pub fn into_context(self) -> JwtContext {
        self.context
    }

    /// The verified token (`None` on an optional route without one).
    pub fn token(&self) -> Option<&DecodedToken> {
        self.context.token()
    }

    /// The identity as a string (see [`get_jwt_identity`](crate::get_jwt_identity)).
    pub fn identity(&self) -> Option<String> {
        self.context.identity()
    }

    /// The identity as a `T` (see [`DecodedToken::identity_as`]): what
    /// [`Identity<T>`](crate::Identity) gives, for this guard's token (a
    /// refresh token's too). On an optional route without a token, Flask's
    /// 401 "Missing Authorization Header".
    ///
    /// ```
    /// use axum_jwt_extended::{JwtError, RefreshJwt};
    ///
    /// async fn refresh(refresh: RefreshJwt) -> Result<String, JwtError> {
    ///     let user_id: u64 = refresh.identity_as()?;
    ///     Ok(format!("a new access token for user {user_id}"))
    /// }
    /// # let _ = refresh;
    /// ```
    pub fn identity_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, JwtError> {
        self.verified()?.identity_as()
    }

    /// The claims as a `T` (see [`DecodedToken::claims_as`]): what
    /// [`JwtClaims<T>`](crate::JwtClaims) gives, for this guard's token.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtError, RefreshJwt};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Login {
    ///     sub: String,
    ///     jti: String,
    /// }
    ///
    /// async fn refresh(refresh: RefreshJwt) -> Result<String, JwtError> {
    ///     let login: Login = refresh.claims_as()?;
    ///     Ok(format!("{} renews {}", login.sub, login.jti))
    /// }
    /// # let _ = refresh;
    /// ```
    pub fn claims_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, JwtError> {
        self.verified()?.claims_as()
    }

    fn verified(&self) -> Result<&DecodedToken, JwtError> {
        self.context
            .token()
            .ok_or_else(|| JwtError::NoAuthorization("Missing Authorization Header".into()))
    }

    /// Where the token was found.
    pub fn location(&self) -> Option<Location> {
        self.context.location()
    }

    /// The user loaded by the manager's `user_lookup_loader`, if it is a `U`.
    pub fn current_user<U: Send + Sync + 'static>(&self) -> Option<Arc<U>> {
        self.context.current_user()
    }

    /// Runs `fut` with this token in scope for the free accessors.
    pub fn scope<F: Future>(self, fut: F) -> impl Future<Output = F::Output> {
        self.context.scope(fut)
    }

    /// What `#[jwt_required]` runs the handler's body in: [`scope`](Self::scope),
    /// and, when the manager came from the router's state with no layer in
    /// front, the manager's scope too, so that the free functions
    /// (`create_access_token`, `revoke_current_token`, ...) find it.
    pub async fn run<F: Future>(self, fut: F) -> F::Output {
        use crate::guard::state::{self, RequestState};
        // Inside the layer's state this guard's record is the handler's
        // (a guard argument after the attribute may have recorded its own).
        match state::record(self.context) {
            Ok(()) => fut.await,
            // No layer in front: a state of this handler's own.
            Err(context) => state::scope(RequestState::new(self.manager, Some(context)), fut).await,
        }
    }
}

/// The manager that verifies: the layer's when there is one, otherwise the
/// one `M` names, put where the typed extractors look for it (and returned
/// a second time, for [`VerifyJwt::run`], as it came from outside a layer).
fn provide_manager<S, M: ManagerSource<S>>(
    parts: &mut Parts,
    state: &S,
) -> Result<(JwtManager, Option<JwtManager>), JwtRejection> {
    if let Some(layer) = parts.extensions.get::<JwtManager>() {
        return Ok((layer.clone(), None));
    }
    let manager = M::manager(parts, state)?;
    parts.extensions.insert(manager.clone());
    Ok((manager.clone(), Some(manager)))
}

impl<S, const REQ: u32, R, M> FromRequestParts<S> for VerifyJwt<REQ, R, M>
where
    S: Send + Sync,
    R: ClaimRule,
    M: ManagerSource<S>,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (verifier, manager) = provide_manager::<S, M>(parts, state)?;
        let context = crate::guard::verify(&verifier, parts, Self::REQUIREMENTS, R::verify).await?;
        Ok(VerifyJwt {
            context,
            manager,
            rule: PhantomData,
        })
    }
}

/// `Option<Jwt>` (and every other [`VerifyJwt`]): `None` when the request
/// carries no token, the refusal when it carries one that does not pass,
/// as axum's optional extractors do.
///
/// ```
/// use axum::{routing::get, Router};
/// use axum_jwt_extended::{Jwt, JwtConfig, JwtManager};
///
/// async fn greet(jwt: Option<Jwt>) -> String {
///     match jwt {
///         Some(jwt) => format!("hello {}", jwt.identity().unwrap_or_default()),
///         None => "hello stranger".to_owned(),
///     }
/// }
///
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
/// let app: Router = Router::new().route("/", get(greet)).layer(jwt.layer());
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
impl<S, const REQ: u32, R, M> OptionalFromRequestParts<S> for VerifyJwt<REQ, R, M>
where
    S: Send + Sync,
    R: ClaimRule,
    M: ManagerSource<S>,
{
    type Rejection = JwtRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let (verifier, manager) = provide_manager::<S, M>(parts, state)?;
        let requirements = Requirements::from_bits(REQ | req::OPTIONAL);
        let context = crate::guard::verify(&verifier, parts, requirements, R::verify).await?;
        Ok(context.token.is_some().then_some(VerifyJwt {
            context,
            manager,
            rule: PhantomData,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_bits_round_trip() {
        let r = Requirements::from_bits(
            req::FRESH
                | req::NO_VERIFY_TYPE
                | req::locations(&[Location::QueryString, Location::Headers]),
        );
        assert!(r.fresh && !r.optional && !r.refresh && !r.verify_type && !r.skip_revocation_check);
        assert_eq!(
            r.locations(),
            vec![Location::QueryString, Location::Headers]
        );
        assert_eq!(Requirements::default().locations(), vec![]);
        assert!(Requirements::default().verify_type);
    }
}
