//! Sessions: one record per login (token family), for "where am I signed
//! in?" pages. A record holds the login's id (its family, never a token's
//! `jti`), the identity, when it was created and last refreshed, when it
//! expires (with its refresh token), and the app's bounded metadata (a
//! device name, a user agent).
//!
//! The manager keeps the records (`JwtManager::with_sessions`); ending a
//! session revokes its login in the blocklist, so the refusal holds on every
//! instance that shares the blocklist. `memory` is the store of one
//! process, `redis` the store of a fleet (feature `redis`).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::store::BoxFuture;

mod memory;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisSessionStore;
pub use memory::MemorySessionStore;

/// A session store that could not answer (its own error, as
/// [`BlocklistError`](crate::BlocklistError) is the revocation store's):
/// the request fails closed with 503.
///
/// ```
/// use axum_jwt_extended::SessionStoreError;
/// let error = SessionStoreError("redis: timed out".into());
/// assert_eq!(error.to_string(), "session store unavailable: redis: timed out");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("session store unavailable: {0}")]
pub struct SessionStoreError(pub String);

impl From<crate::store::StoreError> for SessionStoreError {
    fn from(error: crate::store::StoreError) -> Self {
        SessionStoreError(error.0)
    }
}

/// The largest metadata a session keeps, as JSON (1 KiB by default).
pub const DEFAULT_MAX_SESSION_METADATA: usize = 1024;

/// One login as a store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SessionRecord {
    /// The session's id: the login's family, shared by its access and
    /// refresh tokens (their `fam` claim); never a token's `jti`.
    pub id: String,
    /// The identity, as text (a string identity as is, another as JSON).
    pub identity: String,
    /// When the login happened (Unix seconds).
    pub created_at: f64,
    /// When its refresh token was last used (Unix seconds); the login time
    /// until then.
    pub last_used_at: f64,
    /// When the session ends: its refresh token's `exp` (`None`: never).
    pub expires_at: Option<f64>,
    /// What the app recorded at login (device, user agent, IP, ...).
    pub metadata: Map<String, Value>,
}

impl SessionRecord {
    /// Whether the session has ended by `now`.
    pub fn is_expired(&self, now: f64) -> bool {
        self.expires_at.is_some_and(|exp| exp <= now)
    }
}

/// A session as the app lists it: the record, and whether it is the one of
/// the request that asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// The record.
    #[serde(flatten)]
    pub record: SessionRecord,
    /// The session of the token that asked for the list.
    pub current: bool,
}

/// A new login with its session, from
/// [`JwtManager::create_session`](crate::JwtManager::create_session).
#[derive(Debug, Clone, Serialize)]
pub struct SessionLogin {
    /// The access token (fresh).
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The session's id.
    pub session_id: String,
}

/// Where sessions are kept. Every method is one step of the manager's
/// session API; a store that fails makes the request fail closed (503), as
/// the blocklist does.
///
/// Records are keyed by identity and id together: a request can only reach
/// the sessions of its own identity.
pub trait SessionStore: Send + Sync + fmt::Debug + 'static {
    /// Keeps `record`. With `cap`, the identity keeps at most `cap` live
    /// sessions: the oldest are removed to make room and their ids returned
    /// (the manager revokes them).
    fn insert<'a>(
        &'a self,
        record: &'a SessionRecord,
        cap: Option<usize>,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>>;

    /// The live sessions of `identity` (expired ones are left out).
    fn list<'a>(
        &'a self,
        identity: &'a str,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<SessionRecord>, SessionStoreError>>;

    /// Records a use of the session's refresh token: `last_used_at`, and
    /// the expiry of its newest refresh token. `false` when there is no such
    /// live session of `identity`.
    fn touch<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
        last_used_at: f64,
        expires_at: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;

    /// Removes the session; `false` when `identity` has no such session.
    fn remove<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;
}

/// The manager's session settings.
#[derive(Debug, Clone)]
pub(crate) struct SessionOptions {
    /// Live sessions per identity (10 by default; the oldest is ended).
    pub(crate) cap: Option<usize>,
    /// The largest metadata, as JSON bytes.
    pub(crate) max_metadata: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            cap: Some(10),
            max_metadata: DEFAULT_MAX_SESSION_METADATA,
        }
    }
}
