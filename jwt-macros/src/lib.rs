//! Attribute macros of axum-jwt-extended. Use them through the
//! `axum-jwt-extended` facade, which re-exports them.
//!
//! The macros (`#[jwt_required]` and friends) arrive with the next release;
//! this crate is the place they live, so the facade can pin it exactly.
