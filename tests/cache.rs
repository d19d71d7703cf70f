//! The verified-token cache never changes an answer: the same requests, in the
//! same order and at the same instants, get the same status and body from a
//! service with the cache and from one without. Expiry, the clock going back,
//! revocation, type, freshness, forged tokens and CSRF are all exercised
//! after the token was cached; so are the ends of a login (logout of the
//! login, log out everywhere, refresh-token reuse, an ended session).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Method, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, BoxFuture, Clock, JwtConfig, JwtManager, Location,
    MemoryBlocklist, MemorySessionStore, SessionRecord, SessionStore, SessionStoreError,
    TokenOptions,
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
    respond(app, req).await
}

/// The status and JSON body (`null` when not JSON) `app` answers.
async fn respond(app: &Router, req: axum::http::request::Builder) -> (u16, Value) {
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

/// One session store for the two services of the test below (two instances
/// of one fleet, one with the cache and one without).
#[derive(Debug, Clone)]
struct SharedSessions(Arc<MemorySessionStore>);

impl SessionStore for SharedSessions {
    fn insert<'a>(
        &'a self,
        record: &'a SessionRecord,
        cap: Option<usize>,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        self.0.insert(record, cap, now)
    }
    fn list<'a>(
        &'a self,
        identity: &'a str,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<SessionRecord>, SessionStoreError>> {
        self.0.list(identity, now)
    }
    fn touch<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
        last_used_at: f64,
        expires_at: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        self.0.touch(identity, id, last_used_at, expires_at)
    }
    fn remove<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        self.0.remove(identity, id)
    }
}

#[jwt_required(refresh)]
async fn refresh_route() -> Json<Value> {
    Json(json!({ "refreshed_for": get_jwt_identity() }))
}

/// The cache never changes an answer after a login ends in any of the ways
/// revocation knows: a logout of the login (family), "log out everywhere",
/// the reuse of a rotated refresh token, and the end of a session. Both
/// services share one blocklist and one session store, and every token is
/// answered (so cached) before its login ends.
#[tokio::test]
async fn the_cache_never_changes_an_answer_when_a_login_ends() {
    let clock = SharedClock(Arc::new(Mutex::new(T0)));
    let blocklist = MemoryBlocklist::with_clock(clock.clone());
    let sessions = SharedSessions(Arc::new(MemorySessionStore::new()));
    let make = |cache: usize| {
        let jwt = JwtManager::new(
            JwtConfig::builder()
                .secret_key(SECRET)
                .clock(clock.clone())
                .verified_token_cache(cache)
                .build()
                .unwrap(),
        )
        .unwrap()
        .with_blocklist(blocklist.clone())
        .with_sessions(sessions.clone());
        let app = Router::new()
            .route("/protected", get(protected))
            .route("/refresh", get(refresh_route))
            .layer(jwt.layer());
        Service { jwt, app }
    };
    let (cached, plain) = (make(1024), make(0));
    let jwt = &plain.jwt;
    let decode = |t: &str| jwt.decode_token(t, false).unwrap();

    let mut answers = Vec::new();
    macro_rules! both {
        ($label:expr, $uri:expr, $token:expr) => {{
            let a = call(&cached.app, Method::GET, $uri, Send::Bearer($token)).await;
            let b = call(&plain.app, Method::GET, $uri, Send::Bearer($token)).await;
            assert_eq!(a, b, "{}", $label);
            answers.push(a.0);
        }};
    }

    // A logout of the login: its access and refresh tokens.
    let login = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    both!("login: access", "/protected", &login.access_token);
    both!("login: refresh", "/refresh", &login.refresh_token);
    jwt.revoke_token_family(&decode(&login.access_token))
        .await
        .unwrap();
    both!("logged out: access", "/protected", &login.access_token);
    both!("logged out: refresh", "/refresh", &login.refresh_token);

    // Log out everywhere: earlier tokens die, a later login lives.
    let before = jwt.create_access_token("bob").unwrap();
    both!("bob", "/protected", &before);
    *clock.0.lock().unwrap() += 1.0;
    jwt.revoke_all_tokens_of("bob").await.unwrap();
    both!("bob logged out everywhere", "/protected", &before);
    *clock.0.lock().unwrap() += 1.0;
    let after = jwt.create_access_token("bob").unwrap();
    both!("bob's later login", "/protected", &after);

    // Rotation, then the spent refresh token again: reuse ends the login.
    let first = jwt.create_token_pair("carol", TokenOptions::new()).unwrap();
    both!("carol: refresh", "/refresh", &first.refresh_token);
    let second = jwt
        .rotate_refresh_token(&decode(&first.refresh_token))
        .await
        .unwrap();
    both!("carol: rotated access", "/protected", &second.access_token);
    both!(
        "carol: spent refresh (reuse)",
        "/refresh",
        &first.refresh_token
    );
    both!(
        "carol: rotated access after reuse",
        "/protected",
        &second.access_token
    );
    both!(
        "carol: rotated refresh after reuse",
        "/refresh",
        &second.refresh_token
    );

    // A session ended from another device.
    let laptop = jwt
        .create_session("dave", TokenOptions::new(), json!({"device": "laptop"}))
        .await
        .unwrap();
    let phone = jwt
        .create_session("dave", TokenOptions::new(), json!({"device": "phone"}))
        .await
        .unwrap();
    both!("dave: laptop", "/protected", &laptop.access_token);
    both!("dave: phone", "/protected", &phone.access_token);
    assert!(jwt
        .revoke_session(&decode(&phone.access_token), &laptop.session_id)
        .await
        .unwrap());
    both!("dave: laptop ended", "/protected", &laptop.access_token);
    both!("dave: laptop's refresh", "/refresh", &laptop.refresh_token);
    both!("dave: phone still in", "/protected", &phone.access_token);

    assert_eq!(
        answers,
        [200, 200, 401, 401, 200, 401, 200, 200, 200, 401, 401, 401, 200, 200, 401, 401, 200],
        "{answers:?}"
    );
}

/// A request with these `Authorization` header lines, exactly as given.
async fn call_with_headers(app: &Router, uri: &str, lines: &[&str]) -> (u16, Value) {
    let mut req = Request::get(uri);
    for line in lines {
        req = req.header(header::AUTHORIZATION, *line);
    }
    respond(app, req).await
}

/// The guard's first look (one header line holding a token the cache has)
/// answers exactly as the general reading of the header, for headers around
/// a cached token that Flask reads differently or refuses.
#[tokio::test]
async fn a_cached_token_is_read_from_the_header_as_flask_reads_it() {
    let clock = SharedClock(Arc::new(Mutex::new(T0)));
    let cached = service(&clock, 1024);
    let plain = service(&clock, 0);
    let access = plain.jwt.create_access_token("alice").unwrap();
    let bearer = format!("Bearer {access}");
    // Cache it.
    assert_eq!(
        call_with_headers(&cached.app, "/protected", &[&bearer])
            .await
            .0,
        200
    );
    // Same length and the same last 16 characters as the cached token (the
    // cache's key), another payload: a key match that is not the text.
    let mut near = access.clone().into_bytes();
    let i = access.find('.').unwrap() + 3;
    near[i] = if near[i] == b'A' { b'B' } else { b'A' };
    let near = String::from_utf8(near).unwrap();
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("usual", vec![bearer.clone()]),
        ("two spaces", vec![format!("Bearer  {access}")]),
        ("trailing space", vec![format!("{bearer} ")]),
        ("lowercase type", vec![format!("bearer {access}")]),
        ("tab", vec![format!("Bearer\t{access}")]),
        ("trailing comma", vec![format!("{bearer},")]),
        ("two fields", vec![format!("{bearer}, Bearer {access}")]),
        ("another scheme first", vec![format!("Basic abc, {bearer}")]),
        ("two lines", vec![bearer.clone(), bearer.clone()]),
        ("a second, empty line", vec![bearer.clone(), String::new()]),
        ("token with a suffix", vec![format!("{bearer}x")]),
        (
            "token cut short",
            vec![format!("Bearer {}", &access[..access.len() - 1])],
        ),
        (
            "the key's tail on another text",
            vec![format!("Bearer {near}")],
        ),
        ("no type", vec![access.clone()]),
        ("usual again", vec![bearer.clone()]),
    ];
    let mut statuses = Vec::new();
    for (label, lines) in &cases {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let a = call_with_headers(&cached.app, "/protected", &lines).await;
        let b = call_with_headers(&plain.app, "/protected", &lines).await;
        assert_eq!(a, b, "{label}");
        statuses.push(a.0);
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 401, 200, 200, 401, 200, 401, 200, 422, 422, 422, 401, 200],
        "{cases:?}"
    );
    // A route that looks in cookies first never takes the header's token.
    let a = call_with_headers(&cached.app, "/cookie", &[&bearer]).await;
    assert_eq!(
        a,
        call_with_headers(&plain.app, "/cookie", &[&bearer]).await
    );
    assert_eq!(a.0, 401, "{a:?}");
}
