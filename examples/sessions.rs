//! Sessions and devices: "where am I signed in?", sign one device out, sign
//! out all the others. The same users as the notes example.
//!
//! ```text
//! cargo run --example sessions
//! curl -s -X POST localhost:5000/login -H 'Content-Type: application/json' \
//!      -d '{"username": "alice", "password": "alice-pw", "device": "laptop"}'
//! curl -s localhost:5000/sessions -H "Authorization: Bearer $ACCESS_TOKEN"
//! curl -s -X DELETE localhost:5000/sessions/$SESSION_ID -H "Authorization: Bearer $ACCESS_TOKEN"
//! ```
//!
//! | route | needs | answers |
//! |---|---|---|
//! | `POST /login {"username", "password", "device"}` | | `200 {"access_token", "refresh_token", "session_id"}`; `401 {"msg": "Bad username or password"}`; `400` for a `device` that is not a string of at most 100 characters |
//! | `GET /sessions` | access token | `200 [{"id", "device", "created_at", "last_used_at", "expires_at", "current"}]`, the caller's live sessions, newest first (times in Unix seconds) |
//! | `DELETE /sessions/{id}` | access token | `204`; that session's refresh and access tokens then get `401 {"msg": "Token has been revoked"}`; another user's or an unknown id: `404 {"msg": "Session not found"}` |
//! | `DELETE /sessions` | access token | `204`: every session but the caller's is ended |
//! | `POST /refresh` | refresh token | `200 {"access_token"}`; the session's `last_used_at` moves |
//!
//! Users `alice`/`alice-pw` and `bob`/`bob-pw`. Reads `ADDR` (default
//! `127.0.0.1:5000`), `JWT_SECRET_KEY` (a development secret with a warning
//! when unset) and `REDIS_URL`: with it (and the `redis` feature), sessions
//! and revocations live in Redis, so that several instances share them;
//! without it, in this process.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, get_jwt_identity, jwt_required, Jwt, JwtConfig, JwtError, JwtManager,
    MemorySessionStore, TokenOptions,
};
use serde_json::{json, Value};

const USERS: [(&str, &str); 2] = [("alice", "alice-pw"), ("bob", "bob-pw")];
const MAX_DEVICE_CHARS: usize = 100;

fn msg(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "msg": text }))).into_response()
}

async fn login(
    State(jwt): State<JwtManager>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, JwtError> {
    let Ok(Json(body)) = body else {
        return Ok(msg(
            StatusCode::BAD_REQUEST,
            "The body must be a JSON object",
        ));
    };
    let username = body
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !USERS.contains(&(username, password)) {
        return Ok(msg(StatusCode::UNAUTHORIZED, "Bad username or password"));
    }
    let device = match body.get("device") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(d)) if d.chars().count() <= MAX_DEVICE_CHARS => Value::String(d.clone()),
        Some(_) => {
            return Ok(msg(
                StatusCode::BAD_REQUEST,
                "device must be a string of at most 100 characters",
            ))
        }
    };
    let login = jwt
        .create_session(
            username,
            TokenOptions::new().fresh(true),
            json!({ "device": device }),
        )
        .await?;
    Ok(Json(login).into_response())
}

async fn list_sessions(State(jwt): State<JwtManager>, token: Jwt) -> Result<Json<Value>, JwtError> {
    let token = token.token().ok_or(JwtError::NotVerified)?;
    let sessions = jwt.list_sessions(token).await?;
    let list = sessions
        .into_iter()
        .map(|s| {
            json!({
                "id": s.record.id,
                "device": s.record.metadata.get("device").cloned().unwrap_or(Value::Null),
                "created_at": s.record.created_at,
                "last_used_at": s.record.last_used_at,
                "expires_at": s.record.expires_at,
                "current": s.current,
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn end_session(
    State(jwt): State<JwtManager>,
    token: Jwt,
    Path(id): Path<String>,
) -> Result<Response, JwtError> {
    let token = token.token().ok_or(JwtError::NotVerified)?;
    if jwt.revoke_session(token, &id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(msg(StatusCode::NOT_FOUND, "Session not found"))
    }
}

async fn end_other_sessions(
    State(jwt): State<JwtManager>,
    token: Jwt,
) -> Result<StatusCode, JwtError> {
    let token = token.token().ok_or(JwtError::NotVerified)?;
    jwt.revoke_other_sessions(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The guard sees a refresh token: its session's `last_used_at` moves.
#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    let access_token = create_access_token(get_jwt_identity())?;
    Ok(Json(json!({ "access_token": access_token })))
}

fn app(jwt: JwtManager) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/sessions", get(list_sessions).delete(end_other_sessions))
        .route("/sessions/{id}", delete(end_session))
        .route("/refresh", post(refresh))
        .with_state(jwt.clone())
        .layer(jwt.layer())
}

fn manager() -> Result<JwtManager, Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY").unwrap_or_else(|_| {
        eprintln!("JWT_SECRET_KEY is not set: using a development secret");
        "sessions-development-secret-not-for-production".to_owned()
    });
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(secret).build()?)?;
    match std::env::var("REDIS_URL") {
        Err(_) => Ok(jwt.with_sessions(MemorySessionStore::new())),
        Ok(url) => redis_stores(jwt, &url),
    }
}

#[cfg(feature = "redis")]
fn redis_stores(jwt: JwtManager, url: &str) -> Result<JwtManager, Box<dyn std::error::Error>> {
    use axum_jwt_extended::{RedisBlocklist, RedisSessionStore};
    Ok(jwt
        .with_blocklist(RedisBlocklist::new(url)?)
        .with_sessions(RedisSessionStore::new(url)?))
}

#[cfg(not(feature = "redis"))]
fn redis_stores(_: JwtManager, _: &str) -> Result<JwtManager, Box<dyn std::error::Error>> {
    Err("REDIS_URL is set, but this build has no Redis: cargo run --features redis --example sessions".into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = app(manager()?);
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
