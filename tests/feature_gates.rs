//! An item of a disabled feature is a compile error that names the feature,
//! not "cannot find function": a small crate that depends on the facade
//! without `cookies`, `jwks-http` and `redis` is checked with cargo, and its errors
//! read.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"
fn main() {
    let config = axum_jwt_extended::JwtConfig::builder()
        .secret_key("a long, random secret of 32+ bytes")
        .build()
        .unwrap();
    let jwt = axum_jwt_extended::JwtManager::new(config).unwrap();
    let _ = axum_jwt_extended::set_access_cookies("token");
    let _ = jwt.set_refresh_cookies("token");
    let _ = axum_jwt_extended::unset_jwt_cookies();
    let _ = jwt.unset_access_cookies();
    let _ = axum_jwt_extended::CookieOptions::new();
    let _ = axum_jwt_extended::RemoteJwks::http("http://127.0.0.1/jwks.json");
    let _ = axum_jwt_extended::RedisBlocklist::new("redis://127.0.0.1/");
}
"#;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn a_disabled_features_items_name_the_feature() {
    let root = workspace_root();
    let dir = root.join("target").join("feature-gates");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        r#"[package]
name = "feature-gates-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
axum-jwt-extended = {{ path = {root:?}, default-features = false, features = ["rust-crypto", "macros"] }}

[workspace]
"#,
        root = root.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
    // The same versions as the project, so that no index is needed.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet", "--message-format=short"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it must not compile:\n{stderr}");
    let cookies = "this needs the `cookies` feature of axum-jwt-extended";
    let jwks = "this needs the `jwks-http` feature of axum-jwt-extended";
    assert_eq!(stderr.matches(cookies).count(), 5, "{stderr}");
    assert_eq!(stderr.matches(jwks).count(), 1, "{stderr}");
    let redis = "this needs the `redis` feature of axum-jwt-extended";
    assert_eq!(stderr.matches(redis).count(), 1, "{stderr}");
    assert!(!stderr.contains("cannot find"), "{stderr}");
}
