//! The free accessors (`get_jwt_identity()`, `get_jwt()`, `get_jwt_header()`,
//! `get_current_user()`) wherever a token was verified: under the macro, in a
//! handler that uses an extractor, under router-wide protection, in a task
//! started with `spawn_with_jwt`. Where none was, misuse is visible: a logged
//! warning naming the accessor, and `JwtContext::try_current()` is an error.
//! And `Option<Jwt>`, axum's optional-extractor convention.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    get_current_user, get_jwt, get_jwt_header, get_jwt_identity, jwt_required, messages,
    spawn_with_jwt, Jwt, JwtContext, JwtError, JwtManager, OptionalJwt,
};
use serde_json::{json, Value};

mod support;
use support::http::{call, msg};
use support::logs::Logs;

const SECRET: &str = "accessors-test-secret-long-enough-for-hs256";

#[derive(Debug)]
struct User {
    name: String,
}

fn manager() -> JwtManager {
    support::manager(SECRET).user_lookup_loader(|token| async move {
        Some(User {
            name: format!("user {}", token.identity_str()?),
        })
    })
}

/// What the accessors see, as JSON.
fn seen() -> Value {
    json!({
        "identity": get_jwt_identity(),
        "sub": get_jwt().get("sub"),
        "alg": get_jwt_header().get("alg"),
        "user": get_current_user::<User>().map(|u| u.name.clone()),
    })
}

#[jwt_required]
async fn with_macro() -> Json<Value> {
    Json(seen())
}

async fn with_extractor(_jwt: Jwt) -> Json<Value> {
    Json(seen())
}

async fn with_optional_extractor(_jwt: OptionalJwt) -> Json<Value> {
    Json(seen())
}

async fn plain() -> Json<Value> {
    Json(seen())
}

async fn spawned_plain(_jwt: Jwt) -> Json<Value> {
    Json(tokio::spawn(async { seen() }).await.unwrap())
}

async fn spawned_with_jwt(_jwt: Jwt) -> Json<Value> {
    Json(spawn_with_jwt(async { seen() }).await.unwrap())
}

async fn wrong_user_type(_jwt: Jwt) -> Json<Value> {
    Json(json!({ "user": get_current_user::<String>().is_some() }))
}

async fn fallible() -> Result<Json<Value>, JwtError> {
    let context = JwtContext::try_current()?;
    Ok(Json(json!({ "identity": context.identity() })))
}

async fn option_jwt(jwt: Option<Jwt>) -> Json<Value> {
    Json(json!({
        "extracted": jwt.map(|j| j.identity()),
        "accessor": get_jwt_identity(),
    }))
}

fn app(jwt: &JwtManager) -> Router {
    let guarded = Router::new()
        .route("/whole_router", get(plain))
        .layer(jwt.require(0));
    Router::new()
        .route("/macro", get(with_macro))
        .route("/extractor", get(with_extractor))
        .route("/optional_extractor", get(with_optional_extractor))
        .route("/plain", get(plain))
        .route("/spawned", get(spawned_plain))
        .route("/spawn_with_jwt", get(spawned_with_jwt))
        .route("/wrong_user_type", get(wrong_user_type))
        .route("/option", get(option_jwt))
        .route("/fallible", get(fallible))
        .route("/fallible_guarded", get(fallible).layer(jwt.require(0)))
        .merge(guarded)
        .layer(jwt.layer())
}

fn everything(identity: &str) -> Value {
    json!({
        "identity": identity,
        "sub": identity,
        "alg": "HS256",
        "user": format!("user {identity}"),
    })
}

fn nothing() -> Value {
    json!({ "identity": null, "sub": null, "alg": null, "user": null })
}

#[tokio::test]
async fn every_guard_puts_the_token_in_reach_of_the_accessors() {
    let jwt = manager();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let (logs, _guard) = Logs::capture();
    for route in [
        "/macro",
        "/extractor",
        "/optional_extractor",
        "/whole_router",
        "/spawn_with_jwt",
    ] {
        assert_eq!(
            call(&app, "GET", route, Some(&t)).await,
            (200, everything("alice")),
            "{route}"
        );
    }
    assert_eq!(logs.text(), "", "no warning where a token was verified");
}

#[tokio::test]
async fn an_optional_route_without_a_token_is_empty_without_a_warning() {
    let jwt = manager();
    let (logs, _guard) = Logs::capture();
    assert_eq!(
        call(&app(&jwt), "GET", "/optional_extractor", None).await,
        (200, nothing())
    );
    assert_eq!(logs.text(), "");
}

#[tokio::test]
async fn an_accessor_where_no_guard_ran_is_empty_and_logs_a_warning_naming_it() {
    let jwt = manager();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let (logs, _guard) = Logs::capture();
    // A token is sent, but nothing verifies it on this route.
    assert_eq!(
        call(&app, "GET", "/plain", Some(&t)).await,
        (200, nothing())
    );
    let text = logs.text();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains(messages::NOT_VERIFIED), "{text}");
    for accessor in [
        "get_jwt_identity",
        "get_jwt",
        "get_jwt_header",
        "get_current_user",
    ] {
        assert!(
            text.contains(&format!("accessor=\"{accessor}\"")),
            "{accessor}: {text}"
        );
    }
}

#[tokio::test]
async fn a_plain_tokio_spawn_loses_the_token_and_says_so() {
    let jwt = manager();
    let t = jwt.create_access_token("alice").unwrap();
    let (logs, _guard) = Logs::capture();
    assert_eq!(
        call(&app(&jwt), "GET", "/spawned", Some(&t)).await,
        (200, nothing())
    );
    assert!(logs.text().contains("spawn_with_jwt"), "{}", logs.text());
}

#[tokio::test]
async fn a_user_of_another_type_is_none_with_a_warning() {
    let jwt = manager();
    let t = jwt.create_access_token("alice").unwrap();
    let (logs, _guard) = Logs::capture();
    assert_eq!(
        call(&app(&jwt), "GET", "/wrong_user_type", Some(&t)).await,
        (200, json!({ "user": false }))
    );
    let text = logs.text();
    assert!(text.contains("not of the type asked for"), "{text}");
    assert!(text.contains("alloc::string::String"), "{text}");
}

#[tokio::test]
async fn the_fallible_form_is_a_500_naming_the_fix_where_no_guard_ran() {
    let jwt = manager();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/fallible", Some(&t)).await,
        (500, msg(messages::NOT_VERIFIED))
    );
    assert_eq!(
        call(&app, "GET", "/fallible_guarded", Some(&t)).await,
        (200, json!({ "identity": "alice" }))
    );
    assert_eq!(JwtError::NotVerified.kind(), "not_verified");
}

#[tokio::test]
async fn option_jwt_is_none_without_a_token_and_the_refusal_with_a_bad_one() {
    let jwt = manager();
    let app = app(&jwt);
    let (logs, _guard) = Logs::capture();
    assert_eq!(
        call(&app, "GET", "/option", None).await,
        (200, json!({ "extracted": null, "accessor": null }))
    );
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/option", Some(&t)).await,
        (200, json!({ "extracted": "alice", "accessor": "alice" }))
    );
    assert_eq!(logs.text(), "", "verification ran: no warning");
    assert_eq!(
        call(&app, "GET", "/option", Some("not.a.token")).await.0,
        422
    );
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/option", Some(&refresh)).await,
        (422, msg("Only non-refresh tokens are allowed"))
    );
    let expired = jwt
        .create_access_token_with(
            "alice",
            axum_jwt_extended::TokenOptions::new()
                .expires(axum_jwt_extended::Duration::seconds(-1)),
        )
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/option", Some(&expired)).await,
        (401, msg("Token has expired"))
    );
}
