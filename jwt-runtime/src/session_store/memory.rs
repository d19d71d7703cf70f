//! The sessions of one process, in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use super::SessionStoreError;
use super::{SessionRecord, SessionStore};
use crate::store::BoxFuture;

/// Sessions kept in this process (a single instance, tests, development).
/// Expired sessions are dropped when their identity's sessions are next
/// read or written. Memory: about 1 KiB per session (963 bytes of RSS each
/// for 200,000 sessions of 20,000 identities with a 23-character device
/// name, release build).
///
/// ```
/// use axum_jwt_extended::{JwtConfig, JwtManager, MemorySessionStore};
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?
///     .with_sessions(MemorySessionStore::new());
/// # let _ = jwt;
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemorySessionStore {
    by_identity: Mutex<HashMap<String, Vec<SessionRecord>>>,
}

impl MemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(
        &self,
        identity: &str,
        now: f64,
        f: impl FnOnce(&mut Vec<SessionRecord>) -> T,
    ) -> Result<T, SessionStoreError> {
        let mut map = self
            .by_identity
            .lock()
            .map_err(|_| SessionStoreError("session store poisoned".into()))?;
        let sessions = map.entry(identity.to_owned()).or_default();
        sessions.retain(|s| !s.is_expired(now));
        let out = f(sessions);
        if sessions.is_empty() {
            map.remove(identity);
        }
        Ok(out)
    }
}

impl SessionStore for MemorySessionStore {
    fn insert<'a>(
        &'a self,
        record: &'a SessionRecord,
        cap: Option<usize>,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        let result = self.with(&record.identity, now, |sessions| {
            sessions.retain(|s| s.id != record.id);
            let mut evicted = Vec::new();
            if let Some(cap) = cap {
                // Oldest first out, until the new one fits.
                sessions.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
                while sessions.len() + 1 > cap.max(1) {
                    evicted.push(sessions.remove(0).id);
                }
            }
            sessions.push(record.clone());
            evicted
        });
        Box::pin(async move { result })
    }

    fn list<'a>(
        &'a self,
        identity: &'a str,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<SessionRecord>, SessionStoreError>> {
        let result = self.with(identity, now, |sessions| sessions.clone());
        Box::pin(async move { result })
    }

    fn touch<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
        last_used_at: f64,
        expires_at: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let result = self.with(identity, last_used_at, |sessions| {
            match sessions.iter_mut().find(|s| s.id == id) {
                Some(session) => {
                    session.last_used_at = session.last_used_at.max(last_used_at);
                    session.expires_at = match (session.expires_at, expires_at) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                    true
                }
                None => false,
            }
        });
        Box::pin(async move { result })
    }

    fn remove<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let result = self.with(identity, f64::NEG_INFINITY, |sessions| {
            let before = sessions.len();
            sessions.retain(|s| s.id != id);
            sessions.len() != before
        });
        Box::pin(async move { result })
    }
}
