//! Attribute macros of [axum-jwt-extended](https://docs.rs/axum-jwt-extended):
//! `#[jwt_required]` and Flask 3's preset names. Use them through the facade
//! crate, which re-exports them; this crate holds no token logic.
//!
//! Each attribute keeps the handler's signature and inserts one hidden first
//! argument, a guard extractor that verifies the token before any other
//! extractor runs; the body then runs in the token's task-local scope, where
//! `get_jwt_identity()` and the other accessors work.

mod args;
mod expand;

use proc_macro::TokenStream;

/// Protects an axum handler with a JWT, like Flask-JWT-Extended's
/// `@jwt_required()`.
///
/// Arguments (bare flags or `name = bool`): `optional`, `fresh`, `refresh`,
/// `verify_type = false`, `skip_revocation_check`,
/// `locations(headers, cookies, query_string, json)`, `roles(...)` and
/// `scopes(...)` (`"a"`, `"a", "b"` or `all("a", "b")` for every one,
/// `any("a", "b")` for one of them: 403 `insufficient_scope` when missing),
/// `rule = Type` (a `ClaimRule` checked after verification: 403 on
/// refusal), `token_type = Type`, `from_state`, and `crate = "path"` when the
/// facade is renamed. Above `#[utoipa::path(...)]`, it writes the
/// operation's `security(...)`.
///
/// ```
/// use axum::Json;
/// use axum_jwt_extended::{get_jwt_identity, jwt_required};
/// use serde_json::{json, Value};
///
/// #[jwt_required]
/// async fn protected() -> Json<Value> {
///     Json(json!({ "logged_in_as": get_jwt_identity() }))
/// }
///
/// #[jwt_required(fresh)]
/// async fn change_password() -> &'static str {
///     "changed"
/// }
///
/// #[jwt_required(optional, locations(headers, query_string))]
/// async fn maybe() -> Json<Value> {
///     Json(json!({ "logged_in_as": get_jwt_identity() }))
/// }
///
/// #[jwt_required(roles(any("editor", "admin")), scopes("notes:write"))]
/// async fn write_note() -> &'static str {
///     "written"
/// }
/// ```
#[proc_macro_attribute]
pub fn jwt_required(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args::Kind::Required, attr.into(), item.into()).into()
}

/// `#[jwt_required(refresh)]` under Flask-JWT-Extended 3's name: only refresh
/// tokens are accepted.
///
/// ```
/// use axum::Json;
/// use axum_jwt_extended::{create_access_token, get_jwt_identity, jwt_refresh_token_required, JwtError};
/// use serde_json::{json, Value};
///
/// #[jwt_refresh_token_required]
/// async fn refresh() -> Result<Json<Value>, JwtError> {
///     let access_token = create_access_token(get_jwt_identity())?;
///     Ok(Json(json!({ "access_token": access_token })))
/// }
/// ```
#[proc_macro_attribute]
pub fn jwt_refresh_token_required(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args::Kind::Refresh, attr.into(), item.into()).into()
}

/// `#[jwt_required(fresh)]` under Flask-JWT-Extended 3's name.
///
/// ```
/// use axum_jwt_extended::fresh_jwt_required;
///
/// #[fresh_jwt_required]
/// async fn delete_account() -> &'static str {
///     "deleted"
/// }
/// ```
#[proc_macro_attribute]
pub fn fresh_jwt_required(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args::Kind::Fresh, attr.into(), item.into()).into()
}

/// `#[jwt_required(optional)]` under Flask-JWT-Extended 3's name.
///
/// ```
/// use axum_jwt_extended::{get_jwt_identity, jwt_optional};
///
/// #[jwt_optional]
/// async fn greet() -> String {
///     format!("hello {}", get_jwt_identity().unwrap_or_else(|| "anonymous".into()))
/// }
/// ```
#[proc_macro_attribute]
pub fn jwt_optional(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args::Kind::Optional, attr.into(), item.into()).into()
}
