//! The behaviour table of the crate docs, row by row, through
//! `JwtManager::decode_token` with fixed keys and a fixed clock.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use jsonwebtoken::Algorithm;
use jwt_runtime::{messages, JwtConfig, JwtError, JwtManager};
use serde_json::{json, Value};

fn decode(token: &str) -> Result<jwt_runtime::DecodedToken, JwtError> {
    manager().decode_token(token, false)
}

fn err(token: &str) -> (u16, String) {
    msg(&decode(token).expect_err("token must be refused"))
}

fn invalid(m: &str) -> (u16, String) {
    (422, m.to_owned())
}

#[test]
fn valid_token_decodes_with_flask_defaults_filled_in() {
    let t = forge(HEADER, r#"{"sub":"alice","iat":1700000000}"#);
    let d = decode(&t).unwrap();
    assert_eq!(d.identity_str(), Some("alice"));
    assert_eq!(d.claims()["type"], "access");
    assert_eq!(d.claims()["fresh"], false);
    assert_eq!(d.claims()["jti"], Value::Null);
    assert_eq!(d.expires_at(), None, "no exp: never expires, like Flask");
    assert_eq!(d.header()["alg"], "HS256");
}

#[test]
fn kept_strings_are_right_with_and_without_json_escapes() {
    // Plain strings are kept as spans of the payload, escaped ones unescaped.
    let t = forge(
        HEADER,
        r#"{"sub":"al\u0069ce","jti":"j\"1","iss":"me","fam":"f\/1","iat":1700000000,"exp":1700000900}"#,
    );
    let m = JwtManager::new(builder().decode_issuer("me").build().unwrap()).unwrap();
    let d = m.decode_token(&t, false).unwrap();
    assert_eq!(d.identity_str(), Some("alice"));
    assert_eq!(d.identity(), &Value::String("alice".into()));
    assert_eq!(d.jti(), Some("j\"1"));
    assert_eq!(d.issuer(), Some("me"));
    assert_eq!(d.family(), Some("f/1"));
    assert_eq!(d.claims()["sub"], "alice");
    let plain = forge(HEADER, r#"{"sub":"bob","jti":"j2","fam":"f2"}"#);
    let d = decode(&plain).unwrap();
    assert_eq!(
        (d.identity_str(), d.jti(), d.family(), d.issuer()),
        (Some("bob"), Some("j2"), Some("f2"), None)
    );
    // A non-string identity (allowed with verify_sub off) stays JSON.
    let m = JwtManager::new(builder().verify_sub(false).build().unwrap()).unwrap();
    let d = m
        .decode_token(&forge(HEADER, r#"{"sub":{"id":7}}"#), false)
        .unwrap();
    assert_eq!(d.identity_str(), None);
    assert_eq!(d.identity()["id"], 7);
}

#[test]
fn row4_token_longer_than_max_is_refused_before_decoding() {
    let m = JwtManager::new(builder().max_token_length(100).build().unwrap()).unwrap();
    let t = forge(HEADER, &payload(""));
    assert!(t.len() > 100);
    assert_eq!(
        msg(&m.decode_token(&t, false).unwrap_err()),
        invalid(messages::TOKEN_TOO_LONG)
    );
    // The default limit is 16 KiB.
    let big = "a".repeat(16 * 1024 + 1);
    assert_eq!(err(&big), invalid(messages::TOKEN_TOO_LONG));
}

#[test]
fn row5_not_enough_segments() {
    for t in ["", "abc", "abc.def", "."] {
        assert_eq!(err(t), invalid(messages::NOT_ENOUGH_SEGMENTS), "{t:?}");
    }
}

#[test]
fn row6_non_canonical_base64url_is_refused_per_segment() {
    let good = forge(HEADER, &payload(""));
    let parts: Vec<&str> = good.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    // Correct `=` padding, correctly signed (PyJWT 2.10+ accepts it; we do not).
    let padded_header = b64(br#"{"alg":"HS256"} "#) + "==";
    assert_eq!(padded_header.len() % 4, 0);
    let input = format!("{padded_header}.{p}");
    let padded = format!("{input}.{}", sign(&input, Algorithm::HS256, SECRET));
    assert_eq!(err(&padded), invalid(messages::INVALID_HEADER_PADDING));
    let unpadded = format!("{}.{p}", b64(br#"{"alg":"HS256"} "#));
    assert!(decode(&format!(
        "{unpadded}.{}",
        sign(&unpadded, Algorithm::HS256, SECRET)
    ))
    .is_ok());
    assert_eq!(
        err(&format!("{h}+.{p}.{s}")),
        invalid(messages::INVALID_HEADER_PADDING)
    );
    assert_eq!(
        err(&format!("{h}.{p}/.{s}")),
        invalid(messages::INVALID_PAYLOAD_PADDING)
    );
    assert_eq!(
        err(&format!("{h}.{p} .{s}")),
        invalid(messages::INVALID_PAYLOAD_PADDING)
    );
    assert_eq!(
        err(&format!("{h}.{p}.{s}=")),
        invalid(messages::INVALID_CRYPTO_PADDING)
    );
    // Extra dots end up in the payload segment, as with PyJWT's split.
    assert_eq!(
        err(&format!("{h}.{p}.x.{s}")),
        invalid(messages::INVALID_PAYLOAD_PADDING)
    );
    // Non-zero trailing bits: "eyJ" + 'B' encodes the same bytes as "eyA"? Use a
    // 2-char final group whose last char carries unused bits.
    let mut sig = s.to_owned();
    let last = sig.pop().unwrap();
    let alt = match last {
        'A' => 'B',
        'Q' => 'R',
        'g' => 'h',
        'w' => 'x',
        other => other,
    };
    sig.push(alt);
    if alt != last {
        assert_eq!(
            err(&format!("{h}.{p}.{sig}")),
            invalid(messages::INVALID_CRYPTO_PADDING)
        );
    }
    // A segment of length 1 mod 4 can never be base64.
    assert_eq!(
        err(&format!("{h}.{p}.abcde")),
        invalid(messages::INVALID_CRYPTO_PADDING)
    );
}

#[test]
fn row7_header_or_payload_not_json() {
    let (st, m) = err(&forge("{not json", &payload("")));
    assert_eq!(st, 422);
    assert!(m.starts_with("Invalid header string: "), "{m}");
    let (st, m) = err(&forge(HEADER, "{\"sub\":"));
    assert_eq!(st, 422);
    assert!(m.starts_with("Invalid payload string: "), "{m}");
    let (_, m) = err(&forge("\u{feff}{}", &payload("")));
    assert!(
        m.starts_with("Invalid header string: "),
        "a BOM is refused: {m}"
    );
}

#[test]
fn row7_duplicate_member_names_are_refused() {
    let (st, m) = err(&forge(r#"{"alg":"none","alg":"HS256"}"#, &payload("")));
    assert_eq!(st, 422);
    assert!(
        m.starts_with("Invalid header string: duplicate member name \"alg\""),
        "{m}"
    );
    let (st, m) = err(&forge(HEADER, &payload(r#""sub":"mallory""#)));
    assert_eq!(st, 422);
    assert!(
        m.starts_with("Invalid payload string: duplicate member name \"sub\""),
        "{m}"
    );
}

#[test]
fn row8_header_or_payload_not_an_object() {
    for h in ["[]", "\"x\"", "5", "null", "true", "[1,{\"a\":2}]"] {
        assert_eq!(
            err(&forge(h, &payload(""))),
            invalid(messages::HEADER_NOT_OBJECT),
            "{h}"
        );
    }
    for p in ["[]", "\"alice\"", "1.5", "null"] {
        assert_eq!(
            err(&forge(HEADER, p)),
            invalid(messages::PAYLOAD_NOT_OBJECT),
            "{p}"
        );
    }
}

#[test]
fn row9_kid_must_be_a_string() {
    let t = forge(r#"{"alg":"HS256","kid":5}"#, &payload(""));
    assert_eq!(err(&t), invalid(messages::KID_NOT_STRING));
    assert!(decode(&forge(r#"{"alg":"HS256","kid":"k1"}"#, &payload(""))).is_ok());
}

#[test]
fn row10_crit_is_checked_like_pyjwt() {
    let cases = [
        (
            r#"{"alg":"HS256","crit":"exp"}"#,
            messages::CRIT_NOT_LIST.to_owned(),
        ),
        (
            r#"{"alg":"HS256","crit":[]}"#,
            messages::CRIT_NOT_LIST.to_owned(),
        ),
        (
            r#"{"alg":"HS256","crit":[5]}"#,
            messages::CRIT_NOT_STRINGS.to_owned(),
        ),
        (
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            "Unsupported critical extension: exp".to_owned(),
        ),
        (
            r#"{"alg":"HS256","crit":["b64"]}"#,
            "Critical extension 'b64' is missing from headers".to_owned(),
        ),
    ];
    for (h, m) in cases {
        assert_eq!(err(&forge(h, &payload(""))), (422, m), "{h}");
    }
    // b64 = true with crit ["b64"] is a plain JWS: accepted, as by PyJWT.
    assert!(decode(&forge(
        r#"{"alg":"HS256","b64":true,"crit":["b64"]}"#,
        &payload("")
    ))
    .is_ok());
}

#[test]
fn row10_unencoded_payload_b64_false_is_refused() {
    let detached = |h: &str| {
        let input = format!("{}.", b64(h.as_bytes()));
        format!("{input}.{}", sign(&input, Algorithm::HS256, SECRET))
    };
    assert_eq!(
        err(&detached(r#"{"alg":"HS256","b64":false}"#)),
        invalid(messages::B64_NEEDS_CRIT)
    );
    assert_eq!(
        err(&detached(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#)),
        invalid(messages::B64_DETACHED)
    );
    let with_payload = forge(
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        &payload(""),
    );
    assert_eq!(err(&with_payload), invalid(messages::B64_PAYLOAD_NOT_EMPTY));
}

#[test]
fn row11_missing_alg() {
    assert_eq!(
        err(&forge(r#"{"typ":"JWT"}"#, &payload(""))),
        invalid(messages::ALGORITHM_NOT_SPECIFIED)
    );
}

#[test]
fn row12_alg_none_and_other_algorithms_are_not_allowed() {
    let p = b64(payload("").as_bytes());
    for alg in ["none", "None", "NONE", "nOnE", ""] {
        let h = b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
        for sig in ["", "AAAA"] {
            let t = format!("{h}.{p}.{sig}");
            assert_eq!(err(&t), invalid(messages::ALG_NOT_ALLOWED), "{alg} {sig:?}");
        }
    }
    for h in [
        r#"{"alg":null}"#,
        r#"{"alg":5}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":"hs256"}"#,
        r#"{"alg":"RS256"}"#,
    ] {
        assert_eq!(
            err(&forge(h, &payload(""))),
            invalid(messages::ALG_NOT_ALLOWED),
            "{h}"
        );
    }
    // HS512 is not allowed unless configured…
    let hs512 = forge_with(r#"{"alg":"HS512"}"#, &payload(""), Algorithm::HS512, SECRET);
    assert_eq!(err(&hs512), invalid(messages::ALG_NOT_ALLOWED));
    // …and verifies once it is.
    let m = JwtManager::new(builder().decode_algorithms(["HS512"]).build().unwrap()).unwrap();
    assert!(m.decode_token(&hs512, false).is_ok());
    // A rotation key cannot bring in an algorithm of its own (the headers
    // this service knows by heart come from its keys).
    let other = "another secret, 64 bytes long, for the HS512 rotation key of this test";
    let err = builder()
        .verification_key(
            jwt_runtime::VerificationKey::from_secret(Algorithm::HS512, other)
                .unwrap()
                .with_kid("old"),
        )
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: a verification key for HS512 is not among JWT_DECODE_ALGORITHMS [HS256]"
    );
}

#[test]
fn row13_bad_signatures() {
    let good = forge(HEADER, &payload(""));
    let (input, sig) = good.rsplit_once('.').unwrap();
    let other_secret = forge_with(HEADER, &payload(""), Algorithm::HS256, "another-secret");
    let flipped = {
        let mut bytes = sig.as_bytes().to_vec();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        format!("{input}.{}", String::from_utf8(bytes).unwrap())
    };
    // 32 characters are 24 whole bytes: canonical, but too short.
    let truncated = format!("{input}.{}", &sig[..32]);
    let empty = format!("{input}.");
    // Tampered payload: same signature, other identity.
    let tampered = format!(
        "{}.{}.{sig}",
        b64(HEADER.as_bytes()),
        b64(payload("").replace("alice", "admin").as_bytes())
    );
    for t in [other_secret, flipped, truncated, empty, tampered] {
        assert_eq!(err(&t), invalid(messages::SIGNATURE_FAILED), "{t}");
    }
}

#[test]
fn row14_numeric_dates_must_be_numbers() {
    let cases = [
        ("iat", json!("1700000000"), messages::IAT_NOT_INTEGER),
        ("iat", json!(null), messages::IAT_NOT_INTEGER),
        ("nbf", json!(true), messages::NBF_NOT_INTEGER),
        ("nbf", json!([1]), messages::NBF_NOT_INTEGER),
        ("exp", json!("never"), messages::EXP_NOT_INTEGER),
        ("exp", json!({}), messages::EXP_NOT_INTEGER),
    ];
    for (claim, value, m) in cases {
        let p = payload_edit(|c| {
            c.insert(claim.into(), value.clone());
        });
        assert_eq!(err(&forge(HEADER, &p)), invalid(m), "{claim}={value}");
    }
    // Floats are truncated like Python's int().
    let p = payload_edit(|c| {
        c.insert("exp".into(), json!(1700000900.9));
        c.insert("iat".into(), json!(1699999999.5));
    });
    assert!(decode(&forge(HEADER, &p)).is_ok());
}

#[test]
fn row15_tokens_not_yet_valid() {
    let p = payload_edit(|c| {
        c.insert("iat".into(), json!(NOW + 10.0));
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid(messages::IMMATURE_IAT));
    let p = payload_edit(|c| {
        c.insert("nbf".into(), json!(NOW + 10.0));
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid(messages::IMMATURE_NBF));
    // iat is checked before nbf, like PyJWT.
    let p = payload_edit(|c| {
        c.insert("iat".into(), json!(NOW + 10.0));
        c.insert("nbf".into(), json!(NOW + 10.0));
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid(messages::IMMATURE_IAT));
    // Within the leeway: accepted.
    let m = JwtManager::new(
        builder()
            .decode_leeway(time::Duration::seconds(10))
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(m.decode_token(&forge(HEADER, &p), false).is_ok());
    // Exactly now: accepted (PyJWT refuses only iat > now + leeway).
    let p = payload_edit(|c| {
        c.insert("nbf".into(), json!(NOW));
    });
    assert!(decode(&forge(HEADER, &p)).is_ok());
}

#[test]
fn row16_issuer() {
    let m = JwtManager::new(
        builder()
            .decode_issuer("https://auth.example")
            .build()
            .unwrap(),
    )
    .unwrap();
    let e = |p: String| msg(&m.decode_token(&forge(HEADER, &p), false).unwrap_err());
    assert_eq!(
        e(payload("")),
        invalid("Token is missing the \"iss\" claim")
    );
    assert_eq!(e(payload(r#""iss":5"#)), invalid(messages::ISS_NOT_STRING));
    assert_eq!(
        e(payload(r#""iss":"https://evil.example""#)),
        invalid(messages::INVALID_ISSUER)
    );
    assert!(m
        .decode_token(
            &forge(HEADER, &payload(r#""iss":"https://auth.example""#)),
            false
        )
        .is_ok());
    // A list of accepted issuers.
    let m = JwtManager::new(builder().decode_issuer(["a", "b"]).build().unwrap()).unwrap();
    assert!(m
        .decode_token(&forge(HEADER, &payload(r#""iss":"b""#)), false)
        .is_ok());
    // Not configured: any issuer passes, like Flask.
    assert!(decode(&forge(HEADER, &payload(r#""iss":"anyone""#))).is_ok());
}

#[test]
fn row17_audience() {
    let m = JwtManager::new(builder().decode_audience(["api", "web"]).build().unwrap()).unwrap();
    let e = |p: String| msg(&m.decode_token(&forge(HEADER, &p), false).unwrap_err());
    let missing = invalid("Token is missing the \"aud\" claim");
    assert_eq!(e(payload("")), missing);
    for falsy in [
        r#""aud":"""#,
        r#""aud":[]"#,
        r#""aud":null"#,
        r#""aud":0"#,
        r#""aud":false"#,
    ] {
        assert_eq!(e(payload(falsy)), missing, "{falsy}");
    }
    assert_eq!(
        e(payload(r#""aud":5"#)),
        invalid(messages::AUD_INVALID_FORMAT)
    );
    assert_eq!(
        e(payload(r#""aud":["api",5]"#)),
        invalid(messages::AUD_INVALID_FORMAT)
    );
    assert_eq!(
        e(payload(r#""aud":{"api":1}"#)),
        invalid(messages::AUD_INVALID_FORMAT)
    );
    assert_eq!(
        e(payload(r#""aud":"admin""#)),
        invalid(messages::AUD_MISMATCH)
    );
    assert_eq!(
        e(payload(r#""aud":["x","y"]"#)),
        invalid(messages::AUD_MISMATCH)
    );
    for ok in [r#""aud":"web""#, r#""aud":["x","api"]"#] {
        assert!(
            m.decode_token(&forge(HEADER, &payload(ok)), false).is_ok(),
            "{ok}"
        );
    }
    // No audience configured: a foreign aud is accepted, like Flask.
    assert!(decode(&forge(HEADER, &payload(r#""aud":"someone-else""#))).is_ok());
}

#[test]
fn row18_sub_must_be_a_string_unless_verify_sub_is_off() {
    for sub in [json!(5), json!(null), json!({"id": 1}), json!(["a"])] {
        let p = payload_edit(|c| {
            c.insert("sub".into(), sub.clone());
        });
        assert_eq!(
            err(&forge(HEADER, &p)),
            invalid(messages::SUB_NOT_STRING),
            "{sub}"
        );
    }
    let m = JwtManager::new(builder().verify_sub(false).build().unwrap()).unwrap();
    let p = payload_edit(|c| {
        c.insert("sub".into(), json!(5));
    });
    let d = m.decode_token(&forge(HEADER, &p), false).unwrap();
    assert_eq!(d.identity(), &json!(5));
}

#[test]
fn row19_jti_must_be_a_string() {
    for jti in [json!(5), json!(null), json!(true)] {
        let p = payload_edit(|c| {
            c.insert("jti".into(), jti.clone());
        });
        assert_eq!(
            err(&forge(HEADER, &p)),
            invalid(messages::JTI_NOT_STRING),
            "{jti}"
        );
    }
}

#[test]
fn row20_identity_claim_must_be_present() {
    let p = payload_edit(|c| {
        c.remove("sub");
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid("Missing claim: sub"));
    let m = JwtManager::new(builder().identity_claim("identity").build().unwrap()).unwrap();
    assert_eq!(
        msg(&m
            .decode_token(&forge(HEADER, &payload("")), false)
            .unwrap_err()),
        invalid("Missing claim: identity")
    );
    let ok = m
        .decode_token(&forge(HEADER, &payload(r#""identity":"bob""#)), false)
        .unwrap();
    assert_eq!(ok.identity_str(), Some("bob"));
}

#[test]
fn row21_expired_tokens() {
    let at = |exp: f64| {
        forge(
            HEADER,
            &payload_edit(|c| {
                c.insert("exp".into(), json!(exp));
            }),
        )
    };
    assert_eq!(err(&at(NOW - 1.0)), (401, messages::EXPIRED.to_owned()));
    assert_eq!(
        err(&at(NOW)),
        (401, messages::EXPIRED.to_owned()),
        "exp == now is expired"
    );
    assert!(decode(&at(NOW + 1.0)).is_ok());
    // allow_expired returns the token.
    let d = manager().decode_token(&at(NOW - 100.0), true).unwrap();
    assert_eq!(d.identity_str(), Some("alice"));
    // Within the leeway: accepted.
    let m = JwtManager::new(
        builder()
            .decode_leeway(time::Duration::seconds(5))
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(m.decode_token(&at(NOW - 4.0), false).is_ok());
    assert!(m.decode_token(&at(NOW - 5.0), false).is_err());
}

#[test]
fn row21_expired_is_reported_after_the_other_claim_checks_like_flask() {
    let p = payload_edit(|c| {
        c.insert("exp".into(), json!(NOW - 10.0));
        c.remove("sub");
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid("Missing claim: sub"));
    let p = payload_edit(|c| {
        c.insert("exp".into(), json!(NOW - 10.0));
        c.insert("jti".into(), json!(5));
    });
    assert_eq!(err(&forge(HEADER, &p)), invalid(messages::JTI_NOT_STRING));
    // But a bad signature on an expired token is a signature error.
    let expired = forge_with(
        HEADER,
        &payload_edit(|c| {
            c.insert("exp".into(), json!(NOW - 10.0));
        }),
        Algorithm::HS256,
        "wrong-secret",
    );
    assert_eq!(err(&expired), invalid(messages::SIGNATURE_FAILED));
}

#[test]
fn accepted_like_flask_without_optional_claims() {
    // No exp, no type, no fresh, no jti, no iat, no nbf.
    let d = decode(&forge(HEADER, r#"{"sub":"alice"}"#)).unwrap();
    assert_eq!(d.token_type(), Some("access"));
    assert!(!d.is_refresh());
    assert_eq!(d.jti(), None);
    // A header without typ is fine.
    assert!(decode(&forge(r#"{"alg":"HS256"}"#, r#"{"sub":"alice"}"#)).is_ok());
    // Unknown header members and claims are kept.
    let d = decode(&forge(
        r#"{"alg":"HS256","x":1}"#,
        &payload(r#""role":"admin""#),
    ))
    .unwrap();
    assert_eq!(d.header()["x"], 1);
    assert_eq!(d.get("role"), Some(&json!("admin")));
}

#[test]
fn config_errors_name_the_flask_option() {
    let cases: Vec<(jwt_runtime::JwtConfigBuilder, &str)> = vec![
        (JwtConfig::builder(), "JWT_SECRET_KEY"),
        (JwtConfig::builder().secret_key(""), "JWT_SECRET_KEY"),
        (builder().algorithm("HS257"), "JWT_ALGORITHM"),
        (builder().algorithm("none"), "JWT_ALGORITHM"),
        (
            builder().decode_algorithms(["HS256", "RS256"]),
            "JWT_DECODE_ALGORITHMS",
        ),
        (
            builder().decode_algorithms(["bogus"]),
            "JWT_DECODE_ALGORITHMS",
        ),
        (builder().algorithm("RS256"), "JWT_PUBLIC_KEY"),
        (JwtConfig::builder().secret_key("short"), "JWT_SECRET_KEY"),
        (builder().algorithm("HS512").secret_key("x".repeat(63)), "JWT_SECRET_KEY"),
        (
            JwtConfig::builder().secret_key("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----"),
            "JWT_SECRET_KEY",
        ),
        (builder().header_name(""), "JWT_HEADER_NAME"),
        (builder().header_name("Bad Header"), "JWT_HEADER_NAME"),
        (builder().header_type("Bearer x"), "JWT_HEADER_TYPE"),
        (builder().identity_claim(""), "JWT_IDENTITY_CLAIM"),
        (builder().error_msg_key(""), "JWT_ERROR_MESSAGE_KEY"),
        (
            builder().decode_leeway(time::Duration::seconds(-1)),
            "JWT_DECODE_LEEWAY",
        ),
        (builder().token_location([]), "JWT_TOKEN_LOCATION"),
        (
            builder().token_location([
                jwt_runtime::Location::Headers,
                jwt_runtime::Location::Headers,
            ]),
            "JWT_TOKEN_LOCATION",
        ),
        (
            builder().decode_audience(Vec::<String>::new()),
            "JWT_DECODE_AUDIENCE",
        ),
        (builder().max_token_length(0), "max_token_length"),
    ];
    for (b, option) in cases {
        match b.build() {
            Err(e @ JwtError::Config(_)) => {
                assert!(e.to_string().contains(option), "{e} should name {option}")
            }
            other => panic!("expected a config error naming {option}, got {other:?}"),
        }
    }
}

#[test]
fn config_debug_never_shows_the_secret() {
    let c = builder().build().unwrap();
    let shown = format!("{c:?} {:?} {:?}", builder(), manager());
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("<redacted>"));
}

#[test]
fn decoded_token_debug_redacts_csrf() {
    let d = decode(&forge(HEADER, &payload(r#""csrf":"the-csrf-value""#))).unwrap();
    let shown = format!("{d:?}");
    assert!(!shown.contains("the-csrf-value"), "{shown}");
}
