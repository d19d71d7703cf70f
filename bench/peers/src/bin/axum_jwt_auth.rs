//! axum-jwt-auth 0.7, set up as its crate documentation shows (state with
//! `FromRef`; the README's `JwtDecoderState` is gone in 0.7), with jsonwebtoken's
//! default `Validation` for HS256: `GET /unprotected` and `GET /protected`
//! (with `JWT_SECRET_KEY`, answering `{"logged_in_as": <sub>}`) on `ADDR`, on
//! tokio's current-thread scheduler like the bench server.

use axum::{extract::FromRef, routing::get, Json, Router};
use axum_jwt_auth::{Claims, Decoder, LocalDecoder};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Clone, Serialize, Deserialize)]
struct MyClaims {
    sub: String,
    exp: usize,
}

#[derive(Clone, FromRef)]
struct AppState {
    decoder: Decoder<MyClaims>,
}

async fn protected(user: Claims<MyClaims>) -> Json<Value> {
    Json(json!({ "logged_in_as": user.claims.sub }))
}

async fn unprotected() -> Json<Value> {
    Json(json!({ "logged_in_as": "anonymous" }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")?;
    let addr = std::env::var("ADDR")?;
    // LocalDecoder refuses a validation without an audience; the bench's
    // tokens carry none (nor do Flask-JWT-Extended's by default), so one is
    // set as its documentation shows and its check then turned off.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["my-app"]);
    validation.validate_aud = false;
    let decoder = LocalDecoder::builder()
        .keys(vec![DecodingKey::from_secret(secret.as_bytes())])
        .validation(validation)
        .build()?;
    let state = AppState {
        decoder: Arc::new(decoder),
    };
    let app = Router::new()
        .route("/protected", get(protected))
        .route("/unprotected", get(unprotected))
        .with_state(state);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
