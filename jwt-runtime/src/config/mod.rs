//! `JwtConfig`: Flask-JWT-Extended's `JWT_*` options, with the same defaults.
//!
//! - [`values`]: the types of option values ([`Expires`], [`Audience`], [`SameSite`]);
//! - [`resolved`]: the validated [`JwtConfig`] the rest of the crate reads;
//! - [`builder`]: [`JwtConfigBuilder`], one setter per option;
//! - [`build`]: validation, as named steps, from the builder to the config;
//! - [`trusted`]: each trusted issuer as a configuration of its own.

mod build;
mod builder;
mod resolved;
mod trusted;
mod values;

pub use builder::{
    JwtConfigBuilder, DEFAULT_JSON_BODY_LIMIT, DEFAULT_MAX_TOKEN_LENGTH,
    DEFAULT_VERIFIED_TOKEN_CACHE,
};
pub use resolved::JwtConfig;
pub(crate) use resolved::{CookieConfig, IssuerProfile, StrictProfile};
pub use values::{Audience, Expires, SameSite};
