//! The server of `scripts/bench`: one handler, unprotected, protected by
//! `#[jwt_required]`, protected by a hand-written jsonwebtoken extractor (what
//! a Rust team writes without this crate), and behind the HS256 floor, for
//! side-by-side HTTP load.
//!
//! ```text
//! JWT_SECRET_KEY=... ADDR=127.0.0.1:8000 cargo run --release -p axum-jwt-extended-tests --example bench_server
//! GET /unprotected   GET /protected   GET /handwritten   GET /floor   GET /token (mints a token)
//! GET /protected_cached (`#[jwt_required]` with a 10,000-token verified-token cache)
//! GET /protected_uncached (`#[jwt_required]` with the verified-token cache off)
//! GET /typed (the `Identity<String>` extractor alone)
//! GET /token_cookie, POST /protected_cookie (the access cookie with CSRF double submit)
//! GET /token_<alg>, /protected_<alg>, /protected_<alg>_uncached (rs256, es256, eddsa)
//! ```
//!
//! With `--features redis` and `REDIS_URL`: `GET /protected_memory` (the
//! in-memory revocation store, holding a revocation), `GET /protected_redis`
//! (`RedisBlocklist`, its local mirror on) and `GET /protected_redis_direct`
//! (the mirror off: a round trip per request).
//!
//! `RUNTIME=multi` runs tokio's multi-thread scheduler (what `#[tokio::main]`
//! gives); the default is the current-thread scheduler.

mod bench_app;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")?;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    let runtime = match std::env::var("RUNTIME").as_deref() {
        Ok("multi") => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()?;
    // Inside the runtime: the Redis stores start their connections there.
    let app = {
        let _inside = runtime.enter();
        bench_app::app(&secret)?
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
