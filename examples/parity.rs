//! The parity app: the same HTTP contract as the Flask-JWT-Extended reference
//! app in `tests/parity/app.py`, which the live differential suite
//! (`tests/parity/run_parity.py`) compares request by request.
//!
//! ```text
//! GET    /public     unprotected                       -> 200 {"msg": "public"}
//! POST   /login      {"username":"test","password":"test"}
//!                                                      -> 200 {"access_token": <fresh>, "refresh_token": ...}
//!                    anything else                     -> 401 {"msg": "Bad username or password"}
//! POST   /refresh    #[jwt_required(refresh)]          -> 200 {"access_token": <not fresh>}
//! GET    /protected  #[jwt_required]                   -> 200 {"logged_in_as": identity}
//! GET    /fresh      #[jwt_required(fresh)]            -> 200 {"logged_in_as": identity}
//! GET    /optional   #[jwt_required(optional)]         -> 200 {"logged_in_as": identity or null}
//! DELETE /logout     #[jwt_required(verify_type = false)], revokes the token
//!                                                      -> 200 {"msg": "Token revoked"}
//! ```
//!
//! Reads `JWT_SECRET_KEY` (falls back to `super-secret` with a warning) and
//! `ADDR` (default `127.0.0.1:5000`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_access_token_with, create_refresh_token, get_jwt_identity,
    jwt_required, revoke_current_token, JwtConfig, JwtError, JwtManager, TokenOptions,
};
use serde_json::{json, Value};

async fn public() -> Json<Value> {
    Json(json!({ "msg": "public" }))
}

async fn login(body: Bytes) -> Result<Response, JwtError> {
    let data: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if data.get("username") != Some(&json!("test")) || data.get("password") != Some(&json!("test"))
    {
        let body = Json(json!({ "msg": "Bad username or password" }));
        return Ok((StatusCode::UNAUTHORIZED, body).into_response());
    }
    let access_token = create_access_token_with("test", TokenOptions::new().fresh(true))?;
    let refresh_token = create_refresh_token("test")?;
    Ok(
        Json(json!({ "access_token": access_token, "refresh_token": refresh_token }))
            .into_response(),
    )
}

#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    let identity = get_jwt_identity();
    let access_token = create_access_token(identity)?;
    Ok(Json(json!({ "access_token": access_token })))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(fresh)]
async fn fresh() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(optional)]
async fn optional() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<Json<Value>, JwtError> {
    revoke_current_token().await?;
    Ok(Json(json!({ "msg": "Token revoked" })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY").unwrap_or_else(|_| {
        eprintln!(
            "warning: JWT_SECRET_KEY is not set; using \"super-secret\" (never in production)"
        );
        "super-secret".to_owned()
    });
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".to_owned());

    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    let app = Router::new()
        .route("/public", get(public))
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/protected", get(protected))
        .route("/fresh", get(fresh))
        .route("/optional", get(optional))
        .route("/logout", delete(logout))
        .layer(jwt.layer());

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
