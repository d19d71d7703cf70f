//! The places a token can be carried in: Flask's `JWT_TOKEN_LOCATION`
//! vocabulary (finding the token is `locations`).

use std::fmt;
use std::str::FromStr;

/// One place a token can be carried in (`JWT_TOKEN_LOCATION` entries).
///
/// ```
/// use axum_jwt_extended::Location;
/// assert_eq!("query_string".parse::<Location>(), Ok(Location::QueryString));
/// assert_eq!(Location::Headers.as_str(), "headers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// `headers`: `Authorization: Bearer <JWT>` (header name and type configurable).
    Headers,
    /// `cookies`: the access or refresh cookie, with CSRF double submit.
    Cookies,
    /// `query_string`: `?jwt=<JWT>`.
    QueryString,
    /// `json`: `{"access_token": "<JWT>"}` in a JSON body.
    Json,
    /// `websocket_protocol`: one of the subprotocols a WebSocket client
    /// offers, `bearer.<JWT>` (prefix configurable), for browsers, which
    /// cannot set a header on a WebSocket (ours).
    WebsocketProtocol,
}

impl Location {
    /// Flask's spelling: `headers`, `cookies`, `query_string` or `json`, and
    /// our `websocket_protocol`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Headers => "headers",
            Location::Cookies => "cookies",
            Location::QueryString => "query_string",
            Location::Json => "json",
            Location::WebsocketProtocol => "websocket_protocol",
        }
    }

    /// A stable small number for the location (1 to 5), used to pack route
    /// requirements into a const generic.
    pub const fn code(self) -> u32 {
        match self {
            Location::Headers => 1,
            Location::Cookies => 2,
            Location::QueryString => 3,
            Location::Json => 4,
            Location::WebsocketProtocol => 5,
        }
    }

    /// The inverse of [`code`](Self::code).
    pub const fn from_code(code: u32) -> Option<Location> {
        match code {
            1 => Some(Location::Headers),
            2 => Some(Location::Cookies),
            3 => Some(Location::QueryString),
            4 => Some(Location::Json),
            5 => Some(Location::WebsocketProtocol),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown location name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown token location {0:?}; expected one of \"headers\", \"cookies\", \"query_string\", \"json\", \"websocket_protocol\"")]
pub struct UnknownLocation(pub String);

impl FromStr for Location {
    type Err = UnknownLocation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "headers" => Ok(Location::Headers),
            "cookies" => Ok(Location::Cookies),
            "query_string" => Ok(Location::QueryString),
            "json" => Ok(Location::Json),
            "websocket_protocol" => Ok(Location::WebsocketProtocol),
            other => Err(UnknownLocation(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_codes_round_trip() {
        for l in [
            Location::Headers,
            Location::Cookies,
            Location::QueryString,
            Location::Json,
        ] {
            assert_eq!(Location::from_code(l.code()), Some(l));
            assert_eq!(l.as_str().parse::<Location>(), Ok(l));
        }
        assert_eq!(Location::from_code(0), None);
        assert!("header".parse::<Location>().is_err());
    }
}
