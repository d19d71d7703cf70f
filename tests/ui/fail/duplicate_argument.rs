use axum_jwt_extended::jwt_required;

#[jwt_required(optional, fresh, optional = false)]
async fn handler() {}

fn main() {}
