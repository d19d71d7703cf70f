//! The Redis blocklist's local mirror on a real Redis: checks of a known
//! token make no round trip, a revocation on one instance reaches the others
//! at once, and the mirror never answers for Redis while it cannot hear it
//! (its subscription killed, Redis killed and restarted in the middle of a
//! storm of revocations).
//!
//! Each test is a small fleet in one process: every "instance" is a manager
//! with its own `RedisBlocklist` (its own connections and mirror), all on one
//! throwaway `redis-server`. Needs `redis-server` and `redis-cli` (Debian's
//! package; `scripts/test` installs it):
//! `cargo test -p axum-jwt-extended-tests --features redis-tests --test redis_mirror`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum_jwt_extended::{DecodedToken, JwtConfig, JwtError, JwtManager, RedisBlocklist};
use support::{free_port, redis_calls, redis_cli, start_durable_redis, start_redis, Killed};

const SECRET: &str = "redis-mirror-test-secret-long-enough!!";

/// An instance of the fleet: its own store, connections and mirror.
fn instance(redis_port: u16, mirror: usize) -> JwtManager {
    let store = RedisBlocklist::new(&format!("redis://127.0.0.1:{redis_port}/"))
        .unwrap()
        .local_mirror(mirror);
    JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap())
        .unwrap()
        .with_blocklist(store)
}

fn login(jwt: &JwtManager, who: &str) -> DecodedToken {
    let token = jwt.create_access_token(who).unwrap();
    jwt.decode_token(&token, false).unwrap()
}

/// Checks `token` on `jwt` until the answer is `revoked`, at most `within`;
/// how long it took.
async fn until_answer(
    jwt: &JwtManager,
    token: &DecodedToken,
    revoked: bool,
    within: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        if jwt.is_token_revoked(token).await.ok() == Some(revoked) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "still not {} after {within:?}",
            if revoked { "revoked" } else { "accepted" }
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Checks `token` until a check no longer reaches Redis (the mirror is live
/// and holds its keys), at most 5 s.
async fn until_mirrored(jwt: &JwtManager, token: &DecodedToken, redis_port: u16) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        assert!(!jwt.is_token_revoked(token).await.unwrap());
        let before = redis_calls(redis_port, "mget");
        assert!(!jwt.is_token_revoked(token).await.unwrap());
        if redis_calls(redis_port, "mget") == before {
            return;
        }
        assert!(Instant::now() < deadline, "the mirror never went live");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_of_a_known_token_make_no_round_trip_and_revocations_arrive_at_once() {
    let port = free_port();
    let _redis = start_redis(port);
    let (a, b) = (instance(port, 1024), instance(port, 1024));
    let token = login(&a, "alice");

    until_mirrored(&b, &token, port).await;
    let before = redis_calls(port, "mget");
    for _ in 0..200 {
        assert!(!b.is_token_revoked(&token).await.unwrap());
    }
    assert_eq!(
        redis_calls(port, "mget"),
        before,
        "200 checks went to Redis"
    );

    // A logout on A reaches B's mirror.
    a.revoke_token(&token).await.unwrap();
    let took = until_answer(&b, &token, true, Duration::from_millis(100)).await;
    eprintln!("revocation seen by the other instance after {took:?}");
    // ... and stays: B's mirror now holds the revocation itself.
    let before = redis_calls(port, "mget");
    for _ in 0..50 {
        assert!(b.is_token_revoked(&token).await.unwrap());
    }
    assert!(redis_calls(port, "mget") <= before + 1);

    // Log out everywhere and a family revocation reach it as well.
    let (other, again) = (login(&a, "bob"), login(&a, "carol"));
    until_mirrored(&b, &other, port).await;
    until_mirrored(&b, &again, port).await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    a.revoke_all_tokens_of("bob").await.unwrap();
    until_answer(&b, &other, true, Duration::from_millis(100)).await;
    a.revoke_token_family(&again).await.unwrap();
    until_answer(&b, &again, true, Duration::from_millis(100)).await;
}

/// A quiet channel is pinged (every 500 ms), and a ping answered keeps the
/// mirror: no new subscription, no read, across seconds without a revocation.
/// (Redis answers PING on a subscribed connection with an array; taking that
/// for a failure once emptied the mirror every half second.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mirror_stays_live_across_quiet_seconds() {
    let port = free_port();
    let _redis = start_redis(port);
    let jwt = instance(port, 1024);
    let token = login(&jwt, "alice");
    until_mirrored(&jwt, &token, port).await;
    let (subscribes, reads, pings) = (
        redis_calls(port, "subscribe"),
        redis_calls(port, "mget"),
        redis_calls(port, "ping"),
    );
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!jwt.is_token_revoked(&token).await.unwrap());
    }
    assert!(
        redis_calls(port, "ping") >= pings + 3,
        "the quiet channel was not pinged"
    );
    assert_eq!(
        redis_calls(port, "subscribe"),
        subscribes,
        "subscribed again"
    );
    assert_eq!(redis_calls(port, "mget"), reads, "checks went to Redis");
}

/// Read your own writes: a token revoked by an instance is refused by that
/// instance's very next check, whatever its mirror held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_refuses_what_it_just_revoked() {
    let port = free_port();
    let _redis = start_redis(port);
    let jwt = instance(port, 1024);
    until_mirrored(&jwt, &login(&jwt, "warm-up"), port).await;
    for i in 0..300 {
        let token = login(&jwt, "alice");
        assert!(!jwt.is_token_revoked(&token).await.unwrap());
        assert!(!jwt.is_token_revoked(&token).await.unwrap());
        jwt.revoke_token(&token).await.unwrap();
        assert!(
            jwt.is_token_revoked(&token).await.unwrap(),
            "accepted right after its own revocation (round {i})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_mirror_every_check_is_one_round_trip() {
    let port = free_port();
    let _redis = start_redis(port);
    let jwt = instance(port, 0);
    let token = login(&jwt, "alice");
    assert!(!jwt.is_token_revoked(&token).await.unwrap());
    let before = redis_calls(port, "mget");
    for _ in 0..100 {
        assert!(!jwt.is_token_revoked(&token).await.unwrap());
    }
    assert_eq!(redis_calls(port, "mget"), before + 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_subscription_sends_checks_to_redis_until_it_is_back() {
    let port = free_port();
    let _redis = start_redis(port);
    let (a, b) = (instance(port, 1024), instance(port, 1024));
    let (first, second) = (login(&a, "alice"), login(&a, "alice"));
    until_mirrored(&b, &first, port).await;
    until_mirrored(&b, &second, port).await;

    // Redis drops every subscriber (as on a failover or an output-buffer
    // limit); a revocation made right after must still be seen by B.
    let killed = redis_cli(port, &["CLIENT", "KILL", "TYPE", "pubsub"]);
    assert_ne!(killed.trim(), "0", "no subscription to kill: {killed}");
    a.revoke_token(&first).await.unwrap();
    until_answer(&b, &first, true, Duration::from_millis(100)).await;
    // The other token is still accepted, and the mirror comes back: checks
    // stop reaching Redis again.
    until_mirrored(&b, &second, port).await;
    a.revoke_token(&second).await.unwrap();
    until_answer(&b, &second, true, Duration::from_millis(100)).await;
}

/// What the storm learned: each acknowledged revocation with its moment.
type Acknowledged = Arc<Mutex<Vec<(DecodedToken, Instant)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_stale_accept_when_redis_is_killed_and_restarted_during_a_revocation_storm() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("redis-mirror-storm-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = Arc::new(Mutex::new(Some(start_durable_redis(port, &dir))));
    let a = instance(port, 1024);
    let b = instance(port, 1024);
    let tokens: Vec<DecodedToken> = (0..300).map(|i| login(&a, &format!("user-{i}"))).collect();
    for token in &tokens {
        assert!(!b.is_token_revoked(token).await.unwrap());
    }
    let acknowledged: Acknowledged = Arc::default();

    // The storm: A revokes the tokens one after the other...
    let revoker = {
        let (a, tokens, acknowledged) = (a.clone(), tokens.clone(), acknowledged.clone());
        tokio::spawn(async move {
            for token in tokens {
                if a.revoke_token(&token).await.is_ok() {
                    acknowledged.lock().unwrap().push((token, Instant::now()));
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    // ... while B checks every token whose revocation was acknowledged more
    // than 100 ms ago: revoked, or 503 while Redis is away, never accepted.
    let checker = {
        let (b, acknowledged) = (b.clone(), acknowledged.clone());
        tokio::spawn(async move {
            let (mut refused, mut unavailable) = (0u32, 0u32);
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until {
                let settled: Vec<DecodedToken> = acknowledged
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(_, at)| at.elapsed() > Duration::from_millis(100))
                    .map(|(t, _)| t.clone())
                    .collect();
                for token in settled.iter().rev().take(20) {
                    match b.is_token_revoked(token).await {
                        Ok(true) => refused += 1,
                        Err(JwtError::RevocationUnavailable) => unavailable += 1,
                        other => panic!("a revoked token was answered {other:?}"),
                    }
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            (refused, unavailable)
        })
    };
    // Redis is killed (SIGKILL) a third of the way in and comes back 300 ms
    // later from its append-only file.
    tokio::time::sleep(Duration::from_millis(400)).await;
    drop(redis.lock().unwrap().take());
    tokio::time::sleep(Duration::from_millis(300)).await;
    *redis.lock().unwrap() = Some(start_durable_redis(port, &dir));

    revoker.await.unwrap();
    let (refused, unavailable) = checker.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    eprintln!(
        "{} revocations acknowledged of {}; B refused {refused} checks and answered 503 to {unavailable}",
        acknowledged.len(),
        tokens.len()
    );
    assert!(acknowledged.len() > 100, "the storm barely ran");
    assert!(refused > 100, "the checker barely ran");
    // Once everything settled, every acknowledged revocation holds on both.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (token, _) in &acknowledged {
        for jwt in [&a, &b] {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match jwt.is_token_revoked(token).await {
                    Ok(true) => break,
                    Err(JwtError::RevocationUnavailable) if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    other => panic!("a revoked token was answered {other:?}"),
                }
            }
        }
    }
    drop(redis.lock().unwrap().take());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_checks_fail_closed_and_recover() {
    let port = free_port();
    let redis = start_redis(port);
    let jwt = instance(port, 1024);
    let token = login(&jwt, "alice");
    until_mirrored(&jwt, &token, port).await;
    drop(redis);
    // The mirror goes dark as soon as the connection drops.
    let took = until_answer_err(&jwt, &token, Duration::from_millis(500)).await;
    eprintln!("failing closed {took:?} after Redis died");
    let _redis: Killed = start_redis(port);
    until_answer(&jwt, &token, false, Duration::from_secs(10)).await;
    until_mirrored(&jwt, &token, port).await;
}

/// Checks `token` until the store fails (503), at most `within`.
async fn until_answer_err(jwt: &JwtManager, token: &DecodedToken, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        match jwt.is_token_revoked(token).await {
            Err(JwtError::RevocationUnavailable) => return started.elapsed(),
            Ok(false) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            started.elapsed() < within,
            "still answering after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
