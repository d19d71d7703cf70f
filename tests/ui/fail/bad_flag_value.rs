use axum_jwt_extended::jwt_required;

#[jwt_required(fresh = 1)]
async fn handler() {}

fn main() {}
