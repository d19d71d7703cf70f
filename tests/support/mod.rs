//! What the integration tests share: requests against a router
//! ([`http`]), hand-made tokens ([`forge`]), and the processes some tests
//! start ([`process`]). Each test file includes it with `mod support;` and
//! uses what it needs.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used
)]

pub mod forge;
pub mod http;
pub mod logs;
#[cfg(feature = "oidc-tests")]
pub mod oidc;
pub mod process;
pub mod stores;
#[cfg(any(feature = "oidc-tests", feature = "redis-tests"))]
pub mod tls;

pub use process::{
    calls_in_commandstats, example_binary, free_port, redis_calls, redis_cli, start_cluster_node,
    start_durable_redis, start_redis, start_tls_redis, wait_for_port, Killed,
};

use axum_jwt_extended::{JwtConfig, JwtManager};

/// A manager with Flask's defaults and `secret` (HS256).
pub fn manager(secret: &str) -> JwtManager {
    JwtManager::new(JwtConfig::builder().secret_key(secret).build().unwrap()).unwrap()
}

/// A clock the test moves (`advance`), shared by every manager and store
/// given a clone.
#[derive(Debug, Clone)]
pub struct SharedClock(std::sync::Arc<std::sync::Mutex<f64>>);

impl axum_jwt_extended::Clock for SharedClock {
    fn now(&self) -> f64 {
        *self.0.lock().unwrap()
    }
}

impl SharedClock {
    /// A clock at the current time.
    pub fn starting_now() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        SharedClock(std::sync::Arc::new(std::sync::Mutex::new(now)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, seconds: f64) {
        *self.0.lock().unwrap() += seconds;
    }
}
