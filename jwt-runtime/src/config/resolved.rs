//! The validated configuration.

use std::fmt;
use std::sync::Arc;

use http::HeaderName;
use jsonwebtoken::Algorithm;

use super::{Audience, Expires, JwtConfigBuilder, SameSite};
use crate::clock::Clock;
use crate::keys::KeySet;
use crate::location::Location;

/// Validated configuration of a [`JwtManager`](crate::JwtManager).
///
/// Built with [`JwtConfig::builder`]; every option is named after its Flask
/// counterpart and has Flask's default:
///
/// | builder method | Flask option | default |
/// |---|---|---|
/// | `secret_key` | `JWT_SECRET_KEY` | none: required |
/// | `algorithm` | `JWT_ALGORITHM` | `HS256` |
/// | `decode_algorithms` | `JWT_DECODE_ALGORITHMS` | `[algorithm]` |
/// | `access_token_expires` | `JWT_ACCESS_TOKEN_EXPIRES` | 15 minutes |
/// | `refresh_token_expires` | `JWT_REFRESH_TOKEN_EXPIRES` | 30 days |
/// | `identity_claim` | `JWT_IDENTITY_CLAIM` | `sub` |
/// | `header_name` | `JWT_HEADER_NAME` | `Authorization` |
/// | `header_type` | `JWT_HEADER_TYPE` | `Bearer` (`""`: a bare token) |
/// | `error_msg_key` | `JWT_ERROR_MESSAGE_KEY` | `msg` |
/// | `decode_leeway` | `JWT_DECODE_LEEWAY` | 0 |
/// | `encode_nbf` | `JWT_ENCODE_NBF` | on |
/// | `encode_audience` | `JWT_ENCODE_AUDIENCE` | none |
/// | `decode_audience` | `JWT_DECODE_AUDIENCE` | none (any `aud` accepted) |
/// | `encode_issuer` | `JWT_ENCODE_ISSUER` | none |
/// | `decode_issuer` | `JWT_DECODE_ISSUER` | none |
/// | `verify_sub` | `JWT_VERIFY_SUB` | on |
/// | `csrf_protect` | `JWT_COOKIE_CSRF_PROTECT` | on (writes a `csrf` claim) |
/// | `token_location` | `JWT_TOKEN_LOCATION` | `[headers]` |
/// | `query_string_name` | `JWT_QUERY_STRING_NAME` | `jwt` |
/// | `query_string_value_prefix` | `JWT_QUERY_STRING_VALUE_PREFIX` | `""` |
/// | `max_token_length` | (ours) | 16 KiB |
///
/// ```
/// use axum_jwt_extended::JwtConfig;
/// let config = JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?;
/// assert_eq!(config.header_name(), "authorization");
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct JwtConfig {
    pub(crate) keys: Arc<KeySet>,
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: Vec<Algorithm>,
    pub(crate) access_token_expires: Expires,
    pub(crate) refresh_token_expires: Expires,
    pub(crate) identity_claim: String,
    pub(crate) header_name: HeaderName,
    pub(crate) header_name_display: String,
    pub(crate) header_type: String,
    pub(crate) error_msg_key: String,
    pub(crate) decode_leeway: f64,
    pub(crate) encode_nbf: bool,
    pub(crate) encode_audience: Option<Audience>,
    pub(crate) decode_audience: Option<Vec<String>>,
    pub(crate) encode_issuer: Option<String>,
    pub(crate) decode_issuer: Option<Vec<String>>,
    pub(crate) verify_sub: bool,
    pub(crate) csrf_protect: bool,
    pub(crate) token_location: Vec<Location>,
    pub(crate) query_string_name: String,
    pub(crate) query_string_value_prefix: String,
    pub(crate) max_token_length: usize,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) cookies: CookieConfig,
    pub(crate) json_key: String,
    pub(crate) refresh_json_key: String,
    pub(crate) json_body_limit: usize,
    pub(crate) body_read_timeout: std::time::Duration,
    pub(crate) read_json_body: bool,
    pub(crate) jwks: Option<crate::jwks::RemoteJwks>,
    pub(crate) blocklist_timeout: std::time::Duration,
    pub(crate) strict: Option<StrictProfile>,
    pub(crate) verified_token_cache: usize,
    /// The app-defined token types (`JwtConfigBuilder::token_kind`).
    pub(crate) token_kinds: Arc<[&'static str]>,
    /// The prefix of the subprotocol that carries a WebSocket token.
    pub(crate) websocket_protocol_prefix: String,
    /// Origins allowed to open a WebSocket with a cookie token (`None`: the
    /// request's own host only).
    pub(crate) websocket_origins: Option<Vec<String>>,
    /// RFC 6750's statuses and challenges instead of Flask's.
    pub(crate) rfc6750: bool,
    /// Where roles and scopes are read from (this service's own tokens).
    pub(crate) grants: Arc<crate::claim_paths::ClaimPaths>,
    /// The trusted identity providers, each a configuration of its own.
    pub(crate) issuers: Arc<[IssuerProfile]>,
}

/// A trusted issuer as verification sees it: this configuration with the
/// issuer's keys, algorithms, audiences, `iss` and claim layout.
#[derive(Clone)]
pub(crate) struct IssuerProfile {
    pub(crate) name: String,
    pub(crate) config: JwtConfig,
    pub(crate) identity_claim: Arc<str>,
}

/// The checks of [`JwtConfigBuilder::strict`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StrictProfile {
    /// Longest accepted `exp - iat`, in seconds.
    pub(crate) max_lifetime: f64,
}

/// The cookie and CSRF options (Flask's `JWT_*COOKIE*` and `JWT_CSRF_*`).
#[derive(Debug, Clone)]
pub(crate) struct CookieConfig {
    pub(crate) access_cookie_name: String,
    pub(crate) refresh_cookie_name: String,
    pub(crate) access_cookie_path: String,
    pub(crate) refresh_cookie_path: String,
    pub(crate) access_csrf_cookie_name: String,
    pub(crate) refresh_csrf_cookie_name: String,
    pub(crate) access_csrf_cookie_path: String,
    pub(crate) refresh_csrf_cookie_path: String,
    pub(crate) access_csrf_header_name: HeaderName,
    pub(crate) refresh_csrf_header_name: HeaderName,
    pub(crate) access_csrf_field_name: String,
    pub(crate) refresh_csrf_field_name: String,
    pub(crate) secure: bool,
    pub(crate) domain: Option<String>,
    pub(crate) samesite: Option<SameSite>,
    pub(crate) session_cookie: bool,
    pub(crate) csrf_methods: Vec<http::Method>,
    pub(crate) csrf_in_cookies: bool,
    pub(crate) csrf_check_form: bool,
}

impl Default for CookieConfig {
    fn default() -> Self {
        CookieConfig {
            access_cookie_name: "access_token_cookie".into(),
            refresh_cookie_name: "refresh_token_cookie".into(),
            access_cookie_path: "/".into(),
            refresh_cookie_path: "/".into(),
            access_csrf_cookie_name: "csrf_access_token".into(),
            refresh_csrf_cookie_name: "csrf_refresh_token".into(),
            access_csrf_cookie_path: "/".into(),
            refresh_csrf_cookie_path: "/".into(),
            access_csrf_header_name: HeaderName::from_static("x-csrf-token"),
            refresh_csrf_header_name: HeaderName::from_static("x-csrf-token"),
            access_csrf_field_name: "csrf_token".into(),
            refresh_csrf_field_name: "csrf_token".into(),
            secure: false,
            domain: None,
            samesite: None,
            session_cookie: true,
            csrf_methods: vec![
                http::Method::POST,
                http::Method::PUT,
                http::Method::PATCH,
                http::Method::DELETE,
            ],
            csrf_in_cookies: true,
            csrf_check_form: false,
        }
    }
}

impl fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtConfig")
            .field("keys", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("decode_algorithms", &self.decode_algorithms)
            .field("access_token_expires", &self.access_token_expires)
            .field("refresh_token_expires", &self.refresh_token_expires)
            .field("identity_claim", &self.identity_claim)
            .field("header_name", &self.header_name_display)
            .field("header_type", &self.header_type)
            .field("error_msg_key", &self.error_msg_key)
            .field("decode_leeway", &self.decode_leeway)
            .field("encode_nbf", &self.encode_nbf)
            .field("encode_audience", &self.encode_audience)
            .field("decode_audience", &self.decode_audience)
            .field("encode_issuer", &self.encode_issuer)
            .field("decode_issuer", &self.decode_issuer)
            .field("verify_sub", &self.verify_sub)
            .field("csrf_protect", &self.csrf_protect)
            .field("token_location", &self.token_location)
            .field("query_string_name", &self.query_string_name)
            .field("max_token_length", &self.max_token_length)
            .field("clock", &self.clock)
            .field("cookies", &self.cookies)
            .field("json_key", &self.json_key)
            .field("refresh_json_key", &self.refresh_json_key)
            .field("json_body_limit", &self.json_body_limit)
            .field("body_read_timeout", &self.body_read_timeout)
            .finish()
    }
}

impl JwtConfig {
    /// Starts a configuration with Flask's defaults.
    pub fn builder() -> JwtConfigBuilder {
        JwtConfigBuilder::default()
    }

    /// `JWT_ALGORITHM`: the algorithm new tokens are signed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// `JWT_DECODE_ALGORITHMS` plus `JWT_ALGORITHM`: the algorithms accepted on decode.
    pub fn decode_algorithms(&self) -> &[Algorithm] {
        &self.decode_algorithms
    }
    /// `JWT_ACCESS_TOKEN_EXPIRES`.
    pub fn access_token_expires(&self) -> Expires {
        self.access_token_expires
    }
    /// `JWT_REFRESH_TOKEN_EXPIRES`.
    pub fn refresh_token_expires(&self) -> Expires {
        self.refresh_token_expires
    }
    /// `JWT_IDENTITY_CLAIM`.
    pub fn identity_claim(&self) -> &str {
        &self.identity_claim
    }
    /// `JWT_HEADER_NAME`, lowercased as HTTP/2 spells it.
    pub fn header_name(&self) -> &str {
        self.header_name.as_str()
    }
    /// `JWT_HEADER_TYPE`.
    pub fn header_type(&self) -> &str {
        &self.header_type
    }
    /// `JWT_ERROR_MESSAGE_KEY`.
    pub fn error_msg_key(&self) -> &str {
        &self.error_msg_key
    }
    /// `JWT_TOKEN_LOCATION`, in lookup order.
    pub fn token_location(&self) -> &[Location] {
        &self.token_location
    }
    /// `JWT_VERIFY_SUB`.
    pub fn verify_sub(&self) -> bool {
        self.verify_sub
    }
    /// The clock used for `iat`/`nbf`/`exp`, on encode and decode.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
}
