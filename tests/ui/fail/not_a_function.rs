use axum_jwt_extended::jwt_required;

#[jwt_required]
struct NotAHandler;

fn main() {}
