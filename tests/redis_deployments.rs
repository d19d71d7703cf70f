//! Redis as fleets run it: the blocklist (with its local mirror) and the
//! session store over TLS (`rediss://`, a certificate of a test CA), through
//! the app's own connection manager, and in a three-node Redis Cluster
//! created with `redis-cli --cluster create`, including a node killed and
//! restarted.
//!
//! Needs `redis-server` and `redis-cli` (Debian's packages, built with TLS;
//! `scripts/test` installs them):
//! `cargo test -p axum-jwt-extended-tests --features redis-tests --test redis_deployments`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use axum_jwt_extended::redis;
use axum_jwt_extended::{
    DecodedToken, JwtConfig, JwtError, JwtManager, RedisBlocklist, RedisSessionStore, TokenOptions,
};
use serde_json::json;
use support::tls::test_ca;
use support::{free_port, start_cluster_node, start_tls_redis, Killed};

const SECRET: &str = "redis-deployments-secret-long-enough!!";

fn manager(blocklist: RedisBlocklist) -> JwtManager {
    JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap())
        .unwrap()
        .with_blocklist(blocklist)
}

fn login(jwt: &JwtManager, who: &str) -> DecodedToken {
    jwt.decode_token(&jwt.create_access_token(who).unwrap(), false)
        .unwrap()
}

/// Checks `token` on `jwt` until it is refused as revoked, at most `within`.
async fn refused_within(jwt: &JwtManager, token: &DecodedToken, within: Duration) {
    let started = Instant::now();
    loop {
        match jwt.is_token_revoked(token).await {
            Ok(true) => return,
            Ok(false) | Err(JwtError::RevocationUnavailable) => {}
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < within, "not refused within {within:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Checks `token` until the answer is `Ok(false)` (Redis reachable, token
/// accepted), at most `within`.
async fn accepted_within(jwt: &JwtManager, token: &DecodedToken, within: Duration) {
    let started = Instant::now();
    loop {
        match jwt.is_token_revoked(token).await {
            Ok(false) => return,
            Err(JwtError::RevocationUnavailable) => {}
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < within, "not accepted within {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks `token` until 50 checks in a row reach Redis no more (`calls`
/// counts its `MGET`s): the local mirror is live and answers, at most 5 s.
async fn assert_no_round_trips(jwt: &JwtManager, token: &DecodedToken, calls: impl Fn() -> u64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let before = calls();
        for _ in 0..50 {
            assert!(!jwt.is_token_revoked(token).await.unwrap());
        }
        if calls() == before {
            return;
        }
        assert!(Instant::now() < deadline, "checks still reach Redis");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client of the TLS server on `port` that trusts the test CA.
fn tls_client(port: u16) -> redis::Client {
    let ca = std::fs::read(&test_ca().ca_pem).unwrap();
    redis::Client::build_with_tls(
        format!("rediss://localhost:{port}/"),
        redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(ca),
        },
    )
    .unwrap()
}

fn tls_server(port: u16) -> Killed {
    let ca = test_ca();
    start_tls_redis(port, &ca.cert_pem, &ca.key_pem, &ca.ca_pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_over_tls_shares_revocations_and_sessions() {
    let port = free_port();
    let _redis = tls_server(port);
    let a = manager(RedisBlocklist::from_client(tls_client(port)).unwrap())
        .with_sessions(RedisSessionStore::from_client(tls_client(port)).unwrap());
    let b = manager(RedisBlocklist::from_client(tls_client(port)).unwrap())
        .with_sessions(RedisSessionStore::from_client(tls_client(port)).unwrap());

    let token = login(&a, "alice");
    accepted_within(&b, &token, Duration::from_secs(5)).await;
    // The mirror's subscription works over TLS: checks stop reaching Redis.
    let mget_calls = || {
        let ca = test_ca().ca_pem.to_str().unwrap().to_owned();
        let out = Command::new("redis-cli")
            .args([
                "--tls",
                "--cacert",
                &ca,
                "-h",
                "localhost",
                "-p",
                &port.to_string(),
            ])
            .args(["INFO", "commandstats"])
            .output()
            .unwrap();
        support::calls_in_commandstats(&String::from_utf8_lossy(&out.stdout), "mget")
    };
    assert_no_round_trips(&b, &token, mget_calls).await;
    a.revoke_token(&token).await.unwrap();
    refused_within(&b, &token, Duration::from_millis(100)).await;

    // Sessions over TLS: a login on A is listed on B, ended on B, refused on A.
    let laptop = a
        .create_session("bob", TokenOptions::default(), json!({"device": "laptop"}))
        .await
        .unwrap();
    let phone = b
        .create_session("bob", TokenOptions::default(), json!({"device": "phone"}))
        .await
        .unwrap();
    let laptop_access = a.decode_token(&laptop.access_token, false).unwrap();
    let phone_access = b.decode_token(&phone.access_token, false).unwrap();
    assert_eq!(b.list_sessions(&phone_access).await.unwrap().len(), 2);
    assert!(b
        .revoke_session(&phone_access, &laptop.session_id)
        .await
        .unwrap());
    refused_within(&a, &laptop_access, Duration::from_millis(100)).await;
    assert_eq!(a.list_sessions(&phone_access).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_refuses_an_untrusted_certificate_and_plain_text_closed() {
    let port = free_port();
    let _redis = tls_server(port);
    // The platform's roots do not include the test CA; a plain connection to
    // a TLS port gets no answer. Either way every check fails closed.
    for jwt in [
        manager(RedisBlocklist::new(&format!("rediss://localhost:{port}/")).unwrap()),
        manager(RedisBlocklist::new(&format!("redis://127.0.0.1:{port}/")).unwrap()),
    ] {
        let token = login(&jwt, "alice");
        for _ in 0..3 {
            assert!(matches!(
                jwt.is_token_revoked(&token).await,
                Err(JwtError::RevocationUnavailable)
            ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_connection_manager_carries_the_commands() {
    let port = free_port();
    let _redis = support::start_redis(port);
    let url = format!("redis://127.0.0.1:{port}/");
    let client = redis::Client::open(url.as_str()).unwrap();
    let app_manager = redis::aio::ConnectionManager::new(client.clone())
        .await
        .unwrap();
    let jwt = manager(RedisBlocklist::from_connection_manager(
        client.clone(),
        app_manager.clone(),
    ))
    .with_sessions(RedisSessionStore::from_connection_manager(
        client,
        app_manager.clone(),
    ));
    let token = login(&jwt, "alice");
    jwt.create_session("alice", TokenOptions::default(), json!({}))
        .await
        .unwrap();
    jwt.revoke_token(&token).await.unwrap();
    assert!(jwt.is_token_revoked(&token).await.unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The app's connection and the mirror's subscription: no other client.
    let clients = support::redis_cli(port, &["CLIENT", "LIST"]);
    let normal = clients
        .lines()
        .filter(|l| l.contains("flags=N") && !l.contains("cmd=client|list"))
        .count();
    let subscribers = clients.lines().filter(|l| l.contains("flags=P")).count();
    assert_eq!((normal, subscribers), (1, 1), "{clients}");
}

/// Three cluster nodes on loopback, their files in a directory of their own.
struct Cluster {
    ports: Vec<u16>,
    dirs: Vec<PathBuf>,
    nodes: Vec<Option<Killed>>,
}

impl Cluster {
    fn start() -> Cluster {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let root = std::env::temp_dir().join(format!("ajx-cluster-{}", ports[0]));
        let _ = std::fs::remove_dir_all(&root);
        let dirs: Vec<PathBuf> = ports.iter().map(|p| root.join(p.to_string())).collect();
        let nodes = ports
            .iter()
            .zip(&dirs)
            .map(|(&port, dir)| Some(start_cluster_node(port, dir)))
            .collect();
        let addresses: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .expect("redis-cli");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = Cluster { ports, dirs, nodes };
        cluster.wait_until_ok();
        cluster
    }

    fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        for &port in &self.ports {
            while !support::redis_cli(port, &["CLUSTER", "INFO"]).contains("cluster_state:ok") {
                assert!(Instant::now() < deadline, "the cluster did not become ok");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The node that holds `key`.
    fn node_of(&self, key: &str) -> usize {
        let slot: u16 = support::redis_cli(self.ports[0], &["CLUSTER", "KEYSLOT", key])
            .trim()
            .parse()
            .unwrap();
        let shards = support::redis_cli(self.ports[0], &["CLUSTER", "SLOTS"]);
        // redis-cli prints each range as: start, end, ip, port, id (one per line).
        let lines: Vec<&str> = shards.lines().map(str::trim).collect();
        for window in lines.windows(4) {
            if let (Ok(start), Ok(end), Ok(port)) = (
                window[0].parse::<u16>(),
                window[1].parse::<u16>(),
                window[3].parse::<u16>(),
            ) {
                if window[2] == "127.0.0.1" && (start..=end).contains(&slot) {
                    return self.ports.iter().position(|&p| p == port).unwrap();
                }
            }
        }
        panic!("no node for slot {slot}: {shards}")
    }

    fn kill(&mut self, node: usize) {
        self.nodes[node] = None;
    }

    fn restart(&mut self, node: usize) {
        self.nodes[node] = Some(start_cluster_node(self.ports[node], &self.dirs[node]));
        self.wait_until_ok();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.nodes.clear();
        if let Some(root) = self.dirs.first().and_then(|d| d.parent()) {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_shares_revocations_and_sessions_and_survives_a_node_restart() {
    let mut cluster = Cluster::start();
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let instance = || {
        manager(RedisBlocklist::cluster(&nodes).unwrap())
            .with_sessions(RedisSessionStore::cluster(&nodes).unwrap())
    };
    let (a, b) = (instance(), instance());

    // Tokens whose keys land on every node: revoked on A, refused on B.
    let tokens: Vec<DecodedToken> = (0..30).map(|i| login(&a, &format!("user-{i}"))).collect();
    for token in &tokens {
        accepted_within(&b, token, Duration::from_secs(5)).await;
    }
    // The mirror follows the cluster: checks of known tokens stay local.
    let ports = cluster.ports.clone();
    let mget_calls = move || {
        ports
            .iter()
            .map(|&p| support::redis_calls(p, "mget"))
            .sum::<u64>()
    };
    assert_no_round_trips(&b, &tokens[0], mget_calls).await;
    for token in &tokens[..20] {
        a.revoke_token(token).await.unwrap();
    }
    for token in &tokens[..20] {
        refused_within(&b, token, Duration::from_millis(100)).await;
    }
    // Sessions: one hash per identity, one slot per command.
    let first = a
        .create_session(
            "carol",
            TokenOptions::default(),
            json!({"device": "laptop"}),
        )
        .await
        .unwrap();
    let second = b
        .create_session("carol", TokenOptions::default(), json!({"device": "phone"}))
        .await
        .unwrap();
    let first_access = a.decode_token(&first.access_token, false).unwrap();
    let second_access = b.decode_token(&second.access_token, false).unwrap();
    assert_eq!(b.list_sessions(&second_access).await.unwrap().len(), 2);

    // The node holding a revoked token's key dies: checks that need it fail
    // closed (never accepted), and once it is back (from its append-only
    // file) the revocation still holds and live tokens pass again.
    let victim = cluster.node_of(&format!("jwt:jti:{}", tokens[0].jti().unwrap()));
    let live = tokens[20..]
        .iter()
        .find(|t| cluster.node_of(&format!("jwt:jti:{}", t.jti().unwrap())) == victim)
        .expect("a live token on the same node")
        .clone();
    cluster.kill(victim);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        for token in [&tokens[0], &live] {
            match b.is_token_revoked(token).await {
                Ok(revoked) => assert_eq!(revoked, token.jti() == tokens[0].jti()),
                Err(JwtError::RevocationUnavailable) => {}
                other => panic!("{other:?}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(matches!(
        b.is_token_revoked(&tokens[1]).await,
        Ok(true) | Err(JwtError::RevocationUnavailable)
    ));
    cluster.restart(victim);
    for jwt in [&a, &b] {
        accepted_within(jwt, &live, Duration::from_secs(20)).await;
        for token in &tokens[..20] {
            refused_within(jwt, token, Duration::from_secs(5)).await;
        }
    }
    // A revocation after the restart reaches the other instance as before.
    a.revoke_token(&live).await.unwrap();
    refused_within(&b, &live, Duration::from_millis(100)).await;
    // The session store's own connection may meet the restarted node for
    // the first time here: it fails closed until it has reconnected.
    let started = Instant::now();
    let mut failures = 0;
    loop {
        match b.revoke_session(&second_access, &first.session_id).await {
            Ok(ended) => {
                assert!(ended);
                break;
            }
            Err(JwtError::RevocationUnavailable) if started.elapsed() < Duration::from_secs(5) => {
                failures += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("{other:?}"),
        }
    }
    eprintln!("ending a session after the restart failed closed {failures} times first");
    refused_within(&a, &first_access, Duration::from_millis(100)).await;
}
