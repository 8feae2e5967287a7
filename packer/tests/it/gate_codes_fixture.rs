//! The harness of the pack-level diagnostic corpus: a real project on disk
//! that packs cleanly, the edits that break it, and the two checks every
//! case runs (blocked and nothing written, or warned and still packed).

use std::collections::BTreeMap;

use camino::Utf8PathBuf;
use prometeu_packer::{
    Code, Diagnostic, PACK_OUTPUTS, PackOptions, PackResult, Quiet, Severity, Status, Wait, acquire_lane,
    pack_workspace,
};
use serde_json::Value;

use prometeu_test_support::{Project, sample_project};

/// Project-relative registry file, which every registry and root finding names.
pub const REGISTRY: &str = "assets/.prometeu/index.json";

/// What a case expects of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Blocked with the code, and nothing written.
    Blocks,
    /// Packed anyway, with the code as a warning.
    Warns,
}

impl Expect {
    /// The test-name prefix that goes with the expectation.
    pub fn prefix(self) -> &'static str {
        match self {
            Expect::Blocks => "blocks_on_",
            Expect::Warns => "warns_on_",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Expect::Blocks => Severity::Blocking,
            Expect::Warns => Severity::Warning,
        }
    }
}

/// `assets/<root>/asset.json`.
pub fn declaration(root: &str) -> String {
    format!("assets/{root}/asset.json")
}

/// The shared sample project (`common::sample_project`): glyph banks `hero`
/// (8×8 tiles `a.png` indexed, `b.png` RGBA; preloaded in slot 0) and `font`
/// (one 16×16 tile), sound banks `sfx/jump` (`jump.wav`, `land.wav`;
/// preloaded in slot 0) and `music` (`loop.wav`). All of it packs without a
/// single diagnostic, so whatever a case reports comes from its own edit.
pub struct Workspace {
    project: Project,
}

impl Workspace {
    /// The sample project, packed once so `build/` holds a complete previous set.
    pub fn packed() -> Workspace {
        let workspace = Workspace { project: sample_project() };
        let first = workspace.pack();
        assert_eq!(first.status, Status::Success, "the starting project must pack: {first:#?}");
        assert!(first.diagnostics.is_empty(), "the starting project must be clean: {:#?}", first.diagnostics);
        workspace
    }

    pub fn pack(&self) -> PackResult {
        let lane = acquire_lane(&self.project.path, Wait::NoWait).expect("the lane of a test project is free");
        pack_workspace(&lane, &PackOptions::default(), &mut Quiet).result
    }

    /// Every file under `build/` with its bytes.
    pub fn build(&self) -> BTreeMap<String, Vec<u8>> {
        self.project.tree("build")
    }

    pub fn path(&self, rel: &str) -> Utf8PathBuf {
        self.project.path.join(rel)
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) {
        self.project.write(rel, bytes);
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        self.project.read(rel)
    }

    /// Removes a file, a link or a whole directory.
    pub fn remove(&self, rel: &str) {
        let path = self.path(rel);
        let meta = path.symlink_metadata().unwrap_or_else(|e| panic!("{rel}: {e}"));
        if meta.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }

    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.path(rel)).unwrap();
    }

    /// Moves a file or directory, creating the destination's parents.
    pub fn rename(&self, from: &str, to: &str) {
        let to = self.path(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(self.path(from), to).unwrap();
    }

    /// Makes `link` a symbolic link to the project path `target` (absolute, so
    /// the link's own depth does not matter).
    pub fn symlink(&self, target: &str, link: &str) {
        let link = self.path(link);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(self.path(target), link).unwrap();
    }

    /// Extends a file to `len` bytes without writing them (a sparse tail):
    /// a size-limit case needs the size on disk, never the content.
    pub fn grow(&self, rel: &str, len: u64) {
        let file = std::fs::File::options().write(true).open(self.path(rel)).unwrap();
        file.set_len(len).unwrap();
    }

    /// Reads a JSON file, lets `edit` change it, writes it back.
    pub fn edit_json(&self, rel: &str, edit: impl FnOnce(&mut Value)) {
        let mut value: Value = serde_json::from_slice(&self.read(rel)).unwrap();
        edit(&mut value);
        self.write(rel, serde_json::to_string_pretty(&value).unwrap().as_bytes());
    }

    pub fn edit_registry(&self, edit: impl FnOnce(&mut Value)) {
        self.edit_json(REGISTRY, edit);
    }

    pub fn edit_declaration(&self, root: &str, edit: impl FnOnce(&mut Value)) {
        self.edit_json(&declaration(root), edit);
    }
}

/// Runs one case: a packed sample project, `change`, a second pack, and the
/// checks `expect` calls for. `file` is the project-relative file the
/// finding must name.
pub fn check(expect: Expect, code: Code, file: &str, change: impl FnOnce(&Workspace)) {
    let workspace = Workspace::packed();
    let before = workspace.build();
    assert!(!before.is_empty(), "the first pack wrote build/");
    change(&workspace);
    let result = workspace.pack();
    match expect {
        Expect::Blocks => assert_blocked(&workspace, &result, &before, code),
        Expect::Warns => assert_packed(&workspace, &result, code),
    }
    assert_findings(&result, expect, code, file);
}

/// A blocked pack wrote nothing: `build/` is byte-identical and no staging
/// directory was even created.
fn assert_blocked(workspace: &Workspace, result: &PackResult, before: &BTreeMap<String, Vec<u8>>, code: Code) {
    assert_eq!(result.status, Status::Blocked, "{code} must block the pack: {result:#?}");
    assert!(!result.execution_began, "{code}: a blocked pack never begins execution");
    assert_eq!(result.failure_stage, None, "{code}");
    assert_eq!(result.assets_pa, None, "{code}");
    assert_eq!(result.companions, None, "{code}");
    assert_eq!(result.packed_asset_count, 0, "{code}");
    let changed = changed_files(before, &workspace.build());
    assert!(changed.is_empty(), "{code}: build/ must be byte-identical to before the pack; changed: {changed:?}");
    assert!(!workspace.path("build/.staging").exists(), "{code}: a blocked pack creates no staging directory");
}

/// Paths added, removed or rewritten between two `build/` trees (the bytes
/// themselves would drown a failure message).
fn changed_files(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths.into_iter().filter(|p| before.get(*p) != after.get(*p)).cloned().collect()
}

/// A warning never stops the pack: it succeeds and publishes its outputs.
fn assert_packed(workspace: &Workspace, result: &PackResult, code: Code) {
    assert_eq!(result.status, Status::Success, "{code} must not block the pack: {result:#?}");
    assert!(result.execution_began, "{code}");
    assert_eq!(result.assets_pa.as_deref(), Some("build/assets.pa"), "{code}");
    let blocking: Vec<&Diagnostic> = result.diagnostics.iter().filter(|d| d.is_blocking()).collect();
    assert!(blocking.is_empty(), "{code}: nothing may block: {blocking:#?}");
    for output in PACK_OUTPUTS {
        assert!(workspace.path("build").join(output).is_file(), "{code}: build/{output} was published");
    }
    assert!(!workspace.path("build/.staging").exists(), "{code}");
    // Each test provokes one finding; a repeated warning is a bug.
    let found = result.diagnostics.iter().filter(|d| d.code == code).count();
    assert_eq!(found, 1, "{code} must be reported exactly once: {:#?}", result.diagnostics);
}

/// The code is among the diagnostics, with the expected severity, a message
/// and a project-relative file; at least one of them names `file`.
fn assert_findings(result: &PackResult, expect: Expect, code: Code, file: &str) {
    let found: Vec<&Diagnostic> = result.diagnostics.iter().filter(|d| d.code == code).collect();
    assert!(!found.is_empty(), "{code} is not among the diagnostics: {:#?}", result.diagnostics);
    for d in &found {
        assert_eq!(d.severity, expect.severity(), "{code}: {d:#?}");
        assert!(!d.message.trim().is_empty(), "{code}: the message is empty: {d:#?}");
        let Some(named) = d.file.as_deref() else {
            panic!("{code}: the diagnostic names no file: {d:#?}");
        };
        assert!(
            named.starts_with("assets/") && !named.starts_with('/') && !named.contains('\\'),
            "{code}: `{named}` is not project-relative: {d:#?}"
        );
    }
    assert!(found.iter().any(|d| d.file.as_deref() == Some(file)), "{code}: no finding names {file}: {found:#?}");
    // A syntax error is only fixable with its position.
    if matches!(code, Code::RegistryInvalidJson | Code::DeclarationInvalidJson) {
        assert!(found.iter().all(|d| d.line.is_some() && d.column.is_some()), "{code}: no position: {found:#?}");
    }
}
