//! A remote JWKS served by a local axum server: caching, refresh on an unknown
//! `kid` (rate-limited), fail-closed when it cannot be fetched, and `jku`
//! never followed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{JwtConfig, JwtManager, RemoteJwks, TokenOptions};
use serde_json::{json, Value};

const RSA_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-public.pem");
const RSA_OTHER_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-other-private.pem");
const RSA_OTHER_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-other-public.pem");

struct JwksServer {
    url: String,
    document: Arc<Mutex<Option<Value>>>,
    /// The `Cache-Control` header of the JWKS responses, if any.
    cache_control: Arc<Mutex<Option<&'static str>>>,
    hits: Arc<AtomicUsize>,
    evil_hits: Arc<AtomicUsize>,
}

async fn serve() -> JwksServer {
    let document: Arc<Mutex<Option<Value>>> = Arc::new(Mutex::new(None));
    let cache_control: Arc<Mutex<Option<&'static str>>> = Arc::new(Mutex::new(None));
    let hits = Arc::new(AtomicUsize::new(0));
    let evil_hits = Arc::new(AtomicUsize::new(0));
    let (d, h, e) = (document.clone(), hits.clone(), evil_hits.clone());
    let cc = cache_control.clone();
    let app = Router::new()
        .route(
            "/jwks",
            get(move || {
                let d = d.clone();
                let h = h.clone();
                let cc = *cc.lock().unwrap();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    match (d.lock().unwrap().clone(), cc) {
                        (Some(doc), Some(cc)) => {
                            ([(header::CACHE_CONTROL, cc)], Json(doc)).into_response()
                        }
                        (Some(doc), None) => Json(doc).into_response(),
                        (None, _) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    }
                }
            }),
        )
        .route(
            "/evil",
            get(move || {
                let e = e.clone();
                async move {
                    e.fetch_add(1, Ordering::SeqCst);
                    "{}"
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    JwksServer {
        url: format!("http://{addr}/jwks"),
        document,
        cache_control,
        hits,
        evil_hits,
    }
}

fn signer(private: &str, public: &str, kid: &str) -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(private)
            .public_key(public)
            .key_id(kid)
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn verifier(url: &str, min_interval: Duration) -> JwtManager {
    let jwks = RemoteJwks::http(url)
        .unwrap()
        .min_refresh_interval(min_interval);
    JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .jwks(jwks)
            .build()
            .unwrap(),
    )
    .unwrap()
}

async fn call(jwt: &JwtManager, token: &str) -> (u16, Value) {
    let app = Router::new()
        .route(
            "/p",
            get(|j: axum_jwt_extended::Jwt| async move { Json(json!({"who": j.identity()})) }),
        )
        .layer(jwt.layer());
    support::http::get_auth(&app, "/p", Some(&format!("Bearer {token}"))).await
}

#[tokio::test]
async fn keys_come_from_the_jwks_and_are_cached() {
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    *server.document.lock().unwrap() = Some(a.jwks());
    let jwt = verifier(&server.url, Duration::from_millis(200));
    let t = a.create_access_token("alice").unwrap();
    for _ in 0..10 {
        assert_eq!(call(&jwt, &t).await, (200, json!({"who": "alice"})));
    }
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        1,
        "fetched once, then cached"
    );
    // decode_token (sync) uses the cache.
    assert!(jwt.decode_token(&t, false).is_ok());
    // A verify-only manager cannot sign.
    assert!(jwt.create_access_token("x").is_err());
}

#[tokio::test]
async fn unknown_kid_refreshes_at_most_once_per_interval_and_rotation_works() {
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    let b = signer(RSA_OTHER_PRIVATE, RSA_OTHER_PUBLIC, "b");
    *server.document.lock().unwrap() = Some(a.jwks());
    let jwt = verifier(&server.url, Duration::from_millis(300));
    assert_eq!(
        call(&jwt, &a.create_access_token("alice").unwrap()).await.0,
        200
    );
    let tb = b.create_access_token("bob").unwrap();
    let unknown = (
        422,
        json!({"msg": "Unable to find a signing key that matches: \"b\""}),
    );
    // Within the interval, unknown kids do not fetch again.
    for _ in 0..20 {
        assert_eq!(call(&jwt, &tb).await, unknown);
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    // The issuer rotates: b is published; after the interval, one fetch finds it.
    let mut keys = a.jwks()["keys"].as_array().unwrap().clone();
    keys.extend(b.jwks()["keys"].as_array().unwrap().iter().cloned());
    *server.document.lock().unwrap() = Some(json!({ "keys": keys }));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(call(&jwt, &tb).await, (200, json!({"who": "bob"})));
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    // Concurrent unknown kids: still bounded.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let c = signer(RSA_OTHER_PRIVATE, RSA_OTHER_PUBLIC, "c");
    let tc = c.create_access_token("carol").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let jwt = jwt.clone();
        let tc = tc.clone();
        tasks.push(tokio::spawn(async move { call(&jwt, &tc).await.0 }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 422);
    }
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        3,
        "32 concurrent unknown kids, one fetch"
    );
}

#[tokio::test]
async fn an_unreachable_jwks_fails_closed() {
    let server = serve().await; // serves 500 until a document is set
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    let jwt = verifier(&server.url, Duration::from_millis(100));
    let t = a.create_access_token("alice").unwrap();
    assert_eq!(
        call(&jwt, &t).await,
        (503, json!({"msg": "Signing keys unavailable"}))
    );
    // When it comes back, requests pass again.
    *server.document.lock().unwrap() = Some(a.jwks());
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(call(&jwt, &t).await.0, 200);
    // A port nothing listens on.
    let dead = verifier("http://127.0.0.1:9/jwks", Duration::from_millis(100));
    assert_eq!(call(&dead, &t).await.0, 503);
}

#[tokio::test]
async fn jku_and_x5u_are_never_fetched() {
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    *server.document.lock().unwrap() = Some(a.jwks());
    let jwt = verifier(&server.url, Duration::from_millis(100));
    let attacker = signer(RSA_OTHER_PRIVATE, RSA_OTHER_PUBLIC, "a");
    let evil = server.url.replace("/jwks", "/evil");
    let t = attacker
        .create_access_token_with(
            "admin",
            TokenOptions::new().additional_headers(json!({"jku": evil, "x5u": evil})),
        )
        .unwrap();
    assert_eq!(
        call(&jwt, &t).await,
        (422, json!({"msg": "Signature verification failed"}))
    );
    assert_eq!(server.evil_hits.load(Ordering::SeqCst), 0);
}

#[test]
fn jwks_configuration_errors() {
    assert!(RemoteJwks::http("https://issuer.example/jwks").is_err());
    assert!(RemoteJwks::http("not a url").is_err());
    let jwks = RemoteJwks::http("http://127.0.0.1:1/jwks").unwrap();
    let err = JwtConfig::builder()
        .secret_key("x".repeat(40))
        .jwks(jwks)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("asymmetric"), "{err}");
}

/// A server that accepts, answers the head of a JWKS response announcing a
/// body, sends one byte of it, and then stalls. Counts connections.
async fn stalled_server() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{";
                let _ = socket.write_all(head.as_bytes()).await;
                tokio::time::sleep(Duration::from_secs(3600)).await;
            });
        }
    });
    (url, connections)
}

/// Hardening round two, finding 2: a JWKS response that stalls after its
/// head no longer hangs requests. One deadline covers the whole fetch; the
/// requests waiting for it give up at the same deadline with the documented
/// 503; the failed attempt counts for the rate limit (no second fetch).
#[tokio::test]
async fn a_stalled_jwks_body_fails_closed_at_the_fetch_deadline() {
    let (url, connections) = stalled_server().await;
    let jwks = RemoteJwks::http(&url)
        .unwrap()
        .min_refresh_interval(Duration::from_secs(60))
        .fetch_timeout(Duration::from_millis(300));
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .jwks(jwks)
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = signer(RSA_PRIVATE, RSA_PUBLIC, "a")
        .create_access_token("alice")
        .unwrap();
    let started = std::time::Instant::now();
    let mut waiting = Vec::new();
    for _ in 0..8 {
        let (jwt, t) = (jwt.clone(), t.clone());
        waiting.push(tokio::spawn(async move { call(&jwt, &t).await }));
    }
    for answer in waiting {
        assert_eq!(
            answer.await.unwrap(),
            (503, json!({"msg": "Signing keys unavailable"}))
        );
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    // The attempt counts: within the interval, no new fetch, still 503.
    assert_eq!(
        call(&jwt, &t).await,
        (503, json!({"msg": "Signing keys unavailable"}))
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn cache_control_max_age_is_honoured_within_bounds() {
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    *server.document.lock().unwrap() = Some(a.jwks());
    *server.cache_control.lock().unwrap() = Some("public, max-age=1");
    // max_age 1 h, but the endpoint says 1 s: after 1 s the next request fetches.
    let jwt = verifier(&server.url, Duration::from_millis(100));
    let t = a.create_access_token("alice").unwrap();
    assert_eq!(call(&jwt, &t).await.0, 200);
    assert_eq!(call(&jwt, &t).await.0, 200);
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(call(&jwt, &t).await.0, 200);
    assert_eq!(server.hits.load(Ordering::SeqCst), 2, "expired by max-age");

    // no-store asks for no caching at all: kept for min_refresh_interval
    // (the lower bound), not refetched on every request.
    let server = serve().await;
    *server.document.lock().unwrap() = Some(a.jwks());
    *server.cache_control.lock().unwrap() = Some("no-store");
    let jwt = verifier(&server.url, Duration::from_millis(500));
    for _ in 0..10 {
        assert_eq!(call(&jwt, &t).await.0, 200);
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 1, "bounded below");

    // A max-age longer than max_age is cut to max_age (bounded above).
    let server = serve().await;
    *server.document.lock().unwrap() = Some(a.jwks());
    *server.cache_control.lock().unwrap() = Some("max-age=86400");
    let jwks = RemoteJwks::http(&server.url)
        .unwrap()
        .min_refresh_interval(Duration::from_millis(100))
        .max_age(Duration::from_millis(800));
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .jwks(jwks)
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(call(&jwt, &t).await.0, 200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(call(&jwt, &t).await.0, 200);
    assert_eq!(server.hits.load(Ordering::SeqCst), 2, "bounded above");
}

#[tokio::test]
async fn an_ageing_key_set_is_refreshed_in_the_background() {
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    *server.document.lock().unwrap() = Some(a.jwks());
    let jwks = RemoteJwks::http(&server.url)
        .unwrap()
        .min_refresh_interval(Duration::from_millis(100))
        .max_age(Duration::from_millis(1000));
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .jwks(jwks)
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = a.create_access_token("alice").unwrap();
    assert_eq!(call(&jwt, &t).await.0, 200);
    // Past three quarters of its life: served from the cache at once, and
    // one refresh starts beside the request.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(call(&jwt, &t).await.0, 200);
    for _ in 0..50 {
        if server.hits.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        2,
        "refreshed in the background"
    );
    // The refreshed document is fresh again: no fetch at the original expiry.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(call(&jwt, &t).await.0, 200);
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_rsa_key_without_alg_verifies_the_rsa_algorithms_allowed() {
    // Entra ID publishes RSA keys without `alg`.
    let server = serve().await;
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    let mut doc = a.jwks();
    doc["keys"][0].as_object_mut().unwrap().remove("alg");
    *server.document.lock().unwrap() = Some(doc);
    let jwt = verifier(&server.url, Duration::from_millis(100));
    let t = a.create_access_token("alice").unwrap();
    assert_eq!(call(&jwt, &t).await, (200, json!({"who": "alice"})));
}

/// A key set whose fetches wait until the test opens the gate: a fetch
/// stays in flight while other requests arrive.
#[derive(Debug)]
struct GatedKeySet {
    document: Mutex<Value>,
    open: tokio::sync::watch::Sender<bool>,
    fetches: AtomicUsize,
}

impl axum_jwt_extended::JwksFetcher for GatedKeySet {
    fn fetch(&self) -> axum_jwt_extended::BoxFuture<'_, Result<Value, String>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let mut open = self.open.subscribe();
            open.wait_for(|open| *open)
                .await
                .map_err(|_| "closed".to_owned())?;
            Ok(self.document.lock().unwrap().clone())
        })
    }
}

/// Requests that arrive while the key set is being fetched wait for that
/// fetch and verify with its keys: at startup they answered 503, and during
/// a rotation 422 "Unable to find a signing key", while one request fetched.
#[tokio::test]
async fn requests_during_a_key_fetch_share_it() {
    let a = signer(RSA_PRIVATE, RSA_PUBLIC, "a");
    let b = signer(RSA_OTHER_PRIVATE, RSA_OTHER_PUBLIC, "b");
    let keys = Arc::new(GatedKeySet {
        document: Mutex::new(a.jwks()),
        open: tokio::sync::watch::channel(false).0,
        fetches: AtomicUsize::new(0),
    });
    #[derive(Debug)]
    struct Shared(Arc<GatedKeySet>);
    impl axum_jwt_extended::JwksFetcher for Shared {
        fn fetch(&self) -> axum_jwt_extended::BoxFuture<'_, Result<Value, String>> {
            self.0.fetch()
        }
    }
    let interval = Duration::from_secs(2);
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .jwks(RemoteJwks::new(Shared(Arc::clone(&keys))).min_refresh_interval(interval))
            .build()
            .unwrap(),
    )
    .unwrap();
    let burst = |token: String| {
        (0..8)
            .map(|_| {
                let (jwt, token) = (jwt.clone(), token.clone());
                tokio::spawn(async move { call(&jwt, &token).await })
            })
            .collect::<Vec<_>>()
    };
    // Startup: nothing fetched yet; the first request fetches, the others
    // arrive while it waits at the gate.
    let tasks = burst(a.create_access_token("alice").unwrap());
    while keys.fetches.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    keys.open.send_replace(true);
    for t in tasks {
        assert_eq!(t.await.unwrap(), (200, json!({"who": "alice"})));
    }
    assert_eq!(keys.fetches.load(Ordering::SeqCst), 1, "one fetch shared");
    // Rotation: b is published; once the interval has passed, a token of b
    // starts one fetch and the requests arriving meanwhile share it.
    keys.open.send_replace(false);
    let mut rotated = a.jwks()["keys"].as_array().unwrap().clone();
    rotated.extend(b.jwks()["keys"].as_array().unwrap().iter().cloned());
    *keys.document.lock().unwrap() = json!({ "keys": rotated });
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let tasks = burst(b.create_access_token("bob").unwrap());
    while keys.fetches.load(Ordering::SeqCst) == 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    keys.open.send_replace(true);
    for t in tasks {
        assert_eq!(t.await.unwrap(), (200, json!({"who": "bob"})));
    }
    assert_eq!(keys.fetches.load(Ordering::SeqCst), 2, "one fetch shared");
}
