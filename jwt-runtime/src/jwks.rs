//! A remote JWKS as the source of verification keys: cached, refreshed when a
//! token names an unknown key id (at most once per interval), and never
//! fetched from an address a token gives (`jku`, `x5u` are ignored).

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::blocklist::BoxFuture;
use crate::error::JwtError;
use crate::keys::VerificationKey;

/// Fetches a JWKS document. The built-in [`RemoteJwks::http`] speaks plain
/// HTTP; implement this trait with your HTTP client (for example reqwest with
/// TLS) for an `https` endpoint.
pub trait JwksFetcher: Send + Sync + fmt::Debug + 'static {
    /// The JWKS document (`{"keys": [...]}`), or why it could not be had.
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>>;
}

/// A JWKS endpoint as a key source for [`JwtConfigBuilder::jwks`](crate::JwtConfigBuilder::jwks).
///
/// The keys come from a [`JwksFetcher`]; [`RemoteJwks::http`] (feature
/// `jwks-http`) is the built-in one for a plain-HTTP endpoint.
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
    min_refresh_interval: Duration,
    max_age: Duration,
    fetch_timeout: Duration,
}

#[derive(Default)]
struct State {
    keys: Vec<Arc<VerificationKey>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
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

impl RemoteJwks {
    /// A JWKS fetched by `fetcher`: refreshed at most every 60 s on an
    /// unknown key id, and at the latest after an hour.
    pub fn new(fetcher: impl JwksFetcher) -> Self {
        RemoteJwks {
            inner: Arc::new(Inner {
                fetcher: Box::new(fetcher),
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
                min_refresh_interval: Duration::from_secs(60),
                max_age: Duration::from_secs(3600),
                fetch_timeout: Duration::from_secs(5),
            }),
        }
    }

    /// A JWKS at a plain `http://` URL (an `https://` endpoint needs a fetcher
    /// with TLS: implement [`JwksFetcher`]). Needs the `jwks-http` feature.
    #[cfg(feature = "jwks-http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-http")))]
    pub fn http(url: &str) -> Result<Self, JwtError> {
        let uri: http::Uri = url
            .parse()
            .map_err(|e| JwtError::Config(format!("JWKS URL {url:?}: {e}")))?;
        match uri.scheme_str() {
            Some("http") => Ok(Self::new(HttpFetcher::new(uri))),
            Some("https") => Err(JwtError::Config(format!(
                "JWKS URL {url:?}: the built-in fetcher has no TLS; implement JwksFetcher with an HTTPS client"
            ))),
            _ => Err(JwtError::Config(format!("JWKS URL {url:?} must be an http URL"))),
        }
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
    /// make this service hammer the JWKS endpoint.
    pub fn min_refresh_interval(self, interval: Duration) -> Self {
        self.with(|i| i.min_refresh_interval = interval)
    }

    /// How long a fetched document is used before it is fetched again (1 h).
    pub fn max_age(self, max_age: Duration) -> Self {
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
    pub fn fetch_timeout(self, timeout: Duration) -> Self {
        self.with(|i| i.fetch_timeout = timeout)
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
        let now = Instant::now();
        let (found, fresh, may_fetch, had_keys) = self.look(kid, alg, now);
        if let (Some(key), true) = (&found, fresh) {
            return Ok(Arc::clone(key));
        }
        // Whether a fetch this request needed failed or is still running:
        // then a missing key is "unavailable" (503), not "unknown" (422).
        let mut unsure = false;
        if may_fetch {
            let deadline = tokio::time::Instant::now() + self.inner.fetch_timeout;
            match tokio::time::timeout_at(deadline, self.inner.refresh.lock()).await {
                Ok(_guard) => {
                    // Another request may have refreshed while this one waited.
                    let (again, fresh_now, still_may_fetch, _) =
                        self.look(kid, alg, Instant::now());
                    if let (Some(key), true) = (&again, fresh_now) {
                        return Ok(Arc::clone(key));
                    }
                    if still_may_fetch {
                        unsure = !self.refresh(deadline).await;
                    }
                }
                Err(_) => unsure = true,
            }
        }
        let state = self
            .inner
            .state
            .read()
            .map_err(|_| JwtError::KeysUnavailable)?;
        match find(&state.keys, kid, alg) {
            Some(key) => Ok(key),
            None if unsure || (state.fetched_at.is_none() && !had_keys) => {
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

    /// (key, is the document fresh, may a fetch start now, any keys cached)
    fn look(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        now: Instant,
    ) -> (Option<Arc<VerificationKey>>, bool, bool, bool) {
        let Ok(state) = self.inner.state.read() else {
            return (None, false, false, false);
        };
        let fresh = state
            .fetched_at
            .is_some_and(|t| now.duration_since(t) < self.inner.max_age);
        let may_fetch = state
            .last_attempt
            .is_none_or(|t| now.duration_since(t) >= self.inner.min_refresh_interval);
        (
            find(&state.keys, kid, alg),
            fresh,
            may_fetch,
            !state.keys.is_empty(),
        )
    }

    /// Fetches the document within `deadline`; `false` when that failed.
    /// The attempt is recorded first, so a fetch that hangs or fails still
    /// counts for the rate limit.
    async fn refresh(&self, deadline: tokio::time::Instant) -> bool {
        if let Ok(mut state) = self.inner.state.write() {
            state.last_attempt = Some(Instant::now());
        }
        let result = match tokio::time::timeout_at(deadline, self.inner.fetcher.fetch()).await {
            Ok(result) => result,
            Err(_) => Err("timed out".to_owned()),
        };
        let Ok(mut state) = self.inner.state.write() else {
            return false;
        };
        let now = Instant::now();
        let Ok(document) = result else {
            return false;
        };
        let keys: Vec<Arc<VerificationKey>> = document
            .get("keys")
            .and_then(Value::as_array)
            .map(|keys| {
                keys.iter()
                    .filter(|k| {
                        k.get("use")
                            .and_then(Value::as_str)
                            .is_none_or(|u| u == "sig")
                    })
                    .filter_map(|k| VerificationKey::from_jwk(k, None).ok())
                    .map(Arc::new)
                    .collect()
            })
            .unwrap_or_default();
        state.keys = keys;
        state.fetched_at = Some(now);
        true
    }
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

/// The built-in plain-HTTP fetcher.
#[cfg(feature = "jwks-http")]
struct HttpFetcher {
    uri: http::Uri,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Empty<bytes::Bytes>,
    >,
}

#[cfg(feature = "jwks-http")]
impl fmt::Debug for HttpFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpFetcher")
            .field("uri", &self.uri)
            .finish()
    }
}

/// The largest JWKS document accepted (1 MiB).
#[cfg(feature = "jwks-http")]
const MAX_JWKS_BYTES: usize = 1024 * 1024;

#[cfg(feature = "jwks-http")]
impl HttpFetcher {
    fn new(uri: http::Uri) -> Self {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(hyper_util::client::legacy::connect::HttpConnector::new());
        HttpFetcher { uri, client }
    }
}

#[cfg(feature = "jwks-http")]
impl JwksFetcher for HttpFetcher {
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>> {
        Box::pin(async move {
            use http_body_util::BodyExt;
            // RemoteJwks bounds the whole fetch (head and body) with one deadline.
            let response = self
                .client
                .get(self.uri.clone())
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("status {}", response.status()));
            }
            let body = http_body_util::Limited::new(response.into_body(), MAX_JWKS_BYTES);
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        })
    }
}
