//! Findings that once cost a search per asset (so n² at scale) are still
//! produced, each of them, on workspaces large enough that the quadratic
//! versions took minutes: moved roots, unregistered roots, blocking registry
//! findings grouped by `validate`, nested roots. How the cost grows is a
//! benchmark figure (`cargo xtask bench --scaling`), not asserted here.

use prometeu_packer::{Advice, Code, Severity, summary, validate};
use prometeu_test_support::Project;
use serde_json::json;

/// Enough roots that a search per root over all the others would be slow.
const MANY: usize = 3000;

fn registry(entries: Vec<serde_json::Value>) -> String {
    let next = entries.len() + 1;
    serde_json::to_string(&json!({"schema_version": 1, "next_asset_id": next, "assets": entries})).unwrap()
}

fn uuid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

#[test]
fn every_moved_root_is_found_and_advised_to_move() {
    let project = Project::new();
    project.write("cartridge.toml", "app_id = 1\n");
    let entries = (0..MANY)
        .map(|i| json!({"asset_id": i + 1, "asset_uuid": uuid(i), "root": format!("old/a{i}"), "included_in_build": true}))
        .collect();
    project.write("assets/.prometeu/index.json", registry(entries));
    for i in 0..MANY {
        project.write(&format!("assets/new/a{i}/asset.json"), json!({"asset_uuid": uuid(i)}).to_string());
    }

    let validation = validate(&project.path, Some(2));
    assert!(!validation.passed);
    let missing: Vec<_> = validation.workspace.iter().filter(|d| d.code == Code::RootMissing).collect();
    assert_eq!(missing.len(), MANY, "one blocking finding per moved root");
    for (i, d) in missing.iter().enumerate() {
        let moved = Advice::Move { from: format!("old/a{i}"), to: format!("new/a{i}") };
        assert_eq!(d.advice, vec![moved], "{}", d.message);
    }
    let unregistered: Vec<_> = validation.warnings.iter().filter(|d| d.code == Code::UnregisteredRoot).collect();
    assert_eq!(unregistered.len(), MANY, "one warning per unregistered root");
    assert!(unregistered.iter().all(|d| matches!(d.advice.as_slice(), [Advice::Move { .. }])));
    assert!(validation.assets.is_empty(), "workspace findings are not also filed under an asset");

    let summary = summary(&project.path);
    assert_eq!(summary.diagnostics.iter().filter(|d| d.code == Code::RootMissing).count(), MANY);
}

#[test]
fn unregistered_roots_without_a_moved_twin_are_each_advised_to_register() {
    let project = Project::new();
    project.write("cartridge.toml", "app_id = 1\n");
    project.write("assets/.prometeu/index.json", registry(Vec::new()));
    for i in 0..MANY {
        project.write(&format!("assets/loose/a{i}/asset.json"), json!({"asset_uuid": uuid(i)}).to_string());
    }
    let validation = validate(&project.path, Some(2));
    let warnings: Vec<_> = validation.warnings.iter().filter(|d| d.code == Code::UnregisteredRoot).collect();
    assert_eq!(warnings.len(), MANY);
    assert!(warnings.iter().all(|d| matches!(d.advice.as_slice(), [Advice::Register { .. }])));
    assert!(warnings.iter().all(|d| d.severity == Severity::Warning));
}

#[test]
fn a_chain_of_nested_roots_gives_one_finding_per_inner_root() {
    const DEPTH: usize = 400;
    let project = Project::new();
    project.write("cartridge.toml", "app_id = 1\n");
    let roots: Vec<String> = (1..=DEPTH).map(|d| vec!["n"; d].join("/")).collect();
    let entries = roots
        .iter()
        .enumerate()
        .map(|(i, root)| json!({"asset_id": i + 1, "asset_uuid": uuid(i), "root": root, "included_in_build": true}))
        .collect();
    project.write("assets/.prometeu/index.json", registry(entries));
    let validation = validate(&project.path, Some(2));
    let nested: Vec<_> = validation.workspace.iter().filter(|d| d.code == Code::RootNested).collect();
    assert_eq!(nested.len(), DEPTH - 1, "every inner root, once, against its nearest enclosing root");
    let deepest = nested.iter().find(|d| d.asset_root.as_deref() == Some(roots[DEPTH - 1].as_str())).unwrap();
    let nearest = format!("(asset_id {}, root `{}`)", DEPTH - 1, roots[DEPTH - 2]);
    assert!(deepest.message.contains(&nearest), "names the nearest enclosing root: {}", deepest.message);
}
