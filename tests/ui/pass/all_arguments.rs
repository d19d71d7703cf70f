//! Every argument, as a bare flag and as `name = bool`, and the presets.
#![deny(warnings)]

use axum::routing::{get, post};
use axum::Router;
use axum_jwt_extended::{fresh_jwt_required, jwt_optional, jwt_refresh_token_required, jwt_required};

#[jwt_required(optional)]
async fn a() {}
#[jwt_required(fresh)]
async fn b() {}
#[jwt_required(refresh)]
async fn c() {}
#[jwt_required(verify_type = false)]
async fn d() {}
#[jwt_required(skip_revocation_check)]
async fn e() {}
#[jwt_required(locations(headers))]
async fn f() {}
#[jwt_required(locations(query_string, headers))]
async fn g() {}
#[jwt_required(optional = true, fresh = true, verify_type = true, skip_revocation_check = false)]
async fn h() {}
#[jwt_required(refresh = false, fresh)]
async fn i() {}
#[jwt_required()]
async fn j() {}
#[jwt_refresh_token_required]
async fn k() {}
#[jwt_refresh_token_required(locations(headers), skip_revocation_check)]
async fn l() {}
#[fresh_jwt_required]
async fn m() {}
#[fresh_jwt_required(optional)]
async fn n() {}
#[jwt_optional]
async fn o() {}
#[jwt_optional(verify_type = false)]
async fn p() {}

struct Admin;
impl axum_jwt_extended::ClaimRule for Admin {
    fn check(_: &axum_jwt_extended::DecodedToken) -> Result<(), std::borrow::Cow<'static, str>> {
        Ok(())
    }
}
#[jwt_required(rule = Admin, fresh)]
async fn q() {}

fn main() {
    let _app: Router = Router::new()
        .route("/a", get(a))
        .route("/b", get(b))
        .route("/c", post(c))
        .route("/d", get(d))
        .route("/e", get(e))
        .route("/f", get(f))
        .route("/g", get(g))
        .route("/h", get(h))
        .route("/i", get(i))
        .route("/j", get(j))
        .route("/k", post(k))
        .route("/l", post(l))
        .route("/m", get(m))
        .route("/n", get(n))
        .route("/o", get(o))
        .route("/p", get(p))
        .route("/q", get(q));
}
