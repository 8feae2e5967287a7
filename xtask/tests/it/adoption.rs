//! A game repository adopting the tool, through real processes: `new`, the
//! game's own `cargo xtask` (real cargo), the pre-commit hook under a real
//! `git commit`, `validate --staged`, the pre-commit framework's entry, and
//! the command-line conventions (stdout for data, closed pipes, Ctrl-C,
//! colours, annotations, the JSON lines' schema).

use std::process::{Command, Stdio};

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_test_support::repo_root;
use serde_json::Value;

use crate::support::{PACK_OUTPUTS, Project, Run, Watched, XTASK, Xtask, alive, starter};

/// Cargo's environment for a game's own cargo: nothing of the outer `cargo
/// test`'s build (which sets these for itself), and no target directory, so
/// the game's `.cargo/config.toml` from `new` decides where it builds.
fn as_a_developer_types_it(cmd: &mut Command) -> &mut Command {
    for var in ["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_DIR"] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

fn git(dir: &Utf8Path, args: &[&str]) -> (i32, String, String) {
    run(as_a_developer_types_it(
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@localhost")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@localhost"),
    ))
}

fn git_ok(dir: &Utf8Path, args: &[&str]) {
    let (code, out, err) = git(dir, args);
    assert_eq!(code, 0, "git {args:?}\n{out}\n{err}");
}

/// `cargo xtask …` inside a game directory, as its developers type it.
fn cargo_xtask(dir: &Utf8Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.arg("xtask").args(args).current_dir(dir);
    as_a_developer_types_it(&mut cmd);
    cmd
}

/// `xtask new` into a fresh temporary directory; the game directory is `my-game` inside it.
fn new_game() -> (tempfile::TempDir, Utf8PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8PathBuf::try_from(tmp.path().canonicalize().unwrap()).unwrap().join("my-game");
    let (code, out, err) = run(Command::new(XTASK).args(["new", dir.as_str()]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("cargo xtask play-prep"), "says what to run next: {err}");
    (tmp, dir)
}

fn copy_hero_into(game: &Utf8Path) {
    let from = repo_root().join("templates/starter/assets/hero");
    for rel in [
        "asset.json",
        "sources/hero.txt",
        "tiles/coin.png",
        "tiles/hero_idle.png",
        "tiles/hero_walk.png",
        "tiles/wall.png",
    ] {
        let to = game.join("assets/hero").join(rel);
        fs_err::create_dir_all(to.parent().unwrap()).unwrap();
        fs_err::copy(from.join(rel), to).unwrap();
    }
}

#[test]
fn a_new_game_prepares_with_its_own_cargo_xtask_and_its_hook_gates_the_index() {
    let (_tmp, game) = new_game();
    for file in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml", "xtask/src/main.rs", ".githooks/pre-commit"] {
        assert!(game.join(file).is_file(), "{file}");
    }
    git_ok(&game, &["init", "--quiet"]);
    let (_, hooks, _) = git(&game, &["config", "core.hooksPath"]);
    assert_eq!(hooks.trim(), ".githooks", "new installs the hook");

    // The game's own cargo xtask: real cargo, the alias, the xtask crate.
    let (code, _, err) = run(&mut cargo_xtask(&game, &["play-prep"]));
    assert_eq!(code, 0, "{err}");
    assert!(game.join("build/manifest.json").is_file());
    let (code, _, err) = run(&mut cargo_xtask(&game, &["validate"]));
    assert_eq!(code, 0, "{err}");

    // An asset, registered through the game's command line, committed through the hook.
    copy_hero_into(&game);
    let (code, _, err) = run(&mut cargo_xtask(&game, &["assets", "register", "hero"]));
    assert_eq!(code, 0, "{err}");
    git_ok(&game, &["add", "-A"]);
    let (code, out, err) = git(&game, &["commit", "-m", "first"]);
    assert_eq!(code, 0, "a good commit passes the hook:\n{out}\n{err}");

    // A broken PNG staged, the good one restored on disk: the commit is refused, naming the file.
    let tile = game.join("assets/hero/tiles/wall.png");
    let good = fs_err::read(&tile).unwrap();
    fs_err::write(&tile, b"not a png at all").unwrap();
    git_ok(&game, &["add", "assets/hero/tiles/wall.png"]);
    fs_err::write(&tile, &good).unwrap();
    let index_before = fs_err::read(game.join(".git/index")).unwrap();
    let (code, _, err) = run(Command::new(XTASK).args(["validate", "--staged", "--project", game.as_str()]));
    assert_eq!(code, 1, "{err}");
    assert!(
        fs_err::read(game.join(".git/index")).unwrap() == index_before,
        "validate --staged leaves the index as it was"
    );
    let staged_before = git(&game, &["ls-files", "--stage"]).1;
    let (code, out, err) = git(&game, &["commit", "-m", "broken tile"]);
    assert_ne!(code, 0, "the staged broken tile is refused:\n{out}\n{err}");
    assert!(err.contains("assets/hero/tiles/wall.png"), "names the file: {err}");
    assert!(err.contains("commit stopped"), "{err}");
    assert_eq!(fs_err::read(&tile).unwrap(), good, "the working tree is untouched");
    assert_eq!(git(&game, &["ls-files", "--stage"]).1, staged_before, "what is staged is untouched");

    // The good tile staged, a broken one only in the working tree: the commit passes.
    git_ok(&game, &["add", "assets/hero/tiles/wall.png"]);
    fs_err::write(&tile, b"broken, but not staged").unwrap();
    let (code, out, err) = git(&game, &["commit", "--allow-empty", "-m", "good index, broken tree"]);
    assert_eq!(code, 0, "what is committed is good:\n{out}\n{err}");
    let (code, _, _) = run(Command::new(XTASK).args(["validate", "--project", game.as_str()]));
    assert_eq!(code, 1, "while the working tree itself does not validate");

    // The pre-commit framework's hook entry, run as the framework runs it.
    fs_err::write(&tile, &good).unwrap();
    pre_commit_framework_entry(&game);
}

/// `.pre-commit-hooks.yaml` at the repository root: with the framework
/// installed (`.ci/run` installs it), `pre-commit try-repo` runs the entry;
/// the entry's command line is also run as the framework would (in the
/// repository root, no file names passed), so it is exercised either way.
fn pre_commit_framework_entry(game: &Utf8Path) {
    let hooks = fs_err::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |name: &str| {
        hooks
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("no `{name}` in .pre-commit-hooks.yaml"))
    };
    assert_eq!(field("language"), "system");
    assert_eq!(field("pass_filenames"), "false");
    let entry = field("entry");
    let (code, out, err) = run(as_a_developer_types_it(Command::new("sh").arg("-c").arg(&entry).current_dir(game)));
    assert_eq!(code, 0, "{entry}:\n{out}\n{err}");

    let framework = Command::new("pre-commit").arg("--version").output();
    if framework.is_ok_and(|o| o.status.success()) {
        let id = field("- id");
        let (code, out, err) = run(as_a_developer_types_it(
            Command::new("pre-commit").args(["try-repo", repo_root().as_str(), &id, "--verbose"]).current_dir(game),
        ));
        assert_eq!(code, 0, "pre-commit try-repo:\n{out}\n{err}");
        assert!(out.contains("Passed"), "{out}");
    } else {
        eprintln!("note: `pre-commit` is not installed here; its entry was run directly instead");
    }
}

#[test]
fn new_refuses_a_directory_that_is_not_empty_and_writes_nothing() {
    let project = Project::new();
    project.write("keep.txt", "mine");
    let (code, _, err) = run(Command::new(XTASK).args(["new", project.path.as_str()]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(project.tree(".").len(), 1, "nothing added");
    let parent = project.path.parent().unwrap();
    let leftovers: Vec<_> = fs_err::read_dir(parent)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".new-"))
        .collect();
    assert!(leftovers.is_empty(), "no half-written sibling: {leftovers:?}");
}

#[test]
fn new_with_git_pins_the_repository_in_the_xtask_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(tmp.path()).unwrap().join("pinned");
    let args = ["new", dir.as_str(), "--git", "https://example.org/prometeu.git", "--rev", "v1.2.3", "--no-git"];
    let (code, _, err) = run(Command::new(XTASK).args(args));
    assert_eq!(code, 0, "{err}");
    let manifest: toml::Table = toml::from_str(&fs_err::read_to_string(dir.join("xtask/Cargo.toml")).unwrap()).unwrap();
    let dep = &manifest["dependencies"]["prometeu-xtask"];
    assert_eq!(dep["git"].as_str(), Some("https://example.org/prometeu.git"));
    assert_eq!(dep["rev"].as_str(), Some("v1.2.3"));
    assert!(!dir.join(".git").exists(), "--no-git");
    // The metadata it writes loads, and its registry is an empty, valid one.
    let meta = prometeu_manifest::load(&dir).unwrap();
    assert_eq!(meta.title, "pinned");
    assert!(prometeu_packer::read_registry(&dir).diagnostics.is_empty());
}

#[test]
fn data_goes_to_stdout_and_a_closed_pipe_is_not_an_error() {
    let project = starter();
    let (code, out, _) = run(&mut project.xtask(&["assets", "list"]));
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.contains("hero")), "the listing is on stdout: {out}");
    let (_, out, _) = run(&mut project.xtask(&["summary"]));
    assert!(out.lines().any(|l| l.contains("sfx")), "{out}");

    // `xtask assets list | head -1`, through a real shell pipeline.
    let line = format!("set -o pipefail; '{XTASK}' assets list --project '{}' | head -1", project.path);
    let (code, out, err) = run(Command::new("bash").arg("-c").arg(&line));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("hero"), "{out}");

    // A reader that is gone before anything is written.
    let mut child = project.xtask(&["assets", "list"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn play_prep_into_a_pipe_that_closes_completes_the_preparation() {
    let project = starter();
    let line = format!(
        "'{XTASK}' play-prep --project '{}' 2>&1 | head -1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        project.path
    );
    let (_, out, _) = run(Command::new("bash").arg("-c").arg(&line));
    assert_eq!(out.trim(), "0", "the preparation finishes and exits 0 though its reader left");
    let outputs = project.outputs(&PACK_OUTPUTS);
    assert_eq!(outputs.len(), PACK_OUTPUTS.len(), "every pack output is there");
    assert!(project.exists("build/manifest.json") && project.exists("build/program.pbx"));
    prometeu_packer::pa::verify_file(&project.path.join("build/assets.pa")).unwrap();
    let log = project.kept_log("play-prep");
    assert!(log.iter().any(|l| l["message"].as_str().is_some_and(|m| m.contains("wrote build/manifest.json"))));

    // A full device for stderr: the same.
    let status = project.xtask(&["play-prep"]).stderr(std::fs::File::create("/dev/full").unwrap()).status().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn ctrl_c_says_stopping_at_once_and_exits_130() {
    let project = starter();
    project.script("compiler.sh", "echo compiling\nexec sleep 1000");
    project.set_compiler("command = [\"./compiler.sh\"]");
    let mut watched = Watched::start(project.xtask(&["play-prep"]));
    watched.until("compiling");
    let pid = watched.child.id() as i32;
    // SAFETY: signals our own child process only.
    unsafe { libc::kill(pid, libc::SIGINT) };
    watched.until("stopping…");
    let (code, stderr) = watched.finish();
    assert_eq!(code, 130, "{stderr:#?}");
    assert!(!alive(pid));
    assert!(!project.exists("build/manifest.json"), "nothing vouches for an interrupted run");
}

#[test]
fn a_pack_asked_to_stop_fails_before_writing_anything() {
    let project = starter();
    let lane = prometeu_packer::acquire_lane(&project.path, prometeu_packer::Wait::NoWait).unwrap();
    let options = prometeu_packer::PackOptions::default();
    options.stop.request();
    let outcome = prometeu_packer::pack_workspace(&lane, &options, &mut prometeu_packer::Quiet);
    assert_eq!(outcome.result.status, prometeu_packer::Status::Failed);
    assert_eq!(outcome.result.error.as_deref(), Some(prometeu_packer::STOPPED));
    assert!(project.outputs(&PACK_OUTPUTS).is_empty(), "nothing written");
    assert!(!project.exists("build/.staging") || project.tree("build/.staging").is_empty());
}

#[test]
fn quiet_verbose_and_colour_switches() {
    let project = starter();
    let (_, _, normal) = run(&mut project.xtask(&["play-prep"]));
    assert!(normal.contains("[pack] INFO"), "{normal}");
    let (code, _, quiet) = run(&mut project.xtask(&["play-prep", "-q"]));
    assert_eq!(code, 0);
    assert!(!quiet.contains("INFO") && !quiet.contains("succeeded"), "-q keeps warnings and errors only: {quiet}");
    let (_, _, verbose) = run(&mut project.xtask(&["pack", "-v"]));
    assert!(verbose.contains("event") && verbose.contains("snapshot_frozen"), "{verbose}");

    project.write("assets/hero/tiles/wall.png", b"broken");
    let (_, _, plain) = run(&mut project.xtask(&["validate"]));
    assert!(!plain.contains('\u{1b}'), "no colour into a pipe by default");
    let (_, _, coloured) = run(&mut project.xtask(&["validate", "--color", "always"]));
    assert!(coloured.contains("\u{1b}["), "--color always colours: {coloured}");
    let (_, _, no_color) = run(project.xtask(&["validate", "--color", "auto"]).env("NO_COLOR", "1"));
    assert!(!no_color.contains('\u{1b}'));
    let (_, _, never) = run(project.xtask(&["validate", "--color", "never"]).env("CLICOLOR_FORCE", "1"));
    assert!(!never.contains('\u{1b}'));
}

#[test]
fn control_characters_from_project_files_never_reach_the_terminal() {
    let project = starter();
    let decl = project.path.join("assets/hero/asset.json");
    let mut value: Value = serde_json::from_str(&fs_err::read_to_string(&decl).unwrap()).unwrap();
    value["name"] = Value::String("evil\u{1b}]0;pwned\u{7}\u{1b}[2J".into());
    fs_err::write(&decl, serde_json::to_string(&value).unwrap()).unwrap();
    for args in [&["summary"][..], &["assets", "list"], &["validate"], &["play-prep"]] {
        let (_, out, err) = run(&mut project.xtask(args));
        assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}') && !err.contains('\u{7}'), "{args:?}: {out}{err}");
    }
}

#[test]
fn github_annotations_name_the_file_and_line_of_a_blocked_pack() {
    let project = starter();
    project.write("assets/hero/asset.json", "{\n  \"schema_version\": 1,\n  \"name\": \"hero\"\n  \"type\": oops\n}\n");
    let (code, out, err) = run(&mut project.xtask(&["pack", "--message-format", "github"]));
    assert_eq!(code, 1, "{err}");
    let annotation = out.lines().find(|l| l.starts_with("::error ")).unwrap_or_else(|| panic!("{out}"));
    assert!(annotation.contains("file=") && annotation.contains("assets/hero/asset.json"), "{annotation}");
    assert!(annotation.contains(",line=4"), "{annotation}");
    assert!(err.contains("blocked"), "human text stays on stderr: {err}");
}

#[test]
fn validate_reports_cartridge_errors_with_their_place() {
    let project = starter();
    let text = fs_err::read_to_string(project.path.join("cartridge.toml")).unwrap();
    project.write("cartridge.toml", text.replace("title = \"Starter\"", "title = \"Starter"));
    let run_json = project.run_json(&["validate"]);
    assert_eq!(run_json.code, 2, "{}", run_json.stderr);
    let error = &run_json.result()["config"]["error"];
    assert_eq!(error["file"], "cartridge.toml");
    assert_eq!(error["line"], 3);
    assert!(error["column"].as_u64().is_some());
    assert!(run_json.stderr.contains("cartridge.toml:3:"), "a one-line reason on stderr: {}", run_json.stderr);

    let prep = project.run_json(&["play-prep"]);
    assert_eq!(prep.code, 2);
    assert_eq!(prep.result()["config_error"]["line"], 3);
    project.write("cartridge.toml", text.replace("title = \"Starter\"", "titel = \"Starter\""));
    let prep = project.run_json(&["play-prep"]);
    assert_eq!(prep.result()["config_error"]["key"], "titel");
}

#[test]
fn usage_errors_print_a_result_line_too() {
    let run = Run::from(Command::new(XTASK).args(["--message-format", "json", "play-perp"]).output().unwrap());
    assert_eq!(run.code, 2);
    assert_eq!(run.result()["status"], "failed");
    assert_eq!(run.result()["command"], Value::Null);
    assert!(run.stderr.contains("play-prep"), "clap's own suggestion stays on stderr: {}", run.stderr);
}

#[test]
fn version_names_the_commit_and_completions_know_the_commands() {
    let (code, out, _) = run(Command::new(XTASK).arg("--version"));
    assert_eq!(code, 0);
    assert!(out.contains("(commit "), "{out}");
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(Command::new(XTASK).args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("play-prep") && out.contains("validate"), "{shell}");
    }
}

/// Panics naming the first of `lines` that does not match the shipped messages schema.
pub(crate) fn check_messages(lines: &[Value]) {
    let schema: Value =
        serde_json::from_str(&fs_err::read_to_string(repo_root().join("docs/schemas/messages.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for line in lines {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:#?}");
    }
}

/// Every JSON line of every command, successes and failures, against the shipped schema.
#[test]
fn every_json_line_matches_the_shipped_schema() {
    let schema: Value =
        serde_json::from_str(&fs_err::read_to_string(repo_root().join("docs/schemas/messages.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let project = starter();
    let tmp = tempfile::tempdir().unwrap();
    let new_dir = Utf8Path::from_path(tmp.path()).unwrap().join("g");
    let pa = project.path.join("build/assets.pa");
    let mut runs: Vec<(String, Run)> = Vec::new();
    let mut record = |label: &str, run: Run| runs.push((label.to_owned(), run));
    for args in [
        &["play-prep"][..],
        &["build"],
        &["pack"],
        &["manifest"],
        &["validate"],
        &["summary"],
        &["assets", "list"],
        &["assets", "exclude", "sfx"],
        &["assets", "include", "sfx"],
        &["assets", "forget", "nothing-here"],
        &["assets", "show", "hero"],
        &["assets", "show", "nothing-here"],
        &["play-prep", "--report"],
        &["preview"],
        &["report"],
    ] {
        record(&args.join(" "), project.run_json(args));
    }
    // `play` with a stand-in runtime that prints on both streams, then a
    // runtime that is not installed.
    project.script("runtime.sh", "echo frame 1\necho warn >&2");
    let cartridge = String::from_utf8(project.read("cartridge.toml")).unwrap();
    project.write("cartridge.toml", format!("{cartridge}\n[run]\ncommand = [\"./runtime.sh\"]\n"));
    record("play", project.run_json(&["play"]));
    project.write("cartridge.toml", format!("{cartridge}\n[run]\ncommand = [\"no-such-runtime-here\"]\n"));
    record("play not installed", project.run_json(&["play"]));
    project.write("cartridge.toml", cartridge);
    record("watch", watch_json(&project));
    record(
        "inspect",
        Run::from(Command::new(XTASK).args(["inspect", pa.as_str(), "--message-format", "json"]).output().unwrap()),
    );
    record(
        "new",
        Run::from(
            Command::new(XTASK)
                .args(["new", new_dir.as_str(), "--no-git", "--message-format", "json"])
                .output()
                .unwrap(),
        ),
    );
    record("usage error", Run::from(Command::new(XTASK).args(["bogus", "--message-format", "json"]).output().unwrap()));
    project.write("assets/hero/tiles/wall.png", b"broken");
    record("blocked pack", project.run_json(&["pack"]));
    record("blocked play-prep", project.run_json(&["play-prep"]));
    project.write("cartridge.toml", "app_id = \"x\"\n");
    record("config error", project.run_json(&["play-prep"]));
    record("validate config error", project.run_json(&["validate"]));

    let mut checked = 0;
    for (label, run) in &runs {
        assert!(!run.lines.is_empty(), "{label}: no output; {}", run.stderr);
        assert_eq!(run.lines.last().unwrap()["type"], "result", "{label}: the result comes last");
        for line in &run.lines {
            let errors: Vec<String> =
                validator.iter_errors(line).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{label}: {line}\n{errors:#?}");
            checked += 1;
        }
        if run.result()["status"] != "success" {
            assert!(!run.stderr.trim().is_empty(), "{label}: a failure says why on stderr too");
        }
    }
    assert!(checked > 50, "{checked} lines checked");
    // A line the schema must refuse, so the check above can fail.
    let bad = serde_json::json!({"format_version": 1, "type": "log", "timestamp": "yesterday"});
    assert!(!validator.is_valid(&bad));
}

/// The README's path, from the checkout's own `cargo xtask new` to the
/// game's first `cargo xtask`, compiles the tool once: `new` runs the
/// starter's binary, and the game builds into the starter's target
/// directory, where only its own few-line crate is new.
#[test]
fn a_first_game_compiles_only_its_own_crate() {
    // The README's first command compiled the starter (`.ci/run` runs it); make sure here.
    let starter = repo_root().join("templates/starter");
    let (code, _, err) = run(&mut cargo_xtask(&starter, &["--version"]));
    assert_eq!(code, 0, "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let game = Utf8PathBuf::try_from(tmp.path().canonicalize().unwrap()).unwrap().join("my-game");
    let mut new = Command::new(env!("CARGO"));
    new.args(["xtask", "new", game.as_str(), "--no-git"]).current_dir(repo_root());
    let (code, _, err) = run(as_a_developer_types_it(&mut new));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("Compiling"), "the checkout's `cargo xtask` is the starter's, already built:\n{err}");

    let config: toml::Table =
        toml::from_str(&fs_err::read_to_string(game.join(".cargo/config.toml")).unwrap()).unwrap();
    let target = config["build"]["target-dir"].as_str().unwrap();
    assert_eq!(game.join(target).canonicalize_utf8().unwrap(), starter.join("target"));
    assert!(config["alias"]["xtask"].as_str().is_some(), "the alias is kept");

    let (code, _, err) = run(&mut cargo_xtask(&game, &["play-prep"]));
    assert_eq!(code, 0, "{err}");
    let compiled: Vec<&str> = err.lines().filter(|l| l.trim_start().starts_with("Compiling")).collect();
    assert_eq!(compiled.len(), 1, "only the game's own crate compiles:\n{err}");
    assert!(compiled[0].contains(&format!("xtask v0.1.0 ({game}/xtask)")), "{err}");
    assert!(game.join("build/manifest.json").is_file());
    assert!(!game.join("target").exists(), "nothing is compiled into the game's own target/");

    // A game that pins the tool from git is compiled from its own source: no shared directory.
    let pinned = Utf8PathBuf::try_from(tmp.path().canonicalize().unwrap()).unwrap().join("pinned");
    let (code, out, err) =
        run(Command::new(XTASK).args(["new", pinned.as_str(), "--no-git", "--git", "https://example.org/t.git"]));
    assert_eq!(code, 0, "{out}{err}");
    let config = fs_err::read(pinned.join(".cargo/config.toml")).unwrap();
    assert_eq!(config, fs_err::read(starter.join(".cargo/config.toml")).unwrap(), "the starter's, byte for byte");
}

#[test]
fn the_starter_is_a_game_repository_of_its_own() {
    let starter = repo_root().join("templates/starter");
    let alias = fs_err::read_to_string(starter.join(".cargo/config.toml")).unwrap();
    let line = alias.lines().find(|l| l.starts_with("xtask =")).unwrap();
    // No `--quiet`: cargo's Compiling progress stays visible on a first run.
    assert_eq!(line, "xtask = \"run --package xtask --\"");
    // The checkout's `cargo xtask` is the starter's, so the README's path compiles the tool once.
    let checkout = fs_err::read_to_string(repo_root().join(".cargo/config.toml")).unwrap();
    let line = checkout.lines().find(|l| l.starts_with("xtask =")).unwrap();
    assert_eq!(line, "xtask = \"run --manifest-path templates/starter/Cargo.toml --package xtask --\"");
    let workspace: toml::Table =
        toml::from_str(&fs_err::read_to_string(repo_root().join("Cargo.toml")).unwrap()).unwrap();
    let members = workspace["workspace"]["members"].as_array().unwrap();
    assert!(members.iter().all(|m| !m.as_str().unwrap().starts_with("templates")));
    // `new` copies these from the starter byte for byte (include_bytes!), so they cannot drift
    // (a game on a checkout's path adds the shared target directory to its cargo configuration);
    // the starter's xtask crate depends on this checkout by path.
    let xtask: toml::Table =
        toml::from_str(&fs_err::read_to_string(starter.join("xtask/Cargo.toml")).unwrap()).unwrap();
    let path = xtask["dependencies"]["prometeu-xtask"]["path"].as_str().unwrap();
    assert_eq!(starter.join("xtask").join(path).canonicalize_utf8().unwrap(), repo_root().join("xtask"));
    let hook = fs_err::read_to_string(starter.join(".githooks/pre-commit")).unwrap();
    assert!(hook.contains("validate --staged"));
}

/// `watch --message-format json` until its first run's status, then Ctrl-C.
fn watch_json(project: &Project) -> Run {
    use std::io::{BufRead, BufReader, Read};
    let mut child = project
        .xtask(&["watch", "--message-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("[watch] run 1 ") {
        assert!(stdout.read_line(&mut text).unwrap() > 0, "watch ended early: {text}");
    }
    // SAFETY: signals our own child process only.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    stdout.read_to_string(&mut text).unwrap();
    let mut output = child.wait_with_output().unwrap();
    output.stdout = text.into_bytes();
    Run::from(output)
}
