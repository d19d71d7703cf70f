//! The one error type of the crate and its HTTP rendering.
//!
//! Every variant is one of Flask-JWT-Extended's error kinds and answers with the
//! same status and `{"msg": ...}` body as Flask-JWT-Extended 4.7 (the key is
//! `JWT_ERROR_MESSAGE_KEY`, `msg` by default). The texts that are part of that
//! contract live in [`messages`].

use std::borrow::Cow;

use axum_core::response::Response;
use http::header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::StatusCode;

/// Text inside a quoted-string of a `WWW-Authenticate` challenge (RFC 9110
/// section 5.6.4): quotes and backslashes escaped, anything but printable
/// ASCII dropped, and at most [`MAX_QUOTED`] bytes (then `...`): a header
/// never carries an unbounded text.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_QUOTED + 3));
    for c in text.chars() {
        if out.len() >= MAX_QUOTED {
            out.push_str("...");
            break;
        }
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {}
        }
    }
    out
}

/// The longest text (in bytes, before `...`) quoted into a challenge.
const MAX_QUOTED: usize = 200;

/// Text from a token (a member name, a `crit` value, a `kid`) as error
/// messages echo it: at most 40 characters, and anything but letters,
/// digits and plain punctuation escaped as `\u{..}` (quotes, `<`, `>`, `&`,
/// backslashes, control and non-ASCII characters), so an answer never
/// carries markup or a long payload an attacker chose. Never used in headers.
pub(crate) fn echo(text: &str) -> String {
    const MAX: usize = 40;
    const PLAIN: &str = " -_.:/+=@#$%*,;!?()[]{}|~^";
    let mut out = String::with_capacity(text.len().min(MAX + 3));
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push_str("...");
            break;
        }
        if c.is_ascii_alphanumeric() || PLAIN.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    out
}

/// The texts of the Flask-JWT-Extended / PyJWT contract, in one place.
///
/// Clients match on these strings, so they never change between releases.
pub mod messages {
    /// An expired token (401).
    pub const EXPIRED: &str = "Token has expired";
    /// A non-fresh token on a fresh-only route (401).
    pub const FRESH_REQUIRED: &str = "Fresh token required";
    /// A revoked token (401).
    pub const REVOKED: &str = "Token has been revoked";
    /// The user lookup found no user: the body adds the identity (Flask's
    /// `Error loading the user <identity>`); the RFC 6750 challenge does not.
    pub const USER_LOOKUP: &str = "Error loading the user";
    /// The custom claims verification callback refused the token (400).
    pub const USER_CLAIMS_VERIFICATION_FAILED: &str = "User claims verification failed";
    /// The blocklist could not answer (503); the request fails closed.
    pub const REVOCATION_UNAVAILABLE: &str = "Token revocation status unavailable";
    /// Ours: the app's user loader failed (its database is down, say): 503,
    /// never Flask's 401, which would make clients log their users out.
    pub const USER_LOOKUP_UNAVAILABLE: &str = "User lookup unavailable";
    /// Ours: the app's `token_verification_loader` failed: 503, never a
    /// refusal of a token that may be fine.
    pub const VERIFICATION_UNAVAILABLE: &str = "Token verification unavailable";
    /// A refresh token on an access-only route (422).
    pub const ONLY_NON_REFRESH: &str = "Only non-refresh tokens are allowed";
    /// An access token on a refresh-only route (422).
    pub const ONLY_REFRESH: &str = "Only refresh tokens are allowed";
    /// Ours: a token of an app-defined type where an access token is
    /// required (422; Flask lets any non-refresh type through).
    pub const ONLY_ACCESS: &str = "Only access tokens are allowed";
    /// Ours: a token of an app-defined type where `verify_type=False` takes
    /// access or refresh tokens (422).
    pub const ONLY_ACCESS_OR_REFRESH: &str = "Only access or refresh tokens are allowed";
    /// PyJWT: fewer than three segments (422).
    pub const NOT_ENOUGH_SEGMENTS: &str = "Not enough segments";
    /// PyJWT: the header segment is not canonical base64url (422).
    pub const INVALID_HEADER_PADDING: &str = "Invalid header padding";
    /// PyJWT: the payload segment is not canonical base64url (422).
    pub const INVALID_PAYLOAD_PADDING: &str = "Invalid payload padding";
    /// PyJWT: the signature segment is not canonical base64url (422).
    pub const INVALID_CRYPTO_PADDING: &str = "Invalid crypto padding";
    /// PyJWT: the header is valid JSON but not an object (422).
    pub const HEADER_NOT_OBJECT: &str = "Invalid header string: must be a json object";
    /// PyJWT: the payload is valid JSON but not an object (422).
    pub const PAYLOAD_NOT_OBJECT: &str = "Invalid payload string: must be a json object";
    /// PyJWT: the header has no `alg` (422).
    pub const ALGORITHM_NOT_SPECIFIED: &str = "Algorithm not specified";
    /// PyJWT: `alg` is not among the allowed decode algorithms (422).
    pub const ALG_NOT_ALLOWED: &str = "The specified alg value is not allowed";
    /// PyJWT: the signature does not match (422).
    pub const SIGNATURE_FAILED: &str = "Signature verification failed";
    /// PyJWT: `kid` is not a string (422).
    pub const KID_NOT_STRING: &str = "Key ID header parameter must be a string";
    /// PyJWT: `crit` is not a non-empty list (422).
    pub const CRIT_NOT_LIST: &str = "Invalid 'crit' header: must be a non-empty list";
    /// PyJWT: `crit` holds a non-string (422).
    pub const CRIT_NOT_STRINGS: &str = "Invalid 'crit' header: values must be strings";
    /// PyJWT: `b64: false` without `crit: ["b64"]` (422).
    pub const B64_NEEDS_CRIT: &str =
        "The 'b64' header parameter requires 'b64' to be listed in 'crit'.";
    /// PyJWT: `b64: false` with a payload segment (422).
    pub const B64_PAYLOAD_NOT_EMPTY: &str = "Payload segment must be empty when 'b64' is false.";
    /// PyJWT: `b64: false`, a detached payload, which a JWT never has (422).
    pub const B64_DETACHED: &str = "It is required that you pass in a value for the \"detached_payload\" argument to decode a message having the b64 header set to false.";
    /// PyJWT: `iat` is not a number (422).
    pub const IAT_NOT_INTEGER: &str = "Issued At claim (iat) must be an integer.";
    /// PyJWT: `nbf` is not a number (422).
    pub const NBF_NOT_INTEGER: &str = "Not Before claim (nbf) must be an integer.";
    /// PyJWT: `exp` is not a number (422).
    pub const EXP_NOT_INTEGER: &str = "Expiration Time claim (exp) must be an integer.";
    /// PyJWT: `iat` is in the future (422).
    pub const IMMATURE_IAT: &str = "The token is not yet valid (iat)";
    /// PyJWT: `nbf` is in the future (422).
    pub const IMMATURE_NBF: &str = "The token is not yet valid (nbf)";
    /// PyJWT: `sub` is not a string (422).
    pub const SUB_NOT_STRING: &str = "Subject must be a string";
    /// PyJWT: `jti` is not a string (422).
    pub const JTI_NOT_STRING: &str = "JWT ID must be a string";
    /// PyJWT: `iss` is not a string (422).
    pub const ISS_NOT_STRING: &str = "Payload Issuer (iss) must be a string";
    /// Ours: a cookie token on a WebSocket upgrade from an origin that is not
    /// allowed (401; browsers send cookies with cross-site upgrades).
    pub const WEBSOCKET_ORIGIN: &str = "WebSocket upgrade from another origin";
    /// Ours: a WebSocket renewal with a refresh or app-defined token.
    pub const ONLY_ACCESS_RENEWS: &str = "Only access tokens can renew a socket";
    /// Ours: a WebSocket renewal with another identity's token.
    pub const RENEWAL_OTHER_IDENTITY: &str = "The token is not of the socket's identity";
    /// Ours: two subprotocols carry a token (422).
    pub const WEBSOCKET_PROTOCOL_TWICE: &str =
        "Bad Sec-WebSocket-Protocol header. Expected one subprotocol carrying the token";
    /// PyJWT: `iss` is not the configured issuer (422).
    pub const INVALID_ISSUER: &str = "Invalid issuer";
    /// PyJWT: `aud` is not a string or a list of strings (422).
    pub const AUD_INVALID_FORMAT: &str = "Invalid claim format in token";
    /// PyJWT: no `aud` matches the configured audience (422).
    pub const AUD_MISMATCH: &str = "Audience doesn't match";
    /// Ours (Flask answers 500): `fresh` is neither a boolean nor a number on a fresh-only route (422).
    pub const FRESH_INVALID: &str = "Fresh claim (fresh) must be a boolean or a number.";
    /// Ours: the token is longer than `max_token_length` (422).
    pub const TOKEN_TOO_LONG: &str = "Token is too long";
    /// Strict profile: the `typ` header is not `JWT` (422).
    pub const STRICT_TYP: &str = "Invalid token type header (typ)";
    /// Strict profile: `exp - iat` exceeds the maximum lifetime (422).
    pub const STRICT_LIFETIME: &str = "Token lifetime exceeds the maximum";
    /// Flask: a cookie token on a CSRF method without its double-submit value (401).
    pub const MISSING_CSRF: &str = "Missing CSRF token";
    /// Flask: a cookie token without a `csrf` claim (422).
    pub const MISSING_CSRF_CLAIM: &str = "Missing claim: csrf";
    /// Flask: the double-submit value differs from the `csrf` claim (401).
    pub const CSRF_MISMATCH: &str = "CSRF double submit tokens do not match";
    /// Flask: the JSON location on a request that is not JSON (401).
    pub const JSON_CONTENT_TYPE: &str = "Invalid content-type. Must be application/json.";
    /// PyJWT: a JSON-body token that is not a string (422).
    pub const JSON_TOKEN_NOT_STRING: &str = "Invalid token type. Token must be a <class 'bytes'>";
    /// PyJWT: an issuer is configured and the token has none (422).
    pub const MISSING_ISS: &str = r#"Token is missing the "iss" claim"#;
    /// PyJWT: an audience is configured and the token has none (422).
    pub const MISSING_AUD: &str = r#"Token is missing the "aud" claim"#;
    /// Strict profile: an `aud` claim while no audience is configured (422).
    pub const STRICT_AUD: &str = "Invalid audience";
    /// Ours: the error carried by the answer to an `OPTIONS` request on a
    /// route that requires a token (the response itself is an empty 200).
    pub const PREFLIGHT: &str = "OPTIONS request answered without verifying a token";
    /// Ours: a typed identity (`Identity<T>`, `identity_as`) that the token's
    /// identity cannot be read as (422).
    pub const IDENTITY_TYPE: &str = "The token's identity does not have the expected type";
    /// Ours: typed claims (`JwtClaims<T>`, `claims_as`) that the token's
    /// claims cannot be read as (422).
    pub const CLAIMS_TYPE: &str = "The token's claims do not have the expected shape";
    /// Ours: an accessor used where no guard verified a token (logged; and
    /// the 500 of `JwtContext::try_current`). Flask raises `RuntimeError`:
    /// "You must call `@jwt_required()` or `verify_jwt_in_request()` before
    /// using this method".
    pub const NOT_VERIFIED: &str = "no verified token here: protect the handler with #[jwt_required], a Jwt extractor or JwtManager::require() before using this accessor (a task started with tokio::spawn needs spawn_with_jwt)";
    /// Ours: a guard reached without `JwtManager::layer()` around its route (500).
    pub const MISSING_LAYER: &str = "JWT verification is not configured for this route: add .layer(jwt.layer()) to the router after its routes (an axum layer wraps only the routes added before it)";
}

/// Every way creating, finding or verifying a token can fail.
///
/// Each request-facing variant answers like Flask-JWT-Extended 4.7:
///
/// | variant | status | Flask callback |
/// |---|---|---|
/// | [`NoAuthorization`](Self::NoAuthorization) | 401 | `unauthorized_loader` |
/// | [`Csrf`](Self::Csrf) | 401 | `unauthorized_loader` |
/// | [`InvalidHeader`](Self::InvalidHeader) | 422 | `invalid_token_loader` |
/// | [`InvalidToken`](Self::InvalidToken) | 422 | `invalid_token_loader` |
/// | [`WrongTokenType`](Self::WrongTokenType) | 422 | `invalid_token_loader` |
/// | [`Expired`](Self::Expired) | 401 | `expired_token_loader` |
/// | [`FreshTokenRequired`](Self::FreshTokenRequired) | 401 | `needs_fresh_token_loader` |
/// | [`Revoked`](Self::Revoked) | 401 | `revoked_token_loader` |
/// | [`UserClaimsVerificationFailed`](Self::UserClaimsVerificationFailed) | 400 | `token_verification_failed_loader` |
/// | [`UserLookup`](Self::UserLookup) | 401 | `user_lookup_error_loader` |
/// | [`RevocationUnavailable`](Self::RevocationUnavailable) | 503 | (ours: fail closed) |
/// | [`UserLookupUnavailable`](Self::UserLookupUnavailable) | 503 | (ours: the user loader returned an `Err`) |
/// | [`VerificationUnavailable`](Self::VerificationUnavailable) | 503 | (ours: the `token_verification_loader` returned an `Err`) |
/// | [`Forbidden`](Self::Forbidden) | 403 | (ours: a [`ClaimRule`](crate::ClaimRule) refused) |
/// | [`InsufficientScope`](Self::InsufficientScope) | 403 | (ours: a role or scope the route requires is missing; RFC 6750 `insufficient_scope`) |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) / [`BodyTimeout`](Self::BodyTimeout) / [`BodyUnreadable`](Self::BodyUnreadable) | 413 / 408 / 400 | (ours: a body read for the JSON location or a CSRF form field) |
/// | [`MissingLayer`](Self::MissingLayer), [`NoManager`](Self::NoManager), [`Config`](Self::Config), [`Encode`](Self::Encode) | 500 | (programming errors) |
///
/// ```
/// use axum_jwt_extended::JwtError;
/// let err = JwtError::Expired;
/// assert_eq!(err.status().as_u16(), 401);
/// assert_eq!(err.to_string(), "Token has expired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// No token in any of the route's locations (`NoAuthorizationError`).
    #[error("{0}")]
    NoAuthorization(Cow<'static, str>),
    /// The CSRF double-submit check failed (`CSRFError`).
    #[error("{0}")]
    Csrf(Cow<'static, str>),
    /// The header holding the token is malformed (`InvalidHeaderError`).
    #[error("{0}")]
    InvalidHeader(Cow<'static, str>),
    /// The token could not be decoded or one of its claims is invalid (PyJWT's
    /// `DecodeError`/`InvalidTokenError` family, `JWTDecodeError`).
    #[error("{0}")]
    InvalidToken(Cow<'static, str>),
    /// An access token on a refresh route or the other way round (`WrongTokenError`).
    #[error("{0}")]
    WrongTokenType(Cow<'static, str>),
    /// The token's `exp` has passed (`ExpiredSignatureError`).
    #[error("Token has expired")]
    Expired,
    /// The route needs a fresh token (`FreshTokenRequired`).
    #[error("Fresh token required")]
    FreshTokenRequired,
    /// The blocklist says the token is revoked (`RevokedTokenError`).
    #[error("Token has been revoked")]
    Revoked,
    /// The custom claims verification refused the token (`UserClaimsVerificationError`).
    #[error("User claims verification failed")]
    UserClaimsVerificationFailed,
    /// The user lookup found no user for the identity (`UserLookupError`).
    #[error("Error loading the user {0}")]
    UserLookup(String),
    /// The remote JWKS could not be fetched and no key is cached (503).
    #[error("Signing keys unavailable")]
    KeysUnavailable,
    /// A [`ClaimRule`](crate::ClaimRule) refused the token (403).
    #[error("{0}")]
    Forbidden(Cow<'static, str>),
    /// The token lacks a role or scope the route requires (403 with
    /// `WWW-Authenticate: Bearer error="insufficient_scope"`, RFC 6750
    /// section 3.1). `message` names what was required, never what the
    /// token holds; `scope` is the space-separated scopes required, if any.
    #[error("{message}")]
    InsufficientScope {
        /// What was required: `Role required: admin`.
        message: Cow<'static, str>,
        /// The scopes required, space-separated (RFC 6750's `scope`).
        scope: Option<Cow<'static, str>>,
    },
    /// The blocklist failed or timed out: the request is refused (fail closed).
    #[error("Token revocation status unavailable")]
    RevocationUnavailable,
    /// The app's user loader (`user_lookup_loader`, [`LoadUser`](crate::LoadUser))
    /// returned an `Err`: 503, so clients retry instead of logging out.
    #[error("{}", messages::USER_LOOKUP_UNAVAILABLE)]
    UserLookupUnavailable,
    /// The app's `token_verification_loader` returned an `Err`: 503.
    #[error("{}", messages::VERIFICATION_UNAVAILABLE)]
    VerificationUnavailable,
    /// A protected handler was reached without `JwtManager::layer()` on the router.
    #[error("{}", messages::MISSING_LAYER)]
    MissingLayer,
    /// The body had to be read to look for a token (JSON location, CSRF form
    /// field) but is larger than `json_body_limit`.
    #[error("Request body too large")]
    PayloadTooLarge,
    /// The body had to be read to look for a token but could not be read.
    #[error("Failed to read the request body")]
    BodyUnreadable,
    /// The body had to be read to look for a token but did not arrive within
    /// `body_read_timeout` (408).
    #[error("Timed out reading the request body")]
    BodyTimeout,
    /// [`JwtContext::try_current`](crate::JwtContext::try_current) was called
    /// where no guard verified a token (Flask's `RuntimeError`; 500).
    #[error("{}", messages::NOT_VERIFIED)]
    NotVerified,
    /// A free function such as `create_access_token` was called outside a request
    /// under `JwtManager::layer()`.
    #[error("no JwtManager in scope: call this inside a handler under `JwtManager::layer()`, or call the method of the same name on `JwtManager`")]
    NoManager,
    /// An option of `JwtConfig` is invalid; the message names the Flask option.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A token could not be created (for example an identity that is not a string
    /// while `verify_sub` is on, or an additional claim that would override a
    /// reserved one).
    #[error("cannot create token: {0}")]
    Encode(String),
}

impl JwtError {
    pub(crate) fn invalid(msg: impl Into<Cow<'static, str>>) -> Self {
        JwtError::InvalidToken(msg.into())
    }

    /// A stable name for the kind of error (`expired`, `invalid_token`, ...), for
    /// logs and metrics; never contains request data.
    pub fn kind(&self) -> &'static str {
        match self {
            JwtError::NoAuthorization(_) => "no_authorization",
            JwtError::Csrf(_) => "csrf",
            JwtError::InvalidHeader(_) => "invalid_header",
            JwtError::InvalidToken(_) => "invalid_token",
            JwtError::WrongTokenType(_) => "wrong_token_type",
            JwtError::Expired => "expired_token",
            JwtError::FreshTokenRequired => "fresh_token_required",
            JwtError::Revoked => "revoked_token",
            JwtError::UserClaimsVerificationFailed => "user_claims_verification_failed",
            JwtError::UserLookup(_) => "user_lookup",
            JwtError::RevocationUnavailable => "revocation_unavailable",
            JwtError::UserLookupUnavailable => "user_lookup_unavailable",
            JwtError::VerificationUnavailable => "verification_unavailable",
            JwtError::KeysUnavailable => "keys_unavailable",
            JwtError::Forbidden(_) => "forbidden",
            JwtError::InsufficientScope { .. } => "insufficient_scope",
            JwtError::PayloadTooLarge => "payload_too_large",
            JwtError::BodyUnreadable => "body_unreadable",
            JwtError::BodyTimeout => "body_timeout",
            JwtError::MissingLayer => "missing_layer",
            JwtError::NoManager => "no_manager",
            JwtError::NotVerified => "not_verified",
            JwtError::Config(_) => "config",
            JwtError::Encode(_) => "encode",
        }
    }

    /// The HTTP status Flask-JWT-Extended answers with for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            JwtError::NoAuthorization(_)
            | JwtError::Csrf(_)
            | JwtError::Expired
            | JwtError::FreshTokenRequired
            | JwtError::Revoked
            | JwtError::UserLookup(_) => StatusCode::UNAUTHORIZED,
            JwtError::InvalidHeader(_)
            | JwtError::InvalidToken(_)
            | JwtError::WrongTokenType(_) => StatusCode::UNPROCESSABLE_ENTITY,
            JwtError::UserClaimsVerificationFailed | JwtError::BodyUnreadable => {
                StatusCode::BAD_REQUEST
            }
            JwtError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            JwtError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            JwtError::Forbidden(_) | JwtError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            JwtError::RevocationUnavailable
            | JwtError::UserLookupUnavailable
            | JwtError::VerificationUnavailable
            | JwtError::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            JwtError::MissingLayer
            | JwtError::NotVerified
            | JwtError::NoManager
            | JwtError::Config(_)
            | JwtError::Encode(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `WWW-Authenticate` challenge sent with a 401 (RFC 6750 section 3).
    ///
    /// A request without credentials gets a bare `Bearer` challenge; a token that
    /// was presented but is not acceptable gets `error="invalid_token"`.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        match self {
            JwtError::NoAuthorization(_) | JwtError::Csrf(_) | JwtError::UserLookup(_) => {
                Some(HeaderValue::from_static("Bearer"))
            }
            JwtError::Expired => Some(HeaderValue::from_static(
                "Bearer error=\"invalid_token\", error_description=\"Token has expired\"",
            )),
            JwtError::Revoked => Some(HeaderValue::from_static(
                "Bearer error=\"invalid_token\", error_description=\"Token has been revoked\"",
            )),
            JwtError::FreshTokenRequired => Some(HeaderValue::from_static(
                "Bearer error=\"invalid_token\", error_description=\"Fresh token required\"",
            )),
            JwtError::InsufficientScope { message, scope } => {
                let mut challenge = format!(
                    "Bearer error=\"insufficient_scope\", error_description=\"{}\"",
                    quoted(message)
                );
                if let Some(scope) = scope {
                    challenge.push_str(&format!(", scope=\"{}\"", quoted(scope)));
                }
                Some(
                    HeaderValue::from_str(&challenge).unwrap_or(HeaderValue::from_static(
                        "Bearer error=\"insufficient_scope\"",
                    )),
                )
            }
            _ => None,
        }
    }

    /// The challenge under the RFC 6750 profile
    /// ([`JwtConfigBuilder::rfc6750`](crate::JwtConfigBuilder::rfc6750)):
    /// `invalid_token` with the message for every refused token,
    /// `invalid_request` for a malformed request, `insufficient_scope` for
    /// a missing role or scope, a bare `Bearer` without credentials.
    pub fn rfc6750_challenge(&self) -> Option<HeaderValue> {
        let (code, description) = match self.rfc6750_status()? {
            StatusCode::UNAUTHORIZED => match self {
                JwtError::NoAuthorization(_) | JwtError::Csrf(_) => {
                    return Some(HeaderValue::from_static("Bearer"))
                }
                // The identity is the token's text: kept out of headers
                // (the body, Flask's, still names it).
                JwtError::UserLookup(_) => ("invalid_token", messages::USER_LOOKUP.to_owned()),
                _ => ("invalid_token", self.to_string()),
            },
            StatusCode::BAD_REQUEST => ("invalid_request", self.to_string()),
            StatusCode::FORBIDDEN => return self.www_authenticate(),
            _ => return None,
        };
        let challenge = format!(
            "Bearer error=\"{code}\", error_description=\"{}\"",
            quoted(&description)
        );
        Some(
            HeaderValue::from_str(&challenge)
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer error=\"invalid_token\"")),
        )
    }

    /// The status under the RFC 6750 profile: a refused token is 401, a
    /// malformed request 400, a missing role or scope 403; `None` for the
    /// errors the profile leaves as they are (503, 5xx, 408, 413, 403 of a
    /// claim rule).
    pub fn rfc6750_status(&self) -> Option<StatusCode> {
        match self {
            JwtError::NoAuthorization(_)
            | JwtError::Csrf(_)
            | JwtError::InvalidToken(_)
            | JwtError::WrongTokenType(_)
            | JwtError::Expired
            | JwtError::FreshTokenRequired
            | JwtError::Revoked
            | JwtError::UserClaimsVerificationFailed
            | JwtError::UserLookup(_) => Some(StatusCode::UNAUTHORIZED),
            JwtError::InvalidHeader(_) | JwtError::BodyUnreadable => Some(StatusCode::BAD_REQUEST),
            JwtError::InsufficientScope { .. } => Some(StatusCode::FORBIDDEN),
            _ => None,
        }
    }

    /// Renders the error as Flask does, with `key` as the message key.
    ///
    /// ```
    /// use axum_jwt_extended::JwtError;
    /// let response = JwtError::Expired.to_response("msg");
    /// assert_eq!(response.status().as_u16(), 401);
    /// ```
    pub fn to_response(&self, key: &str) -> Response {
        self.render(key, false)
    }

    /// The default rendering: Flask's statuses and challenges, or under
    /// the RFC 6750 profile its statuses and challenges; the body is
    /// `{key: message}` either way.
    pub(crate) fn render(&self, key: &str, rfc6750: bool) -> Response {
        let mut body = serde_json::Map::with_capacity(1);
        body.insert(key.to_owned(), serde_json::Value::String(self.to_string()));
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = Response::new(axum_core::body::Body::from(bytes));
        let (status, challenge) = if rfc6750 {
            (
                self.rfc6750_status().unwrap_or_else(|| self.status()),
                self.rfc6750_challenge(),
            )
        } else {
            (self.status(), self.www_authenticate())
        };
        *res.status_mut() = status;
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(challenge) = challenge {
            res.headers_mut().insert(WWW_AUTHENTICATE, challenge);
        }
        res
    }
}
