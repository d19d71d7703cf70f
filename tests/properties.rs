//! Property tests: arbitrary input in every token location never panics and
//! never passes; genuine tokens always do, with their identity intact.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, HeaderValue, Request};
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtConfig, JwtManager, Location};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

fn manager() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key("property-test-secret-long-enough-for-hs256")
            .token_location([
                Location::Headers,
                Location::Cookies,
                Location::QueryString,
                Location::Json,
            ])
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/p", get(protected).post(protected))
        .layer(jwt.layer())
}

fn status_of(app: &Router, req: Request<Body>) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    })
}

fn refused(status: u16) -> bool {
    matches!(status, 400 | 401 | 413 | 422)
}

/// Token-ish strings: mostly base64url alphabet and dots, some anything.
fn tokenish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_.=+/ -]{0,300}",
        "eyJ[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,90}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_authorization_headers_are_refused(value in proptest::collection::vec(any::<u8>(), 0..400)) {
        let jwt = manager();
        if let Ok(v) = HeaderValue::from_bytes(&value) {
            let req = Request::builder().uri("/p").header(header::AUTHORIZATION, v).body(Body::empty()).unwrap();
            let (status, body) = status_of(&app(&jwt), req);
            prop_assert!(refused(status), "{status} {body}");
        }
    }

    #[test]
    fn arbitrary_bearer_tokens_are_refused(token in tokenish()) {
        let jwt = manager();
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            let req = Request::builder().uri("/p").header(header::AUTHORIZATION, v).body(Body::empty()).unwrap();
            let (status, body) = status_of(&app(&jwt), req);
            prop_assert!(refused(status), "{status} {body}");
        }
    }

    #[test]
    fn arbitrary_cookies_query_strings_and_json_bodies_are_refused(token in tokenish(), raw in any::<String>()) {
        let jwt = manager();
        let app = app(&jwt);
        if let Ok(v) = HeaderValue::from_str(&format!("access_token_cookie={token}; {raw}")) {
            let req = Request::builder().method("POST").uri("/p").header(header::COOKIE, v).header("X-CSRF-TOKEN", "x").body(Body::empty()).unwrap();
            let (status, body) = status_of(&app, req);
            prop_assert!(refused(status), "cookie: {status} {body}");
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("jwt", &token).finish();
        let req = Request::builder().uri(format!("/p?{query}")).body(Body::empty()).unwrap();
        let (status, body) = status_of(&app, req);
        prop_assert!(refused(status), "query: {status} {body}");
        for body in [json!({"access_token": token}).to_string(), raw.clone()] {
            let req = Request::builder().method("POST").uri("/p").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
            let (status, b) = status_of(&app, req);
            prop_assert!(refused(status), "json: {status} {b}");
        }
    }

    #[test]
    fn genuine_tokens_pass_with_their_identity(identity in any::<String>()) {
        let jwt = manager();
        let token = jwt.create_access_token(&identity).unwrap();
        let req = Request::builder().uri("/p").header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        let (status, body) = status_of(&app(&jwt), req);
        prop_assert_eq!(status, 200);
        prop_assert_eq!(body, json!({"logged_in_as": identity}));
    }

    #[test]
    fn a_single_changed_byte_never_passes(index in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9_.-]") {
        let jwt = manager();
        let token = jwt.create_access_token("alice").unwrap();
        let i = index.index(token.len());
        let mut bytes = token.clone().into_bytes();
        let r = replacement.as_bytes()[0];
        prop_assume!(bytes[i] != r);
        bytes[i] = r;
        let changed = String::from_utf8(bytes).unwrap();
        // A change in the last character can leave the decoded signature
        // identical only through non-canonical trailing bits, which we refuse.
        let req = Request::builder().uri("/p").header(header::AUTHORIZATION, format!("Bearer {changed}")).body(Body::empty()).unwrap();
        let (status, body) = status_of(&app(&jwt), req);
        prop_assert!(refused(status), "{changed}: {status} {body}");
    }
}
