//! Revocation against a model: random interleavings of logins (linked pairs
//! and Flask-style pairs), refreshes, rotations, logouts, "log out
//! everywhere" and clock shifts, each request's answer compared with what a
//! simple model of revocation says it must be. On the in-memory store, and
//! with `--features redis-tests` on a real Redis too.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    create_access_token, create_access_token_with, create_refresh_token, create_token_pair,
    get_jwt_identity, jwt_required, revoke_current_token_family, rotate_current_refresh_token,
    Clock, Expires, JwtConfig, JwtError, JwtManager, TokenOptions,
};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

#[derive(Debug, Clone)]
struct SharedClock(Arc<Mutex<f64>>);

impl Clock for SharedClock {
    fn now(&self) -> f64 {
        *self.0.lock().unwrap()
    }
}

#[derive(serde::Deserialize)]
struct Who {
    who: String,
    linked: bool,
}

async fn login(Json(who): Json<Who>) -> Result<Json<Value>, JwtError> {
    if who.linked {
        return Ok(Json(
            serde_json::to_value(create_token_pair(&who.who)?).unwrap(),
        ));
    }
    Ok(Json(json!({
        "access_token": create_access_token(&who.who)?,
        "refresh_token": create_refresh_token(&who.who)?,
    })))
}

/// An access token that never expires (so of no linked login).
async fn login_forever(Json(who): Json<Who>) -> Result<Json<Value>, JwtError> {
    let options = TokenOptions::new().expires(Expires::Never).unlinked();
    Ok(Json(
        json!({ "access_token": create_access_token_with(&who.who, options)? }),
    ))
}

#[jwt_required(refresh)]
async fn refresh() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        json!({ "access_token": create_access_token(get_jwt_identity())? }),
    ))
}

#[jwt_required(refresh)]
async fn rotate() -> Result<Json<Value>, JwtError> {
    Ok(Json(
        serde_json::to_value(rotate_current_refresh_token().await?).unwrap(),
    ))
}

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "ok": true }))
}

#[jwt_required(verify_type = false)]
async fn logout() -> Result<Json<Value>, JwtError> {
    revoke_current_token_family().await?;
    Ok(Json(json!({ "ok": true })))
}

#[jwt_required(verify_type = false)]
async fn logout_all() -> Result<Json<Value>, JwtError> {
    let jwt = axum_jwt_extended::current_manager().ok_or(JwtError::NoManager)?;
    jwt.revoke_all_tokens_of(&get_jwt_identity().unwrap_or_default())
        .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Debug, Clone)]
enum Op {
    Login {
        who: usize,
        linked: bool,
    },
    /// A token that never expires for that identity.
    Forever(usize),
    /// Present the refresh token picked by the index at `/refresh`.
    Refresh(usize),
    Rotate(usize),
    /// Present the access token picked by the index at `/protected`.
    Access(usize),
    Logout(usize),
    LogoutAll(usize),
    Advance(f64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, any::<bool>()).prop_map(|(who, linked)| Op::Login { who, linked }),
        2 => (0..2usize).prop_map(Op::Forever),
        3 => any::<usize>().prop_map(Op::Refresh),
        3 => any::<usize>().prop_map(Op::Rotate),
        4 => any::<usize>().prop_map(Op::Access),
        2 => any::<usize>().prop_map(Op::Logout),
        2 => any::<usize>().prop_map(Op::LogoutAll),
        2 => prop::sample::select(vec![1.0, 61.0, 600.0, 1_000.0, 86_400.0, 31.0 * 86_400.0])
            .prop_map(Op::Advance),
    ]
}

/// One token the service gave out, as the model knows it.
#[derive(Debug, Clone)]
struct Issued {
    raw: String,
    refresh: bool,
    who: String,
    /// Its login: the `fam` claim, or for a token without one, itself.
    login: String,
    /// Whether it carries a `fam` claim (what tokens minted from it inherit).
    linked: bool,
    iat: f64,
    exp: f64,
}

#[derive(Default)]
struct Model {
    tokens: Vec<Issued>,
    revoked: HashSet<usize>,
    spent: HashSet<usize>,
    logins: HashSet<String>,
    everywhere: HashMap<String, f64>,
}

const WHO: [&str; 2] = ["alice", "bob"];
const ACCESS: f64 = 15.0 * 60.0;
const REFRESH: f64 = 30.0 * 86_400.0;

enum Expect {
    Ok,
    Expired,
    Revoked,
}

impl Model {
    fn expect(&self, i: usize, now: f64) -> Expect {
        let t = &self.tokens[i];
        if t.exp <= now {
            return Expect::Expired;
        }
        let everywhere = self.everywhere.get(&t.who).is_some_and(|at| t.iat <= *at);
        if self.revoked.contains(&i) || self.logins.contains(&t.login) || everywhere {
            Expect::Revoked
        } else {
            Expect::Ok
        }
    }

    /// Reuse detection: a spent refresh token presented and refused as
    /// revoked revokes its login.
    fn presented(&mut self, i: usize, now: f64) -> Expect {
        let expect = self.expect(i, now);
        if matches!(expect, Expect::Revoked) && self.spent.contains(&i) {
            self.logins.insert(self.tokens[i].login.clone());
        }
        expect
    }

    fn pick(&self, index: usize, refresh: bool) -> Option<usize> {
        let of_kind: Vec<usize> = (0..self.tokens.len())
            .filter(|&i| self.tokens[i].refresh == refresh)
            .collect();
        (!of_kind.is_empty()).then(|| of_kind[index % of_kind.len()])
    }

    fn issue(&mut self, raw: &str, refresh: bool, who: &str, login: Option<String>, now: f64) {
        let lifetime = if refresh { REFRESH } else { ACCESS };
        self.issue_for(raw, refresh, who, login, now, lifetime);
    }

    fn issue_for(
        &mut self,
        raw: &str,
        refresh: bool,
        who: &str,
        login: Option<String>,
        now: f64,
        lifetime: f64,
    ) {
        let linked = login.is_some();
        let iat = now.floor();
        self.tokens.push(Issued {
            raw: raw.to_owned(),
            refresh,
            who: who.to_owned(),
            // A token of no login starts one named after its `jti`.
            login: login.unwrap_or_else(|| claim(raw, "jti").unwrap()),
            linked,
            iat,
            exp: (now + lifetime).floor(),
        });
    }
}

struct Service {
    router: Router,
    clock: SharedClock,
}

impl Service {
    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

fn service(redis_port: Option<u16>, case: usize) -> Service {
    let clock = SharedClock(Arc::new(Mutex::new(1_800_000_000.25)));
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key("revocation-model-secret-long-enough!!")
            .clock(clock.clone())
            .build()
            .unwrap(),
    )
    .unwrap();
    #[cfg(feature = "redis-tests")]
    let jwt = match redis_port {
        Some(port) => jwt.with_blocklist(
            axum_jwt_extended::RedisBlocklist::new(&format!("redis://127.0.0.1:{port}/"))
                .unwrap()
                .prefix(format!("model{case}:"))
                .clock(clock.clone()),
        ),
        None => jwt,
    };
    #[cfg(not(feature = "redis-tests"))]
    let _ = (redis_port, case);
    let router = Router::new()
        .route("/login", post(login))
        .route("/login_forever", post(login_forever))
        .route("/refresh", post(refresh))
        .route("/rotate", post(rotate))
        .route("/protected", get(protected))
        .route("/logout", delete(logout))
        .route("/logout_all", delete(logout_all))
        .layer(jwt.layer());
    Service { router, clock }
}

fn check(expect: Expect, got: &(u16, Value), what: &str) {
    match expect {
        Expect::Ok => assert_eq!(got.0, 200, "{what}: {got:?}"),
        Expect::Expired => assert_eq!(got, &(401, json!({"msg": "Token has expired"})), "{what}"),
        Expect::Revoked => {
            assert_eq!(
                got,
                &(401, json!({"msg": "Token has been revoked"})),
                "{what}"
            )
        }
    }
}

fn claim_fam(raw: &str) -> Option<String> {
    claim(raw, "fam")
}

fn claim(raw: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = raw.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims[name].as_str().map(str::to_owned)
}

/// Presents token `i` at `route`, checks the answer against the model (reuse
/// detection included), and gives the body when the model accepts it.
async fn present(
    service: &Service,
    model: &mut Model,
    (method, uri): (&str, &str),
    i: usize,
    now: f64,
    what: &str,
) -> Option<Value> {
    let got = service
        .call(method, uri, Some(&model.tokens[i].raw), None)
        .await;
    let expect = model.presented(i, now);
    let accepted = matches!(expect, Expect::Ok);
    check(expect, &got, what);
    accepted.then_some(got.1)
}

async fn run(ops: Vec<Op>, redis_port: Option<u16>, case: usize) {
    let service = service(redis_port, case);
    let mut model = Model::default();
    for (step, op) in ops.into_iter().enumerate() {
        let now = service.clock.now();
        let what = format!("step {step}: {op:?}");
        match op {
            Op::Advance(seconds) => *service.clock.0.lock().unwrap() += seconds,
            Op::Login { who, linked } => {
                let who = WHO[who];
                let body = json!({"who": who, "linked": linked});
                let (status, pair) = service.call("POST", "/login", None, Some(body)).await;
                assert_eq!(status, 200, "{what}: {pair}");
                let login =
                    linked.then(|| claim_fam(pair["access_token"].as_str().unwrap()).unwrap());
                model.issue(
                    pair["access_token"].as_str().unwrap(),
                    false,
                    who,
                    login.clone(),
                    now,
                );
                model.issue(
                    pair["refresh_token"].as_str().unwrap(),
                    true,
                    who,
                    login,
                    now,
                );
            }
            Op::Forever(who) => {
                let who = WHO[who];
                let body = json!({"who": who, "linked": false});
                let (status, got) = service
                    .call("POST", "/login_forever", None, Some(body))
                    .await;
                assert_eq!(status, 200, "{what}: {got}");
                let raw = got["access_token"].as_str().unwrap();
                model.issue_for(raw, false, who, None, now, f64::INFINITY);
            }
            Op::Access(index) => {
                let Some(i) = model.pick(index, false) else {
                    continue;
                };
                present(&service, &mut model, ("GET", "/protected"), i, now, &what).await;
            }
            Op::Refresh(index) => {
                let Some(i) = model.pick(index, true) else {
                    continue;
                };
                let route = ("POST", "/refresh");
                if let Some(body) = present(&service, &mut model, route, i, now, &what).await {
                    let t = model.tokens[i].clone();
                    let login = t.linked.then(|| t.login.clone());
                    let raw = body["access_token"].as_str().unwrap();
                    assert_eq!(claim_fam(raw), login, "{what}: the minted token's login");
                    model.issue(raw, false, &t.who, login, now);
                }
            }
            Op::Rotate(index) => {
                let Some(i) = model.pick(index, true) else {
                    continue;
                };
                let route = ("POST", "/rotate");
                if let Some(body) = present(&service, &mut model, route, i, now, &what).await {
                    model.revoked.insert(i);
                    model.spent.insert(i);
                    let t = model.tokens[i].clone();
                    let access = body["access_token"].as_str().unwrap().to_owned();
                    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
                    model.issue(&access, false, &t.who, Some(t.login.clone()), now);
                    model.issue(&refresh, true, &t.who, Some(t.login.clone()), now);
                }
            }
            Op::Logout(index) => {
                if model.tokens.is_empty() {
                    continue;
                }
                let i = index % model.tokens.len();
                let route = ("DELETE", "/logout");
                if present(&service, &mut model, route, i, now, &what)
                    .await
                    .is_some()
                {
                    model.revoked.insert(i);
                    model.logins.insert(model.tokens[i].login.clone());
                }
            }
            Op::LogoutAll(index) => {
                if model.tokens.is_empty() {
                    continue;
                }
                let i = index % model.tokens.len();
                let route = ("DELETE", "/logout_all");
                if present(&service, &mut model, route, i, now, &what)
                    .await
                    .is_some()
                {
                    let who = model.tokens[i].who.clone();
                    model.everywhere.insert(who, now);
                }
            }
        }
    }
}

fn block_on(f: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memory_store_refuses_exactly_what_the_model_refuses(ops in prop::collection::vec(op(), 1..40)) {
        block_on(run(ops, None, 0));
    }
}

#[cfg(feature = "redis-tests")]
#[test]
fn redis_store_refuses_exactly_what_the_model_refuses() {
    let port = support::free_port();
    let _redis = support::start_redis(port);
    let case = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            block_on(run(ops, Some(port), n));
            Ok(())
        })
        .unwrap();
}
