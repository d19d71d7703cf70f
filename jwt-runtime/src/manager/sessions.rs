//! Sessions and devices: a record per login (`create_session`), listed
//! for its identity (`list_sessions`), ended one by one or all but the
//! current (`revoke_session`, `revoke_other_sessions`), kept current by
//! refresh and rotation, and capped per identity. Ending a session revokes
//! its login in the blocklist, so every instance refuses its tokens.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::blocklist::Revocation;
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::manager::JwtManager;
use crate::session_store::{Session, SessionLogin, SessionRecord, SessionStore};
use crate::token::TokenOptions;

/// A session time: Unix seconds to the millisecond (what every store keeps
/// exactly; Redis scripts encode numbers with 14 digits).
fn session_time(now: f64) -> f64 {
    (now * 1000.0).round() / 1000.0
}

/// An identity as the session store keys it: a string as is, anything else
/// as its JSON text.
pub(super) fn identity_text(identity: &Value) -> String {
    match identity {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl JwtManager {
    /// Keeps a session per login in `store` (see
    /// [`create_session`](Self::create_session)). At most 10 live sessions
    /// per identity by default ([`max_sessions_per_identity`](Self::max_sessions_per_identity)).
    pub fn with_sessions(self, store: impl SessionStore) -> Self {
        let mut inner = (*self.inner).clone();
        inner.sessions = Some(Arc::new(store));
        JwtManager {
            inner: Arc::new(inner),
        }
    }

    /// The most live sessions an identity keeps (10 by default; `None`: no
    /// limit). A login beyond it ends the oldest session.
    pub fn max_sessions_per_identity(self, cap: Option<usize>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.session_options.cap = cap;
        JwtManager {
            inner: Arc::new(inner),
        }
    }

    /// The largest metadata a session keeps, as JSON bytes (1 KiB by default).
    pub fn max_session_metadata(self, bytes: usize) -> Self {
        let mut inner = (*self.inner).clone();
        inner.session_options.max_metadata = bytes;
        JwtManager {
            inner: Arc::new(inner),
        }
    }

    fn session_store(&self) -> Result<&Arc<dyn SessionStore>, JwtError> {
        self.inner.sessions.as_ref().ok_or_else(|| {
            JwtError::Config("no session store: call JwtManager::with_sessions first".into())
        })
    }

    /// A login with its session: a linked access and refresh token (see
    /// [`create_token_pair`](Self::create_token_pair); `options` apply to
    /// the access token) and a session record holding `metadata` (a JSON
    /// object of at most [`max_session_metadata`](Self::max_session_metadata)
    /// bytes, or `null`). When the identity has more live sessions than
    /// allowed, the oldest are ended. A store that cannot answer is a 503.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, MemorySessionStore, TokenOptions};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), axum_jwt_extended::JwtError> {
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?
    ///     .with_sessions(MemorySessionStore::new());
    /// let login = jwt
    ///     .create_session("alice", TokenOptions::new().fresh(true), serde_json::json!({"device": "laptop"}))
    ///     .await?;
    /// let token = jwt.decode_token(&login.access_token, false)?;
    /// let sessions = jwt.list_sessions(&token).await?;
    /// assert_eq!(sessions.len(), 1);
    /// assert!(sessions[0].current);
    /// assert_eq!(sessions[0].record.id, login.session_id);
    /// assert_eq!(sessions[0].record.metadata["device"], "laptop");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_session(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
        metadata: Value,
    ) -> Result<SessionLogin, JwtError> {
        let store = self.session_store()?;
        let metadata = match metadata {
            Value::Null => serde_json::Map::new(),
            Value::Object(map) => map,
            _ => {
                return Err(JwtError::Encode(
                    "session metadata must be a JSON object (or null)".into(),
                ))
            }
        };
        let size = serde_json::to_vec(&metadata)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        let max = self.inner.session_options.max_metadata;
        if size > max {
            return Err(JwtError::Encode(format!(
                "session metadata is {size} bytes as JSON; at most {max} are kept"
            )));
        }
        let identity = serde_json::to_value(identity)
            .map_err(|e| JwtError::Encode(format!("identity cannot be serialized: {e}")))?;
        let session_id = uuid::Uuid::new_v4().to_string();
        let pair = self.pair_in_family(&identity, options, session_id.clone())?;
        let refresh = self.decode_token(&pair.refresh_token, false)?;
        let now = session_time(self.inner.config.clock.now());
        let record = SessionRecord {
            id: session_id.clone(),
            identity: identity_text(&identity),
            created_at: now,
            last_used_at: now,
            expires_at: refresh.expires_at(),
            metadata,
        };
        let cap = self.inner.session_options.cap;
        let evicted = self.store(store.insert(&record, cap, now)).await?;
        for old in evicted {
            self.revoke_login(&old).await?;
        }
        Ok(SessionLogin {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            session_id,
        })
    }

    /// The live sessions of `token`'s identity, newest first, the one of
    /// `token` marked `current`. Expired and ended sessions are not listed.
    pub async fn list_sessions(&self, token: &DecodedToken) -> Result<Vec<Session>, JwtError> {
        let store = self.session_store()?;
        let identity = identity_text(token.identity());
        let now = self.inner.config.clock.now();
        let mut records = self.store(store.list(&identity, now)).await?;
        records.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
        let current = token.family();
        Ok(records
            .into_iter()
            .map(|record| Session {
                current: current == Some(record.id.as_str()),
                record,
            })
            .collect())
    }

    /// Ends the session `id` of `token`'s identity: its refresh token and
    /// every access token minted from it are refused at once, on every
    /// instance sharing the blocklist. `Ok(false)` when the identity has no
    /// such session (another identity's, unknown, expired): nothing is
    /// revoked.
    pub async fn revoke_session(&self, token: &DecodedToken, id: &str) -> Result<bool, JwtError> {
        let store = self.session_store()?;
        let identity = identity_text(token.identity());
        let now = self.inner.config.clock.now();
        let sessions = self.store(store.list(&identity, now)).await?;
        if !sessions.iter().any(|s| s.id == id) {
            return Ok(false);
        }
        // Revoked before the record goes: a failure leaves it listed, never
        // unlisted and still valid.
        self.revoke_login(id).await?;
        self.store(store.remove(&identity, id)).await?;
        Ok(true)
    }

    /// Ends every session of `token`'s identity but `token`'s own ("sign out
    /// all other devices"); returns how many were ended.
    pub async fn revoke_other_sessions(&self, token: &DecodedToken) -> Result<usize, JwtError> {
        let store = self.session_store()?;
        let identity = identity_text(token.identity());
        let now = self.inner.config.clock.now();
        let current = token.family();
        let mut ended = 0;
        for session in self.store(store.list(&identity, now)).await? {
            if Some(session.id.as_str()) != current {
                self.revoke_login(&session.id).await?;
                self.store(store.remove(&identity, &session.id)).await?;
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Revokes a login by its family id, for as long as its tokens live.
    async fn revoke_login(&self, family: &str) -> Result<(), JwtError> {
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Family(family), self.until_login_ends()),
        )
        .await
    }

    /// A refresh token of a session was used (on a refresh route, or
    /// rotated): its session's `last_used_at`, and its expiry when the
    /// token is newer.
    pub(crate) async fn touch_session(&self, refresh: &DecodedToken) -> Result<(), JwtError> {
        let (Some(store), Some(family)) = (&self.inner.sessions, refresh.family()) else {
            return Ok(());
        };
        let identity = identity_text(refresh.identity());
        let now = session_time(self.inner.config.clock.now());
        self.store(store.touch(&identity, family, now, refresh.expires_at()))
            .await?;
        Ok(())
    }

    /// The login of `token` was revoked another way (logout, reuse): its
    /// session is no longer listed.
    pub(super) async fn forget_session(&self, token: &DecodedToken) -> Result<(), JwtError> {
        let (Some(store), Some(family)) = (&self.inner.sessions, token.family()) else {
            return Ok(());
        };
        let identity = identity_text(token.identity());
        self.store(store.remove(&identity, family)).await?;
        Ok(())
    }
}
