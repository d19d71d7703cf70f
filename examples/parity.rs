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
//! With `cookies` among the locations, `/login` also sets the JWT cookies and
//! `/logout` unsets them.
//!
//! Reads `JWT_SECRET_KEY` (falls back to `super-secret` with a warning), `ADDR`
//! (default `127.0.0.1:5000`), `JWT_TOKEN_LOCATION` (comma-separated, default
//! `headers`), and for an asymmetric setup `JWT_ALGORITHM` with
//! `JWT_PRIVATE_KEY_FILE`/`JWT_PUBLIC_KEY_FILE` (PEM files).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_access_token_with, create_refresh_token, get_jwt_identity,
    jwt_required, revoke_current_token, set_access_cookies, set_refresh_cookies, unset_jwt_cookies,
    JwtConfig, JwtCookies, JwtError, JwtManager, Location, TokenOptions,
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
    let cookies = if uses_cookies() {
        set_access_cookies(&access_token)?.and(set_refresh_cookies(&refresh_token)?)
    } else {
        JwtCookies::default()
    };
    let body = Json(json!({ "access_token": access_token, "refresh_token": refresh_token }));
    Ok((cookies, body).into_response())
}

/// Whether `cookies` is among the configured locations.
fn uses_cookies() -> bool {
    axum_jwt_extended::current_manager()
        .is_some_and(|jwt| jwt.config().token_location().contains(&Location::Cookies))
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
async fn logout() -> Result<Response, JwtError> {
    revoke_current_token().await?;
    let cookies = if uses_cookies() {
        unset_jwt_cookies()?
    } else {
        JwtCookies::default()
    };
    Ok((cookies, Json(json!({ "msg": "Token revoked" }))).into_response())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let from_env = std::env::var("JWT_SECRET_KEY").ok();
    let weak_fallback = from_env.is_none();
    let secret = from_env.unwrap_or_else(|| {
        eprintln!(
            "warning: JWT_SECRET_KEY is not set; using \"super-secret\" (never in production)"
        );
        "super-secret".to_owned()
    });
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".to_owned());

    let mut locations = Vec::new();
    for name in std::env::var("JWT_TOKEN_LOCATION")
        .unwrap_or_else(|_| "headers".into())
        .split(',')
    {
        locations.push(name.trim().parse::<Location>()?);
    }
    let mut config = JwtConfig::builder()
        .secret_key(secret)
        // Only the demo fallback is allowed to be short.
        .allow_weak_keys(weak_fallback)
        .token_location(locations);
    if let Ok(algorithm) = std::env::var("JWT_ALGORITHM") {
        config = config.algorithm(algorithm);
    }
    if let Ok(path) = std::env::var("JWT_PRIVATE_KEY_FILE") {
        config = config.private_key(std::fs::read(path)?);
    }
    if let Ok(path) = std::env::var("JWT_PUBLIC_KEY_FILE") {
        config = config.public_key(std::fs::read(path)?);
    }
    let config = config.build()?;
    let jwt = JwtManager::new(config)?;
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
