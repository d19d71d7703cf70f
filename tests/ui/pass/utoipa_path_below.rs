//! `#[jwt_required]` above `#[utoipa::path]` also works: utoipa then sees the
//! guard argument, and must not document it (here with parameters inferred by
//! utoipa's `axum_extras`).
#![deny(warnings)]

use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::jwt_required;
use utoipa::OpenApi;

#[jwt_required]
#[utoipa::path(get, path = "/items/{id}", responses((status = 200)))]
async fn get_item(Path(id): Path<u32>) -> String {
    id.to_string()
}

#[derive(OpenApi)]
#[openapi(paths(get_item))]
struct ApiDoc;

fn main() {
    let spec = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let op = &spec["paths"]["/items/{id}"]["get"];
    let names: Vec<&str> = op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["id"], "{op}");
    assert!(op.get("requestBody").is_none(), "{op}");
    assert!(!spec.to_string().contains("__jwt"));
    let _app: Router = Router::new().route("/items/{id}", get(get_item));
}
