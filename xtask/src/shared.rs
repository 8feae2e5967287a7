//! What every command shares: the global flags, the exit statuses, the
//! failure that stops a command, taking the lane and the options of a run.
//! The argument parser (`cli`) and each command (`commands/`) depend on
//! this module, never on each other's.

use std::process::ExitCode;

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_manifest::ConfigError;
use prometeu_packer::{LaneError, LaneGuard, PackOptions, TestPoints, Wait, acquire_lane};
use prometeu_play_prep::{Cancel, RunOptions};
use serde_json::{Value, json};

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

/// The global flags: what every command sees of the command line.
#[derive(Debug, clap::Args)]
pub(crate) struct Cli {
    /// The game project (default: the nearest directory upwards holding cartridge.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) project: Option<Utf8PathBuf>,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl Cli {
    pub(crate) fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }

    pub(crate) fn apply_color(&self) {
        let choice = match self.color {
            // anstream's automatic choice honours NO_COLOR and CLICOLOR_FORCE.
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }
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
    let lane = acquire_lane(project, wait).map_err(|e| {
        // A wait that Ctrl-C ended is a stop like any other: 130.
        let exit = if cancel.is_cancelled() { Exit::Interrupted } else { Exit::Failed };
        Stop { exit, ..Stop::failed(lane_error(&e)) }
    })?;
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
