//! `cargo xtask play-prep` end to end, with real child-process compilers.

use crate::support::{PACK_OUTPUTS, Watched, Xtask, starter};
use serde_json::{Value, json};

const ALL: [&str; 6] =
    ["program.pbx", "assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json", "manifest.json"];

#[test]
fn the_starter_prepares_fully_and_a_second_run_is_byte_identical() {
    let p = starter();
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "stderr: {}\n{:#?}", run.stderr, run.lines);
    let result = run.result();
    assert_eq!(result["status"], "success");
    assert_eq!(result["failed_step"], Value::Null);
    for step in ["build", "pack", "manifest"] {
        assert_eq!(result["steps"][step]["status"], "success", "{step}");
        assert!(result["steps"][step]["elapsed_ms"].is_u64(), "{step}");
    }
    let first = p.outputs(&ALL);
    assert_eq!(first.len(), ALL.len(), "{:?}", first.keys());
    assert_eq!(first["program.pbx"], p.read("dist/program.pbx"));

    let manifest: Value = serde_json::from_slice(&first["manifest.json"]).unwrap();
    let cartridge: toml::Table = toml::from_str(&String::from_utf8(p.read("cartridge.toml")).unwrap()).unwrap();
    let mut caps: Vec<String> =
        cartridge["capabilities"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    caps.sort();
    caps.dedup();
    let expected = json!({
        "magic": "PMTU",
        "cartridge_version": 1,
        "app_id": cartridge["app_id"].as_integer().unwrap(),
        "title": cartridge["title"].as_str().unwrap(),
        "app_version": cartridge["app_version"].as_str().unwrap(),
        "app_mode": cartridge.get("app_mode").and_then(|m| m.as_str()).unwrap_or("Game"),
        "capabilities": caps,
    });
    assert_eq!(manifest, expected);
    assert_eq!(first["manifest.json"], serde_json::to_vec(&expected).unwrap(), "canonical bytes");

    let log = p.kept_log("play-prep");
    let seq: Vec<u64> = log.iter().map(|e| e["sequence"].as_u64().unwrap()).collect();
    assert_eq!(seq, (1..=log.len() as u64).collect::<Vec<_>>());
    let channels: Vec<&str> = log.iter().map(|e| e["channel"].as_str().unwrap()).collect();
    for c in ["build", "pack-validation", "pack", "manifest"] {
        assert!(channels.contains(&c), "{c} missing from {channels:?}");
    }
    let first_of = |c: &str| channels.iter().position(|x| *x == c).unwrap();
    assert!(first_of("build") < first_of("pack-validation") && first_of("pack-validation") < first_of("manifest"));

    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    assert_eq!(p.outputs(&ALL), first);
}

#[test]
fn a_failing_compiler_stops_the_run_before_pack_and_manifest() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    let packed = p.outputs(&PACK_OUTPUTS);
    p.script("pbsc", "echo compiling main.pbs\necho 'main.pbs:3: unknown symbol `jmup`' >&2\nexit 1");
    p.set_compiler(r#"command = ["./pbsc", "{project}", "--out", "{output}"]"#);

    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    let result = run.result();
    assert_eq!(result["status"], "failed");
    assert_eq!(result["failed_step"], "build");
    assert!(result["steps"].get("pack").is_none() && result["steps"].get("manifest").is_none());
    assert!(!p.exists("build/manifest.json"), "the old manifest is withdrawn");
    assert_eq!(p.outputs(&PACK_OUTPUTS), packed, "pack outputs untouched");
    assert_eq!(p.read("build/program.pbx"), p.read("dist/program.pbx"), "the old program stays");

    let log = p.kept_log("play-prep");
    let build: Vec<&str> =
        log.iter().filter(|e| e["channel"] == "build").map(|e| e["message"].as_str().unwrap()).collect();
    assert!(build.iter().any(|m| m.contains("[stderr] main.pbs:3: unknown symbol `jmup`")), "{build:#?}");
    assert!(build.iter().any(|m| m.contains("[stdout] compiling main.pbs")), "{build:#?}");
    assert!(build.last().unwrap().contains("status 1"), "{build:#?}");
    assert!(log.iter().all(|e| e["channel"] == "build" || e["channel"] == "manifest"), "no pack lines: {log:#?}");
}

// Needs the exit signal, which std cannot tell: absent from the std-only build.
#[cfg(not(feature = "portable"))]
#[test]
fn a_compiler_killed_by_a_signal_fails_the_build() {
    let p = starter();
    p.script("pbsc", "kill -9 $$");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.result()["failed_step"], "build");
    let build = run.channel("build");
    assert!(build.last().unwrap().contains("signal 9"), "{build:#?}");
    assert!(!p.exists("build/program.pbx"));
}

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn a_hanging_compiler_and_its_grandchild_are_killed_at_the_timeout() {
    let p = starter();
    p.script("pbsc", "sleep 1000 &\necho $! > grandchild.pid\necho started\nwait");
    p.set_compiler("command = [\"./pbsc\"]\ntimeout_secs = 1");
    let started = std::time::Instant::now();
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let build = run.channel("build");
    assert!(build.last().unwrap().contains("timed out"), "{build:#?}");
    let pid: i32 = String::from_utf8(p.read("grandchild.pid")).unwrap().trim().parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while crate::support::alive(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!crate::support::alive(pid), "the compiler's grandchild {pid} survived");
    assert!(!p.exists("build/manifest.json"));
}

#[test]
fn a_compiler_that_writes_nothing_fails_and_an_old_program_does_not_pass() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    p.script("pbsc", "echo done");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.result()["failed_step"], "build");
    assert!(!p.exists("build/manifest.json"));
    p.script("pbsc", ": > \"$PROMETEU_OUTPUT\"");
    assert_eq!(p.run_json(&["play-prep"]).code, 1, "an empty program is not a program");
}

#[test]
fn a_working_compiler_gets_placeholders_and_environment() {
    let p = starter();
    p.script(
        "pbsc",
        "[ \"$1\" = \"$PROMETEU_PROJECT_DIR\" ] || exit 3\n[ \"$(pwd)\" = \"$1\" ] || exit 4\nprintf 'PBX!' > \"$2\"",
    );
    p.set_compiler(r#"command = ["./pbsc", "{project}", "{output}"]"#);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert_eq!(p.read("build/program.pbx"), b"PBX!");
}

#[test]
fn a_blocked_pack_names_its_diagnostics_and_writes_no_manifest() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    let packed = p.outputs(&PACK_OUTPUTS);
    let decl = String::from_utf8(p.read("assets/hero/asset.json")).unwrap();
    p.write("assets/hero/asset.json", decl.replace("\"tile_size\": 16", "\"tile_size\": 12"));
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.result()["failed_step"], "pack");
    assert_eq!(run.result()["steps"]["pack"]["status"], "blocked");
    let validation = run.channel("pack-validation");
    assert!(validation.iter().any(|m| m.contains("tile_size_invalid")), "{validation:#?}");
    assert!(!p.exists("build/manifest.json"));
    assert_eq!(p.outputs(&PACK_OUTPUTS), packed);
}

fn config_error(p: &crate::support::Project, needle: &[&str]) {
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 2, "{:#?} {}", run.lines, run.stderr);
    let error = run.result()["error"].as_str().unwrap().to_owned();
    for n in needle {
        assert!(error.contains(n), "`{n}` not in: {error}");
    }
    assert!(!p.exists("build/manifest.json"));
}

#[test]
fn configuration_errors_name_file_and_key_and_exit_2() {
    let p = starter();
    let original = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", original.replacen("title", "titel", 1));
    config_error(&p, &["cartridge.toml", "titel", "app_id"]);
    let without_id: String = original.lines().filter(|l| !l.starts_with("app_id")).map(|l| format!("{l}\n")).collect();
    p.write("cartridge.toml", without_id);
    config_error(&p, &["cartridge.toml", "app_id"]);
    p.write("cartridge.toml", format!("app_mode = \"Arcade\"\n{original}"));
    config_error(&p, &["cartridge.toml", "app_mode"]);
}

#[test]
fn manifest_alone_commits_only_a_complete_build_dir() {
    let p = starter();
    let run = p.run_json(&["manifest"]);
    assert_eq!(run.code, 1);
    assert!(run.result()["error"].as_str().unwrap().contains("program.pbx"), "{:#?}", run.lines);
    assert_eq!(p.run_json(&["build"]).code, 0);
    let run = p.run_json(&["manifest"]);
    assert_eq!(run.code, 1, "no assets.pa yet");
    assert!(run.result()["error"].as_str().unwrap().contains("assets.pa"), "{:#?}", run.lines);
    assert!(!p.exists("build/manifest.json"));
    assert_eq!(p.run_json(&["pack"]).code, 0);
    assert_eq!(p.run_json(&["manifest"]).code, 0);
    assert!(p.exists("build/manifest.json"));
    // A new program or pack makes the manifest stale: it is withdrawn.
    assert_eq!(p.run_json(&["build"]).code, 0);
    assert!(!p.exists("build/manifest.json"), "build withdraws the manifest");
    assert_eq!(p.run_json(&["manifest"]).code, 0);
    assert_eq!(p.run_json(&["pack"]).code, 0);
    assert!(!p.exists("build/manifest.json"), "pack withdraws the manifest");
}

#[test]
fn a_prebuilt_program_inside_build_is_refused() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    p.set_compiler(r#"prebuilt = "build/program.pbx""#);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    assert!(run.channel("build").last().unwrap().contains("earlier run"), "{:#?}", run.lines);
}

#[test]
fn cartridge_warnings_reach_the_log_and_the_result() {
    let p = starter();
    let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", text.replacen("capabilities = [", "capabilities = [\"gfxx\", ", 1));
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert!(run.channel("manifest").iter().any(|m| m.contains("gfxx")), "{:#?}", run.lines);
    assert!(run.result()["steps"]["manifest"]["warnings"].to_string().contains("gfxx"));
}

#[test]
fn no_project_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        std::process::Command::new(crate::support::XTASK).arg("validate").current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cartridge.toml"), "{stderr}");
    assert!(stderr.contains("`--project DIR`"), "the command line names its own flag: {stderr}");
    let out = std::process::Command::new(crate::support::XTASK).arg("play-prep").arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn two_concurrent_play_preps_serialize_and_both_end_coherent() {
    let p = starter();
    p.script("pbsc", "echo compiling\nsleep 2\nprintf 'PBX' > \"$PROMETEU_OUTPUT\"");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let mut first = Watched::start(p.xtask(&["play-prep"]));
    first.until("compiling");
    let mut second = Watched::start(p.xtask(&["play-prep"]));
    second.until("waiting for another operation on this project");
    let (a, _) = first.finish();
    let (b, seen) = second.finish();
    assert_eq!((a, b), (0, 0), "{seen:#?}");
    assert_eq!(seen.iter().filter(|l| l.contains("waiting for another operation")).count(), 1, "said once");
    assert_eq!(p.outputs(&ALL).len(), ALL.len());
    let inspect = p.run_json(&["inspect", p.path.join("build/assets.pa").as_str()]);
    assert_eq!(inspect.code, 0);
}

#[test]
fn no_wait_fails_at_once_while_the_project_is_busy() {
    let p = starter();
    p.script("pbsc", "echo compiling\nsleep 30");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let mut busy = Watched::start(p.xtask(&["play-prep"]));
    busy.until("compiling");
    let run = p.run_json(&["pack", "--no-wait"]);
    busy.kill();
    assert_eq!(run.code, 1);
    assert!(run.result()["error"].as_str().unwrap().contains("another operation"));
}

#[test]
fn json_mode_prints_only_json_on_stdout_and_a_kept_log_after_failure() {
    let p = starter();
    p.script("pbsc", "echo oops >&2\nexit 2");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 1);
    let logs = run.logs();
    assert!(!logs.is_empty());
    for l in &logs {
        for key in ["sequence", "timestamp", "channel", "severity", "message"] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert!(!l["message"].as_str().unwrap().is_empty());
    }
    let kept = p.kept_log("play-prep");
    assert_eq!(kept.len(), logs.len());
    assert!(kept.iter().any(|e| e["message"].as_str().unwrap().contains("oops")));
}
