//! Step 3: what the verified token must also pass, in Flask's order: the
//! route's checks (type, freshness), the stores' (revocation; a refresh
//! token's session), then the app's loaders (custom verification, user
//! lookup).

use std::sync::Arc;

use serde_json::Value;

use crate::claims::AnyUser;
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::manager::JwtManager;
use crate::requirements::Requirements;
use crate::token;

#[inline]
/// The route's checks: the token's type (Flask's rule, and the app's own
/// kinds only on their routes), and freshness where required.
pub(super) fn route(
    manager: &JwtManager,
    token: &DecodedToken,
    requirements: &Requirements,
) -> Result<(), JwtError> {
    let config = manager.config();
    token::check_type(token, requirements, &config.token_kinds)?;
    if requirements.fresh {
        token::check_fresh(token, config.clock.now())?;
    }
    Ok(())
}

/// The stores, then the app's loaders (one future for both).
///
/// The stores: revocation (the app's `token_in_blocklist_loader`, else the
/// blocklist), and a refresh token's session (`last_used_at`); skipped with
/// `skip_revocation_check`. The loaders: the app's custom verification,
/// then the user lookup (the user, or Flask's 401 naming the identity).
pub(super) async fn stores_and_loaders(
    manager: &JwtManager,
    token: &Arc<DecodedToken>,
    requirements: &Requirements,
) -> Result<Option<AnyUser>, JwtError> {
    if !requirements.skip_revocation_check {
        let revoked = match &manager.callbacks().token_in_blocklist {
            Some(check) => manager.store(check(Arc::clone(token))).await?,
            None => manager.check_revocation(token).await?,
        };
        if revoked {
            return Err(JwtError::Revoked);
        }
        if token.is_refresh() {
            manager.touch_session(token).await?;
        }
    }
    let cb = manager.callbacks();
    if let Some(check) = &cb.token_verification {
        if !check(Arc::clone(token)).await? {
            return Err(JwtError::UserClaimsVerificationFailed);
        }
    }
    let Some(lookup) = &cb.user_lookup else {
        return Ok(None);
    };
    match lookup(Arc::clone(token)).await? {
        Some(user) => Ok(Some(user)),
        None => Err(JwtError::UserLookup(match token.identity() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })),
    }
}
