//! Every supported handler shape, routed, under `#![deny(warnings)]`.
#![deny(warnings)]

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_jwt_extended::{get_jwt_identity, jwt_required, JwtError};
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Clone)]
struct AppState;

/// Docs are kept.
#[jwt_required]
async fn no_args() -> &'static str {
    "ok"
}

#[jwt_required]
async fn extractors(
    State(_state): State<AppState>,
    Path(id): Path<u32>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    Json(json!({ "id": id, "q": q, "body": body, "who": get_jwt_identity() }))
}

#[jwt_required]
async fn impl_trait() -> impl IntoResponse {
    (StatusCode::CREATED, "made")
}

#[jwt_required]
async fn result(Path(id): Path<u32>) -> Result<Json<Value>, JwtError> {
    if id == 0 {
        return Err(JwtError::FreshTokenRequired);
    }
    let token = axum_jwt_extended::create_access_token("x")?;
    Ok(Json(json!({ "token": token })))
}

#[jwt_required]
async fn unit() {}

#[jwt_required]
pub(crate) async fn visibility() -> String {
    String::new()
}

#[jwt_required]
#[allow(clippy::unused_async)]
async fn other_attributes_kept() -> &'static str {
    "ok"
}

#[jwt_required]
async fn mutable_binding(mut body: String) -> String {
    body.push('!');
    body
}

#[jwt_required]
async fn generic<S>(State(_state): State<S>) -> &'static str
where
    S: Clone + Send + Sync + 'static,
{
    "generic"
}

struct Api;

impl Api {
    #[jwt_required]
    async fn associated() -> &'static str {
        "ok"
    }

    #[jwt_required]
    async fn returns_self_type() -> Json<Self>
    where
        Self: serde::Serialize,
    {
        Json(Api)
    }
}

impl serde::Serialize for Api {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

fn main() {
    let _app: Router = Router::new()
        .route("/a", get(no_args))
        .route("/b/{id}", post(extractors))
        .route("/c", get(impl_trait))
        .route("/d/{id}", get(result))
        .route("/e", get(unit))
        .route("/f", get(visibility))
        .route("/g", get(other_attributes_kept))
        .route("/h", post(mutable_binding))
        .route("/i", get(Api::associated))
        .route("/j", get(Api::returns_self_type))
        .route("/k", get(generic::<AppState>))
        .with_state(AppState);
}
