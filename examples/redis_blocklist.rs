//! The parity contract with its revocations in Redis, so that several
//! instances share them: a logout on one is honoured by all.
//!
//! ```text
//! redis-server --port 6379 &
//! REDIS_URL=redis://127.0.0.1:6379/ ADDR=127.0.0.1:5001 cargo run --features redis --example redis_blocklist &
//! REDIS_URL=redis://127.0.0.1:6379/ ADDR=127.0.0.1:5002 cargo run --features redis --example redis_blocklist &
//! ```
//!
//! Logins are linked token pairs: `/logout` revokes the access and refresh
//! tokens together, `/refresh_rotate` rotates refresh tokens with reuse
//! detection, `/logout_all` logs an identity out everywhere.
//!
//! Reads `REDIS_URL` (default `redis://127.0.0.1:6379/`), `JWT_SECRET_KEY`,
//! `ADDR` and the other variables of the contract module.

mod contract;

use axum_jwt_extended::{JwtManager, RedisBlocklist};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let jwt = JwtManager::new(contract::config_from_env()?.build()?)?
        .with_blocklist(RedisBlocklist::new(&url)?);
    contract::serve(contract::app(&jwt, true)).await
}
