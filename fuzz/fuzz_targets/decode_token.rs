//! Token parsing: any bytes as a token never panic, and never verify unless
//! they are a token this manager signed.
#![no_main]

use std::sync::OnceLock;

use jwt_runtime::{JwtConfig, JwtManager};
use libfuzzer_sys::fuzz_target;

fn manager() -> &'static JwtManager {
    static M: OnceLock<JwtManager> = OnceLock::new();
    M.get_or_init(|| {
        JwtManager::new(
            JwtConfig::builder()
                .secret_key("fuzzing-secret-that-is-long-enough-for-hs256")
                .decode_algorithms(["HS384", "HS512"])
                .allow_weak_keys(true)
                .build()
                .expect("config"),
        )
        .expect("manager")
    })
}

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let jwt = manager();
    if let Ok(decoded) = jwt.decode_token(&token, true) {
        // Only possible for a genuine signature: the claims must be readable.
        let _ = decoded.claims().len();
        let _ = decoded.identity();
    }
    let _ = jwt.get_unverified_jwt_headers(&token);
});
