//! A single-page app with JWTs in `HttpOnly` cookies and CSRF double submit,
//! the setup Flask-JWT-Extended recommends for browsers.
//!
//! ```text
//! cargo run --example browser_app      # then open http://127.0.0.1:5000
//! ```
//!
//! `POST /api/login` (`{"username":"test","password":"test"}`) sets the access
//! and refresh cookies with their readable CSRF companions; `POST
//! /api/protected` needs the `X-CSRF-TOKEN` header (the page copies it from the
//! `csrf_access_token` cookie); `POST /api/refresh` re-issues the access
//! cookie; `POST /api/logout` revokes the access token and clears the cookies.
//! `tests/browser.rs` drives this page in a real headless Chromium.
//!
//! Reads `JWT_SECRET_KEY` (falls back to `super-secret` with a warning) and
//! `ADDR` (default `127.0.0.1:5000`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_refresh_token, get_jwt_identity, jwt_required,
    revoke_current_token, set_access_cookies, set_refresh_cookies, unset_jwt_cookies, Duration,
    JwtConfig, JwtError, JwtManager, Location, SameSite,
};
use serde_json::{json, Value};

const PAGE: &str = include_str!("browser_app/index.html");

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn login(body: Bytes) -> Result<Response, JwtError> {
    let data: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if data.get("username") != Some(&json!("test")) || data.get("password") != Some(&json!("test"))
    {
        let body = Json(json!({ "msg": "Bad username or password" }));
        return Ok((StatusCode::UNAUTHORIZED, body).into_response());
    }
    let access_token = create_access_token("test")?;
    let refresh_token = create_refresh_token("test")?;
    let cookies = set_access_cookies(&access_token)?.and(set_refresh_cookies(&refresh_token)?);
    Ok((cookies, Json(json!({ "login": true }))).into_response())
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(refresh)]
async fn refresh() -> Result<impl IntoResponse, JwtError> {
    let access_token = create_access_token(get_jwt_identity())?;
    Ok((
        set_access_cookies(&access_token)?,
        Json(json!({ "refresh": true })),
    ))
}

#[jwt_required]
async fn logout() -> Result<impl IntoResponse, JwtError> {
    revoke_current_token().await?;
    Ok((unset_jwt_cookies()?, Json(json!({ "logout": true }))))
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

    let config = JwtConfig::builder()
        .secret_key(secret)
        // Only the demo fallback is allowed to be short.
        .allow_weak_keys(weak_fallback)
        .token_location([Location::Cookies])
        .cookie_samesite(SameSite::Strict)
        // Over plain HTTP for the demo; set `cookie_secure(true)` behind HTTPS.
        .cookie_secure(false)
        .build()?;
    let jwt = JwtManager::new(config)?;
    let app = Router::new()
        .route("/", get(page))
        .route("/api/login", post(login))
        .route("/api/protected", post(protected))
        .route("/api/refresh", post(refresh))
        .route("/api/logout", post(logout))
        .layer(jwt.layer().refresh_expiring_cookies(Duration::minutes(5)));

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
