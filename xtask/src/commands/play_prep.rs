//! `play-prep`: build → pack → manifest.

use camino::Utf8Path;
use prometeu_play_prep::{StepStatus, log_path};

use crate::cli::{Cli, Exit, Stop, exit_for, load_meta, run_options, take_lane};
use crate::reporter::Reporter;

pub(crate) fn run(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(threads, out);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let meta = load_meta(&lane, "play-prep")?;
    let result = prometeu_play_prep::play_prep(&lane, &meta, &options, out).result;
    if let Some(pack) = &result.steps.pack {
        out.annotate(&pack.diagnostics);
    }
    let log = log_path(project, "play-prep");
    match (result.failed_step, &result.error) {
        (None, _) => {
            out.note(&format!("play-prep succeeded in {} ms; build/ is ready (log: {log})", result.elapsed_ms))
        }
        (Some(step), Some(why)) => {
            out.error(&format!("play-prep failed at the {} step: {why} (log: {log})", step.as_str()))
        }
        (Some(step), None) => {
            let why = super::step_failure(&result.steps, step);
            out.error(&format!("play-prep failed at the {} step: {why} (log: {log})", step.as_str()));
        }
    }
    out.result(Some("play-prep"), &result);
    Ok(exit_for(result.status == StepStatus::Success, &options.cancel))
}
