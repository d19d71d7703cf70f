//! Key ids, rotation, JWKS publishing, key loaders, and the RFC example tokens.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{
    messages, Algorithm, FixedClock, JwtConfig, JwtError, JwtManager, SigningKey, TokenOptions,
    VerificationKey,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;

const RSA_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-public.pem");
const RSA_OTHER_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-other-private.pem");
const RSA_OTHER_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-other-public.pem");
const EC256_PUBLIC: &str = include_str!("fixtures/keys/ec256-public.pem");
const ED_PRIVATE: &str = include_str!("fixtures/keys/ed25519-private.pem");
const ED_PUBLIC: &str = include_str!("fixtures/keys/ed25519-public.pem");

const OLD_SECRET: &str = "the previous secret, 32 bytes or more";
const NEW_SECRET: &str = "the current secret, also 32 bytes or more";

fn header_of(token: &str) -> Value {
    let head = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}

#[test]
fn key_id_is_written_into_new_tokens() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(NEW_SECRET)
            .key_id("2026-11")
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        header_of(&t),
        json!({"alg": "HS256", "kid": "2026-11", "typ": "JWT"})
    );
    // The key's kid wins over an additional header.
    let t = jwt
        .create_access_token_with(
            "alice",
            TokenOptions::new().additional_headers(json!({"kid": "forged"})),
        )
        .unwrap();
    assert_eq!(header_of(&t)["kid"], "2026-11");
}

#[test]
fn rotation_hmac_verifies_old_tokens_by_kid_and_signs_with_the_new_key() {
    let old = JwtManager::new(
        JwtConfig::builder()
            .secret_key(OLD_SECRET)
            .key_id("2026-10")
            .build()
            .unwrap(),
    )
    .unwrap();
    let old_token = old.create_access_token("alice").unwrap();
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(NEW_SECRET)
            .key_id("2026-11")
            .verification_key(
                VerificationKey::from_secret(Algorithm::HS256, OLD_SECRET)
                    .unwrap()
                    .with_kid("2026-10"),
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        jwt.decode_token(&old_token, false).unwrap().identity_str(),
        Some("alice")
    );
    let new_token = jwt.create_access_token("bob").unwrap();
    assert_eq!(header_of(&new_token)["kid"], "2026-11");
    assert!(
        old.decode_token(&new_token, false).is_err(),
        "the old service cannot verify new tokens"
    );
    // A token signed with the old key but naming another kid falls back to the
    // primary key, and fails its signature.
    let liar = JwtManager::new(
        JwtConfig::builder()
            .secret_key(OLD_SECRET)
            .key_id("2026-11")
            .build()
            .unwrap(),
    )
    .unwrap();
    let lying = liar.create_access_token("mallory").unwrap();
    assert_eq!(
        jwt.decode_token(&lying, false).unwrap_err(),
        JwtError::InvalidToken(messages::SIGNATURE_FAILED.into())
    );
}

#[test]
fn rotation_rsa_with_the_previous_public_key() {
    let old = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(RSA_OTHER_PRIVATE)
            .public_key(RSA_OTHER_PUBLIC)
            .key_id("old")
            .build()
            .unwrap(),
    )
    .unwrap();
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(RSA_PRIVATE)
            .public_key(RSA_PUBLIC)
            .key_id("new")
            .verification_key(
                VerificationKey::from_pem(Algorithm::RS256, RSA_OTHER_PUBLIC)
                    .unwrap()
                    .with_kid("old"),
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = old.create_access_token("alice").unwrap();
    assert!(jwt.decode_token(&t, false).is_ok());
    assert!(jwt
        .decode_token(&jwt.create_access_token("bob").unwrap(), false)
        .is_ok());
}

#[test]
fn rotation_keys_are_checked_at_build() {
    let key = || VerificationKey::from_secret(Algorithm::HS256, OLD_SECRET).unwrap();
    let err = |b: axum_jwt_extended::JwtConfigBuilder| b.build().unwrap_err().to_string();
    assert!(err(JwtConfig::builder()
        .secret_key(NEW_SECRET)
        .verification_key(key()))
    .contains("key id"));
    assert!(err(JwtConfig::builder()
        .secret_key(NEW_SECRET)
        .key_id("a")
        .verification_key(key().with_kid("a")))
    .contains("share the key id"));
    let hs512 = VerificationKey::from_secret(Algorithm::HS512, "x".repeat(64))
        .unwrap()
        .with_kid("b");
    assert!(err(JwtConfig::builder()
        .secret_key(NEW_SECRET)
        .verification_key(hs512))
    .contains("JWT_DECODE_ALGORITHMS"));
    assert!(VerificationKey::from_secret(Algorithm::HS256, "short").is_err());
    assert!(SigningKey::from_secret(Algorithm::HS512, "x".repeat(63)).is_err());
    assert!(VerificationKey::from_pem(Algorithm::RS256, EC256_PUBLIC).is_err());
}

#[tokio::test]
async fn jwks_publishes_public_keys_only() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(RSA_PRIVATE)
            .public_key(RSA_PUBLIC)
            .key_id("new")
            .verification_key(
                VerificationKey::from_pem(Algorithm::RS256, RSA_OTHER_PUBLIC)
                    .unwrap()
                    .with_kid("old"),
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new().route("/.well-known/jwks.json", get(jwt.jwks_handler()));
    let res = app
        .oneshot(
            Request::builder()
                .uri("/.well-known/jwks.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/jwk-set+json"
    );
    let body: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body, jwt.jwks());
    let keys = body["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert_eq!(
            (k["kty"].as_str(), k["alg"].as_str(), k["use"].as_str()),
            (Some("RSA"), Some("RS256"), Some("sig"))
        );
        assert_eq!(k["e"], "AQAB");
        assert!(
            k.get("d").is_none() && k.get("p").is_none(),
            "no private members: {k}"
        );
    }
    assert_eq!(keys[0]["kid"], "new");
    // A verifier built from the published JWK accepts the manager's tokens.
    let t = jwt.create_access_token("alice").unwrap();
    let from_jwks = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .public_key(RSA_PUBLIC)
            .verification_key(VerificationKey::from_jwk(&keys[0], None).unwrap())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(from_jwks.decode_token(&t, false).is_ok());

    // HMAC secrets are never published.
    let hs = JwtManager::new(
        JwtConfig::builder()
            .secret_key(NEW_SECRET)
            .key_id("k")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(hs.jwks(), json!({"keys": []}));
    assert!(!hs.jwks().to_string().contains("current secret"));
    // EdDSA keys publish as OKP.
    let ed = JwtManager::new(
        JwtConfig::builder()
            .algorithm("EdDSA")
            .public_key(ED_PUBLIC)
            .key_id("ed")
            .build()
            .unwrap(),
    )
    .unwrap();
    let jwk = &ed.jwks()["keys"][0];
    assert_eq!(
        (
            jwk["kty"].as_str(),
            jwk["crv"].as_str(),
            jwk["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(jwk["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
}

#[tokio::test]
async fn decode_key_loader_sees_the_header_and_selects_the_key() {
    let tenant_a = Arc::new(VerificationKey::from_secret(Algorithm::HS256, OLD_SECRET).unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(NEW_SECRET).build().unwrap())
        .unwrap()
        .decode_key_loader(move |header| {
            record.lock().unwrap().push(Value::Object(header.clone()));
            (header.get("kid").and_then(Value::as_str) == Some("tenant-a"))
                .then(|| tenant_a.clone())
        });
    let tenant_signer = JwtManager::new(
        JwtConfig::builder()
            .secret_key(OLD_SECRET)
            .key_id("tenant-a")
            .build()
            .unwrap(),
    )
    .unwrap();
    let tenant_token = tenant_signer.create_access_token("alice").unwrap();
    assert_eq!(
        jwt.decode_token(&tenant_token, false)
            .unwrap()
            .identity_str(),
        Some("alice")
    );
    // Through the HTTP path too.
    let app = Router::new()
        .route(
            "/p",
            get(|j: axum_jwt_extended::Jwt| async move { j.identity().unwrap_or_default() }),
        )
        .layer(jwt.layer());
    let res = app
        .oneshot(
            Request::builder()
                .uri("/p")
                .header(header::AUTHORIZATION, format!("Bearer {tenant_token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Its own tokens still use the configured key.
    assert!(jwt
        .decode_token(&jwt.create_access_token("bob").unwrap(), false)
        .is_ok());
    // The loader saw headers only: no claim reached it.
    for h in seen.lock().unwrap().iter() {
        assert!(h.get("sub").is_none() && h.get("alg").is_some(), "{h}");
    }
    // A chosen key of another algorithm does not verify a token of this one.
    let ed_key = Arc::new(VerificationKey::from_pem(Algorithm::EdDSA, ED_PUBLIC).unwrap());
    let confused = JwtManager::new(JwtConfig::builder().secret_key(NEW_SECRET).build().unwrap())
        .unwrap()
        .decode_key_loader(move |_| Some(ed_key.clone()));
    assert_eq!(
        confused.decode_token(&tenant_token, false).unwrap_err(),
        JwtError::InvalidToken(messages::ALG_NOT_ALLOWED.into())
    );
}

#[test]
fn encode_key_loader_signs_per_identity() {
    let ed_signer = Arc::new(
        SigningKey::from_pem(Algorithm::EdDSA, ED_PRIVATE)
            .unwrap()
            .with_kid("ed-1"),
    );
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("EdDSA")
            .public_key(ED_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap()
    .encode_key_loader(move |identity| (identity == "service").then(|| ed_signer.clone()));
    let t = jwt.create_access_token("service").unwrap();
    assert_eq!(
        header_of(&t),
        json!({"alg": "EdDSA", "kid": "ed-1", "typ": "JWT"})
    );
    assert!(jwt.decode_token(&t, false).is_ok());
    // Without a key for this identity and without JWT_PRIVATE_KEY: an Err.
    assert!(matches!(
        jwt.create_access_token("someone"),
        Err(JwtError::Encode(_))
    ));
}

#[test]
fn embedded_jwk_jku_and_x5u_headers_are_never_trusted() {
    // An attacker signs with their own key and ships it in the header.
    let attacker = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(RSA_OTHER_PRIVATE)
            .public_key(RSA_OTHER_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let victim = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .public_key(RSA_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let attacker_jwk = attacker.jwks()["keys"][0].clone();
    for extra in [
        json!({"jwk": attacker_jwk}),
        json!({"jku": "http://127.0.0.1:9/jwks.json"}),
        json!({"x5u": "http://127.0.0.1:9/cert.pem"}),
    ] {
        let t = attacker
            .create_access_token_with(
                "admin",
                TokenOptions::new().additional_headers(extra.clone()),
            )
            .unwrap();
        assert_eq!(
            victim.decode_token(&t, false).unwrap_err(),
            JwtError::InvalidToken(messages::SIGNATURE_FAILED.into()),
            "{extra}"
        );
    }
}

#[test]
fn rfc7515_appendix_a1_hs256_example_verifies() {
    // RFC 7515 A.1 (and RFC 7519 3.1): the JWK `k` and the example token.
    let key = URL_SAFE_NO_PAD
        .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
        .unwrap();
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(&key)
            .identity_claim("iss")
            .clock(FixedClock(1_300_819_370.0))
            .build()
            .unwrap(),
    )
    .unwrap();
    let d = jwt.decode_token(token, false).unwrap();
    assert_eq!(d.identity_str(), Some("joe"));
    assert_eq!(d.get("http://example.com/is_root"), Some(&json!(true)));
    // After its exp it is expired, like any token.
    let later = JwtManager::new(
        JwtConfig::builder()
            .secret_key(&key)
            .identity_claim("iss")
            .clock(FixedClock(1_300_819_381.0))
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        later.decode_token(token, false).unwrap_err(),
        JwtError::Expired
    );
}

#[test]
fn rfc8037_appendix_a4_ed25519_key_verifies_the_example_signature() {
    // RFC 8037 A.1 public key and A.4 signature. The signed payload is text,
    // not a JWT claims object, so the signature is checked at the JWS level,
    // with the key rebuilt from our published JWK.
    let key = VerificationKey::from_jwk(
        &json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
        None,
    )
    .unwrap();
    assert_eq!(key.algorithm(), Algorithm::EdDSA);
    let jwk = key.to_jwk().unwrap();
    assert_eq!(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    let sig =
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let decoding =
        jsonwebtoken::DecodingKey::from_jwk(&serde_json::from_value(jwk).unwrap()).unwrap();
    assert!(jsonwebtoken::crypto::verify(
        sig,
        input.as_bytes(),
        &decoding,
        jsonwebtoken::Algorithm::EdDSA
    )
    .unwrap());
    let mut bad = sig.to_owned();
    bad.replace_range(0..1, "i");
    assert!(!jsonwebtoken::crypto::verify(
        &bad,
        input.as_bytes(),
        &decoding,
        jsonwebtoken::Algorithm::EdDSA
    )
    .unwrap_or(false));
    // As a JWT, our decoder refuses it: with the RFC's key the signature
    // verifies, and the payload (parsed only then, in PyJWT's order) is
    // text, not a claims object; with another key, the signature fails
    // before anything in the payload is read.
    let rfc_key = std::sync::Arc::new(key.clone());
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("EdDSA")
            .public_key(ED_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let other = jwt
        .decode_token(&format!("{input}.{sig}"), false)
        .unwrap_err();
    assert_eq!(other.to_string(), "Signature verification failed");
    let jwt = jwt.decode_key_loader(move |_| Some(rfc_key.clone()));
    let e = jwt
        .decode_token(&format!("{input}.{sig}"), false)
        .unwrap_err();
    assert_eq!(e.status().as_u16(), 422);
    assert!(e.to_string().starts_with("Invalid payload string"), "{e}");
}

/// A token as a Flask service with a short secret mints it (PyJWT's layout,
/// no `kid`).
fn flask_token(secret: &str, identity: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "fresh": false, "iat": now, "jti": "3f8c1c6e-0000-4000-8000-000000000001",
        "type": "access", "sub": identity, "nbf": now, "exp": now + 900,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn signed_with(token: &str, secret: &str) -> bool {
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .is_ok()
}

const FLASK_SECRET: &str = "flask-secret";

#[test]
fn a_flask_services_short_secret_is_refused_without_the_migration_opt_in() {
    let err = JwtConfig::builder()
        .secret_key(FLASK_SECRET)
        .build()
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("shorter than the 32 bytes"),
        "{err}"
    );
}

#[test]
fn a_legacy_secret_signs_and_verifies_as_the_flask_service_does() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .legacy_secret(FLASK_SECRET, axum_jwt_extended::LegacySecret::SignAndVerify)
            .build()
            .unwrap(),
    )
    .unwrap();
    let theirs = flask_token(FLASK_SECRET, "alice");
    assert_eq!(
        jwt.decode_token(&theirs, false).unwrap().identity_str(),
        Some("alice")
    );
    let ours = jwt.create_access_token("bob").unwrap();
    assert!(
        signed_with(&ours, FLASK_SECRET),
        "the Flask service verifies ours"
    );
    // Only the length is waived: another secret's token is still refused.
    let forged = flask_token("another-short", "mallory");
    assert!(matches!(
        jwt.decode_token(&forged, false),
        Err(JwtError::InvalidToken(_))
    ));
}

#[test]
fn a_verify_only_legacy_secret_verifies_flask_tokens_and_new_ones_use_the_new_key() {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .legacy_secret(FLASK_SECRET, axum_jwt_extended::LegacySecret::VerifyOnly)
            .secret_key(NEW_SECRET)
            .key_id("2026-12")
            .build()
            .unwrap(),
    )
    .unwrap();
    let theirs = flask_token(FLASK_SECRET, "alice");
    assert_eq!(
        jwt.decode_token(&theirs, false).unwrap().identity_str(),
        Some("alice")
    );
    let ours = jwt.create_access_token("bob").unwrap();
    assert_eq!(header_of(&ours)["kid"], "2026-12");
    assert!(signed_with(&ours, NEW_SECRET));
    assert!(
        !signed_with(&ours, FLASK_SECRET),
        "new tokens never use the short secret"
    );
    assert_eq!(
        jwt.decode_token(&ours, false).unwrap().identity_str(),
        Some("bob")
    );
    // A token without a kid signed with the new secret is not Flask's: refused.
    let stray = flask_token(NEW_SECRET, "mallory");
    assert!(jwt.decode_token(&stray, false).is_err());
}

#[test]
fn a_legacy_secret_is_checked_against_the_other_key_options() {
    use axum_jwt_extended::LegacySecret::{SignAndVerify, VerifyOnly};
    let cases = [
        (
            JwtConfig::builder()
                .legacy_secret(FLASK_SECRET, SignAndVerify)
                .secret_key(NEW_SECRET),
            "do not also set secret_key",
        ),
        (
            JwtConfig::builder()
                .legacy_secret(FLASK_SECRET, VerifyOnly)
                .secret_key(NEW_SECRET),
            "set both",
        ),
        (
            JwtConfig::builder()
                .legacy_secret(FLASK_SECRET, VerifyOnly)
                .key_id("k"),
            "set both",
        ),
        (
            JwtConfig::builder().legacy_secret("", SignAndVerify),
            "the secret is empty",
        ),
        (
            JwtConfig::builder()
                .legacy_secret(FLASK_SECRET, SignAndVerify)
                .algorithm("RS256"),
            "HMAC secret",
        ),
    ];
    for (builder, expected) in cases {
        let err = builder.build().expect_err(expected);
        assert!(err.to_string().contains(expected), "{err}");
    }
}
