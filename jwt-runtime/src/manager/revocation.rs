//! Revocation and logins: revoking a token, a login (family) or an
//! identity, linked token pairs, refresh-token rotation with reuse
//! detection, and the guard's revocation check. The guarantees are listed,
//! each with its test, in SECURITY.md.

use serde::Serialize;
use serde_json::Value;

use crate::blocklist::{Revocation, RevocationQuery};
use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::manager::{JwtManager, TokenPair};
use crate::token::{MintKind, TokenOptions};

impl JwtManager {
    /// The blocklist key of a token: its `jti`, prefixed with its issuer. A
    /// token without a `jti` (minted by another holder of the key) is keyed
    /// by the SHA-256 of its payload, so it can be revoked all the same.
    pub(super) fn revocation_key(token: &DecodedToken) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match (token.issuer(), token.jti()) {
            (None, Some(jti)) => Cow::Borrowed(jti),
            (Some(iss), Some(jti)) => Cow::Owned(format!("{iss}\u{1f}{jti}")),
            (iss, None) => Cow::Owned(format!(
                "{}\u{1f}sha256:{}",
                iss.unwrap_or_default(),
                crate::keys::sha256_hex(token.payload.as_bytes())
            )),
        }
    }

    /// The login a token belongs to: its `fam` claim, or for a token without
    /// one, the login it starts (the family its rotations carry).
    pub(super) fn family_key(token: &DecodedToken) -> std::borrow::Cow<'_, str> {
        match token.family() {
            Some(family) => std::borrow::Cow::Borrowed(family),
            None => Self::revocation_key(token),
        }
    }

    pub(super) fn store_error<E>(_: E) -> JwtError {
        JwtError::RevocationUnavailable
    }

    /// Runs a store operation within the blocklist timeout: a failing or
    /// hanging store fails closed.
    pub(crate) async fn store<T, E>(
        &self,
        op: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, JwtError> {
        let mut op = std::pin::pin!(op);
        // Fast path: an in-memory store answers at once, without arming a timer.
        let first = {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            op.as_mut().poll(&mut cx)
        };
        if let std::task::Poll::Ready(result) = first {
            return result.map_err(Self::store_error);
        }
        // Boxed: the timer is large and only a store that must wait (a
        // round trip) needs it; the guard's future stays small without it.
        match Box::pin(tokio::time::timeout(
            self.inner.config.blocklist_timeout,
            op,
        ))
        .await
        {
            Ok(result) => result.map_err(Self::store_error),
            Err(_) => Err(JwtError::RevocationUnavailable),
        }
    }

    /// When an entry about `token` may be forgotten: its expiry plus the
    /// leeway (`None`, never, for a token without `exp`).
    pub(super) fn until_expiry(&self, token: &DecodedToken) -> Option<f64> {
        token
            .expires_at()
            .map(|exp| exp + self.inner.config.decode_leeway)
    }

    /// The longest a token of a linked login may live: the longest configured
    /// lifetime (`None` when tokens may never expire). Tokens are minted into
    /// a login only within it, so a login's revocation kept this long from
    /// now covers every token of that login.
    pub(crate) fn login_lifetime(&self) -> Option<f64> {
        let config = &self.inner.config;
        match (config.access_token_expires, config.refresh_token_expires) {
            (crate::Expires::After(a), crate::Expires::After(r)) => {
                Some(a.max(r).as_seconds_f64().max(0.0))
            }
            _ => None,
        }
    }

    /// When the revocation of a whole login may be forgotten.
    pub(super) fn until_login_ends(&self) -> Option<f64> {
        let config = &self.inner.config;
        self.login_lifetime()
            .map(|longest| config.clock.now() + longest + config.decode_leeway)
    }

    /// Revokes `token` until it expires (plus the decode leeway); a token
    /// without `exp` stays revoked for good. A token without a `jti` is
    /// revoked by the digest of its payload.
    pub async fn revoke_token(&self, token: &DecodedToken) -> Result<(), JwtError> {
        let key = Self::revocation_key(token);
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Token(&key), self.until_expiry(token)),
        )
        .await
    }

    /// Revokes every token of `token`'s login: the access and refresh tokens
    /// made together by [`create_token_pair`](Self::create_token_pair), their
    /// rotations, and every token created while one of them was being
    /// verified. A token of no linked login revokes itself and its rotations.
    ///
    /// The store keeps the entry for the longest configured token lifetime
    /// (tokens of a login cannot live longer; see
    /// [`TokenOptions::unlinked`]), for good when tokens may never expire.
    pub async fn revoke_token_family(&self, token: &DecodedToken) -> Result<(), JwtError> {
        if token.family().is_none() {
            self.revoke_token(token).await?;
        }
        let family = Self::family_key(token);
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Family(&family), self.until_login_ends()),
        )
        .await?;
        self.forget_session(token).await
    }

    /// "Log out everywhere": revokes every token of `identity` issued until
    /// now, whatever its lifetime (even one that never expires). The store
    /// keeps one entry per identity for good, moved forward by each later
    /// call. A token without `iat` counts as issued before it.
    pub async fn revoke_all_tokens_of(&self, identity: &str) -> Result<(), JwtError> {
        let at = self.inner.config.clock.now();
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::IdentityBefore { identity, at }, None),
        )
        .await
    }

    /// Whether `token` is revoked (by id, family, or identity); a failing
    /// store is [`JwtError::RevocationUnavailable`].
    pub async fn is_token_revoked(&self, token: &DecodedToken) -> Result<bool, JwtError> {
        if !self.inner.blocklist.may_contain_revocations() {
            return Ok(false);
        }
        let key = Self::revocation_key(token);
        let family = Self::family_key(token);
        let query = RevocationQuery {
            jti: Some(&key),
            family: Some(&family),
            identity: token.identity_str(),
            issued_at: token.issued_at(),
            expires_at: token.expires_at(),
        };
        self.store(self.inner.blocklist.is_revoked(query)).await
    }

    /// The guard's revocation check: [`is_token_revoked`](Self::is_token_revoked),
    /// and when a spent (rotated) refresh token comes back, on any route,
    /// reuse detection: its whole login is revoked.
    pub(crate) async fn check_revocation(&self, token: &DecodedToken) -> Result<bool, JwtError> {
        let revoked = self.is_token_revoked(token).await?;
        if revoked && token.is_refresh() {
            // Boxed: rare (a revoked refresh token), and its future would
            // otherwise enlarge every guarded request's.
            Box::pin(self.revoke_login_if_reused(token)).await?;
        }
        Ok(revoked)
    }

    /// Reuse detection: a revoked refresh token that was spent by rotation
    /// revokes its whole login (and forgets its session).
    async fn revoke_login_if_reused(&self, token: &DecodedToken) -> Result<(), JwtError> {
        let key = Self::revocation_key(token);
        if self.store(self.inner.blocklist.is_consumed(&key)).await? {
            self.revoke_token_family(token).await?;
        }
        Ok(())
    }

    /// An access and a refresh token for one login, linked by a `fam` claim so
    /// that [`revoke_token_family`](Self::revoke_token_family) logs both out
    /// and refresh rotation can detect reuse. `options` apply to the access
    /// token (fresh, expiry, claims, headers); the refresh token gets the same
    /// additional claims and headers.
    pub fn create_token_pair(
        &self,
        identity: impl Serialize,
        options: TokenOptions,
    ) -> Result<TokenPair, JwtError> {
        let identity = serde_json::to_value(identity)
            .map_err(|e| JwtError::Encode(format!("identity cannot be serialized: {e}")))?;
        self.pair_in_family(&identity, options, uuid::Uuid::new_v4().to_string())
    }

    pub(super) fn pair_in_family(
        &self,
        identity: &Value,
        mut options: TokenOptions,
        family: String,
    ) -> Result<TokenPair, JwtError> {
        options.family = Some(family.clone());
        options.unlinked = false;
        let refresh_options = TokenOptions {
            family: Some(family),
            fresh: crate::Fresh::No,
            expires: None,
            additional_claims: options.additional_claims.clone(),
            additional_headers: options.additional_headers.clone(),
            unlinked: false,
        };
        Ok(TokenPair {
            access_token: self.encode(identity, MintKind::Access, options)?,
            refresh_token: self.encode(identity, MintKind::Refresh, refresh_options)?,
        })
    }

    /// Refresh-token rotation with reuse detection (RFC 9700 section 4.14.2):
    /// spends `refresh_token` (atomically, once across all instances sharing
    /// the store) and returns a new pair in the same family. Presenting an
    /// already spent refresh token revokes its whole family and answers
    /// [`JwtError::Revoked`].
    pub async fn rotate_refresh_token(
        &self,
        refresh_token: &DecodedToken,
    ) -> Result<TokenPair, JwtError> {
        if !refresh_token.is_refresh() {
            return Err(JwtError::WrongTokenType(
                crate::error::messages::ONLY_REFRESH.into(),
            ));
        }
        let key = Self::revocation_key(refresh_token);
        let family = Self::family_key(refresh_token).into_owned();
        // Spent from now on, on every route and instance: revoked first (a
        // store failure then leaves it unusable, never usable twice), then
        // marked used, so that its reuse is told from a logout.
        self.store(
            self.inner
                .blocklist
                .revoke(Revocation::Token(&key), self.until_expiry(refresh_token)),
        )
        .await?;
        let first_use = self
            .store(
                self.inner
                    .blocklist
                    .consume_once(&key, self.until_expiry(refresh_token)),
            )
            .await?;
        if !first_use {
            self.store(
                self.inner
                    .blocklist
                    .revoke(Revocation::Family(&family), self.until_login_ends()),
            )
            .await?;
            self.forget_session(refresh_token).await?;
            return Err(JwtError::Revoked);
        }
        let mut claims = serde_json::Map::new();
        for (k, v) in refresh_token.claims() {
            let library = matches!(
                k.as_str(),
                "fresh" | "iat" | "jti" | "type" | "nbf" | "csrf" | "exp" | "aud" | "iss" | "fam"
            ) || k == &*self.inner.identity_claim;
            if !library {
                claims.insert(k.clone(), v.clone());
            }
        }
        let options = if claims.is_empty() {
            TokenOptions::default()
        } else {
            TokenOptions::new().additional_claims(Value::Object(claims))
        };
        let pair = self.pair_in_family(refresh_token.identity(), options, family)?;
        // The session lives as long as its newest refresh token.
        if self.inner.sessions.is_some() {
            let rotated = self.decode_token(&pair.refresh_token, false)?;
            self.touch_session(&rotated).await?;
        }
        Ok(pair)
    }
}
