use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{jwt_required, ClaimRule, DecodedToken, TokenKind};
use std::borrow::Cow;

struct Reset;
impl TokenKind for Reset {
    const NAME: &'static str = "reset";
}

struct Weekday;
impl ClaimRule for Weekday {
    fn check(_: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Ok(())
    }
}

#[jwt_required(roles("admin"))]
async fn admin() {}

#[jwt_required(roles(any("editor", "admin")), scopes("notes:write"))]
pub async fn editor() -> &'static str {
    "ok"
}

#[jwt_required(scopes(all("a", "b")), rule = Weekday, fresh)]
async fn both_rules() {}

#[jwt_required(token_type = Reset, roles("admin"), rule = Weekday)]
async fn every_rule() {}

#[jwt_required(refresh, roles("user"))]
async fn refresh_with_role() {}

fn main() {
    let _app: Router = Router::new()
        .route("/a", get(admin))
        .route("/e", get(editor))
        .route("/b", get(both_rules))
        .route("/r", get(every_rule))
        .route("/f", get(refresh_with_role));
}
