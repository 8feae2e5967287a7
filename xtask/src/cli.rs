//! The command line: `cargo xtask <command>`. Parses arguments, finds the
//! project, takes the lane for writing commands, calls the library and turns
//! the outcome into output and an exit status.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand};
use prometeu_packer::{LaneError, LaneGuard, PackOptions, TestPoints, Wait, acquire_lane};
use prometeu_play_prep::{Cancel, RunOptions};
use serde_json::json;

use crate::commands;
use crate::reporter::{MessageFormat, Reporter};

/// Exit statuses (spec): 0 success; 1 a step failed or the pack was blocked;
/// 2 the invocation or the project configuration is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
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
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The game project (default: the nearest directory upwards holding cartridge.toml).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<Utf8PathBuf>,
    /// `json`: one JSON object per line on stdout; human text only on stderr.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub(crate) message_format: MessageFormat,
    /// Fail at once instead of waiting when another operation holds the project.
    #[arg(long, global = true)]
    pub(crate) no_wait: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct Threads {
    /// Decoding threads (default: one per core); the output never depends on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

impl Threads {
    pub(crate) fn count(&self) -> Option<usize> {
        self.threads.map(usize::from)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum AssetsCommand {
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
    /// Create an asset from its files: copy them, write asset.json, register it.
    #[command(subcommand)]
    New(crate::commands::assets_new::NewCommand),
    /// Print one asset as the packer sees it (inputs, artifacts, palettes, metadata, size).
    Show { root: String },
}

/// A failure before the command could run, with its exit status.
pub(crate) struct Stop(pub(crate) Exit, pub(crate) String);

/// Parses the process's arguments, runs the command and returns its exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage { Exit::Usage } else { Exit::Success }.into();
        }
    };
    let mut out = Reporter::new(cli.message_format);
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
        Command::Inspect { file } => return Ok(commands::inspect::run(file, out)),
        Command::Bench(args) => {
            return crate::bench::run(args).map(|()| Exit::Success).map_err(|e| Stop(Exit::Failed, e));
        }
        _ => {}
    }
    let project = locate(cli.project.as_deref())?;
    match &cli.command {
        Command::PlayPrep(t) => commands::play_prep::run(cli, &project, t.count(), out),
        Command::Build => commands::build::run(cli, &project, out),
        Command::Pack(t) => commands::pack::run(cli, &project, t.count(), out),
        Command::Manifest => commands::manifest::run(cli, &project, out),
        Command::Validate(t) => Ok(commands::validate::run(&project, t.count(), out)),
        Command::Summary => Ok(commands::summary::run(&project, out)),
        Command::Assets(a) => commands::assets::run(cli, &project, a, out),
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
        None => prometeu_manifest::find_project(&cwd).map_err(|e| usage(format!("{e} (or pass `--project DIR`)"))),
    }
}

pub(crate) fn load_meta(project: &Utf8Path) -> Result<prometeu_manifest::ProjectMeta, Stop> {
    prometeu_manifest::load(project).map_err(|e| Stop(Exit::Usage, e.to_string()))
}

/// Takes the project's lane, saying once if it has to wait; a Ctrl-C during
/// the wait cancels `cancel` and so the wait.
pub(crate) fn take_lane(cli: &Cli, project: &Utf8Path, cancel: &Cancel, out: &Reporter) -> Result<LaneGuard, Stop> {
    let mut say = || out.notice("waiting for another operation on this project…");
    let cancelled = || cancel.is_cancelled();
    let wait = if cli.no_wait { Wait::NoWait } else { Wait::Block { on_wait: &mut say, cancelled: &cancelled } };
    let lane = acquire_lane(project, wait).map_err(|e| Stop(Exit::Failed, lane_error(&e)))?;
    // Recovery ran as the lane was taken; said once, here, for every command.
    for sentence in lane.recovery().describe() {
        out.notice(&sentence);
    }
    Ok(lane)
}

/// A lane error in the command line's terms: `Wait::NoWait` is `--no-wait`.
fn lane_error(error: &LaneError) -> String {
    match error {
        LaneError::Busy { .. } => format!("{error}; or run again without --no-wait to queue behind it"),
        _ => error.to_string(),
    }
}

/// The options of a writing command's run: test points from the
/// environment (honoured only by builds made for tests) and a token nothing
/// cancels, for the commands that leave Ctrl-C its default action (the
/// process ends at once, which every step survives).
pub(crate) fn run_options(threads: Option<usize>) -> RunOptions {
    RunOptions { pack: PackOptions { threads, testpoints: TestPoints::from_env() }, cancel: Cancel::new() }
}

/// Like `run_options`, for a run that starts a compiler: Ctrl-C cancels the
/// run's token, which kills the compiler and everything it started.
pub(crate) fn interruptible_run_options(threads: Option<usize>, out: &Reporter) -> RunOptions {
    if let Err(e) = crate::interrupt::install_handler() {
        out.note(&format!("warning: Ctrl-C will not stop the compiler cleanly: {e}"));
    }
    RunOptions { cancel: crate::interrupt::new_run(), ..run_options(threads) }
}

pub(crate) fn exit_for(ok: bool) -> Exit {
    if ok { Exit::Success } else { Exit::Failed }
}
