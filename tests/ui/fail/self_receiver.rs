use axum_jwt_extended::jwt_required;

struct Api;

impl Api {
    #[jwt_required]
    async fn handler(&self) -> &'static str {
        "method"
    }
}

fn main() {}
