//! One error path: `JwtManager::error_handler` renders every `JwtError`, from
//! the guard and from handlers alike, with the token when there is one; a 401
//! keeps its `WWW-Authenticate` challenge; Flask's per-kind loaders apply to
//! errors handlers return too.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    jwt_required, revoke_current_token_family, rotate_current_refresh_token, ClaimRule,
    DecodedToken, JwtConfig, JwtError, JwtManager, Location, TokenOptions,
};
use serde_json::{json, Value};

mod support;
use support::http::{bearer_request, send, Reply};

const SECRET: &str = "error-handler-secret-long-enough-for-hs256";

/// The notes service's error shape: `{"error": {"code", "message"}}`, and the
/// token's type when the error is about a token.
fn render(error: &JwtError, token: Option<&DecodedToken>) -> Response {
    let body = json!({
        "error": { "code": error.kind(), "message": error.to_string() },
        "token_type": token.and_then(DecodedToken::token_type),
    });
    (error.status(), Json(body)).into_response()
}

fn shaped(code: &str, message: &str, token_type: Option<&str>) -> Value {
    json!({ "error": { "code": code, "message": message }, "token_type": token_type })
}

struct AdminsOnly;

impl ClaimRule for AdminsOnly {
    fn check(_: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Err("Admins only!".into())
    }
}

#[jwt_required]
async fn protected() -> &'static str {
    "ok"
}

#[jwt_required(rule = AdminsOnly)]
async fn admin() -> &'static str {
    "ok"
}

#[jwt_required(refresh)]
async fn rotate() -> Result<Json<Value>, JwtError> {
    let pair = rotate_current_refresh_token().await?;
    Ok(Json(json!({ "refresh_token": pair.refresh_token })))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<Json<Value>, JwtError> {
    revoke_current_token_family().await?;
    Ok(Json(json!({ "msg": "bye" })))
}

#[jwt_required]
async fn broken() -> Result<&'static str, JwtError> {
    Err(JwtError::Config("the handler's own configuration".into()))
}

/// A handler that finds its token revoked itself (for example a store
/// check of its own): the same loader answers.
#[jwt_required]
async fn revoked_inside() -> Result<&'static str, JwtError> {
    Err(JwtError::Revoked)
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/protected", get(protected).post(protected))
        .route("/admin", get(admin))
        .route("/rotate", post(rotate))
        .route("/logout", post(logout))
        .route("/broken", get(broken))
        .route("/revoked_inside", get(revoked_inside))
        .layer(jwt.layer())
}

fn manager() -> JwtManager {
    support::manager(SECRET).error_handler(render)
}

fn challenge(reply: &Reply) -> Option<&str> {
    reply
        .headers
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_hook_renders_the_guards_refusals_with_their_challenges() {
    let jwt = manager();
    let app = app(&jwt);
    let missing = send(&app, bearer_request("GET", "/protected", None)).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.body,
        shaped("no_authorization", "Missing Authorization Header", None)
    );
    assert_eq!(challenge(&missing), Some("Bearer"));

    let expired = jwt
        .create_access_token_with(
            "alice",
            TokenOptions::new().expires(axum_jwt_extended::Duration::seconds(-1)),
        )
        .unwrap();
    let reply = send(&app, bearer_request("GET", "/protected", Some(&expired))).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        shaped("expired_token", "Token has expired", Some("access"))
    );
    assert!(challenge(&reply).unwrap().contains("invalid_token"));

    let reply = send(&app, bearer_request("GET", "/protected", Some("x.y.z"))).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["error"]["code"], "invalid_token");

    let t = jwt.create_access_token("alice").unwrap();
    let reply = send(&app, bearer_request("GET", "/admin", Some(&t))).await;
    assert_eq!(
        (reply.status, reply.body),
        (403, shaped("forbidden", "Admins only!", Some("access")))
    );
}

#[tokio::test]
async fn an_error_a_handler_returns_takes_the_same_path_with_its_token() {
    let jwt = manager();
    let app = app(&jwt);
    let pair = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let first = send(
        &app,
        bearer_request("POST", "/rotate", Some(&pair.refresh_token)),
    )
    .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    // Reusing the spent refresh token: the handler's `?` returns Revoked...
    let reused = send(
        &app,
        bearer_request("POST", "/rotate", Some(&pair.refresh_token)),
    )
    .await;
    // ...or the guard refuses it; either way one body shape.
    assert_eq!(reused.status, 401);
    assert_eq!(
        reused.body,
        shaped("revoked_token", "Token has been revoked", Some("refresh"))
    );
    assert!(challenge(&reused).unwrap().contains("revoked"));

    let t = jwt.create_access_token("alice").unwrap();
    let reply = send(&app, bearer_request("GET", "/broken", Some(&t))).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body["error"]["code"], "config");
    assert_eq!(reply.body["token_type"], "access", "the handler's token");
}

#[tokio::test]
async fn store_failures_and_bodies_take_the_same_path() {
    let jwt = manager().with_blocklist(support::stores::FailingStore::down());
    let t = jwt.create_access_token("alice").unwrap();
    let reply = send(&app(&jwt), bearer_request("GET", "/protected", Some(&t))).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body["error"]["code"], "revocation_unavailable");

    let json = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location([Location::Json])
            .json_body_limit(16)
            .build()
            .unwrap(),
    )
    .unwrap()
    .error_handler(render);
    let req = Request::post("/protected")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"access_token": "far more than sixteen bytes"}"#,
        ))
        .unwrap();
    let reply = send(&app(&json), req).await;
    assert_eq!(
        (reply.status, reply.body),
        (
            413,
            shaped("payload_too_large", "Request body too large", None)
        )
    );
}

#[tokio::test]
async fn a_hook_that_sets_its_own_challenge_keeps_it() {
    let jwt = support::manager(SECRET).error_handler(|error, _| {
        let mut response = (error.status(), "no").into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"notes\""),
        );
        response
    });
    let reply = send(&app(&jwt), bearer_request("GET", "/protected", None)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(challenge(&reply), Some("Bearer realm=\"notes\""));
}

#[tokio::test]
async fn per_kind_loaders_apply_to_handler_errors_and_keep_the_challenge() {
    let jwt = support::manager(SECRET)
        .revoked_token_loader(|token| {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "custom": "revoked", "type": token.token_type() })),
            )
                .into_response()
        })
        .unauthorized_loader(|m| {
            (StatusCode::UNAUTHORIZED, Json(json!({ "custom": m }))).into_response()
        });
    let app = app(&jwt);
    let pair = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let first = send(
        &app,
        bearer_request("POST", "/rotate", Some(&pair.refresh_token)),
    )
    .await;
    assert_eq!(first.status, 200);
    let reused = send(
        &app,
        bearer_request("POST", "/rotate", Some(&pair.refresh_token)),
    )
    .await;
    assert_eq!(
        (reused.status, reused.body.clone()),
        (401, json!({ "custom": "revoked", "type": "refresh" }))
    );
    assert!(
        challenge(&reused).is_some(),
        "a custom 401 keeps its challenge"
    );

    let missing = send(&app, bearer_request("GET", "/protected", None)).await;
    assert_eq!(
        missing.body,
        json!({ "custom": "Missing Authorization Header" })
    );
    assert_eq!(challenge(&missing), Some("Bearer"));

    let t = jwt.create_access_token("bob").unwrap();
    let inside = send(&app, bearer_request("GET", "/revoked_inside", Some(&t))).await;
    assert_eq!(
        (inside.status, inside.body.clone()),
        (401, json!({ "custom": "revoked", "type": "access" }))
    );
    assert!(challenge(&inside).unwrap().contains("revoked"));

    // The reuse revoked the whole login: its access token is refused by
    // the guard through the same loader.
    let access = pair.access_token;
    let refused = send(&app, bearer_request("POST", "/logout", Some(&access))).await;
    assert_eq!(
        (refused.status, refused.body),
        (401, json!({ "custom": "revoked", "type": "access" }))
    );
}
