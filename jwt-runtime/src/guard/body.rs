//! Request bodies a guard may need: a JSON body holding the token, or a form
//! holding the CSRF value.
//!
//! The layer only wraps such a body; nothing is read until a route's guard
//! reaches a location that needs it (no token was found in an earlier
//! location). The read is bounded in size (`json_body_limit`, 413) and time
//! (`body_read_timeout`, 408), and the handler then receives the same bytes.
//! Every other request, and every route that never asks, streams its body
//! through untouched, so unprotected routes and unmatched paths never hold a
//! buffered body.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum_core::body::Body;
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::Request;
use http_body::Frame;
use http_body_util::BodyExt;

use crate::config::JwtConfig;
use crate::error::JwtError;

/// The kind of body the guard may read so the JSON location or the CSRF form
/// field can see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Json,
    Form,
    /// `multipart/form-data` (Flask's `request.form` reads it too), read only
    /// when its CSRF field is the one thing that can authenticate the request.
    Multipart,
}

/// The boundary of a `multipart/form-data` request.
#[cfg(feature = "multipart")]
pub(crate) fn multipart_boundary(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(value).ok()
}

/// Without the `multipart` feature no multipart body is read.
#[cfg(not(feature = "multipart"))]
pub(crate) fn multipart_boundary(_: &http::HeaderMap) -> Option<String> {
    None
}

/// A request body the guard has read, kept for the JSON location and the CSRF
/// form field; the handler receives the same bytes.
#[derive(Debug, Clone)]
pub(crate) struct BufferedBody {
    pub(crate) kind: BodyKind,
    pub(crate) bytes: Bytes,
    /// For multipart bodies: the fields named like a CSRF field, first of
    /// each name (as Flask's `request.form.get`).
    pub(crate) fields: Vec<(String, String)>,
}

/// The request body as the guard sees it.
pub(crate) enum BodyState {
    /// No body the guard could use (not JSON or a form, or not wrapped).
    Absent,
    /// A body the guard may read, not read yet.
    Unread(BodyKind),
    /// The body, read.
    Read(BufferedBody),
}

impl BodyState {
    /// The body of the request being served (kept in its state).
    pub(crate) fn current() -> Self {
        let state = super::state::with_body(|pending| match pending.buffered() {
            Some(body) => BodyState::Read(body),
            None => BodyState::Unread(pending.kind()),
        });
        state.unwrap_or(BodyState::Absent)
    }
}

/// A body the guard may read, kept in the request's state by the layer.
#[derive(Clone)]
pub(crate) struct PendingBody {
    kind: BodyKind,
    /// The declared `Content-Length`, to refuse an oversized body unread.
    declared: Option<u64>,
    /// The multipart boundary, for a multipart body.
    boundary: Option<String>,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for PendingBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBody")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

enum State {
    /// Nobody asked yet.
    Unread(Body),
    /// The guard is reading it.
    Reading,
    /// The guard read it; the handler gets these bytes.
    Read(BufferedBody),
    /// The handler streams the original body (the guard never asked).
    Streaming,
    /// The read failed; the request was refused.
    Failed,
}

impl PendingBody {
    /// Wraps the body of `req` (which the layer found may be needed) and
    /// returns the handle for the request's state. Reads nothing.
    pub(crate) fn wrap(kind: BodyKind, req: &mut Request<Body>) -> Self {
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let boundary = match kind {
            BodyKind::Multipart => multipart_boundary(req.headers()),
            BodyKind::Json | BodyKind::Form => None,
        };
        let body = std::mem::take(req.body_mut());
        let state = Arc::new(Mutex::new(State::Unread(body)));
        *req.body_mut() = Body::new(Deferred {
            state: Arc::clone(&state),
            source: Source::NotStarted,
        });
        PendingBody {
            kind,
            declared,
            boundary,
            state,
        }
    }

    /// What the guard sees: the body once read, or `None` while unread.
    pub(crate) fn buffered(&self) -> Option<BufferedBody> {
        match &*self.state.lock().ok()? {
            State::Read(body) => Some(body.clone()),
            _ => None,
        }
    }

    pub(crate) fn kind(&self) -> BodyKind {
        self.kind
    }

    /// Reads the body, within `json_body_limit` and `body_read_timeout`.
    pub(crate) async fn read(&self, config: &JwtConfig) -> Result<(), JwtError> {
        let limit = config.json_body_limit;
        if self.declared.is_some_and(|n| n > limit as u64) {
            self.set(State::Failed);
            return Err(JwtError::PayloadTooLarge);
        }
        let body = {
            let mut state = self.state.lock().map_err(|_| JwtError::BodyUnreadable)?;
            match std::mem::replace(&mut *state, State::Reading) {
                State::Unread(body) => body,
                State::Read(read) => {
                    *state = State::Read(read);
                    return Ok(());
                }
                _ => {
                    *state = State::Failed;
                    return Err(JwtError::BodyUnreadable);
                }
            }
        };
        let read = http_body_util::Limited::new(body, limit).collect();
        let bytes = match tokio::time::timeout(config.body_read_timeout, read).await {
            Err(_) => Err(JwtError::BodyTimeout),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                Err(JwtError::PayloadTooLarge)
            }
            Ok(Err(_)) => Err(JwtError::BodyUnreadable),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => {
                self.set(State::Failed);
                return Err(e);
            }
        };
        let fields = match (self.kind, &self.boundary) {
            (BodyKind::Multipart, Some(boundary)) => {
                csrf_fields(config, boundary.clone(), bytes.clone()).await
            }
            _ => Vec::new(),
        };
        self.set(State::Read(BufferedBody {
            kind: self.kind,
            bytes,
            fields,
        }));
        Ok(())
    }

    fn set(&self, new: State) {
        if let Ok(mut state) = self.state.lock() {
            *state = new;
        }
    }
}

/// Without the `multipart` feature a multipart body has no CSRF field.
#[cfg(not(feature = "multipart"))]
async fn csrf_fields(_: &JwtConfig, _: String, _: Bytes) -> Vec<(String, String)> {
    Vec::new()
}

/// The CSRF fields of a multipart body. A malformed body has none (the
/// request then lacks its CSRF value, a 401); the handler still gets the bytes.
#[cfg(feature = "multipart")]
async fn csrf_fields(config: &JwtConfig, boundary: String, bytes: Bytes) -> Vec<(String, String)> {
    let c = &config.cookies;
    let names = [&c.access_csrf_field_name, &c.refresh_csrf_field_name];
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut found: Vec<(String, String)> = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let wanted = names.iter().any(|n| **n == name) && !found.iter().any(|(k, _)| *k == name);
        // Files are not form values (Flask puts them in `request.files`).
        if !wanted || field.file_name().is_some() {
            continue;
        }
        match field.text().await {
            Ok(value) => found.push((name, value)),
            Err(_) => break,
        }
        // Both names seen: the rest of the upload need not be parsed.
        if names.iter().all(|n| found.iter().any(|(k, _)| k == *n)) {
            break;
        }
    }
    found
}

/// The body the handler sees: the bytes the guard read, or else the
/// original body, streamed.
struct Deferred {
    state: Arc<Mutex<State>>,
    source: Source,
}

enum Source {
    NotStarted,
    Stream(Body),
    Bytes(Option<Bytes>),
    Done,
}

impl Deferred {
    fn start(&mut self) {
        let Ok(mut state) = self.state.lock() else {
            self.source = Source::Done;
            return;
        };
        self.source = match &*state {
            State::Read(read) => Source::Bytes(Some(read.bytes.clone())),
            State::Unread(_) => match std::mem::replace(&mut *state, State::Streaming) {
                State::Unread(body) => Source::Stream(body),
                _ => Source::Done,
            },
            State::Reading | State::Streaming | State::Failed => Source::Done,
        };
    }
}

impl http_body::Body for Deferred {
    type Data = Bytes;
    type Error = axum_core::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if matches!(this.source, Source::NotStarted) {
            this.start();
        }
        match &mut this.source {
            Source::Stream(body) => Pin::new(body).poll_frame(cx),
            Source::Bytes(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Source::NotStarted | Source::Done => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.source {
            Source::Stream(body) => body.size_hint(),
            Source::Bytes(Some(bytes)) => http_body::SizeHint::with_exact(bytes.len() as u64),
            Source::Bytes(None) | Source::Done => http_body::SizeHint::with_exact(0),
            Source::NotStarted => http_body::SizeHint::default(),
        }
    }
}
