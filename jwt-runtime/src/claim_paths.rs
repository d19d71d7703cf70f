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

    /// The top-level members the role and scope paths start with, picked
    /// from the payload text in one scan (the others are skipped, not
    /// built): a route's role check costs a scan, not the whole claims map.
    pub(crate) fn pick_from_payload(&self, payload: &str) -> Map<String, Value> {
        let wanted: Vec<&str> = self
            .roles
            .iter()
            .chain(&self.scopes)
            .filter_map(|p| p.segments().first().map(String::as_str))
            .collect();
        pick_members(payload, &wanted).unwrap_or_default()
    }

    /// The roles or scopes of `claims`: a string is split on spaces (U+0020
    /// only, RFC 6749 section 3.3: a tab, a newline or U+3000 is part of a
    /// name, so `"nothing\u{3000}admin"` grants no `admin`), an array must
    /// hold strings. A claim of another shape is an `Err` naming
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
                Some(Value::String(text)) => text.split(' ').for_each(&mut add),
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

/// The members of a JSON object named in `wanted`, the others skipped
/// unparsed (`IgnoredAny`). A verified token's payload is an object with
/// unique member names.
fn pick_members(payload: &str, wanted: &[&str]) -> Option<Map<String, Value>> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Pick<'w>(&'w [&'w str]);
    impl<'de> Visitor<'de> for Pick<'_> {
        type Value = Map<String, Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut picked = Map::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.contains(&key.as_ref()) {
                    let value: Value = map.next_value()?;
                    picked.insert(key.into_owned(), value);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(picked)
        }
    }
    let mut de = serde_json::Deserializer::from_str(payload);
    de.deserialize_map(Pick(wanted)).ok()
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
    fn reading_the_payload_agrees_with_reading_the_claims() {
        let paths = ClaimPaths::default();
        for payload in [
            r#"{"sub":"a","roles":["x","y"],"big":{"deep":[1,2,3]},"scope":"s t"}"#,
            r#"{"realm_access":{"roles":["admin"]},"scp":["a"],"roles":"r"}"#,
            r#"{"roles":5}"#,
            r#"{"sub":"\u0061","roles":["\u00e9"]}"#,
            r#"{}"#,
        ] {
            let claims: Map<String, Value> = serde_json::from_str(payload).unwrap();
            for grant in [Grant::Roles, Grant::Scopes] {
                let picked = paths.pick_from_payload(payload);
                assert_eq!(
                    paths.read(grant, &picked),
                    paths.read(grant, &claims),
                    "{payload}"
                );
            }
        }
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
