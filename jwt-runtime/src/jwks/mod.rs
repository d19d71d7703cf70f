//! A remote JWKS as the source of verification keys: cached for the
//! endpoint's `Cache-Control: max-age` (within bounds), refreshed in the
//! background before it goes stale and when a token names an unknown key id
//! (at most once per interval), and never fetched from an address a token
//! gives (`jku`, `x5u` are ignored).
//!
//! `http` is the built-in client (plain HTTP, and HTTPS with rustls under
//! `jwks-https`); `discovery` finds the key set of an OpenID Connect issuer.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::Value;

use crate::error::JwtError;
use crate::keys::VerificationKey;
use crate::store::BoxFuture;

#[cfg(feature = "jwks-http")]
pub(crate) mod client;
#[cfg(feature = "jwks-http")]
pub(crate) mod discovery;
#[cfg(feature = "jwks-https")]
mod tls;

#[cfg(feature = "jwks-https")]
pub use tls::TlsRoots;

/// Fetches a JWKS document. The built-in [`RemoteJwks::http`] and
/// [`RemoteJwks::https`] cover most endpoints; implement this trait with your
/// own HTTP client otherwise.
pub trait JwksFetcher: Send + Sync + fmt::Debug + 'static {
    /// The JWKS document (`{"keys": [...]}`), or why it could not be had.
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>>;

    /// The document with what the endpoint said of its lifetime. The default
    /// calls [`fetch`](Self::fetch) and says nothing, so the document is
    /// kept for [`RemoteJwks::max_age`].
    fn fetch_document(&self) -> BoxFuture<'_, Result<JwksDocument, String>> {
        Box::pin(async move { self.fetch().await.map(JwksDocument::new) })
    }
}

/// A fetched JWKS and what its endpoint said about it.
///
/// ```
/// use std::time::Duration;
/// use axum_jwt_extended::JwksDocument;
/// let doc = JwksDocument::new(serde_json::json!({"keys": []})).max_age(Duration::from_secs(300));
/// # let _ = doc;
/// ```
#[derive(Debug, Clone)]
pub struct JwksDocument {
    document: Value,
    max_age: Option<Duration>,
    algorithms: Option<Vec<Algorithm>>,
}

impl JwksDocument {
    /// The document (`{"keys": [...]}`), with no lifetime of its own.
    pub fn new(document: Value) -> Self {
        JwksDocument {
            document,
            max_age: None,
            algorithms: None,
        }
    }

    /// How long the endpoint lets the document be kept (its
    /// `Cache-Control: max-age`); bounded by
    /// [`RemoteJwks::min_refresh_interval`] and [`RemoteJwks::max_age`].
    pub fn max_age(mut self, max_age: impl crate::clock::IntoDuration) -> Self {
        self.max_age = Some(crate::clock::zero_if_negative(
            "JwksDocument::max_age",
            max_age,
        ));
        self
    }

    /// The only algorithms the keys may be used with (an OpenID provider's
    /// advertised signing algorithms); keys of others are dropped.
    pub fn algorithms(mut self, algorithms: Vec<Algorithm>) -> Self {
        self.algorithms = Some(algorithms);
        self
    }
}

/// A JWKS endpoint as a key source for [`JwtConfigBuilder::jwks`](crate::JwtConfigBuilder::jwks)
/// or an [`Issuer`](crate::Issuer).
///
/// The keys come from a [`JwksFetcher`]: [`RemoteJwks::http`] (feature
/// `jwks-http`) and [`RemoteJwks::https`] (feature `jwks-https`) are the
/// built-in ones.
///
/// ```
/// # #[cfg(feature = "jwks-http")] {
/// use std::time::Duration;
/// use axum_jwt_extended::{JwtConfig, RemoteJwks};
/// let jwks = RemoteJwks::http("http://127.0.0.1:8080/.well-known/jwks.json")?
///     .min_refresh_interval(Duration::from_secs(30))
///     .max_age(Duration::from_secs(3600));
/// let config = JwtConfig::builder().algorithm("RS256").jwks(jwks).build()?;
/// # }
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

struct Inner {
    fetcher: Box<dyn JwksFetcher>,
    state: RwLock<State>,
    refresh: tokio::sync::Mutex<()>,
    /// A background refresh is running.
    refreshing: AtomicBool,
    min_refresh_interval: Duration,
    max_age: Duration,
    fetch_timeout: Duration,
}

#[derive(Default)]
struct State {
    keys: Vec<Arc<VerificationKey>>,
    fetched_at: Option<Instant>,
    /// How long the current document is kept (`max_age`, or the endpoint's
    /// `Cache-Control: max-age` within bounds).
    ttl: Duration,
    last_attempt: Option<Instant>,
    /// Failed fetches in a row: retries back off from 1 s, doubling, up to
    /// `min_refresh_interval` (an outage at startup heals in seconds).
    failures: u32,
    /// Fetches started, to tell whether one ran while a request waited.
    attempts: u64,
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("fetcher", &self.inner.fetcher)
            .field("min_refresh_interval", &self.inner.min_refresh_interval)
            .field("max_age", &self.inner.max_age)
            .finish_non_exhaustive()
    }
}

/// What a lookup in the cache found.
struct Look {
    key: Option<Arc<VerificationKey>>,
    fresh: bool,
    may_fetch: bool,
    had_keys: bool,
    /// Past three quarters of its lifetime: refresh in the background.
    ageing: bool,
    /// Fetches started so far.
    attempts: u64,
    /// The last fetch failed.
    failing: bool,
}

impl RemoteJwks {
    /// A JWKS fetched by `fetcher`: refreshed at most every 60 s on an
    /// unknown key id, and at the latest after an hour.
    pub fn new(fetcher: impl JwksFetcher) -> Self {
        RemoteJwks {
            inner: Arc::new(Inner {
                fetcher: Box::new(fetcher),
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
                refreshing: AtomicBool::new(false),
                min_refresh_interval: Duration::from_secs(60),
                max_age: Duration::from_secs(3600),
                fetch_timeout: Duration::from_secs(5),
            }),
        }
    }

    /// A JWKS at a plain `http://` URL (for an `https://` one, see
    /// [`RemoteJwks::https`]). Needs the `jwks-http` feature.
    #[cfg(feature = "jwks-http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-http")))]
    pub fn http(url: &str) -> Result<Self, JwtError> {
        let uri = client::parse_url("JWKS URL", url)?;
        match uri.scheme_str() {
            Some("http") => Ok(Self::new(client::UrlFetcher::new(
                uri,
                client::Client::plain(),
            ))),
            Some("https") => Err(JwtError::Config(format!(
                "JWKS URL {url:?}: https needs RemoteJwks::https (feature `jwks-https`)"
            ))),
            _ => Err(JwtError::Config(format!(
                "JWKS URL {url:?} must be an http URL"
            ))),
        }
    }

    /// A JWKS at an `https://` URL, trusting the platform's roots and those
    /// of the `SSL_CERT_FILE` variable ([`TlsRoots::platform`]). Needs the
    /// `jwks-https` feature.
    ///
    /// ```
    /// use axum_jwt_extended::RemoteJwks;
    /// let jwks = RemoteJwks::https("https://example.eu.auth0.com/.well-known/jwks.json")?;
    /// # let _ = jwks;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    #[cfg(feature = "jwks-https")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-https")))]
    pub fn https(url: &str) -> Result<Self, JwtError> {
        Self::https_with_roots(url, TlsRoots::platform()?)
    }

    /// [`RemoteJwks::https`] trusting `roots` (for example a private CA).
    ///
    /// ```no_run
    /// use axum_jwt_extended::{RemoteJwks, TlsRoots};
    /// let roots = TlsRoots::platform()?.add_pem_file("/etc/my-company/ca.pem")?;
    /// let jwks = RemoteJwks::https_with_roots("https://sso.internal/jwks.json", roots)?;
    /// # let _ = jwks;
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    #[cfg(feature = "jwks-https")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-https")))]
    pub fn https_with_roots(url: &str, roots: TlsRoots) -> Result<Self, JwtError> {
        let uri = client::parse_url("JWKS URL", url)?;
        if uri.scheme_str() != Some("https") {
            return Err(JwtError::Config(format!(
                "JWKS URL {url:?} must be an https URL"
            )));
        }
        Ok(Self::new(client::UrlFetcher::new(
            uri,
            client::Client::tls(&roots)?,
        )))
    }

    fn with(self, f: impl FnOnce(&mut Inner)) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                f(&mut inner);
                RemoteJwks {
                    inner: Arc::new(inner),
                }
            }
            Err(shared) => RemoteJwks { inner: shared },
        }
    }

    /// The shortest time between two fetches (60 s): unknown key ids cannot
    /// make this service hammer the JWKS endpoint. Also the shortest time a
    /// document is kept, whatever its `Cache-Control` says. After a failed
    /// fetch, retries come sooner: 1 s, 2 s, 4 s, ... up to this interval,
    /// so that an outage of the provider heals within seconds.
    pub fn min_refresh_interval(self, interval: impl crate::clock::IntoDuration) -> Self {
        let interval = crate::clock::zero_if_negative("min_refresh_interval", interval);
        self.with(|i| i.min_refresh_interval = interval)
    }

    /// The longest time a fetched document is used (1 h). An endpoint's
    /// `Cache-Control: max-age` (or `no-cache`) shortens it, down to
    /// [`min_refresh_interval`](Self::min_refresh_interval); after three
    /// quarters of it, the next request starts a refresh in the background
    /// and is served from the cache meanwhile.
    pub fn max_age(self, max_age: impl crate::clock::IntoDuration) -> Self {
        let max_age = crate::clock::zero_if_negative("RemoteJwks::max_age", max_age);
        self.with(|i| i.max_age = max_age)
    }

    /// One deadline for a whole fetch (5 s): connecting, the response head
    /// and the body, whatever the fetcher. Requests waiting for that fetch
    /// give up at the same deadline and answer `503 Signing keys
    /// unavailable` when they have no key; a failed or timed-out attempt
    /// counts for [`min_refresh_interval`](Self::min_refresh_interval).
    ///
    /// ```
    /// # #[cfg(feature = "jwks-http")] {
    /// use std::time::Duration;
    /// use axum_jwt_extended::RemoteJwks;
    /// let jwks = RemoteJwks::http("http://127.0.0.1:8080/jwks.json")?.fetch_timeout(Duration::from_secs(2));
    /// # let _ = jwks;
    /// # }
    /// # Ok::<(), axum_jwt_extended::JwtError>(())
    /// ```
    pub fn fetch_timeout(self, timeout: impl crate::clock::IntoDuration) -> Self {
        let timeout = crate::clock::zero_if_negative("fetch_timeout", timeout);
        self.with(|i| i.fetch_timeout = timeout)
    }

    /// Fetches the key set now, within the fetch deadline: to warm the
    /// cache at startup. A failure is only reported; requests keep trying
    /// (rate-limited) and answer 503 until a fetch succeeds.
    ///
    /// ```
    /// # #[cfg(feature = "jwks-http")]
    /// # async fn warm() -> Result<(), axum_jwt_extended::JwtError> {
    /// use axum_jwt_extended::RemoteJwks;
    /// let jwks = RemoteJwks::http("http://127.0.0.1:8080/jwks.json")?;
    /// if jwks.prefetch().await.is_err() {
    ///     eprintln!("the identity provider is not reachable yet; requests answer 503 until it is");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn prefetch(&self) -> Result<(), JwtError> {
        let deadline = tokio::time::Instant::now() + self.inner.fetch_timeout;
        let Ok(_guard) = tokio::time::timeout_at(deadline, self.inner.refresh.lock()).await else {
            return Err(JwtError::KeysUnavailable);
        };
        match self.refresh(deadline).await {
            true => Ok(()),
            false => Err(JwtError::KeysUnavailable),
        }
    }

    /// The cached key for `kid` (or the only key of `alg` for a token without
    /// a kid), without fetching.
    pub(crate) fn cached(&self, kid: Option<&str>, alg: Algorithm) -> Option<Arc<VerificationKey>> {
        let state = self.inner.state.read().ok()?;
        find(&state.keys, kid, alg)
    }

    /// The key for a token, fetching the document when it is missing, stale,
    /// or lacks the token's `kid` (rate-limited).
    pub(crate) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<VerificationKey>, JwtError> {
        let look = self.look(kid, alg, Instant::now());
        if let (Some(key), true) = (&look.key, look.fresh) {
            if look.ageing && look.may_fetch {
                self.refresh_in_background();
            }
            return Ok(Arc::clone(key));
        }
        // Whether a fetch this request needed or waited for failed or is
        // still running: then a missing key is "unavailable" (503), not
        // "unknown" (422).
        let mut unsure = false;
        // The lock is taken even when this request may not fetch: a fetch in
        // flight (another request's, or the background refresh) holds it, and
        // every request that needs its keys waits for it, within the
        // deadline, instead of answering before the keys arrive.
        let deadline = tokio::time::Instant::now() + self.inner.fetch_timeout;
        let attempts_before = look.attempts;
        match tokio::time::timeout_at(deadline, self.inner.refresh.lock()).await {
            Ok(_guard) => {
                // Another request may have refreshed while this one waited.
                let again = self.look(kid, alg, Instant::now());
                if let (Some(key), true) = (&again.key, again.fresh) {
                    return Ok(Arc::clone(key));
                }
                if again.may_fetch {
                    unsure = !self.refresh(deadline).await;
                } else if again.attempts != attempts_before && again.failing {
                    // The fetch this request waited for failed.
                    unsure = true;
                }
            }
            Err(_) => unsure = true,
        }
        let state = self
            .inner
            .state
            .read()
            .map_err(|_| JwtError::KeysUnavailable)?;
        match find(&state.keys, kid, alg) {
            Some(key) => Ok(key),
            None if unsure || (state.fetched_at.is_none() && !look.had_keys) => {
                Err(JwtError::KeysUnavailable)
            }
            None => Err(JwtError::InvalidToken(
                format!(
                    "Unable to find a signing key that matches: \"{}\"",
                    crate::error::echo(kid.unwrap_or_default())
                )
                .into(),
            )),
        }
    }

    fn look(&self, kid: Option<&str>, alg: Algorithm, now: Instant) -> Look {
        let Ok(state) = self.inner.state.read() else {
            return Look {
                key: None,
                fresh: false,
                may_fetch: false,
                had_keys: false,
                ageing: false,
                attempts: 0,
                failing: true,
            };
        };
        let age = state.fetched_at.map(|t| now.duration_since(t));
        Look {
            key: find(&state.keys, kid, alg),
            fresh: age.is_some_and(|age| age < state.ttl),
            may_fetch: state
                .last_attempt
                .is_none_or(|t| now.duration_since(t) >= self.retry_after(state.failures)),
            had_keys: !state.keys.is_empty(),
            ageing: age.is_some_and(|age| age >= state.ttl / 4 * 3),
            attempts: state.attempts,
            failing: state.failures > 0,
        }
    }

    /// The wait before the next fetch: `min_refresh_interval`, or after
    /// failures 1 s, 2 s, 4 s, ... up to it.
    fn retry_after(&self, failures: u32) -> Duration {
        let interval = self.inner.min_refresh_interval;
        if failures == 0 {
            return interval;
        }
        let backoff = Duration::from_secs(1u64 << (failures - 1).min(16));
        backoff.min(interval)
    }

    /// Starts one refresh on the current runtime (at most one at a time);
    /// requests keep the cached keys meanwhile.
    fn refresh_in_background(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let jwks = self.clone();
        handle.spawn(async move {
            let deadline = tokio::time::Instant::now() + jwks.inner.fetch_timeout;
            if let Ok(_guard) = tokio::time::timeout_at(deadline, jwks.inner.refresh.lock()).await {
                let again = jwks.look(None, Algorithm::RS256, Instant::now());
                if again.may_fetch && again.ageing {
                    jwks.refresh(deadline).await;
                }
            }
            jwks.inner.refreshing.store(false, Ordering::Release);
        });
    }

    /// Fetches the document within `deadline`; `false` when that failed.
    /// The attempt is recorded first, so a fetch that hangs or fails still
    /// counts for the rate limit.
    async fn refresh(&self, deadline: tokio::time::Instant) -> bool {
        if let Ok(mut state) = self.inner.state.write() {
            state.last_attempt = Some(Instant::now());
            state.attempts = state.attempts.wrapping_add(1);
        }
        let result =
            match tokio::time::timeout_at(deadline, self.inner.fetcher.fetch_document()).await {
                Ok(result) => result,
                Err(_) => Err("timed out".to_owned()),
            };
        let Ok(document) = result else {
            #[cfg(feature = "tracing")]
            if let Err(reason) = &result {
                tracing::warn!(target: "axum_jwt_extended", %reason, "JWKS fetch failed");
            }
            if let Ok(mut state) = self.inner.state.write() {
                state.failures = state.failures.saturating_add(1);
            }
            return false;
        };
        let keys = import_keys(&document);
        let ttl = document.max_age.unwrap_or(self.inner.max_age).clamp(
            self.inner.min_refresh_interval,
            self.inner.max_age.max(self.inner.min_refresh_interval),
        );
        let Ok(mut state) = self.inner.state.write() else {
            return false;
        };
        state.keys = keys;
        state.failures = 0;
        state.ttl = ttl;
        state.fetched_at = Some(Instant::now());
        true
    }
}

/// The signing keys of a document. An RSA key without `alg` (Entra ID
/// publishes them so) may verify any RSA algorithm the service allows; keys
/// marked for encryption, of unknown types, or of an algorithm the endpoint
/// did not advertise are skipped.
fn import_keys(document: &JwksDocument) -> Vec<Arc<VerificationKey>> {
    const RSA: [Algorithm; 6] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];
    let Some(keys) = document.document.get("keys").and_then(Value::as_array) else {
        return Vec::new();
    };
    let advertised = |key: &VerificationKey| {
        document
            .algorithms
            .as_ref()
            .is_none_or(|algs| algs.contains(&key.algorithm()))
    };
    let mut imported = Vec::new();
    for jwk in keys {
        if jwk
            .get("use")
            .and_then(Value::as_str)
            .is_some_and(|u| u != "sig")
        {
            continue;
        }
        let rsa_without_alg =
            jwk.get("kty").and_then(Value::as_str) == Some("RSA") && jwk.get("alg").is_none();
        if rsa_without_alg {
            for alg in RSA {
                if let Ok(key) = VerificationKey::from_jwk(jwk, Some(alg)) {
                    imported.push(key);
                }
            }
        } else if let Ok(key) = VerificationKey::from_jwk(jwk, None) {
            imported.push(key);
        }
    }
    imported
        .into_iter()
        .filter(|k| k.algorithm().family() != AlgorithmFamily::Hmac && advertised(k))
        .map(Arc::new)
        .collect()
}

fn find(
    keys: &[Arc<VerificationKey>],
    kid: Option<&str>,
    alg: Algorithm,
) -> Option<Arc<VerificationKey>> {
    match kid {
        Some(kid) => keys
            .iter()
            .find(|k| k.kid() == Some(kid) && k.algorithm() == alg)
            .cloned(),
        None => {
            let mut of_alg = keys.iter().filter(|k| k.algorithm() == alg);
            match (of_alg.next(), of_alg.next()) {
                (Some(only), None) => Some(Arc::clone(only)),
                _ => None,
            }
        }
    }
}
