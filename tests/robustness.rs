//! Robustness: a hanging store fails closed without starving other routes,
//! oversized inputs are refused quickly, and many concurrent identities stay
//! apart.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtConfig, JwtManager};
use serde_json::{json, Value};

mod support;
use support::http::get_auth;

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(skip_revocation_check)]
async fn skipping() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/protected", get(protected))
        .route("/skipping", get(skipping))
        .route("/public", get(|| async { "public" }))
        .layer(jwt.layer())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_store_fails_closed_within_the_timeout_without_starving_other_routes() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key("robustness-secret-long-enough-for-hs256")
            .blocklist_timeout(Duration::from_secs(1))
            .build()
            .unwrap(),
    )
    .unwrap()
    .with_blocklist(support::stores::FailingStore::hanging());
    let app = app(&jwt);
    let token = format!("Bearer {}", jwt.create_access_token("alice").unwrap());
    // Many requests stuck on the store at once…
    let mut stuck = Vec::new();
    for _ in 0..32 {
        let app = app.clone();
        let token = token.clone();
        stuck.push(tokio::spawn(async move {
            let started = Instant::now();
            (
                get_auth(&app, "/protected", Some(&token)).await,
                started.elapsed(),
            )
        }));
    }
    // …while other routes answer at once.
    let started = Instant::now();
    assert_eq!(get_auth(&app, "/public", None).await.0, 200);
    assert_eq!(
        get_auth(&app, "/skipping", Some(&token)).await,
        (200, json!({"logged_in_as": "alice"}))
    );
    // Well before the stuck ones give up (1 s), even on a loaded machine.
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    for task in stuck {
        let ((status, body), took) = task.await.unwrap();
        assert_eq!(
            (status, body),
            (503, json!({"msg": "Token revocation status unavailable"}))
        );
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "{took:?}"
        );
    }
    // Logout against a hanging store is an error too, not a hang.
    let decoded = jwt
        .decode_token(token.trim_start_matches("Bearer "), false)
        .unwrap();
    let started = Instant::now();
    assert!(jwt.revoke_token(&decoded).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn oversized_inputs_are_refused_quickly() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key("robustness-secret-long-enough-for-hs256")
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let cases = [
        (
            "1 MiB token",
            format!("Bearer {}", "a".repeat(1 << 20)),
            422,
        ),
        ("100k dots", format!("Bearer {}", ".".repeat(100_000)), 422),
        ("10k dots", format!("Bearer {}", ".".repeat(10_000)), 422),
        (
            "deep JSON header",
            format!("Bearer {}.e30.AAAA", base64_url(&"[".repeat(5000))),
            422,
        ),
        (
            "1 MiB header of fields",
            format!("Basic x{}", ", Basic x".repeat(100_000)),
            401,
        ),
    ];
    for (name, auth, status) in cases {
        let started = Instant::now();
        let (s, body) = get_auth(&app, "/protected", Some(&auth)).await;
        assert_eq!(s, status, "{name}: {body}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{name} took {:?}",
            started.elapsed()
        );
    }
}

fn base64_url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_clients_never_see_each_others_identity() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key("robustness-secret-long-enough-for-hs256")
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = app(&jwt);
    let mut clients = Vec::new();
    for i in 0..64 {
        let app = app.clone();
        let token = format!(
            "Bearer {}",
            jwt.create_access_token(format!("user-{i}")).unwrap()
        );
        clients.push(tokio::spawn(async move {
            for _ in 0..50 {
                let (s, body) = get_auth(&app, "/protected", Some(&token)).await;
                assert_eq!(
                    (s, body),
                    (200, json!({"logged_in_as": format!("user-{i}")}))
                );
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
}
