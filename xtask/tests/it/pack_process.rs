//! Pack execution across real processes: SIGKILL at every stage of a pack,
//! random-delay kills, concurrent packers on one project, and independent
//! projects packing side by side.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use prometeu_packer::{TESTPOINT_ENV, TestPoint};

use crate::support::{PACK_OUTPUTS, Project, Watched, Xtask, starter, wav_i16};

type Outputs = BTreeMap<String, Vec<u8>>;

/// Makes the new set differ from the old one in every output.
fn change_assets(p: &Project) {
    let decl = String::from_utf8(p.read("assets/sfx/asset.json")).unwrap();
    assert!(decl.contains("\"enabled\": false"), "the starter's sfx is not preloaded");
    p.write("assets/sfx/asset.json", decl.replacen("\"enabled\": false", "\"enabled\": true, \"slot\": 3", 1));
}

fn pack(p: &Project) -> i32 {
    p.run_json(&["pack"]).code
}

/// The old and the new complete output sets, packed in separate projects.
fn reference_sets() -> (Outputs, Outputs) {
    let old = starter();
    assert_eq!(pack(&old), 0);
    let new = starter();
    change_assets(&new);
    assert_eq!(pack(&new), 0);
    let (o, n) = (old.outputs(&PACK_OUTPUTS), new.outputs(&PACK_OUTPUTS));
    assert_ne!(o, n);
    (o, n)
}

/// A project holding the old set whose assets now describe the new one.
fn interrupted_project() -> Project {
    let p = starter();
    assert_eq!(pack(&p), 0);
    change_assets(&p);
    p
}

/// The next lane holder (a build) recovers; then `build/` must hold one complete set.
fn settle(p: &Project) -> Outputs {
    assert_eq!(p.run_json(&["build"]).code, 0);
    assert!(!p.exists("build/.staging"), "recovery leaves no staging directory");
    p.outputs(&PACK_OUTPUTS)
}

#[test]
fn sigkill_at_every_stage_leaves_the_old_or_the_new_set() {
    let (old, new) = reference_sets();
    let renamed = |file: &str| TestPoint::PromoteRenamed(file.to_owned());
    let points = [
        (TestPoint::PackAfterSnapshot, &old),
        (TestPoint::PackStaged, &old),
        (TestPoint::PromoteBeforeMarker, &old),
        (TestPoint::PromoteAfterMarker, &new),
        (renamed("assets.pa"), &new),
        (renamed("asset_table.json"), &new),
        (renamed("preload.json"), &new),
        (renamed("asset_table_metadata.json"), &new),
    ];
    for (point, expected) in points {
        let point = point.name();
        let p = interrupted_project();
        let mut cmd = p.xtask(&["pack"]);
        cmd.env(TESTPOINT_ENV, format!("{point}=pause"));
        let mut packer = Watched::start(cmd);
        packer.until(&format!("testpoint {point}: paused"));
        packer.kill();
        assert_eq!(&settle(&p), expected, "killed at {point}");
    }
}

/// A project big enough that a pack takes a while: many sound banks.
fn big_project(assets: usize, frames: usize) -> Project {
    let p = starter();
    let mut registry: serde_json::Value = serde_json::from_slice(&p.read("assets/.prometeu/index.json")).unwrap();
    let mut next = registry["next_asset_id"].as_u64().unwrap();
    for i in 0..assets {
        let root = format!("bulk/s{i:03}");
        let uuid = format!("00000000-0000-4000-8000-{:012x}", 0xb000 + i);
        let samples: Vec<i16> = (0..frames).map(|f| ((f * 7 + i * 13) % 65536) as i16).collect();
        p.write(&format!("assets/{root}/a.wav"), wav_i16(22050, 1, &samples));
        let decl = serde_json::json!({
            "schema_version": 1, "asset_uuid": uuid, "name": format!("bulk{i}"), "type": "sound_bank",
            "inputs": {"samples": ["a.wav"]}, "output": {"format": "SOUNDS/pcm16le_v1", "codec": "NONE"},
            "preload": {"enabled": false}
        });
        p.write(&format!("assets/{root}/asset.json"), serde_json::to_vec_pretty(&decl).unwrap());
        registry["assets"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"asset_id": next, "asset_uuid": uuid, "root": root, "included_in_build": true}));
        next += 1;
    }
    registry["next_asset_id"] = next.into();
    p.write("assets/.prometeu/index.json", serde_json::to_vec_pretty(&registry).unwrap());
    p
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Kills packs after random delays. `PROMETEU_CRASH_RUNS` sets the number of
/// runs (a short campaign by default; set it high for a soak).
#[test]
fn random_kills_never_leave_a_mix() {
    let runs: usize = std::env::var("PROMETEU_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let template = big_project(40, 40_000);
    assert_eq!(pack(&template), 0);
    let old = template.outputs(&PACK_OUTPUTS);
    change_assets(&template);
    let started = Instant::now();
    assert_eq!(pack(&template), 0);
    let full = started.elapsed();
    let new = template.outputs(&PACK_OUTPUTS);

    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("crash campaign: {runs} runs, a full pack takes {full:?}, seed {seed}");
    let (mut saw_old, mut saw_new) = (0, 0);
    for run in 0..runs {
        // Put the old set back, with assets describing the new one.
        for (name, bytes) in &old {
            template.write(&format!("build/{name}"), bytes);
        }
        // Kills land in the second half of a pack (staging, conformance,
        // promotion) or just after it; the early stages are covered by the
        // test points above.
        let span = full.as_micros() as u64;
        let delay = Duration::from_micros(span / 2 + xorshift(&mut seed) % (span * 3 / 5 + 1));
        let mut child = template
            .xtask(&["pack"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let got = settle(&template);
        if got == old {
            saw_old += 1;
        } else if got == new {
            saw_new += 1;
        } else {
            panic!("run {run}: killed after {delay:?}, build/ holds a mix");
        }
    }
    eprintln!("crash campaign: {saw_old} runs ended with the old set, {saw_new} with the new set");
}

#[test]
fn concurrent_packers_on_one_project_all_succeed_one_after_another() {
    for n in [2, 8] {
        let p = starter();
        let reference = {
            let r = starter();
            assert_eq!(pack(&r), 0);
            r.outputs(&PACK_OUTPUTS)
        };
        let children: Vec<_> = (0..n)
            .map(|_| {
                p.xtask(&["pack"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success(), "a concurrent pack failed");
        }
        assert_eq!(p.outputs(&PACK_OUTPUTS), reference, "{n} packers");
        assert!(!p.exists("build/.staging"));
    }
}

#[test]
fn two_projects_pack_at_the_same_time_without_waiting() {
    let a = starter();
    let b = starter();
    let mut cmd = a.xtask(&["pack"]);
    let point = TestPoint::PackAfterSnapshot.name();
    cmd.env(TESTPOINT_ENV, format!("{point}=pause"));
    let mut holder = Watched::start(cmd);
    holder.until(&format!("testpoint {point}: paused"));
    let run = b.run_json(&["pack", "--no-wait"]);
    assert_eq!(run.code, 0, "project b waited for project a: {}", run.stderr);
    let blocked = a.run_json(&["pack", "--no-wait"]);
    assert_eq!(blocked.code, 1, "project a is really held");
    holder.kill();
}

/// Runs `play-prep --message-format json`, sends one SIGINT (Ctrl-C) as soon
/// as a line on stdout satisfies `now`, and returns the exit status and every
/// line, each checked against the messages schema.
fn interrupt_play_prep(p: &Project, now: impl Fn(&serde_json::Value) -> bool) -> (i32, Vec<serde_json::Value>) {
    use std::io::BufRead;
    let mut cmd = p.xtask(&["play-prep", "--message-format", "json"]);
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let mut lines = Vec::new();
    let mut sent = false;
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if !sent && now(&line) {
            // SAFETY: signals our own child process only.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            sent = true;
        }
        lines.push(line);
    }
    assert!(sent, "the moment never came: {lines:#?}");
    let code = child.wait().unwrap().code().unwrap_or(-1);
    crate::adoption::check_messages(&lines);
    (code, lines)
}

#[test]
fn ctrl_c_during_the_pack_step_says_why_in_the_json_result() {
    // Big enough (32 MB of sound) that the pack is still writing when the
    // signal, sent at its first event, arrives.
    let p = big_project(400, 40_000);
    let (code, lines) = interrupt_play_prep(&p, |line| line["type"] == "event");
    let result = lines.last().unwrap();
    assert_eq!(code, 130, "{result}");
    assert_eq!(result["failed_step"], "pack", "{result}");
    assert_eq!(result["error"], prometeu_packer::STOPPED, "{result}");
    assert_eq!(result["steps"]["pack"]["error"], prometeu_packer::STOPPED);
}

#[test]
fn ctrl_c_while_waiting_for_the_lane_says_why_in_the_json_result() {
    let p = starter();
    let mut cmd = p.xtask(&["pack"]);
    cmd.env(TESTPOINT_ENV, "pack.after_snapshot=pause");
    let mut holder = Watched::start(cmd);
    holder.until("testpoint pack.after_snapshot: paused");
    let (code, lines) = interrupt_play_prep(&p, |line| {
        line["type"] == "notice" && line.to_string().contains("waiting for another operation")
    });
    holder.kill();
    let result = lines.last().unwrap();
    assert_eq!(code, 130, "{result}");
    let error = result["error"].as_str().unwrap_or_else(|| panic!("no stop reason: {result}"));
    assert!(error.contains("interrupted"), "{result}");
}
