//! The contract of `examples/notes_api.rs`, driven over HTTP against the
//! example binary (`cargo test` builds it; `cargo build --example notes_api`
//! otherwise).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

use serde_json::{json, Value};

mod support;
use support::http::{Remote, Reply};
use support::{example_binary, free_port, wait_for_port, Killed};

fn start() -> (Killed, Remote) {
    let port = free_port();
    let child = Command::new(example_binary("notes_api"))
        .env("ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET_KEY", "notes-api-test-secret-long-enough-32b")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("build the example first: cargo build --example notes_api");
    let server = Killed(child);
    wait_for_port(port, "examples/notes_api");
    (server, Remote::new(port))
}

/// Asserts the service's error shape, status and code; every 401 says how
/// to authenticate.
fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(reply.body["error"]["code"], code, "{:?}", reply.body);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{:?}",
        reply.body
    );
    assert_eq!(
        reply.body.as_object().map(|o| o.len()),
        Some(1),
        "only the error member: {:?}",
        reply.body
    );
    if status == 401 {
        let challenge = reply.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
    }
}

async fn login(api: &Remote, user: &str, password: &str) -> (String, String) {
    let body = json!({ "username": user, "password": password }).to_string();
    let reply = api.send("POST", "/login", None, Some(&body)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    (
        reply.body["access_token"].as_str().unwrap().to_owned(),
        reply.body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn note(api: &Remote, token: &str, text: &str) -> Value {
    let body = json!({ "text": text }).to_string();
    let reply = api.send("POST", "/notes", Some(token), Some(&body)).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notes_contract_over_http() {
    let (_server, api) = start();

    // Login: good and bad credentials, bodies that are not the JSON it reads.
    let (alice, alice_refresh) = login(&api, "alice", "alice-pw").await;
    let (bob, _) = login(&api, "bob", "bob-pw").await;
    let wrong = json!({ "username": "alice", "password": "nope" }).to_string();
    assert_error(
        &api.send("POST", "/login", None, Some(&wrong)).await,
        401,
        "bad_credentials",
    );
    assert_error(
        &api.send("POST", "/login", None, Some("not json")).await,
        400,
        "invalid_body",
    );

    // Notes: each sees their own; someone else's or a missing id is 404.
    let first = note(&api, &alice, "buy milk").await;
    assert_eq!(first["text"], "buy milk");
    let id = first["id"].as_u64().unwrap();
    note(&api, &bob, "bob's").await;
    let mine = api.send("GET", "/notes", Some(&alice), None).await;
    assert_eq!(
        (mine.status, mine.body),
        (200, json!([{ "id": id, "text": "buy milk" }]))
    );
    let one = api
        .send("GET", &format!("/notes/{id}"), Some(&alice), None)
        .await;
    assert_eq!(
        (one.status, one.body),
        (200, json!({ "id": id, "text": "buy milk" }))
    );
    for path in [
        format!("/notes/{id}"),
        "/notes/999".to_owned(),
        "/notes/x".to_owned(),
    ] {
        let token = if path.ends_with(&id.to_string()) {
            &bob
        } else {
            &alice
        };
        assert_error(
            &api.send("GET", &path, Some(token), None).await,
            404,
            "not_found",
        );
    }
    assert_error(
        &api.send("GET", "/nowhere", None, None).await,
        404,
        "not_found",
    );

    // The guard's refusals in the same shape.
    assert_error(
        &api.send("GET", "/notes", None, None).await,
        401,
        "no_authorization",
    );
    assert_error(
        &api.send("GET", "/notes", Some("not.a.token"), None).await,
        422,
        "invalid_token",
    );
    assert_error(
        &api.send("GET", "/notes", Some(&alice_refresh), None).await,
        422,
        "wrong_token_type",
    );

    // whoami: the plain extractor and the free accessor.
    let who = api.send("GET", "/whoami", Some(&alice), None).await;
    assert_eq!(
        (who.status, who.body),
        (200, json!({ "identity": "alice" }))
    );

    // Refresh: a new access token, not fresh.
    let refreshed = api
        .send("POST", "/refresh", Some(&alice_refresh), None)
        .await;
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    let stale = refreshed.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        api.send("GET", "/whoami", Some(&stale), None).await.body,
        json!({ "identity": "alice" })
    );

    // The admin route: alice has the role (also in her refreshed token),
    // bob is refused with RFC 6750's insufficient_scope.
    for token in [&alice, &stale] {
        let all = api.send("GET", "/admin/notes", Some(token), None).await;
        assert_eq!(all.status, 200, "{:?}", all.body);
        let owners: Vec<&str> = all
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["owner"].as_str().unwrap())
            .collect();
        assert_eq!(owners, ["alice", "bob"]);
    }
    let refused = api.send("GET", "/admin/notes", Some(&bob), None).await;
    assert_error(&refused, 403, "insufficient_scope");
    assert_eq!(refused.body["error"]["message"], "Role required: admin");
    let challenge = refused.headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert_error(
        &api.send("GET", "/admin/notes", None, None).await,
        401,
        "no_authorization",
    );

    // The password needs a fresh token.
    let new_password = json!({ "new_password": "alice-pw-2" }).to_string();
    assert_error(
        &api.send("PUT", "/password", Some(&stale), Some(&new_password))
            .await,
        401,
        "fresh_token_required",
    );
    let changed = api
        .send("PUT", "/password", Some(&alice), Some(&new_password))
        .await;
    assert_eq!(changed.status, 204, "{:?}", changed.body);
    let old = json!({ "username": "alice", "password": "alice-pw" }).to_string();
    assert_error(
        &api.send("POST", "/login", None, Some(&old)).await,
        401,
        "bad_credentials",
    );

    // Logout ends the whole login: the refresh token, the fresh access token
    // and the one minted at /refresh. Bob's login is untouched.
    assert_eq!(
        api.send("DELETE", "/logout", Some(&alice), None)
            .await
            .status,
        204
    );
    for token in [&alice, &stale, &alice_refresh] {
        let path = if token == &alice_refresh {
            "/refresh"
        } else {
            "/notes"
        };
        let method = if token == &alice_refresh {
            "POST"
        } else {
            "GET"
        };
        assert_error(
            &api.send(method, path, Some(token), None).await,
            401,
            "revoked_token",
        );
    }
    assert_eq!(
        api.send("GET", "/notes", Some(&bob), None).await.status,
        200
    );

    // A new login works with the new password.
    login(&api, "alice", "alice-pw-2").await;
}
