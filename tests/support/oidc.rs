//! A real OpenID Connect provider for the tests: `tests/oidc/provider.mjs`
//! (the `oidc-provider` package on Node.js) behind TLS with a certificate of
//! a CA made here, which the tests trust and the platform does not.
//!
//! Tokens are asked for over HTTPS with `curl` (installed by scripts/test).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::process::{free_port, Killed};
pub use super::tls::{test_ca, unrelated_ca_pem, TestCa};

/// The audience (resource indicator) the providers issue tokens for.
pub const AUDIENCE: &str = "https://notes.test";
/// A second resource the providers also issue tokens for.
pub const OTHER_AUDIENCE: &str = "https://other.test";

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// One provider: its port stays the same across a stop and a start (an
/// outage), and so do its keys (kept in a state file).
pub struct Provider {
    pub port: u16,
    pub issuer: String,
    state_file: PathBuf,
    process: Option<Killed>,
}

impl Provider {
    /// A provider that is not started yet (`start` it; its issuer URL is
    /// known already, for a service configured before the provider is up).
    pub fn new(name: &str) -> Provider {
        let ca = test_ca();
        assert!(
            provider_dir().join("node_modules/oidc-provider").is_dir(),
            "the test OpenID provider is not installed: run `npm ci --prefix tests/oidc` \
             (scripts/test does)"
        );
        let port = free_port();
        Provider {
            port,
            issuer: format!("https://localhost:{port}"),
            state_file: ca.dir.join(format!("{name}-{port}.json")),
            process: None,
        }
    }

    /// Starts (or restarts) the provider and waits until it listens. A
    /// start that does not report within 30 s (a Node.js process stuck at
    /// startup) is killed and tried again, twice; then the test fails with
    /// a message instead of hanging.
    pub fn start(&mut self) {
        assert!(self.process.is_none(), "already running");
        for attempt in 1..=3 {
            match self.try_start() {
                Ok(process) => {
                    self.process = Some(process);
                    return;
                }
                Err(why) => eprintln!("provider on port {} (attempt {attempt}): {why}", self.port),
            }
        }
        panic!(
            "the test OpenID provider on port {} did not start",
            self.port
        );
    }

    fn try_start(&self) -> Result<Killed, String> {
        let ca = test_ca();
        let mut child = Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .env("PORT", self.port.to_string())
            .env("ISSUER", &self.issuer)
            .env("TLS_CERT", &ca.cert_pem)
            .env("TLS_KEY", &ca.key_pem)
            .env("STATE_FILE", &self.state_file)
            .env("AUDIENCE", AUDIENCE)
            .env("OTHER_AUDIENCE", OTHER_AUDIENCE)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start node ({e}): install Node.js, or run scripts/test")
            });
        let stdout = child.stdout.take().unwrap();
        let process = Killed(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.trim() == "listening" => Ok(process),
            Ok(line) => Err(format!("it printed {line:?} instead of \"listening\"")),
            Err(_) => Err("no \"listening\" within 30 s".to_owned()),
        }
    }

    /// Stops the provider (an outage); `start` brings it back with its keys.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// An access token of the client-credentials grant for `client`
    /// (`reader` or `admin`), for `audience`.
    pub fn token_for(&self, client: &str, audience: &str) -> String {
        let reply = curl(&[
            "-u",
            &format!("{client}:{client}-secret"),
            "-d",
            "grant_type=client_credentials",
            "-d",
            &format!("resource={audience}"),
            "-d",
            "scope=notes:read",
            &format!("{}/token", self.issuer),
        ]);
        reply["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {reply}"))
            .to_owned()
    }

    /// [`token_for`](Self::token_for) the API's audience.
    pub fn token(&self, client: &str) -> String {
        self.token_for(client, AUDIENCE)
    }

    /// Adds a key that signs from now on; the old one stays published.
    /// Returns the key ids, newest first.
    pub fn rotate(&self) -> Vec<String> {
        kids(curl(&[
            "-X",
            "POST",
            &format!("{}/__test/rotate", self.issuer),
        ]))
    }

    /// Removes every key but the newest.
    pub fn retire(&self) -> Vec<String> {
        kids(curl(&[
            "-X",
            "POST",
            &format!("{}/__test/retire", self.issuer),
        ]))
    }
}

fn kids(reply: Value) -> Vec<String> {
    reply["kids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

/// An HTTPS request to a provider with curl, trusting the test CA.
fn curl(args: &[&str]) -> Value {
    let ca = test_ca();
    let output = Command::new("curl")
        .arg("-sS")
        .arg("--fail-with-body")
        .args(["--max-time", "30"])
        .arg("--cacert")
        .arg(&ca.ca_pem)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run curl ({e}): install curl, or run scripts/test"));
    let body = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "curl {args:?}: {body} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&body).unwrap()
}

/// The key id in a token's header.
pub fn kid_of(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: Value = serde_json::from_slice(&bytes).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}
