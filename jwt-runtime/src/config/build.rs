//! Validation: from a [`JwtConfigBuilder`] to a [`JwtConfig`], as named
//! steps, every mistake an `Err` naming the Flask option.

use std::str::FromStr;
use std::sync::Arc;

use http::HeaderName;
use jsonwebtoken::Algorithm;

use super::{
    Audience, CookieConfig, Expires, JwtConfig, JwtConfigBuilder, SameSite, StrictProfile,
};
use crate::error::JwtError;
use crate::keys::{KeySet, KeySources, LegacySecret};
use crate::location::Location;

impl JwtConfigBuilder {
    /// Validates the options. Every mistake is an `Err` naming the Flask option.
    pub fn build(mut self) -> Result<JwtConfig, JwtError> {
        if let Some(option) = self.negative_spans.first() {
            return Err(JwtError::Config(format!(
                "{option}: a timeout cannot be negative"
            )));
        }
        let (algorithm, decode_algorithms) = self.algorithms()?;
        let legacy = self.legacy(algorithm)?;
        let no_key_material = self.secret_key.is_none()
            && legacy.is_none()
            && self.private_key.is_none()
            && self.public_key.is_none()
            && self.jwks.is_none()
            && self.rotated_keys.is_empty();
        let keys = Arc::new(if no_key_material && !self.issuers.is_empty() {
            KeySet::empty()
        } else {
            KeySet::build(&KeySources {
                algorithm,
                decode_algorithms: &decode_algorithms,
                secret: match &legacy {
                    Some((secret, LegacySecret::SignAndVerify)) => Some(secret.as_slice()),
                    _ => self.secret_key.as_deref().map(Vec::as_slice),
                },
                legacy: legacy
                    .as_ref()
                    .map(|(secret, usage)| (secret.as_slice(), *usage)),
                private_pem: self.private_key.as_deref().map(Vec::as_slice),
                public_pem: self.public_key.as_deref(),
                allow_weak: self.allow_weak_keys,
                key_id: self.key_id.as_deref(),
                rotated: &self.rotated_keys,
                remote: self.jwks.is_some(),
            })?
        });
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
        let trusted = std::mem::take(&mut self.issuers);
        let mut config = JwtConfig {
            strict,
            blocklist_timeout: self.blocklist_timeout,
            verified_token_cache: self.verified_token_cache,
            token_kinds: self.checked_token_kinds()?,
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
            rfc6750: self.rfc6750,
            websocket_protocol_prefix: self.websocket_protocol_prefix,
            websocket_origins: self.websocket_origins,
            grants: Arc::new(self.grants),
            issuers: Arc::from(Vec::new()),
        };
        config.issuers = super::trusted::profiles(&trusted, &config)?;
        Ok(config)
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

    /// The registered app-defined token types: never empty, `access` or
    /// `refresh` (those are the built-in types).
    fn checked_token_kinds(&self) -> Result<Arc<[&'static str]>, JwtError> {
        if let Some(name) = self
            .token_kinds
            .iter()
            .find(|name| matches!(**name, "" | "access" | "refresh"))
        {
            return Err(JwtError::Config(format!(
                "token_kind: TokenKind::NAME {name:?} names a built-in token type; an \
                 app-defined type needs a name of its own"
            )));
        }
        Ok(Arc::from(self.token_kinds.as_slice()))
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

impl JwtConfigBuilder {
    /// The legacy secret and its use, checked against the other key options,
    /// with the startup warning.
    fn legacy(&self, algorithm: Algorithm) -> Result<Option<super::builder::Legacy>, JwtError> {
        let Some((secret, usage)) = self.legacy_secret.clone() else {
            return Ok(None);
        };
        let err = |text: &str| Err(JwtError::Config(format!("legacy_secret: {text}")));
        if secret.is_empty() {
            return err("the secret is empty");
        }
        if algorithm.family() != jsonwebtoken::AlgorithmFamily::Hmac {
            return err(
                "a legacy secret is an HMAC secret; JWT_ALGORITHM must be HS256, HS384 or HS512",
            );
        }
        match usage {
            LegacySecret::SignAndVerify if self.secret_key.is_some() => {
                return err("with LegacySecret::SignAndVerify the legacy secret signs: do not also set secret_key (JWT_SECRET_KEY)");
            }
            LegacySecret::VerifyOnly if self.secret_key.is_none() || self.key_id.is_none() => {
                return err("with LegacySecret::VerifyOnly new tokens are signed with secret_key (JWT_SECRET_KEY) under key_id, so that only the Flask service's tokens (without a kid) meet the legacy secret: set both");
            }
            _ => {}
        }
        #[cfg(feature = "tracing")]
        if secret.len() < crate::keys::min_hmac_secret(algorithm) {
            tracing::warn!(
                target: "axum_jwt_extended",
                bytes = secret.len(),
                needs = crate::keys::min_hmac_secret(algorithm),
                usage = ?usage,
                "a legacy HMAC secret shorter than RFC 7518 asks is in use for a migration (legacy_secret): rotate it to a random secret of full length once the Flask service is gone"
            );
        }
        Ok(Some((secret, usage)))
    }
}
