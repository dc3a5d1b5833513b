//! The workspace's layering, checked from the Cargo manifests: a stage
//! depends only on earlier stages, the front end builds without LLVM, the
//! runtime or PyO3, and only the crates named for it know LLVM or PyO3.
//! (Here because `oxjit-diag` is the root of the graph and builds at once.)

use std::collections::BTreeMap;
use std::path::Path;

/// Each crate's place in the pipeline: a crate may depend (outside its
/// tests) only on crates of a lower rank.
const STAGES: &[(&str, u32)] = &[
    ("oxjit-diag", 0),
    ("oxjit-abi", 0),
    // Types take their memory layouts from the abi's type descriptors.
    ("oxjit-types", 1),
    ("oxjit-runtime", 1),
    ("oxjit-syntax", 1),
    ("oxjit-hir", 2),
    ("oxjit-tir", 3),
    ("oxjit-typeck", 4),
    ("oxjit-codegen", 5),
    ("oxjit-jit", 6),
    ("oxjit-python", 7),
];

/// The front end: source text to typed IR.
const FRONT_END: &[&str] = &[
    "oxjit-diag",
    "oxjit-types",
    "oxjit-abi",
    "oxjit-syntax",
    "oxjit-hir",
    "oxjit-tir",
    "oxjit-typeck",
];

/// External dependencies only some crates may have.
const RESTRICTED: &[(&str, &[&str])] = &[
    ("inkwell", &["oxjit-codegen", "oxjit-jit"]),
    ("llvm-sys", &["oxjit-codegen", "oxjit-jit"]),
    ("pyo3", &["oxjit-python"]),
    ("numpy", &["oxjit-python"]),
];

/// (dependencies, dev-dependencies) of every workspace crate, by name.
fn manifests() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(crates).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let (mut name, mut deps, mut dev) = (String::new(), Vec::new(), Vec::new());
        let mut section = String::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().trim_end_matches(".workspace").to_string();
            match section.as_str() {
                "[package]" if key == "name" => name = value.trim().trim_matches('"').to_string(),
                "[dependencies]" => deps.push(key),
                "[dev-dependencies]" => dev.push(key),
                _ => {}
            }
        }
        all.insert(name, (deps, dev));
    }
    all
}

fn rank(name: &str) -> Option<u32> {
    STAGES.iter().find(|(n, _)| *n == name).map(|&(_, r)| r)
}

#[test]
fn every_crate_has_a_stage() {
    for name in manifests().keys() {
        assert!(rank(name).is_some(), "{name} is not in STAGES");
    }
}

#[test]
fn stages_depend_only_on_earlier_stages() {
    let mut wrong = Vec::new();
    for (name, (deps, _)) in manifests() {
        let own = rank(&name).unwrap_or(u32::MAX);
        for dep in deps.iter().filter(|d| d.starts_with("oxjit-")) {
            if rank(dep).is_none_or(|r| r >= own) {
                wrong.push(format!("{name} -> {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "dependencies on later stages: {wrong:?}");
}

#[test]
fn the_front_end_needs_no_backend_runtime_or_python() {
    let mut wrong = Vec::new();
    for (name, (deps, dev)) in manifests() {
        if !FRONT_END.contains(&name.as_str()) {
            continue;
        }
        for dep in deps.iter().chain(&dev) {
            let compiler_crate = dep.starts_with("oxjit-") && !FRONT_END.contains(&dep.as_str());
            if compiler_crate || RESTRICTED.iter().any(|(r, _)| r == dep) {
                wrong.push(format!("{name} -> {dep}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "front-end crates reaching past typeck: {wrong:?}"
    );
}

#[test]
fn only_named_crates_know_llvm_or_pyo3() {
    let mut wrong = Vec::new();
    for (name, (deps, dev)) in manifests() {
        for dep in deps.iter().chain(&dev) {
            if let Some((_, allowed)) = RESTRICTED.iter().find(|(r, _)| r == dep) {
                if !allowed.contains(&name.as_str()) {
                    wrong.push(format!("{name} -> {dep}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn the_runtime_knows_no_compiler_crate_but_the_abi() {
    let manifests = manifests();
    let (deps, _) = &manifests["oxjit-runtime"];
    let compiler: Vec<_> = deps
        .iter()
        .filter(|d| d.starts_with("oxjit-") && *d != "oxjit-abi")
        .collect();
    assert!(compiler.is_empty(), "{compiler:?}");
}
