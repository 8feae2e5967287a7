//! The Play preparation as a library: what `cargo xtask play-prep` runs,
//! callable by any host (an editor, a hook, a pipeline) without the command
//! line.
//!
//! Take the project's lane ([`prometeu_packer::acquire_lane`]), load its
//! metadata ([`prometeu_manifest::load`]), then call [`play_prep`] or one
//! step ([`build`], [`pack`], [`manifest`]) with [`RunOptions`] holding a
//! fresh [`Cancel`] token and an [`Observer`] of your own. Each operation
//! numbers and timestamps its log lines, keeps them in
//! `build/logs/<command>.jsonl`, streams them to the observer and returns
//! them with a typed result. Cancelling the token (from any thread) kills
//! the compiler and everything it started and stops the run at its next
//! safe point; the next run takes a new token.

#![warn(missing_docs)]

mod budget;
mod cancel;
mod compiler;
mod platform;
mod play_prep;
mod run_log;
mod runtime;
mod steps;

pub use budget::{BudgetCheck, BudgetReport, check_budget, enforce_budget, measure_pack};
pub use cancel::Cancel;
pub use compiler::{
    COMPILER_OUTPUT_BUDGET, CompilerEvent, CompilerRun, LineBudget, Outcome as CompilerOutcome, OutputProblem,
    Placeholders, Stream, describe_signal, run as run_compiler, run_events as run_compiler_events, signal_name,
    substitute,
};
pub use platform::STOPS_PROCESS_TREE;
pub use play_prep::{PlayPrepOutcome, PlayPrepResult, RunOptions, Steps, build, manifest, pack, play_prep, refuse};
pub use run_log::{LogEntry, Observer, Silent, log_path};
pub use runtime::{Runtime, StartError, start_runtime};
pub use steps::build::{BuildOutcome, BuildResult, COMPILER_LINES_KEPT, CompilerLines};
pub use steps::manifest::{ManifestOutcome, ManifestResult, Missing};
pub use steps::{Step, StepStatus};
