//! Items named by code that `#[jwt_required]` generates. Not a public API.

pub use crate::authz::{Authorization, Authorize, Need};
pub use crate::extract::{AnyClaims, FromState, OfType, VerifyJwt};
pub use crate::guard::context::JwtContext;
pub use crate::location::Location;
pub use crate::requirements::req;
