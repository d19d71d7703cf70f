//! Authorization: the roles and scopes a route requires, checked against
//! the token's (read from its issuer's claim paths, see `grants`), refused
//! with `403` and RFC 6750's `insufficient_scope`.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::claims::DecodedToken;
use crate::error::JwtError;
use crate::extract::ClaimRule;

/// A list of role or scope names a route requires: all of them, or any one.
///
/// ```
/// use axum_jwt_extended::Need;
/// const EDITORS: Need = Need::any(&["editor", "admin"]);
/// assert!(EDITORS.is_met_by(&["admin".to_owned()]));
/// assert!(!Need::all(&["a", "b"]).is_met_by(&["a".to_owned()]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every name is required.
    All(&'static [&'static str]),
    /// One of the names is enough.
    Any(&'static [&'static str]),
}

impl Need {
    /// Every one of `names`.
    pub const fn all(names: &'static [&'static str]) -> Self {
        Need::All(names)
    }

    /// Any one of `names`.
    pub const fn any(names: &'static [&'static str]) -> Self {
        Need::Any(names)
    }

    /// The names.
    pub fn names(&self) -> &'static [&'static str] {
        match self {
            Need::All(names) | Need::Any(names) => names,
        }
    }

    /// Whether `have` meets it. An empty list is never met (it would say
    /// nothing about the token; refusing is the safe reading).
    pub fn is_met_by(&self, have: &[String]) -> bool {
        let has = |name: &&str| have.iter().any(|h| h == name);
        match self {
            Need::All(names) => !names.is_empty() && names.iter().all(has),
            Need::Any(names) => names.iter().any(has),
        }
    }

    /// `Role required: admin`, `Roles required: a, b`, `One of these roles
    /// required: a, b`: what was required, never what the token holds.
    fn message(&self, singular: &str, plural: &str) -> String {
        let names = self.names().join(", ");
        match self {
            Need::All([_]) | Need::Any([_]) => format!("{singular} required: {names}"),
            Need::All(_) => format!("{plural} required: {names}"),
            Need::Any(_) => format!("One of these {} required: {names}", plural.to_lowercase()),
        }
    }
}

/// The roles and scopes of a route, as constants of a type, for the
/// extractors ([`Authorize`]) and `#[jwt_required(roles(...),
/// scopes(...))]` (which writes such a type for you).
///
/// ```
/// use axum_jwt_extended::{req, Authorization, Authorize, Need, VerifyJwt};
///
/// struct NotesWriter;
/// impl Authorization for NotesWriter {
///     const ROLES: Option<Need> = Some(Need::any(&["editor", "admin"]));
///     const SCOPES: Option<Need> = Some(Need::all(&["notes:write"]));
/// }
///
/// async fn create_note(jwt: VerifyJwt<{ req::NONE }, Authorize<NotesWriter>>) -> String {
///     format!("written by {}", jwt.identity().unwrap_or_default())
/// }
/// ```
pub trait Authorization: 'static {
    /// The roles required (none by default).
    const ROLES: Option<Need> = None;
    /// The scopes required (none by default).
    const SCOPES: Option<Need> = None;
}

/// The [`ClaimRule`] of an [`Authorization`]: roles first, then scopes; a
/// miss is `403` with `WWW-Authenticate: Bearer error="insufficient_scope"`.
pub struct Authorize<A>(PhantomData<fn() -> A>);

impl<A: Authorization> std::fmt::Debug for Authorize<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorize")
            .field("roles", &A::ROLES)
            .field("scopes", &A::SCOPES)
            .finish()
    }
}

impl<A: Authorization> ClaimRule for Authorize<A> {
    fn check(token: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Self::verify(token).map_err(|e| Cow::Owned(e.to_string()))
    }

    fn verify(token: &DecodedToken) -> Result<(), JwtError> {
        check_grants(token, A::ROLES, A::SCOPES)
    }
}

/// Checks a token's roles and scopes against a route's. A roles or scope
/// claim of the wrong shape is the token's 422, never a pass.
pub(crate) fn check_grants(
    token: &DecodedToken,
    roles: Option<Need>,
    scopes: Option<Need>,
) -> Result<(), JwtError> {
    if let Some(need) = roles {
        if !need.is_met_by(&token.roles()?) {
            return Err(JwtError::InsufficientScope {
                message: need.message("Role", "Roles").into(),
                scope: None,
            });
        }
    }
    if let Some(need) = scopes {
        if !need.is_met_by(&token.scopes()?) {
            return Err(JwtError::InsufficientScope {
                message: need.message("Scope", "Scopes").into(),
                scope: Some(need.names().join(" ").into()),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Need;

    #[test]
    fn messages_name_what_was_required() {
        assert_eq!(
            Need::all(&["admin"]).message("Role", "Roles"),
            "Role required: admin"
        );
        assert_eq!(
            Need::any(&["admin"]).message("Role", "Roles"),
            "Role required: admin"
        );
        assert_eq!(
            Need::all(&["a", "b"]).message("Scope", "Scopes"),
            "Scopes required: a, b"
        );
        assert_eq!(
            Need::any(&["a", "b"]).message("Role", "Roles"),
            "One of these roles required: a, b"
        );
    }

    #[test]
    fn empty_lists_are_never_met() {
        let have = vec!["a".to_owned()];
        assert!(!Need::all(&[]).is_met_by(&have));
        assert!(!Need::any(&[]).is_met_by(&have));
        assert!(Need::all(&["a"]).is_met_by(&have));
    }
}
