use axum_jwt_extended::jwt_required;

#[jwt_required(locations(cookies))]
async fn handler() {}

fn main() {}
