//! The asset registry on real temporary projects: reading and structural
//! checks, filesystem checks of the roots, discovery of unregistered roots,
//! and the mutations (moving a root included) with their atomic writes.

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_packer::{
    Advice, Code, Diagnostic, LaneGuard, MAX_DECLARATION_BYTES, MaterializationConfig, MutationError, REGISTRY_PATH,
    Registry, RegistryEntry, RegistryRead, Severity, Wait, acquire_lane, check_roots, check_uuid, find_unregistered,
    forget, move_root, normalize_root_arg, read_registry, register, set_included, unregistered_warning,
    unregistered_warnings, walk,
};
use serde_json::{Value, json};

struct Project {
    _dir: tempfile::TempDir,
    path: Utf8PathBuf,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8Path::from_path(dir.path()).unwrap().canonicalize_utf8().unwrap();
        fs_err::create_dir_all(path.join("assets")).unwrap();
        Project { _dir: dir, path }
    }

    fn write_registry(&self, text: &str) {
        fs_err::create_dir_all(self.path.join("assets/.prometeu")).unwrap();
        fs_err::write(self.path.join(REGISTRY_PATH), text).unwrap();
    }

    fn write_registry_json(&self, value: Value) {
        self.write_registry(&serde_json::to_string_pretty(&value).unwrap());
    }

    /// `assets/<root>/asset.json` holding a declaration with `uuid`.
    fn add_root(&self, root: &str, uuid: &str) {
        let dir = self.path.join("assets").join(root);
        fs_err::create_dir_all(&dir).unwrap();
        let declaration = json!({
            "schema_version": 1,
            "asset_uuid": uuid,
            "name": root.replace('/', "_"),
            "type": "glyph_bank",
            "inputs": { "tiles": ["a.png"] },
            "output": { "format": "GLYPH/indexed_v1", "codec": "NONE" },
            "preload": { "enabled": false }
        });
        fs_err::write(dir.join("asset.json"), declaration.to_string()).unwrap();
    }

    fn lane(&self) -> LaneGuard {
        acquire_lane(&self.path, Wait::NoWait).unwrap()
    }

    fn read(&self) -> RegistryRead {
        read_registry(&self.path)
    }

    fn registry_text(&self) -> String {
        fs_err::read_to_string(self.path.join(REGISTRY_PATH)).unwrap()
    }
}

fn entry(asset_id: u32, uuid: &str, root: &str) -> Value {
    json!({ "asset_id": asset_id, "asset_uuid": uuid, "root": root, "included_in_build": true })
}

fn registry_with(next_asset_id: u64, entries: Vec<Value>) -> Value {
    json!({ "schema_version": 1, "next_asset_id": next_asset_id, "assets": entries })
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

/// The single diagnostic of `code`, with the registry as its file.
fn the_one(diagnostics: &[Diagnostic], code: Code) -> &Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code} in {diagnostics:#?}");
    let d = found[0];
    assert_eq!(d.severity, Severity::Blocking);
    assert_eq!(d.file.as_deref(), Some(REGISTRY_PATH));
    d
}

fn about(d: &Diagnostic) -> (Option<u32>, Option<&str>) {
    (d.asset_id, d.asset_root.as_deref())
}

// ---------------------------------------------------------------------------
// read: the file itself
// ---------------------------------------------------------------------------

#[test]
fn no_registry_file_is_an_empty_workspace() {
    let p = Project::new();
    let read = p.read();
    assert_eq!(read.registry, Registry::empty());
    assert!(read.diagnostics.is_empty());
}

#[test]
fn no_assets_directory_is_an_empty_workspace() {
    let p = Project::new();
    fs_err::remove_dir(p.path.join("assets")).unwrap();
    let read = p.read();
    assert_eq!(read.registry, Registry::empty());
    assert!(read.diagnostics.is_empty());
}

#[test]
fn a_valid_registry_reads_back_without_findings() {
    let p = Project::new();
    p.write_registry_json(json!({
        "schema_version": 1,
        "next_asset_id": 4,
        "assets": [
            entry(1, "u1", "hero"),
            { "asset_id": 3, "asset_uuid": "u3", "root": "sfx/ui", "included_in_build": false }
        ]
    }));
    let read = p.read();
    assert!(read.diagnostics.is_empty(), "{:#?}", read.diagnostics);
    assert_eq!(read.registry.next_asset_id, 4);
    assert_eq!(
        read.registry.assets,
        vec![
            RegistryEntry { asset_id: 1, asset_uuid: "u1".into(), root: "hero".into(), included_in_build: true },
            RegistryEntry { asset_id: 3, asset_uuid: "u3".into(), root: "sfx/ui".into(), included_in_build: false },
        ]
    );
}

#[test]
fn registry_unreadable_when_it_is_a_directory() {
    let p = Project::new();
    fs_err::create_dir_all(p.path.join(REGISTRY_PATH)).unwrap();
    let read = p.read();
    assert_eq!(codes(&read.diagnostics), [Code::RegistryUnreadable]);
    the_one(&read.diagnostics, Code::RegistryUnreadable);
    assert!(read.registry.assets.is_empty());
}

#[test]
fn registry_unreadable_when_it_links_outside_the_project() {
    let p = Project::new();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("index.json");
    fs_err::write(&secret, registry_with(2, vec![entry(1, "u", "hero")]).to_string()).unwrap();
    fs_err::create_dir_all(p.path.join("assets/.prometeu")).unwrap();
    std::os::unix::fs::symlink(&secret, p.path.join(REGISTRY_PATH)).unwrap();
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryUnreadable);
    assert!(d.message.contains("outside the project"), "{}", d.message);
    assert!(read.registry.assets.is_empty(), "nothing outside the project may be read");
}

#[test]
fn registry_unreadable_when_it_is_a_dangling_link() {
    let p = Project::new();
    fs_err::create_dir_all(p.path.join("assets/.prometeu")).unwrap();
    std::os::unix::fs::symlink(p.path.join("nowhere.json"), p.path.join(REGISTRY_PATH)).unwrap();
    assert_eq!(codes(&p.read().diagnostics), [Code::RegistryUnreadable]);
}

#[test]
fn registry_invalid_json_has_line_and_column() {
    let p = Project::new();
    p.write_registry("{\n  \"schema_version\": 1,\n  oops\n}\n");
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryInvalidJson);
    assert_eq!((d.line, d.column), (Some(3), Some(3)));
    assert!(d.message.contains("line 3, column 3"), "{}", d.message);
    assert_eq!(read.diagnostics.len(), 1);
}

#[test]
fn an_empty_registry_file_is_invalid_json() {
    let p = Project::new();
    p.write_registry("");
    assert_eq!(codes(&p.read().diagnostics), [Code::RegistryInvalidJson]);
}

#[test]
fn registry_malformed_reports_every_shape_problem_and_keeps_readable_entries() {
    let p = Project::new();
    p.write_registry_json(json!({
        "schema_version": 1,
        "next_asset_id": 9,
        "asets": [],
        "assets": [
            entry(1, "u1", "hero"),
            { "asset_id": 2, "asset_uuid": "u2", "root": "villain", "included_in_build": true, "inclued": 1 },
            { "asset_id": 3, "asset_uuid": "u3", "root": "sfx" },
            { "asset_id": 4, "asset_uuid": 7, "root": "music", "included_in_build": true },
            "not an entry"
        ]
    }));
    let read = p.read();
    assert!(read.diagnostics.iter().all(|d| d.code == Code::RegistryMalformed), "{:#?}", read.diagnostics);
    assert_eq!(read.diagnostics.len(), 5, "{:#?}", read.diagnostics);

    let top = read.diagnostics.iter().find(|d| d.message.contains("`asets`")).unwrap();
    assert!(top.message.contains("schema_version, next_asset_id, assets"), "{}", top.message);
    assert_eq!(about(top), (None, None));

    let unknown = read.diagnostics.iter().find(|d| d.message.contains("`inclued`")).unwrap();
    assert!(unknown.message.contains("assets[1]"), "{}", unknown.message);
    assert!(unknown.message.contains("asset_id, asset_uuid, root, included_in_build"), "{}", unknown.message);
    assert!(unknown.message.contains("did you mean `included_in_build`?"), "{}", unknown.message);
    assert_eq!(about(unknown), (Some(2), Some("villain")));

    let missing = read.diagnostics.iter().find(|d| d.message.contains("has no `included_in_build`")).unwrap();
    assert!(missing.message.contains("assets[2]"), "{}", missing.message);
    assert_eq!(about(missing), (Some(3), Some("sfx")));

    let wrong = read.diagnostics.iter().find(|d| d.message.contains("assets[3].asset_uuid")).unwrap();
    assert!(wrong.message.contains("must be a string, found a non-negative integer"), "{}", wrong.message);
    assert_eq!(about(wrong), (Some(4), Some("music")));

    let not_object = read.diagnostics.iter().find(|d| d.message.contains("`assets[4]`")).unwrap();
    assert!(not_object.message.contains("found a string"), "{}", not_object.message);

    // The unknown key does not make an entry unreadable; missing and
    // mistyped fields do.
    let roots: Vec<&str> = read.registry.assets.iter().map(|e| &*e.root).collect();
    assert_eq!(roots, ["hero", "villain"]);
}

#[test]
fn registry_malformed_for_missing_top_level_keys_and_wrong_types() {
    let p = Project::new();
    p.write_registry_json(json!({ "schema_version": "1", "assets": {} }));
    let read = p.read();
    assert_eq!(read.diagnostics.len(), 3, "{:#?}", read.diagnostics);
    assert!(read.diagnostics.iter().all(|d| d.code == Code::RegistryMalformed));
    let messages: Vec<&str> = read.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("`schema_version` must be the integer 1, found a string")));
    assert!(messages.iter().any(|m| m.contains("has no `next_asset_id`")));
    assert!(messages.iter().any(|m| m.contains("`assets` must be a list")));
}

#[test]
fn registry_malformed_when_not_an_object() {
    let p = Project::new();
    p.write_registry("[1, 2]");
    the_one(&p.read().diagnostics, Code::RegistryMalformed);
}

#[test]
fn registry_malformed_for_an_empty_uuid() {
    let p = Project::new();
    p.write_registry_json(registry_with(2, vec![entry(1, "", "hero")]));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryMalformed);
    assert_eq!(about(d), (Some(1), Some("hero")));
}

#[test]
fn registry_schema_version_other_than_1() {
    let p = Project::new();
    p.write_registry_json(json!({ "schema_version": 2, "next_asset_id": 2, "assets": [], "future": true }));
    let read = p.read();
    // A newer schema is reported alone: its other keys follow rules this reader does not know.
    assert_eq!(codes(&read.diagnostics), [Code::RegistrySchemaVersion]);
    assert!(read.diagnostics[0].message.contains("schema_version 2"));
}

#[test]
fn registry_asset_id_invalid_below_1_names_the_entry() {
    let p = Project::new();
    p.write_registry_json(registry_with(
        5,
        vec![
            entry(0, "u0", "zero"),
            json!({
                "asset_id": -3, "asset_uuid": "u-3", "root": "negative", "included_in_build": true
            }),
            entry(4, "u4", "fine"),
        ],
    ));
    let read = p.read();
    assert_eq!(codes(&read.diagnostics), [Code::RegistryAssetIdInvalid, Code::RegistryAssetIdInvalid]);
    assert_eq!(about(&read.diagnostics[0]), (None, Some("zero")));
    assert!(read.diagnostics[0].message.contains("assets[0].asset_id` is 0"));
    assert_eq!(about(&read.diagnostics[1]), (None, Some("negative")));
    assert!(read.diagnostics[1].message.contains("is -3"));
    assert_eq!(read.registry.assets.len(), 1);
}

#[test]
fn registry_asset_id_invalid_beyond_u32() {
    let p = Project::new();
    p.write_registry_json(registry_with(5, vec![entry(1, "u", "hero")]));
    let text = p.registry_text().replace("\"asset_id\": 1", "\"asset_id\": 4294967296");
    p.write_registry(&text);
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryAssetIdInvalid);
    assert_eq!(about(d), (None, Some("hero")));
}

#[test]
fn registry_malformed_for_a_fractional_asset_id() {
    let p = Project::new();
    p.write_registry(r#"{"schema_version":1,"next_asset_id":3,"assets":[{"asset_id":1.5,"asset_uuid":"u","root":"hero","included_in_build":true}]}"#);
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryMalformed);
    assert!(d.message.contains("found a floating-point number"), "{}", d.message);
}

#[test]
fn registry_duplicate_asset_id_names_both_entries() {
    let p = Project::new();
    p.write_registry_json(registry_with(3, vec![entry(2, "ua", "alpha"), entry(2, "ub", "beta")]));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryDuplicateAssetId);
    assert_eq!(about(d), (Some(2), Some("beta")));
    assert!(d.message.contains("`alpha`") && d.message.contains("`beta`"), "{}", d.message);
    assert!(d.message.contains("assets[0]") && d.message.contains("assets[1]"), "{}", d.message);
}

#[test]
fn registry_duplicate_asset_uuid_names_both_entries() {
    let p = Project::new();
    p.write_registry_json(registry_with(3, vec![entry(1, "same", "alpha"), entry(2, "same", "beta")]));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryDuplicateAssetUuid);
    assert_eq!(about(d), (Some(2), Some("beta")));
    assert!(d.message.contains("`alpha`") && d.message.contains("`same`"), "{}", d.message);
}

#[test]
fn registry_duplicate_root_names_both_entries() {
    let p = Project::new();
    p.write_registry_json(registry_with(3, vec![entry(1, "ua", "hero"), entry(2, "ub", "hero")]));
    let read = p.read();
    // Equal roots are duplicates, not nested.
    assert_eq!(codes(&read.diagnostics), [Code::RegistryDuplicateRoot]);
    let d = &read.diagnostics[0];
    assert_eq!(about(d), (Some(2), Some("hero")));
    assert!(d.message.contains("asset_id 1") && d.message.contains("asset_id 2"), "{}", d.message);
}

#[test]
fn registry_next_asset_id_too_low_names_the_highest_entry() {
    let p = Project::new();
    p.write_registry_json(registry_with(3, vec![entry(1, "u1", "hero"), entry(3, "u3", "villain")]));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryNextAssetIdTooLow);
    assert_eq!(about(d), (Some(3), Some("villain")));
    assert!(d.message.contains("at least 4"), "{}", d.message);
}

#[test]
fn registry_next_asset_id_too_low_when_zero_in_an_empty_registry() {
    let p = Project::new();
    p.write_registry_json(registry_with(0, vec![]));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RegistryNextAssetIdTooLow);
    assert_eq!(about(d), (None, None));
}

#[test]
fn root_path_invalid_for_every_path_rule() {
    let p = Project::new();
    let roots = ["../escape", "/abs", "a\\b", "a//b", "./a", "", "C:/x"];
    let entries = roots.iter().zip(1u32..).map(|(r, id)| entry(id, &format!("u{id}"), r)).collect();
    p.write_registry_json(registry_with(20, entries));
    let read = p.read();
    assert_eq!(codes(&read.diagnostics), vec![Code::RootPathInvalid; roots.len()], "{:#?}", read.diagnostics);
    for (d, (root, id)) in read.diagnostics.iter().zip(roots.iter().zip(1u32..)) {
        assert_eq!(about(d), (Some(id), Some(*root)));
        assert_eq!(d.file.as_deref(), Some(REGISTRY_PATH));
    }
    assert!(read.diagnostics[0].message.contains("contains `..`"));
    assert!(read.diagnostics[2].message.contains("`\\`"));
}

#[test]
fn root_nested_compares_whole_components() {
    let p = Project::new();
    p.write_registry_json(registry_with(
        9,
        vec![entry(1, "u1", "sfx"), entry(2, "u2", "sfx2"), entry(3, "u3", "sfx/ui/menu"), entry(4, "u4", "music")],
    ));
    let read = p.read();
    let d = the_one(&read.diagnostics, Code::RootNested);
    assert_eq!(about(d), (Some(3), Some("sfx/ui/menu")));
    assert!(d.message.contains("root `sfx`"), "{}", d.message);
}

#[test]
fn structural_problems_are_all_reported_together() {
    let p = Project::new();
    p.write_registry_json(registry_with(2, vec![entry(2, "u", "a"), entry(2, "u", "a/b"), entry(5, "v", "../c")]));
    let mut found = codes(&p.read().diagnostics);
    found.sort();
    let mut expected = vec![
        Code::RegistryDuplicateAssetId,
        Code::RegistryDuplicateAssetUuid,
        Code::RegistryNextAssetIdTooLow,
        Code::RootPathInvalid,
        Code::RootNested,
    ];
    expected.sort();
    assert_eq!(found, expected);
}

// ---------------------------------------------------------------------------
// check_roots: the roots on disk
// ---------------------------------------------------------------------------

fn registry_of(roots: &[&str]) -> Registry {
    Registry {
        schema_version: 1,
        next_asset_id: roots.len() as u32 + 1,
        assets: roots
            .iter()
            .zip(1u32..)
            .map(|(root, id)| RegistryEntry {
                asset_id: id,
                asset_uuid: format!("u{id}").into(),
                root: (*root).into(),
                included_in_build: true,
            })
            .collect(),
    }
}

#[test]
fn check_roots_accepts_good_roots_and_skips_invalid_paths() {
    let p = Project::new();
    p.add_root("hero", "u1");
    p.add_root("sfx/ui", "u2");
    // `../hero` is already reported by `read`; check_roots must not look at it.
    let diagnostics = check_roots(&p.path, &registry_of(&["hero", "sfx/ui", "../hero"]));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn root_missing_when_absent_or_not_a_directory() {
    let p = Project::new();
    fs_err::write(p.path.join("assets/file"), b"x").unwrap();
    let diagnostics = check_roots(&p.path, &registry_of(&["gone", "file"]));
    assert_eq!(codes(&diagnostics), [Code::RootMissing, Code::RootMissing]);
    assert_eq!(about(&diagnostics[0]), (Some(1), Some("gone")));
    assert!(diagnostics[0].message.contains("does not exist"));
    assert_eq!(diagnostics[0].advice, [Advice::Forget { root: "gone".into() }]);
    assert_eq!(about(&diagnostics[1]), (Some(2), Some("file")));
    assert!(diagnostics[1].message.contains("not a directory"));
}

#[test]
fn root_outside_assets_through_a_symlink() {
    let p = Project::new();
    // Inside the project but outside assets/.
    fs_err::create_dir_all(p.path.join("elsewhere")).unwrap();
    fs_err::write(p.path.join("elsewhere/asset.json"), b"{}").unwrap();
    std::os::unix::fs::symlink(p.path.join("elsewhere"), p.path.join("assets/linked")).unwrap();
    // Outside the project altogether.
    let outside = tempfile::tempdir().unwrap();
    fs_err::write(outside.path().join("asset.json"), b"{}").unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path.join("assets/far")).unwrap();

    let diagnostics = check_roots(&p.path, &registry_of(&["linked", "far"]));
    assert_eq!(codes(&diagnostics), [Code::RootOutsideAssets, Code::RootOutsideAssets]);
    assert_eq!(about(&diagnostics[0]), (Some(1), Some("linked")));
    assert_eq!(about(&diagnostics[1]), (Some(2), Some("far")));
    assert!(diagnostics[0].message.contains("outside assets/"), "{}", diagnostics[0].message);
}

#[test]
fn a_symlinked_root_inside_assets_is_accepted() {
    let p = Project::new();
    p.add_root("real", "u1");
    std::os::unix::fs::symlink(p.path.join("assets/real"), p.path.join("assets/alias")).unwrap();
    assert!(check_roots(&p.path, &registry_of(&["alias"])).is_empty());
}

#[test]
fn root_outside_the_project_when_assets_itself_links_out() {
    let p = Project::new();
    let outside = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(outside.path().join("hero")).unwrap();
    fs_err::write(outside.path().join("hero/asset.json"), b"{}").unwrap();
    fs_err::remove_dir(p.path.join("assets")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path.join("assets")).unwrap();
    let diagnostics = check_roots(&p.path, &registry_of(&["hero"]));
    assert_eq!(codes(&diagnostics), [Code::RootOutsideAssets]);
    assert!(diagnostics[0].message.contains("outside the project"), "{}", diagnostics[0].message);
}

#[test]
fn root_without_declaration() {
    let p = Project::new();
    fs_err::create_dir_all(p.path.join("assets/empty")).unwrap();
    fs_err::create_dir_all(p.path.join("assets/odd/asset.json")).unwrap();
    fs_err::create_dir_all(p.path.join("assets/leaky")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs_err::write(outside.path().join("asset.json"), b"{}").unwrap();
    std::os::unix::fs::symlink(outside.path().join("asset.json"), p.path.join("assets/leaky/asset.json")).unwrap();

    let diagnostics = check_roots(&p.path, &registry_of(&["empty", "odd", "leaky"]));
    assert_eq!(codes(&diagnostics), [Code::RootWithoutDeclaration; 3]);
    assert_eq!(about(&diagnostics[0]), (Some(1), Some("empty")));
    assert!(diagnostics[0].message.contains("has no asset.json"));
    assert_eq!(about(&diagnostics[1]), (Some(2), Some("odd")));
    assert!(diagnostics[1].message.contains("not a regular file"));
    assert_eq!(about(&diagnostics[2]), (Some(3), Some("leaky")));
    assert!(diagnostics[2].message.contains("outside the root"));
}

// ---------------------------------------------------------------------------
// Unregistered roots
// ---------------------------------------------------------------------------

#[test]
fn unregistered_roots_are_found_sorted_skipping_the_registry_and_symlinks() {
    let p = Project::new();
    p.add_root("hero", "u1");
    p.add_root("villain", "u2");
    p.add_root("sfx/ui", "u3");
    p.add_root("music", "u4");
    fs_err::create_dir_all(p.path.join("assets/.prometeu")).unwrap();
    fs_err::write(p.path.join("assets/.prometeu/asset.json"), b"{}").unwrap();
    fs_err::write(p.path.join("assets/asset.json"), b"{}").unwrap();
    fs_err::create_dir_all(p.path.join("assets/notes")).unwrap();
    // A symlinked directory is never followed, even into the project's own assets.
    std::os::unix::fs::symlink(p.path.join("assets/villain"), p.path.join("assets/alias")).unwrap();

    let found = find_unregistered(&p.path, &registry_of(&["hero", "music"]));
    assert_eq!(found, ["sfx/ui", "villain"]);

    let warning = unregistered_warning("sfx/ui");
    assert_eq!(warning.code, Code::UnregisteredRoot);
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(about(&warning), (None, Some("sfx/ui")));
    assert_eq!(warning.file.as_deref(), Some("assets/sfx/ui/asset.json"));
    assert_eq!(warning.advice, [Advice::Register { root: "sfx/ui".into() }]);
}

#[test]
fn unregistered_discovery_without_assets_is_empty() {
    let p = Project::new();
    fs_err::remove_dir(p.path.join("assets")).unwrap();
    assert!(find_unregistered(&p.path, &Registry::empty()).is_empty());
}

#[test]
fn unregistered_warning_advises_registering_the_root_as_written() {
    // Quoting it for a shell is the command line's business (its `advice` module).
    let warning = unregistered_warning("my hero");
    assert_eq!(warning.advice, [Advice::Register { root: "my hero".into() }], "{}", warning.message);
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

fn leftovers(p: &Project) -> Vec<String> {
    fs_err::read_dir(p.path.join("assets/.prometeu"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "index.json")
        .collect()
}

#[test]
fn register_creates_the_registry_and_writes_it_atomically() {
    let p = Project::new();
    p.add_root("hero", "uuid-hero");
    assert!(!p.path.join("assets/.prometeu").exists());
    let lane = p.lane();
    let entry = register(&lane, "hero").unwrap();
    assert_eq!(
        entry,
        RegistryEntry { asset_id: 1, asset_uuid: "uuid-hero".into(), root: "hero".into(), included_in_build: true }
    );

    let text = p.registry_text();
    assert!(text.ends_with("}\n"), "trailing newline: {text:?}");
    assert!(text.contains("\n  \"next_asset_id\": 2,\n"), "2-space pretty print: {text}");
    let parsed: Registry = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.next_asset_id, 2);
    assert_eq!(parsed.assets, vec![entry]);
    assert!(leftovers(&p).is_empty(), "temp files left: {:?}", leftovers(&p));

    let read = p.read();
    assert!(read.diagnostics.is_empty());
    assert_eq!(read.registry, parsed);
    assert!(check_roots(&p.path, &read.registry).is_empty());
}

#[test]
fn register_include_exclude_forget_round_trip_never_reuses_ids() {
    let p = Project::new();
    for (root, uuid) in [("hero", "u-hero"), ("sfx/ui", "u-ui"), ("music", "u-music")] {
        p.add_root(root, uuid);
    }
    let lane = p.lane();
    let hero = register(&lane, "hero").unwrap();
    let ui = register(&lane, "sfx/ui").unwrap();
    assert!(hero.asset_id < ui.asset_id);

    let excluded = set_included(&lane, "sfx/ui", false).unwrap();
    assert!(!excluded.included_in_build);
    assert!(!p.read().registry.find("sfx/ui").unwrap().included_in_build);
    let again = set_included(&lane, "sfx/ui", false).unwrap();
    assert_eq!(again, excluded, "excluding twice changes nothing");
    let included = set_included(&lane, "sfx/ui", true).unwrap();
    assert!(included.included_in_build);
    assert!(p.read().registry.find("sfx/ui").unwrap().included_in_build);

    // Forget the newest asset: the counter does not go down.
    let forgotten = forget(&lane, "sfx/ui").unwrap();
    assert_eq!(forgotten.asset_id, ui.asset_id);
    let after_forget = p.read();
    assert!(after_forget.diagnostics.is_empty());
    assert_eq!(after_forget.registry.next_asset_id, ui.asset_id + 1);
    assert!(after_forget.registry.find("sfx/ui").is_none());

    let music = register(&lane, "music").unwrap();
    assert!(music.asset_id > ui.asset_id);
    // Registering the forgotten root again gives it a new id too.
    let ui_again = register(&lane, "sfx/ui").unwrap();
    assert!(ui_again.asset_id > music.asset_id);

    let ids: Vec<u32> = p.read().registry.assets.iter().map(|e| e.asset_id).collect();
    assert_eq!(ids, [1, 3, 4], "written sorted by asset_id, with the gap kept");
    assert_eq!(p.read().registry.next_asset_id, 5);
    assert!(leftovers(&p).is_empty());
}

#[test]
fn writes_keep_entries_sorted_by_asset_id() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.write_registry_json(registry_with(10, vec![entry(7, "u7", "b"), entry(2, "u2", "a")]));
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    let text = p.registry_text();
    let ids: Vec<u64> = serde_json::from_str::<Value>(&text).unwrap()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["asset_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [2, 7, 10]);
}

#[test]
fn register_accepts_a_declaration_with_other_errors() {
    let p = Project::new();
    fs_err::create_dir_all(p.path.join("assets/wip")).unwrap();
    fs_err::write(p.path.join("assets/wip/asset.json"), r#"{"asset_uuid": "u-wip", "type": "nonsense"}"#).unwrap();
    let lane = p.lane();
    assert_eq!(register(&lane, "wip").unwrap().asset_uuid.as_ref(), "u-wip");
}

#[test]
fn register_through_a_symlinked_declaration_inside_the_root() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    fs_err::rename(p.path.join("assets/hero/asset.json"), p.path.join("assets/hero/real.json")).unwrap();
    std::os::unix::fs::symlink("real.json", p.path.join("assets/hero/asset.json")).unwrap();
    let lane = p.lane();
    assert_eq!(register(&lane, "hero").unwrap().asset_uuid.as_ref(), "u-hero");
}

fn bad_root_reason(result: Result<RegistryEntry, MutationError>) -> String {
    match result {
        Err(MutationError::BadRoot { reason, .. }) => reason,
        other => panic!("expected BadRoot, got {other:?}"),
    }
}

#[test]
fn register_refuses_bad_roots() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("copy", "u-hero");
    p.add_root("sfx/ui", "u-ui");
    fs_err::create_dir_all(p.path.join("assets/bare")).unwrap();
    fs_err::create_dir_all(p.path.join("assets/broken")).unwrap();
    fs_err::write(p.path.join("assets/broken/asset.json"), b"{ nope").unwrap();
    fs_err::create_dir_all(p.path.join("assets/nouuid")).unwrap();
    fs_err::write(p.path.join("assets/nouuid/asset.json"), br#"{"asset_uuid": 5}"#).unwrap();
    fs_err::create_dir_all(p.path.join("outside")).unwrap();
    fs_err::write(p.path.join("outside/asset.json"), br#"{"asset_uuid": "u-out"}"#).unwrap();
    std::os::unix::fs::symlink(p.path.join("outside"), p.path.join("assets/linked")).unwrap();
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    register(&lane, "sfx/ui").unwrap();
    let before = p.registry_text();

    assert!(bad_root_reason(register(&lane, "../hero")).contains("contains `..`"));
    assert!(bad_root_reason(register(&lane, "hero/")).contains("empty component"));
    assert!(bad_root_reason(register(&lane, "ghost")).contains("does not exist"));
    assert!(bad_root_reason(register(&lane, "bare")).contains("has no asset.json"));
    assert!(bad_root_reason(register(&lane, "broken")).contains("not valid JSON"));
    assert!(bad_root_reason(register(&lane, "nouuid")).contains("asset_uuid"));
    assert!(bad_root_reason(register(&lane, "linked")).contains("outside assets/"));
    let copy = bad_root_reason(register(&lane, "copy"));
    assert!(copy.contains("already registered for `hero`"), "{copy}");
    let inside = bad_root_reason(register(&lane, "hero/parts"));
    assert!(inside.contains("inside the registered root `hero`"), "{inside}");
    let containing = bad_root_reason(register(&lane, "sfx"));
    assert!(containing.contains("contains the registered root `sfx/ui`"), "{containing}");

    assert_eq!(p.registry_text(), before, "a refused mutation writes nothing");
    assert!(leftovers(&p).is_empty());
}

#[test]
fn register_refuses_an_already_registered_root() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    let error = register(&lane, "hero").unwrap_err();
    assert!(matches!(error, MutationError::AlreadyRegistered { ref root, asset_id: 1 } if root == "hero"));
    assert!(error.to_string().contains("already registered as asset_id 1"), "{error}");
}

#[test]
fn mutations_refuse_an_invalid_registry() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.write_registry_json(registry_with(1, vec![entry(1, "u1", "a"), entry(1, "u2", "b")]));
    let before = p.registry_text();
    let lane = p.lane();
    let results = [register(&lane, "hero"), set_included(&lane, "a", false), forget(&lane, "a")];
    for result in results {
        let error = result.unwrap_err();
        let MutationError::Invalid(ref diagnostics) = error else { panic!("expected Invalid, got {error:?}") };
        let mut found = codes(diagnostics);
        found.sort();
        assert_eq!(found, [Code::RegistryDuplicateAssetId, Code::RegistryNextAssetIdTooLow]);
        let text = error.to_string();
        assert!(text.contains("must be fixed") && text.contains("registry_duplicate_asset_id"), "{text}");
    }
    assert_eq!(p.registry_text(), before);
}

#[test]
fn mutations_refuse_unparsable_registry() {
    let p = Project::new();
    p.write_registry("{");
    let lane = p.lane();
    assert!(matches!(forget(&lane, "x"), Err(MutationError::Invalid(_))));
    assert_eq!(p.registry_text(), "{");
}

#[test]
fn missing_roots_do_not_block_forgetting_them() {
    let p = Project::new();
    p.write_registry_json(registry_with(3, vec![entry(1, "u1", "gone"), entry(2, "u2", "also_gone")]));
    let lane = p.lane();
    assert_eq!(forget(&lane, "gone").unwrap().asset_id, 1);
    assert_eq!(set_included(&lane, "also_gone", false).unwrap().asset_id, 2);
    assert_eq!(p.read().registry.next_asset_id, 3);
}

#[test]
fn include_exclude_and_forget_refuse_unknown_roots() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    for result in [set_included(&lane, "villain", true), set_included(&lane, "hero/", false), forget(&lane, "villain")]
    {
        let error = result.unwrap_err();
        assert!(matches!(error, MutationError::NotRegistered { .. }), "{error:?}");
        assert_eq!(error.advice(), [Advice::ListAssets], "{error}");
    }
}

#[test]
fn register_refuses_when_ids_are_exhausted() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.write_registry_json(registry_with(u64::from(u32::MAX), vec![]));
    let before = p.registry_text();
    let lane = p.lane();
    let error = register(&lane, "hero").unwrap_err();
    assert!(matches!(error, MutationError::IdsExhausted { next_asset_id: u32::MAX }), "{error:?}");
    assert!(error.to_string().contains("largest possible asset id"));
    assert_eq!(p.registry_text(), before);
}

#[test]
fn write_failure_is_an_io_error_and_leaves_the_old_registry() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("villain", "u-villain");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    let before = p.registry_text();
    let dir = p.path.join("assets/.prometeu");
    fs_err::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = dir.join("probe");
    let writable_anyway = std::fs::write(&probe, b"x").is_ok(); // running as root
    let _ = std::fs::remove_file(&probe);
    let result = register(&lane, "villain");
    fs_err::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    if writable_anyway {
        return;
    }
    let error = result.unwrap_err();
    assert!(matches!(error, MutationError::Io(_)), "{error:?}");
    assert!(error.to_string().contains("try again"), "{error}");
    assert_eq!(p.registry_text(), before);
    assert!(leftovers(&p).is_empty());
}

#[test]
fn mutation_refuses_a_registry_directory_linking_out_of_the_project() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path.join("assets/.prometeu")).unwrap();
    let lane = p.lane();
    let error = register(&lane, "hero").unwrap_err();
    assert!(matches!(error, MutationError::Io(_)), "{error:?}");
    assert_eq!(fs_err::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside the project");
}

#[test]
fn mutation_error_messages_say_what_to_do() {
    let errors = [
        MutationError::BadRoot { root: "x".into(), reason: "`assets/x` does not exist".into() },
        MutationError::AlreadyRegistered { root: "x".into(), asset_id: 3 },
        MutationError::NotRegistered { root: "x".into(), suggestion: None },
        MutationError::IdsExhausted { next_asset_id: u32::MAX },
        MutationError::MoveRefused { from: "x".into(), to: "y".into(), reason: "`assets/y` does not exist".into() },
        MutationError::MoveUuidMismatch {
            from: "x".into(),
            to: "y".into(),
            registered: "u1".into(),
            found: "u2".into(),
        },
        MutationError::Io(std::io::Error::other("disk full")),
        MutationError::Invalid(vec![]),
    ];
    for error in errors {
        let text = error.to_string();
        assert!(!text.is_empty());
        assert!(text.contains('x') || text.contains("registry") || text.contains("index.json"), "{text}");
    }
}

/// The one temp file name atomic writes use (writers hold the lane).
const TEMP_FILE: &str = "assets/.prometeu/.index.json.tmp";

#[test]
fn a_stale_temp_file_left_by_a_crash_is_replaced_by_the_next_write() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("villain", "u-villain");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    fs_err::write(p.path.join(TEMP_FILE), b"{ half a registry").unwrap();
    register(&lane, "villain").unwrap();
    assert!(leftovers(&p).is_empty(), "temp files left: {:?}", leftovers(&p));
    let read = p.read();
    assert!(read.diagnostics.is_empty(), "{:#?}", read.diagnostics);
    assert_eq!(read.registry.assets.len(), 2);
}

#[test]
fn a_stale_temp_path_that_cannot_be_cleared_is_an_io_error() {
    // Works even with root privileges, where permissions cannot force a
    // failure: a directory squatting on the temp file's name cannot be
    // removed as a file.
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("villain", "u-villain");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    let before = p.registry_text();
    let squatter = p.path.join(TEMP_FILE);
    fs_err::create_dir(&squatter).unwrap();
    let error = register(&lane, "villain").unwrap_err();
    assert!(matches!(error, MutationError::Io(_)), "{error:?}");
    assert!(error.to_string().contains("try again"), "{error}");
    assert_eq!(p.registry_text(), before);
}

#[test]
fn asset_uuid_mismatch_is_reported_against_the_declaration() {
    let entry = RegistryEntry { asset_id: 4, asset_uuid: "u-reg".into(), root: "hero".into(), included_in_build: true };
    assert_eq!(check_uuid(&entry, "u-reg"), None);
    let d = check_uuid(&entry, "u-copy").unwrap();
    assert_eq!(d.code, Code::AssetUuidMismatch);
    assert!(d.is_blocking());
    assert_eq!(about(&d), (Some(4), Some("hero")));
    assert_eq!(d.file.as_deref(), Some("assets/hero/asset.json"));
    assert!(d.message.contains("`u-copy`") && d.message.contains("`u-reg`"), "{}", d.message);
}

// ---------------------------------------------------------------------------
// Moving a root
// ---------------------------------------------------------------------------

/// Moves `assets/<from>` to `assets/<to>` on disk, as `mv` would.
fn mv(p: &Project, from: &str, to: &str) {
    let target = p.path.join("assets").join(to);
    fs_err::create_dir_all(target.parent().unwrap()).unwrap();
    fs_err::rename(p.path.join("assets").join(from), target).unwrap();
}

fn workspace_diagnostics(p: &Project) -> Vec<Diagnostic> {
    walk(&p.path, MaterializationConfig::runtime_default()).workspace_diagnostics
}

#[test]
fn move_round_trip_keeps_id_uuid_and_inclusion() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("villain", "u-villain");
    let lane = p.lane();
    let hero = register(&lane, "hero").unwrap();
    register(&lane, "villain").unwrap();
    let hero = RegistryEntry { included_in_build: false, ..hero };
    assert_eq!(set_included(&lane, "hero", false).unwrap(), hero);
    let next_asset_id = p.read().registry.next_asset_id;

    mv(&p, "hero", "chars/hero");

    // Before the move: both findings point at `assets move`, not at a new id.
    let registry = p.read().registry;
    let missing = check_roots(&p.path, &registry);
    assert_eq!(codes(&missing), [Code::RootMissing]);
    assert_eq!(about(&missing[0]), (Some(hero.asset_id), Some("hero")));
    let message = &missing[0].message;
    assert!(message.contains("does not exist"), "{message}");
    assert_eq!(missing[0].advice, [moved("hero", "chars/hero")], "{message}");
    assert!(message.contains("moved to `assets/chars/hero`"), "{message}");
    assert!(message.contains("would give the asset a new id"), "{message}");
    assert!(!message.contains("assets forget"), "{message}");

    let warnings = unregistered_warnings(&p.path, &registry);
    assert_eq!(codes(&warnings), [Code::UnregisteredRoot]);
    let warning = &warnings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(about(warning), (None, Some("chars/hero")));
    assert_eq!(warning.file.as_deref(), Some("assets/chars/hero/asset.json"));
    assert_eq!(warning.advice, [moved("hero", "chars/hero")], "{}", warning.message);
    assert!(warning.message.contains("registered root `hero` (asset_id 1)"), "{}", warning.message);
    assert!(!warning.message.contains("assets register"), "{}", warning.message);
    // The plain warning is still there for callers without the project.
    assert_eq!(unregistered_warning("chars/hero").advice, [Advice::Register { root: "chars/hero".into() }]);

    let walked = workspace_diagnostics(&p);
    assert!(walked.iter().any(|d| d.code == Code::RootMissing && d.advice == [moved("hero", "chars/hero")]));

    // The move.
    let moved = move_root(&lane, "hero", "chars/hero").unwrap();
    assert_eq!(moved, RegistryEntry { root: "chars/hero".into(), ..hero.clone() });

    let read = p.read();
    assert!(read.diagnostics.is_empty(), "{:#?}", read.diagnostics);
    assert_eq!(read.registry.find("chars/hero"), Some(&moved));
    assert!(read.registry.find("hero").is_none());
    assert_eq!(read.registry.next_asset_id, next_asset_id, "a move allocates no id");
    assert_eq!(read.registry.assets.len(), 2);
    assert!(check_roots(&p.path, &read.registry).is_empty());
    assert!(find_unregistered(&p.path, &read.registry).is_empty());
    assert!(unregistered_warnings(&p.path, &read.registry).is_empty());
    let walked = workspace_diagnostics(&p);
    assert!(walked.is_empty(), "{walked:#?}");
    assert!(leftovers(&p).is_empty());

    // And back again.
    mv(&p, "chars/hero", "hero");
    assert_eq!(move_root(&lane, "chars/hero", "hero").unwrap(), hero);
    assert!(workspace_diagnostics(&p).is_empty());
    assert_eq!(p.read().registry.next_asset_id, next_asset_id);
}

#[test]
fn move_takes_arguments_as_shells_spell_them() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    let hero = register(&lane, &normalize_root_arg("assets/hero/")).unwrap();
    mv(&p, "hero", "chars/hero");
    let from = normalize_root_arg("./hero/");
    let to = normalize_root_arg("assets/chars/hero/");
    let moved = move_root(&lane, &from, &to).unwrap();
    assert_eq!(moved, RegistryEntry { root: "chars/hero".into(), ..hero });
}

#[test]
fn move_into_or_out_of_its_own_directory() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();

    // The files go one level down: `assets/hero` stays, without asset.json.
    fs_err::create_dir_all(p.path.join("assets/hero/v2")).unwrap();
    fs_err::rename(p.path.join("assets/hero/asset.json"), p.path.join("assets/hero/v2/asset.json")).unwrap();
    let registry = p.read().registry;
    let findings = check_roots(&p.path, &registry);
    assert_eq!(codes(&findings), [Code::RootWithoutDeclaration]);
    assert_eq!(findings[0].advice, [moved("hero", "hero/v2")], "{}", findings[0].message);
    let warnings = unregistered_warnings(&p.path, &registry);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("has no asset.json"), "{}", warnings[0].message);
    assert_eq!(warnings[0].advice, [moved("hero", "hero/v2")], "{}", warnings[0].message);
    assert_eq!(move_root(&lane, "hero", "hero/v2").unwrap().asset_id, 1);
    assert!(workspace_diagnostics(&p).is_empty());

    // And back up.
    fs_err::rename(p.path.join("assets/hero/v2/asset.json"), p.path.join("assets/hero/asset.json")).unwrap();
    assert_eq!(move_root(&lane, "hero/v2", "hero").unwrap().asset_id, 1);
    assert!(workspace_diagnostics(&p).is_empty());
}

#[test]
fn moved_advice_lists_every_candidate_and_spares_unrelated_roots() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("stray", "u-stray");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    mv(&p, "hero", "a/hero");
    p.add_root("my hero", "u-hero");
    let registry = p.read().registry;

    let findings = check_roots(&p.path, &registry);
    assert_eq!(findings.len(), 1);
    let message = &findings[0].message;
    assert_eq!(findings[0].advice, [moved("hero", "a/hero"), moved("hero", "my hero")], "{message}");
    assert!(message.contains("new asset_uuid"), "{message}");

    let warnings = unregistered_warnings(&p.path, &registry);
    let roots: Vec<Option<&str>> = warnings.iter().map(|w| w.asset_root.as_deref()).collect();
    assert_eq!(roots, [Some("a/hero"), Some("my hero"), Some("stray")]);
    assert_eq!(warnings[0].advice, [moved("hero", "a/hero")], "{}", warnings[0].message);
    assert_eq!(warnings[1].advice, [moved("hero", "my hero")], "{}", warnings[1].message);
    assert_eq!(warnings[2], unregistered_warning("stray"));
}

#[test]
fn no_moved_advice_without_a_matching_uuid() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("stray", "u-other");
    fs_err::create_dir_all(p.path.join("assets/broken")).unwrap();
    fs_err::write(p.path.join("assets/broken/asset.json"), b"{ nope").unwrap();
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    fs_err::remove_dir_all(p.path.join("assets/hero")).unwrap();
    let registry = p.read().registry;
    let findings = check_roots(&p.path, &registry);
    assert_eq!(codes(&findings), [Code::RootMissing]);
    assert!(findings[0].message.contains("restore the directory, or forget the asset"));
    assert_eq!(findings[0].advice, [Advice::Forget { root: "hero".into() }]);
    let warnings = unregistered_warnings(&p.path, &registry);
    assert_eq!(warnings, [unregistered_warning("broken"), unregistered_warning("stray")]);
}

#[test]
fn a_copy_next_to_an_intact_root_gets_the_plain_warning() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    p.add_root("hero_copy", "u-hero");
    let registry = p.read().registry;
    assert!(check_roots(&p.path, &registry).is_empty());
    assert_eq!(unregistered_warnings(&p.path, &registry), [unregistered_warning("hero_copy")]);
}

#[test]
fn moved_advice_reads_declarations_only_under_the_usual_rules() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    fs_err::remove_dir_all(p.path.join("assets/hero")).unwrap();
    // Over the size limit, though valid JSON with the right uuid: never read.
    fs_err::create_dir_all(p.path.join("assets/big")).unwrap();
    let mut big = br#"{"asset_uuid": "u-hero"}"#.to_vec();
    big.resize(usize::try_from(MAX_DECLARATION_BYTES).unwrap() + 1, b' ');
    fs_err::write(p.path.join("assets/big/asset.json"), &big).unwrap();
    // A declaration linking outside the project: never read.
    let outside = tempfile::tempdir().unwrap();
    fs_err::write(outside.path().join("asset.json"), br#"{"asset_uuid": "u-hero"}"#).unwrap();
    fs_err::create_dir_all(p.path.join("assets/leaky")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("asset.json"), p.path.join("assets/leaky/asset.json")).unwrap();

    let registry = p.read().registry;
    assert_eq!(find_unregistered(&p.path, &registry), ["big", "leaky"]);
    let findings = check_roots(&p.path, &registry);
    assert_eq!(findings.len(), 1);
    assert!(!findings[0].message.contains("assets move"), "{}", findings[0].message);
    let warnings = unregistered_warnings(&p.path, &registry);
    assert_eq!(warnings, [unregistered_warning("big"), unregistered_warning("leaky")]);

    let big_move = move_refusal(move_root(&lane, "hero", "big"));
    assert!(big_move.contains("limit"), "{big_move}");
    let leaky_move = move_refusal(move_root(&lane, "hero", "leaky"));
    assert!(leaky_move.contains("links outside the root"), "{leaky_move}");

    // Exactly at the limit is still read.
    big.truncate(usize::try_from(MAX_DECLARATION_BYTES).unwrap());
    fs_err::write(p.path.join("assets/big/asset.json"), &big).unwrap();
    let findings = check_roots(&p.path, &registry);
    assert_eq!(findings[0].advice, [moved("hero", "big")], "{}", findings[0].message);
    assert_eq!(move_root(&lane, "hero", "big").unwrap().root.as_ref(), "big");
}

/// The reason of a `MoveRefused`, also checking its message names both roots.
fn move_refusal(result: Result<RegistryEntry, MutationError>) -> String {
    match result {
        Err(error @ MutationError::MoveRefused { .. }) => {
            let MutationError::MoveRefused { ref from, ref to, ref reason } = error else { unreachable!() };
            assert!(error.to_string().starts_with(&format!("cannot move `{from}` to `{to}`: ")), "{error}");
            reason.clone()
        }
        other => panic!("expected MoveRefused, got {other:?}"),
    }
}

#[test]
fn move_refuses_bad_destinations_and_writes_nothing() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("sfx/ui", "u-ui");
    p.add_root("villain", "u-villain");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    register(&lane, "sfx/ui").unwrap();
    register(&lane, "villain").unwrap();
    mv(&p, "hero", "chars/hero");
    // Copies of the moved asset where a move may not go.
    p.add_root("sfx/ui/hero", "u-hero");
    p.add_root("villain/hero", "u-hero");
    fs_err::create_dir_all(p.path.join("assets/bare")).unwrap();
    fs_err::write(p.path.join("assets/file"), b"x").unwrap();
    fs_err::create_dir_all(p.path.join("assets/broken")).unwrap();
    fs_err::write(p.path.join("assets/broken/asset.json"), b"{ nope").unwrap();
    fs_err::create_dir_all(p.path.join("assets/nouuid")).unwrap();
    fs_err::write(p.path.join("assets/nouuid/asset.json"), br#"{"asset_uuid": 5}"#).unwrap();
    fs_err::create_dir_all(p.path.join("elsewhere")).unwrap();
    fs_err::write(p.path.join("elsewhere/asset.json"), br#"{"asset_uuid": "u-hero"}"#).unwrap();
    std::os::unix::fs::symlink(p.path.join("elsewhere"), p.path.join("assets/linked")).unwrap();
    let before = p.registry_text();

    // The source must be registered.
    let error = move_root(&lane, "ghost", "chars/hero").unwrap_err();
    assert!(matches!(error, MutationError::NotRegistered { ref root, .. } if root == "ghost"), "{error:?}");
    assert_eq!(error.advice(), [Advice::ListAssets], "{error}");
    let error = move_root(&lane, "chars/hero", "hero").unwrap_err();
    assert!(matches!(error, MutationError::NotRegistered { ref root, .. } if root == "chars/hero"), "{error:?}");

    // Path rules.
    for (to, rule) in [
        ("", "is empty"),
        ("/abs/hero", "is absolute"),
        ("..", "contains `..`"),
        ("chars/../hero", "contains `..`"),
        ("chars\\hero", "uses `\\`"),
        ("chars/hero/", "empty component"),
        ("./chars/hero", "empty component"),
    ] {
        let reason = move_refusal(move_root(&lane, "hero", to));
        assert!(reason.starts_with("the destination ") && reason.contains(rule), "{to:?}: {reason}");
    }

    // Registered destinations.
    let same = move_refusal(move_root(&lane, "hero", "hero"));
    assert!(same.contains("same root"), "{same}");
    let taken = move_refusal(move_root(&lane, "hero", "villain"));
    assert!(taken.contains("already registered as asset_id 3"), "{taken}");

    // Nesting with another registered root.
    let inside = move_refusal(move_root(&lane, "hero", "sfx/ui/hero"));
    assert!(inside.contains("the destination lies inside the registered root `sfx/ui`"), "{inside}");
    let inside = move_refusal(move_root(&lane, "hero", "villain/hero"));
    assert!(inside.contains("inside the registered root `villain`"), "{inside}");
    let containing = move_refusal(move_root(&lane, "hero", "sfx"));
    assert!(containing.contains("the destination contains the registered root `sfx/ui`"), "{containing}");

    // The destination on disk.
    let missing = move_refusal(move_root(&lane, "hero", "heroes/hero"));
    assert!(missing.contains("`assets/heroes/hero` does not exist"), "{missing}");
    assert!(missing.contains("`mv assets/hero assets/heroes/hero`"), "{missing}");
    let file = move_refusal(move_root(&lane, "hero", "file"));
    assert!(file.contains("is not a directory"), "{file}");
    let bare = move_refusal(move_root(&lane, "hero", "bare"));
    assert!(bare.contains("has no asset.json") && bare.contains("asset.json included"), "{bare}");
    let linked = move_refusal(move_root(&lane, "hero", "linked"));
    assert!(linked.contains("outside assets/"), "{linked}");
    let broken = move_refusal(move_root(&lane, "hero", "broken"));
    assert!(broken.contains("not valid JSON"), "{broken}");
    let nouuid = move_refusal(move_root(&lane, "hero", "nouuid"));
    assert!(nouuid.contains("asset_uuid"), "{nouuid}");

    // Another asset at the destination.
    let error = move_root(&lane, "hero", "chars").unwrap_err();
    assert!(matches!(error, MutationError::MoveRefused { .. }), "no asset.json in `chars` itself: {error:?}");
    p.add_root("chars/other", "u-other");
    let error = move_root(&lane, "hero", "chars/other").unwrap_err();
    let MutationError::MoveUuidMismatch { ref from, ref to, ref registered, ref found } = error else {
        panic!("expected MoveUuidMismatch, got {error:?}")
    };
    assert_eq!((from.as_str(), to.as_str()), ("hero", "chars/other"));
    assert_eq!((registered.as_str(), found.as_str()), ("u-hero", "u-other"));
    let text = error.to_string();
    assert!(text.contains("`u-other`") && text.contains("`u-hero`") && text.contains("another asset"), "{text}");
    assert!(text.contains("assets/chars/other/asset.json"), "{text}");

    assert_eq!(p.registry_text(), before, "a refused move writes nothing");
    assert!(leftovers(&p).is_empty());
    // The real destination still works after all that.
    assert_eq!(move_root(&lane, "hero", "chars/hero").unwrap().asset_id, 1);
}

#[test]
fn move_refuses_a_copy_left_at_the_source() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    p.add_root("chars/hero", "u-hero");
    let before = p.registry_text();
    let copied = move_refusal(move_root(&lane, "hero", "chars/hero"));
    assert!(copied.contains("copied rather than moved") && copied.contains("delete `assets/hero`"), "{copied}");
    assert_eq!(p.registry_text(), before);

    // Once the copy left behind is another asset, the move goes through.
    p.add_root("hero", "u-hero-old");
    assert_eq!(move_root(&lane, "hero", "chars/hero").unwrap().asset_uuid.as_ref(), "u-hero");
}

#[test]
fn move_accepts_a_link_left_at_the_source() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    let lane = p.lane();
    register(&lane, "hero").unwrap();
    mv(&p, "hero", "chars/hero");
    std::os::unix::fs::symlink("chars/hero", p.path.join("assets/hero")).unwrap();
    assert_eq!(move_root(&lane, "hero", "chars/hero").unwrap().root.as_ref(), "chars/hero");
    assert!(workspace_diagnostics(&p).is_empty());
}

#[test]
fn move_refuses_an_invalid_registry() {
    let p = Project::new();
    p.add_root("hero", "u1");
    p.write_registry_json(registry_with(1, vec![entry(1, "u1", "a"), entry(1, "u2", "b")]));
    let before = p.registry_text();
    let lane = p.lane();
    let error = move_root(&lane, "a", "hero").unwrap_err();
    assert!(matches!(error, MutationError::Invalid(_)), "{error:?}");
    assert_eq!(p.registry_text(), before);
}

#[test]
fn register_takes_arguments_as_shells_spell_them() {
    let p = Project::new();
    p.add_root("hero", "u-hero");
    p.add_root("sfx/ui", "u-ui");
    let lane = p.lane();
    assert_eq!(register(&lane, &normalize_root_arg("hero/")).unwrap().root.as_ref(), "hero");
    assert_eq!(register(&lane, &normalize_root_arg("assets/sfx/ui")).unwrap().root.as_ref(), "sfx/ui");
    assert!(p.read().diagnostics.is_empty());
}

/// The advice to record that `from` moved to `to`.
fn moved(from: &str, to: &str) -> Advice {
    Advice::Move { from: from.into(), to: to.into() }
}
