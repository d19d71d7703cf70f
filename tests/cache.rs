//! The verified-token cache never changes an answer: the same requests, in the
//! same order and at the same instants, get the same status and body from a
//! service with the cache and from one without. Expiry, the clock going back,
//! revocation, type, freshness, forged tokens and CSRF are all exercised
//! after the token was cached.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Method, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, Clock, JwtConfig, JwtManager, Location, TokenOptions,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const SECRET: &str = "cache-test-secret-that-is-long-enough";
const T0: f64 = 1_700_000_000.0;

#[derive(Debug, Clone)]
struct SharedClock(Arc<Mutex<f64>>);

impl Clock for SharedClock {
    fn now(&self) -> f64 {
        *self.0.lock().unwrap()
    }
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(fresh)]
async fn fresh() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(locations(cookies))]
async fn cookie_route() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

struct Service {
    jwt: JwtManager,
    app: Router,
}

fn service(clock: &SharedClock, cache: usize) -> Service {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location([Location::Headers, Location::Cookies])
            .clock(clock.clone())
            .verified_token_cache(cache)
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new()
        .route("/protected", get(protected))
        .route("/fresh", get(fresh))
        .route("/cookie", get(cookie_route).post(cookie_route))
        .route("/cookie-post", post(cookie_route))
        .layer(jwt.layer());
    Service { jwt, app }
}

#[derive(Clone, Copy)]
enum Send<'a> {
    Bearer(&'a str),
    Cookie(&'a str, Option<&'a str>),
}

async fn call(app: &Router, method: Method, uri: &str, send: Send<'_>) -> (u16, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    req = match send {
        Send::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Send::Cookie(t, csrf) => {
            let req = req.header(header::COOKIE, format!("access_token_cookie={t}"));
            match csrf {
                Some(c) => req.header("X-CSRF-TOKEN", c),
                None => req,
            }
        }
    };
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_cache_never_changes_an_answer() {
    let clock = SharedClock(Arc::new(Mutex::new(T0)));
    let cached = service(&clock, 1024);
    let plain = service(&clock, 0);
    // Both services share the secret: every token is valid for both.
    let minter = &plain.jwt;
    let access = minter.create_access_token("alice").unwrap();
    let fresh_token = minter
        .create_access_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    let refresh = minter.create_refresh_token("alice").unwrap();
    let (signing_input, signature) = access.rsplit_once('.').unwrap();
    let (head, _) = signing_input.split_once('.').unwrap();
    let other = minter.create_access_token("mallory").unwrap();
    let other_payload = other.split('.').nth(1).unwrap();
    // Another payload under the cached token's signature.
    let forged = format!("{head}.{other_payload}.{signature}");
    let csrf = minter.decode_token(&access, false).unwrap().claims()["csrf"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut answers = Vec::new();
    let mut step = |label: &str, answer: (u16, Value), expected: (u16, Value)| {
        assert_eq!(answer, expected, "{label}");
        answers.push(answer);
    };
    macro_rules! both {
        ($label:expr, $method:expr, $uri:expr, $send:expr) => {{
            let a = call(&cached.app, $method, $uri, $send).await;
            let b = call(&plain.app, $method, $uri, $send).await;
            step($label, a, b);
        }};
    }

    both!("valid", Method::GET, "/protected", Send::Bearer(&access));
    both!(
        "valid again (a hit)",
        Method::GET,
        "/protected",
        Send::Bearer(&access)
    );
    both!(
        "forged under a cached signature",
        Method::GET,
        "/protected",
        Send::Bearer(&forged)
    );
    both!("not fresh", Method::GET, "/fresh", Send::Bearer(&access));
    both!("fresh", Method::GET, "/fresh", Send::Bearer(&fresh_token));
    both!(
        "fresh again",
        Method::GET,
        "/fresh",
        Send::Bearer(&fresh_token)
    );
    both!(
        "refresh on an access route",
        Method::GET,
        "/protected",
        Send::Bearer(&refresh)
    );
    both!(
        "refresh again",
        Method::GET,
        "/protected",
        Send::Bearer(&refresh)
    );

    // CSRF: a cookie GET needs none (and may be cached); a POST always
    // compares the value.
    both!(
        "cookie GET",
        Method::GET,
        "/cookie",
        Send::Cookie(&access, None)
    );
    both!(
        "cookie GET again",
        Method::GET,
        "/cookie",
        Send::Cookie(&access, None)
    );
    both!(
        "cookie POST, no CSRF",
        Method::POST,
        "/cookie-post",
        Send::Cookie(&access, None)
    );
    both!(
        "cookie POST, wrong CSRF",
        Method::POST,
        "/cookie-post",
        Send::Cookie(&access, Some("wrong"))
    );
    both!(
        "cookie POST, CSRF",
        Method::POST,
        "/cookie-post",
        Send::Cookie(&access, Some(&csrf))
    );
    both!(
        "cookie POST, wrong CSRF after a good one",
        Method::POST,
        "/cookie-post",
        Send::Cookie(&access, Some("wrong"))
    );

    // The clock going back before iat/nbf, then forward past exp.
    *clock.0.lock().unwrap() = T0 - 60.0;
    both!(
        "before iat",
        Method::GET,
        "/protected",
        Send::Bearer(&access)
    );
    *clock.0.lock().unwrap() = T0;
    both!(
        "now again",
        Method::GET,
        "/protected",
        Send::Bearer(&access)
    );
    *clock.0.lock().unwrap() = T0 + 16.0 * 60.0;
    both!("expired", Method::GET, "/protected", Send::Bearer(&access));
    *clock.0.lock().unwrap() = T0;

    // Revocation is checked on every request, cached or not.
    let decoded = minter.decode_token(&access, false).unwrap();
    cached.jwt.revoke_token(&decoded).await.unwrap();
    plain.jwt.revoke_token(&decoded).await.unwrap();
    both!("revoked", Method::GET, "/protected", Send::Bearer(&access));

    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses,
        [
            200, 200, 422, 401, 200, 200, 422, 422, 200, 200, 401, 401, 200, 401, 422, 200, 401,
            401
        ],
        "{answers:?}"
    );
}

#[tokio::test]
async fn cached_tokens_keep_their_identity_under_many_users() {
    let clock = SharedClock(Arc::new(Mutex::new(T0)));
    // A small cache: parts of it are emptied and refilled all along.
    let svc = service(&clock, 16);
    let tokens: Vec<(String, String)> = (0..64)
        .map(|i| {
            let who = format!("user{i}");
            (svc.jwt.create_access_token(&who).unwrap(), who)
        })
        .collect();
    for _ in 0..3 {
        for (token, who) in &tokens {
            let (status, body) =
                call(&svc.app, Method::GET, "/protected", Send::Bearer(token)).await;
            assert_eq!((status, body), (200, json!({ "logged_in_as": who })));
        }
    }
}

#[tokio::test]
async fn a_decode_key_loader_is_asked_on_every_request() {
    use axum_jwt_extended::{Algorithm, VerificationKey};
    let tenant_secret = "the tenant's own secret, 32 bytes or more";
    let key = |s: &str| Arc::new(VerificationKey::from_secret(Algorithm::HS256, s).unwrap());
    let current = Arc::new(Mutex::new(key(tenant_secret)));
    let loader_key = Arc::clone(&current);
    let clock = SharedClock(Arc::new(Mutex::new(T0)));
    let jwt = service(&clock, 1024)
        .jwt
        .decode_key_loader(move |_| Some(Arc::clone(&loader_key.lock().unwrap())));
    let app = Router::new()
        .route("/protected", get(protected))
        .layer(jwt.layer());
    let minted_at_t0 = {
        let minter = JwtManager::new(
            JwtConfig::builder()
                .secret_key(tenant_secret)
                .clock(clock.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
        minter.create_access_token("alice").unwrap()
    };
    assert_eq!(
        call(&app, Method::GET, "/protected", Send::Bearer(&minted_at_t0))
            .await
            .0,
        200
    );
    assert_eq!(
        call(&app, Method::GET, "/protected", Send::Bearer(&minted_at_t0))
            .await
            .0,
        200
    );
    // The tenant's key is rotated away: its tokens stop verifying at once.
    *current.lock().unwrap() = key("a different secret of 32 bytes or more");
    assert_eq!(
        call(&app, Method::GET, "/protected", Send::Bearer(&minted_at_t0)).await,
        (422, json!({ "msg": "Signature verification failed" }))
    );
}
