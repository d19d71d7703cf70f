//! Trusted issuers with keys configured here (no network): tokens chosen by
//! `iss`, each issuer's audiences, algorithms, identity claim and claim
//! layout, a route that requires one issuer, our own tokens beside them, and
//! the configuration mistakes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, Algorithm, ClaimPath, FromIssuer, Issuer, IssuerName, Jwt,
    JwtConfig, JwtError, JwtManager, TokenOptions, VerificationKey,
};
use serde_json::{json, Value};
use support::http::{get_auth, msg};

const OWN_SECRET: &str = "our own service secret, 32 bytes or more";
const PARTNER: &str = "https://partner.example";
const EC_PRIVATE: &str = include_str!("fixtures/keys/ec256-private.pem");
const EC_PUBLIC: &str = include_str!("fixtures/keys/ec256-public.pem");

struct Partner;
impl IssuerName for Partner {
    const ISSUER: &'static str = PARTNER;
}

/// The partner's own service, minting its tokens with its ES256 key.
fn partner(audience: &str) -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .algorithm("ES256")
            .private_key(EC_PRIVATE)
            .public_key(EC_PUBLIC)
            .key_id("p1")
            .encode_issuer(PARTNER)
            .encode_audience(audience)
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn partner_issuer() -> Issuer {
    let key = VerificationKey::from_pem(Algorithm::ES256, EC_PUBLIC)
        .unwrap()
        .with_kid("p1");
    Issuer::with_keys(PARTNER, [key])
        .audience("our-api")
        .identity_claim("email")
        .roles_claims(["app.roles"])
}

#[jwt_required]
async fn me(jwt: Jwt) -> Result<Json<Value>, JwtError> {
    let token = jwt.token().unwrap();
    Ok(Json(json!({
        "identity": get_jwt_identity(),
        "iss": token.issuer(),
        "roles": token.roles()?,
    })))
}

#[jwt_required(rule = FromIssuer<Partner>)]
async fn partner_only() -> &'static str {
    "partner"
}

fn app(config: JwtConfig) -> Router {
    let jwt = JwtManager::new(config).unwrap();
    Router::new()
        .route("/me", get(me))
        .route("/partner-only", get(partner_only))
        .layer(jwt.layer())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn each_issuer_verifies_with_its_own_keys_audiences_and_claims() {
    let config = JwtConfig::builder()
        .secret_key(OWN_SECRET)
        .trust_issuer(partner_issuer())
        .build()
        .unwrap();
    let own = JwtManager::new(config.clone()).unwrap();
    let app = app(config);

    let claims = json!({"email": "pat@partner.example", "app": {"roles": ["auditor"]}});
    let token = partner("our-api")
        .create_access_token_with("pat", TokenOptions::new().additional_claims(claims))
        .unwrap();
    let (status, body) = get_auth(&app, "/me", Some(&bearer(&token))).await;
    assert_eq!(status, 200, "{body}");
    // The issuer's identity claim and roles path.
    assert_eq!(
        body,
        json!({"identity": "pat@partner.example", "iss": PARTNER, "roles": ["auditor"]})
    );
    assert_eq!(
        get_auth(&app, "/partner-only", Some(&bearer(&token))).await,
        (200, Value::Null)
    );

    // Our own tokens, with our own rules (identity `sub`, roles `roles`).
    let mine = own
        .create_access_token_with(
            "alice",
            TokenOptions::new().additional_claims(json!({"roles": ["admin"]})),
        )
        .unwrap();
    let (status, body) = get_auth(&app, "/me", Some(&bearer(&mine))).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"identity": "alice", "iss": null, "roles": ["admin"]})
        )
    );
    // ... refused on the partner-only route.
    assert_eq!(
        get_auth(&app, "/partner-only", Some(&bearer(&mine))).await,
        (422, msg("Invalid issuer"))
    );
    // decode_token picks the issuer too.
    assert_eq!(
        own.decode_token(&token, false).unwrap().issuer(),
        Some(PARTNER)
    );

    // The partner's token for another API.
    let elsewhere = partner("their-other-api")
        .create_access_token_with(
            "pat",
            TokenOptions::new().additional_claims(json!({"email": "p"})),
        )
        .unwrap();
    assert_eq!(
        get_auth(&app, "/me", Some(&bearer(&elsewhere))).await,
        (422, msg("Audience doesn't match"))
    );
    // A partner token without the issuer's identity claim.
    let no_email = partner("our-api").create_access_token("pat").unwrap();
    assert_eq!(
        get_auth(&app, "/me", Some(&bearer(&no_email))).await,
        (422, msg("Missing claim: email"))
    );
    // An HS256 token signed with our secret that names the partner: the
    // partner's rules allow ES256 only.
    let forged = support::forge::forge_claims(
        &json!({"sub": "x", "email": "x", "iss": PARTNER, "aud": "our-api"}),
        OWN_SECRET,
    );
    assert_eq!(
        get_auth(&app, "/me", Some(&bearer(&forged))).await,
        (422, msg("The specified alg value is not allowed"))
    );
    // A roles claim of the wrong shape: a 422 naming the path, never a pass.
    let bad = partner("our-api")
        .create_access_token_with(
            "pat",
            TokenOptions::new().additional_claims(json!({"email": "e", "app": {"roles": 7}})),
        )
        .unwrap();
    assert_eq!(
        get_auth(&app, "/me", Some(&bearer(&bad))).await,
        (
            422,
            msg("The roles claim app.roles must be a string or an array of strings")
        )
    );
}

#[tokio::test]
async fn a_resource_server_needs_no_key_of_its_own() {
    let app = app(JwtConfig::builder()
        .trust_issuer(partner_issuer())
        .build()
        .unwrap());
    let token = partner("our-api")
        .create_access_token_with(
            "pat",
            TokenOptions::new().additional_claims(json!({"email": "e"})),
        )
        .unwrap();
    assert_eq!(get_auth(&app, "/me", Some(&bearer(&token))).await.0, 200);
    // Anything else is a token of an issuer it does not trust.
    let stranger = support::forge::forge_claims(&json!({"sub": "x"}), OWN_SECRET);
    assert_eq!(
        get_auth(&app, "/me", Some(&bearer(&stranger))).await,
        (422, msg("Invalid issuer"))
    );
    // Malformed tokens keep Flask's messages.
    assert_eq!(
        get_auth(&app, "/me", Some("Bearer not-a-token")).await,
        (422, msg("Not enough segments"))
    );
    // It cannot mint.
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .trust_issuer(partner_issuer())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(jwt.create_access_token("x").is_err());
}

#[test]
fn configuration_mistakes_are_errors() {
    let key = || VerificationKey::from_pem(Algorithm::ES256, EC_PUBLIC).unwrap();
    let err =
        |builder: axum_jwt_extended::JwtConfigBuilder| builder.build().unwrap_err().to_string();

    let no_audience = Issuer::with_keys(PARTNER, [key()]);
    assert!(err(JwtConfig::builder().trust_issuer(no_audience)).contains("set the audience"));
    let twice = JwtConfig::builder()
        .trust_issuer(Issuer::with_keys(PARTNER, [key()]).any_audience())
        .trust_issuer(Issuer::with_keys(PARTNER, [key()]).any_audience());
    assert!(err(twice).contains("trusted twice"));
    let hmac = Issuer::with_keys(PARTNER, [key()])
        .any_audience()
        .algorithms([Algorithm::HS256, Algorithm::ES256]);
    assert!(err(JwtConfig::builder().trust_issuer(hmac)).contains("need a shared secret"));
    let also_own = JwtConfig::builder()
        .secret_key(OWN_SECRET)
        .decode_issuer(PARTNER)
        .trust_issuer(Issuer::with_keys(PARTNER, [key()]).any_audience());
    assert!(err(also_own).contains("JWT_DECODE_ISSUER"));
    let no_keys = Issuer::with_keys(PARTNER, []).any_audience();
    assert!(err(JwtConfig::builder().trust_issuer(no_keys)).contains("has no keys"));
    let wrong_alg = Issuer::with_keys(PARTNER, [key()])
        .any_audience()
        .algorithms([Algorithm::RS256]);
    assert!(err(JwtConfig::builder().trust_issuer(wrong_alg))
        .contains("not among the issuer's algorithms"));
    // A dotted path and a URL path.
    assert_eq!(ClaimPath::parse("a.b").segments(), ["a", "b"]);
    assert_eq!(
        ClaimPath::parse("https://x.example/roles").segments(),
        ["https://x.example/roles"]
    );
}
