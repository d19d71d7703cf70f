use std::borrow::Cow;

use axum::routing::post;
use axum::Router;
use axum_jwt_extended::{jwt_required, ClaimRule, DecodedToken, TokenKind};

struct PasswordReset;
impl TokenKind for PasswordReset {
    const NAME: &'static str = "password_reset";
}

struct Anyone;
impl ClaimRule for Anyone {
    fn check(_: &DecodedToken) -> Result<(), Cow<'static, str>> {
        Ok(())
    }
}

#[jwt_required(token_type = PasswordReset)]
async fn reset() {}

#[jwt_required(token_type = PasswordReset, rule = Anyone, optional, locations(query_string))]
async fn reset_with_everything() {}

fn main() {
    let _: Router = Router::new()
        .route("/reset", post(reset))
        .route("/reset2", post(reset_with_everything));
}
