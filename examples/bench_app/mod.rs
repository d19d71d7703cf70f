//! The app of `examples/bench_server.rs` and `benches/router.rs`: one handler,
//! unprotected, protected by `#[jwt_required]`, and protected by a hand-written
//! jsonwebtoken extractor (what a Rust team writes without this crate).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtConfig, JwtManager};
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

/// The router of the benchmarks, with `/token` minting a token for `alice`.
pub(crate) fn app(secret: &str) -> Result<Router, Box<dyn std::error::Error>> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    let _ = KEYS.set((DecodingKey::from_secret(secret.as_bytes()), validation));

    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    let minter = jwt.clone();
    Ok(Router::new()
        .route("/unprotected", get(unprotected))
        .route("/protected", get(protected))
        .route("/handwritten", get(handwritten))
        .route(
            "/token",
            get(move || {
                let minter = minter.clone();
                async move { minter.create_access_token("alice").unwrap_or_default() }
            }),
        )
        .layer(jwt.layer()))
}
