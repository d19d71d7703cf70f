//! OpenAPI with utoipa: the security schemes, and `#[utoipa::path]` together
//! with `#[jwt_required]` (utoipa's attribute on top), without the injected
//! guard appearing as a request parameter.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use axum::extract::Path;
use axum::Json;
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtSecurityAddon};
use serde_json::{json, Value};
use utoipa::OpenApi;

/// Reads an item.
#[utoipa::path(
    get,
    path = "/items/{id}",
    params(("id" = u32, Path, description = "The item")),
    responses((status = 200, description = "The item"), (status = 401, description = "No or bad token")),
    security(("bearer_jwt" = []))
)]
#[jwt_required]
async fn get_item(Path(id): Path<u32>) -> Json<Value> {
    Json(json!({ "id": id, "by": get_jwt_identity() }))
}

#[derive(OpenApi)]
#[openapi(paths(get_item), modifiers(&JwtSecurityAddon))]
struct ApiDoc;

#[test]
fn the_spec_has_the_schemes_and_no_guard_parameter() {
    let spec = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["bearer_jwt"]["type"], "http");
    assert_eq!(schemes["bearer_jwt"]["scheme"], "bearer");
    assert_eq!(schemes["bearer_jwt"]["bearerFormat"], "JWT");
    assert_eq!(schemes["cookie_jwt"]["in"], "cookie");
    assert_eq!(schemes["cookie_jwt"]["name"], "access_token_cookie");
    let op = &spec["paths"]["/items/{id}"]["get"];
    let params = op["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["id"], "only the path parameter: {params:?}");
    assert!(op.get("requestBody").is_none(), "{op}");
    assert_eq!(op["security"], json!([{"bearer_jwt": []}]));
    let text = spec.to_string();
    assert!(
        !text.contains("__jwt") && !text.contains("VerifyJwt"),
        "{text}"
    );
}

#[tokio::test]
async fn the_handler_is_still_protected() {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    let jwt = axum_jwt_extended::JwtManager::new(
        axum_jwt_extended::JwtConfig::builder()
            .secret_key("openapi-test-secret-long-enough!!")
            .build()
            .unwrap(),
    )
    .unwrap();
    let app = Router::new()
        .route("/items/{id}", get(get_item))
        .layer(jwt.layer());
    let res = app
        .clone()
        .oneshot(Request::get("/items/7").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let t = jwt.create_access_token("alice").unwrap();
    let res = app
        .oneshot(
            Request::get("/items/7")
                .header("authorization", format!("Bearer {t}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
