//! Revocation: Flask's `token_in_blocklist_loader`, as a store shared by every
//! instance of a service.
//!
//! A token is revoked when its `jti` is, when its login family (`fam` claim)
//! is, or when its identity was logged out everywhere after it was issued. The
//! manager consults the store only after a token's signature and claims are
//! verified; a store that fails makes the request fail closed with 503
//! ("Token revocation status unavailable"). Two stores: `memory` (the
//! default, one process) and `redis` (a fleet; feature `redis`).

use std::fmt;

mod memory;
#[cfg(feature = "redis")]
mod mirror;
#[cfg(feature = "redis")]
pub(crate) mod redis;

pub use memory::MemoryBlocklist;
#[cfg(feature = "redis")]
pub use redis::RedisBlocklist;

pub use crate::store::BoxFuture;

/// A blocklist store that could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocklist unavailable: {0}")]
pub struct BlocklistError(pub String);

impl From<crate::store::StoreError> for BlocklistError {
    fn from(error: crate::store::StoreError) -> Self {
        BlocklistError(error.0)
    }
}

/// What one revocation check asks about a verified token (all in one round
/// trip for a remote store).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RevocationQuery<'a> {
    /// The token's id key: its `jti`, prefixed with its issuer when it has one.
    pub jti: Option<&'a str>,
    /// The login family of the token (`fam` claim), shared by the access and
    /// refresh tokens of one login and by rotated refresh tokens.
    pub family: Option<&'a str>,
    /// The identity, for "log out everywhere".
    pub identity: Option<&'a str>,
    /// The token's `iat`. A token without one cannot show that it was issued
    /// after a "log out everywhere", so it counts as issued before it.
    pub issued_at: Option<f64>,
    /// The token's `exp`: how long a store may keep what it learned about the
    /// token (the Redis store's local mirror does).
    pub expires_at: Option<f64>,
}

/// One revocation to record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Revocation<'a> {
    /// One token, by its id key.
    Token(&'a str),
    /// Every token of a login family.
    Family(&'a str),
    /// Every token of an identity issued at or before `at` (Unix seconds).
    IdentityBefore {
        /// The identity.
        identity: &'a str,
        /// The moment of the logout.
        at: f64,
    },
}

/// A store of revocations. Entries carry `until`: when they may be forgotten
/// (the longest lifetime of the tokens they revoke, plus the decode leeway;
/// `None`: never).
///
/// ```
/// use axum_jwt_extended::{Blocklist, BlocklistError, BoxFuture, Revocation, RevocationQuery};
/// use std::collections::HashSet;
/// use std::sync::Mutex;
///
/// /// Revokes token ids only (for example loaded from a database).
/// #[derive(Debug, Default)]
/// struct Ids(Mutex<HashSet<String>>);
///
/// impl Blocklist for Ids {
///     fn is_revoked<'a>(&'a self, q: RevocationQuery<'a>) -> BoxFuture<'a, Result<bool, BlocklistError>> {
///         let hit = q.jti.is_some_and(|jti| self.0.lock().map(|s| s.contains(jti)).unwrap_or(true));
///         Box::pin(async move { Ok(hit) })
///     }
///     fn revoke<'a>(&'a self, what: Revocation<'a>, _until: Option<f64>) -> BoxFuture<'a, Result<(), BlocklistError>> {
///         Box::pin(async move {
///             match what {
///                 Revocation::Token(jti) => {
///                     self.0.lock().map_err(|e| BlocklistError(e.to_string()))?.insert(jti.to_owned());
///                     Ok(())
///                 }
///                 _ => Err(BlocklistError("only single tokens".into())),
///             }
///         })
///     }
///     fn consume_once<'a>(&'a self, key: &'a str, _until: Option<f64>) -> BoxFuture<'a, Result<bool, BlocklistError>> {
///         Box::pin(async move {
///             Ok(self.0.lock().map_err(|e| BlocklistError(e.to_string()))?.insert(format!("used:{key}")))
///         })
///     }
///     fn is_consumed<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
///         Box::pin(async move {
///             Ok(self.0.lock().map_err(|e| BlocklistError(e.to_string()))?.contains(&format!("used:{key}")))
///         })
///     }
/// }
/// ```
pub trait Blocklist: Send + Sync + fmt::Debug + 'static {
    /// Whether the token is revoked. An `Err` fails the request closed (503).
    fn is_revoked<'a>(
        &'a self,
        query: RevocationQuery<'a>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>>;

    /// Records a revocation until `until` (Unix seconds; `None`: forever).
    fn revoke<'a>(
        &'a self,
        what: Revocation<'a>,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>>;

    /// Marks `key` as used, atomically: `Ok(true)` for the first call only,
    /// even under concurrency (refresh-token rotation).
    fn consume_once<'a>(
        &'a self,
        key: &'a str,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>>;

    /// Whether `key` was marked used by [`consume_once`](Self::consume_once)
    /// and the mark is still in force (read only). Asked only when a revoked
    /// refresh token is presented, to tell a spent (rotated) token, whose
    /// reuse revokes its login, from one revoked by a logout.
    fn is_consumed<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>>;

    /// `false` only when the store knows it holds no revocation at all (a
    /// fresh in-memory store), so checks can be skipped. Shared stores keep
    /// the default, `true`.
    fn may_contain_revocations(&self) -> bool {
        true
    }
}
