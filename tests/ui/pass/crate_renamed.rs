//! `crate = "..."` for a renamed dependency.
#![deny(warnings)]

use axum::routing::get;
use axum::Router;
use axum_jwt_extended as my_jwt;

#[my_jwt::jwt_required(crate = "my_jwt")]
async fn handler() -> String {
    my_jwt::get_jwt_identity().unwrap_or_default()
}

#[my_jwt::jwt_refresh_token_required(crate = "::axum_jwt_extended")]
async fn refresh() {}

fn main() {
    let _app: Router = Router::new().route("/", get(handler)).route("/r", get(refresh));
}
