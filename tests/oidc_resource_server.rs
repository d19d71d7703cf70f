//! `examples/oidc_resource_server.rs` against a real OpenID provider
//! (tests/oidc/provider.mjs) over TLS, through discovery: started while the
//! provider is down (503), then every row of its table, across a key
//! rotation at the provider.
//!
//! Build the example first: `cargo build --features jwks-https --example
//! oidc_resource_server`; built with `--features oidc-tests`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;
use support::http::{msg, Remote};
use support::oidc::{kid_of, test_ca, Provider, AUDIENCE, OTHER_AUDIENCE};
use support::{example_binary, free_port, wait_for_port, Killed};

const OTHER_KEY: &str = include_str!("fixtures/keys/rsa2048-private.pem");

fn start_example(provider: &Provider) -> (Killed, Remote) {
    let port = free_port();
    let child = Command::new(example_binary("oidc_resource_server"))
        .env("ADDR", format!("127.0.0.1:{port}"))
        .env("OIDC_ISSUER", &provider.issuer)
        .env("OIDC_AUDIENCE", AUDIENCE)
        .env("JWKS_MIN_REFRESH_SECONDS", "1")
        .env("SSL_CERT_FILE", &test_ca().ca_pem)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "build the example first: cargo build --features jwks-https --example oidc_resource_server",
        );
    let server = Killed(child);
    wait_for_port(port, "examples/oidc_resource_server");
    (server, Remote::new(port))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_verifies_a_real_providers_tokens_across_an_outage_and_a_rotation() {
    let mut provider = Provider::new("example");
    provider.start();
    let token = provider.token("reader");
    provider.stop();

    // Started while the provider is down: it serves, and answers 503.
    let (_server, api) = start_example(&provider);
    assert_eq!(
        api.send("GET", "/me", Some(&token), None).await.pair(),
        (503, msg("Signing keys unavailable"))
    );

    // The provider comes back: the service recovers within seconds.
    provider.start();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut reply = api.send("GET", "/me", Some(&token), None).await.pair();
    while reply.0 != 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        reply = api.send("GET", "/me", Some(&token), None).await.pair();
    }
    assert_eq!(
        reply,
        (200, json!({"sub": "reader", "iss": provider.issuer}))
    );

    // No token.
    assert_eq!(
        api.send("GET", "/me", None, None).await.pair(),
        (401, msg("Missing Authorization Header"))
    );
    // A token of another issuer (a second provider).
    let mut other = Provider::new("example-other");
    other.start();
    assert_eq!(
        api.send("GET", "/me", Some(&other.token("reader")), None)
            .await
            .pair(),
        (422, msg("Invalid issuer"))
    );
    // A token of this provider for another audience.
    let elsewhere = provider.token_for("reader", OTHER_AUDIENCE);
    assert_eq!(
        api.send("GET", "/me", Some(&elsewhere), None).await.pair(),
        (422, msg("Audience doesn't match"))
    );
    // A token signed by a key that is not the provider's.
    let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("not-a-provider-key".into());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": "mallory", "iss": provider.issuer, "aud": AUDIENCE, "iat": now, "exp": now + 300});
    let forged = encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(OTHER_KEY.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        api.send("GET", "/me", Some(&forged), None).await.pair(),
        (
            422,
            msg("Unable to find a signing key that matches: \"not-a-provider-key\"")
        )
    );

    // The provider rotates its key: the new key id is fetched, the old
    // token still verifies.
    let kids = provider.rotate();
    let rotated = provider.token("admin");
    assert_eq!(kid_of(&rotated), kids[0]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        api.send("GET", "/me", Some(&rotated), None).await.pair(),
        (200, json!({"sub": "admin", "iss": provider.issuer}))
    );
    assert_eq!(
        api.send("GET", "/me", Some(&token), None).await.pair().0,
        200
    );
}
