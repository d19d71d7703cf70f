//! What the stores share: the revocation store (`blocklist/`), the session
//! store (`session_store/`) and the key-set fetchers (`jwks/`). The boxed
//! future their trait methods return, the failure a store reports (each
//! store's public error is made from it), and, with the feature `redis`, how
//! the Redis stores reach Redis (`link`).

use std::future::Future;
use std::pin::Pin;

#[cfg(feature = "redis")]
pub(crate) mod link;

/// A boxed, sendable future: the return type of the methods of the store
/// traits ([`Blocklist`](crate::Blocklist),
/// [`SessionStore`](crate::SessionStore),
/// [`JwksFetcher`](crate::JwksFetcher)).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a store could not answer: the kind of failure only, never a key
/// (which could carry a token id). Each store turns it into its own public
/// error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreError(pub(crate) String);
