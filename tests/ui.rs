//! Compile-time behaviour of the attribute macros, pinned with trybuild.
//! Re-bless with `TRYBUILD=overwrite cargo test --test ui` and review the diff.
#![allow(missing_docs)]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
