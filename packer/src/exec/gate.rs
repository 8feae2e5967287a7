//! The gate: every check of the workspace, run the same way by read-only
//! validation (over a runtime snapshot, reading inputs live) and by the pack
//! (over the frozen snapshot). What passes comes out as a plan per asset:
//! its converged metadata and payload sizes, ready for the writer.

use std::borrow::Cow;
use std::collections::BTreeMap;

use prometeu_pa::{Entry, Metadata, SharedMetadata};
use rayon::prelude::*;

use crate::exec::kept::{Keeper, Sparse};
use crate::exec::snapshot::{AssetSnapshot, Snapshot};
use crate::families::metadata;
use crate::families::{AssetInput, Content, Materialized, SelectedFile};
use crate::support::diag::{Code, Diagnostic, any_blocking};
use crate::workspace::declaration::Declaration;

/// One asset that passed the gate, as the writer will lay it out: its
/// header entry, whole but for the `offset` that only the table's order
/// gives, and its preload slot. (The entry is the plan, not a copy of it,
/// so the header is made from the plans without a second list of names
/// and metadata.)
#[derive(Debug, Clone, PartialEq)]
pub struct AssetPlan {
    /// The header entry: `asset_id` (the order plans and payloads follow), `asset_name` (the
    /// declaration's `name`, unique in the active pack set), `bank_type` (from the family),
    /// `codec`, `size` (the payload's length, as the writer will stream it), `decoded_size`
    /// (bytes once resident in the runtime, as the family computes it) and the converged
    /// `metadata` (declared, `codec`, `pipeline` and derived keys, as its canonical text);
    /// `offset` is 0 until the header is laid out.
    pub entry: Entry,
    /// Preload slot (0–15) when `preload.enabled`; `None` when the asset is not preloaded.
    pub preload_slot: Option<u32>,
}

/// What the gate found over one snapshot: every diagnostic, and a plan per asset that passed.
/// The same report backs `validate` and the pack's go/no-go.
#[derive(Debug, Clone, PartialEq)]
pub struct GateReport {
    /// Every finding, workspace first, then by asset, then across assets.
    pub diagnostics: Vec<Diagnostic>,
    /// The active assets that passed, by `asset_id` (complete only when `passed`).
    pub plans: Vec<AssetPlan>,
}

impl GateReport {
    /// True when no diagnostic is blocking: the pack may write. Warnings never fail the gate.
    pub fn passed(&self) -> bool {
        !any_blocking(&self.diagnostics)
    }

    /// Diagnostics with `Severity::Blocking` (the `gate_blocked` event's `blocking`).
    pub fn blocking_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_blocking()).count()
    }

    /// Diagnostics with `Severity::Warning` (the `gate_*` events' `warnings`).
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.blocking_count()
    }
}

/// A built asset: the family's output with its converged metadata.
pub struct Built {
    pub materialized: Materialized,
    pub metadata: Metadata,
}

/// Decodes one asset's selected inputs (`files`, as `AssetSnapshot::selected`
/// gives them for `decl`) from `content` and converges its metadata. The
/// gate and the writer both call this, so the header the gate plans is the
/// header the writer's payloads fill.
pub fn build_asset(
    asset: &AssetSnapshot,
    decl: &Declaration,
    files: &[SelectedFile],
    content: &dyn Content,
) -> Result<Built, Vec<Diagnostic>> {
    let input = AssetInput { asset: asset.asset_ref(), decl, files, content };
    let materialized = crate::families::materialize(&input)?;
    let metadata = metadata::converge(&asset.asset_ref(), &decl.output, &materialized.derived)?;
    Ok(Built { materialized, metadata })
}

/// Runs every check over `snapshot`, decoding active assets on `pool`.
pub fn run(snapshot: &Snapshot, content: &dyn Content, pool: &rayon::ThreadPool) -> GateReport {
    run_with(snapshot, content, pool, None).0
}

/// `run`, keeping for the writer what `keeper` allows of each built
/// payload: one entry per plan, `None` where the writer rebuilds it.
pub fn run_keeping(
    snapshot: &Snapshot,
    content: &dyn Content,
    pool: &rayon::ThreadPool,
    keeper: &Keeper,
) -> (GateReport, Vec<Option<Sparse>>) {
    run_with(snapshot, content, pool, Some(keeper))
}

fn run_with(
    snapshot: &Snapshot,
    content: &dyn Content,
    pool: &rayon::ThreadPool,
    keeper: Option<&Keeper>,
) -> (GateReport, Vec<Option<Sparse>>) {
    let mut diagnostics = snapshot.workspace_diagnostics.clone();
    let active: Vec<&AssetSnapshot> = snapshot.active().collect();
    // What the gate keeps goes to a list of its own, and so do the findings
    // of the few assets that have any: in the list of plans they would make
    // every place larger, and the plans become the header's entries where
    // they are (see below).
    let (mut plans, mut kept): (Vec<Option<AssetPlan>>, Vec<Option<Sparse>>) = (Vec::new(), Vec::new());
    let findings = std::sync::Mutex::new(Vec::new());
    let shared = SharedMetadata::new();
    pool.install(|| {
        let each = active.par_iter().enumerate().map(|(at, asset)| {
            let ((found, plan), kept) = check_asset(snapshot, asset, content, keeper, &shared);
            if !found.is_empty() {
                findings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((at, found));
            }
            (plan, kept)
        });
        each.unzip_into_vecs(&mut plans, &mut kept);
    });
    let mut findings = findings.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    findings.sort_unstable_by_key(|(at, _)| *at);
    diagnostics.extend(findings.into_iter().flat_map(|(_, found)| found));
    // The plans that passed are collected into the list that held them all
    // (the standard library reuses a list's memory when what it collects
    // is no larger than what it consumes): a second list of every plan
    // would add to the peak of a pack, which is here.
    let mut passed = Vec::with_capacity(plans.len());
    let plans: Vec<AssetPlan> = plans
        .into_iter()
        .filter_map(|plan| {
            passed.push(plan.is_some());
            plan
        })
        .collect();
    let mut passed = passed.into_iter();
    kept.retain(|_| passed.next() == Some(true));
    diagnostics.extend(duplicate_names(&active));
    diagnostics.extend(preload_clashes(&active));
    (GateReport { diagnostics, plans }, kept)
}

/// One asset's findings, and its plan when it passed.
type Checked = (Vec<Diagnostic>, Option<AssetPlan>);

/// Checks one asset: its findings and plan, and what the gate kept of its payload.
fn check_asset(
    snapshot: &Snapshot,
    asset: &AssetSnapshot,
    content: &dyn Content,
    keeper: Option<&Keeper>,
    shared: &SharedMetadata,
) -> (Checked, Option<Sparse>) {
    let mut found = asset.diagnostics.to_vec();
    if any_blocking(&found) {
        return ((found, None), None);
    }
    let decl = match declaration_of(snapshot, asset) {
        Ok(decl) => decl,
        Err(missing) => {
            found.push(missing);
            return ((found, None), None);
        }
    };
    match build_asset(asset, &decl, &asset.selected(&decl), content) {
        Ok(built) => {
            let kept = keeper.and_then(|keeper| keeper.offer(&built.materialized.payload));
            found.extend(built.materialized.warnings);
            let entry = Entry {
                asset_id: asset.entry.asset_id,
                asset_name: decl.name.clone(),
                bank_type: decl.family.bank_type().into(),
                codec: prometeu_pa::CODEC_NONE.into(),
                offset: 0,
                size: built.materialized.payload.len() as u64,
                decoded_size: built.materialized.decoded_size,
                metadata: shared.share(built.metadata),
            };
            let plan = AssetPlan { entry, preload_slot: decl.preload.enabled_slot() };
            ((found, Some(plan)), kept)
        }
        Err(problems) => {
            found.extend(problems);
            ((found, None), None)
        }
    }
}

/// The declaration of an asset with no blocking finding. A walk whose
/// projection dropped its `asset.json` has none: that blocks the asset, as
/// an input missing from the snapshot does, so no asset is left out of a
/// pack unsaid.
fn declaration_of<'a>(snapshot: &'a Snapshot, asset: &'a AssetSnapshot) -> Result<Cow<'a, Declaration>, Diagnostic> {
    snapshot.declaration(asset).ok_or_else(|| {
        let path = crate::workspace::layout::declaration_path(&asset.entry.root);
        Diagnostic::blocking(Code::DeclarationUnreadable, format!("cannot read {path}: it is not in the snapshot"))
            .asset(asset.entry.asset_id, &asset.entry.root)
            .file(path)
    })
}

/// `name` is unique within the active pack set.
fn duplicate_names(active: &[&AssetSnapshot]) -> Vec<Diagnostic> {
    let mut first_by_name: BTreeMap<&str, &AssetSnapshot> = BTreeMap::new();
    let mut found = Vec::new();
    for asset in active {
        let Some(name) = asset.name() else { continue };
        match first_by_name.get(name) {
            None => {
                first_by_name.insert(name, asset);
            }
            Some(first) => found.push(
                Diagnostic::blocking(
                    Code::AssetNameDuplicate,
                    format!(
                        "asset name `{name}` is used by assets/{} (id {}) and assets/{} (id {}); \
                         names are unique in the build, so rename one of them",
                        first.entry.root, first.entry.asset_id, asset.entry.root, asset.entry.asset_id
                    ),
                )
                .asset(asset.entry.asset_id, &asset.entry.root)
                .file(crate::workspace::layout::declaration_path(&asset.entry.root)),
            ),
        }
    }
    found
}

/// Two active assets of one bank type may not preload into one slot.
fn preload_clashes(active: &[&AssetSnapshot]) -> Vec<Diagnostic> {
    let mut first_by_slot: BTreeMap<(&str, u32), &AssetSnapshot> = BTreeMap::new();
    let mut found = Vec::new();
    for asset in active {
        let Some(decl) = &asset.declared else { continue };
        let Some(slot) = decl.preload.enabled_slot() else { continue };
        let bank = decl.family.bank_type();
        match first_by_slot.get(&(bank, slot)) {
            None => {
                first_by_slot.insert((bank, slot), asset);
            }
            Some(first) => found.push(
                Diagnostic::blocking(
                    Code::PreloadSlotClash,
                    format!(
                        "{bank} preload slot {slot} is taken by `{}` (assets/{}) and `{}` (assets/{}); \
                         give one of them another `preload.slot`",
                        first.name().unwrap_or("?"),
                        first.entry.root,
                        decl.name,
                        asset.entry.root
                    ),
                )
                .asset(asset.entry.asset_id, &asset.entry.root)
                .file(crate::workspace::layout::declaration_path(&asset.entry.root)),
            ),
        }
    }
    found
}

/// A pool of `threads` workers (`None`: one per core). When the OS refuses
/// that many threads, the work runs on fewer: the output is the same.
pub fn pool(threads: Option<usize>) -> rayon::ThreadPool {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    builder
        .build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .expect("a one-thread pool can be created")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::snapshot::{FileKind, MaterializationConfig, Probe, WalkMode, walk};

    /// A packing walk that drops every declaration: the gate must block
    /// each asset rather than plan a pack without them.
    #[test]
    fn an_asset_whose_declaration_the_snapshot_dropped_is_blocked() {
        let p = prometeu_test_support::sample_project();
        let no_declarations = |probe: &Probe| probe.kind != FileKind::Declaration && probe.included_in_build;
        let config = MaterializationConfig { mode: WalkMode::Packing, projection_filter: no_declarations };
        let snapshot = walk(&p.path, config);
        let report = run(&snapshot, &snapshot, &pool(Some(1)));
        assert!(!report.passed());
        assert!(report.plans.is_empty(), "{:?}", report.plans);
        let dropped: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::DeclarationUnreadable)
            .filter_map(|d| d.asset_root.as_deref())
            .collect();
        let active: Vec<&str> = snapshot.active().map(|a| &*a.entry.root).collect();
        assert_eq!(dropped, active);
        // The same walk with its declarations kept passes.
        let snapshot = walk(&p.path, MaterializationConfig::packing_build());
        assert!(run(&snapshot, &snapshot, &pool(Some(1))).passed());
    }
}
