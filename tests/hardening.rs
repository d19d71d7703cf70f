//! Hardening, round two: each finding of the second outside review pinned by
//! a regression test named for the hole it closes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request};
use axum::routing::{any, get};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, Jwt, JwtConfig, JwtManager, Location, OptionalJwt,
};
use serde_json::{json, Value};

mod support;
use support::forge::signed;
use support::http::{send, Reply};

const SECRET: &str = "hardening-round-two-secret-long-enough";

#[jwt_required]
async fn guarded() -> Json<Value> {
    Json(json!({ "ran": true, "identity": get_jwt_identity() }))
}

#[jwt_required(optional)]
async fn optional() -> Json<Value> {
    Json(json!({ "ran": true, "identity": get_jwt_identity() }))
}

async fn extractor(jwt: Jwt) -> Json<Value> {
    Json(json!({ "ran": true, "identity": jwt.identity() }))
}

async fn optional_extractor(jwt: OptionalJwt) -> Json<Value> {
    Json(json!({ "ran": true, "identity": jwt.identity() }))
}

fn cookie_manager() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location(vec![Location::Cookies])
            .build()
            .unwrap(),
    )
    .unwrap()
}

/// Finding 4: Flask upper-cases the method, so a lowercase `post` with only
/// the access cookie needs the CSRF value too (401 `Missing CSRF token`).
#[tokio::test]
async fn lowercase_methods_need_the_csrf_value_like_their_uppercase() {
    let jwt = cookie_manager();
    let app = Router::new().route("/any", any(guarded)).layer(jwt.layer());
    let token = jwt.create_access_token("alice").unwrap();
    for method in ["post", "delete", "patch", "put", "Post"] {
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/any")
            .header(header::COOKIE, format!("access_token_cookie={token}"))
            .body(Body::empty())
            .unwrap();
        let Reply { status, body, .. } = send(&app, req).await;
        assert_eq!(
            (status, body),
            (401, json!({"msg": "Missing CSRF token"})),
            "{method}"
        );
    }
    // GET needs none; lowercase `get` is not a CSRF method either.
    for method in ["GET", "get"] {
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/any")
            .header(header::COOKIE, format!("access_token_cookie={token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, 200, "{method}");
    }
}

fn options(uri: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(uri)
        .body(Body::empty())
        .unwrap()
}

/// Finding 5: `OPTIONS` never runs a handler that requires a token without
/// one: `any()` routes, the `Jwt` extractor and `JwtManager::require`
/// answer Flask's automatic `OPTIONS` response (200, empty) instead. An
/// optional route still runs, with no identity.
#[tokio::test]
async fn options_never_runs_a_handler_that_requires_a_token() {
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap()).unwrap();
    let protected_router = Router::new()
        .route("/behind_require", any(optional_extractor))
        .layer(jwt.require(0));
    let app = Router::new()
        .route("/macro", any(guarded))
        .route("/extractor", any(extractor))
        .route("/optional", any(optional))
        .route("/optional_extractor", any(optional_extractor))
        .merge(protected_router)
        .layer(jwt.layer());
    for uri in ["/macro", "/extractor", "/behind_require"] {
        assert_eq!(send(&app, options(uri)).await.status, 200, "{uri}");
        assert_eq!(
            send(&app, options(uri)).await.body,
            Value::Null,
            "{uri}: the handler ran"
        );
    }
    for uri in ["/optional", "/optional_extractor"] {
        let Reply { status, body, .. } = send(&app, options(uri)).await;
        assert_eq!(
            (status, body),
            (200, json!({"ran": true, "identity": null})),
            "{uri}"
        );
    }
}

/// Finding 5: a CORS layer in front keeps answering preflights, and the
/// actual request is still verified.
#[tokio::test]
async fn a_cors_layer_in_front_answers_preflights() {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap()).unwrap();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::exact(HeaderValue::from_static(
            "https://app.example",
        )))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION]);
    let app = Router::new()
        .route("/macro", any(guarded))
        .layer(jwt.layer())
        .layer(cors);
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/macro")
        .header(header::ORIGIN, "https://app.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap();
    let Reply {
        status,
        body,
        headers,
    } = send(&app, preflight).await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    let actual = Request::builder()
        .method(Method::POST)
        .uri("/macro")
        .header(header::ORIGIN, "https://app.example")
        .body(Body::empty())
        .unwrap();
    let Reply {
        status,
        body,
        headers,
    } = send(&app, actual).await;
    assert_eq!(
        (status, body),
        (401, json!({"msg": "Missing Authorization Header"}))
    );
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    let token = jwt.create_access_token("alice").unwrap();
    let actual = Request::builder()
        .method(Method::POST)
        .uri("/macro")
        .header(header::ORIGIN, "https://app.example")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&app, actual).await.body,
        json!({"ran": true, "identity": "alice"})
    );
}

/// Finding 6: a non-ASCII byte anywhere in the `Cookie` header (a sibling
/// domain's odd cookie) does not hide the token cookie.
#[tokio::test]
async fn a_non_ascii_cookie_does_not_hide_the_token_cookie() {
    let jwt = cookie_manager();
    let app = Router::new()
        .route("/protected", get(guarded))
        .layer(jwt.layer());
    let token = jwt.create_access_token("alice").unwrap();
    let headers: [Vec<u8>; 3] = [
        format!("theme=d\u{e9}cor; access_token_cookie={token}").into_bytes(),
        [
            b"x=\xff\xfe; access_token_cookie=".as_slice(),
            token.as_bytes(),
            b"; y=\xe9",
        ]
        .concat(),
        [
            b"access_token_cookie=".as_slice(),
            token.as_bytes(),
            b"; caf\xe9=1",
        ]
        .concat(),
    ];
    for value in headers {
        let req = Request::builder()
            .uri("/protected")
            .header(header::COOKIE, HeaderValue::from_bytes(&value).unwrap())
            .body(Body::empty())
            .unwrap();
        let Reply { status, body, .. } = send(&app, req).await;
        assert_eq!(
            (status, body),
            (200, json!({"ran": true, "identity": "alice"})),
            "{}",
            String::from_utf8_lossy(&value)
        );
    }
    // A non-ASCII token cookie itself is read (as latin-1) and refused as a
    // malformed token, never a 500 nor a "missing cookie".
    let req = Request::builder()
        .uri("/protected")
        .header(
            header::COOKIE,
            HeaderValue::from_bytes(b"access_token_cookie=\xe9.\xe9.\xe9").unwrap(),
        )
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, 422);
}

/// Serves `app` on a free loopback port; returns the address.
async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Sends a request head and the first bytes of its body over a raw socket,
/// then waits up to `wait` for the status line. `None`: no answer in time.
async fn slow_request(
    addr: std::net::SocketAddr,
    head: &str,
    first_bytes: &[u8],
    wait: std::time::Duration,
) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(first_bytes).await.unwrap();
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&answer);
            if let Some((_, body)) = text.split_once("\r\n\r\n") {
                if text.contains("content-length: 0")
                    || body.ends_with('}')
                    || body.ends_with("public")
                {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok()?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.get(9..12)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n")?.1.to_owned()))
}

fn json_location_app(timeout_ms: u64) -> (JwtManager, Router) {
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location(vec![Location::Headers, Location::Json])
            .body_read_timeout(std::time::Duration::from_millis(timeout_ms))
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new()
        .route("/public", axum::routing::post(|| async { "public" }))
        .route("/protected", axum::routing::post(guarded))
        .layer(jwt.layer());
    (jwt, app)
}

fn head(path: &str, length: usize, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n{extra}\r\n"
    )
}

/// Finding 1: with the JSON location on, a slow JSON body (100 kB
/// announced, 5 bytes sent) to an unprotected route or an unmatched path is
/// never read by the layer: the answer comes at once.
#[tokio::test]
async fn a_slow_body_to_a_route_that_takes_no_token_from_it_is_never_read() {
    let (_, app) = json_location_app(10_000);
    let addr = serve(app).await;
    let wait = std::time::Duration::from_secs(2);
    let answer = slow_request(addr, &head("/public", 100_000, ""), b"{\"a\":", wait).await;
    assert_eq!(answer, Some((200, "public".to_owned())));
    let answer = slow_request(addr, &head("/nowhere", 100_000, ""), b"{\"a\":", wait).await;
    assert_eq!(answer.map(|(s, _)| s), Some(404));
}

/// Finding 1: a route that can take its token from the body reads it only
/// when no earlier location held one, and bounds the read in time (408) and
/// size (413), each with a `msg`.
#[tokio::test]
async fn a_body_read_for_a_token_is_bounded_in_time_and_size() {
    let (jwt, app) = json_location_app(300);
    let addr = serve(app).await;
    let wait = std::time::Duration::from_secs(3);
    let started = std::time::Instant::now();
    let answer = slow_request(addr, &head("/protected", 100_000, ""), b"{\"a\":", wait).await;
    assert_eq!(
        answer,
        Some((
            408,
            r#"{"msg":"Timed out reading the request body"}"#.to_owned()
        ))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let too_big = head("/protected", 3 * 1024 * 1024, "");
    let answer = slow_request(addr, &too_big, b"{", wait).await;
    assert_eq!(
        answer,
        Some((413, r#"{"msg":"Request body too large"}"#.to_owned()))
    );
    // A token in the header (an earlier location): the slow body is not read.
    let token = jwt.create_access_token("alice").unwrap();
    let with_header = head(
        "/protected",
        100_000,
        &format!("authorization: Bearer {token}\r\n"),
    );
    let answer = slow_request(addr, &with_header, b"{\"a\":", wait).await;
    assert_eq!(
        answer,
        Some((200, r#"{"identity":"alice","ran":true}"#.to_owned()))
    );
    // The token in the body: read, verified, and the handler gets the body.
    let body = format!(r#"{{"access_token":"{token}"}}"#);
    let complete = head("/protected", body.len(), "");
    let answer = slow_request(addr, &complete, body.as_bytes(), wait).await;
    assert_eq!(
        answer,
        Some((200, r#"{"identity":"alice","ran":true}"#.to_owned()))
    );
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Finding 1: 100 connections each sending 1 MiB of a JSON body (2 MiB
/// announced) to `/public` and to an unmatched path of the parity example,
/// with every location and the CSRF form check on, leave the server's memory
/// flat (it grew by 205 MiB when the layer buffered every JSON body).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_body_flood_leaves_memory_flat() {
    use tokio::io::AsyncWriteExt;
    let port = support::free_port();
    let child = std::process::Command::new(support::example_binary("parity"))
        .env("ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET_KEY", SECRET)
        .env("JWT_TOKEN_LOCATION", "headers,cookies,query_string,json")
        .env("JWT_CSRF_CHECK_FORM", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("build the example first: cargo build --example parity");
    let pid = child.id();
    let _server = support::Killed(child);
    support::wait_for_port(port, "examples/parity");
    // Warm up allocator and connection handling, then take the baseline.
    for _ in 0..20 {
        let _ = tokio::net::TcpStream::connect(("127.0.0.1", port)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = rss_kib(pid);
    let chunk = vec![b' '; 64 * 1024];
    let mut held = Vec::new();
    for i in 0..100 {
        let path = if i % 2 == 0 { "/public" } else { "/nowhere" };
        let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{",
            2 * 1024 * 1024
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let chunk = chunk.clone();
        held.push(tokio::spawn(async move {
            for _ in 0..16 {
                let write = socket.write_all(&chunk);
                if tokio::time::timeout(std::time::Duration::from_millis(500), write)
                    .await
                    .map_or(true, |r| r.is_err())
                {
                    break;
                }
            }
            socket
        }));
    }
    let mut sockets = Vec::new();
    for h in held {
        sockets.push(h.await.unwrap());
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let after = rss_kib(pid);
    let grown_mib = (after.saturating_sub(before)) as f64 / 1024.0;
    assert!(
        grown_mib < 25.0,
        "RSS grew by {grown_mib:.1} MiB ({before} -> {after} KiB) under 100 slow bodies"
    );
    drop(sockets);
}

async fn answer(app: &Router, token: &str) -> (u16, Value) {
    let req = Request::builder()
        .uri("/protected")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let Reply {
        status,
        body,
        headers,
    } = send(app, req).await;
    for value in headers.values() {
        let value = value.to_str().unwrap_or_default();
        assert!(!value.contains('<'), "attacker text in a header: {value}");
    }
    (status, body)
}

fn header_app() -> Router {
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap()).unwrap();
    Router::new()
        .route("/protected", get(guarded))
        .layer(jwt.layer())
}

/// Finding 7: a member name, a `crit` value an attacker chose is echoed
/// capped (40 characters) and escaped, never as markup, never in a header.
#[tokio::test]
async fn attacker_text_in_error_messages_is_capped_and_escaped() {
    let app = header_app();
    let now = 1_900_000_000u64;
    let evil = "<img src=x onerror=alert(1)>".repeat(20);
    let payload = format!(r#"{{"sub":"alice","exp":{now},"{evil}":1,"{evil}":2}}"#);
    let (status, body) = answer(&app, &signed(r#"{"alg":"HS256"}"#, &payload, SECRET)).await;
    let msg = body["msg"].as_str().unwrap();
    assert_eq!(status, 422, "{msg}");
    assert!(msg.starts_with("Invalid payload string: duplicate member name \"\\u{3c}img src=x onerror=alert(1)\\u{3e}"), "{msg}");
    assert!(!msg.contains('<') && msg.len() < 200, "{msg}");

    let header = format!(r#"{{"alg":"HS256","crit":["{evil}"],"{evil}":1}}"#);
    let (status, body) = answer(&app, &signed(&header, r#"{"sub":"alice"}"#, SECRET)).await;
    let msg = body["msg"].as_str().unwrap();
    assert_eq!(status, 422, "{msg}");
    assert!(
        msg.starts_with("Unsupported critical extension: \\u{3c}img"),
        "{msg}"
    );
    assert!(!msg.contains('<') && msg.len() < 200, "{msg}");
    // Flask's own texts are unchanged where nothing needs escaping.
    let header = r#"{"alg":"HS256","crit":["exp"],"exp":1}"#;
    assert_eq!(
        answer(&app, &signed(header, r#"{"sub":"alice"}"#, SECRET)).await,
        (422, json!({"msg": "Unsupported critical extension: exp"}))
    );
}

/// Finding 3: the payload of a forged token is never parsed (its ~1,700
/// member names and the duplicate among them are not looked at: the
/// signature fails first), and the duplicate-name check of a validly signed
/// payload is linear and still finds a duplicate far past the short list.
#[tokio::test]
async fn a_forged_payload_is_refused_before_it_is_parsed() {
    let app = header_app();
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut payload = String::from(r#"{"sub":"alice""#);
    for i in 0..1_700 {
        let name = [
            CHARS[i / CHARS.len()] as char,
            CHARS[i % CHARS.len()] as char,
        ];
        payload.push_str(&format!(r#","{}{}":0"#, name[0], name[1]));
    }
    payload.push_str(r#","ad":1}"#);
    let forged = signed(
        r#"{"alg":"HS256"}"#,
        &payload,
        "not the service's secret, 32 bytes+",
    );
    assert!(forged.len() < 16 * 1024, "{}", forged.len());
    assert_eq!(
        answer(&app, &forged).await,
        (422, json!({"msg": "Signature verification failed"}))
    );
    let genuine = signed(r#"{"alg":"HS256"}"#, &payload, SECRET);
    let (status, body) = answer(&app, &genuine).await;
    let msg = body["msg"].as_str().unwrap();
    assert_eq!(status, 422);
    assert!(
        msg.starts_with("Invalid payload string: duplicate member name \"ad\""),
        "{msg}"
    );
    // Not JSON at all, forged: the same refusal, the payload unread.
    let forged = signed(
        r#"{"alg":"HS256"}"#,
        "{not json",
        "not the service's secret, 32 bytes+",
    );
    assert_eq!(
        answer(&app, &forged).await,
        (422, json!({"msg": "Signature verification failed"}))
    );
}

/// Every option that takes a span accepts `time::Duration` and
/// `std::time::Duration` alike (#29), and a negative timeout is refused.
#[test]
fn spans_are_taken_in_either_duration_type() {
    use axum_jwt_extended::{FixedClock, JwtError};
    let now = 1_800_000_000.0;
    let minted = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .clock(FixedClock(now - 3600.0))
            .build()
            .unwrap(),
    )
    .unwrap();
    // Expired 15 minutes before `now` (900 s lifetime, minted an hour ago).
    let token = minted.create_access_token("alice").unwrap();
    let leeway = |builder: axum_jwt_extended::JwtConfigBuilder| {
        JwtManager::new(
            builder
                .secret_key(SECRET)
                .clock(FixedClock(now))
                .build()
                .unwrap(),
        )
        .unwrap()
        .decode_token(&token, false)
        .map(|t| t.identity_str().map(str::to_owned))
    };
    let std_leeway = std::time::Duration::from_secs(3000);
    let time_leeway = axum_jwt_extended::Duration::seconds(3000);
    assert_eq!(
        leeway(JwtConfig::builder().decode_leeway(std_leeway)).unwrap(),
        Some("alice".to_owned())
    );
    assert_eq!(
        leeway(JwtConfig::builder().decode_leeway(time_leeway)).unwrap(),
        Some("alice".to_owned())
    );
    assert!(matches!(
        leeway(JwtConfig::builder()),
        Err(JwtError::Expired)
    ));
    // Timeouts, kept as `std`, take `time` spans; a negative one is refused.
    let built = JwtConfig::builder()
        .secret_key(SECRET)
        .blocklist_timeout(axum_jwt_extended::Duration::milliseconds(250))
        .body_read_timeout(axum_jwt_extended::Duration::seconds(2))
        .build();
    assert!(built.is_ok());
    for (builder, option) in [
        (
            JwtConfig::builder().blocklist_timeout(axum_jwt_extended::Duration::seconds(-1)),
            "blocklist_timeout",
        ),
        (
            JwtConfig::builder().body_read_timeout(axum_jwt_extended::Duration::seconds(-1)),
            "body_read_timeout",
        ),
    ] {
        let err = builder.secret_key(SECRET).build().expect_err(option);
        assert!(err.to_string().contains(option), "{err}");
    }
    // A fresh window in `std` time.
    let fresh = minted
        .create_access_token_with(
            "alice",
            axum_jwt_extended::TokenOptions::new().fresh(std::time::Duration::from_secs(60)),
        )
        .unwrap();
    let claims = minted.decode_token(&fresh, true).unwrap();
    assert_eq!(claims.claims()["fresh"], json!(now - 3600.0 + 60.0));
}
