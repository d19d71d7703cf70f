//! `RedisSessionStore`: the sessions of a fleet, in one Redis hash per
//! identity.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use crate::store::link::{Link, DEFAULT_TIMEOUT};

use super::SessionStoreError;
use super::{SessionRecord, SessionStore};
use crate::error::JwtError;
use crate::store::BoxFuture;

/// Sessions in Redis (feature `redis`), shared by every instance.
///
/// One hash per identity (`<prefix>sessions:<identity>`), one field per
/// session holding its record (about 200 bytes of JSON with a short device
/// name; `MEMORY USAGE` of a hash of 10 such sessions: 3,280 bytes): listing
/// is one `HVALS` whatever the number of sessions; a login, a refresh and
/// an ending are one script or command each. The hash expires with the
/// identity's last session; an expired session is left out of every list and
/// dropped at the identity's next login or refresh. Every operation is
/// bounded by a timeout (200 ms): a slow or unreachable Redis fails the
/// request closed (503). Use it with [`RedisBlocklist`](crate::RedisBlocklist)
/// on the same Redis, so that an ended session is refused everywhere.
///
/// ```no_run
/// # fn run() -> Result<(), axum_jwt_extended::JwtError> {
/// use axum_jwt_extended::{JwtConfig, JwtManager, RedisBlocklist, RedisSessionStore};
/// let url = "redis://127.0.0.1:6379/";
/// let jwt = JwtManager::new(JwtConfig::builder().secret_key("a long, random secret of 32+ bytes").build()?)?
///     .with_blocklist(RedisBlocklist::new(url)?)
///     .with_sessions(RedisSessionStore::new(url)?);
/// # let _ = jwt;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisSessionStore {
    link: Link,
    prefix: Arc<str>,
    timeout: Duration,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A record as Redis keeps it: the metadata as JSON text, so that the
/// scripts (which re-encode records) never touch it.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    identity: String,
    created_at: f64,
    last_used_at: f64,
    expires_at: Option<f64>,
    metadata: String,
}

impl Stored {
    fn from_record(record: &SessionRecord) -> Result<String, SessionStoreError> {
        let stored = Stored {
            id: record.id.clone(),
            identity: record.identity.clone(),
            created_at: record.created_at,
            last_used_at: record.last_used_at,
            expires_at: record.expires_at,
            metadata: serde_json::to_string(&record.metadata)
                .map_err(|e| SessionStoreError(e.to_string()))?,
        };
        serde_json::to_string(&stored).map_err(|e| SessionStoreError(e.to_string()))
    }

    fn into_record(text: &str) -> Option<SessionRecord> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        Some(SessionRecord {
            id: stored.id,
            identity: stored.identity,
            created_at: stored.created_at,
            last_used_at: stored.last_used_at,
            expires_at: stored.expires_at,
            metadata: serde_json::from_str(&stored.metadata).ok()?,
        })
    }
}

/// Drops expired fields and sets the hash's expiry to its last session's
/// (kept for good while one never expires). `now` is `ARGV[n]`.
const KEEP_ALIVE: &str = r"
local function prune_and_expire(key, now)
  local all = redis.call('HGETALL', key)
  local latest = 0
  local forever = false
  for i = 1, #all, 2 do
    local rec = cjson.decode(all[i + 1])
    if rec.expires_at == cjson.null then
      forever = true
    elseif rec.expires_at <= now then
      redis.call('HDEL', key, all[i])
    elseif rec.expires_at > latest then
      latest = rec.expires_at
    end
  end
  if forever then
    redis.call('PERSIST', key)
  elseif latest > 0 then
    redis.call('PEXPIREAT', key, math.ceil(latest * 1000))
  end
end
";

/// KEYS[1] the identity's hash; ARGV: id, record, now, cap (0: none).
/// Returns the ids evicted to make room, oldest first.
const INSERT: &str = r"
local key, id, now, cap = KEYS[1], ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
prune_and_expire(key, now)
local all = redis.call('HGETALL', key)
local live = {}
for i = 1, #all, 2 do
  if all[i] ~= id then
    local rec = cjson.decode(all[i + 1])
    table.insert(live, { all[i], rec.created_at })
  end
end
local evicted = {}
if cap > 0 then
  table.sort(live, function(a, b) return a[2] < b[2] end)
  local n, i = #live, 1
  while n + 1 > cap do
    redis.call('HDEL', key, live[i][1])
    table.insert(evicted, live[i][1])
    i, n = i + 1, n - 1
  end
end
redis.call('HSET', key, id, ARGV[2])
prune_and_expire(key, now)
return evicted
";

/// KEYS[1] the identity's hash; ARGV: id, last used, expiry ('' for none).
/// Returns 1 when the session was there.
const TOUCH: &str = r"
local key, id, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local raw = redis.call('HGET', key, id)
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.expires_at ~= cjson.null and rec.expires_at <= now then
  prune_and_expire(key, now)
  return 0
end
if now > rec.last_used_at then rec.last_used_at = now end
if ARGV[3] == '' or rec.expires_at == cjson.null then
  rec.expires_at = cjson.null
elseif tonumber(ARGV[3]) > rec.expires_at then
  rec.expires_at = tonumber(ARGV[3])
end
redis.call('HSET', key, id, cjson.encode(rec))
prune_and_expire(key, now)
return 1
";

impl RedisSessionStore {
    /// Sessions at `url` (`redis://host:port/db`). Connects lazily, so a
    /// service starts while Redis is down (and fails closed until it is up).
    /// Must be called inside a Tokio runtime.
    /// `rediss://` (TLS) needs the feature `redis-tls`, as for
    /// [`RedisBlocklist::new`](crate::RedisBlocklist::new).
    pub fn new(url: &str) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::url(url)?))
    }

    /// Sessions through a client the app built (TLS roots, credentials, the
    /// database); see [`RedisBlocklist::from_client`](crate::RedisBlocklist::from_client).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum_jwt_extended::{redis, RedisSessionStore};
    /// let sessions = RedisSessionStore::from_client(redis::Client::open("redis://127.0.0.1:6379/")?)?;
    /// # Ok(()) }
    /// ```
    pub fn from_client(client: redis::Client) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::client(client)?))
    }

    /// Sessions through the app's own connection manager (`client` is the
    /// one it was made from).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum_jwt_extended::{redis, RedisSessionStore};
    /// let client = redis::Client::open("redis://127.0.0.1:6379/")?;
    /// let manager = redis::aio::ConnectionManager::new(client.clone()).await?;
    /// let sessions = RedisSessionStore::from_connection_manager(client, manager);
    /// # Ok(()) }
    /// ```
    pub fn from_connection_manager(client: redis::Client, manager: ConnectionManager) -> Self {
        Self::with_link(Link::manager(client, manager))
    }

    /// Sessions in a Redis Cluster (feature `redis-cluster`): one hash per
    /// identity, so every command touches one hash slot. See
    /// [`RedisBlocklist::cluster`](crate::RedisBlocklist::cluster).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), axum_jwt_extended::JwtError> {
    /// use axum_jwt_extended::RedisSessionStore;
    /// let sessions = RedisSessionStore::cluster(&["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/"])?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis-cluster")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
    pub fn cluster(nodes: &[&str]) -> Result<Self, JwtError> {
        Ok(Self::with_link(Link::cluster(nodes)?))
    }

    fn with_link(link: Link) -> Self {
        RedisSessionStore {
            link,
            prefix: Arc::from("jwt:"),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The prefix of every key (`jwt:`, the blocklist's default too).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Arc::from(prefix.into());
        self
    }

    /// The longest an operation may take before the request fails closed (200 ms).
    pub fn timeout(mut self, timeout: impl crate::clock::IntoDuration) -> Self {
        self.timeout = crate::clock::zero_if_negative("RedisSessionStore::timeout", timeout);
        self
    }

    fn key(&self, identity: &str) -> String {
        format!("{}sessions:{identity}", self.prefix)
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, SessionStoreError> {
        Ok(self.link.query(&cmd, self.timeout).await?)
    }
}

/// `EVAL` of a script (with the shared helper) on one key.
fn eval(body: &str, key: String) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(format!("{KEEP_ALIVE}\n{body}")).arg(1).arg(key);
    cmd
}

impl SessionStore for RedisSessionStore {
    fn insert<'a>(
        &'a self,
        record: &'a SessionRecord,
        cap: Option<usize>,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        Box::pin(async move {
            let text = Stored::from_record(record)?;
            let mut cmd = eval(INSERT, self.key(&record.identity));
            cmd.arg(&record.id).arg(text).arg(now).arg(cap.unwrap_or(0));
            self.run::<Vec<String>>(cmd).await
        })
    }

    fn list<'a>(
        &'a self,
        identity: &'a str,
        now: f64,
    ) -> BoxFuture<'a, Result<Vec<SessionRecord>, SessionStoreError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("HVALS");
            cmd.arg(self.key(identity));
            let values: Vec<String> = self.run(cmd).await?;
            Ok(values
                .iter()
                .filter_map(|text| Stored::into_record(text))
                .filter(|r| r.identity == identity && !r.is_expired(now))
                .collect())
        })
    }

    fn touch<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
        last_used_at: f64,
        expires_at: Option<f64>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let mut cmd = eval(TOUCH, self.key(identity));
            cmd.arg(id)
                .arg(last_used_at)
                .arg(expires_at.map(|e| e.to_string()).unwrap_or_default());
            let found: i64 = self.run(cmd).await?;
            Ok(found == 1)
        })
    }

    fn remove<'a>(
        &'a self,
        identity: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("HDEL");
            cmd.arg(self.key(identity)).arg(id);
            let removed: i64 = self.run(cmd).await?;
            Ok(removed == 1)
        })
    }
}
