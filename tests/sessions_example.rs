//! `examples/sessions.rs` over HTTP: its contract on the memory store, and
//! (with `--features redis-tests`) two instances sharing one Redis, where a
//! session ended on one is refused on the other.
//!
//! Build the example first: `cargo build --example sessions` (and with
//! `--features redis` for the fleet case).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};

use serde_json::{json, Value};
use support::http::{msg, Remote};
use support::{example_binary, free_port, wait_for_port, Killed};

const SECRET: &str = "sessions-example-test-secret-32-bytes";

fn start(redis: Option<u16>) -> (Killed, Remote) {
    let port = free_port();
    let mut command = Command::new(example_binary("sessions"));
    command
        .env("ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET_KEY", SECRET)
        .env_remove("REDIS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(redis) = redis {
        command.env("REDIS_URL", format!("redis://127.0.0.1:{redis}/"));
    }
    let child = command
        .spawn()
        .expect("build the example first: cargo build --example sessions");
    let server = Killed(child);
    wait_for_port(port, "examples/sessions");
    (server, Remote::new(port))
}

struct Login {
    access: String,
    refresh: String,
    session: String,
}

async fn login(api: &Remote, user: &str, device: &str) -> Login {
    let body =
        json!({"username": user, "password": format!("{user}-pw"), "device": device}).to_string();
    let reply = api.send("POST", "/login", None, Some(&body)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let keys: Vec<&String> = reply.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["access_token", "refresh_token", "session_id"]);
    Login {
        access: reply.body["access_token"].as_str().unwrap().to_owned(),
        refresh: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        session: reply.body["session_id"].as_str().unwrap().to_owned(),
    }
}

async fn list(api: &Remote, token: &str) -> Vec<Value> {
    let reply = api.send("GET", "/sessions", Some(token), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sessions_contract_over_http() {
    let (_server, api) = start(None);
    let laptop = login(&api, "alice", "laptop").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let phone = login(&api, "alice", "phone").await;
    let bob = login(&api, "bob", "bob's phone").await;

    // The caller's live sessions, newest first, the current one marked.
    let sessions = list(&api, &phone.access).await;
    assert_eq!(sessions.len(), 2);
    let mut keys: Vec<&str> = sessions[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = [
        "id",
        "device",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(
        (
            sessions[0]["id"].as_str(),
            &sessions[0]["device"],
            &sessions[0]["current"]
        ),
        (Some(phone.session.as_str()), &json!("phone"), &json!(true))
    );
    assert_eq!(
        (
            sessions[1]["id"].as_str(),
            &sessions[1]["device"],
            &sessions[1]["current"]
        ),
        (
            Some(laptop.session.as_str()),
            &json!("laptop"),
            &json!(false)
        )
    );
    assert!(
        sessions[0]["expires_at"].as_f64().unwrap() > sessions[0]["created_at"].as_f64().unwrap()
    );

    // Another user's session or an unknown id: 404, nothing ended.
    for id in [bob.session.as_str(), "no-such-session"] {
        let reply = api
            .send(
                "DELETE",
                &format!("/sessions/{id}"),
                Some(&phone.access),
                None,
            )
            .await;
        assert_eq!(reply.pair(), (404, msg("Session not found")), "{id}");
    }
    assert_eq!(list(&api, &bob.access).await.len(), 1);

    // Refresh moves last_used_at.
    let before = list(&api, &phone.access).await[0]["last_used_at"]
        .as_f64()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let reply = api
        .send("POST", "/refresh", Some(&phone.refresh), None)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["access_token"]
    );
    let after = list(&api, &phone.access).await[0]["last_used_at"]
        .as_f64()
        .unwrap();
    assert!(after > before, "{before} -> {after}");

    // Ending the laptop's session refuses its refresh and access tokens.
    let reply = api
        .send(
            "DELETE",
            &format!("/sessions/{}", laptop.session),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
    for (method, path, token) in [
        ("GET", "/sessions", &laptop.access),
        ("POST", "/refresh", &laptop.refresh),
    ] {
        let reply = api.send(method, path, Some(token), None).await;
        assert_eq!(reply.pair(), (401, msg("Token has been revoked")), "{path}");
    }

    // All but the current one.
    let tablet = login(&api, "alice", "tablet").await;
    let desktop = login(&api, "alice", "desktop").await;
    let reply = api
        .send("DELETE", "/sessions", Some(&desktop.access), None)
        .await;
    assert_eq!(reply.status, 204);
    for token in [&phone.access, &tablet.access] {
        assert_eq!(
            api.send("GET", "/sessions", Some(token), None).await.status,
            401
        );
    }
    let left = list(&api, &desktop.access).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"].as_str(), Some(desktop.session.as_str()));
    assert_eq!(list(&api, &bob.access).await.len(), 1, "bob's untouched");

    // The login's refusals.
    let wrong = json!({"username": "alice", "password": "nope", "device": "x"}).to_string();
    assert_eq!(
        api.send("POST", "/login", None, Some(&wrong)).await.pair(),
        (401, msg("Bad username or password"))
    );
    let long =
        json!({"username": "bob", "password": "bob-pw", "device": "x".repeat(101)}).to_string();
    assert_eq!(
        api.send("POST", "/login", None, Some(&long)).await.status,
        400
    );
    assert_eq!(api.send("GET", "/sessions", None, None).await.status, 401);
}

#[cfg(feature = "redis-tests")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_on_one_instance_is_refused_on_the_other() {
    let redis_port = free_port();
    let _redis = support::start_redis(redis_port);
    let (_a, one) = start(Some(redis_port));
    let (_b, two) = start(Some(redis_port));
    let laptop = login(&one, "alice", "laptop").await;
    let phone = login(&two, "alice", "phone").await;
    // Both instances list both sessions.
    for api in [&one, &two] {
        assert_eq!(list(api, &laptop.access).await.len(), 2);
    }
    // Ended on two, refused on one within 100 ms (the time for the
    // revocation to reach one's local mirror of Redis).
    let reply = two
        .send(
            "DELETE",
            &format!("/sessions/{}", laptop.session),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
    for (method, path, token) in [
        ("GET", "/sessions", &laptop.access),
        ("POST", "/refresh", &laptop.refresh),
    ] {
        let ended = std::time::Instant::now();
        loop {
            let reply = one.send(method, path, Some(token), None).await.pair();
            if reply.0 != 200 || ended.elapsed() > std::time::Duration::from_millis(100) {
                assert_eq!(reply, (401, msg("Token has been revoked")), "{path}");
                break;
            }
        }
    }
    let left = list(&one, &phone.access).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["device"], "phone");
    // A refresh on one instance moves last_used_at for the other.
    let before = list(&two, &phone.access).await[0]["last_used_at"]
        .as_f64()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        one.send("POST", "/refresh", Some(&phone.refresh), None)
            .await
            .status,
        200
    );
    let after = list(&two, &phone.access).await[0]["last_used_at"]
        .as_f64()
        .unwrap();
    assert!(after > before);
}
