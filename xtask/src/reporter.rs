//! How a command talks: human text on stderr (with a progress bar for packs
//! on a terminal), or `--message-format json`: one JSON object per line on
//! stdout — log entries, pack events, and the final result.

use std::io::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prometeu_packer::{EventKind, PackEvent};
use prometeu_play_prep::{LogEntry, Observer};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

/// The observer every command hands to the library.
pub struct Reporter {
    format: MessageFormat,
    progress: Option<ProgressBar>,
}

impl Reporter {
    pub fn new(format: MessageFormat) -> Reporter {
        Reporter { format, progress: None }
    }

    /// Human text for a person; silent in JSON mode (stdout is for machines).
    pub fn note(&self, text: &str) {
        if self.format == MessageFormat::Human {
            self.above_progress(|| eprintln!("{text}"));
        }
    }

    /// Something a pipeline must see too (waiting for the lane, recovery):
    /// on stderr, or as `{"type":"notice",…}` in JSON mode.
    pub fn notice(&self, text: &str) {
        match self.format {
            MessageFormat::Human => self.note(text),
            MessageFormat::Json => print_json(&json!({"type": "notice", "message": text})),
        }
    }

    /// The last line of every command: the result object.
    pub fn result(&mut self, command: &str, result: &impl Serialize) {
        self.finish_progress();
        let mut value = serde_json::to_value(result).expect("results serialize");
        if let Value::Object(map) = &mut value {
            map.insert("type".into(), json!("result"));
            map.insert("command".into(), json!(command));
        }
        if self.format == MessageFormat::Json {
            print_json(&value);
        }
    }

    fn above_progress(&self, print: impl FnOnce()) {
        match &self.progress {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn finish_progress(&mut self) {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
    }

    fn progress_event(&mut self, event: &PackEvent) {
        match &event.kind {
            EventKind::GatePassed { asset_count, .. } => {
                let bar = ProgressBar::with_draw_target(Some(*asset_count as u64), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("  packing [{bar:30}] {pos}/{len} {msg}")
                        .expect("valid template")
                        .progress_chars("=> "),
                );
                self.progress = Some(bar);
            }
            EventKind::AssetPacked { asset_name, done, .. } => {
                if let Some(bar) = &self.progress {
                    bar.set_position(*done as u64);
                    bar.set_message(asset_name.clone());
                }
            }
            EventKind::Staged { .. } | EventKind::Finished { .. } => self.finish_progress(),
            _ => {}
        }
    }
}

impl Observer for Reporter {
    fn event(&mut self, event: &PackEvent) {
        match self.format {
            MessageFormat::Json => {
                let mut value = serde_json::to_value(event).expect("events serialize");
                value["type"] = json!("event");
                print_json(&value);
            }
            MessageFormat::Human => self.progress_event(event),
        }
    }

    fn notice(&mut self, text: &str) {
        self.note(text);
    }

    fn log(&mut self, entry: &LogEntry) {
        match self.format {
            MessageFormat::Json => {
                let mut value = serde_json::to_value(entry).expect("entries serialize");
                value["type"] = json!("log");
                print_json(&value);
            }
            MessageFormat::Human => {
                let line = format!("[{}] {:<5} {}", entry.channel, entry.severity, entry.message);
                let text = crate::advice::with_help(&line, &entry.advice);
                self.above_progress(|| eprintln!("{text}"));
            }
        }
    }
}

fn print_json(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer(&mut out, value);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
}
