//! Tokens of a real OpenID Connect provider (`oidc-provider` on Node.js,
//! tests/oidc/provider.mjs) behind TLS with a certificate of a CA made by
//! the test: discovery, verification, the provider's claims, key rotation,
//! an outage, a second issuer beside our own tokens, and the refusals.
//!
//! Needs Node.js, `npm ci --prefix tests/oidc` and curl (scripts/test
//! installs them); built with `--features oidc-tests`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    current_token, get_jwt_identity, jwt_required, Issuer, JwtConfig, JwtManager, TlsRoots,
};
use serde_json::{json, Value};
use support::http::{get_auth, msg};
use support::oidc::{kid_of, test_ca, Provider, AUDIENCE, OTHER_AUDIENCE};

const OWN_SECRET: &str = "our own service secret, 32 bytes or more";

#[jwt_required]
async fn me() -> Json<Value> {
    let token = current_token().unwrap();
    Json(json!({
        "sub": get_jwt_identity(),
        "iss": token.issuer(),
        "roles": token.roles().unwrap(),
        "scopes": token.scopes().unwrap(),
    }))
}

fn roots() -> TlsRoots {
    TlsRoots::empty().add_pem_file(&test_ca().ca_pem).unwrap()
}

/// The provider as a trusted issuer found by discovery, with short
/// intervals so that a test sees refreshes.
fn issuer(provider: &Provider) -> Issuer {
    Issuer::discover_with_roots(&provider.issuer, roots())
        .unwrap()
        .audience(AUDIENCE)
        .configure_jwks(|jwks| {
            jwks.min_refresh_interval(Duration::from_millis(500))
                .fetch_timeout(Duration::from_secs(3))
        })
}

fn app(config: JwtConfig) -> Router {
    let jwt = JwtManager::new(config).unwrap();
    Router::new().route("/me", get(me)).layer(jwt.layer())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn me_with(app: &Router, token: &str) -> (u16, Value) {
    get_auth(app, "/me", Some(&bearer(token))).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_providers_token_verifies_through_discovery_with_its_claims() {
    let mut provider = Provider::new("a");
    provider.start();
    let app = app(JwtConfig::builder()
        .trust_issuer(issuer(&provider))
        .build()
        .unwrap());

    let (status, body) = me_with(&app, &provider.token("admin")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], "admin");
    assert_eq!(body["iss"], provider.issuer.as_str());
    // Keycloak's layout (realm_access.roles) and RFC 9068's space-separated scope.
    assert_eq!(body["roles"], json!(["admin", "user"]));
    assert_eq!(body["scopes"], json!(["notes:read"]));

    let (status, body) = me_with(&app, &provider.token("reader")).await;
    assert_eq!((status, body["roles"].clone()), (200, json!(["user"])));

    // No token: Flask's 401.
    assert_eq!(
        get_auth(&app, "/me", None).await,
        (401, msg("Missing Authorization Header"))
    );
    // The provider's token for another API: PyJWT's message.
    let other = provider.token_for("admin", OTHER_AUDIENCE);
    assert_eq!(
        me_with(&app, &other).await,
        (422, msg("Audience doesn't match"))
    );
    // A tampered token: the signature fails.
    let token = provider.token("reader");
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    claims["realm_access"]["roles"] = json!(["admin"]);
    let tampered = format!(
        "{head}.{}.{sig}",
        support::forge::b64url(serde_json::to_vec(&claims).unwrap())
    );
    assert_eq!(
        me_with(&app, &tampered).await,
        (422, msg("Signature verification failed"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_naming_an_untrusted_issuer_is_refused_before_any_fetch() {
    // The trusted provider is down: were anything fetched for this token,
    // the answer would be 503, not 422.
    let down = Provider::new("down");
    let app = app(JwtConfig::builder()
        .trust_issuer(issuer(&down))
        .build()
        .unwrap());
    let evil = support::forge::forge_claims(
        &json!({"sub": "mallory", "iss": "https://evil.example", "aud": AUDIENCE}),
        "any secret at all, 32 bytes or more",
    );
    assert_eq!(me_with(&app, &evil).await, (422, msg("Invalid issuer")));
    // No `iss` at all, and this service has no key of its own: the same.
    let none = support::forge::forge_claims(&json!({"sub": "mallory"}), OWN_SECRET);
    assert_eq!(me_with(&app, &none).await, (422, msg("Invalid issuer")));
    // A token of the trusted issuer, while it is down: 503.
    let claims = json!({"sub": "x", "iss": down.issuer, "aud": AUDIENCE});
    let header = json!({"alg": "RS256", "kid": "k1", "typ": "JWT"});
    let forged = support::forge::forge(&header, &claims, "irrelevant");
    let (status, body) = me_with(&app, &forged).await;
    assert_eq!((status, body), (503, msg("Signing keys unavailable")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_key_is_fetched_and_the_old_one_verifies_until_removed() {
    let mut provider = Provider::new("rotation");
    provider.start();
    let issuer = issuer(&provider).configure_jwks(|jwks| {
        jwks.min_refresh_interval(Duration::from_millis(500))
            .max_age(Duration::from_secs(2))
    });
    let app = app(JwtConfig::builder().trust_issuer(issuer).build().unwrap());
    let old = provider.token("reader");
    assert_eq!(me_with(&app, &old).await.0, 200);

    let kids = provider.rotate();
    assert_eq!(kids.len(), 2);
    let new = provider.token("reader");
    assert_eq!(kid_of(&new), kids[0], "the new key signs");
    assert_ne!(kid_of(&new), kid_of(&old));
    // An unknown kid is fetched (after the rate limit's interval).
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(me_with(&app, &new).await.0, 200, "the new kid is fetched");
    assert_eq!(
        me_with(&app, &old).await.0,
        200,
        "the old key still verifies"
    );

    provider.retire();
    // Once the cached document expires (max_age 2 s), the old key is gone.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(me_with(&app, &new).await.0, 200);
    let (status, body) = me_with(&app, &old).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .starts_with("Unable to find a signing key that matches"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_answers_503_until_the_provider_is_back() {
    let mut provider = Provider::new("outage");
    // Configured while the provider is down: building does not fail.
    let app = app(JwtConfig::builder()
        .trust_issuer(issuer(&provider))
        .build()
        .unwrap());
    provider.start();
    let token = provider.token("reader");
    provider.stop();
    assert_eq!(
        me_with(&app, &token).await,
        (503, msg("Signing keys unavailable"))
    );
    provider.start();
    // Retries back off from 1 s after a failure: the service heals in seconds.
    let mut healed = false;
    for _ in 0..40 {
        if me_with(&app, &token).await.0 == 200 {
            healed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healed, "the service did not recover within 4 s");
    // With the keys cached, a second outage does not stop verification.
    provider.stop();
    assert_eq!(me_with(&app, &token).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_providers_and_our_own_tokens_side_by_side() {
    let mut a = Provider::new("first");
    let mut b = Provider::new("second");
    a.start();
    b.start();
    let second = Issuer::discover_with_roots(&b.issuer, roots())
        .unwrap()
        .audience(AUDIENCE)
        .roles_claims(["realm_access.roles"])
        .scopes_claims(["scope"]);
    let config = JwtConfig::builder()
        .secret_key(OWN_SECRET)
        .trust_issuer(issuer(&a))
        .trust_issuer(second)
        .build()
        .unwrap();
    let jwt = JwtManager::new(config.clone()).unwrap();
    let app = app(config);

    let (status, body) = me_with(&app, &a.token("admin")).await;
    assert_eq!((status, body["iss"].clone()), (200, json!(a.issuer)));
    let (status, body) = me_with(&app, &b.token("reader")).await;
    assert_eq!((status, body["iss"].clone()), (200, json!(b.issuer)));
    // Our own tokens still verify with our own key.
    let own = jwt.create_access_token("alice").unwrap();
    let (status, body) = me_with(&app, &own).await;
    assert_eq!((status, body["sub"].clone()), (200, json!("alice")));

    // A token of one provider claiming to be from the other: the other's
    // keys do not verify it.
    let token = a.token("admin");
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    claims["iss"] = json!(b.issuer);
    let swapped = format!(
        "{head}.{}.{sig}",
        support::forge::b64url(serde_json::to_vec(&claims).unwrap())
    );
    let (status, body) = me_with(&app, &swapped).await;
    assert_eq!(status, 422, "{body}");
    // An HS256 token signed with our secret but naming a provider as its
    // issuer: the provider's rules allow no HMAC.
    let forged = support::forge::forge_claims(
        &json!({"sub": "mallory", "iss": a.issuer, "aud": AUDIENCE}),
        OWN_SECRET,
    );
    assert_eq!(
        me_with(&app, &forged).await,
        (422, msg("The specified alg value is not allowed"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_and_discovery_are_checked() {
    let mut provider = Provider::new("tls");
    provider.start();
    let token = provider.token("reader");

    // Roots without the test CA: the certificate is refused, no key is
    // had, 503.
    let untrusted = Issuer::discover_with_roots(
        &provider.issuer,
        TlsRoots::empty()
            .add_pem(support::oidc::unrelated_ca_pem().as_bytes())
            .unwrap(),
    )
    .unwrap()
    .audience(AUDIENCE);
    let app1 = app(JwtConfig::builder()
        .trust_issuer(untrusted)
        .build()
        .unwrap());
    assert_eq!(
        me_with(&app1, &token).await,
        (503, msg("Signing keys unavailable"))
    );

    // A discovery document whose issuer is not the configured one (the
    // provider says https://localhost:PORT; this service was told
    // https://127.0.0.1:PORT, the same server): never trusted, so a token
    // naming the configured issuer finds no key.
    let other_name = format!("https://127.0.0.1:{}", provider.port);
    let mismatch = Issuer::discover_with_roots(&other_name, roots())
        .unwrap()
        .audience(AUDIENCE);
    let app2 = app(JwtConfig::builder().trust_issuer(mismatch).build().unwrap());
    let header = json!({"alg": "RS256", "kid": kid_of(&token), "typ": "JWT"});
    let claims = json!({"sub": "x", "iss": other_name, "aud": AUDIENCE});
    let forged = support::forge::forge(&header, &claims, "irrelevant");
    assert_eq!(
        me_with(&app2, &forged).await,
        (503, msg("Signing keys unavailable"))
    );
    // The provider's real tokens name an issuer app2 does not trust.
    assert_eq!(me_with(&app2, &token).await, (422, msg("Invalid issuer")));

    // Plain http is refused for a provider that is not on loopback.
    let err = Issuer::discover("http://sso.example.com").unwrap_err();
    assert!(err.to_string().contains("must be an https URL"), "{err}");
    // A trusted issuer without an audience is a configuration error.
    let err = JwtConfig::builder()
        .trust_issuer(Issuer::discover_with_roots(&provider.issuer, roots()).unwrap())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("set the audience"), "{err}");
}
