//! Processes the tests start: example servers, redis-server, drivers.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// target/<profile>/examples/<name>, next to the test binary.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// A throwaway `redis-server` on `port` (`REDIS_SERVER` names another binary),
/// killed when dropped.
pub fn start_redis(port: u16) -> Killed {
    start_redis_with(port, &["--save", "", "--appendonly", "no"])
}

/// A `redis-server` on `port` that keeps every acknowledged write in an
/// append-only file in `dir` (fsync before each reply), so that it survives
/// a kill and a restart on the same `dir`.
pub fn start_durable_redis(port: u16, dir: &std::path::Path) -> Killed {
    let dir = dir.to_str().unwrap();
    start_redis_with(
        port,
        &[
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir,
        ],
    )
}

/// A `redis-server` listening with TLS only, on `port`, with `cert` and
/// `key` (clients are not asked for a certificate).
pub fn start_tls_redis(
    port: u16,
    cert: &std::path::Path,
    key: &std::path::Path,
    ca: &std::path::Path,
) -> Killed {
    let (cert, key, ca) = (
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
        ca.to_str().unwrap(),
    );
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = Command::new(&binary)
        .args([
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .args([
            "--tls-cert-file",
            cert,
            "--tls-key-file",
            key,
            "--tls-ca-cert-file",
            ca,
        ])
        .args([
            "--tls-auth-clients",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {binary} ({e}): install redis-server, or run scripts/test")
        });
    wait_for_port(port, "redis-server (TLS)");
    Killed(child)
}

/// A node of a Redis Cluster on `port`, its files (`nodes.conf`, the
/// append-only file) in `dir`, so that it can be killed and restarted.
pub fn start_cluster_node(port: u16, dir: &std::path::Path) -> Killed {
    std::fs::create_dir_all(dir).unwrap();
    let dir = dir.to_str().unwrap();
    start_redis_with(
        port,
        &[
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--dir",
            dir,
        ],
    )
}

fn start_redis_with(port: u16, settings: &[&str]) -> Killed {
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(settings)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {binary} ({e}): install redis-server, or run scripts/test")
        });
    wait_for_port(port, "redis-server");
    Killed(child)
}

/// `redis-cli -p <port> <args...>`, its output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli (Debian's redis-tools, installed with redis-server)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many times Redis on `port` ran `command` (lowercase), from
/// `INFO commandstats`.
pub fn redis_calls(port: u16, command: &str) -> u64 {
    calls_in_commandstats(&redis_cli(port, &["INFO", "commandstats"]), command)
}

/// `calls=` of `command` (lowercase) in the text of `INFO commandstats`.
pub fn calls_in_commandstats(stats: &str, command: &str) -> u64 {
    let prefix = format!("cmdstat_{command}:calls=");
    stats
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}
