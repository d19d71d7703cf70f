//! The in-process store: entries expire with what they cover and are purged
//! as new ones are added.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::{Blocklist, BlocklistError, BoxFuture, Revocation, RevocationQuery};
use crate::clock::{Clock, SystemClock};

/// The default, in-process blocklist.
///
/// Entries expire with the tokens they revoke and are purged as new ones are
/// added (no background thread), so memory stays proportional to the
/// revocations still in force. A fleet of instances needs a shared store
/// (`RedisBlocklist`, feature `redis`).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum_jwt_extended::{Blocklist, MemoryBlocklist, Revocation, RevocationQuery};
/// let list = MemoryBlocklist::new();
/// list.revoke(Revocation::Token("jti-1"), None).await?;
/// let q = |jti| RevocationQuery { jti: Some(jti), family: None, identity: None, issued_at: None, expires_at: None };
/// assert!(list.is_revoked(q("jti-1")).await?);
/// assert!(!list.is_revoked(q("jti-2")).await?);
/// # Ok::<(), axum_jwt_extended::BlocklistError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct MemoryBlocklist {
    state: Arc<Mutex<MemoryState>>,
    clock: Arc<dyn Clock>,
    /// Set by the first revocation: until then every check is a miss.
    used: Arc<std::sync::atomic::AtomicBool>,
}

/// Entry maps; the value is `(until, payload)`.
#[derive(Default)]
struct MemoryState {
    tokens: HashMap<String, Option<f64>>,
    families: HashMap<String, Option<f64>>,
    /// identity -> (until, revoked at)
    identities: HashMap<String, (Option<f64>, f64)>,
    used: HashMap<String, Option<f64>>,
    purge_at: usize,
}

const MIN_PURGE: usize = 1024;

impl MemoryState {
    fn len(&self) -> usize {
        self.tokens.len() + self.families.len() + self.identities.len() + self.used.len()
    }

    fn purge_if_due(&mut self, now: f64) {
        if self.len() < self.purge_at.max(MIN_PURGE) {
            return;
        }
        let live = |until: &Option<f64>| until.is_none_or(|t| t > now);
        self.tokens.retain(|_, u| live(u));
        self.families.retain(|_, u| live(u));
        self.identities.retain(|_, (u, _)| live(u));
        self.used.retain(|_, u| live(u));
        self.purge_at = (self.len() * 2).max(MIN_PURGE);
    }
}

impl fmt::Debug for MemoryBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryBlocklist")
            .field("entries", &self.len())
            .finish()
    }
}

impl Default for MemoryBlocklist {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryBlocklist {
    /// An empty blocklist on the system clock.
    pub fn new() -> Self {
        Self::with_clock(SystemClock)
    }

    /// An empty blocklist whose expiry uses `clock` (for tests).
    pub fn with_clock(clock: impl Clock) -> Self {
        Self::with_shared_clock(Arc::new(clock))
    }

    pub(crate) fn with_shared_clock(clock: Arc<dyn Clock>) -> Self {
        MemoryBlocklist {
            state: Arc::new(Mutex::new(MemoryState::default())),
            clock,
            used: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        }
    }

    /// How many entries are held (expired ones included until the next purge).
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, MemoryState>, BlocklistError> {
        self.state
            .lock()
            .map_err(|_| BlocklistError("memory blocklist lock poisoned".into()))
    }
}

/// The later of two `until`s (`None`: never forgotten).
fn later(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a?.max(b?))
}

fn live(until: Option<&Option<f64>>, now: f64) -> bool {
    matches!(until, Some(u) if u.is_none_or(|t| t > now))
}

impl Blocklist for MemoryBlocklist {
    fn may_contain_revocations(&self) -> bool {
        self.used.load(std::sync::atomic::Ordering::Acquire)
    }

    fn is_revoked<'a>(
        &'a self,
        q: RevocationQuery<'a>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        let result = self.lock().map(|state| {
            let now = self.clock.now();
            let token = q.jti.is_some_and(|k| live(state.tokens.get(k), now));
            let family = q.family.is_some_and(|k| live(state.families.get(k), now));
            let identity = q.identity.is_some_and(|id| {
                state.identities.get(id).is_some_and(|(until, at)| {
                    until.is_none_or(|t| t > now) && q.issued_at.is_none_or(|iat| iat <= *at)
                })
            });
            token || family || identity
        });
        Box::pin(std::future::ready(result))
    }

    fn revoke<'a>(
        &'a self,
        what: Revocation<'a>,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>> {
        self.used.store(true, std::sync::atomic::Ordering::Release);
        let result = self.lock().map(|mut state| {
            let now = self.clock.now();
            state.purge_if_due(now);
            if until.is_some_and(|t| t <= now) {
                return;
            }
            // A second revocation never shortens the first.
            match what {
                Revocation::Token(k) => {
                    let entry = state.tokens.entry(k.to_owned()).or_insert(until);
                    *entry = later(*entry, until);
                }
                Revocation::Family(k) => {
                    let entry = state.families.entry(k.to_owned()).or_insert(until);
                    *entry = later(*entry, until);
                }
                Revocation::IdentityBefore { identity, at } => {
                    let entry = state
                        .identities
                        .entry(identity.to_owned())
                        .or_insert((until, at));
                    *entry = (later(entry.0, until), entry.1.max(at));
                }
            }
        });
        Box::pin(std::future::ready(result))
    }

    fn consume_once<'a>(
        &'a self,
        key: &'a str,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        let result = self.lock().map(|mut state| {
            let now = self.clock.now();
            state.purge_if_due(now);
            if live(state.used.get(key), now) {
                false
            } else {
                state.used.insert(key.to_owned(), until);
                true
            }
        });
        Box::pin(std::future::ready(result))
    }

    fn is_consumed<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        let result = self
            .lock()
            .map(|state| live(state.used.get(key), self.clock.now()));
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use std::future::Future;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    fn q(jti: &str) -> RevocationQuery<'_> {
        RevocationQuery {
            jti: Some(jti),
            family: None,
            identity: None,
            issued_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn entries_expire_with_the_token() {
        let list = MemoryBlocklist::with_clock(FixedClock(1000.0));
        block_on(async {
            list.revoke(Revocation::Token("live"), Some(2000.0))
                .await
                .ok();
            list.revoke(Revocation::Token("dead"), Some(999.0))
                .await
                .ok();
            assert_eq!(list.is_revoked(q("live")).await, Ok(true));
            assert_eq!(list.is_revoked(q("dead")).await, Ok(false));
            // Already past its expiry: never stored.
            assert_eq!(list.len(), 1);
        });
    }

    #[test]
    fn families_and_identities() {
        let list = MemoryBlocklist::with_clock(FixedClock(1000.0));
        block_on(async {
            list.revoke(Revocation::Family("fam-1"), None).await.ok();
            list.revoke(
                Revocation::IdentityBefore {
                    identity: "alice",
                    at: 900.0,
                },
                Some(5000.0),
            )
            .await
            .ok();
            let query = |family, identity, iat| RevocationQuery {
                jti: Some("x"),
                family,
                identity,
                issued_at: iat,
                expires_at: None,
            };
            assert_eq!(
                list.is_revoked(query(Some("fam-1"), None, None)).await,
                Ok(true)
            );
            assert_eq!(
                list.is_revoked(query(Some("fam-2"), None, None)).await,
                Ok(false)
            );
            assert_eq!(
                list.is_revoked(query(None, Some("alice"), Some(899.0)))
                    .await,
                Ok(true)
            );
            assert_eq!(
                list.is_revoked(query(None, Some("alice"), Some(900.0)))
                    .await,
                Ok(true)
            );
            assert_eq!(
                list.is_revoked(query(None, Some("alice"), Some(901.0)))
                    .await,
                Ok(false)
            );
            assert_eq!(
                list.is_revoked(query(None, Some("bob"), Some(1.0))).await,
                Ok(false)
            );
        });
    }

    #[test]
    fn consume_once_is_true_only_the_first_time() {
        let list = MemoryBlocklist::with_clock(FixedClock(1000.0));
        block_on(async {
            assert_eq!(list.consume_once("r1", Some(2000.0)).await, Ok(true));
            assert_eq!(list.consume_once("r1", Some(2000.0)).await, Ok(false));
            assert_eq!(list.consume_once("r2", Some(2000.0)).await, Ok(true));
        });
    }

    #[test]
    fn memory_stays_bounded_under_many_expired_revocations() {
        let clock = Arc::new(Mutex::new(0.0f64));
        #[derive(Debug)]
        struct Shared(Arc<Mutex<f64>>);
        impl Clock for Shared {
            fn now(&self) -> f64 {
                self.0.lock().map(|t| *t).unwrap_or(0.0)
            }
        }
        let list = MemoryBlocklist::with_clock(Shared(clock.clone()));
        block_on(async {
            for i in 0..100_000u32 {
                if let Ok(mut t) = clock.lock() {
                    *t = f64::from(i);
                }
                // Each entry lives 10 seconds.
                let key = format!("jti-{i}");
                list.revoke(Revocation::Token(&key), Some(f64::from(i) + 10.0))
                    .await
                    .ok();
                list.consume_once(&key, Some(f64::from(i) + 10.0))
                    .await
                    .ok();
            }
        });
        assert!(list.len() <= 4 * MIN_PURGE, "len = {}", list.len());
    }
}
