//! Flask-JWT-Extended's "Refresh Tokens" page, translated to axum line by line.
//!
//! ```text
//! cargo run --example refresh_tokens
//! curl -s -X POST localhost:5000/login
//! curl -s localhost:5000/protected -H "Authorization: Bearer $ACCESS_TOKEN"
//! curl -s -X POST localhost:5000/refresh -H "Authorization: Bearer $REFRESH_TOKEN"
//! ```
//!
//! Reads `JWT_SECRET_KEY` (falls back to the page's `super-secret`, with a
//! warning) and `ADDR` (default `127.0.0.1:5000`).

use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_refresh_token, get_jwt_identity, jwt_required, JwtConfig, JwtError,
    JwtManager,
};
use serde_json::{json, Value};

async fn login() -> Result<Json<Value>, JwtError> {
    let access_token = create_access_token("example_user")?;
    let refresh_token = create_refresh_token("example_user")?;
    Ok(Json(
        json!({ "access_token": access_token, "refresh_token": refresh_token }),
    ))
}

// We are using the `refresh` argument of jwt_required to only allow
// refresh tokens to access this route.
#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    let identity = get_jwt_identity();
    let access_token = create_access_token(identity)?;
    Ok(Json(json!({ "access_token": access_token })))
}

// Only allow fresh or non-fresh access tokens to access this route.
#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let from_env = std::env::var("JWT_SECRET_KEY").ok();
    let weak_fallback = from_env.is_none();
    let secret = from_env.unwrap_or_else(|| {
        eprintln!("warning: JWT_SECRET_KEY is not set; using the example's \"super-secret\" (never in production)");
        "super-secret".to_owned()
    });
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".to_owned());

    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(secret)
            // Only the demo fallback is allowed to be short.
            .allow_weak_keys(weak_fallback)
            .build()?,
    )?;
    let app = Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/protected", get(protected))
        .layer(jwt.layer());

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
