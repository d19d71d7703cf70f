//! The attack catalogue, black box through the HTTP stack. Each case names
//! where it comes from (RFC section or CVE) and must get its documented 4xx:
//! never a 200, never a 500.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{
    get_jwt_identity, jwt_required, Duration, JwtConfig, JwtManager, Location, TokenOptions,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

mod support;
use support::forge::{b64url as b64, hs256};

/// Exactly these texts, signed with SECRET.
fn signed(header: &str, payload: &str) -> String {
    support::forge::signed(header, payload, SECRET)
}

const SECRET: &str = "attack-catalogue-secret-long-enough-for-hs256";
const RSA_PRIVATE: &str = include_str!("fixtures/keys/rsa2048-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/keys/rsa2048-public.pem");
const EC_PRIVATE: &str = include_str!("fixtures/keys/ec256-private.pem");
const EC_PUBLIC: &str = include_str!("fixtures/keys/ec256-public.pem");

#[jwt_required]
async fn protected() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(refresh)]
async fn refresh() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

#[jwt_required(fresh)]
async fn fresh() -> Json<Value> {
    Json(json!({ "logged_in_as": get_jwt_identity() }))
}

fn app(jwt: &JwtManager) -> Router {
    Router::new()
        .route("/protected", get(protected).post(protected))
        .route("/refresh", post(refresh))
        .route("/fresh", get(fresh))
        .layer(jwt.layer())
}

fn claims(extra: Value) -> String {
    let mut c = json!({"fresh": false, "iat": 1_700_000_000, "jti": "0a1b", "type": "access", "sub": "alice", "nbf": 1_700_000_000, "exp": 4_900_000_000u64});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c.to_string()
}

const H: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

struct Case {
    source: &'static str,
    name: String,
    path: &'static str,
    method: &'static str,
    auth: Option<String>,
    cookie: Option<String>,
    status: u16,
    msg: Box<dyn Fn(&str) -> bool>,
}

fn case(
    source: &'static str,
    name: impl Into<String>,
    token: String,
    status: u16,
    msg: impl Fn(&str) -> bool + 'static,
) -> Case {
    Case {
        source,
        name: name.into(),
        path: "/protected",
        method: "GET",
        auth: Some(format!("Bearer {token}")),
        cookie: None,
        status,
        msg: Box::new(msg),
    }
}

fn is(expected: &'static str) -> impl Fn(&str) -> bool {
    move |m| m == expected
}

async fn run(jwt: &JwtManager, cases: Vec<Case>) {
    let app = app(jwt);
    assert!(!cases.is_empty());
    for c in cases {
        let mut req = Request::builder().method(c.method).uri(c.path);
        if let Some(a) = &c.auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        if let Some(k) = &c.cookie {
            req = req.header(header::COOKIE, k);
        }
        let res = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let msg = body["msg"].as_str().unwrap_or("");
        // Hygiene: no response ever echoes the token or its signature.
        if let Some(token) = c.auth.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            for secret_part in [token, token.rsplit('.').next().unwrap_or("")] {
                if secret_part.len() >= 16 {
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(
                        !text.contains(secret_part),
                        "[{}] {}: the response echoes the token",
                        c.source,
                        c.name
                    );
                }
            }
        }
        assert!(
            status != 200 && status != 500,
            "[{}] {}: answered {status} {body}",
            c.source,
            c.name
        );
        assert_eq!(status, c.status, "[{}] {}: {body}", c.source, c.name);
        assert!(
            (c.msg)(msg),
            "[{}] {}: unexpected message {msg:?}",
            c.source,
            c.name
        );
    }
}

#[tokio::test]
async fn hs256_service_catalogue() {
    let jwt = JwtManager::new(JwtConfig::builder().secret_key(SECRET).build().unwrap()).unwrap();
    let good = jwt.create_access_token("alice").unwrap();
    let (head, rest) = good.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let p = b64(claims(json!({})));
    let mut cases = Vec::new();

    // RFC 8725 3.1 / CVE-2015-2951: alg none, every casing, with and without a signature.
    for alg in ["none", "None", "NONE", "nOnE", "noNe"] {
        for sig in ["", "AAAA", sig] {
            let t = format!(
                "{}.{p}.{sig}",
                b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#))
            );
            cases.push(case(
                "RFC 8725 3.1",
                format!("alg {alg} sig {}", sig.len()),
                t,
                422,
                is("The specified alg value is not allowed"),
            ));
        }
    }
    // RFC 8725 3.1: an algorithm the service does not use.
    for alg in [
        "HS512", "RS256", "ES256", "PS256", "EdDSA", "HS256 ", "hs256",
    ] {
        let t = format!("{}.{p}.{}", b64(format!(r#"{{"alg":"{alg}"}}"#)), sig);
        cases.push(case(
            "RFC 8725 3.1",
            format!("alg {alg:?}"),
            t,
            422,
            is("The specified alg value is not allowed"),
        ));
    }
    // RFC 7515 4.1.3-4.1.5, CVE-2018-0114: jwk, jku, x5u headers are never trusted; kid injection.
    for extra in [
        r#""jwk":{"kty":"oct","k":"QUFBQQ"}"#,
        r#""jku":"http://127.0.0.1:9/jwks.json""#,
        r#""x5u":"http://127.0.0.1:9/cert.pem""#,
        r#""kid":"../../../../dev/null""#,
        r#""kid":"' OR '1'='1""#,
        r#""kid":"/etc/passwd\u0000""#,
    ] {
        let header = format!(r#"{{"alg":"HS256","typ":"JWT",{extra}}}"#);
        let input = format!("{}.{p}", b64(&header));
        // Signed with an attacker-chosen key: empty, or "AAAA".
        for key in [&b""[..], b"AAAA"] {
            let t = format!("{input}.{}", hs256(&input, key));
            cases.push(case(
                "RFC 7515 4.1.3 / CVE-2018-0114",
                format!("{extra} key {key:?}"),
                t,
                422,
                is("Signature verification failed"),
            ));
        }
    }
    // RFC 7515 5.2: truncated, stripped, flipped, appended signatures; tampered payloads.
    let truncated = format!("{head}.{payload}.{}", &sig[..32]);
    let stripped = format!("{head}.{payload}.");
    let mut flipped = sig.to_owned().into_bytes();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let flipped = format!("{head}.{payload}.{}", String::from_utf8(flipped).unwrap());
    let tampered = format!("{head}.{}.{sig}", b64(claims(json!({"sub": "admin"}))));
    for (name, t) in [
        ("truncated", truncated),
        ("stripped", stripped),
        ("flipped", flipped),
        ("tampered payload", tampered),
    ] {
        cases.push(case(
            "RFC 7515 5.2",
            name,
            t,
            422,
            is("Signature verification failed"),
        ));
    }
    // RFC 7515 2 / RFC 4648 5 (base64url, no padding): non-canonical encodings.
    for (name, t, msg) in [
        (
            "padded signature",
            format!("{good}="),
            "Invalid crypto padding",
        ),
        (
            "standard alphabet",
            format!(
                "{}.{payload}.{sig}",
                STANDARD.encode(H).trim_end_matches('=').replace('J', "+")
            ),
            "Invalid header padding",
        ),
        (
            "space in payload",
            format!("{head}.{} .{sig}", payload),
            "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'",
        ),
        (
            "percent-encoded",
            format!("{head}.{payload}%3D.{sig}"),
            "Invalid payload padding",
        ),
        (
            "non-zero trailing bits",
            format!("{head}.{payload}.{}B", &sig[..sig.len() - 1]),
            "Invalid crypto padding",
        ),
    ] {
        if t != good {
            cases.push(case("RFC 7515 2", name, t, 422, is(msg)));
        }
    }
    // RFC 7515 4.1.11: crit.
    cases.push(case(
        "RFC 7515 4.1.11",
        "crit unknown",
        signed(
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            &claims(json!({})),
        ),
        422,
        is("Unsupported critical extension: exp"),
    ));
    cases.push(case(
        "RFC 7515 4.1.11",
        "crit empty",
        signed(r#"{"alg":"HS256","crit":[]}"#, &claims(json!({}))),
        422,
        is("Invalid 'crit' header: must be a non-empty list"),
    ));
    cases.push(case(
        "RFC 7797",
        "b64 false",
        format!("{}..", b64(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#)),
        422,
        |m| m.starts_with("It is required"),
    ));
    // RFC 7516 / RFC 7515 7.2: JWE-shaped and JSON-serialized tokens.
    cases.push(case(
        "RFC 7516 7.1",
        "JWE compact (5 parts)",
        format!("{head}.{payload}.AAAA.AAAA.{sig}"),
        422,
        is("Invalid payload padding"),
    ));
    cases.push(case(
        "RFC 7515 7.2",
        "JSON serialization",
        json!({"payload": payload, "signatures": [{"protected": head, "signature": sig}]})
            .to_string()
            .replace(' ', ""),
        422,
        |m| m.starts_with("Invalid") || m == "Not enough segments",
    ));
    // RFC 7519 4 / RFC 8259 4: duplicate members, never last-one-wins.
    cases.push(case(
        "RFC 7519 4",
        "duplicate sub",
        signed(H, &claims(json!({})).replacen('}', r#","sub":"admin"}"#, 1)),
        422,
        |m| m.contains("duplicate member name"),
    ));
    cases.push(case(
        "RFC 7515 4",
        "duplicate alg",
        signed(r#"{"alg":"none","alg":"HS256"}"#, &claims(json!({}))),
        422,
        |m| m.contains("duplicate member name"),
    ));
    // RFC 7519 7.2 step 3/9: header and payload must be JSON objects, valid UTF-8.
    cases.push(case(
        "RFC 7519 7.2",
        "header array",
        signed("[1]", &claims(json!({}))),
        422,
        is("Invalid header string: must be a json object"),
    ));
    cases.push(case(
        "RFC 7519 7.2",
        "payload string",
        signed(H, "\"alice\""),
        422,
        is("Invalid payload string: must be a json object"),
    ));
    let bad_utf8 = {
        let input = format!(
            "{}.{}",
            b64(H),
            b64([b'{', b'"', b's', b'u', b'b', b'"', b':', b'"', 0xff, 0xfe, b'"', b'}'])
        );
        format!("{input}.{}", hs256(&input, SECRET.as_bytes()))
    };
    cases.push(case("RFC 7519 7.2", "invalid UTF-8", bad_utf8, 422, |m| {
        m.starts_with("Invalid payload string")
    }));
    // The same, hidden in the name of a nested member that verification skips.
    let nested_bad_utf8 = {
        let mut payload = br#"{"sub":"alice","x":{""#.to_vec();
        payload.extend([0xff, 0xfe]);
        payload.extend(br#"":1}}"#);
        let input = format!("{}.{}", b64(H), b64(payload));
        format!("{input}.{}", hs256(&input, SECRET.as_bytes()))
    };
    cases.push(case(
        "RFC 7519 7.2",
        "invalid UTF-8 in a nested member name",
        nested_bad_utf8,
        422,
        is("Invalid payload string: invalid unicode code point at line 1 column 22"),
    ));
    let deep = format!(
        r#"{{"sub":"alice","x":{}1{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    cases.push(case(
        "RFC 8259 9",
        "deep nesting",
        signed(H, &deep),
        422,
        |m| m.starts_with("Invalid payload string"),
    ));
    // Resource exhaustion: huge and degenerate tokens.
    cases.push(case(
        "RFC 8725 3.10",
        "1 MiB token",
        "a".repeat(1 << 20),
        422,
        is("Token is too long"),
    ));
    cases.push(case(
        "RFC 8725 3.10",
        "100k dots",
        ".".repeat(100_000),
        422,
        is("Token is too long"),
    ));
    // RFC 7519 4.1: malformed registered claims (and Flask's own).
    for (claim, value, msg) in [
        (
            "exp",
            json!("tomorrow"),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "exp",
            json!(true),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "nbf",
            json!([1]),
            "Not Before claim (nbf) must be an integer.",
        ),
        (
            "iat",
            json!("1700000000"),
            "Issued At claim (iat) must be an integer.",
        ),
        (
            "iat",
            json!(4_900_000_000u64),
            "The token is not yet valid (iat)",
        ),
        (
            "nbf",
            json!(4_900_000_000u64),
            "The token is not yet valid (nbf)",
        ),
        ("sub", json!(5), "Subject must be a string"),
        ("sub", json!({"id": 1}), "Subject must be a string"),
        ("sub", Value::Null, "Missing claim: sub"),
        ("jti", json!(5), "JWT ID must be a string"),
    ] {
        cases.push(case(
            "RFC 7519 4.1",
            format!("{claim}={value}"),
            signed(H, &claims(json!({ claim: value.clone() }))),
            422,
            is(msg),
        ));
    }
    // The fresh claim on a fresh route (Flask crashes with a 500 here).
    for value in [json!("yes"), json!(null), json!({})] {
        let mut c: Value = serde_json::from_str(&claims(json!({}))).unwrap();
        c["fresh"] = value.clone();
        let mut k = case(
            "Flask-JWT-Extended #freshness",
            format!("fresh={value}"),
            signed(H, &c.to_string()),
            422,
            is("Fresh claim (fresh) must be a boolean or a number."),
        );
        k.path = "/fresh";
        cases.push(k);
    }
    // Token type confusion (RFC 8725 3.11): refresh as access and access as refresh.
    let refresh_token = jwt.create_refresh_token("alice").unwrap();
    cases.push(case(
        "RFC 8725 3.11",
        "refresh as access",
        refresh_token,
        422,
        is("Only non-refresh tokens are allowed"),
    ));
    let mut k = case(
        "RFC 8725 3.11",
        "access as refresh",
        good.clone(),
        422,
        is("Only refresh tokens are allowed"),
    );
    k.path = "/refresh";
    k.method = "POST";
    cases.push(k);
    // Precedence: nothing unauthenticated is evaluated (a bad signature on an
    // expired token, with malformed claims, is a signature error).
    let expired_forged = {
        let input = format!("{}.{}", b64(H), b64(claims(json!({"exp": 1, "sub": 5}))));
        format!("{input}.{}", hs256(&input, b"not the secret"))
    };
    cases.push(case(
        "RFC 8725 3.3",
        "expired + forged",
        expired_forged,
        422,
        is("Signature verification failed"),
    ));
    let expired = jwt
        .create_access_token_with("alice", TokenOptions::new().expires(Duration::seconds(-10)))
        .unwrap();
    cases.push(case(
        "RFC 7519 4.1.4",
        "expired",
        expired,
        401,
        is("Token has expired"),
    ));
    run(&jwt, cases).await;
}

#[tokio::test]
async fn algorithm_confusion_against_an_rs256_service() {
    // CVE-2015-9235, CVE-2016-10555: HS256 keyed with the service's RSA public key.
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("RS256")
            .private_key(RSA_PRIVATE)
            .public_key(RSA_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let p = b64(claims(json!({})));
    let der = {
        let body: String = RSA_PUBLIC
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        STANDARD.decode(body).unwrap()
    };
    let mut cases = Vec::new();
    for (name, key) in [
        ("PEM", RSA_PUBLIC.as_bytes().to_vec()),
        ("PEM trimmed", RSA_PUBLIC.trim().as_bytes().to_vec()),
        (
            "PEM with CRLF",
            RSA_PUBLIC.replace('\n', "\r\n").into_bytes(),
        ),
        ("DER", der.clone()),
        ("base64 DER", STANDARD.encode(&der).into_bytes()),
    ] {
        for alg in ["HS256", "HS384", "HS512"] {
            let input = format!("{}.{p}", b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)));
            let t = format!("{input}.{}", hs256(&input, &key));
            cases.push(case(
                "CVE-2015-9235",
                format!("{alg} keyed with the public key ({name})"),
                t,
                422,
                is("The specified alg value is not allowed"),
            ));
        }
    }
    run(&jwt, cases).await;
}

#[tokio::test]
async fn psychic_signatures_against_an_es256_service() {
    // CVE-2022-21449: r = s = 0 (and other degenerate values) never verify.
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .algorithm("ES256")
            .private_key(EC_PRIVATE)
            .public_key(EC_PUBLIC)
            .build()
            .unwrap(),
    )
    .unwrap();
    let good = jwt.create_access_token("alice").unwrap();
    let (input, _) = good.rsplit_once('.').unwrap();
    let order_n = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
    let n: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&order_n[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let mut cases = Vec::new();
    for (name, sig) in [
        ("r=s=0", vec![0u8; 64]),
        ("r=s=n", [n.clone(), n.clone()].concat()),
        (
            "r=0 s=1",
            [vec![0u8; 32], {
                let mut one = vec![0u8; 32];
                one[31] = 1;
                one
            }]
            .concat(),
        ),
        (
            "DER-encoded zeros",
            vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00],
        ),
        ("63 bytes", vec![1u8; 63]),
    ] {
        cases.push(case(
            "CVE-2022-21449",
            name,
            format!("{input}.{}", b64(sig)),
            422,
            is("Signature verification failed"),
        ));
    }
    run(&jwt, cases).await;
}

#[tokio::test]
async fn a_cookie_token_without_csrf_is_refused() {
    // RFC 6265 8.2 / OWASP CSRF: state-changing requests need the double-submit value.
    let jwt = JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .token_location([Location::Cookies])
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = jwt.create_access_token("alice").unwrap();
    let cases = vec![
        Case {
            source: "OWASP CSRF",
            name: "POST without CSRF header".into(),
            path: "/protected",
            method: "POST",
            auth: None,
            cookie: Some(format!("access_token_cookie={t}")),
            status: 401,
            msg: Box::new(is("Missing CSRF token")),
        },
        Case {
            source: "OWASP CSRF",
            name: "two access cookies".into(),
            path: "/protected",
            method: "GET",
            auth: None,
            cookie: Some(format!("access_token_cookie={t}; access_token_cookie=x")),
            status: 422,
            msg: Box::new(is("Multiple cookies named \"access_token_cookie\"")),
        },
    ];
    run(&jwt, cases).await;
}

#[test]
fn weak_secrets_are_refused_at_build() {
    // RFC 8725 3.5 / RFC 7518 3.2.
    for secret in ["", "secret", "super-secret", "x".repeat(31).as_str()] {
        assert!(
            JwtConfig::builder().secret_key(secret).build().is_err(),
            "{secret:?}"
        );
    }
    assert!(JwtConfig::builder()
        .secret_key("x".repeat(32))
        .build()
        .is_ok());
}
