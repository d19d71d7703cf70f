//! A verified token: its header and claims, with typed accessors.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

use crate::claim_paths::{ClaimPaths, Grant};
use crate::error::{messages, JwtError};

/// A token whose signature and claims have been verified.
///
/// The claims carry Flask's defaults for what the token left out (`type:
/// "access"`, `fresh: false`, `jti: null`), so [`claims`](Self::claims) is what
/// Flask's `get_jwt()` returns. The registered claims are read while the
/// token is verified; the full claims map is built on first use only.
///
/// Its `Debug` output redacts the `csrf` claim.
#[derive(Clone)]
pub struct DecodedToken {
    pub(crate) header: Arc<Map<String, Value>>,
    /// The decoded payload JSON, validated (an object with unique members).
    pub(crate) payload: String,
    pub(crate) claims: OnceLock<Map<String, Value>>,
    /// The identity when it is a string; otherwise in `identity_value`.
    pub(crate) identity: Option<Text>,
    pub(crate) identity_value: OnceLock<Value>,
    pub(crate) token_type: TokenType,
    pub(crate) fresh: Option<Value>,
    pub(crate) jti: Option<Text>,
    pub(crate) iat: Option<f64>,
    pub(crate) nbf: Option<f64>,
    pub(crate) exp: Option<f64>,
    pub(crate) iss: Option<Text>,
    pub(crate) family: Option<Text>,
    /// Where this token's issuer puts roles and scopes.
    pub(crate) grants: Arc<ClaimPaths>,
    /// The members roles and scopes are read from, picked from the payload
    /// in one scan on first use (kept with a cached token).
    pub(crate) grant_claims: OnceLock<Map<String, Value>>,
    /// Verified with this service's own keys (its configured keys or its
    /// `decode_key_loader`), not a trusted issuer's or a remote key set's:
    /// only such a token is one this service minted, and may renew.
    pub(crate) own: bool,
}

/// A string claim the token keeps: where it sits in the payload when the JSON
/// string had no escapes (no copy), or the unescaped text.
#[derive(Clone, Debug)]
pub(crate) enum Text {
    Span(std::ops::Range<usize>),
    Owned(Box<str>),
}

impl Text {
    pub(crate) fn get<'a>(&'a self, payload: &'a str) -> &'a str {
        match self {
            Text::Span(range) => payload.get(range.clone()).unwrap_or_default(),
            Text::Owned(s) => s,
        }
    }
}

impl fmt::Debug for DecodedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted<'a>(&'a Map<String, Value>);
        impl fmt::Debug for Redacted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut m = f.debug_map();
                for (k, v) in self.0 {
                    if k == "csrf" {
                        m.entry(k, &"<redacted>");
                    } else {
                        m.entry(k, v);
                    }
                }
                m.finish()
            }
        }
        f.debug_struct("DecodedToken")
            .field("header", &*self.header)
            .field("claims", &Redacted(self.claims()))
            .finish()
    }
}

/// The `type` claim, without a copy for the two values Flask writes.
#[derive(Clone, Debug)]
pub(crate) enum TokenType {
    /// No `type` claim: an access token, as Flask decides.
    Missing,
    Access,
    Refresh,
    /// Anything else, kept for [`DecodedToken::token_type`].
    Other(Value),
}

static FALSE: Value = Value::Bool(false);

/// The claims map as a deserializer, without copying it into a `Value`.
struct ClaimsDeserializer<'a>(&'a Map<String, Value>);

impl<'de> Deserializer<'de> for ClaimsDeserializer<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_map(serde::de::value::MapDeserializer::new(
            self.0.iter().map(|(k, v)| (k.as_str(), v)),
        ))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl DecodedToken {
    /// The JOSE header (`alg`, `typ`, and any additional headers).
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// All claims, with Flask's defaults filled in.
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims.get_or_init(|| {
            let mut claims: Map<String, Value> =
                serde_json::from_str(&self.payload).unwrap_or_default();
            claims
                .entry("type")
                .or_insert_with(|| Value::String("access".into()));
            claims.entry("fresh").or_insert(Value::Bool(false));
            claims.entry("jti").or_insert(Value::Null);
            claims
        })
    }

    /// One claim.
    pub fn get(&self, claim: &str) -> Option<&Value> {
        self.claims().get(claim)
    }

    /// The identity (the `JWT_IDENTITY_CLAIM` claim, `sub` by default). Always
    /// present in a verified token.
    pub fn identity(&self) -> &Value {
        self.identity_value.get_or_init(|| match &self.identity {
            Some(text) => Value::String(text.get(&self.payload).to_owned()),
            None => Value::Null,
        })
    }

    /// The identity when it is a string (always, while `verify_sub` is on and
    /// the identity claim is `sub`).
    pub fn identity_str(&self) -> Option<&str> {
        match &self.identity {
            Some(text) => Some(text.get(&self.payload)),
            None => self.identity_value.get().and_then(Value::as_str),
        }
    }

    /// The identity as a `T`: a string identity as is (`String`, or a type
    /// that deserializes from a string, such as `uuid::Uuid`), or read as a
    /// JSON value (so `"42"` is the integer 42, as identities are strings
    /// while `verify_sub` is on). Only the canonical text is read so:
    /// `" 42"`, `"42\n"`, `"+42"` or `"-0"` are not user 42 (revocation and
    /// sessions key on the exact text, so a token for `" 42"` must not act
    /// as user 42 and escape a logout of `"42"`).
    ///
    /// An identity of another shape is a 422 [`JwtError::InvalidToken`] with
    /// a stable message that does not echo the token.
    ///
    /// ```
    /// # use axum_jwt_extended::{JwtConfig, JwtManager};
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let token = jwt.decode_token(&jwt.create_access_token("42")?, false)?;
    /// assert_eq!(token.identity_as::<u64>()?, 42);
    /// assert_eq!(token.identity_as::<String>()?, "42");
    /// assert!(token.identity_as::<bool>().is_err());
    /// let padded = jwt.decode_token(&jwt.create_access_token(" 42")?, false)?;
    /// assert!(padded.identity_as::<u64>().is_err());
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn identity_as<T: DeserializeOwned>(&self) -> Result<T, JwtError> {
        let identity = self.identity();
        if let Ok(value) = T::deserialize(identity) {
            return Ok(value);
        }
        identity
            .as_str()
            .and_then(canonical_json)
            .and_then(|value| T::deserialize(value).ok())
            .ok_or_else(|| {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    target: "axum_jwt_extended",
                    expected = std::any::type_name::<T>(),
                    "the token's identity is not of the type asked for"
                );
                JwtError::invalid(messages::IDENTITY_TYPE)
            })
    }

    /// The claims as a `T` (any [`Deserialize`](serde::Deserialize) type,
    /// with Flask's defaults filled in as in [`claims`](Self::claims)).
    ///
    /// Claims of another shape are a 422 [`JwtError::InvalidToken`] with a
    /// stable message that does not echo the token.
    ///
    /// ```
    /// # use axum_jwt_extended::{JwtConfig, JwtManager, TokenOptions};
    /// #[derive(serde::Deserialize)]
    /// struct MyClaims { sub: String, role: String }
    ///
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let options = TokenOptions::new().additional_claims(serde_json::json!({"role": "admin"}));
    /// let token = jwt.decode_token(&jwt.create_access_token_with("alice", options)?, false)?;
    /// let claims: MyClaims = token.claims_as()?;
    /// assert_eq!((claims.sub.as_str(), claims.role.as_str()), ("alice", "admin"));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn claims_as<T: DeserializeOwned>(&self) -> Result<T, JwtError> {
        serde_path_to_error::deserialize(ClaimsDeserializer(self.claims())).map_err(|error| {
            #[cfg(feature = "tracing")]
            claims_mismatch::<T>(&error);
            #[cfg(not(feature = "tracing"))]
            let _ = error;
            JwtError::invalid(messages::CLAIMS_TYPE)
        })
    }

    /// The `type` claim: `"access"` (also when the token has none) or `"refresh"`.
    pub fn token_type(&self) -> Option<&str> {
        match &self.token_type {
            TokenType::Missing | TokenType::Access => Some("access"),
            TokenType::Refresh => Some("refresh"),
            TokenType::Other(t) => t.as_str(),
        }
    }

    /// An access token: `type` is `access` or missing (as Flask writes and
    /// reads it), not another type that merely passes access routes.
    pub(crate) fn is_access(&self) -> bool {
        matches!(self.token_type, TokenType::Access | TokenType::Missing)
    }

    /// Whether this is a refresh token (`type == "refresh"`, as Flask decides).
    pub fn is_refresh(&self) -> bool {
        self.token_type() == Some("refresh")
    }

    /// The `jti` claim (`None` for tokens minted without one).
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_ref().map(|t| t.get(&self.payload))
    }

    /// The login family (`fam` claim) of tokens made by
    /// [`create_token_pair`](crate::JwtManager::create_token_pair).
    pub fn family(&self) -> Option<&str> {
        self.family.as_ref().map(|t| t.get(&self.payload))
    }

    /// The `iat` claim as Unix seconds.
    pub fn issued_at(&self) -> Option<f64> {
        self.iat
    }

    /// The `exp` claim as Unix seconds, `None` for a token that never expires.
    pub fn expires_at(&self) -> Option<f64> {
        self.exp
    }

    /// The `iss` claim.
    pub fn issuer(&self) -> Option<&str> {
        self.iss.as_ref().map(|t| t.get(&self.payload))
    }

    /// The `fresh` claim: `false`, `true`, or a Unix timestamp until which the
    /// token is fresh.
    pub fn fresh(&self) -> &Value {
        self.fresh.as_ref().unwrap_or(&FALSE)
    }

    /// The token's roles, read from the claim paths of its issuer
    /// ([`JwtConfigBuilder::roles_claims`](crate::JwtConfigBuilder::roles_claims),
    /// [`Issuer::roles_claims`](crate::Issuer::roles_claims); by default
    /// `roles` and Keycloak's `realm_access.roles`). A claim of another shape
    /// than a string or an array of strings is a 422 naming its path.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, TokenOptions};
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?;
    /// let claims = serde_json::json!({"realm_access": {"roles": ["admin"]}, "scope": "notes:read notes:write"});
    /// let token = jwt.create_access_token_with("alice", TokenOptions::new().additional_claims(claims))?;
    /// let decoded = jwt.decode_token(&token, false)?;
    /// assert_eq!(decoded.roles()?, ["admin"]);
    /// assert_eq!(decoded.scopes()?, ["notes:read", "notes:write"]);
    /// assert!(decoded.has_scope("notes:write") && !decoded.has_role("user"));
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn roles(&self) -> Result<Vec<String>, JwtError> {
        self.read_grant(Grant::Roles)
    }

    /// Roles or scopes: from the claims map when it was built already,
    /// else from a scan of the payload that parses only their members.
    fn read_grant(&self, grant: Grant) -> Result<Vec<String>, JwtError> {
        let claims = match self.claims.get() {
            Some(claims) => claims,
            None => self
                .grant_claims
                .get_or_init(|| self.grants.pick_from_payload(&self.payload)),
        };
        let read = self.grants.read(grant, claims);
        read.map_err(|msg| JwtError::InvalidToken(msg.into()))
    }

    /// The token's scopes, read from the claim paths of its issuer (by
    /// default `scope`, a space-separated string, and `scp`, a string or an
    /// array); a claim of another shape is a 422 naming its path.
    pub fn scopes(&self) -> Result<Vec<String>, JwtError> {
        self.read_grant(Grant::Scopes)
    }

    /// Whether [`roles`](Self::roles) has `role` (`false` when the roles
    /// claim has the wrong shape).
    pub fn has_role(&self, role: &str) -> bool {
        self.roles()
            .is_ok_and(|roles| roles.iter().any(|r| r == role))
    }

    /// Whether [`scopes`](Self::scopes) has `scope` (`false` when the scope
    /// claim has the wrong shape).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes()
            .is_ok_and(|scopes| scopes.iter().any(|s| s == scope))
    }
}

/// `text` read as JSON when it is exactly that value's compact JSON text
/// (`"42"`, never `" 42"`, `"42\n"`, `"-0"` or `"1e2"`): one identity, one
/// spelling.
fn canonical_json(text: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(text).ok()?;
    (serde_json::to_string(&value).ok()? == text).then_some(value)
}

/// A user loaded by the manager's `user_lookup_loader`.
pub(crate) type AnyUser = Arc<dyn std::any::Any + Send + Sync>;

/// Logs why claims did not deserialize into `T`, at `warn` (only verified
/// tokens get here, so a mismatch is the app's type, not an attack): the
/// path of the field and the kind of mismatch, never a claim's value.
/// serde's texts put values after a colon (`invalid type: string "..."`),
/// so only the words before it are kept; a field the struct does not know
/// is named by the token, so it is reported without its name.
#[cfg(feature = "tracing")]
fn claims_mismatch<T>(error: &serde_path_to_error::Error<serde_json::Error>) {
    const LONGEST_PATH: usize = 200;
    let text = error.inner().to_string();
    let kind = if text.starts_with("missing field") {
        text.as_str()
    } else if text.starts_with("unknown field") {
        "unknown field"
    } else {
        text.split(':').next().unwrap_or("mismatch")
    };
    let mut path = error.path().to_string();
    if path.len() > LONGEST_PATH {
        let mut cut = LONGEST_PATH;
        while !path.is_char_boundary(cut) {
            cut -= 1;
        }
        path.truncate(cut);
        path.push('…');
    }
    tracing::warn!(
        target: "axum_jwt_extended",
        expected = std::any::type_name::<T>(),
        path = ?path,
        kind = ?kind,
        "the token's claims do not match the type asked for"
    );
}
