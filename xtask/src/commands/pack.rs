//! `pack`: the pack step alone (progress bar on a terminal).

use camino::Utf8Path;
use prometeu_packer::Status;

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, exit_for, run_options, take_lane};

pub(crate) fn run(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(threads, out);
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let result = prometeu_play_prep::pack(&lane, &options, out).result;
    out.annotate(&result.diagnostics);
    match result.status {
        Status::Success => out.note(&format!(
            "packed {} assets into build/assets.pa in {} ms",
            result.packed_asset_count, result.elapsed_ms
        )),
        Status::Blocked => out.error(&format!("{}; nothing was written", super::pack_failure(&result))),
        Status::Failed => out.error(&format!("pack failed: {}", super::pack_failure(&result))),
    }
    out.result(Some("pack"), &result);
    Ok(exit_for(result.status == Status::Success, &options.cancel))
}
