//! Stand-ins for the items of disabled features: calling one is a compile
//! error that names the feature to enable, instead of "not found".
//!
//! Each stand-in takes its arguments through a sealed trait that nothing
//! implements, so no call compiles and no body ever runs.

#![cfg(any(
    not(feature = "cookies"),
    not(feature = "jwks-https"),
    not(feature = "redis")
))]

use std::convert::Infallible;

mod sealed {
    pub trait Sealed {}
}

/// Implemented by nothing: the argument of an item of the disabled `cookies`
/// feature.
#[cfg(not(feature = "cookies"))]
#[diagnostic::on_unimplemented(
    message = "this needs the `cookies` feature of axum-jwt-extended",
    label = "available with the `cookies` feature",
    note = "enable it: axum-jwt-extended = {{ version = \"0.1\", features = [\"cookies\"] }} (it is on by default)"
)]
pub trait NeedsCookiesFeature: sealed::Sealed {
    #[doc(hidden)]
    fn unavailable(self) -> Infallible;
}

/// Implemented by nothing: the argument of an item of the disabled
/// `jwks-http` feature.
#[cfg(not(feature = "jwks-http"))]
#[diagnostic::on_unimplemented(
    message = "this needs the `jwks-http` feature of axum-jwt-extended",
    label = "available with the `jwks-http` feature",
    note = "enable it: axum-jwt-extended = {{ version = \"0.1\", features = [\"jwks-http\"] }}, or implement JwksFetcher for your own client"
)]
pub trait NeedsJwksHttpFeature: sealed::Sealed {
    #[doc(hidden)]
    fn unavailable(self) -> Infallible;
}

/// Implemented by nothing: the argument of an item of the disabled
/// `jwks-https` feature.
#[cfg(not(feature = "jwks-https"))]
#[diagnostic::on_unimplemented(
    message = "this needs the `jwks-https` feature of axum-jwt-extended",
    label = "available with the `jwks-https` feature",
    note = "enable it: axum-jwt-extended = {{ version = \"0.1\", features = [\"jwks-https\"] }}"
)]
pub trait NeedsJwksHttpsFeature: sealed::Sealed {
    #[doc(hidden)]
    fn unavailable(self) -> Infallible;
}

/// Implemented by nothing: the argument of an item of the disabled `redis`
/// feature.
#[cfg(not(feature = "redis"))]
#[diagnostic::on_unimplemented(
    message = "this needs the `redis` feature of axum-jwt-extended",
    label = "available with the `redis` feature",
    note = "enable it: axum-jwt-extended = {{ version = \"0.1\", features = [\"redis\"] }}"
)]
pub trait NeedsRedisFeature: sealed::Sealed {
    #[doc(hidden)]
    fn unavailable(self) -> Infallible;
}

/// Needs the `redis` feature: the shared blocklist of a fleet.
#[cfg(not(feature = "redis"))]
#[derive(Debug)]
pub struct RedisBlocklist(Infallible);

#[cfg(not(feature = "redis"))]
impl RedisBlocklist {
    /// Needs the `redis` feature.
    pub fn new<U: NeedsRedisFeature>(url: U) -> Self {
        match url.unavailable() {}
    }
}

/// Needs the `redis` feature: the shared sessions of a fleet.
#[cfg(not(feature = "redis"))]
#[derive(Debug)]
pub struct RedisSessionStore(Infallible);

#[cfg(not(feature = "redis"))]
impl RedisSessionStore {
    /// Needs the `redis` feature.
    pub fn new<U: NeedsRedisFeature>(url: U) -> Self {
        match url.unavailable() {}
    }
}

#[cfg(not(feature = "cookies"))]
mod cookies {
    use super::{Infallible, NeedsCookiesFeature};
    use crate::layer::JwtLayer;
    use crate::manager::JwtManager;

    /// A bound only a call can check (a bound on a concrete type would be
    /// refused where it is written): `&'a ()` implements nothing.
    fn unavailable<'a>() -> Infallible
    where
        &'a (): NeedsCookiesFeature,
    {
        let unit: &'a () = &();
        unit.unavailable()
    }

    /// Needs the `cookies` feature.
    #[derive(Debug)]
    pub struct JwtCookies(Infallible);

    /// Needs the `cookies` feature.
    #[derive(Debug)]
    pub struct CookieOptions(Infallible);

    impl CookieOptions {
        /// Needs the `cookies` feature.
        pub fn new<'a>() -> Self
        where
            &'a (): NeedsCookiesFeature,
        {
            match unavailable() {}
        }
    }

    /// Needs the `cookies` feature.
    pub fn set_access_cookies<T: NeedsCookiesFeature>(token: T) -> Infallible {
        token.unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn set_refresh_cookies<T: NeedsCookiesFeature>(token: T) -> Infallible {
        token.unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn set_access_cookies_with<T: NeedsCookiesFeature, O>(token: T, _: O) -> Infallible {
        token.unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn set_refresh_cookies_with<T: NeedsCookiesFeature, O>(token: T, _: O) -> Infallible {
        token.unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn unset_jwt_cookies<'a>() -> Infallible
    where
        &'a (): NeedsCookiesFeature,
    {
        unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn unset_access_cookies<'a>() -> Infallible
    where
        &'a (): NeedsCookiesFeature,
    {
        unavailable()
    }

    /// Needs the `cookies` feature.
    pub fn unset_refresh_cookies<'a>() -> Infallible
    where
        &'a (): NeedsCookiesFeature,
    {
        unavailable()
    }

    impl JwtManager {
        /// Needs the `cookies` feature.
        pub fn set_access_cookies<T: NeedsCookiesFeature>(&self, token: T) -> Infallible {
            token.unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn set_refresh_cookies<T: NeedsCookiesFeature>(&self, token: T) -> Infallible {
            token.unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn set_access_cookies_with<T: NeedsCookiesFeature, O>(
            &self,
            token: T,
            _: O,
        ) -> Infallible {
            token.unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn set_refresh_cookies_with<T: NeedsCookiesFeature, O>(
            &self,
            token: T,
            _: O,
        ) -> Infallible {
            token.unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn unset_access_cookies<'a>(&'a self) -> Infallible
        where
            &'a (): NeedsCookiesFeature,
        {
            unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn unset_refresh_cookies<'a>(&'a self) -> Infallible
        where
            &'a (): NeedsCookiesFeature,
        {
            unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn unset_jwt_cookies<'a>(&'a self) -> Infallible
        where
            &'a (): NeedsCookiesFeature,
        {
            unavailable()
        }

        /// Needs the `cookies` feature.
        pub fn unset_jwt_cookies_with_domain<T: NeedsCookiesFeature>(
            &self,
            domain: T,
        ) -> Infallible {
            domain.unavailable()
        }
    }

    impl JwtLayer {
        /// Needs the `cookies` feature.
        pub fn refresh_expiring_cookies<T: NeedsCookiesFeature>(self, window: T) -> Infallible {
            window.unavailable()
        }
    }
}

#[cfg(not(feature = "cookies"))]
pub use cookies::{
    set_access_cookies, set_access_cookies_with, set_refresh_cookies, set_refresh_cookies_with,
    unset_access_cookies, unset_jwt_cookies, unset_refresh_cookies, CookieOptions, JwtCookies,
};

#[cfg(not(feature = "jwks-http"))]
impl crate::jwks::RemoteJwks {
    /// Needs the `jwks-http` feature.
    pub fn http<U: NeedsJwksHttpFeature>(url: U) -> Infallible {
        url.unavailable()
    }
}

#[cfg(not(feature = "jwks-https"))]
impl crate::jwks::RemoteJwks {
    /// Needs the `jwks-https` feature.
    pub fn https<U: NeedsJwksHttpsFeature>(url: U) -> Infallible {
        url.unavailable()
    }

    /// Needs the `jwks-https` feature.
    pub fn https_with_roots<U: NeedsJwksHttpsFeature, R>(url: U, _roots: R) -> Infallible {
        url.unavailable()
    }
}

#[cfg(not(feature = "jwks-http"))]
impl crate::issuers::Issuer {
    /// Needs the `jwks-https` feature (or `jwks-http` for a loopback provider).
    pub fn discover<U: NeedsJwksHttpsFeature>(issuer: U) -> Infallible {
        issuer.unavailable()
    }
}

#[cfg(not(feature = "jwks-https"))]
impl crate::issuers::Issuer {
    /// Needs the `jwks-https` feature.
    pub fn discover_with_roots<U: NeedsJwksHttpsFeature, R>(issuer: U, _roots: R) -> Infallible {
        issuer.unavailable()
    }
}
