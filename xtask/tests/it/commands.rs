//! The other commands through the real binary: validate (the pre-commit
//! gate), summary, inspect, and the registry commands.

use crate::support::{Xtask, starter};

#[test]
fn validate_passes_on_the_starter_and_blocks_with_exit_1_on_a_broken_asset() {
    let p = starter();
    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert_eq!(run.result()["validation"]["passed"], true);
    assert!(!p.exists("build"), "validate writes nothing");
    assert!(!p.exists(".prometeu"), "validate takes no lock");

    p.write("assets/sfx/jump.wav", b"RIFF....not really");
    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 1);
    let assets = run.result()["validation"]["assets"].as_array().unwrap().clone();
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0]["asset_root"], "sfx");
    assert!(assets[0]["last_modified"].as_str().unwrap().ends_with('Z'));
    assert_eq!(assets[0]["diagnostics"][0]["code"], "wav_decode_failed");
    assert_eq!(assets[0]["diagnostics"][0]["file"], "assets/sfx/jump.wav");
}

#[test]
fn summary_lists_the_included_assets() {
    let p = starter();
    let run = p.run_json(&["summary"]);
    assert_eq!(run.code, 0);
    let summary = &run.result()["summary"];
    assert_eq!(summary["included_asset_count"], 2);
    let hero = &summary["assets"][0];
    assert_eq!(hero["asset_id"], 1);
    assert_eq!(hero["family"], "glyph_bank");
    assert_eq!(hero["min_artifact_count"], hero["max_artifact_count"]);
}

#[test]
fn inspect_verifies_a_packed_file_and_refuses_a_corrupt_one() {
    let p = starter();
    assert_eq!(p.run_json(&["pack"]).code, 0);
    let file = p.path.join("build/assets.pa");
    let run = p.run_json(&["inspect", file.as_str()]);
    assert_eq!(run.code, 0);
    assert_eq!(run.result()["prelude"]["schema_version"], 1);
    assert_eq!(run.result()["header"]["asset_table"].as_array().unwrap().len(), 2);

    let mut bytes = p.read("build/assets.pa");
    bytes.truncate(bytes.len() - 1);
    p.write("broken.pa", &bytes);
    let run = p.run_json(&["inspect", p.path.join("broken.pa").as_str()]);
    assert_eq!(run.code, 1);
    assert!(!run.result()["violations"].as_array().unwrap().is_empty());
}

#[test]
fn the_registry_commands_round_trip_and_never_reuse_an_id() {
    let p = starter();
    let hero = String::from_utf8(p.read("assets/hero/asset.json")).unwrap();
    let copy = hero.replace("\"name\": \"hero\"", "\"name\": \"villain\"");
    let uuid = serde_json::from_str::<serde_json::Value>(&hero).unwrap()["asset_uuid"].as_str().unwrap().to_owned();
    p.write("assets/villain/asset.json", copy.replace(&uuid, "0f0f0f0f-1111-4222-8333-444455556666"));
    for tile in std::fs::read_dir(p.path.join("assets/hero/tiles")).unwrap().flatten() {
        p.write(
            &format!("assets/villain/tiles/{}", tile.file_name().to_str().unwrap()),
            std::fs::read(tile.path()).unwrap(),
        );
    }
    for source in std::fs::read_dir(p.path.join("assets/hero/sources")).unwrap().flatten() {
        p.write(
            &format!("assets/villain/sources/{}", source.file_name().to_str().unwrap()),
            std::fs::read(source.path()).unwrap(),
        );
    }
    let warned = p.run_json(&["validate"]);
    assert!(warned.result()["validation"]["warnings"].to_string().contains("unregistered_root"));

    let run = p.run_json(&["assets", "register", "villain"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert_eq!(run.result()["entry"]["asset_id"], 3);
    let villain_preload = p.run_json(&["validate"]);
    // Both glyph banks preload into slot 0: the gate says so.
    assert_eq!(villain_preload.code, 1);
    assert!(villain_preload.result().to_string().contains("preload_slot_clash"));

    assert_eq!(p.run_json(&["assets", "exclude", "villain"]).code, 0);
    assert_eq!(p.run_json(&["validate"]).code, 0, "an excluded asset is not checked");
    assert_eq!(p.run_json(&["assets", "include", "villain"]).code, 0);
    assert_eq!(p.run_json(&["assets", "forget", "villain"]).code, 0);
    let run = p.run_json(&["assets", "register", "villain"]);
    assert_eq!(run.result()["entry"]["asset_id"], 4, "ids are never reused");

    let list = p.run_json(&["assets", "list"]);
    let roots: Vec<&str> =
        list.result()["assets"].as_array().unwrap().iter().map(|a| a["asset_root"].as_str().unwrap()).collect();
    assert_eq!(roots, ["hero", "sfx", "villain"]);
    let missing = p.run_json(&["assets", "forget", "nobody"]);
    assert_eq!(missing.code, 1);
    assert!(missing.result()["error"].as_str().unwrap().contains("nobody"));
}

#[test]
fn a_moved_root_keeps_its_id_through_assets_move() {
    let p = starter();
    std::fs::create_dir_all(p.path.join("assets/chars")).unwrap();
    std::fs::rename(p.path.join("assets/hero"), p.path.join("assets/chars/hero")).unwrap();
    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 1);
    let advice = r#"{"from":"hero","operation":"move","to":"chars/hero"}"#;
    assert!(run.result().to_string().contains(advice), "{:#?}", run.lines);
    // Spelled as tab completion writes it.
    let run = p.run_json(&["assets", "move", "hero/", "assets/chars/hero/"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert_eq!(run.result()["entry"]["asset_id"], 1);
    assert_eq!(run.result()["entry"]["root"], "chars/hero");
    assert_eq!(p.run_json(&["validate"]).code, 0);
}

#[test]
fn every_lane_holder_says_what_it_recovered_once() {
    let p = starter();
    p.write("build/.staging/AAAAAAAAAAAAAAAAAAAA/assets.pa", b"half");
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    let said: Vec<&serde_json::Value> =
        run.lines.iter().filter(|l| l.to_string().contains("AAAAAAAAAAAAAAAAAAAA")).collect();
    assert_eq!(said.len(), 1, "{said:#?}");
    assert_eq!(said[0]["type"], "notice");
    assert!(!p.exists("build/.staging"));
}

#[test]
fn only_builds_made_for_tests_honour_test_points() {
    // The tool as `cargo xtask`, `cargo build -p prometeu-xtask` or
    // `cargo install` builds it: normal dependencies only.
    let features = |edges: &str| {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["tree", "--offline", "-p", "prometeu-xtask", "-e", edges, "-f", "{p} [{f}]"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().filter(|l| l.contains("prometeu-packer v")).map(str::to_owned).collect::<Vec<_>>()
    };
    let shipped = features("normal");
    assert!(!shipped.is_empty());
    assert!(shipped.iter().all(|l| !l.contains("testpoints")), "{shipped:#?}");
    // The test build turns them on, or the crash tests would prove nothing.
    assert!(features("normal,dev").iter().any(|l| l.contains("testpoints")));
}

#[test]
fn advice_from_the_library_is_spelt_as_commands_to_paste() {
    let p = starter();
    std::fs::create_dir_all(p.path.join("assets/chars")).unwrap();
    std::fs::rename(p.path.join("assets/hero"), p.path.join("assets/chars/hero")).unwrap();

    let out = p.xtask(&["validate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("help: run `cargo xtask assets move hero chars/hero`"), "{stderr}");

    let json = p.run_json(&["validate"]);
    let text = json.result().to_string();
    assert!(text.contains(r#"{"from":"hero","operation":"move","to":"chars/hero"}"#), "{text}");
    assert!(!text.contains("cargo xtask"), "data carries no command-line spelling: {text}");
}

#[test]
fn words_that_help_a_newcomer() {
    let p = starter();
    // `--project` may name the project's cartridge.toml; any other file is refused with what to give.
    let validate = |file: &str| {
        let project = p.path.join(file);
        let out = std::process::Command::new(crate::support::XTASK)
            .args(["validate", "--project", project.as_str()])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, stderr) = validate("cartridge.toml");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("passed (0 warnings)"), "{stderr}");
    let (code, stderr) = validate("prometeu.json");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is a file; give the project's directory"), "{stderr}");

    // One blocking diagnostic is singular.
    p.write("assets/sfx/jump.wav", b"RIFF....not really");
    let out = p.xtask(&["validate"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("failed: 1 blocking diagnostic\n") || stderr.ends_with("failed: 1 blocking diagnostic"),
        "{stderr}"
    );

    // An empty registry says so; `bench` is not in a game's help.
    p.write("assets/.prometeu/index.json", r#"{"schema_version": 1, "next_asset_id": 3, "assets": []}"#);
    let out = p.xtask(&["assets", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "no data");
    assert!(String::from_utf8(out.stderr).unwrap().contains("no asset is registered"));
    let help = std::process::Command::new(crate::support::XTASK).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("play-prep") && !help.contains("bench"), "{help}");

    // `new` says when the game depends on this checkout by path, and how to pin a repository instead.
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("game");
    let out = std::process::Command::new(crate::support::XTASK).args(["new", "--no-git"]).arg(&game).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("depends on the tool by path") && stderr.contains("--git"), "{stderr}");
}
