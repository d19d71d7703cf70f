//! Interop with Flask-JWT-Extended through committed fixtures
//! (`tests/fixtures/flask_tokens.json`, made by `make_flask_tokens.py` with
//! Flask-JWT-Extended 4.7.4 and PyJWT 2.15.1).
//!
//! Every request of the catalogue was answered by Flask itself; we must give
//! the same status and body, except on the documented hardening points, where
//! we check our stricter answer and that Flask's really differs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    messages, req, FreshJwt, Jwt, JwtConfig, JwtManager, OptionalJwt, RefreshJwt, VerifyJwt,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

fn fixtures() -> Value {
    let text = include_str!("fixtures/flask_tokens.json");
    serde_json::from_str(text).unwrap()
}

fn manager(f: &Value) -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(f["secret"].as_str().unwrap())
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn app(jwt: &JwtManager) -> Router {
    async fn reply(identity: Option<String>) -> Json<Value> {
        Json(json!({ "logged_in_as": identity }))
    }
    Router::new()
        .route("/protected", get(|j: Jwt| reply(j.identity())))
        .route("/fresh", get(|j: FreshJwt| reply(j.identity())))
        .route("/refresh", post(|j: RefreshJwt| reply(j.identity())))
        .route("/optional", get(|j: OptionalJwt| reply(j.identity())))
        .route(
            "/any",
            get(|j: VerifyJwt<{ req::NO_VERIFY_TYPE }>| reply(j.identity())),
        )
        .layer(jwt.layer())
}

#[tokio::test]
async fn every_flask_answer_is_reproduced() {
    let f = fixtures();
    let jwt = manager(&f);
    let app = app(&jwt);
    let cases = f["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 100,
        "the catalogue has {} cases",
        cases.len()
    );
    let mut deviations = 0;
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let mut req = Request::builder()
            .method(c["method"].as_str().unwrap())
            .uri(c["path"].as_str().unwrap());
        if let Some(auth) = c["auth"].as_str() {
            req = req.header(header::AUTHORIZATION, auth);
        }
        let res = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let flask_status = c["status"].as_u64().unwrap() as u16;
        let flask_body = &c["body"];
        let ours = body["msg"].as_str().unwrap_or("");
        match c["deviation"].as_str() {
            None => assert_eq!(
                (status, &body),
                (flask_status, flask_body),
                "case {name:?}: we differ from Flask"
            ),
            Some("prefix") => {
                // Same status and PyJWT prefix; the JSON parser's detail differs.
                let flask_msg = flask_body["msg"].as_str().unwrap();
                let prefix = &flask_msg[..flask_msg.find(": ").unwrap() + 2];
                assert_eq!(status, flask_status, "{name}");
                assert!(
                    ours.starts_with(prefix),
                    "{name}: {ours:?} vs {flask_msg:?}"
                );
                deviations += 1;
            }
            Some("strict-numeric-date") => {
                assert_eq!(flask_status, 200, "{name}: Flask coerces with int()");
                assert_eq!((status, ours), (422, messages::IAT_NOT_INTEGER), "{name}");
                deviations += 1;
            }
            Some("fresh-422") => {
                assert_eq!(flask_status, 500, "{name}: Flask crashes");
                assert_eq!((status, ours), (422, messages::FRESH_INVALID), "{name}");
                deviations += 1;
            }
            Some("duplicate-members") => {
                assert_eq!(flask_status, 200, "{name}: Flask lets the last member win");
                assert_eq!(status, 422, "{name}");
                assert!(ours.contains("duplicate member name"), "{name}: {ours}");
                deviations += 1;
            }
            Some("padding") => {
                assert_eq!(flask_status, 200, "{name}: PyJWT 2.10+ accepts padding");
                assert_eq!(status, 422, "{name}");
                assert!(ours.ends_with(" padding"), "{name}: {ours}");
                deviations += 1;
            }
            Some(other) => panic!("unknown deviation {other:?} in case {name:?}"),
        }
    }
    assert_eq!(deviations, 10, "every documented deviation is exercised");
}

#[test]
fn flask_minted_tokens_keep_their_layout_here() {
    let f = fixtures();
    let jwt = manager(&f);
    let t = |name: &str| {
        jwt.decode_token(f["tokens"][name].as_str().unwrap(), true)
            .unwrap()
    };

    let access = t("access");
    assert_eq!(
        access.header(),
        json!({"alg": "HS256", "typ": "JWT"}).as_object().unwrap()
    );
    let mut keys: Vec<&str> = access.claims().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["csrf", "exp", "fresh", "iat", "jti", "nbf", "sub", "type"]
    );
    assert_eq!(access.claims()["fresh"], false);

    assert_eq!(t("fresh_access").claims()["fresh"], true);
    assert!(t("fresh_for").claims()["fresh"].is_f64());
    assert!(t("refresh").is_refresh());
    assert_eq!(t("never_expires").expires_at(), None);
    let with_claims = t("with_claims");
    assert_eq!(with_claims.header()["kid"], "key-1");
    assert_eq!(with_claims.claims()["role"], "admin");
    assert_eq!(with_claims.claims()["perms"], json!([1, 2]));
    // An expired Flask token is reported as expired, and allow_expired reads it.
    let expired = f["tokens"]["expired"].as_str().unwrap();
    assert_eq!(
        jwt.decode_token(expired, false).unwrap_err(),
        axum_jwt_extended::JwtError::Expired
    );
    assert_eq!(t("expired").identity_str(), Some("alice"));
}
