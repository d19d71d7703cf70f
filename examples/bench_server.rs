//! The server of `scripts/bench`: one handler, unprotected, protected by
//! `#[jwt_required]`, and protected by a hand-written jsonwebtoken extractor
//! (what a Rust team writes without this crate), for side-by-side HTTP load.
//!
//! ```text
//! JWT_SECRET_KEY=... ADDR=127.0.0.1:8000 cargo run --release --example bench_server
//! GET /unprotected   GET /protected   GET /handwritten   GET /token (mints a token)
//! ```

mod bench_app;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")?;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    let app = bench_app::app(&secret)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
