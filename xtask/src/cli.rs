//! The command line: `cargo xtask <command>`. Parses arguments, finds the
//! project, takes the lane for writing commands, calls the library and turns
//! the outcome into output and an exit status.

use std::ffi::OsString;
use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{CommandFactory, Parser, Subcommand};
use serde_json::json;

use crate::commands;
use crate::reporter::{MessageFormat, Reporter, Verbosity};
use crate::shared::{Cli, Exit, Stop, Threads, config_json};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Prometeu Play preparation: build -> pack -> manifest into build/")]
#[command(version = crate::version::LONG, disable_version_flag = true)]
struct Arguments {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    cli: Cli,
    /// Print the version and the commit it was built from.
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Prepare build/ for the runtime: build, then pack, then manifest.
    PlayPrep(commands::play_prep::PlayPrepArgs),
    /// Run only the build step (compiler or prebuilt program -> build/program.pbx).
    Build,
    /// Run only the pack step (assets/ -> build/assets.pa and companions).
    Pack(Threads),
    /// Run only the manifest step (cartridge.toml -> build/manifest.json).
    Manifest,
    /// Check the project without writing anything (the pre-commit gate).
    Validate(commands::validate::ValidateArgs),
    /// List the assets of the build without reading their inputs.
    Summary,
    /// Print and verify an assets.pa file.
    Inspect { file: Utf8PathBuf },
    /// Read or change the asset registry.
    #[command(subcommand)]
    Assets(commands::assets::AssetsCommand),
    /// Create a game project: its own `cargo xtask`, metadata, an empty asset workspace, hook and CI.
    New(crate::commands::new::NewArgs),
    /// Print a shell completion script (`xtask completions bash > ~/.local/share/bash-completion/completions/xtask`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Developer chore: pack a generated large project in release mode and print figures.
    // This tool's own developers run it from its checkout; a game's `--help` does not list it.
    #[command(hide = true)]
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

/// Parses the process's arguments, runs the command and returns its exit status.
pub fn main() -> ExitCode {
    crate::allocator::return_freed_memory_soon();
    let args: Vec<OsString> = std::env::args_os().collect();
    let arguments = match Arguments::try_parse_from(&args) {
        Ok(arguments) => arguments,
        Err(e) => return usage_error(&e, &args),
    };
    let cli = &arguments.cli;
    cli.apply_color();
    let mut out = Reporter::new(cli.message_format, cli.verbosity());
    let command = command_name(&arguments.command);
    match run(&arguments.command, cli, &mut out) {
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

fn run(command: &Command, cli: &Cli, out: &mut Reporter) -> Result<Exit, Stop> {
    match command {
        Command::Inspect { file } => return Ok(commands::inspect::run(file, out)),
        Command::New(args) => return commands::new::run(args, out),
        Command::Completions { shell } => {
            // Built in memory, then written as data: a closed pipe must not panic.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Arguments::command(), "xtask", &mut script);
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
    match command {
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
            let mut dir = dir.canonicalize_utf8().map_err(|e| usage(format!("--project {dir}: {e}")))?;
            // `--project path/to/cartridge.toml` means the project that file describes.
            if dir.is_file() {
                match (dir.file_name(), dir.parent()) {
                    (Some(prometeu_manifest::CARTRIDGE_FILE), Some(parent)) => dir = parent.to_owned(),
                    _ => {
                        return Err(usage(format!(
                            "--project {dir} is a file; give the project's directory (the one holding {})",
                            prometeu_manifest::CARTRIDGE_FILE
                        )));
                    }
                }
            }
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
