//! The platform seam, checked from the sources of every crate of the
//! workspace: operating-system calls (`std::os`, `rustix`, `libc`, `nix`,
//! and conditional compilation on the target) appear only in a `platform`
//! module, so the standard-library implementation behind each seam is the
//! whole of what another system needs (see `docs/reference/platforms.md`).

use camino::Utf8Path;

use crate::support::{rust_sources, workspace_members, workspace_root};

/// What only a platform module may write.
const OS_ONLY: [&str; 8] =
    ["std::os::", "rustix::", "libc::", "nix::", "cfg(unix", "cfg(windows", "target_os", "target_family"];

/// Crates whose seam is still to come. Each entry is a crate directory
/// relative to the workspace root; the check covers every other member.
const NOT_YET_SEAMED: [&str; 0] = [];

/// `src/platform.rs`, or anything in a `platform/` folder, at any depth.
fn in_platform_module(rel: &Utf8Path) -> bool {
    rel.iter().any(|part| part == "platform" || part == "platform.rs")
}

/// Every `file:line: text` outside a platform module that names an OS-only item;
/// unit tests (after `#[cfg(test)]`) and comments are not code that ships.
fn violations(crate_dir: &Utf8Path) -> Vec<String> {
    let src = crate_dir.join("src");
    let mut found = Vec::new();
    for (rel, text) in rust_sources(&src) {
        if in_platform_module(&rel) {
            continue;
        }
        let file = src.join(&rel);
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for (n, line) in code.lines().enumerate() {
            let trimmed = line.trim();
            if !trimmed.starts_with("//") && OS_ONLY.iter().any(|item| trimmed.contains(item)) {
                found.push(format!("{file}:{}: {trimmed}", n + 1));
            }
        }
    }
    found
}

#[test]
fn operating_system_calls_live_only_in_platform_modules() {
    let mut found = Vec::new();
    let mut checked = 0;
    for member in workspace_members().iter().filter(|m| !NOT_YET_SEAMED.contains(&m.as_str())) {
        found.extend(violations(&workspace_root().join(member)));
        checked += 1;
    }
    assert!(checked >= 6, "the workspace members were not found");
    assert!(
        found.is_empty(),
        "move these into the crate's platform module (with a standard-library implementation \
         for every other system):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_call_outside_the_seam_and_leaves_the_seam_and_unit_tests_alone() {
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = Utf8Path::from_path(dir.path()).unwrap();
    let write = |rel: &str, text: &str| {
        let path = crate_dir.join("src").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "// libc::kill in a comment\nfn f() {}\n#[cfg(test)]\nmod tests { use std::os::unix::fs::symlink; }\n",
    );
    write("platform/linux.rs", "use rustix::fs::open;\n");
    write("deep/platform.rs", "use std::os::unix::fs::PermissionsExt;\n");
    assert!(violations(crate_dir).is_empty(), "{:?}", violations(crate_dir));
    write("exec/lane.rs", "fn f() {\n    use std::os::unix::fs::MetadataExt;\n}\n");
    write("exec/pack.rs", "#[cfg(target_os = \"linux\")]\nfn g() {}\n");
    let found = violations(crate_dir);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("lane.rs:2") || found[1].contains("lane.rs:2"), "{found:?}");
}
