//! Hygiene: no token, secret, signature or CSRF value in logs, error
//! messages, `Debug` output or responses.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{Duration, Jwt, JwtConfig, JwtManager, Location, TokenOptions};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod support;
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
