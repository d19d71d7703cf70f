//! Token creation and decoding, byte for byte in Flask-JWT-Extended's layout
//! and with PyJWT's checks, order and messages.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Number, Value};
use time::Duration;

use crate::claims::{DecodedToken, Text, TokenType};
use crate::config::{Expires, JwtConfig};
use crate::error::{messages, JwtError};
use crate::keys::{alg_name, SigningKey, VerificationKey};

/// The `fresh` claim of a new access token (Flask's `fresh` argument).
///
/// ```
/// use axum_jwt_extended::Fresh;
/// use time::Duration;
/// assert_eq!(Fresh::from(true), Fresh::Yes);
/// assert_eq!(Fresh::from(Duration::minutes(5)), Fresh::For(Duration::minutes(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Fresh {
    /// `"fresh": false` (the default).
    #[default]
    No,
    /// `"fresh": true`.
    Yes,
    /// Fresh for this long from now: stored as a float Unix timestamp, like Flask.
    For(Duration),
    /// Fresh until this Unix timestamp (seconds).
    Until(f64),
}

impl From<bool> for Fresh {
    fn from(b: bool) -> Self {
        if b {
            Fresh::Yes
        } else {
            Fresh::No
        }
    }
}

impl From<Duration> for Fresh {
    fn from(d: Duration) -> Self {
        Fresh::For(d)
    }
}

/// Per-token options of `create_access_token_with` / `create_refresh_token_with`:
/// Flask's `fresh`, `expires_delta`, `additional_claims` and `additional_headers`.
///
/// ```
/// use axum_jwt_extended::{TokenOptions, Expires};
/// use serde_json::json;
/// use time::Duration;
/// let opts = TokenOptions::new()
///     .fresh(true)
///     .expires(Duration::minutes(5))
///     .additional_claims(json!({"role": "admin"}))
///     .additional_headers(json!({"kid": "2026-11"}));
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TokenOptions {
    pub(crate) family: Option<String>,
    pub(crate) fresh: Fresh,
    pub(crate) expires: Option<Expires>,
    pub(crate) additional_claims: Option<Value>,
    pub(crate) additional_headers: Option<Value>,
    pub(crate) unlinked: bool,
}

impl TokenOptions {
    /// No options: not fresh, the configured lifetime, no extra claims or headers.
    pub fn new() -> Self {
        Self::default()
    }
    /// Flask's `fresh` (ignored by refresh tokens, which are never fresh).
    pub fn fresh(mut self, fresh: impl Into<Fresh>) -> Self {
        self.fresh = fresh.into();
        self
    }
    /// Flask's `expires_delta`: a lifetime for this token, or [`Expires::Never`].
    pub fn expires(mut self, expires: impl Into<Expires>) -> Self {
        self.expires = Some(expires.into());
        self
    }
    /// Flask's `additional_claims`: a JSON object merged into the payload.
    ///
    /// Reserved claims (the identity claim, `type`, `fresh`, `jti`, `exp`,
    /// `csrf`, `fam`) cannot be overridden: creating the token then fails with
    /// [`JwtError::Encode`].
    pub fn additional_claims(mut self, claims: Value) -> Self {
        self.additional_claims = Some(claims);
        self
    }
    /// Flask's `additional_headers`: a JSON object merged into the JOSE header
    /// (`alg`, `crit` and `b64` cannot be set this way).
    pub fn additional_headers(mut self, headers: Value) -> Self {
        self.additional_headers = Some(headers);
        self
    }
    /// The new token does not join the login of the token being verified.
    ///
    /// By default a token created while a token of a linked login (one made
    /// by `create_token_pair`, with a `fam` claim) is in scope joins that
    /// login: logging the login out (`revoke_current_token_family`) revokes
    /// it too. A token of a login cannot live longer than the longest
    /// configured lifetime (creating one fails); an unlinked token can, and
    /// stays revocable by its own `jti` and by "log out everywhere".
    ///
    /// ```
    /// use axum_jwt_extended::{Duration, TokenOptions};
    /// let long_lived = TokenOptions::new().expires(Duration::days(365)).unlinked();
    /// # let _ = long_lived;
    /// ```
    pub fn unlinked(mut self) -> Self {
        self.unlinked = true;
        self
    }
}

/// The keys a token may be verified with: the configured ones, or one chosen
/// for this token by a `decode_key_loader` or a remote JWKS.
pub(crate) struct KeyChoice<'a> {
    pub(crate) configured: &'a [std::sync::Arc<VerificationKey>],
    pub(crate) chosen: Option<&'a VerificationKey>,
}

impl<'a> KeyChoice<'a> {
    /// The key for an allowed `alg`: the chosen one (which must be of that
    /// algorithm), else the configured key named by `kid`, else the primary
    /// key of that algorithm. The `jku`, `x5u` and `jwk` headers are never used.
    fn select(&self, alg: jsonwebtoken::Algorithm, kid: Option<&str>) -> Option<&VerificationKey> {
        if let Some(chosen) = self.chosen {
            return (chosen.algorithm() == alg).then_some(chosen);
        }
        let mut candidates = self.configured.iter().filter(|k| k.algorithm() == alg);
        if let Some(kid) = kid {
            if let Some(named) = self
                .configured
                .iter()
                .find(|k| k.algorithm() == alg && k.kid.as_deref() == Some(kid))
            {
                return Some(named);
            }
        }
        candidates.next().map(|k| &**k)
    }
}

/// A JSON object serialized in insertion order (the order Flask writes claims in).
struct Ordered<'a>(&'a [(String, Value)]);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn put(payload: &mut Vec<(String, Value)>, key: &str, value: Value) {
    match payload.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => payload.push((key.to_owned(), value)),
    }
}

fn float(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

pub(crate) const RESERVED_CLAIMS: [&str; 6] = ["type", "fresh", "jti", "exp", "csrf", FAMILY_CLAIM];

/// The claim linking the tokens of one login (access, refresh, and rotated
/// refresh tokens), for family revocation and reuse detection.
pub const FAMILY_CLAIM: &str = "fam";

/// Creates a token in Flask-JWT-Extended's layout:
/// header `{"alg":..,"typ":"JWT"}` (sorted keys, as PyJWT writes it) and payload
/// `fresh, iat, jti, type, <identity>, nbf, csrf, aud, iss, exp`, then the
/// additional claims.
pub(crate) fn encode(
    config: &JwtConfig,
    key: &SigningKey,
    identity: Value,
    refresh: bool,
    options: TokenOptions,
) -> Result<String, JwtError> {
    let now = config.clock.now();
    let iat = now.floor();
    let mut payload: Vec<(String, Value)> = Vec::with_capacity(12);
    let fresh = if refresh { Fresh::No } else { options.fresh };
    let fresh = match fresh {
        Fresh::No => Value::Bool(false),
        Fresh::Yes => Value::Bool(true),
        Fresh::For(d) => float(now + d.as_seconds_f64()),
        Fresh::Until(t) => float(t),
    };
    if fresh.is_null() {
        return Err(JwtError::Encode(
            "the fresh timestamp must be a finite number".into(),
        ));
    }
    payload.push(("fresh".into(), fresh));
    payload.push(("iat".into(), Value::from(iat as i64)));
    payload.push((
        "jti".into(),
        Value::String(uuid::Uuid::new_v4().to_string()),
    ));
    payload.push((
        "type".into(),
        Value::String(if refresh { "refresh" } else { "access" }.into()),
    ));
    put(&mut payload, &config.identity_claim, identity);
    if config.encode_nbf {
        put(&mut payload, "nbf", Value::from(iat as i64));
    }
    if config.csrf_protect {
        put(
            &mut payload,
            "csrf",
            Value::String(uuid::Uuid::new_v4().to_string()),
        );
    }
    if let Some(family) = options.family {
        put(&mut payload, FAMILY_CLAIM, Value::String(family));
    }
    if let Some(aud) = &config.encode_audience {
        put(&mut payload, "aud", aud.to_value());
    }
    if let Some(iss) = &config.encode_issuer {
        put(&mut payload, "iss", Value::String(iss.clone()));
    }
    let expires = options.expires.unwrap_or(if refresh {
        config.refresh_token_expires
    } else {
        config.access_token_expires
    });
    if let Expires::After(delta) = expires {
        let exp = (now + delta.as_seconds_f64()).floor();
        put(&mut payload, "exp", Value::from(exp as i64));
    }
    match options.additional_claims {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => {
            for (k, v) in extra {
                if k == config.identity_claim || RESERVED_CLAIMS.contains(&k.as_str()) {
                    return Err(JwtError::Encode(format!(
                        "additional claim `{k}` would override a reserved claim; the library writes it"
                    )));
                }
                put(&mut payload, &k, v);
            }
        }
        Some(_) => {
            return Err(JwtError::Encode(
                "additional_claims must be a JSON object".into(),
            ))
        }
    }
    for (k, v) in &payload {
        if k == "sub" && config.verify_sub && !v.is_string() {
            return Err(JwtError::Encode(format!(
                "the `sub` claim must be a string while verify_sub (JWT_VERIFY_SUB) is on, got {}",
                json_type(v)
            )));
        }
        if k == "iss" && !v.is_string() {
            return Err(JwtError::Encode("Issuer (iss) must be a string.".into()));
        }
    }

    let known = match options.additional_headers {
        None | Some(Value::Null) => config
            .keys
            .header_segment(key.algorithm(), key.kid.as_deref()),
        _ => None,
    };
    let header_segment = match known {
        Some(segment) => segment.to_owned(),
        None => header_segment(key, options.additional_headers)?,
    };
    let payload_json =
        serde_json::to_vec(&Ordered(&payload)).map_err(|e| JwtError::Encode(e.to_string()))?;
    let mut out = String::with_capacity(header_segment.len() + payload_json.len() * 4 / 3 + 100);
    out.push_str(&header_segment);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload_json, &mut out);
    let signature = key.inner.sign(out.as_bytes()).map_err(JwtError::Encode)?;
    out.push('.');
    out.push_str(&signature);
    Ok(out)
}

/// The JOSE header of a new token with additional headers, as PyJWT writes
/// it (sorted keys), base64url-encoded.
fn header_segment(key: &SigningKey, additional: Option<Value>) -> Result<String, JwtError> {
    let mut header: BTreeMap<String, Value> = BTreeMap::new();
    header.insert("typ".into(), Value::String("JWT".into()));
    header.insert(
        "alg".into(),
        Value::String(alg_name(key.algorithm()).into()),
    );
    let key_id = key.kid.clone();
    match additional {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => {
            for (k, v) in extra {
                if matches!(k.as_str(), "alg" | "crit" | "b64") {
                    return Err(JwtError::Encode(format!(
                        "additional header `{k}` cannot be set; configure the algorithm with `JwtConfig`"
                    )));
                }
                header.insert(k, v);
            }
        }
        Some(_) => {
            return Err(JwtError::Encode(
                "additional_headers must be a JSON object".into(),
            ))
        }
    }
    if header
        .get("typ")
        .is_some_and(|typ| !crate::python::is_truthy(typ))
    {
        header.remove("typ");
    }
    // The signing key names itself: its kid wins over an additional header.
    if let Some(kid) = key_id {
        header.insert("kid".into(), Value::String(kid));
    }

    let header_json = serde_json::to_vec(&header).map_err(|e| JwtError::Encode(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(header_json))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A top-level JSON value: an object with unique member names, or anything else.
enum TopLevel {
    Object(Map<String, Value>),
    NotObject,
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::NotObject)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<TopLevel, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate member name \"{}\"",
                    crate::error::echo(&key)
                )));
            }
            map.insert(key, value);
        }
        Ok(TopLevel::Object(map))
    }
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopLevelVisitor)
    }
}

/// The claims verification reads, from one pass over the payload: values of
/// the registered claims (and the identity claim), everything else skipped;
/// duplicate member names refused.
#[derive(Default)]
struct Registered<'de> {
    iat: Option<Claim<'de>>,
    nbf: Option<Claim<'de>>,
    exp: Option<Claim<'de>>,
    iss: Option<Claim<'de>>,
    aud: Option<Claim<'de>>,
    sub: Option<Claim<'de>>,
    jti: Option<Claim<'de>>,
    kind: Option<Claim<'de>>,
    fresh: Option<Claim<'de>>,
    csrf: Option<Claim<'de>>,
    fam: Option<Claim<'de>>,
    identity: Option<Claim<'de>>,
}

impl<'de> Registered<'de> {
    /// The slot of a registered member name, with its bit for finding
    /// duplicates without allocating.
    fn slot(&mut self, name: &str) -> Option<(u16, &mut Option<Claim<'de>>)> {
        Some(match name {
            "iat" => (1 << 0, &mut self.iat),
            "nbf" => (1 << 1, &mut self.nbf),
            "exp" => (1 << 2, &mut self.exp),
            "iss" => (1 << 3, &mut self.iss),
            "aud" => (1 << 4, &mut self.aud),
            "sub" => (1 << 5, &mut self.sub),
            "jti" => (1 << 6, &mut self.jti),
            "type" => (1 << 7, &mut self.kind),
            "fresh" => (1 << 8, &mut self.fresh),
            "csrf" => (1 << 9, &mut self.csrf),
            FAMILY_CLAIM => (1 << 10, &mut self.fam),
            _ => return None,
        })
    }
}

/// A claim value: a string borrowed from the payload when it has no escapes,
/// anything else as a JSON value. Verification only reads most claims, so
/// nothing is copied until the token keeps it.
#[derive(Clone)]
enum Claim<'de> {
    Str(std::borrow::Cow<'de, str>),
    Other(Value),
}

impl Claim<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Claim::Str(s) => Some(s),
            Claim::Other(_) => None,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Claim::Str(s) => Value::String(s.into_owned()),
            Claim::Other(v) => v,
        }
    }

    /// A string claim as kept by the token: a span of the payload (which
    /// starts at address `base` and is `len` bytes long) when borrowed from it.
    fn into_text(self, base: usize, len: usize) -> Option<Text> {
        match self {
            Claim::Str(std::borrow::Cow::Borrowed(s)) => {
                let start = (s.as_ptr() as usize).wrapping_sub(base);
                Some(if start <= len && s.len() <= len - start {
                    Text::Span(start..start + s.len())
                } else {
                    Text::Owned(s.into())
                })
            }
            Claim::Str(std::borrow::Cow::Owned(s)) => Some(Text::Owned(s.into())),
            Claim::Other(_) => None,
        }
    }

    /// Python's `int(x)` for a NumericDate claim: numbers only (truncated); we
    /// refuse the strings and booleans Python would coerce.
    fn numeric_date(&self) -> Option<f64> {
        self.as_f64().map(f64::trunc)
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Claim::Other(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    /// Python's truthiness, as PyJWT tests a missing audience.
    fn is_falsy(&self) -> bool {
        match self {
            Claim::Str(s) => s.is_empty(),
            Claim::Other(v) => !crate::python::is_truthy(v),
        }
    }
}

impl<'de> Deserialize<'de> for Claim<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Claim<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Claim<'de>, E> {
                Ok(Claim::Str(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Claim<'de>, E> {
                Ok(Claim::Str(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Claim<'de>, E> {
                Ok(Claim::Str(std::borrow::Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Claim<'de>, E> {
                Ok(Claim::Other(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Claim<'de>, E> {
                Ok(Claim::Other(Value::Number(v.into())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Claim<'de>, E> {
                Ok(Claim::Other(Value::Number(v.into())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Claim<'de>, E> {
                Ok(Claim::Other(
                    Number::from_f64(v).map_or(Value::Null, Value::Number),
                ))
            }
            fn visit_unit<E>(self) -> Result<Claim<'de>, E> {
                Ok(Claim::Other(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Claim<'de>, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Claim::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Claim<'de>, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Claim::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Fills a [`Registered`] in place (it is large: moving it through results
/// showed up as memcpy in profiles); the value says whether the payload was
/// an object.
struct RegisteredSeed<'a, 'de> {
    identity_claim: &'a str,
    /// Whether the `csrf` claim is needed (a cookie token on a CSRF method).
    want_csrf: bool,
    out: &'a mut Registered<'de>,
}

/// Skips a JSON value through `deserialize_any`, so that serde_json's nesting
/// limit applies exactly as it does when the claims are parsed into `Value`s
/// (`IgnoredAny` would skip any depth).
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value::<Skip>()?;
                }
                Ok(Skip)
            }
        }
        d.deserialize_any(V)
    }
}

/// A member name, borrowed from the input when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> de::DeserializeSeed<'de> for RegisteredSeed<'_, 'de> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RegisteredSeed<'_, 'de> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<bool, A::Error> {
        fn duplicate<E: de::Error>(name: &str) -> E {
            E::custom(format_args!(
                "duplicate member name \"{}\"",
                crate::error::echo(name)
            ))
        }
        let mut seen_registered: u16 = 0;
        // Other member names; allocated only when a token has some, and
        // hashed once there are many, so the check stays linear.
        let mut seen_other = SeenNames::default();
        let r = self.out;
        while let Some(Key(key)) = access.next_key::<Key<'de>>()? {
            // `sub` as the identity is taken from its slot at the end: no copy.
            let is_identity = *key == *self.identity_claim && &*key != "sub";
            // `csrf` is kept only when a double-submit value is to be compared.
            let keep = self.want_csrf || &*key != "csrf";
            let mut identity = None;
            match r.slot(&key) {
                Some((bit, slot)) => {
                    if seen_registered & bit != 0 {
                        return Err(duplicate(&key));
                    }
                    seen_registered |= bit;
                    if keep {
                        let value: Claim<'de> = access.next_value()?;
                        if is_identity {
                            identity = Some(value.clone());
                        }
                        *slot = Some(value);
                    } else if is_identity {
                        identity = Some(access.next_value()?);
                    } else {
                        access.next_value::<Skip>()?;
                    }
                }
                None => {
                    if !seen_other.insert(key.clone()) {
                        return Err(duplicate(&key));
                    }
                    if is_identity {
                        identity = Some(access.next_value()?);
                    } else {
                        access.next_value::<Skip>()?;
                    }
                }
            }
            if identity.is_some() {
                r.identity = identity;
            }
        }
        Ok(true)
    }
}

/// Member names seen so far: a short list scanned in place (most tokens
/// have a few custom claims), a hash set beyond that.
#[derive(Default)]
struct SeenNames<'de> {
    few: Vec<std::borrow::Cow<'de, str>>,
    /// Built only past `FEW` names (no hasher state for ordinary tokens).
    many: Option<std::collections::HashSet<std::borrow::Cow<'de, str>>>,
}

impl<'de> SeenNames<'de> {
    const FEW: usize = 16;

    /// `false` when `name` was seen already.
    fn insert(&mut self, name: std::borrow::Cow<'de, str>) -> bool {
        if let Some(many) = &mut self.many {
            return many.insert(name);
        }
        if self.few.contains(&name) {
            return false;
        }
        if self.few.len() < Self::FEW {
            self.few.push(name);
            return true;
        }
        let mut many: std::collections::HashSet<_> = self.few.drain(..).collect();
        let fresh = many.insert(name);
        self.many = Some(many);
        fresh
    }
}

/// Parses a header or payload segment: unique member names, an object.
fn parse_object(
    bytes: &[u8],
    what: &str,
    not_object: &'static str,
) -> Result<Map<String, Value>, JwtError> {
    match serde_json::from_slice::<TopLevel>(bytes) {
        Ok(TopLevel::Object(map)) => Ok(map),
        Ok(TopLevel::NotObject) => Err(JwtError::invalid(not_object)),
        Err(e) => Err(JwtError::invalid(format!("Invalid {what} string: {e}"))),
    }
}

/// The header of a token, unverified (Flask's `get_unverified_jwt_headers`),
/// with the same errors as decoding for a malformed token.
pub(crate) fn unverified_header(
    token: &str,
    max_len: usize,
) -> Result<Map<String, Value>, JwtError> {
    if token.len() > max_len {
        return Err(JwtError::invalid(messages::TOKEN_TOO_LONG));
    }
    let (signing_input, _) = token
        .rsplit_once('.')
        .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
    let (header_segment, _) = signing_input
        .split_once('.')
        .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
    let bytes = b64(header_segment, messages::INVALID_HEADER_PADDING)?;
    parse_object(&bytes, "header", messages::HEADER_NOT_OBJECT)
}

/// The header of a token, parsed without any verification, for key
/// selection; `None` when malformed (decoding then reports why).
pub(crate) fn peek_header(token: &str, max_len: usize) -> Option<Map<String, Value>> {
    if token.len() > max_len {
        return None;
    }
    let (head, _) = token.split_once('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(head).ok()?;
    match serde_json::from_slice::<TopLevel>(&bytes).ok()? {
        TopLevel::Object(map) => Some(map),
        TopLevel::NotObject => None,
    }
}

/// The payload pass over a whole document: `Ok(true)` for an object.
fn payload_pass<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    identity_claim: &str,
    want_csrf: bool,
    out: &mut Registered<'de>,
) -> Result<bool, serde_json::Error> {
    let seed = RegisteredSeed {
        identity_claim,
        want_csrf,
        out,
    };
    de::DeserializeSeed::deserialize(seed, &mut *de).and_then(|object| de.end().map(|()| object))
}

/// The error of a payload pass that did not find an object.
fn payload_error(pass: Result<bool, serde_json::Error>) -> JwtError {
    match pass {
        Err(e) => JwtError::invalid(format!("Invalid payload string: {e}")),
        Ok(_) => JwtError::invalid(messages::PAYLOAD_NOT_OBJECT),
    }
}

/// Bytes of stack for a decoded signature.
const SIGNATURE_ON_STACK: usize = 258;

/// Canonical, unpadded base64url, or PyJWT's "Invalid {name} padding".
fn b64(segment: &str, error: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::invalid(error))
}

/// Decodes and verifies a token in PyJWT's and Flask-JWT-Extended's order.
///
/// `keys` are the prepared keys of the allowed decode algorithms. `csrf` is the
/// double-submit value sent with a cookie token, if any.
pub(crate) fn decode(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    identity_claim: &Arc<str>,
    token: &str,
    allow_expired: bool,
    csrf: Option<&str>,
) -> Result<DecodedToken, JwtError> {
    let (decoded, expired) = decode_checked(config, keys, identity_claim, token, csrf)?;
    if expired && !allow_expired {
        return Err(JwtError::Expired);
    }
    Ok(decoded)
}

/// [`decode`] that returns an expired token with `true` instead of failing,
/// so the expired-token loader can see its claims (as Flask's does).
///
/// The steps, in PyJWT's and Flask-JWT-Extended's order: length and
/// segments, header, base64 of payload and signature, header members, the
/// signature, and only then the payload and its claims.
pub(crate) fn decode_checked(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    identity_claim: &Arc<str>,
    token: &str,
    csrf: Option<&str>,
) -> Result<(DecodedToken, bool), JwtError> {
    let segments = Segments::split(token, config.max_token_length)?;
    // Fast path: the headers this service writes itself are parsed once, and
    // what decoding reads from them is known.
    let known = config.keys.known_header(segments.header);
    let header: Arc<Map<String, Value>> = match known {
        Some(known) => Arc::clone(&known.map),
        None => {
            let header_bytes = b64(segments.header, messages::INVALID_HEADER_PADDING)?;
            Arc::new(parse_object(
                &header_bytes,
                "header",
                messages::HEADER_NOT_OBJECT,
            )?)
        }
    };
    let detached = known.is_none() && header.get("b64") == Some(&Value::Bool(false));
    let payload_bytes = if detached {
        if !segments.payload.is_empty() {
            return Err(JwtError::invalid(messages::B64_PAYLOAD_NOT_EMPTY));
        }
        Vec::new()
    } else {
        b64(segments.payload, messages::INVALID_PAYLOAD_PADDING)?
    };
    // The signature is only compared: decoded on the stack when it fits (every
    // HMAC, ECDSA and EdDSA signature, RSA up to 2048 bits).
    let mut stack = [0u8; SIGNATURE_ON_STACK];
    let heap;
    let signature: &[u8] = if segments.crypto.len() <= SIGNATURE_ON_STACK / 3 * 4 {
        let n = URL_SAFE_NO_PAD
            .decode_slice(segments.crypto, &mut stack)
            .map_err(|_| JwtError::invalid(messages::INVALID_CRYPTO_PADDING))?;
        &stack[..n]
    } else {
        heap = b64(segments.crypto, messages::INVALID_CRYPTO_PADDING)?;
        &heap
    };
    if known.is_none() {
        check_header_members(&header, detached)?;
    }
    verify_signature(config, keys, known, &header, &segments, signature)?;

    // Only now is the payload parsed, as PyJWT parses it: nothing an
    // unauthenticated sender wrote is evaluated beyond base64. (Flask's
    // unverified pre-decode would report a malformed payload of a forged
    // token first; we answer "Signature verification failed", documented.)
    let payload = payload_text(payload_bytes, identity_claim, csrf.is_some())?;
    let mut claims = Registered::default();
    {
        let mut de = serde_json::Deserializer::from_str(&payload);
        let pass = payload_pass(&mut de, identity_claim, csrf.is_some(), &mut claims);
        if !matches!(pass, Ok(true)) {
            return Err(payload_error(pass));
        }
    }
    let now = config.clock.now();
    let expired = check_registered_claims(config, &claims, now)?;
    if let Some(strict) = &config.strict {
        check_strict(config, strict, &header, &claims, now)?;
    }

    // Flask-JWT-Extended's own checks and defaults.
    let identity = if &**identity_claim == "sub" {
        claims.sub.take()
    } else {
        claims.identity.take()
    };
    let Some(identity) = identity else {
        return Err(JwtError::invalid(format!(
            "Missing claim: {identity_claim}"
        )));
    };
    if let Some(sent) = csrf {
        check_csrf(&claims, sent)?;
    }
    let kept = Kept::from_claims(claims, identity, &payload);
    Ok((kept.into_token(header, payload), expired))
}

/// The three segments of a compact JWS, split as PyJWT splits them
/// (`rsplit(".", 1)` then `split(".", 1)`), after the length check.
struct Segments<'t> {
    signing_input: &'t str,
    header: &'t str,
    payload: &'t str,
    crypto: &'t str,
}

impl<'t> Segments<'t> {
    fn split(token: &'t str, max_len: usize) -> Result<Self, JwtError> {
        if token.len() > max_len {
            return Err(JwtError::invalid(messages::TOKEN_TOO_LONG));
        }
        let (signing_input, crypto) = token
            .rsplit_once('.')
            .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
        let (header, payload) = signing_input
            .split_once('.')
            .ok_or_else(|| JwtError::invalid(messages::NOT_ENOUGH_SEGMENTS))?;
        Ok(Segments {
            signing_input,
            header,
            payload,
            crypto,
        })
    }
}

/// PyJWT's header checks of a header this service did not write: `kid` is a
/// string, `crit` lists only `b64` (present in the header), and a detached
/// (`b64: false`) payload is refused with PyJWT's messages.
fn check_header_members(header: &Map<String, Value>, detached: bool) -> Result<(), JwtError> {
    if let Some(kid) = header.get("kid") {
        if !kid.is_string() {
            return Err(JwtError::invalid(messages::KID_NOT_STRING));
        }
    }
    if let Some(crit) = header.get("crit") {
        let list = match crit {
            Value::Array(list) if !list.is_empty() => list,
            _ => return Err(JwtError::invalid(messages::CRIT_NOT_LIST)),
        };
        for ext in list {
            let ext = ext
                .as_str()
                .ok_or_else(|| JwtError::invalid(messages::CRIT_NOT_STRINGS))?;
            if ext != "b64" {
                return Err(JwtError::invalid(format!(
                    "Unsupported critical extension: {}",
                    crate::error::echo(ext)
                )));
            }
            if !header.contains_key(ext) {
                return Err(JwtError::invalid(format!(
                    "Critical extension '{ext}' is missing from headers"
                )));
            }
        }
    }
    if detached {
        let listed =
            matches!(header.get("crit"), Some(Value::Array(l)) if l.iter().any(|e| e == "b64"));
        if !listed {
            return Err(JwtError::invalid(messages::B64_NEEDS_CRIT));
        }
        return Err(JwtError::invalid(messages::B64_DETACHED));
    }
    Ok(())
}

/// The signature: the algorithm must be one of ours (never `none`, never
/// another key family), the key is chosen among configured keys by `kid`,
/// and the MAC or signature must match.
fn verify_signature(
    config: &JwtConfig,
    keys: &KeyChoice<'_>,
    known: Option<&crate::keys::KnownHeader>,
    header: &Map<String, Value>,
    segments: &Segments<'_>,
    signature: &[u8],
) -> Result<(), JwtError> {
    let (alg, kid) = match known {
        // `build()` refuses keys outside the decode algorithms; checked again
        // here so that this path never relies on it alone.
        Some(known) => (
            Some(known.alg).filter(|a| config.decode_algorithms.contains(a)),
            known.kid.as_deref(),
        ),
        None => {
            let alg = header
                .get("alg")
                .ok_or_else(|| JwtError::invalid(messages::ALGORITHM_NOT_SPECIFIED))?;
            let alg = alg.as_str().and_then(|name| {
                config
                    .decode_algorithms
                    .iter()
                    .copied()
                    .find(|a| alg_name(*a) == name)
            });
            (alg, header.get("kid").and_then(Value::as_str))
        }
    };
    let alg = alg.ok_or_else(|| JwtError::invalid(messages::ALG_NOT_ALLOWED))?;
    let key = keys
        .select(alg, kid)
        .ok_or_else(|| JwtError::invalid(messages::ALG_NOT_ALLOWED))?;
    if !key.inner.verify(
        segments.signing_input.as_bytes(),
        signature,
        segments.crypto,
    ) {
        return Err(JwtError::invalid(messages::SIGNATURE_FAILED));
    }
    Ok(())
}

/// The payload as text: checked as UTF-8 once, so serde_json need not check
/// each string again. Not UTF-8: the byte parser reports the first problem,
/// exactly as it would have.
fn payload_text(
    payload_bytes: Vec<u8>,
    identity_claim: &str,
    want_csrf: bool,
) -> Result<String, JwtError> {
    match String::from_utf8(payload_bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let mut scratch = Registered::default();
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            Err(
                match payload_pass(&mut de, identity_claim, want_csrf, &mut scratch) {
                    // The byte parser does not look inside the member names
                    // it skips; Python decodes the whole payload first.
                    Ok(true) => JwtError::invalid(format!(
                        "Invalid payload string: invalid UTF-8 at byte {at}"
                    )),
                    other => payload_error(other),
                },
            )
        }
    }
}

/// The registered claims, in PyJWT's order: `iat`, `nbf`, `exp`, `iss`,
/// `aud`, `sub`, `jti`. Returns whether the token is expired: like Flask
/// (which decodes again with `verify_exp` off to build the expired
/// callback's data), an expired token is reported only once every other
/// check has passed.
fn check_registered_claims(
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
fn check_strict(
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
fn check_csrf(claims: &Registered<'_>, sent: &str) -> Result<(), JwtError> {
    crate::csrf::check(claims.csrf.as_ref().map(Claim::as_str), sent)
}

/// What a verified token keeps of its claims: strings as spans of the
/// payload (no copy), other values owned.
struct Kept {
    identity: Option<Text>,
    identity_value: std::sync::OnceLock<Value>,
    token_type: TokenType,
    fresh: Option<Value>,
    jti: Option<Text>,
    iat: Option<f64>,
    nbf: Option<f64>,
    exp: Option<f64>,
    iss: Option<Text>,
    family: Option<Text>,
}

impl Kept {
    fn from_claims(claims: Registered<'_>, identity: Claim<'_>, payload: &str) -> Self {
        let token_type = match claims.kind {
            None => TokenType::Missing,
            Some(Claim::Str(t)) if t == "access" => TokenType::Access,
            Some(Claim::Str(t)) if t == "refresh" => TokenType::Refresh,
            Some(other) => TokenType::Other(other.into_value()),
        };
        let fresh = claims.fresh.map(Claim::into_value);
        let iat = claims.iat.as_ref().and_then(Claim::as_f64);
        let nbf = claims.nbf.as_ref().and_then(Claim::as_f64);
        let exp = claims.exp.as_ref().and_then(Claim::as_f64);
        // Kept strings point into the payload, which the token keeps.
        let base = payload.as_ptr() as usize;
        let len = payload.len();
        let text = |claim: Option<Claim<'_>>| claim.and_then(|c| c.into_text(base, len));
        let identity_value = std::sync::OnceLock::new();
        let identity = match identity {
            Claim::Str(_) => text(Some(identity)),
            Claim::Other(value) => {
                let _ = identity_value.set(value);
                None
            }
        };
        let jti = text(claims.jti);
        let iss = text(claims.iss);
        let family = text(claims.fam);
        Kept {
            identity,
            identity_value,
            token_type,
            fresh,
            jti,
            iat,
            nbf,
            exp,
            iss,
            family,
        }
    }

    fn into_token(self, header: Arc<Map<String, Value>>, payload: String) -> DecodedToken {
        DecodedToken {
            header,
            payload,
            claims: std::sync::OnceLock::new(),
            identity: self.identity,
            identity_value: self.identity_value,
            token_type: self.token_type,
            fresh: self.fresh,
            jti: self.jti,
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
            iss: self.iss,
            family: self.family,
        }
    }
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

/// Flask's `verify_token_type`.
pub(crate) fn check_type(token: &DecodedToken, refresh: bool) -> Result<(), JwtError> {
    match (refresh, token.is_refresh()) {
        (false, true) => Err(JwtError::WrongTokenType(messages::ONLY_NON_REFRESH.into())),
        (true, false) => Err(JwtError::WrongTokenType(messages::ONLY_REFRESH.into())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_names_and_slots_agree() {
        let names = [
            "iat",
            "nbf",
            "exp",
            "iss",
            "aud",
            "sub",
            "jti",
            "type",
            "fresh",
            "csrf",
            FAMILY_CLAIM,
        ];
        let mut r = Registered::default();
        let mut bits = 0u16;
        for name in names {
            let (bit, _) = r.slot(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(bits & bit, 0, "{name} shares a bit");
            bits |= bit;
        }
        assert!(r.slot("identity").is_none());
    }
}
