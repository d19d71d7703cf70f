//! Each trusted [`Issuer`] as a configuration of its own: this service's
//! options with the issuer's keys, algorithms, audiences, `iss`, identity
//! claim and claim layout.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, AlgorithmFamily};

use super::{IssuerProfile, JwtConfig};
use crate::error::JwtError;
use crate::issuers::{Issuer, PROVIDER_ALGORITHMS};
use crate::keys::KeySet;

/// The profiles of `issuers`, checked: a name once and a URL-like
/// identifier, an audience (or `any_audience`), a key source, algorithms
/// that fit the keys.
pub(super) fn profiles(
    issuers: &[Issuer],
    base: &JwtConfig,
) -> Result<Arc<[IssuerProfile]>, JwtError> {
    let mut profiles: Vec<IssuerProfile> = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        let err =
            |msg: String| JwtError::Config(format!("trusted issuer {:?}: {msg}", issuer.name));
        if issuer.name.is_empty() {
            return Err(JwtError::Config(
                "a trusted issuer needs its `iss` value".into(),
            ));
        }
        if profiles.iter().any(|p| p.name == issuer.name) {
            return Err(err("trusted twice".into()));
        }
        if base
            .decode_issuer
            .as_ref()
            .is_some_and(|own| own.contains(&issuer.name))
        {
            return Err(err(
                "is also JWT_DECODE_ISSUER: tokens of one issuer must verify with one set of keys"
                    .into(),
            ));
        }
        if issuer.audiences.is_empty() && !issuer.any_audience {
            return Err(err(
                "set the audience this service expects (`.audience(...)`): the provider's \
                 tokens for your other APIs would pass otherwise; `.any_audience()` accepts any"
                    .into(),
            ));
        }
        if issuer.keys.is_empty() && issuer.jwks.is_none() {
            return Err(err(
                "has no keys: use Issuer::discover, with_jwks or with_keys".into(),
            ));
        }
        let algorithms = algorithms(issuer).map_err(err)?;
        let identity_claim = issuer
            .identity_claim
            .clone()
            .unwrap_or_else(|| base.identity_claim.clone());
        if identity_claim.is_empty() {
            return Err(err("the identity claim cannot be empty".into()));
        }
        let mut config = base.clone();
        config.keys = Arc::new(KeySet::verify_only(&issuer.keys));
        config.jwks = issuer.jwks.clone();
        config.algorithm = algorithms[0];
        config.decode_algorithms = algorithms;
        config.decode_audience = (!issuer.audiences.is_empty()).then(|| issuer.audiences.clone());
        config.decode_issuer = Some(vec![issuer.name.clone()]);
        config.identity_claim = identity_claim.clone();
        config.grants = Arc::new(issuer.grants.clone());
        config.issuers = Arc::from(Vec::new());
        // The strict profile is about the tokens this service mints (`type`,
        // `typ: JWT`); a provider's are checked by its own issuer, audience
        // and algorithms.
        config.strict = None;
        profiles.push(IssuerProfile {
            name: issuer.name.clone(),
            config,
            identity_claim: Arc::from(identity_claim.as_str()),
        });
    }
    Ok(profiles.into())
}

/// The issuer's algorithms: its own list, or those of its local keys, or
/// every asymmetric one (a JWKS names its keys' algorithms). HMAC only with
/// an HMAC key configured here; never mixed families with local keys.
fn algorithms(issuer: &Issuer) -> Result<Vec<Algorithm>, String> {
    let mut list: Vec<Algorithm> = match &issuer.algorithms {
        Some(list) => list.clone(),
        None if issuer.jwks.is_none() => issuer.keys.iter().map(|k| k.algorithm()).collect(),
        None => PROVIDER_ALGORITHMS.to_vec(),
    };
    list.dedup();
    if list.is_empty() {
        return Err("an empty list of algorithms: no token could ever match".into());
    }
    let hmac_key = issuer
        .keys
        .iter()
        .any(|k| k.algorithm().family() == AlgorithmFamily::Hmac);
    if list.iter().any(|a| a.family() == AlgorithmFamily::Hmac) && !hmac_key {
        return Err(format!(
            "HMAC algorithms in {list:?} need a shared secret configured here; a provider's \
             published keys are public"
        ));
    }
    for key in &issuer.keys {
        if !list.contains(&key.algorithm()) {
            return Err(format!(
                "a key for {:?} is not among the issuer's algorithms {list:?}",
                key.algorithm()
            ));
        }
    }
    Ok(list)
}
