use axum_jwt_extended::jwt_required;

#[jwt_required(frsh, optional, optional, locations(nowhere))]
fn handler() {}

fn main() {}
