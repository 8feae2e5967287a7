//! The three steps of a preparation and what they share: their status, a
//! capturing observer, timing.

use std::time::Instant;

use prometeu_packer::{Channel, LogLine, PackEvent, PackObserver};
use serde::Serialize;

pub(crate) mod build;
pub(crate) mod manifest;

/// The preparation steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The compiler (or a prebuilt program) into `build/program.pbx`.
    Build,
    /// The asset workspace into `build/assets.pa` and its companions.
    Pack,
    /// `build/manifest.json`, the commit point of a preparation.
    Manifest,
}

impl Step {
    /// The step's name, as the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Build => "build",
            Step::Pack => "pack",
            Step::Manifest => "manifest",
        }
    }

    /// The log channel the step writes on.
    pub fn channel(self) -> Channel {
        match self {
            Step::Build => Channel::Build,
            Step::Pack => Channel::Pack,
            Step::Manifest => Channel::Manifest,
        }
    }
}

/// Binary at the control level (fixed): a step succeeded or it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The step did all it had to.
    Success,
    /// The step stopped; what it published, if anything, is coherent.
    Failed,
}

impl StepStatus {
    /// `Success` when `ok`.
    pub fn from_ok(ok: bool) -> StepStatus {
        if ok { StepStatus::Success } else { StepStatus::Failed }
    }
}

/// Forwards everything to the caller's observer and keeps the log lines:
/// a step both streams its log and returns it.
pub(crate) struct Capture<'a> {
    inner: &'a mut dyn PackObserver,
    pub(crate) lines: Vec<LogLine>,
}

impl<'a> Capture<'a> {
    pub fn new(inner: &'a mut dyn PackObserver) -> Capture<'a> {
        Capture { inner, lines: Vec::new() }
    }

    pub(crate) fn say(&mut self, line: LogLine) {
        self.log(&line);
    }

    /// Streams `line` to the host (and so to the kept log) without keeping
    /// it here: for output whose amount the tool does not control.
    pub(crate) fn stream(&mut self, line: &LogLine) {
        self.inner.log(line);
    }

    /// Keeps lines that were streamed earlier, in the order given.
    pub(crate) fn keep(&mut self, lines: impl IntoIterator<Item = LogLine>) {
        self.lines.extend(lines);
    }
}

impl PackObserver for Capture<'_> {
    fn event(&mut self, event: &PackEvent) {
        self.inner.event(event);
    }

    fn log(&mut self, line: &LogLine) {
        self.inner.log(line);
        self.lines.push(line.clone());
    }
}

/// Milliseconds since `start`.
pub(crate) fn elapsed_ms(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}
