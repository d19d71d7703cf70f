//! End to end in a real headless Chromium: `examples/browser_app.rs` logs in
//! with cookies, calls a protected POST with the CSRF header read from the
//! `csrf_access_token` cookie, is refused without it, refreshes, and logs out
//! (cookies cleared, token revoked); `examples/websocket_chat.rs`'s page
//! connects with its token as a subprotocol, chats, and is disconnected
//! (1008) when the login is revoked.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test` installs them);
//! run with `cargo test -p axum-jwt-extended-tests --features browser-tests --test browser`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{example_binary, free_port, wait_for_port, Killed};

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Clicks a button and waits for the page to record the call's answer.
async fn click(client: &Client, id: &str) -> (u16, Value) {
    let calls = |v: Value| v.as_str().and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let before = calls(
        client
            .execute("return document.body.dataset.calls || '0'", vec![])
            .await
            .unwrap(),
    );
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = calls(
            client
                .execute("return document.body.dataset.calls || '0'", vec![])
                .await
                .unwrap(),
        );
        if now > before {
            break;
        }
        assert!(Instant::now() < deadline, "clicking #{id} got no answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = client
        .find(Locator::Id("status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body = client
        .find(Locator::Id("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (
        status.parse().unwrap(),
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

async fn page_cookies(client: &Client) -> String {
    client
        .execute("return document.cookie", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn cookie_value(client: &Client, name: &str) -> Option<String> {
    client
        .get_all_cookies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

#[tokio::test]
async fn login_protected_forged_refresh_logout_in_chromium() {
    let app_port = free_port();
    let _app = Killed(
        Command::new(example_binary("browser_app"))
            .env("ADDR", format!("127.0.0.1:{app_port}"))
            .env(
                "JWT_SECRET_KEY",
                "browser-test-secret-long-enough-for-hs256",
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("build the example first: cargo build --example browser_app"),
    );
    wait_for_port(app_port, "browser_app");
    let (_driver, client, profile) = chromium().await;
    let base = format!("http://127.0.0.1:{app_port}");
    client.goto(&base).await.unwrap();

    // Before logging in, a protected call has no cookie.
    assert_eq!(
        click(&client, "protected").await,
        (
            401,
            json!({"msg": "Missing cookie \"access_token_cookie\""})
        )
    );

    // Log in: the JWT cookies are HttpOnly, the CSRF cookies readable.
    assert_eq!(click(&client, "login").await, (200, json!({"login": true})));
    let visible = page_cookies(&client).await;
    assert!(visible.contains("csrf_access_token="), "{visible}");
    assert!(visible.contains("csrf_refresh_token="), "{visible}");
    assert!(
        !visible.contains("access_token_cookie"),
        "HttpOnly: {visible}"
    );
    let first_access = cookie_value(&client, "access_token_cookie")
        .await
        .expect("access cookie");

    // The protected POST with the CSRF header read from the cookie.
    assert_eq!(
        click(&client, "protected").await,
        (200, json!({"logged_in_as": "test"}))
    );
    // A forged call (what another site could make the browser send) is refused.
    assert_eq!(
        click(&client, "forged").await,
        (401, json!({"msg": "Missing CSRF token"}))
    );

    // Refresh: a new access cookie, which works.
    tokio::time::sleep(Duration::from_millis(1100)).await; // a new iat, so a new token
    assert_eq!(
        click(&client, "refresh").await,
        (200, json!({"refresh": true}))
    );
    let second_access = cookie_value(&client, "access_token_cookie")
        .await
        .expect("access cookie");
    assert_ne!(first_access, second_access);
    assert_eq!(
        click(&client, "protected").await,
        (200, json!({"logged_in_as": "test"}))
    );
    let csrf = cookie_value(&client, "csrf_access_token").await.unwrap();

    let screenshot = client.screenshot().await.unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-e2e.png");
    std::fs::write(&shot, screenshot).unwrap();

    // Log out: cookies cleared…
    assert_eq!(
        click(&client, "logout").await,
        (200, json!({"logout": true}))
    );
    assert_eq!(cookie_value(&client, "access_token_cookie").await, None);
    assert!(!page_cookies(&client).await.contains("csrf_access_token"));
    assert_eq!(
        click(&client, "protected").await,
        (
            401,
            json!({"msg": "Missing cookie \"access_token_cookie\""})
        )
    );
    // …and the token revoked: putting the old cookies back does not help.
    // (Set from script: WebDriver refuses cookies for an IP-address host.)
    client
        .execute(
            "document.cookie = 'access_token_cookie=' + arguments[0] + '; path=/';\
             document.cookie = 'csrf_access_token=' + arguments[1] + '; path=/';",
            vec![json!(second_access), json!(csrf)],
        )
        .await
        .unwrap();
    assert_eq!(
        click(&client, "protected").await,
        (401, json!({"msg": "Token has been revoked"}))
    );

    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
}

/// A headless Chromium session on its own chromedriver, and its profile.
async fn chromium() -> (Killed, Client, PathBuf) {
    let driver_port = free_port();
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let driver = Killed(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver} ({e}): install chromium-driver, or run scripts/test")),
    );
    wait_for_port(driver_port, "chromedriver");
    let profile = std::env::temp_dir().join(format!("ajwt-chromium-{driver_port}"));
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");
    (driver, client, profile)
}

/// Waits until the element's text satisfies `ok`, returning it.
async fn wait_text(
    client: &Client,
    id: &str,
    within: Duration,
    ok: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + within;
    loop {
        let text = client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if ok(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "#{id} is still {text:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_chat_page_connects_with_a_subprotocol_token_and_is_closed_at_logout() {
    let app_port = free_port();
    let _app = Killed(
        Command::new(example_binary("websocket_chat"))
            .env("ADDR", format!("127.0.0.1:{app_port}"))
            .env("JWT_SECRET_KEY", "browser-chat-secret-long-enough-hs256")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("build the example first: cargo build --features websocket --example websocket_chat"),
    );
    wait_for_port(app_port, "websocket_chat");
    let (_driver, client, profile) = chromium().await;
    client
        .goto(&format!("http://127.0.0.1:{app_port}/"))
        .await
        .unwrap();

    client
        .find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Open, with the real subprotocol selected (the token is not echoed).
    let status = wait_text(&client, "status", Duration::from_secs(10), |t| {
        t != "disconnected"
    })
    .await;
    assert_eq!(status, "open chat");

    client
        .find(Locator::Id("send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let log = wait_text(&client, "log", Duration::from_secs(10), |t| !t.is_empty()).await;
    assert_eq!(log, "alice: hello", "the identity of the socket's token");

    // Logging out revokes the login: the server closes the socket with 1008.
    client
        .find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = wait_text(&client, "status", Duration::from_secs(6), |t| {
        t.starts_with("closed")
    })
    .await;
    assert_eq!(status, "closed 1008 Token has been revoked");

    let screenshot = client.screenshot().await.unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-chat.png");
    std::fs::write(&shot, screenshot).unwrap();
    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
}
