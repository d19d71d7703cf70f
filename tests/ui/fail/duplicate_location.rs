use axum_jwt_extended::jwt_required;

#[jwt_required(locations(headers, query_string, headers))]
async fn handler() {}

fn main() {}
