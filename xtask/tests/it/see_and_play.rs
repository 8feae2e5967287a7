//! Previews, the build report (in a real headless Chromium), budgets,
//! `inspect` on a damaged pack, `watch` and `play` with real processes.

use std::process::Command;
use std::time::{Duration, Instant};

use camino::Utf8Path;

use crate::support::{
    Project, RawPack, Run, Watched, Xtask, decode_rgb, decode_rgba, palette_rgb, sheet_index, starter,
};

/// Long enough for several debounce windows to pass: "nothing more happens".
const SETTLE: Duration = Duration::from_millis(1500);

fn prepared_starter() -> Project {
    let project = starter();
    let run = project.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    project
}

#[test]
fn a_sheet_preview_shows_the_palette_colour_of_each_packed_index() {
    let project = prepared_starter();
    let run = project.run_json(&["preview", "--palette", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pack = RawPack::read(&project.path.join("build/assets.pa"));
    let payload = pack.payload("hero");
    let (width, height, rgba) = decode_rgba(&project.read("build/preview/hero/sheet.png"));
    assert_eq!((width, height), (256, 256 + 16), "the sheet, then its swatch strip");
    let mut distinct = std::collections::BTreeSet::new();
    for y in 0..256 {
        for x in 0..256 {
            let index = sheet_index(payload, x, y);
            distinct.insert(index);
            let [r, g, b, a] = rgba[y * width + x];
            if index == 0 {
                assert_eq!(a, 0, "pixel ({x}, {y}): index 0 is transparency");
            } else {
                assert_eq!((a, [r, g, b]), (255, palette_rgb(payload, 1, usize::from(index))), "pixel ({x}, {y})");
            }
        }
    }
    assert!(distinct.len() > 2, "the starter's tiles use several indices: {distinct:?}");
    assert_eq!(rgba[(256 + 8) * width + 8][3], 0, "swatch 0 is transparency");
    for color in 1..16 {
        let [r, g, b, a] = rgba[(256 + 8) * width + color * 16 + 8];
        assert_eq!((a, [r, g, b]), (255, palette_rgb(payload, 1, color)), "swatch {color}");
    }
}

#[test]
fn every_authored_palette_is_drawn_side_by_side_and_a_bad_palette_is_refused() {
    let project = prepared_starter();
    assert_eq!(project.run_json(&["preview", "--all-palettes", "--asset", "hero"]).code, 0);
    let authored = RawPack::read(&project.path.join("build/assets.pa")).entry("hero")["metadata"]["palette_authored"]
        .as_u64()
        .unwrap() as usize;
    let (width, _, _) = decode_rgba(&project.read("build/preview/hero/sheet.png"));
    assert_eq!(width, 256 * authored);
    assert!(!project.exists("build/preview/sfx"), "--asset selects one asset");
    let bad = project.run_json(&["preview", "--palette", "64"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("palette 64 does not exist"), "{}", bad.stderr);
    let unknown = project.run_json(&["preview", "--asset", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("hero"), "lists what is packed: {}", unknown.stderr);
}

#[test]
fn a_sample_preview_holds_exactly_the_packed_frames() {
    let project = prepared_starter();
    assert_eq!(project.run_json(&["preview"]).code, 0);
    let pack = RawPack::read(&project.path.join("build/assets.pa"));
    let payload = pack.payload("sfx");
    let samples = pack.entry("sfx")["metadata"]["samples"].as_object().unwrap().clone();
    assert!(!samples.is_empty());
    for (index, sample) in samples {
        let (offset, length) =
            (sample["offset"].as_u64().unwrap() as usize, sample["length"].as_u64().unwrap() as usize);
        let packed: Vec<i16> =
            payload[offset..offset + length].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        let wav = project.read(&format!("build/preview/sfx/{index}.wav"));
        let mut reader = hound::WavReader::new(std::io::Cursor::new(wav)).unwrap();
        let spec = reader.spec();
        assert_eq!((spec.channels, spec.bits_per_sample), (1, 16));
        assert_eq!(u64::from(spec.sample_rate), sample["sample_rate"].as_u64().unwrap());
        let frames: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(frames, packed, "sample {index}");
        let (w, h, _) = decode_rgb(&project.read(&format!("build/preview/sfx/{index}.waveform.png")));
        assert_eq!((w, h), (512, 128));
    }
}

#[test]
fn inspect_names_the_asset_whose_payload_changed() {
    let project = prepared_starter();
    let copy = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(copy.path()).unwrap();
    for name in prometeu_packer::PACK_OUTPUTS {
        std::fs::copy(project.path.join("build").join(name), dir.join(name)).unwrap();
    }
    let inspect = || Command::new(crate::support::XTASK).arg("inspect").arg(dir.join("assets.pa")).output().unwrap();
    assert_eq!(inspect().status.code(), Some(0), "the intact copy verifies");
    let pack = RawPack::read(&dir.join("assets.pa"));
    let at = pack.payload_offset + pack.entry("sfx")["offset"].as_u64().unwrap() as usize + 100;
    let mut bytes = pack.bytes.clone();
    bytes[at] ^= 0x01;
    std::fs::write(dir.join("assets.pa"), bytes).unwrap();
    let out = inspect();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("asset sfx"), "{stderr}");
    assert!(!stderr.contains("asset hero"), "only the damaged asset is named: {stderr}");
    // Without companions the structure alone is checked, and said so.
    std::fs::remove_file(dir.join(prometeu_packer::ASSET_TABLE_METADATA_JSON)).unwrap();
    let alone = inspect();
    assert_eq!(alone.status.code(), Some(0));
    assert!(String::from_utf8(alone.stderr).unwrap().contains("not checked"));
}

// ----- the build report in a real browser -----

fn chromium() -> String {
    for name in ["chromium", "chromium-browser"] {
        if Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return name.to_owned();
        }
    }
    panic!("Chromium is needed to check build/report.html; .ci/run installs it (`apt-get install -y chromium`)");
}

/// Loads `page` in headless Chromium: the DOM after load, the browser's log and a screenshot.
fn browse(page: &Utf8Path) -> (String, String, Vec<u8>) {
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("shot.png");
    let run = |extra: &[String]| {
        let out = Command::new(chromium())
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            .args(["--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"])
            .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
            .arg("--window-size=1200,1600")
            .args(extra)
            .arg(format!("file://{page}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    let dom = run(&["--dump-dom".to_owned()]);
    run(&[format!("--screenshot={}", shot.display())]);
    (
        String::from_utf8(dom.stdout).unwrap(),
        String::from_utf8_lossy(&dom.stderr).into_owned(),
        std::fs::read(shot).unwrap(),
    )
}

fn pixel_variance(png: &[u8]) -> f64 {
    let (_, _, rgb) = decode_rgb(png);
    let mean = rgb.iter().map(|&v| f64::from(v)).sum::<f64>() / rgb.len() as f64;
    rgb.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / rgb.len() as f64
}

fn set_budget(project: &Project, table: &str) {
    let text = String::from_utf8(project.read("cartridge.toml")).unwrap();
    let head = text.split("\n[budget]").next().unwrap().to_owned();
    project.write("cartridge.toml", format!("{head}\n[budget]\n{table}\n"));
}

#[test]
fn the_report_loads_offline_in_a_real_browser_and_lists_every_packed_asset() {
    let project = starter();
    let run = project.run_json(&["play-prep", "--report"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = project.path.join("build/report.html");
    let (dom, log, shot) = browse(&page);
    for line in log.lines() {
        assert!(!line.contains(":CONSOLE("), "a console message: {line}");
        assert!(!line.contains("net::ERR"), "a network request: {line}");
    }
    for attribute in ["src=\"", "href=\""] {
        for value in dom.split(attribute).skip(1) {
            assert!(value.starts_with("data:"), "everything is inline: {attribute}{}", &value[..value.len().min(60)]);
        }
    }
    assert!(!dom.contains("<script"), "no script");
    let pack = RawPack::read(&project.path.join("build/assets.pa"));
    let names: Vec<&str> =
        pack.header["asset_table"].as_array().unwrap().iter().map(|e| e["asset_name"].as_str().unwrap()).collect();
    assert!(!names.is_empty());
    for name in names {
        assert!(dom.contains(&format!("<td class=\"name\">{name}</td>")), "{name} in the asset table");
    }
    assert_eq!(dom.matches("<tr class=\"asset\">").count(), pack.header["asset_table"].as_array().unwrap().len());
    assert!(dom.contains("<audio controls"), "sound banks can be played");
    assert!(pixel_variance(&shot) > 100.0, "the screenshot shows something");
}

#[test]
fn a_budget_exceeded_warns_and_blocks_with_enforce() {
    let project = starter();
    set_budget(&project, "assets_pa_bytes = 1000");
    let warned = project.run_json(&["play-prep", "--report"]);
    assert_eq!(warned.code, 0, "a warning only: {}", warned.stderr);
    let human = project.xtask(&["play-prep"]).output().unwrap();
    let said = String::from_utf8(human.stderr).unwrap();
    assert!(said.contains("warning: budget.assets_pa_bytes") && said.contains("over budget"), "{said}");
    assert_eq!(warned.result()["budget"]["checks"][0]["exceeded"], true);
    assert!(project.exists("build/manifest.json"));
    let (dom, _, _) = browse(&project.path.join("build/report.html"));
    assert!(dom.contains("warning: over budget"), "shown as a warning in the report");
    let validate = project.run_json(&["validate"]);
    assert_eq!(validate.code, 0);
    assert_eq!(validate.result()["budget"]["checks"][0]["key"], "assets_pa_bytes");
    let planned = validate.result()["usage"]["assets_pa_bytes"].as_u64().unwrap();
    assert_eq!(
        planned,
        std::fs::metadata(project.path.join("build/assets.pa")).unwrap().len(),
        "validate's figure is the pack's"
    );

    set_budget(&project, "assets_pa_bytes = 1000\nenforce = true");
    let blocked = project.run_json(&["play-prep"]);
    assert_eq!(blocked.code, 1, "{}", blocked.stderr);
    assert_eq!(blocked.result()["status"], "blocked");
    assert!(!project.exists("build/manifest.json"), "a build over an enforced budget is not ready");
    assert_eq!(project.run_json(&["validate"]).code, 1);
    assert_eq!(project.run_json(&["report"]).code, 0);
    let (dom, _, _) = browse(&project.path.join("build/report.html"));
    assert!(dom.contains("blocking: over budget"), "shown as a block in the report");

    set_budget(&project, "assets_pa_bytes = 10000000\nenforce = true");
    assert_eq!(project.run_json(&["play-prep"]).code, 0, "within budget");
}

// ----- watch -----

/// A compiler that counts its runs in `runs.log`, is slow while `slow`
/// exists and fails while `broken` exists (all at the project root, which
/// `watch` does not watch).
fn counting_compiler(project: &Project) {
    project.script(
        "compiler.sh",
        "echo run >> runs.log\n[ -f slow ] && sleep 2\n[ -f broken ] && { echo broken >&2; exit 1; }\nprintf 'PBX' > \"$1\"",
    );
    project.set_compiler("command = [\"./compiler.sh\", \"{output}\"]");
}

fn compiler_runs(project: &Project) -> usize {
    if !project.exists("runs.log") {
        return 0;
    }
    String::from_utf8(project.read("runs.log")).unwrap().lines().count()
}

fn touch_tile(project: &Project) {
    let tile = project.read("assets/hero/tiles/coin.png");
    project.write("assets/hero/tiles/coin.png", tile);
}

fn watch(project: &Project, extra: &[&str]) -> Watched {
    let mut args = vec!["watch"];
    args.extend(extra);
    let mut watched = Watched::start(project.xtask(&args));
    watched.until("[watch] run 1 ");
    watched
}

fn stop(watched: Watched) -> Vec<String> {
    // SAFETY: signals our own child process only.
    unsafe { libc::kill(watched.child.id() as i32, libc::SIGINT) };
    let (code, stderr) = watched.finish();
    assert_eq!(code, 130, "{stderr:#?}");
    stderr
}

fn no_run_line(lines: &[String], run: u32) {
    let marker = format!("[watch] run {run} ");
    assert!(!lines.iter().any(|l| l.contains(&marker)), "unexpected {marker}: {lines:#?}");
}

#[test]
fn a_burst_of_saves_is_one_more_preparation() {
    let project = starter();
    counting_compiler(&project);
    let mut watched = watch(&project, &[]);
    for _ in 0..3 {
        touch_tile(&project);
    }
    watched.until("[watch] run 2 ");
    no_run_line(&watched.lines_within(SETTLE), 3);
    assert_eq!(compiler_runs(&project), 2);
    let stderr = stop(watched);
    let status = stderr.iter().find(|l| l.contains("[watch] run 2 ")).unwrap();
    assert!(status.contains("changed: assets/hero/tiles/coin.png") && status.contains("succeeded"), "{status}");
}

#[test]
fn a_change_during_a_run_causes_exactly_one_run_after_it() {
    let project = starter();
    counting_compiler(&project);
    project.write("slow", "");
    let mut watched = watch(&project, &[]);
    touch_tile(&project);
    let deadline = Instant::now() + Duration::from_secs(60);
    while compiler_runs(&project) < 2 {
        assert!(Instant::now() < deadline, "run 2 never started: {:#?}", watched.lines_within(Duration::from_secs(1)));
        std::thread::sleep(Duration::from_millis(20));
    }
    // Run 2 is compiling (for 2 s): two more saves now.
    touch_tile(&project);
    project.write("cartridge.toml", project.read("cartridge.toml"));
    watched.until("[watch] run 3 ");
    no_run_line(&watched.lines_within(SETTLE + Duration::from_secs(2)), 4);
    assert_eq!(compiler_runs(&project), 3, "never two at once, one follow-up");
    stop(watched);
}

#[test]
fn edits_outside_the_build_inputs_cause_no_preparation() {
    let project = starter();
    counting_compiler(&project);
    let mut watched = watch(&project, &[]);
    project.write("assets/unregistered/tile.png", "not registered");
    project.write("build/scratch.txt", "build output");
    project.write("notes.txt", "not an input");
    project.write("assets/.prometeu/scratch", "tool state");
    std::fs::write(project.path.parent().unwrap().join("outside.txt"), "elsewhere").unwrap();
    no_run_line(&watched.lines_within(SETTLE), 2);
    assert_eq!(compiler_runs(&project), 1);
    // The control: a source file of the compiler does cause one.
    project.write("src/main.pbs", "// edited");
    watched.until("[watch] run 2 ");
    stop(watched);
}

// ----- play -----

/// A stand-in runtime: records its pid and a child's, says it is up, waits.
fn stand_in_runtime(project: &Project) {
    project.script("runtime.sh", "echo $$ > runtime.pid\nsleep 300 &\necho $! > child.pid\necho runtime up\nwait");
    let text = String::from_utf8(project.read("cartridge.toml")).unwrap();
    project.write("cartridge.toml", format!("{text}\n[run]\ncommand = [\"./runtime.sh\"]\n"));
}

// Used only by the tests that need process groups.
#[cfg(not(feature = "portable"))]
fn pid(project: &Project, file: &str) -> i32 {
    String::from_utf8(project.read(file)).unwrap().trim().parse().unwrap()
}

/// A killed process may take a moment to be gone from /proc.
#[cfg(not(feature = "portable"))]
fn gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while crate::support::alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

// Needs process groups (the runtime's child is stopped too): absent from
// the std-only build (`--features portable`), which stops the runtime only.
#[cfg(not(feature = "portable"))]
#[test]
fn play_starts_the_runtime_after_success_and_ctrl_c_leaves_no_process() {
    let project = starter();
    stand_in_runtime(&project);
    let mut watched = Watched::start(project.xtask(&["play"]));
    watched.until("[run] INFO  runtime up");
    let (runtime, child) = (pid(&project, "runtime.pid"), pid(&project, "child.pid"));
    assert!(crate::support::alive(runtime) && crate::support::alive(child));
    // SAFETY: signals our own child process only.
    unsafe { libc::kill(watched.child.id() as i32, libc::SIGINT) };
    let (code, stderr) = watched.finish();
    assert_eq!(code, 130, "{stderr:#?}");
    assert!(gone(runtime) && gone(child), "the runtime and what it started are stopped");
}

#[test]
fn play_does_not_start_the_runtime_after_a_failed_build() {
    let project = starter();
    counting_compiler(&project);
    project.write("broken", "");
    stand_in_runtime(&project);
    let run: Run = project.run_json(&["play"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!project.exists("runtime.pid"), "never started");
    assert_eq!(run.result()["status"], "failed");
}

#[test]
fn play_says_clearly_when_the_runtime_is_not_installed() {
    let project = starter();
    let text = String::from_utf8(project.read("cartridge.toml")).unwrap();
    project.write("cartridge.toml", format!("{text}\n[run]\ncommand = [\"prometeu-runtime-not-here\"]\n"));
    let run = project.run_json(&["play"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`prometeu-runtime-not-here` is not installed"), "{}", run.stderr);
}

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn watch_play_restarts_the_game_after_success_only() {
    let project = starter();
    counting_compiler(&project);
    stand_in_runtime(&project);
    let mut watched = watch(&project, &["--play"]);
    watched.until("[run] INFO  runtime up");
    let first = pid(&project, "runtime.pid");
    touch_tile(&project);
    watched.until("[watch] run 2 ");
    watched.until("[run] INFO  runtime up");
    let second = pid(&project, "runtime.pid");
    assert_ne!(first, second, "a new game");
    assert!(gone(first), "the previous game was stopped");
    project.write("broken", "");
    touch_tile(&project);
    watched.until("[watch] run 3 ");
    assert!(watched.seen.last().unwrap().contains("failed"), "{:#?}", watched.seen);
    no_run_line(&watched.lines_within(SETTLE), 4);
    assert_eq!(pid(&project, "runtime.pid"), second);
    assert!(crate::support::alive(second), "a failed preparation leaves the game running");
    let child = pid(&project, "child.pid");
    stop(watched);
    assert!(gone(second) && gone(child), "Ctrl-C stops the game and what it started");
}

#[test]
fn the_report_draws_sheets_magnified_over_a_checkerboard_in_a_real_browser() {
    let project = starter();
    assert_eq!(project.run_json(&["play-prep", "--report"]).code, 0);
    let (dom, _, shot) = browse(&project.path.join("build/report.html"));
    assert!(dom.contains("<img class=\"pixels sheet\" alt=\"hero sheet\""), "the sheet is drawn as a sheet");
    // The starter's hero bank uses a few cells: the rest is transparency,
    // where the page shows its checkerboard of #ffffff and #cccccc squares
    // (8 pixels each; no other part of the page has either grey).
    let (width, height, rgb) = decode_rgb(&shot);
    let at = |x: usize, y: usize| {
        let i = (y * width + x) * 3;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    };
    let (grey, white) = ([204, 204, 204], [255, 255, 255]);
    let squares = (0..height - 16)
        .flat_map(|y| (0..width - 16).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            at(x, y) == grey && at(x + 8, y) == white && at(x, y + 8) == white && at(x + 8, y + 8) == grey
        })
        .count();
    assert!(squares > 1000, "a checkerboard shows through the transparent cells ({squares} matching points)");
    // The sheet image is twice the sheet: 256 pixels become 512 on the page.
    let png = dom.split("alt=\"hero sheet\" src=\"data:image/png;base64,").nth(1).unwrap();
    let png = base64_decode(png.split('"').next().unwrap());
    let (w, h, _) = decode_rgba(&png);
    assert_eq!((w % 512, h), (0, (256 + 16) * 2), "magnified twice, every palette side by side");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
