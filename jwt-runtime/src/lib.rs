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
//! # Behaviour table
//!
//! Verification runs in Flask's order; the first failing row answers. Every
//! row is pinned by a test.
//!
//! | # | check | status | `{"msg": ...}` |
//! |---|---|---|---|
//! | 1 | no token in the route's locations | 401 | `Missing Authorization Header`, `Missing cookie "access_token_cookie"`, `Missing 'jwt' query paramater`, `Invalid content-type. Must be application/json.`, `Missing "access_token" key in json data.` (several locations: `Missing JWT in headers, cookies or query_string (...; ...; ...)`) |
//! | 1b | cookie token on a CSRF method (`POST`, `PUT`, `PATCH`, `DELETE`) without the double-submit value | 401 | `Missing CSRF token` |
//! | 1c | two cookies with the token's name | 422 | `Multiple cookies named "access_token_cookie"` (ours) |
//! | 1d | query value without the configured prefix | 422 | `Invalid value for query parameter 'jwt'. Expected the value to start with '...'` |
//! | 1e | a JSON token that is not a string | 422 | `Invalid token type. Token must be a <class 'bytes'>` |
//! | 2 | header without the `Bearer` field | 401 | `Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'` |
//! | 3 | `Bearer` field with more or fewer than one token | 422 | `Bad Authorization header. Expected 'Authorization: Bearer <JWT>'` |
//! | 4 | token longer than `max_token_length` (16 KiB) | 422 | `Token is too long` (ours) |
//! | 5 | fewer than three segments | 422 | `Not enough segments` |
//! | 6 | header/payload/signature not canonical base64url | 422 | `Invalid header padding` / `Invalid payload padding` / `Invalid crypto padding` |
//! | 7 | header or payload not JSON, or with a duplicate member name | 422 | `Invalid header string: ...` / `Invalid payload string: ...` |
//! | 8 | header or payload not an object | 422 | `Invalid header string: must be a json object` / `Invalid payload string: must be a json object` |
//! | 9 | `kid` not a string | 422 | `Key ID header parameter must be a string` |
//! | 10 | `crit` malformed or naming an extension | 422 | `Invalid 'crit' header: must be a non-empty list` / `Unsupported critical extension: x` |
//! | 11 | no `alg` | 422 | `Algorithm not specified` |
//! | 12 | `alg` not allowed (`none`, another family, not configured) | 422 | `The specified alg value is not allowed` |
//! | 13 | bad signature | 422 | `Signature verification failed` |
//! | 14 | `iat` / `nbf` / `exp` not a number | 422 | `Issued At claim (iat) must be an integer.` / `Not Before claim (nbf) ...` / `Expiration Time claim (exp) ...` |
//! | 15 | `iat` / `nbf` in the future (beyond the leeway) | 422 | `The token is not yet valid (iat)` / `The token is not yet valid (nbf)` |
//! | 16 | issuer configured: missing, not a string, not matching | 422 | `Token is missing the "iss" claim` / `Payload Issuer (iss) must be a string` / `Invalid issuer` |
//! | 17 | audience configured: missing, malformed, not matching | 422 | `Token is missing the "aud" claim` / `Invalid claim format in token` / `Audience doesn't match` |
//! | 18 | `sub` not a string (with `verify_sub`) | 422 | `Subject must be a string` |
//! | 19 | `jti` not a string | 422 | `JWT ID must be a string` |
//! | 20 | identity claim missing | 422 | `Missing claim: sub` |
//! | 20b | cookie token: no `csrf` claim / double-submit value differs | 422 / 401 | `Missing claim: csrf` / `CSRF double submit tokens do not match` |
//! | 21 | expired (reported after rows 14-20, like Flask) | 401 | `Token has expired` |
//! | 22 | refresh token on an access route / access token on a refresh route | 422 | `Only non-refresh tokens are allowed` / `Only refresh tokens are allowed` |
//! | 23 | fresh route, `fresh` false or a past timestamp | 401 | `Fresh token required` |
//! | 24 | fresh route, `fresh` neither a boolean nor a number | 422 | `Fresh claim (fresh) must be a boolean or a number.` (ours) |
//! | 25 | revoked `jti` | 401 | `Token has been revoked` |
//! | 26 | the blocklist fails | 503 | `Token revocation status unavailable` (ours: fail closed) |
//! | 26b | the `token_verification_loader` refuses | 400 | `User claims verification failed` |
//! | 26c | the `user_lookup_loader` finds no user | 401 | `Error loading the user <identity>` |
//! | 26d | a `ClaimRule` refuses | 403 | the rule's message (ours) |
//! | 26e | remote JWKS: unknown `kid` / never fetched | 422 / 503 | `Unable to find a signing key that matches: "<kid>"` / `Signing keys unavailable` |
//! | 27 | no `JwtManager::layer()` on the router | 500 | names the fix |
//!
//! Accepted like Flask: a token without `exp` (never expires), without `type`
//! (an access token), without `fresh` (not fresh) or `jti`; a foreign `aud`
//! when no audience is configured; `OPTIONS` requests pass unverified.
//! Every 401 carries `WWW-Authenticate: Bearer`, with `error="invalid_token"`
//! for an expired, revoked or non-fresh token (RFC 6750).
//!
//! # Where we are deliberately stricter than Flask-JWT-Extended
//!
//! - Duplicate member names in the header or payload are rejected (Flask lets
//!   the last one win, so two parsers could disagree on a claim).
//! - Base64url must be canonical and unpadded: `=` padding is rejected (PyJWT
//!   2.10+ accepts it); like PyJWT, `+`, `/`, whitespace and non-zero trailing
//!   bits are rejected.
//! - NumericDate claims (`exp`, `nbf`, `iat`) must be JSON numbers: strings and
//!   booleans that Python's `int()` would coerce are refused with PyJWT's message.
//! - JSON must be strict UTF-8 JSON (RFC 8259): Python's `NaN`/`Infinity`
//!   literals, lone surrogates, other encodings and nesting deeper than 128
//!   levels are refused. The detail after `Invalid header string: ` comes from
//!   serde_json, not Python's `json` module.
//! - A malformed `fresh` claim on a fresh-only route is a 422, not a 500.
//! - An `Authorization` field that is only whitespace (`Authorization: , ,`)
//!   counts as a field without the `Bearer` type (401, or no token on an
//!   optional route); Flask crashes with a 500.
//! - Tokens longer than `max_token_length` (16 KiB by default) are refused
//!   before any decoding.
//! - Every 401 carries `WWW-Authenticate`.
//! - Two cookies carrying the token's name in one request are refused (422
//!   `Multiple cookies named "access_token_cookie"`); Flask uses the first.
//! - A JSON body that is not an object counts as a body without the token key
//!   (401); Flask answers 500. A non-string token value gets Flask's 422.
//! - The JSON location needs the body, which the layer reads (up to
//!   `json_body_limit`, 2 MiB; larger bodies get 413) when `json` is in
//!   `token_location` or `read_json_body(true)` is set; a route asking for
//!   `locations(json)` without it gets a 500 naming the fix.
//! - Creating a token fails (instead of minting a token that could never
//!   verify) when the identity is not a string while `verify_sub` is on, and
//!   additional claims cannot override the identity, `type`, `fresh`, `jti`,
//!   `exp` or `csrf` claims; additional headers cannot set `alg`, `crit` or `b64`.
//! - A zero `expires_delta` makes a token that expires at once (Flask reads a
//!   zero `timedelta` as "never expires").

#![forbid(unsafe_code)]

mod blocklist;
mod cache;
mod callbacks;
mod claims;
mod clock;
mod config;
mod context;
#[cfg(feature = "cookies")]
mod cookies;
mod error;
mod extract;
mod jwks;
mod keys;
mod layer;
mod locations;
mod manager;
#[cfg(feature = "utoipa")]
mod openapi;
#[cfg(feature = "redis")]
mod redis_store;
mod token;

#[doc(hidden)]
pub mod __private;

pub use blocklist::{
    Blocklist, BlocklistError, BoxFuture, MemoryBlocklist, Revocation, RevocationQuery,
};
pub use callbacks::JwtRejection;
pub use claims::DecodedToken;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{
    Audience, Expires, JwtConfig, JwtConfigBuilder, SameSite, DEFAULT_JSON_BODY_LIMIT,
    DEFAULT_MAX_TOKEN_LENGTH,
};
pub use context::{
    current_manager, current_token, get_current_user, get_jwt, get_jwt_header, get_jwt_identity,
    get_jwt_identity_value, get_jwt_request_location, spawn_with_jwt, Claims, JwtContext,
    JwtHeader,
};
#[cfg(feature = "cookies")]
pub use cookies::{CookieOptions, JwtCookies};
pub use error::{messages, JwtError};
pub use extract::{
    req, AnyClaims, ClaimRule, FreshJwt, Jwt, OptionalJwt, RefreshJwt, Requirements, VerifyJwt,
};
pub use jsonwebtoken::Algorithm;
pub use jwks::{JwksFetcher, RemoteJwks};
pub use keys::{SigningKey, VerificationKey};
pub use layer::{JwtFuture, JwtLayer, JwtService};
pub use layer::{RequireJwt, RequireJwtLayer};
pub use locations::{Location, UnknownLocation};
pub use manager::{
    create_access_token, create_access_token_with, create_refresh_token, create_refresh_token_with,
    create_token_pair, create_token_pair_with, decode_token, revoke_current_token,
    revoke_current_token_family, rotate_current_refresh_token, JwtManager, TokenPair,
};
#[cfg(feature = "cookies")]
pub use manager::{
    set_access_cookies, set_access_cookies_with, set_refresh_cookies, set_refresh_cookies_with,
    unset_access_cookies, unset_jwt_cookies, unset_refresh_cookies,
};
#[cfg(feature = "utoipa")]
pub use openapi::JwtSecurityAddon;
#[cfg(feature = "redis")]
pub use redis_store::RedisBlocklist;
pub use token::{Fresh, TokenOptions, FAMILY_CLAIM};

#[doc(hidden)]
pub mod __time {
    pub use time::Duration;
}
