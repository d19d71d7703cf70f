//! Step 1: where the token is. The route's locations (or the configured
//! ones), in order; the body is read only when a location reached in order
//! needs it (see `body.rs`). Each location's reading, Flask's to the
//! byte, is in `sources`.

use http::request::Parts;

use crate::error::JwtError;
use crate::location::Location;
mod csrf;
mod sources;

use crate::manager::JwtManager;
pub(crate) use sources::body_to_read;
pub(super) use sources::Found;

#[inline]
/// The locations a route reads: its own (`own`, from
/// `Requirements::location_array`, so nothing is allocated), else the
/// configured ones.
pub(super) fn route_locations<'a>(
    manager: &'a JwtManager,
    own: &'a ([Location; crate::requirements::req::MAX_LOCATIONS], usize),
) -> &'a [Location] {
    match own.1 {
        0 => manager.config().token_location.as_slice(),
        n => &own.0[..n],
    }
}

#[inline]
/// The text of the one `Authorization: Bearer <token>` line, when the
/// route reads headers first: what the verified-token cache is asked
/// before the general reading. Such a line is read the same way by
/// [`token`] (`sources::bearer_candidate`).
pub(super) fn plain_bearer<'p>(
    manager: &JwtManager,
    parts: &'p Parts,
    locations: &[Location],
) -> Option<&'p [u8]> {
    match locations.first() {
        Some(Location::Headers) => sources::bearer_candidate(manager.config(), parts),
        _ => None,
    }
}

/// The token in `locations`, reading the body only when a location
/// reached in order needs it.
pub(super) async fn token<'p>(
    manager: &JwtManager,
    parts: &'p Parts,
    locations: &[Location],
    refresh: bool,
) -> Result<Found<'p>, JwtError> {
    let config = manager.config();
    if let Some(found) = sources::find_token(config, parts, locations, refresh)? {
        return Ok(found);
    }
    let pending = crate::guard::state::with_body(Clone::clone).ok_or(JwtError::BodyUnreadable)?;
    // Boxed: reading a body is rare (JSON locations) and its future is
    // large (about 2 KiB), which every guarded request would otherwise
    // carry and copy.
    Box::pin(pending.read(config)).await?;
    sources::find_token(config, parts, locations, refresh)?.ok_or(JwtError::BodyUnreadable)
}
