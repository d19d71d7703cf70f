//! `#[utoipa::path]` above `#[jwt_required]`: the documented order. utoipa
//! reads the handler's own signature; the guard is added afterwards.
#![deny(warnings)]

use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::jwt_required;
use utoipa::OpenApi;

#[utoipa::path(get, path = "/items/{id}", params(("id" = u32, Path)), responses((status = 200)))]
#[jwt_required]
async fn get_item(Path(id): Path<u32>) -> String {
    id.to_string()
}

#[derive(OpenApi)]
#[openapi(paths(get_item))]
struct ApiDoc;

fn main() {
    let _spec = ApiDoc::openapi();
    let _app: Router = Router::new().route("/items/{id}", get(get_item));
}
