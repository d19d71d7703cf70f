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
