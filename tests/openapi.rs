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

/// Writes a note: `#[jwt_required]` on top writes the operation's security.
#[jwt_required(scopes("notes:write"))]
#[utoipa::path(post, path = "/notes", responses((status = 201, description = "Written")))]
async fn write_note() -> &'static str {
    "written"
}

/// Admins or editors, from a header or a cookie.
#[jwt_required(roles(any("admin", "editor")), locations(headers, cookies))]
#[utoipa::path(delete, path = "/notes/{id}", params(("id" = u32, Path)), responses((status = 204, description = "Gone")))]
async fn delete_note(Path(_id): Path<u32>) -> axum::http::StatusCode {
    axum::http::StatusCode::NO_CONTENT
}

/// Anyone; a token only personalizes.
#[jwt_required(optional)]
#[utoipa::path(get, path = "/feed", responses((status = 200, description = "The feed")))]
async fn feed() -> &'static str {
    "feed"
}

/// A hand-written security(...) is kept as written.
#[jwt_required(scopes("a"))]
#[utoipa::path(get, path = "/custom", responses((status = 200, description = "ok")), security(("cookie_jwt" = [])))]
async fn custom() -> &'static str {
    "custom"
}

#[derive(OpenApi)]
#[openapi(
    paths(get_item, write_note, delete_note, feed, custom),
    modifiers(&JwtSecurityAddon)
)]
struct ApiDoc;

#[test]
fn guarded_operations_carry_their_security_requirement() {
    let spec = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let paths = &spec["paths"];
    assert_eq!(
        paths["/notes"]["post"]["security"],
        json!([{"bearer_jwt": ["notes:write"]}])
    );
    assert_eq!(
        paths["/notes/{id}"]["delete"]["security"],
        json!([
            {"bearer_jwt": ["admin"]}, {"bearer_jwt": ["editor"]},
            {"cookie_jwt": ["admin"]}, {"cookie_jwt": ["editor"]}
        ])
    );
    // Optional: the empty requirement first (no credentials is fine).
    assert_eq!(
        paths["/feed"]["get"]["security"],
        json!([{}, {"bearer_jwt": []}])
    );
    assert_eq!(
        paths["/custom"]["get"]["security"],
        json!([{"cookie_jwt": []}])
    );
    // The guard is no parameter of any operation.
    let params = paths["/notes/{id}"]["delete"]["parameters"]
        .as_array()
        .unwrap();
    assert_eq!(params.len(), 1, "{params:?}");
    assert!(paths["/notes"]["post"]
        .get("parameters")
        .is_none_or(|p| p.as_array().is_some_and(Vec::is_empty)));
}

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
