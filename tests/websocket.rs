//! WebSockets with a Rust client (tokio-tungstenite): the upgrade's token
//! locations (subprotocol, cookie with its Origin check, query string), the
//! identity inside the socket, and sockets ending with their token: expiry,
//! revocation (1008 and the reason, nothing after), renewal over the socket.
//! The second half drives `examples/websocket_chat.rs` (build it first:
//! `cargo build --features websocket --example websocket_chat`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use axum::extract::ws::{Message as AxumMessage, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, JwtConfig, JwtManager, SocketOptions, TokenOptions,
    WebSocketUpgradeExt,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const SECRET: &str = "websocket-test-secret-long-enough-32b";

/// Echoes every text as `<identity>: <text>`, from the token's scope.
#[jwt_required(locations(websocket_protocol, cookies, query_string))]
async fn echo(upgrade: WebSocketUpgrade) -> Response {
    let options = SocketOptions::new().revocation_check_every(Duration::from_millis(100));
    upgrade
        .protocols(["chat"])
        .on_upgrade_with_jwt_options(options, |mut socket| async move {
            while let Some(message) = socket.recv().await {
                if let AxumMessage::Text(text) = message {
                    let who = get_jwt_identity().unwrap_or_default();
                    let reply = AxumMessage::text(format!("{who}: {}", text.as_str()));
                    if socket.send(reply).await.is_err() {
                        break;
                    }
                }
            }
        })
}

async fn serve(jwt: &JwtManager) -> u16 {
    let app = Router::new().route("/ws", get(echo)).layer(jwt.layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn manager(access_seconds: i64) -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .access_token_expires(axum_jwt_extended::Duration::seconds(access_seconds))
            .build()
            .unwrap(),
    )
    .unwrap()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects with extra headers; the upgrade's status when refused.
async fn connect(url: &str, headers: &[(&str, String)]) -> Result<(Socket, Option<String>), u16> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            let protocol = response
                .headers()
                .get("sec-websocket-protocol")
                .map(|v| v.to_str().unwrap().to_owned());
            Ok((socket, protocol))
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("{e}"),
    }
}

fn protocols(token: &str) -> (&'static str, String) {
    ("sec-websocket-protocol", format!("chat, bearer.{token}"))
}

async fn next_text(socket: &mut Socket) -> String {
    match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => text.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// The close frame the server sends, and that nothing follows it.
async fn expect_close(socket: &mut Socket, within: Duration) -> (CloseCode, String) {
    let frame = match tokio::time::timeout(within, socket.next()).await {
        Ok(Some(Ok(Message::Close(Some(frame))))) => frame,
        Ok(Some(Ok(Message::Text(t)))) => panic!("a message before the close: {t}"),
        other => panic!("expected a close frame within {within:?}, got {other:?}"),
    };
    // Nothing after the close.
    match tokio::time::timeout(Duration::from_millis(300), socket.next()).await {
        Ok(None) | Err(_) | Ok(Some(Err(_))) => {}
        Ok(Some(Ok(other))) => panic!("sent after the close: {other:?}"),
    }
    (frame.code, frame.reason.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_subprotocol_token_opens_the_socket_and_only_the_real_protocol_is_echoed() {
    let jwt = manager(60);
    let port = serve(&jwt).await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let token = jwt.create_access_token("alice").unwrap();
    let (mut socket, selected) = connect(&url, &[protocols(&token)]).await.unwrap();
    assert_eq!(
        selected.as_deref(),
        Some("chat"),
        "the token is never echoed"
    );
    socket.send(Message::text("hi")).await.unwrap();
    assert_eq!(
        next_text(&mut socket).await,
        "alice: hi",
        "the identity inside the socket"
    );

    // Refused upgrades: no token, a bad token, a refresh token, two tokens.
    assert_eq!(connect(&url, &[]).await.err(), Some(401));
    assert_eq!(
        connect(
            &url,
            &[("sec-websocket-protocol", "chat, bearer.not-a-token".into())]
        )
        .await
        .err(),
        Some(422)
    );
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(connect(&url, &[protocols(&refresh)]).await.err(), Some(422));
    let two = format!("chat, bearer.{token}, bearer.{token}");
    assert_eq!(
        connect(&url, &[("sec-websocket-protocol", two)])
            .await
            .err(),
        Some(422)
    );

    // The query string still works (for clients that can do nothing else).
    let (mut socket, _) = connect(&format!("{url}?jwt={token}"), &[]).await.unwrap();
    socket.send(Message::text("q")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "alice: q");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cookie_token_needs_an_allowed_origin() {
    let jwt = manager(60);
    let port = serve(&jwt).await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let token = jwt.create_access_token("alice").unwrap();
    let cookie = ("cookie", format!("access_token_cookie={token}"));
    // The page's own origin: accepted.
    let same = ("origin", format!("http://127.0.0.1:{port}"));
    let (mut socket, _) = connect(&url, &[cookie.clone(), same]).await.unwrap();
    socket.send(Message::text("c")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "alice: c");
    // Another site's page (cross-site WebSocket hijacking), or no Origin: refused.
    let evil = ("origin", "https://evil.example".to_owned());
    assert_eq!(
        connect(&url, &[cookie.clone(), evil]).await.err(),
        Some(401)
    );
    assert_eq!(
        connect(&url, std::slice::from_ref(&cookie)).await.err(),
        Some(401)
    );

    // Configured origins replace the same-host rule.
    let listed = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .websocket_allowed_origins(["https://app.example/"])
            .build()
            .unwrap(),
    )
    .unwrap();
    let port = serve(&listed).await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let token = listed.create_access_token("alice").unwrap();
    let cookie = ("cookie", format!("access_token_cookie={token}"));
    assert!(connect(
        &url,
        &[cookie.clone(), ("origin", "https://app.example".into())]
    )
    .await
    .is_ok());
    let own = ("origin", format!("http://127.0.0.1:{port}"));
    assert_eq!(connect(&url, &[cookie, own]).await.err(), Some(401));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_socket_ends_when_its_token_expires_unless_renewed() {
    let jwt = manager(2);
    let port = serve(&jwt).await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let token = jwt.create_access_token("alice").unwrap();
    let (mut socket, _) = connect(&url, &[protocols(&token)]).await.unwrap();
    let (code, reason) = expect_close(&mut socket, Duration::from_secs(4)).await;
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Policy, "Token has expired")
    );

    // Renewed over the socket before it expires: it lives on.
    let token = jwt.create_access_token("alice").unwrap();
    let (mut socket, _) = connect(&url, &[protocols(&token)]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fresh = jwt.create_access_token("alice").unwrap();
    let renew = json!({"type": "renew_token", "access_token": fresh}).to_string();
    socket.send(Message::text(renew)).await.unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(answer["type"], "token_renewed");
    tokio::time::sleep(Duration::from_millis(1500)).await; // past the first token's expiry
    socket.send(Message::text("still here")).await.unwrap();
    assert_eq!(next_text(&mut socket).await, "alice: still here");

    // Another identity's token, or a refresh token, does not renew.
    let bob = jwt.create_access_token("bob").unwrap();
    socket
        .send(Message::text(
            json!({"type": "renew_token", "access_token": bob}).to_string(),
        ))
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(
        answer,
        json!({"type": "token_refused", "msg": "The token is not of the socket's identity"})
    );
    let refresh = jwt.create_refresh_token("alice").unwrap();
    socket
        .send(Message::text(
            json!({"type": "renew_token", "access_token": refresh}).to_string(),
        ))
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(answer["type"], "token_refused");
    let (code, reason) = expect_close(&mut socket, Duration::from_secs(4)).await;
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Policy, "Token has expired")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_closes_its_socket() {
    let jwt = manager(600);
    let port = serve(&jwt).await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let pair = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let other = jwt.create_token_pair("alice", TokenOptions::new()).unwrap();
    let (mut socket, _) = connect(&url, &[protocols(&pair.access_token)])
        .await
        .unwrap();
    let (mut untouched, _) = connect(&url, &[protocols(&other.access_token)])
        .await
        .unwrap();
    let decoded = jwt.decode_token(&pair.refresh_token, false).unwrap();
    jwt.revoke_token_family(&decoded).await.unwrap();
    let (code, reason) = expect_close(&mut socket, Duration::from_secs(2)).await;
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Policy, "Token has been revoked")
    );
    // Another login of the same user keeps its socket.
    untouched.send(Message::text("ok")).await.unwrap();
    assert_eq!(next_text(&mut untouched).await, "alice: ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chat_example_broadcasts_with_identities_and_logout_closes_the_login() {
    let port = support::free_port();
    let _server = support::Killed(
        Command::new(support::example_binary("websocket_chat"))
            .env("ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET_KEY", SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("build the example first: cargo build --features websocket --example websocket_chat"),
    );
    support::wait_for_port(port, "examples/websocket_chat");
    let api = support::http::Remote::new(port);
    let login = |user: &'static str| {
        let body = json!({"username": user, "password": format!("{user}-pw")}).to_string();
        let api = &api;
        async move {
            let reply = api.send("POST", "/login", None, Some(&body)).await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            (
                reply.body["access_token"].as_str().unwrap().to_owned(),
                reply
                    .set_cookie("access_token_cookie")
                    .map(|c| c.value().to_owned()),
            )
        }
    };
    let (alice, alice_cookie) = login("alice").await;
    let (bob, _) = login("bob").await;
    let url = format!("ws://127.0.0.1:{port}/ws");
    let (mut a, selected) = connect(&url, &[protocols(&alice)]).await.unwrap();
    assert_eq!(selected.as_deref(), Some("chat"));
    // Bob connects with his subprotocol; alice also with her cookie.
    let (mut b, _) = connect(&url, &[protocols(&bob)]).await.unwrap();
    let cookie = (
        "cookie",
        format!("access_token_cookie={}", alice_cookie.unwrap()),
    );
    let (mut a2, _) = connect(
        &url,
        &[cookie, ("origin", format!("http://127.0.0.1:{port}"))],
    )
    .await
    .unwrap();
    assert_eq!(connect(&url, &[]).await.err(), Some(401));

    a.send(Message::text(json!({"text": "hi bob"}).to_string()))
        .await
        .unwrap();
    for socket in [&mut a, &mut b, &mut a2] {
        let line: Value = serde_json::from_str(&next_text(socket).await).unwrap();
        assert_eq!(line, json!({"from": "alice", "text": "hi bob"}));
    }
    b.send(Message::text(json!({"text": "hi alice"}).to_string()))
        .await
        .unwrap();
    let line: Value = serde_json::from_str(&next_text(&mut a).await).unwrap();
    assert_eq!(line, json!({"from": "bob", "text": "hi alice"}));
    next_text(&mut b).await;
    next_text(&mut a2).await;

    // Alice logs out: her login's socket closes with 1008 within 5 s; the
    // cookie socket is the same login; bob's stays.
    let reply = api.send("DELETE", "/logout", Some(&alice), None).await;
    assert_eq!(reply.status, 204);
    for socket in [&mut a, &mut a2] {
        let (code, reason) = expect_close(socket, Duration::from_secs(5)).await;
        assert_eq!(
            (code, reason.as_str()),
            (CloseCode::Policy, "Token has been revoked")
        );
    }
    b.send(Message::text(json!({"text": "anyone?"}).to_string()))
        .await
        .unwrap();
    let line: Value = serde_json::from_str(&next_text(&mut b).await).unwrap();
    assert_eq!(line["from"], "bob");
    // Her token no longer opens a socket.
    assert_eq!(connect(&url, &[protocols(&alice)]).await.err(), Some(401));
}
