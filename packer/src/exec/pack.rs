//! `pack_workspace`: the one operation that publishes `build/assets.pa` and
//! its companions. Lane (held by the caller) → recovery → frozen snapshot →
//! gate → streamed write into staging → conformance check → promotion.

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use camino::Utf8Path;
use fs_err as fs;
use prometeu_shape::counted;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::exec::frozen::FrozenFile;
use crate::exec::gate::{self, AssetPlan, GateReport};
use crate::exec::kept::{Keeper, PACK_KEEP_BYTES, Sparse};
use crate::exec::lane::LaneGuard;
use crate::exec::origin::Origin;
use crate::exec::snapshot::{self, AssetSnapshot, MaterializationConfig, Snapshot};
use crate::exec::staging::{self, PromoteError, Staging};
use crate::families::SelectedFile;
use crate::support::background::drop_in_background;
use crate::support::diag::Diagnostic;
use crate::support::log::{Channel, Level, LogLine, diagnostic_line};
use crate::support::testpoint::{TestPoint, TestPoints};
use crate::workspace::layout::{
    ASSET_TABLE_JSON, ASSET_TABLE_METADATA_JSON, ASSETS_PA, BUILD_DIR, MANIFEST_FILE, PACK_ORIGIN, PACK_OUTPUTS,
    PRELOAD_JSON, RootPath,
};
use prometeu_pa::{self, Entry, Header, PaWriter, PreloadEntry};

/// `schema_version` written in `build/asset_table_metadata.json` (local; tools only, the runtime never reads it).
pub const TABLE_METADATA_SCHEMA_VERSION: u64 = 1;

/// How to run a pack; neither option can change the bytes written.
#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// Worker threads for decoding (`None`: one per core). Output never depends on it.
    pub threads: Option<usize>,
    /// Points to pause or fail at, for crash tests; empty (the default) in every shipped build.
    pub testpoints: TestPoints,
    /// Asks the pack, from any thread, to stop at its next safe point.
    pub stop: StopRequest,
    /// Who publishes the pack: a preparation's step or the pack alone (the default).
    pub origin: Origin,
}

/// A request that a pack stop early (Ctrl-C in the command line, a Stop
/// button in an editor). The pack looks at it at safe points — before the
/// gate, between payload windows, before promotion — and then fails at the
/// execution stage: `build/` untouched, staging removed. Once promotion has
/// begun, the pack finishes.
#[derive(Debug, Clone, Default)]
pub struct StopRequest(Arc<AtomicBool>);

impl StopRequest {
    /// A request nobody has made yet.
    pub fn new() -> StopRequest {
        StopRequest::default()
    }

    /// Makes the request; safe from any thread, any number of times.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether `request` was called.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err` with the failure's sentence once requested.
    fn check(&self) -> Result<(), String> {
        if self.is_requested() { Err(STOPPED.to_owned()) } else { Ok(()) }
    }
}

/// The error of a pack stopped on request.
pub const STOPPED: &str = "stopped on request before promotion; build/ is unchanged";

/// How a pack ended, as the result's `status`; tells blocked, failed and successful packs apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The new `assets.pa` and companions are in `build/`.
    Success,
    /// The gate found a blocking diagnostic; nothing in `build/` was touched.
    Blocked,
    /// The pack could not complete (I/O, conformance, promotion); `failure_stage` and `error` say where and why.
    Failed,
}

/// Where a failed pack stopped, as the result's `failure_stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureStage {
    /// Staging, writing or the conformance check: `build/` untouched, staging removed.
    Execution,
    /// Promotion: before the commit point the old outputs stay; after it the next lane holder completes it.
    Persistence,
}

/// The pack result (`docs/reference/operations.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackResult {
    /// This run's id: 20 random ASCII letters and digits, also the staging directory's name.
    pub operation_id: String,
    /// `success`, `blocked` or `failed`: on its own it tells the three outcomes apart.
    pub status: Status,
    /// Where it stopped when `status` is `failed`; `None` (`null`) otherwise.
    pub failure_stage: Option<FailureStage>,
    /// False only when the gate blocked, so no write was attempted; true for every success or failure.
    pub execution_began: bool,
    /// `build/assets.pa`, project-relative; only on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets_pa: Option<String>,
    /// The three companion files, project-relative (`build/asset_table.json`, …); only on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub companions: Option<Vec<String>>,
    /// Assets in the new `assets.pa`; 0 unless `status` is `success`.
    pub packed_asset_count: usize,
    /// Wall time of the pack, in milliseconds (never part of any output).
    pub elapsed_ms: u64,
    /// Every finding of the gate, warnings included, in gate order; empty if the gate never ran.
    pub diagnostics: Vec<Diagnostic>,
    /// What went wrong, when `status` is `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A pack event; `sequence` starts at 1 and strictly increases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackEvent {
    /// The pack's `operation_id`, the same in every event and in the result.
    pub operation_id: String,
    /// Position of this event in the pack: 1, 2, 3, … with no gaps.
    pub sequence: u64,
    /// What happened; serialized inline as `kind` plus the kind's own fields.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of pack event, in the order they occur (`docs/reference/operations.md`).
/// A blocked pack goes from `GateBlocked` to `Finished`; a failed one ends early with `Finished`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The pack has begun; always the first event.
    Started,
    /// The snapshot is frozen: from here on nothing in the workspace is read again.
    SnapshotFrozen {
        /// Assets in the active pack set (registered and included in the build).
        asset_count: usize,
        /// Files the snapshot kept: each active `asset.json` and selected input.
        file_count: usize,
        /// Content bytes held in memory (inputs over their family's size limit are not read).
        bytes: u64,
    },
    /// The gate found nothing blocking; writing to staging starts next.
    GatePassed {
        /// Assets that will be packed.
        asset_count: usize,
        /// Warning diagnostics, which never stop a pack.
        warnings: usize,
    },
    /// The gate found a blocking diagnostic: nothing is written and `Finished` follows.
    GateBlocked {
        /// Blocking diagnostics found; at least 1.
        blocking: usize,
        /// Warning diagnostics found alongside them.
        warnings: usize,
    },
    /// One asset's payload was written to the staged `assets.pa`; once per asset, in `asset_id` order.
    AssetPacked {
        /// Registry id of the asset just written.
        asset_id: u32,
        /// Its declared `name`.
        asset_name: String,
        /// Assets written so far, this one included (1 to `total`).
        done: usize,
        /// Assets this pack writes.
        total: usize,
    },
    /// All four outputs are written to staging and passed the conformance check.
    Staged {
        /// The staged file names (`assets.pa` and its three companions).
        files: Vec<String>,
        /// Length of the staged `assets.pa`, in bytes.
        bytes: u64,
    },
    /// The outputs were promoted into `build/`: the pack is published.
    Promoted {
        /// The published files, project-relative (`build/assets.pa`, …).
        files: Vec<String>,
    },
    /// The pack is over; always the last event, whatever the outcome.
    Finished {
        /// The result's `status`.
        status: Status,
    },
}

/// Receives events and log lines as they happen. Events are delivered
/// synchronously, in order, on the calling thread.
pub trait PackObserver {
    /// Called for each event, in `sequence` order; the default ignores it.
    fn event(&mut self, _event: &PackEvent) {}
    /// Called for each log line as it is captured (also kept in `PackOutcome::logs`); the default ignores it.
    fn log(&mut self, _line: &LogLine) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl PackObserver for Quiet {}

/// The result and the log lines the pack captured (`pack-validation`, `pack`).
#[derive(Debug, Clone)]
pub struct PackOutcome {
    /// The pack result, as the command line prints it.
    pub result: PackResult,
    /// Every log line of the pack, in order (`pack-validation` and `pack` channels).
    pub logs: Vec<LogLine>,
}

/// Packs the active pack set of the lane's project into `build/`.
pub fn pack_workspace(lane: &LaneGuard, options: &PackOptions, observer: &mut dyn PackObserver) -> PackOutcome {
    let mut run = Run::new(observer);
    let result = run.pack(lane, options);
    run.event(EventKind::Finished { status: result.status });
    PackOutcome { result, logs: run.logs }
}

/// One pack in progress: numbering events and capturing log lines.
struct Run<'o> {
    observer: &'o mut dyn PackObserver,
    operation_id: String,
    sequence: u64,
    logs: Vec<LogLine>,
    started: Instant,
}

/// Why execution stopped, and at which stage.
struct Failure(FailureStage, String);

impl<'o> Run<'o> {
    fn new(observer: &'o mut dyn PackObserver) -> Run<'o> {
        Run { observer, operation_id: staging::operation_id(), sequence: 0, logs: Vec::new(), started: Instant::now() }
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
        let pool = gate::pool(options.threads);
        let snapshot = pool.install(|| snapshot::walk(lane.project(), MaterializationConfig::packing_build()));
        self.event(EventKind::SnapshotFrozen {
            asset_count: snapshot.active().count(),
            file_count: snapshot.frozen_count(),
            bytes: snapshot.held_bytes(),
        });
        self.info(format!(
            "snapshot frozen: {} assets, {} files, {} bytes",
            snapshot.active().count(),
            snapshot.frozen_count(),
            snapshot.held_bytes()
        ));
        if let Err(e) = options.testpoints.hit(TestPoint::PackAfterSnapshot) {
            return self.finish_failed(FailureStage::Execution, e.to_string(), true, Vec::new());
        }
        if let Err(stopped) = options.stop.check() {
            return self.finish_failed(FailureStage::Execution, stopped, true, Vec::new());
        }
        let (mut report, mut kept) = gate::run_keeping(&snapshot, &snapshot, &pool, &Keeper::new(PACK_KEEP_BYTES));
        if !self.report_gate(&report) {
            return self.result(Status::Blocked, None, false, report.plans.len(), report.diagnostics, None);
        }
        let held = kept.iter().flatten().map(Sparse::held).sum::<u64>();
        let count = kept.iter().flatten().count();
        self.info(format!(
            "{count} of {} payloads kept from the gate ({held} bytes), the rest rebuilt from the snapshot",
            report.plans.len()
        ));
        let diagnostics = report.diagnostics.clone();
        let planned = report.plans.len();
        let result = match self.execute(&build_dir, snapshot, &mut report, &mut kept, &pool, options) {
            Ok(()) => self.result(Status::Success, None, true, planned, diagnostics, None),
            Err(Failure(stage, message)) => self.finish_failed(stage, message, true, diagnostics),
        };
        drop_in_background(report);
        result
    }

    /// Logs the gate's findings on `pack-validation`; true when it passed.
    fn report_gate(&mut self, report: &GateReport) -> bool {
        for d in &report.diagnostics {
            self.log(diagnostic_line(Channel::PackValidation, d));
        }
        let (blocking, warnings) = (report.blocking_count(), report.warning_count());
        if report.passed() {
            self.event(EventKind::GatePassed { asset_count: report.plans.len(), warnings });
            let (assets, warned) = (counted(report.plans.len(), "asset"), counted(warnings, "warning"));
            let line = format!("gate passed: {assets}, {warned}");
            self.log(LogLine::new(Channel::PackValidation, Level::Info, line));
        } else {
            self.event(EventKind::GateBlocked { blocking, warnings });
            let line = format!("gate blocked: {}; nothing was written", counted(blocking, "blocking diagnostic"));
            self.log(LogLine::new(Channel::PackValidation, Level::Error, line));
        }
        report.passed()
    }

    /// Stages, checks and promotes; takes the snapshot so it can be freed
    /// as soon as the last output that needs it is written.
    fn execute(
        &mut self,
        build_dir: &Utf8Path,
        snapshot: Snapshot,
        report: &mut GateReport,
        kept: &mut [Option<Sparse>],
        pool: &rayon::ThreadPool,
        options: &PackOptions,
    ) -> Result<(), Failure> {
        let exec = |e: std::io::Error| Failure(FailureStage::Execution, e.to_string());
        options.stop.check().map_err(|stopped| Failure(FailureStage::Execution, stopped))?;
        let points = &options.testpoints;
        let stage = Staging::create(build_dir, &self.operation_id).map_err(exec)?;
        forget_cached(&build_dir.join(ASSETS_PA));
        let staged = self
            .stage_and_check(&stage, snapshot, report, kept, pool, options)
            .and_then(|bytes| options.stop.check().map(|()| bytes));
        match staged {
            Ok(bytes) => self.event(EventKind::Staged { files: PACK_OUTPUTS.map(String::from).to_vec(), bytes }),
            Err(message) => {
                let _ = stage.discard();
                return Err(Failure(FailureStage::Execution, message));
            }
        }
        self.info(format!("staged in build/{}/{}", staging::STAGING_DIR, self.operation_id));
        let mut published = PACK_OUTPUTS.to_vec();
        published.push(PACK_ORIGIN);
        if let Err(e) = options.origin.stage(&stage, PACK_ORIGIN) {
            let _ = stage.discard();
            return Err(Failure(FailureStage::Persistence, e.to_string()));
        }
        stage
            .promote(&published, &[MANIFEST_FILE], points)
            .map_err(|e: PromoteError| Failure(FailureStage::Persistence, e.to_string()))?;
        self.event(EventKind::Promoted { files: PACK_OUTPUTS.map(|f| format!("{BUILD_DIR}/{f}")).to_vec() });
        self.info(format!("promoted {} into {BUILD_DIR}/", PACK_OUTPUTS.join(", ")));
        Ok(())
    }

    /// Writes the four outputs into staging and verifies them; returns the
    /// `assets.pa` length. The snapshot is freed before the conformance
    /// check, which reads only the staged files.
    fn stage_and_check(
        &mut self,
        stage: &Staging,
        snapshot: Snapshot,
        report: &mut GateReport,
        kept: &mut [Option<Sparse>],
        pool: &rayon::ThreadPool,
        options: &PackOptions,
    ) -> Result<u64, String> {
        let points = &options.testpoints;
        // The plans become the header: their names and metadata are held once.
        let header = header_of(std::mem::take(&mut report.plans));
        // The companions need no payload: they are written while the payloads stream.
        let (written, companions) = std::thread::scope(|scope| {
            let companions = scope.spawn(|| {
                stage
                    .write_with(ASSET_TABLE_JSON, |out| header.write_asset_table_json(out))
                    .and_then(|()| stage.write_with(PRELOAD_JSON, |out| header.write_preload_json(out)))
            });
            let target = Target {
                path: &stage.path(ASSETS_PA),
                metadata: &stage.path(ASSET_TABLE_METADATA_JSON),
                header: &header,
            };
            let written = self.write_pa(target, &snapshot, kept, pool, options);
            (written, companions.join().expect("writing the companions does not panic"))
        });
        // Freed here, not on a thread of its own: the check below reads the
        // staged header and companions back whole, and beside a snapshot
        // still being freed that was the peak of a large pack (478 MiB at
        // 100k assets, where the writer's own peak was 470).
        drop(snapshot);
        let written = written?;
        companions.map_err(|e| e.to_string())?;
        points.hit(TestPoint::PackStaged).map_err(|e| e.to_string())?;
        conformance(stage, &header)?;
        Ok(written.file_len)
    }

    /// Streams `assets.pa` and `asset_table_metadata.json`: payloads are
    /// taken from what the gate kept, or rebuilt from the snapshot, a window
    /// at a time on the pool (each payload and its asset's inputs hashed by
    /// the worker that made it, into the asset's record of the metadata)
    /// while a writer thread hashes and writes the previous window in table
    /// order, so neither file is held in memory whole, no digest is held for
    /// the whole pack, and decoding, hashing and writing overlap.
    /// `asset_packed` events follow the writer, on this thread. The header's
    /// entries are the plan: one per asset, in order.
    fn write_pa(
        &mut self,
        Target { path, metadata, header }: Target<'_>,
        snapshot: &Snapshot,
        kept: &mut [Option<Sparse>],
        pool: &rayon::ThreadPool,
        options: &PackOptions,
    ) -> Result<Written, String> {
        use rayon::prelude::*;
        let io = |e: std::io::Error| format!("cannot write {path}: {e}");
        let file = fs::File::create(path).map_err(io)?;
        let metadata_io = |e: std::io::Error| format!("cannot write {metadata}: {e}");
        let records = staging::output(metadata).and_then(TableMetadataWriter::start).map_err(metadata_io)?;
        let entries = &header.asset_table;
        let build = |(entry, kept): (&Entry, &mut Option<Sparse>)| {
            let asset = snapshot.asset(entry.asset_id).expect("planned assets are in the snapshot");
            let decl = snapshot.declaration(asset).expect("planned assets have declarations");
            let files = asset.selected(&decl);
            let payload = match kept.take() {
                Some(sparse) => kept_payload(entry, &sparse)?,
                None => checked_payload(entry, gate::build_asset(asset, &decl, &files, snapshot))?,
            };
            let record = asset_record(snapshot, asset, &files, Sha256::digest(&payload).into());
            Ok::<_, String>((payload, record))
        };
        let (to_writer, windows) = std::sync::mpsc::sync_channel::<Vec<(Vec<u8>, Vec<u8>)>>(1);
        let (acknowledge, written) = std::sync::mpsc::channel::<usize>();
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || -> Result<(HashingWriter<BufWriter<Writeback>>, _), String> {
                let out = HashingWriter::new(BufWriter::with_capacity(WRITE_BUFFER, Writeback::new(file)));
                let (mut writer, mut records) = (PaWriter::new(out, header).map_err(io)?, records);
                for window in windows {
                    for (payload, record) in &window {
                        writer.payload(payload).map_err(io)?;
                        records.record(record).map_err(metadata_io)?;
                    }
                    // The receiver only goes away once the writer is joined.
                    let _ = acknowledge.send(window.len());
                }
                Ok((writer.finish().map_err(io)?, records))
            });
            let mut announced = 0;
            let mut produced = Ok(());
            for range in windows_of(entries) {
                let window = &entries[range.clone()];
                let kept = &mut kept[range];
                let built: Result<Vec<_>, String> = options
                    .testpoints
                    .hit(TestPoint::PackMaterialize)
                    .map_err(|e| e.to_string())
                    .and_then(|()| options.stop.check())
                    .and_then(|()| pool.install(|| window.par_iter().zip(kept).map(build).collect()));
                let built = match built {
                    Ok(built) => built,
                    Err(e) => {
                        produced = Err(e);
                        break;
                    }
                };
                if to_writer.send(built).is_err() {
                    break; // The writer failed; joining it below says why.
                }
                announced = self.announce(entries, announced, written.try_iter().sum());
            }
            drop(to_writer);
            let finished = writer.join().expect("the assets.pa writer does not panic");
            self.announce(entries, announced, written.try_iter().sum());
            produced?;
            let (mut hashing, records) = finished?;
            hashing.flush().map_err(io)?;
            let written = Written { file_len: hashing.len, file_sha256: hashing.hasher.finalize().into() };
            records.finish(&written).map_err(metadata_io)?;
            Ok(written)
        })
    }

    /// Emits `asset_packed` for the `more` entries written after the first `done`; returns the new count.
    fn announce(&mut self, entries: &[Entry], done: usize, more: usize) -> usize {
        for (i, entry) in entries.iter().enumerate().skip(done).take(more) {
            self.event(EventKind::AssetPacked {
                asset_id: entry.asset_id,
                asset_name: entry.asset_name.clone(),
                done: i + 1,
                total: entries.len(),
            });
        }
        done + more
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
            companions: success.then(|| PACK_OUTPUTS[1..].iter().map(|f| format!("{BUILD_DIR}/{f}")).collect()),
            packed_asset_count: if success { count } else { 0 },
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            diagnostics,
            error,
        }
    }
}

/// Payload bytes built ahead of the writer, per window (local): enough for
/// the pool to stay busy and the writer to write in large pieces, small
/// enough that decoding ahead holds a bounded amount (a window being built,
/// one waiting and one being written).
pub const PACK_WINDOW_BYTES: u64 = 1024 * 1024;

/// Assets per window at most, so progress events stay frequent with tiny payloads.
const PACK_WINDOW_ASSETS: usize = 1024;

/// The writer's buffer: small payloads go to the kernel in pieces this large.
const WRITE_BUFFER: usize = 1024 * 1024;

/// `entries` cut into windows of at most `PACK_WINDOW_BYTES` of planned
/// payload (or one asset, when a single payload is larger).
fn windows_of(entries: &[Entry]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = &entries[start..];
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut n = 0;
        while n < rest.len() && n < PACK_WINDOW_ASSETS && (n == 0 || bytes + rest[n].size <= PACK_WINDOW_BYTES) {
            bytes += rest[n].size;
            n += 1;
        }
        start += n;
        Some(start - n..start)
    })
}

/// Where `assets.pa` and `asset_table_metadata.json` are written, and the header `assets.pa` starts with.
struct Target<'a> {
    path: &'a Utf8Path,
    metadata: &'a Utf8Path,
    header: &'a Header,
}

/// A payload the gate kept: expanded, never decoded again.
fn kept_payload(entry: &Entry, sparse: &Sparse) -> Result<Vec<u8>, String> {
    if sparse.payload_len() != entry.size {
        return Err(format!("asset {} was kept at another size than the gate planned", entry.asset_id));
    }
    Ok(sparse.expand())
}

/// The gate already built every asset once and planned its header entry;
/// a second build that differs means nondeterminism, and must never reach a file.
fn checked_payload(entry: &Entry, built: Result<gate::Built, Vec<Diagnostic>>) -> Result<Vec<u8>, String> {
    let built =
        built.map_err(|d| format!("asset {} failed to rebuild after passing the gate: {:?}", entry.asset_id, d))?;
    if built.materialized.payload.len() as u64 != entry.size || built.metadata != entry.metadata {
        return Err(format!("asset {} rebuilt differently from what the gate planned", entry.asset_id));
    }
    Ok(built.materialized.payload)
}

/// The header the plans describe: entries in `asset_id` order, back to back.
pub fn header(plans: &[AssetPlan]) -> Header {
    header_of(plans.to_vec())
}

/// Frees what the system caches of the previous `assets.pa` (which stays
/// whole on disk until the new one is promoted): nothing reads it during a
/// pack, and its pages are then there for the new one to be written into.
/// A pack otherwise needs a second file's worth of free memory for the
/// system to cache what it writes; on a machine short of it (or a virtual
/// one handing its free memory back to the host) writing the new file cost
/// a 100k-asset pack 18 s of system time instead of 5.
fn forget_cached(previous: &Utf8Path) {
    if let Ok(file) = prometeu_shape::open_regular(previous.as_std_path()) {
        crate::support::platform::drop_cached(&file);
    }
}

/// `header`, from the plans' own entries: laid out back to back, in the
/// list that held the plans (an entry is no larger than its plan).
fn header_of(plans: Vec<AssetPlan>) -> Header {
    let preload =
        plans.iter().filter_map(|p| Some(PreloadEntry { asset_id: p.entry.asset_id, slot: p.preload_slot? })).collect();
    let mut offset = 0;
    let asset_table = plans
        .into_iter()
        .map(|plan| {
            let entry = Entry { offset, ..plan.entry };
            offset += entry.size;
            entry
        })
        .collect();
    Header { asset_table, preload }
}

struct Written {
    file_len: u64,
    file_sha256: [u8; 32],
}

/// `asset_table_metadata.json`: tooling facts only — nothing that varies by
/// machine, path, user or time. Written from typed records whose fields are
/// declared in byte order of their keys, integers and strings only, so
/// serde_json's compact output is already the canonical form (checked
/// against `canonical_json` in the tests): `{"assets":[…],"assets_pa":…,
/// "schema_version":…}`, its keys in that order. Each asset's record is
/// made by the worker that built its payload and written as the writer
/// reaches it; the file's own digest closes it.
struct TableMetadataWriter {
    out: BufWriter<fs::File>,
    records: usize,
}

impl TableMetadataWriter {
    /// Opens the list of assets.
    fn start(out: BufWriter<fs::File>) -> std::io::Result<TableMetadataWriter> {
        let mut writer = TableMetadataWriter { out, records: 0 };
        writer.out.write_all(br#"{"assets":["#)?;
        Ok(writer)
    }

    /// The next asset's record (`asset_record`), in table order.
    fn record(&mut self, record: &[u8]) -> std::io::Result<()> {
        if self.records > 0 {
            self.out.write_all(b",")?;
        }
        self.records += 1;
        self.out.write_all(record)
    }

    /// Closes the list with the digest of the written `assets.pa`.
    fn finish(mut self, written: &Written) -> std::io::Result<()> {
        self.out.write_all(br#"],"assets_pa":"#)?;
        let digest = PaDigest { sha256: Hex(written.file_sha256), size: written.file_len };
        serde_json::to_writer(&mut self.out, &digest)?;
        write!(self.out, r#","schema_version":{TABLE_METADATA_SCHEMA_VERSION}}}"#)?;
        self.out.flush()
    }
}

/// `asset_table_metadata.json`'s `assets_pa`; fields in byte order of their keys.
#[derive(Serialize)]
struct PaDigest {
    sha256: Hex,
    size: u64,
}

/// One asset's record in `asset_table_metadata.json`, its inputs hashed from the snapshot.
fn asset_record(
    snapshot: &Snapshot,
    asset: &AssetSnapshot,
    files: &[SelectedFile],
    payload_sha256: [u8; 32],
) -> Vec<u8> {
    let metadata = asset_metadata(snapshot, asset, files, payload_sha256);
    serde_json::to_vec(&metadata).expect("strings and integers serialize")
}

#[derive(Serialize)]
struct AssetMetadata<'a> {
    asset_id: u32,
    asset_root: RootPath<'a>,
    asset_uuid: &'a str,
    family: &'static str,
    format: &'static str,
    inputs: Inputs<'a>,
    payload_sha256: Hex,
}

/// One asset's selected inputs, each hashed and serialized when reached.
struct Inputs<'a> {
    snapshot: &'a Snapshot,
    asset: &'a AssetSnapshot,
    files: &'a [SelectedFile],
    role: &'static str,
}

impl Serialize for Inputs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Artifacts that select one file share its record: it is hashed once.
        let mut hashed: Vec<(FrozenFile, [u8; 32])> = Vec::new();
        serializer.collect_seq(self.files.iter().map(|file| {
            let frozen = file.artifact().and_then(|at| self.asset.frozen_artifact(at));
            let frozen = *frozen.expect("written inputs are in the frozen snapshot");
            let sha256 = match hashed.iter().find(|(f, _)| *f == frozen) {
                Some(&(_, sha256)) => sha256,
                None => {
                    let sha256 = Sha256::digest(self.snapshot.bytes_of(&frozen)).into();
                    hashed.push((frozen, sha256));
                    sha256
                }
            };
            InputMetadata {
                index: file.index,
                path: file.path(),
                role: self.role,
                sha256: Hex(sha256),
                size: frozen.len(),
            }
        }))
    }
}

#[derive(Serialize)]
struct InputMetadata<'a> {
    index: u32,
    path: &'a str,
    role: &'static str,
    sha256: Hex,
    size: u64,
}

/// A digest serialized as lowercase hex, as every digest in the companions is written.
struct Hex([u8; 32]);

impl Serialize for Hex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = [0u8; 64];
        for (pair, byte) in text.chunks_exact_mut(2).zip(&self.0) {
            pair.copy_from_slice(&HEX_DIGITS[usize::from(*byte)]);
        }
        serializer.serialize_str(std::str::from_utf8(&text).expect("hex digits are ASCII"))
    }
}

/// `HEX_DIGITS[b]` is byte `b` in two lowercase hex digits.
const HEX_DIGITS: [[u8; 2]; 256] = {
    let digits = *b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [digits[b >> 4], digits[b & 0xf]];
        b += 1;
    }
    table
};

fn asset_metadata<'a>(
    snapshot: &'a Snapshot,
    asset: &'a AssetSnapshot,
    files: &'a [SelectedFile],
    payload_sha256: [u8; 32],
) -> AssetMetadata<'a> {
    let decl = asset.declared.as_ref().expect("written assets have declarations");
    AssetMetadata {
        asset_id: asset.entry.asset_id,
        asset_root: RootPath(&asset.entry.root),
        asset_uuid: &asset.entry.asset_uuid,
        family: decl.family.type_name(),
        format: decl.family.format(),
        inputs: Inputs { snapshot, asset, files, role: decl.main_role() },
        payload_sha256: Hex(payload_sha256),
    }
}

/// Step 5: re-read the staged files and check every structural rule.
fn conformance(stage: &Staging, planned: &Header) -> Result<(), String> {
    let fail = |violations: Vec<prometeu_pa::Violation>| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        format!("the staged assets.pa failed its conformance check: {}", list.join("; "))
    };
    let inspection = prometeu_pa::verify_file(&stage.path(ASSETS_PA)).map_err(fail)?;
    if &inspection.header != planned {
        return Err("the staged assets.pa header differs from the planned header".into());
    }
    let read = |name: &str| fs::read(stage.path(name)).map_err(|e| e.to_string());
    let violations = prometeu_pa::verify_companions_of(&inspection, &read(ASSET_TABLE_JSON)?, &read(PRELOAD_JSON)?);
    if violations.is_empty() { Ok(()) } else { Err(fail(violations)) }
}

/// Written bytes between two writeback requests (local).
const WRITEBACK_BYTES: u64 = 8 * 1024 * 1024;

/// Asks the kernel to start writing the file to disk every
/// `WRITEBACK_BYTES`, without waiting: the disk works while the pack is
/// still writing, and promotion's fsync finds little left to do. Changes
/// nothing in the file.
struct Writeback {
    file: fs::File,
    written: u64,
    requested: u64,
}

impl Writeback {
    fn new(file: fs::File) -> Writeback {
        Writeback { file, written: 0, requested: 0 }
    }

    fn start(&mut self) {
        crate::support::platform::start_writeback(self.file.file(), self.requested, self.written - self.requested);
        self.requested = self.written;
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.requested >= WRITEBACK_BYTES {
            self.start();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
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
    bytes.iter().flat_map(|&b| HEX_DIGITS[usize::from(b)]).map(char::from).collect()
}
