use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{jwt_required, StateJwt};

#[derive(Clone)]
struct AppState {
    name: String,
}

#[jwt_required(from_state)]
async fn with_attribute() {}

async fn with_extractor(_jwt: StateJwt) {}

fn main() {
    // The state holds no JwtManager: neither handler is a handler of this router.
    let _: Router = Router::new()
        .route("/a", get(with_attribute))
        .route("/b", get(with_extractor))
        .with_state(AppState { name: String::new() });
}
