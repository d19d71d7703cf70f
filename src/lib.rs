//! # axum-jwt-extended
//!
//! [Flask-JWT-Extended](https://flask-jwt-extended.readthedocs.io/), for axum.
//!
//! Protecting a Flask view is one line, `@jwt_required()`; refresh and fresh
//! tokens come out of the box; every failure answers with a sensible status and
//! `{"msg": ...}`. Rust's JWT crates validate tokens but do not issue them, and
//! have no access/refresh split, no fresh tokens and fixed error bodies. This
//! crate brings Flask-JWT-Extended's model to axum, wire-compatible with it: the
//! same claim layout, status codes and error bodies, so a token minted by a
//! Flask service verifies here and the other way round.
//!
//! ```
//! use axum::routing::{get, post};
//! use axum::{Json, Router};
//! use axum_jwt_extended::{
//!     create_access_token, create_refresh_token, get_jwt_identity, jwt_required, JwtConfig,
//!     JwtError, JwtManager,
//! };
//! use serde_json::{json, Value};
//!
//! async fn login() -> Result<Json<Value>, JwtError> {
//!     let access_token = create_access_token("example_user")?;
//!     let refresh_token = create_refresh_token("example_user")?;
//!     Ok(Json(json!({ "access_token": access_token, "refresh_token": refresh_token })))
//! }
//!
//! #[jwt_required(refresh)]
//! async fn refresh() -> Result<Json<Value>, JwtError> {
//!     let access_token = create_access_token(get_jwt_identity())?;
//!     Ok(Json(json!({ "access_token": access_token })))
//! }
//!
//! #[jwt_required]
//! async fn protected() -> Json<Value> {
//!     Json(json!({ "logged_in_as": get_jwt_identity() }))
//! }
//!
//! fn app() -> Result<Router, JwtError> {
//!     let config = JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
//!     let jwt = JwtManager::new(config)?;
//!     Ok(Router::new()
//!         .route("/login", post(login))
//!         .route("/refresh", post(refresh))
//!         .route("/protected", get(protected))
//!         .layer(jwt.layer()))
//! }
//! # app().unwrap();
//! ```
//!
//! A request without a token gets `401 {"msg": "Missing Authorization Header"}`,
//! a refresh token on `/protected` gets `422 {"msg": "Only non-refresh tokens are
//! allowed"}`, an expired one `401 {"msg": "Token has expired"}`: the full table
//! is the [behaviour guide](guide::behaviour), with the points where we are
//! deliberately stricter than Flask.
//!
//! # What `#[jwt_required]` expands to
//!
//! ```text
//! #[jwt_required(fresh)]
//! async fn handler(State(db): State<Db>, Json(body): Json<Input>) -> Result<Json<Out>, Error> {
//!     /* your code */
//! }
//! // becomes
//! async fn handler(
//!     __jwt_guard: ::axum_jwt_extended::__private::VerifyJwt<{ req::FRESH }>,
//!     State(db): State<Db>,
//!     Json(body): Json<Input>,
//! ) -> Result<Json<Out>, Error> {
//!     let __jwt_body = async move {
//!         let __jwt_result: Result<Json<Out>, Error> = { /* your code */ };
//!         __jwt_result
//!     };
//!     ::axum_jwt_extended::__private::VerifyJwt::scope(__jwt_guard, __jwt_body).await
//! }
//! ```
//!
//! The guard is an extractor, so it runs before every other extractor: a request
//! without a token is refused before its body is read. Its requirements are a
//! const generic, so nothing is looked up per request. The body then runs in a
//! task-local scope where [`get_jwt_identity`], [`get_jwt`], [`get_jwt_header`]
//! and [`get_jwt_request_location`] see the verified token. The signature,
//! attributes, docs and return type are kept; generated names are hygienic.
//!
//! # Arguments
//!
//! | argument | Flask | effect |
//! |---|---|---|
//! | `optional` | `optional=True` | no token is fine (accessors give `None`); an invalid one is still refused |
//! | `fresh` | `fresh=True` | the access token must be fresh |
//! | `refresh` | `refresh=True` | only refresh tokens |
//! | `verify_type = false` | `verify_type=False` | access and refresh tokens both accepted |
//! | `skip_revocation_check` | `skip_revocation_check=True` | the blocklist is not consulted |
//! | `locations(headers, cookies, query_string, json)` | `locations=[...]` | where to look, in order, instead of `JWT_TOKEN_LOCATION` |
//! | `roles("a")`, `roles(any("a", "b"))`, `roles(all(...))` | (a custom `admin_required` decorator) | the token's roles ([`DecodedToken::roles`]), 403 `insufficient_scope` when missing; see [authorization](guide::authorization) |
//! | `scopes(...)` | | the same for scopes (`scope`, `scp`) |
//! | `rule = Type` | (a custom decorator) | a [`ClaimRule`] on the claims, 403 `{"msg": ...}` when it refuses |
//! | `token_type = Type` | (requested upstream) | a token of the app-defined [`TokenKind`] `Type` instead of an access token |
//! | `from_state` | | the manager comes from the router's state ([`FromState`]): a state without one does not compile |
//! | `crate = "path"` | | the facade's path when the dependency is renamed |
//!
//! Flags can be written bare or as `name = true`/`name = false`.
//! [`macro@jwt_refresh_token_required`], [`macro@fresh_jwt_required`] and
//! [`macro@jwt_optional`] are Flask-JWT-Extended 3's names for the presets.
//! To protect a whole router at once, layer it with [`JwtManager::require`].
//! Handlers written without the macro use the extractors [`Jwt`],
//! [`OptionalJwt`], [`FreshJwt`], [`RefreshJwt`] or [`VerifyJwt`] (Flask's
//! `verify_jwt_in_request`), `Option<Jwt>`, and the typed [`Identity`],
//! [`JwtClaims`], [`CurrentUser`] and [`AuthUser`] (see
//! [the typed style](guide::typed_style)).
//!
//! # Guides
//!
//! One page per topic in [`guide`]: [refresh tokens](guide::refresh_tokens),
//! [fresh tokens](guide::fresh_tokens), [locations and CSRF](guide::locations_and_csrf),
//! [revocation and Redis](guide::revocation), [keys and JWKS](guide::keys_and_jwks),
//! [identity providers](guide::identity_providers) (Keycloak, Auth0, Entra ID, ...),
//! [authorization](guide::authorization) (roles, scopes, RFC 6750, OpenAPI),
//! [sessions and devices](guide::sessions), [WebSockets](guide::websockets),
//! [custom errors](guide::custom_errors), [the typed style](guide::typed_style)
//! (typed extractors next to Flask's accessors), [testing your handlers](guide::testing),
//! [how a request flows](guide::request_flow) (the layer, the guard's steps, what
//! each feature reads).
//! The [behaviour table](guide::behaviour) lists every check with its status
//! and message; moving from Flask, [the migration guide](guide::migrating) maps
//! every Flask-JWT-Extended name to ours.
//!
//! # Feature flags
//!
//! | feature | default | what |
//! |---|---|---|
//! | `aws-lc-rs` | yes | crypto with aws-lc-rs (constant time, fast) |
//! | `macros` | yes | the attribute macros (`#[jwt_required]` and Flask 3's names) |
//! | `cookies` | yes | cookie helpers (`set_access_cookies`, `unset_jwt_cookies`, ...) and implicit refresh; reading tokens from cookies (with CSRF) works without it |
//! | `rust-crypto` | no | pure-Rust crypto instead (RustCrypto crates); verifies every algorithm but refuses to *sign* with RSA (RS*/PS*), whose RustCrypto implementation is not constant time (RUSTSEC-2023-0071) |
//! | `tracing` | yes | `tracing` events for verification outcomes (the kind of failure, never the token) |
//! | `redis` | no | `RedisBlocklist`, a revocation store shared by a fleet |
//! | `redis-tls` | no | `rediss://` for the Redis stores (rustls; the platform's roots and `SSL_CERT_FILE`, or a client from `redis::Client::build_with_tls`) |
//! | `redis-cluster` | no | `RedisBlocklist::cluster` and `RedisSessionStore::cluster`: the stores in a Redis Cluster |
//! | `websocket` | no | `WebSocketUpgradeExt::on_upgrade_with_jwt`: the socket in the token's scope, closed (1008) when the token expires or is revoked; see [WebSockets](guide::websockets) |
//! | `jwks-http` | no | `RemoteJwks::http` (plain HTTP) and OpenID discovery of a loopback provider |
//! | `jwks-https` | no | `RemoteJwks::https`, `Issuer::discover` over HTTPS, `TlsRoots` (rustls; the platform's roots and `SSL_CERT_FILE`; no OpenSSL); see [identity providers](guide::identity_providers) |
//! | `utoipa` | no | `JwtSecurityAddon`: the `bearer_jwt` and `cookie_jwt` OpenAPI security schemes |
//!
//! The minimum supported Rust
//! version is 1.89 (the `rust-version` of the crates; jsonwebtoken 11 needs 1.88).
//!
//! # Performance
//!
//! The guard verifies an HS256 token in about 0.9 µs (half of
//! `jsonwebtoken::decode`); RS256, ES256 and EdDSA cost what their signature
//! check costs (17 to 50 µs). The verified-token cache is on by default
//! (4,096 tokens, about 3.4 MiB of typical access tokens): a repeated token
//! then costs about 0.2 µs with any algorithm, while its expiry, type,
//! freshness and revocation are still checked on every request (rules in
//! `SECURITY.md`); `verified_token_cache(0)` turns it off.
//!
//! ```
//! use axum_jwt_extended::{JwtConfig, JwtManager};
//! let jwt = JwtManager::new(
//!     JwtConfig::builder()
//!         .secret_key("a long, random secret of 32+ bytes")
//!         .verified_token_cache(10_000)
//!         .build()?,
//! )?;
//! # let _ = jwt;
//! # Ok::<(), axum_jwt_extended::JwtError>(())
//! ```
//!
//! `Router::layer(jwt.layer())` adds the layer to every route, and axum's
//! per-route layering costs about 0.2 µs a request; `jwt.layer().wrap(app)`
//! puts it once around the whole router instead (see [`JwtLayer::wrap`]).
//!
//! Numbers, commands and the comparison with Flask-JWT-Extended: `BENCHMARKS.md`.
//!
//! # Limits
//!
//! - The task-local scope ends with the handler body. `tokio::spawn` does not
//!   inherit it: use [`spawn_with_jwt`], or [`JwtContext::current`] with
//!   [`JwtContext::scope`].
//! - Put `#[jwt_required]` above `#[debug_handler]`. The other order does not
//!   compile ("argument #1 of type `VerifyJwt` is missing"), because
//!   `debug_handler` checks the handler before the guard is added.
//! - A handler can take at most 15 extractors of its own: axum allows 16 and
//!   the guard is one.
//! - With utoipa, put `#[utoipa::path(...)]` above `#[jwt_required]`: utoipa
//!   then documents the handler's own signature (the other order works too;
//!   the guard never appears as a parameter). Register the security schemes
//!   with `#[openapi(modifiers(&JwtSecurityAddon))]` (feature `utoipa`).
//! - `locations(json)` on a route needs the layer to read JSON bodies: have
//!   `json` in `JWT_TOKEN_LOCATION`, or call `read_json_body(true)` on the
//!   config builder.
//! - Free functions such as [`create_access_token`] need the request to run
//!   under [`JwtManager::layer`]; elsewhere (CLIs, tests) call the methods of
//!   [`JwtManager`].

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use jwt_macros::{fresh_jwt_required, jwt_optional, jwt_refresh_token_required, jwt_required};
pub use jwt_runtime::*;

/// Topic guides; every example compiles as a doctest.
pub mod guide {
    #[doc = include_str!("../docs/guide/refresh_tokens.md")]
    pub mod refresh_tokens {}
    #[doc = include_str!("../docs/guide/fresh_tokens.md")]
    pub mod fresh_tokens {}
    #[doc = include_str!("../docs/guide/locations_and_csrf.md")]
    pub mod locations_and_csrf {}
    #[doc = include_str!("../docs/guide/revocation.md")]
    pub mod revocation {}
    #[doc = include_str!("../docs/guide/keys_and_jwks.md")]
    pub mod keys_and_jwks {}
    #[doc = include_str!("../docs/guide/identity_providers.md")]
    pub mod identity_providers {}
    #[doc = include_str!("../docs/guide/authorization.md")]
    pub mod authorization {}
    #[doc = include_str!("../docs/guide/sessions.md")]
    pub mod sessions {}
    #[doc = include_str!("../docs/guide/websockets.md")]
    pub mod websockets {}
    #[doc = include_str!("../docs/guide/custom_errors.md")]
    pub mod custom_errors {}
    #[doc = include_str!("../docs/guide/typed_style.md")]
    pub mod typed_style {}
    #[doc = include_str!("../docs/guide/testing.md")]
    pub mod testing {}
    #[doc = include_str!("../docs/guide/behaviour.md")]
    pub mod behaviour {}
    #[doc = include_str!("../docs/guide/request_flow.md")]
    pub mod request_flow {}
    #[doc = include_str!("../docs/MIGRATING.md")]
    pub mod migrating {}
}

/// Time spans for expiry and freshness (re-exported from the `time` crate).
pub use jwt_runtime::__time::Duration;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
