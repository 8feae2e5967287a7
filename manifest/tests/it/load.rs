//! `load`: every rule of `cartridge.toml` and `prometeu.json`, on real files.

use std::time::Duration;

use crate::common::{Metadata, PREBUILT, Project, assert_error, cartridge_err};
use prometeu_manifest::{AppMode, CARTRIDGE_FILE, Compiler, PROJECT_JSON_FILE, ProjectMeta};

const FULL: &str = r#"app_id = 1001
title = "Starter"
app_version = "0.1.0"
app_mode = "System"
capabilities = ["input", "gfx", "asset", "gfx"]

[compiler]
command = ["pbsc", "build", "{project}", "--out", "{output}"]
timeout_secs = 30
"#;

fn minimal(extra: &str) -> String {
    format!("app_id = 7\ntitle = \"T\"\napp_version = \"1.0.0\"\n{extra}\n{PREBUILT}")
}

fn load_ok(text: &str) -> ProjectMeta {
    Project::with_cartridge(text).load().unwrap_or_else(|e| panic!("{e}"))
}

// ----- a complete file -----

#[test]
fn full_cartridge_is_read() {
    let meta = load_ok(FULL);
    assert_eq!(
        meta,
        ProjectMeta {
            app_id: 1001,
            title: "Starter".into(),
            app_version: "0.1.0".into(),
            app_mode: AppMode::System,
            capabilities: vec!["asset".into(), "gfx".into(), "input".into()],
            compiler: Compiler::Command {
                argv: ["pbsc", "build", "{project}", "--out", "{output}"].map(String::from).to_vec(),
                timeout: Duration::from_secs(30),
            },
            run_command: prometeu_manifest::DEFAULT_RUN_COMMAND.map(String::from).to_vec(),
            budget: prometeu_manifest::Budget::default(),
            warnings: vec![],
        }
    );
}

#[test]
fn optional_keys_take_their_defaults() {
    let meta = load_ok(&minimal(""));
    assert_eq!(meta.app_mode, AppMode::Game);
    assert!(meta.capabilities.is_empty());
    assert_eq!(meta.compiler, Compiler::Prebuilt { path: "dist/program.pbx".into() });
    assert!(meta.warnings.is_empty());
}

#[test]
fn inline_and_dotted_compiler_tables_are_the_same_section() {
    let inline = "app_id = 1\ntitle = \"T\"\napp_version = \"1.0.0\"\ncompiler = { prebuilt = \"p.pbx\" }\n";
    let dotted = "app_id = 1\ntitle = \"T\"\napp_version = \"1.0.0\"\ncompiler.prebuilt = \"p.pbx\"\n";
    assert_eq!(load_ok(inline), load_ok(dotted));
}

// ----- unknown keys and syntax -----

#[test]
fn unknown_top_level_key_names_line_and_accepted_keys() {
    let e = cartridge_err("app_id = 1\n\ntitel = \"x\"\n");
    assert_error(
        &e,
        CARTRIDGE_FILE,
        Some(3),
        Some("titel"),
        &[
            "unknown key `titel`",
            "did you mean `title`?",
            "app_id, title, app_version, app_mode, capabilities, compiler",
        ],
    );
    assert_eq!(e.column, Some(1));
    assert!(e.to_string().starts_with("cartridge.toml:3:1: unknown key `titel`"), "{e}");
}

#[test]
fn first_unknown_key_in_document_order_is_reported() {
    let e = cartridge_err("zeta = 1\napp_id = 1\nalpha = 2\n");
    assert_error(&e, CARTRIDGE_FILE, Some(1), Some("zeta"), &["unknown key `zeta`"]);
}

#[test]
fn unknown_compiler_key_names_section_line_and_accepted_keys() {
    let e = cartridge_err("app_id = 1\n[compiler]\nprebuilt = \"p\"\n  timeout = 5\n");
    assert_error(
        &e,
        CARTRIDGE_FILE,
        Some(4),
        Some("compiler.timeout"),
        &[
            "unknown key `timeout` in [compiler]",
            "did you mean `timeout_secs`?",
            "accepted keys: command, prebuilt, timeout_secs",
        ],
    );
    assert_eq!(e.column, Some(3));
}

#[test]
fn unknown_table_is_an_unknown_key() {
    let e = cartridge_err("app_id = 1\n[compilr]\nprebuilt = \"p\"\n");
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("compilr"), &["unknown key `compilr`", "did you mean `compiler`?"]);
}

#[test]
fn syntax_error_is_located() {
    let e = cartridge_err("app_id = 1\ntitle = \"open\n");
    assert_error(&e, CARTRIDGE_FILE, Some(2), None, &["invalid TOML", "fix the syntax"]);
}

#[test]
fn duplicate_key_is_a_syntax_error() {
    let e = cartridge_err("app_id = 1\napp_id = 2\n");
    assert_error(&e, CARTRIDGE_FILE, Some(2), None, &["invalid TOML: duplicate key at `app_id`"]);
}

#[test]
fn non_utf8_file_is_located() {
    let project = Project::new();
    fs_err::write(project.path.join(CARTRIDGE_FILE), b"app_id = 1\ntitle = \"\xff\"\n").unwrap();
    let e = project.load_err();
    assert_error(&e, CARTRIDGE_FILE, Some(2), None, &["not valid UTF-8"]);
    assert_eq!(e.column, Some(10));
}

#[test]
fn missing_cartridge_names_the_project() {
    let project = Project::new();
    let e = project.load_err();
    assert_error(&e, CARTRIDGE_FILE, None, None, &["no cartridge.toml in", project.path.as_str()]);
}

#[test]
fn cartridge_symlinked_outside_the_project_is_refused() {
    let outside = Project::with_cartridge(&minimal(""));
    let project = Project::new();
    std::os::unix::fs::symlink(outside.path.join(CARTRIDGE_FILE), project.path.join(CARTRIDGE_FILE)).unwrap();
    let e = project.load_err();
    assert_error(&e, CARTRIDGE_FILE, None, None, &["outside the project", "keep the file inside the project"]);
}

// ----- app_id -----

#[test]
fn app_id_is_required() {
    let e = cartridge_err(&format!("title = \"T\"\napp_version = \"1.0.0\"\n{PREBUILT}"));
    assert_error(&e, CARTRIDGE_FILE, None, Some("app_id"), &["missing required key `app_id`", "add `app_id = 1001`"]);
}

#[test]
fn app_id_bounds_are_inclusive() {
    assert_eq!(load_ok(&minimal("").replace("app_id = 7", "app_id = 0")).app_id, 0);
    assert_eq!(load_ok(&minimal("").replace("app_id = 7", "app_id = 4294967295")).app_id, u32::MAX);
    assert_eq!(load_ok(&minimal("").replace("app_id = 7", "app_id = 0x10")).app_id, 16);
    assert_eq!(load_ok(&minimal("").replace("app_id = 7", "app_id = 1_001")).app_id, 1001);
}

#[test]
fn app_id_out_of_range_is_refused() {
    for bad in ["-1", "4294967296", "99999999999999999999999999999999999999999"] {
        let e = cartridge_err(&minimal("").replace("app_id = 7", &format!("app_id = {bad}")));
        assert_error(&e, CARTRIDGE_FILE, Some(1), Some("app_id"), &["outside 0..=4294967295"]);
        assert_eq!(e.column, Some(10), "{e}");
    }
}

#[test]
fn app_id_must_be_an_integer() {
    for (bad, found) in [("\"1001\"", "found string"), ("1.5", "found float"), ("true", "found boolean")] {
        let e = cartridge_err(&minimal("").replace("app_id = 7", &format!("app_id = {bad}")));
        assert_error(&e, CARTRIDGE_FILE, Some(1), Some("app_id"), &["`app_id` must be an integer", found]);
    }
}

// ----- title -----

#[test]
fn title_is_trimmed() {
    assert_eq!(load_ok(&minimal("").replace("\"T\"", "\"  Space Quest \"")).title, "Space Quest");
}

#[test]
fn title_length_counts_characters() {
    let ok = "ü".repeat(64);
    assert_eq!(load_ok(&minimal("").replace("\"T\"", &format!("\"{ok}\""))).title, ok);
    let e = cartridge_err(&minimal("").replace("\"T\"", &format!("\"{}\"", "x".repeat(65))));
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("title"), &["`title` has 65 characters", "at most 64"]);
}

#[test]
fn blank_title_is_refused() {
    let e = cartridge_err(&minimal("").replace("\"T\"", "\"   \""));
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("title"), &["`title` is empty", "1 to 64 characters"]);
}

#[test]
fn control_characters_in_title_are_refused() {
    let e = cartridge_err(&minimal("").replace("\"T\"", "\"a\\u0000b\""));
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("title"), &["control character U+0000", "remove it"]);
    let e = cartridge_err(&minimal("").replace("\"T\"", "\"a\\tb\""));
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("title"), &["U+0009"]);
}

#[test]
fn title_must_be_a_string() {
    let e = cartridge_err(&minimal("").replace("\"T\"", "42"));
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("title"), &["`title` must be a string, found integer"]);
}

// ----- app_version -----

#[test]
fn app_version_must_be_semver() {
    assert_eq!(load_ok(&minimal("").replace("1.0.0", "2.1.0-beta.1+build.5")).app_version, "2.1.0-beta.1+build.5");
    for bad in ["1.0", "v1.0.0", "01.0.0", ""] {
        let e = cartridge_err(&minimal("").replace("\"1.0.0\"", &format!("\"{bad}\"")));
        assert_error(
            &e,
            CARTRIDGE_FILE,
            Some(3),
            Some("app_version"),
            &[&format!("`app_version` \"{bad}\" is not a semver version"), "MAJOR.MINOR.PATCH"],
        );
    }
}

// ----- app_mode -----

#[test]
fn app_mode_accepts_exactly_game_or_system() {
    assert_eq!(load_ok(&minimal("app_mode = \"Game\"")).app_mode, AppMode::Game);
    let e = cartridge_err(&minimal("app_mode = \"Arcade\""));
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("app_mode"), &["is \"Arcade\"", "\"Game\" or \"System\""]);
    let e = cartridge_err(&minimal("app_mode = \"system\""));
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("app_mode"), &["write \"System\""]);
}

// ----- capabilities -----

#[test]
fn capabilities_are_deduplicated_and_sorted() {
    let meta = load_ok(&minimal("capabilities = [\"log\", \"audio\", \"log\", \"asset\", \"audio\"]"));
    assert_eq!(meta.capabilities, ["asset", "audio", "log"]);
    assert!(meta.warnings.is_empty());
}

#[test]
fn every_known_capability_is_accepted_silently() {
    let list = prometeu_manifest::KNOWN_CAPABILITIES.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let meta = load_ok(&minimal(&format!("capabilities = [{list}]")));
    assert_eq!(meta.capabilities.len(), 7);
    assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
}

#[test]
fn unknown_capability_is_a_located_warning_and_kept() {
    let meta = load_ok(&minimal("capabilities = [\"gfx\", \"Gpu\", \"Gpu\"]"));
    assert_eq!(meta.capabilities, ["Gpu", "gfx"]);
    assert_eq!(meta.warnings.len(), 1, "one warning per name: {:?}", meta.warnings);
    let warning = &meta.warnings[0];
    assert!(warning.starts_with("cartridge.toml:4:24: unknown capability `Gpu`"), "{warning}");
    assert!(warning.contains("gfx, input, audio, asset, fs, log, system"), "{warning}");
}

#[test]
fn capabilities_must_be_a_list_of_strings() {
    let e = cartridge_err(&minimal("capabilities = \"gfx\""));
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("capabilities"), &["must be a list, found string"]);
    let e = cartridge_err(&minimal("capabilities = [\"gfx\",\n  3]"));
    assert_error(&e, CARTRIDGE_FILE, Some(5), Some("capabilities"), &["must be a string, found integer"]);
    assert_eq!(e.column, Some(3));
}

// ----- [compiler] -----

#[test]
fn missing_compiler_section_shows_both_forms() {
    let e = cartridge_err("app_id = 1\ntitle = \"T\"\napp_version = \"1.0.0\"\n");
    assert_error(
        &e,
        CARTRIDGE_FILE,
        None,
        Some("compiler"),
        &["missing `[compiler]` section", "command = [", "{output}", "prebuilt = \"dist/program.pbx\""],
    );
}

#[test]
fn empty_compiler_section_shows_both_forms() {
    let e = cartridge_err("app_id = 1\n\n[compiler]\n");
    assert_error(
        &e,
        CARTRIDGE_FILE,
        Some(3),
        Some("compiler"),
        &["exactly one of `command` or `prebuilt`", "command = [", "prebuilt = "],
    );
}

#[test]
fn compiler_must_be_a_section() {
    let e = cartridge_err("app_id = 1\ncompiler = \"pbsc\"\n");
    assert_error(&e, CARTRIDGE_FILE, Some(2), Some("compiler"), &["must be a section, found string", "prebuilt = "]);
}

#[test]
fn command_and_prebuilt_together_are_refused() {
    let e = cartridge_err("app_id = 1\n[compiler]\ncommand = [\"pbsc\"]\nprebuilt = \"p.pbx\"\n");
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("compiler.prebuilt"), &["both set", "keep exactly one"]);
}

#[test]
fn command_must_be_a_non_empty_list_of_strings() {
    let cases = [
        ("command = []", "is empty"),
        ("command = [\"\", \"x\"]", "empty program name"),
        ("command = \"pbsc build\"", "must be a list, found string"),
        ("command = [\"pbsc\", 1]", "must be a string, found integer"),
    ];
    for (line, fragment) in cases {
        let e = cartridge_err(&format!("app_id = 1\n[compiler]\n{line}\n"));
        assert_error(&e, CARTRIDGE_FILE, Some(3), Some("compiler.command"), &[fragment]);
    }
}

#[test]
fn timeout_defaults_to_600_seconds() {
    let meta = load_ok("app_id = 1\ntitle = \"T\"\napp_version = \"1.0.0\"\n[compiler]\ncommand = [\"pbsc\"]\n");
    assert_eq!(meta.compiler, Compiler::Command { argv: vec!["pbsc".into()], timeout: Duration::from_secs(600) });
    assert_eq!(prometeu_manifest::DEFAULT_COMPILER_TIMEOUT_SECS, 600);
}

#[test]
fn timeout_must_be_at_least_one_second() {
    for bad in ["0", "-5", "86401"] {
        let e = cartridge_err(&format!("app_id = 1\n[compiler]\ncommand = [\"pbsc\"]\ntimeout_secs = {bad}\n"));
        assert_error(&e, CARTRIDGE_FILE, Some(4), Some("compiler.timeout_secs"), &["1..=86400", "default 600"]);
    }
    let e = cartridge_err("app_id = 1\n[compiler]\ncommand = [\"pbsc\"]\ntimeout_secs = \"10\"\n");
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("compiler.timeout_secs"), &["must be an integer, found string"]);
}

#[test]
fn timeout_is_refused_with_prebuilt() {
    let e = cartridge_err("app_id = 1\n[compiler]\nprebuilt = \"p.pbx\"\ntimeout_secs = 5\n");
    assert_error(&e, CARTRIDGE_FILE, Some(4), Some("compiler.timeout_secs"), &["applies only to `command`"]);
}

#[test]
fn prebuilt_path_must_stay_in_the_project() {
    let cases = [
        ("/opt/program.pbx", "is absolute"),
        ("C:/program.pbx", "is absolute"),
        ("..\\\\program.pbx", "uses `\\`"),
        ("dist/../../program.pbx", "contains `..`"),
        ("", "is empty"),
        // The same spelling rules as every path in the asset workspace.
        ("./dist/program.pbx", "has a `.` or empty component"),
        ("dist//program.pbx", "has a `.` or empty component"),
    ];
    for (path, fragment) in cases {
        let e = cartridge_err(&format!("app_id = 1\n[compiler]\nprebuilt = \"{path}\"\n"));
        assert_error(&e, CARTRIDGE_FILE, Some(3), Some("compiler.prebuilt"), &[fragment, "relative to the project"]);
    }
    let e = cartridge_err("app_id = 1\n[compiler]\nprebuilt = [\"p\"]\n");
    assert_error(&e, CARTRIDGE_FILE, Some(3), Some("compiler.prebuilt"), &["must be a string, found array"]);
}

#[test]
fn unknown_placeholder_is_a_located_warning() {
    let meta = load_ok(
        "app_id = 1\ntitle = \"T\"\napp_version = \"1.0.0\"\n[compiler]\ncommand = [\"pbsc\", \"--out={outptu}\", \"{build_dir}\"]\n",
    );
    assert_eq!(meta.warnings.len(), 1, "{:?}", meta.warnings);
    assert!(meta.warnings[0].starts_with("cartridge.toml:5:20: `{outptu}`"), "{}", meta.warnings[0]);
    assert!(meta.warnings[0].contains("{project}, {output}, {build_dir}"), "{}", meta.warnings[0]);
}

// ----- prometeu.json defaults -----

fn without_title_and_version() -> Project {
    Project::with_cartridge(&format!("app_id = 1\n{PREBUILT}"))
}

#[test]
fn title_and_version_default_from_prometeu_json() {
    let project = without_title_and_version();
    project.prometeu_json(r#"{"name": " Starter ", "version": "0.3.1", "dependencies": {"std": "1"}, "extra": [1.5]}"#);
    let meta = project.load().unwrap();
    assert_eq!((meta.title.as_str(), meta.app_version.as_str()), ("Starter", "0.3.1"));
}

#[test]
fn cartridge_values_win_over_prometeu_json() {
    let project = Project::with_cartridge(&minimal(""));
    project.prometeu_json(r#"{"name": "Other", "version": "9.9.9"}"#);
    let meta = project.load().unwrap();
    assert_eq!((meta.title.as_str(), meta.app_version.as_str()), ("T", "1.0.0"));
}

#[test]
fn missing_title_without_prometeu_json_names_the_key() {
    let e = without_title_and_version().load_err();
    assert_error(&e, CARTRIDGE_FILE, None, Some("title"), &["missing `title`", "no prometeu.json", "add `title = "]);
}

#[test]
fn missing_title_with_prometeu_json_lacking_name() {
    let project = without_title_and_version();
    project.prometeu_json(r#"{"version": "1.0.0"}"#);
    let e = project.load_err();
    assert_error(&e, CARTRIDGE_FILE, None, Some("title"), &["prometeu.json has no `name`", "add `title = "]);
}

#[test]
fn missing_version_names_app_version() {
    let project = without_title_and_version();
    project.prometeu_json(r#"{"name": "Starter"}"#);
    let e = project.load_err();
    assert_error(
        &e,
        CARTRIDGE_FILE,
        None,
        Some("app_version"),
        &["missing `app_version`", "add `app_version = \"0.1.0\"`"],
    );
}

#[test]
fn non_string_default_is_not_used() {
    let project = without_title_and_version();
    project.prometeu_json(r#"{"name": ["Starter"], "version": "1.0.0"}"#);
    let e = project.load_err();
    assert_error(&e, CARTRIDGE_FILE, None, Some("title"), &["`name` is a list, not a string"]);
}

#[test]
fn defaults_are_checked_like_cartridge_values() {
    let project = without_title_and_version();
    project.prometeu_json(r#"{"name": "Starter", "version": "1.0"}"#);
    let e = project.load_err();
    assert_error(
        &e,
        PROJECT_JSON_FILE,
        None,
        Some("version"),
        &["default `app_version`", "not a semver version", "or set `app_version` in cartridge.toml"],
    );
    project.prometeu_json(r#"{"name": "", "version": "1.0.0"}"#);
    let e = project.load_err();
    assert_error(&e, PROJECT_JSON_FILE, None, Some("name"), &["default `title`", "is empty"]);
}

#[test]
fn invalid_prometeu_json_is_located_even_when_unneeded() {
    let project = Project::with_cartridge(&minimal(""));
    project.prometeu_json("{\n  \"name\": \"Starter\"\n  \"version\": \"1.0.0\"\n}");
    let e = project.load_err();
    assert_error(&e, PROJECT_JSON_FILE, Some(3), None, &["invalid JSON", "fix the syntax"]);
    assert_eq!(e.column, Some(3));
}

#[test]
fn prometeu_json_must_be_an_object() {
    let project = Project::with_cartridge(&minimal(""));
    project.prometeu_json("[1, 2]");
    assert_error(&project.load_err(), PROJECT_JSON_FILE, None, None, &["must hold a JSON object"]);
}

#[test]
fn run_and_budget_sections_are_read_and_checked() {
    let base = minimal("");
    let meta = load_ok(&format!(
        "{base}\n[run]\ncommand = [\"./game\", \"--fast\"]\n[budget]\nassets_pa_bytes = 100\nenforce = true\n"
    ));
    assert_eq!(meta.run_command, ["./game", "--fast"]);
    assert_eq!(meta.budget.limits(), [("assets_pa_bytes", 100)]);
    assert!(meta.budget.enforce);
    let typo = cartridge_err(&format!("{base}\n[budget]\nasset_pa_bytes = 1\n"));
    assert!(typo.message.contains("assets_pa_bytes"), "{}", typo.message);
    let negative = cartridge_err(&format!("{base}\n[budget]\nsound_bytes = -1\n"));
    assert_eq!(negative.key.as_deref(), Some("budget.sound_bytes"));
    let empty = cartridge_err(&format!("{base}\n[run]\ncommand = []\n"));
    assert_eq!(empty.key.as_deref(), Some("run.command"));
}
