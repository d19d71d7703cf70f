//! The cost of one revocation check per request: the in-memory store and a
//! real Redis on loopback (started here unless `REDIS_URL` is set).
//!
//! ```text
//! cargo bench -p axum-jwt-extended-tests --features redis --bench blocklist
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum_jwt_extended::{
    Blocklist, JwtConfig, JwtManager, MemoryBlocklist, RedisBlocklist, Revocation,
};
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../support/mod.rs"]
mod support;

/// `REDIS_URL`, or a throwaway `redis-server` (killed when dropped).
fn redis_url() -> (String, Option<support::Killed>) {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return (url, None);
    }
    let port = support::free_port();
    let server = support::start_redis(port);
    (format!("redis://127.0.0.1:{port}/"), Some(server))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = || {
        JwtConfig::builder()
            .secret_key("bench-secret-long-enough-for-hs256!!")
            .build()
            .unwrap()
    };

    let memory = JwtManager::new(config())
        .unwrap()
        .with_blocklist(MemoryBlocklist::new());
    let (url, _redis) = redis_url();
    let redis = rt.block_on(async {
        let store = RedisBlocklist::new(&url).unwrap();
        // Some revocations so the lookups are not on an empty store.
        for i in 0..1000 {
            store
                .revoke(Revocation::Token(&format!("other-{i}")), None)
                .await
                .unwrap();
        }
        JwtManager::new(config()).unwrap().with_blocklist(store)
    });

    for (name, jwt) in [("memory", &memory), ("redis", &redis)] {
        let live = jwt
            .decode_token(&jwt.create_access_token("alice").unwrap(), false)
            .unwrap();
        let gone = jwt
            .decode_token(&jwt.create_access_token("bob").unwrap(), false)
            .unwrap();
        rt.block_on(jwt.revoke_token(&gone)).unwrap();
        assert!(!rt.block_on(jwt.is_token_revoked(&live)).unwrap());
        assert!(rt.block_on(jwt.is_token_revoked(&gone)).unwrap());
        c.bench_function(&format!("blocklist/{name}/check_not_revoked"), |b| {
            b.to_async(&rt)
                .iter(|| async { jwt.is_token_revoked(&live).await.unwrap() })
        });
        c.bench_function(&format!("blocklist/{name}/check_revoked"), |b| {
            b.to_async(&rt)
                .iter(|| async { jwt.is_token_revoked(&gone).await.unwrap() })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
