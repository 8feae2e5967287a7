//! `pack_workspace`: the one operation that publishes `build/assets.pa` and
//! its companions. Lane (held by the caller) → recovery → frozen snapshot →
//! gate → streamed write into staging → conformance check → promotion.

use std::io::{BufWriter, Write};
use std::time::Instant;

use camino::Utf8Path;
use fs_err as fs;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::gate::{self, AssetPlan, GateReport};
use crate::lane::LaneGuard;
use crate::log::{Channel, Level, LogLine, diagnostic_line};
use crate::pa::{self, CODEC_NONE, Entry, Header, PaWriter, PreloadEntry};
use crate::snapshot::{self, AssetSnapshot, MaterializationConfig, Snapshot};
use crate::stage::{self, PromoteError, Stage};
use crate::testpoint::TestPoints;
use crate::{BUILD_DIR, PREPARATION_MARKER};

pub const ASSETS_PA: &str = "assets.pa";
pub const ASSET_TABLE_JSON: &str = "asset_table.json";
pub const PRELOAD_JSON: &str = "preload.json";
pub const ASSET_TABLE_METADATA_JSON: &str = "asset_table_metadata.json";
/// Everything a pack publishes, promoted together.
pub const OUTPUTS: [&str; 4] = [ASSETS_PA, ASSET_TABLE_JSON, PRELOAD_JSON, ASSET_TABLE_METADATA_JSON];
pub const TABLE_METADATA_SCHEMA_VERSION: u64 = 1;

#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// Worker threads for decoding (`None`: one per core). Output never depends on it.
    pub threads: Option<usize>,
    pub testpoints: TestPoints,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    Blocked,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureStage {
    Execution,
    Persistence,
}

/// The pack result (`operations.md`, "Pack result").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackResult {
    pub operation_id: String,
    pub status: Status,
    pub failure_stage: Option<FailureStage>,
    pub execution_began: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets_pa: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub companions: Option<Vec<String>>,
    pub packed_asset_count: usize,
    pub elapsed_ms: u64,
    pub diagnostics: Vec<Diagnostic>,
    /// What went wrong, when `status` is `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A pack event; `sequence` starts at 1 and strictly increases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackEvent {
    pub operation_id: String,
    pub sequence: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Started,
    SnapshotFrozen { asset_count: usize, file_count: usize, bytes: u64 },
    GatePassed { asset_count: usize, warnings: usize },
    GateBlocked { blocking: usize, warnings: usize },
    AssetPacked { asset_id: u32, asset_name: String, done: usize, total: usize },
    Staged { files: Vec<String>, bytes: u64 },
    Promoted { files: Vec<String> },
    Finished { status: Status },
}

/// Receives events and log lines as they happen. Events are delivered
/// synchronously, in order, on the calling thread.
pub trait Observer {
    fn event(&mut self, _event: &PackEvent) {}
    fn log(&mut self, _line: &LogLine) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// The result and the log lines the pack captured (`pack-validation`, `pack`).
#[derive(Debug, Clone)]
pub struct PackOutcome {
    pub result: PackResult,
    pub logs: Vec<LogLine>,
}

/// Packs the active pack set of the lane's project into `build/`.
pub fn pack_workspace(lane: &LaneGuard, options: &PackOptions, observer: &mut dyn Observer) -> PackOutcome {
    let mut run = Run::new(observer);
    let result = run.pack(lane, options);
    run.event(EventKind::Finished { status: result.status });
    PackOutcome { result, logs: run.logs }
}

/// One pack in progress: numbering events and capturing log lines.
struct Run<'o> {
    observer: &'o mut dyn Observer,
    operation_id: String,
    sequence: u64,
    logs: Vec<LogLine>,
    started: Instant,
}

/// Why execution stopped, and at which stage.
struct Failure(FailureStage, String);

impl<'o> Run<'o> {
    fn new(observer: &'o mut dyn Observer) -> Run<'o> {
        Run { observer, operation_id: stage::operation_id(), sequence: 0, logs: Vec::new(), started: Instant::now() }
    }

    fn event(&mut self, kind: EventKind) {
        self.sequence += 1;
        let event = PackEvent { operation_id: self.operation_id.clone(), sequence: self.sequence, kind };
        self.observer.event(&event);
    }

    fn log(&mut self, line: LogLine) {
        self.observer.log(&line);
        self.logs.push(line);
    }

    fn info(&mut self, message: String) {
        self.log(LogLine::new(Channel::Pack, Level::Info, message));
    }

    fn pack(&mut self, lane: &LaneGuard, options: &PackOptions) -> PackResult {
        self.event(EventKind::Started);
        let build_dir = lane.build_dir();
        let snapshot = snapshot::walk(lane.project(), MaterializationConfig::packing_build());
        self.event(EventKind::SnapshotFrozen {
            asset_count: snapshot.active().count(),
            file_count: snapshot.files.len(),
            bytes: snapshot.held_bytes(),
        });
        self.info(format!(
            "snapshot frozen: {} assets, {} files, {} bytes",
            snapshot.active().count(),
            snapshot.files.len(),
            snapshot.held_bytes()
        ));
        if let Err(e) = options.testpoints.hit("pack.after_snapshot") {
            return self.finish_failed(FailureStage::Execution, e.to_string(), true, Vec::new());
        }
        let pool = gate::pool(options.threads);
        let report = gate::run(&snapshot, &snapshot, &pool);
        if !self.report_gate(&report) {
            return self.result(Status::Blocked, None, false, report.plans.len(), report.diagnostics, None);
        }
        let diagnostics = report.diagnostics.clone();
        match self.execute(&build_dir, &snapshot, &report, &pool, &options.testpoints) {
            Ok(()) => self.result(Status::Success, None, true, report.plans.len(), diagnostics, None),
            Err(Failure(stage, message)) => self.finish_failed(stage, message, true, diagnostics),
        }
    }

    /// Logs the gate's findings on `pack-validation`; true when it passed.
    fn report_gate(&mut self, report: &GateReport) -> bool {
        for d in &report.diagnostics {
            self.log(diagnostic_line(Channel::PackValidation, d));
        }
        let (blocking, warnings) = (report.blocking_count(), report.warning_count());
        if report.passed() {
            self.event(EventKind::GatePassed { asset_count: report.plans.len(), warnings });
            let line = format!("gate passed: {} assets, {warnings} warnings", report.plans.len());
            self.log(LogLine::new(Channel::PackValidation, Level::Info, line));
        } else {
            self.event(EventKind::GateBlocked { blocking, warnings });
            let line = format!("gate blocked: {blocking} blocking diagnostics; nothing was written");
            self.log(LogLine::new(Channel::PackValidation, Level::Error, line));
        }
        report.passed()
    }

    fn execute(
        &mut self,
        build_dir: &Utf8Path,
        snapshot: &Snapshot,
        report: &GateReport,
        pool: &rayon::ThreadPool,
        points: &TestPoints,
    ) -> Result<(), Failure> {
        let exec = |e: std::io::Error| Failure(FailureStage::Execution, e.to_string());
        let stage = Stage::create(build_dir, &self.operation_id).map_err(exec)?;
        match self.stage_and_check(&stage, snapshot, report, pool, points) {
            Ok(bytes) => self.event(EventKind::Staged { files: OUTPUTS.map(String::from).to_vec(), bytes }),
            Err(message) => {
                let _ = stage.discard();
                return Err(Failure(FailureStage::Execution, message));
            }
        }
        self.info(format!("staged in build/{}/{}", stage::STAGING_DIR, self.operation_id));
        stage
            .promote(&OUTPUTS, &[PREPARATION_MARKER], points)
            .map_err(|e: PromoteError| Failure(FailureStage::Persistence, e.to_string()))?;
        self.event(EventKind::Promoted { files: OUTPUTS.map(|f| format!("{BUILD_DIR}/{f}")).to_vec() });
        self.info(format!("promoted {} into {BUILD_DIR}/", OUTPUTS.join(", ")));
        Ok(())
    }

    /// Writes the four outputs into staging and verifies them; returns the
    /// `assets.pa` length.
    fn stage_and_check(
        &mut self,
        stage: &Stage,
        snapshot: &Snapshot,
        report: &GateReport,
        pool: &rayon::ThreadPool,
        points: &TestPoints,
    ) -> Result<u64, String> {
        let header = header(&report.plans);
        let written = self.write_pa(&stage.path(ASSETS_PA), snapshot, &report.plans, &header, pool, points)?;
        let io = |e: std::io::Error| e.to_string();
        stage.write(ASSET_TABLE_JSON, &header.asset_table_json()).map_err(io)?;
        stage.write(PRELOAD_JSON, &header.preload_json()).map_err(io)?;
        stage.write(ASSET_TABLE_METADATA_JSON, &table_metadata(snapshot, &written)).map_err(io)?;
        points.hit("pack.staged").map_err(io)?;
        conformance(stage, &header)?;
        Ok(written.file_len)
    }

    /// Streams `assets.pa`: payloads are rebuilt from the snapshot a window at
    /// a time (in parallel) and written in table order, so the file is never
    /// held in memory whole.
    fn write_pa(
        &mut self,
        path: &Utf8Path,
        snapshot: &Snapshot,
        plans: &[AssetPlan],
        header: &Header,
        pool: &rayon::ThreadPool,
        points: &TestPoints,
    ) -> Result<Written, String> {
        use rayon::prelude::*;
        let io = |e: std::io::Error| format!("cannot write {path}: {e}");
        let file = HashingWriter::new(BufWriter::new(fs::File::create(path).map_err(io)?));
        let mut writer = PaWriter::new(file, header).map_err(io)?;
        let build = |plan: &AssetPlan| {
            let asset = snapshot.asset(plan.asset_id).expect("planned assets are in the snapshot");
            let decl = asset.declaration.as_ref().expect("planned assets have declarations");
            gate::build_asset(asset, decl, snapshot)
        };
        let window = pool.current_num_threads() * 2;
        let mut payload_sha256 = Vec::with_capacity(plans.len());
        for chunk in plans.chunks(window) {
            points.hit("pack.materialize").map_err(|e| e.to_string())?;
            let built: Vec<_> = pool.install(|| chunk.par_iter().map(build).collect());
            for (plan, built) in chunk.iter().zip(built) {
                let payload = checked_payload(plan, built)?;
                payload_sha256.push((plan.asset_id, hex(&Sha256::digest(&payload))));
                writer.payload(&payload).map_err(io)?;
                let done = payload_sha256.len();
                self.event(EventKind::AssetPacked {
                    asset_id: plan.asset_id,
                    asset_name: plan.name.clone(),
                    done,
                    total: plans.len(),
                });
            }
        }
        let mut hashing = writer.finish().map_err(io)?;
        hashing.flush().map_err(io)?;
        Ok(Written { file_len: hashing.len, file_sha256: hex(&hashing.hasher.finalize()), payload_sha256 })
    }

    fn finish_failed(
        &mut self,
        stage: FailureStage,
        message: String,
        began: bool,
        diagnostics: Vec<Diagnostic>,
    ) -> PackResult {
        self.log(LogLine::new(Channel::Pack, Level::Error, format!("pack failed: {message}")));
        self.result(Status::Failed, Some(stage), began, 0, diagnostics, Some(message))
    }

    fn result(
        &mut self,
        status: Status,
        failure_stage: Option<FailureStage>,
        execution_began: bool,
        count: usize,
        diagnostics: Vec<Diagnostic>,
        error: Option<String>,
    ) -> PackResult {
        let success = status == Status::Success;
        PackResult {
            operation_id: self.operation_id.clone(),
            status,
            failure_stage,
            execution_began,
            assets_pa: success.then(|| format!("{BUILD_DIR}/{ASSETS_PA}")),
            companions: success.then(|| OUTPUTS[1..].iter().map(|f| format!("{BUILD_DIR}/{f}")).collect()),
            packed_asset_count: if success { count } else { 0 },
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            diagnostics,
            error,
        }
    }
}

/// The gate already built every asset once; a second build that differs
/// means nondeterminism, and must never reach a file.
fn checked_payload(plan: &AssetPlan, built: Result<gate::Built, Vec<Diagnostic>>) -> Result<Vec<u8>, String> {
    let built =
        built.map_err(|d| format!("asset {} failed to rebuild after passing the gate: {:?}", plan.asset_id, d))?;
    if built.materialized.payload.len() as u64 != plan.size || built.metadata != plan.metadata {
        return Err(format!("asset {} rebuilt differently from what the gate planned", plan.asset_id));
    }
    Ok(built.materialized.payload)
}

/// The header the plans describe: entries in `asset_id` order, back to back.
pub fn header(plans: &[AssetPlan]) -> Header {
    let mut offset = 0;
    let asset_table = plans
        .iter()
        .map(|plan| {
            let entry = Entry {
                asset_id: plan.asset_id,
                asset_name: plan.name.clone(),
                bank_type: plan.family.bank_type().to_owned(),
                codec: CODEC_NONE.to_owned(),
                offset,
                size: plan.size,
                decoded_size: plan.decoded_size,
                metadata: plan.metadata.clone(),
            };
            offset += plan.size;
            entry
        })
        .collect();
    let preload =
        plans.iter().filter_map(|p| Some(PreloadEntry { asset_id: p.asset_id, slot: p.preload_slot? })).collect();
    Header { asset_table, preload }
}

struct Written {
    file_len: u64,
    file_sha256: String,
    payload_sha256: Vec<(u32, String)>,
}

/// `asset_table_metadata.json`: tooling facts only — nothing that varies by
/// machine, path, user or time.
fn table_metadata(snapshot: &Snapshot, written: &Written) -> Vec<u8> {
    let assets: Vec<Value> = written
        .payload_sha256
        .iter()
        .map(|(id, sha)| {
            let asset = snapshot.asset(*id).expect("written assets are in the snapshot");
            asset_metadata(snapshot, asset, sha)
        })
        .collect();
    let value = json!({
        "schema_version": TABLE_METADATA_SCHEMA_VERSION,
        "assets_pa": { "size": written.file_len, "sha256": written.file_sha256 },
        "assets": assets,
    });
    crate::canonical::to_vec(&value).expect("table metadata holds integers only")
}

fn asset_metadata(snapshot: &Snapshot, asset: &AssetSnapshot, payload_sha256: &str) -> Value {
    let decl = asset.declaration.as_ref().expect("written assets have declarations");
    let inputs: Vec<Value> = asset
        .selected
        .iter()
        .map(|file| {
            let bytes = crate::family::Content::bytes(snapshot, &file.path).unwrap_or_default();
            json!({
                "path": file.path,
                "role": decl.family.main_role(),
                "index": file.index,
                "size": bytes.len(),
                "sha256": hex(&Sha256::digest(&bytes)),
            })
        })
        .collect();
    json!({
        "asset_id": asset.entry.asset_id,
        "asset_uuid": asset.entry.asset_uuid,
        "asset_root": format!("assets/{}", asset.entry.root),
        "family": decl.family.type_name(),
        "format": decl.family.format(),
        "payload_sha256": payload_sha256,
        "inputs": inputs,
    })
}

/// Step 5: re-read the staged files and check every structural rule.
fn conformance(stage: &Stage, planned: &Header) -> Result<(), String> {
    let fail = |violations: Vec<pa::Violation>| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        format!("the staged assets.pa failed its conformance check: {}", list.join("; "))
    };
    let inspection = pa::verify_file(&stage.path(ASSETS_PA)).map_err(fail)?;
    if &inspection.header != planned {
        return Err("the staged assets.pa header differs from the planned header".into());
    }
    let read = |name: &str| fs::read(stage.path(name)).map_err(|e| e.to_string());
    let violations = pa::verify_companions(&inspection.header, &read(ASSET_TABLE_JSON)?, &read(PRELOAD_JSON)?);
    if violations.is_empty() { Ok(()) } else { Err(fail(violations)) }
}

/// Counts and hashes what passes through, so the file's digest costs no re-read.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> HashingWriter<W> {
        HashingWriter { inner, hasher: Sha256::new(), len: 0 }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Lowercase hex, as every digest in the companions is written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
