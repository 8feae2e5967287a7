//! Pack execution semantics: frozen snapshot, gate, staging, promotion,
//! results and events — on real projects, real files, real locks.

use std::collections::BTreeSet;

use camino::Utf8Path;
use prometeu_packer::{
    Action, Code, EventKind, FailureStage, FileKind, LaneError, LaneGuard, MaterializationConfig, PackEvent,
    PackObserver, PackOptions, PackResult, Status, TestPoint, TestPoints, Wait, acquire_lane, gate_live,
    pack_workspace, validate, walk,
};
use prometeu_test_support::{Project, sample_project};

fn lane_of(p: &Project) -> LaneGuard {
    acquire_lane(&p.path, Wait::NoWait).unwrap()
}

#[derive(Default)]
struct Events(Vec<PackEvent>);
impl PackObserver for Events {
    fn event(&mut self, e: &PackEvent) {
        self.0.push(e.clone());
    }
}

fn pack_with(p: &Project, options: &PackOptions) -> (PackResult, Vec<PackEvent>) {
    let mut events = Events::default();
    let outcome = pack_workspace(&lane_of(p), options, &mut events);
    (outcome.result, events.0)
}

fn pack(p: &Project) -> PackResult {
    pack_with(p, &PackOptions::default()).0
}

fn kinds(events: &[PackEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e.kind {
            EventKind::Started => "started",
            EventKind::SnapshotFrozen { .. } => "snapshot_frozen",
            EventKind::GatePassed { .. } => "gate_passed",
            EventKind::GateBlocked { .. } => "gate_blocked",
            EventKind::AssetPacked { .. } => "asset_packed",
            EventKind::Staged { .. } => "staged",
            EventKind::Promoted { .. } => "promoted",
            EventKind::Finished { .. } => "finished",
        })
        .collect()
}

#[test]
fn runtime_walk_holds_no_bytes_and_packing_walk_holds_exactly_the_build_relevant_files() {
    let mut p = sample_project();
    // Things that are never build-relevant: an unselected input, a source
    // file, a note, and an excluded asset.
    p.write("assets/hero/notes.txt", b"todo");
    let excluded = serde_json::json!({
        "schema_version": 1, "asset_uuid": prometeu_test_support::uuid_for("old"), "name": "old", "type": "sound_bank",
        "inputs": {"samples": ["x.wav"]}, "output": {"format": "SOUNDS/pcm16le_v1", "codec": "NONE"},
        "preload": {"enabled": false}
    });
    p.write("assets/old/x.wav", prometeu_test_support::wav_i16(22050, 1, &[1, 2, 3]));
    p.asset("old", excluded, false);

    let runtime = walk(&p.path, MaterializationConfig::runtime_default());
    assert_eq!(runtime.frozen_count(), 0, "a runtime walk keeps no bytes");
    for asset in &runtime.assets {
        let parsed = runtime.declaration(asset).expect("a runtime walk keeps each declaration parsed");
        assert_eq!(asset.declared.as_ref(), Some(&prometeu_packer::Declared::from(&*parsed)));
    }
    assert!(runtime.files.iter().any(|f| &*f.path == "assets/hero/notes.txt" && f.kind == FileKind::Unlisted));
    assert!(runtime.files.iter().any(|f| &*f.path == "assets/old/x.wav"));

    let packing = walk(&p.path, MaterializationConfig::packing_build());
    assert!(packing.files.is_empty(), "a packing walk holds its files with the assets that read them");
    // Each frozen file is the file on disk.
    let mut with_bytes = BTreeSet::new();
    for asset in &packing.assets {
        let declaration = asset.frozen_declaration().map(|f| (format!("assets/{}/asset.json", asset.entry.root), f));
        // An asset outside the build keeps no declaration to select from.
        let selected = packing.declaration(asset).map(|d| asset.selected(&d)).unwrap_or_default();
        let inputs = selected.iter().filter_map(|s| Some((s.path().to_owned(), asset.frozen_artifact(s.artifact()?)?)));
        for (path, frozen) in declaration.into_iter().chain(inputs) {
            let on_disk = std::fs::read(p.path.join(&path)).unwrap();
            assert_eq!(packing.bytes_of(frozen), &on_disk[..], "{path}");
            with_bytes.insert(path);
        }
    }
    assert_eq!(packing.frozen_count(), with_bytes.len());
    let with_bytes: BTreeSet<&str> = with_bytes.iter().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "assets/font/asset.json",
        "assets/font/tiles/f.png",
        "assets/hero/asset.json",
        "assets/hero/tiles/a.png",
        "assets/hero/tiles/b.png",
        "assets/music/asset.json",
        "assets/music/loop.wav",
        "assets/sfx/jump/asset.json",
        "assets/sfx/jump/jump.wav",
        "assets/sfx/jump/land.wav",
    ]
    .into();
    assert_eq!(with_bytes, expected, "the packing filter keeps only build-relevant files");
    // A packing walk parses each declaration it froze again, the same as a
    // runtime walk's, and has none for an excluded asset.
    for (asset, runtime_asset) in packing.assets.iter().zip(&runtime.assets) {
        let parsed = packing.declaration(asset);
        assert_eq!(parsed.is_some(), asset.entry.included_in_build, "{}", asset.entry.root);
        if let Some(parsed) = parsed {
            assert_eq!(Some(parsed), runtime.declaration(runtime_asset), "{}", asset.entry.root);
        }
        assert_eq!(asset.declared, runtime_asset.declared);
    }
}

#[test]
fn a_pack_succeeds_and_reports_its_outputs() {
    let p = sample_project();
    let (result, events) = pack_with(&p, &PackOptions::default());
    assert_eq!(result.status, Status::Success, "{result:?}");
    assert_eq!(result.failure_stage, None);
    assert!(result.execution_began);
    assert_eq!(result.assets_pa.as_deref(), Some("build/assets.pa"));
    assert_eq!(
        result.companions.as_deref().unwrap(),
        ["build/asset_table.json", "build/preload.json", "build/asset_table_metadata.json"]
    );
    assert_eq!(result.packed_asset_count, 4);
    assert_eq!(result.operation_id.len(), 20);
    for f in ["assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json"] {
        assert!(p.path.join("build").join(f).is_file(), "{f}");
    }
    assert!(!p.path.join("build/.staging").exists());

    let seq: Vec<u64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(seq, (1..=events.len() as u64).collect::<Vec<_>>());
    assert!(events.iter().all(|e| e.operation_id == result.operation_id));
    assert_eq!(
        kinds(&events),
        [
            "started",
            "snapshot_frozen",
            "gate_passed",
            "asset_packed",
            "asset_packed",
            "asset_packed",
            "asset_packed",
            "staged",
            "promoted",
            "finished"
        ]
    );
    let done: Vec<usize> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AssetPacked { done, .. } => Some(done),
            _ => None,
        })
        .collect();
    assert_eq!(done, [1, 2, 3, 4]);
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["status"], "success");
    assert_eq!(json["failure_stage"], serde_json::Value::Null);
}

/// Rewrites and deletes every input the moment the snapshot is frozen.
struct Vandal<'a> {
    project: &'a Utf8Path,
}
impl PackObserver for Vandal<'_> {
    fn event(&mut self, e: &PackEvent) {
        if let EventKind::SnapshotFrozen { .. } = e.kind {
            let tree = collect_files(&self.project.join("assets"));
            for (i, path) in tree.iter().enumerate() {
                if i % 2 == 0 {
                    std::fs::remove_file(path).unwrap();
                } else {
                    std::fs::write(path, b"garbage written after the snapshot").unwrap();
                }
            }
        }
    }
}

fn collect_files(dir: &Utf8Path) -> Vec<camino::Utf8PathBuf> {
    let mut out = Vec::new();
    for e in dir.read_dir_utf8().unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(collect_files(e.path()));
        } else {
            out.push(e.path().to_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn changing_inputs_after_the_snapshot_is_frozen_cannot_reach_the_output() {
    let reference = sample_project();
    assert_eq!(pack(&reference).status, Status::Success);

    let p = sample_project();
    let mut vandal = Vandal { project: &p.path };
    let outcome = pack_workspace(&lane_of(&p), &PackOptions::default(), &mut vandal);
    assert_eq!(outcome.result.status, Status::Success, "{:?}", outcome.result);
    assert!(collect_files(&p.path.join("assets")).len() < 10, "the vandal really ran");
    for f in ["assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json"] {
        let rel = format!("build/{f}");
        assert_eq!(p.read(&rel), reference.read(&rel), "{f} differs");
    }
}

fn break_hero(p: &Project) {
    // A tile of the wrong size: blocking `tile_dimensions_mismatch`.
    p.write("assets/hero/tiles/a.png", prometeu_test_support::png_indexed(16, &[0; 256], &[0, 0, 0]));
}

#[test]
fn a_blocked_pack_writes_nothing_and_says_execution_never_began() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    let before = p.tree("build");
    break_hero(&p);
    let (result, events) = pack_with(&p, &PackOptions::default());
    assert_eq!(result.status, Status::Blocked);
    assert_eq!(result.failure_stage, None);
    assert!(!result.execution_began);
    assert_eq!(result.assets_pa, None);
    assert_eq!(result.companions, None);
    assert!(result.diagnostics.iter().any(|d| d.code == Code::TileDimensionsMismatch));
    assert_eq!(p.tree("build"), before);
    let k = kinds(&events);
    assert_eq!(k, ["started", "snapshot_frozen", "gate_blocked", "finished"]);
    let json = serde_json::to_value(&result).unwrap();
    assert!(json.get("assets_pa").is_none() && json["status"] == "blocked");
}

fn assert_failed_cleanly(
    p: &Project,
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    options: &PackOptions,
    stage: FailureStage,
) {
    let (result, events) = pack_with(p, options);
    assert_eq!(result.status, Status::Failed, "{result:?}");
    assert_eq!(result.failure_stage, Some(stage));
    assert!(result.execution_began);
    assert!(result.error.is_some());
    assert_eq!(result.assets_pa, None);
    assert_eq!(&p.tree("build"), before, "build/ must be byte-identical to before");
    assert!(!p.path.join("build/.staging").exists());
    assert!(!kinds(&events).contains(&"promoted"));
}

#[test]
fn a_failure_while_materializing_leaves_build_untouched() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    let before = p.tree("build");
    p.write(
        "assets/hero/tiles/a.png",
        prometeu_test_support::png_indexed(8, &[3; 64], &[0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0]),
    );
    let options =
        PackOptions { testpoints: TestPoints::new(TestPoint::PackMaterialize, Action::Fail), ..Default::default() };
    assert_failed_cleanly(&p, &before, &options, FailureStage::Execution);
}

#[test]
fn a_directory_in_the_way_fails_persistence_and_leaves_build_untouched() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    std::fs::remove_file(p.path.join("build/preload.json")).unwrap();
    std::fs::create_dir(p.path.join("build/preload.json")).unwrap();
    std::fs::write(p.path.join("build/preload.json/keep"), b"x").unwrap();
    let before = p.tree("build");
    assert_failed_cleanly(&p, &before, &PackOptions::default(), FailureStage::Persistence);
}

#[test]
fn a_failure_before_the_commit_marker_fails_persistence_and_leaves_build_untouched() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    let before = p.tree("build");
    let options =
        PackOptions { testpoints: TestPoints::new(TestPoint::PromoteBeforeMarker, Action::Fail), ..Default::default() };
    assert_failed_cleanly(&p, &before, &options, FailureStage::Persistence);
}

#[test]
fn same_content_in_other_places_orders_and_thread_counts_packs_byte_identically() {
    let a = sample_project();
    assert_eq!(pack_with(&a, &PackOptions { threads: Some(1), ..Default::default() }).0.status, Status::Success);
    // The same content, written in reverse order into another directory.
    let b = Project::new();
    let mut files: Vec<_> = a.tree("assets").into_iter().collect();
    files.reverse();
    for (rel, bytes) in &files {
        b.write(&format!("assets/{rel}"), bytes);
    }
    assert_eq!(pack_with(&b, &PackOptions { threads: Some(4), ..Default::default() }).0.status, Status::Success);
    assert_ne!(a.path, b.path);
    assert_eq!(a.tree("build"), b.tree("build"));
}

#[test]
fn companions_equal_the_header_parts_and_the_verifier_accepts_the_file() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    let inspection = prometeu_packer::pa::verify_file(&p.path.join("build/assets.pa")).unwrap();
    let header =
        String::from_utf8(p.read("build/assets.pa")[24..24 + inspection.prelude.header_len as usize].to_vec()).unwrap();
    let table = String::from_utf8(p.read("build/asset_table.json")).unwrap();
    let preload = String::from_utf8(p.read("build/preload.json")).unwrap();
    assert_eq!(header, format!(r#"{{"asset_table":{table},"preload":{preload}}}"#));
    assert_eq!(preload, r#"[{"asset_id":1,"slot":0},{"asset_id":2,"slot":0}]"#);
}

#[test]
fn table_metadata_is_canonical_and_its_digests_are_those_of_the_files() {
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    let bytes = p.read("build/asset_table_metadata.json");
    let metadata: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(prometeu_packer::pa::canonical_json(&metadata).unwrap(), bytes, "written in canonical form");
    let pa = p.read("build/assets.pa");
    assert_eq!(metadata["assets_pa"]["sha256"], hex(&pa));
    assert_eq!(metadata["assets_pa"]["size"], pa.len());
    let inspection = prometeu_packer::pa::verify_file(&p.path.join("build/assets.pa")).unwrap();
    let base = inspection.prelude.payload_offset as usize;
    let assets = metadata["assets"].as_array().unwrap();
    assert_eq!(assets.len(), inspection.header.asset_table.len());
    for (asset, entry) in assets.iter().zip(&inspection.header.asset_table) {
        assert_eq!(asset["asset_id"], entry.asset_id);
        let payload = &pa[base + entry.offset as usize..][..entry.size as usize];
        assert_eq!(asset["payload_sha256"], hex(payload), "{asset}");
        let inputs = asset["inputs"].as_array().unwrap();
        assert!(!inputs.is_empty(), "{asset}");
        for input in inputs {
            let file = p.read(input["path"].as_str().unwrap());
            assert_eq!(input["size"], file.len(), "{input}");
            assert_eq!(input["sha256"], hex(&file), "{input}");
        }
    }
}

/// SHA-256 of `build/assets.pa` and `build/asset_table_metadata.json` for
/// the sample project, recorded from the release before the pack pipeline
/// was rebuilt for speed (the walk of `assets/`, the writer thread, typed
/// table metadata). A change to how the pack runs must never show here;
/// only a deliberate change of the format may, together with these values.
/// The table metadata's value was recorded again when the sample's `a.png`
/// gained a `tRNS` chunk (index 0 transparent): it holds each input's
/// sha256; `assets.pa` kept its value.
const SAMPLE_ASSETS_PA_SHA256: &str = "5ac5474efc2defbe58f791fd88a5823a0b902f458aa38f7acc9fd9a60ca26959";
const SAMPLE_TABLE_METADATA_SHA256: &str = "340a94ce405e441e74ff8d0ac9e39f4b6e72e46a432f5cda91e5ce138f0f312b";

#[test]
fn the_sample_project_packs_to_the_recorded_bytes() {
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let p = sample_project();
    let outcome = pack_workspace(&lane_of(&p), &PackOptions::default(), &mut prometeu_packer::Quiet);
    assert_eq!(outcome.result.status, Status::Success);
    // Both ways of making a payload reach the recorded bytes: the glyph
    // banks' payloads kept from the gate, the sound banks' rebuilt.
    let kept = outcome.logs.iter().find(|l| l.message.contains("payloads kept from the gate")).expect("said");
    let words: Vec<&str> = kept.message.split_whitespace().collect();
    let (kept_count, total): (usize, usize) = (words[0].parse().unwrap(), words[2].parse().unwrap());
    assert!(0 < kept_count && kept_count < total, "{}", kept.message);
    let pa = hex(&p.read("build/assets.pa"));
    let metadata = hex(&p.read("build/asset_table_metadata.json"));
    assert_eq!((pa.as_str(), metadata.as_str()), (SAMPLE_ASSETS_PA_SHA256, SAMPLE_TABLE_METADATA_SHA256));
}

/// The walk of `assets/` answers for plain paths; a root reached through a
/// link, an input that is a link inside its root, and a directory of inputs
/// behind a link take the exact resolution. Both routes must give the same
/// pack.
#[test]
fn roots_and_inputs_behind_links_pack_the_same_bytes_as_real_files() {
    use std::os::unix::fs::symlink;
    let plain = sample_project();
    let linked = sample_project();
    let assets = linked.path.join("assets");
    // `sfx/jump` becomes a link to a directory elsewhere in assets/ (an unregistered root, a warning).
    fs_err::rename(assets.join("sfx/jump"), assets.join("jump-real")).unwrap();
    symlink("../jump-real", assets.join("sfx/jump")).unwrap();
    // One tile becomes a link to a copy inside the same root.
    fs_err::create_dir(assets.join("hero/originals")).unwrap();
    fs_err::rename(assets.join("hero/tiles/a.png"), assets.join("hero/originals/a.png")).unwrap();
    symlink("../originals/a.png", assets.join("hero/tiles/a.png")).unwrap();
    // The font's tile directory becomes a link to a directory inside the root.
    fs_err::rename(assets.join("font/tiles"), assets.join("font/drawn")).unwrap();
    symlink("drawn", assets.join("font/tiles")).unwrap();

    let result = pack(&linked);
    assert_eq!(result.status, Status::Success, "{result:?}");
    assert!(result.diagnostics.iter().any(|d| d.code == Code::UnregisteredRoot), "{:?}", result.diagnostics);
    assert_eq!(pack(&plain).status, Status::Success);
    assert_eq!(linked.read("build/assets.pa"), plain.read("build/assets.pa"));
    assert_eq!(linked.read("build/asset_table_metadata.json"), plain.read("build/asset_table_metadata.json"));
}

#[test]
fn validation_and_the_gate_report_the_same_diagnostics() {
    let p = sample_project();
    break_hero(&p);
    p.write("assets/music/loop.wav", b"not a wav");
    p.write("assets/stray/asset.json", b"{}");
    let (_, live) = gate_live(&p.path, Some(2));
    let (result, _) = pack_with(&p, &PackOptions::default());
    assert_eq!(result.status, Status::Blocked);
    assert_eq!(live.diagnostics, result.diagnostics);
    let codes: BTreeSet<Code> = live.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&Code::TileDimensionsMismatch));
    assert!(codes.contains(&Code::WavDecodeFailed));
    assert!(codes.contains(&Code::UnregisteredRoot));
    let validation = validate(&p.path, None);
    assert!(!validation.passed);
    let roots: Vec<&str> = validation.assets.iter().map(|a| a.asset_root.as_str()).collect();
    assert_eq!(roots, ["hero", "music"]);
    assert!(validation.warnings.iter().any(|d| d.code == Code::UnregisteredRoot));
}

#[test]
fn an_empty_workspace_packs_an_empty_table() {
    let p = Project::new();
    let result = pack(&p);
    assert_eq!(result.status, Status::Success);
    assert_eq!(result.packed_asset_count, 0);
    assert_eq!(p.read("build/asset_table.json"), b"[]");
}

#[test]
fn recovery_finishes_an_interrupted_promotion_before_packing() {
    let p = sample_project();
    assert_eq!(pack(&p).status, Status::Success);
    // Leave an abandoned staging directory behind, as a killed pack would;
    // taking the lane removes it.
    p.write("build/.staging/AAAAAAAAAAAAAAAAAAAA/assets.pa", b"half");
    let (result, _) = pack_with(&p, &PackOptions::default());
    assert_eq!(result.status, Status::Success);
    assert!(!p.path.join("build/.staging").exists());
}

#[test]
fn the_lane_serializes_writers_within_one_process() {
    let p = sample_project();
    let held = lane_of(&p);
    assert!(matches!(acquire_lane(&p.path, Wait::NoWait), Err(LaneError::Busy { .. })));
    drop(held);
    assert_eq!(pack(&p).status, Status::Success);
}

#[test]
fn nested_roots_give_the_pack_and_validation_the_same_findings() {
    let p = sample_project();
    std::fs::rename(p.path.join("assets/music"), p.path.join("assets/hero/music")).unwrap();
    let registry = String::from_utf8(p.read("assets/.prometeu/index.json")).unwrap();
    p.write(
        "assets/.prometeu/index.json",
        registry.replace("\"root\": \"music\"", "\"root\": \"hero/music\"").as_bytes(),
    );
    let (_, live) = gate_live(&p.path, None);
    let (result, _) = pack_with(&p, &PackOptions::default());
    assert_eq!(result.status, Status::Blocked);
    assert!(result.diagnostics.iter().any(|d| d.code == Code::RootNested));
    assert_eq!(live.diagnostics, result.diagnostics);
}
