//! Asymmetric algorithms, after Flask-JWT-Extended's `test_asymmetric_crypto`:
//! every algorithm family from PEM, the key checks at `build()`, and the
//! attacks that asymmetric keys invite (algorithm confusion, psychic ECDSA).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{jwt_required, messages, JwtConfig, JwtError, JwtManager};
use base64::Engine as _;
use serde_json::{json, Value};

const RSA_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-public.pem");
const RSA_PRIVATE_PKCS1: &str = include_str!("fixtures/keys/rsa2048-private-pkcs1.pem");
const RSA_PUBLIC_PKCS1: &str = include_str!("fixtures/keys/rsa2048-public-pkcs1.pem");
const RSA_OTHER_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-other-private.pem");
const RSA_OTHER_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-other-public.pem");
const RSA1024_PRIVATE: &str = include_str!("fixtures/keys/rsa1024-private.pem");
const RSA1024_PUBLIC: &str = include_str!("fixtures/keys/rsa1024-public.pem");
const EC256_PRIVATE: &str = include_str!("fixtures/keys/ec256-private.pem");
const EC256_PUBLIC: &str = include_str!("fixtures/keys/ec256-public.pem");
const EC384_PRIVATE: &str = include_str!("fixtures/keys/ec384-private.pem");
const EC384_PUBLIC: &str = include_str!("fixtures/keys/ec384-public.pem");
const ED_PRIVATE: &str = include_str!("fixtures/keys/ed25519-private.pem");
const ED_PUBLIC: &str = include_str!("fixtures/keys/ed25519-public.pem");

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "foo": "bar" }))
}

fn manager(alg: &str, private: &str, public: &str) -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .algorithm(alg)
            .private_key(private)
            .public_key(public)
            .build()
            .unwrap_or_else(|e| panic!("{alg}: {e}")),
    )
    .unwrap()
}

async fn call(jwt: &JwtManager, token: &str) -> (u16, Value) {
    let app = Router::new()
        .route("/protected", get(protected))
        .layer(jwt.layer());
    support::http::get_auth(&app, "/protected", Some(&format!("Bearer {token}"))).await
}

fn segments(token: &str) -> (Value, String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .unwrap();
    (
        serde_json::from_slice(&header).unwrap(),
        parts[1].to_owned(),
        parts[2].to_owned(),
    )
}

#[tokio::test]
async fn every_asymmetric_algorithm_signs_and_verifies() {
    let cases = [
        ("RS256", RSA_PRIVATE, RSA_PUBLIC),
        ("RS384", RSA_PRIVATE, RSA_PUBLIC),
        ("RS512", RSA_PRIVATE, RSA_PUBLIC),
        ("PS256", RSA_PRIVATE, RSA_PUBLIC),
        ("PS384", RSA_PRIVATE, RSA_PUBLIC),
        ("PS512", RSA_PRIVATE, RSA_PUBLIC),
        ("RS256", RSA_PRIVATE_PKCS1, RSA_PUBLIC_PKCS1),
        ("ES256", EC256_PRIVATE, EC256_PUBLIC),
        ("ES384", EC384_PRIVATE, EC384_PUBLIC),
        ("EdDSA", ED_PRIVATE, ED_PUBLIC),
    ];
    for (alg, private, public) in cases {
        let jwt = manager(alg, private, public);
        let token = jwt.create_access_token("username").unwrap();
        let (header, _, _) = segments(&token);
        assert_eq!(header, json!({"alg": alg, "typ": "JWT"}), "{alg}");
        assert_eq!(
            call(&jwt, &token).await,
            (200, json!({"foo": "bar"})),
            "{alg}"
        );
        // Another key of the same kind does not verify it.
        if alg.starts_with("RS") || alg.starts_with("PS") {
            let other = manager(alg, RSA_OTHER_PRIVATE, RSA_OTHER_PUBLIC);
            assert_eq!(
                call(&other, &token).await,
                (422, json!({"msg": messages::SIGNATURE_FAILED})),
                "{alg}"
            );
        }
    }
}

#[tokio::test]
async fn a_symmetric_token_is_refused_by_an_asymmetric_service() {
    // test_asymmetric_cropto: the HS256 token stops working once RS256 is configured.
    let hs = JwtManager::new(
        JwtConfig::builder()
            .secret_key("foobarbaz-but-long-enough-for-hs256!!")
            .build()
            .unwrap(),
    )
    .unwrap();
    let hs256_token = hs.create_access_token("username").unwrap();
    let rs = manager("RS256", RSA_PRIVATE_PKCS1, RSA_PUBLIC_PKCS1);
    assert_eq!(
        call(&rs, &hs256_token).await,
        (
            422,
            json!({"msg": "The specified alg value is not allowed"})
        )
    );
    let rs256_token = rs.create_access_token("username").unwrap();
    assert_eq!(call(&rs, &rs256_token).await, (200, json!({"foo": "bar"})));
}

#[tokio::test]
async fn algorithm_confusion_with_the_public_key_as_hmac_secret_is_impossible() {
    let rs = manager("RS256", RSA_PRIVATE, RSA_PUBLIC);
    let genuine = rs.create_access_token("username").unwrap();
    let (_, payload, _) = segments(&genuine);
    // The classic attack: HS256 keyed with the server's public key PEM.
    for secret in [RSA_PUBLIC, RSA_PUBLIC.trim()] {
        let input = format!(
            "{}.{payload}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(br#"{"alg":"HS256","typ":"JWT"}"#)
        );
        use hmac::Mac as _;
        let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
            .unwrap()
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes();
        let forged = format!(
            "{input}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
        );
        assert_eq!(
            call(&rs, &forged).await,
            (
                422,
                json!({"msg": "The specified alg value is not allowed"})
            )
        );
    }
    // And a PEM cannot be configured as an HMAC secret in the first place.
    let err = JwtConfig::builder()
        .secret_key(RSA_PUBLIC)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("JWT_SECRET_KEY"), "{err}");
}

#[tokio::test]
async fn psychic_ecdsa_signatures_are_refused() {
    // CVE-2022-21449: r = s = 0 must never verify.
    let es = manager("ES256", EC256_PRIVATE, EC256_PUBLIC);
    let genuine = es.create_access_token("username").unwrap();
    let (_, payload, sig) = segments(&genuine);
    let head = genuine.split('.').next().unwrap();
    let zeros = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0u8; 64]);
    for forged_sig in [zeros, String::new(), sig[..sig.len() / 2].to_owned()] {
        let forged = format!("{head}.{payload}.{forged_sig}");
        let (status, body) = call(&es, &forged).await;
        assert_eq!(status, 422, "{forged_sig}: {body}");
    }
}

#[test]
fn key_configuration_errors_name_the_option() {
    let cases: Vec<(JwtConfig, &str)> = vec![];
    drop(cases);
    let err = |b: axum_jwt_extended::JwtConfigBuilder| match b.build() {
        Err(e @ JwtError::Config(_)) => e.to_string(),
        other => panic!("expected a config error, got {other:?}"),
    };
    let rs = || JwtConfig::builder().algorithm("RS256");
    assert!(err(rs()).contains("JWT_PUBLIC_KEY must be set"));
    assert!(err(rs().public_key(EC256_PUBLIC)).contains("JWT_PUBLIC_KEY"));
    assert!(err(rs().public_key("not a pem")).contains("JWT_PUBLIC_KEY"));
    assert!(err(rs().public_key(RSA_PUBLIC).private_key(EC256_PRIVATE)).contains("JWT_PRIVATE_KEY"));
    assert!(
        err(rs().public_key(RSA_PUBLIC).private_key(RSA_OTHER_PRIVATE)).contains("not a key pair")
    );
    assert!(err(rs().public_key(RSA1024_PUBLIC)).contains("1024-bit"));
    assert!(err(rs().public_key(RSA_PUBLIC).private_key(RSA1024_PRIVATE)).contains("2048"));
    assert!(err(JwtConfig::builder()
        .algorithm("ES256")
        .public_key(RSA_PUBLIC))
    .contains("JWT_PUBLIC_KEY"));
    assert!(err(JwtConfig::builder()
        .algorithm("EdDSA")
        .public_key(EC256_PUBLIC))
    .contains("JWT_PUBLIC_KEY"));
    assert!(err(JwtConfig::builder()
        .algorithm("ES256")
        .public_key(EC256_PUBLIC)
        .private_key(EC384_PRIVATE))
    .contains("JWT_PRIVATE_KEY"));
    // Mixed families in the decode list.
    assert!(
        err(rs().public_key(RSA_PUBLIC).decode_algorithms(["ES256"]))
            .contains("JWT_DECODE_ALGORITHMS")
    );
    // RS and PS share the RSA key: allowed together.
    assert!(rs()
        .public_key(RSA_PUBLIC)
        .decode_algorithms(["PS256"])
        .build()
        .is_ok());
    // Weak RSA keys only when explicitly allowed (and only the pure-Rust backend
    // can then use them: aws-lc refuses RSA keys under 2048 bits itself).
    assert!(rs()
        .public_key(RSA1024_PUBLIC)
        .allow_weak_keys(true)
        .build()
        .is_ok());
}

#[tokio::test]
async fn a_verify_only_service_cannot_create_tokens() {
    let signer = manager("ES256", EC256_PRIVATE, EC256_PUBLIC);
    let verifier = JwtManager::new(
        JwtConfig::builder()
            .algorithm("ES256")
            .public_key(EC256_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let token = signer.create_access_token("username").unwrap();
    assert_eq!(call(&verifier, &token).await.0, 200);
    match verifier.create_access_token("username") {
        Err(JwtError::Encode(e)) => assert!(e.contains("JWT_PRIVATE_KEY"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rs_and_ps_tokens_verify_with_one_rsa_key_when_both_are_allowed() {
    let ps = manager("PS256", RSA_PRIVATE, RSA_PUBLIC);
    let both = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .decode_algorithms(["PS256"])
            .public_key(RSA_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let token = ps.create_access_token("username").unwrap();
    assert_eq!(call(&both, &token).await.0, 200);
    let rs_only = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .public_key(RSA_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        call(&rs_only, &token).await,
        (422, json!({"msg": messages::ALG_NOT_ALLOWED}))
    );
}
