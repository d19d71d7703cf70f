//! Cookies with CSRF double submit, JSON bodies, query strings, the cookie
//! helpers and implicit refresh, through a real `Router`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Method, Request};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_refresh_token, get_jwt_identity, get_jwt_request_location,
    jwt_required, set_access_cookies, set_access_cookies_with, set_refresh_cookies,
    unset_jwt_cookies, CookieOptions, Duration, FixedClock, JwtConfig, JwtConfigBuilder, JwtError,
    JwtManager, Location, SameSite, TokenOptions,
};
use serde_json::{json, Value};

mod support;
use support::http::{msg, send};

const SECRET: &str = "locations-test-secret-long-enough-for-hs256";

fn config() -> JwtConfigBuilder {
    JwtConfig::builder().secret_key(SECRET)
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({
        "logged_in_as": get_jwt_identity(),
        "location": get_jwt_request_location().map(|l| l.as_str()),
    }))
}

#[jwt_required(refresh)]
async fn refresh() -> Json<Value> {
    Json(json!({ "refreshed": get_jwt_identity() }))
}

#[jwt_required]
async fn echo(Json(body): Json<Value>) -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity(), "body": body }))
}

#[jwt_required]
async fn upload(body: axum::body::Bytes) -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity(), "bytes": body.len() }))
}

#[jwt_required(locations(json))]
async fn json_only() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

async fn login() -> Result<impl IntoResponse, JwtError> {
    let access = create_access_token("alice")?;
    let refresh = create_refresh_token("alice")?;
    Ok((
        set_access_cookies(&access)?,
        set_refresh_cookies(&refresh)?,
        Json(json!({ "login": true })),
    ))
}

async fn login_max_age() -> Result<impl IntoResponse, JwtError> {
    let access = create_access_token("alice")?;
    let opts = CookieOptions::new()
        .max_age(Duration::seconds(100))
        .domain("api.example.com");
    Ok((set_access_cookies_with(&access, opts)?, Json(json!({}))))
}

async fn logout() -> Result<impl IntoResponse, JwtError> {
    Ok((unset_jwt_cookies()?, Json(json!({ "logout": true }))))
}

#[jwt_required]
async fn protected_logout() -> Result<impl IntoResponse, JwtError> {
    Ok((unset_jwt_cookies()?, Json(json!({ "logout": true }))))
}

fn app(jwt: &JwtManager) -> Router {
    routes().layer(jwt.layer())
}

fn routes() -> Router {
    Router::new()
        .route(
            "/protected",
            get(protected).post(protected).delete(protected),
        )
        .route("/refresh", post(refresh))
        .route("/echo", post(echo))
        .route("/upload", post(upload))
        .route("/json-only", post(json_only))
        .route("/login", post(login))
        .route("/login-max-age", post(login_max_age))
        .route("/logout", post(logout))
        .route("/protected-logout", post(protected_logout))
}

fn req(method: Method, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri)
}

fn cookie_config() -> JwtConfigBuilder {
    config().token_location([Location::Cookies])
}

fn csrf_of(jwt: &JwtManager, token: &str) -> String {
    jwt.decode_token(token, false).unwrap().claims()["csrf"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn cookie_token_get_needs_no_csrf() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let r = send(
        &app(&jwt),
        req(Method::GET, "/protected")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (200, json!({"logged_in_as": "alice", "location": "cookies"}))
    );
}

#[tokio::test]
async fn missing_cookie() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let r = send(
        &app(&jwt),
        req(Method::GET, "/protected").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing cookie \"access_token_cookie\""))
    );
    // An empty cookie counts as missing, like Flask.
    let r = send(
        &app(&jwt),
        req(Method::GET, "/protected")
            .header(header::COOKIE, "access_token_cookie=")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn csrf_double_submit_on_state_changing_methods() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let csrf = csrf_of(&jwt, &t);
    let cookie = format!("access_token_cookie={t}");
    for method in [Method::POST, Method::DELETE] {
        let r = send(
            &app,
            req(method.clone(), "/protected")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (r.status, r.body),
            (401, msg("Missing CSRF token")),
            "{method}"
        );
        let r = send(
            &app,
            req(method.clone(), "/protected")
                .header(header::COOKIE, &cookie)
                .header("X-CSRF-TOKEN", "not-the-value")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (r.status, r.body),
            (401, msg("CSRF double submit tokens do not match")),
            "{method}"
        );
        let r = send(
            &app,
            req(method.clone(), "/protected")
                .header(header::COOKIE, &cookie)
                .header("x-csrf-token", &csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 200, "{method}");
    }
    // A prefix of the right value is not the right value.
    let r = send(
        &app,
        req(Method::POST, "/protected")
            .header(header::COOKIE, &cookie)
            .header("X-CSRF-TOKEN", &csrf[..10])
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn token_without_csrf_claim_on_a_csrf_method() {
    let minter = JwtManager::new(cookie_config().csrf_protect(false).build().unwrap()).unwrap();
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let t = minter.create_access_token("alice").unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/protected")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .header("X-CSRF-TOKEN", "anything")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body), (422, msg("Missing claim: csrf")));
}

#[tokio::test]
async fn csrf_configuration() {
    // Off: no CSRF check at all.
    let jwt = JwtManager::new(cookie_config().csrf_protect(false).build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/protected")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    // Methods and header name are configurable.
    let jwt = JwtManager::new(
        cookie_config()
            .csrf_methods(["GET"])
            .access_csrf_header_name("X-My-Csrf")
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let cookie = format!("access_token_cookie={t}");
    let r = send(
        &app,
        req(Method::GET, "/protected")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body), (401, msg("Missing CSRF token")));
    let r = send(
        &app,
        req(Method::POST, "/protected")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "POST is no longer a CSRF method");
    let r = send(
        &app,
        req(Method::GET, "/protected")
            .header(header::COOKIE, &cookie)
            .header("X-My-Csrf", csrf_of(&jwt, &t))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
}

/// A `multipart/form-data` body with these text fields and one file.
fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----boundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    body.extend([0u8, 255, 1, 2, 3]);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn csrf_form_field_in_a_multipart_body() {
    // Flask's `request.form` holds multipart fields too. (A small body limit
    // for the layer, to show which uploads it reads.)
    let jwt = JwtManager::new(
        cookie_config()
            .csrf_check_form(true)
            .json_body_limit(64 * 1024)
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let csrf = csrf_of(&jwt, &t);
    let upload = |fields: &[(&str, &str)], extra: Option<(&str, &str)>| {
        let (content_type, body) = multipart(fields);
        let mut r = req(Method::POST, "/upload")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .header(header::CONTENT_TYPE, content_type);
        if let Some((k, v)) = extra {
            r = r.header(k, v);
        }
        (body.len(), r.body(Body::from(body)).unwrap())
    };
    let (len, request) = upload(&[("title", "x"), ("csrf_token", &csrf)], None);
    let r = send(&app, request).await;
    // The handler still gets the whole body.
    assert_eq!(
        (r.status, r.body),
        (200, json!({ "logged_in_as": "alice", "bytes": len }))
    );
    let (_, request) = upload(&[("csrf_token", "wrong")], None);
    let r = send(&app, request).await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("CSRF double submit tokens do not match"))
    );
    let (_, request) = upload(&[("title", "x")], None);
    let r = send(&app, request).await;
    assert_eq!((r.status, r.body), (401, msg("Missing CSRF token")));
    // The header wins, and then the body is not read by the layer.
    let (len, request) = upload(&[("csrf_token", "wrong")], Some(("X-CSRF-TOKEN", &csrf)));
    let r = send(&app, request).await;
    assert_eq!(
        (r.status, r.body),
        (200, json!({ "logged_in_as": "alice", "bytes": len }))
    );
    // Uploads that do not depend on the form field are never buffered (no
    // 413 from the layer's limit): with the CSRF header, or without a cookie.
    let big = "x".repeat(256 * 1024);
    let (len, request) = upload(&[("data", &big)], Some(("X-CSRF-TOKEN", &csrf)));
    let r = send(&app, request).await;
    assert_eq!(
        (r.status, r.body),
        (200, json!({ "logged_in_as": "alice", "bytes": len }))
    );
    let (content_type, body) = multipart(&[("data", &big)]);
    let r = send(
        &app,
        req(Method::POST, "/upload")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing cookie \"access_token_cookie\""))
    );
    // One whose CSRF value is in the form is read, within the limit.
    let (_, request) = upload(&[("data", &big), ("csrf_token", &csrf)], None);
    let r = send(&app, request).await;
    assert_eq!((r.status, r.body), (413, msg("Request body too large")));
    // A malformed body has no field: 401, never a 500.
    let r = send(
        &app,
        req(Method::POST, "/upload")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=zzz")
            .body(Body::from("not multipart at all"))
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body), (401, msg("Missing CSRF token")));
}

#[tokio::test]
async fn csrf_form_field_when_enabled() {
    let jwt = JwtManager::new(cookie_config().csrf_check_form(true).build().unwrap()).unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let csrf = csrf_of(&jwt, &t);
    let form = |body: String| {
        req(Method::POST, "/protected")
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        send(&app, form(format!("a=1&csrf_token={csrf}")))
            .await
            .status,
        200
    );
    let r = send(&app, form("csrf_token=wrong".into())).await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("CSRF double submit tokens do not match"))
    );
    let r = send(&app, form("a=1".into())).await;
    assert_eq!((r.status, r.body), (401, msg("Missing CSRF token")));
    // Off (the default): the form field is not consulted.
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let t2 = jwt.create_access_token("alice").unwrap();
    let csrf2 = csrf_of(&jwt, &t2);
    let r = send(
        &crate::app(&jwt),
        req(Method::POST, "/protected")
            .header(header::COOKIE, format!("access_token_cookie={t2}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={csrf2}")))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn refresh_routes_read_the_refresh_cookie_and_its_csrf() {
    let jwt = JwtManager::new(
        cookie_config()
            .refresh_csrf_header_name("X-Refresh-Csrf")
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let access = jwt.create_access_token("alice").unwrap();
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let r = send(
        &app,
        req(Method::POST, "/refresh")
            .header(header::COOKIE, format!("access_token_cookie={access}"))
            .header("X-CSRF-TOKEN", csrf_of(&jwt, &access))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing cookie \"refresh_token_cookie\""))
    );
    let cookie = format!("access_token_cookie={access}; refresh_token_cookie={refresh_token}");
    let r = send(
        &app,
        req(Method::POST, "/refresh")
            .header(header::COOKIE, &cookie)
            .header("X-CSRF-TOKEN", csrf_of(&jwt, &refresh_token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing CSRF token")),
        "the refresh header name is used"
    );
    let r = send(
        &app,
        req(Method::POST, "/refresh")
            .header(header::COOKIE, &cookie)
            .header("X-Refresh-Csrf", csrf_of(&jwt, &refresh_token))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body), (200, json!({"refreshed": "alice"})));
}

#[tokio::test]
async fn two_cookies_with_the_token_name_are_refused() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let other = jwt.create_access_token("mallory").unwrap();
    for cookies in [
        vec![format!(
            "access_token_cookie={t}; access_token_cookie={other}"
        )],
        vec![
            format!("access_token_cookie={t}"),
            format!("access_token_cookie={other}"),
        ],
    ] {
        let mut b = req(Method::GET, "/protected");
        for c in &cookies {
            b = b.header(header::COOKIE, c);
        }
        let r = send(&app(&jwt), b.body(Body::empty()).unwrap()).await;
        assert_eq!(
            (r.status, r.body),
            (422, msg("Multiple cookies named \"access_token_cookie\""))
        );
    }
}

#[tokio::test]
async fn csrf_applies_only_to_cookie_transport() {
    let jwt = JwtManager::new(
        config()
            .token_location([Location::Headers, Location::Cookies])
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/protected")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body["location"].clone()),
        (200, json!("headers"))
    );
}

#[tokio::test]
async fn all_four_locations_combined_message_and_order() {
    let jwt = JwtManager::new(
        config()
            .token_location([
                Location::Headers,
                Location::Cookies,
                Location::QueryString,
                Location::Json,
            ])
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let r = send(
        &app,
        req(Method::GET, "/protected").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing JWT in headers, cookies, query_string or json (Missing Authorization Header; Missing cookie \"access_token_cookie\"; Missing 'jwt' query paramater; Invalid content-type. Must be application/json.)"))
    );
    let t = jwt.create_access_token("alice").unwrap();
    // A JSON body location while a Json<T> handler still gets the body.
    let r = send(
        &app,
        req(Method::POST, "/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"access_token": t, "item": 5}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (
            200,
            json!({"logged_in_as": "alice", "body": {"access_token": t, "item": 5}})
        )
    );
    // The first location holding a token decides: a bad header is not skipped.
    let r = send(
        &app,
        req(Method::GET, &format!("/protected?jwt={t}"))
            .header(header::AUTHORIZATION, "Bearer")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn json_body_messages() {
    let jwt = JwtManager::new(config().token_location([Location::Json]).build().unwrap()).unwrap();
    let app = app(&jwt);
    let post = |ct: Option<&str>, body: String| {
        let mut b = req(Method::POST, "/echo");
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        b.body(Body::from(body)).unwrap()
    };
    let r = send(&app, post(None, "{}".into())).await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Invalid content-type. Must be application/json."))
    );
    let r = send(&app, post(Some("text/plain"), "{}".into())).await;
    assert_eq!(r.status, 401);
    let missing = msg("Missing \"access_token\" key in json data.");
    for body in [
        "{}",
        "{broken",
        "[1, 2]",
        "\"token\"",
        "null",
        r#"{"access_token": ""}"#,
        r#"{"access_token": null}"#,
        r#"{"access_token": 0}"#,
    ] {
        let r = send(&app, post(Some("application/json"), body.into())).await;
        assert_eq!((r.status, &r.body), (401, &missing), "{body}");
    }
    for body in [
        r#"{"access_token": 5}"#,
        r#"{"access_token": true}"#,
        r#"{"access_token": ["x"]}"#,
    ] {
        let r = send(&app, post(Some("application/json"), body.into())).await;
        assert_eq!(
            (r.status, r.body),
            (
                422,
                msg("Invalid token type. Token must be a <class 'bytes'>")
            ),
            "{body}"
        );
    }
    let t = jwt.create_access_token("alice").unwrap();
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let r = send(&app, post(Some(ct), json!({"access_token": t}).to_string())).await;
        assert_eq!(r.status, 200, "{ct}");
    }
    // Refresh routes read `refresh_token`.
    let rt = jwt.create_refresh_token("alice").unwrap();
    let r = send(
        &app,
        req(Method::POST, "/refresh")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"access_token": rt}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body),
        (401, msg("Missing \"refresh_token\" key in json data."))
    );
    let r = send(
        &app,
        req(Method::POST, "/refresh")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"refresh_token": rt}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn json_body_limit() {
    let jwt = JwtManager::new(
        config()
            .token_location([Location::Json])
            .json_body_limit(64)
            .build()
            .unwrap(),
    )
    .unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/echo")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!("{{\"pad\": \"{}\"}}", "x".repeat(100))))
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body), (413, msg("Request body too large")));
}

#[tokio::test]
async fn route_json_location_needs_the_layer_to_read_bodies() {
    // Not enabled: a loud 500 naming the fix, not a silent "missing token".
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let body = json!({"access_token": t}).to_string();
    let post = || {
        req(Method::POST, "/json-only")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let r = send(&app(&jwt), post()).await;
    assert_eq!(r.status, 500);
    assert!(
        r.body["msg"].as_str().unwrap().contains("read_json_body"),
        "{}",
        r.body
    );
    let jwt = JwtManager::new(config().read_json_body(true).build().unwrap()).unwrap();
    let r = send(&app(&jwt), post()).await;
    assert_eq!((r.status, r.body), (200, json!({"logged_in_as": "alice"})));
}

#[tokio::test]
async fn set_cookie_attributes_match_flask() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/login").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.set_cookies().len(), 4);
    let access = r.set_cookie("access_token_cookie").unwrap();
    assert_eq!(access.http_only(), Some(true));
    assert_eq!(access.path(), Some("/"));
    assert_eq!(access.secure(), None);
    assert_eq!(access.max_age(), None, "a session cookie by default");
    assert_eq!(access.same_site(), None);
    let csrf = r.set_cookie("csrf_access_token").unwrap();
    assert_eq!(csrf.http_only(), None, "readable by JavaScript");
    assert_eq!(csrf.value(), csrf_of(&jwt, access.value()));
    let refresh_cookie = r.set_cookie("refresh_token_cookie").unwrap();
    assert!(jwt
        .decode_token(refresh_cookie.value(), false)
        .unwrap()
        .is_refresh());
    assert_eq!(
        r.set_cookie("csrf_refresh_token").unwrap().value(),
        csrf_of(&jwt, refresh_cookie.value())
    );
}

#[tokio::test]
async fn set_cookie_options_and_unset() {
    let jwt = JwtManager::new(
        cookie_config()
            .cookie_secure(true)
            .cookie_samesite(SameSite::Lax)
            .cookie_domain("example.com")
            .session_cookie(false)
            .access_cookie_path("/api")
            .access_csrf_cookie_path("/")
            .access_cookie_name("at")
            .access_csrf_cookie_name("at_csrf")
            .clock(FixedClock(1_700_000_000.0))
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let r = send(
        &app,
        req(Method::POST, "/login").body(Body::empty()).unwrap(),
    )
    .await;
    let access = r.set_cookie("at").unwrap();
    assert_eq!(access.secure(), Some(true));
    assert_eq!(access.same_site(), Some(cookie::SameSite::Lax));
    assert_eq!(access.domain(), Some("example.com"));
    assert_eq!(access.path(), Some("/api"));
    assert_eq!(
        access.max_age(),
        Some(cookie::time::Duration::seconds(31_540_000))
    );
    assert_eq!(
        access.expires_datetime().map(|d| d.unix_timestamp()),
        Some(1_700_000_000 + 31_540_000)
    );
    let csrf = r.set_cookie("at_csrf").unwrap();
    assert_eq!(csrf.path(), Some("/"));
    assert_eq!(csrf.secure(), Some(true));

    let r = send(
        &app,
        req(Method::POST, "/login-max-age")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let access = r.set_cookie("at").unwrap();
    assert_eq!(access.max_age(), Some(cookie::time::Duration::seconds(100)));
    assert_eq!(access.domain(), Some("api.example.com"));

    let r = send(
        &app,
        req(Method::POST, "/logout").body(Body::empty()).unwrap(),
    )
    .await;
    let names: Vec<String> = r
        .set_cookies()
        .iter()
        .map(|s| cookie::Cookie::parse(s.clone()).unwrap().name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "at",
            "at_csrf",
            "refresh_token_cookie",
            "csrf_refresh_token"
        ]
    );
    for s in r.set_cookies() {
        let c = cookie::Cookie::parse(s.clone()).unwrap();
        assert_eq!(c.value(), "");
        assert_eq!(
            c.expires_datetime().map(|d| d.unix_timestamp()),
            Some(0),
            "{s}"
        );
        assert!(s.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"), "{s}");
    }
    assert_eq!(r.set_cookie("at").unwrap().http_only(), Some(true));
}

#[tokio::test]
async fn csrf_cookies_are_not_set_when_disabled() {
    let jwt = JwtManager::new(cookie_config().csrf_in_cookies(false).build().unwrap()).unwrap();
    let r = send(
        &app(&jwt),
        req(Method::POST, "/login").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.set_cookies().len(), 2);
    assert!(r.set_cookie("csrf_access_token").is_none());
}

#[tokio::test]
async fn cookie_helpers_refuse_invalid_tokens() {
    let jwt = JwtManager::new(cookie_config().build().unwrap()).unwrap();
    assert_eq!(
        jwt.set_access_cookies("not.a.token")
            .unwrap_err()
            .status()
            .as_u16(),
        422
    );
    assert_eq!(set_access_cookies("x").unwrap_err(), JwtError::NoManager);
}

#[tokio::test]
async fn implicit_refresh_reissues_expiring_access_cookies() {
    let now = 1_700_000_000.0;
    let jwt = JwtManager::new(cookie_config().clock(FixedClock(now)).build().unwrap()).unwrap();
    let app = routes().layer(jwt.layer().refresh_expiring_cookies(Duration::minutes(5)));
    let cookie_req = |t: &str, uri: &str, method: Method| {
        req(method, uri)
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .header("X-CSRF-TOKEN", csrf_of(&jwt, t))
            .body(Body::empty())
            .unwrap()
    };
    let expiring = jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Duration::minutes(2)))
        .unwrap();
    let r = send(&app, cookie_req(&expiring, "/protected", Method::GET)).await;
    assert_eq!(r.status, 200);
    let renewed = r
        .set_cookie("access_token_cookie")
        .expect("a new access cookie");
    let d = jwt.decode_token(renewed.value(), false).unwrap();
    assert_eq!(d.identity_str(), Some("alice"));
    assert_eq!(d.expires_at(), Some(now + 15.0 * 60.0));
    assert_eq!(
        r.set_cookie("csrf_access_token").unwrap().value(),
        csrf_of(&jwt, renewed.value())
    );

    // Far from expiry: nothing is added.
    let fresh = jwt.create_access_token("alice").unwrap();
    let r = send(&app, cookie_req(&fresh, "/protected", Method::GET)).await;
    assert!(r.set_cookies().is_empty());

    // A response that unsets the cookies is left alone.
    let r = send(
        &app,
        cookie_req(&expiring, "/protected-logout", Method::POST),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.set_cookie("access_token_cookie").unwrap().value(), "");

    // An unprotected route or a header token does not trigger it.
    let r = send(&app, cookie_req(&expiring, "/logout", Method::POST)).await;
    assert_eq!(r.set_cookie("access_token_cookie").unwrap().value(), "");
    let jwt2 = JwtManager::new(config().clock(FixedClock(now)).build().unwrap()).unwrap();
    let app2 = routes().layer(jwt2.layer().refresh_expiring_cookies(Duration::minutes(5)));
    let r = send(
        &app2,
        req(Method::GET, "/protected")
            .header(header::AUTHORIZATION, format!("Bearer {expiring}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.set_cookies().is_empty());
}

/// A password reset or an invitation kept in the access cookie.
struct Invitation;
impl axum_jwt_extended::TokenKind for Invitation {
    const NAME: &'static str = "invitation";
}

#[jwt_required(token_type = Invitation)]
async fn accept_invitation() -> Json<Value> {
    Json(json!({ "invited": get_jwt_identity() }))
}

/// A provider's key set, served from memory.
#[derive(Debug)]
struct KeySetOf(Value);
impl axum_jwt_extended::JwksFetcher for KeySetOf {
    fn fetch(&self) -> axum_jwt_extended::BoxFuture<'_, Result<Value, String>> {
        let doc = self.0.clone();
        Box::pin(async move { Ok(doc) })
    }
}

/// The implicit refresh re-mints only this service's own access tokens: an
/// app-defined kind, a trusted issuer's token, a remote key set's token or
/// a token of another `type` that an access route lets through comes back
/// with no new cookie (it used to come back as one of our access tokens,
/// renewable forever past the provider's expiry).
#[tokio::test]
async fn implicit_refresh_renews_only_our_own_access_tokens() {
    const PARTNER: &str = "https://partner.example";
    let ec_private = include_str!("fixtures/keys/ec256-private.pem");
    let ec_public = include_str!("fixtures/keys/ec256-public.pem");
    let now = 1_700_000_000.0;
    let clock = FixedClock(now);
    let partner = JwtManager::new(
        JwtConfig::builder()
            .algorithm("ES256")
            .private_key(ec_private)
            .public_key(ec_public)
            .key_id("p1")
            .encode_issuer(PARTNER)
            .encode_audience("our-api")
            .clock(clock)
            .build()
            .unwrap(),
    )
    .unwrap();
    let key = axum_jwt_extended::VerificationKey::from_pem(
        axum_jwt_extended::Algorithm::ES256,
        ec_public,
    )
    .unwrap()
    .with_kid("p1");
    let trusting = JwtManager::new(
        cookie_config()
            .clock(clock)
            .token_kind::<Invitation>()
            .trust_issuer(axum_jwt_extended::Issuer::with_keys(PARTNER, [key]).audience("our-api"))
            .build()
            .unwrap(),
    )
    .unwrap();
    // RS256 keys of our own beside a provider's key set.
    let rsa = |name: &str| {
        std::fs::read(format!(
            "{}/fixtures/keys/{name}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let provider = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(rsa("rsa2048-other-private"))
            .public_key(rsa("rsa2048-other-public"))
            .key_id("p2")
            .clock(clock)
            .build()
            .unwrap(),
    )
    .unwrap();
    let remote = JwtManager::new(
        cookie_config()
            .algorithm("RS256")
            .private_key(rsa("rsa2048-private"))
            .public_key(rsa("rsa2048-public"))
            .key_id("own")
            .clock(clock)
            .jwks(axum_jwt_extended::RemoteJwks::new(KeySetOf(
                provider.jwks(),
            )))
            .build()
            .unwrap(),
    )
    .unwrap();
    async fn get_with_cookie(app: &Router, uri: &str, t: &str) -> support::http::Reply {
        let request = req(Method::GET, uri)
            .header(header::COOKIE, format!("access_token_cookie={t}"))
            .body(Body::empty())
            .unwrap();
        send(app, request).await
    }
    let expiring = || TokenOptions::new().expires(Duration::minutes(2));
    let partner_token = partner
        .create_access_token_with("alice", expiring())
        .unwrap();
    let provider_token = provider
        .create_access_token_with("erin", expiring())
        .unwrap();
    let invitation = trusting
        .create_token_of::<Invitation>("bob", expiring())
        .unwrap();
    let odd_type = support::forge::forge_claims(
        &json!({"sub": "carol", "type": "odd", "fresh": false, "iat": now as i64,
                "nbf": now as i64, "jti": "5b0a4f1e-0f3c-4c5e-8a0e-3d2f1b6c7a90",
                "exp": now as i64 + 120}),
        SECRET,
    );
    for (manager, uri, token, what) in [
        (
            &trusting,
            "/protected",
            &partner_token,
            "a trusted issuer's token",
        ),
        (
            &remote,
            "/protected",
            &provider_token,
            "a remote key set's token",
        ),
        (&trusting, "/invitation", &invitation, "an app-defined kind"),
        (
            &trusting,
            "/protected",
            &odd_type,
            "a token of another type",
        ),
    ] {
        let app = routes().route("/invitation", get(accept_invitation)).layer(
            manager
                .layer()
                .refresh_expiring_cookies(Duration::minutes(5)),
        );
        let r = get_with_cookie(&app, uri, token).await;
        assert_eq!(r.status, 200, "{what}: {:?}", r.body);
        assert!(
            r.set_cookies().is_empty(),
            "{what} was renewed: {:?}",
            r.set_cookies()
        );
    }
    // Our own access tokens, in the same services, still are.
    for manager in [&trusting, &remote] {
        let app = routes().layer(
            manager
                .layer()
                .refresh_expiring_cookies(Duration::minutes(5)),
        );
        let own = manager
            .create_access_token_with("dave", expiring())
            .unwrap();
        let r = get_with_cookie(&app, "/protected", &own).await;
        assert_eq!(r.status, 200);
        let renewed = r.set_cookie("access_token_cookie").expect("renewed");
        let d = manager.decode_token(renewed.value(), false).unwrap();
        assert_eq!((d.identity_str(), d.issuer()), (Some("dave"), None));
    }
}
