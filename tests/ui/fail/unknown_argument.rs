use axum_jwt_extended::jwt_required;

#[jwt_required(frsh)]
async fn handler() {}

fn main() {}
