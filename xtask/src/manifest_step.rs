//! The manifest step: generate `build/manifest.json` from the project's
//! metadata and this run's build facts, staged then renamed into place.
//! It is the commit point of a preparation, so it is written last.

use std::time::Instant;

use prometeu_manifest::{BuildFacts, MANIFEST_FILE, ProjectMeta};
use prometeu_packer::BUILD_DIR;
use prometeu_packer::lane::LaneGuard;
use prometeu_packer::log::{Channel, Level, LogLine};
use prometeu_packer::pack::Observer;
use prometeu_packer::stage::{self, Stage};
use prometeu_packer::testpoint::TestPoints;
use serde::Serialize;

use crate::step::{Capture, StepStatus, elapsed_ms};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestResult {
    pub status: StepStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

pub struct ManifestOutcome {
    pub result: ManifestResult,
    pub logs: Vec<LogLine>,
}

pub fn manifest(
    lane: &LaneGuard,
    meta: &ProjectMeta,
    facts: &BuildFacts,
    points: &TestPoints,
    observer: &mut dyn Observer,
) -> ManifestOutcome {
    let started = Instant::now();
    let mut log = Capture::new(observer);
    let generated = prometeu_manifest::generate(meta, facts);
    let generated_warnings = generated.as_ref().map(|g| g.warnings.clone()).unwrap_or_default();
    for w in &generated_warnings {
        log.say(LogLine::new(Channel::Manifest, Level::Warn, w.clone()));
    }
    // The result carries every warning about the manifest's sources; those of
    // cartridge.toml were logged when it was loaded.
    let warnings: Vec<String> = meta.warnings.iter().chain(&generated_warnings).cloned().collect();
    let written = generated.map_err(|e| e.to_string()).and_then(|g| publish(lane, &g.bytes, points));
    let result = match written {
        Ok(()) => {
            log.say(LogLine::new(Channel::Manifest, Level::Info, format!("wrote {BUILD_DIR}/{MANIFEST_FILE}")));
            ManifestResult {
                status: StepStatus::Success,
                manifest: Some(format!("{BUILD_DIR}/{MANIFEST_FILE}")),
                warnings,
                error: None,
                elapsed_ms: elapsed_ms(started),
            }
        }
        Err(error) => {
            log.say(LogLine::new(Channel::Manifest, Level::Error, format!("manifest failed: {error}")));
            ManifestResult {
                status: StepStatus::Failed,
                manifest: None,
                warnings,
                error: Some(error),
                elapsed_ms: elapsed_ms(started),
            }
        }
    };
    ManifestOutcome { result, logs: log.lines }
}

/// Logs the warnings of loading cartridge.toml (unknown capability, unknown
/// placeholder) on the `manifest` channel: they concern the manifest's sources.
pub fn report_config_warnings(meta: &ProjectMeta, observer: &mut dyn Observer) {
    for w in &meta.warnings {
        observer.log(&LogLine::new(Channel::Manifest, Level::Warn, w.clone()));
    }
}

fn publish(lane: &LaneGuard, bytes: &[u8], points: &TestPoints) -> Result<(), String> {
    let stage = Stage::create(&lane.build_dir(), &stage::operation_id()).map_err(|e| e.to_string())?;
    if let Err(e) = stage.write(MANIFEST_FILE, bytes) {
        let _ = stage.discard();
        return Err(e.to_string());
    }
    stage.promote(&[MANIFEST_FILE], &[], points).map_err(|e| e.to_string())
}

/// Removes `build/manifest.json`, so that until this run commits, the
/// runtime finds no manifest and refuses the half-prepared directory.
pub fn withdraw(lane: &LaneGuard) -> std::io::Result<bool> {
    prometeu_packer::stage::remove_outputs(&lane.build_dir(), &[MANIFEST_FILE])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_packer_withdraws_the_file_this_step_writes() {
        assert_eq!(prometeu_packer::PREPARATION_MARKER, prometeu_manifest::MANIFEST_FILE);
    }
}
