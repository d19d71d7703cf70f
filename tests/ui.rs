//! Compile-time behaviour of the attribute macros, pinned with trybuild.
//! Re-bless with `TRYBUILD=overwrite cargo test -p axum-jwt-extended-tests --test ui` and review the diff.
#![allow(missing_docs)]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
