//! Two managers in one app: cookies with CSRF under `/app` for the browser,
//! headers under `/api` for clients. Each verifies its own routes only, and
//! the free functions (`create_access_token`, `set_access_cookies`, ...) use
//! the manager of the route they run in.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, get_jwt_identity, get_jwt_request_location, jwt_required,
    set_access_cookies, JwtConfig, JwtError, JwtManager, Location,
};
use serde_json::{json, Value};

mod support;
use support::http::{bearer_request, send};

const BROWSER_SECRET: &str = "browser-manager-secret-long-enough-32b";
const CLIENT_SECRET: &str = "client-manager-secret-long-enough-32bb";

#[jwt_required]
async fn me() -> Json<Value> {
    Json(
        json!({ "identity": get_jwt_identity(), "location": get_jwt_request_location().map(|l| l.as_str()) }),
    )
}

async fn browser_login() -> Result<impl IntoResponse, JwtError> {
    let token = create_access_token("alice")?;
    Ok((
        set_access_cookies(&token)?,
        Json(json!({ "msg": "login successful" })),
    ))
}

async fn client_login() -> Result<Json<Value>, JwtError> {
    Ok(Json(json!({ "access_token": create_access_token("bob")? })))
}

fn app() -> Router {
    let browser = JwtManager::new(
        JwtConfig::builder()
            .secret_key(BROWSER_SECRET)
            .token_location([Location::Cookies])
            .build()
            .unwrap(),
    )
    .unwrap();
    let client = support::manager(CLIENT_SECRET);
    let browser_routes = Router::new()
        .route("/login", post(browser_login))
        .route("/me", get(me).post(me))
        .layer(browser.layer());
    let client_routes = Router::new()
        .route("/login", post(client_login))
        .route("/me", get(me))
        .layer(client.layer());
    Router::new()
        .nest("/app", browser_routes)
        .nest("/api", client_routes)
}

/// The access cookie and its CSRF value from a browser login.
async fn browser_session(app: &Router) -> (String, String) {
    let reply = send(app, bearer_request("POST", "/app/login", None)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let access = reply.set_cookie("access_token_cookie").unwrap();
    let csrf = reply.set_cookie("csrf_access_token").unwrap();
    (access.value().to_owned(), csrf.value().to_owned())
}

#[tokio::test]
async fn each_manager_verifies_its_own_routes() {
    let app = app();
    let (cookie, csrf) = browser_session(&app).await;
    let client_reply = send(&app, bearer_request("POST", "/api/login", None)).await;
    let client_token = client_reply.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // The client's header token on the API.
    let reply = send(&app, bearer_request("GET", "/api/me", Some(&client_token))).await;
    assert_eq!(
        (reply.status, reply.body),
        (200, json!({ "identity": "bob", "location": "headers" }))
    );

    // The browser's cookie in the app, with CSRF on a POST.
    let with_cookie = |method: &str, csrf: Option<&str>| {
        let mut req = Request::builder()
            .method(method)
            .uri("/app/me")
            .header(header::COOKIE, format!("access_token_cookie={cookie}"));
        if let Some(c) = csrf {
            req = req.header("X-CSRF-TOKEN", c);
        }
        req.body(Body::empty()).unwrap()
    };
    let reply = send(&app, with_cookie("GET", None)).await;
    assert_eq!(
        (reply.status, reply.body),
        (200, json!({ "identity": "alice", "location": "cookies" }))
    );
    assert_eq!(
        send(&app, with_cookie("POST", Some(&csrf))).await.status,
        200
    );
    assert_eq!(
        send(&app, with_cookie("POST", None)).await.pair(),
        (401, json!({ "msg": "Missing CSRF token" }))
    );

    // Neither accepts the other's token: the app reads cookies only, and
    // the API does not know the browser manager's key.
    assert_eq!(
        send(&app, bearer_request("GET", "/app/me", Some(&client_token)))
            .await
            .pair(),
        (
            401,
            json!({ "msg": "Missing cookie \"access_token_cookie\"" })
        )
    );
    assert_eq!(
        send(&app, bearer_request("GET", "/api/me", Some(&cookie)))
            .await
            .pair(),
        (422, json!({ "msg": "Signature verification failed" }))
    );
}
