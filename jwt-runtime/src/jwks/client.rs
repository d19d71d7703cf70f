//! The built-in HTTP client of key sets and discovery: one GET of a JSON
//! document, its size capped, its `Cache-Control: max-age` read. The
//! caller ([`RemoteJwks`](super::RemoteJwks)) bounds the whole exchange
//! with one deadline.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use super::{JwksDocument, JwksFetcher};
use crate::error::JwtError;
use crate::store::BoxFuture;

/// The largest document accepted (1 MiB): a JWKS or a discovery document.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// A URL of the configuration, as an `Err` naming `what` when it is not one.
pub(crate) fn parse_url(what: &str, url: &str) -> Result<http::Uri, JwtError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| JwtError::Config(format!("{what} {url:?}: {e}")))?;
    if uri.host().is_none() {
        return Err(JwtError::Config(format!("{what} {url:?} has no host")));
    }
    Ok(uri)
}

/// A plain-HTTP client, or one that speaks HTTPS too.
#[derive(Clone)]
pub(crate) enum Client {
    Plain(HyperClient<HttpConnector, Empty<Bytes>>),
    #[cfg(feature = "jwks-https")]
    Tls(HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Client::Plain(_) => f.write_str("Client::Plain"),
            #[cfg(feature = "jwks-https")]
            Client::Tls(_) => f.write_str("Client::Tls"),
        }
    }
}

impl Client {
    pub(crate) fn plain() -> Self {
        Client::Plain(HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new()))
    }

    /// A client that trusts `roots` for `https://` (and still speaks plain
    /// HTTP, for loopback development providers).
    #[cfg(feature = "jwks-https")]
    pub(crate) fn tls(roots: &super::TlsRoots) -> Result<Self, JwtError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(roots.client_config()?)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Client::Tls(
            HyperClient::builder(TokioExecutor::new()).build(connector),
        ))
    }

    /// GETs a JSON document: a non-2xx status, a body over
    /// [`MAX_DOCUMENT_BYTES`] or invalid JSON is an `Err`; with it, the
    /// response's `Cache-Control: max-age`.
    pub(crate) async fn get_json(
        &self,
        uri: &http::Uri,
    ) -> Result<(Value, Option<Duration>), String> {
        let response = match self {
            Client::Plain(client) => client.get(uri.clone()).await,
            #[cfg(feature = "jwks-https")]
            Client::Tls(client) => client.get(uri.clone()).await,
        }
        .map_err(describe)?;
        if !response.status().is_success() {
            return Err(format!("{uri}: status {}", response.status()));
        }
        let max_age = cache_max_age(response.headers());
        let body = Limited::new(response.into_body(), MAX_DOCUMENT_BYTES);
        let bytes = body
            .collect()
            .await
            .map_err(|e| format!("{uri}: {e}"))?
            .to_bytes();
        let value = serde_json::from_slice(&bytes).map_err(|e| format!("{uri}: {e}"))?;
        Ok((value, max_age))
    }
}

/// A client error with its causes (hyper's own says only "client error
/// (Connect)"; the cause says which certificate was refused).
fn describe(error: impl std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `Cache-Control`'s lifetime: `max-age=N`, or zero for `no-cache` and
/// `no-store` (the caller applies its lower bound).
pub(crate) fn cache_max_age(headers: &http::HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    for value in headers.get_all(http::header::CACHE_CONTROL) {
        let Ok(text) = value.to_str() else { continue };
        for directive in text.split(',').map(str::trim) {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-cache" || lower == "no-store" {
                return Some(Duration::ZERO);
            }
            if let Some(seconds) = lower.strip_prefix("max-age=") {
                if let Ok(seconds) = seconds.trim_matches('"').parse::<u64>() {
                    max_age = Some(Duration::from_secs(seconds));
                }
            }
        }
    }
    max_age
}

/// A JWKS at a fixed URL.
pub(crate) struct UrlFetcher {
    uri: http::Uri,
    client: Client,
}

impl fmt::Debug for UrlFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlFetcher")
            .field("uri", &self.uri)
            .field("client", &self.client)
            .finish()
    }
}

impl UrlFetcher {
    pub(crate) fn new(uri: http::Uri, client: Client) -> Self {
        UrlFetcher { uri, client }
    }
}

impl JwksFetcher for UrlFetcher {
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>> {
        Box::pin(async move { Ok(self.client.get_json(&self.uri).await?.0) })
    }

    fn fetch_document(&self) -> BoxFuture<'_, Result<JwksDocument, String>> {
        Box::pin(async move {
            let (value, max_age) = self.client.get_json(&self.uri).await?;
            let document = JwksDocument::new(value);
            Ok(match max_age {
                Some(max_age) => document.max_age(max_age),
                None => document,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::cache_max_age;
    use std::time::Duration;

    fn parse(value: &str) -> Option<Duration> {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_str(value).unwrap_or(http::HeaderValue::from_static("")),
        );
        cache_max_age(&headers)
    }

    #[test]
    fn cache_control_max_age_is_read() {
        assert_eq!(parse("public, max-age=300"), Some(Duration::from_secs(300)));
        assert_eq!(
            parse("Max-Age=12, must-revalidate"),
            Some(Duration::from_secs(12))
        );
        assert_eq!(parse("no-cache"), Some(Duration::ZERO));
        assert_eq!(
            parse("private, no-store, max-age=600"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse("public"), None);
        assert_eq!(parse("max-age=soon"), None);
        assert_eq!(cache_max_age(&http::HeaderMap::new()), None);
    }
}
