//! Revocation that holds: every way a revoked or spent token came back (issue
//! "Revocation that holds"), each pinned by a regression test named for the
//! hole it closes, on the in-memory store and on a real Redis
//! (`--features redis-tests`; each Redis test starts its own `redis-server`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::stores::{on_both_stores, Store};
use support::SharedClock;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_access_token_with, create_refresh_token, create_token_pair,
    get_jwt_identity, jwt_required, revoke_current_token, revoke_current_token_family,
    rotate_current_refresh_token, set_access_cookies, set_refresh_cookies, Duration, Expires,
    JwtConfig, JwtError, JwtManager, Location, TokenOptions,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const SECRET: &str = "revocation-holds-secret-long-enough!!";

fn pair_body(pair: impl serde::Serialize) -> Value {
    serde_json::to_value(pair).unwrap()
}

/// A linked login (`create_token_pair`), also setting the cookies.
async fn login_linked() -> Result<axum::response::Response, JwtError> {
    use axum::response::IntoResponse;
    let pair = create_token_pair("alice")?;
    let cookies =
        set_access_cookies(&pair.access_token)?.and(set_refresh_cookies(&pair.refresh_token)?);
    Ok((cookies, Json(pair_body(pair))).into_response())
}

/// A Flask-style login: two tokens of no linked login.
async fn login_plain() -> Result<Json<Value>, JwtError> {
    Ok(Json(json!({
        "access_token": create_access_token("alice")?,
        "refresh_token": create_refresh_token("alice")?,
    })))
}

/// The seed page's refresh route.
#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        json!({ "access_token": create_access_token(get_jwt_identity())? }),
    ))
}

#[jwt_required(refresh)]
async fn refresh_unlinked() -> Result<Json<Value>, JwtError> {
    let token = create_access_token_with(get_jwt_identity(), TokenOptions::new().unlinked())?;
    Ok(Json(json!({ "access_token": token })))
}

#[jwt_required(refresh)]
async fn refresh_forever() -> Result<Json<Value>, JwtError> {
    let options = TokenOptions::new().expires(Expires::Never);
    let token = create_access_token_with(get_jwt_identity(), options)?;
    Ok(Json(json!({ "access_token": token })))
}

#[jwt_required(refresh)]
async fn refresh_rotate() -> Result<Json<Value>, JwtError> {
    Ok(Json(pair_body(rotate_current_refresh_token().await?)))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<Json<Value>, JwtError> {
    revoke_current_token_family().await?;
    Ok(Json(json!({ "msg": "Token revoked" })))
}

/// Revokes the current token and leaves its cookie in place.
#[jwt_required(verify_type = false)]
async fn revoke_self() -> Result<Json<Value>, JwtError> {
    revoke_current_token().await?;
    Ok(Json(json!({ "msg": "Token revoked" })))
}

#[jwt_required(verify_type = false)]
async fn logout_all() -> Result<Json<Value>, JwtError> {
    let jwt = axum_jwt_extended::current_manager().ok_or(JwtError::NoManager)?;
    jwt.revoke_all_tokens_of(&get_jwt_identity().unwrap_or_default())
        .await?;
    Ok(Json(json!({ "msg": "Logged out everywhere" })))
}

struct App {
    jwt: JwtManager,
    router: Router,
    clock: SharedClock,
}

/// Flask's default lifetimes (15 minutes, 30 days) on a shared clock that
/// starts at the real time, headers and cookies (no CSRF: not under test
/// here), and the implicit cookie refresh in the last 5 minutes.
fn app(store: &Store) -> App {
    let clock = SharedClock::starting_now();
    let config = JwtConfig::builder()
        .secret_key(SECRET)
        .clock(clock.clone())
        .token_location(vec![Location::Headers, Location::Cookies])
        .csrf_protect(false);
    app_with(store, config, Some(clock))
}

fn app_with(
    store: &Store,
    config: axum_jwt_extended::JwtConfigBuilder,
    clock: Option<SharedClock>,
) -> App {
    let jwt = store.with_blocklist(
        JwtManager::new(config.build().unwrap()).unwrap(),
        clock.as_ref(),
    );
    let router = Router::new()
        .route("/login_linked", post(login_linked))
        .route("/login", post(login_plain))
        .route("/refresh", post(refresh))
        .route("/refresh_unlinked", post(refresh_unlinked))
        .route("/refresh_forever", post(refresh_forever))
        .route("/refresh_rotate", post(refresh_rotate))
        .route("/protected", get(protected))
        .route("/logout", delete(logout))
        .route("/revoke_self", delete(revoke_self))
        .route("/logout_all", delete(logout_all))
        .layer(jwt.layer().refresh_expiring_cookies(Duration::minutes(5)));
    App {
        jwt,
        router,
        clock: clock.unwrap_or_else(SharedClock::starting_now),
    }
}

enum Via<'a> {
    None,
    Bearer(&'a str),
    Cookie(&'a str),
}

impl App {
    async fn call(&self, method: &str, uri: &str, via: Via<'_>) -> (u16, Value, HeaderMap) {
        let mut req = Request::builder().method(method).uri(uri);
        req = match via {
            Via::None => req,
            Via::Bearer(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
            Via::Cookie(t) => req.header(header::COOKIE, format!("access_token_cookie={t}")),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        )
    }

    async fn answer(&self, method: &str, uri: &str, token: &str) -> (u16, Value) {
        let (status, body, _) = self.call(method, uri, Via::Bearer(token)).await;
        (status, body)
    }

    async fn login(&self, path: &str) -> (String, String) {
        let (status, body, _) = self.call("POST", path, Via::None).await;
        assert_eq!(status, 200, "{body}");
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn token_from(&self, method: &str, uri: &str, token: &str, key: &str) -> String {
        let (status, body) = self.answer(method, uri, token).await;
        assert_eq!(status, 200, "{method} {uri}: {body}");
        body[key].as_str().unwrap().to_owned()
    }
}

fn revoked() -> (u16, Value) {
    (401, json!({"msg": "Token has been revoked"}))
}

fn ok() -> (u16, Value) {
    (200, json!({"logged_in_as": "alice"}))
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A token signed with the service's key by another holder of it, with
/// exactly `claims` (for example no `jti`, or no `iat`).
fn foreign_token(claims: Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

on_both_stores!(
    spent_refresh_token_is_refused_at_a_non_rotating_refresh_route,
    spent_refresh_token_of_a_plain_login_is_refused_everywhere_and_its_reuse_revokes_the_rotations,
    reuse_at_the_rotating_route_revokes_the_login_and_the_spent_token_stays_refused,
    a_logged_out_refresh_token_replayed_is_not_reuse,
    access_token_minted_at_refresh_joins_the_login_and_logs_out_with_it,
    unlinked_tokens_stay_out_of_the_login,
    renewed_access_cookie_stays_in_the_login,
    no_renewed_cookie_for_a_token_revoked_during_the_request,
    linked_tokens_cannot_outlive_their_login_revocation,
    log_out_everywhere_holds_after_31_days_for_a_token_that_never_expires,
    log_out_everywhere_holds_in_real_time_past_every_configured_lifetime,
    logout_of_a_token_without_jti_is_200_and_holds,
    a_token_without_iat_is_refused_after_log_out_everywhere,
);

/// Finding 1: rotate R, then present R at `/refresh` (which does not
/// rotate): refused, and its login (the rotated pair) is revoked.
async fn spent_refresh_token_is_refused_at_a_non_rotating_refresh_route(store: Store) {
    let app = app(&store);
    let (_, r) = app.login("/login_linked").await;
    let (status, rotated) = app.answer("POST", "/refresh_rotate", &r).await;
    assert_eq!(status, 200, "{rotated}");
    let a2 = rotated["access_token"].as_str().unwrap();
    let r2 = rotated["refresh_token"].as_str().unwrap();
    assert_eq!(app.answer("GET", "/protected", a2).await, ok());

    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
    // Reuse detected on the non-rotating route: the login is revoked.
    assert_eq!(app.answer("GET", "/protected", a2).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", r2).await, revoked());
    assert_eq!(app.answer("POST", "/refresh_rotate", &r).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
}

/// Finding 1, for a refresh token of no linked login (no `fam` claim): its
/// rotations start a login named after it, which its reuse revokes.
async fn spent_refresh_token_of_a_plain_login_is_refused_everywhere_and_its_reuse_revokes_the_rotations(
    store: Store,
) {
    let app = app(&store);
    let (_, r) = app.login("/login").await;
    assert!(claims_of(&r).get("fam").is_none());
    let (status, rotated) = app.answer("POST", "/refresh_rotate", &r).await;
    assert_eq!(status, 200, "{rotated}");
    let a2 = rotated["access_token"].as_str().unwrap();
    assert_eq!(app.answer("GET", "/protected", a2).await, ok());
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
    assert_eq!(app.answer("GET", "/protected", a2).await, revoked());
    // For its whole lifetime: 29 days later, still refused.
    app.clock.advance(29.0 * 86_400.0);
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
}

/// Finding 1: reuse at the rotating route revokes the new pair, and the
/// spent token stays refused on every route afterwards.
async fn reuse_at_the_rotating_route_revokes_the_login_and_the_spent_token_stays_refused(
    store: Store,
) {
    let app = app(&store);
    let (a1, r) = app.login("/login_linked").await;
    let rotated = app
        .token_from("POST", "/refresh_rotate", &r, "refresh_token")
        .await;
    assert_eq!(app.answer("POST", "/refresh_rotate", &r).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", &rotated).await, revoked());
    assert_eq!(app.answer("GET", "/protected", &a1).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
}

/// A refresh token revoked by a logout (not spent by a rotation) and then
/// replayed is refused, but does not revoke the rest of its login.
async fn a_logged_out_refresh_token_replayed_is_not_reuse(store: Store) {
    let app = app(&store);
    let (a1, r) = app.login("/login_linked").await;
    assert_eq!(app.answer("DELETE", "/revoke_self", &r).await.0, 200);
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
    assert_eq!(app.answer("POST", "/refresh_rotate", &r).await, revoked());
    assert_eq!(app.answer("GET", "/protected", &a1).await, ok());
}

/// Finding 2: the seed page's `/refresh` mints an access token inside the
/// login, so logging the login out revokes it too.
async fn access_token_minted_at_refresh_joins_the_login_and_logs_out_with_it(store: Store) {
    let app = app(&store);
    let (a1, r) = app.login("/login_linked").await;
    let a2 = app.token_from("POST", "/refresh", &r, "access_token").await;
    assert_eq!(claims_of(&a2)["fam"], claims_of(&r)["fam"]);
    assert_eq!(app.answer("GET", "/protected", &a2).await, ok());
    assert_eq!(app.answer("DELETE", "/logout", &a1).await.0, 200);
    assert_eq!(app.answer("GET", "/protected", &a2).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());

    // A plain (Flask-style) login has no login to join: Flask's layout.
    let (_, plain_r) = app.login("/login").await;
    let plain_a2 = app
        .token_from("POST", "/refresh", &plain_r, "access_token")
        .await;
    assert!(claims_of(&plain_a2).get("fam").is_none());
}

/// Finding 2's opt-out: `TokenOptions::unlinked()`.
async fn unlinked_tokens_stay_out_of_the_login(store: Store) {
    let app = app(&store);
    let (a1, r) = app.login("/login_linked").await;
    let a3 = app
        .token_from("POST", "/refresh_unlinked", &r, "access_token")
        .await;
    assert!(claims_of(&a3).get("fam").is_none());
    assert_eq!(app.answer("DELETE", "/logout", &a1).await.0, 200);
    assert_eq!(app.answer("GET", "/protected", &a3).await, ok());
}

fn renewed_access_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("access_token_cookie="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// Finding 3a: the implicit cookie refresh keeps the login, so a logout
/// with the renewed cookie revokes the login's other tokens.
async fn renewed_access_cookie_stays_in_the_login(store: Store) {
    let app = app(&store);
    let (a1, r) = app.login("/login_linked").await;
    app.clock.advance(12.0 * 60.0);
    let (status, _, headers) = app.call("GET", "/protected", Via::Cookie(&a1)).await;
    assert_eq!(status, 200);
    let renewed = renewed_access_cookie(&headers).expect("a renewed access cookie");
    assert_eq!(claims_of(&renewed)["fam"], claims_of(&r)["fam"]);
    assert_eq!(
        app.call("DELETE", "/logout", Via::Cookie(&renewed)).await.0,
        200
    );
    assert_eq!(app.answer("GET", "/protected", &a1).await, revoked());
    assert_eq!(app.answer("POST", "/refresh", &r).await, revoked());
}

/// Finding 3b: a handler that revokes the current token without unsetting
/// its cookie gets no fresh access cookie in the same response.
async fn no_renewed_cookie_for_a_token_revoked_during_the_request(store: Store) {
    let app = app(&store);
    let (a1, _) = app.login("/login_linked").await;
    app.clock.advance(12.0 * 60.0);
    let (status, _, headers) = app.call("DELETE", "/revoke_self", Via::Cookie(&a1)).await;
    assert_eq!(status, 200);
    assert_eq!(renewed_access_cookie(&headers), None);
    let (status, body, _) = app.call("GET", "/protected", Via::Cookie(&a1)).await;
    assert_eq!((status, body), revoked());
}

/// Finding 4: a login's revocation is kept for the longest configured
/// lifetime, so no token of a login may live longer; creating one fails
/// with a message naming the way out.
async fn linked_tokens_cannot_outlive_their_login_revocation(store: Store) {
    let app = app(&store);
    let long = TokenOptions::new().expires(Duration::days(60));
    let err = app
        .jwt
        .create_token_pair("alice", long)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unlinked"), "{err}");
    let never = TokenOptions::new().expires(Expires::Never);
    assert!(app.jwt.create_token_pair("alice", never).is_err());
    // Inside a request of a linked login, too: a clear 500 from the handler's
    // own call, never a token that escapes the logout.
    let (_, r) = app.login("/login_linked").await;
    assert_eq!(app.answer("POST", "/refresh_forever", &r).await.0, 500);
    // Unlinked, the same lifetimes are fine.
    let unlinked = TokenOptions::new().expires(Expires::Never).unlinked();
    assert!(app.jwt.create_access_token_with("alice", unlinked).is_ok());
}

/// Finding 4: "log out everywhere" covers tokens of any lifetime: a token
/// that never expires is still refused 31 days later.
async fn log_out_everywhere_holds_after_31_days_for_a_token_that_never_expires(store: Store) {
    let app = app(&store);
    let forever = app
        .jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Expires::Never))
        .unwrap();
    let (a1, _) = app.login("/login_linked").await;
    assert_eq!(app.answer("DELETE", "/logout_all", &a1).await.0, 200);
    assert_eq!(app.answer("GET", "/protected", &forever).await, revoked());
    app.clock.advance(31.0 * 86_400.0);
    assert_eq!(app.answer("GET", "/protected", &forever).await, revoked());
}

/// Finding 4 in real time (what a Redis TTL sees): lifetimes of 1 and 2
/// seconds, a token that never expires, and a wait past both.
async fn log_out_everywhere_holds_in_real_time_past_every_configured_lifetime(store: Store) {
    let config = JwtConfig::builder()
        .secret_key(SECRET)
        .access_token_expires(Duration::seconds(1))
        .refresh_token_expires(Duration::seconds(2));
    let app = app_with(&store, config, None);
    let forever = app
        .jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Expires::Never))
        .unwrap();
    assert_eq!(app.answer("DELETE", "/logout_all", &forever).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    assert_eq!(app.answer("GET", "/protected", &forever).await, revoked());
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Finding 5: a validly signed token without `jti` is revoked by the digest
/// of its payload: 200 at logout (Flask: 200; we answered 500), then refused.
async fn logout_of_a_token_without_jti_is_200_and_holds(store: Store) {
    let app = app(&store);
    let t = now();
    let no_jti = foreign_token(
        json!({"sub": "alice", "type": "access", "fresh": false, "iat": t, "exp": t + 600}),
    );
    let other = foreign_token(
        json!({"sub": "alice", "type": "access", "fresh": false, "iat": t, "exp": t + 601}),
    );
    assert_eq!(app.answer("GET", "/protected", &no_jti).await, ok());
    assert_eq!(
        app.answer("DELETE", "/logout", &no_jti).await,
        (200, json!({"msg": "Token revoked"}))
    );
    assert_eq!(app.answer("GET", "/protected", &no_jti).await, revoked());
    assert_eq!(app.answer("GET", "/protected", &other).await, ok());
    assert_eq!(app.answer("DELETE", "/revoke_self", &other).await.0, 200);
    assert_eq!(app.answer("GET", "/protected", &other).await, revoked());
}

/// Finding 5: a token without `iat` cannot show it was issued after a "log
/// out everywhere", so it is refused once its identity logged out.
async fn a_token_without_iat_is_refused_after_log_out_everywhere(store: Store) {
    let app = app(&store);
    let t = now();
    let no_iat =
        foreign_token(json!({"sub": "alice", "type": "access", "jti": "no-iat-1", "exp": t + 600}));
    let bob =
        foreign_token(json!({"sub": "bob", "type": "access", "jti": "no-iat-2", "exp": t + 600}));
    assert_eq!(app.answer("GET", "/protected", &no_iat).await, ok());
    let (a1, _) = app.login("/login_linked").await;
    assert_eq!(app.answer("DELETE", "/logout_all", &a1).await.0, 200);
    assert_eq!(app.answer("GET", "/protected", &no_iat).await, revoked());
    assert_eq!(
        app.answer("GET", "/protected", &bob).await,
        (200, json!({"logged_in_as": "bob"}))
    );
}
