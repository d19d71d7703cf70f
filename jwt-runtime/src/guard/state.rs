//! The state of the request being served, in one task-local: the manager
//! whose layer placed it, the body a guard may read, the renewal of an
//! expiring access cookie, and the record of what a guard verified. The layer
//! opens it around every request; [`JwtContext::scope`], `spawn_with_jwt`,
//! a socket's task and a guard without a layer in front open one of their
//! own. Guards write the record; the accessors, the free functions and the
//! rendering of a handler's errors read it.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use super::body::PendingBody;
use super::context::JwtContext;
use crate::claims::DecodedToken;
use crate::manager::JwtManager;

tokio::task_local! {
    static REQUEST: RequestState;
}

/// One request's state (see the module).
#[derive(Debug)]
pub(crate) struct RequestState {
    manager: Option<JwtManager>,
    verified: RefCell<Option<JwtContext>>,
    /// The body, wrapped by the layer when a guard may need it (boxed: most
    /// requests have none, and the state is in every request's future).
    body: Option<Box<PendingBody>>,
    /// With `refresh_expiring_cookies`: the access cookie the guard found
    /// this service may renew.
    renewal: Option<Box<RefCell<Option<Arc<DecodedToken>>>>>,
}

impl RequestState {
    pub(crate) fn new(manager: Option<JwtManager>, verified: Option<JwtContext>) -> Self {
        RequestState {
            manager,
            verified: RefCell::new(verified),
            body: None,
            renewal: None,
        }
    }

    /// The layer's state for one request.
    pub(crate) fn request(manager: JwtManager, body: Option<PendingBody>, renews: bool) -> Self {
        RequestState {
            manager: Some(manager),
            verified: RefCell::new(None),
            body: body.map(Box::new),
            renewal: renews.then(Box::default),
        }
    }
}

/// `fut` inside a state of its own.
pub(crate) type InState<F> = tokio::task::futures::TaskLocalFuture<RequestState, F>;

/// Runs `fut` in `state`.
pub(crate) fn scope<F: Future>(state: RequestState, fut: F) -> InState<F> {
    REQUEST.scope(state, fut)
}

/// The manager of the state this code runs in.
pub(crate) fn manager() -> Option<JwtManager> {
    REQUEST.try_with(|s| s.manager.clone()).ok().flatten()
}

/// Keeps `context` as what this request verified; `Err(context)` when no
/// state is open here.
pub(crate) fn record(context: JwtContext) -> Result<(), JwtContext> {
    let mut context = Some(context);
    let kept = REQUEST.try_with(|s| *s.verified.borrow_mut() = context.take());
    match (kept, context) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(context)) => Err(context),
        // `take` ran only when the state was there.
        (Err(_), None) => Ok(()),
    }
}

/// `f` of what this request verified, if anything.
pub(crate) fn with_verified<R>(f: impl FnOnce(&JwtContext) -> R) -> Option<R> {
    REQUEST
        .try_with(|s| s.verified.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// `f` of the body a guard may read, when the layer wrapped one.
pub(crate) fn with_body<R>(f: impl FnOnce(&PendingBody) -> R) -> Option<R> {
    REQUEST
        .try_with(|s| s.body.as_deref().map(f))
        .ok()
        .flatten()
}

/// Keeps `token` (an access cookie of this service's own) for the renewal,
/// when the layer renews expiring cookies.
pub(crate) fn offer_renewal(token: &Arc<DecodedToken>) {
    let _ = REQUEST.try_with(|s| {
        if let Some(slot) = &s.renewal {
            *slot.borrow_mut() = Some(Arc::clone(token));
        }
    });
}

/// The token the guard left for the renewal, if any.
#[cfg(feature = "cookies")]
pub(crate) fn take_renewal() -> Option<Arc<DecodedToken>> {
    REQUEST
        .try_with(|s| s.renewal.as_ref().and_then(|slot| slot.borrow_mut().take()))
        .ok()
        .flatten()
}
