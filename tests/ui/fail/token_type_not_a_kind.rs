use axum_jwt_extended::jwt_required;

struct NotAKind;

#[jwt_required(token_type = NotAKind)]
async fn handler() {}

fn main() {}
