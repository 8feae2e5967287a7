//! A hostile repository against the real binary on a real filesystem:
//! symlinks aimed outside the project, FIFOs where files should be, a lock
//! file deleted under a running writer, configuration changed while a run
//! waits, a tmpfs with no inode to spare, timestamps before 1970, and a
//! preparation killed between its steps.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_packer::TESTPOINT_ENV;

use crate::support::{Project, Watched, Xtask, starter};

/// Runs `cmd` to completion, failing the test (instead of hanging it) if it
/// has not ended after two minutes: every case here used to block forever.
pub(crate) fn bounded(mut cmd: Command) -> Output {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let hung = finished.recv_timeout(Duration::from_secs(120)).is_err();
        if hung {
            // SAFETY: plain system call on our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        hung
    });
    let output = child.wait_with_output().unwrap();
    let _ = done.send(());
    assert!(!watchdog.join().unwrap(), "{cmd:?} hung");
    output
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `args`, asserts the exit status, and returns stderr holding `needle`.
fn expect(p: &Project, args: &[&str], code: i32, needle: &str) -> String {
    let out = bounded(p.xtask(args));
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {said}");
    assert!(said.contains(needle), "{args:?}: `{needle}` not in {said}");
    said
}

/// Every file under `dir` with its bytes, links as `-> target`; absent: empty.
fn tree(dir: &Utf8Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let Ok(entries) = dir.read_dir_utf8() else { return found };
    for entry in entries.flatten() {
        let kind = entry.file_type().unwrap();
        let path = entry.path().to_owned();
        if kind.is_symlink() {
            found.insert(path.to_string(), format!("-> {}", std::fs::read_link(&path).unwrap().display()).into());
        } else if kind.is_dir() {
            found.insert(format!("{path}/"), Vec::new());
            found.extend(tree(&path));
        } else {
            found.insert(path.to_string(), std::fs::read(&path).unwrap_or_default());
        }
    }
    found
}

fn mkfifo(path: &Utf8Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo").arg(path.as_str()).status().unwrap();
    assert!(status.success(), "mkfifo {path}");
}

fn outside_dir() -> (tempfile::TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::try_from(dir.path().to_owned()).unwrap();
    std::fs::write(path.join("manifest.json"), b"somebody else's file").unwrap();
    (dir, path)
}

#[test]
fn a_symlinked_build_logs_or_lane_directory_is_refused_and_nothing_is_touched() {
    type Plant = fn(&Project, &Utf8Path);
    let cases: [(&str, Plant); 4] = [
        ("build", |p, out| symlink(out, p.path.join("build")).unwrap()),
        ("build/logs", |p, out| {
            std::fs::create_dir(p.path.join("build")).unwrap();
            symlink(out, p.path.join("build/logs")).unwrap();
        }),
        (".prometeu", |p, out| symlink(out, p.path.join(".prometeu")).unwrap()),
        (".prometeu/lane.lock", |p, out| {
            std::fs::create_dir(p.path.join(".prometeu")).unwrap();
            symlink(out.join("lane.lock"), p.path.join(".prometeu/lane.lock")).unwrap();
        }),
    ];
    let mut tried = 0;
    for (link, plant) in cases {
        for command in [&["pack"][..], &["play-prep"], &["build"], &["manifest"], &["assets", "include", "hero"]] {
            let p = starter();
            let (_keep, outside) = outside_dir();
            plant(&p, &outside);
            let (project_before, outside_before) = (tree(&p.path), tree(&outside));
            let out = bounded(p.xtask(command));
            tried += 1;
            assert_eq!(out.status.code(), Some(1), "{command:?} with {link} linked out: {}", stderr(&out));
            let said = stderr(&out);
            assert!(said.contains(&format!("{}/{link} is a symbolic link", p.path)), "{command:?}: {said}");
            assert_eq!(tree(&outside), outside_before, "{command:?} wrote or deleted through {link}");
            assert_eq!(tree(&p.path), project_before, "{command:?} changed the project");
        }
    }
    assert_eq!(tried, 20);
}

#[test]
fn recovery_discards_a_committed_staging_directory_holding_a_link() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    let before = p.outputs(&crate::support::PACK_OUTPUTS);
    let (_keep, outside) = outside_dir();
    std::fs::write(outside.join("secret.pa"), b"not ours").unwrap();
    let staged = p.path.join("build/.staging/AAAAAAAAAAAAAAAAAAAA");
    std::fs::create_dir_all(&staged).unwrap();
    symlink(outside.join("secret.pa"), staged.join("assets.pa")).unwrap();
    std::fs::write(staged.join("COMMIT"), "assets.pa").unwrap();

    let out = bounded(p.xtask(&["manifest"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("discarded the committed outputs of operation AAAAAAAAAAAAAAAAAAAA"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::symlink_metadata(p.path.join("build/assets.pa")).unwrap().is_file());
    assert_eq!(p.outputs(&crate::support::PACK_OUTPUTS), before, "the old pack stays");
    assert!(!p.exists("build/.staging"));

    // A directory or a stray entry is no better than a link.
    for (odd, what) in [("assets.pa", "a directory"), ("extra", "does not list")] {
        let staged = p.path.join("build/.staging/BBBBBBBBBBBBBBBBBBBB");
        std::fs::create_dir_all(staged.join(odd)).unwrap();
        if odd == "extra" {
            std::fs::write(staged.join("assets.pa"), b"x").unwrap();
        }
        std::fs::write(staged.join("COMMIT"), "assets.pa").unwrap();
        let out = bounded(p.xtask(&["manifest"]));
        assert!(stderr(&out).contains(what), "{}", stderr(&out));
        assert_eq!(p.outputs(&crate::support::PACK_OUTPUTS), before);
    }
}

/// A pack paused at its first test point: it holds the lane until killed.
fn hold_lane(p: &Project) -> Watched {
    let mut cmd = p.xtask(&["pack"]);
    cmd.env(TESTPOINT_ENV, "pack.after_snapshot=pause");
    let mut holder = Watched::start(cmd);
    holder.until("testpoint pack.after_snapshot: paused");
    holder
}

#[test]
fn deleting_the_lock_file_or_the_lane_directory_does_not_let_a_second_writer_in() {
    let p = starter();
    let holder = hold_lane(&p);
    std::fs::remove_file(p.path.join(".prometeu/lane.lock")).unwrap();
    expect(&p, &["pack", "--no-wait"], 1, "another operation is writing");

    std::fs::remove_dir_all(p.path.join(".prometeu")).unwrap();
    expect(&p, &["assets", "exclude", "hero", "--no-wait"], 1, "another operation is writing");

    // One that waits is let in once the holder is gone, and on the lock
    // file the path names again.
    std::fs::remove_dir_all(p.path.join(".prometeu")).unwrap();
    let mut waiter = Watched::start(p.xtask(&["pack"]));
    waiter.until("waiting for another operation");
    holder.kill();
    let (code, said) = waiter.finish();
    assert_eq!(code, 0, "{said:#?}");
    assert!(std::fs::symlink_metadata(p.path.join(".prometeu/lane.lock")).unwrap().is_file());
}

#[test]
fn a_run_that_waited_for_the_lane_reads_the_configuration_as_it_is_then() {
    let p = starter();
    let holder = hold_lane(&p);
    let mut waiter = Watched::start(p.xtask(&["play-prep"]));
    waiter.until("waiting for another operation");
    let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", text.replace("title = \"Starter\"", "title = \"Changed While Waiting\""));
    p.write("dist/other.pbx", b"PBX the other program");
    let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", text.replace("dist/program.pbx", "dist/other.pbx"));
    holder.kill();
    let (code, said) = waiter.finish();
    assert_eq!(code, 0, "{said:#?}");
    let manifest = String::from_utf8(p.read("build/manifest.json")).unwrap();
    assert!(manifest.contains("Changed While Waiting"), "{manifest}");
    assert_eq!(p.read("build/program.pbx"), b"PBX the other program");
}

#[test]
fn a_run_refused_for_its_configuration_withdraws_the_manifest_and_keeps_the_refusal() {
    for command in ["play-prep", "build", "manifest"] {
        let p = starter();
        assert_eq!(p.run_json(&["play-prep"]).code, 0);
        let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
        p.write("cartridge.toml", text.replace("app_id = 1001", "app_id = \"one\""));
        let out = bounded(p.xtask(&[command]));
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        assert!(!p.exists("build/manifest.json"), "{command} left a manifest the configuration no longer makes");
        let log = p.kept_log(command);
        let messages: Vec<&str> = log.iter().map(|e| e["message"].as_str().unwrap()).collect();
        assert!(messages[0].starts_with("refused: ") && messages[0].contains("app_id"), "{command}: {messages:#?}");
        assert!(!messages.iter().any(|m| m.starts_with("wrote build/manifest.json")), "{messages:#?}");
    }
}

#[test]
fn manifest_alone_refuses_the_outputs_of_a_preparation_killed_between_its_steps() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    p.write("dist/program.pbx", b"PBX a newer program");
    let mut cmd = p.xtask(&["play-prep"]);
    cmd.env(TESTPOINT_ENV, "pack.after_snapshot=pause");
    let mut prep = Watched::start(cmd);
    prep.until("testpoint pack.after_snapshot: paused");
    prep.kill();
    assert_eq!(p.read("build/program.pbx"), b"PBX a newer program", "the build step had published");

    let run = p.run_json(&["manifest"]);
    assert_eq!(run.code, 1, "{:#?}", run.lines);
    let error = run.result()["error"].as_str().unwrap().to_owned();
    assert!(error.contains("unfinished preparation") && error.contains("play-prep"), "{error}");
    assert!(!p.exists("build/manifest.json"));

    // A finished preparation, even one whose manifest step never ran, is one
    // preparation: its outputs may be committed alone.
    let mut cmd = p.xtask(&["play-prep"]);
    cmd.env(
        TESTPOINT_ENV,
        format!("{}=pause", prometeu_packer::TestPoint::PromoteRenamed(prometeu_packer::PACK_ORIGIN.into()).name()),
    );
    let mut prep = Watched::start(cmd);
    prep.until("paused");
    prep.kill();
    assert_eq!(p.run_json(&["manifest"]).code, 0);
    assert!(p.exists("build/manifest.json"));
}

#[test]
fn special_files_are_refused_at_once_naming_them() {
    type Plant = fn(&Project);
    // `None`: any exit status, as long as it ends at once and says why.
    let cases: [(&str, Plant, &[&str], Option<i32>); 10] = [
        ("input FIFO / validate", |p| mkfifo(&p.path.join("assets/sfx/coin.wav")), &["validate"], Some(1)),
        ("input FIFO / pack", |p| mkfifo(&p.path.join("assets/sfx/coin.wav")), &["pack"], Some(1)),
        ("registry FIFO / pack", |p| mkfifo(&p.path.join("assets/.prometeu/index.json")), &["pack"], Some(1)),
        ("registry FIFO / validate", |p| mkfifo(&p.path.join("assets/.prometeu/index.json")), &["validate"], Some(1)),
        ("registry FIFO / list", |p| mkfifo(&p.path.join("assets/.prometeu/index.json")), &["assets", "list"], Some(1)),
        ("declaration FIFO / validate", |p| mkfifo(&p.path.join("assets/sfx/asset.json")), &["validate"], Some(1)),
        ("prebuilt FIFO", |p| mkfifo(&p.path.join("dist/program.pbx")), &["play-prep"], Some(1)),
        ("prometeu.json FIFO", |p| mkfifo(&p.path.join("prometeu.json")), &["play-prep"], Some(2)),
        ("cartridge.toml FIFO", |p| mkfifo(&p.path.join("cartridge.toml")), &["build"], Some(2)),
        (
            "assets.pa FIFO",
            |p| {
                let status = Command::new(crate::support::XTASK)
                    .args(["play-prep", "--project", p.path.as_str()])
                    .output()
                    .unwrap();
                assert!(status.status.success());
                mkfifo(&p.path.join("build/assets.pa"));
            },
            &["manifest"],
            Some(1),
        ),
    ];
    for (case, plant, command, code) in cases {
        let p = starter();
        plant(&p);
        let out = bounded(p.xtask(command));
        let said = stderr(&out);
        if code.is_some() {
            assert_eq!(out.status.code(), code, "{case}: {said}");
        }
        assert!(said.contains("FIFO") || said.contains("not a regular file"), "{case}: {said}");
        assert!(!said.contains("panicked"), "{case}: {said}");
    }
    // inspect takes any path.
    let p = starter();
    mkfifo(&p.path.join("some.pa"));
    let out = bounded(p.xtask(&["inspect", p.path.join("some.pa").as_str()]));
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("FIFO"), "{}", stderr(&out));
}

#[test]
fn oversized_configuration_files_are_refused_without_being_read() {
    let p = starter();
    let big = std::fs::File::create(p.path.join("prometeu.json")).unwrap();
    big.set_len(300 * 1024 * 1024).unwrap();
    let said = expect(&p, &["play-prep"], 2, "prometeu.json");
    assert!(said.contains("limit"), "{said}");
    // `validate` checks the configuration too (exit 2): restore it to see the registry's own finding.
    expect(&p, &["validate"], 2, "prometeu.json");
    std::fs::copy(
        prometeu_test_support::repo_root().join("templates/starter/prometeu.json"),
        p.path.join("prometeu.json"),
    )
    .unwrap();
    let big = std::fs::File::create(p.path.join("assets/.prometeu/index.json")).unwrap();
    big.set_len(300 * 1024 * 1024).unwrap();
    expect(&p, &["validate"], 1, "limit");
}

#[test]
fn timestamps_before_1970_do_not_panic() {
    let p = starter();
    let status = Command::new("sh")
        .arg("-c")
        .arg("find assets -type f -exec touch -h -d @-1 {} +")
        .current_dir(&p.path)
        .status()
        .unwrap();
    assert!(status.success());
    for command in ["summary", "validate"] {
        let run = p.run_json(&[command]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        if command == "summary" {
            let text = run.result().to_string();
            assert!(text.contains("\"last_modified\":null"), "{command}: {text}");
        }
    }
}

/// A small tmpfs mounted on a directory, unmounted when dropped.
pub(crate) struct Tmpfs(pub(crate) Utf8PathBuf);

impl Tmpfs {
    /// `None` (saying why) unless the test runs as root and mounting works.
    pub(crate) fn mount(at: &Utf8Path, options: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs", at.as_str()]).output().unwrap();
        if !out.status.success() {
            eprintln!("skipped: cannot mount a tmpfs here: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        Some(Tmpfs(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.as_str()).status();
    }
}

#[test]
fn a_staging_directory_that_cannot_be_created_leaves_build_exactly_as_before() {
    let p = starter();
    let Some(_mount) = Tmpfs::mount(&p.path.join("build"), "size=4m,nr_inodes=64") else { return };
    std::fs::create_dir(p.path.join("build/logs")).unwrap();
    std::fs::write(p.path.join("build/logs/pack.jsonl"), b"").unwrap();
    // Use up every inode, then free exactly one: `.staging` fits, the
    // directory inside it does not.
    let mut n = 0;
    while std::fs::write(p.path.join(format!("build/fill{n}")), b"").is_ok() {
        n += 1;
    }
    assert!(n > 0, "the tmpfs took no file at all");
    std::fs::remove_file(p.path.join(format!("build/fill{}", n - 1))).unwrap();
    let names = |p: &Project| -> Vec<String> { tree(&p.path.join("build")).into_keys().collect() };
    let before = names(&p);
    expect(&p, &["pack"], 1, "No space left");
    assert_eq!(names(&p), before, "build/ changed, .staging included");
}

#[test]
fn duplicate_keys_are_blocking_and_named_with_their_line() {
    let p = starter();
    let decl = String::from_utf8(p.read("assets/sfx/asset.json")).unwrap();
    let doubled = decl.replacen('{', "{\n  \"name\": \"first\",", 1);
    p.write("assets/sfx/asset.json", &doubled);
    let out = bounded(p.xtask(&["validate"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = doubled.lines().skip(2).position(|l| l.contains("\"name\"")).unwrap() + 3;
    assert!(
        stderr(&out).contains(&format!("the key `name` twice in one object (again at line {line},")),
        "{}",
        stderr(&out)
    );
    p.write("assets/sfx/asset.json", &decl);

    let registry = String::from_utf8(p.read("assets/.prometeu/index.json")).unwrap();
    let doubled = registry.replacen("\"assets\": [", "\"assets\": [],\n  \"assets\": [", 1);
    p.write("assets/.prometeu/index.json", &doubled);
    let said = expect(&p, &["pack"], 1, "the key `assets` twice in one object (again at line 5,");
    assert!(said.contains("registry_invalid_json"), "{said}");
    p.write("assets/.prometeu/index.json", &registry);

    p.write("prometeu.json", "{\"name\": \"a\",\n\"name\": \"b\", \"version\": \"1.0.0\"}");
    expect(&p, &["play-prep"], 2, "the key `name` twice");
}

#[test]
fn an_asset_directory_whose_name_is_not_utf8_is_a_warning_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let p = starter();
    let odd = p.path.as_std_path().join("assets").join(std::ffi::OsStr::from_bytes(b"bad\xffname"));
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(odd.join("asset.json"), b"{}").unwrap();
    for command in ["validate", "pack"] {
        let out = bounded(p.xtask(&[command]));
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("warning[name_not_unicode]"), "{}", stderr(&out));
        assert!(stderr(&out).contains("assets/bad\u{fffd}name"), "{}", stderr(&out));
    }
}

/// Kills `play-prep` at random instants, alternating between two versions
/// of the program and of the assets, then runs `manifest` alone: it may
/// commit only a program and a pack of the same preparation.
/// `PROMETEU_CRASH_RUNS` sets the number of kills (a short campaign by default).
#[test]
fn random_kills_of_play_prep_never_let_manifest_alone_commit_a_mix() {
    let runs: u64 = std::env::var("PROMETEU_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let p = starter();
    let decl = String::from_utf8(p.read("assets/sfx/asset.json")).unwrap();
    let version = |n: u64| {
        p.write("dist/program.pbx", format!("PBX version {}", n % 2));
        let preload = if n.is_multiple_of(2) { "\"enabled\": false" } else { "\"enabled\": true, \"slot\": 3" };
        p.write("assets/sfx/asset.json", decl.replacen("\"enabled\": false", preload, 1));
    };
    let mut packs = Vec::new();
    let started = Instant::now();
    for n in 0..2 {
        version(n);
        assert_eq!(p.run_json(&["play-prep"]).code, 0);
        packs.push(p.read("build/assets.pa"));
    }
    let span = (started.elapsed() / 2).as_micros() as u64;
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let (mut committed, mut refused) = (0, 0);
    for run in 0..runs {
        version(run);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % (span + 1));
        let mut child = p.xtask(&["play-prep"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let out = bounded(p.xtask(&["manifest"]));
        let program = p.read("build/program.pbx");
        let pack = p.read("build/assets.pa");
        let parity = |n: u64| program == format!("PBX version {n}").into_bytes() && pack == packs[n as usize];
        if out.status.code() == Some(0) {
            committed += 1;
            assert!(parity(0) || parity(1), "run {run}: killed after {delay:?}, manifest committed a mix");
        } else {
            refused += 1;
            // Bytes alone cannot tell a program of run N from one of run N-2;
            // the records can, so a refusal may meet equal-looking bytes.
            assert!(stderr(&out).contains("unfinished preparation"), "run {run}: {}", stderr(&out));
        }
    }
    eprintln!("play-prep kill campaign: {runs} kills, manifest committed {committed}, refused {refused}; seed {seed}");
}

/// The paths `strace` saw system calls name (the first quoted argument of
/// each call: `openat(AT_FDCWD, "…")`, `readlink("…", …)`, `statx(…, "…")`).
fn traced_paths(trace: &str) -> Vec<String> {
    trace
        .lines()
        // With threads, strace splits a call in two; a resumed `readlink`
        // shows the link's target (what was read from the link inside the
        // project), not a path that was looked at.
        .filter(|line| !(line.contains("readlink resumed>") || line.contains("readlinkat resumed>")))
        .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
        .collect()
}

/// `assets/` linked to a directory outside the project is refused from the
/// link itself: `strace` (installed by `.ci/run`) shows that no command
/// names any path under the outside directory, however deep.
#[test]
fn an_assets_link_leading_outside_is_refused_before_anything_outside_is_looked_at() {
    let strace = Command::new("strace").arg("-V").output();
    assert!(strace.is_ok_and(|o| o.status.success()), "this test needs strace (apt-get install strace)");
    let p = starter();
    let (_keep, outside) = outside_dir();
    // A whole asset workspace there, registry included: what a reader that
    // followed the link would find and read.
    std::fs::rename(p.path.join("assets"), outside.join("assets")).unwrap();
    symlink(outside.join("assets"), p.path.join("assets")).unwrap();
    let trace_file = p.path.join("trace");
    // `summary` reports; it fails for nothing.
    for (command, code) in
        [(&["validate"][..], 1), (&["summary"], 0), (&["pack"], 1), (&["play-prep"], 1), (&["assets", "list"], 1)]
    {
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-qq", "-e", "trace=file,openat,openat2,readlink,readlinkat", "-o", trace_file.as_str()]);
        cmd.arg(crate::support::XTASK).args(command).arg("--project").arg(p.path.as_str());
        cmd.env_remove(prometeu_packer::TESTPOINT_ENV);
        let out = bounded(cmd);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{command:?}: {said}");
        let link = format!("assets/ is a link to `{outside}/assets`, outside the project, which is never read");
        assert!(said.contains(&link), "{command:?}: {said}");
        let trace = std::fs::read_to_string(&trace_file).unwrap();
        assert!(trace.contains("/assets"), "{command:?}: the trace saw nothing: {trace}");
        let looked: Vec<String> =
            traced_paths(&trace).into_iter().filter(|path| path.starts_with(outside.as_str())).collect();
        assert!(looked.is_empty(), "{command:?} looked outside: {looked:#?}");
    }
}
