//! A resource server for an OpenID Connect provider (Keycloak, Auth0, Okta,
//! Entra ID, Google, ...): it verifies the provider's access tokens and
//! mints none of its own.
//!
//! ```text
//! OIDC_ISSUER=https://sso.example.com/realms/acme OIDC_AUDIENCE=notes-api \
//!     cargo run --features jwks-https --example oidc_resource_server
//! curl -s localhost:8000/me -H "Authorization: Bearer $ACCESS_TOKEN"
//! ```
//!
//! | request | answer |
//! |---|---|
//! | `GET /me` with a token of `OIDC_ISSUER` for `OIDC_AUDIENCE` | `200 {"sub", "iss"}` |
//! | without a token | `401 {"msg": "Missing Authorization Header"}` |
//! | a token of another issuer | `422 {"msg": "Invalid issuer"}` |
//! | a token for another audience | `422 {"msg": "Audience doesn't match"}` |
//! | a token signed by another key | `422 {"msg": "Unable to find a signing key that matches: ..."}` |
//! | while the provider's keys cannot be had | `503 {"msg": "Signing keys unavailable"}` |
//!
//! The provider is found by discovery (`OIDC_ISSUER` +
//! `/.well-known/openid-configuration`, whose `issuer` must be exactly
//! `OIDC_ISSUER`); its keys are fetched when the first token arrives (and
//! tried once at startup), re-fetched for a new key id, and before their
//! `Cache-Control` lifetime ends. The server starts even when the provider is
//! down, and answers 503 until it is back.
//!
//! Reads `ADDR` (default `127.0.0.1:8000`), `OIDC_ISSUER` (an `https://`
//! URL; `http://` only on loopback), `OIDC_AUDIENCE`, and optionally
//! `JWKS_MIN_REFRESH_SECONDS` (default 60: the shortest time between two key
//! fetches). TLS trusts the platform's roots plus the certificates of the
//! PEM file named by `SSL_CERT_FILE` (a private CA).

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    current_token, get_jwt_identity, jwt_required, Issuer, JwtConfig, JwtManager,
};
use serde_json::{json, Value};

#[jwt_required]
async fn me() -> Json<Value> {
    let issuer = current_token().and_then(|t| t.issuer().map(str::to_owned));
    Json(json!({ "sub": get_jwt_identity(), "iss": issuer }))
}

fn required(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => {
            eprintln!("oidc_resource_server: set {name} (see the example's documentation)");
            std::process::exit(2);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer_url = required("OIDC_ISSUER");
    let audience = required("OIDC_AUDIENCE");
    let min_refresh = match std::env::var("JWKS_MIN_REFRESH_SECONDS") {
        Ok(text) => Duration::from_secs(text.parse()?),
        Err(_) => Duration::from_secs(60),
    };
    let provider = Issuer::discover(&issuer_url)?
        .audience(audience)
        .configure_jwks(|jwks| jwks.min_refresh_interval(min_refresh));
    // Warm the key cache without holding up startup.
    if let Some(jwks) = provider.jwks().cloned() {
        tokio::spawn(async move {
            if let Err(e) = jwks.prefetch().await {
                eprintln!("oidc_resource_server: the provider's keys are not available yet ({e}); requests answer 503 until they are");
            }
        });
    }
    let jwt = JwtManager::new(JwtConfig::builder().trust_issuer(provider).build()?)?;
    let app = Router::new().route("/me", get(me)).layer(jwt.layer());

    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr} (issuer {issuer_url})");
    axum::serve(listener, app).await?;
    Ok(())
}
