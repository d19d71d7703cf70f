//! Items named by code that `#[jwt_required]` generates. Not a public API.

pub use crate::context::JwtContext;
pub use crate::extract::{req, VerifyJwt};
pub use crate::locations::Location;
