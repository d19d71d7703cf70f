//! Header, cookie, query-string and CSRF extraction: arbitrary request parts
//! through the whole verification, never a panic and never a pass.
#![no_main]

use std::sync::OnceLock;

use jwt_runtime::{JwtConfig, JwtManager, Location, Requirements};
use libfuzzer_sys::fuzz_target;

fn manager() -> &'static JwtManager {
    static M: OnceLock<JwtManager> = OnceLock::new();
    M.get_or_init(|| {
        JwtManager::new(
            JwtConfig::builder()
                .secret_key("fuzzing-secret-that-is-long-enough-for-hs256")
                .token_location([Location::Headers, Location::Cookies, Location::QueryString])
                .build()
                .expect("config"),
        )
        .expect("manager")
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    // Split the input into an Authorization value, a Cookie value, a CSRF
    // header and a query string.
    let mut parts = data.splitn(4, |b| *b == 0xff);
    let auth = parts.next().unwrap_or_default();
    let cookie = parts.next().unwrap_or_default();
    let csrf = parts.next().unwrap_or_default();
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default()).replace(['#', ' '], "");
    let mut builder = http::Request::builder().method("POST");
    builder = builder.uri(format!("/p?{query}"));
    for (name, value) in [
        ("authorization", auth),
        ("cookie", cookie),
        ("x-csrf-token", csrf),
    ] {
        if let Ok(v) = http::HeaderValue::from_bytes(value) {
            builder = builder.header(name, v);
        }
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (parts, ()) = request.into_parts();
    let result = runtime().block_on(manager().verify_request(&parts, Requirements::default()));
    assert!(result.is_err(), "random input passed verification");
});
