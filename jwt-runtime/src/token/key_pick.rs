//! Which of the configured keys verifies a token.

use crate::keys::VerificationKey;

/// The keys a token may be verified with: the configured ones, or one chosen
/// for this token by a `decode_key_loader` or a remote JWKS.
pub(crate) struct KeyChoice<'a> {
    pub(crate) configured: &'a [std::sync::Arc<VerificationKey>],
    pub(crate) chosen: Option<&'a VerificationKey>,
}

impl<'a> KeyChoice<'a> {
    /// The key for an allowed `alg`: the chosen one (which must be of that
    /// algorithm), else the configured key named by `kid`, else the primary
    /// key of that algorithm. The `jku`, `x5u` and `jwk` headers are never used.
    pub(super) fn select(
        &self,
        alg: jsonwebtoken::Algorithm,
        kid: Option<&str>,
    ) -> Option<&VerificationKey> {
        if let Some(chosen) = self.chosen {
            return (chosen.algorithm() == alg).then_some(chosen);
        }
        let mut candidates = self.configured.iter().filter(|k| k.algorithm() == alg);
        if let Some(kid) = kid {
            if let Some(named) = self
                .configured
                .iter()
                .find(|k| k.algorithm() == alg && k.kid.as_deref() == Some(kid))
            {
                return Some(named);
            }
        }
        candidates.next().map(|k| &**k)
    }
}
