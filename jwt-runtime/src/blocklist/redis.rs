//! `RedisBlocklist`: revocations shared by a fleet of instances.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::mirror::{self, Mirror};
use super::{Blocklist, BlocklistError, BoxFuture, Revocation, RevocationQuery};
use crate::clock::{Clock, SystemClock};
use crate::error::JwtError;
use crate::store::link::{Link, DEFAULT_TIMEOUT};

/// A blocklist in Redis (feature `redis`), so that a logout on one instance is
/// honoured by all of them.
///
/// Keys live exactly as long as the tokens they revoke (TTL = remaining
/// lifetime; "log out everywhere" keeps one key per identity for good);
/// spending a refresh token is one atomic `SET NX`; a revocation is one
/// script that never shortens an entry and publishes the key it touched.
/// Needs Redis 7.0 or later. Every operation is bounded by a timeout (200 ms
/// by default): a slow or unreachable Redis fails the request closed (503),
/// and requests pass again once it is back (the connection manager
/// reconnects).
///
/// **Checks are answered locally while nothing changed.** Each instance keeps
/// a mirror of the keys it read (65,536 by default, about 150 bytes each:
/// under 10 MiB; entries expire with the token that looked them up) and
/// follows the revocations published by every instance on one channel
/// (`<prefix>revoked`), so a token seen before costs no round trip, and a
/// revocation anywhere reaches every instance in the time of one publish
/// (about a millisecond on a LAN). A check that is not mirrored is one `MGET`.
/// The mirror answers only while its subscription is confirmed: when the
/// connection drops or a ping (every 500 ms of silence) goes unanswered it is
/// emptied and checks go to Redis (failing closed while Redis is down) until
/// a new subscription starts it over. [`local_mirror(0)`](Self::local_mirror)
/// turns it off (every check one round trip).
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
    link: Link,
    prefix: Arc<str>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    /// `None` when turned off.
    mirror: Option<Arc<Mirror>>,
}

impl fmt::Debug for RedisBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBlocklist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("mirror", &self.mirror)
            .finish_non_exhaustive()
    }
}

impl RedisBlocklist {
    /// Keys kept by the local mirror unless [`local_mirror`](Self::local_mirror)
    /// says otherwise: 65,536, under 10 MiB.
    pub const DEFAULT_MIRROR_CAPACITY: usize = 65_536;

    /// A blocklist at `url` (`redis://host:port/db`). Connects lazily, so a
    /// service starts even while Redis is down (and fails closed until it is up).
    /// Must be called inside a Tokio runtime.
    ///
    /// `rediss://` (TLS) needs the feature `redis-tls` and trusts the
    /// platform's roots and `SSL_CERT_FILE`; for a private CA or a client
    /// certificate, build a `redis::Client` and use
    /// [`from_client`](Self::from_client).
    pub fn new(url: &str) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::url(url)?))
    }

    /// A blocklist through a client the app built (TLS roots and client
    /// certificates with `redis::Client::build_with_tls`, credentials, the
    /// database). Connects lazily. Must be called inside a Tokio runtime.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum_jwt_extended::{redis, RedisBlocklist};
    /// let client = redis::Client::open("redis://:password@10.0.0.5:6379/2")?;
    /// let blocklist = RedisBlocklist::from_client(client)?;
    /// # Ok(()) }
    /// ```
    pub fn from_client(client: redis::Client) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::client(client)?))
    }

    /// A blocklist that sends its commands through the app's own connection
    /// manager (no second connection for them); `client` (the one the
    /// manager was made from) opens the local mirror's subscription.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum_jwt_extended::{redis, RedisBlocklist};
    /// let client = redis::Client::open("redis://127.0.0.1:6379/")?;
    /// let manager = redis::aio::ConnectionManager::new(client.clone()).await?;
    /// // ... the app uses `manager` for its own data too.
    /// let blocklist = RedisBlocklist::from_connection_manager(client, manager.clone());
    /// # Ok(()) }
    /// ```
    pub fn from_connection_manager(client: redis::Client, manager: ConnectionManager) -> Self {
        Self::with_link(Link::manager(client, manager))
    }

    /// A blocklist in a Redis Cluster (feature `redis-cluster`), reached
    /// through `nodes` (`redis://` or, with `redis-tls`, `rediss://` URLs of
    /// some or all of its nodes). Each key is one token's, one login's or one
    /// identity's, so every command touches one hash slot (a check reads up
    /// to three, which the cluster client splits by slot). The local mirror
    /// subscribes to one node at a time (a publication reaches every node)
    /// and moves to the next when it fails. Connects at the first command.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), axum_jwt_extended::JwtError> {
    /// use axum_jwt_extended::RedisBlocklist;
    /// let blocklist = RedisBlocklist::cluster(&[
    ///     "redis://10.0.0.1:6379/",
    ///     "redis://10.0.0.2:6379/",
    ///     "redis://10.0.0.3:6379/",
    /// ])?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis-cluster")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub fn cluster(nodes: &[&str]) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::cluster(nodes)?))
    }

    fn with_link(link: Link) -> Self {
        RedisBlocklist {
            link,
            prefix: Arc::from("jwt:"),
            timeout: DEFAULT_TIMEOUT,
            clock: Arc::new(SystemClock),
            mirror: Some(Arc::new(Mirror::new(Self::DEFAULT_MIRROR_CAPACITY))),
        }
    }

    /// How many keys the local mirror keeps
    /// ([`DEFAULT_MIRROR_CAPACITY`](Self::DEFAULT_MIRROR_CAPACITY)); `0` turns it off, so that every check is one
    /// round trip to Redis.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), axum_jwt_extended::JwtError> {
    /// use axum_jwt_extended::RedisBlocklist;
    /// let every_check_asks_redis = RedisBlocklist::new("redis://127.0.0.1:6379/")?.local_mirror(0);
    /// # Ok(()) }
    /// ```
    pub fn local_mirror(mut self, capacity: usize) -> Self {
        self.mirror = (capacity > 0).then(|| Arc::new(Mirror::new(capacity)));
        self
    }

    /// The prefix of every key (`jwt:`), to share a Redis between services.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// The longest an operation may take before the request fails closed (200 ms).
    pub fn timeout(mut self, timeout: impl crate::clock::IntoDuration) -> Self {
        self.timeout = crate::clock::zero_if_negative("RedisBlocklist::timeout", timeout);
        self
    }

    /// The clock for key lifetimes (the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn key(&self, kind: &str, name: &str) -> String {
        let mut key = String::with_capacity(self.prefix.len() + kind.len() + 1 + name.len());
        self.push_key(&mut key, kind, name);
        key
    }

    /// Appends the key of `name` (by hand: `format!` cost about 1,300
    /// instructions a key, more than the rest of a mirrored check).
    fn push_key(&self, text: &mut String, kind: &str, name: &str) {
        text.push_str(&self.prefix);
        text.push_str(kind);
        text.push(':');
        text.push_str(name);
    }

    /// The channel on which revocations are published.
    fn channel(&self) -> String {
        format!("{}revoked", self.prefix)
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
        Ok(self.link.query(&cmd, self.timeout).await?)
    }
}

impl RedisBlocklist {
    /// What Redis holds for `keys`: one `MGET`.
    async fn read(&self, keys: &[&str]) -> Result<Vec<Option<String>>, BlocklistError> {
        let mut cmd = redis::cmd("MGET");
        cmd.arg(keys);
        self.run(cmd).await
    }
}

/// The keys of one check (`jti`, `fam`, `sub`, those the token has), in one
/// buffer: one allocation per check.
struct CheckKeys {
    text: String,
    ends: [usize; mirror::MAX_KEYS],
    count: usize,
}

impl CheckKeys {
    fn of(store: &RedisBlocklist, q: &RevocationQuery<'_>) -> Self {
        let named = [("jti", q.jti), ("fam", q.family), ("sub", q.identity)];
        let size = named
            .iter()
            .filter_map(|(kind, name)| name.map(|n| store.prefix.len() + kind.len() + 1 + n.len()))
            .sum();
        let mut keys = CheckKeys {
            text: String::with_capacity(size),
            ends: [0; mirror::MAX_KEYS],
            count: 0,
        };
        for (kind, name) in named {
            if let Some(name) = name {
                store.push_key(&mut keys.text, kind, name);
                keys.ends[keys.count] = keys.text.len();
                keys.count += 1;
            }
        }
        keys
    }

    /// The keys, the first `count` of them set.
    fn as_strs(&self) -> [&str; mirror::MAX_KEYS] {
        let mut strs = [""; mirror::MAX_KEYS];
        let mut start = 0;
        for (key, &end) in strs.iter_mut().zip(&self.ends[..self.count]) {
            *key = &self.text[start..end];
            start = end;
        }
        strs
    }
}

/// Whether the entries read for a check revoke the token: any `jti` or `fam`
/// entry does; the identity's entry (at `identity_at`) does when the token
/// was issued at or before the logout it records.
fn decide<'v>(
    values: impl Iterator<Item = Option<&'v str>>,
    identity_at: Option<usize>,
    issued_at: Option<f64>,
) -> bool {
    for (i, value) in values.enumerate() {
        let Some(value) = value else { continue };
        if Some(i) == identity_at {
            let at: f64 = value.parse().unwrap_or(f64::INFINITY);
            // No `iat`: the token cannot show it came after the logout.
            if issued_at.is_none_or(|iat| iat <= at) {
                return true;
            }
        } else {
            return true;
        }
    }
    false
}

impl Blocklist for RedisBlocklist {
    fn is_revoked<'a>(
        &'a self,
        q: RevocationQuery<'a>,
    ) -> BoxFuture<'a, Result<bool, BlocklistError>> {
        let keys = CheckKeys::of(self, &q);
        if keys.count == 0 {
            return Box::pin(std::future::ready(Ok(false)));
        }
        let identity_at = q.identity.map(|_| keys.count - 1);
        let now = self.clock.now();
        // Answered by the mirror here, without the future of a round trip
        // (which is large: building it cost more than the lookup).
        if let Some(mirror) = &self.mirror {
            mirror::start(mirror, &self.link, || self.channel(), self.timeout);
            if let Some(values) = mirror.lookup(&keys.as_strs()[..keys.count], now) {
                let revoked = decide(
                    values.iter().map(Option::as_deref),
                    identity_at,
                    q.issued_at,
                );
                return Box::pin(std::future::ready(Ok(revoked)));
            }
        }
        Box::pin(async move {
            let strs = keys.as_strs();
            let keys = &strs[..keys.count];
            let Some(mirror) = &self.mirror else {
                let values = self.read(keys).await?;
                return Ok(decide(
                    values.iter().map(Option::as_deref),
                    identity_at,
                    q.issued_at,
                ));
            };
            let ticket = mirror.ticket(keys);
            let values = self.read(keys).await?;
            if let Some(ticket) = ticket {
                // Kept as long as the token is; a token without `exp` for an hour.
                let until = q.expires_at.unwrap_or(now + 3600.0);
                mirror.keep(&ticket, keys, &values, until, now);
            }
            Ok(decide(
                values.iter().map(Option::as_deref),
                identity_at,
                q.issued_at,
            ))
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
            let (key, value, keep): (String, String, &str) = match what {
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
                .arg(&key)
                .arg(value)
                .arg(ttl.map(|ms| ms.to_string()).unwrap_or_default())
                .arg(keep)
                .arg(self.channel());
            let written = self.run::<i64>(cmd).await;
            // Read your own writes: this instance's next check must not wait
            // for the publication to come back (nor trust a read that raced
            // it). Done whatever the outcome: a timed-out write may have landed.
            if let Some(mirror) = &self.mirror {
                mirror.invalidate(&key);
            }
            written.map(drop)
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
/// never expires), `ARGV[3]` `max` to keep the larger numeric value, `ARGV[4]`
/// the channel on which the key is published (in the same atomic step, so no
/// revocation is ever written unannounced). A persistent key stays persistent
/// (`PEXPIRE ... GT` treats it as infinite). Needs Redis 7.0 or later.
const REVOKE_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then
  if ARGV[2] == '' then
    redis.call('SET', KEYS[1], ARGV[1])
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  end
  redis.call('PUBLISH', ARGV[4], KEYS[1])
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
redis.call('PUBLISH', ARGV[4], KEYS[1])
return 1
";
