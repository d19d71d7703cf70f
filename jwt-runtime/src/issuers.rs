//! Issuers this service trusts besides itself: an identity provider's keys
//! (local, a JWKS URL or OpenID Connect discovery), its audiences and
//! algorithms, and where its tokens keep the identity, roles and scopes.

use std::fmt;

use jsonwebtoken::Algorithm;

use crate::claim_paths::{ClaimPath, ClaimPaths, Grant};
#[cfg(feature = "jwks-http")]
use crate::error::JwtError;
use crate::jwks::RemoteJwks;
use crate::keys::VerificationKey;

/// The asymmetric algorithms a provider's tokens may use when the issuer
/// does not name its own (never `HS*`: a provider's public key is no secret).
pub(crate) const PROVIDER_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// An identity provider (Keycloak, Auth0, Okta, Cognito, Entra ID, Google,
/// another service of yours) whose tokens this service accepts, for
/// [`JwtConfigBuilder::trust_issuer`](crate::JwtConfigBuilder::trust_issuer).
///
/// A token is matched to its issuer by its `iss` claim before any key is
/// used: a token naming an issuer that is not trusted is refused (`422
/// Invalid issuer`) without a fetch. Each issuer has its own keys,
/// audiences, algorithms and claim layout; tokens this service mints itself
/// keep verifying with its own keys beside them.
///
/// ```
/// use axum_jwt_extended::{Issuer, JwtConfig, JwtManager, RemoteJwks};
/// # #[cfg(feature = "jwks-https")] {
/// let keycloak = Issuer::discover("https://sso.example.com/realms/acme")?
///     .audience("notes-api")
///     .roles_claims(["realm_access.roles", "resource_access.notes-api.roles"]);
/// let auth0 = Issuer::with_jwks(
///     "https://example.eu.auth0.com/",
///     RemoteJwks::https("https://example.eu.auth0.com/.well-known/jwks.json")?,
/// )
/// .audience("https://notes.example.com")
/// .roles_claims(["https://notes.example.com/roles"]);
/// let jwt = JwtManager::new(
///     JwtConfig::builder()
///         .secret_key("a long, random secret of 32+ bytes") // our own tokens
///         .trust_issuer(keycloak)
///         .trust_issuer(auth0)
///         .build()?,
/// )?;
/// # let _ = jwt;
/// # }
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct Issuer {
    pub(crate) name: String,
    pub(crate) keys: Vec<VerificationKey>,
    pub(crate) jwks: Option<RemoteJwks>,
    pub(crate) audiences: Vec<String>,
    pub(crate) any_audience: bool,
    pub(crate) algorithms: Option<Vec<Algorithm>>,
    pub(crate) identity_claim: Option<String>,
    pub(crate) grants: ClaimPaths,
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("name", &self.name)
            .field("keys", &self.keys.len())
            .field("jwks", &self.jwks)
            .field("audiences", &self.audiences)
            .field("algorithms", &self.algorithms)
            .field("identity_claim", &self.identity_claim)
            .field("grants", &self.grants)
            .finish()
    }
}

impl Issuer {
    fn named(issuer: &str) -> Self {
        Issuer {
            name: issuer.to_owned(),
            keys: Vec::new(),
            jwks: None,
            audiences: Vec::new(),
            any_audience: false,
            algorithms: None,
            identity_claim: None,
            grants: ClaimPaths::default(),
        }
    }

    /// An issuer whose keys come from `jwks`.
    pub fn with_jwks(issuer: &str, jwks: RemoteJwks) -> Self {
        Issuer {
            jwks: Some(jwks),
            ..Self::named(issuer)
        }
    }

    /// An issuer with keys configured here (a partner's public keys, a
    /// service of yours that signs with its own key pair).
    ///
    /// ```
    /// use axum_jwt_extended::{Issuer, VerificationKey};
    /// use axum_jwt_extended::Algorithm;
    /// # let pem = include_str!("../../tests/fixtures/keys/ec256-public.pem");
    /// let key = VerificationKey::from_pem(Algorithm::ES256, pem)?.with_kid("p1");
    /// let partner = Issuer::with_keys("https://partner.example", [key])
    ///     .audience("our-api");
    /// # let _ = partner;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn with_keys(issuer: &str, keys: impl IntoIterator<Item = VerificationKey>) -> Self {
        Issuer {
            keys: keys.into_iter().collect(),
            ..Self::named(issuer)
        }
    }

    /// An OpenID Connect provider found by discovery: its
    /// `/.well-known/openid-configuration` is fetched when the first token
    /// arrives (or on [`RemoteJwks::prefetch`] of [`jwks`](Self::jwks)), its
    /// `issuer` must be exactly `issuer`, and its `jwks_uri` and
    /// `id_token_signing_alg_values_supported` give the keys and the
    /// algorithms. While the provider cannot be reached, requests answer
    /// `503 Signing keys unavailable`; startup does not wait for it.
    ///
    /// `https://` with the platform's roots and `SSL_CERT_FILE`'s
    /// (feature `jwks-https`); `http://` only on loopback (a development
    /// provider).
    ///
    /// ```
    /// use axum_jwt_extended::Issuer;
    /// # #[cfg(feature = "jwks-https")] {
    /// let google = Issuer::discover("https://accounts.google.com")?.audience("my-client-id.apps.googleusercontent.com");
    /// # let _ = google;
    /// # }
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    #[cfg(feature = "jwks-http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-http")))]
    pub fn discover(issuer: &str) -> Result<Self, JwtError> {
        #[cfg(feature = "jwks-https")]
        let client = if issuer.starts_with("https:") {
            crate::jwks::client::Client::tls(&crate::jwks::TlsRoots::platform()?)?
        } else {
            crate::jwks::client::Client::plain()
        };
        #[cfg(not(feature = "jwks-https"))]
        let client = if issuer.starts_with("https:") {
            return Err(JwtError::Config(format!(
                "OpenID issuer {issuer:?}: https needs the `jwks-https` feature"
            )));
        } else {
            crate::jwks::client::Client::plain()
        };
        Self::discover_with_client(issuer, client)
    }

    /// [`Issuer::discover`] trusting `roots` (a private CA).
    ///
    /// ```no_run
    /// use axum_jwt_extended::{Issuer, TlsRoots};
    /// let roots = TlsRoots::platform()?.add_pem_file("/etc/my-company/ca.pem")?;
    /// let sso = Issuer::discover_with_roots("https://sso.internal/realms/staff", roots)?.audience("notes-api");
    /// # let _ = sso;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    #[cfg(feature = "jwks-https")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-https")))]
    pub fn discover_with_roots(
        issuer: &str,
        roots: crate::jwks::TlsRoots,
    ) -> Result<Self, JwtError> {
        Self::discover_with_client(issuer, crate::jwks::client::Client::tls(&roots)?)
    }

    #[cfg(feature = "jwks-http")]
    fn discover_with_client(
        issuer: &str,
        client: crate::jwks::client::Client,
    ) -> Result<Self, JwtError> {
        let fetcher = crate::jwks::discovery::DiscoveryFetcher::new(issuer, client)?;
        Ok(Self::with_jwks(issuer, RemoteJwks::new(fetcher)))
    }

    /// Adds an audience this service accepts (`aud` must hold one of them).
    /// An issuer needs at least one, or [`any_audience`](Self::any_audience):
    /// a provider's tokens for your other APIs would pass otherwise.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts this issuer's tokens whatever their `aud` (for an issuer
    /// that only ever issues tokens for this service).
    pub fn any_audience(mut self) -> Self {
        self.any_audience = true;
        self
    }

    /// The algorithms this issuer's tokens may use (by default the
    /// asymmetric ones, narrowed by what discovery advertises).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// The claim holding the identity (`sub` by default; for example `oid`
    /// for Entra ID's object id, `email`, `preferred_username`).
    pub fn identity_claim(mut self, claim: impl Into<String>) -> Self {
        self.identity_claim = Some(claim.into());
        self
    }

    /// Where this issuer's tokens keep roles, replacing the default
    /// `roles` and `realm_access.roles`: dotted paths
    /// (`resource_access.<client>.roles`), a URL for a namespaced claim
    /// (Auth0's `https://example.com/roles` is one claim), or
    /// [`ClaimPath::from_segments`] for a member name with a dot in it.
    pub fn roles_claims<P: Into<ClaimPath>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.grants
            .set(Grant::Roles, paths.into_iter().map(Into::into).collect());
        self
    }

    /// Where this issuer's tokens keep scopes, replacing the default `scope`
    /// and `scp`.
    pub fn scopes_claims<P: Into<ClaimPath>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.grants
            .set(Grant::Scopes, paths.into_iter().map(Into::into).collect());
        self
    }

    /// Tunes the issuer's remote key set (refresh interval, lifetime, fetch
    /// deadline); no effect on an issuer with local keys.
    ///
    /// ```
    /// use std::time::Duration;
    /// use axum_jwt_extended::Issuer;
    /// # #[cfg(feature = "jwks-https")] {
    /// let sso = Issuer::discover("https://sso.example.com/realms/acme")?
    ///     .audience("notes-api")
    ///     .configure_jwks(|jwks| jwks.min_refresh_interval(Duration::from_secs(10)).fetch_timeout(Duration::from_secs(2)));
    /// # let _ = sso;
    /// # }
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn configure_jwks(mut self, f: impl FnOnce(RemoteJwks) -> RemoteJwks) -> Self {
        self.jwks = self.jwks.map(f);
        self
    }

    /// The issuer identifier (`iss`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The remote key set, to [`prefetch`](RemoteJwks::prefetch) it at startup.
    pub fn jwks(&self) -> Option<&RemoteJwks> {
        self.jwks.as_ref()
    }
}
