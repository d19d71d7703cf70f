//! A small notes service written the way a team would: app state, typed
//! extractors, the Flask-style attribute where it reads best, and one error
//! shape for every failure.
//!
//! ```text
//! cargo run --example notes_api
//! curl -s -X POST localhost:5000/login -H 'Content-Type: application/json' \
//!      -d '{"username": "alice", "password": "alice-pw"}'
//! curl -s localhost:5000/notes -H "Authorization: Bearer $ACCESS_TOKEN"
//! curl -s -X POST localhost:5000/notes -H "Authorization: Bearer $ACCESS_TOKEN" \
//!      -H 'Content-Type: application/json' -d '{"text": "buy milk"}'
//! ```
//!
//! Every error, from the guard or from a handler, is
//! `{"error": {"code": "<kind>", "message": "<msg>"}}` with the status Flask
//! would use, and every 401 carries `WWW-Authenticate: Bearer ...`.
//!
//! | route | needs | answers |
//! |---|---|---|
//! | `POST /login {"username", "password"}` | | `200 {"access_token", "refresh_token"}` (fresh), `401 bad_credentials` |
//! | `GET /notes` | access token | `200 [{"id", "text"}]`, the caller's |
//! | `POST /notes {"text"}` | access token | `201 {"id", "text"}` |
//! | `GET /notes/{id}` | access token | `200 {"id", "text"}`, `404 not_found` (someone else's or missing) |
//! | `GET /whoami` | access token (`Jwt` extractor, no macro) | `200 {"identity"}` |
//! | `POST /refresh` | refresh token | `200 {"access_token"}` (not fresh) |
//! | `PUT /password {"new_password"}` | fresh access token | `204`, `401 fresh_token_required` |
//! | `DELETE /logout` | access or refresh token | `204`; the whole login is then `401 revoked_token` |
//! | `GET /admin/notes` | access token with role `admin` (`#[jwt_required(roles("admin"))]`) | `200 [{"id", "text", "owner"}]`, everyone's; `403 insufficient_scope` with `WWW-Authenticate: Bearer error="insufficient_scope"` |
//!
//! Users `alice`/`alice-pw` (role `admin`) and `bob`/`bob-pw`; the roles
//! ride in every token's `roles` claim (an `additional_claims_loader`). Reads `JWT_SECRET_KEY`
//! (a development secret with a warning when unset) and `ADDR` (default
//! `127.0.0.1:5000`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, get_jwt_identity, jwt_required, revoke_current_token_family, Identity,
    Jwt, JwtConfig, JwtError, JwtManager, TokenOptions,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The app's state: the user table and the notes, in memory. (A real
/// service keeps password hashes, argon2 for example, in a database.)
#[derive(Clone)]
struct AppState {
    users: Arc<Mutex<HashMap<String, String>>>,
    notes: Arc<Mutex<Notes>>,
}

#[derive(Default)]
struct Notes {
    next_id: u64,
    all: Vec<Note>,
}

#[derive(Clone, Serialize)]
struct Note {
    id: u64,
    text: String,
    #[serde(skip)]
    owner: String,
}

/// Every failure of the service, rendered in one shape.
enum ApiError {
    /// Anything the JWT layer refuses, or a handler's `?` on its calls.
    Jwt(JwtError),
    BadCredentials,
    NotFound,
    /// A body that is not the JSON the route reads.
    Body(JsonRejection),
}

impl From<JwtError> for ApiError {
    fn from(e: JwtError) -> Self {
        ApiError::Jwt(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::Body(e)
    }
}

/// `{"error": {"code", "message"}}` with `status`; a 401 says how to
/// authenticate.
fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            // The manager's error handler below: the same shape.
            ApiError::Jwt(e) => e.into_response(),
            ApiError::BadCredentials => error_body(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "Bad username or password",
            ),
            ApiError::NotFound => error_body(StatusCode::NOT_FOUND, "not_found", "Not found"),
            ApiError::Body(e) => error_body(e.status(), "invalid_body", &e.body_text()),
        }
    }
}

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(app): State<AppState>,
    State(jwt): State<JwtManager>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(login) = body?;
    let known = app
        .users
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&login.username)
        == Some(&login.password);
    if !known {
        return Err(ApiError::BadCredentials);
    }
    // One login: a fresh access token and a refresh token, linked so that a
    // logout ends both (and every access token refreshed from it).
    let pair = jwt.create_token_pair(&login.username, TokenOptions::new().fresh(true))?;
    Ok(Json(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
    })))
}

async fn list_notes(
    State(app): State<AppState>,
    Identity(user): Identity<String>,
) -> Json<Vec<Note>> {
    let notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
    Json(
        notes
            .all
            .iter()
            .filter(|n| n.owner == user)
            .cloned()
            .collect(),
    )
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

async fn create_note(
    State(app): State<AppState>,
    Identity(user): Identity<String>,
    body: Result<Json<NewNote>, JsonRejection>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    let Json(new) = body?;
    let mut notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
    notes.next_id += 1;
    let note = Note {
        id: notes.next_id,
        text: new.text,
        owner: user,
    };
    notes.all.push(note.clone());
    Ok((StatusCode::CREATED, Json(note)))
}

async fn get_note(
    State(app): State<AppState>,
    Identity(user): Identity<String>,
    id: Result<Path<u64>, PathRejection>,
) -> Result<Json<Note>, ApiError> {
    // An id that is not a number names no note either.
    let Ok(Path(id)) = id else {
        return Err(ApiError::NotFound);
    };
    let notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
    notes
        .all
        .iter()
        .find(|n| n.id == id && n.owner == user)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Written without the macro: the plain extractor verifies the token, and
/// the free accessors work as in Flask.
async fn whoami(_jwt: Jwt) -> Json<Value> {
    Json(json!({ "identity": get_jwt_identity() }))
}

/// Flask's style: the attribute guards the route, the body reads the token.
#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, ApiError> {
    // Not fresh, and in the same login as the refresh token.
    let access_token = create_access_token(get_jwt_identity())?;
    Ok(Json(json!({ "access_token": access_token })))
}

#[derive(Deserialize)]
struct NewPassword {
    new_password: String,
}

#[jwt_required(fresh)]
async fn change_password(
    State(app): State<AppState>,
    Identity(user): Identity<String>,
    body: Result<Json<NewPassword>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(new) = body?;
    app.users
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(user, new.new_password);
    Ok(StatusCode::NO_CONTENT)
}

/// Everyone's notes, for admins: the role is one attribute argument.
#[jwt_required(roles("admin"))]
async fn all_notes(State(app): State<AppState>) -> Json<Value> {
    let notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
    let all: Vec<Value> = notes
        .all
        .iter()
        .map(|n| json!({ "id": n.id, "text": n.text, "owner": n.owner }))
        .collect();
    Json(Value::Array(all))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<StatusCode, ApiError> {
    revoke_current_token_family().await?;
    Ok(StatusCode::NO_CONTENT)
}

impl axum::extract::FromRef<Shared> for AppState {
    fn from_ref(shared: &Shared) -> Self {
        shared.app.clone()
    }
}

impl axum::extract::FromRef<Shared> for JwtManager {
    fn from_ref(shared: &Shared) -> Self {
        shared.jwt.clone()
    }
}

/// The router's state: the app's and the token manager.
#[derive(Clone)]
struct Shared {
    app: AppState,
    jwt: JwtManager,
}

fn app(jwt: JwtManager) -> Router {
    let users = [("alice", "alice-pw"), ("bob", "bob-pw")]
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .into();
    let state = Shared {
        app: AppState {
            users: Arc::new(Mutex::new(users)),
            notes: Arc::default(),
        },
        jwt: jwt.clone(),
    };
    Router::new()
        .route("/login", post(login))
        .route("/notes", get(list_notes).post(create_note))
        .route("/notes/{id}", get(get_note))
        .route("/whoami", get(whoami))
        .route("/refresh", post(refresh))
        .route("/password", put(change_password))
        .route("/logout", axum::routing::delete(logout))
        .route("/admin/notes", get(all_notes))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
        .layer(jwt.layer())
}

fn manager() -> Result<JwtManager, JwtError> {
    let secret = std::env::var("JWT_SECRET_KEY").unwrap_or_else(|_| {
        eprintln!("JWT_SECRET_KEY is not set: using a development secret");
        "notes-api-development-secret-not-for-production".to_owned()
    });
    let config = JwtConfig::builder().secret_key(secret).build()?;
    Ok(JwtManager::new(config)?
        // Each user's roles, in every token minted for them (login and refresh).
        .additional_claims_loader(|identity| match identity.as_str() {
            Some("alice") => json!({ "roles": ["admin"] }),
            _ => json!({ "roles": [] }),
        })
        // Every JWT failure in the service's shape, from the guard or a handler.
        .error_handler(|error, _token| {
            error_body(error.status(), error.kind(), &error.to_string())
        }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("notes_api listening on http://{addr}");
    axum::serve(listener, app(manager()?)).await?;
    Ok(())
}
