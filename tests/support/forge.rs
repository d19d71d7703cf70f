//! Tokens made by hand, byte for byte, to send what our encoder never would:
//! exact header and payload texts, HS256-signed with a known secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;

/// Unpadded base64url.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The HS256 signature segment of `signing_input`.
pub fn hs256(signing_input: &str, secret: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signing_input.as_bytes());
    b64url(mac.finalize().into_bytes())
}

/// A compact JWS with exactly these header and payload texts, signed with
/// `secret` (HS256, whatever the header says).
pub fn signed(header: &str, payload: &str, secret: &str) -> String {
    let input = format!("{}.{}", b64url(header), b64url(payload));
    format!("{input}.{}", hs256(&input, secret.as_bytes()))
}

/// [`signed`] with JSON values for header and claims.
pub fn forge(header: &Value, claims: &Value, secret: &str) -> String {
    signed(&header.to_string(), &claims.to_string(), secret)
}

/// An HS256 token with exactly these claims and the header our encoder writes.
pub fn forge_claims(claims: &Value, secret: &str) -> String {
    signed(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &claims.to_string(),
        secret,
    )
}
