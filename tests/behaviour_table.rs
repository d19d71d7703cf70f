//! The behaviour table (`docs/guide/behaviour.md`), row by row, through a real
//! `Router` and the extractors (`Jwt`, `OptionalJwt`, `FreshJwt`, `RefreshJwt`,
//! `VerifyJwt`), with `tower::ServiceExt::oneshot`: missing and malformed
//! tokens, types, freshness, revocation, the missing layer, optional routes,
//! `OPTIONS`, the accessors and the free functions.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Method, Request};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_refresh_token, get_jwt, get_jwt_header, get_jwt_identity,
    get_jwt_request_location, messages, req, revoke_current_token, Duration, FixedClock, FreshJwt,
    Jwt, JwtConfig, JwtConfigBuilder, JwtContext, JwtError, JwtManager, Location, OptionalJwt,
    RefreshJwt, TokenOptions, VerifyJwt,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;
use support::forge::forge_claims;
use support::http::{get_auth, get_with, msg, send, Reply};

const SECRET: &str = "http-test-secret-long-enough-for-hs256";

fn config() -> JwtConfigBuilder {
    JwtConfig::builder().secret_key(SECRET)
}

async fn who(jwt: Jwt) -> Json<Value> {
    Json(json!({ "logged_in_as": jwt.identity(), "location": jwt.location().map(|l| l.as_str()) }))
}

async fn who_optional(jwt: OptionalJwt) -> Json<Value> {
    Json(json!({ "logged_in_as": jwt.identity() }))
}

async fn who_fresh(jwt: FreshJwt) -> Json<Value> {
    Json(json!({ "logged_in_as": jwt.identity() }))
}

async fn refresh(jwt: RefreshJwt) -> Result<Json<Value>, JwtError> {
    let identity = jwt.identity().unwrap_or_default();
    Ok(Json(
        json!({ "access_token": create_access_token(identity)? }),
    ))
}

async fn any_type(jwt: VerifyJwt<{ req::NO_VERIFY_TYPE }>) -> Json<Value> {
    Json(json!({ "type": jwt.token().map(|t| t.claims()["type"].clone()) }))
}

async fn query_only(jwt: VerifyJwt<{ req::locations(&[Location::QueryString]) }>) -> Json<Value> {
    Json(json!({ "logged_in_as": jwt.identity() }))
}

async fn skip_revocation(jwt: VerifyJwt<{ req::SKIP_REVOCATION_CHECK }>) -> Json<Value> {
    Json(json!({ "logged_in_as": jwt.identity() }))
}

async fn logout(jwt: VerifyJwt<{ req::NO_VERIFY_TYPE }>) -> Result<Json<Value>, JwtError> {
    jwt.scope(async {
        revoke_current_token().await?;
        Ok(Json(json!({ "msg": "Token revoked" })))
    })
    .await
}

async fn accessors(jwt: Jwt) -> Json<Value> {
    jwt.scope(async {
        Json(json!({
            "identity": get_jwt_identity(),
            "claims": get_jwt(),
            "header": get_jwt_header(),
            "location": get_jwt_request_location().map(|l| l.as_str()),
        }))
    })
    .await
}

async fn login() -> Result<Json<Value>, JwtError> {
    Ok(Json(json!({
        "access_token": create_access_token("alice")?,
        "refresh_token": create_refresh_token("alice")?,
    })))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/protected", get(who).options(who))
        .route("/optional", get(who_optional))
        .route("/fresh", get(who_fresh))
        .route("/refresh", post(refresh))
        .route("/any", get(any_type))
        .route("/query", get(query_only))
        .route("/skip", get(skip_revocation))
        .route("/logout", delete(logout))
        .route("/accessors", get(accessors))
        .route("/login", post(login))
        .layer(jwt.layer())
}

#[tokio::test]
async fn valid_access_token_reaches_the_handler() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        get_auth(&app, "/protected", Some(&format!("Bearer {t}"))).await,
        (200, json!({"logged_in_as": "alice", "location": "headers"}))
    );
}

#[tokio::test]
async fn row1_missing_token_is_401_with_bearer_challenge() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let Reply {
        status: s,
        body: b,
        headers: h,
    } = send(&app(&jwt), get_with("/protected", None)).await;
    assert_eq!((s, b), (401, msg("Missing Authorization Header")));
    assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    // Whitespace and commas only count as missing, like Flask's strip().strip(",").
    for blank in ["", "   ", ",", " , "] {
        assert_eq!(
            get_auth(&app(&jwt), "/protected", Some(blank)).await,
            (401, msg("Missing Authorization Header")),
            "{blank:?}"
        );
    }
}

#[tokio::test]
async fn row1_combined_message_for_several_locations() {
    let jwt = JwtManager::new(
        config()
            .token_location([Location::Headers, Location::QueryString])
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        get_auth(&app(&jwt), "/protected", None).await,
        (
            401,
            msg("Missing JWT in headers or query_string (Missing Authorization Header; Missing 'jwt' query paramater)")
        )
    );
    // The first location holding a token decides, with no fall-through on errors.
    let t = jwt.create_access_token("alice").unwrap();
    let (s, b) = get_auth(
        &app(&jwt),
        &format!("/protected?jwt={t}"),
        Some("Bearer bad"),
    )
    .await;
    assert_eq!((s, b), (422, msg("Not enough segments")));
    let (s, b) = get_auth(&app(&jwt), &format!("/protected?jwt={t}"), None).await;
    assert_eq!((s, b["location"].clone()), (200, json!("query_string")));
}

#[tokio::test]
async fn row2_header_without_the_bearer_field() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let expected = (
        401,
        msg("Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'"),
    );
    for auth in [
        format!("Basic {t}"),
        format!("bearer {t}"),
        format!("Bearer {t}, Bearer {t}"),
        "Token abc".to_owned(),
    ] {
        assert_eq!(
            get_auth(&app(&jwt), "/protected", Some(&auth)).await,
            expected,
            "{auth}"
        );
    }
    // Comma-separated fields: the one Bearer field is used.
    assert_eq!(
        get_auth(
            &app(&jwt),
            "/protected",
            Some(&format!("Basic xyz, Bearer {t}"))
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn row2_two_authorization_header_lines_are_joined_like_wsgi() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let req = Request::builder()
        .uri("/protected")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap();
    let Reply { status: s, .. } = send(&app(&jwt), req).await;
    assert_eq!(s, 401);
    let req = Request::builder()
        .uri("/protected")
        .header(header::AUTHORIZATION, "Basic abc")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap();
    let Reply { status: s, .. } = send(&app(&jwt), req).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn row3_bearer_with_no_or_several_tokens() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let expected = (
        422,
        msg("Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"),
    );
    for auth in ["Bearer", "Bearer a b", "Bearer  ", "Bearer a\tb"] {
        assert_eq!(
            get_auth(&app(&jwt), "/protected", Some(auth)).await,
            expected,
            "{auth:?}"
        );
    }
}

#[tokio::test]
async fn custom_header_name_and_bare_token_type() {
    let jwt = JwtManager::new(
        config()
            .header_name("X-Token")
            .header_type("")
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let req = |v: &str| {
        Request::builder()
            .uri("/protected")
            .header("x-token", v)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app(&jwt), req(&t)).await.status, 200);
    let Reply {
        status: s, body: b, ..
    } = send(&app(&jwt), req(&format!("Bearer {t}"))).await;
    assert_eq!(
        (s, b),
        (422, msg("Bad X-Token header. Expected 'X-Token: <JWT>'"))
    );
    assert_eq!(
        get_auth(&app(&jwt), "/protected", None).await,
        (401, msg("Missing X-Token Header"))
    );
}

#[tokio::test]
async fn error_message_key_is_configurable() {
    let jwt = JwtManager::new(config().error_msg_key("error").build().unwrap()).unwrap();
    assert_eq!(
        get_auth(&app(&jwt), "/protected", None).await,
        (401, json!({"error": "Missing Authorization Header"}))
    );
}

#[tokio::test]
async fn query_string_location_messages() {
    let jwt = JwtManager::new(
        config()
            .query_string_value_prefix("Bearer ")
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        get_auth(&app(&jwt), "/query", None).await,
        (401, msg("Missing 'jwt' query paramater"))
    );
    assert_eq!(
        get_auth(&app(&jwt), "/query?jwt=", None).await,
        (401, msg("Missing 'jwt' query paramater"))
    );
    assert_eq!(
        get_auth(&app(&jwt), &format!("/query?jwt={t}"), None).await,
        (
            422,
            msg("Invalid value for query parameter 'jwt'. Expected the value to start with 'Bearer '")
        )
    );
    assert_eq!(
        get_auth(&app(&jwt), &format!("/query?x=1&jwt=Bearer+{t}"), None).await,
        (200, json!({"logged_in_as": "alice"}))
    );
    // The route's own locations replace the configured ones.
    assert_eq!(
        get_auth(&app(&jwt), "/query", Some(&format!("Bearer {t}")))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn row12_and_row13_tampered_and_alg_none_tokens_are_422() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let other = JwtManager::new(
        JwtConfig::builder()
            .secret_key("another secret entirely, also long enough")
            .build()
            .unwrap(),
    )
    .unwrap();
    let forged = other.create_access_token("admin").unwrap();
    assert_eq!(
        get_auth(&app(&jwt), "/protected", Some(&format!("Bearer {forged}"))).await,
        (422, msg("Signature verification failed"))
    );
    let t = jwt.create_access_token("alice").unwrap();
    let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
    parts[0] = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0".to_owned(); // {"alg":"none","typ":"JWT"}
    parts[2] = String::new();
    assert_eq!(
        get_auth(
            &app(&jwt),
            "/protected",
            Some(&format!("Bearer {}", parts.join(".")))
        )
        .await,
        (422, msg("The specified alg value is not allowed"))
    );
}

#[tokio::test]
async fn row21_expired_token_is_401_with_invalid_token_challenge() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Duration::seconds(-1)))
        .unwrap();
    let Reply {
        status: s,
        body: b,
        headers: h,
    } = send(
        &app(&jwt),
        get_with("/protected", Some(&format!("Bearer {t}"))),
    )
    .await;
    assert_eq!((s, b), (401, msg("Token has expired")));
    assert_eq!(
        h[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\", error_description=\"Token has expired\""
    );
}

#[tokio::test]
async fn row22_token_types() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let access = jwt.create_access_token("alice").unwrap();
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    let app = app(&jwt);
    assert_eq!(
        get_auth(&app, "/protected", Some(&format!("Bearer {refresh_token}"))).await,
        (422, msg("Only non-refresh tokens are allowed"))
    );
    let post = |t: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    let Reply {
        status: s, body: b, ..
    } = send(&app, post(&access)).await;
    assert_eq!((s, b), (422, msg("Only refresh tokens are allowed")));
    let Reply {
        status: s, body: b, ..
    } = send(&app, post(&refresh_token)).await;
    assert_eq!(s, 200);
    let new_access = b["access_token"].as_str().unwrap();
    let d = jwt.decode_token(new_access, false).unwrap();
    assert_eq!(
        (d.identity_str(), d.token_type()),
        (Some("alice"), Some("access"))
    );
    assert_eq!(d.claims()["fresh"], false);
    // verify_type = false accepts both.
    assert_eq!(
        get_auth(&app, "/any", Some(&format!("Bearer {refresh_token}")))
            .await
            .1,
        json!({"type": "refresh"})
    );
    assert_eq!(
        get_auth(&app, "/any", Some(&format!("Bearer {access}")))
            .await
            .1,
        json!({"type": "access"})
    );
}

#[tokio::test]
async fn row23_row24_fresh_routes() {
    let jwt =
        JwtManager::new(config().clock(FixedClock(1_700_000_000.0)).build().unwrap()).unwrap();
    let app = app(&jwt);
    let token = |f: axum_jwt_extended::Fresh| {
        jwt.create_access_token_with(
            "alice",
            TokenOptions::new()
                .fresh(f)
                .expires(axum_jwt_extended::Expires::Never),
        )
        .unwrap()
    };
    use axum_jwt_extended::Fresh;
    let cases = [
        (Fresh::Yes, 200),
        (Fresh::No, 401),
        (Fresh::For(Duration::minutes(5)), 200),
        (Fresh::Until(1_700_000_000.0), 200),
        (Fresh::Until(1_699_999_999.9), 401),
    ];
    for (f, status) in cases {
        let (s, b) = get_auth(&app, "/fresh", Some(&format!("Bearer {}", token(f)))).await;
        assert_eq!(s, status, "{f:?}");
        if status == 401 {
            assert_eq!(b, msg("Fresh token required"));
        }
    }
    // A non-fresh token is fine on a normal route.
    assert_eq!(
        get_auth(
            &app,
            "/protected",
            Some(&format!("Bearer {}", token(Fresh::No)))
        )
        .await
        .0,
        200
    );
    // A malformed fresh claim on a fresh route: 422 (Flask crashes with a 500).
    for bad in [json!("yes"), json!(null), json!([true])] {
        let t = forge_claims(&json!({"sub": "alice", "fresh": bad}), SECRET);
        assert_eq!(
            get_auth(&app, "/fresh", Some(&format!("Bearer {t}"))).await,
            (
                422,
                msg("Fresh claim (fresh) must be a boolean or a number.")
            ),
            "{bad}"
        );
        // …and ignored on a route that does not need freshness, like Flask.
        assert_eq!(
            get_auth(&app, "/protected", Some(&format!("Bearer {t}")))
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn row25_revoked_tokens_and_logout() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let auth = format!("Bearer {t}");
    assert_eq!(get_auth(&app, "/protected", Some(&auth)).await.0, 200);
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/logout")
        .header(header::AUTHORIZATION, &auth)
        .body(Body::empty())
        .unwrap();
    let Reply {
        status: s, body: b, ..
    } = send(&app, req).await;
    assert_eq!((s, b), (200, msg("Token revoked")));
    let Reply {
        status: s,
        body: b,
        headers: h,
    } = send(&app, get_with("/protected", Some(&auth))).await;
    assert_eq!((s, b), (401, msg("Token has been revoked")));
    assert!(h[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    // skip_revocation_check still lets it through.
    assert_eq!(get_auth(&app, "/skip", Some(&auth)).await.0, 200);
    // Another token of the same identity is unaffected.
    let other = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        get_auth(&app, "/protected", Some(&format!("Bearer {other}")))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn row26_a_failing_blocklist_fails_closed_and_is_never_asked_about_bad_tokens() {
    let store = support::stores::FailingStore::down();
    let jwt = JwtManager::new(config().build().unwrap())
        .unwrap()
        .with_blocklist(store.clone());
    let app = app(&jwt);
    let t = jwt.create_access_token("alice").unwrap();
    let Reply {
        status: s, body: b, ..
    } = send(&app, get_with("/protected", Some(&format!("Bearer {t}")))).await;
    assert_eq!((s, b), (503, msg("Token revocation status unavailable")));
    assert_eq!(store.consulted(), 1);
    // A forged or expired token is refused before the store is consulted.
    let forged = forge_claims(&json!({"sub": "x"}), SECRET).replace('.', ".x");
    assert_eq!(
        get_auth(&app, "/protected", Some(&format!("Bearer {forged}")))
            .await
            .0,
        422
    );
    let expired = jwt
        .create_access_token_with("a", TokenOptions::new().expires(Duration::seconds(-5)))
        .unwrap();
    assert_eq!(
        get_auth(&app, "/protected", Some(&format!("Bearer {expired}")))
            .await
            .0,
        401
    );
    assert_eq!(store.consulted(), 1);
    // skip_revocation_check does not consult it.
    assert_eq!(
        get_auth(&app, "/skip", Some(&format!("Bearer {t}")))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn row27_missing_layer_is_a_500_that_names_the_fix() {
    let app = Router::new().route("/protected", get(who));
    let (s, b) = get_auth(&app, "/protected", Some("Bearer x.y.z")).await;
    assert_eq!((s, b), (500, msg(messages::MISSING_LAYER)));
    assert!(messages::MISSING_LAYER.contains(".layer(jwt.layer())"));

    // The usual way to get there: a route added after the layer, which axum
    // does not wrap. The message names that ordering rule.
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let app = Router::new()
        .route("/before", get(who))
        .layer(jwt.layer())
        .route("/after", get(who));
    assert_eq!(
        get_auth(&app, "/before", Some(&format!("Bearer {t}")))
            .await
            .0,
        200
    );
    let (s, b) = get_auth(&app, "/after", Some(&format!("Bearer {t}"))).await;
    assert_eq!((s, b), (500, msg(messages::MISSING_LAYER)));
    assert!(messages::MISSING_LAYER.contains("after its routes"));
}

#[tokio::test]
async fn optional_routes() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let app = app(&jwt);
    assert_eq!(
        get_auth(&app, "/optional", None).await,
        (200, json!({"logged_in_as": null}))
    );
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        get_auth(&app, "/optional", Some(&format!("Bearer {t}"))).await,
        (200, json!({"logged_in_as": "alice"}))
    );
    // An invalid token is still refused.
    assert_eq!(get_auth(&app, "/optional", Some("Bearer x.y")).await.0, 422);
    // A malformed header is not "no token": 422, like Flask.
    assert_eq!(get_auth(&app, "/optional", Some("Bearer")).await.0, 422);
    // But a header without the Bearer field counts as no token (401 kind), so: 200.
    assert_eq!(get_auth(&app, "/optional", Some("Basic abc")).await.0, 200);
}

#[tokio::test]
async fn options_on_a_required_route_is_answered_without_the_handler() {
    // Flask answers OPTIONS itself (200, empty body) without the view; a
    // handler that requires a token never runs without one.
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/protected")
        .body(Body::empty())
        .unwrap();
    let Reply {
        status: s, body: b, ..
    } = send(&app(&jwt), req).await;
    assert_eq!((s, b), (200, Value::Null));
}

#[tokio::test]
async fn accessors_inside_and_outside_the_scope() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let t = jwt
        .create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({"role": "admin"})),
        )
        .unwrap();
    let (s, b) = get_auth(&app(&jwt), "/accessors", Some(&format!("Bearer {t}"))).await;
    assert_eq!(s, 200);
    assert_eq!(b["identity"], "alice");
    assert_eq!(b["claims"]["role"], "admin");
    assert_eq!(b["claims"]["type"], "access");
    assert_eq!(b["header"], json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(b["location"], "headers");
    // Outside any scope: empty, never a panic.
    assert_eq!(get_jwt_identity(), None);
    assert!(get_jwt().is_empty());
    assert!(get_jwt_header().is_empty());
    assert_eq!(get_jwt_request_location(), None);
    assert!(JwtContext::current().is_none());
    assert_eq!(create_access_token("x"), Err(JwtError::NoManager));
}

#[tokio::test]
async fn free_functions_use_the_manager_of_the_request() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .body(Body::empty())
        .unwrap();
    let Reply {
        status: s, body: b, ..
    } = send(&app(&jwt), req).await;
    assert_eq!(s, 200);
    let a = jwt
        .decode_token(b["access_token"].as_str().unwrap(), false)
        .unwrap();
    let r = jwt
        .decode_token(b["refresh_token"].as_str().unwrap(), false)
        .unwrap();
    assert_eq!(
        (a.token_type(), r.token_type()),
        (Some("access"), Some("refresh"))
    );
}

#[tokio::test]
async fn concurrent_requests_never_see_each_others_identity() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let app = app(&jwt);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let app = app.clone();
        let t = jwt.create_access_token(format!("user-{i}")).unwrap();
        tasks.push(tokio::spawn(async move {
            let (s, b) = get_auth(&app, "/accessors", Some(&format!("Bearer {t}"))).await;
            (i, s, b["identity"].clone())
        }));
    }
    for task in tasks {
        let (i, s, identity) = task.await.unwrap();
        assert_eq!((s, identity), (200, json!(format!("user-{i}"))));
    }
}

#[tokio::test]
async fn the_layer_around_the_whole_router_answers_like_per_route_layers() {
    let jwt = JwtManager::new(config().build().unwrap()).unwrap();
    let per_route = app(&jwt);
    let routes = Router::new()
        .route("/protected", get(who))
        .route("/login", post(login));
    let wrapped = jwt.layer().wrap(routes);
    let call_wrapped = |req: Request<Body>| {
        let svc = wrapped.clone();
        async move {
            let res = svc.oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    // Free functions work inside (the manager's scope is set).
    let login_req = || Request::post("/login").body(Body::empty()).unwrap();
    let (status, tokens) = call_wrapped(login_req()).await;
    assert_eq!(status, 200);
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    for auth in [Some(bearer.as_str()), None, Some("Bearer x.y.z")] {
        assert_eq!(
            call_wrapped(get_with("/protected", auth)).await,
            get_auth(&per_route, "/protected", auth).await,
            "{auth:?}"
        );
    }
}
