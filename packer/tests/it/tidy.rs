//! The shape of the crate, checked from its source: a front door with no
//! public modules, four layers that only import downwards, and no cycle
//! among the modules of a layer.
//!
//! A module here is a layer's direct child (`workspace::registry`, with
//! everything in its folder) or the layer's own `mod.rs`; an edge is a
//! `crate::layer::module` path written in its files.

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};

/// The layers, lowest first; each may import only itself and those before it.
const LAYERS: [&str; 4] = ["support", "workspace", "families", "exec"];

fn src() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Utf8Path, out: &mut Vec<Utf8PathBuf>) {
    for entry in dir.read_dir_utf8().unwrap().flatten() {
        let path = entry.path().to_owned();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension() == Some("rs") {
            out.push(path);
        }
    }
}

/// `support::diag` for `src/support/diag.rs`, `families::glyph` for
/// `src/families/glyph/tiles.rs`, `families` for `src/families/mod.rs`.
fn module_of(file: &Utf8Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let parts: Vec<&str> = rel.iter().collect();
    match parts.as_slice() {
        [_lib] => None,
        [layer, "mod.rs"] => Some((*layer).to_owned()),
        [layer, file] => Some(format!("{layer}::{}", file.trim_end_matches(".rs"))),
        [layer, module, ..] => Some(format!("{layer}::{module}")),
        [] => None,
    }
}

fn layer_rank(module: &str) -> usize {
    let layer = module.split("::").next().unwrap();
    LAYERS.iter().position(|l| *l == layer).unwrap_or_else(|| panic!("`{layer}` is not a layer: add it to LAYERS"))
}

/// Every module a file names: `crate::a::b` paths, and in a layer's own
/// `mod.rs` its children by their short names (`glyph::materialize`), and
/// in a layer's direct child its parent as `super::`.
fn references(module: &str, direct_child: bool, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let is_layer = !module.contains("::");
    // Unit tests are not part of the structure.
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
        if is_layer {
            let children = modules.iter().filter(|m| m.starts_with(&format!("{module}::")));
            for child in children {
                let short = &child[module.len() + 2..];
                if line.match_indices(&format!("{short}::")).any(|(at, _)| !preceded_by_path(line, at)) {
                    found.insert(child.clone());
                }
            }
        } else if line.contains("super::") && direct_child {
            found.insert(module.split("::").next().unwrap().to_owned());
        }
        for path in crate_paths(line) {
            let mut segments = path.split("::").filter(|s| !s.is_empty());
            let (Some(layer), second) = (segments.next(), segments.next()) else { continue };
            let two = second.map(|s| format!("{layer}::{s}"));
            match two.filter(|m| modules.contains(m)) {
                Some(module) => found.insert(module),
                None if modules.contains(layer) => found.insert(layer.to_owned()),
                None => false,
            };
        }
    }
    found
}

/// Every `crate::…` path on a line, without the `crate::` (`exec::pack::Run`).
fn crate_paths(line: &str) -> impl Iterator<Item = String> + '_ {
    line.match_indices("crate::").map(|(at, _)| {
        line[at + "crate::".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect()
    })
}

/// Whether the name at `at` continues a longer path (`crate::x::glyph::`)
/// or a longer name (`my_glyph::`) rather than starting one.
fn preceded_by_path(line: &str, at: usize) -> bool {
    line[..at].chars().next_back().is_some_and(|c| c == ':' || c.is_alphanumeric() || c == '_')
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    // (module, whether the file sits directly in its layer's folder, text)
    let owned: Vec<(String, bool, String)> = files
        .iter()
        .filter_map(|f| {
            let direct = f.strip_prefix(src()).unwrap().iter().count() == 2 && f.file_name() != Some("mod.rs");
            module_of(f).map(|m| (m, direct, std::fs::read_to_string(f).unwrap()))
        })
        .collect();
    let modules: BTreeSet<String> = owned.iter().map(|(m, _, _)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for (module, direct, text) in &owned {
        let targets = references(module, *direct, text, &modules).into_iter().filter(|t| t != module);
        edges.get_mut(module).unwrap().extend(targets);
    }
    edges
}

#[test]
fn the_front_door_declares_no_public_module() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let public: Vec<&str> = lib.lines().filter(|l| l.trim_start().starts_with("pub mod")).collect();
    assert!(public.is_empty(), "lib.rs must re-export, not publish modules: {public:?}");
}

#[test]
fn modules_reach_each_other_by_layer_not_through_the_front_door() {
    // `crate::Diagnostic` would hide which layer is imported from the checks below.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in files.iter().filter(|f| module_of(f).is_some()) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
            for path in crate_paths(line) {
                let first = path.split("::").next().unwrap_or_default();
                if !LAYERS.contains(&first) {
                    wrong.push(format!("{file}:{}: crate::{first}", n + 1));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "paths through the front door: {wrong:#?}");
}

#[test]
fn layers_import_only_downwards() {
    let mut wrong = Vec::new();
    for (module, targets) in graph() {
        for target in targets {
            if layer_rank(&target) > layer_rank(&module) {
                wrong.push(format!("{module} -> {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports from a higher layer: {wrong:#?}");
}

#[test]
fn no_module_cycle() {
    let edges = graph();
    // Depth-first search with colours; a grey target is a back edge.
    fn visit<'a>(
        node: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        colour.insert(node, 1);
        path.push(node);
        for next in &edges[node] {
            match colour.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|n| n == next).unwrap();
                    let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, edges, colour, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        colour.insert(node, 2);
        None
    }
    let mut colour = BTreeMap::new();
    for node in edges.keys() {
        if !colour.contains_key(node.as_str())
            && let Some(cycle) = visit(node, &edges, &mut colour, &mut Vec::new())
        {
            panic!("module cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_check_sees_the_crate() {
    // Guards the checks above against passing on an empty graph.
    let edges = graph();
    assert!(edges.len() >= 15, "{edges:#?}");
    assert!(edges["exec::pack"].contains("exec::gate"), "{:#?}", edges["exec::pack"]);
    assert!(edges["families::glyph"].contains("workspace::declaration"));
}
