//! User bindings named like the generated ones do not clash (hygiene).
#![deny(warnings)]

use axum::routing::get;
use axum::Router;
use axum_jwt_extended::jwt_required;

#[jwt_required]
async fn handler(__jwt_guard: String) -> String {
    let __jwt_body = 1;
    let __jwt_result = 2;
    format!("{__jwt_guard}{__jwt_body}{__jwt_result}")
}

fn main() {
    let _app: Router = Router::new().route("/", get(handler));
}
