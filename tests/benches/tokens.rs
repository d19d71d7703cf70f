//! Token creation and full verification, against raw `jsonwebtoken` (the peer
//! every Rust user has) and, for HS256, the floor: base64url of the segments,
//! one prekeyed HMAC-SHA256 and parsing the claims.
//!
//! ```text
//! cargo bench -p axum-jwt-extended-tests --bench tokens
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::http::{header, Request};
use axum_jwt_extended::{req, JwtConfig, JwtManager, Requirements};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const SECRET: &str = "bench-secret-that-is-long-enough-for-hs256";

struct Setup {
    name: &'static str,
    jwt: JwtManager,
    /// The same configuration with the verified-token cache on.
    cached: JwtManager,
    enc: EncodingKey,
    dec: DecodingKey,
    alg: Algorithm,
}

fn setups() -> Vec<Setup> {
    let pem = |f: &str| {
        std::fs::read(format!("{}/fixtures/keys/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let asym =
        |name, alg: &str, a, private: &str, public: &str, enc: EncodingKey, dec: DecodingKey| {
            let config = |cache| {
                JwtConfig::builder()
                    .algorithm(alg)
                    .private_key(pem(private))
                    .public_key(pem(public))
                    .verified_token_cache(cache)
                    .build()
                    .unwrap()
            };
            Setup {
                name,
                jwt: JwtManager::new(config(0)).unwrap(),
                cached: JwtManager::new(config(1024)).unwrap(),
                enc,
                dec,
                alg: a,
            }
        };
    vec![
        Setup {
            name: "HS256",
            jwt: JwtManager::new(
                JwtConfig::builder()
                    .secret_key(SECRET)
                    .verified_token_cache(0)
                    .build()
                    .unwrap(),
            )
            .unwrap(),
            cached: JwtManager::new(
                JwtConfig::builder()
                    .secret_key(SECRET)
                    .verified_token_cache(1024)
                    .build()
                    .unwrap(),
            )
            .unwrap(),
            enc: EncodingKey::from_secret(SECRET.as_bytes()),
            dec: DecodingKey::from_secret(SECRET.as_bytes()),
            alg: Algorithm::HS256,
        },
        asym(
            "RS256",
            "RS256",
            Algorithm::RS256,
            "rsa2048-private.pem",
            "rsa2048-public.pem",
            EncodingKey::from_rsa_pem(&pem("rsa2048-private.pem")).unwrap(),
            DecodingKey::from_rsa_pem(&pem("rsa2048-public.pem")).unwrap(),
        ),
        asym(
            "ES256",
            "ES256",
            Algorithm::ES256,
            "ec256-private.pem",
            "ec256-public.pem",
            EncodingKey::from_ec_pem(&pem("ec256-private.pem")).unwrap(),
            DecodingKey::from_ec_pem(&pem("ec256-public.pem")).unwrap(),
        ),
        asym(
            "EdDSA",
            "EdDSA",
            Algorithm::EdDSA,
            "ed25519-private.pem",
            "ed25519-public.pem",
            EncodingKey::from_ed_pem(&pem("ed25519-private.pem")).unwrap(),
            DecodingKey::from_ed_pem(&pem("ed25519-public.pem")).unwrap(),
        ),
    ]
}

/// The claims Flask writes, for the peer's encode and decode.
#[derive(Serialize, Deserialize)]
struct Claims {
    fresh: bool,
    iat: u64,
    jti: String,
    #[serde(rename = "type")]
    kind: String,
    sub: String,
    nbf: u64,
    csrf: String,
    exp: u64,
}

/// Borrowed claims, for the floor.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorClaims<'a> {
    sub: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    jti: &'a str,
    exp: u64,
    iat: u64,
    nbf: u64,
    fresh: bool,
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for s in setups() {
        let token = s.jwt.create_access_token("alice").unwrap();
        let claims: Claims = serde_json::from_value(Value::Object(
            s.jwt.decode_token(&token, false).unwrap().claims().clone(),
        ))
        .unwrap();
        let parts = {
            let (parts, _) = Request::builder()
                .uri("/protected")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(())
                .unwrap()
                .into_parts();
            parts
        };
        let requirements = Requirements::from_bits(0);
        let mut validation = Validation::new(s.alg);
        validation.leeway = 0;
        validation.validate_nbf = true;
        let header = Header::new(s.alg);

        c.bench_function(&format!("{}/ours/create_access_token", s.name), |b| {
            b.iter(|| s.jwt.create_access_token(black_box("alice")).unwrap())
        });
        c.bench_function(&format!("{}/jsonwebtoken/encode", s.name), |b| {
            b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &s.enc).unwrap())
        });
        c.bench_function(&format!("{}/ours/verify_request", s.name), |b| {
            b.to_async(&rt).iter(|| async {
                s.jwt
                    .verify_request(black_box(&parts), requirements)
                    .await
                    .unwrap()
            })
        });
        c.bench_function(&format!("{}/ours/verify_request_cached", s.name), |b| {
            b.to_async(&rt).iter(|| async {
                s.cached
                    .verify_request(black_box(&parts), requirements)
                    .await
                    .unwrap()
            })
        });
        c.bench_function(&format!("{}/ours/decode_token", s.name), |b| {
            b.iter(|| s.jwt.decode_token(black_box(&token), false).unwrap())
        });
        c.bench_function(&format!("{}/jsonwebtoken/decode", s.name), |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Claims>(black_box(&token), &s.dec, &validation).unwrap()
            })
        });
        let forged = format!("{}x", &token[..token.len() - 1]);
        let forged_parts = {
            let (parts, _) = Request::builder()
                .uri("/protected")
                .header(header::AUTHORIZATION, format!("Bearer {forged}"))
                .body(())
                .unwrap()
                .into_parts();
            parts
        };
        c.bench_function(&format!("{}/ours/verify_request_forged", s.name), |b| {
            b.to_async(&rt).iter(|| async {
                s.jwt
                    .verify_request(black_box(&forged_parts), requirements)
                    .await
                    .unwrap_err()
            })
        });

        if s.name == "HS256" {
            // A forged ~16 KiB token with 1,700 short member names (a
            // duplicate among them): refused by its signature, the payload
            // never parsed. Its cost should stay near a plain forged token's.
            let mut payload = String::from(r#"{"sub":"alice""#);
            let chars = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            for i in 0..1_700 {
                let (a, b) = (chars[i / chars.len()], chars[i % chars.len()]);
                payload.push_str(&format!(r#","{}{}":0"#, a as char, b as char));
            }
            payload.push_str(r#","ad":1}"#);
            let many = format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(payload.as_bytes()),
                URL_SAFE_NO_PAD.encode([7u8; 32])
            );
            let many_parts = {
                let (parts, _) = Request::builder()
                    .uri("/protected")
                    .header(header::AUTHORIZATION, format!("Bearer {many}"))
                    .body(())
                    .unwrap()
                    .into_parts();
                parts
            };
            c.bench_function("HS256/ours/verify_request_forged_16KiB_1700_names", |b| {
                b.to_async(&rt).iter(|| async {
                    s.jwt
                        .verify_request(black_box(&many_parts), requirements)
                        .await
                        .unwrap_err()
                })
            });
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
            c.bench_function("HS256/floor/b64+hmac+claims", |b| {
                b.iter(|| {
                    let t = black_box(&token);
                    let (input, sig) = t.rsplit_once('.').unwrap();
                    let (h, p) = input.split_once('.').unwrap();
                    let header = URL_SAFE_NO_PAD.decode(h).unwrap();
                    let payload = URL_SAFE_NO_PAD.decode(p).unwrap();
                    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
                    aws_lc_rs::hmac::verify(&key, input.as_bytes(), &sig).unwrap();
                    let claims: FloorClaims<'_> = serde_json::from_slice(&payload).unwrap();
                    black_box((header.len(), claims.exp));
                })
            });
        }
    }
    let _ = req::FRESH;
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
