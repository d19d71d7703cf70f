//! WebSockets (feature `websocket`): the socket task runs in the token's
//! scope, and the socket ends with its token: when it expires, or when a
//! periodic check finds it revoked, the client gets a policy-violation
//! close frame (1008) with the reason, and nothing is sent after it.
//!
//! The library owns the socket: a pump task forwards the client's messages
//! to the handler's [`JwtSocket`] and the handler's to the client, watches
//! the token, and renews it when the client sends a fresh one.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::guard::context::JwtContext;
use crate::guard::state::RequestState;
use crate::manager::JwtManager;

/// How a socket watches its token.
///
/// ```
/// use std::time::Duration;
/// use axum_jwt_extended::SocketOptions;
/// let options = SocketOptions::new().revocation_check_every(Duration::from_secs(1));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SocketOptions {
    check_every: Duration,
    buffer: usize,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            check_every: Duration::from_secs(2),
            buffer: 64,
        }
    }
}

impl SocketOptions {
    /// The defaults: a revocation check every 2 s, 64 messages buffered
    /// each way.
    pub fn new() -> Self {
        Self::default()
    }

    /// How often the blocklist is asked whether the token was revoked (2 s;
    /// at least 10 ms). A revoked token's socket closes within this.
    pub fn revocation_check_every(mut self, every: impl crate::clock::IntoDuration) -> Self {
        let every = crate::clock::zero_if_negative("revocation_check_every", every);
        self.check_every = every.max(Duration::from_millis(10));
        self
    }

    /// Messages buffered each way before the other side waits (64).
    pub fn buffer(mut self, messages: usize) -> Self {
        self.buffer = messages.max(1);
        self
    }
}

/// The handler's end of a socket whose token is watched: messages from the
/// client arrive in [`recv`](Self::recv); [`send`](Self::send) (or a
/// [`SocketSender`] clone, for a broadcast task) sends to it. Both stop when
/// the token ends the socket.
///
/// A client may renew its token before it expires by sending the text
/// message `{"type": "renew_token", "access_token": "<JWT>"}` (a valid
/// access token of the same identity); the server answers `{"type":
/// "token_renewed", "expires_at": <exp>}` or `{"type": "token_refused",
/// "msg": "<why>"}`. These messages never reach the handler.
#[derive(Debug)]
pub struct JwtSocket {
    incoming: mpsc::Receiver<Message>,
    outgoing: SocketSender,
    token: Arc<DecodedToken>,
}

/// Sends to a [`JwtSocket`]'s client; cheap to clone.
#[derive(Debug, Clone)]
pub struct SocketSender(mpsc::Sender<Message>);

/// The socket was closed (its token ended, or the client left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the WebSocket is closed")]
pub struct SocketClosed;

impl SocketSender {
    /// Sends a message to the client; `Err` once the socket is closed.
    pub async fn send(&self, message: Message) -> Result<(), SocketClosed> {
        self.0.send(message).await.map_err(|_| SocketClosed)
    }
}

impl JwtSocket {
    /// The next message from the client; `None` once the socket is closed
    /// (by the client, or because its token expired or was revoked).
    pub async fn recv(&mut self) -> Option<Message> {
        self.incoming.recv().await
    }

    /// Sends a message to the client; `Err` once the socket is closed.
    pub async fn send(&self, message: Message) -> Result<(), SocketClosed> {
        self.outgoing.send(message).await
    }

    /// A sender for other tasks (a broadcast forwarder).
    pub fn sender(&self) -> SocketSender {
        self.outgoing.clone()
    }

    /// The token the socket was opened with.
    pub fn token(&self) -> &DecodedToken {
        &self.token
    }
}

/// `on_upgrade` for a handler behind a JWT guard (`#[jwt_required]`, `Jwt`,
/// ...): the socket task runs in the token's scope (`get_jwt_identity()`
/// and the other accessors work in it) and ends with the token.
///
/// ```
/// use axum::extract::ws::{Message, WebSocketUpgrade};
/// use axum::response::Response;
/// use axum_jwt_extended::{get_jwt_identity, jwt_required, WebSocketUpgradeExt};
///
/// #[jwt_required(locations(websocket_protocol, cookies))]
/// async fn ws(upgrade: WebSocketUpgrade) -> Response {
///     upgrade.protocols(["chat"]).on_upgrade_with_jwt(|mut socket| async move {
///         while let Some(Message::Text(text)) = socket.recv().await {
///             let who = get_jwt_identity().unwrap_or_default();
///             if socket.send(Message::text(format!("{who}: {text}"))).await.is_err() {
///                 break;
///             }
///         }
///     })
/// }
/// ```
pub trait WebSocketUpgradeExt {
    /// [`on_upgrade_with_jwt_options`](Self::on_upgrade_with_jwt_options)
    /// with the default [`SocketOptions`].
    fn on_upgrade_with_jwt<F, Fut>(self, handler: F) -> Response
    where
        F: FnOnce(JwtSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static;

    /// Upgrades, runs `handler` in the token's scope, and closes the socket
    /// with 1008 when the token expires or is revoked. Called outside a
    /// verified request, it answers the 500 of [`JwtError::NotVerified`].
    fn on_upgrade_with_jwt_options<F, Fut>(self, options: SocketOptions, handler: F) -> Response
    where
        F: FnOnce(JwtSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static;
}

impl WebSocketUpgradeExt for WebSocketUpgrade {
    fn on_upgrade_with_jwt<F, Fut>(self, handler: F) -> Response
    where
        F: FnOnce(JwtSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.on_upgrade_with_jwt_options(SocketOptions::default(), handler)
    }

    fn on_upgrade_with_jwt_options<F, Fut>(self, options: SocketOptions, handler: F) -> Response
    where
        F: FnOnce(JwtSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (Ok(context), Some(manager)) = (
            JwtContext::try_current(),
            crate::guard::current::current_manager(),
        ) else {
            return JwtError::NotVerified.into_response();
        };
        let Some(token) = context.token.clone() else {
            return JwtError::NotVerified.into_response();
        };
        self.on_upgrade(move |socket| async move {
            let (in_tx, in_rx) = mpsc::channel(options.buffer);
            let (out_tx, out_rx) = mpsc::channel(options.buffer);
            let jwt_socket = JwtSocket {
                incoming: in_rx,
                outgoing: SocketSender(out_tx),
                token: Arc::clone(&token),
            };
            let state = RequestState::new(Some(manager.clone()), Some(context));
            let task = tokio::spawn(crate::guard::state::scope(state, handler(jwt_socket)));
            let mut pump = Pump {
                socket,
                manager,
                token,
                options,
                incoming: in_tx,
                outgoing: out_rx,
            };
            pump.run().await;
            // Nothing the handler does reaches the client any more.
            task.abort();
        })
    }
}

/// Why the server closed a socket.
enum Ended {
    /// The client left, or the handler finished: a normal close.
    Normally,
    /// The token ended the socket: 1008 with this reason.
    Policy(&'static str),
}

struct Pump {
    socket: WebSocket,
    manager: JwtManager,
    token: Arc<DecodedToken>,
    options: SocketOptions,
    incoming: mpsc::Sender<Message>,
    outgoing: mpsc::Receiver<Message>,
}

impl Pump {
    /// When the token stops being valid (its `exp` plus the leeway).
    fn deadline(&self) -> Option<tokio::time::Instant> {
        let exp = self.token.expires_at()?;
        let config = self.manager.config();
        let left = exp + config.decode_leeway - config.clock.now();
        Some(tokio::time::Instant::now() + Duration::from_secs_f64(left.max(0.0)))
    }

    async fn run(&mut self) {
        let mut deadline = self.deadline();
        let mut check = tokio::time::interval(self.options.check_every);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check.tick().await;
        let ended = loop {
            let expiry = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = expiry => break Ended::Policy(crate::error::messages::EXPIRED),
                _ = check.tick() => match self.manager.is_token_revoked(&self.token).await {
                    Ok(false) => {}
                    Ok(true) => break Ended::Policy(crate::error::messages::REVOKED),
                    Err(_) => break Ended::Policy(crate::error::messages::REVOCATION_UNAVAILABLE),
                },
                message = self.socket.recv() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break Ended::Normally,
                    Some(Ok(Message::Text(text))) if is_renewal(&text) => {
                        if self.renew(&text).await {
                            deadline = self.deadline();
                        }
                    }
                    Some(Ok(message)) => {
                        if self.incoming.send(message).await.is_err() {
                            break Ended::Normally;
                        }
                    }
                },
                out = self.outgoing.recv() => match out {
                    Some(message) => {
                        if self.socket.send(message).await.is_err() {
                            break Ended::Normally;
                        }
                    }
                    None => break Ended::Normally,
                },
            }
        };
        let frame = match ended {
            Ended::Normally => CloseFrame {
                code: axum::extract::ws::close_code::NORMAL,
                reason: Utf8Bytes::from_static(""),
            },
            Ended::Policy(reason) => CloseFrame {
                code: axum::extract::ws::close_code::POLICY,
                reason: Utf8Bytes::from_static(reason),
            },
        };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }

    /// A renewal: a valid access token of the same identity replaces the
    /// socket's token (its expiry and revocation). Answered either way.
    async fn renew(&mut self, text: &str) -> bool {
        let offered = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| {
                v.get("access_token")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let verdict = check_renewal(&self.manager, &self.token, &offered).await;
        let (reply, renewed) = match verdict {
            Ok(token) => {
                let reply = json!({"type": "token_renewed", "expires_at": token.expires_at()});
                self.token = token;
                (reply, true)
            }
            Err(e) => (
                json!({"type": "token_refused", "msg": e.to_string()}),
                false,
            ),
        };
        let _ = self.socket.send(Message::text(reply.to_string())).await;
        renewed
    }
}

/// A renewal's token: valid, an access token, of the socket's identity and
/// issuer, not revoked.
async fn check_renewal(
    manager: &JwtManager,
    current: &DecodedToken,
    offered: &str,
) -> Result<Arc<DecodedToken>, JwtError> {
    let token = manager.decode_token(offered, false)?;
    if token.is_refresh() || token.token_type().is_some_and(|t| t != "access") {
        return Err(JwtError::WrongTokenType(
            crate::error::messages::ONLY_ACCESS_RENEWS.into(),
        ));
    }
    if token.identity() != current.identity() || token.issuer() != current.issuer() {
        return Err(JwtError::InvalidToken(
            crate::error::messages::RENEWAL_OTHER_IDENTITY.into(),
        ));
    }
    if manager.is_token_revoked(&token).await? {
        return Err(JwtError::Revoked);
    }
    Ok(Arc::new(token))
}

fn is_renewal(text: &str) -> bool {
    text.contains("renew_token")
        && serde_json::from_str::<Value>(text)
            .is_ok_and(|v| v.get("type").and_then(Value::as_str) == Some("renew_token"))
}
