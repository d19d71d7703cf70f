//! Hygiene: no token, secret, signature, CSRF or claim value in logs, error
//! messages, `Debug` output or responses.
//!
//! The tests that read logs live here, apart from other tests that reach
//! the same call sites: `tracing` caches whether a call site is wanted, and
//! a test thread reaching it with no subscriber while another sets its own
//! can leave it cached as unwanted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    messages, Duration, Jwt, JwtClaims, JwtConfig, JwtManager, Location, TokenOptions,
};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;
use support::http::{call, msg};
use support::logs::Logs;

const SECRET: &str = "hygiene-secret-that-must-never-be-logged";

#[tokio::test]
async fn nothing_secret_reaches_logs_errors_debug_or_responses() {
    let (logs, _guard) = Logs::capture_at(tracing::Level::TRACE);

    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location([Location::Headers, Location::Cookies])
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new()
        .route(
            "/p",
            get(|_: Jwt| async { "ok" }).post(|_: Jwt| async { "ok" }),
        )
        .layer(jwt.layer());
    let valid = jwt.create_access_token("alice").unwrap();
    let expired = jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Duration::seconds(-5)))
        .unwrap();
    let forged = format!("{}AAAA", &valid[..valid.len() - 4]);
    let csrf = jwt.decode_token(&valid, false).unwrap().claims()["csrf"]
        .as_str()
        .unwrap()
        .to_owned();
    let signature = valid.rsplit('.').next().unwrap().to_owned();

    let mut bodies = Vec::new();
    let mut errors = Vec::new();
    for (auth, cookie, method) in [
        (Some(valid.clone()), None, "GET"),
        (Some(expired.clone()), None, "GET"),
        (Some(forged.clone()), None, "GET"),
        (Some("x.y".to_owned()), None, "GET"),
        (None, Some(format!("access_token_cookie={valid}")), "POST"),
        (None, Some(format!("access_token_cookie={valid}")), "GET"),
    ] {
        let mut req = Request::builder().method(method).uri("/p");
        if let Some(a) = &auth {
            req = req.header(header::AUTHORIZATION, format!("Bearer {a}"));
        }
        if let Some(c) = &cookie {
            req = req
                .header(header::COOKIE, c)
                .header("X-CSRF-TOKEN", "wrong-value");
        }
        let res = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        bodies.push(
            String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
                .unwrap(),
        );
        if let Some(a) = &auth {
            if let Err(e) = jwt.decode_token(a, false) {
                errors.push(format!("{e} {e:?}"));
            }
        }
    }
    let debug = format!(
        "{jwt:?} {:?} {:?}",
        jwt.config(),
        jwt.decode_token(&valid, false).unwrap()
    );

    let logs = logs.text();
    assert!(
        logs.contains("request refused"),
        "the refusals are logged: {logs}"
    );
    assert!(
        logs.contains("kind=\"expired_token\"") || logs.contains("kind=expired_token"),
        "{logs}"
    );
    let haystacks = [
        ("logs", logs.as_str()),
        ("bodies", &bodies.join("\n")),
        ("errors", &errors.join("\n")),
        ("debug", &debug),
    ];
    for (what, text) in haystacks {
        for (name, needle) in [
            ("secret", SECRET),
            ("token", valid.as_str()),
            ("expired token", expired.as_str()),
            ("forged token", forged.as_str()),
            ("signature", signature.as_str()),
            ("csrf", csrf.as_str()),
        ] {
            assert!(!text.contains(needle), "the {name} appears in the {what}");
        }
    }
}

#[tokio::test]
async fn a_legacy_secret_is_announced_at_every_start() {
    let (logs, _guard) = Logs::capture();
    JwtConfig::builder()
        .legacy_secret(
            "flask-secret",
            axum_jwt_extended::LegacySecret::SignAndVerify,
        )
        .build()
        .unwrap();
    let text = logs.text();
    assert!(text.contains("legacy HMAC secret"), "{text}");
    assert!(text.contains("bytes=12"), "{text}");
    assert!(
        !text.contains("flask-secret"),
        "the secret itself is never logged: {text}"
    );
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Order {
    sub: String,
    order_id: u64,
}

async fn order(JwtClaims(claims): JwtClaims<Order>) -> Json<Value> {
    Json(json!({ "order_id": claims.order_id }))
}

#[tokio::test]
async fn a_claims_mismatch_is_a_stable_422_and_logs_the_field_never_the_value() {
    let (logs, _guard) = Logs::capture();
    let jwt = support::manager(SECRET);
    let app = Router::new().route("/order", get(order)).layer(jwt.layer());
    let with = |claims: Value| {
        jwt.create_access_token_with(
            "alice-identity-value",
            TokenOptions::new().additional_claims(claims),
        )
        .unwrap()
    };
    // A field of the wrong type: the path and the kind, not the value.
    let wrong = with(json!({ "order_id": "secret-order-text-987" }));
    assert_eq!(
        call(&app, "GET", "/order", Some(&wrong)).await,
        (422, msg(messages::CLAIMS_TYPE))
    );
    let text = logs.text();
    assert!(text.contains("order_id"), "{text}");
    assert!(text.contains("invalid type"), "{text}");
    assert!(text.contains("Order"), "names the type asked for: {text}");
    // A missing field: its name, from the app's own struct.
    let missing = with(json!({ "other": 1 }));
    assert_eq!(
        call(&app, "GET", "/order", Some(&missing)).await,
        (422, msg(messages::CLAIMS_TYPE))
    );
    let text = logs.text();
    assert!(text.contains("missing field `order_id`"), "{text}");
    for value in [
        "secret-order-text-987",
        "alice-identity-value",
        &wrong,
        &missing,
    ] {
        assert!(!text.contains(value), "a value reached the logs: {text}");
    }
    // A matching token logs nothing more.
    let before = logs.text().len();
    let right = with(json!({ "order_id": 7 }));
    assert_eq!(
        call(&app, "GET", "/order", Some(&right)).await,
        (200, json!({ "order_id": 7 }))
    );
    assert_eq!(logs.text().len(), before);
}
