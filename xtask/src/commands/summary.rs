//! `summary`: the assets of the build, without reading their inputs.

use camino::Utf8Path;
use serde::Serialize;

use crate::reporter::Reporter;
use crate::shared::Exit;

pub(crate) fn run(project: &Utf8Path, out: &mut Reporter) -> Exit {
    let summary = prometeu_packer::summary(project);
    out.data_lines(summary.assets.iter().map(|a| {
        format!(
            "{:>5}  {:<24} {:<11} {:>4} artifacts  assets/{}  {}",
            a.asset_id,
            a.asset_name.as_deref().unwrap_or("?"),
            a.family.unwrap_or("?"),
            a.max_artifact_count,
            a.asset_root,
            a.last_modified.as_deref().unwrap_or("-"),
        )
    }));
    out.diagnostics(&summary.diagnostics);
    out.note(&format!("{} included in the build", prometeu_packer::counted(summary.included_asset_count, "asset")));
    out.result(Some("summary"), &SummaryResult { status: "success", summary: &summary });
    Exit::Success
}

/// The result line: a typed record, so nothing is built of it unless JSON is asked for.
#[derive(Serialize)]
struct SummaryResult<'a> {
    status: &'static str,
    summary: &'a prometeu_packer::Summary,
}
