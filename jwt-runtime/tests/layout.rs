//! The module map at the top of `src/lib.rs` is the layout's contract: every
//! module is listed, and a module imports only modules listed above it, so
//! the imports between top-level modules run one way (no cycle).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules of the map, in order; names on one line share a rank.
fn map(lib: &str) -> Vec<(usize, String)> {
    let mut ranked = Vec::new();
    let start = lib
        .find("// Where each behaviour lives.")
        .expect("src/lib.rs has lost its module map");
    for (rank, line) in lib[start..]
        .lines()
        .take_while(|l| l.starts_with("//"))
        .enumerate()
    {
        // Entries are indented by three spaces; headings by none,
        // continuation lines by many.
        let Some(entry) = line.strip_prefix("//   ") else {
            continue;
        };
        if entry.starts_with(' ') {
            continue;
        }
        let names = entry.split("  ").next().unwrap();
        for name in names.split(',') {
            ranked.push((rank, name.trim().trim_end_matches('/').to_owned()));
        }
    }
    ranked
}

/// The text of a top-level module: its file, or every file of its folder.
fn module_text(name: &str) -> String {
    let file = src().join(format!("{name}.rs"));
    if file.exists() {
        return fs::read_to_string(file).unwrap();
    }
    let mut text = String::new();
    let mut dirs = vec![src().join(name)];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                text.push_str(&fs::read_to_string(path).unwrap());
            }
        }
    }
    text
}

/// The top-level modules a module's code (not its comments) names as `crate::<module>`.
fn imports(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if modules.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn every_module_is_on_the_map_and_imports_only_modules_above_it() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    let ranked = map(&lib);
    let listed: BTreeSet<String> = ranked.iter().map(|(_, n)| n.clone()).collect();
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("mod ")
                .or_else(|| l.strip_prefix("pub mod "))
        })
        .map(|l| l.trim_end_matches(';').to_owned())
        .filter(|m| !m.starts_with("__"))
        .collect();
    assert_eq!(
        listed, declared,
        "the module map in src/lib.rs and the `mod` declarations differ"
    );

    let rank = |name: &str| ranked.iter().find(|(_, n)| n == name).unwrap().0;
    let mut wrong = Vec::new();
    for (r, module) in &ranked {
        for dep in imports(&module_text(module), &listed) {
            if &dep != module && rank(&dep) >= *r {
                wrong.push(format!("{module} imports {dep}, which is not above it"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_an_import_that_runs_upward() {
    let modules: BTreeSet<String> = ["error", "manager"].map(String::from).into();
    let text = "use crate::manager::JwtManager;\n// crate::error in a comment\n";
    assert_eq!(imports(text, &modules), ["manager".to_owned()].into());
    let lib = "// Where each behaviour lives.\n//\n// Leaves\n//   error  e\n//   a, b   x\n//          more\n";
    assert_eq!(
        map(lib),
        vec![
            (3, "error".to_owned()),
            (4, "a".to_owned()),
            (4, "b".to_owned())
        ]
    );
}

/// Every `.rs` file under `dir`, with its path.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).unwrap();
            found.push((path, text));
        }
    }
    found
}

/// What outside `guard/` holds or places per-request state: a task-local,
/// or a value put into a request's extensions other than the manager.
fn state_outside_guard(path: &Path, text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let place = format!("{}:{}", path.display(), n + 1);
        if code.contains("task_local!") {
            wrong.push(format!("{place}: a task-local"));
        }
        if code.contains("extensions") && code.contains(".insert(") && !code.contains("manager") {
            wrong.push(format!("{place}: a request extension ({code})"));
        }
    }
    wrong
}

#[test]
fn the_request_state_lives_in_guard() {
    let guard = src().join("guard");
    let mut wrong = Vec::new();
    for (path, text) in files(&src()) {
        if !path.starts_with(&guard) {
            wrong.extend(state_outside_guard(&path, &text));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_state_check_sees_a_task_local_and_an_extension() {
    let text = "tokio::task_local! {\n// task_local! in a comment\nreq.extensions_mut().insert(slot.clone());\nreq.extensions_mut().insert(manager.clone());\n";
    let found = state_outside_guard(Path::new("x.rs"), text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("x.rs:1: a task-local"));
    assert!(found[1].starts_with("x.rs:3: a request extension"));
}
