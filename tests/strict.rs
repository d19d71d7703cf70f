//! The strict profile (RFC 8725 practices), opt-in.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{
    Duration, Expires, FixedClock, Jwt, JwtConfig, JwtError, JwtManager, TokenOptions,
};
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;

fn forge(header: Value, claims: Value) -> String {
    support::forge::forge(&header, &claims, SECRET)
}

const SECRET: &str = "strict-profile-secret-long-enough-for-hs256";
const NOW: f64 = 1_700_000_000.0;

fn strict() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(NOW))
            .strict(true)
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn base() -> Value {
    json!({"sub": "alice", "iat": NOW as i64, "exp": NOW as i64 + 900, "jti": "j-1", "type": "access", "fresh": false})
}

fn err(t: &str) -> String {
    strict().decode_token(t, false).unwrap_err().to_string()
}

#[test]
fn our_own_tokens_pass() {
    let jwt = strict();
    assert!(jwt
        .decode_token(&jwt.create_access_token("alice").unwrap(), false)
        .is_ok());
    assert!(jwt
        .decode_token(&jwt.create_refresh_token("alice").unwrap(), false)
        .is_ok());
}

#[test]
fn exp_jti_and_type_are_required() {
    for claim in ["exp", "jti", "type"] {
        let mut c = base();
        c.as_object_mut().unwrap().remove(claim);
        assert_eq!(
            err(&forge(json!({"alg": "HS256", "typ": "JWT"}), c)),
            format!("Token is missing the \"{claim}\" claim")
        );
    }
    // Flask (non-strict) accepts them.
    let lenient = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(NOW))
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(lenient
        .decode_token(
            &forge(json!({"alg": "HS256"}), json!({"sub": "alice"})),
            false
        )
        .is_ok());
}

#[test]
fn the_typ_header_must_be_jwt() {
    for h in [
        json!({"alg": "HS256"}),
        json!({"alg": "HS256", "typ": "at+jwt"}),
        json!({"alg": "HS256", "typ": 5}),
    ] {
        assert_eq!(
            err(&forge(h.clone(), base())),
            "Invalid token type header (typ)",
            "{h}"
        );
    }
    assert!(strict()
        .decode_token(&forge(json!({"alg": "HS256", "typ": "jwt"}), base()), false)
        .is_ok());
}

#[test]
fn any_aud_is_refused_without_a_configured_audience() {
    let mut c = base();
    c["aud"] = json!("someone-else");
    assert_eq!(
        err(&forge(json!({"alg": "HS256", "typ": "JWT"}), c.clone())),
        "Invalid audience"
    );
    let with_aud = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(NOW))
            .strict(true)
            .decode_audience("someone-else")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(with_aud
        .decode_token(&forge(json!({"alg": "HS256", "typ": "JWT"}), c), false)
        .is_ok());
}

#[test]
fn lifetimes_are_capped() {
    let mut c = base();
    c["exp"] = json!(NOW as i64 + 31 * 24 * 3600);
    assert_eq!(
        err(&forge(json!({"alg": "HS256", "typ": "JWT"}), c)),
        "Token lifetime exceeds the maximum"
    );
    let capped = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(NOW))
            .strict(true)
            .max_token_lifetime(Duration::minutes(5))
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = capped.create_access_token("alice").unwrap();
    assert_eq!(
        capped.decode_token(&t, false).unwrap_err(),
        JwtError::InvalidToken("Token lifetime exceeds the maximum".into())
    );
    // A never-expiring configuration cannot be strict without a cap.
    assert!(JwtConfig::builder()
        .secret_key(SECRET)
        .strict(true)
        .access_token_expires(Expires::Never)
        .build()
        .is_err());
    let never = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(NOW))
            .strict(true)
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = never
        .create_access_token_with("alice", TokenOptions::new().expires(Expires::Never))
        .unwrap();
    assert_eq!(
        never.decode_token(&t, false).unwrap_err().to_string(),
        "Token is missing the \"exp\" claim"
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let jwt = strict();
    let app = Router::new()
        .route("/p", get(|_: Jwt| async { "ok" }))
        .layer(jwt.layer());
    let t = jwt.create_access_token("alice").unwrap();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let res = app
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/p")
                    .header(header::AUTHORIZATION, format!("{scheme} {t}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{scheme}");
    }
}
