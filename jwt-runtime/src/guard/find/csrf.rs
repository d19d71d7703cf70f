//! The CSRF value a request submits (Flask's double submit): a header, or
//! with `JWT_CSRF_CHECK_FORM` a form or multipart field of the body; the
//! comparison with the token's claim is `crate::csrf::check`.

use http::request::Parts;

use crate::config::{CookieConfig, JwtConfig};
use crate::error::{messages, JwtError};
use crate::guard::body::{BodyKind, BodyState};
use crate::python::latin1_into;

/// Whether `method` must carry the CSRF value. Werkzeug upper-cases the
/// method, so `post` is `POST` here too.
pub(crate) fn is_csrf_method(c: &CookieConfig, method: &http::Method) -> bool {
    c.csrf_methods
        .iter()
        .any(|m| m.as_str().eq_ignore_ascii_case(method.as_str()))
}

/// The CSRF value a cookie-token request submitted.
pub(crate) enum Submitted {
    /// Not a CSRF method, or CSRF protection is off.
    NotNeeded,
    /// The value sent (header first, then the form field).
    Value(String),
    /// Only the body could hold it, and nobody has read the body yet.
    NeedBody,
}

/// The double-submit value of a request carrying a cookie token: the CSRF
/// header (several fields joined with `,` and decoded as latin-1, as WSGI
/// does), else with `JWT_CSRF_CHECK_FORM` the form or multipart field.
/// `Err` (401 `Missing CSRF token`) when it is needed and absent.
pub(crate) fn submitted(
    config: &JwtConfig,
    parts: &Parts,
    refresh: bool,
    body: &BodyState,
) -> Result<Submitted, JwtError> {
    let c = &config.cookies;
    if !(config.csrf_protect && is_csrf_method(c, &parts.method)) {
        return Ok(Submitted::NotNeeded);
    }
    let (header, field) = if refresh {
        (&c.refresh_csrf_header_name, &c.refresh_csrf_field_name)
    } else {
        (&c.access_csrf_header_name, &c.access_csrf_field_name)
    };
    let mut csrf = String::new();
    for (i, value) in parts.headers.get_all(header).iter().enumerate() {
        if i > 0 {
            csrf.push(',');
        }
        latin1_into(&mut csrf, value.as_bytes());
    }
    if csrf.is_empty() && c.csrf_check_form {
        match body {
            BodyState::Unread(BodyKind::Form | BodyKind::Multipart) => {
                return Ok(Submitted::NeedBody)
            }
            BodyState::Read(body) => match body.kind {
                BodyKind::Form => {
                    if let Some((_, v)) =
                        form_urlencoded::parse(&body.bytes).find(|(k, _)| k == field.as_str())
                    {
                        csrf = v.into_owned();
                    }
                }
                BodyKind::Multipart => {
                    if let Some((_, v)) = body.fields.iter().find(|(k, _)| k == field.as_str()) {
                        csrf.clone_from(v);
                    }
                }
                BodyKind::Json => {}
            },
            BodyState::Unread(BodyKind::Json) | BodyState::Absent => {}
        }
    }
    if csrf.is_empty() {
        return Err(JwtError::Csrf(messages::MISSING_CSRF.into()));
    }
    Ok(Submitted::Value(csrf))
}
