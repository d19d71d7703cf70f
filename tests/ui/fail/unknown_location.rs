use axum_jwt_extended::jwt_required;

#[jwt_required(locations(headers, header))]
async fn handler() {}

fn main() {}
