//! App-defined token types (Flask-JWT-Extended's longest-open request): a
//! password-reset token is minted and required by name, passes nowhere an
//! access or refresh token is required, and those never pass its routes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_token_of, get_jwt, get_jwt_identity, jwt_required, messages, Duration, JwtConfig,
    JwtError, JwtManager, JwtOfType, TokenKind, TokenOptions,
};
use serde_json::{json, Value};

mod support;
use support::http::{call, msg};

const SECRET: &str = "token-types-secret-long-enough-for-hs256";

struct PasswordReset;
impl TokenKind for PasswordReset {
    const NAME: &'static str = "password_reset";
}

struct EmailConfirmation;
impl TokenKind for EmailConfirmation {
    const NAME: &'static str = "email_confirmation";
}

struct Sneaky;
impl TokenKind for Sneaky {
    const NAME: &'static str = "access";
}

#[jwt_required(token_type = PasswordReset)]
async fn reset() -> Json<Value> {
    Json(json!({ "reset_for": get_jwt_identity(), "type": get_jwt()["type"] }))
}

async fn confirm(token: JwtOfType<EmailConfirmation>) -> Json<Value> {
    Json(json!({ "confirmed": token.identity() }))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "ok": true }))
}

#[jwt_required(refresh)]
async fn refresh() -> Json<Value> {
    Json(json!({ "ok": true }))
}

#[jwt_required(verify_type = false)]
async fn any_login_token() -> Json<Value> {
    Json(json!({ "ok": true }))
}

/// A signed-in user asks for a confirmation link: minted in a handler with
/// the free function.
#[jwt_required]
async fn send_confirmation() -> Result<Json<Value>, JwtError> {
    let options = TokenOptions::new().expires(Duration::hours(24));
    let token = create_token_of::<EmailConfirmation>(get_jwt_identity(), options)?;
    Ok(Json(json!({ "link_token": token })))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/reset", post(reset))
        .route("/confirm", get(confirm))
        .route("/protected", get(protected))
        .route("/refresh", post(refresh))
        .route("/any", get(any_login_token))
        .route("/send_confirmation", post(send_confirmation))
        .layer(jwt.layer())
}

/// A manager with the app's two kinds registered.
fn manager() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_kind::<PasswordReset>()
            .token_kind::<EmailConfirmation>()
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn only(kind: &str) -> (u16, Value) {
    (422, msg(&format!("Only {kind} tokens are allowed")))
}

#[tokio::test]
async fn a_custom_token_passes_only_its_own_routes() {
    let jwt = manager();
    let app = app(&jwt);
    let reset_token = jwt
        .create_token_of::<PasswordReset>("alice", TokenOptions::new())
        .unwrap();
    assert_eq!(
        call(&app, "POST", "/reset", Some(&reset_token)).await,
        (
            200,
            json!({ "reset_for": "alice", "type": "password_reset" })
        )
    );
    assert_eq!(
        call(&app, "GET", "/protected", Some(&reset_token)).await,
        (422, msg(messages::ONLY_ACCESS))
    );
    assert_eq!(
        call(&app, "POST", "/refresh", Some(&reset_token)).await,
        (422, msg(messages::ONLY_REFRESH))
    );
    assert_eq!(
        call(&app, "GET", "/any", Some(&reset_token)).await,
        (422, msg(messages::ONLY_ACCESS_OR_REFRESH))
    );
    // Another custom type is not this one.
    assert_eq!(
        call(&app, "GET", "/confirm", Some(&reset_token)).await,
        only("email_confirmation")
    );
}

#[tokio::test]
async fn access_and_refresh_tokens_never_pass_a_custom_route() {
    let jwt = manager();
    let app = app(&jwt);
    let access = jwt.create_access_token("alice").unwrap();
    let fresh = jwt
        .create_access_token_with("alice", TokenOptions::new().fresh(true))
        .unwrap();
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    for token in [&access, &fresh, &refresh_token] {
        assert_eq!(
            call(&app, "POST", "/reset", Some(token)).await,
            only("password_reset")
        );
        assert_eq!(
            call(&app, "GET", "/confirm", Some(token)).await,
            only("email_confirmation")
        );
    }
    // And they keep working where they belong.
    assert_eq!(call(&app, "GET", "/protected", Some(&access)).await.0, 200);
    assert_eq!(
        call(&app, "POST", "/refresh", Some(&refresh_token)).await.0,
        200
    );
    assert_eq!(call(&app, "GET", "/any", Some(&refresh_token)).await.0, 200);
}

#[tokio::test]
async fn minted_in_a_handler_and_required_by_the_extractor() {
    let jwt = manager();
    let app = app(&jwt);
    let access = jwt.create_access_token("bob").unwrap();
    let (status, body) = call(&app, "POST", "/send_confirmation", Some(&access)).await;
    assert_eq!(status, 200, "{body}");
    let link = body["link_token"].as_str().unwrap();
    let decoded = jwt.decode_token(link, false).unwrap();
    assert_eq!(decoded.token_type(), Some("email_confirmation"));
    assert_eq!(
        decoded.fresh(),
        &json!(false),
        "custom tokens are never fresh"
    );
    let lifetime = decoded.expires_at().unwrap() - decoded.issued_at().unwrap();
    assert_eq!(lifetime, 24.0 * 3600.0);
    assert_eq!(
        call(&app, "GET", "/confirm", Some(link)).await,
        (200, json!({ "confirmed": "bob" }))
    );
}

#[tokio::test]
async fn a_custom_token_lives_like_an_access_token_and_is_revocable() {
    let jwt = manager();
    let app = app(&jwt);
    let token = jwt
        .create_token_of::<PasswordReset>("alice", TokenOptions::new())
        .unwrap();
    let decoded = jwt.decode_token(&token, false).unwrap();
    let lifetime = decoded.expires_at().unwrap() - decoded.issued_at().unwrap();
    assert_eq!(lifetime, 15.0 * 60.0, "JWT_ACCESS_TOKEN_EXPIRES by default");
    // One use: revoked after the reset.
    jwt.revoke_token(&decoded).await.unwrap();
    assert_eq!(
        call(&app, "POST", "/reset", Some(&token)).await,
        (401, msg("Token has been revoked"))
    );
}

#[tokio::test]
async fn a_kind_named_like_a_built_in_type_is_refused_at_minting() {
    let jwt = manager();
    let err = jwt
        .create_token_of::<Sneaky>("alice", TokenOptions::new())
        .unwrap_err();
    assert!(matches!(err, JwtError::Encode(_)), "{err}");
    assert!(err.to_string().contains("create_access_token"), "{err}");
}

#[tokio::test]
async fn a_kind_must_be_registered_to_be_minted() {
    let jwt = support::manager(SECRET);
    let err = jwt
        .create_token_of::<PasswordReset>("alice", TokenOptions::new())
        .unwrap_err();
    assert!(matches!(err, JwtError::Encode(_)), "{err}");
    assert!(
        err.to_string()
            .contains("`.token_kind::<PasswordReset>()` to the JwtConfig builder"),
        "{err}"
    );
    let err = JwtConfig::builder()
        .secret_key(SECRET)
        .token_kind::<Sneaky>()
        .build()
        .unwrap_err();
    assert!(matches!(err, JwtError::Config(_)), "{err}");
    assert!(err.to_string().contains("built-in token type"), "{err}");
}

/// Flask-JWT-Extended 4.7's `verify_token_type`: only `refresh` is refused
/// where a non-refresh token is required, only `refresh` passes a refresh
/// route. A type that is not one of the app's registered kinds is such a
/// non-refresh token (the app's own kinds stay refused outside their routes).
#[tokio::test]
async fn types_that_are_not_the_apps_own_follow_flasks_rule() {
    let jwt = manager();
    let app = app(&jwt);
    let with_type = |kind: &Value| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        support::forge::forge_claims(
            &json!({"sub": "alice", "type": kind, "fresh": false, "iat": now, "nbf": now,
                    "jti": "3f1e0a52-5b8e-4c7e-9a55-0d8a3c2b1f00", "exp": now + 600}),
            SECRET,
        )
    };
    for kind in [
        json!("ACCESS"),
        json!("odd"),
        json!(null),
        json!(5),
        json!("Refresh"),
    ] {
        let token = with_type(&kind);
        assert_eq!(
            jwt.decode_token(&token, false).unwrap().claims()["type"],
            kind
        );
        assert_eq!(
            call(&app, "GET", "/protected", Some(&token)).await,
            (200, json!({ "ok": true })),
            "{kind}"
        );
        assert_eq!(
            call(&app, "GET", "/any", Some(&token)).await.0,
            200,
            "{kind}"
        );
        assert_eq!(
            call(&app, "POST", "/refresh", Some(&token)).await,
            (422, msg(messages::ONLY_REFRESH)),
            "{kind}"
        );
        assert_eq!(
            call(&app, "POST", "/reset", Some(&token)).await,
            only("password_reset"),
            "{kind}"
        );
    }
    // A registered kind's name stays refused outside its routes, however
    // the token was minted.
    let named = with_type(&json!("password_reset"));
    assert_eq!(
        call(&app, "GET", "/protected", Some(&named)).await,
        (422, msg(messages::ONLY_ACCESS))
    );
}
