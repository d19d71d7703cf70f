//! The payload parser: one pass that reads the registered claims, skips
//! the rest and refuses duplicate member names; the header parser.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::encode::FAMILY_CLAIM;
use crate::claims::Text;
use crate::error::{messages, JwtError};

/// The `Visitor` methods of the JSON scalars (booleans, numbers, strings,
/// null), for visitors that keep none of them: each answers `$value`.
macro_rules! visit_scalars {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// A top-level JSON value: an object with unique member names, or anything else.
pub(super) enum TopLevel {
    Object(Map<String, Value>),
    NotObject,
}

pub(super) struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    visit_scalars!(TopLevel::NotObject);
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
pub(super) struct Registered<'de> {
    pub(super) iat: Option<Claim<'de>>,
    pub(super) nbf: Option<Claim<'de>>,
    pub(super) exp: Option<Claim<'de>>,
    pub(super) iss: Option<Claim<'de>>,
    pub(super) aud: Option<Claim<'de>>,
    pub(super) sub: Option<Claim<'de>>,
    pub(super) jti: Option<Claim<'de>>,
    pub(super) kind: Option<Claim<'de>>,
    pub(super) fresh: Option<Claim<'de>>,
    pub(super) csrf: Option<Claim<'de>>,
    pub(super) fam: Option<Claim<'de>>,
    pub(super) identity: Option<Claim<'de>>,
}

impl<'de> Registered<'de> {
    /// The identity claim's value, taken out; Flask's "Missing claim" when absent.
    #[inline]
    pub(super) fn take_identity(&mut self, identity_claim: &str) -> Result<Claim<'de>, JwtError> {
        let identity = if identity_claim == "sub" {
            self.sub.take()
        } else {
            self.identity.take()
        };
        identity.ok_or_else(|| JwtError::invalid(format!("Missing claim: {identity_claim}")))
    }

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
pub(super) enum Claim<'de> {
    Str(std::borrow::Cow<'de, str>),
    Other(Value),
}

impl Claim<'_> {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Claim::Str(s) => Some(s),
            Claim::Other(_) => None,
        }
    }

    pub(super) fn into_value(self) -> Value {
        match self {
            Claim::Str(s) => Value::String(s.into_owned()),
            Claim::Other(v) => v,
        }
    }

    /// A string claim as kept by the token: a span of the payload (which
    /// starts at address `base` and is `len` bytes long) when borrowed from it.
    pub(super) fn into_text(self, base: usize, len: usize) -> Option<Text> {
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
    pub(super) fn numeric_date(&self) -> Option<f64> {
        self.as_f64().map(f64::trunc)
    }

    pub(super) fn as_f64(&self) -> Option<f64> {
        match self {
            Claim::Other(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    /// Python's truthiness, as PyJWT tests a missing audience.
    pub(super) fn is_falsy(&self) -> bool {
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
pub(super) struct RegisteredSeed<'a, 'de> {
    identity_claim: &'a str,
    /// Whether the `csrf` claim is needed (a cookie token on a CSRF method).
    want_csrf: bool,
    out: &'a mut Registered<'de>,
}

/// Skips a JSON value through `deserialize_any`, so that serde_json's nesting
/// limit applies exactly as it does when the claims are parsed into `Value`s
/// (`IgnoredAny` would skip any depth).
pub(super) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            visit_scalars!(Skip);
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
pub(super) struct Key<'de>(std::borrow::Cow<'de, str>);

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
    visit_scalars!(false);
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
pub(super) struct SeenNames<'de> {
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
pub(super) fn parse_object(
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

/// Parses the payload's claims into `out` (in place: it is large); an
/// error unless the payload is one JSON object with unique member names.
pub(super) fn parse_claims<'de>(
    payload: &'de str,
    identity_claim: &str,
    want_csrf: bool,
    out: &mut Registered<'de>,
) -> Result<(), JwtError> {
    let mut de = serde_json::Deserializer::from_str(payload);
    match payload_pass(&mut de, identity_claim, want_csrf, out) {
        Ok(true) => Ok(()),
        other => Err(payload_error(other)),
    }
}

/// The payload as text: checked as UTF-8 once, so serde_json need not check
/// each string again. Not UTF-8: the byte parser reports the first problem,
/// exactly as it would have.
pub(super) fn payload_text(
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
