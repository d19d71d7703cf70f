//! # axum-jwt-extended
//!
//! Flask-JWT-Extended, for axum: access and refresh tokens, fresh tokens,
//! Flask's error responses, and tokens that interoperate with a Flask service
//! (same claim layout, same status codes, same `{"msg": ...}` bodies).
//!
//! ```
//! use axum::{routing::{get, post}, Json, Router};
//! use axum_jwt_extended::{create_access_token, Jwt, JwtConfig, JwtManager};
//! use serde_json::{json, Value};
//!
//! async fn login() -> Result<Json<Value>, axum_jwt_extended::JwtError> {
//!     let access_token = create_access_token("alice")?;
//!     Ok(Json(json!({ "access_token": access_token })))
//! }
//!
//! async fn protected(jwt: Jwt) -> Json<Value> {
//!     Json(json!({ "logged_in_as": jwt.identity() }))
//! }
//!
//! let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long and random secret").build()?)?;
//! let app: Router = Router::new()
//!     .route("/login", post(login))
//!     .route("/protected", get(protected))
//!     .layer(jwt.layer());
//! # Ok::<(), axum_jwt_extended::JwtError>(())
//! ```
//!
//! The full behaviour table (every status and message, in Flask's order) and
//! the points where this crate is deliberately stricter than Flask are in the
//! documentation of [`jwt_runtime`].

#![forbid(unsafe_code)]

pub use jwt_macros::{fresh_jwt_required, jwt_optional, jwt_refresh_token_required, jwt_required};
pub use jwt_runtime::*;

/// Time spans for expiry and freshness (re-exported from the `time` crate).
pub use jwt_runtime::__time::Duration;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
