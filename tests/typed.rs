//! Typed access: `Identity<T>`, `JwtClaims<T>` and `CurrentUser<U>`, with and
//! without the macro; conversion errors are 422s with a stable `msg`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    jwt_required, messages, AuthUser, CurrentUser, Identity, JwtClaims, JwtManager, LoadUser,
    TokenOptions,
};
use serde::Deserialize;
use serde_json::{json, Value};

mod support;
use support::http::{call, msg};

const SECRET: &str = "typed-access-secret-long-enough-for-hs256";

#[derive(Debug)]
struct User {
    name: String,
}

#[derive(Deserialize)]
struct RoleClaims {
    sub: String,
    role: String,
    #[serde(rename = "type")]
    kind: String,
}

async fn numeric_id(Identity(id): Identity<u64>) -> Json<Value> {
    Json(json!({ "id": id }))
}

async fn string_id(Identity(id): Identity<String>) -> Json<Value> {
    Json(json!({ "id": id }))
}

async fn role(JwtClaims(claims): JwtClaims<RoleClaims>) -> Json<Value> {
    Json(json!({ "sub": claims.sub, "role": claims.role, "type": claims.kind }))
}

async fn user(CurrentUser(user): CurrentUser<User>) -> Json<Value> {
    Json(json!({ "name": user.name }))
}

async fn wrong_user(CurrentUser(user): CurrentUser<String>) -> Json<Value> {
    Json(json!({ "name": *user }))
}

#[jwt_required(fresh)]
async fn fresh_with_identity(Identity(id): Identity<String>) -> Json<Value> {
    Json(json!({ "id": id }))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/numeric", get(numeric_id))
        .route("/string", get(string_id))
        .route("/role", get(role))
        .route("/user", get(user))
        .route("/wrong_user", get(wrong_user))
        .route("/fresh", get(fresh_with_identity))
        .layer(jwt.layer())
}

fn app_without_loader() -> Router {
    app(&support::manager(SECRET))
}

/// A manager that loads users and counts verifications.
fn counting_manager(verifications: &Arc<AtomicUsize>) -> JwtManager {
    let count = Arc::clone(verifications);
    support::manager(SECRET)
        .user_lookup_loader(|token| async move {
            Some(User {
                name: token.identity_str()?.to_uppercase(),
            })
        })
        .token_verification_loader(move |_| {
            count.fetch_add(1, Ordering::SeqCst);
            async { true }
        })
}

#[tokio::test]
async fn the_identity_as_a_type() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let numeric = jwt.create_access_token("42").unwrap();
    assert_eq!(
        call(&app, "GET", "/numeric", Some(&numeric)).await,
        (200, json!({ "id": 42 }))
    );
    assert_eq!(
        call(&app, "GET", "/string", Some(&numeric)).await,
        (200, json!({ "id": "42" }))
    );
    let named = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/numeric", Some(&named)).await,
        (422, msg(messages::IDENTITY_TYPE))
    );
    let negative = jwt.create_access_token("-1").unwrap();
    assert_eq!(
        call(&app, "GET", "/numeric", Some(&negative)).await,
        (422, msg(messages::IDENTITY_TYPE))
    );
}

/// Revocation and sessions key on the identity's exact text: a token whose
/// `sub` is another spelling of 42 must not act as user 42 (it would escape
/// a logout of "42").
#[tokio::test]
async fn integer_identities_are_read_from_their_canonical_text_only() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    for spelling in [
        " 42", "42 ", "42\n", "\t42", "+42", "042", "42.0", "4.2e1", "-0",
    ] {
        let t = jwt.create_access_token(spelling).unwrap();
        assert_eq!(
            call(&app, "GET", "/numeric", Some(&t)).await,
            (422, msg(messages::IDENTITY_TYPE)),
            "{spelling:?}"
        );
        // The text itself is still the identity.
        assert_eq!(
            call(&app, "GET", "/string", Some(&t)).await,
            (200, json!({ "id": spelling })),
            "{spelling:?}"
        );
    }
    for (spelling, id) in [("0", 0u64), ("18446744073709551615", u64::MAX)] {
        let t = jwt.create_access_token(spelling).unwrap();
        assert_eq!(
            call(&app, "GET", "/numeric", Some(&t)).await,
            (200, json!({ "id": id })),
            "{spelling:?}"
        );
    }
}

/// Identities minted from Rust values come back as the same values (#29):
/// integers as their decimal text, UUIDs and strings as they are.
#[tokio::test]
async fn identities_round_trip_through_typed_extractors() {
    let jwt = support::manager(SECRET);
    async fn signed(Identity(id): Identity<i64>) -> Json<Value> {
        Json(json!({ "id": id }))
    }
    async fn by_uuid(Identity(id): Identity<uuid::Uuid>) -> Json<Value> {
        Json(json!({ "id": id.to_string() }))
    }
    let app = app(&jwt).merge(
        Router::new()
            .route("/signed", get(signed))
            .route("/uuid", get(by_uuid))
            .layer(jwt.layer()),
    );
    let t = jwt.create_access_token(42u64).unwrap();
    assert_eq!(
        call(&app, "GET", "/numeric", Some(&t)).await,
        (200, json!({ "id": 42 }))
    );
    assert_eq!(
        call(&app, "GET", "/string", Some(&t)).await,
        (200, json!({ "id": "42" }))
    );
    let t = jwt.create_access_token(-7i64).unwrap();
    assert_eq!(
        call(&app, "GET", "/signed", Some(&t)).await,
        (200, json!({ "id": -7 }))
    );
    let id = uuid::Uuid::new_v4();
    let t = jwt.create_access_token(id).unwrap();
    assert_eq!(
        call(&app, "GET", "/uuid", Some(&t)).await,
        (200, json!({ "id": id.to_string() }))
    );
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/string", Some(&t)).await,
        (200, json!({ "id": "alice" }))
    );
}

#[tokio::test]
async fn a_typed_extractor_alone_is_a_guard() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    assert_eq!(
        call(&app, "GET", "/string", None).await,
        (401, msg("Missing Authorization Header"))
    );
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/string", Some(&refresh)).await,
        (422, msg("Only non-refresh tokens are allowed"))
    );
    assert_eq!(call(&app, "GET", "/string", Some("a.b.c")).await.0, 422);
}

#[tokio::test]
async fn the_claims_as_a_type() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let t = jwt
        .create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({ "role": "admin" })),
        )
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/role", Some(&t)).await,
        (
            200,
            json!({ "sub": "alice", "role": "admin", "type": "access" })
        )
    );
    let without_role = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/role", Some(&without_role)).await,
        (422, msg(messages::CLAIMS_TYPE))
    );
    let wrong_shape = jwt
        .create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({ "role": ["admin"] })),
        )
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/role", Some(&wrong_shape)).await,
        (422, msg(messages::CLAIMS_TYPE))
    );
}

#[tokio::test]
async fn the_loaded_user_and_the_programming_errors_around_it() {
    let verifications = Arc::new(AtomicUsize::new(0));
    let jwt = counting_manager(&verifications);
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/user", Some(&t)).await,
        (200, json!({ "name": "ALICE" }))
    );
    let (status, body) = call(&app, "GET", "/wrong_user", Some(&t)).await;
    assert_eq!(status, 500);
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .contains("returns another type"),
        "{body}"
    );

    let no_loader = app_without_loader();
    let (status, body) = call(&no_loader, "GET", "/user", Some(&t)).await;
    assert_eq!(status, 500);
    assert!(
        body["msg"].as_str().unwrap().contains("user_lookup_loader"),
        "{body}"
    );
}

#[tokio::test]
async fn under_the_macro_the_typed_extractor_reuses_its_verification() {
    let verifications = Arc::new(AtomicUsize::new(0));
    let jwt = counting_manager(&verifications);
    let app = app(&jwt);
    let fresh = jwt
        .create_access_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/fresh", Some(&fresh)).await,
        (200, json!({ "id": "alice" }))
    );
    assert_eq!(verifications.load(Ordering::SeqCst), 1, "verified once");
    // The macro's requirement decides first.
    let stale = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/fresh", Some(&stale)).await,
        (401, msg("Fresh token required"))
    );
}

#[tokio::test]
async fn typed_refusals_go_through_the_managers_loaders() {
    let jwt = support::manager(SECRET).invalid_token_loader(|m| {
        (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": m })),
        )
            .into_response()
    });
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/numeric", Some(&t)).await,
        (422, json!({ "error": messages::IDENTITY_TYPE }))
    );
}

/// The app's state: a user table (a database pool in a real service).
#[derive(Clone)]
struct AppState {
    users: Arc<std::collections::HashMap<u64, &'static str>>,
    lookups: Arc<AtomicUsize>,
}

struct DbUser {
    id: u64,
    name: &'static str,
}

impl LoadUser<AppState> for DbUser {
    type Id = u64;
    type Loaded = Option<DbUser>;
    async fn load(id: u64, state: &AppState) -> Option<DbUser> {
        state.lookups.fetch_add(1, Ordering::SeqCst);
        let name = *state.users.get(&id)?;
        Some(DbUser { id, name })
    }
}

async fn db_user(AuthUser(user): AuthUser<DbUser>) -> Json<Value> {
    Json(json!({ "id": user.id, "name": user.name }))
}

#[jwt_required(fresh)]
async fn fresh_db_user(
    axum::extract::State(state): axum::extract::State<AppState>,
    AuthUser(user): AuthUser<DbUser>,
) -> Json<Value> {
    Json(json!({ "name": user.name, "lookups": state.lookups.load(Ordering::SeqCst) }))
}

fn stateful_app(jwt: &JwtManager) -> (Router, Arc<AtomicUsize>) {
    let lookups = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        users: Arc::new([(42, "alice")].into()),
        lookups: Arc::clone(&lookups),
    };
    let app = Router::new()
        .route("/db_user", get(db_user))
        .route("/fresh_db_user", get(fresh_db_user))
        .with_state(state)
        .layer(jwt.layer());
    (app, lookups)
}

#[tokio::test]
async fn a_user_loaded_with_the_routers_state() {
    let jwt = support::manager(SECRET);
    let (app, lookups) = stateful_app(&jwt);
    let alice = jwt.create_access_token("42").unwrap();
    assert_eq!(
        call(&app, "GET", "/db_user", Some(&alice)).await,
        (200, json!({ "id": 42, "name": "alice" }))
    );
    assert_eq!(lookups.load(Ordering::SeqCst), 1);

    // No such user: Flask's user lookup error.
    let ghost = jwt.create_access_token("7").unwrap();
    let (status, body) = call(&app, "GET", "/db_user", Some(&ghost)).await;
    assert_eq!((status, body), (401, msg("Error loading the user 7")));

    // An identity that is not an id: no lookup at all.
    let named = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/db_user", Some(&named)).await,
        (422, msg(messages::IDENTITY_TYPE))
    );
    assert_eq!(lookups.load(Ordering::SeqCst), 2);

    // Under the macro: its requirement first, then one lookup.
    assert_eq!(
        call(&app, "GET", "/fresh_db_user", Some(&alice)).await,
        (401, msg("Fresh token required"))
    );
    let fresh = jwt
        .create_access_token_with("42", TokenOptions::new().fresh(true))
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/fresh_db_user", Some(&fresh)).await,
        (200, json!({ "name": "alice", "lookups": 3 }))
    );
}

#[tokio::test]
async fn a_missing_user_goes_through_the_user_lookup_error_loader() {
    let jwt = support::manager(SECRET).user_lookup_error_loader(|token| {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            Json(json!({ "unknown_user": token.identity_str() })),
        )
            .into_response()
    });
    let (app, _) = stateful_app(&jwt);
    let ghost = jwt.create_access_token("7").unwrap();
    let reply = support::http::send(
        &app,
        support::http::bearer_request("GET", "/db_user", Some(&ghost)),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body, json!({ "unknown_user": "7" }));
    assert!(reply.headers.contains_key("www-authenticate"));
}

/// A handler that calls another router in process (a sub-request): the inner
/// request's typed extractor verifies the inner request, never reusing the
/// outer request's token from the task it runs in.
#[jwt_required]
async fn forwards(axum::extract::State(inner): axum::extract::State<Router>) -> Json<Value> {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .uri("/string")
        .body(axum::body::Body::empty())
        .unwrap();
    let status = inner.oneshot(request).await.unwrap().status().as_u16();
    Json(json!({ "inner_status": status }))
}

#[tokio::test]
async fn a_sub_request_never_borrows_the_outer_token() {
    let jwt = support::manager(SECRET);
    let inner = app(&jwt);
    let outer = Router::new()
        .route("/forwards", get(forwards))
        .with_state(inner)
        .layer(jwt.layer());
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&outer, "GET", "/forwards", Some(&t)).await,
        (200, json!({ "inner_status": 401 }))
    );
}

/// A loader that can fail: its database is down for user 13.
struct FlakyUser {
    id: u64,
}

impl LoadUser<()> for FlakyUser {
    type Id = u64;
    type Loaded = Result<Option<FlakyUser>, std::io::Error>;
    async fn load(id: u64, _: &()) -> Self::Loaded {
        match id {
            13 => Err(std::io::Error::other("connection refused")),
            1..=10 => Ok(Some(FlakyUser { id })),
            _ => Ok(None),
        }
    }
}

#[tokio::test]
async fn a_user_loader_that_fails_answers_503_not_a_logout() {
    let jwt = support::manager(SECRET);
    let app = Router::new()
        .route(
            "/flaky",
            get(
                |AuthUser(user): AuthUser<FlakyUser>| async move { Json(json!({ "id": user.id })) },
            ),
        )
        .layer(jwt.layer());
    let token = |id: u64| jwt.create_access_token(id).unwrap();
    assert_eq!(
        call(&app, "GET", "/flaky", Some(&token(7))).await,
        (200, json!({ "id": 7 }))
    );
    assert_eq!(
        call(&app, "GET", "/flaky", Some(&token(42))).await,
        (401, msg("Error loading the user 42"))
    );
    assert_eq!(
        call(&app, "GET", "/flaky", Some(&token(13))).await,
        (503, msg(messages::USER_LOOKUP_UNAVAILABLE))
    );
}
