//! The RFC 6750 profile, row by row of the behaviour table: every row is
//! sent to a service with Flask's statuses (the default) and to the same
//! service with `rfc6750(true)`; the statuses and challenges must be the
//! table's two columns, the bodies the same.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    jwt_required, req, BoxFuture, ClaimRule, DecodedToken, FromIssuer, Issuer, IssuerName,
    JwksFetcher, Jwt, JwtConfig, JwtConfigBuilder, JwtError, JwtManager, Location, RefreshJwt,
    RemoteJwks, TokenKind, TokenOptions, VerificationKey, VerifyJwt,
};
use serde_json::{json, Value};
use support::forge::{b64url, forge, forge_claims};
use support::http::send;

const SECRET: &str = "rfc6750-test-secret-long-enough-32b!";
const OTHER: &str = "another secret that is long enough!!";
const PARTNER: &str = "https://partner.example";
const EC_PRIVATE: &str = include_str!("fixtures/keys/ec256-private.pem");
const EC_PUBLIC: &str = include_str!("fixtures/keys/ec256-public.pem");

struct Partner;
impl IssuerName for Partner {
    const ISSUER: &'static str = PARTNER;
}

struct Never;
impl ClaimRule for Never {
    fn check(_: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Err("Not today".into())
    }
}

struct Reset;
impl TokenKind for Reset {
    const NAME: &'static str = "reset";
}

async fn who(jwt: Jwt) -> Json<Value> {
    Json(json!({ "who": jwt.identity() }))
}

#[jwt_required(fresh)]
async fn fresh() -> &'static str {
    "fresh"
}

#[jwt_required(roles("admin"), scopes("notes:write"))]
async fn admin() -> &'static str {
    "admin"
}

#[jwt_required(rule = Never)]
async fn never() -> &'static str {
    "never"
}

#[jwt_required(rule = FromIssuer<Partner>)]
async fn partner_only() -> &'static str {
    "partner"
}

#[jwt_required]
async fn roles(jwt: Jwt) -> Result<Json<Value>, JwtError> {
    Ok(Json(json!(jwt.token().unwrap().roles()?)))
}

/// Every route a row needs.
fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/a", get(who))
        .route(
            "/refresh",
            post(|j: RefreshJwt| async move { Json(json!({ "who": j.identity() })) }),
        )
        .route("/fresh", get(fresh))
        .route("/admin", get(admin))
        .route("/never", get(never))
        .route("/partner", get(partner_only))
        .route("/roles", get(roles))
        .route(
            "/q",
            get(
                |j: VerifyJwt<{ req::locations(&[Location::QueryString]) }>| async move {
                    Json(json!({ "who": j.identity() }))
                },
            ),
        )
        .route("/c", get(who_cookie).post(who_cookie))
        .route(
            "/j",
            post(
                |j: VerifyJwt<{ req::locations(&[Location::Json]) }>| async move {
                    Json(json!({ "who": j.identity() }))
                },
            ),
        )
        .layer(jwt.layer())
        .route("/no-layer", get(who))
}

async fn who_cookie(j: VerifyJwt<{ req::locations(&[Location::Cookies]) }>) -> Json<Value> {
    Json(json!({ "who": j.identity() }))
}

/// A key set from memory, or none.
#[derive(Debug)]
struct Fixed(Option<Value>);
impl JwksFetcher for Fixed {
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>> {
        let doc = self.0.clone();
        Box::pin(async move { doc.ok_or_else(|| "down".to_owned()) })
    }
}

fn base() -> JwtConfigBuilder {
    JwtConfig::builder()
        .secret_key(SECRET)
        .token_kind::<Reset>()
        .token_location([
            Location::Headers,
            Location::Cookies,
            Location::QueryString,
            Location::Json,
        ])
}

fn get_req(uri: &str, token: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn claims(extra: Value) -> Value {
    let mut c = json!({"sub": "alice", "type": "access", "jti": "j1", "fresh": false, "iat": 1, "exp": 4_000_000_000u64});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn token(extra: Value) -> String {
    forge_claims(&claims(extra), SECRET)
}

/// One row: how to configure the service, the request, and the expected
/// (Flask status, RFC 6750 status, RFC 6750 `error` code or "" for a bare
/// challenge or None for no challenge).
struct Row {
    row: &'static str,
    config: fn(JwtConfigBuilder) -> JwtConfigBuilder,
    manager: fn(JwtManager) -> JwtManager,
    request: fn(&JwtManager) -> Request<Body>,
    flask: u16,
    rfc: u16,
    code: Option<&'static str>,
}

fn same(b: JwtConfigBuilder) -> JwtConfigBuilder {
    b
}
fn plain(m: JwtManager) -> JwtManager {
    m
}

fn rows() -> Vec<Row> {
    let r = |row, request: fn(&JwtManager) -> Request<Body>, flask, rfc, code| Row {
        row,
        config: same,
        manager: plain,
        request,
        flask,
        rfc,
        code,
    };
    vec![
        r(
            "1",
            |_| Request::get("/a").body(Body::empty()).unwrap(),
            401,
            401,
            Some(""),
        ),
        r(
            "1b",
            |j| {
                let t = j.create_access_token("alice").unwrap();
                Request::post("/c")
                    .header(header::COOKIE, format!("access_token_cookie={t}"))
                    .body(Body::empty())
                    .unwrap()
            },
            401,
            401,
            Some(""),
        ),
        r(
            "1c",
            |j| {
                let t = j.create_access_token("alice").unwrap();
                Request::get("/c")
                    .header(
                        header::COOKIE,
                        format!("access_token_cookie={t}; access_token_cookie={t}"),
                    )
                    .body(Body::empty())
                    .unwrap()
            },
            422,
            401,
            Some("invalid_token"),
        ),
        Row {
            config: |b| b.query_string_value_prefix("Bearer "),
            ..r(
                "1d",
                |j| {
                    let t = j.create_access_token("alice").unwrap();
                    Request::get(format!("/q?jwt={t}"))
                        .body(Body::empty())
                        .unwrap()
                },
                422,
                401,
                Some("invalid_token"),
            )
        },
        r(
            "1e",
            |_| {
                Request::post("/j")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(r#"{"access_token": 5}"#))
                    .unwrap()
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "2",
            |_| {
                Request::get("/a")
                    .header(header::AUTHORIZATION, "Basic abc")
                    .body(Body::empty())
                    .unwrap()
            },
            401,
            401,
            Some(""),
        ),
        r(
            "3",
            |_| {
                Request::get("/a")
                    .header(header::AUTHORIZATION, "Bearer a b")
                    .body(Body::empty())
                    .unwrap()
            },
            422,
            400,
            Some("invalid_request"),
        ),
        r(
            "4",
            |_| get_req("/a", &"a".repeat(20_000)),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "5",
            |_| get_req("/a", "abc"),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "6",
            |_| get_req("/a", "eyJhbGciOiJIUzI1NiJ9=.e30.sig"),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "7",
            |_| {
                get_req(
                    "/a",
                    &format!("{}.{}.sig", b64url("not json"), b64url("{}")),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "8",
            |_| get_req("/a", &format!("{}.{}.sig", b64url("[1]"), b64url("{}"))),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "9",
            |_| {
                get_req(
                    "/a",
                    &forge(
                        &json!({"alg": "HS256", "kid": 5}),
                        &claims(json!({})),
                        SECRET,
                    ),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "10",
            |_| {
                get_req(
                    "/a",
                    &forge(
                        &json!({"alg": "HS256", "crit": ["x"], "x": 1}),
                        &claims(json!({})),
                        SECRET,
                    ),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "11",
            |_| {
                get_req(
                    "/a",
                    &forge(&json!({"typ": "JWT"}), &claims(json!({})), SECRET),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "12",
            |_| {
                get_req(
                    "/a",
                    &format!(
                        "{}.{}.",
                        b64url(r#"{"alg":"none"}"#),
                        b64url(claims(json!({})).to_string())
                    ),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "13",
            |_| get_req("/a", &forge_claims(&claims(json!({})), OTHER)),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "14",
            |_| get_req("/a", &token(json!({"iat": "yesterday"}))),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "15",
            |_| get_req("/a", &token(json!({"nbf": 4_000_000_000u64}))),
            422,
            401,
            Some("invalid_token"),
        ),
        Row {
            config: |b| b.decode_issuer("me"),
            ..r(
                "16",
                |_| get_req("/a", &token(json!({}))),
                422,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            config: |b| b.decode_audience("api"),
            ..r(
                "17",
                |_| get_req("/a", &token(json!({"aud": "elsewhere"}))),
                422,
                401,
                Some("invalid_token"),
            )
        },
        r(
            "18",
            |_| get_req("/a", &token(json!({"sub": 5}))),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "19",
            |_| get_req("/a", &token(json!({"jti": 5}))),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "20",
            |_| get_req("/a", &token(json!({"sub": null}))),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "20b",
            |_| {
                let t = token(json!({}));
                Request::post("/c")
                    .header(header::COOKIE, format!("access_token_cookie={t}"))
                    .header("x-csrf-token", "x")
                    .body(Body::empty())
                    .unwrap()
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "20b",
            |_| {
                let t = token(json!({"csrf": "expected"}));
                Request::post("/c")
                    .header(header::COOKIE, format!("access_token_cookie={t}"))
                    .header("x-csrf-token", "other")
                    .body(Body::empty())
                    .unwrap()
            },
            401,
            401,
            Some(""),
        ),
        r(
            "21",
            |_| get_req("/a", &token(json!({"exp": 2}))),
            401,
            401,
            Some("invalid_token"),
        ),
        r(
            "22",
            |j| get_req("/a", &j.create_refresh_token("alice").unwrap()),
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "22",
            |j| {
                Request::post("/refresh")
                    .header(
                        header::AUTHORIZATION,
                        format!("Bearer {}", j.create_access_token("alice").unwrap()),
                    )
                    .body(Body::empty())
                    .unwrap()
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "22b",
            |j| {
                get_req(
                    "/a",
                    &j.create_token_of::<Reset>("alice", TokenOptions::new())
                        .unwrap(),
                )
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "23",
            |j| get_req("/fresh", &j.create_access_token("alice").unwrap()),
            401,
            401,
            Some("invalid_token"),
        ),
        r(
            "24",
            |_| get_req("/fresh", &token(json!({"fresh": "very"}))),
            422,
            401,
            Some("invalid_token"),
        ),
        // The token is revoked by the test loop (revoking is async).
        r(
            "25",
            |_| get_req("/a", "placeholder"),
            401,
            401,
            Some("invalid_token"),
        ),
        Row {
            manager: |m| m.with_blocklist(support::stores::FailingStore::down()),
            ..r(
                "26",
                |j| get_req("/a", &j.create_access_token("alice").unwrap()),
                503,
                503,
                None,
            )
        },
        Row {
            manager: |m| m.token_verification_loader(|_| async { false }),
            ..r(
                "26b",
                |j| get_req("/a", &j.create_access_token("alice").unwrap()),
                400,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            manager: |m| m.user_lookup_loader(|_| async { None::<String> }),
            ..r(
                "26c",
                |j| get_req("/a", &j.create_access_token("alice").unwrap()),
                401,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            manager: |m| m.token_verification_loader(|_| async { Err::<bool, _>("db down") }),
            ..r(
                "26b2",
                |j| get_req("/a", &j.create_access_token("alice").unwrap()),
                503,
                503,
                None,
            )
        },
        Row {
            manager: |m| m.user_lookup_loader(|_| async { Err::<Option<String>, _>("db down") }),
            ..r(
                "26c2",
                |j| get_req("/a", &j.create_access_token("alice").unwrap()),
                503,
                503,
                None,
            )
        },
        r(
            "26d",
            |j| get_req("/never", &j.create_access_token("alice").unwrap()),
            403,
            403,
            None,
        ),
        Row {
            config: |_| {
                JwtConfig::builder()
                    .algorithm("ES256")
                    .jwks(RemoteJwks::new(Fixed(Some(json!({"keys": []})))))
            },
            ..r(
                "26e",
                |_| {
                    get_req(
                        "/a",
                        &forge(
                            &json!({"alg": "ES256", "kid": "k9"}),
                            &claims(json!({})),
                            SECRET,
                        ),
                    )
                },
                422,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            config: |_| {
                JwtConfig::builder()
                    .algorithm("ES256")
                    .jwks(RemoteJwks::new(Fixed(None)))
            },
            ..r(
                "26e",
                |_| {
                    get_req(
                        "/a",
                        &forge(
                            &json!({"alg": "ES256", "kid": "k9"}),
                            &claims(json!({})),
                            SECRET,
                        ),
                    )
                },
                503,
                503,
                None,
            )
        },
        Row {
            config: |_| JwtConfig::builder().trust_issuer(partner_issuer()),
            ..r(
                "26f",
                |_| get_req("/a", &token(json!({"iss": "https://stranger.example"}))),
                422,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            config: |b| b.trust_issuer(partner_issuer()),
            ..r(
                "26g",
                |_| get_req("/a", &partner_token("elsewhere")),
                422,
                401,
                Some("invalid_token"),
            )
        },
        Row {
            config: |b| b.trust_issuer(partner_issuer()),
            ..r(
                "26h",
                |j| get_req("/partner", &j.create_access_token("alice").unwrap()),
                422,
                401,
                Some("invalid_token"),
            )
        },
        r(
            "26i",
            |j| {
                let t = j
                    .create_access_token_with(
                        "alice",
                        TokenOptions::new().additional_claims(json!({"roles": 7})),
                    )
                    .unwrap();
                get_req("/roles", &t)
            },
            422,
            401,
            Some("invalid_token"),
        ),
        r(
            "26j",
            |j| {
                let t = j
                    .create_access_token_with(
                        "alice",
                        TokenOptions::new()
                            .additional_claims(json!({"roles": ["admin"], "scope": "notes:read"})),
                    )
                    .unwrap();
                get_req("/admin", &t)
            },
            403,
            403,
            Some("insufficient_scope"),
        ),
        r(
            "27",
            |j| get_req("/no-layer", &j.create_access_token("alice").unwrap()),
            500,
            500,
            None,
        ),
    ]
}

fn partner_issuer() -> Issuer {
    let key = VerificationKey::from_pem(axum_jwt_extended::Algorithm::ES256, EC_PUBLIC).unwrap();
    Issuer::with_keys(PARTNER, [key]).audience("api")
}

fn partner_token(audience: &str) -> String {
    let partner = JwtManager::new(
        JwtConfig::builder()
            .algorithm("ES256")
            .private_key(EC_PRIVATE)
            .public_key(EC_PUBLIC)
            .encode_issuer(PARTNER)
            .encode_audience(audience)
            .build()
            .unwrap(),
    )
    .unwrap();
    partner.create_access_token("pat").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_row_answers_by_flask_by_default_and_by_rfc_6750_with_the_profile() {
    for row in rows() {
        let mut bodies = Vec::new();
        for rfc6750 in [false, true] {
            let config = (row.config)(base()).rfc6750(rfc6750).build().unwrap();
            let jwt = (row.manager)(JwtManager::new(config).unwrap());
            let mut request = (row.request)(&jwt);
            if row.row == "25" {
                // The token revoked while the manager was made.
                let t = jwt.create_access_token("alice").unwrap();
                let decoded = jwt.decode_token(&t, false).unwrap();
                jwt.revoke_token(&decoded).await.unwrap();
                request = get_req("/a", &t);
            }
            let reply = send(&app(&jwt), request).await;
            let want = if rfc6750 { row.rfc } else { row.flask };
            assert_eq!(
                reply.status, want,
                "row {} rfc6750={rfc6750}: {:?}",
                row.row, reply.body
            );
            let challenge = reply
                .headers
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap().to_owned());
            match (rfc6750, row.code, &challenge) {
                (true, Some(""), Some(c)) => assert_eq!(c, "Bearer", "row {}", row.row),
                (true, Some(code), Some(c)) => {
                    assert!(
                        c.starts_with(&format!("Bearer error=\"{code}\"")),
                        "row {}: {c}",
                        row.row
                    );
                    let msg = reply.body["msg"]
                        .as_str()
                        .unwrap_or_default()
                        .replace('"', "\\\"");
                    // The user lookup's identity stays in the body only.
                    let msg = match msg.strip_prefix("Error loading the user ") {
                        Some(_) => "Error loading the user".to_owned(),
                        None => msg,
                    };
                    if code != "insufficient_scope" {
                        assert!(
                            c.contains(&format!("error_description=\"{msg}\""))
                                || msg.chars().any(|ch| !(' '..='~').contains(&ch)),
                            "row {}: {c}",
                            row.row
                        );
                    }
                }
                (true, None, None) => {}
                (false, _, _) if want == 401 => assert!(
                    challenge.is_some(),
                    "row {}: a 401 without a challenge",
                    row.row
                ),
                (false, _, _) => {}
                (true, expected, got) => {
                    panic!("row {}: challenge {got:?}, expected {expected:?}", row.row)
                }
            }
            bodies.push(reply.body);
        }
        assert_eq!(
            bodies[0], bodies[1],
            "row {}: the body is the same under both profiles",
            row.row
        );
    }
}

/// A 6 KB identity that no user has: the body names it (Flask's text), the
/// challenge neither copies it nor grows with it.
#[tokio::test]
async fn a_long_identity_is_not_copied_into_the_challenge() {
    let identity = "u".repeat(6000);
    for rfc6750 in [false, true] {
        let jwt = JwtManager::new(base().rfc6750(rfc6750).build().unwrap())
            .unwrap()
            .user_lookup_loader(|_| async { None::<String> });
        let t = jwt.create_access_token(identity.as_str()).unwrap();
        let reply = send(&app(&jwt), get_req("/a", &t)).await;
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.body["msg"],
            format!("Error loading the user {identity}")
        );
        for (name, value) in &reply.headers {
            let value = value.as_bytes();
            assert!(value.len() < 300, "{name}: {} bytes", value.len());
            assert!(
                !value.windows(41).any(|w| w == &identity.as_bytes()[..41]),
                "{name}"
            );
        }
        let challenge = reply.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        if rfc6750 {
            assert_eq!(
                challenge,
                "Bearer error=\"invalid_token\", error_description=\"Error loading the user\""
            );
        }
    }
}

#[tokio::test]
async fn a_response_loader_still_decides_under_the_profile() {
    use axum::response::IntoResponse;
    let jwt = JwtManager::new(base().rfc6750(true).build().unwrap())
        .unwrap()
        .invalid_token_loader(|msg| {
            (axum::http::StatusCode::IM_A_TEAPOT, msg.to_owned()).into_response()
        });
    let reply = send(&app(&jwt), get_req("/a", "abc")).await;
    assert_eq!(reply.status, 418);
    // The loader's 418 carries no challenge; a 401 of the profile always does.
    assert!(reply.headers.get(header::WWW_AUTHENTICATE).is_none());
}

#[test]
fn the_behaviour_table_lists_every_row_here() {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/guide/behaviour.md"
    ))
    .unwrap();
    let tested: Vec<&str> = rows().iter().map(|r| r.row).collect();
    for line in table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
    {
        let row = line.split(" | ").next().unwrap().trim_start_matches("| ");
        assert!(
            tested.contains(&row),
            "row {row} of the behaviour table is not sent by this test"
        );
    }
}
