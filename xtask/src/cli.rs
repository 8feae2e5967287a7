//! The command line: `cargo xtask <command>`. Parses arguments, finds the
//! project, takes the lane for writing commands, calls the library and turns
//! the outcome into output and an exit status.

use std::ffi::OsString;
use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{CommandFactory, Parser, Subcommand};
use prometeu_manifest::ConfigError;
use prometeu_packer::{LaneError, LaneGuard, PackOptions, TestPoints, Wait, acquire_lane};
use prometeu_play_prep::{Cancel, RunOptions};
use serde_json::{Value, json};

use crate::commands;
use crate::reporter::{MessageFormat, Reporter, Verbosity};

/// Exit statuses (spec): 0 success; 1 a step failed or the pack was blocked;
/// 2 the invocation or the project configuration is wrong; 130 stopped by
/// Ctrl-C (the shell's convention for SIGINT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Success = 0,
    Failed = 1,
    Usage = 2,
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Prometeu Play preparation: build -> pack -> manifest into build/")]
#[command(version = crate::version::LONG, disable_version_flag = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The game project (default: the nearest directory upwards holding cartridge.toml).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<Utf8PathBuf>,
    /// How to print (docs/reference/operations.md).
    #[arg(long, global = true, value_enum, default_value = "human", value_name = "FORMAT")]
    pub(crate) message_format: MessageFormat,
    /// Fail at once instead of waiting when another operation holds the project.
    #[arg(long, global = true)]
    pub(crate) no_wait: bool,
    /// Only warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also each pack event.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Colour on stderr: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorWhen,
    /// Print the version and the commit it was built from.
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl Cli {
    fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }

    fn apply_color(&self) {
        let choice = match self.color {
            // anstream's automatic choice honours NO_COLOR and CLICOLOR_FORCE.
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Prepare build/ for the runtime: build, then pack, then manifest.
    PlayPrep(PlayPrepArgs),
    /// Run only the build step (compiler or prebuilt program -> build/program.pbx).
    Build,
    /// Run only the pack step (assets/ -> build/assets.pa and companions).
    Pack(Threads),
    /// Run only the manifest step (cartridge.toml -> build/manifest.json).
    Manifest,
    /// Check the project without writing anything (the pre-commit gate).
    Validate(ValidateArgs),
    /// List the assets of the build without reading their inputs.
    Summary,
    /// Print and verify an assets.pa file.
    Inspect { file: Utf8PathBuf },
    /// Read or change the asset registry.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Create a game project: its own `cargo xtask`, metadata, an empty asset workspace, hook and CI.
    New(crate::commands::new::NewArgs),
    /// Print a shell completion script (`xtask completions bash > ~/.local/share/bash-completion/completions/xtask`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Developer chore: pack a generated large project in release mode and print figures.
    Bench(crate::bench::BenchArgs),
    /// Pictures and sounds decoded from build/assets.pa: sheets, palettes, samples, waveforms.
    Preview(crate::commands::preview::PreviewArgs),
    /// Write build/report.html: assets, sheets, waveforms, warnings and budgets, in one file.
    Report,
    /// Prepare once, then again whenever something build-relevant changes (Ctrl-C stops).
    Watch(crate::commands::watch::WatchArgs),
    /// Prepare, then start the runtime (`[run] command` of cartridge.toml) on build/.
    Play(Threads),
}

#[derive(Debug, clap::Args)]
pub(crate) struct PlayPrepArgs {
    #[command(flatten)]
    pub(crate) threads: Threads,
    /// After a successful preparation, also write build/report.html.
    #[arg(long)]
    pub(crate) report: bool,
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

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) threads: Threads,
    /// Check what is staged in git (the index), not the working tree; what a commit would record.
    #[arg(long)]
    pub(crate) staged: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AssetsCommand {
    /// Every registered asset, included or not (one per line on stdout).
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

/// A failure before or around the command, with its exit status.
pub(crate) struct Stop {
    pub(crate) exit: Exit,
    pub(crate) message: String,
    /// Set when the failure is an invalid `cartridge.toml` or `prometeu.json`.
    pub(crate) config: Option<ConfigError>,
}

impl Stop {
    pub(crate) fn usage(message: impl Into<String>) -> Stop {
        Stop { exit: Exit::Usage, message: message.into(), config: None }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Stop {
        Stop { exit: Exit::Failed, message: message.into(), config: None }
    }

    pub(crate) fn config(error: ConfigError) -> Stop {
        Stop { exit: Exit::Usage, message: error.to_string(), config: Some(error) }
    }
}

/// The JSON form of a configuration error: where, which key, what.
pub(crate) fn config_json(error: &ConfigError) -> Value {
    json!({
        "file": error.file,
        "line": error.line,
        "column": error.column,
        "key": error.key,
        "message": error.message,
    })
}

/// Parses the process's arguments, runs the command and returns its exit status.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &args),
    };
    cli.apply_color();
    let mut out = Reporter::new(cli.message_format, cli.verbosity());
    let command = command_name(&cli.command);
    match run(&cli, &mut out) {
        Ok(exit) => exit.into(),
        Err(stop) => {
            match &stop.config {
                Some(error) => out.config_error(error),
                None => out.error(&stop.message),
            }
            let mut result = json!({"status": "failed", "error": stop.message});
            if let Some(error) = &stop.config {
                result["config_error"] = config_json(error);
            }
            out.result(Some(command), &result);
            stop.exit.into()
        }
    }
}

/// A command line clap refused (or `--help`, `--version`): clap's text, and
/// in JSON mode a result line too, so a pipeline always gets one.
fn usage_error(error: &clap::Error, args: &[OsString]) -> ExitCode {
    let _ = error.print();
    if !error.use_stderr() {
        return Exit::Success.into();
    }
    if json_requested(args) {
        let mut out = Reporter::new(MessageFormat::Json, Verbosity::Quiet);
        let message = error.kind().as_str().map_or_else(|| error.to_string(), str::to_owned);
        out.result(None, &json!({"status": "failed", "error": format!("invalid command line: {message}")}));
    }
    Exit::Usage.into()
}

/// Whether the raw arguments ask for JSON, read without clap (which refused them).
fn json_requested(args: &[OsString]) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    args.contains(&"--message-format=json") || args.windows(2).any(|w| w[0] == "--message-format" && w[1] == "json")
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
        Command::New(_) => "new",
        Command::Completions { .. } => "completions",
        Command::Bench(_) => "bench",
        Command::Preview(_) => "preview",
        Command::Report => "report",
        Command::Watch(_) => "watch",
        Command::Play(_) => "play",
    }
}

fn run(cli: &Cli, out: &mut Reporter) -> Result<Exit, Stop> {
    match &cli.command {
        Command::Inspect { file } => return Ok(commands::inspect::run(file, out)),
        Command::New(args) => return commands::new::run(args, out),
        Command::Completions { shell } => {
            // Built in memory, then written as data: a closed pipe must not panic.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "xtask", &mut script);
            for line in String::from_utf8_lossy(&script).lines() {
                out.data(line);
            }
            return Ok(Exit::Success);
        }
        Command::Bench(args) => {
            return crate::bench::run(args).map(|()| Exit::Success).map_err(Stop::failed);
        }
        _ => {}
    }
    let project = locate(cli.project.as_deref())?;
    out.set_project(&project);
    match &cli.command {
        Command::PlayPrep(args) => commands::play_prep::run(cli, &project, args, out),
        Command::Build => commands::build::run(cli, &project, out),
        Command::Pack(t) => commands::pack::run(cli, &project, t.count(), out),
        Command::Manifest => commands::manifest::run(cli, &project, out),
        Command::Validate(args) => commands::validate::run(&project, args, out),
        Command::Summary => Ok(commands::summary::run(&project, out)),
        Command::Assets(a) => commands::assets::run(cli, &project, a, out),
        Command::Preview(args) => commands::preview::run(cli, &project, args, out),
        Command::Report => commands::report::run(cli, &project, out),
        Command::Watch(args) => commands::watch::run(cli, &project, args, out),
        Command::Play(t) => commands::play::run(cli, &project, t.count(), out),
        Command::Inspect { .. } | Command::New(_) | Command::Completions { .. } | Command::Bench(_) => {
            unreachable!("handled above")
        }
    }
}

/// `--project DIR`, or the nearest directory upwards holding cartridge.toml.
fn locate(flag: Option<&Utf8Path>) -> Result<Utf8PathBuf, Stop> {
    let usage = |m: String| Stop::usage(m);
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the current directory: {e}")))?;
    let cwd = Utf8PathBuf::try_from(cwd).map_err(|e| usage(format!("the current directory is not UTF-8: {e}")))?;
    match flag {
        Some(dir) => {
            let dir = cwd.join(dir);
            let dir = dir.canonicalize_utf8().map_err(|e| usage(format!("--project {dir}: {e}")))?;
            // Any file counts here; reading it (under the lane) says what is wrong with it.
            if !dir.join(prometeu_manifest::CARTRIDGE_FILE).exists() {
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

/// Reads the configuration under the lane, so a run that waited prepares
/// with the configuration as it is when it starts. A refusal withdraws
/// `build/manifest.json` and keeps the refusal as `command`'s log.
pub(crate) fn load_meta(lane: &LaneGuard, command: &str) -> Result<prometeu_manifest::ProjectMeta, Stop> {
    prometeu_manifest::load(lane.project()).map_err(|e| {
        // Kept, not shown: the command line reports the refusal itself.
        prometeu_play_prep::refuse(lane, command, &e.to_string(), &mut prometeu_play_prep::Silent);
        Stop::config(e)
    })
}

/// Takes the project's lane, saying once if it has to wait; a Ctrl-C during
/// the wait cancels `cancel` and so the wait.
pub(crate) fn take_lane(cli: &Cli, project: &Utf8Path, cancel: &Cancel, out: &Reporter) -> Result<LaneGuard, Stop> {
    let mut say = || out.notice("waiting for another operation on this project…");
    let cancelled = || cancel.is_cancelled();
    let wait = if cli.no_wait { Wait::NoWait } else { Wait::Block { on_wait: &mut say, cancelled: &cancelled } };
    let lane = acquire_lane(project, wait).map_err(|e| Stop::failed(lane_error(&e)))?;
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
/// environment (honoured only by builds made for tests) and a fresh token
/// that Ctrl-C cancels: "stopping…" at once, the compiler and everything it
/// started killed, a pack stopped at its next safe point, exit status 130.
pub(crate) fn run_options(threads: Option<usize>, out: &Reporter) -> RunOptions {
    if let Err(e) = crate::interrupt::install_handler() {
        out.note(&format!("warning: Ctrl-C will not stop the run cleanly: {e}"));
    }
    RunOptions {
        pack: PackOptions { threads, testpoints: TestPoints::from_env(), ..PackOptions::default() },
        cancel: crate::interrupt::new_run(),
    }
}

/// The exit status of a finished run: 130 when Ctrl-C stopped it.
pub(crate) fn exit_for(ok: bool, cancel: &Cancel) -> Exit {
    match (ok, cancel.is_cancelled()) {
        (true, _) => Exit::Success,
        (false, true) => Exit::Interrupted,
        (false, false) => Exit::Failed,
    }
}
