//! `JwtConfig`: Flask-JWT-Extended's `JWT_*` options, with the same defaults.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use http::HeaderName;
use jsonwebtoken::Algorithm;
use time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::error::JwtError;
use crate::keys::{KeySet, KeySources};
use crate::location::Location;

/// How long a token lives: Flask's `JWT_ACCESS_TOKEN_EXPIRES` /
/// `JWT_REFRESH_TOKEN_EXPIRES` and the `expires_delta` argument.
///
/// `Expires::Never` is Flask's `False`: the token gets no `exp` claim.
/// A negative duration makes a token that is already expired (handy in tests).
/// Unlike Flask, a zero duration does not mean "never": the token expires at once.
///
/// ```
/// use axum_jwt_extended::Expires;
/// use time::Duration;
/// let e: Expires = Duration::minutes(5).into();
/// assert_eq!(e, Expires::After(Duration::minutes(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expires {
    /// The token expires this long after it is created.
    After(Duration),
    /// The token has no `exp` claim.
    Never,
}

impl From<Duration> for Expires {
    fn from(d: Duration) -> Self {
        Expires::After(d)
    }
}

impl From<std::time::Duration> for Expires {
    fn from(d: std::time::Duration) -> Self {
        Expires::After(Duration::try_from(d).unwrap_or(Duration::MAX))
    }
}

/// The `aud` claim written into new tokens (`JWT_ENCODE_AUDIENCE`): one string,
/// or a list, exactly as Flask writes it.
///
/// ```
/// use axum_jwt_extended::Audience;
/// assert_eq!(Audience::from("api"), Audience::One("api".into()));
/// assert_eq!(Audience::from(["a", "b"]), Audience::Many(vec!["a".into(), "b".into()]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`
    One(String),
    /// `"aud": ["x", "y"]`
    Many(Vec<String>),
}

impl Audience {
    pub(crate) fn to_value(&self) -> serde_json::Value {
        match self {
            Audience::One(s) => serde_json::Value::String(s.clone()),
            Audience::Many(v) => {
                serde_json::Value::Array(v.iter().cloned().map(serde_json::Value::String).collect())
            }
        }
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            Audience::One(s) => vec![s],
            Audience::Many(v) => v,
        }
    }
}

impl From<&str> for Audience {
    fn from(s: &str) -> Self {
        Audience::One(s.to_owned())
    }
}
impl From<String> for Audience {
    fn from(s: String) -> Self {
        Audience::One(s)
    }
}
impl From<Vec<String>> for Audience {
    fn from(v: Vec<String>) -> Self {
        Audience::Many(v)
    }
}
impl From<Vec<&str>> for Audience {
    fn from(v: Vec<&str>) -> Self {
        Audience::Many(v.into_iter().map(str::to_owned).collect())
    }
}
impl<const N: usize> From<[&str; N]> for Audience {
    fn from(v: [&str; N]) -> Self {
        Audience::Many(v.into_iter().map(str::to_owned).collect())
    }
}

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

/// The `SameSite` attribute of the JWT cookies (`JWT_COOKIE_SAMESITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`
    Strict,
    /// `SameSite=Lax`
    Lax,
    /// `SameSite=None` (requires `cookie_secure`)
    None,
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

/// Builder of [`JwtConfig`]; [`build`](Self::build) validates every option.
///
/// ```
/// use axum_jwt_extended::{JwtConfig, Expires, Location};
/// use time::Duration;
/// let config = JwtConfig::builder()
///     .secret_key("a random secret of at least 64 bytes, as HS512 needs: ............")
///     .algorithm("HS512")
///     .access_token_expires(Duration::hours(1))
///     .refresh_token_expires(Expires::Never)
///     .token_location([Location::Headers, Location::QueryString])
///     .build()?;
/// assert_eq!(config.algorithm(), jsonwebtoken::Algorithm::HS512);
///
/// // Mistakes are an `Err` that names the Flask option, never a panic later.
/// let err = JwtConfig::builder().build().unwrap_err();
/// assert!(err.to_string().contains("JWT_SECRET_KEY"));
/// let err = JwtConfig::builder().secret_key("short").build().unwrap_err();
/// assert!(err.to_string().contains("shorter than the 32 bytes HS256 needs"));
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct JwtConfigBuilder {
    secret_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    private_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    public_key: Option<Vec<u8>>,
    allow_weak_keys: bool,
    key_id: Option<String>,
    rotated_keys: Vec<crate::keys::VerificationKey>,
    jwks: Option<crate::jwks::RemoteJwks>,
    blocklist_timeout: std::time::Duration,
    verified_token_cache: usize,
    strict: bool,
    max_token_lifetime: Option<Duration>,
    algorithm: String,
    decode_algorithms: Option<Vec<String>>,
    access_token_expires: Expires,
    refresh_token_expires: Expires,
    identity_claim: String,
    header_name: String,
    header_type: String,
    error_msg_key: String,
    decode_leeway: Duration,
    encode_nbf: bool,
    encode_audience: Option<Audience>,
    decode_audience: Option<Audience>,
    encode_issuer: Option<String>,
    decode_issuer: Option<Audience>,
    verify_sub: bool,
    csrf_protect: bool,
    token_location: Vec<Location>,
    query_string_name: String,
    query_string_value_prefix: String,
    max_token_length: usize,
    clock: Arc<dyn Clock>,
    cookies: CookieConfig,
    access_csrf_header_name: String,
    refresh_csrf_header_name: String,
    csrf_methods: Vec<String>,
    json_key: String,
    refresh_json_key: String,
    json_body_limit: usize,
    body_read_timeout: std::time::Duration,
    read_json_body: Option<bool>,
}

impl fmt::Debug for JwtConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtConfigBuilder")
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Default for JwtConfigBuilder {
    fn default() -> Self {
        JwtConfigBuilder {
            secret_key: None,
            private_key: None,
            public_key: None,
            allow_weak_keys: false,
            key_id: None,
            rotated_keys: Vec::new(),
            jwks: None,
            blocklist_timeout: std::time::Duration::from_millis(500),
            verified_token_cache: 0,
            strict: false,
            max_token_lifetime: None,
            algorithm: "HS256".to_owned(),
            decode_algorithms: None,
            access_token_expires: Expires::After(Duration::minutes(15)),
            refresh_token_expires: Expires::After(Duration::days(30)),
            identity_claim: "sub".to_owned(),
            header_name: "Authorization".to_owned(),
            header_type: "Bearer".to_owned(),
            error_msg_key: "msg".to_owned(),
            decode_leeway: Duration::ZERO,
            encode_nbf: true,
            encode_audience: None,
            decode_audience: None,
            encode_issuer: None,
            decode_issuer: None,
            verify_sub: true,
            csrf_protect: true,
            token_location: vec![Location::Headers],
            query_string_name: "jwt".to_owned(),
            query_string_value_prefix: String::new(),
            max_token_length: DEFAULT_MAX_TOKEN_LENGTH,
            clock: Arc::new(SystemClock),
            cookies: CookieConfig::default(),
            access_csrf_header_name: "X-CSRF-TOKEN".into(),
            refresh_csrf_header_name: "X-CSRF-TOKEN".into(),
            csrf_methods: ["POST", "PUT", "PATCH", "DELETE"]
                .map(String::from)
                .to_vec(),
            json_key: "access_token".into(),
            refresh_json_key: "refresh_token".into(),
            json_body_limit: DEFAULT_JSON_BODY_LIMIT,
            body_read_timeout: std::time::Duration::from_secs(10),
            read_json_body: None,
        }
    }
}

/// Default maximum length of a token, in bytes, checked before any decoding.
pub const DEFAULT_MAX_TOKEN_LENGTH: usize = 16 * 1024;

/// Default largest request body the layer reads to find a token in JSON (or a
/// CSRF form field): 2 MiB, axum's default body limit.
pub const DEFAULT_JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

macro_rules! cookie_option {
    ($(#[$doc:meta])* $name:ident: String) => {
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.cookies.$name = value.into();
            self
        }
    };
    ($(#[$doc:meta])* $name:ident: bool) => {
        $(#[$doc])*
        pub fn $name(mut self, value: bool) -> Self {
            self.cookies.$name = value;
            self
        }
    };
}

impl JwtConfigBuilder {
    /// `JWT_SECRET_KEY`: the HMAC secret (required for `HS*` algorithms).
    pub fn secret_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.secret_key = Some(zeroize::Zeroizing::new(key.as_ref().to_vec()));
        self
    }
    /// `JWT_PRIVATE_KEY`: the PEM private key that signs tokens with an
    /// asymmetric algorithm (RSA and EC keys in PKCS#8 or PKCS#1/SEC1, Ed25519
    /// in PKCS#8). Optional for a service that only verifies.
    pub fn private_key(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.private_key = Some(zeroize::Zeroizing::new(pem.as_ref().to_vec()));
        self
    }
    /// `JWT_PUBLIC_KEY`: the PEM public key that verifies tokens of an
    /// asymmetric algorithm.
    pub fn public_key(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.public_key = Some(pem.as_ref().to_vec());
        self
    }
    /// The key id (`kid`) of the configured key: new tokens carry it in their
    /// header, and it is published in the JWKS. With
    /// [`verification_key`](Self::verification_key), the way to rotate keys.
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }
    /// Key rotation: one more key (with a key id) that verifies tokens whose
    /// `kid` header names it, for example the previous key while its tokens
    /// are still alive. New tokens are always signed with the configured key.
    ///
    /// ```
    /// use axum_jwt_extended::{Algorithm, JwtConfig, JwtManager, VerificationKey};
    /// let old = JwtManager::new(
    ///     JwtConfig::builder().secret_key("the previous secret, 32 bytes or more").key_id("2026-10").build()?,
    /// )?;
    /// let token_from_last_month = old.create_access_token("alice")?;
    ///
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder()
    ///         .secret_key("the current secret, also 32 bytes or more")
    ///         .key_id("2026-11")
    ///         .verification_key(VerificationKey::from_secret(Algorithm::HS256, "the previous secret, 32 bytes or more")?.with_kid("2026-10"))
    ///         .build()?,
    /// )?;
    /// assert!(jwt.decode_token(&token_from_last_month, false).is_ok());
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn verification_key(mut self, key: crate::keys::VerificationKey) -> Self {
        self.rotated_keys.push(key);
        self
    }
    /// Verification keys from a remote JWKS (for an asymmetric algorithm):
    /// tokens pick their key by `kid`; an unknown `kid` triggers a refresh, at
    /// most once per interval. `JWT_PUBLIC_KEY` then becomes optional.
    pub fn jwks(mut self, jwks: crate::jwks::RemoteJwks) -> Self {
        self.jwks = Some(jwks);
        self
    }
    /// The strict profile, recommended for new services that do not need to
    /// accept tokens minted by Flask-JWT-Extended or other issuers (RFC 8725):
    ///
    /// - `exp`, `jti` and `type` are required (`Token is missing the "exp" claim`);
    /// - the `typ` header must be `JWT` (`Invalid token type header (typ)`);
    /// - an `aud` claim is refused when no audience is configured (`Invalid audience`);
    /// - `exp - iat` may not exceed the longest configured lifetime, or
    ///   [`max_token_lifetime`](Self::max_token_lifetime) (`Token lifetime exceeds the maximum`);
    /// - the `Bearer` scheme is matched case-insensitively (RFC 7235).
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, TokenOptions, Expires};
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").strict(true).build()?)?;
    /// let forever = jwt.create_access_token_with("alice", TokenOptions::new().expires(Expires::Never))?;
    /// assert_eq!(jwt.decode_token(&forever, false).unwrap_err().to_string(), "Token is missing the \"exp\" claim");
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }
    /// The longest token lifetime the strict profile accepts (default: the
    /// longer of the access and refresh lifetimes).
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = Some(lifetime);
        self
    }
    /// The longest a revocation check (or revocation) may take before the
    /// request fails closed with 503 (500 ms): a hanging store never hangs
    /// requests.
    pub fn blocklist_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.blocklist_timeout = timeout;
        self
    }
    /// Keep up to `capacity` verified tokens (0, the default: off), so that a
    /// client repeating its token is not verified from scratch on every
    /// request: the signature and the parse are most of the guard's cost
    /// (0.9 µs for HS256; 16 to 48 µs for RS256, ES256, EdDSA).
    ///
    /// Only tokens that verified are kept; on a hit `exp`, `nbf` and `iat` are
    /// checked again, and the type, freshness, revocation and loaders run as
    /// always. Not used for cookie tokens sent with a CSRF value, with a
    /// remote JWKS or a decode-key loader (decoding then depends on more than
    /// the token), nor for tokens over 4 KiB. Memory: at most `capacity`
    /// tokens and their claims; a full part of the cache is emptied.
    /// No Flask equivalent.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager};
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder()
    ///         .secret_key("a long, random secret of 32+ bytes")
    ///         .verified_token_cache(10_000)
    ///         .build()?,
    /// )?;
    /// # let _ = jwt;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn verified_token_cache(mut self, capacity: usize) -> Self {
        self.verified_token_cache = capacity;
        self
    }
    /// Accept HMAC secrets shorter than the hash (32 bytes for HS256, 48 for
    /// HS384, 64 for HS512; RFC 7518 section 3.2) and RSA keys under 2048
    /// bits. Off by default: `build()` refuses them. Only for tests and
    /// interoperating with legacy services. (The default `aws-lc-rs` backend
    /// refuses RSA keys under 2048 bits by itself; only `rust-crypto` can use
    /// them.)
    pub fn allow_weak_keys(mut self, allow: bool) -> Self {
        self.allow_weak_keys = allow;
        self
    }
    /// `JWT_ALGORITHM`: `HS256` (default), `HS384`, `HS512`, `RS256`,
    /// `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384` or `EdDSA`.
    pub fn algorithm(mut self, alg: impl AsRef<str>) -> Self {
        self.algorithm = alg.as_ref().to_owned();
        self
    }
    /// `JWT_DECODE_ALGORITHMS`: algorithms accepted on decode; `algorithm` is always added.
    pub fn decode_algorithms<I, A>(mut self, algs: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: AsRef<str>,
    {
        self.decode_algorithms = Some(algs.into_iter().map(|a| a.as_ref().to_owned()).collect());
        self
    }
    /// `JWT_ACCESS_TOKEN_EXPIRES` (15 minutes by default; [`Expires::Never`] for none).
    pub fn access_token_expires(mut self, e: impl Into<Expires>) -> Self {
        self.access_token_expires = e.into();
        self
    }
    /// `JWT_REFRESH_TOKEN_EXPIRES` (30 days by default; [`Expires::Never`] for none).
    pub fn refresh_token_expires(mut self, e: impl Into<Expires>) -> Self {
        self.refresh_token_expires = e.into();
        self
    }
    /// `JWT_IDENTITY_CLAIM`: the claim holding the identity (`sub`).
    pub fn identity_claim(mut self, claim: impl Into<String>) -> Self {
        self.identity_claim = claim.into();
        self
    }
    /// `JWT_HEADER_NAME`: the request header holding the token (`Authorization`).
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }
    /// `JWT_HEADER_TYPE`: the scheme before the token (`Bearer`); `""` for a bare token.
    pub fn header_type(mut self, ty: impl Into<String>) -> Self {
        self.header_type = ty.into();
        self
    }
    /// `JWT_ERROR_MESSAGE_KEY`: the key of error bodies (`msg`).
    pub fn error_msg_key(mut self, key: impl Into<String>) -> Self {
        self.error_msg_key = key.into();
        self
    }
    /// `JWT_DECODE_LEEWAY`: tolerance on `exp`, `nbf` and `iat` (0).
    pub fn decode_leeway(mut self, leeway: Duration) -> Self {
        self.decode_leeway = leeway;
        self
    }
    /// `JWT_ENCODE_NBF`: write an `nbf` claim equal to `iat` (on).
    pub fn encode_nbf(mut self, on: bool) -> Self {
        self.encode_nbf = on;
        self
    }
    /// `JWT_ENCODE_AUDIENCE`: the `aud` claim of new tokens.
    pub fn encode_audience(mut self, aud: impl Into<Audience>) -> Self {
        self.encode_audience = Some(aud.into());
        self
    }
    /// `JWT_DECODE_AUDIENCE`: when set, tokens must carry a matching `aud`.
    pub fn decode_audience(mut self, aud: impl Into<Audience>) -> Self {
        self.decode_audience = Some(aud.into());
        self
    }
    /// `JWT_ENCODE_ISSUER`: the `iss` claim of new tokens.
    pub fn encode_issuer(mut self, iss: impl Into<String>) -> Self {
        self.encode_issuer = Some(iss.into());
        self
    }
    /// `JWT_DECODE_ISSUER`: when set, tokens must carry this `iss` (or one of these).
    pub fn decode_issuer(mut self, iss: impl Into<Audience>) -> Self {
        self.decode_issuer = Some(iss.into());
        self
    }
    /// `JWT_VERIFY_SUB`: require `sub` to be a string (on, as in Flask 4.7).
    pub fn verify_sub(mut self, on: bool) -> Self {
        self.verify_sub = on;
        self
    }
    /// `JWT_COOKIE_CSRF_PROTECT`: write a `csrf` claim into new tokens (on).
    pub fn csrf_protect(mut self, on: bool) -> Self {
        self.csrf_protect = on;
        self
    }
    /// `JWT_TOKEN_LOCATION`: where to look for tokens, in order (`[headers]`).
    pub fn token_location(mut self, locations: impl IntoIterator<Item = Location>) -> Self {
        self.token_location = locations.into_iter().collect();
        self
    }
    /// `JWT_QUERY_STRING_NAME`: the query parameter holding the token (`jwt`).
    pub fn query_string_name(mut self, name: impl Into<String>) -> Self {
        self.query_string_name = name.into();
        self
    }
    /// `JWT_QUERY_STRING_VALUE_PREFIX`: a prefix the query value must start with (`""`).
    pub fn query_string_value_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.query_string_value_prefix = prefix.into();
        self
    }
    /// Longest token accepted, in bytes, checked before any decoding (16 KiB).
    pub fn max_token_length(mut self, bytes: usize) -> Self {
        self.max_token_length = bytes;
        self
    }
    /// The clock for `iat`, `nbf`, `exp` and freshness (the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    cookie_option!(
        /// `JWT_ACCESS_COOKIE_NAME` (`access_token_cookie`).
        access_cookie_name: String
    );
    cookie_option!(
        /// `JWT_REFRESH_COOKIE_NAME` (`refresh_token_cookie`).
        refresh_cookie_name: String
    );
    cookie_option!(
        /// `JWT_ACCESS_COOKIE_PATH` (`/`).
        access_cookie_path: String
    );
    cookie_option!(
        /// `JWT_REFRESH_COOKIE_PATH` (`/`).
        refresh_cookie_path: String
    );
    cookie_option!(
        /// `JWT_ACCESS_CSRF_COOKIE_NAME` (`csrf_access_token`).
        access_csrf_cookie_name: String
    );
    cookie_option!(
        /// `JWT_REFRESH_CSRF_COOKIE_NAME` (`csrf_refresh_token`).
        refresh_csrf_cookie_name: String
    );
    cookie_option!(
        /// `JWT_ACCESS_CSRF_COOKIE_PATH` (`/`).
        access_csrf_cookie_path: String
    );
    cookie_option!(
        /// `JWT_REFRESH_CSRF_COOKIE_PATH` (`/`).
        refresh_csrf_cookie_path: String
    );
    cookie_option!(
        /// `JWT_ACCESS_CSRF_FIELD_NAME`: the form field checked when `csrf_check_form` is on (`csrf_token`).
        access_csrf_field_name: String
    );
    cookie_option!(
        /// `JWT_REFRESH_CSRF_FIELD_NAME` (`csrf_token`).
        refresh_csrf_field_name: String
    );
    /// `JWT_COOKIE_SECURE`: send the cookies over HTTPS only (off, as in Flask; turn it on in production).
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookies.secure = secure;
        self
    }
    cookie_option!(
        /// `JWT_SESSION_COOKIE`: cookies without `Max-Age` that end with the browser session (on);
        /// off gives them a one-year `Max-Age`, as Flask does.
        session_cookie: bool
    );
    cookie_option!(
        /// `JWT_CSRF_IN_COOKIES`: also set the readable `csrf_access_token`/`csrf_refresh_token` cookies (on).
        csrf_in_cookies: bool
    );
    cookie_option!(
        /// `JWT_CSRF_CHECK_FORM`: when the CSRF header is absent, look in a form field (off):
        /// `application/x-www-form-urlencoded` or `multipart/form-data` (a multipart body is
        /// read, within `json_body_limit`, only when a token cookie comes without the header).
        csrf_check_form: bool
    );

    /// `JWT_COOKIE_DOMAIN` (none: the request's host).
    pub fn cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.cookies.domain = Some(domain.into());
        self
    }
    /// `JWT_COOKIE_SAMESITE` (none: the browser's default).
    pub fn cookie_samesite(mut self, samesite: SameSite) -> Self {
        self.cookies.samesite = Some(samesite);
        self
    }
    /// `JWT_ACCESS_CSRF_HEADER_NAME` (`X-CSRF-TOKEN`).
    pub fn access_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_header_name = name.into();
        self
    }
    /// `JWT_REFRESH_CSRF_HEADER_NAME` (`X-CSRF-TOKEN`).
    pub fn refresh_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_header_name = name.into();
        self
    }
    /// `JWT_CSRF_METHODS`: the methods that must carry the CSRF token
    /// (`POST`, `PUT`, `PATCH`, `DELETE`).
    pub fn csrf_methods<I, M>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = M>,
        M: AsRef<str>,
    {
        self.csrf_methods = methods.into_iter().map(|m| m.as_ref().to_owned()).collect();
        self
    }
    /// `JWT_JSON_KEY`: the key of the access token in a JSON body (`access_token`).
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.json_key = key.into();
        self
    }
    /// `JWT_REFRESH_JSON_KEY`: the key of the refresh token in a JSON body (`refresh_token`).
    pub fn refresh_json_key(mut self, key: impl Into<String>) -> Self {
        self.refresh_json_key = key.into();
        self
    }
    /// The largest body the layer reads to find a token in JSON or a CSRF form
    /// field (2 MiB). Larger bodies are answered with 413 when the JSON
    /// location needs them.
    pub fn json_body_limit(mut self, bytes: usize) -> Self {
        self.json_body_limit = bytes;
        self
    }

    /// The longest the guard waits for a body it must read (10 s): a body
    /// that trickles in slower is answered `408 {"msg": "Timed out reading
    /// the request body"}`. Bodies are read only by routes that can take
    /// their token from them, and only when no earlier location held one.
    ///
    /// ```
    /// use std::time::Duration;
    /// use axum_jwt_extended::JwtConfig;
    /// let config = JwtConfig::builder()
    ///     .secret_key("a long, random secret of 32+ bytes")
    ///     .body_read_timeout(Duration::from_secs(3))
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn body_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Whether the layer reads JSON bodies so a token can be found in them
    /// (default: when `json` is in `token_location`). Turn it on when only some
    /// routes use `locations(json)`.
    pub fn read_json_body(mut self, on: bool) -> Self {
        self.read_json_body = Some(on);
        self
    }

    /// Validates the options. Every mistake is an `Err` naming the Flask option.
    pub fn build(self) -> Result<JwtConfig, JwtError> {
        let (algorithm, decode_algorithms) = self.algorithms()?;
        let keys = Arc::new(KeySet::build(&KeySources {
            algorithm,
            decode_algorithms: &decode_algorithms,
            secret: self.secret_key.as_deref().map(Vec::as_slice),
            private_pem: self.private_key.as_deref().map(Vec::as_slice),
            public_pem: self.public_key.as_deref(),
            allow_weak: self.allow_weak_keys,
            key_id: self.key_id.as_deref(),
            rotated: &self.rotated_keys,
            remote: self.jwks.is_some(),
        })?);
        let header_name = self.parsed_header_name()?;
        self.check_names_and_limits()?;
        let decode_audience = non_empty(
            "JWT_DECODE_AUDIENCE",
            "audience",
            self.decode_audience.clone(),
        )?;
        let decode_issuer = non_empty("JWT_DECODE_ISSUER", "issuer", self.decode_issuer.clone())?;
        let cookies = self.cookie_options()?;
        let read_json_body = self
            .read_json_body
            .unwrap_or(self.token_location.contains(&Location::Json));
        let strict = self.strict_profile()?;
        Ok(JwtConfig {
            strict,
            blocklist_timeout: self.blocklist_timeout,
            verified_token_cache: self.verified_token_cache,
            jwks: self.jwks,
            read_json_body,
            cookies,
            json_key: self.json_key,
            refresh_json_key: self.refresh_json_key,
            json_body_limit: self.json_body_limit,
            body_read_timeout: self.body_read_timeout,
            keys,
            algorithm,
            decode_algorithms,
            access_token_expires: self.access_token_expires,
            refresh_token_expires: self.refresh_token_expires,
            identity_claim: self.identity_claim,
            header_name,
            header_name_display: self.header_name,
            header_type: self.header_type,
            error_msg_key: self.error_msg_key,
            decode_leeway: self.decode_leeway.as_seconds_f64(),
            encode_nbf: self.encode_nbf,
            encode_audience: self.encode_audience,
            decode_audience,
            encode_issuer: self.encode_issuer,
            decode_issuer,
            verify_sub: self.verify_sub,
            csrf_protect: self.csrf_protect,
            token_location: self.token_location,
            query_string_name: self.query_string_name,
            query_string_value_prefix: self.query_string_value_prefix,
            max_token_length: self.max_token_length,
            clock: self.clock,
        })
    }

    /// `JWT_ALGORITHM` and `JWT_DECODE_ALGORITHMS` (which always include the
    /// former), all of one key family.
    fn algorithms(&self) -> Result<(Algorithm, Vec<Algorithm>), JwtError> {
        let algorithm = parse_algorithm("JWT_ALGORITHM", &self.algorithm)?;
        let mut decode_algorithms = Vec::new();
        if let Some(list) = &self.decode_algorithms {
            for name in list {
                let alg = parse_algorithm("JWT_DECODE_ALGORITHMS", name)?;
                if !decode_algorithms.contains(&alg) {
                    decode_algorithms.push(alg);
                }
            }
        }
        if !decode_algorithms.contains(&algorithm) {
            decode_algorithms.push(algorithm);
        }
        if decode_algorithms
            .iter()
            .any(|a| a.family() != algorithm.family())
        {
            return Err(JwtError::Config(format!(
                "JWT_DECODE_ALGORITHMS {:?} mixes key families with JWT_ALGORITHM {:?}: \
                 all algorithms must use the same kind of key (HMAC secret, RSA, EC or Ed25519)",
                decode_algorithms, algorithm
            )));
        }
        Ok((algorithm, decode_algorithms))
    }

    /// `JWT_HEADER_NAME` as a header name, and a one-word `JWT_HEADER_TYPE`.
    fn parsed_header_name(&self) -> Result<HeaderName, JwtError> {
        if self.header_name.is_empty() {
            return Err(JwtError::Config("JWT_HEADER_NAME cannot be empty".into()));
        }
        let header_name = HeaderName::from_bytes(self.header_name.as_bytes()).map_err(|_| {
            JwtError::Config(format!(
                "JWT_HEADER_NAME {:?} is not a valid HTTP header name",
                self.header_name
            ))
        })?;
        if self.header_type.chars().any(char::is_whitespace) || self.header_type.contains(',') {
            return Err(JwtError::Config(format!(
                "JWT_HEADER_TYPE {:?} must be one word without spaces or commas (or empty for a bare token)",
                self.header_type
            )));
        }
        Ok(header_name)
    }

    /// Names that cannot be empty, the token locations, leeway and limits.
    fn check_names_and_limits(&self) -> Result<(), JwtError> {
        if self.identity_claim.is_empty() {
            return Err(JwtError::Config(
                "JWT_IDENTITY_CLAIM cannot be empty".into(),
            ));
        }
        if self.error_msg_key.is_empty() {
            return Err(JwtError::Config(
                "JWT_ERROR_MESSAGE_KEY cannot be empty".into(),
            ));
        }
        if self.decode_leeway.is_negative() {
            return Err(JwtError::Config(
                "JWT_DECODE_LEEWAY must not be negative".into(),
            ));
        }
        if self.token_location.is_empty() {
            return Err(JwtError::Config(
                "JWT_TOKEN_LOCATION must contain at least one of \"headers\", \"cookies\", \"query_string\", or \"json\"".into(),
            ));
        }
        for (i, loc) in self.token_location.iter().enumerate() {
            if self.token_location[..i].contains(loc) {
                return Err(JwtError::Config(format!(
                    "JWT_TOKEN_LOCATION lists {:?} twice",
                    loc.as_str()
                )));
            }
        }
        if self.query_string_name.is_empty() {
            return Err(JwtError::Config(
                "JWT_QUERY_STRING_NAME cannot be empty".into(),
            ));
        }
        if self.max_token_length == 0 {
            return Err(JwtError::Config(
                "max_token_length must be at least 1".into(),
            ));
        }
        if self.json_key.is_empty() || self.refresh_json_key.is_empty() {
            return Err(JwtError::Config(
                "JWT_JSON_KEY and JWT_REFRESH_JSON_KEY cannot be empty".into(),
            ));
        }
        Ok(())
    }

    /// The cookie options with the CSRF header names and methods parsed, and
    /// every cookie name checked.
    fn cookie_options(&self) -> Result<CookieConfig, JwtError> {
        let mut cookies = self.cookies.clone();
        cookies.access_csrf_header_name =
            header_option("JWT_ACCESS_CSRF_HEADER_NAME", &self.access_csrf_header_name)?;
        cookies.refresh_csrf_header_name = header_option(
            "JWT_REFRESH_CSRF_HEADER_NAME",
            &self.refresh_csrf_header_name,
        )?;
        cookies.csrf_methods = Vec::with_capacity(self.csrf_methods.len());
        for m in &self.csrf_methods {
            let method =
                http::Method::from_bytes(m.to_ascii_uppercase().as_bytes()).map_err(|_| {
                    JwtError::Config(format!("JWT_CSRF_METHODS: {m:?} is not an HTTP method"))
                })?;
            cookies.csrf_methods.push(method);
        }
        for (option, name) in [
            ("JWT_ACCESS_COOKIE_NAME", &cookies.access_cookie_name),
            ("JWT_REFRESH_COOKIE_NAME", &cookies.refresh_cookie_name),
            (
                "JWT_ACCESS_CSRF_COOKIE_NAME",
                &cookies.access_csrf_cookie_name,
            ),
            (
                "JWT_REFRESH_CSRF_COOKIE_NAME",
                &cookies.refresh_csrf_cookie_name,
            ),
        ] {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
            if !valid {
                return Err(JwtError::Config(format!(
                    "{option} {name:?} is not a valid cookie name"
                )));
            }
        }
        if matches!(cookies.samesite, Some(SameSite::None)) && !cookies.secure {
            return Err(JwtError::Config(
                "JWT_COOKIE_SAMESITE None requires JWT_COOKIE_SECURE: browsers drop SameSite=None cookies that are not Secure".into(),
            ));
        }
        Ok(cookies)
    }

    /// The strict profile, when on, with its maximum token lifetime.
    fn strict_profile(&self) -> Result<Option<StrictProfile>, JwtError> {
        Ok(if self.strict {
            let longest = match (self.access_token_expires, self.refresh_token_expires) {
                (Expires::After(a), Expires::After(r)) => Some(a.max(r)),
                _ => None,
            };
            let max = self.max_token_lifetime.or(longest).ok_or_else(|| {
                JwtError::Config(
                    "the strict profile needs a bounded token lifetime: set max_token_lifetime, or lifetimes other than Expires::Never".into(),
                )
            })?;
            Some(StrictProfile {
                max_lifetime: max.as_seconds_f64(),
            })
        } else {
            None
        })
    }
}

/// An audience or issuer list to decode with: `None` when unset, an error
/// when set to an empty list (no token could ever match).
fn non_empty(
    option: &str,
    what: &str,
    list: Option<Audience>,
) -> Result<Option<Vec<String>>, JwtError> {
    let list = list.map(Audience::into_vec);
    if matches!(&list, Some(v) if v.is_empty()) {
        return Err(JwtError::Config(format!(
            "{option} is an empty list: no token could ever match; leave it unset to accept any {what}"
        )));
    }
    Ok(list)
}

fn header_option(option: &str, name: &str) -> Result<HeaderName, JwtError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| JwtError::Config(format!("{option} {name:?} is not a valid HTTP header name")))
}

fn parse_algorithm(option: &str, name: &str) -> Result<Algorithm, JwtError> {
    Algorithm::from_str(name).map_err(|_| {
        JwtError::Config(format!(
            "{option}: unknown algorithm {name:?}; expected one of HS256, HS384, HS512, \
             RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
        ))
    })
}
