//! OpenAPI security schemes for utoipa (feature `utoipa`).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::Modify;

/// Registers this crate's security schemes in a utoipa OpenAPI document:
/// `bearer_jwt` (`Authorization: Bearer <JWT>`) and `cookie_jwt` (the
/// `access_token_cookie` cookie). Reference them from operations with
/// `security(("bearer_jwt" = []))`.
///
/// ```
/// use utoipa::OpenApi;
/// use axum_jwt_extended::JwtSecurityAddon;
///
/// #[derive(OpenApi)]
/// #[openapi(modifiers(&JwtSecurityAddon))]
/// struct ApiDoc;
///
/// let spec = ApiDoc::openapi();
/// let schemes = spec.components.unwrap().security_schemes;
/// assert!(schemes.contains_key("bearer_jwt") && schemes.contains_key("cookie_jwt"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct JwtSecurityAddon;

impl JwtSecurityAddon {
    /// The name of the bearer scheme.
    pub const BEARER: &'static str = "bearer_jwt";
    /// The name of the cookie scheme.
    pub const COOKIE: &'static str = "cookie_jwt";
}

impl Modify for JwtSecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".to_owned());
        components.add_security_scheme(Self::BEARER, SecurityScheme::Http(bearer));
        components.add_security_scheme(
            Self::COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("access_token_cookie"))),
        );
    }
}
