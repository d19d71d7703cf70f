//! Differential property test: our verifier and `jsonwebtoken::decode`
//! (configured as Flask-JWT-Extended decodes: HS256 only, leeway 0, `nbf`
//! checked, no claim required) accept and refuse the same tokens: ordinary
//! valid ones, random single-byte mutations of them, and tokens re-signed
//! with one mutated header member or claim. Where they differ on purpose,
//! the case is named below and checked to be exactly that difference.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum_jwt_extended::JwtManager;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

mod support;

fn sign(header: &str, payload: &str) -> String {
    support::forge::signed(header, payload, SECRET)
}

const SECRET: &str = "differential-secret-long-enough-32b!";

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 0;
    v.validate_nbf = true;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    v
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn ours(jwt: &JwtManager, token: &str) -> Result<(), String> {
    jwt.decode_token(token, false)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn theirs(token: &str) -> Result<(), String> {
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation(),
    )
    .map(|_| ())
    .map_err(|e| format!("{e:?}"))
}

/// The deliberate differences, each named with the side it expects us on:
/// `Some((name, we_accept))` when this header and payload may be accepted by
/// one verifier and refused by the other.
fn documented_difference(header: &Value, payload: &Value) -> Option<(&'static str, bool)> {
    let claims = payload.as_object()?;
    let t = now() as f64;
    let number = |k: &str| claims.get(k).and_then(Value::as_f64);
    // PyJWT checks `iat` (a number, not in the future); jsonwebtoken ignores it.
    if let Some(iat) = claims.get("iat") {
        if !iat.is_number() || number("iat").is_some_and(|iat| iat > t) {
            return Some(("iat is checked like PyJWT", false));
        }
    }
    // Flask-JWT-Extended requires its identity claim and, with
    // JWT_VERIFY_SUB, a string `sub`; jsonwebtoken does not look at `sub`.
    match claims.get("sub") {
        None => {
            return Some((
                "the identity claim is required like Flask-JWT-Extended",
                false,
            ))
        }
        Some(sub) if !sub.is_string() => return Some(("sub must be a string like PyJWT", false)),
        _ => {}
    }
    // `jti` must be a string (PyJWT); jsonwebtoken ignores it.
    if claims.get("jti").is_some_and(|j| !j.is_string()) {
        return Some(("jti must be a string like PyJWT", false));
    }
    // PyJWT reads NumericDates as Python numbers: a float `exp`/`nbf` is
    // fine there; jsonwebtoken wants integers in range.
    for k in ["exp", "nbf"] {
        if let Some(v) = claims.get(k) {
            if v.is_f64() || v.as_i64().is_some_and(|n| n < 0) {
                return Some(("NumericDates are Python numbers like PyJWT", true));
            }
        }
    }
    // `kid` must be a string, `crit` understood (PyJWT); jsonwebtoken
    // deserializes the header into its own struct.
    let header = header.as_object()?;
    if header.contains_key("crit") || header.get("kid").is_some_and(|k| !k.is_string()) {
        return Some(("kid and crit are checked like PyJWT", false));
    }
    if header.get("typ").is_some_and(|t| !t.is_string())
        || header.get("cty").is_some_and(|t| !t.is_string())
    {
        return Some((
            "jsonwebtoken wants string typ/cty; PyJWT does not read them",
            true,
        ));
    }
    None
}

fn base_claims() -> Map<String, Value> {
    let t = now();
    json!({
        "fresh": false, "iat": t, "jti": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc", "type": "access",
        "sub": "alice", "nbf": t, "exp": t + 900
    })
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn both_accept_ordinary_valid_tokens() {
    let jwt = support::manager(SECRET);
    for identity in ["alice", "bob", "", "名前", "a\"b\\c"] {
        let token = jwt.create_access_token(identity).unwrap();
        assert_eq!(ours(&jwt, &token), Ok(()));
        assert_eq!(theirs(&token), Ok(()), "{identity}");
        let token = jwt.create_refresh_token(identity).unwrap();
        assert_eq!(ours(&jwt, &token), Ok(()));
        assert_eq!(theirs(&token), Ok(()));
    }
}

fn claim_value() -> impl Strategy<Value = Value> {
    let t = now();
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("text")),
        Just(json!(t - 3_600)),
        Just(json!(t + 3_600)),
        Just(json!((t + 3_600) as f64 + 0.5)),
        Just(json!(-1)),
        Just(json!([1, 2])),
        Just(json!({"a": 1})),
        Just(json!(t.to_string())),
    ]
}

fn header_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("HS256")),
        Just(json!("HS512")),
        Just(json!("none")),
        Just(json!("RS256")),
        Just(json!(1)),
        Just(json!(null)),
        Just(json!(["b64"])),
        Just(json!("JWT")),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace one byte of a valid token.
    Byte { at: usize, with: u8 },
    /// Set (or with `None`, remove) one claim and re-sign.
    Claim {
        name: &'static str,
        value: Option<Value>,
    },
    /// Set one header member and re-sign.
    Header { name: &'static str, value: Value },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    prop_oneof![
        (any::<usize>(), prop::sample::select(ALPHABET.to_vec()))
            .prop_map(|(at, with)| Mutation::Byte { at, with }),
        (
            prop::sample::select(vec![
                "exp", "nbf", "iat", "sub", "jti", "type", "fresh", "aud", "iss"
            ]),
            prop::option::of(claim_value())
        )
            .prop_map(|(name, value)| Mutation::Claim { name, value }),
        (
            prop::sample::select(vec!["alg", "typ", "kid", "crit", "cty"]),
            header_value()
        )
            .prop_map(|(name, value)| Mutation::Header { name, value }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn ours_and_jsonwebtoken_agree_apart_from_documented_differences(m in mutation()) {
        let jwt = support::manager(SECRET);
        let mut header = json!({"alg": "HS256", "typ": "JWT"});
        let mut claims = Value::Object(base_claims());
        let token = match &m {
            Mutation::Byte { at, with } => {
                let valid = sign(&header.to_string(), &claims.to_string());
                let mut bytes = valid.into_bytes();
                let at = at % bytes.len();
                bytes[at] = *with;
                String::from_utf8(bytes).unwrap()
            }
            Mutation::Claim { name, value } => {
                match value {
                    Some(v) => claims[*name] = v.clone(),
                    None => { claims.as_object_mut().unwrap().remove(*name); }
                }
                sign(&header.to_string(), &claims.to_string())
            }
            Mutation::Header { name, value } => {
                header[*name] = value.clone();
                sign(&header.to_string(), &claims.to_string())
            }
        };
        let (a, b) = (ours(&jwt, &token), theirs(&token));
        if a.is_ok() != b.is_ok() {
            let difference = documented_difference(&header, &claims);
            prop_assert!(
                difference.is_some_and(|(_, we_accept)| we_accept == a.is_ok()),
                "undocumented difference for {m:?}: ours {a:?}, jsonwebtoken {b:?} ({difference:?})"
            );
        }
    }
}
