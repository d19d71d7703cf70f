use axum_jwt_extended::jwt_refresh_token_required;

#[jwt_refresh_token_required(refresh)]
async fn handler() {}

fn main() {}
