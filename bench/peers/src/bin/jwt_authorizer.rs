//! jwt-authorizer 0.15 (on axum 0.7), set up as its README shows, with its
//! defaults: `GET /unprotected` and `GET /protected` (HS256 with
//! `JWT_SECRET_KEY`, answering `{"logged_in_as": <sub>}`) on `ADDR`, on
//! tokio's current-thread scheduler like the bench server.

use axum07::{routing::get, Json, Router};
use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims, RegisteredClaims};
use serde_json::{json, Value};

async fn protected(JwtClaims(user): JwtClaims<RegisteredClaims>) -> Json<Value> {
    Json(json!({ "logged_in_as": user.sub }))
}

async fn unprotected() -> Json<Value> {
    Json(json!({ "logged_in_as": "anonymous" }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET_KEY")?;
    let addr = std::env::var("ADDR")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let auth: Authorizer = JwtAuthorizer::from_secret(&secret).build().await?;
        let app = Router::new()
            .route("/protected", get(protected))
            .layer(auth.into_layer())
            .route("/unprotected", get(unprotected));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum07::serve(listener, app.into_make_service()).await?;
        Ok(())
    })
}
