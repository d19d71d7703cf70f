//! [`JwtConfigBuilder`]: one setter per option, Flask's defaults.

use std::fmt;
use std::sync::Arc;

use time::Duration;

use super::{Audience, CookieConfig, Expires, SameSite};
use crate::clock::{Clock, SystemClock};
use crate::location::Location;

/// A legacy secret and its use (see [`JwtConfigBuilder::legacy_secret`]).
pub(super) type Legacy = (zeroize::Zeroizing<Vec<u8>>, crate::keys::LegacySecret);

/// Builder of [`JwtConfig`](super::JwtConfig); [`build`](Self::build) validates every option.
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
    pub(super) secret_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    pub(super) private_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    pub(super) public_key: Option<Vec<u8>>,
    pub(super) allow_weak_keys: bool,
    pub(super) legacy_secret: Option<Legacy>,
    pub(super) key_id: Option<String>,
    pub(super) rotated_keys: Vec<crate::keys::VerificationKey>,
    pub(super) jwks: Option<crate::jwks::RemoteJwks>,
    pub(super) blocklist_timeout: std::time::Duration,
    /// Options given a negative span, refused by `build()`.
    pub(super) negative_spans: Vec<&'static str>,
    pub(super) verified_token_cache: usize,
    pub(super) token_kinds: Vec<&'static str>,
    pub(super) strict: bool,
    pub(super) max_token_lifetime: Option<Duration>,
    pub(super) algorithm: String,
    pub(super) decode_algorithms: Option<Vec<String>>,
    pub(super) access_token_expires: Expires,
    pub(super) refresh_token_expires: Expires,
    pub(super) identity_claim: String,
    pub(super) header_name: String,
    pub(super) header_type: String,
    pub(super) error_msg_key: String,
    pub(super) decode_leeway: Duration,
    pub(super) encode_nbf: bool,
    pub(super) encode_audience: Option<Audience>,
    pub(super) decode_audience: Option<Audience>,
    pub(super) encode_issuer: Option<String>,
    pub(super) decode_issuer: Option<Audience>,
    pub(super) verify_sub: bool,
    pub(super) csrf_protect: bool,
    pub(super) token_location: Vec<Location>,
    pub(super) query_string_name: String,
    pub(super) query_string_value_prefix: String,
    pub(super) max_token_length: usize,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) cookies: CookieConfig,
    pub(super) access_csrf_header_name: String,
    pub(super) refresh_csrf_header_name: String,
    pub(super) csrf_methods: Vec<String>,
    pub(super) json_key: String,
    pub(super) refresh_json_key: String,
    pub(super) json_body_limit: usize,
    pub(super) body_read_timeout: std::time::Duration,
    pub(super) read_json_body: Option<bool>,
    pub(super) rfc6750: bool,
    pub(super) websocket_protocol_prefix: String,
    pub(super) websocket_origins: Option<Vec<String>>,
    pub(super) grants: crate::claim_paths::ClaimPaths,
    pub(super) issuers: Vec<crate::issuers::Issuer>,
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
            legacy_secret: None,
            key_id: None,
            rotated_keys: Vec::new(),
            jwks: None,
            rfc6750: false,
            websocket_protocol_prefix: "bearer.".to_owned(),
            websocket_origins: None,
            grants: crate::claim_paths::ClaimPaths::default(),
            issuers: Vec::new(),
            negative_spans: Vec::new(),
            blocklist_timeout: std::time::Duration::from_millis(500),
            verified_token_cache: DEFAULT_VERIFIED_TOKEN_CACHE,
            token_kinds: Vec::new(),
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

/// The default capacity of the verified-token cache
/// ([`JwtConfigBuilder::verified_token_cache`]): 4,096 tokens, about 3.4 MiB
/// of typical access tokens, at most about 32 MiB.
pub const DEFAULT_VERIFIED_TOKEN_CACHE: usize = 4096;

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
    /// The prefix of the WebSocket subprotocol that carries a token
    /// (`bearer.`): a client offers `Sec-WebSocket-Protocol: chat,
    /// bearer.<JWT>` and the server selects `chat` (location
    /// `websocket_protocol`). Browsers cannot set an `Authorization` header
    /// on a WebSocket; a subprotocol stays out of URLs and access logs.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, Location};
    /// let config = JwtConfig::builder()
    ///     .secret_key("a long, random secret of 32+ bytes")
    ///     .token_location([Location::WebsocketProtocol, Location::Headers])
    ///     .websocket_protocol_prefix("access_token.")
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn websocket_protocol_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.websocket_protocol_prefix = prefix.into();
        self
    }
    /// The origins (`https://app.example.com`) allowed to open a WebSocket
    /// with a cookie token. Browsers send cookies with a cross-site upgrade
    /// and no CSRF header can ride on it, so a cookie token on an upgrade is
    /// accepted only from these origins, or by default from the request's
    /// own host (`Origin` matching `Host`); anything else is `401 WebSocket
    /// upgrade from another origin`.
    pub fn websocket_allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.websocket_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }
    /// The RFC 6750 profile: every invalid, expired, revoked or not-fresh
    /// token answers `401` with `WWW-Authenticate: Bearer
    /// error="invalid_token", error_description="<msg>"` (Flask: 422 for an
    /// invalid token), a malformed `Authorization` header `400
    /// invalid_request`, a missing role or scope `403 insufficient_scope`.
    /// Bodies keep Flask's messages; response loaders and the error handler
    /// still decide when set. Off by default (Flask's statuses); the
    /// behaviour table lists both columns.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtError, JwtManager};
    /// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").rfc6750(true).build()?)?;
    /// let response = jwt.error_response(&JwtError::InvalidToken("Signature verification failed".into()), None);
    /// assert_eq!(response.status().as_u16(), 401);
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     "Bearer error=\"invalid_token\", error_description=\"Signature verification failed\""
    /// );
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn rfc6750(mut self, on: bool) -> Self {
        self.rfc6750 = on;
        self
    }
    /// Accepts the tokens of an identity provider besides this service's
    /// own: see [`Issuer`](crate::Issuer). A token is matched to its issuer by
    /// its `iss` claim; one naming no trusted issuer is verified with this
    /// service's own keys, or refused (`422 Invalid issuer`) when the
    /// configuration has none (a pure resource server needs no
    /// `JWT_SECRET_KEY`).
    ///
    /// ```
    /// use axum_jwt_extended::{Algorithm, Issuer, JwtConfig, JwtManager, VerificationKey};
    /// # let pem = include_str!("../../../tests/fixtures/keys/ec256-public.pem");
    /// let partner = Issuer::with_keys("https://partner.example", [VerificationKey::from_pem(Algorithm::ES256, pem)?])
    ///     .audience("our-api");
    /// // A resource server: no key of its own, the partner's tokens only.
    /// let jwt = JwtManager::new(JwtConfig::builder().trust_issuer(partner).build()?)?;
    /// # let _ = jwt;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn trust_issuer(mut self, issuer: crate::issuers::Issuer) -> Self {
        self.issuers.push(issuer);
        self
    }
    /// Where this service's own tokens keep their roles (by default `roles`
    /// and Keycloak's `realm_access.roles`); read by
    /// [`DecodedToken::roles`](crate::DecodedToken::roles). Each trusted
    /// [`Issuer`](crate::Issuer) has its own.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, TokenOptions};
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").roles_claims(["app.roles"]).build()?,
    /// )?;
    /// let options = TokenOptions::new().additional_claims(serde_json::json!({"app": {"roles": ["admin"]}}));
    /// let token = jwt.create_access_token_with("alice", options)?;
    /// assert_eq!(jwt.decode_token(&token, false)?.roles()?, ["admin"]);
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn roles_claims<P: Into<crate::claim_paths::ClaimPath>>(
        mut self,
        paths: impl IntoIterator<Item = P>,
    ) -> Self {
        let paths = paths.into_iter().map(Into::into).collect();
        self.grants.set(crate::claim_paths::Grant::Roles, paths);
        self
    }
    /// Where this service's own tokens keep their scopes (by default `scope`
    /// and `scp`); read by [`DecodedToken::scopes`](crate::DecodedToken::scopes).
    pub fn scopes_claims<P: Into<crate::claim_paths::ClaimPath>>(
        mut self,
        paths: impl IntoIterator<Item = P>,
    ) -> Self {
        let paths = paths.into_iter().map(Into::into).collect();
        self.grants.set(crate::claim_paths::Grant::Scopes, paths);
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
    pub fn max_token_lifetime(mut self, lifetime: impl crate::clock::IntoDuration) -> Self {
        self.max_token_lifetime = Some(lifetime.into_time());
        self
    }
    /// The longest a revocation check (or revocation) may take before the
    /// request fails closed with 503 (500 ms): a hanging store never hangs
    /// requests.
    pub fn blocklist_timeout(mut self, timeout: impl crate::clock::IntoDuration) -> Self {
        match crate::clock::non_negative(timeout) {
            Some(timeout) => self.blocklist_timeout = timeout,
            None => self.negative_spans.push("blocklist_timeout"),
        }
        self
    }
    /// Keep up to `capacity` verified tokens ([`DEFAULT_VERIFIED_TOKEN_CACHE`],
    /// 4,096, by default; 0 turns the cache off), so that a client repeating
    /// its token is not verified from scratch on every request: the
    /// signature and the parse are most of the guard's cost (0.9 µs for
    /// HS256; 16 to 48 µs for RS256, ES256, EdDSA).
    ///
    /// Only tokens that verified are kept; on a hit `exp`, `nbf` and `iat` are
    /// checked again, and the type, freshness, revocation and loaders run as
    /// always. Not used for cookie tokens sent with a CSRF value, with a
    /// remote JWKS or a decode-key loader (decoding then depends on more than
    /// the token), nor for tokens over 4 KiB. Memory: at most `capacity`
    /// tokens and their claims, a full part of the cache being emptied;
    /// about 850 bytes per cached token of 347 bytes (a typical access
    /// token), so about 3.4 MiB at the default capacity, and at most about
    /// 8 KiB per entry (32 MiB) with tokens near the 4 KiB limit.
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

    /// Registers an app-defined token type `K` (a password reset, an e-mail
    /// confirmation): [`create_token_of::<K>`](crate::JwtManager::create_token_of)
    /// mints it, only its own routes (`#[jwt_required(token_type = K)]`,
    /// [`JwtOfType<K>`](crate::JwtOfType)) accept it, and access and refresh
    /// routes refuse it (`422 Only access tokens are allowed`). Minting a kind
    /// that is not registered is an `Err` naming this method.
    ///
    /// A token whose `type` is neither `refresh` nor a registered kind
    /// (`"ACCESS"`, `"odd"`, `null`, a number) is an access token, as
    /// Flask-JWT-Extended reads it (`verify_token_type` refuses only
    /// `refresh` outside refresh routes).
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, TokenKind, TokenOptions};
    ///
    /// struct PasswordReset;
    /// impl TokenKind for PasswordReset {
    ///     const NAME: &'static str = "password_reset";
    /// }
    ///
    /// let jwt = JwtManager::new(
    ///     JwtConfig::builder()
    ///         .secret_key("a long, random secret of 32+ bytes")
    ///         .token_kind::<PasswordReset>()
    ///         .build()?,
    /// )?;
    /// let token = jwt.create_token_of::<PasswordReset>("alice", TokenOptions::new())?;
    /// # let _ = token;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn token_kind<K: crate::requirements::TokenKind>(mut self) -> Self {
        if !self.token_kinds.contains(&K::NAME) {
            self.token_kinds.push(K::NAME);
        }
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

    /// A Flask service's `JWT_SECRET_KEY` that is shorter than RFC 7518
    /// asks (Flask accepts any length), accepted for a migration: step 1 of
    /// `docs/MIGRATING.md`. Only the length check is waived, only for this
    /// secret, and `build()` logs a warning (feature `tracing`) naming it,
    /// every start, until the secret is rotated. With
    /// [`LegacySecret::SignAndVerify`](crate::LegacySecret::SignAndVerify) it is the signing secret (do not set
    /// `secret_key`); with [`LegacySecret::VerifyOnly`](crate::LegacySecret::VerifyOnly) it verifies the
    /// tokens without a `kid` (Flask's) while `secret_key` and `key_id` sign
    /// new ones.
    ///
    /// ```
    /// use axum_jwt_extended::{JwtConfig, JwtManager, LegacySecret};
    ///
    /// // Both services on the Flask service's 12-byte secret while routes move.
    /// let config = JwtConfig::builder()
    ///     .legacy_secret("flask-secret", LegacySecret::SignAndVerify)
    ///     .build()?;
    /// let jwt = JwtManager::new(config)?;
    /// let token = jwt.create_access_token("alice")?;
    /// assert_eq!(jwt.decode_token(&token, false)?.identity_str(), Some("alice"));
    ///
    /// // Later: new tokens on a full-length secret, Flask's still verified.
    /// let config = JwtConfig::builder()
    ///     .legacy_secret("flask-secret", LegacySecret::VerifyOnly)
    ///     .secret_key("a new, random secret of 32 bytes or more")
    ///     .key_id("2026-12")
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn legacy_secret(
        mut self,
        secret: impl AsRef<[u8]>,
        usage: crate::keys::LegacySecret,
    ) -> Self {
        self.legacy_secret = Some((zeroize::Zeroizing::new(secret.as_ref().to_vec()), usage));
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
    pub fn decode_leeway(mut self, leeway: impl crate::clock::IntoDuration) -> Self {
        self.decode_leeway = leeway.into_time();
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
    pub fn body_read_timeout(mut self, timeout: impl crate::clock::IntoDuration) -> Self {
        match crate::clock::non_negative(timeout) {
            Some(timeout) => self.body_read_timeout = timeout,
            None => self.negative_spans.push("body_read_timeout"),
        }
        self
    }

    /// Whether the layer reads JSON bodies so a token can be found in them
    /// (default: when `json` is in `token_location`). Turn it on when only some
    /// routes use `locations(json)`.
    pub fn read_json_body(mut self, on: bool) -> Self {
        self.read_json_body = Some(on);
        self
    }
}
