//! Log lines as the packer captures them. The driver numbers and timestamps
//! them across a whole preparation; the packer only says what and where.

use serde::Serialize;

use crate::support::advice::Advice;

/// Preparation log channels (fixed names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Channel {
    /// `build`: the compiler command, every compiler output line, the outcome, the promotion.
    #[serde(rename = "build")]
    Build,
    /// `pack-validation`: every gate diagnostic and the gate's verdict.
    #[serde(rename = "pack-validation")]
    PackValidation,
    /// `pack`: snapshot, staging and promotion, or why the pack failed.
    #[serde(rename = "pack")]
    Pack,
    /// `manifest`: `cartridge.toml` warnings, the manifest's own warnings, the outcome.
    #[serde(rename = "manifest")]
    Manifest,
}

impl Channel {
    /// The channel's fixed name, as serialized and printed (`[pack-validation] …`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Build => "build",
            Channel::PackValidation => "pack-validation",
            Channel::Pack => "pack",
            Channel::Manifest => "manifest",
        }
    }
}

/// A log line's severity, serialized upper-case as the log's `severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    /// `INFO`: progress and outcomes; compiler stdout lines.
    #[serde(rename = "INFO")]
    Info,
    /// `WARN`: warning diagnostics and other non-fatal findings; compiler stderr lines.
    #[serde(rename = "WARN")]
    Warn,
    /// `ERROR`: blocking diagnostics and failures.
    #[serde(rename = "ERROR")]
    Error,
}

impl Level {
    /// The level's fixed name, as serialized and printed (`INFO`, `WARN`, `ERROR`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One captured line; `message` is never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// Which step or part of a step the line comes from.
    pub channel: Channel,
    /// `ERROR` for blocking diagnostics and failures, `WARN` for warnings, else `INFO`.
    pub severity: Level,
    /// The text, for a person; never empty.
    pub message: String,
    /// Operations that would fix what the line reports (from a diagnostic).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
}

impl LogLine {
    /// A line; an empty `message` becomes `(empty line)` so the never-empty rule holds.
    pub fn new(channel: Channel, severity: Level, message: impl Into<String>) -> LogLine {
        let mut message = message.into();
        if message.is_empty() {
            message.push_str("(empty line)");
        }
        LogLine { channel, severity, message, advice: Vec::new() }
    }
}

/// The log line a diagnostic becomes.
pub fn diagnostic_line(channel: Channel, d: &crate::support::diag::Diagnostic) -> LogLine {
    let level = if d.is_blocking() { Level::Error } else { Level::Warn };
    LogLine { advice: d.advice.clone(), ..LogLine::new(channel, level, d.to_string()) }
}
