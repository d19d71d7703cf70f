//! `#[jwt_required]` above `#[debug_handler]`: the supported order.
#![deny(warnings)]

use axum::extract::State;
use axum::routing::get;
use axum::{debug_handler, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required};

#[derive(Clone)]
struct AppState;

#[jwt_required]
#[debug_handler]
async fn handler(State(_s): State<AppState>) -> String {
    get_jwt_identity().unwrap_or_default()
}

fn main() {
    let _app: Router = Router::new().route("/", get(handler)).with_state(AppState);
}
