//! `RedisBlocklist`: revocations shared by a fleet of instances.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::{Blocklist, BlocklistError, BoxFuture, Revocation, RevocationQuery};
use crate::clock::{Clock, SystemClock};
use crate::error::JwtError;

/// A blocklist in Redis (feature `redis`), so that a logout on one instance is
/// honoured by all of them.
///
/// Keys live exactly as long as the tokens they revoke (TTL = remaining
/// lifetime; "log out everywhere" keeps one key per identity for good); a
/// check is one `MGET` round trip; spending a refresh token is one atomic
/// `SET NX`; a revocation is one script that never shortens an entry. Needs
/// Redis 7.0 or later. Every operation is bounded by a timeout (200 ms by
/// default): a slow or unreachable Redis fails the request closed (503), and
/// requests pass again once it is back (the connection manager reconnects).
///
/// ```no_run
/// # async fn run() -> Result<(), axum_jwt_extended::JwtError> {
/// use axum_jwt_extended::{JwtConfig, JwtManager, RedisBlocklist};
/// let blocklist = RedisBlocklist::new("redis://127.0.0.1:6379/")?.prefix("myapp:jwt:");
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?
///     .with_blocklist(blocklist);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisBlocklist {
    connection: ConnectionManager,
    prefix: Arc<str>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for RedisBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBlocklist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);

/// A connection manager for `url` that connects lazily (a service starts
/// while Redis is down) and gives up on a command after the default
/// timeout, reconnecting in the background. Shared by the Redis stores.
pub(crate) fn lazy_connection(url: &str) -> Result<ConnectionManager, JwtError> {
    let client = redis::Client::open(url)
        .map_err(|e| JwtError::Config(format!("REDIS_URL {url:?}: {e}")))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(DEFAULT_TIMEOUT))
        .set_response_timeout(Some(DEFAULT_TIMEOUT))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500));
    ConnectionManager::new_lazy_with_config(client, config)
        .map_err(|e| JwtError::Config(format!("REDIS_URL {url:?}: {e}")))
}

impl RedisBlocklist {
    /// A blocklist at `url` (`redis://host:port/db`). Connects lazily, so a
    /// service starts even while Redis is down (and fails closed until it is up).
    /// Must be called inside a Tokio runtime.
    pub fn new(url: &str) -> Result<Self, JwtError> {
        Ok(RedisBlocklist {
            connection: lazy_connection(url)?,
            prefix: Arc::from("jwt:"),
            timeout: DEFAULT_TIMEOUT,
            clock: Arc::new(SystemClock),
        })
    }

    /// The prefix of every key (`jwt:`), to share a Redis between services.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// The longest an operation may take before the request fails closed (200 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The clock for key lifetimes (the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}{kind}:{name}", self.prefix)
    }

    /// Milliseconds until `until`, `None` for no expiry, `Some(0)` for past.
    fn ttl_ms(&self, until: Option<f64>) -> Option<u64> {
        until.map(|t| {
            let ms = ((t - self.clock.now()) * 1000.0).ceil();
            if ms > 0.0 {
                ms as u64
            } else {
                0
            }
        })
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, BlocklistError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(BlocklistError(format!("redis: {}", e.kind_str()))),
            Err(_) => Err(BlocklistError("redis: timed out".into())),
        }
    }
}

trait KindStr {
    fn kind_str(&self) -> String;
}

impl KindStr for redis::RedisError {
    /// The error's kind only: never a key (which could carry a token id).
    fn kind_str(&self) -> String {
        format!("{:?}", self.kind())
    }
}

impl Blocklist for RedisBlocklist {
    fn is_revoked<'a>(
        &'a self,
        q: RevocationQuery<'a>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        Box::pin(async move {
            let mut keys = Vec::with_capacity(3);
            if let Some(jti) = q.jti {
                keys.push(self.key("jti", jti));
            }
            if let Some(family) = q.family {
                keys.push(self.key("fam", family));
            }
            let identity_at = q.identity.map(|id| {
                keys.push(self.key("sub", id));
                keys.len() - 1
            });
            if keys.is_empty() {
                return Ok(false);
            }
            let mut cmd = redis::cmd("MGET");
            cmd.arg(&keys);
            let values: Vec<Option<String>> = self.run(cmd).await?;
            for (i, value) in values.iter().enumerate() {
                let Some(value) = value else { continue };
                if Some(i) == identity_at {
                    let at: f64 = value.parse().unwrap_or(f64::INFINITY);
                    // No `iat`: the token cannot show it came after the logout.
                    if q.issued_at.is_none_or(|iat| iat <= at) {
                        return Ok(true);
                    }
                } else {
                    return Ok(true);
                }
            }
            Ok(false)
        })
    }

    fn revoke<'a>(
        &'a self,
        what: Revocation<'a>,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<(), BlocklistError>> {
        Box::pin(async move {
            let ttl = self.ttl_ms(until);
            if ttl == Some(0) {
                return Ok(());
            }
            let (key, value, keep) = match what {
                Revocation::Token(k) => (self.key("jti", k), "1".to_owned(), "any"),
                Revocation::Family(k) => (self.key("fam", k), "1".to_owned(), "any"),
                Revocation::IdentityBefore { identity, at } => {
                    (self.key("sub", identity), at.to_string(), "max")
                }
            };
            // One atomic step that never weakens an entry already there: the
            // longer lifetime and, for "everywhere", the later moment win.
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(REVOKE_SCRIPT)
                .arg(1)
                .arg(key)
                .arg(value)
                .arg(ttl.map(|ms| ms.to_string()).unwrap_or_default())
                .arg(keep);
            let _: i64 = self.run(cmd).await?;
            Ok(())
        })
    }

    fn consume_once<'a>(
        &'a self,
        key: &'a str,
        until: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        Box::pin(async move {
            let ttl = self.ttl_ms(until).map(|ms| ms.max(1));
            let mut cmd = redis::cmd("SET");
            cmd.arg(self.key("used", key)).arg("1").arg("NX");
            if let Some(ms) = ttl {
                cmd.arg("PX").arg(ms);
            }
            let reply: Option<String> = self.run(cmd).await?;
            Ok(reply.is_some())
        })
    }

    fn is_consumed<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("EXISTS");
            cmd.arg(self.key("used", key));
            let found: i64 = self.run(cmd).await?;
            Ok(found > 0)
        })
    }
}

/// `KEYS[1]` the entry, `ARGV[1]` its value, `ARGV[2]` its TTL in ms (empty:
/// never expires), `ARGV[3]` `max` to keep the larger numeric value. A
/// persistent key stays persistent (`PEXPIRE ... GT` treats it as infinite).
/// Needs Redis 7.0 or later.
const REVOKE_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then
  if ARGV[2] == '' then
    redis.call('SET', KEYS[1], ARGV[1])
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  end
  return 1
end
if ARGV[3] == 'max' and tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
if ARGV[2] == '' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2], 'GT')
end
return 1
";
