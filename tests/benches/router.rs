//! The whole app in process, without sockets or HTTP parsing: the same handler
//! unprotected, behind `#[jwt_required]`, and behind a hand-written jsonwebtoken
//! extractor, all under the manager's layer, and the handler without the layer.
//! The difference between unprotected and protected is what the guard adds to a
//! request; the bare handler shows what the layer adds to every request.
//!
//! ```text
//! cargo bench -p axum-jwt-extended-tests --bench router
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../apps/bench_app/mod.rs"]
mod bench_app;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};

const SECRET: &str = "bench-secret-that-is-long-enough-for-hs256";

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut app = bench_app::app(SECRET).unwrap();
    let token = rt.block_on(async {
        let res = app
            .clone()
            .oneshot(Request::get("/token").body(Body::empty()).unwrap())
            .await
            .unwrap();
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    });
    let bearer = format!("Bearer {token}");
    let forged = format!("Bearer {}x", &token[..token.len() - 1]);
    let mut outer = bench_app::outer(SECRET).unwrap();
    for path in ["/unprotected", "/protected"] {
        c.bench_function(&format!("router/outer{}", path.replace('/', "_")), |b| {
            b.to_async(&rt).iter(|| {
                let req = Request::get(path)
                    .header(header::AUTHORIZATION, bearer.as_str())
                    .body(Body::empty())
                    .unwrap();
                let fut = tower::Service::call(&mut outer, req);
                async move {
                    let res = fut.await.unwrap();
                    assert_eq!(res.status(), StatusCode::OK);
                    res
                }
            })
        });
    }
    let mut bare = bench_app::bare();
    c.bench_function("router/bare_unprotected", |b| {
        b.to_async(&rt).iter(|| {
            let req = Request::get("/unprotected")
                .header(header::AUTHORIZATION, bearer.as_str())
                .body(Body::empty())
                .unwrap();
            let fut = bare.call(req);
            async move {
                let res = fut.await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                res
            }
        })
    });
    for (name, path, auth, status) in [
        (
            "unprotected",
            "/unprotected",
            bearer.as_str(),
            StatusCode::OK,
        ),
        ("protected", "/protected", bearer.as_str(), StatusCode::OK),
        (
            "handwritten",
            "/handwritten",
            bearer.as_str(),
            StatusCode::OK,
        ),
        ("floor", "/floor", bearer.as_str(), StatusCode::OK),
        (
            "protected_cached",
            "/protected_cached",
            bearer.as_str(),
            StatusCode::OK,
        ),
        (
            "protected_forged",
            "/protected",
            forged.as_str(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        c.bench_function(&format!("router/{name}"), |b| {
            b.to_async(&rt).iter(|| {
                let req = Request::get(path)
                    .header(header::AUTHORIZATION, auth)
                    .body(Body::empty())
                    .unwrap();
                let fut = app.call(req);
                async move {
                    let res = fut.await.unwrap();
                    assert_eq!(res.status(), status);
                    res
                }
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
