//! RSA per crypto backend: aws-lc-rs signs and verifies; rust-crypto only
//! verifies, because its RSA signing is not constant time (RUSTSEC-2023-0071).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use jwt_runtime::{Algorithm, JwtConfig, JwtManager, SigningKey};

fn pem(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A verify-only service (public key) accepts an RS256 token.
#[test]
fn rsa_public_key_verification_works_on_every_backend() {
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &serde_json::json!({ "sub": "alice", "type": "access", "fresh": false }),
        &jsonwebtoken::EncodingKey::from_rsa_pem(&pem("rsa2048-private.pem")).unwrap(),
    );
    // Signed by jsonwebtoken; ours only verifies.
    let verifier = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .public_key(pem("rsa2048-public.pem"))
            .build()
            .unwrap(),
    )
    .unwrap();
    let decoded = verifier.decode_token(&token.unwrap(), false).unwrap();
    assert_eq!(decoded.identity_str(), Some("alice"));
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn aws_lc_signs_with_rsa() {
    for alg in ["RS256", "PS256"] {
        let jwt = JwtManager::new(
            JwtConfig::builder()
                .algorithm(alg)
                .private_key(pem("rsa2048-private.pem"))
                .public_key(pem("rsa2048-public.pem"))
                .build()
                .unwrap(),
        )
        .unwrap();
        let token = jwt.create_access_token("alice").unwrap();
        assert_eq!(
            jwt.decode_token(&token, false).unwrap().identity_str(),
            Some("alice")
        );
    }
    SigningKey::from_pem(Algorithm::RS256, pem("rsa2048-private.pem")).unwrap();
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
#[test]
fn rust_crypto_refuses_to_sign_with_rsa() {
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let err = JwtConfig::builder()
            .algorithm(alg)
            .private_key(pem("rsa2048-private.pem"))
            .public_key(pem("rsa2048-public.pem"))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("JWT_PRIVATE_KEY") && err.contains("RUSTSEC-2023-0071"),
            "{alg}: {err}"
        );
    }
    let err = SigningKey::from_pem(Algorithm::RS256, pem("rsa2048-private.pem"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("RUSTSEC-2023-0071"), "{err}");
    // EC and EdDSA signing are unaffected.
    JwtConfig::builder()
        .algorithm("ES256")
        .private_key(pem("ec256-private.pem"))
        .public_key(pem("ec256-public.pem"))
        .build()
        .unwrap();
}
