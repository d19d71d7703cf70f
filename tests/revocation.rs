//! Logout of a whole login, "log out everywhere", and refresh-token rotation
//! with reuse detection (RFC 9700 section 4.14.2), on the in-memory store.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_token_pair, get_jwt_identity, jwt_required, revoke_current_token_family,
    rotate_current_refresh_token, Clock, JwtConfig, JwtError, JwtManager, TokenOptions,
};
use serde_json::{json, Value};

mod support;
use support::http::call;

#[derive(Debug, Clone)]
struct SharedClock(Arc<Mutex<f64>>);

impl Clock for SharedClock {
    fn now(&self) -> f64 {
        *self.0.lock().unwrap()
    }
}

impl SharedClock {
    fn advance(&self, seconds: f64) {
        *self.0.lock().unwrap() += seconds;
    }
}

async fn login() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        serde_json::to_value(create_token_pair("alice")?).unwrap(),
    ))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(refresh)]
async fn rotate() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        serde_json::to_value(rotate_current_refresh_token().await?).unwrap(),
    ))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<Json<Value>, JwtError> {
    revoke_current_token_family().await?;
    Ok(Json(json!({ "msg": "Token revoked" })))
}

fn setup() -> (JwtManager, Router, SharedClock) {
    let clock = SharedClock(Arc::new(Mutex::new(1_700_000_000.0)));
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key("revocation-test-secret-long-enough!!")
            .clock(clock.clone())
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .route("/rotate", post(rotate))
        .route("/logout", delete(logout))
        .layer(jwt.layer());
    (jwt, app, clock)
}

fn revoked() -> (u16, Value) {
    (401, json!({"msg": "Token has been revoked"}))
}

#[tokio::test]
async fn a_token_pair_shares_a_family_and_logs_out_together() {
    let (jwt, app, _) = setup();
    let (_, pair) = call(&app, "POST", "/login", None).await;
    let (access, refresh) = (
        pair["access_token"].as_str().unwrap(),
        pair["refresh_token"].as_str().unwrap(),
    );
    let a = jwt.decode_token(access, false).unwrap();
    let r = jwt.decode_token(refresh, false).unwrap();
    assert!(a.family().is_some());
    assert_eq!(a.family(), r.family());
    assert!(r.is_refresh() && !a.is_refresh());
    // Another login is another family.
    let other = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let o = jwt.decode_token(&other.access_token, false).unwrap();
    assert_ne!(o.family(), a.family());

    assert_eq!(call(&app, "GET", "/protected", Some(access)).await.0, 200);
    // Logging out with the access token revokes the refresh token too.
    assert_eq!(call(&app, "DELETE", "/logout", Some(access)).await.0, 200);
    assert_eq!(
        call(&app, "GET", "/protected", Some(access)).await,
        revoked()
    );
    assert_eq!(
        call(&app, "POST", "/rotate", Some(refresh)).await,
        revoked()
    );
    // The other login is untouched.
    assert_eq!(
        call(&app, "GET", "/protected", Some(&other.access_token))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn log_out_everywhere_revokes_every_earlier_token_of_an_identity() {
    let (jwt, app, clock) = setup();
    let alice_1 = jwt.create_access_token("alice").unwrap();
    let alice_2 = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let bob = jwt.create_access_token("bob").unwrap();
    clock.advance(5.0);
    jwt.revoke_all_tokens_of("alice").await.unwrap();
    for t in [&alice_1, &alice_2.access_token] {
        assert_eq!(call(&app, "GET", "/protected", Some(t)).await, revoked());
    }
    assert_eq!(
        call(&app, "POST", "/rotate", Some(&alice_2.refresh_token)).await,
        revoked()
    );
    assert_eq!(call(&app, "GET", "/protected", Some(&bob)).await.0, 200);
    // A login after the logout works.
    clock.advance(1.0);
    let later = jwt.create_access_token("alice").unwrap();
    assert_eq!(call(&app, "GET", "/protected", Some(&later)).await.0, 200);
}

#[tokio::test]
async fn refresh_rotation_and_reuse_detection() {
    let (jwt, app, clock) = setup();
    let (_, first) = call(&app, "POST", "/login", None).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    clock.advance(1.0);
    let (s, second) = call(&app, "POST", "/rotate", Some(&r1)).await;
    assert_eq!(s, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    let a2 = second["access_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    let family = jwt
        .decode_token(&r1, false)
        .unwrap()
        .family()
        .unwrap()
        .to_owned();
    assert_eq!(
        jwt.decode_token(&r2, false).unwrap().family(),
        Some(family.as_str())
    );
    assert_eq!(
        jwt.decode_token(&a2, false).unwrap().claims()["fresh"],
        false
    );
    assert_eq!(call(&app, "GET", "/protected", Some(&a2)).await.0, 200);
    // r1 is spent: presenting it again is reuse, and revokes the whole family.
    assert_eq!(call(&app, "POST", "/rotate", Some(&r1)).await, revoked());
    assert_eq!(call(&app, "POST", "/rotate", Some(&r2)).await, revoked());
    assert_eq!(call(&app, "GET", "/protected", Some(&a2)).await, revoked());
    // Access tokens cannot be rotated.
    let (_, fresh_login) = call(&app, "POST", "/login", None).await;
    assert_eq!(
        jwt.rotate_refresh_token(
            &jwt.decode_token(fresh_login["access_token"].as_str().unwrap(), false)
                .unwrap()
        )
        .await
        .unwrap_err(),
        JwtError::WrongTokenType("Only refresh tokens are allowed".into())
    );
}

#[tokio::test]
async fn concurrent_rotations_of_one_token_give_exactly_one_success() {
    let (_, app, _) = setup();
    let (_, pair) = call(&app, "POST", "/login", None).await;
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let app = app.clone();
        let refresh = refresh.clone();
        tasks.push(tokio::spawn(async move {
            call(&app, "POST", "/rotate", Some(&refresh)).await.0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        15,
        "{statuses:?}"
    );
}

#[test]
fn the_family_claim_is_reserved() {
    let (jwt, _, _) = setup();
    assert!(matches!(
        jwt.create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({"fam": "x"}))
        ),
        Err(JwtError::Encode(_))
    ));
}
