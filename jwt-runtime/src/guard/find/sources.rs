//! Where a request carries its token: Flask's `JWT_TOKEN_LOCATION`.
//!
//! Each location either finds a token, reports that it holds none (a
//! [`JwtError::NoAuthorization`], collected into Flask's combined message), or
//! fails outright (a malformed header): like Flask, the first location that
//! holds a token decides, and an error there does not fall through to the next.

use std::borrow::Cow;

use http::header::{CONTENT_TYPE, COOKIE};
use http::request::Parts;
use http::HeaderMap;
use serde_json::Value;

use super::csrf::{self, Submitted};
use crate::cache::plain;
use crate::config::JwtConfig;
use crate::error::{messages, JwtError};
use crate::guard::body::{BodyKind, BodyState};
use crate::location::Location;
use crate::python::{is_py_space, is_truthy, latin1_into, py_split, split_fields};

/// Reads the token from the configured header exactly as Flask-JWT-Extended's
/// `_decode_jwt_from_headers` does (same messages, same comma-separated field
/// handling; several header lines are joined with `,` as WSGI servers do).
pub(crate) fn from_headers<'p>(
    config: &JwtConfig,
    parts: &'p Parts,
) -> Result<Cow<'p, str>, JwtError> {
    let mut values = parts.headers.get_all(&config.header_name).iter();
    // One ASCII header line, the usual case, is read in place; otherwise the
    // lines are joined with "," and decoded as latin-1, as WSGI does.
    // (`to_str` accepts visible ASCII and tabs, which latin-1 leaves as is.)
    let single = match (values.next(), values.next()) {
        (None, _) => Some(""),
        (Some(one), None) => one.to_str().ok(),
        _ => None,
    };
    if let Some(token) = single.and_then(|one| plain_bearer(one, &config.header_type)) {
        return Ok(Cow::Borrowed(token));
    }
    let joined: Cow<'p, str> = match single {
        Some(one) => Cow::Borrowed(one),
        None => {
            let mut joined = String::new();
            for (i, value) in parts
                .headers
                .get_all(&config.header_name)
                .iter()
                .enumerate()
            {
                if i > 0 {
                    joined.push(',');
                }
                latin1_into(&mut joined, value.as_bytes());
            }
            Cow::Owned(joined)
        }
    };
    token_from_header_value(config, joined)
}

/// Flask's reading of the (joined) header value.
fn token_from_header_value<'p>(
    config: &JwtConfig,
    joined: Cow<'p, str>,
) -> Result<Cow<'p, str>, JwtError> {
    let name = &config.header_name_display;
    let auth_header = joined.trim_matches(is_py_space).trim_matches(',');
    if auth_header.is_empty() {
        return Err(JwtError::NoAuthorization(
            format!("Missing {name} Header").into(),
        ));
    }
    let header_type = config.header_type.as_str();
    if !header_type.is_empty() {
        let mut found: Option<&str> = None;
        let mut count = 0usize;
        for field in split_fields(auth_header) {
            let scheme = py_split(field).next();
            let matches = match scheme {
                Some(s) if config.strict.is_some() => s.eq_ignore_ascii_case(header_type),
                Some(s) => s == header_type,
                None => false,
            };
            if matches {
                count += 1;
                found = Some(field);
            }
        }
        let field = match (count, found) {
            (1, Some(field)) => field,
            _ => {
                return Err(JwtError::NoAuthorization(
                    format!(
                        "Missing '{header_type}' type in '{name}' header. Expected '{name}: {header_type} <JWT>'"
                    )
                    .into(),
                ))
            }
        };
        let mut words = py_split(field);
        match (words.next(), words.next(), words.next()) {
            (Some(_), Some(token), None) => Ok(reborrow(&joined, token)),
            _ => Err(JwtError::InvalidHeader(
                format!("Bad {name} header. Expected '{name}: {header_type} <JWT>'").into(),
            )),
        }
    } else {
        let mut words = py_split(auth_header);
        match (words.next(), words.next()) {
            (Some(token), None) => Ok(reborrow(&joined, token)),
            _ => Err(JwtError::InvalidHeader(
                format!("Bad {name} header. Expected '{name}: <JWT>'").into(),
            )),
        }
    }
}

/// The token of the usual header, `<type> <token>` with one space and
/// otherwise only visible ASCII without commas, read in one pass; `None` for anything
/// else, which the general (Flask-exact) path then reads. For such a header
/// both paths give the same token.
fn plain_bearer<'a>(value: &'a str, header_type: &str) -> Option<&'a str> {
    let token = value.strip_prefix(header_type)?.strip_prefix(' ')?;
    (plain(header_type.as_bytes()) && plain(token.as_bytes())).then_some(token)
}

/// What follows `<type> ` in the one header line of the token's header, as
/// bytes and unchecked: the guard's first look, before anything else is read.
/// When these bytes are a token the verified-token cache holds (plain ASCII,
/// see `VerifiedCache::insert`), [`plain_bearer`], and so Flask's reading,
/// gives the same token; for anything else the guard reads the request the
/// general way.
pub(crate) fn bearer_candidate<'p>(config: &JwtConfig, parts: &'p Parts) -> Option<&'p [u8]> {
    let mut values = parts.headers.get_all(&config.header_name).iter();
    let (Some(one), None) = (values.next(), values.next()) else {
        return None;
    };
    let header_type = config.header_type.as_bytes();
    if !plain(header_type) {
        return None;
    }
    one.as_bytes().strip_prefix(header_type)?.strip_prefix(b" ")
}

/// `part` (a slice of `whole`) with `whole`'s lifetime when it is borrowed.
fn reborrow<'p>(whole: &Cow<'p, str>, part: &str) -> Cow<'p, str> {
    match whole {
        Cow::Borrowed(w) => {
            let start = part.as_ptr() as usize - w.as_ptr() as usize;
            Cow::Borrowed(&w[start..start + part.len()])
        }
        Cow::Owned(_) => Cow::Owned(part.to_owned()),
    }
}

/// Reads the token from the query string as Flask's `_decode_jwt_from_query_string`.
pub(crate) fn from_query_string(config: &JwtConfig, parts: &Parts) -> Result<String, JwtError> {
    let param = config.query_string_name.as_str();
    let value = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == param)
            .map(|(_, v)| v.into_owned())
    });
    let value = match value {
        Some(v) if !v.is_empty() => v,
        // "paramater" is Flask's spelling, kept for wire compatibility.
        _ => {
            return Err(JwtError::NoAuthorization(
                format!("Missing '{param}' query paramater").into(),
            ))
        }
    };
    let prefix = config.query_string_value_prefix.as_str();
    match value.strip_prefix(prefix) {
        Some(token) => Ok(token.to_owned()),
        None => Err(JwtError::InvalidToken(
            format!(
                "Invalid value for query parameter '{param}'. Expected the value to start with '{prefix}'"
            )
            .into(),
        )),
    }
}

fn mime_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim();
    Some(essence.to_ascii_lowercase())
}

/// Werkzeug's `request.is_json`: `application/json` or `application/*+json`.
fn is_json(headers: &HeaderMap) -> bool {
    mime_of(headers).is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    })
}

/// Which body, if any, the layer must read before the handler runs.
pub(crate) fn body_to_read(
    config: &JwtConfig,
    method: &http::Method,
    headers: &HeaderMap,
) -> Option<BodyKind> {
    if config.read_json_body && is_json(headers) {
        return Some(BodyKind::Json);
    }
    let c = &config.cookies;
    if !c.csrf_check_form {
        return None;
    }
    let mime = mime_of(headers)?;
    if mime == "application/x-www-form-urlencoded" {
        return Some(BodyKind::Form);
    }
    // Uploads can be large: a multipart body is read only when a token cookie
    // is sent, on a CSRF method, without the CSRF header (and only with the
    // `multipart` feature).
    if cfg!(feature = "multipart")
        && mime == "multipart/form-data"
        && config.csrf_protect
        && csrf::is_csrf_method(c, method)
        && !headers.contains_key(&c.access_csrf_header_name)
        && !headers.contains_key(&c.refresh_csrf_header_name)
        && [&c.access_cookie_name, &c.refresh_cookie_name]
            .iter()
            .any(|name| request_cookie(headers, name).is_ok_and(|v| v.is_some()))
    {
        return Some(BodyKind::Multipart);
    }
    None
}

/// What a location holds.
enum Got<'p> {
    /// A token (and the CSRF value sent with a cookie token).
    Token(Cow<'p, str>, Option<String>),
    /// The answer depends on a body nobody has read yet.
    NeedBody,
}

/// Reads the token from the cookies as Flask's `_decode_jwt_from_cookies`,
/// with the CSRF double-submit value for the configured methods.
fn from_cookies<'p>(
    config: &JwtConfig,
    parts: &'p Parts,
    refresh: bool,
    body: &BodyState,
) -> Result<Got<'p>, JwtError> {
    let c = &config.cookies;
    let name = if refresh {
        &c.refresh_cookie_name
    } else {
        &c.access_cookie_name
    };
    let token = match request_cookie(&parts.headers, name)? {
        Some(v) if !v.is_empty() => v.into_owned(),
        _ => {
            return Err(JwtError::NoAuthorization(
                format!("Missing cookie \"{name}\"").into(),
            ))
        }
    };
    if is_websocket_upgrade(&parts.headers) {
        check_websocket_origin(config, parts)?;
    }
    match csrf::submitted(config, parts, refresh, body)? {
        Submitted::NotNeeded => Ok(Got::Token(Cow::Owned(token), None)),
        Submitted::Value(value) => Ok(Got::Token(Cow::Owned(token), Some(value))),
        Submitted::NeedBody => Ok(Got::NeedBody),
    }
}

/// Reads the token from a JSON body as Flask's `_decode_jwt_from_json`. A body
/// that is not an object counts as one without the key (Flask answers 500).
fn from_json<'p>(
    config: &JwtConfig,
    parts: &Parts,
    refresh: bool,
    body: &BodyState,
) -> Result<Got<'p>, JwtError> {
    if !is_json(&parts.headers) {
        return Err(JwtError::NoAuthorization(
            messages::JSON_CONTENT_TYPE.into(),
        ));
    }
    let key = if refresh {
        &config.refresh_json_key
    } else {
        &config.json_key
    };
    let body = match body {
        BodyState::Read(body) => body,
        BodyState::Unread(_) => return Ok(Got::NeedBody),
        BodyState::Absent => {
            return Err(JwtError::Config(
                "a route looks for the token in the JSON body, but the layer does not read JSON bodies: \
                 add `json` to JWT_TOKEN_LOCATION or call `JwtConfigBuilder::read_json_body(true)`"
                    .into(),
            ))
        }
    };
    let missing =
        || JwtError::NoAuthorization(format!("Missing \"{key}\" key in json data.").into());
    let value: Value = serde_json::from_slice(&body.bytes).map_err(|_| missing())?;
    match value.get(key.as_str()) {
        Some(Value::String(token)) if !token.is_empty() => {
            Ok(Got::Token(Cow::Owned(token.clone()), None))
        }
        Some(other) if is_truthy(other) && value.is_object() => Err(JwtError::InvalidToken(
            messages::JSON_TOKEN_NOT_STRING.into(),
        )),
        _ => Err(missing()),
    }
}

/// Whether the request asks to become a WebSocket (`Upgrade: websocket`).
pub(crate) fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get_all(http::header::UPGRADE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("websocket"))
        })
}

/// A cookie token on a WebSocket upgrade comes from an allowed origin: the
/// configured ones, or by default the request's own host. Browsers always
/// send `Origin` on an upgrade; a request without one is refused too.
fn check_websocket_origin(config: &JwtConfig, parts: &Parts) -> Result<(), JwtError> {
    let refused = || JwtError::Csrf(messages::WEBSOCKET_ORIGIN.into());
    let origin = parts
        .headers
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let allowed = match &config.websocket_origins {
        Some(list) => list.iter().any(|o| {
            o.trim_end_matches('/')
                .eq_ignore_ascii_case(origin.trim_end_matches('/'))
        }),
        None => {
            let host = parts
                .headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok());
            let origin_host = origin
                .split_once("://")
                .map(|(_, rest)| rest.trim_end_matches('/'));
            matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(refused())
    }
}

/// The token among the subprotocols a WebSocket client offers
/// (`Sec-WebSocket-Protocol: chat, bearer.<JWT>`): exactly one entry with
/// the configured prefix.
fn from_websocket_protocol(config: &JwtConfig, parts: &Parts) -> Result<String, JwtError> {
    let prefix = config.websocket_protocol_prefix.as_str();
    let mut found: Option<&str> = None;
    for value in parts.headers.get_all(http::header::SEC_WEBSOCKET_PROTOCOL) {
        let Ok(text) = value.to_str() else { continue };
        for protocol in text.split(',').map(str::trim) {
            if let Some(token) = protocol.strip_prefix(prefix) {
                if found.is_some() {
                    return Err(JwtError::InvalidHeader(
                        messages::WEBSOCKET_PROTOCOL_TWICE.into(),
                    ));
                }
                found = Some(token);
            }
        }
    }
    match found {
        Some(token) if !token.is_empty() => Ok(token.to_owned()),
        _ => Err(JwtError::NoAuthorization(
            format!("Missing \"{prefix}<JWT>\" in the Sec-WebSocket-Protocol header").into(),
        )),
    }
}

/// A token found in a request.
pub(crate) struct Found<'p> {
    pub(crate) token: Cow<'p, str>,
    pub(crate) location: Location,
    /// The CSRF double-submit value sent with a cookie token.
    pub(crate) csrf: Option<String>,
}

/// Looks through `locations` in order, as Flask's `_decode_jwt_from_request`:
/// the first location holding a token decides; when none holds one, the
/// missing-token messages are combined. `Ok(None)`: the answer depends on a
/// body not read yet (the JSON location, or a CSRF form field).
pub(crate) fn find_token<'p>(
    config: &JwtConfig,
    parts: &'p Parts,
    locations: &[Location],
    refresh: bool,
) -> Result<Option<Found<'p>>, JwtError> {
    let body = BodyState::current();
    let mut missing: Vec<Cow<'static, str>> = Vec::new();
    for &location in locations {
        let got = match location {
            Location::Headers => from_headers(config, parts).map(|t| Got::Token(t, None)),
            Location::QueryString => {
                from_query_string(config, parts).map(|t| Got::Token(Cow::Owned(t), None))
            }
            Location::Cookies => from_cookies(config, parts, refresh, &body),
            Location::Json => from_json(config, parts, refresh, &body),
            Location::WebsocketProtocol => {
                from_websocket_protocol(config, parts).map(|t| Got::Token(Cow::Owned(t), None))
            }
        };
        match got {
            Ok(Got::Token(token, csrf)) => {
                return Ok(Some(Found {
                    token,
                    location,
                    csrf,
                }))
            }
            // Read the body, then look again (see `JwtManager::find_token`).
            Ok(Got::NeedBody) => return Ok(None),
            Err(JwtError::NoAuthorization(msg)) => missing.push(msg),
            Err(other) => return Err(other),
        }
    }
    if locations.len() > 1 {
        let names: Vec<&str> = locations.iter().map(|l| l.as_str()).collect();
        let (last, start) = names.split_last().unwrap_or((&"", &[]));
        Err(JwtError::NoAuthorization(
            format!(
                "Missing JWT in {} or {} ({})",
                start.join(", "),
                last,
                missing.join("; ")
            )
            .into(),
        ))
    } else {
        Err(JwtError::NoAuthorization(
            missing.into_iter().next().unwrap_or_default(),
        ))
    }
}

/// The value of the cookie `name`, found as browsers and Werkzeug find it:
/// the header is split on `;` as bytes, so another cookie with non-ASCII
/// bytes (set by a sibling domain, say) never hides ours. A value that is
/// not ASCII is decoded as latin-1, as WSGI decodes headers.
pub(crate) fn request_cookie<'a>(
    headers: &'a HeaderMap,
    name: &str,
) -> Result<Option<std::borrow::Cow<'a, str>>, JwtError> {
    let mut found = None;
    for header in headers.get_all(COOKIE) {
        for pair in header.as_bytes().split(|&b| b == b';') {
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            if pair[..eq].trim_ascii() != name.as_bytes() {
                continue;
            }
            if found.is_some() {
                return Err(JwtError::InvalidToken(
                    format!("Multiple cookies named \"{name}\"").into(),
                ));
            }
            let v = pair[eq + 1..].trim_ascii();
            let v = v
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(v);
            found = Some(match std::str::from_utf8(v) {
                Ok(text) if text.is_ascii() => std::borrow::Cow::Borrowed(text),
                _ => {
                    let mut text = String::with_capacity(v.len());
                    latin1_into(&mut text, v);
                    std::borrow::Cow::Owned(text)
                }
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bearer_fast_path_only_takes_what_the_general_path_would() {
        assert_eq!(plain_bearer("Bearer a.b.c", "Bearer"), Some("a.b.c"));
        for (value, header_type) in [
            ("Bearer  a.b.c", "Bearer"),
            ("Bearer a.b.c ", "Bearer"),
            ("Bearer a.b,c", "Bearer"),
            ("Bearer a\tb", "Bearer"),
            ("Bearer ", "Bearer"),
            ("bearer a.b.c", "Bearer"),
            ("Bearer a.b.c", ""),
            ("JWT Bearer a.b.c", "JWT Bearer"),
        ] {
            assert_eq!(plain_bearer(value, header_type), None, "{value:?}");
        }
    }

    #[test]
    fn plain_bearer_agrees_with_flasks_reading() {
        let config = crate::JwtConfig::builder()
            .secret_key("a long, random secret of 32+ bytes")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let pieces = [
            "Bearer", "bearer", " ", "  ", "\t", ",", "a.b", "x", "\u{a0}",
        ];
        let mut checked = 0;
        let mut values = vec![String::new()];
        for _ in 0..4 {
            let mut longer = Vec::new();
            for v in &values {
                for p in pieces {
                    longer.push(format!("{v}{p}"));
                }
            }
            for v in &longer {
                if let Some(fast) = plain_bearer(v, "Bearer") {
                    let general = token_from_header_value(&config, Cow::Borrowed(v.as_str()));
                    assert_eq!(general.ok().as_deref(), Some(fast), "{v:?}");
                    checked += 1;
                }
            }
            values = longer;
        }
        assert!(checked > 10, "{checked}");
    }
}
