//! The parity app: the HTTP contract of `examples/contract/mod.rs`, the same as
//! the Flask-JWT-Extended reference app in `tests/parity/app.py`, which the
//! live differential suite (`tests/parity/run_parity.py`) compares request by
//! request.
//!
//! ```text
//! cargo run --example parity
//! ```
//!
//! Reads `JWT_SECRET_KEY`, `ADDR`, `JWT_TOKEN_LOCATION`, `JWT_ALGORITHM`,
//! `JWT_PRIVATE_KEY_FILE` and `JWT_PUBLIC_KEY_FILE` (see the contract module).

mod contract;

use axum_jwt_extended::JwtManager;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let jwt = JwtManager::new(contract::config_from_env()?.build()?)?;
    contract::serve(contract::app(&jwt, false)).await
}
