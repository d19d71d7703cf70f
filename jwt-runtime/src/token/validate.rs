//! Claim validation: PyJWT's registered-claim checks, the strict profile,
//! CSRF, and Flask-JWT-Extended's freshness and type checks.

use serde_json::{Map, Value};

use super::payload::{Claim, Registered};
use crate::claims::{DecodedToken, TokenType};
use crate::config::JwtConfig;
use crate::error::{messages, JwtError};
use crate::requirements::Requirements;

/// The registered claims, in PyJWT's order: `iat`, `nbf`, `exp`, `iss`,
/// `aud`, `sub`, `jti`. Returns whether the token is expired: like Flask
/// (which decodes again with `verify_exp` off to build the expired
/// callback's data), an expired token is reported only once every other
/// check has passed.
pub(super) fn check_registered_claims(
    config: &JwtConfig,
    claims: &Registered<'_>,
    now: f64,
) -> Result<bool, JwtError> {
    let leeway = config.decode_leeway;
    if let Some(iat) = &claims.iat {
        let iat = iat
            .numeric_date()
            .ok_or_else(|| JwtError::invalid(messages::IAT_NOT_INTEGER))?;
        if iat > now + leeway {
            return Err(JwtError::invalid(messages::IMMATURE_IAT));
        }
    }
    if let Some(nbf) = &claims.nbf {
        let nbf = nbf
            .numeric_date()
            .ok_or_else(|| JwtError::invalid(messages::NBF_NOT_INTEGER))?;
        if nbf > now + leeway {
            return Err(JwtError::invalid(messages::IMMATURE_NBF));
        }
    }
    // Like Flask (which decodes again with `verify_exp` off to build the
    // expired callback's data), an expired token is reported only once every
    // other check has passed.
    let mut expired = false;
    if let Some(exp) = &claims.exp {
        let exp = exp
            .numeric_date()
            .ok_or_else(|| JwtError::invalid(messages::EXP_NOT_INTEGER))?;
        expired = exp <= now - leeway;
    }
    if let Some(issuers) = &config.decode_issuer {
        match &claims.iss {
            None => return Err(JwtError::invalid(messages::MISSING_ISS)),
            Some(Claim::Str(iss)) => {
                if !issuers.iter().any(|i| *i == **iss) {
                    return Err(JwtError::invalid(messages::INVALID_ISSUER));
                }
            }
            Some(_) => return Err(JwtError::invalid(messages::ISS_NOT_STRING)),
        }
    }
    if let Some(audiences) = &config.decode_audience {
        let aud = match &claims.aud {
            Some(aud) if !aud.is_falsy() => aud,
            _ => return Err(JwtError::invalid(messages::MISSING_AUD)),
        };
        let matched = match aud {
            Claim::Str(s) => audiences.iter().any(|a| *a == **s),
            Claim::Other(Value::Array(list)) => {
                let mut names = Vec::with_capacity(list.len());
                for item in list {
                    names.push(
                        item.as_str()
                            .ok_or_else(|| JwtError::invalid(messages::AUD_INVALID_FORMAT))?,
                    );
                }
                audiences.iter().any(|a| names.contains(&a.as_str()))
            }
            _ => return Err(JwtError::invalid(messages::AUD_INVALID_FORMAT)),
        };
        if !matched {
            return Err(JwtError::invalid(messages::AUD_MISMATCH));
        }
    }
    if config.verify_sub {
        if let Some(sub) = &claims.sub {
            if sub.as_str().is_none() {
                return Err(JwtError::invalid(messages::SUB_NOT_STRING));
            }
        }
    }
    if let Some(jti) = &claims.jti {
        if jti.as_str().is_none() {
            return Err(JwtError::invalid(messages::JTI_NOT_STRING));
        }
    }
    Ok(expired)
}

/// The opt-in strict profile (see `JwtConfigBuilder::strict`).
pub(super) fn check_strict(
    config: &JwtConfig,
    strict: &crate::config::StrictProfile,
    header: &Map<String, Value>,
    claims: &Registered<'_>,
    now: f64,
) -> Result<(), JwtError> {
    for (claim, present) in [
        ("exp", claims.exp.is_some()),
        ("jti", claims.jti.is_some()),
        ("type", claims.kind.is_some()),
    ] {
        if !present {
            return Err(JwtError::invalid(format!(
                "Token is missing the \"{claim}\" claim"
            )));
        }
    }
    if !header
        .get("typ")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("JWT"))
    {
        return Err(JwtError::invalid(messages::STRICT_TYP));
    }
    if config.decode_audience.is_none() && claims.aud.is_some() {
        return Err(JwtError::invalid(messages::STRICT_AUD));
    }
    let exp = claims.exp.as_ref().and_then(Claim::numeric_date);
    let iat = claims.iat.as_ref().and_then(Claim::numeric_date);
    let too_long = match (exp, iat) {
        (Some(exp), Some(iat)) => exp - iat > strict.max_lifetime,
        (Some(exp), None) => exp - now > strict.max_lifetime,
        _ => false,
    };
    if too_long {
        return Err(JwtError::invalid(messages::STRICT_LIFETIME));
    }
    Ok(())
}

/// The CSRF double-submit value sent with a cookie token against the
/// token's `csrf` claim, compared in constant time.
pub(super) fn check_csrf(claims: &Registered<'_>, sent: &str) -> Result<(), JwtError> {
    crate::csrf::check(claims.csrf.as_ref().map(Claim::as_str), sent)
}
/// Whether a token that passed decoding earlier still passes the time checks
/// now (`iat` and `nbf` not in the future, `exp` not past), as decoding
/// would judge them: for tokens from the verified-token cache.
pub(crate) fn still_current(config: &JwtConfig, token: &DecodedToken) -> bool {
    let now = config.clock.now();
    let leeway = config.decode_leeway;
    let not_future = |t: Option<f64>| t.is_none_or(|t| t.trunc() <= now + leeway);
    not_future(token.iat)
        && not_future(token.nbf)
        && token.exp.is_none_or(|e| e.trunc() > now - leeway)
}

/// Flask's freshness check, stricter on malformed claims: a `fresh` claim that
/// is neither a boolean nor a number is a 422 (Flask crashes with a 500).
pub(crate) fn check_fresh(token: &DecodedToken, now: f64) -> Result<(), JwtError> {
    match token.fresh() {
        Value::Bool(true) => Ok(()),
        Value::Bool(false) => Err(JwtError::FreshTokenRequired),
        Value::Number(n) => match n.as_f64() {
            Some(until) if until >= now => Ok(()),
            _ => Err(JwtError::FreshTokenRequired),
        },
        _ => Err(JwtError::invalid(messages::FRESH_INVALID)),
    }
}

/// Flask's `verify_token_type` (only `refresh` is refused where a
/// non-refresh token is required, and only `refresh` passes a refresh
/// route), plus the app's own registered kinds (`kinds`,
/// `JwtConfigBuilder::token_kind`): those pass only a route that requires
/// their type (whose rule checks it), never one that takes access or
/// refresh tokens. Any other `type` (`"ACCESS"`, `"odd"`, `null`) is a
/// non-refresh token, as in Flask.
pub(crate) fn check_type(
    token: &DecodedToken,
    requirements: &Requirements,
    kinds: &[&str],
) -> Result<(), JwtError> {
    if requirements.custom_type {
        return Ok(());
    }
    let own_kind = match &token.token_type {
        TokenType::Other(Value::String(name)) => kinds.contains(&name.as_str()),
        _ => false,
    };
    let refusal = match (requirements.verify_type, requirements.refresh) {
        (false, _) if own_kind => messages::ONLY_ACCESS_OR_REFRESH,
        (false, _) => return Ok(()),
        (true, false) if token.is_refresh() => messages::ONLY_NON_REFRESH,
        (true, false) if own_kind => messages::ONLY_ACCESS,
        (true, true) if !token.is_refresh() => messages::ONLY_REFRESH,
        (true, _) => return Ok(()),
    };
    Err(JwtError::WrongTokenType(refusal.into()))
}
