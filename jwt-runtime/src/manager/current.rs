//! The manager of the current request, Flask's `current_app`: a task-local
//! scope set by [`JwtManager::layer`], read by the free functions
//! (`create_access_token`, ...) and carried into spawned tasks.

use std::future::Future;

use crate::context::{context_scope, JwtContext};
use crate::error::JwtError;
use crate::manager::JwtManager;

tokio::task_local! {
    static MANAGER: JwtManager;
}

/// The manager of the current request (what Flask reaches through
/// `current_app`); `None` outside a request under [`JwtManager::layer`].
///
/// ```
/// assert!(axum_jwt_extended::current_manager().is_none());
/// ```
pub fn current_manager() -> Option<JwtManager> {
    MANAGER.try_with(JwtManager::clone).ok()
}

pub(crate) fn manager_scope<F: Future>(
    manager: JwtManager,
    fut: F,
) -> tokio::task::futures::TaskLocalFuture<JwtManager, F> {
    MANAGER.scope(manager, fut)
}

pub(crate) fn manager_sync_scope<R>(manager: JwtManager, f: impl FnOnce() -> R) -> R {
    MANAGER.sync_scope(manager, f)
}

/// `tokio::spawn`, carrying the current JWT context into the new task (a plain
/// `tokio::spawn` does not inherit task-locals, so `get_jwt_identity()` would
/// be `None` there).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use axum_jwt_extended::{get_jwt_identity, spawn_with_jwt};
/// // Outside a protected handler there is nothing to carry: the task sees `None`.
/// let seen = spawn_with_jwt(async { get_jwt_identity() }).await.unwrap();
/// assert_eq!(seen, None);
/// # });
/// ```
pub fn spawn_with_jwt<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let context = JwtContext::current().unwrap_or_default();
    let manager = current_manager();
    match manager {
        Some(manager) => tokio::spawn(MANAGER.scope(manager, context_scope(context, fut))),
        None => tokio::spawn(context_scope(context, fut)),
    }
}

/// The current manager, or [`JwtError::NoManager`] naming the fix.
pub(crate) fn current() -> Result<JwtManager, JwtError> {
    current_manager().ok_or(JwtError::NoManager)
}
