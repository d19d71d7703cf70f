//! Sessions and devices through the HTTP stack, on the memory store and
//! (with `--features redis-tests`, each test its own `redis-server`) on
//! Redis: listing with the current one marked, ending one or all others
//! (their tokens refused at once), another identity's ids refused, the cap,
//! `last_used_at` on refresh and rotation, expiry with the refresh token,
//! bounded metadata, and a failing store that fails closed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::stores::{on_both_stores, FailingStore, Store};
use support::SharedClock;

use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    jwt_required, rotate_current_refresh_token, Duration, Jwt, JwtConfig, JwtError, JwtManager,
    TokenOptions,
};
use serde_json::{json, Value};
use support::http::{bearer_request, msg, send};

const SECRET: &str = "sessions-test-secret-long-enough-32b";

/// A manager with this store's sessions (at most 3 per identity) and
/// blocklist, on `clock`, refresh tokens living `refresh_lifetime`.
fn manager(store: &Store, clock: &SharedClock, refresh_lifetime: Duration) -> JwtManager {
    let config = JwtConfig::builder()
        .secret_key(SECRET)
        .clock(clock.clone())
        .refresh_token_expires(axum_jwt_extended::Expires::After(refresh_lifetime))
        .build()
        .unwrap();
    let jwt = JwtManager::new(config)
        .unwrap()
        .max_sessions_per_identity(Some(3));
    store.with_sessions(jwt, clock)
}

async fn list(State(jwt): State<JwtManager>, token: Jwt) -> Result<Json<Value>, JwtError> {
    let sessions = jwt.list_sessions(token.token().unwrap()).await?;
    Ok(Json(serde_json::to_value(sessions).unwrap()))
}

async fn end(
    State(jwt): State<JwtManager>,
    token: Jwt,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, JwtError> {
    let ended = jwt.revoke_session(token.token().unwrap(), &id).await?;
    Ok(Json(json!({ "ended": ended })))
}

async fn end_others(State(jwt): State<JwtManager>, token: Jwt) -> Result<Json<Value>, JwtError> {
    let ended = jwt.revoke_other_sessions(token.token().unwrap()).await?;
    Ok(Json(json!({ "ended": ended })))
}

#[jwt_required(refresh)]
async fn refresh() -> &'static str {
    "refreshed"
}

#[jwt_required(refresh)]
async fn rotate() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        serde_json::to_value(rotate_current_refresh_token().await?).unwrap(),
    ))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<&'static str, JwtError> {
    axum_jwt_extended::revoke_current_token_family().await?;
    Ok("bye")
}

use axum::extract::State;

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/sessions", get(list).delete(end_others))
        .route("/sessions/{id}", axum::routing::delete(end))
        .route("/refresh", post(refresh))
        .route("/rotate", post(rotate))
        .route("/logout", post(logout))
        .with_state(jwt.clone())
        .layer(jwt.layer())
}

async fn login(jwt: &JwtManager, who: &str, device: &str) -> (String, String, String) {
    let login = jwt
        .create_session(
            who,
            TokenOptions::new().fresh(true),
            json!({ "device": device }),
        )
        .await
        .unwrap();
    (login.access_token, login.refresh_token, login.session_id)
}

async fn sessions(app: &Router, token: &str) -> Vec<Value> {
    let reply = send(app, bearer_request("GET", "/sessions", Some(token))).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body.as_array().unwrap().clone()
}

/// `later` is `earlier + seconds` (times are kept to the millisecond).
fn assert_close(earlier: &Value, seconds: f64, later: &Value) {
    let (a, b) = (earlier.as_f64().unwrap(), later.as_f64().unwrap());
    assert!((a + seconds - b).abs() < 0.002, "{a} + {seconds} != {b}");
}

async fn status(app: &Router, method: &str, path: &str, token: &str) -> u16 {
    send(app, bearer_request(method, path, Some(token)))
        .await
        .status
}

on_both_stores!(
    sessions_are_listed_newest_first_with_the_current_one_marked,
    ending_a_session_refuses_its_tokens_and_only_its_own_identitys,
    ending_all_other_sessions_keeps_the_current_one,
    the_cap_ends_the_oldest_session,
    refresh_and_rotation_move_last_used_and_expiry,
    sessions_expire_with_their_refresh_token,
    a_logout_or_a_reused_refresh_token_unlists_the_session,
);

async fn sessions_are_listed_newest_first_with_the_current_one_marked(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30));
    let app = app(&jwt);
    let (_, _, laptop) = login(&jwt, "alice", "laptop").await;
    clock.advance(10.0);
    let (phone_access, _, phone) = login(&jwt, "alice", "phone").await;
    login(&jwt, "bob", "bob's").await;
    let list = sessions(&app, &phone_access).await;
    let ids: Vec<&str> = list.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [phone.as_str(), laptop.as_str()],
        "alice's, newest first"
    );
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[1]["current"], false);
    assert_eq!(list[0]["metadata"]["device"], "phone");
    assert_close(&list[1]["created_at"], 10.0, &list[0]["created_at"]);
    assert_eq!(list[0]["created_at"], list[0]["last_used_at"]);
    // The session id is the login's, never a token's jti.
    let decoded = jwt.decode_token(&phone_access, false).unwrap();
    assert_ne!(decoded.jti(), Some(phone.as_str()));
    assert_eq!(decoded.family(), Some(phone.as_str()));
}

async fn ending_a_session_refuses_its_tokens_and_only_its_own_identitys(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30));
    let app = app(&jwt);
    let (laptop_access, laptop_refresh, laptop) = login(&jwt, "alice", "laptop").await;
    let (phone_access, _, phone) = login(&jwt, "alice", "phone").await;
    let (bob_access, _, _) = login(&jwt, "bob", "bob's").await;

    // Bob cannot end (or even find) alice's session: nothing is revoked.
    let reply = send(
        &app,
        bearer_request("DELETE", &format!("/sessions/{laptop}"), Some(&bob_access)),
    )
    .await;
    assert_eq!(reply.body, json!({"ended": false}));
    let reply = send(
        &app,
        bearer_request("DELETE", "/sessions/no-such-id", Some(&phone_access)),
    )
    .await;
    assert_eq!(reply.body, json!({"ended": false}));
    assert_eq!(status(&app, "GET", "/sessions", &laptop_access).await, 200);

    // Alice ends her laptop's session from her phone.
    let reply = send(
        &app,
        bearer_request(
            "DELETE",
            &format!("/sessions/{laptop}"),
            Some(&phone_access),
        ),
    )
    .await;
    assert_eq!(reply.body, json!({"ended": true}));
    for (method, path, token) in [
        ("GET", "/sessions", &laptop_access),
        ("POST", "/refresh", &laptop_refresh),
    ] {
        let reply = send(&app, bearer_request(method, path, Some(token))).await;
        assert_eq!(
            (reply.status, reply.body),
            (401, msg("Token has been revoked")),
            "{path}"
        );
    }
    // Access tokens minted from the ended session's refresh token too.
    let list = sessions(&app, &phone_access).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], phone.as_str());
    assert_eq!(status(&app, "GET", "/sessions", &bob_access).await, 200);
}

async fn ending_all_other_sessions_keeps_the_current_one(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30));
    let app = app(&jwt);
    let (a1, _, _) = login(&jwt, "alice", "one").await;
    let (a2, _, _) = login(&jwt, "alice", "two").await;
    let (a3, _, s3) = login(&jwt, "alice", "three").await;
    let (bob, _, _) = login(&jwt, "bob", "b").await;
    let reply = send(&app, bearer_request("DELETE", "/sessions", Some(&a3))).await;
    assert_eq!(reply.body, json!({"ended": 2}));
    assert_eq!(status(&app, "GET", "/sessions", &a1).await, 401);
    assert_eq!(status(&app, "GET", "/sessions", &a2).await, 401);
    let list = sessions(&app, &a3).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], s3.as_str());
    assert_eq!(status(&app, "GET", "/sessions", &bob).await, 200);
}

async fn the_cap_ends_the_oldest_session(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30)); // cap 3
    let app = app(&jwt);
    let (oldest, _, _) = login(&jwt, "alice", "1").await;
    for device in ["2", "3"] {
        clock.advance(1.0);
        login(&jwt, "alice", device).await;
    }
    clock.advance(1.0);
    let (newest, _, _) = login(&jwt, "alice", "4").await;
    let list = sessions(&app, &newest).await;
    let devices: Vec<&str> = list
        .iter()
        .map(|s| s["metadata"]["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["4", "3", "2"]);
    assert_eq!(
        send(&app, bearer_request("GET", "/sessions", Some(&oldest)))
            .await
            .pair(),
        (401, msg("Token has been revoked"))
    );
}

async fn refresh_and_rotation_move_last_used_and_expiry(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30));
    let app = app(&jwt);
    let (access, refresh_token, _) = login(&jwt, "alice", "laptop").await;
    let first = sessions(&app, &access).await[0].clone();
    // Access requests do not move last_used_at.
    clock.advance(60.0);
    sessions(&app, &access).await;
    assert_eq!(
        sessions(&app, &access).await[0]["last_used_at"],
        first["last_used_at"]
    );
    // A refresh does.
    assert_eq!(status(&app, "POST", "/refresh", &refresh_token).await, 200);
    let after = sessions(&app, &access).await[0].clone();
    assert_close(&first["last_used_at"], 60.0, &after["last_used_at"]);
    assert_eq!(after["expires_at"], first["expires_at"]);
    // A rotation moves the expiry to the new refresh token's.
    clock.advance(60.0);
    let reply = send(
        &app,
        bearer_request("POST", "/rotate", Some(&refresh_token)),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let rotated = sessions(&app, &access).await[0].clone();
    assert_close(&first["expires_at"], 120.0, &rotated["expires_at"]);
    assert_eq!(rotated["id"], first["id"]);
}

async fn sessions_expire_with_their_refresh_token(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::hours(1));
    let app = app(&jwt);
    login(&jwt, "alice", "old").await;
    clock.advance(1800.0);
    let (access, refresh_token, _) = login(&jwt, "alice", "new").await;
    assert_eq!(sessions(&app, &access).await.len(), 2);
    clock.advance(1801.0); // the first refresh token has expired
                           // Asked with the new login's refresh token (its access token has expired too).
    let token = jwt.decode_token(&refresh_token, false).unwrap();
    let list = jwt.list_sessions(&token).await.unwrap();
    let devices: Vec<&str> = list
        .iter()
        .map(|s| s.record.metadata["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["new"]);
}

async fn a_logout_or_a_reused_refresh_token_unlists_the_session(store: Store) {
    let clock = SharedClock::starting_now();
    let jwt = manager(&store, &clock, Duration::days(30));
    let app = app(&jwt);
    let (keep, _, _) = login(&jwt, "alice", "keep").await;
    let (gone, _, _) = login(&jwt, "alice", "gone").await;
    assert_eq!(status(&app, "POST", "/logout", &gone).await, 200);
    assert_eq!(sessions(&app, &keep).await.len(), 1);
    // A spent refresh token presented again: its login is revoked and unlisted.
    let (_, stolen, _) = login(&jwt, "alice", "stolen").await;
    assert_eq!(status(&app, "POST", "/rotate", &stolen).await, 200);
    assert_eq!(sessions(&app, &keep).await.len(), 2);
    assert_eq!(status(&app, "POST", "/rotate", &stolen).await, 401);
    let list = sessions(&app, &keep).await;
    let devices: Vec<&str> = list
        .iter()
        .map(|s| s["metadata"]["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["keep"]);
}

#[tokio::test]
async fn metadata_is_bounded_and_must_be_an_object() {
    let jwt = manager(
        &Store::memory(),
        &SharedClock::starting_now(),
        Duration::days(1),
    );
    let big = json!({ "device": "x".repeat(2000) });
    let err = jwt
        .create_session("alice", TokenOptions::new(), big)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 1024"), "{err}");
    let err = jwt
        .create_session("alice", TokenOptions::new(), json!(["laptop"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must be a JSON object"), "{err}");
    // Without a store: a configuration error naming the fix.
    let plain = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap()).unwrap();
    let err = plain
        .create_session("alice", TokenOptions::new(), Value::Null)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("with_sessions"), "{err}");
}

#[tokio::test]
async fn a_failing_store_fails_closed() {
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap())
        .unwrap()
        .with_sessions(FailingStore::down());
    let err = jwt
        .create_session("alice", TokenOptions::new(), Value::Null)
        .await
        .unwrap_err();
    assert_eq!(err, JwtError::RevocationUnavailable);
    let app = app(&jwt);
    let pair = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    assert_eq!(
        status(&app, "GET", "/sessions", &pair.access_token).await,
        503
    );
    // A refresh cannot record its use: refused, never silently passed.
    assert_eq!(
        status(&app, "POST", "/refresh", &pair.refresh_token).await,
        503
    );
}
