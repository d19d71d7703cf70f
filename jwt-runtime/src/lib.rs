//! The runtime of [axum-jwt-extended](https://docs.rs/axum-jwt-extended):
//! configuration, token creation, verification, errors and the request context.
//!
//! Users depend on the `axum-jwt-extended` facade, which re-exports everything
//! here together with the attribute macros. This crate holds all the logic; the
//! macros only generate calls into [`private`](crate::__private).
//!
//! # Wire compatibility with Flask-JWT-Extended 4.7
//!
//! Tokens are written in Flask-JWT-Extended's layout: header
//! `{"alg":"HS256","typ":"JWT"}`, payload `fresh, iat, jti, type, sub, nbf,
//! csrf, exp` (`jti` and `csrf` are UUIDv4 strings), access tokens for 15
//! minutes and refresh tokens for 30 days. Tokens minted by a Flask service
//! verify here and the other way round.
//!
//! # Keys
//!
//! HMAC (`HS256` by default) needs a secret at least as long as the hash (32
//! bytes for HS256); asymmetric algorithms take `private_key`/`public_key` in
//! PEM, RSA keys need 2048 bits. `key_id` names the key in new tokens' `kid`
//! header; `verification_key` adds older keys for rotation; `jwks()` publishes
//! the public keys and [`RemoteJwks`] verifies with another issuer's. Tokens
//! choose a key by `kid` only among configured keys: `jwk`, `jku` and `x5u`
//! headers are never used.
//!
//! # Behaviour
//!
//! Verification runs in Flask-JWT-Extended's order and answers with its
//! statuses and messages. The table of every check, status and message, and
//! the points where we are deliberately stricter than Flask, is the facade's
//! [behaviour guide](https://docs.rs/axum-jwt-extended/latest/axum_jwt_extended/guide/behaviour/index.html)
//! (`docs/guide/behaviour.md` in the repository); every row is pinned by a test.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Where each behaviour lives. Imports run down this list (a module uses only
// modules above it): leaves first, the manager and the HTTP glue last.
//
// Leaves
//   error          the error type, its status, and every Flask contract text (`messages`)
//   claim_paths    where roles and scopes sit in claims (`realm_access.roles`, `scope`, `scp`)
//   clock, claims  the time source; a verified token and its typed accessors
//   location       the `JWT_TOKEN_LOCATION` vocabulary
//   requirements   a route's arguments (`optional`, `fresh`, `refresh`, ...) as bits
//   python         Python/Werkzeug emulation: truthiness, `str.split`, latin-1 headers
// Stores, keys and configuration
//   store/         what the stores share: `BoxFuture`, a store's failure, the Redis link
//   blocklist/     the revocation store trait, memory, Redis (one server, TLS, cluster) and its local mirror
//   session_store/  a record per login (device list): the store trait, memory and Redis
//   keys/          crypto backend per feature, prepared keys, key checks, JWK, the key set
//   jwks/          a remote JWKS as a key source; its HTTP(S) client, TLS roots, OIDC discovery
//   issuers        trusted identity providers: keys, audiences, algorithms, claim layout
//   config/        option values, the validated config, the builder, `build()`'s checks
// Requests and tokens
//   csrf           the double-submit comparison, in constant time
//   token/         encode and its options (minting); decode as steps: header, signature,
//                   payload, claim validation; key_pick (the key for an allowed alg)
//   cache          the verified-token cache
// The manager and the HTTP glue
//   manager/       configuration, minting, stores and loaders; verifier (whose rules and
//                   which key verify a token: ours, a trusted issuer's, a remote key set's);
//                   revocation (logout, families, rotation); callbacks (loaders);
//                   rejection (the one error renderer). It reads no request state.
//   guard/         the per-request flow and its state, one entry for every guard: find (each
//                   location's reading in find/sources), decode (cache or full), checks
//                   (route, stores, loaders), the rule, the record; body (what a guard
//                   may read, bounded, the handler gets back); context (the record and
//                   its accessors), current (the request's manager, Flask's module-level
//                   functions, a handler's errors rendered), mint (a token minted in a
//                   request joins its login)
//   cookies        `set_*_cookies` / `unset_*` and request cookie parsing
//   extract        the extractors (`Jwt`, `OptionalJwt`, ...)
//   authz          roles and scopes a route requires (`Need`, `Authorization`), 403 insufficient_scope
//   layer          `JwtManager::layer()`, `RequireJwtLayer`
//   websocket      on_upgrade_with_jwt: the socket in the token's scope, closed when the token ends
//   openapi        utoipa security scheme
//   gates          stand-ins naming the feature of a disabled item (a compile error)

mod authz;
mod blocklist;
mod cache;
mod claim_paths;
mod claims;
mod clock;
mod config;
#[cfg(feature = "cookies")]
mod cookies;
mod csrf;
mod error;
mod extract;
mod gates;
mod guard;
mod issuers;
mod jwks;
mod keys;
mod layer;
mod location;
mod manager;
#[cfg(feature = "utoipa")]
mod openapi;
mod python;
mod requirements;
mod session_store;
mod store;
mod token;
#[cfg(feature = "websocket")]
mod websocket;

#[doc(hidden)]
pub mod __private;

pub use authz::{Authorization, Authorize, Need};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use blocklist::RedisBlocklist;
pub use blocklist::{
    Blocklist, BlocklistError, BoxFuture, MemoryBlocklist, Revocation, RevocationQuery,
};
pub use claim_paths::{ClaimPath, ClaimPaths};
pub use claims::DecodedToken;
pub use clock::{Clock, FixedClock, IntoDuration, SystemClock};
pub use config::{
    Audience, Expires, JwtConfig, JwtConfigBuilder, SameSite, DEFAULT_JSON_BODY_LIMIT,
    DEFAULT_MAX_TOKEN_LENGTH, DEFAULT_VERIFIED_TOKEN_CACHE,
};
#[cfg(feature = "cookies")]
#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
pub use cookies::{
    set_access_cookies, set_access_cookies_with, set_refresh_cookies, set_refresh_cookies_with,
    unset_access_cookies, unset_jwt_cookies, unset_refresh_cookies,
};
#[cfg(feature = "cookies")]
#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
pub use cookies::{CookieOptions, JwtCookies};
pub use error::{messages, JwtError};
pub use extract::{
    AnyClaims, AuthUser, ClaimRule, CurrentUser, FreshJwt, FromIssuer, FromLayer, FromState,
    Identity, IssuerName, Jwt, JwtClaims, JwtOfType, LoadUser, ManagerSource, OfType, OptionalJwt,
    RefreshJwt, StateJwt, VerifyJwt,
};
#[cfg(not(feature = "jwks-http"))]
#[doc(hidden)]
pub use gates::NeedsJwksHttpFeature;
#[cfg(not(feature = "jwks-https"))]
#[doc(hidden)]
pub use gates::NeedsJwksHttpsFeature;
#[cfg(not(feature = "cookies"))]
#[doc(hidden)]
pub use gates::{
    set_access_cookies, set_access_cookies_with, set_refresh_cookies, set_refresh_cookies_with,
    unset_access_cookies, unset_jwt_cookies, unset_refresh_cookies, CookieOptions, JwtCookies,
    NeedsCookiesFeature,
};
#[cfg(not(feature = "redis"))]
#[doc(hidden)]
pub use gates::{NeedsRedisFeature, RedisBlocklist, RedisSessionStore};
pub use guard::context::{
    current_token, get_current_user, get_jwt, get_jwt_header, get_jwt_identity,
    get_jwt_identity_value, get_jwt_request_location, Claims, JwtContext, JwtHeader,
};
pub use guard::current::{
    create_access_token, create_access_token_with, create_refresh_token, create_refresh_token_with,
    create_token_of, create_token_pair, create_token_pair_with, current_manager, decode_token,
    revoke_current_token, revoke_current_token_family, rotate_current_refresh_token,
    spawn_with_jwt,
};
pub use issuers::Issuer;
pub use jsonwebtoken::Algorithm;
#[cfg(feature = "jwks-https")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks-https")))]
pub use jwks::TlsRoots;
pub use jwks::{JwksDocument, JwksFetcher, RemoteJwks};
pub use keys::{LegacySecret, SigningKey, VerificationKey};
pub use layer::{JwtFuture, JwtLayer, JwtService};
pub use layer::{RequireJwt, RequireJwtLayer};
pub use location::{Location, UnknownLocation};
pub use manager::{JwtManager, JwtRejection, TokenPair, UserLookupOutcome, VerificationOutcome};
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub use openapi::JwtSecurityAddon;
/// The `redis` crate the Redis stores are built on (feature `redis`), to
/// build a `redis::Client` or a connection manager for
/// [`RedisBlocklist::from_client`] and friends with the same version.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis;
pub use requirements::{req, Requirements, TokenKind};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use session_store::RedisSessionStore;
pub use session_store::{
    MemorySessionStore, Session, SessionLogin, SessionRecord, SessionStore, SessionStoreError,
    DEFAULT_MAX_SESSION_METADATA,
};
pub use token::{Fresh, TokenOptions, FAMILY_CLAIM};
#[cfg(feature = "websocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "websocket")))]
pub use websocket::{JwtSocket, SocketClosed, SocketOptions, SocketSender, WebSocketUpgradeExt};

#[doc(hidden)]
pub mod __time {
    pub use time::Duration;
}
