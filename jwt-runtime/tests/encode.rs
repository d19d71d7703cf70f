//! Token creation: Flask-JWT-Extended's exact layout and defaults.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::*;
use jwt_runtime::{Audience, Expires, Fresh, JwtError, JwtManager, TokenOptions};
use serde_json::{json, Value};
use time::Duration;

fn segments(token: &str) -> (String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let h = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let p = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    (h, p)
}

fn keys_in_order(payload: &str) -> Vec<String> {
    // serde_json's Map sorts keys, so read the order from the text itself.
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_str(payload);
    struct Keys<'a>(&'a mut Vec<String>);
    impl<'de> serde::de::Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
            while let Some(k) = m.next_key::<String>()? {
                m.next_value::<serde::de::IgnoredAny>()?;
                self.0.push(k);
            }
            Ok(())
        }
    }
    serde::Deserializer::deserialize_map(&mut de, Keys(&mut keys)).unwrap();
    keys
}

fn is_uuid_v4(s: &str) -> bool {
    uuid_like(s)
        && s.as_bytes()[14] == b'4'
        && matches!(s.as_bytes()[19], b'8' | b'9' | b'a' | b'b')
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

#[test]
fn access_token_has_flask_header_and_payload_layout() {
    let token = manager().create_access_token("alice").unwrap();
    let (h, p) = segments(&token);
    assert_eq!(h, r#"{"alg":"HS256","typ":"JWT"}"#);
    assert_eq!(
        keys_in_order(&p),
        ["fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp"]
    );
    let v: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(v["fresh"], false);
    assert_eq!(v["iat"], 1_700_000_000);
    assert_eq!(v["nbf"], 1_700_000_000);
    assert_eq!(v["exp"], 1_700_000_000 + 15 * 60, "15 minutes by default");
    assert_eq!(v["type"], "access");
    assert_eq!(v["sub"], "alice");
    assert!(is_uuid_v4(v["jti"].as_str().unwrap()));
    assert!(is_uuid_v4(v["csrf"].as_str().unwrap()));
    assert_ne!(v["jti"], v["csrf"]);
    // And it verifies.
    assert_eq!(
        manager()
            .decode_token(&token, false)
            .unwrap()
            .identity_str(),
        Some("alice")
    );
}

#[test]
fn refresh_token_lasts_30_days_and_is_never_fresh() {
    let m = manager();
    let token = m
        .create_refresh_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    let (_, p) = segments(&token);
    let v: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(v["type"], "refresh");
    assert_eq!(v["fresh"], false);
    assert_eq!(v["exp"], 1_700_000_000 + 30 * 24 * 3600);
    assert!(m.decode_token(&token, false).unwrap().is_refresh());
}

#[test]
fn fresh_as_bool_timestamp_or_duration() {
    let m = manager();
    let claim = |f: Fresh| {
        let t = m
            .create_access_token_with("a", TokenOptions::new().fresh(f))
            .unwrap();
        serde_json::from_str::<Value>(&segments(&t).1).unwrap()["fresh"].clone()
    };
    assert_eq!(claim(Fresh::Yes), json!(true));
    assert_eq!(claim(Fresh::No), json!(false));
    assert_eq!(claim(Fresh::For(Duration::minutes(10))), json!(NOW + 600.0));
    assert!(
        claim(Fresh::For(Duration::minutes(10))).is_f64(),
        "a float timestamp, like Flask"
    );
    assert_eq!(claim(Fresh::Until(1_700_000_123.5)), json!(1_700_000_123.5));
    assert!(m
        .create_access_token_with("a", TokenOptions::new().fresh(Fresh::Until(f64::NAN)))
        .is_err());
}

#[test]
fn per_call_expiry_including_never_and_negative() {
    let m = manager();
    let exp = |e: Expires| {
        let t = m
            .create_access_token_with("a", TokenOptions::new().expires(e))
            .unwrap();
        serde_json::from_str::<Value>(&segments(&t).1).unwrap()["exp"].clone()
    };
    assert_eq!(
        exp(Expires::After(Duration::seconds(90))),
        json!(1_700_000_090)
    );
    assert_eq!(exp(Expires::Never), Value::Null);
    // A negative lifetime makes an already expired token (Flask's tests do this).
    let t = m
        .create_access_token_with("a", TokenOptions::new().expires(Duration::seconds(-1)))
        .unwrap();
    assert_eq!(m.decode_token(&t, false).unwrap_err(), JwtError::Expired);
    // Zero expires at once (Flask would write no exp at all).
    let t = m
        .create_access_token_with("a", TokenOptions::new().expires(Duration::ZERO))
        .unwrap();
    assert_eq!(m.decode_token(&t, false).unwrap_err(), JwtError::Expired);
    // The configured defaults.
    let m = JwtManager::new(
        builder()
            .access_token_expires(Expires::Never)
            .refresh_token_expires(std::time::Duration::from_secs(60))
            .build()
            .unwrap(),
    )
    .unwrap();
    let a = m.create_access_token("a").unwrap();
    assert!(!segments(&a).1.contains("\"exp\""));
    let r = m.create_refresh_token("a").unwrap();
    assert!(segments(&r).1.contains("\"exp\":1700000060"));
}

#[test]
fn additional_claims_and_headers() {
    let m = manager();
    let t = m
        .create_access_token_with(
            "alice",
            TokenOptions::new()
                .additional_claims(json!({"role": "admin", "iat": 1_600_000_000, "aud": "x"}))
                .additional_headers(json!({"kid": "k1", "typ": "at+jwt"})),
        )
        .unwrap();
    let (h, p) = segments(&t);
    assert_eq!(
        h, r#"{"alg":"HS256","kid":"k1","typ":"at+jwt"}"#,
        "sorted like PyJWT"
    );
    let v: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(v["role"], "admin");
    assert_eq!(
        v["iat"], 1_600_000_000,
        "non-reserved claims override, like Flask"
    );
    assert_eq!(keys_in_order(&p).last().map(String::as_str), Some("role"));
    // A falsy typ is dropped, as PyJWT does.
    let t = m
        .create_access_token_with(
            "a",
            TokenOptions::new().additional_headers(json!({"typ": ""})),
        )
        .unwrap();
    assert_eq!(segments(&t).0, r#"{"alg":"HS256"}"#);
}

#[test]
fn reserved_claims_and_headers_cannot_be_overridden() {
    let m = manager();
    for claim in ["sub", "type", "fresh", "jti", "exp", "csrf"] {
        let r = m.create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({ claim: "x" })),
        );
        match r {
            Err(JwtError::Encode(e)) => assert!(e.contains(claim), "{e}"),
            other => panic!("{claim}: {other:?}"),
        }
    }
    for header in ["alg", "crit", "b64"] {
        let r = m.create_access_token_with(
            "alice",
            TokenOptions::new().additional_headers(json!({ header: "none" })),
        );
        assert!(matches!(r, Err(JwtError::Encode(_))), "{header}: {r:?}");
    }
    for bad in [json!([1]), json!("x")] {
        assert!(m
            .create_access_token_with("a", TokenOptions::new().additional_claims(bad.clone()))
            .is_err());
        assert!(m
            .create_access_token_with("a", TokenOptions::new().additional_headers(bad))
            .is_err());
    }
    assert!(m
        .create_access_token_with(
            "a",
            TokenOptions::new().additional_claims(json!({"iss": 5}))
        )
        .is_err());
}

#[test]
fn identity_must_be_a_string_while_verify_sub_is_on() {
    let m = manager();
    // An integer is minted as its decimal text (what PyJWT accepts).
    for (identity, sub) in [
        (json!(5), "5"),
        (json!(-7), "-7"),
        (json!(u64::MAX), "18446744073709551615"),
    ] {
        let t = m.create_access_token(&identity).unwrap();
        assert_eq!(m.decode_token(&t, false).unwrap().identity(), &json!(sub));
    }
    // Anything else that is not a string is an Err naming the fix.
    for identity in [
        json!({"id": 1}),
        json!(5.5),
        json!(true),
        json!(["a"]),
        json!(null),
    ] {
        let err = m.create_access_token(&identity).unwrap_err();
        assert!(matches!(err, JwtError::Encode(_)), "{identity}");
        assert!(err.to_string().contains("user_identity_loader"), "{err}");
    }
    let m = JwtManager::new(builder().verify_sub(false).build().unwrap()).unwrap();
    // Without verify_sub, identities are minted as they are (Flask's way).
    let t = m.create_access_token(5).unwrap();
    assert_eq!(m.decode_token(&t, false).unwrap().identity(), &json!(5));
    let t = m.create_access_token(json!({"id": 1})).unwrap();
    assert_eq!(
        m.decode_token(&t, false).unwrap().identity(),
        &json!({"id": 1})
    );
}

#[test]
fn config_switches_shape_the_payload() {
    let m = JwtManager::new(
        builder()
            .encode_nbf(false)
            .csrf_protect(false)
            .identity_claim("identity")
            .encode_audience(Audience::Many(vec!["a".into(), "b".into()]))
            .encode_issuer("me")
            .algorithm("HS384")
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = m.create_access_token("alice").unwrap();
    let (h, p) = segments(&t);
    assert_eq!(h, r#"{"alg":"HS384","typ":"JWT"}"#);
    assert_eq!(
        keys_in_order(&p),
        ["fresh", "iat", "jti", "type", "identity", "aud", "iss", "exp"]
    );
    let v: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(v["aud"], json!(["a", "b"]));
    assert_eq!(v["iss"], "me");
    assert_eq!(
        m.decode_token(&t, false).unwrap().identity_str(),
        Some("alice")
    );
}

#[test]
fn jti_and_csrf_are_unique_per_token() {
    let m = manager();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let t = m.create_access_token("a").unwrap();
        let v: Value = serde_json::from_str(&segments(&t).1).unwrap();
        assert!(seen.insert(v["jti"].as_str().unwrap().to_owned()));
        assert!(seen.insert(v["csrf"].as_str().unwrap().to_owned()));
    }
}
