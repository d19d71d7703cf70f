//! Flask-JWT-Extended's "Refresh Tokens" page, translated to axum line by line.
//!
//! ```text
//! cargo run --example refresh_tokens
//! curl -s -X POST localhost:5000/login -H "Content-Type: application/json" \
//!      -d '{"username": "test", "password": "test"}'
//! curl -s localhost:5000/protected -H "Authorization: Bearer $ACCESS_TOKEN"
//! curl -s -X POST localhost:5000/refresh -H "Authorization: Bearer $REFRESH_TOKEN"
//! ```
//!
//! Reads `JWT_SECRET_KEY` (falls back to the page's `super-secret`, with a
//! warning) and `ADDR` (default `127.0.0.1:5000`). The README walks the whole
//! flow with curl, failures included.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_refresh_token, get_jwt_identity, jwt_refresh_token_required,
    jwt_required, JwtConfig, JwtError, JwtManager,
};
use serde_json::{json, Value};

async fn login(body: Result<Json<Value>, JsonRejection>) -> Result<Response, JwtError> {
    let request_json = match json_object(body) {
        Ok(object) => object,
        Err((status, text)) => return Ok(msg(status, &text)),
    };
    let username = request_json
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = request_json
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if username != "test" || password != "test" {
        return Ok(msg(StatusCode::UNAUTHORIZED, "Bad username or password"));
    }

    // Use create_access_token() and create_refresh_token() to create our
    // access and refresh tokens
    let ret = json!({
        "access_token": create_access_token(username)?,
        "refresh_token": create_refresh_token(username)?,
    });
    Ok((StatusCode::OK, Json(ret)).into_response())
}

// The jwt_refresh_token_required attribute ensures a valid refresh token is
// present in the request before calling this endpoint. We can use the
// get_jwt_identity() function to get the identity of the refresh token, and
// use the create_access_token() function again to make a new access token for
// this identity.
#[jwt_refresh_token_required]
async fn refresh() -> Result<Json<Value>, JwtError> {
    let current_user = get_jwt_identity();
    let ret = json!({ "access_token": create_access_token(current_user)? });
    Ok(Json(ret))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    let username = get_jwt_identity();
    Json(json!({ "logged_in_as": username }))
}

/// `request.json` in Flask: the body must be JSON, and the page reads it as an
/// object. Anything else is a 4xx with a `msg`, never a panic.
fn json_object(body: Result<Json<Value>, JsonRejection>) -> Result<Value, (StatusCode, String)> {
    match body {
        Ok(Json(value)) if value.is_object() => Ok(value),
        Ok(Json(_)) => Err((
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object".to_owned(),
        )),
        Err(rejection) => Err((rejection.status(), rejection.body_text())),
    }
}

fn msg(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "msg": text }))).into_response()
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

    // Setup the axum-jwt-extended extension. The secret key is "super-secret"
    // only in this demo: change this! Only the demo fallback may be short.
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(secret)
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
