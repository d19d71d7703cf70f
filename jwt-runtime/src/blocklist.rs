//! Revocation: Flask's `token_in_blocklist_loader`, as a store.
//!
//! The manager consults the blocklist only after a token's signature and
//! claims are verified, and only for tokens with a `jti`. A store that fails
//! makes the request fail closed with 503 ("Token revocation status unavailable").

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::clock::{Clock, SystemClock};

/// A boxed, sendable future, the return type of [`Blocklist`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A blocklist store that could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocklist unavailable: {0}")]
pub struct BlocklistError(pub String);

/// A store of revoked token ids.
///
/// Keys are built by the manager from the token's `jti` (prefixed with its
/// `iss` when it has one), never from the token bytes. `until` is when the
/// entry may be forgotten: the token's `exp` plus the decode leeway, `None`
/// for a token that never expires.
///
/// ```
/// use jwt_runtime::{Blocklist, BlocklistError, BoxFuture};
/// use std::collections::HashSet;
/// use std::sync::Mutex;
///
/// /// Revokes nothing but a fixed set (for example loaded from a database).
/// #[derive(Debug)]
/// struct Fixed(Mutex<HashSet<String>>);
///
/// impl Blocklist for Fixed {
///     fn is_revoked<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
///         Box::pin(async move { Ok(self.0.lock().map_err(|e| BlocklistError(e.to_string()))?.contains(key)) })
///     }
///     fn revoke<'a>(&'a self, key: &'a str, _until: Option<f64>) -> BoxFuture<'a, Result<(), BlocklistError>> {
///         Box::pin(async move { self.0.lock().map_err(|e| BlocklistError(e.to_string()))?.insert(key.to_owned()); Ok(()) })
///     }
/// }
/// ```
pub trait Blocklist: Send + Sync + fmt::Debug + 'static {
    /// Whether `key` is revoked. An `Err` fails the request closed (503).
    fn is_revoked<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>>;
    /// Revokes `key` until `until` (Unix seconds; `None`: forever).
    fn revoke<'a>(
        &'a self,
        key: &'a str,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>>;
}

/// The default, in-process blocklist.
///
/// Entries expire with their token and are purged as revocations are added
/// (no background thread), so memory stays proportional to the number of
/// revoked tokens that are still unexpired. A fleet of instances needs a
/// shared store instead.
///
/// ```
/// # tokio_test_block_on(async {
/// use jwt_runtime::{Blocklist, MemoryBlocklist};
/// let list = MemoryBlocklist::new();
/// list.revoke("jti-1", None).await?;
/// assert!(list.is_revoked("jti-1").await?);
/// assert!(!list.is_revoked("jti-2").await?);
/// # Ok::<(), jwt_runtime::BlocklistError>(())
/// # }).unwrap();
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone)]
pub struct MemoryBlocklist {
    state: Arc<Mutex<MemoryState>>,
    clock: Arc<dyn Clock>,
}

struct MemoryState {
    entries: HashMap<String, Option<f64>>,
    purge_at: usize,
}

const MIN_PURGE: usize = 1024;

impl fmt::Debug for MemoryBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.state.lock().map(|s| s.entries.len()).unwrap_or(0);
        f.debug_struct("MemoryBlocklist")
            .field("entries", &len)
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
        MemoryBlocklist {
            state: Arc::new(Mutex::new(MemoryState {
                entries: HashMap::new(),
                purge_at: MIN_PURGE,
            })),
            clock: Arc::new(clock),
        }
    }

    /// How many entries are held (expired ones included until the next purge).
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.entries.len()).unwrap_or(0)
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

impl Blocklist for MemoryBlocklist {
    fn is_revoked<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        let result = self.lock().map(|state| match state.entries.get(key) {
            Some(Some(until)) => *until > self.clock.now(),
            Some(None) => true,
            None => false,
        });
        Box::pin(std::future::ready(result))
    }

    fn revoke<'a>(
        &'a self,
        key: &'a str,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>> {
        let result = self.lock().map(|mut state| {
            let now = self.clock.now();
            if state.entries.len() >= state.purge_at {
                state
                    .entries
                    .retain(|_, until| until.is_none_or(|t| t > now));
                state.purge_at = (state.entries.len() * 2).max(MIN_PURGE);
            }
            if until.is_none_or(|t| t > now) {
                state.entries.insert(key.to_owned(), until);
            }
        });
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn entries_expire_with_the_token() {
        let list = MemoryBlocklist::with_clock(FixedClock(1000.0));
        block_on(async {
            list.revoke("live", Some(2000.0)).await.ok();
            list.revoke("dead", Some(999.0)).await.ok();
            assert_eq!(list.is_revoked("live").await, Ok(true));
            // Already past its expiry: never stored.
            assert_eq!(list.len(), 1);
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
                list.revoke(&format!("jti-{i}"), Some(f64::from(i) + 10.0))
                    .await
                    .ok();
            }
        });
        assert!(list.len() <= 2 * MIN_PURGE, "len = {}", list.len());
    }
}
