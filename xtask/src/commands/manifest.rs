//! `manifest`: the manifest step alone; it needs `build/program.pbx` and a
//! `build/assets.pa` that verifies.

use camino::Utf8Path;
use prometeu_play_prep::{Missing, StepStatus};

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, exit_for, load_meta, run_options, take_lane};

pub(crate) fn run(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(None, out);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let meta = load_meta(&lane, "manifest")?;
    let outcome = prometeu_play_prep::manifest(&lane, &meta, &options, out).map_err(|m| Stop::failed(advice(&m)))?;
    if let Some(why) = &outcome.result.error {
        out.error(&format!("manifest failed: {why}"));
    }
    out.result(Some("manifest"), &outcome.result);
    Ok(exit_for(outcome.result.status == StepStatus::Success, &options.cancel))
}

/// What `build/` lacks, and the command that makes it.
fn advice(missing: &Missing) -> String {
    match missing.step() {
        Some(step) => format!("{}; run `cargo xtask {}` (or `play-prep`) first", missing.problem(), step.as_str()),
        None => missing.problem().to_owned(),
    }
}
