//! The local mirror of a Redis blocklist: revocation checks answered in
//! process while Redis says nothing changed.
//!
//! Every revocation is written by a script that also publishes the key it
//! touched on one channel (`<prefix>revoked`). Each instance keeps what it
//! last read from Redis for each key (absent, or the stored value) and a task
//! subscribed to the channel drops a key the moment it is published. A check
//! whose keys are all mirrored needs no round trip; any other goes to Redis
//! and mirrors what it read.
//!
//! Exactness rests on three rules:
//! - **No stale insert.** A read records the shard epochs of its keys before
//!   it goes to Redis and mirrors its answer only if no invalidation (nor
//!   loss of the subscription) touched those shards meanwhile: a read that
//!   raced a revocation is answered from Redis but not kept.
//! - **Dark when deaf.** The mirror answers only while its subscription is
//!   confirmed and healthy. When the connection drops, a ping goes
//!   unanswered, or a message cannot be read, every entry is dropped and
//!   checks go to Redis (failing closed when Redis is unreachable) until a new
//!   subscription is confirmed, which starts from an empty mirror.
//! - **Bounded.** Entries expire with the token that looked them up (its
//!   `exp`); a shard that fills up forgets its expired entries, or all of
//!   them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;

use crate::store::link::Link;

/// Independent locks, so that concurrent checks rarely wait on each other.
const SHARDS: usize = 16;

/// How long the subscription may stay silent before it is pinged.
pub(crate) const PING_EVERY: Duration = Duration::from_millis(500);

/// Keys of one check: its `jti`, `fam` and `sub` entries at most.
pub(crate) const MAX_KEYS: usize = 3;

/// What Redis held for a key when it was read: `None` for no entry.
struct Entry {
    value: Option<Box<str>>,
    /// Forgotten after this moment (Unix seconds; the token's `exp`).
    until: f64,
}

#[derive(Default)]
struct Shard {
    entries: HashMap<Box<str>, Entry>,
    /// Bumped by every invalidation of a key of this shard and by every
    /// change of the subscription.
    epoch: u64,
}

/// The mirror. Shared by the clones of one `RedisBlocklist` and watched (by
/// a weak reference) by its subscription task, which ends with it.
pub(crate) struct Mirror {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    /// The subscription is confirmed and healthy.
    live: AtomicBool,
    /// The subscription task was started.
    started: AtomicBool,
}

/// The shard epochs a read saw before going to Redis.
pub(crate) struct Ticket {
    epochs: [(usize, u64); MAX_KEYS],
    len: usize,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mirror")
            .field("capacity", &(self.per_shard * SHARDS))
            .field("live", &self.live.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Spreads keys over the shards (each shard's map has its own keyed hasher,
/// so this need not resist chosen keys): a multiply-and-rotate over 8-byte
/// words, a few dozen instructions for a 44-byte key.
fn shard_of(key: &str) -> usize {
    let (words, rest) = key.as_bytes().as_chunks::<8>();
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    let mut hash = words
        .iter()
        .fold(key.len() as u64, |h, w| mix(h, u64::from_le_bytes(*w)));
    let mut tail = [0u8; 8];
    tail[..rest.len()].copy_from_slice(rest);
    hash = mix(hash, u64::from_le_bytes(tail));
    ((hash >> 32) % SHARDS as u64) as usize
}

impl Mirror {
    /// A mirror of at most `capacity` keys (rounded up to a multiple of 16).
    pub(crate) fn new(capacity: usize) -> Self {
        Mirror {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            live: AtomicBool::new(false),
            started: AtomicBool::new(false),
        }
    }

    /// `true` the first time only: the caller starts the subscription task.
    pub(crate) fn claim_start(&self) -> bool {
        // A plain load first: every check asks, and a swap would write the
        // shared flag each time.
        !self.started.load(Ordering::Acquire) && !self.started.swap(true, Ordering::AcqRel)
    }

    /// What Redis holds for each of `keys`, when every one is mirrored and
    /// the mirror is live; `None` sends the check to Redis.
    pub(crate) fn lookup(&self, keys: &[&str], now: f64) -> Option<[Option<Box<str>>; MAX_KEYS]> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let mut values: [Option<Box<str>>; MAX_KEYS] = Default::default();
        for (key, slot) in keys.iter().zip(values.iter_mut()) {
            let shard = self.shards[shard_of(key)].lock().ok()?;
            let entry = shard.entries.get(*key)?;
            if entry.until <= now {
                return None;
            }
            slot.clone_from(&entry.value);
        }
        // Checked again: a loss of the subscription while the keys were read
        // cleared the shards, but a value read before that must not count.
        self.live.load(Ordering::Acquire).then_some(values)
    }

    /// Taken before a read goes to Redis; `None` while the mirror is dark
    /// (the read is then not kept).
    pub(crate) fn ticket(&self, keys: &[&str]) -> Option<Ticket> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let mut ticket = Ticket {
            epochs: [(0, 0); MAX_KEYS],
            len: 0,
        };
        for key in keys.iter().take(MAX_KEYS) {
            let index = shard_of(key);
            let epoch = self.shards[index].lock().ok()?.epoch;
            ticket.epochs[ticket.len] = (index, epoch);
            ticket.len += 1;
        }
        Some(ticket)
    }

    /// Keeps what a read found, key by key, unless an invalidation or a
    /// change of the subscription touched the key's shard since `ticket`.
    pub(crate) fn keep(
        &self,
        ticket: &Ticket,
        keys: &[&str],
        values: &[Option<String>],
        until: f64,
        now: f64,
    ) {
        for ((key, value), &(index, epoch)) in
            keys.iter().zip(values).zip(&ticket.epochs[..ticket.len])
        {
            let Ok(mut shard) = self.shards[index].lock() else {
                continue;
            };
            if shard.epoch != epoch || !self.live.load(Ordering::Acquire) {
                continue;
            }
            if shard.entries.len() >= self.per_shard && !shard.entries.contains_key(*key) {
                shard.entries.retain(|_, e| e.until > now);
                if shard.entries.len() * 4 >= self.per_shard * 3 {
                    shard.entries.clear();
                }
            }
            shard.entries.insert(
                Box::from(*key),
                Entry {
                    value: value.as_deref().map(Box::from),
                    until,
                },
            );
        }
    }

    /// A revocation touched `key`: forget it.
    pub(crate) fn invalidate(&self, key: &str) {
        if let Ok(mut shard) = self.shards[shard_of(key)].lock() {
            shard.entries.remove(key);
            shard.epoch = shard.epoch.wrapping_add(1);
        }
    }

    /// The subscription is confirmed (`true`) or lost (`false`): either way
    /// the mirror starts over empty.
    pub(crate) fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
        }
        for shard in &self.shards {
            if let Ok(mut shard) = shard.lock() {
                shard.entries.clear();
                shard.epoch = shard.epoch.wrapping_add(1);
            }
        }
        if live {
            self.live.store(true, Ordering::Release);
        }
    }

    /// Mirrored keys (for tests and the documentation of its cost).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|s| s.entries.len()).unwrap_or(0))
            .sum()
    }
}

/// Follows `channel` for `mirror` until the mirror is dropped: subscribes,
/// marks the mirror live, invalidates each published key, pings when the
/// channel is quiet, and on any failure goes dark and subscribes again
/// (backing off from 50 ms to 1 s).
pub(crate) async fn follow(
    subscribers: Arc<[redis::Client]>,
    channel: String,
    mirror: Weak<Mirror>,
    timeout: Duration,
) {
    let mut backoff = Duration::from_millis(50);
    let mut attempt = 0usize;
    while mirror.strong_count() > 0 {
        // One node after the other (for a cluster): the next when one fails.
        let client = &subscribers[attempt % subscribers.len().max(1)];
        attempt = attempt.wrapping_add(1);
        let subscribed = tokio::time::timeout(timeout * 5, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub.split())
        })
        .await;
        if let Ok(Ok((mut sink, mut stream))) = subscribed {
            let Some(strong) = mirror.upgrade() else {
                return;
            };
            strong.set_live(true);
            drop(strong);
            backoff = Duration::from_millis(50);
            loop {
                match tokio::time::timeout(PING_EVERY, stream.next()).await {
                    Ok(Some(message)) => {
                        let Some(strong) = mirror.upgrade() else {
                            return;
                        };
                        match message.get_payload::<String>() {
                            Ok(key) => strong.invalidate(&key),
                            Err(_) => break,
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {
                        if mirror.strong_count() == 0 {
                            return;
                        }
                        // Any reply will do: in subscribed mode (RESP2) Redis
                        // answers PING with an array, `["pong", ""]`, which
                        // reading it as a string would take for a failure
                        // (and the mirror went dark every quiet half second).
                        let pong = tokio::time::timeout(timeout, sink.ping::<redis::Value>()).await;
                        if !matches!(pong, Ok(Ok(_))) {
                            break;
                        }
                    }
                }
            }
        }
        match mirror.upgrade() {
            Some(strong) => strong.set_live(false),
            None => return,
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

/// Starts following `channel` for `mirror` on the current Tokio runtime, once.
pub(crate) fn start(
    mirror: &Arc<Mirror>,
    link: &Link,
    channel: impl FnOnce() -> String,
    timeout: Duration,
) {
    let subscribers = link.subscribers();
    if mirror.claim_start() && !subscribers.is_empty() {
        tokio::spawn(follow(
            subscribers,
            channel(),
            Arc::downgrade(mirror),
            timeout,
        ));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn keys<'a>(names: &[&'a str]) -> Vec<&'a str> {
        names.to_vec()
    }

    #[test]
    fn a_dark_mirror_answers_nothing_and_keeps_nothing() {
        let mirror = Mirror::new(64);
        let k = keys(&["jti:a"]);
        assert!(mirror.ticket(&k).is_none());
        assert!(mirror.lookup(&k, 0.0).is_none());
        mirror.set_live(true);
        let t = mirror.ticket(&k).unwrap();
        mirror.keep(&t, &k, &[None], 100.0, 0.0);
        assert_eq!(mirror.lookup(&k, 0.0).unwrap()[0], None);
        mirror.set_live(false);
        assert!(mirror.lookup(&k, 0.0).is_none());
        assert_eq!(mirror.len(), 0);
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_kept() {
        let mirror = Mirror::new(64);
        mirror.set_live(true);
        let k = keys(&["jti:a", "fam:f", "sub:alice"]);
        let before = mirror.ticket(&k).unwrap();
        // The revocation lands (and is published) while the read is in flight.
        mirror.invalidate("fam:f");
        mirror.keep(&before, &k, &[None, None, None], 100.0, 0.0);
        assert!(mirror.lookup(&k, 0.0).is_none(), "the stale read was kept");
        // A read after the invalidation is kept.
        let after = mirror.ticket(&k).unwrap();
        mirror.keep(&after, &k, &[None, Some("1".into()), None], 100.0, 0.0);
        let values = mirror.lookup(&k, 0.0).unwrap();
        assert_eq!(values[1].as_deref(), Some("1"));
    }

    #[test]
    fn a_read_that_raced_a_lost_subscription_is_not_kept() {
        let mirror = Mirror::new(64);
        mirror.set_live(true);
        let k = keys(&["jti:a"]);
        let t = mirror.ticket(&k).unwrap();
        mirror.set_live(false);
        mirror.set_live(true);
        mirror.keep(&t, &k, &[None], 100.0, 0.0);
        assert!(mirror.lookup(&k, 0.0).is_none());
    }

    #[test]
    fn entries_expire_with_their_token_and_the_mirror_stays_bounded() {
        let mirror = Mirror::new(16 * 4);
        mirror.set_live(true);
        let k = keys(&["jti:a"]);
        let t = mirror.ticket(&k).unwrap();
        mirror.keep(&t, &k, &[None], 10.0, 0.0);
        assert!(mirror.lookup(&k, 9.0).is_some());
        assert!(mirror.lookup(&k, 10.0).is_none());
        for i in 0..10_000 {
            let name = format!("jti:{i}");
            let k = vec![name.as_str()];
            let t = mirror.ticket(&k).unwrap();
            mirror.keep(&t, &k, &[None], 1e12, 0.0);
        }
        assert!(mirror.len() <= 16 * 4, "{} keys", mirror.len());
    }

    #[test]
    fn a_check_needs_every_key_mirrored() {
        let mirror = Mirror::new(64);
        mirror.set_live(true);
        let one = keys(&["jti:a"]);
        let t = mirror.ticket(&one).unwrap();
        mirror.keep(&t, &one, &[None], 100.0, 0.0);
        assert!(mirror.lookup(&keys(&["jti:a", "fam:f"]), 0.0).is_none());
    }
}
