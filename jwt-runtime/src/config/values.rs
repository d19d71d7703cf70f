//! The types of option values.

use time::Duration;

/// How long a token lives: Flask's `JWT_ACCESS_TOKEN_EXPIRES` /
/// `JWT_REFRESH_TOKEN_EXPIRES` and the `expires_delta` argument.
///
/// `Expires::Never` is Flask's `False`: the token gets no `exp` claim.
/// A negative duration makes a token that is already expired (handy in tests).
/// Unlike Flask, a zero duration does not mean "never": the token expires at once.
///
/// ```
/// use axum_jwt_extended::Expires;
/// use time::Duration;
/// let e: Expires = Duration::minutes(5).into();
/// assert_eq!(e, Expires::After(Duration::minutes(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expires {
    /// The token expires this long after it is created.
    After(Duration),
    /// The token has no `exp` claim.
    Never,
}

impl From<Duration> for Expires {
    fn from(d: Duration) -> Self {
        Expires::After(d)
    }
}

impl From<std::time::Duration> for Expires {
    fn from(d: std::time::Duration) -> Self {
        Expires::After(Duration::try_from(d).unwrap_or(Duration::MAX))
    }
}

/// The `aud` claim written into new tokens (`JWT_ENCODE_AUDIENCE`): one string,
/// or a list, exactly as Flask writes it.
///
/// ```
/// use axum_jwt_extended::Audience;
/// assert_eq!(Audience::from("api"), Audience::One("api".into()));
/// assert_eq!(Audience::from(["a", "b"]), Audience::Many(vec!["a".into(), "b".into()]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`
    One(String),
    /// `"aud": ["x", "y"]`
    Many(Vec<String>),
}

impl Audience {
    pub(crate) fn to_value(&self) -> serde_json::Value {
        match self {
            Audience::One(s) => serde_json::Value::String(s.clone()),
            Audience::Many(v) => {
                serde_json::Value::Array(v.iter().cloned().map(serde_json::Value::String).collect())
            }
        }
    }

    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            Audience::One(s) => vec![s],
            Audience::Many(v) => v,
        }
    }
}

impl From<&str> for Audience {
    fn from(s: &str) -> Self {
        Audience::One(s.to_owned())
    }
}
impl From<String> for Audience {
    fn from(s: String) -> Self {
        Audience::One(s)
    }
}
impl From<Vec<String>> for Audience {
    fn from(v: Vec<String>) -> Self {
        Audience::Many(v)
    }
}
impl From<Vec<&str>> for Audience {
    fn from(v: Vec<&str>) -> Self {
        Audience::Many(v.into_iter().map(str::to_owned).collect())
    }
}
impl<const N: usize> From<[&str; N]> for Audience {
    fn from(v: [&str; N]) -> Self {
        Audience::Many(v.into_iter().map(str::to_owned).collect())
    }
}

/// The `SameSite` attribute of the JWT cookies (`JWT_COOKIE_SAMESITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`
    Strict,
    /// `SameSite=Lax`
    Lax,
    /// `SameSite=None` (requires `cookie_secure`)
    None,
}
