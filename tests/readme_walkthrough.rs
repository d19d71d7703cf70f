//! The README's curl walk-through of `examples/refresh_tokens.rs` (the seed
//! page), run as a newcomer runs it: the example binary, started the way
//! `cargo run --example refresh_tokens` starts it (no `JWT_SECRET_KEY`), and
//! every `curl` command of the README block sent with the real `curl`. Each
//! answer the README shows (`# -> STATUS BODY`, where `eyJ...` stands for a
//! token) must be the answer the server gives.
//!
//! Needs the example built (`cargo test --workspace` builds it; alone:
//! `cargo build --example refresh_tokens`) and `curl` (`scripts/test` installs it).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::{example_binary, free_port, wait_for_port, Killed};

const MARKER: &str = "<!-- walkthrough:";

/// One step of the README block.
#[derive(Debug)]
enum Step {
    /// A curl command and the answer shown below it.
    Curl {
        command: String,
        status: u16,
        body: String,
    },
    /// `ACCESS=...` / `REFRESH=...`: the variable takes the token of that
    /// name from the previous answer.
    Assign { variable: String },
}

fn walkthrough() -> Vec<Step> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let after_marker = &readme[readme
        .find(MARKER)
        .expect("README has the walkthrough marker")..];
    let block = after_marker
        .split_once("```sh\n")
        .expect("a sh block after the marker")
        .1
        .split_once("```")
        .expect("the block ends")
        .0;
    // Commands continued with a trailing `\\` become one line.
    let mut logical: Vec<String> = Vec::new();
    let mut continued = false;
    for line in block.lines().map(str::trim_end) {
        let text = line.trim_end_matches('\\').trim();
        match logical.last_mut() {
            Some(last) if continued => {
                last.push(' ');
                last.push_str(text);
            }
            _ => logical.push(text.to_owned()),
        }
        continued = line.ends_with('\\');
    }
    let mut steps = Vec::new();
    let mut lines = logical.into_iter();
    while let Some(line) = lines.next() {
        if line.starts_with("curl ") {
            let answer = lines.next().unwrap_or_default();
            let answer = answer
                .strip_prefix("# -> ")
                .unwrap_or_else(|| panic!("expected `# -> STATUS BODY` after {line}"));
            let (status, body) = answer.split_once(' ').expect("STATUS BODY");
            steps.push(Step::Curl {
                command: line.clone(),
                status: status.parse().expect("a status code"),
                body: body.to_owned(),
            });
        } else if let Some((variable, _)) = line.split_once('=') {
            if variable == "ACCESS" || variable == "REFRESH" {
                steps.push(Step::Assign {
                    variable: variable.to_owned(),
                });
            }
        }
    }
    steps
}

/// `expected` with each `eyJ...` standing for one compact JWS.
fn matches_shown(expected: &str, actual: &str) -> bool {
    let mut rest = actual;
    let mut parts = expected.split("eyJ...");
    let first = parts.next().unwrap_or_default();
    let Some(tail) = rest.strip_prefix(first) else {
        return false;
    };
    rest = tail;
    for part in parts {
        let Some(token) = rest.strip_prefix("eyJ") else {
            return false;
        };
        let end = token
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(token.len());
        if token[..end].split('.').count() != 3 {
            return false;
        }
        let Some(tail) = token[end..].strip_prefix(part) else {
            return false;
        };
        rest = tail;
    }
    rest.is_empty()
}

/// `examples/refresh_tokens` as `cargo run --example refresh_tokens` starts
/// it (no `JWT_SECRET_KEY`), on a free port.
fn start_example() -> (Killed, u16) {
    let port = free_port();
    let binary = example_binary("refresh_tokens");
    let child = Command::new(&binary)
        .env_remove("JWT_SECRET_KEY")
        .env("ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; build it first: cargo build --example refresh_tokens",
                binary.display()
            )
        });
    let server = Killed(child);
    wait_for_port(port, "examples/refresh_tokens");
    (server, port)
}

/// Runs a curl command line with `sh`, returning the status and the body.
fn run_curl(command: &str, vars: &[(String, String)]) -> (u16, String) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -w '\\n%{{http_code}}'"))
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("sh and curl (scripts/test installs curl)");
    assert!(output.status.success(), "{command}: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), body.to_owned())
}

#[test]
fn seed_example_login_answers_bodies_that_are_not_json_objects_with_a_msg() {
    let (_server, port) = start_example();
    let login = format!("curl -s -X POST 127.0.0.1:{port}/login");
    let json = r#"-H "Content-Type: application/json""#;
    let cases: [(String, u16, &str); 6] = [
        (
            format!("{login} -d 'username=test&password=test'"),
            415,
            "Content-Type: application/json",
        ),
        (
            format!("{login} {json} -d '[\"test\", \"test\"]'"),
            400,
            "must be a JSON object",
        ),
        (
            format!("{login} {json} -d '\"test\"'"),
            400,
            "must be a JSON object",
        ),
        (
            format!("{login} {json} -d '{{\"username\": \"test\"'"),
            400,
            "Failed to parse",
        ),
        (format!("{login} {json}"), 400, "Failed to parse"),
        (
            format!("{login} {json} -d '{{\"username\": 5, \"password\": \"test\"}}'"),
            401,
            "Bad username or password",
        ),
    ];
    for (command, status, needle) in cases {
        let (got_status, body) = run_curl(&command, &[]);
        assert_eq!(got_status, status, "{command}: {body}");
        let body: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{command}: not JSON: {body}"));
        let msg = body["msg"]
            .as_str()
            .unwrap_or_else(|| panic!("{command}: no msg in {body}"));
        assert!(msg.contains(needle), "{command}: {msg}");
    }
}

#[test]
fn readme_curl_walkthrough_gives_the_answers_it_shows() {
    let steps = walkthrough();
    let curls = steps
        .iter()
        .filter(|s| matches!(s, Step::Curl { .. }))
        .count();
    assert!(curls >= 6, "the walkthrough lost steps: {steps:?}");

    let (_server, port) = start_example();

    let mut last_answer = Value::Null;
    let mut vars: Vec<(String, String)> = Vec::new();
    for step in &steps {
        match step {
            Step::Assign { variable } => {
                let key = match variable.as_str() {
                    "ACCESS" => "access_token",
                    _ => "refresh_token",
                };
                let token = last_answer[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{variable}: no {key} in the previous answer"));
                vars.push((variable.clone(), token.to_owned()));
            }
            Step::Curl {
                command,
                status,
                body,
            } => {
                let command = command.replace("localhost:5000", &format!("127.0.0.1:{port}"));
                let (got_status, got_body) = run_curl(&command, &vars);
                assert_eq!(got_status, *status, "status of {command}");
                assert!(
                    matches_shown(body, &got_body),
                    "{command}\n  README shows: {body}\n  server gave:  {got_body}"
                );
                last_answer = serde_json::from_str(&got_body).unwrap_or(Value::Null);
            }
        }
    }
}

#[test]
fn the_token_placeholder_matches_only_tokens() {
    assert!(matches_shown(
        r#"{"access_token":"eyJ..."}"#,
        r#"{"access_token":"eyJa.b-c.d_e"}"#
    ));
    assert!(!matches_shown(
        r#"{"access_token":"eyJ..."}"#,
        r#"{"access_token":"eyJab"}"#
    ));
    assert!(!matches_shown(r#"{"msg":"a"}"#, r#"{"msg":"b"}"#));
    assert!(!matches_shown(r#"{"msg":"a"}"#, r#"{"msg":"a"} "#));
}
