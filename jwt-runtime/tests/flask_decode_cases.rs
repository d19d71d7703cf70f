//! Flask-JWT-Extended's `test_decode_tokens`, case by case where the
//! behaviour table tests (`decode.rs`) do not already pin it. Decoding only:
//! no router.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum_jwt_extended::{
    Duration, FixedClock, JwtConfig, JwtConfigBuilder, JwtError, JwtManager, TokenOptions,
};
use serde_json::json;

const SECRET: &str = "change_me-but-long-enough-for-hs256!";
const NOW: f64 = 1_700_000_000.0;

fn config() -> JwtConfigBuilder {
    JwtConfig::builder()
        .secret_key(SECRET)
        .clock(FixedClock(NOW))
}

fn jwt(b: JwtConfigBuilder) -> JwtManager {
    JwtManager::new(b.build().unwrap()).unwrap()
}

#[test]
fn supports_decoding_other_token_types() {
    let m = jwt(config());
    let t = m
        .create_access_token_with(
            "username",
            TokenOptions::new().additional_claims(json!({"role": "app"})),
        )
        .unwrap();
    assert_eq!(m.decode_token(&t, false).unwrap().claims()["role"], "app");
}

#[test]
fn encode_decode_audience() {
    let enc = |aud: Option<&str>| {
        let b = config();
        jwt(match aud {
            Some(a) => b.encode_audience(a),
            None => b,
        })
        .create_access_token("username")
        .unwrap()
    };
    let dec = |aud: Option<&str>| {
        let b = config();
        jwt(match aud {
            Some(a) => b.decode_audience(a),
            None => b,
        })
    };
    // No audience: no aud claim.
    assert!(dec(None)
        .decode_token(&enc(None), false)
        .unwrap()
        .get("aud")
        .is_none());
    assert_eq!(
        dec(Some("foo"))
            .decode_token(&enc(Some("foo")), false)
            .unwrap()
            .get("aud"),
        Some(&json!("foo"))
    );
    assert_eq!(
        dec(Some("bar"))
            .decode_token(&enc(Some("foo")), false)
            .unwrap_err(),
        JwtError::InvalidToken("Audience doesn't match".into())
    );
    assert_eq!(
        dec(Some("foo"))
            .decode_token(&enc(None), false)
            .unwrap_err(),
        JwtError::InvalidToken("Token is missing the \"aud\" claim".into())
    );
    assert_eq!(
        dec(None)
            .decode_token(&enc(Some("foo")), false)
            .unwrap()
            .get("aud"),
        Some(&json!("foo"))
    );
    // A list of accepted audiences.
    let both = jwt(config().decode_audience(["foo", "bar"]));
    for aud in ["foo", "bar"] {
        assert!(both.decode_token(&enc(Some(aud)), false).is_ok(), "{aud}");
    }
}

#[test]
fn expired_and_allow_expired_and_never_expire() {
    let m = jwt(config());
    let t = m
        .create_access_token_with(
            "username",
            TokenOptions::new().expires(Duration::minutes(-1)),
        )
        .unwrap();
    assert_eq!(m.decode_token(&t, false).unwrap_err(), JwtError::Expired);
    let d = m.decode_token(&t, true).unwrap();
    assert_eq!(
        (d.identity_str(), d.expires_at().is_some()),
        (Some("username"), true)
    );
    let r = m
        .create_refresh_token_with(
            "username",
            TokenOptions::new().expires(Duration::minutes(-1)),
        )
        .unwrap();
    assert_eq!(m.decode_token(&r, false).unwrap_err(), JwtError::Expired);
    let never = jwt(config()
        .access_token_expires(axum_jwt_extended::Expires::Never)
        .refresh_token_expires(axum_jwt_extended::Expires::Never));
    assert!(never
        .decode_token(&never.create_access_token("u").unwrap(), false)
        .unwrap()
        .get("exp")
        .is_none());
    assert!(never
        .decode_token(&never.create_refresh_token("u").unwrap(), false)
        .unwrap()
        .get("exp")
        .is_none());
}

#[test]
fn nbf_in_the_future_and_leeway() {
    let future = jwt(config().clock(FixedClock(NOW + 60.0)));
    let t = future.create_access_token("username").unwrap();
    assert_eq!(
        jwt(config()).decode_token(&t, false).unwrap_err(),
        JwtError::InvalidToken("The token is not yet valid (iat)".into())
    );
    assert!(jwt(config().decode_leeway(Duration::seconds(60)))
        .decode_token(&t, false)
        .is_ok());
    let no_iat_future_nbf = jwt(config())
        .create_access_token_with(
            "username",
            TokenOptions::new().additional_claims(json!({"nbf": NOW + 30.0, "iat": NOW})),
        )
        .unwrap();
    assert_eq!(
        jwt(config())
            .decode_token(&no_iat_future_nbf, false)
            .unwrap_err(),
        JwtError::InvalidToken("The token is not yet valid (nbf)".into())
    );
    assert!(jwt(config().decode_leeway(Duration::seconds(30)))
        .decode_token(&no_iat_future_nbf, false)
        .is_ok());
}

#[test]
fn alternate_identity_claim() {
    let default = jwt(config()).create_access_token("username").unwrap();
    let banana = jwt(config().identity_claim("banana"));
    assert_eq!(
        banana.decode_token(&default, false).unwrap_err(),
        JwtError::InvalidToken("Missing claim: banana".into())
    );
    let t = banana.create_access_token("username").unwrap();
    let d = banana.decode_token(&t, false).unwrap();
    assert!(d.get("banana").is_some() && d.get("sub").is_none());
}

#[test]
fn get_jti_and_unverified_headers() {
    let m = jwt(config());
    let t = m
        .create_access_token_with(
            "username",
            TokenOptions::new().additional_headers(json!({"foo": "bar"})),
        )
        .unwrap();
    let jti = m.decode_token(&t, false).unwrap().jti().unwrap().to_owned();
    assert_eq!(m.get_jti(&t).unwrap(), Some(jti));
    assert_eq!(m.get_unverified_jwt_headers(&t).unwrap()["foo"], "bar");
    let r = m
        .create_refresh_token_with(
            "username",
            TokenOptions::new().additional_headers(json!({"foo": "bar"})),
        )
        .unwrap();
    assert_eq!(m.get_unverified_jwt_headers(&r).unwrap()["foo"], "bar");
    assert_eq!(
        m.get_unverified_jwt_headers("banana").unwrap_err(),
        JwtError::InvalidToken("Not enough segments".into())
    );
}

#[test]
fn issuer_encode_and_decode() {
    let t = jwt(config().encode_issuer("foobar"))
        .create_access_token("username")
        .unwrap();
    assert_eq!(
        jwt(config()).decode_token(&t, false).unwrap().get("iss"),
        Some(&json!("foobar"))
    );
    assert_eq!(
        jwt(config().decode_issuer("foobar"))
            .decode_token(&t, false)
            .unwrap()
            .get("iss"),
        Some(&json!("foobar"))
    );
    assert_eq!(
        jwt(config().decode_issuer("baz"))
            .decode_token(&t, false)
            .unwrap_err(),
        JwtError::InvalidToken("Invalid issuer".into())
    );
}

#[test]
fn token_expires_time_config() {
    let m = jwt(config()
        .access_token_expires(Duration::hours(1))
        .refresh_token_expires(Duration::hours(2)));
    let a = m
        .decode_token(&m.create_access_token("u").unwrap(), false)
        .unwrap();
    let r = m
        .decode_token(&m.create_refresh_token("u").unwrap(), false)
        .unwrap();
    assert_eq!(a.expires_at(), Some(NOW + 3600.0));
    assert_eq!(r.expires_at(), Some(NOW + 7200.0));
}
