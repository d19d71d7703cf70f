//! Where a token's roles and scopes are: claim paths such as `roles`,
//! `scope` (a space-separated string), `scp`, Keycloak's
//! `realm_access.roles` and `resource_access.<client>.roles`.

use std::fmt;

use serde_json::{Map, Value};

/// A path to a claim: its top-level name, then the members of nested
/// objects (`realm_access.roles` is `["realm_access", "roles"]`).
///
/// ```
/// use axum_jwt_extended::ClaimPath;
/// assert_eq!(ClaimPath::parse("realm_access.roles").segments(), ["realm_access", "roles"]);
/// // A member name with a dot in it (a Keycloak client id):
/// let path = ClaimPath::from_segments(["resource_access", "my.client", "roles"]);
/// assert_eq!(path.to_string(), "resource_access.my.client.roles");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClaimPath(Vec<String>);

impl ClaimPath {
    /// A dotted path: `roles`, `realm_access.roles`. A URL is one claim
    /// name (Auth0's namespaced claims: `https://example.com/roles`).
    ///
    /// ```
    /// use axum_jwt_extended::ClaimPath;
    /// assert_eq!(ClaimPath::parse("https://example.com/roles").segments(), ["https://example.com/roles"]);
    /// ```
    pub fn parse(dotted: &str) -> Self {
        if dotted.starts_with("https://") || dotted.starts_with("http://") {
            return ClaimPath(vec![dotted.to_owned()]);
        }
        ClaimPath(dotted.split('.').map(str::to_owned).collect())
    }

    /// A path of member names, for names with dots in them.
    pub fn from_segments<I, S>(segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ClaimPath(segments.into_iter().map(Into::into).collect())
    }

    /// The member names, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The value at this path, if every member is there.
    pub fn find<'a>(&self, claims: &'a Map<String, Value>) -> Option<&'a Value> {
        let (first, rest) = self.0.split_first()?;
        let mut value = claims.get(first)?;
        for member in rest {
            value = value.as_object()?.get(member)?;
        }
        Some(value)
    }
}

impl From<&str> for ClaimPath {
    fn from(dotted: &str) -> Self {
        ClaimPath::parse(dotted)
    }
}

impl From<String> for ClaimPath {
    fn from(dotted: String) -> Self {
        ClaimPath::parse(&dotted)
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl fmt::Debug for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimPath({self})")
    }
}

/// Where roles and scopes are read from, in order; what every path holds is
/// gathered (duplicates once).
///
/// The defaults read what the common providers write: roles from `roles`
/// (Entra ID, Auth0 with a namespace aside) and `realm_access.roles`
/// (Keycloak); scopes from `scope` (a space-separated string, RFC 8693 and
/// RFC 9068) and `scp` (Entra ID, Okta: a string or an array).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimPaths {
    pub(crate) roles: Vec<ClaimPath>,
    pub(crate) scopes: Vec<ClaimPath>,
}

impl Default for ClaimPaths {
    fn default() -> Self {
        ClaimPaths {
            roles: vec![
                ClaimPath::parse("roles"),
                ClaimPath::parse("realm_access.roles"),
            ],
            scopes: vec![ClaimPath::parse("scope"), ClaimPath::parse("scp")],
        }
    }
}

/// Which of the two lists is read, for the error message.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Grant {
    Roles,
    Scopes,
}

impl ClaimPaths {
    pub(crate) fn paths(&self, grant: Grant) -> &[ClaimPath] {
        match grant {
            Grant::Roles => &self.roles,
            Grant::Scopes => &self.scopes,
        }
    }

    pub(crate) fn set(&mut self, grant: Grant, paths: Vec<ClaimPath>) {
        match grant {
            Grant::Roles => self.roles = paths,
            Grant::Scopes => self.scopes = paths,
        }
    }

    /// The roles or scopes of `claims`: a string is split on whitespace, an
    /// array must hold strings. A claim of another shape is an `Err` naming
    /// the path (never a silent empty list).
    pub(crate) fn read(
        &self,
        grant: Grant,
        claims: &Map<String, Value>,
    ) -> Result<Vec<String>, String> {
        let mut found: Vec<String> = Vec::new();
        let mut add = |value: &str| {
            if !value.is_empty() && !found.iter().any(|f| f == value) {
                found.push(value.to_owned());
            }
        };
        for path in self.paths(grant) {
            match path.find(claims) {
                None => {}
                Some(Value::String(text)) => text.split_whitespace().for_each(&mut add),
                Some(Value::Array(items)) => {
                    for item in items {
                        match item {
                            Value::String(text) => add(text),
                            _ => return Err(shape_error(grant, path)),
                        }
                    }
                }
                Some(_) => return Err(shape_error(grant, path)),
            }
        }
        Ok(found)
    }
}

fn shape_error(grant: Grant, path: &ClaimPath) -> String {
    let what = match grant {
        Grant::Roles => "roles",
        Grant::Scopes => "scopes",
    };
    format!("The {what} claim {path} must be a string or an array of strings")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn providers_claims_are_read_where_they_put_them() {
        let paths = ClaimPaths::default();
        let keycloak = claims(json!({
            "realm_access": {"roles": ["admin", "user"]},
            "scope": "openid notes:read notes:read",
        }));
        assert_eq!(
            paths.read(Grant::Roles, &keycloak),
            Ok(vec!["admin".into(), "user".into()])
        );
        assert_eq!(
            paths.read(Grant::Scopes, &keycloak),
            Ok(vec!["openid".into(), "notes:read".into()])
        );
        let entra = claims(json!({"roles": ["Task.Write"], "scp": "User.Read Mail.Send"}));
        assert_eq!(
            paths.read(Grant::Roles, &entra),
            Ok(vec!["Task.Write".into()])
        );
        assert_eq!(
            paths.read(Grant::Scopes, &entra),
            Ok(vec!["User.Read".into(), "Mail.Send".into()])
        );
        let okta = claims(json!({"scp": ["a", "b"]}));
        assert_eq!(
            paths.read(Grant::Scopes, &okta),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(paths.read(Grant::Roles, &okta), Ok(vec![]));
    }

    #[test]
    fn a_claim_of_the_wrong_shape_is_an_error_naming_its_path() {
        let paths = ClaimPaths::default();
        for bad in [
            json!({"roles": 1}),
            json!({"roles": ["a", 2]}),
            json!({"realm_access": {"roles": {"a": 1}}}),
        ] {
            let err = paths.read(Grant::Roles, &claims(bad)).unwrap_err();
            assert!(err.starts_with("The roles claim "), "{err}");
        }
        // A path through a non-object is simply absent.
        assert_eq!(
            paths.read(Grant::Roles, &claims(json!({"realm_access": "x"}))),
            Ok(vec![])
        );
    }

    #[test]
    fn nested_client_roles_with_dots_in_the_client_id() {
        let mut paths = ClaimPaths::default();
        paths.set(
            Grant::Roles,
            vec![ClaimPath::from_segments([
                "resource_access",
                "my.api",
                "roles",
            ])],
        );
        let token = claims(json!({"resource_access": {"my.api": {"roles": ["editor"]}}}));
        assert_eq!(paths.read(Grant::Roles, &token), Ok(vec!["editor".into()]));
    }
}
