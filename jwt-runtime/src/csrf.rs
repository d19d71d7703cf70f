//! CSRF double submit, as Flask-JWT-Extended does it: on a CSRF method
//! (`JWT_CSRF_METHODS`, compared as Werkzeug upper-cases them), a cookie
//! token needs the value of its CSRF cookie sent back in a header, or with
//! `JWT_CSRF_CHECK_FORM` in a form or multipart field; it is compared with
//! the token's `csrf` claim in constant time. Reading the submitted value
//! is the guard's (`guard/find/csrf.rs`); the comparison is here.

use subtle::ConstantTimeEq;

use crate::error::{messages, JwtError};

/// The token's `csrf` claim against the submitted value, in constant time:
/// 422 `Missing claim: csrf` without the claim (or a claim that is not a
/// string), 401 `CSRF double submit tokens do not match` otherwise.
pub(crate) fn check(claim: Option<Option<&str>>, sent: &str) -> Result<(), JwtError> {
    match claim {
        None => Err(JwtError::invalid(messages::MISSING_CSRF_CLAIM)),
        Some(Some(expected)) if bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) => Ok(()),
        Some(_) => Err(JwtError::Csrf(messages::CSRF_MISMATCH.into())),
    }
}
