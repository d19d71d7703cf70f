use axum::debug_handler;
use axum_jwt_extended::jwt_required;

#[debug_handler]
#[jwt_required]
async fn handler() -> &'static str {
    "wrong order"
}

fn main() {}
