//! Store doubles and real stores, shared by the test files: a store that is
//! down or never answers (and counts how often it was asked), and where a
//! scenario's revocations and sessions live (memory, or a Redis server of
//! its own).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum_jwt_extended::{
    Blocklist, BlocklistError, BoxFuture, JwtManager, MemorySessionStore, Revocation,
    RevocationQuery, SessionRecord, SessionStore, SessionStoreError,
};

use super::SharedClock;

/// How a [`FailingStore`] fails.
#[derive(Debug, Clone, Copy)]
enum Failure {
    /// Every call is an error at once (a refused connection).
    Down,
    /// No call ever answers (a store that hangs: the timeout must act).
    Hangs,
}

/// A revocation and session store that cannot answer; `consulted()` counts
/// the calls made to it.
#[derive(Debug, Clone)]
pub struct FailingStore {
    failure: Failure,
    consulted: Arc<AtomicUsize>,
}

impl FailingStore {
    /// Every call fails at once.
    pub fn down() -> Self {
        FailingStore {
            failure: Failure::Down,
            consulted: Arc::default(),
        }
    }

    /// No call ever answers.
    pub fn hanging() -> Self {
        FailingStore {
            failure: Failure::Hangs,
            consulted: Arc::default(),
        }
    }

    /// How many calls were made to this store (and its clones).
    pub fn consulted(&self) -> usize {
        self.consulted.load(Ordering::SeqCst)
    }

    /// The store's answer: `error("down")` at once, or never.
    fn answer<T: Send + 'static, E: Send + 'static>(
        &self,
        error: fn(String) -> E,
    ) -> BoxFuture<'static, Result<T, E>> {
        self.consulted.fetch_add(1, Ordering::SeqCst);
        match self.failure {
            Failure::Down => Box::pin(async move { Err(error("down".to_owned())) }),
            Failure::Hangs => Box::pin(std::future::pending()),
        }
    }
}

impl Blocklist for FailingStore {
    fn is_revoked<'a>(
        &'a self,
        _: RevocationQuery<'a>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        self.answer(BlocklistError)
    }
    fn revoke<'a>(
        &'a self,
        _: Revocation<'a>,
        _: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>> {
        self.answer(BlocklistError)
    }
    fn consume_once<'a>(
        &'a self,
        _: &'a str,
        _: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        self.answer(BlocklistError)
    }
    fn is_consumed<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        self.answer(BlocklistError)
    }
}

impl SessionStore for FailingStore {
    fn insert<'a>(
        &'a self,
        _: &'a SessionRecord,
        _: Option<usize>,
        _: f64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        self.answer(SessionStoreError)
    }
    fn list<'a>(
        &'a self,
        _: &'a str,
        _: f64,
    ) -> BoxFuture<'a, Result<Vec<SessionRecord>, SessionStoreError>> {
        self.answer(SessionStoreError)
    }
    fn touch<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: f64,
        _: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        self.answer(SessionStoreError)
    }
    fn remove<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        self.answer(SessionStoreError)
    }
}

/// Where a scenario's revocations and sessions live. The Redis variant owns
/// its server (killed when the store is dropped).
pub enum Store {
    Memory,
    #[cfg(feature = "redis-tests")]
    Redis(#[allow(dead_code)] super::Killed, u16),
}

impl Store {
    /// The in-memory stores (the manager's defaults).
    pub fn memory() -> Self {
        Store::Memory
    }

    /// A Redis server of this store's own.
    #[cfg(feature = "redis-tests")]
    pub fn redis() -> Self {
        let port = super::free_port();
        Store::Redis(super::start_redis(port), port)
    }

    /// `jwt` with this store's blocklist: the manager's own in memory; on
    /// Redis a `RedisBlocklist` under a fresh key prefix, expiring its
    /// entries on `clock` when given.
    pub fn with_blocklist(&self, jwt: JwtManager, clock: Option<&SharedClock>) -> JwtManager {
        #[cfg(not(feature = "redis-tests"))]
        let _ = clock;
        match self {
            Store::Memory => jwt,
            #[cfg(feature = "redis-tests")]
            Store::Redis(_, port) => {
                let list =
                    axum_jwt_extended::RedisBlocklist::new(&format!("redis://127.0.0.1:{port}/"))
                        .unwrap()
                        .prefix(format!("test{}:", super::free_port()));
                let list = match clock {
                    Some(clock) => list.clock(clock.clone()),
                    None => list,
                };
                jwt.with_blocklist(list)
            }
        }
    }

    /// `jwt` with this store's sessions, and its blocklist on `clock`.
    pub fn with_sessions(&self, jwt: JwtManager, clock: &SharedClock) -> JwtManager {
        let jwt = self.with_blocklist(jwt, Some(clock));
        match self {
            Store::Memory => jwt.with_sessions(MemorySessionStore::new()),
            #[cfg(feature = "redis-tests")]
            Store::Redis(_, port) => jwt.with_sessions(
                axum_jwt_extended::RedisSessionStore::new(&format!("redis://127.0.0.1:{port}/"))
                    .unwrap(),
            ),
        }
    }
}

/// Runs each named scenario (`async fn name(store: Store)`) on the memory
/// store and, with `redis-tests`, on a Redis of its own. The calling file
/// has `Store` in scope at its root.
#[allow(unused_macros)]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn memory() {
                super::$name(super::Store::memory()).await
            }
            #[cfg(feature = "redis-tests")]
            #[tokio::test]
            async fn redis() {
                super::$name(super::Store::redis()).await
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use on_both_stores;
