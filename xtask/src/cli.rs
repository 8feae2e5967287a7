//! The command line: `cargo xtask <command>`. Parses arguments, finds the
//! project, takes the lane for writing commands, calls the library and turns
//! the outcome into output and an exit status.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand};
use prometeu_packer::lane::{self, LaneGuard, Wait};
use prometeu_packer::pack::{self, PackOptions, Status};
use prometeu_packer::testpoint::TestPoints;
use prometeu_packer::{pa, registry, report};
use serde_json::json;

use crate::logs::{self, Journal};
use crate::reporter::{MessageFormat, Reporter};
use crate::step::StepStatus;
use crate::{build_step, manifest_step, play_prep};

/// Exit statuses (spec): 0 success; 1 a step failed or the pack was blocked;
/// 2 the invocation or the project configuration is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failed = 1,
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Prometeu Play preparation: build -> pack -> manifest into build/", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The game project (default: the nearest directory upwards holding cartridge.toml).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<Utf8PathBuf>,
    /// `json`: one JSON object per line on stdout; human text only on stderr.
    #[arg(long, global = true, value_enum, default_value = "human")]
    message_format: MessageFormat,
    /// Fail at once instead of waiting when another operation holds the project.
    #[arg(long, global = true)]
    no_wait: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prepare build/ for the runtime: build, then pack, then manifest.
    PlayPrep(Threads),
    /// Run only the build step (compiler or prebuilt program -> build/program.pbx).
    Build,
    /// Run only the pack step (assets/ -> build/assets.pa and companions).
    Pack(Threads),
    /// Run only the manifest step (cartridge.toml -> build/manifest.json).
    Manifest,
    /// Check the asset workspace without writing anything (the pre-commit gate).
    Validate(Threads),
    /// List the assets of the build without reading their inputs.
    Summary,
    /// Print and verify an assets.pa file.
    Inspect { file: Utf8PathBuf },
    /// Read or change the asset registry.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Developer chore: pack a generated large project in release mode and print figures.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, clap::Args)]
struct Threads {
    /// Decoding threads (default: one per core); the output never depends on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

impl Threads {
    fn count(&self) -> Option<usize> {
        self.threads.map(usize::from)
    }
}

#[derive(Debug, Subcommand)]
enum AssetsCommand {
    /// Every registered asset, included or not.
    List,
    /// Register a root under assets/ (it must hold an asset.json).
    Register { root: String },
    /// Include a registered asset in the build.
    Include { root: String },
    /// Exclude a registered asset from the build (it stays registered).
    Exclude { root: String },
    /// Unregister an asset; its id is never reused.
    Forget { root: String },
    /// Record that an asset's directory moved; it keeps its id and uuid.
    Move { from: String, to: String },
}

/// A failure before the command could run, with its exit status.
struct Stop(Exit, String);

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage { Exit::Usage } else { Exit::Success }.into();
        }
    };
    let mut out = Reporter::new(cli.message_format, Journal::in_memory());
    let command = command_name(&cli.command);
    match run(&cli, &mut out) {
        Ok(exit) => exit.into(),
        Err(Stop(exit, message)) => {
            out.note(&format!("error: {message}"));
            out.result(command, &json!({"status": "failed", "error": message}));
            exit.into()
        }
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::PlayPrep(_) => "play-prep",
        Command::Build => "build",
        Command::Pack(_) => "pack",
        Command::Manifest => "manifest",
        Command::Validate(_) => "validate",
        Command::Summary => "summary",
        Command::Inspect { .. } => "inspect",
        Command::Assets(_) => "assets",
        Command::Bench(_) => "bench",
    }
}

fn run(cli: &Cli, out: &mut Reporter) -> Result<Exit, Stop> {
    match &cli.command {
        Command::Inspect { file } => return Ok(inspect(file, out)),
        Command::Bench(args) => {
            return crate::bench::run(args).map(|()| Exit::Success).map_err(|e| Stop(Exit::Failed, e));
        }
        _ => {}
    }
    let project = locate(cli.project.as_deref())?;
    match &cli.command {
        Command::PlayPrep(t) => play_prep_cmd(cli, &project, t.count(), out),
        Command::Build => build_cmd(cli, &project, out),
        Command::Pack(t) => pack_cmd(cli, &project, t.count(), out),
        Command::Manifest => manifest_cmd(cli, &project, out),
        Command::Validate(t) => Ok(validate(&project, t.count(), out)),
        Command::Summary => Ok(summary(&project, out)),
        Command::Assets(a) => assets(cli, &project, a, out),
        Command::Inspect { .. } | Command::Bench(_) => unreachable!("handled above"),
    }
}

/// `--project DIR`, or the nearest directory upwards holding cartridge.toml.
fn locate(flag: Option<&Utf8Path>) -> Result<Utf8PathBuf, Stop> {
    let usage = |m: String| Stop(Exit::Usage, m);
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the current directory: {e}")))?;
    let cwd = Utf8PathBuf::try_from(cwd).map_err(|e| usage(format!("the current directory is not UTF-8: {e}")))?;
    match flag {
        Some(dir) => {
            let dir = cwd.join(dir);
            let dir = dir.canonicalize_utf8().map_err(|e| usage(format!("--project {dir}: {e}")))?;
            if !dir.join(prometeu_manifest::CARTRIDGE_FILE).is_file() {
                return Err(usage(format!(
                    "{dir} is not a Prometeu project: it has no {}",
                    prometeu_manifest::CARTRIDGE_FILE
                )));
            }
            Ok(dir)
        }
        None => prometeu_manifest::find_project(&cwd).map_err(|e| usage(e.to_string())),
    }
}

fn load_meta(project: &Utf8Path) -> Result<prometeu_manifest::ProjectMeta, Stop> {
    prometeu_manifest::load(project).map_err(|e| Stop(Exit::Usage, e.to_string()))
}

/// Takes the project's lane, saying once if it has to wait.
fn take_lane(cli: &Cli, project: &Utf8Path, out: &Reporter) -> Result<LaneGuard, Stop> {
    let mut say = || out.notice("waiting for another operation on this project…");
    let cancelled = crate::compiler::interrupt_requested;
    let wait = if cli.no_wait { Wait::NoWait } else { Wait::Block { on_wait: &mut say, cancelled: &cancelled } };
    let lane = lane::acquire(project, wait).map_err(|e| Stop(Exit::Failed, e.to_string()))?;
    // Recovery ran as the lane was taken; said once, here, for every command.
    for sentence in lane.recovery().describe() {
        out.notice(&sentence);
    }
    Ok(lane)
}

/// Starts keeping the log of `command` under build/logs/.
fn keep_log(out: &mut Reporter, cli: &Cli, project: &Utf8Path, command: &str) {
    let (journal, problem) = Journal::kept_at(&logs::log_path(project, command));
    *out = Reporter::new(cli.message_format, journal);
    if let Some(problem) = problem {
        out.note(&format!("warning: {problem}"));
    }
}

fn exit_for(ok: bool) -> Exit {
    if ok { Exit::Success } else { Exit::Failed }
}

fn interrupt_handler(out: &Reporter) {
    if let Err(e) = crate::compiler::install_interrupt_handler() {
        out.note(&format!("warning: Ctrl-C will not stop the compiler cleanly: {e}"));
    }
}

fn play_prep_cmd(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    let meta = load_meta(project)?;
    interrupt_handler(out);
    let lane = take_lane(cli, project, out)?;
    keep_log(out, cli, project, "play-prep");
    let options = PackOptions { threads, testpoints: TestPoints::from_env() };
    let result = play_prep::play_prep(&lane, &meta, &options, out);
    let ok = result.status == StepStatus::Success;
    let log = logs::log_path(project, "play-prep");
    match result.failed_step {
        None => out.note(&format!("play-prep succeeded in {} ms; build/ is ready (log: {log})", result.elapsed_ms)),
        Some(step) => out.note(&format!("play-prep failed at the {} step (log: {log})", step.as_str())),
    }
    out.result("play-prep", &result);
    Ok(exit_for(ok))
}

fn build_cmd(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let meta = load_meta(project)?;
    interrupt_handler(out);
    let lane = take_lane(cli, project, out)?;
    keep_log(out, cli, project, "build");
    manifest_step::report_config_warnings(&meta, out);
    let result = build_step::build(&lane, &meta.compiler, &TestPoints::from_env(), out).result;
    out.result("build", &result);
    Ok(exit_for(result.status == StepStatus::Success))
}

fn pack_cmd(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    let lane = take_lane(cli, project, out)?;
    keep_log(out, cli, project, "pack");
    let options = PackOptions { threads, testpoints: TestPoints::from_env() };
    let result = pack::pack_workspace(&lane, &options, out).result;
    match result.status {
        Status::Success => out.note(&format!(
            "packed {} assets into build/assets.pa in {} ms",
            result.packed_asset_count, result.elapsed_ms
        )),
        Status::Blocked => out.note("pack blocked: fix the errors above (nothing was written)"),
        Status::Failed => out.note(&format!("pack failed: {}", result.error.as_deref().unwrap_or("unknown error"))),
    }
    out.result("pack", &result);
    Ok(exit_for(result.status == Status::Success))
}

fn manifest_cmd(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let meta = load_meta(project)?;
    let lane = take_lane(cli, project, out)?;
    keep_log(out, cli, project, "manifest");
    manifest_step::report_config_warnings(&meta, out);
    let facts = facts_from_build(&lane).map_err(|e| Stop(Exit::Failed, e))?;
    let result = manifest_step::manifest(&lane, &meta, &facts, &TestPoints::from_env(), out).result;
    out.result("manifest", &result);
    Ok(exit_for(result.status == StepStatus::Success))
}

/// Run alone, the manifest step commits what `build/` holds, so it first
/// requires both outputs of a preparation: a program and an `assets.pa`
/// that verifies.
fn facts_from_build(lane: &LaneGuard) -> Result<prometeu_manifest::BuildFacts, String> {
    let build_dir = lane.build_dir();
    let program = build_dir.join(build_step::PROGRAM_FILE);
    match std::fs::metadata(&program) {
        Ok(meta) if meta.is_file() && meta.len() > 0 => {}
        _ => return Err(format!("{program} is missing or empty; run `cargo xtask build` (or `play-prep`) first")),
    }
    let assets_pa = build_dir.join(pack::ASSETS_PA);
    let inspected = pa::verify_file(&assets_pa).map_err(|violations| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        format!("{assets_pa} is not a valid pack ({}); run `cargo xtask pack` (or `play-prep`) first", list.join("; "))
    })?;
    Ok(prometeu_manifest::BuildFacts {
        assets_pa_produced: true,
        packed_asset_count: inspected.header.asset_table.len(),
    })
}

fn validate(project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Exit {
    let validation = report::validate(project, threads);
    let blocking = validation.workspace.iter().chain(validation.assets.iter().flat_map(|a| &a.diagnostics));
    for d in blocking.chain(&validation.warnings) {
        out.note(&d.to_string());
    }
    let blocked = validation.workspace.len() + validation.assets.iter().map(|a| a.diagnostics.len()).sum::<usize>();
    if validation.passed {
        out.note(&format!("validation passed ({} warnings)", validation.warnings.len()));
    } else {
        out.note(&format!("validation failed: {blocked} blocking diagnostics"));
    }
    let status = if validation.passed { "success" } else { "failed" };
    out.result("validate", &json!({"status": status, "validation": validation}));
    exit_for(validation.passed)
}

fn summary(project: &Utf8Path, out: &mut Reporter) -> Exit {
    let summary = report::summary(project);
    for a in &summary.assets {
        out.note(&format!(
            "{:>5}  {:<24} {:<11} {:>4} artifacts  assets/{}  {}",
            a.asset_id,
            a.asset_name.as_deref().unwrap_or("?"),
            a.family.unwrap_or("?"),
            a.max_artifact_count,
            a.asset_root,
            a.last_modified.as_deref().unwrap_or("-"),
        ));
    }
    for d in &summary.diagnostics {
        out.note(&d.to_string());
    }
    out.note(&format!("{} assets included in the build", summary.included_asset_count));
    out.result("summary", &json!({"status": "success", "summary": summary}));
    Exit::Success
}

fn inspect(file: &Utf8Path, out: &mut Reporter) -> Exit {
    match pa::verify_file(file) {
        Ok(inspection) => {
            out.note(&format!(
                "{file}: valid assets.pa v{}, {} bytes",
                inspection.prelude.schema_version, inspection.file_len
            ));
            let p = inspection.prelude;
            out.note(&format!(
                "prelude: magic {} schema_version {} header_len {} payload_offset {} flags {} reserved {}",
                String::from_utf8_lossy(&p.magic),
                p.schema_version,
                p.header_len,
                p.payload_offset,
                p.flags,
                p.reserved
            ));
            out.note(&serde_json::to_string_pretty(&inspection.header).expect("headers serialize"));
            let value = json!({"status": "success", "file": file, "prelude": inspection.prelude, "file_len": inspection.file_len, "header": inspection.header});
            out.result("inspect", &value);
            Exit::Success
        }
        Err(violations) => {
            let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
            for v in &list {
                out.note(&format!("error: {v}"));
            }
            out.result("inspect", &json!({"status": "failed", "file": file, "violations": list}));
            Exit::Failed
        }
    }
}

/// A registry mutation of one root.
type Mutation = Box<dyn Fn(&LaneGuard, &str) -> Result<registry::RegistryEntry, registry::MutationError>>;

fn assets(cli: &Cli, project: &Utf8Path, command: &AssetsCommand, out: &mut Reporter) -> Result<Exit, Stop> {
    let arg = |root: &str| registry::normalize_root_arg(root);
    let (root, mutate): (String, Mutation) = match command {
        AssetsCommand::List => return Ok(list_assets(project, out)),
        AssetsCommand::Register { root } => (arg(root), Box::new(registry::register)),
        AssetsCommand::Include { root } => (arg(root), Box::new(|l, r| registry::set_included(l, r, true))),
        AssetsCommand::Exclude { root } => (arg(root), Box::new(|l, r| registry::set_included(l, r, false))),
        AssetsCommand::Forget { root } => (arg(root), Box::new(registry::forget)),
        AssetsCommand::Move { from, to } => {
            let to = arg(to);
            (arg(from), Box::new(move |l, r| registry::move_root(l, r, &to)))
        }
    };
    let lane = take_lane(cli, project, out)?;
    match mutate(&lane, &root) {
        Ok(entry) => {
            out.note(&format!(
                "assets/{}: asset_id {}, included_in_build {}",
                entry.root, entry.asset_id, entry.included_in_build
            ));
            out.result("assets", &json!({"status": "success", "entry": entry}));
            Ok(Exit::Success)
        }
        Err(e) => {
            out.note(&format!("error: {e}"));
            out.result("assets", &json!({"status": "failed", "error": e.to_string()}));
            Ok(Exit::Failed)
        }
    }
}

fn list_assets(project: &Utf8Path, out: &mut Reporter) -> Exit {
    let snapshot =
        prometeu_packer::snapshot::walk(project, prometeu_packer::snapshot::MaterializationConfig::runtime_default());
    let assets: Vec<_> = snapshot
        .assets
        .iter()
        .map(|a| {
            json!({
                "asset_id": a.entry.asset_id,
                "asset_uuid": a.entry.asset_uuid,
                "asset_root": a.entry.root,
                "asset_name": a.name(),
                "family": a.declaration.as_ref().map(|d| d.family.type_name()),
                "included_in_build": a.entry.included_in_build,
            })
        })
        .collect();
    for a in &snapshot.assets {
        let mark = if a.entry.included_in_build { "included" } else { "excluded" };
        out.note(&format!(
            "{:>5}  {:<24} {mark:<9} assets/{}",
            a.entry.asset_id,
            a.name().unwrap_or("?"),
            a.entry.root
        ));
    }
    for d in &snapshot.workspace_diagnostics {
        out.note(&d.to_string());
    }
    out.result(
        "assets",
        &json!({"status": "success", "assets": assets, "diagnostics": snapshot.workspace_diagnostics}),
    );
    Exit::Success
}
