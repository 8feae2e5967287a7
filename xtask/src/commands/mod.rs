//! One file per command: each takes the parsed arguments, calls one library
//! operation and renders its result.

pub(crate) mod assets;
pub(crate) mod assets_new;
pub(crate) mod assets_show;
pub(crate) mod build;
pub(crate) mod inspect;
pub(crate) mod manifest;
pub(crate) mod new;
pub(crate) mod pack;
pub(crate) mod play;
pub(crate) mod play_prep;
pub(crate) mod preview;
pub(crate) mod report;
pub(crate) mod summary;
pub(crate) mod validate;
pub(crate) mod watch;

use prometeu_packer::{PackResult, Severity, Status};
use prometeu_play_prep::{Step, Steps};

/// One sentence saying why a step failed, for the summary line on stderr.
pub(crate) fn step_failure(steps: &Steps, step: Step) -> String {
    let unknown = || "see the log above".to_owned();
    match step {
        Step::Build => steps.build.as_ref().and_then(|b| b.error.clone()).unwrap_or_else(unknown),
        Step::Pack => steps.pack.as_ref().map_or_else(unknown, pack_failure),
        Step::Manifest => steps.manifest.as_ref().and_then(|m| m.error.clone()).unwrap_or_else(unknown),
    }
}

/// Why a pack did not succeed: the error, or the blocking findings' count and the first one.
pub(crate) fn pack_failure(pack: &PackResult) -> String {
    if pack.status == Status::Blocked {
        let mut blocking = pack.diagnostics.iter().filter(|d| d.severity == Severity::Blocking);
        let count = blocking.clone().count();
        return match blocking.next() {
            Some(first) => format!(
                "the pack was blocked by {}; first: {first}",
                prometeu_packer::counted(count, "blocking diagnostic")
            ),
            None => "the pack was blocked".to_owned(),
        };
    }
    pack.error.clone().unwrap_or_else(|| "the pack failed".to_owned())
}
