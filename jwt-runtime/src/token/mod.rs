//! Tokens, byte for byte in Flask-JWT-Extended's layout and with PyJWT's
//! checks, order and messages.
//!
//! - [`options`]: what a new token carries ([`Fresh`], [`TokenOptions`]);
//! - [`encode`]: creating a token;
//! - [`decode`]: verifying one, as a list of steps: [`header`] (segments and
//!   header members), [`signature`] (with the key from [`keys`]),
//!   [`payload`] (the one-pass claim parser), then [`validate`] (claims,
//!   freshness, type).

mod decode;
mod encode;
mod header;
mod key_pick;
mod minting;
mod payload;
mod signature;
mod validate;

pub(crate) use decode::{decode, decode_checked, Decoded};
pub(crate) use encode::encode;
pub use encode::FAMILY_CLAIM;
pub(crate) use header::{peek_header, peek_issuer, unverified_header};
pub(crate) use key_pick::KeyChoice;
pub(crate) use minting::MintKind;
pub use minting::{Fresh, TokenOptions};
pub(crate) use validate::{check_fresh, check_type, still_current};
