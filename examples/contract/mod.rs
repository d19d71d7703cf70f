//! The HTTP contract shared by `examples/parity.rs` (against Flask-JWT-Extended)
//! and `examples/redis_blocklist.rs` (a fleet sharing Redis).
//!
//! ```text
//! GET    /public          unprotected                       -> 200 {"msg": "public"}
//! POST   /login           {"username":"test","password":"test"}
//!                                                           -> 200 {"access_token": <fresh>, "refresh_token": ...}
//!                         anything else                     -> 401 {"msg": "Bad username or password"}
//! POST   /refresh         #[jwt_required(refresh)]          -> 200 {"access_token": <not fresh>}
//! GET    /protected       #[jwt_required]                   -> 200 {"logged_in_as": identity}
//! GET    /fresh           #[jwt_required(fresh)]            -> 200 {"logged_in_as": identity}
//! GET    /optional        #[jwt_required(optional)]         -> 200 {"logged_in_as": identity or null}
//! DELETE /logout          #[jwt_required(verify_type = false)], revokes the token (with
//!                         linked logins, its whole family)  -> 200 {"msg": "Token revoked"}
//! POST   /refresh_rotate  #[jwt_required(refresh)], rotation with reuse detection
//!                                                           -> 200 {"access_token": ..., "refresh_token": ...}
//! DELETE /logout_all      #[jwt_required(verify_type = false)], logs the identity out everywhere
//!                                                           -> 200 {"msg": "Logged out everywhere"}
//! ```
//!
//! With `cookies` among the locations, `/login` also sets the JWT cookies and
//! `/logout` unsets them.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_access_token_with, create_refresh_token, create_token_pair_with,
    get_jwt_identity, jwt_required, revoke_current_token, revoke_current_token_family,
    rotate_current_refresh_token, set_access_cookies, set_refresh_cookies, unset_jwt_cookies,
    JwtConfig, JwtConfigBuilder, JwtCookies, JwtError, JwtManager, Location, TokenOptions,
};
use serde_json::{json, Value};

pub(crate) async fn public() -> Json<Value> {
    Json(json!({ "msg": "public" }))
}

pub(crate) async fn login(body: Bytes) -> Result<Response, JwtError> {
    let data: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if data.get("username") != Some(&json!("test")) || data.get("password") != Some(&json!("test"))
    {
        let body = Json(json!({ "msg": "Bad username or password" }));
        return Ok((StatusCode::UNAUTHORIZED, body).into_response());
    }
    let (access_token, refresh_token) = if linked_logins() {
        let pair = create_token_pair_with("test", TokenOptions::new().fresh(true))?;
        (pair.access_token, pair.refresh_token)
    } else {
        (
            create_access_token_with("test", TokenOptions::new().fresh(true))?,
            create_refresh_token("test")?,
        )
    };
    let cookies = if uses_cookies() {
        set_access_cookies(&access_token)?.and(set_refresh_cookies(&refresh_token)?)
    } else {
        JwtCookies::default()
    };
    let body = Json(json!({ "access_token": access_token, "refresh_token": refresh_token }));
    Ok((cookies, body).into_response())
}

/// Whether `cookies` is among the configured locations.
pub(crate) fn uses_cookies() -> bool {
    axum_jwt_extended::current_manager()
        .is_some_and(|jwt| jwt.config().token_location().contains(&Location::Cookies))
}

#[jwt_required(refresh)]
pub(crate) async fn refresh() -> Result<Json<Value>, JwtError> {
    let identity = get_jwt_identity();
    let access_token = create_access_token(identity)?;
    Ok(Json(json!({ "access_token": access_token })))
}

#[jwt_required]
pub(crate) async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(fresh)]
pub(crate) async fn fresh() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(optional)]
pub(crate) async fn optional() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(verify_type = false)]
pub(crate) async fn logout() -> Result<Response, JwtError> {
    if linked_logins() {
        revoke_current_token_family().await?;
    } else {
        revoke_current_token().await?;
    }
    let cookies = if uses_cookies() {
        unset_jwt_cookies()?
    } else {
        JwtCookies::default()
    };
    Ok((cookies, Json(json!({ "msg": "Token revoked" }))).into_response())
}

/// Whether logins are linked token pairs (`fam` claim): set by
/// [`app`] for the Redis example, off for Flask parity (Flask has no families).
fn linked_logins() -> bool {
    LINKED_GLOBAL.load(std::sync::atomic::Ordering::Relaxed)
}

static LINKED_GLOBAL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[jwt_required(refresh)]
pub(crate) async fn refresh_rotate() -> Result<Json<Value>, JwtError> {
    let pair = rotate_current_refresh_token().await?;
    Ok(Json(
        json!({ "access_token": pair.access_token, "refresh_token": pair.refresh_token }),
    ))
}

#[jwt_required(verify_type = false)]
pub(crate) async fn logout_all() -> Result<Json<Value>, JwtError> {
    let jwt = axum_jwt_extended::current_manager().ok_or(JwtError::NoManager)?;
    jwt.revoke_all_tokens_of(&get_jwt_identity().unwrap_or_default())
        .await?;
    Ok(Json(json!({ "msg": "Logged out everywhere" })))
}

/// The router of the contract, under `jwt`'s layer. `linked` makes `/login`
/// issue linked token pairs and `/logout` revoke the whole pair.
pub(crate) fn app(jwt: &JwtManager, linked: bool) -> Router {
    LINKED_GLOBAL.store(linked, std::sync::atomic::Ordering::Relaxed);
    Router::new()
        .route("/public", get(public))
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/refresh_rotate", post(refresh_rotate))
        .route("/protected", get(protected))
        .route("/fresh", get(fresh))
        .route("/optional", get(optional))
        .route("/logout", delete(logout))
        .route("/logout_all", delete(logout_all))
        .layer(jwt.layer())
}

/// The configuration from the environment: `JWT_SECRET_KEY` (falls back to
/// `super-secret` with a warning), `JWT_TOKEN_LOCATION` (comma-separated,
/// default `headers`), `JWT_CSRF_CHECK_FORM=1`, and for an asymmetric setup
/// `JWT_ALGORITHM` with `JWT_PRIVATE_KEY_FILE`/`JWT_PUBLIC_KEY_FILE` (PEM files).
pub(crate) fn config_from_env() -> Result<JwtConfigBuilder, Box<dyn std::error::Error>> {
    let from_env = std::env::var("JWT_SECRET_KEY").ok();
    let weak_fallback = from_env.is_none();
    let secret = from_env.unwrap_or_else(|| {
        eprintln!(
            "warning: JWT_SECRET_KEY is not set; using \"super-secret\" (never in production)"
        );
        "super-secret".to_owned()
    });
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
    if std::env::var("JWT_CSRF_CHECK_FORM").is_ok_and(|v| v == "1") {
        config = config.csrf_check_form(true);
    }
    if let Ok(algorithm) = std::env::var("JWT_ALGORITHM") {
        config = config.algorithm(algorithm);
    }
    if let Ok(path) = std::env::var("JWT_PRIVATE_KEY_FILE") {
        config = config.private_key(std::fs::read(path)?);
    }
    if let Ok(path) = std::env::var("JWT_PUBLIC_KEY_FILE") {
        config = config.public_key(std::fs::read(path)?);
    }
    Ok(config)
}

/// Serves `app` on `ADDR` (default `127.0.0.1:5000`).
pub(crate) async fn serve(app: Router) -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
