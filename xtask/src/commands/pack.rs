//! `pack`: the pack step alone (progress bar on a terminal).

use camino::Utf8Path;
use prometeu_packer::Status;

use crate::cli::{Cli, Exit, Stop, exit_for, run_options, take_lane};
use crate::reporter::Reporter;

pub(crate) fn run(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    // No Ctrl-C handler: the pack is crash-safe at every instant, so the
    // default action (the process ends at once) is the right one.
    let options = run_options(threads);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let result = prometeu_play_prep::pack(&lane, &options, out).result;
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
