use axum_jwt_extended::{jwt_refresh_token_required, jwt_required, TokenKind};

struct PasswordReset;
impl TokenKind for PasswordReset {
    const NAME: &'static str = "password_reset";
}

#[jwt_required(token_type = PasswordReset, refresh, fresh, verify_type = false)]
async fn contradictory() {}

#[jwt_refresh_token_required(token_type = PasswordReset)]
async fn on_the_refresh_preset() {}

#[jwt_required(token_type = PasswordReset, token_type = PasswordReset)]
async fn twice() {}

fn main() {}
