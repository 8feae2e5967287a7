//! `build`: the build step alone.

use camino::Utf8Path;
use prometeu_play_prep::StepStatus;

use crate::cli::{Cli, Exit, Stop, exit_for, interruptible_run_options, load_meta, take_lane};
use crate::reporter::Reporter;

pub(crate) fn run(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = interruptible_run_options(None, out);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let meta = load_meta(&lane, "build")?;
    let result = prometeu_play_prep::build(&lane, &meta, &options, out).result;
    out.result("build", &result);
    Ok(exit_for(result.status == StepStatus::Success))
}
