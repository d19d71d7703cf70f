//! Helpers shared by the runtime's integration tests: fixed keys, a fixed
//! clock, and a forger for tokens with arbitrary header and payload bytes.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used
)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use jsonwebtoken::Algorithm;
use jwt_runtime::{FixedClock, JwtConfig, JwtConfigBuilder, JwtManager};

/// 64 bytes: long enough for HS512 too.
pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256-hs384-and-hs512-tokens";
pub const NOW: f64 = 1_700_000_000.0;

pub fn builder() -> JwtConfigBuilder {
    JwtConfig::builder()
        .secret_key(SECRET)
        .clock(FixedClock(NOW))
}

pub fn manager() -> JwtManager {
    JwtManager::new(builder().build().unwrap()).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// HMAC with the RustCrypto crates: an implementation independent of the one
/// under test.
pub fn sign(signing_input: &str, alg: Algorithm, secret: &str) -> String {
    let key = secret.as_bytes();
    let msg = signing_input.as_bytes();
    let mac = match alg {
        Algorithm::HS256 => Hmac::<sha2::Sha256>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
        Algorithm::HS384 => Hmac::<sha2::Sha384>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
        Algorithm::HS512 => Hmac::<sha2::Sha512>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
        other => panic!("test helper signs HMAC only, not {other:?}"),
    };
    b64(&mac)
}

/// A token with exactly these header and payload JSON texts, signed with HS256
/// and `SECRET`.
pub fn forge(header: &str, payload: &str) -> String {
    forge_with(header, payload, Algorithm::HS256, SECRET)
}

pub fn forge_with(header: &str, payload: &str, alg: Algorithm, secret: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = sign(&input, alg, secret);
    format!("{input}.{sig}")
}

pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// A valid payload at NOW, with extra members spliced in.
pub fn payload(extra: &str) -> String {
    let base = r#""fresh":false,"iat":1700000000,"jti":"5b0e1c4e-7a1e-4d4b-9a0e-2f2b9c1d0a11","type":"access","sub":"alice","nbf":1700000000,"exp":1700000900"#;
    if extra.is_empty() {
        format!("{{{base}}}")
    } else {
        format!("{{{base},{extra}}}")
    }
}

pub fn msg(err: &jwt_runtime::JwtError) -> (u16, String) {
    (err.status().as_u16(), err.to_string())
}

/// The valid payload at NOW as a JSON map, edited by `f`.
pub fn payload_edit(f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut m: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&payload("")).unwrap();
    f(&mut m);
    serde_json::to_string(&m).unwrap()
}
