//! Prints a JSON object of tokens minted with `JWT_SECRET_KEY`: handy to call
//! a service with curl, and used by `tests/interop/flask_accepts_ours.py` to
//! check that Flask-JWT-Extended accepts our tokens.
//!
//! ```text
//! JWT_SECRET_KEY=... cargo run --example mint_tokens
//! ```
//!
//! With `JWT_LEGACY_SECRET=sign`, a secret shorter than RFC 7518 asks (a
//! Flask service's) is accepted for signing (`JwtConfigBuilder::legacy_secret`).

use axum_jwt_extended::{
    Duration, Expires, Fresh, JwtConfig, JwtManager, LegacySecret, TokenOptions,
};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")
        .map_err(|_| "set JWT_SECRET_KEY to the secret of the service you want to call")?;
    let identity = std::env::var("JWT_IDENTITY").unwrap_or_else(|_| "alice".to_owned());
    // A Flask service's secret shorter than RFC 7518 asks (Flask accepts any
    // length): `JWT_LEGACY_SECRET=sign` signs with it anyway, as the
    // migration guide's step 1 does (and `build()` warns).
    let builder = match std::env::var("JWT_LEGACY_SECRET").as_deref() {
        Ok("sign") => JwtConfig::builder().legacy_secret(secret, LegacySecret::SignAndVerify),
        _ => JwtConfig::builder().secret_key(secret),
    };
    let jwt = JwtManager::new(builder.build()?)?;
    let tokens = json!({
        "access": jwt.create_access_token(&identity)?,
        "fresh_access": jwt.create_access_token_with(&identity, TokenOptions::new().fresh(true))?,
        "fresh_for": jwt.create_access_token_with(&identity, TokenOptions::new().fresh(Duration::hours(1)))?,
        "refresh": jwt.create_refresh_token(&identity)?,
        "never_expires": jwt.create_access_token_with(&identity, TokenOptions::new().expires(Expires::Never))?,
        "expired": jwt.create_access_token_with(&identity, TokenOptions::new().expires(Duration::seconds(-1)))?,
        "with_claims": jwt.create_access_token_with(
            &identity,
            TokenOptions::new()
                .fresh(Fresh::Yes)
                .additional_claims(json!({"role": "admin", "perms": [1, 2]}))
                .additional_headers(json!({"kid": "key-1"})),
        )?,
    });
    println!("{}", serde_json::to_string_pretty(&tokens)?);
    Ok(())
}
