//! A manager taken from the router's state (`FromRef`), with no layer: the
//! attribute's `from_state` and the `StateJwt` extractor verify with it, the
//! free functions and the error hook work in the handler, and a router whose
//! state has no manager does not compile (`tests/ui/fail/from_state_without_manager.rs`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::extract::{FromRef, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, get_jwt_identity, jwt_required, Identity, JwtError, JwtManager, StateJwt,
};
use serde_json::{json, Value};

mod support;
use support::http::{bearer_request, call, msg, send};

const STATE_SECRET: &str = "state-manager-secret-long-enough-32b!";
const LAYER_SECRET: &str = "layer-manager-secret-long-enough-32b!";

#[derive(Clone)]
struct AppState {
    jwt: JwtManager,
    greeting: &'static str,
}

impl FromRef<AppState> for JwtManager {
    fn from_ref(state: &AppState) -> JwtManager {
        state.jwt.clone()
    }
}

#[jwt_required(from_state)]
async fn whoami(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "greeting": state.greeting, "identity": get_jwt_identity() }))
}

/// The free functions reach the state's manager inside the attribute.
#[jwt_required(from_state, refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        json!({ "access_token": create_access_token(get_jwt_identity())? }),
    ))
}

/// An error the handler returns: axum renders it after the handler, outside
/// any scope the guard can open, so only a layer's manager reaches it.
#[jwt_required(from_state)]
async fn failing() -> Result<Json<Value>, JwtError> {
    Err(JwtError::FreshTokenRequired)
}

async fn typed(jwt: StateJwt, Identity(user): Identity<String>) -> Json<Value> {
    Json(json!({ "extracted": jwt.identity(), "typed": user }))
}

fn state() -> AppState {
    let jwt = support::manager(STATE_SECRET).error_handler(|error, token| {
        let body = json!({ "code": error.kind(), "has_token": token.is_some() });
        (error.status(), Json(body)).into_response()
    });
    AppState {
        jwt,
        greeting: "hello",
    }
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/whoami", get(whoami))
        .route("/refresh", post(refresh))
        .route("/failing", get(failing))
        .route("/typed", get(typed))
}

#[tokio::test]
async fn the_states_manager_verifies_without_a_layer() {
    let state = state();
    let jwt = state.jwt.clone();
    let app = routes().with_state(state);
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/whoami", Some(&t)).await,
        (200, json!({ "greeting": "hello", "identity": "alice" }))
    );
    assert_eq!(
        call(&app, "GET", "/typed", Some(&t)).await,
        (200, json!({ "extracted": "alice", "typed": "alice" }))
    );

    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let (status, body) = call(&app, "POST", "/refresh", Some(&refresh_token)).await;
    assert_eq!(status, 200, "{body}");
    let minted = body["access_token"].as_str().unwrap();
    assert_eq!(
        jwt.decode_token(minted, false).unwrap().identity_str(),
        Some("alice")
    );

    // Refusals through the state's manager.
    let missing = send(&app, bearer_request("GET", "/whoami", None)).await;
    assert_eq!(
        (missing.status, missing.body.clone()),
        (
            401,
            json!({ "code": "no_authorization", "has_token": false })
        )
    );
    assert!(missing.headers.contains_key("www-authenticate"));
    assert_eq!(
        call(&app, "GET", "/failing", Some(&t)).await,
        (401, msg("Fresh token required")),
        "without a layer: Flask's default rendering (documented on FromState)"
    );
}

#[tokio::test]
async fn a_layer_in_front_is_the_manager_of_its_routes() {
    let layer_jwt = support::manager(LAYER_SECRET);
    let app = routes().with_state(state()).layer(layer_jwt.layer());
    let layer_token = layer_jwt.create_access_token("bob").unwrap();
    assert_eq!(
        call(&app, "GET", "/whoami", Some(&layer_token)).await,
        (200, json!({ "greeting": "hello", "identity": "bob" }))
    );
    let state_token = support::manager(STATE_SECRET)
        .create_access_token("alice")
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/whoami", Some(&state_token)).await,
        (422, msg("Signature verification failed"))
    );
    // With the state's manager as the layer too, handler errors take its hook.
    let state = state();
    let jwt = state.jwt.clone();
    let app = routes().with_state(state).layer(jwt.layer());
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/failing", Some(&t)).await,
        (
            401,
            json!({ "code": "fresh_token_required", "has_token": true })
        )
    );
}
