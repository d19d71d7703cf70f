//! Token creation in Flask-JWT-Extended's layout: header and claims in the
//! order PyJWT and Flask write them.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Number, Value};

use super::{Fresh, MintKind, TokenOptions};
use crate::config::{Expires, JwtConfig};
use crate::error::JwtError;
use crate::keys::alg_name;
use crate::keys::SigningKey;

/// A JSON object serialized in insertion order (the order Flask writes claims in).
pub(super) struct Ordered<'a>(&'a [(String, Value)]);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

pub(super) fn put(payload: &mut Vec<(String, Value)>, key: &str, value: Value) {
    match payload.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => payload.push((key.to_owned(), value)),
    }
}

pub(super) fn float(v: f64) -> Value {
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
    kind: MintKind,
    options: TokenOptions,
) -> Result<String, JwtError> {
    let now = config.clock.now();
    let iat = now.floor();
    let mut payload: Vec<(String, Value)> = Vec::with_capacity(12);
    // Only access tokens are ever fresh (Flask's `fresh` argument).
    let fresh = match kind {
        MintKind::Access => options.fresh,
        MintKind::Refresh | MintKind::Custom(_) => Fresh::No,
    };
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
    payload.push(("type".into(), Value::String(kind.name().into())));
    put(
        &mut payload,
        &config.identity_claim,
        integer_as_text(config, identity),
    );
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
    let expires = options.expires.unwrap_or(kind.default_expires(config));
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
                "the `sub` claim must be a string while verify_sub (JWT_VERIFY_SUB) is on, got {}; \
                 mint a string identity (integers are minted as their decimal text), map the \
                 value to one with `user_identity_loader`, or turn `verify_sub` off",
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
pub(super) fn header_segment(
    key: &SigningKey,
    additional: Option<Value>,
) -> Result<String, JwtError> {
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
pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An integer identity minted as its decimal text when it becomes `sub`
/// while `verify_sub` is on (PyJWT and Flask-JWT-Extended accept only a
/// string there; `Identity<u64>` reads it back): `42` becomes `"42"`. Any
/// other value is left as it is (and a non-string `sub` is then refused).
fn integer_as_text(config: &JwtConfig, identity: Value) -> Value {
    match identity {
        Value::Number(n) if config.identity_claim == "sub" && config.verify_sub && !n.is_f64() => {
            Value::String(n.to_string())
        }
        other => other,
    }
}
