//! OpenID Connect discovery: an issuer's `/.well-known/openid-configuration`
//! gives its `jwks_uri` and signing algorithms, and is trusted only when its
//! `issuer` is exactly the configured one.

use std::fmt;
use std::sync::Mutex;

use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::Value;

use super::client::{parse_url, Client};
use super::{JwksDocument, JwksFetcher};
use crate::error::JwtError;
use crate::store::BoxFuture;

/// The part of a discovery document this crate uses.
#[derive(Clone)]
struct Discovered {
    jwks_uri: http::Uri,
    algorithms: Option<Vec<Algorithm>>,
}

/// Fetches an issuer's key set through its discovery document (fetched
/// once, and again after a key set fetch fails).
pub(crate) struct DiscoveryFetcher {
    issuer: String,
    configuration: http::Uri,
    client: Client,
    discovered: Mutex<Option<Discovered>>,
}

impl fmt::Debug for DiscoveryFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscoveryFetcher")
            .field("issuer", &self.issuer)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Whether `uri` is on this machine (`localhost`, `127.0.0.0/8`, `::1`):
/// the one place a plain-HTTP provider is accepted (development).
pub(crate) fn is_loopback(uri: &http::Uri) -> bool {
    match uri.host() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

impl DiscoveryFetcher {
    /// Checks the issuer URL: `https://`, or `http://` on loopback only.
    pub(crate) fn new(issuer: &str, client: Client) -> Result<Self, JwtError> {
        let uri = parse_url("OpenID issuer", issuer)?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if is_loopback(&uri) => {}
            _ => {
                return Err(JwtError::Config(format!(
                    "OpenID issuer {issuer:?} must be an https URL (plain http only on loopback)"
                )))
            }
        }
        if uri.query().is_some() {
            return Err(JwtError::Config(format!(
                "OpenID issuer {issuer:?} must not have a query"
            )));
        }
        let configuration = parse_url(
            "OpenID issuer",
            &format!(
                "{}/.well-known/openid-configuration",
                issuer.trim_end_matches('/')
            ),
        )?;
        Ok(DiscoveryFetcher {
            issuer: issuer.to_owned(),
            configuration,
            client,
            discovered: Mutex::new(None),
        })
    }

    async fn discover(&self) -> Result<Discovered, String> {
        if let Some(known) = self.discovered.lock().ok().and_then(|d| d.clone()) {
            return Ok(known);
        }
        let (document, _) = self.client.get_json(&self.configuration).await?;
        let found = self.read(&document)?;
        if let Ok(mut slot) = self.discovered.lock() {
            *slot = Some(found.clone());
        }
        Ok(found)
    }

    /// The discovery document's `issuer` (exactly the configured one),
    /// `jwks_uri` (https, or http when the issuer is) and algorithms.
    fn read(&self, document: &Value) -> Result<Discovered, String> {
        let issuer = document.get("issuer").and_then(Value::as_str);
        if issuer != Some(self.issuer.as_str()) {
            return Err(format!(
                "{}: its issuer {:?} is not the configured {:?}",
                self.configuration,
                issuer.unwrap_or_default(),
                self.issuer
            ));
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{}: no jwks_uri", self.configuration))?;
        let jwks_uri = parse_url("jwks_uri", jwks_uri).map_err(|e| e.to_string())?;
        let secure = jwks_uri.scheme_str() == Some("https")
            || (jwks_uri.scheme_str() == Some("http")
                && self.configuration.scheme_str() == Some("http")
                && is_loopback(&jwks_uri));
        if !secure {
            return Err(format!(
                "{}: jwks_uri {jwks_uri} is not https",
                self.configuration
            ));
        }
        let algorithms = document
            .get("id_token_signing_alg_values_supported")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|name| name.parse::<Algorithm>().ok())
                    .filter(|alg| alg.family() != AlgorithmFamily::Hmac)
                    .collect::<Vec<_>>()
            })
            .filter(|algs| !algs.is_empty());
        Ok(Discovered {
            jwks_uri,
            algorithms,
        })
    }
}

impl JwksFetcher for DiscoveryFetcher {
    fn fetch(&self) -> BoxFuture<'_, Result<Value, String>> {
        Box::pin(async move { Ok(self.fetch_document().await?.document) })
    }

    fn fetch_document(&self) -> BoxFuture<'_, Result<JwksDocument, String>> {
        Box::pin(async move {
            let discovered = self.discover().await?;
            match self.client.get_json(&discovered.jwks_uri).await {
                Ok((value, max_age)) => {
                    let mut document = JwksDocument::new(value);
                    document.max_age = max_age;
                    document.algorithms = discovered.algorithms;
                    Ok(document)
                }
                Err(e) => {
                    // The provider may have moved its keys: discover again next time.
                    if let Ok(mut slot) = self.discovered.lock() {
                        *slot = None;
                    }
                    Err(e)
                }
            }
        })
    }
}
