use axum_jwt_extended::jwt_required;

#[jwt_required]
async fn handler() -> String {
    __jwt_guard.identity().unwrap_or_default()
}

fn main() {}
