//! Log lines as the packer captures them. The driver numbers and timestamps
//! them across a whole preparation; the packer only says what and where.

use serde::Serialize;

/// Preparation log channels (upstream names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Channel {
    #[serde(rename = "build")]
    Build,
    #[serde(rename = "pack-validation")]
    PackValidation,
    #[serde(rename = "pack")]
    Pack,
    #[serde(rename = "manifest")]
    Manifest,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Build => "build",
            Channel::PackValidation => "pack-validation",
            Channel::Pack => "pack",
            Channel::Manifest => "manifest",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    #[serde(rename = "INFO")]
    Info,
    #[serde(rename = "WARN")]
    Warn,
    #[serde(rename = "ERROR")]
    Error,
}

impl Level {
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
    pub channel: Channel,
    pub severity: Level,
    pub message: String,
}

impl LogLine {
    pub fn new(channel: Channel, severity: Level, message: impl Into<String>) -> LogLine {
        let mut message = message.into();
        if message.is_empty() {
            message.push_str("(empty line)");
        }
        LogLine { channel, severity, message }
    }
}

/// The log line a diagnostic becomes.
pub fn diagnostic_line(channel: Channel, d: &crate::Diagnostic) -> LogLine {
    let level = if d.is_blocking() { Level::Error } else { Level::Warn };
    LogLine::new(channel, level, d.to_string())
}
