//! A typed extractor and a guard in one handler answer the same whatever
//! their order among the arguments: every guard argument with every typed
//! extractor, both orders, for every kind of token (#28).
//!
//! The attribute's guard (and router-wide protection) runs before every
//! argument, so the typed extractors take its verification and
//! requirements as theirs: `Identity<T>` under `#[jwt_refresh_token_required]`
//! reads a refresh token. A guard *argument* can stand anywhere, so a typed
//! extractor beside it requires what `#[jwt_required]` does either way.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::routing::get;
use axum::{Json, Router};
use axum_jwt_extended::{
    jwt_refresh_token_required, jwt_required, messages, req, CurrentUser, FreshJwt, Identity,
    JwtClaims, JwtConfig, JwtError, JwtManager, JwtOfType, Location, OptionalJwt, RefreshJwt,
    TokenKind, TokenOptions, VerifyJwt,
};
use serde_json::{json, Value};

mod support;
use support::http::{call, msg};

const SECRET: &str = "typed-order-secret-long-enough-for-hs256";

struct PasswordReset;
impl TokenKind for PasswordReset {
    const NAME: &'static str = "password_reset";
}

type Jwt = axum_jwt_extended::Jwt;
type AnyType = VerifyJwt<{ req::NO_VERIFY_TYPE }>;
type NoRevocationCheck = VerifyJwt<{ req::SKIP_REVOCATION_CHECK }>;
type FromQuery = VerifyJwt<{ req::locations(&[Location::QueryString]) }>;
type Reset = JwtOfType<PasswordReset>;

/// The user the lookup loader gives: the identity's text.
type User = CurrentUser<String>;
type Claims = JwtClaims<Value>;

/// Routes `/<guard>/<typed>/guard_first` and `/<guard>/<typed>/typed_first`
/// (and each alone, `/<guard>/alone` and `/alone/<typed>`).
macro_rules! both_orders {
    ($app:ident, $guard:literal: $g:ty, $typed:literal: $t:ty) => {
        $app = $app
            .route(
                concat!("/", $guard, "/", $typed, "/guard_first"),
                get(|_g: $g, _t: $t| async { Json(json!("ok")) }),
            )
            .route(
                concat!("/", $guard, "/", $typed, "/typed_first"),
                get(|_t: $t, _g: $g| async { Json(json!("ok")) }),
            );
    };
}

macro_rules! every_typed {
    ($app:ident, $guard:literal: $g:ty) => {
        $app = $app.route(concat!("/", $guard, "/alone"), get(|_g: $g| async { Json(json!("ok")) }));
        both_orders!($app, $guard: $g, "identity": Identity<String>);
        both_orders!($app, $guard: $g, "claims": Claims);
        both_orders!($app, $guard: $g, "user": User);
    };
}

const GUARDS: [&str; 8] = [
    "jwt",
    "optional",
    "fresh",
    "refresh",
    "any_type",
    "no_revocation",
    "query",
    "reset",
];
const TYPED: [&str; 3] = ["identity", "claims", "user"];

fn manager() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location([Location::Headers, Location::QueryString])
            .token_kind::<PasswordReset>()
            .build()
            .unwrap(),
    )
    .unwrap()
    .user_lookup_loader(|token| async move { token.identity_str().map(str::to_owned) })
}

fn app(jwt: &JwtManager) -> Router {
    let mut app = Router::new();
    every_typed!(app, "jwt": Jwt);
    every_typed!(app, "optional": OptionalJwt);
    every_typed!(app, "fresh": FreshJwt);
    every_typed!(app, "refresh": RefreshJwt);
    every_typed!(app, "any_type": AnyType);
    every_typed!(app, "no_revocation": NoRevocationCheck);
    every_typed!(app, "query": FromQuery);
    every_typed!(app, "reset": Reset);
    app.route(
        "/alone/identity",
        get(|_t: Identity<String>| async { Json(json!("ok")) }),
    )
    .route(
        "/alone/claims",
        get(|_t: Claims| async { Json(json!("ok")) }),
    )
    .route("/alone/user", get(|_t: User| async { Json(json!("ok")) }))
    .route("/refresh/identity_as", get(refresh_identity_as))
    .route("/optional/identity_as", get(optional_identity_as))
    .route("/attribute/refresh", get(attribute_refresh))
    .route("/attribute/any_type", get(attribute_any_type))
    .route("/attribute/reset", get(attribute_reset))
    .layer(jwt.layer())
}

/// A guard argument's own token, a refresh token's too, as a typed value.
async fn refresh_identity_as(refresh: RefreshJwt) -> Result<Json<Value>, JwtError> {
    let claims: Value = refresh.claims_as()?;
    Ok(Json(
        json!({ "id": refresh.identity_as::<String>()?, "type": claims["type"] }),
    ))
}

async fn optional_identity_as(jwt: OptionalJwt) -> Result<Json<Value>, JwtError> {
    Ok(Json(json!({ "id": jwt.identity_as::<String>()? })))
}

#[jwt_refresh_token_required]
async fn attribute_refresh(
    Identity(id): Identity<String>,
    JwtClaims(claims): Claims,
) -> Json<Value> {
    Json(json!({ "id": id, "type": claims["type"] }))
}

#[jwt_required(verify_type = false)]
async fn attribute_any_type(Identity(id): Identity<String>) -> Json<Value> {
    Json(json!({ "id": id }))
}

#[jwt_required(token_type = PasswordReset)]
async fn attribute_reset(Identity(id): Identity<String>, CurrentUser(user): User) -> Json<Value> {
    Json(json!({ "id": id, "user": *user }))
}

/// Every kind of token a client may send, by name.
async fn tokens(jwt: &JwtManager) -> Vec<(&'static str, Option<String>)> {
    let revoked = jwt.create_access_token("mallory").unwrap();
    jwt.revoke_token(&jwt.decode_token(&revoked, false).unwrap())
        .await
        .unwrap();
    vec![
        ("none", None),
        ("access", Some(jwt.create_access_token("alice").unwrap())),
        (
            "fresh access",
            Some(
                jwt.create_access_token_with("alice", TokenOptions::new().fresh(true))
                    .unwrap(),
            ),
        ),
        ("refresh", Some(jwt.create_refresh_token("alice").unwrap())),
        (
            "password reset",
            Some(
                jwt.create_token_of::<PasswordReset>("alice", TokenOptions::new())
                    .unwrap(),
            ),
        ),
        ("revoked access", Some(revoked)),
        (
            "forged",
            Some("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl".to_owned()),
        ),
    ]
}

#[tokio::test]
async fn every_guard_with_every_typed_extractor_answers_the_same_in_both_orders() {
    let jwt = manager();
    let app = app(&jwt);
    let tokens = tokens(&jwt).await;
    let mut compared = 0;
    let mut accepted = 0;
    for guard in GUARDS {
        for typed in TYPED {
            for (name, token) in &tokens {
                for in_query in [false, true] {
                    let ask = |path: String| match (token, in_query) {
                        (Some(t), true) => (format!("{path}?jwt={t}"), None),
                        (t, _) => (path, t.clone()),
                    };
                    let answer = |path: String| {
                        let (uri, bearer) = ask(path);
                        let app = app.clone();
                        async move { call(&app, "GET", &uri, bearer.as_deref()).await }
                    };
                    let guard_alone = answer(format!("/{guard}/alone")).await;
                    let typed_alone = answer(format!("/alone/{typed}")).await;
                    let guard_first = answer(format!("/{guard}/{typed}/guard_first")).await;
                    let typed_first = answer(format!("/{guard}/{typed}/typed_first")).await;
                    let case = format!(
                        "{guard} with {typed}, a {name} token{}",
                        if in_query { " in the query" } else { "" }
                    );
                    // Whichever runs first and refuses answers; past it,
                    // the other answers as it would alone.
                    let refuses = |answer: &(u16, Value)| answer.0 != 200;
                    let expected_guard_first = match refuses(&guard_alone) {
                        true => &guard_alone,
                        false => &typed_alone,
                    };
                    let expected_typed_first = match refuses(&typed_alone) {
                        true => &typed_alone,
                        false => &guard_alone,
                    };
                    assert_eq!(&guard_first, expected_guard_first, "{case}, guard first");
                    assert_eq!(&typed_first, expected_typed_first, "{case}, typed first");
                    // So the handler runs in one order exactly when it runs
                    // in the other, and one refusal is the same either way.
                    assert_eq!(guard_first.0 == 200, typed_first.0 == 200, "{case}");
                    if refuses(&guard_alone) != refuses(&typed_alone) {
                        assert_eq!(guard_first, typed_first, "{case}");
                    }
                    compared += 1;
                    accepted += usize::from(guard_first.0 == 200);
                }
            }
        }
    }
    assert_eq!(compared, GUARDS.len() * TYPED.len() * tokens.len() * 2);
    // Not a matrix of refusals only: access tokens pass the plain guards.
    assert!(accepted >= 30, "only {accepted} accepted");
}

#[tokio::test]
async fn a_guard_argument_does_not_loosen_what_a_typed_extractor_requires() {
    let jwt = manager();
    let app = app(&jwt);
    let refresh = jwt.create_refresh_token("alice").unwrap();
    let access = jwt.create_access_token("alice").unwrap();
    let reset = jwt
        .create_token_of::<PasswordReset>("alice", TokenOptions::new())
        .unwrap();
    for order in ["guard_first", "typed_first"] {
        // A refresh token: the guard argument takes it, Identity<T> does not.
        assert_eq!(
            call(
                &app,
                "GET",
                &format!("/refresh/identity/{order}"),
                Some(&refresh)
            )
            .await,
            (422, msg(messages::ONLY_NON_REFRESH)),
            "{order}"
        );
        assert_eq!(
            call(
                &app,
                "GET",
                &format!("/any_type/claims/{order}"),
                Some(&refresh)
            )
            .await,
            (422, msg(messages::ONLY_NON_REFRESH)),
            "{order}"
        );
        assert_eq!(
            call(&app, "GET", &format!("/reset/user/{order}"), Some(&reset)).await,
            (422, msg(messages::ONLY_ACCESS)),
            "{order}"
        );
        // The access token passes both.
        assert_eq!(
            call(
                &app,
                "GET",
                &format!("/any_type/identity/{order}"),
                Some(&access)
            )
            .await,
            (200, json!("ok")),
            "{order}"
        );
        // A query token of a query-only guard: Identity<T> looks where
        // #[jwt_required] looks (headers first, then the query), so it
        // finds it too.
        let uri = format!("/query/identity/{order}?jwt={access}");
        assert_eq!(
            call(&app, "GET", &uri, None).await,
            (200, json!("ok")),
            "{order}"
        );
    }
}

#[tokio::test]
async fn every_guard_reads_its_own_token_as_a_typed_value() {
    let jwt = manager();
    let app = app(&jwt);
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/refresh/identity_as", Some(&refresh)).await,
        (200, json!({ "id": "alice", "type": "refresh" }))
    );
    let access = jwt.create_access_token("bob").unwrap();
    assert_eq!(
        call(&app, "GET", "/optional/identity_as", Some(&access)).await,
        (200, json!({ "id": "bob" }))
    );
    assert_eq!(
        call(&app, "GET", "/optional/identity_as", None).await,
        (401, msg("Missing Authorization Header"))
    );
}

#[tokio::test]
async fn typed_extractors_take_the_attributes_verification_as_theirs() {
    let jwt = manager();
    let app = app(&jwt);
    let refresh = jwt.create_refresh_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/attribute/refresh", Some(&refresh)).await,
        (200, json!({ "id": "alice", "type": "refresh" }))
    );
    assert_eq!(
        call(&app, "GET", "/attribute/any_type", Some(&refresh)).await,
        (200, json!({ "id": "alice" }))
    );
    let reset = jwt
        .create_token_of::<PasswordReset>("alice", TokenOptions::new())
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/attribute/reset", Some(&reset)).await,
        (200, json!({ "id": "alice", "user": "alice" }))
    );
    // The attribute's own requirements still hold.
    let access = jwt.create_access_token("alice").unwrap();
    assert_eq!(
        call(&app, "GET", "/attribute/refresh", Some(&access)).await,
        (422, msg(messages::ONLY_REFRESH))
    );
}
