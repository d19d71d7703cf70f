use axum_jwt_extended::jwt_required;

#[jwt_required(fresh, refresh)]
async fn handler() {}

fn main() {}
