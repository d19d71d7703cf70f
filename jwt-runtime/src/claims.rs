//! A verified token: its header and claims, with typed accessors.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A token whose signature and claims have been verified.
///
/// The claims carry Flask's defaults for what the token left out (`type:
/// "access"`, `fresh: false`, `jti: null`), so [`claims`](Self::claims) is what
/// Flask's `get_jwt()` returns.
///
/// Its `Debug` output redacts the `csrf` claim.
#[derive(Clone)]
pub struct DecodedToken {
    pub(crate) header: Arc<Map<String, Value>>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) identity_claim: Arc<str>,
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
            .field("claims", &Redacted(&self.claims))
            .finish()
    }
}

static NULL: Value = Value::Null;

impl DecodedToken {
    /// The JOSE header (`alg`, `typ`, and any additional headers).
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// All claims, with Flask's defaults filled in.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// One claim.
    pub fn get(&self, claim: &str) -> Option<&Value> {
        self.claims.get(claim)
    }

    /// The identity (the `JWT_IDENTITY_CLAIM` claim, `sub` by default). Always
    /// present in a verified token.
    pub fn identity(&self) -> &Value {
        self.claims.get(&*self.identity_claim).unwrap_or(&NULL)
    }

    /// The identity when it is a string (always, while `verify_sub` is on and
    /// the identity claim is `sub`).
    pub fn identity_str(&self) -> Option<&str> {
        self.identity().as_str()
    }

    /// The `type` claim: `"access"` (also when the token has none) or `"refresh"`.
    pub fn token_type(&self) -> Option<&str> {
        self.claims.get("type").and_then(Value::as_str)
    }

    /// Whether this is a refresh token (`type == "refresh"`, as Flask decides).
    pub fn is_refresh(&self) -> bool {
        self.token_type() == Some("refresh")
    }

    /// The `jti` claim (`None` for tokens minted without one).
    pub fn jti(&self) -> Option<&str> {
        self.claims.get("jti").and_then(Value::as_str)
    }

    /// The login family (`fam` claim) of tokens made by
    /// [`create_token_pair`](crate::JwtManager::create_token_pair).
    pub fn family(&self) -> Option<&str> {
        self.claims
            .get(crate::token::FAMILY_CLAIM)
            .and_then(Value::as_str)
    }

    /// The `iat` claim as Unix seconds.
    pub fn issued_at(&self) -> Option<f64> {
        self.claims.get("iat").and_then(Value::as_f64)
    }

    /// The `exp` claim as Unix seconds, `None` for a token that never expires.
    pub fn expires_at(&self) -> Option<f64> {
        self.claims.get("exp").and_then(Value::as_f64)
    }

    /// The `fresh` claim: `false`, `true`, or a Unix timestamp until which the
    /// token is fresh.
    pub fn fresh(&self) -> &Value {
        self.claims.get("fresh").unwrap_or(&NULL)
    }
}
