//! Log lines written while a test runs, captured with a `tracing`
//! subscriber set for the current thread (the tests' runtime is
//! current-thread, so the library's events land here).

use std::io::Write;
use std::sync::{Arc, Mutex};

/// What was logged since [`Logs::capture`].
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Captures events at `WARN` and above until the guard drops.
    pub fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        Self::capture_at(tracing::Level::WARN)
    }

    /// Captures events at `level` and above until the guard drops.
    pub fn capture_at(level: tracing::Level) -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// The lines so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}
