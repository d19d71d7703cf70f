//! The manager's loaders, case by case after Flask-JWT-Extended's own tests
//! (`test_user_lookup`, `test_claims_verification`, `test_additional_claims_loader`,
//! `test_jwt_header_loader`), plus the per-kind response loaders.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_current_user, get_jwt, get_jwt_header, jwt_required, BlocklistError, Duration, JwtError,
    JwtManager, TokenOptions,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;
use support::http::call;

fn manager() -> JwtManager {
    support::manager("foobarbaz-long-enough-for-the-tests")
}

#[derive(Debug, PartialEq)]
struct User {
    username: String,
}

#[jwt_required]
async fn get_user() -> Json<Value> {
    match get_current_user::<User>() {
        Some(user) => Json(json!({ "foo": user.username })),
        None => Json(json!({ "error": "no user" })),
    }
}

#[jwt_required(optional)]
async fn optional_user() -> Json<Value> {
    Json(json!({ "user": get_current_user::<User>().map(|u| u.username.clone()) }))
}

#[jwt_required]
async fn protected1() -> Json<Value> {
    Json(json!({ "foo": "bar" }))
}

#[jwt_required(fresh)]
async fn protected2() -> Json<Value> {
    Json(json!({ "foo": "bar" }))
}

#[jwt_required(optional)]
async fn protected3() -> Json<Value> {
    Json(json!({ "foo": "bar" }))
}

#[jwt_required(verify_type = false)]
async fn claims() -> Json<Value> {
    Json(json!({ "claims": get_jwt(), "header": get_jwt_header() }))
}

#[jwt_required(refresh)]
async fn refresh_claims() -> Json<Value> {
    Json(json!({ "claims": get_jwt(), "header": get_jwt_header() }))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/get_user", get(get_user))
        .route("/optional_user", get(optional_user))
        .route("/protected1", get(protected1))
        .route("/protected2", get(protected2))
        .route("/protected3", get(protected3))
        .route("/claims", get(claims))
        .route("/refresh_claims", post(refresh_claims))
        .layer(jwt.layer())
}

// test_user_lookup

#[tokio::test]
async fn no_user_lookup_loader_gives_no_user() {
    let jwt = manager();
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/get_user", Some(&t)).await,
        (200, json!({"error": "no user"}))
    );
}

#[tokio::test]
async fn load_valid_user() {
    let jwt = manager().user_lookup_loader(|token| async move {
        Some(User {
            username: token.identity_str()?.to_owned(),
        })
    });
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/get_user", Some(&t)).await,
        (200, json!({"foo": "username"}))
    );
}

#[tokio::test]
async fn current_user_of_another_type_is_none_not_a_panic() {
    #[derive(Debug)]
    struct Other;
    let jwt = manager().user_lookup_loader(|_| async { Some(Other) });
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/get_user", Some(&t)).await,
        (200, json!({"error": "no user"}))
    );
}

#[tokio::test]
async fn load_invalid_user() {
    let jwt = manager().user_lookup_loader(|_| async { None::<User> });
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/get_user", Some(&t)).await,
        (401, json!({"msg": "Error loading the user username"}))
    );
}

#[tokio::test]
async fn a_user_lookup_loader_that_fails_answers_503_through_the_error_renderer() {
    let jwt = manager().user_lookup_loader(|token| async move {
        match token.identity_str() {
            Some("down") => Err("the users database is down"),
            Some("ghost") => Ok(None),
            Some(name) => Ok(Some(User {
                username: name.to_owned(),
            })),
            None => Ok(None),
        }
    });
    let service = app(&jwt);
    let t = |identity: &str| jwt.create_access_token(identity).unwrap();
    assert_eq!(
        call(&service, "GET", "/get_user", Some(&t("down"))).await,
        (503, json!({"msg": "User lookup unavailable"}))
    );
    assert_eq!(
        call(&service, "GET", "/get_user", Some(&t("ghost"))).await,
        (401, json!({"msg": "Error loading the user ghost"}))
    );
    assert_eq!(
        call(&service, "GET", "/get_user", Some(&t("alice")))
            .await
            .0,
        200
    );
    // The app's error renderer sees it as every other refusal.
    let rendered = manager()
        .user_lookup_loader(|_| async { Err::<Option<User>, _>("down") })
        .error_handler(|error, _| {
            (error.status(), Json(json!({"error": error.kind()}))).into_response()
        });
    let token = rendered.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app(&rendered), "GET", "/get_user", Some(&token)).await,
        (503, json!({"error": "user_lookup_unavailable"}))
    );
}

#[tokio::test]
async fn custom_user_lookup_errors() {
    let jwt = manager()
        .user_lookup_loader(|_| async { None::<User> })
        .user_lookup_error_loader(|token| {
            assert_eq!(token.header()["alg"], "HS256");
            assert_eq!(token.identity_str(), Some("username"));
            (StatusCode::CREATED, Json(json!({"foo": "bar"}))).into_response()
        });
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app(&jwt), "GET", "/get_user", Some(&t)).await,
        (201, json!({"foo": "bar"}))
    );
}

#[tokio::test]
async fn user_lookup_is_not_called_on_an_optional_route_without_a_token() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let jwt = manager().user_lookup_loader(move |token| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            Some(User {
                username: token.identity_str()?.to_owned(),
            })
        }
    });
    let app = app(&jwt);
    assert_eq!(
        call(&app, "GET", "/optional_user", None).await,
        (200, json!({"user": null}))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let t = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app, "GET", "/optional_user", Some(&t)).await,
        (200, json!({"user": "username"}))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

// test_claims_verification

#[tokio::test]
async fn successful_and_unsuccessful_claims_validation() {
    for (verdict, expected) in [
        (true, (200, json!({"foo": "bar"}))),
        (
            false,
            (400, json!({"msg": "User claims verification failed"})),
        ),
    ] {
        let jwt = manager()
            .additional_claims_loader(|_| json!({"foo": "bar"}))
            .token_verification_loader(move |token| async move {
                assert_eq!(token.header()["alg"], "HS256");
                assert_eq!(token.identity_str(), Some("username"));
                assert_eq!(token.claims()["foo"], "bar");
                verdict
            });
        let t = jwt
            .create_access_token_with("username", TokenOptions::new().fresh(true))
            .unwrap();
        for url in ["/protected1", "/protected2", "/protected3"] {
            assert_eq!(
                call(&app(&jwt), "GET", url, Some(&t)).await,
                expected,
                "{url}"
            );
        }
    }
}

#[tokio::test]
async fn a_token_verification_loader_that_fails_answers_503() {
    let jwt = manager().token_verification_loader(|token| async move {
        match token.identity_str() {
            Some("down") => Err("the accounts database is down"),
            Some("banned") => Ok(false),
            _ => Ok(true),
        }
    });
    let service = app(&jwt);
    let t = |identity: &str| jwt.create_access_token(identity).unwrap();
    assert_eq!(
        call(&service, "GET", "/protected1", Some(&t("down"))).await,
        (503, json!({"msg": "Token verification unavailable"}))
    );
    assert_eq!(
        call(&service, "GET", "/protected1", Some(&t("banned"))).await,
        (400, json!({"msg": "User claims verification failed"}))
    );
    assert_eq!(
        call(&service, "GET", "/protected1", Some(&t("alice")))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn claims_validation_custom_error() {
    let jwt = manager()
        .token_verification_loader(|_| async { false })
        .token_verification_failed_loader(|token| {
            let msg = format!(
                "claims failed for {}",
                token.identity_str().unwrap_or_default()
            );
            (StatusCode::NOT_FOUND, Json(json!({ "msg": msg }))).into_response()
        });
    let t = jwt
        .create_access_token_with("username", TokenOptions::new().fresh(true))
        .unwrap();
    for url in ["/protected1", "/protected2", "/protected3"] {
        assert_eq!(
            call(&app(&jwt), "GET", url, Some(&t)).await,
            (404, json!({"msg": "claims failed for username"}))
        );
    }
}

// test_additional_claims_loader

#[tokio::test]
async fn additional_claims_in_access_and_refresh_tokens() {
    let jwt = manager().additional_claims_loader(|_| json!({"foo": "bar"}));
    let access = jwt.create_access_token("username").unwrap();
    let refresh = jwt.create_refresh_token("username").unwrap();
    let app = app(&jwt);
    assert_eq!(
        call(&app, "GET", "/claims", Some(&access)).await.1["claims"]["foo"],
        "bar"
    );
    assert_eq!(
        call(&app, "POST", "/refresh_claims", Some(&refresh))
            .await
            .1["claims"]["foo"],
        "bar"
    );
}

#[tokio::test]
async fn additional_claims_merge_and_the_tie_goes_to_create_access_token() {
    let jwt = manager().additional_claims_loader(|_| json!({"default": "value"}));
    let t = jwt
        .create_access_token_with(
            "username",
            TokenOptions::new().additional_claims(json!({"foo": "bar"})),
        )
        .unwrap();
    let claims = jwt.decode_token(&t, false).unwrap();
    assert_eq!(
        (claims.get("foo"), claims.get("default")),
        (Some(&json!("bar")), Some(&json!("value")))
    );
    let t = jwt
        .create_access_token_with(
            "username",
            TokenOptions::new().additional_claims(json!({"default": "foo"})),
        )
        .unwrap();
    assert_eq!(
        jwt.decode_token(&t, false).unwrap().get("default"),
        Some(&json!("foo"))
    );
}

#[tokio::test]
async fn loader_claims_cannot_override_reserved_claims() {
    let jwt = manager().additional_claims_loader(|_| json!({"type": "refresh"}));
    assert!(matches!(
        jwt.create_access_token("username"),
        Err(JwtError::Encode(_))
    ));
    let jwt = manager().additional_claims_loader(|_| json!(["not", "an", "object"]));
    assert!(matches!(
        jwt.create_access_token("username"),
        Err(JwtError::Encode(_))
    ));
}

#[tokio::test]
async fn token_from_complex_object() {
    #[derive(serde::Serialize)]
    struct TestObject {
        username: &'static str,
        password_hash: &'static str,
    }
    let jwt = manager()
        .additional_claims_loader(|user| json!({"username": user["username"]}))
        .user_identity_loader(|user| user["username"].clone());
    let t = jwt
        .create_access_token(TestObject {
            username: "username",
            password_hash: "x",
        })
        .unwrap();
    let decoded = jwt.decode_token(&t, false).unwrap();
    assert_eq!(decoded.identity_str(), Some("username"));
    assert_eq!(decoded.get("username"), Some(&json!("username")));
    assert!(
        !decoded.claims().values().any(|v| v == "x"),
        "only what the loaders chose"
    );
    assert_eq!(
        call(&app(&jwt), "GET", "/claims", Some(&t)).await.1["claims"]["username"],
        "username"
    );
    // An identity loader that gives an integer: minted as its decimal text.
    let jwt = manager().user_identity_loader(|user| user["id"].clone());
    let t = jwt.create_access_token(json!({"id": 5})).unwrap();
    assert_eq!(
        jwt.decode_token(&t, false).unwrap().identity_str(),
        Some("5")
    );
    // One that gives neither a string nor an integer, with verify_sub on: an Err.
    let jwt = manager().user_identity_loader(|user| user["ids"].clone());
    assert!(matches!(
        jwt.create_access_token(json!({"ids": [5]})),
        Err(JwtError::Encode(_))
    ));
}

// test_jwt_header_loader

#[tokio::test]
async fn jwt_headers_from_the_loader_and_at_creation() {
    let jwt = manager().additional_headers_loader(|_| json!({"foo": "bar"}));
    let app_ = app(&jwt);
    let access = jwt.create_access_token("username").unwrap();
    assert_eq!(
        call(&app_, "GET", "/claims", Some(&access)).await.1["header"]["foo"],
        "bar"
    );
    let refresh = jwt.create_refresh_token("username").unwrap();
    assert_eq!(
        call(&app_, "POST", "/refresh_claims", Some(&refresh))
            .await
            .1["header"]["foo"],
        "bar"
    );
    // Specified at creation, with a loader giving something else: both, the call's value wins.
    let jwt = manager().additional_headers_loader(|_| json!({"ping": "pong", "foo": "loader"}));
    for t in [
        jwt.create_access_token_with(
            "username",
            TokenOptions::new().additional_headers(json!({"foo": "bar"})),
        )
        .unwrap(),
        jwt.create_refresh_token_with(
            "username",
            TokenOptions::new().additional_headers(json!({"foo": "bar"})),
        )
        .unwrap(),
    ] {
        let d = jwt.decode_token(&t, false).unwrap();
        assert_eq!(
            (d.header()["foo"].clone(), d.header()["ping"].clone()),
            (json!("bar"), json!("pong"))
        );
    }
    let jwt = manager().additional_headers_loader(|_| json!({"alg": "none"}));
    assert!(matches!(
        jwt.create_access_token("username"),
        Err(JwtError::Encode(_))
    ));
}

// The blocklist loader

#[tokio::test]
async fn token_in_blocklist_loader_decides_revocation_and_fails_closed() {
    let jwt = manager().token_in_blocklist_loader(|token| async move {
        match token.identity_str() {
            Some("revoked") => Ok(true),
            Some("broken") => Err(BlocklistError("store down".into())),
            _ => Ok(false),
        }
    });
    let app = app(&jwt);
    let cases = [
        ("fine", (200, json!({"foo": "bar"}))),
        ("revoked", (401, json!({"msg": "Token has been revoked"}))),
        (
            "broken",
            (503, json!({"msg": "Token revocation status unavailable"})),
        ),
    ];
    for (who, expected) in cases {
        let t = jwt.create_access_token(who).unwrap();
        assert_eq!(
            call(&app, "GET", "/protected1", Some(&t)).await,
            expected,
            "{who}"
        );
    }
}

// One response loader per error kind

#[tokio::test]
async fn every_error_kind_has_its_response_loader() {
    fn custom(status: u16, kind: &str) -> axum::response::Response {
        (
            StatusCode::from_u16(status).unwrap(),
            Json(json!({ "kind": kind })),
        )
            .into_response()
    }
    let jwt = manager()
        .token_in_blocklist_loader(|t| async move { Ok(t.identity_str() == Some("revoked")) })
        .expired_token_loader(|t| {
            custom(
                419,
                &format!("expired:{}", t.identity_str().unwrap_or_default()),
            )
        })
        .needs_fresh_token_loader(|_| custom(403, "needs_fresh"))
        .revoked_token_loader(|_| custom(410, "revoked"))
        .invalid_token_loader(|m| custom(400, &format!("invalid:{m}")))
        .unauthorized_loader(|m| custom(403, &format!("unauthorized:{m}")));
    let app = app(&jwt);
    let expired = jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Duration::seconds(-1)))
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/protected1", Some(&expired)).await,
        (419, json!({"kind": "expired:alice"}))
    );
    let not_fresh = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/protected2", Some(&not_fresh)).await,
        (403, json!({"kind": "needs_fresh"}))
    );
    let revoked = jwt.create_access_token("revoked").unwrap();
    assert_eq!(
        call(&app, "GET", "/protected1", Some(&revoked)).await,
        (410, json!({"kind": "revoked"}))
    );
    assert_eq!(
        call(&app, "GET", "/protected1", Some("x.y")).await,
        (400, json!({"kind": "invalid:Not enough segments"}))
    );
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/protected1", Some(&refresh)).await,
        (
            400,
            json!({"kind": "invalid:Only non-refresh tokens are allowed"})
        )
    );
    assert_eq!(
        call(&app, "GET", "/protected1", None).await,
        (
            403,
            json!({"kind": "unauthorized:Missing Authorization Header"})
        )
    );
    // A JwtError returned by a handler goes through the loaders too.
    let handler_app = Router::new()
        .route(
            "/fail",
            get(|| async { Err::<(), _>(JwtError::NoAuthorization("from handler".into())) }),
        )
        .layer(jwt.layer());
    assert_eq!(
        call(&handler_app, "GET", "/fail", None).await,
        (403, json!({"kind": "unauthorized:from handler"}))
    );
}

// Claim rules and whole-router protection

struct Admin;

impl axum_jwt_extended::ClaimRule for Admin {
    fn check(
        token: &axum_jwt_extended::DecodedToken,
    ) -> Result<(), std::borrow::Cow<'static, str>> {
        let admin = token
            .get("roles")
            .and_then(Value::as_array)
            .is_some_and(|roles| roles.iter().any(|r| r == "admin"));
        if admin {
            Ok(())
        } else {
            Err("Admins only!".into())
        }
    }
}

#[jwt_required(rule = Admin)]
async fn admin_only() -> &'static str {
    "welcome"
}

#[jwt_required(optional, rule = Admin)]
async fn admin_or_anonymous() -> &'static str {
    "welcome"
}

async fn admin_extractor(_jwt: axum_jwt_extended::VerifyJwt<0, Admin>) -> &'static str {
    "welcome"
}

#[tokio::test]
async fn claim_rules_answer_403_with_their_message() {
    let jwt = manager();
    let app = Router::new()
        .route("/admin", get(admin_only))
        .route("/admin-or-anonymous", get(admin_or_anonymous))
        .route("/admin-extractor", get(admin_extractor))
        .layer(jwt.layer());
    let admin = jwt
        .create_access_token_with(
            "root",
            TokenOptions::new().additional_claims(json!({"roles": ["admin"]})),
        )
        .unwrap();
    let user = jwt
        .create_access_token_with(
            "bob",
            TokenOptions::new().additional_claims(json!({"roles": ["user"]})),
        )
        .unwrap();
    for uri in ["/admin", "/admin-extractor", "/admin-or-anonymous"] {
        let (s, b) = call(&app, "GET", uri, Some(&admin)).await;
        assert_eq!(s, 200, "{uri}: {b}");
        assert_eq!(
            call(&app, "GET", uri, Some(&user)).await,
            (403, json!({"msg": "Admins only!"})),
            "{uri}"
        );
    }
    // Verification still comes first, and an optional route without a token passes.
    assert_eq!(call(&app, "GET", "/admin", None).await.0, 401);
    assert_eq!(call(&app, "GET", "/admin-or-anonymous", None).await.0, 200);
}

#[tokio::test]
async fn a_whole_router_protected_by_one_layer() {
    use axum_jwt_extended::{get_jwt_identity, req};
    async fn whoami() -> String {
        get_jwt_identity().unwrap_or_default()
    }
    let jwt = manager();
    let admin = Router::new()
        .route("/whoami", get(whoami))
        .route("/other", post(whoami))
        .layer(jwt.require(req::FRESH));
    let app = Router::new()
        .nest("/admin", admin)
        .route("/public", get(|| async { "public" }))
        .layer(jwt.layer());
    let fresh = jwt
        .create_access_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    let stale = jwt.create_access_token("alice").unwrap();
    let (s, _) = call(&app, "GET", "/public", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        call(&app, "GET", "/admin/whoami", None).await,
        (401, json!({"msg": "Missing Authorization Header"}))
    );
    assert_eq!(
        call(&app, "GET", "/admin/whoami", Some(&stale)).await,
        (401, json!({"msg": "Fresh token required"}))
    );
    let res = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/admin/whoami")
                .header(header::AUTHORIZATION, format!("Bearer {fresh}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"alice");
    assert_eq!(
        call(&app, "POST", "/admin/other", Some(&stale)).await.0,
        401
    );
}
