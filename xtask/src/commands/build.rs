//! `build`: the build step alone.

use camino::Utf8Path;
use prometeu_play_prep::StepStatus;

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, exit_for, load_meta, run_options, take_lane};

pub(crate) fn run(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(None, out);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let meta = load_meta(&lane, "build")?;
    let result = prometeu_play_prep::build(&lane, &meta, &options, out).result;
    if let Some(why) = &result.error {
        out.error(&format!("build failed: {why}"));
    }
    out.result(Some("build"), &result);
    Ok(exit_for(result.status == StepStatus::Success, &options.cancel))
}
