//! No file-level import circle in any crate of the workspace.
//!
//! The check reads every crate's `src/` and looks at one folder at a time:
//! within a folder (the crate root, `src/compiler/`, …) each `.rs` file and
//! each sub-folder (with everything in it) is one node; an edge is a path
//! written in one node's code (`use`, or inline like `crate::a::b::f()`)
//! that leads into another. The folder's own file (`lib.rs`, `mod.rs`) is
//! the context its children share, so edges to and from it are not counted:
//! a child's `use super::*` is how a long module is split, not a circle.
//! Unit tests (`#[cfg(test)]` items) are not part of the structure. A path
//! through a `pub use` re-export counts as a path to where the item lives.

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};

use crate::support::{rust_sources, workspace_members, workspace_root};

/// A module's place: `["compiler", "lines"]` for `src/compiler/lines.rs`.
type ModPath = Vec<String>;

/// One crate's source files: the file's path under `src/` and its text.
struct Crate {
    name: String,
    files: Vec<(Utf8PathBuf, String)>,
}

/// One counted edge and where it was seen, for the failure message.
#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    seen: String,
}

/// Every circle of one crate: each is the nodes of one strongly connected
/// component, with the edges that tie them.
fn circles(krate: &Crate) -> Vec<Vec<Edge>> {
    let parsed = parse_crate(krate);
    let mut by_folder: BTreeMap<ModPath, Vec<Edge>> = BTreeMap::new();
    for (from_file, targets) in &parsed.edges {
        for (target, seen) in targets {
            if let Some((folder, edge)) = folder_edge(&parsed, from_file, target, seen) {
                by_folder.entry(folder).or_default().push(edge);
            }
        }
    }
    by_folder.values().flat_map(|edges| strongly_connected(edges)).collect()
}

/// Where two modules meet: the deepest folder holding both, and the edge
/// between its two children that contain them. `None` when one contains the
/// other (a parent and its child) or both are the same node.
fn folder_edge(parsed: &Parsed, from: &ModPath, to: &ModPath, seen: &str) -> Option<(ModPath, Edge)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    let folder = from[..common].to_vec();
    let node = |path: &ModPath| parsed.node_name(&path[..=common]);
    Some((folder, Edge { from: node(from), to: node(to), seen: seen.to_owned() }))
}

/// Tarjan's algorithm over one folder's edges; components of two or more.
fn strongly_connected(edges: &[Edge]) -> Vec<Vec<Edge>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in edges {
        graph.entry(&edge.from).or_default().insert(&edge.to);
        graph.entry(&edge.to).or_default();
    }
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<&'a str>>,
    }
    fn visit<'a>(node: &'a str, graph: &BTreeMap<&'a str, BTreeSet<&'a str>>, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        for &next in &graph[node] {
            if !s.index.contains_key(next) {
                visit(next, graph, s);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = BTreeSet::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.insert(top);
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(node, &graph, &mut state);
        }
    }
    state
        .found
        .iter()
        .map(|component| {
            edges
                .iter()
                .filter(|e| component.contains(e.from.as_str()) && component.contains(e.to.as_str()))
                .cloned()
                .collect()
        })
        .collect()
}

/// A crate read: which module each file is, and the modules each names.
struct Parsed {
    /// Module path → the file that defines it (relative to `src/`).
    files: BTreeMap<ModPath, Utf8PathBuf>,
    /// Module path → (target module, "file:line `path`") for every path.
    edges: BTreeMap<ModPath, Vec<(ModPath, String)>>,
}

impl Parsed {
    /// `cli.rs`, `commands/` (a folder), `compiler/lines.rs`.
    fn node_name(&self, path: &[String]) -> String {
        match self.files.get(path) {
            Some(file) if file.file_name() == Some("mod.rs") => format!("{}/", file.parent().unwrap()),
            Some(file) => file.to_string(),
            None => path.join("/"),
        }
    }
}

fn module_of(file: &Utf8Path) -> Option<ModPath> {
    let mut parts: Vec<String> = file.iter().map(str::to_owned).collect();
    let last = parts.pop()?;
    match last.as_str() {
        "lib.rs" | "main.rs" if parts.is_empty() => Some(parts),
        "mod.rs" => Some(parts),
        name => {
            parts.push(name.strip_suffix(".rs")?.to_owned());
            Some(parts)
        }
    }
}

fn parse_crate(krate: &Crate) -> Parsed {
    // A binary beside a library is a crate of its own that only calls the library.
    let has_lib = krate.files.iter().any(|(f, _)| f == "lib.rs");
    let sources: Vec<(ModPath, &Utf8Path, String)> = krate
        .files
        .iter()
        .filter(|(f, _)| !(has_lib && f == "main.rs"))
        .filter_map(|(f, text)| Some((module_of(f)?, f.as_path(), strip_tests(&clean(text)))))
        .collect();
    let files: BTreeMap<ModPath, Utf8PathBuf> = sources.iter().map(|(m, f, _)| (m.clone(), f.to_path_buf())).collect();
    let modules: BTreeSet<ModPath> = files.keys().cloned().collect();
    let reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>> =
        sources.iter().map(|(m, _, code)| (m.clone(), reexports_of(m, code, &modules))).collect();
    let mut edges = BTreeMap::new();
    for (module, file, code) in &sources {
        let mut found = Vec::new();
        let aliases = module_aliases(module, code, &modules);
        for (line, path) in paths_in(code) {
            let Some(absolute) = absolute(module, &path, &aliases, &modules) else { continue };
            let target = follow(&absolute, &modules, &reexports, 0);
            found.push((target, format!("{}/src/{file}:{line} `{}`", krate.name, path.join("::"))));
        }
        edges.insert(module.clone(), found);
    }
    Parsed { files, edges }
}

/// The module a path leads into: its longest prefix that is a module, and
/// if the next segment is a name that module re-exports, where that lives.
fn follow(
    path: &[String],
    modules: &BTreeSet<ModPath>,
    reexports: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    depth: usize,
) -> ModPath {
    let length = (0..=path.len()).rev().find(|&n| modules.contains(&path[..n])).unwrap_or(0);
    let module = path[..length].to_vec();
    if depth < 8
        && let Some(name) = path.get(length)
        && let Some(source) = reexports.get(&module).and_then(|names| names.get(name))
    {
        let mut next = source.clone();
        next.extend(path[length + 1..].iter().cloned());
        return follow(&next, modules, reexports, depth + 1);
    }
    module
}

/// Names a module re-exports (`pub use x::{A, B as C}`, `pub(crate) use`):
/// name → the absolute path of what it names.
fn reexports_of(module: &ModPath, code: &str, modules: &BTreeSet<ModPath>) -> BTreeMap<String, ModPath> {
    let mut names = BTreeMap::new();
    for (public, tree) in use_trees(code) {
        if !public {
            continue;
        }
        for (path, alias) in expand_tree(&tree) {
            let Some(name) = alias.or_else(|| path.last().cloned()) else { continue };
            if name == "*" || name == "self" {
                continue;
            }
            if let Some(absolute) = absolute(module, &path, &BTreeMap::new(), modules) {
                names.insert(name, absolute);
            }
        }
    }
    names
}

/// Names a file's `use` lines bind to modules (`use crate::commands;`,
/// `use crate::scaffold::{self, …}`), so `commands::build::run` resolves.
fn module_aliases(module: &ModPath, code: &str, modules: &BTreeSet<ModPath>) -> BTreeMap<String, ModPath> {
    let mut aliases = BTreeMap::new();
    for (_, tree) in use_trees(code) {
        for (mut path, alias) in expand_tree(&tree) {
            if path.last().is_some_and(|s| s == "self") {
                path.pop();
            }
            let Some(name) = alias.or_else(|| path.last().cloned()) else { continue };
            if let Some(absolute) = absolute(module, &path, &BTreeMap::new(), modules)
                && modules.contains(&absolute)
            {
                aliases.insert(name, absolute);
            }
        }
    }
    aliases
}

/// A path as written in `module`, made absolute; `None` for a path that
/// does not start inside this crate (`std::…`, another crate, a type).
fn absolute(
    module: &ModPath,
    path: &[String],
    aliases: &BTreeMap<String, ModPath>,
    modules: &BTreeSet<ModPath>,
) -> Option<ModPath> {
    let first = path.first()?;
    let mut base: ModPath;
    let mut rest = path;
    match first.as_str() {
        "crate" => {
            base = Vec::new();
            rest = &path[1..];
        }
        "self" => {
            base = module.clone();
            rest = &path[1..];
        }
        "super" => {
            base = module.clone();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        name => {
            let mut child = module.clone();
            child.push(name.to_owned());
            if modules.contains(&child) {
                base = module.clone();
            } else if let Some(target) = aliases.get(name) {
                base = target.clone();
                rest = &path[1..];
            } else {
                return None;
            }
        }
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every `use` item: whether it is public (`pub`, `pub(crate)`, …) and its
/// tree as written (`crate::{a::B, c}`).
fn use_trees(code: &str) -> Vec<(bool, String)> {
    let mut trees = Vec::new();
    for (at, _) in code.match_indices("use ") {
        if code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let before = code[..at].trim_end();
        let public = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        let Some(end) = code[at..].find(';') else { continue };
        trees.push((public, code[at + 4..at + end].split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    trees
}

/// `a::{b::C, d as E, f::*}` → `[a,b,C]`, `[a,d]` as `E`, `[a,f,*]`.
fn expand_tree(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn split_top(list: &str) -> Vec<&str> {
        let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
        for (i, c) in list.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&list[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&list[start..]);
        parts.into_iter().filter(|p| !p.is_empty()).collect()
    }
    fn walk(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, Option<String>)>) {
        let segments = |s: &str| s.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        let mut base = prefix.to_vec();
        if let Some(open) = tree.find('{') {
            base.extend(segments(&tree[..open]));
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            for part in split_top(inner) {
                walk(&base, part, out);
            }
            return;
        }
        let (path, alias) = match tree.split_once(AS) {
            Some((path, alias)) => (path, Some(alias.to_owned())),
            None => (tree, None),
        };
        base.extend(segments(path));
        out.push((base, alias));
    }
    // ` as ` survives as one marker; every other space goes.
    const AS: char = '\u{0}';
    let compact: String = tree.split(" as ").collect::<Vec<_>>().join("\u{0}").split_whitespace().collect();
    let mut out = Vec::new();
    walk(&[], &compact, &mut out);
    out
}

/// Every path of two or more segments in the code, with its line: inline
/// ones, and each path of every `use` tree.
fn paths_in(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut uses = Vec::new();
    for (at, _) in code.match_indices("use ") {
        if code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = code[at..].find(';') {
            uses.push(at..at + end);
            let tree: String = code[at + 4..at + end].split_whitespace().collect::<Vec<_>>().join(" ");
            for (path, _) in expand_tree(&tree) {
                found.push((line_of(at), path));
            }
        }
    }
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let start = i;
        let mut segments = Vec::new();
        loop {
            let begin = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            segments.push(code[begin..i].to_owned());
            if code[i..].starts_with("::") && code[i + 2..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                i += 2;
            } else {
                break;
            }
        }
        if segments.len() > 1 && !uses.iter().any(|r| r.contains(&start)) {
            found.push((line_of(start), segments));
        }
    }
    found
}

/// The code without comments, string and character literals (their
/// contents blanked, newlines kept so line numbers stay right).
fn clean(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !prev_ident(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            while i < chars.len() && !chars[i..].iter().take(close.len()).copied().eq(close.chars()) {
                out.push(blank(chars[i]));
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(blank(c));
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The code without `#[cfg(test)]` items (a `mod tests { … }` or one item).
fn strip_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` before any brace, or at its matching `}`.
        let mut depth = 0;
        let mut end = item.len();
        for (i, c) in item.char_indices().skip("#[cfg(test)]".len()) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        out.extend(item[..end].chars().filter(|&c| c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The workspace's crates, read from the root `Cargo.toml`'s members.
fn workspace_crates() -> Vec<Crate> {
    let root = workspace_root();
    workspace_members()
        .into_iter()
        .map(|member| {
            let files = rust_sources(&root.join(&member).join("src"));
            Crate { name: member, files }
        })
        .collect()
}

fn describe(krate: &str, circle: &[Edge]) -> String {
    let mut text = format!("{krate}: import circle");
    let mut told = BTreeSet::new();
    for edge in circle.iter().filter(|e| told.insert((&e.from, &e.to))) {
        text += &format!("\n  {} -> {}  ({})", edge.from, edge.to, edge.seen);
    }
    text
}

fn in_memory(files: &[(&str, &str)]) -> Crate {
    Crate { name: "planted".to_owned(), files: files.iter().map(|(f, t)| (f.into(), t.to_string())).collect() }
}

fn circle_nodes(krate: &Crate) -> Vec<BTreeSet<String>> {
    circles(krate).iter().map(|c| c.iter().flat_map(|e| [e.from.clone(), e.to.clone()]).collect()).collect()
}

#[test]
fn no_crate_has_a_file_level_import_circle() {
    let crates = workspace_crates();
    assert!(crates.len() >= 7, "the workspace's members were not found");
    let found: Vec<String> =
        crates.iter().flat_map(|krate| circles(krate).into_iter().map(|c| describe(&krate.name, &c))).collect();
    assert!(found.is_empty(), "move what both sides share into a module both depend on:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_the_real_imports() {
    // Guards the test above against passing on an empty graph.
    let crates = workspace_crates();
    let xtask = crates.iter().find(|c| c.name == "xtask").unwrap();
    let parsed = parse_crate(xtask);
    let cli = &parsed.edges[&vec!["cli".to_owned()]];
    let commands = vec!["commands".to_owned(), "play_prep".to_owned()];
    assert!(cli.iter().any(|(target, _)| *target == commands), "{cli:#?}");
    let prep = crates.iter().find(|c| c.name == "xtask/prep").unwrap();
    let parsed = parse_crate(prep);
    let build = &parsed.edges[&vec!["steps".to_owned(), "build".to_owned()]];
    assert!(build.iter().any(|(target, _)| target == &["compiler".to_owned()]), "{build:#?}");
}

#[test]
fn a_circle_planted_in_a_real_crate_fails_the_check() {
    let crates = workspace_crates();
    let mut manifest = crates.into_iter().find(|c| c.name == "manifest").unwrap();
    assert!(circles(&manifest).is_empty());
    // error.rs is imported by nearly every file; make it import one of them back.
    let error = manifest.files.iter_mut().find(|(f, _)| f == "error.rs").unwrap();
    error.1.insert_str(0, "use crate::find::find_project;\n");
    let found = circle_nodes(&manifest);
    assert_eq!(found, [BTreeSet::from(["error.rs".to_owned(), "find.rs".to_owned()])], "{found:?}");
}

#[test]
fn the_checker_finds_planted_circles_and_only_those() {
    // Two siblings importing each other, through a `use` and inline.
    let pair = in_memory(&[
        ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        ("b.rs", "pub struct B;\nfn f() { let _ = crate::a::A; }\n"),
    ]);
    assert_eq!(circle_nodes(&pair), [BTreeSet::from(["a.rs".to_owned(), "b.rs".to_owned()])]);

    // A file and a folder; the folder's child is reached through a re-export
    // and an alias; a circle of three.
    let folder = in_memory(&[
        ("lib.rs", "mod cancel;\nmod compiler;\nmod x;\n"),
        ("cancel.rs", "use crate::compiler;\nfn f() { compiler::kill(1) }\n"),
        ("compiler/mod.rs", "mod process;\npub(crate) use process::kill;\nuse crate::x::X;\n"),
        ("compiler/process.rs", "use super::*;\npub fn kill(_: i32) {}\n"),
        ("x.rs", "pub struct X;\nuse crate::cancel as c;\nfn g() { c::f() }\n"),
    ]);
    let expected = BTreeSet::from(["cancel.rs".to_owned(), "compiler/".to_owned(), "x.rs".to_owned()]);
    assert_eq!(circle_nodes(&folder), [expected]);

    // Not circles: a child leaning on its parent, imports in unit tests,
    // comments and strings, another crate's path of the same name.
    let clean = in_memory(&[
        ("lib.rs", "mod a;\nmod b;\nuse a::A;\n"),
        ("a.rs", "mod inner;\nuse crate::b::B;\npub struct A;\n"),
        ("a/inner.rs", "use super::*;\nfn f() { super::A; crate::a::A; }\n"),
        (
            "b.rs",
            "pub struct B;\n// crate::a::A\nconst S: &str = \"crate::a::A\";\nuse other::a::A;\n\
             #[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n",
        ),
    ]);
    assert!(circles(&clean).is_empty(), "{:#?}", circles(&clean));
}
