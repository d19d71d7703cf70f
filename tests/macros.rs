//! `#[jwt_required]` and friends on every supported handler shape, through a
//! real `Router`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, Method, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{debug_handler, Json, Router};
use axum_jwt_extended::{
    create_access_token, fresh_jwt_required, get_jwt, get_jwt_identity, get_jwt_request_location,
    jwt_optional, jwt_refresh_token_required, jwt_required, spawn_with_jwt, JwtError, JwtManager,
    TokenOptions,
};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;

const SECRET: &str = "macro-test-secret-long-enough-for-hs256";

#[derive(Clone)]
struct AppState {
    greeting: &'static str,
}

#[derive(Deserialize)]
struct Item {
    name: String,
}

/// Documentation and other attributes are kept.
#[jwt_required]
async fn plain() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required]
async fn with_state(State(state): State<AppState>) -> String {
    format!(
        "{} {}",
        state.greeting,
        get_jwt_identity().unwrap_or_default()
    )
}

#[jwt_required]
async fn with_path_and_json(Path(id): Path<u32>, Json(item): Json<Item>) -> Json<Value> {
    Json(json!({ "id": id, "name": item.name, "by": get_jwt_identity() }))
}

#[jwt_required]
async fn impl_into_response() -> impl IntoResponse {
    (StatusCode::CREATED, get_jwt_identity().unwrap_or_default())
}

#[jwt_required]
async fn result_with_question_mark() -> Result<Json<Value>, JwtError> {
    let token = create_access_token(get_jwt_identity())?;
    Ok(Json(json!({ "access_token": token })))
}

#[jwt_required]
async fn early_return(Path(id): Path<u32>) -> Result<String, StatusCode> {
    if id == 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(format!("{id}"))
}

#[jwt_required]
async fn unit_return() {
    assert!(get_jwt_identity().is_some());
}

#[jwt_required(fresh)]
async fn fresh_only() -> &'static str {
    "fresh"
}

#[fresh_jwt_required]
async fn fresh_preset() -> &'static str {
    "fresh"
}

#[jwt_refresh_token_required]
async fn refresh() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        json!({ "access_token": create_access_token(get_jwt_identity())? }),
    ))
}

#[jwt_required(refresh = true)]
async fn refresh_flag() -> &'static str {
    "refresh"
}

#[jwt_required(optional)]
async fn optional() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity(), "claims": get_jwt().len() }))
}

#[jwt_optional]
async fn optional_preset() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(verify_type = false, skip_revocation_check)]
async fn any_type() -> Json<Value> {
    Json(json!({ "type": get_jwt()["type"] }))
}

#[jwt_required(locations(query_string, headers))]
async fn located() -> Json<Value> {
    Json(json!({ "location": get_jwt_request_location().map(|l| l.as_str()) }))
}

#[jwt_required(optional = false, fresh = false)]
async fn explicit_false() -> &'static str {
    "ok"
}

#[jwt_required]
#[debug_handler]
async fn debugged(State(state): State<AppState>) -> String {
    format!(
        "{} {}",
        state.greeting,
        get_jwt_identity().unwrap_or_default()
    )
}

#[jwt_required]
async fn spawned() -> String {
    spawn_with_jwt(async { get_jwt_identity().unwrap_or_default() })
        .await
        .unwrap()
}

#[jwt_required]
async fn plain_spawn_does_not_inherit() -> String {
    tokio::spawn(async { format!("{:?}", get_jwt_identity()) })
        .await
        .unwrap()
}

struct Handlers;

impl Handlers {
    #[jwt_required]
    async fn associated(State(state): State<AppState>) -> String {
        format!(
            "{} {}",
            state.greeting,
            get_jwt_identity().unwrap_or_default()
        )
    }
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/plain", get(plain))
        .route("/state", get(with_state))
        .route("/items/{id}", post(with_path_and_json))
        .route("/impl", get(impl_into_response))
        .route("/result", get(result_with_question_mark))
        .route("/early/{id}", get(early_return))
        .route("/unit", get(unit_return))
        .route("/fresh", get(fresh_only))
        .route("/fresh-preset", get(fresh_preset))
        .route("/refresh", post(refresh))
        .route("/refresh-flag", post(refresh_flag))
        .route("/optional", get(optional))
        .route("/optional-preset", get(optional_preset))
        .route("/any", get(any_type))
        .route("/located", get(located))
        .route("/explicit", get(explicit_false))
        .route("/debugged", get(debugged))
        .route("/spawned", get(spawned))
        .route("/plain-spawn", get(plain_spawn_does_not_inherit))
        .route("/associated", get(Handlers::associated))
        .with_state(AppState { greeting: "hello" })
        .layer(jwt.layer())
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_owned())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get_(app: &Router, uri: &str, token: Option<&str>) -> (u16, String) {
    send(app, Method::GET, uri, token, None).await
}

#[tokio::test]
async fn every_handler_shape_works_with_a_valid_token() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let t = Some(t.as_str());
    assert_eq!(
        get_(&app, "/plain", t).await,
        (200, r#"{"logged_in_as":"alice"}"#.into())
    );
    assert_eq!(get_(&app, "/state", t).await, (200, "hello alice".into()));
    assert_eq!(
        send(&app, Method::POST, "/items/7", t, Some(r#"{"name":"pen"}"#)).await,
        (200, r#"{"by":"alice","id":7,"name":"pen"}"#.into())
    );
    assert_eq!(get_(&app, "/impl", t).await, (201, "alice".into()));
    let (s, body) = get_(&app, "/result", t).await;
    assert_eq!(s, 200);
    let token: Value = serde_json::from_str(&body).unwrap();
    let fresh_token = token["access_token"].as_str().unwrap();
    assert_eq!(
        jwt.decode_token(fresh_token, false).unwrap().identity_str(),
        Some("alice")
    );
    assert_eq!(get_(&app, "/early/0", t).await.0, 404);
    assert_eq!(get_(&app, "/early/5", t).await, (200, "5".into()));
    assert_eq!(get_(&app, "/unit", t).await.0, 200);
    assert_eq!(
        get_(&app, "/debugged", t).await,
        (200, "hello alice".into())
    );
    assert_eq!(
        get_(&app, "/associated", t).await,
        (200, "hello alice".into())
    );
    assert_eq!(get_(&app, "/explicit", t).await, (200, "ok".into()));
    assert_eq!(get_(&app, "/spawned", t).await, (200, "alice".into()));
    assert_eq!(get_(&app, "/plain-spawn", t).await, (200, "None".into()));
}

#[tokio::test]
async fn every_handler_shape_rejects_a_missing_token_first() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let missing = (401, r#"{"msg":"Missing Authorization Header"}"#.to_owned());
    for uri in [
        "/plain",
        "/state",
        "/impl",
        "/result",
        "/early/0",
        "/unit",
        "/fresh",
        "/debugged",
        "/associated",
        "/located",
    ] {
        let (s, b) = get_(&app, uri, None).await;
        if uri == "/located" {
            assert_eq!(s, 401);
            assert_eq!(
                b,
                r#"{"msg":"Missing JWT in query_string or headers (Missing 'jwt' query paramater; Missing Authorization Header)"}"#
            );
        } else {
            assert_eq!((s, b), missing, "{uri}");
        }
    }
    // Authentication runs before any other extractor: a broken JSON body and a
    // bad path parameter are not looked at without a token.
    assert_eq!(
        send(&app, Method::POST, "/items/7", None, Some("{broken")).await,
        missing
    );
    assert_eq!(
        send(
            &app,
            Method::POST,
            "/items/not-a-number",
            None,
            Some("{broken")
        )
        .await,
        missing
    );
    // With a token, the body extractor's own error shows.
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        send(&app, Method::POST, "/items/7", Some(&t), Some("{broken"))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn route_requirements_follow_the_arguments() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let access = jwt.create_access_token("alice").unwrap();
    let fresh = jwt
        .create_access_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let fresh_required = (401, r#"{"msg":"Fresh token required"}"#.to_owned());
    assert_eq!(get_(&app, "/fresh", Some(&access)).await, fresh_required);
    assert_eq!(
        get_(&app, "/fresh-preset", Some(&access)).await,
        fresh_required
    );
    assert_eq!(
        get_(&app, "/fresh", Some(&fresh)).await,
        (200, "fresh".into())
    );
    assert_eq!(
        get_(&app, "/fresh-preset", Some(&fresh)).await,
        (200, "fresh".into())
    );

    let only_refresh = (
        422,
        r#"{"msg":"Only refresh tokens are allowed"}"#.to_owned(),
    );
    assert_eq!(
        send(&app, Method::POST, "/refresh", Some(&access), None).await,
        only_refresh
    );
    assert_eq!(
        send(&app, Method::POST, "/refresh-flag", Some(&access), None).await,
        only_refresh
    );
    assert_eq!(
        send(&app, Method::POST, "/refresh", Some(&refresh_token), None)
            .await
            .0,
        200
    );
    assert_eq!(
        send(
            &app,
            Method::POST,
            "/refresh-flag",
            Some(&refresh_token),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        get_(&app, "/plain", Some(&refresh_token)).await,
        (
            422,
            r#"{"msg":"Only non-refresh tokens are allowed"}"#.into()
        )
    );

    assert_eq!(
        get_(&app, "/optional", None).await,
        (200, r#"{"claims":0,"logged_in_as":null}"#.into())
    );
    assert_eq!(
        get_(&app, "/optional-preset", None).await,
        (200, r#"{"logged_in_as":null}"#.into())
    );
    assert_eq!(get_(&app, "/optional", Some(&access)).await.0, 200);
    assert_eq!(get_(&app, "/optional", Some("x.y.z")).await.0, 422);

    assert_eq!(
        get_(&app, "/any", Some(&refresh_token)).await,
        (200, r#"{"type":"refresh"}"#.into())
    );
    assert_eq!(
        get_(&app, "/any", Some(&access)).await,
        (200, r#"{"type":"access"}"#.into())
    );

    assert_eq!(
        get_(&app, &format!("/located?jwt={access}"), None).await,
        (200, r#"{"location":"query_string"}"#.into())
    );
    assert_eq!(
        get_(&app, "/located", Some(&access)).await,
        (200, r#"{"location":"headers"}"#.into())
    );
}

#[tokio::test]
async fn the_scope_does_not_leak_across_concurrent_requests() {
    let jwt = support::manager(SECRET);
    let app = app(&jwt);
    let mut tasks = Vec::new();
    for i in 0..256 {
        let app = app.clone();
        let t = jwt.create_access_token(format!("user-{i}")).unwrap();
        tasks.push(tokio::spawn(async move {
            let uri = if i % 2 == 0 { "/plain" } else { "/spawned" };
            (i, get_(&app, uri, Some(&t)).await)
        }));
    }
    for task in tasks {
        let (i, (s, body)) = task.await.unwrap();
        assert_eq!(s, 200);
        assert!(
            body.contains(&format!("user-{i}\"")) || body == format!("user-{i}"),
            "{i}: {body}"
        );
    }
    // And nothing leaks out of the handlers.
    assert_eq!(get_jwt_identity(), None);
}
