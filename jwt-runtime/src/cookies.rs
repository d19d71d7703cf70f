//! Cookie helpers (Flask's `set_access_cookies` and friends) and the request
//! cookie parsing of the `cookies` location.

use axum_core::response::{IntoResponseParts, ResponseParts};
use cookie::Cookie;
use http::header::{HeaderValue, SET_COOKIE};
use http::HeaderMap;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::config::JwtConfig;
use crate::error::JwtError;
use crate::manager::JwtManager;

/// Flask's `max_age` and `domain` arguments of the cookie helpers.
///
/// ```
/// use axum_jwt_extended::CookieOptions;
/// let opts = CookieOptions::new().max_age(time::Duration::hours(1)).domain("example.com");
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default)]
pub struct CookieOptions {
    max_age: Option<Duration>,
    domain: Option<String>,
}

impl CookieOptions {
    /// Flask's defaults: `JWT_SESSION_COOKIE` decides the lifetime, `JWT_COOKIE_DOMAIN` the domain.
    pub fn new() -> Self {
        Self::default()
    }
    /// A `Max-Age` (and `Expires`) for these cookies, whatever `JWT_SESSION_COOKIE` says.
    pub fn max_age(mut self, max_age: impl crate::clock::IntoDuration) -> Self {
        self.max_age = Some(max_age.into_time());
        self
    }
    /// A `Domain` for these cookies, instead of `JWT_COOKIE_DOMAIN`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }
}

/// `Set-Cookie` headers to add to a response: returned by
/// [`set_access_cookies`](crate::set_access_cookies) and friends.
///
/// It is an [`IntoResponseParts`], so it goes into a handler's response tuple;
/// [`cookies`](Self::cookies) gives the cookies for a jar (axum-extra's
/// `CookieJar`, for example).
///
/// ```
/// use axum::response::IntoResponse;
/// use axum::Json;
/// use axum_jwt_extended::{create_access_token, set_access_cookies, JwtError};
/// use serde_json::json;
///
/// async fn login() -> Result<impl IntoResponse, JwtError> {
///     let token = create_access_token("alice")?;
///     Ok((set_access_cookies(&token)?, Json(json!({ "login": true }))))
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct JwtCookies {
    cookies: Vec<Cookie<'static>>,
}

impl JwtCookies {
    /// The cookies, for a cookie jar.
    pub fn cookies(&self) -> &[Cookie<'static>] {
        &self.cookies
    }

    /// Adds another set (for example access and refresh cookies in one value).
    pub fn and(mut self, other: JwtCookies) -> Self {
        self.cookies.extend(other.cookies);
        self
    }

    /// Appends the `Set-Cookie` headers to `headers`.
    pub fn append_to(&self, headers: &mut HeaderMap) {
        for c in &self.cookies {
            if let Ok(value) = HeaderValue::try_from(c.to_string()) {
                headers.append(SET_COOKIE, value);
            }
        }
    }
}

impl IntoResponseParts for JwtCookies {
    type Error = std::convert::Infallible;
    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.append_to(res.headers_mut());
        Ok(res)
    }
}

/// Which pair of cookies.
#[derive(Clone, Copy)]
enum Pair {
    Access,
    Refresh,
}

struct Names<'a> {
    token: &'a str,
    token_path: &'a str,
    csrf: &'a str,
    csrf_path: &'a str,
}

fn names(config: &JwtConfig, pair: Pair) -> Names<'_> {
    let c = &config.cookies;
    match pair {
        Pair::Access => Names {
            token: &c.access_cookie_name,
            token_path: &c.access_cookie_path,
            csrf: &c.access_csrf_cookie_name,
            csrf_path: &c.access_csrf_cookie_path,
        },
        Pair::Refresh => Names {
            token: &c.refresh_cookie_name,
            token_path: &c.refresh_cookie_path,
            csrf: &c.refresh_csrf_cookie_name,
            csrf_path: &c.refresh_csrf_cookie_path,
        },
    }
}

/// One year, Flask's `cookie_max_age` when `JWT_SESSION_COOKIE` is off.
const NON_SESSION_MAX_AGE: i64 = 31_540_000;

fn build(
    config: &JwtConfig,
    name: &str,
    value: String,
    path: &str,
    http_only: bool,
    expiry: Expiry,
    domain: Option<&str>,
) -> Cookie<'static> {
    let c = &config.cookies;
    let mut cookie = Cookie::build((name.to_owned(), value))
        .path(path.to_owned())
        .http_only(http_only)
        .secure(c.secure)
        .build();
    if let Some(domain) = domain.or(c.domain.as_deref()) {
        cookie.set_domain(domain.to_owned());
    }
    if let Some(samesite) = c.samesite {
        cookie.set_same_site(match samesite {
            crate::config::SameSite::Strict => cookie::SameSite::Strict,
            crate::config::SameSite::Lax => cookie::SameSite::Lax,
            crate::config::SameSite::None => cookie::SameSite::None,
        });
    }
    match expiry {
        Expiry::Session => {}
        Expiry::MaxAge(max_age, now) => {
            cookie.set_max_age(max_age);
            cookie.set_expires(now + max_age);
        }
        Expiry::Unset => cookie.set_expires(OffsetDateTime::UNIX_EPOCH),
    }
    cookie
}

#[derive(Clone, Copy)]
enum Expiry {
    Session,
    MaxAge(Duration, OffsetDateTime),
    Unset,
}

#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
impl JwtManager {
    fn set_cookies(
        &self,
        pair: Pair,
        token: &str,
        options: &CookieOptions,
    ) -> Result<JwtCookies, JwtError> {
        let config = self.config();
        let n = names(config, pair);
        let now = OffsetDateTime::from_unix_timestamp(config.clock.now() as i64)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let expiry = match options.max_age {
            Some(max_age) => Expiry::MaxAge(max_age, now),
            None if config.cookies.session_cookie => Expiry::Session,
            None => Expiry::MaxAge(Duration::seconds(NON_SESSION_MAX_AGE), now),
        };
        let domain = options.domain.as_deref();
        let mut cookies = vec![build(
            config,
            n.token,
            token.to_owned(),
            n.token_path,
            true,
            expiry,
            domain,
        )];
        if config.csrf_protect && config.cookies.csrf_in_cookies {
            let decoded = self.decode_token(token, false)?;
            let csrf = match decoded.get("csrf") {
                Some(Value::String(csrf)) => csrf.clone(),
                _ => {
                    return Err(JwtError::Encode(
                        "the token has no `csrf` claim: mint it with csrf_protect (JWT_COOKIE_CSRF_PROTECT) on".into(),
                    ))
                }
            };
            cookies.push(build(
                config,
                n.csrf,
                csrf,
                n.csrf_path,
                false,
                expiry,
                domain,
            ));
        }
        Ok(JwtCookies { cookies })
    }

    fn unset_cookies(&self, pair: Pair, domain: Option<&str>) -> JwtCookies {
        let config = self.config();
        let n = names(config, pair);
        let mut cookies = vec![build(
            config,
            n.token,
            String::new(),
            n.token_path,
            true,
            Expiry::Unset,
            domain,
        )];
        if config.csrf_protect && config.cookies.csrf_in_cookies {
            cookies.push(build(
                config,
                n.csrf,
                String::new(),
                n.csrf_path,
                false,
                Expiry::Unset,
                domain,
            ));
        }
        JwtCookies { cookies }
    }

    /// Flask's `set_access_cookies`: the access token in an `HttpOnly` cookie,
    /// and its CSRF value in a readable cookie (with `csrf_in_cookies`). The
    /// token is verified first.
    pub fn set_access_cookies(&self, token: &str) -> Result<JwtCookies, JwtError> {
        self.set_cookies(Pair::Access, token, &CookieOptions::default())
    }
    /// [`set_access_cookies`](Self::set_access_cookies) with Flask's `max_age` and `domain`.
    pub fn set_access_cookies_with(
        &self,
        token: &str,
        options: CookieOptions,
    ) -> Result<JwtCookies, JwtError> {
        self.set_cookies(Pair::Access, token, &options)
    }
    /// Flask's `set_refresh_cookies`.
    pub fn set_refresh_cookies(&self, token: &str) -> Result<JwtCookies, JwtError> {
        self.set_cookies(Pair::Refresh, token, &CookieOptions::default())
    }
    /// [`set_refresh_cookies`](Self::set_refresh_cookies) with Flask's `max_age` and `domain`.
    pub fn set_refresh_cookies_with(
        &self,
        token: &str,
        options: CookieOptions,
    ) -> Result<JwtCookies, JwtError> {
        self.set_cookies(Pair::Refresh, token, &options)
    }
    /// Flask's `unset_access_cookies`: expires the access and access-CSRF cookies.
    pub fn unset_access_cookies(&self) -> JwtCookies {
        self.unset_cookies(Pair::Access, None)
    }
    /// Flask's `unset_refresh_cookies`.
    pub fn unset_refresh_cookies(&self) -> JwtCookies {
        self.unset_cookies(Pair::Refresh, None)
    }
    /// Flask's `unset_jwt_cookies`: expires all four cookies.
    pub fn unset_jwt_cookies(&self) -> JwtCookies {
        self.unset_access_cookies()
            .and(self.unset_refresh_cookies())
    }
    /// [`unset_jwt_cookies`](Self::unset_jwt_cookies) for cookies set with another domain.
    pub fn unset_jwt_cookies_with_domain(&self, domain: &str) -> JwtCookies {
        self.unset_cookies(Pair::Access, Some(domain))
            .and(self.unset_cookies(Pair::Refresh, Some(domain)))
    }
}

/// Flask's `set_access_cookies`, with the manager of the current request.
pub fn set_access_cookies(token: &str) -> Result<JwtCookies, JwtError> {
    crate::guard::current::current()?.set_access_cookies(token)
}

/// Flask's `set_access_cookies` with `max_age`/`domain`.
pub fn set_access_cookies_with(
    token: &str,
    options: CookieOptions,
) -> Result<JwtCookies, JwtError> {
    crate::guard::current::current()?.set_access_cookies_with(token, options)
}

/// Flask's `set_refresh_cookies`, with the manager of the current request.
pub fn set_refresh_cookies(token: &str) -> Result<JwtCookies, JwtError> {
    crate::guard::current::current()?.set_refresh_cookies(token)
}

/// Flask's `set_refresh_cookies` with `max_age`/`domain`.
pub fn set_refresh_cookies_with(
    token: &str,
    options: CookieOptions,
) -> Result<JwtCookies, JwtError> {
    crate::guard::current::current()?.set_refresh_cookies_with(token, options)
}

/// Flask's `unset_jwt_cookies`: expires the access, refresh and CSRF cookies.
pub fn unset_jwt_cookies() -> Result<JwtCookies, JwtError> {
    Ok(crate::guard::current::current()?.unset_jwt_cookies())
}

/// Flask's `unset_access_cookies`.
pub fn unset_access_cookies() -> Result<JwtCookies, JwtError> {
    Ok(crate::guard::current::current()?.unset_access_cookies())
}

/// Flask's `unset_refresh_cookies`.
pub fn unset_refresh_cookies() -> Result<JwtCookies, JwtError> {
    Ok(crate::guard::current::current()?.unset_refresh_cookies())
}
