use axum_jwt_extended::jwt_required;

#[jwt_required]
async fn handler() -> String {
    42
}

fn main() {}
