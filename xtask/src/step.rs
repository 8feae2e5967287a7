//! What the steps share: their status, a capturing observer, timing.

use std::time::Instant;

use prometeu_packer::log::LogLine;
use prometeu_packer::pack::{Observer, PackEvent};
use serde::Serialize;

/// The preparation steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Build,
    Pack,
    Manifest,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Build => "build",
            Step::Pack => "pack",
            Step::Manifest => "manifest",
        }
    }
}

/// Binary at the control level (upstream): a step succeeded or it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Success,
    Failed,
}

impl StepStatus {
    pub fn from_ok(ok: bool) -> StepStatus {
        if ok { StepStatus::Success } else { StepStatus::Failed }
    }
}

/// Forwards everything to the caller's observer and keeps the log lines:
/// a step both streams its log and returns it.
pub struct Capture<'a> {
    inner: &'a mut dyn Observer,
    pub lines: Vec<LogLine>,
}

impl<'a> Capture<'a> {
    pub fn new(inner: &'a mut dyn Observer) -> Capture<'a> {
        Capture { inner, lines: Vec::new() }
    }

    pub fn say(&mut self, line: LogLine) {
        self.log(&line);
    }
}

impl Observer for Capture<'_> {
    fn event(&mut self, event: &PackEvent) {
        self.inner.event(event);
    }

    fn log(&mut self, line: &LogLine) {
        self.inner.log(line);
        self.lines.push(line.clone());
    }
}

/// Milliseconds since `start`.
pub fn elapsed_ms(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}
