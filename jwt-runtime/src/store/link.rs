//! How the Redis stores reach Redis: one server (`redis://`, or `rediss://`
//! with the feature `redis-tls`), a client or a connection manager the app
//! already has, or a Redis Cluster (feature `redis-cluster`); and the clients
//! with which the blocklist's local mirror subscribes to revocations.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::StoreError;
use crate::error::JwtError;

/// The longest a Redis operation may take before the request fails closed.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);

/// Commands and subscriptions to one Redis deployment.
#[derive(Clone)]
pub(crate) struct Link {
    commands: Commands,
    /// What the mirror subscribes with, tried in turn (one per node of a
    /// cluster: a revocation published on any node reaches every node).
    subscribers: Arc<[redis::Client]>,
}

#[derive(Clone)]
enum Commands {
    Single(ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster(Arc<ClusterLink>),
}

/// A cluster connection, opened at the first command (and again after a
/// failed attempt), so that a service starts while the cluster is down.
#[cfg(feature = "redis-cluster")]
struct ClusterLink {
    client: redis::cluster::ClusterClient,
    connection: tokio::sync::OnceCell<redis::cluster_async::ClusterConnection>,
}

fn config_error(what: &str, e: &redis::RedisError) -> JwtError {
    // The URL is left out: it may carry a password.
    JwtError::Config(format!("Redis {what}: {e}"))
}

/// Refuses a `rediss://` URL when TLS support is not compiled in, with the
/// feature to turn on (redis' own error names its own feature).
fn check_scheme(url: &str) -> Result<(), JwtError> {
    if !cfg!(feature = "redis-tls") && url.starts_with("rediss://") {
        return Err(JwtError::Config(
            "a rediss:// URL needs the `redis-tls` feature of axum-jwt-extended".into(),
        ));
    }
    Ok(())
}

impl Link {
    /// One server at `url`, connected lazily.
    pub(crate) fn url(url: &str) -> Result<Self, JwtError> {
        check_scheme(url)?;
        let client = redis::Client::open(url).map_err(|e| config_error("URL", &e))?;
        Self::client(client)
    }

    /// One server through `client` (its TLS roots, credentials and
    /// database), connected lazily.
    pub(crate) fn client(client: redis::Client) -> Result<Self, JwtError> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| config_error("client", &e))?;
        Ok(Self::manager(client, manager))
    }

    /// The app's own connection manager for commands, `client` for the
    /// subscription.
    pub(crate) fn manager(client: redis::Client, manager: ConnectionManager) -> Self {
        Link {
            commands: Commands::Single(manager),
            subscribers: Arc::from(vec![client]),
        }
    }

    /// A cluster reached through `nodes` (some or all of its nodes).
    #[cfg(feature = "redis-cluster")]
    pub(crate) fn cluster(nodes: &[&str]) -> Result<Self, JwtError> {
        if nodes.is_empty() {
            return Err(JwtError::Config(
                "a Redis cluster needs at least one node URL".into(),
            ));
        }
        let mut subscribers = Vec::with_capacity(nodes.len());
        for node in nodes {
            check_scheme(node)?;
            subscribers.push(redis::Client::open(*node).map_err(|e| config_error("node URL", &e))?);
        }
        let client = redis::cluster::ClusterClient::builder(nodes.iter().copied())
            .connection_timeout(DEFAULT_TIMEOUT)
            .response_timeout(DEFAULT_TIMEOUT)
            .retries(1)
            .build()
            .map_err(|e| config_error("cluster", &e))?;
        Ok(Link {
            commands: Commands::Cluster(Arc::new(ClusterLink {
                client,
                connection: tokio::sync::OnceCell::new(),
            })),
            subscribers: Arc::from(subscribers),
        })
    }

    /// The clients the mirror subscribes with, in the order to try them.
    pub(crate) fn subscribers(&self) -> Arc<[redis::Client]> {
        Arc::clone(&self.subscribers)
    }

    /// Runs `cmd`, failing after `timeout`. Errors name their kind only,
    /// never a key (which could carry a token id).
    pub(crate) async fn query<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
        timeout: Duration,
    ) -> Result<T, StoreError> {
        let reply = tokio::time::timeout(timeout, async {
            match &self.commands {
                Commands::Single(manager) => cmd.query_async(&mut manager.clone()).await,
                #[cfg(feature = "redis-cluster")]
                Commands::Cluster(cluster) => {
                    let connection = cluster
                        .connection
                        .get_or_try_init(|| cluster.client.get_async_connection())
                        .await?;
                    cmd.query_async(&mut connection.clone()).await
                }
            }
        })
        .await;
        match reply {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(StoreError(format!("redis: {:?}", e.kind()))),
            Err(_) => Err(StoreError("redis: timed out".into())),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_url_without_tls_support_names_the_feature() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _inside = runtime.enter();
        let made = Link::url("rediss://127.0.0.1:6380/");
        if cfg!(feature = "redis-tls") {
            assert!(made.is_ok());
        } else {
            let Err(JwtError::Config(message)) = made else {
                panic!("a rediss:// URL was accepted without TLS support");
            };
            assert!(message.contains("redis-tls"), "{message}");
        }
        let Err(JwtError::Config(message)) = Link::url("http://127.0.0.1/") else {
            panic!("an http:// URL was accepted");
        };
        assert!(
            !message.contains("127.0.0.1"),
            "the URL (which may hold a password) leaked: {message}"
        );
    }
}
