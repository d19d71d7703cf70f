//! axum-jwt-extended as the README's first example shows it, with its
//! defaults, in a binary of its own so that its size compares with the
//! peers': `GET /unprotected` and `GET /protected` (`#[jwt_required]`, HS256
//! with `JWT_SECRET_KEY`, answering `{"logged_in_as": <identity>}`) on `ADDR`,
//! on tokio's current-thread scheduler like the bench server.

use axum::{routing::get, Json, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtConfig, JwtManager};
use serde_json::{json, Value};

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

async fn unprotected() -> Json<Value> {
    Json(json!({ "logged_in_as": "anonymous" }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")?;
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    let addr = std::env::var("ADDR")?;
    let app = Router::new()
        .route("/protected", get(protected))
        .route("/unprotected", get(unprotected))
        .layer(jwt.layer());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
