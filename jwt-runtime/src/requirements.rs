//! Route requirements: Flask's `verify_jwt_in_request` arguments (`optional`,
//! `fresh`, `refresh`, `verify_type`, `skip_revocation_check`, `locations`),
//! packed into a `u32` for the const generic of the guard.

use crate::location::Location;

/// Route requirements packed into the const generic of [`VerifyJwt`](crate::VerifyJwt), so that
/// nothing is looked up per request.
///
/// ```
/// use axum_jwt_extended::{req, Location, VerifyJwt};
/// // A fresh access token, looked for only in the query string.
/// type FreshFromQuery = VerifyJwt<{ req::FRESH | req::locations(&[Location::QueryString]) }>;
/// ```
pub mod req {
    use crate::location::Location;

    /// No argument: an access token from the configured locations (Flask's
    /// `@jwt_required()`).
    pub const NONE: u32 = 0;
    /// `optional=True`: no token is fine; an invalid one is still refused.
    pub const OPTIONAL: u32 = 1;
    /// `fresh=True`: the token must be fresh.
    pub const FRESH: u32 = 1 << 1;
    /// `refresh=True`: a refresh token is required.
    pub const REFRESH: u32 = 1 << 2;
    /// `verify_type=False`: access and refresh tokens are both accepted.
    pub const NO_VERIFY_TYPE: u32 = 1 << 3;
    /// `skip_revocation_check=True`: the blocklist is not consulted.
    pub const SKIP_REVOCATION_CHECK: u32 = 1 << 4;
    /// An app-defined token type is required: the route's rule
    /// ([`OfType`](crate::OfType)) checks the `type` claim instead of the
    /// access/refresh check.
    pub const CUSTOM_TYPE: u32 = 1 << 5;
    /// Set by `#[jwt_required]` (and router-wide protection): this guard
    /// runs before every argument of the handler, so the typed extractors
    /// after it take its verification and requirements as theirs. Not an
    /// option of its own.
    #[doc(hidden)]
    pub const FIRST: u32 = 1 << 6;

    pub(crate) const LOCATION_SHIFT: u32 = 8;
    pub(crate) const LOCATION_BITS: u32 = 3;
    pub(crate) const MAX_LOCATIONS: usize = 5;

    /// `locations=[...]`: the route's own lookup order, replacing
    /// `JWT_TOKEN_LOCATION`. At most the five distinct locations.
    pub const fn locations(list: &[Location]) -> u32 {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() && i < MAX_LOCATIONS {
            bits |= list[i].code() << (LOCATION_SHIFT + LOCATION_BITS * i as u32);
            i += 1;
        }
        bits
    }
}

/// Route requirements (Flask's `verify_jwt_in_request` arguments), decoded
/// from [`req`] bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirements {
    /// No token is fine.
    pub optional: bool,
    /// The token must be fresh.
    pub fresh: bool,
    /// A refresh token is required (an access token otherwise).
    pub refresh: bool,
    /// Check the token type against `refresh`.
    pub verify_type: bool,
    /// Do not consult the blocklist.
    pub skip_revocation_check: bool,
    /// An app-defined token type is required (checked by the route's rule).
    pub custom_type: bool,
    /// The guard runs before every handler argument (the attribute,
    /// router-wide protection): see [`req::FIRST`].
    pub(crate) first: bool,
    locations: [Option<Location>; req::MAX_LOCATIONS],
}

impl Default for Requirements {
    fn default() -> Self {
        Self::from_bits(0)
    }
}

impl Requirements {
    /// Decodes [`req`] bits.
    pub const fn from_bits(bits: u32) -> Self {
        let mut locations = [None; req::MAX_LOCATIONS];
        let mut i = 0;
        while i < req::MAX_LOCATIONS {
            let code = (bits >> (req::LOCATION_SHIFT + req::LOCATION_BITS * i as u32)) & 0b111;
            locations[i] = Location::from_code(code);
            i += 1;
        }
        Requirements {
            optional: bits & req::OPTIONAL != 0,
            fresh: bits & req::FRESH != 0,
            refresh: bits & req::REFRESH != 0,
            verify_type: bits & req::NO_VERIFY_TYPE == 0,
            skip_revocation_check: bits & req::SKIP_REVOCATION_CHECK != 0,
            custom_type: bits & req::CUSTOM_TYPE != 0,
            first: bits & req::FIRST != 0,
            locations,
        }
    }

    /// The route's own locations, in order; empty means `JWT_TOKEN_LOCATION`.
    pub fn locations(&self) -> Vec<Location> {
        self.location_array().0[..self.location_array().1].to_vec()
    }

    /// Whether the route looks in the configured locations (it names none
    /// of its own).
    pub(crate) fn configured_locations(&self) -> bool {
        self.locations[0].is_none()
    }

    /// The route's locations on the stack, and how many there are.
    pub(crate) fn location_array(&self) -> ([Location; req::MAX_LOCATIONS], usize) {
        let mut out = [Location::Headers; req::MAX_LOCATIONS];
        let mut n = 0;
        for l in self.locations.iter().map_while(|l| *l) {
            out[n] = l;
            n += 1;
        }
        (out, n)
    }
}

/// An app-defined token type: a password-reset or e-mail confirmation token,
/// minted with [`create_token_of`](crate::JwtManager::create_token_of) and
/// required with `#[jwt_required(token_type = K)]` or
/// [`JwtOfType<K>`](crate::JwtOfType), once registered with
/// [`JwtConfigBuilder::token_kind`](crate::JwtConfigBuilder::token_kind).
/// Such a token never passes where an access or refresh token is required,
/// nor those where it is.
///
/// ```
/// use axum_jwt_extended::TokenKind;
///
/// struct EmailConfirmation;
/// impl TokenKind for EmailConfirmation {
///     const NAME: &'static str = "email_confirmation";
/// }
/// ```
pub trait TokenKind: Send + Sync + 'static {
    /// The `type` claim of these tokens; not `access`, `refresh` or empty.
    const NAME: &'static str;
}
