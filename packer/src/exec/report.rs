//! The read-only operations: `summary` and `validate`. Both answer from one
//! fresh runtime snapshot and take no lock.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use camino::Utf8Path;
use serde::Serialize;

use crate::exec::gate::{self, GateReport};
use crate::exec::snapshot::{self, AssetSnapshot, LiveContent, MaterializationConfig, Snapshot};
use crate::support::background::drop_in_background;
use crate::support::diag::{Diagnostic, any_blocking};

/// The result of `summary`: the active pack set as the declarations describe it, no input read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Assets registered and included in the build (the length of `assets`).
    pub included_asset_count: usize,
    /// One row per active asset, by `asset_id`.
    pub assets: Vec<SummaryAsset>,
    /// Registry and declaration findings seen without reading input contents.
    pub diagnostics: Vec<Diagnostic>,
}

/// One active asset in a `Summary`; fields may be `None` when its `asset.json` is unusable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryAsset {
    /// Registry id.
    pub asset_id: u32,
    /// The declaration's `name`; `None` when the declaration cannot be read.
    pub asset_name: Option<String>,
    /// Registry root, relative to `assets/` (`hero`).
    pub asset_root: String,
    /// Declared family type name (`glyph_bank`, `sound_bank`); `None` when unknown or unreadable.
    pub family: Option<&'static str>,
    /// Selected artifacts; always equal to `max_artifact_count` (the shape allows a range).
    pub min_artifact_count: usize,
    /// Selected artifacts; always equal to `min_artifact_count`.
    pub max_artifact_count: usize,
    /// Newest modification time over the root's files, RFC 3339 UTC, whole seconds; `None` if unknown.
    pub last_modified: Option<String>,
}

/// Summary of the active pack set. Reads no file contents beyond `asset.json`.
pub fn summary(project: &Utf8Path) -> Summary {
    use rayon::prelude::*;
    let snapshot = snapshot::walk(project, MaterializationConfig::runtime_checks());
    let mut diagnostics = snapshot.workspace_diagnostics.clone();
    diagnostics.extend(snapshot.active().flat_map(|a| a.diagnostics.iter().cloned()));
    let active: Vec<&AssetSnapshot> = snapshot.active().collect();
    // One row per asset, each made on its own (names copied, times formatted).
    let assets: Vec<SummaryAsset> = active
        .par_iter()
        .map(|a| SummaryAsset {
            asset_id: a.entry.asset_id,
            asset_name: a.name().map(str::to_owned),
            asset_root: a.entry.root.to_string(),
            family: a.declared.as_ref().map(|d| d.family.type_name()),
            min_artifact_count: a.selected_count(),
            max_artifact_count: a.selected_count(),
            last_modified: rfc3339(a.last_modified()),
        })
        .collect();
    drop(active);
    drop_in_background(snapshot);
    Summary { included_asset_count: assets.len(), assets, diagnostics }
}

/// The result of `validate`: every gate finding, grouped for people; `passed` decides the exit status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// True when nothing blocks.
    pub passed: bool,
    /// Workspace-level blockers (registry problems).
    pub workspace: Vec<Diagnostic>,
    /// Only the assets that have blocking diagnostics, with those diagnostics.
    pub assets: Vec<ValidationAsset>,
    /// Every warning, reported, never failing.
    pub warnings: Vec<Diagnostic>,
}

/// An active asset with at least one blocking diagnostic of its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationAsset {
    /// Registry id.
    pub asset_id: u32,
    /// The declaration's `name`; `None` when the declaration cannot be read.
    pub asset_name: Option<String>,
    /// Registry root, relative to `assets/` (`hero`).
    pub asset_root: String,
    /// Newest modification time over the root's files, RFC 3339 UTC, whole seconds; `None` if unknown.
    pub last_modified: Option<String>,
    /// This asset's blocking diagnostics only (its warnings are in `Validation::warnings`); never empty.
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs the gate read-only: inputs are read live, one at a time, and dropped.
pub fn validate(project: &Utf8Path, threads: Option<usize>) -> Validation {
    let (snapshot, report) = gate_live(project, threads);
    let validation = group(&snapshot, &report);
    drop_in_background((snapshot, report));
    validation
}

/// The gate over a runtime snapshot — the same checks the pack runs over its
/// frozen snapshot.
pub fn gate_live(project: &Utf8Path, threads: Option<usize>) -> (Snapshot, GateReport) {
    let snapshot = snapshot::walk(project, MaterializationConfig::runtime_checks());
    let report = gate::run(&snapshot, &LiveContent::new(project), &gate::pool(threads));
    (snapshot, report)
}

pub(crate) fn group(snapshot: &Snapshot, report: &GateReport) -> Validation {
    let (blocking, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        report.diagnostics.iter().cloned().partition(Diagnostic::is_blocking);
    // Indexed, not searched per asset: a registry can hold tens of
    // thousands of assets and findings, and the cost must stay linear.
    let of_workspace: HashSet<&Diagnostic> = snapshot.workspace_diagnostics.iter().collect();
    let mut by_root: HashMap<&str, Vec<Diagnostic>> = HashMap::new();
    for d in blocking.iter().filter(|d| !of_workspace.contains(d)) {
        if let Some(root) = d.asset_root.as_deref() {
            by_root.entry(root).or_default().push(d.clone());
        }
    }
    let assets: Vec<ValidationAsset> = snapshot
        .active()
        .filter_map(|a| {
            let diagnostics = by_root.remove(&*a.entry.root)?;
            Some(ValidationAsset {
                asset_id: a.entry.asset_id,
                asset_name: a.name().map(str::to_owned),
                asset_root: a.entry.root.to_string(),
                last_modified: rfc3339(a.last_modified()),
                diagnostics,
            })
        })
        .collect();
    let workspace: Vec<Diagnostic> = blocking.iter().filter(|d| of_workspace.contains(d)).cloned().collect();
    Validation { passed: !any_blocking(&report.diagnostics), workspace, assets, warnings }
}

/// RFC 3339 UTC, whole seconds.
/// `None` for a time RFC 3339 cannot spell here (before 1970, or after the
/// year 9999): a file's mtime is whatever the repository says and must
/// never make a report fail.
pub fn rfc3339(time: Option<SystemTime>) -> Option<String> {
    /// 10000-01-01T00:00:00Z in seconds since the epoch.
    const YEAR_10000: u64 = 253_402_300_800;
    let time = time?;
    let since_epoch = time.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    (since_epoch.as_secs() < YEAR_10000).then(|| humantime::format_rfc3339_seconds(time).to_string())
}
