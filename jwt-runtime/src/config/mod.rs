//! `JwtConfig`: Flask-JWT-Extended's `JWT_*` options, with the same defaults.
//!
//! - [`values`]: the types of option values ([`Expires`], [`Audience`], [`SameSite`]);
//! - [`options`]: the validated [`JwtConfig`] the rest of the crate reads;
//! - [`builder`]: [`JwtConfigBuilder`], one setter per option;
//! - [`build`]: validation, as named steps, from the builder to the config;
//! - [`trusted`]: each trusted issuer as a configuration of its own.

mod build;
mod builder;
mod options;
mod trusted;
mod values;

pub use builder::{
    JwtConfigBuilder, DEFAULT_JSON_BODY_LIMIT, DEFAULT_MAX_TOKEN_LENGTH,
    DEFAULT_VERIFIED_TOKEN_CACHE,
};
pub use options::JwtConfig;
pub(crate) use options::{CookieConfig, IssuerProfile, StrictProfile};
pub use values::{Audience, Expires, SameSite};
