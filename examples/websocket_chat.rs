//! A chat over WebSockets: the upgrade is authenticated with a token carried
//! as a subprotocol (browsers cannot set headers on a WebSocket) or the
//! access cookie, the socket task knows who is talking, and a logout closes
//! that login's sockets.
//!
//! ```text
//! cargo run --features websocket --example websocket_chat
//! # then open http://127.0.0.1:5000/ in a browser, or:
//! curl -s -X POST localhost:5000/login -H 'Content-Type: application/json' \
//!      -d '{"username": "alice", "password": "alice-pw"}'
//! websocat -H 'Sec-WebSocket-Protocol: chat, bearer.'"$ACCESS_TOKEN" ws://127.0.0.1:5000/ws
//! ```
//!
//! | route | needs | answers |
//! |---|---|---|
//! | `GET /` | | the chat page (HTML) |
//! | `POST /login {"username", "password"}` | | `200 {"access_token", "refresh_token"}` and the access cookies; `401 {"msg": "Bad username or password"}` |
//! | `GET /ws` | the subprotocols `chat` and `bearer.<access token>` (the server selects `chat`), or the access cookie from this origin | `101`; `401` without a valid token |
//! | `DELETE /logout` | access token | `204`; that login's sockets are closed with 1008 `Token has been revoked` within 5 s |
//!
//! On a socket, `{"text": "..."}` is broadcast to every socket as
//! `{"from": <identity>, "text": "..."}`; `{"type": "renew_token",
//! "access_token": "<JWT>"}` renews the socket's token. Users
//! `alice`/`alice-pw` and `bob`/`bob-pw`; reads `ADDR` (default
//! `127.0.0.1:5000`) and `JWT_SECRET_KEY` (a development secret with a
//! warning when unset).

use std::time::Duration;

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, revoke_current_token_family, set_access_cookies, JwtConfig,
    JwtError, JwtManager, Location, SocketOptions, TokenOptions, WebSocketUpgradeExt,
};
use serde_json::{json, Value};
use tokio::sync::broadcast;

const USERS: [(&str, &str); 2] = [("alice", "alice-pw"), ("bob", "bob-pw")];

#[derive(Clone)]
struct Chat {
    jwt: JwtManager,
    room: broadcast::Sender<String>,
}

impl axum::extract::FromRef<Chat> for JwtManager {
    fn from_ref(chat: &Chat) -> Self {
        chat.jwt.clone()
    }
}

async fn login(State(chat): State<Chat>, Json(body): Json<Value>) -> Result<Response, JwtError> {
    let username = body
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !USERS.contains(&(username, password)) {
        let refused = Json(json!({"msg": "Bad username or password"}));
        return Ok((StatusCode::UNAUTHORIZED, refused).into_response());
    }
    // One login: logging out ends both tokens and the login's sockets.
    let pair = chat
        .jwt
        .create_token_pair(username, TokenOptions::new().fresh(true))?;
    let cookies = set_access_cookies(&pair.access_token)?;
    Ok((cookies, Json(pair)).into_response())
}

/// The upgrade: the guard runs first, so a request without a valid token
/// gets 401 and never a socket.
#[jwt_required(locations(websocket_protocol, cookies))]
async fn ws(State(chat): State<Chat>, upgrade: WebSocketUpgrade) -> Response {
    let options = SocketOptions::new().revocation_check_every(Duration::from_secs(1));
    upgrade
        .protocols(["chat"])
        .on_upgrade_with_jwt_options(options, move |mut socket| async move {
            // Messages of the room go out through the socket...
            let mut room = chat.room.subscribe();
            let out = socket.sender();
            let forward = tokio::spawn(async move {
                while let Ok(line) = room.recv().await {
                    if out.send(Message::text(line)).await.is_err() {
                        break;
                    }
                }
            });
            // ...and what the client says goes to the room, signed with the
            // identity of the socket's token (this task runs in its scope).
            while let Some(message) = socket.recv().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let said = serde_json::from_str::<Value>(&text).ok();
                if let Some(said) = said
                    .as_ref()
                    .and_then(|v| v.get("text"))
                    .and_then(Value::as_str)
                {
                    let line = json!({ "from": get_jwt_identity(), "text": said });
                    let _ = chat.room.send(line.to_string());
                }
            }
            forward.abort();
        })
}

#[jwt_required]
async fn logout() -> Result<StatusCode, JwtError> {
    revoke_current_token_family().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

fn app(jwt: JwtManager) -> Router {
    let (room, _) = broadcast::channel(256);
    let chat = Chat {
        jwt: jwt.clone(),
        room,
    };
    Router::new()
        .route("/", get(page))
        .route("/login", post(login))
        .route("/ws", get(ws))
        .route("/logout", delete(logout))
        .with_state(chat)
        .layer(jwt.layer())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY").unwrap_or_else(|_| {
        eprintln!("JWT_SECRET_KEY is not set: using a development secret");
        "websocket-chat-development-secret-not-for-production".to_owned()
    });
    let config = JwtConfig::builder()
        .secret_key(secret)
        .token_location([Location::Headers, Location::Cookies])
        .build()?;
    let app = app(JwtManager::new(config)?);
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:5000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}

const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>chat</title></head>
<body>
<p><input id="user" value="alice"> <input id="password" value="alice-pw" type="password">
<button id="login">log in and connect</button> <button id="logout">log out</button></p>
<p>status: <span id="status">disconnected</span></p>
<p><input id="text" value="hello"> <button id="send">send</button></p>
<ul id="log"></ul>
<script>
let token = null, socket = null;
const status = (s) => document.getElementById('status').textContent = s;
document.getElementById('login').onclick = async () => {
  const res = await fetch('/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username: document.getElementById('user').value,
                          password: document.getElementById('password').value})});
  if (!res.ok) { status('login refused ' + res.status); return; }
  token = (await res.json()).access_token;
  const url = location.origin.replace(/^http/, 'ws') + '/ws';
  socket = new WebSocket(url, ['chat', 'bearer.' + token]);
  socket.onopen = () => status('open ' + socket.protocol);
  socket.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.from === undefined) return;
    const li = document.createElement('li');
    li.textContent = m.from + ': ' + m.text;
    document.getElementById('log').appendChild(li);
  };
  socket.onclose = (e) => status('closed ' + e.code + ' ' + e.reason);
};
document.getElementById('send').onclick = () =>
  socket.send(JSON.stringify({text: document.getElementById('text').value}));
document.getElementById('logout').onclick = () =>
  fetch('/logout', {method: 'DELETE', headers: {'Authorization': 'Bearer ' + token}});
</script>
</body></html>
"#;
