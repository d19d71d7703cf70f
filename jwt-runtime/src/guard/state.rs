//! The state of the request being served, in one task-local: the manager
//! whose layer placed it and the record of what a guard verified. The layer
//! opens it around every request; [`JwtContext::scope`], `spawn_with_jwt`,
//! a socket's task and a guard without a layer in front open one of their
//! own. Guards write the record; the accessors, the free functions and the
//! rendering of a handler's errors read it.

use std::cell::RefCell;
use std::future::Future;

use super::context::JwtContext;
use crate::manager::JwtManager;

tokio::task_local! {
    static REQUEST: RequestState;
}

/// One request's state (see the module).
#[derive(Debug)]
pub(crate) struct RequestState {
    manager: Option<JwtManager>,
    verified: RefCell<Option<JwtContext>>,
}

impl RequestState {
    pub(crate) fn new(manager: Option<JwtManager>, verified: Option<JwtContext>) -> Self {
        RequestState {
            manager,
            verified: RefCell::new(verified),
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
