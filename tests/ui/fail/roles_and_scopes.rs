use axum_jwt_extended::{jwt_optional, jwt_required};

#[jwt_required(roles())]
async fn empty() {}

#[jwt_required(roles(any()))]
async fn empty_any() {}

#[jwt_required(roles("admin", "admin"))]
async fn duplicate_role() {}

#[jwt_required(scopes(all("notes:read", "notes:read")))]
async fn duplicate_scope() {}

#[jwt_required(roles(some("admin")))]
async fn unknown_word() {}

#[jwt_required(roles("admin", any("editor")))]
async fn names_and_any() {}

#[jwt_required(roles(""))]
async fn empty_name() {}

#[jwt_required(scopes("notes read"))]
async fn scope_with_a_space() {}

#[jwt_required(roles(admin))]
async fn not_a_string() {}

#[jwt_required(roles = "admin")]
async fn not_a_list() {}

#[jwt_required(roles("a"), roles("b"))]
async fn twice() {}

#[jwt_required(optional, roles("admin"))]
async fn optional_route() {}

#[jwt_optional(scopes("notes:read"))]
async fn optional_preset() {}

fn main() {}
