//! Where "now" comes from: the system clock, or a fixed instant in tests.

use std::fmt::Debug;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time, as Unix seconds with a fraction (like
/// Python's `datetime.now(timezone.utc).timestamp()`).
///
/// The default is [`SystemClock`]; tests inject a [`FixedClock`] through
/// [`JwtConfigBuilder::clock`](crate::JwtConfigBuilder::clock).
///
/// ```
/// use axum_jwt_extended::{Clock, FixedClock};
/// assert_eq!(FixedClock(1_700_000_000.5).now(), 1_700_000_000.5);
/// ```
pub trait Clock: Send + Sync + Debug + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> f64;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> f64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        }
    }
}

/// A clock stopped at one instant (Unix seconds), for tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedClock(pub f64);

impl Clock for FixedClock {
    fn now(&self) -> f64 {
        self.0
    }
}

/// A span of time as either `Duration` at hand: [`time::Duration`] (this
/// crate's `Duration`) or [`std::time::Duration`]. Every option that takes a
/// span (lifetimes, leeway, timeouts, refresh intervals) accepts both.
///
/// ```
/// use axum_jwt_extended::{JwtConfig, RemoteJwks};
///
/// let config = JwtConfig::builder()
///     .secret_key("a long, random secret of 32+ bytes")
///     .decode_leeway(std::time::Duration::from_secs(10))
///     .blocklist_timeout(time::Duration::milliseconds(300))
///     .build()?;
/// # let _ = config;
/// # Ok::<(), axum_jwt_extended::JwtError>(())
/// ```
pub trait IntoDuration: sealed::Sealed {
    /// The span as a `time::Duration` (a `std` span beyond its range is
    /// the longest one).
    fn into_time(self) -> time::Duration;
}

impl IntoDuration for time::Duration {
    fn into_time(self) -> time::Duration {
        self
    }
}

impl IntoDuration for std::time::Duration {
    fn into_time(self) -> time::Duration {
        time::Duration::try_from(self).unwrap_or(time::Duration::MAX)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for time::Duration {}
    impl Sealed for std::time::Duration {}
}

/// `span` for a setting kept as a `std::time::Duration`: `None` when it is
/// negative (the caller refuses it, or counts it as zero and says so).
pub(crate) fn non_negative(span: impl IntoDuration) -> Option<std::time::Duration> {
    std::time::Duration::try_from(span.into_time()).ok()
}

/// [`non_negative`] for a setter that cannot refuse (no `build()` step):
/// a negative span counts as zero, with a warning naming the setting.
pub(crate) fn zero_if_negative(
    setting: &'static str,
    span: impl IntoDuration,
) -> std::time::Duration {
    match non_negative(span) {
        Some(span) => span,
        None => {
            #[cfg(feature = "tracing")]
            tracing::warn!(target: "axum_jwt_extended", setting, "a negative duration counts as zero");
            #[cfg(not(feature = "tracing"))]
            let _ = setting;
            std::time::Duration::ZERO
        }
    }
}
