//! A fleet: two instances of `examples/redis_blocklist.rs` sharing one real
//! Redis. A logout on one is honoured by the other, refresh rotation and reuse
//! detection hold across instances, and stopping Redis fails requests closed
//! until it is back.
//!
//! Needs `redis-server` (Debian's package; `scripts/test` installs it); run
//! with `cargo build --features redis --example redis_blocklist && cargo test
//! -p axum-jwt-extended-tests --features redis-tests --test fleet`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::http::Remote;
use support::{example_binary, free_port, start_redis, wait_for_port, Killed};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn start_instance(port: u16, redis_port: u16) -> Killed {
    let binary = example_binary("redis_blocklist");
    let child = Command::new(binary)
        .env("ADDR", format!("127.0.0.1:{port}"))
        .env("REDIS_URL", format!("redis://127.0.0.1:{redis_port}/"))
        .env("JWT_SECRET_KEY", "fleet-test-secret-long-enough-for-hs256")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("build the example first: cargo build --features redis --example redis_blocklist");
    wait_for_port(port, "redis_blocklist");
    Killed(child)
}

/// A fresh Redis and two instances of the example on it, at ports `a` and
/// `b`; the processes stop when the returned guards are dropped.
fn two_instances_on_one_redis() -> (u16, u16, [Killed; 3]) {
    let redis_port = free_port();
    let redis = start_redis(redis_port);
    let (a, b) = (free_port(), free_port());
    let processes = [
        redis,
        start_instance(a, redis_port),
        start_instance(b, redis_port),
    ];
    (a, b, processes)
}

/// Calls to the instances of the fleet, by port.
#[derive(Clone, Copy)]
struct Fleet;

impl Fleet {
    async fn call(
        &self,
        method: &str,
        port: u16,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let body = body.map(|b| b.to_string());
        Remote::new(port)
            .send(method, path, token, body.as_deref())
            .await
            .pair()
    }

    async fn login(&self, port: u16) -> (String, String) {
        let (s, b) = self
            .call(
                "POST",
                port,
                "/login",
                None,
                Some(json!({"username": "test", "password": "test"})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        (
            b["access_token"].as_str().unwrap().to_owned(),
            b["refresh_token"].as_str().unwrap().to_owned(),
        )
    }
}

fn revoked() -> (u16, Value) {
    (401, json!({"msg": "Token has been revoked"}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_shares_revocations_through_redis() {
    let redis_port = free_port();
    let mut redis = start_redis(redis_port);
    let (a, b) = (free_port(), free_port());
    let _a = start_instance(a, redis_port);
    let _b = start_instance(b, redis_port);
    let fleet = Fleet;

    // Logout on A is honoured by B (within 100 ms, the time for it to reach
    // B's local mirror), for the access and the refresh token.
    let (access, refresh) = fleet.login(a).await;
    assert_eq!(
        fleet
            .call("GET", b, "/protected", Some(&access), None)
            .await,
        (200, json!({"logged_in_as": "test"}))
    );
    assert_eq!(
        fleet
            .call("DELETE", a, "/logout", Some(&access), None)
            .await
            .0,
        200
    );
    let logged_out = Instant::now();
    loop {
        let answer = fleet
            .call("GET", b, "/protected", Some(&access), None)
            .await;
        if answer.0 != 200 || logged_out.elapsed() > Duration::from_millis(100) {
            assert_eq!(answer, revoked());
            break;
        }
    }
    assert_eq!(
        fleet
            .call("POST", b, "/refresh", Some(&refresh), None)
            .await,
        revoked()
    );

    // Rotation on A; the rotated token replayed on B is reuse: the family dies.
    let (_, r1) = fleet.login(a).await;
    let (s, pair) = fleet
        .call("POST", a, "/refresh_rotate", Some(&r1), None)
        .await;
    assert_eq!(s, 200, "{pair}");
    let (a2, r2) = (
        pair["access_token"].as_str().unwrap().to_owned(),
        pair["refresh_token"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        fleet.call("GET", b, "/protected", Some(&a2), None).await.0,
        200
    );
    assert_eq!(
        fleet
            .call("POST", b, "/refresh_rotate", Some(&r1), None)
            .await,
        revoked()
    );
    assert_eq!(
        fleet
            .call("POST", a, "/refresh_rotate", Some(&r2), None)
            .await,
        revoked()
    );
    assert_eq!(
        fleet.call("GET", a, "/protected", Some(&a2), None).await,
        revoked()
    );

    // Concurrent rotations of one token across both instances: one success.
    let (_, r) = fleet.login(b).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let port = if i % 2 == 0 { a } else { b };
        let r = r.clone();
        tasks.push(tokio::spawn(async move {
            fleet
                .call("POST", port, "/refresh_rotate", Some(&r), None)
                .await
                .0
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one rotation succeeds");

    // Log out everywhere on B: earlier tokens die on A.
    let (access_1, _) = fleet.login(a).await;
    let (access_2, _) = fleet.login(b).await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // a later iat for the next login
    assert_eq!(
        fleet
            .call("DELETE", b, "/logout_all", Some(&access_2), None)
            .await
            .0,
        200
    );
    assert_eq!(
        fleet
            .call("GET", a, "/protected", Some(&access_1), None)
            .await,
        revoked()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (later, _) = fleet.login(a).await;
    assert_eq!(
        fleet
            .call("GET", b, "/protected", Some(&later), None)
            .await
            .0,
        200
    );

    // Redis stops: requests fail closed, quickly.
    drop(std::mem::replace(
        &mut redis,
        Killed(Command::new("true").spawn().unwrap()),
    ));
    // (Each instance's mirror goes dark as soon as its subscription drops;
    // until then it may still answer for a token it knows.)
    let started = Instant::now();
    for port in [a, b] {
        loop {
            let answer = fleet
                .call("GET", port, "/protected", Some(&later), None)
                .await;
            if answer.0 == 503 {
                assert_eq!(
                    answer.1,
                    json!({"msg": "Token revocation status unavailable"})
                );
                break;
            }
            assert_eq!(answer.0, 200, "{answer:?}");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "still answering 200 {:?} after Redis died",
                started.elapsed()
            );
        }
    }
    eprintln!(
        "both instances failed closed {:?} after Redis died",
        started.elapsed()
    );
    // Unprotected routes are unaffected.
    assert_eq!(fleet.call("GET", a, "/public", None, None).await.0, 200);

    // Redis comes back (empty: no persistence here): requests pass again.
    let _redis = start_redis(redis_port);
    let deadline = Instant::now() + Duration::from_secs(15);
    for port in [a, b] {
        loop {
            let (s, _) = fleet
                .call("GET", port, "/protected", Some(&later), None)
                .await;
            if s == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "instance on {port} did not recover (last status {s})"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Revocation that holds across instances: a spent refresh token is refused
/// by the other instance at the non-rotating `/refresh`, whose reuse there
/// revokes the login on both; an access token minted at `/refresh` on one
/// instance dies with a logout of its login on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spent_and_minted_tokens_follow_their_login_across_instances() {
    let (a, b, _processes) = two_instances_on_one_redis();
    let fleet = Fleet;
    let token = |body: &Value, key: &str| body[key].as_str().unwrap().to_owned();

    // Finding 1: rotate on A, then the spent token at /refresh on B.
    let (_, r1) = fleet.login(a).await;
    let (s, pair) = fleet
        .call("POST", a, "/refresh_rotate", Some(&r1), None)
        .await;
    assert_eq!(s, 200, "{pair}");
    let (a2, r2) = (token(&pair, "access_token"), token(&pair, "refresh_token"));
    assert_eq!(
        fleet.call("GET", b, "/protected", Some(&a2), None).await.0,
        200
    );
    assert_eq!(
        fleet.call("POST", b, "/refresh", Some(&r1), None).await,
        revoked()
    );
    assert_eq!(
        fleet.call("GET", a, "/protected", Some(&a2), None).await,
        revoked()
    );
    assert_eq!(
        fleet.call("POST", a, "/refresh", Some(&r2), None).await,
        revoked()
    );
    assert_eq!(
        fleet.call("POST", a, "/refresh", Some(&r1), None).await,
        revoked()
    );

    // Finding 2: an access token minted at /refresh on A joins the login,
    // and a logout of the login on B revokes it on both.
    let (a1, r) = fleet.login(a).await;
    let (s, body) = fleet.call("POST", a, "/refresh", Some(&r), None).await;
    assert_eq!(s, 200, "{body}");
    let minted = token(&body, "access_token");
    assert_eq!(
        fleet
            .call("GET", b, "/protected", Some(&minted), None)
            .await
            .0,
        200
    );
    assert_eq!(
        fleet.call("DELETE", b, "/logout", Some(&a1), None).await.0,
        200
    );
    for port in [a, b] {
        assert_eq!(
            fleet
                .call("GET", port, "/protected", Some(&minted), None)
                .await,
            revoked()
        );
    }
}

/// The local mirror keeps every instance exact: a logout on A is refused by
/// B within 100 ms, measured 200 times over HTTP from A's answer to B's
/// first 401 (one request to B included), after B had answered the token
/// from its mirror.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_reaches_every_instance_within_100_ms() {
    let (a, b, _processes) = two_instances_on_one_redis();
    let fleet = Fleet;
    let mut latencies = Vec::new();
    for _ in 0..200 {
        let (access, _) = fleet.login(a).await;
        for _ in 0..2 {
            assert_eq!(
                fleet
                    .call("GET", b, "/protected", Some(&access), None)
                    .await
                    .0,
                200
            );
        }
        let (s, body) = fleet
            .call("DELETE", a, "/logout", Some(&access), None)
            .await;
        assert_eq!(s, 200, "{body}");
        let acknowledged = Instant::now();
        loop {
            let answer = fleet
                .call("GET", b, "/protected", Some(&access), None)
                .await;
            if answer == revoked() {
                break;
            }
            assert_eq!(answer.0, 200, "{answer:?}");
            assert!(
                acknowledged.elapsed() < Duration::from_millis(100),
                "B still accepted a token 100 ms after its logout on A"
            );
        }
        latencies.push(acknowledged.elapsed());
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "logout on A -> 401 on B, {} logouts: p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
