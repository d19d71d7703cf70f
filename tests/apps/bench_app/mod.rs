//! The app of `tests/apps/bench_server.rs` and `tests/benches/router.rs`: one handler,
//! unprotected, protected by `#[jwt_required]`, and protected by a hand-written
//! jsonwebtoken extractor (what a Rust team writes without this crate).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, Identity, JwtConfig, JwtManager, Location,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::OnceLock;

async fn unprotected() -> Json<Value> {
    Json(json!({ "logged_in_as": "anonymous" }))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

/// The typed extractor alone (no attribute): it verifies the request itself.
async fn typed(Identity(id): Identity<String>) -> Json<Value> {
    Json(json!({ "logged_in_as": id }))
}

/// The hand-written peer: decode with jsonwebtoken, 401 on anything wrong.
struct Handwritten(String);

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

static KEYS: OnceLock<(DecodingKey, Validation)> = OnceLock::new();

impl<S: Send + Sync> FromRequestParts<S> for Handwritten {
    type Rejection = (StatusCode, Json<Value>);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let refuse = |m: &str| (StatusCode::UNAUTHORIZED, Json(json!({ "msg": m })));
        let header = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refuse("Missing Authorization Header"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| refuse("Bad Authorization header"))?;
        let (key, validation) = KEYS.get().ok_or_else(|| refuse("not configured"))?;
        let data = jsonwebtoken::decode::<Claims>(token, key, validation)
            .map_err(|_| refuse("Invalid token"))?;
        Ok(Handwritten(data.claims.sub))
    }
}

async fn handwritten(Handwritten(sub): Handwritten) -> Json<Value> {
    Json(json!({ "logged_in_as": sub }))
}

/// The floor: what any HS256 check must do and nothing more (split, base64url
/// of the segments, one prekeyed HMAC-SHA256, borrowed claims). No claim is
/// checked, so this is a measuring stick, not an alternative.
struct Floor(String);

#[derive(Deserialize)]
struct FloorClaims<'a> {
    sub: &'a str,
}

static FLOOR_KEY: OnceLock<aws_lc_rs::hmac::Key> = OnceLock::new();

impl<S: Send + Sync> FromRequestParts<S> for Floor {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or(StatusCode::UNAUTHORIZED)?;
        let (input, sig) = token.rsplit_once('.').ok_or(StatusCode::UNAUTHORIZED)?;
        let (head, payload) = input.split_once('.').ok_or(StatusCode::UNAUTHORIZED)?;
        let bad = |_| StatusCode::UNAUTHORIZED;
        URL_SAFE_NO_PAD.decode(head).map_err(bad)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(bad)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(bad)?;
        let key = FLOOR_KEY.get().ok_or(StatusCode::UNAUTHORIZED)?;
        aws_lc_rs::hmac::verify(key, input.as_bytes(), &sig)
            .map_err(|_| StatusCode::UNAUTHORIZED)?;
        let claims: FloorClaims<'_> =
            serde_json::from_slice(&payload).map_err(|_| StatusCode::UNAUTHORIZED)?;
        Ok(Floor(claims.sub.to_owned()))
    }
}

async fn floor(Floor(sub): Floor) -> Json<Value> {
    Json(json!({ "logged_in_as": sub }))
}

/// The unprotected handler without the manager's layer: what the layer
/// itself costs every request.
#[allow(dead_code)] // used by tests/benches/router.rs, not by the server
pub(crate) fn bare() -> Router {
    Router::new().route("/unprotected", get(unprotected))
}

/// The same two handlers with the manager's layer wrapped around the whole
/// router (`jwt.layer().wrap(router)`) instead of added to each route by
/// `Router::layer`.
#[allow(dead_code)] // used by tests/benches/router.rs, not by the server
pub(crate) fn outer(
    secret: &str,
) -> Result<axum_jwt_extended::JwtService<Router>, Box<dyn std::error::Error>> {
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    let router = Router::new()
        .route("/unprotected", get(unprotected))
        .route("/protected", get(protected));
    Ok(jwt.layer().wrap(router))
}

/// The router of the benchmarks, with `/token` minting a token for `alice`.
pub(crate) fn app(secret: &str) -> Result<Router, Box<dyn std::error::Error>> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    let _ = KEYS.set((DecodingKey::from_secret(secret.as_bytes()), validation));
    let _ = FLOOR_KEY.set(aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA256,
        secret.as_bytes(),
    ));

    // The default configuration (the verified-token cache on, 4,096 tokens).
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    // The same handler with the cache off: every request verified from scratch.
    let uncached = JwtManager::new(
        JwtConfig::builder()
            .secret_key(secret)
            .verified_token_cache(0)
            .build()?,
    )?;
    let uncached_routes = Router::new()
        .route("/protected_uncached", get(protected))
        .layer(uncached.layer());
    // The same handler under a manager with a larger verified-token cache.
    let cached = JwtManager::new(
        JwtConfig::builder()
            .secret_key(secret)
            .verified_token_cache(10_000)
            .build()?,
    )?;
    let cached_routes = Router::new()
        .route("/protected_cached", get(protected))
        .layer(cached.layer());
    // Tokens in the access cookie, CSRF double submit on (the default):
    // `POST /protected_cookie` with the cookie and `X-CSRF-TOKEN`.
    let cookie = JwtManager::new(
        JwtConfig::builder()
            .secret_key(secret)
            .token_location([Location::Cookies])
            .build()?,
    )?;
    let cookie_minter = cookie.clone();
    let cookie_routes = Router::new()
        .route("/protected_cookie", axum::routing::post(protected))
        .route(
            "/token_cookie",
            get(move || {
                let minter = cookie_minter.clone();
                async move { minter.create_access_token("alice").unwrap_or_default() }
            }),
        )
        .layer(cookie.layer());
    let minter = jwt.clone();
    let refresh_minter = jwt.clone();
    let router = Router::new()
        .route("/unprotected", get(unprotected))
        .route("/protected", get(protected))
        .route("/handwritten", get(handwritten))
        .route("/floor", get(floor))
        .route("/typed", get(typed))
        .route(
            "/token",
            get(move || {
                let minter = minter.clone();
                async move { minter.create_access_token("alice").unwrap_or_default() }
            }),
        )
        .route(
            "/refresh_token",
            get(move || {
                let minter = refresh_minter.clone();
                async move { minter.create_refresh_token("alice").unwrap_or_default() }
            }),
        )
        .layer(jwt.layer())
        .merge(cached_routes)
        .merge(cookie_routes)
        .merge(uncached_routes)
        .merge(asymmetric_routes()?);
    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Ok(router.merge(blocklist_routes(secret, &url)?));
    }
    Ok(router)
}

/// For RS256 (RSA 2048), ES256 and EdDSA (Ed25519), with the keys of
/// `tests/fixtures/keys`: `/token_<alg>` mints a token, `/protected_<alg>`
/// verifies it with the default configuration (the verified-token cache on)
/// and `/protected_<alg>_uncached` with the cache off. `<alg>` is lowercase.
fn asymmetric_routes() -> Result<Router, Box<dyn std::error::Error>> {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keys");
    let mut router = Router::new();
    for (alg, key) in [
        ("RS256", "rsa2048"),
        ("ES256", "ec256"),
        ("EdDSA", "ed25519"),
    ] {
        let config = |cache| -> Result<JwtConfig, Box<dyn std::error::Error>> {
            Ok(JwtConfig::builder()
                .algorithm(alg)
                .private_key(std::fs::read(format!("{keys}/{key}-private.pem"))?)
                .public_key(std::fs::read(format!("{keys}/{key}-public.pem"))?)
                .verified_token_cache(cache)
                .build()?)
        };
        let cached = JwtManager::new(config(axum_jwt_extended::DEFAULT_VERIFIED_TOKEN_CACHE)?)?;
        let uncached = JwtManager::new(config(0)?)?;
        let name = alg.to_lowercase();
        let minter = cached.clone();
        router = router
            .route(
                &format!("/token_{name}"),
                get(move || {
                    let minter = minter.clone();
                    async move { minter.create_access_token("alice").unwrap_or_default() }
                }),
            )
            .merge(
                Router::new()
                    .route(&format!("/protected_{name}"), get(protected))
                    .layer(cached.layer()),
            )
            .merge(
                Router::new()
                    .route(&format!("/protected_{name}_uncached"), get(protected))
                    .layer(uncached.layer()),
            );
    }
    Ok(router)
}

/// With `REDIS_URL` (feature `redis`): the protected handler with a
/// revocation store, `/protected_memory` (the in-memory store, holding one
/// revocation so that every check is made), `/protected_redis`
/// (`RedisBlocklist` as it comes: its local mirror on) and
/// `/protected_redis_direct` (the mirror off: one round trip per request).
/// Must be called inside a Tokio runtime.
#[cfg(feature = "redis")]
fn blocklist_routes(secret: &str, url: &str) -> Result<Router, Box<dyn std::error::Error>> {
    use axum_jwt_extended::{Blocklist, MemoryBlocklist, RedisBlocklist, Revocation};
    use std::future::Future;
    let memory = MemoryBlocklist::new();
    // The in-memory store answers at once: one poll records the revocation.
    let revoked = std::pin::pin!(memory.revoke(Revocation::Token("someone-else"), None))
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    if !matches!(revoked, std::task::Poll::Ready(Ok(()))) {
        return Err("the in-memory store did not record a revocation".into());
    }
    let config = || JwtConfig::builder().secret_key(secret).build();
    let guarded =
        |jwt: JwtManager, path: &str| Router::new().route(path, get(protected)).layer(jwt.layer());
    let router = Router::new()
        .merge(guarded(
            JwtManager::new(config()?)?.with_blocklist(memory),
            "/protected_memory",
        ))
        .merge(guarded(
            JwtManager::new(config()?)?.with_blocklist(RedisBlocklist::new(url)?),
            "/protected_redis",
        ))
        .merge(guarded(
            JwtManager::new(config()?)?.with_blocklist(RedisBlocklist::new(url)?.local_mirror(0)),
            "/protected_redis_direct",
        ));
    Ok(router)
}
