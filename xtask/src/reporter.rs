//! How a command talks. Data (the lists a user pipes into `grep`) goes to
//! stdout; messages, findings and progress go to stderr. With
//! `--message-format json` stdout carries one JSON object per line instead
//! (`docs/reference/operations.md, "JSON output"`), and stderr still gets a one-line summary
//! of a failure; `--message-format github` adds workflow annotations on
//! stdout so a failing file is marked on the pull request.
//!
//! Nothing here panics on output: a reader that goes away (a closed pipe) or
//! a full device never stops a preparation midway.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::Write;
use std::time::SystemTime;

use anstyle::{AnsiColor, Style};
use camino::{Utf8Path, Utf8PathBuf};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prometeu_manifest::ConfigError;
use prometeu_packer::{Diagnostic, EventKind, PackEvent, Severity};
use prometeu_play_prep::{LogEntry, Observer};
use serde::Serialize;
use serde_json::{Value, json};

/// The version of the JSON lines' shape (`docs/schemas/messages.schema.json`);
/// raised only when a field changes meaning or disappears.
pub const MESSAGE_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// Text for a person: data on stdout, messages on stderr.
    Human,
    /// One JSON object per line on stdout; a failure's summary on stderr.
    Json,
    /// Human text plus GitHub Actions annotations (`::error file=…`) on stdout.
    Github,
}

/// How much human text: `-q` keeps warnings and errors, `-v` adds pack events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default();

/// The observer every command hands to the library.
pub struct Reporter {
    format: MessageFormat,
    verbosity: Verbosity,
    progress: Option<ProgressBar>,
    /// False once stdout's reader went away: data is dropped, work goes on.
    stdout_open: Cell<bool>,
    /// Prefix that makes project-relative files repository-relative, for annotations.
    annotation_base: Option<Utf8PathBuf>,
}

impl Reporter {
    pub fn new(format: MessageFormat, verbosity: Verbosity) -> Reporter {
        Reporter { format, verbosity, progress: None, stdout_open: Cell::new(true), annotation_base: None }
    }

    /// The project whose files diagnostics name; annotations need them
    /// relative to the repository (`GITHUB_WORKSPACE`, else the current directory).
    pub fn set_project(&mut self, project: &Utf8Path) {
        let base = std::env::var("GITHUB_WORKSPACE")
            .ok()
            .map(Utf8PathBuf::from)
            .or_else(|| std::env::current_dir().ok().and_then(|d| Utf8PathBuf::try_from(d).ok()));
        let base = base.and_then(|b| b.canonicalize_utf8().ok());
        self.annotation_base = Some(match base.as_deref().and_then(|b| project.strip_prefix(b).ok()) {
            Some(relative) => relative.to_owned(),
            None => project.to_owned(),
        });
    }

    pub fn is_json(&self) -> bool {
        self.format == MessageFormat::Json
    }

    /// A line of data (a listing): stdout, unless stdout carries JSON.
    pub fn data(&self, line: &str) {
        if !self.is_json() {
            self.raw_stdout(&printable(line));
        }
    }

    /// A whole listing already in hand: as `data`, line by line, in one
    /// write (a listing of many rows costs one system call, not one per row).
    pub fn data_lines(&self, lines: impl IntoIterator<Item = String>) {
        if self.is_json() {
            return;
        }
        let mut text = String::new();
        for line in lines {
            text.push_str(&printable(&line));
            text.push('\n');
        }
        self.write_stdout(&[text.as_bytes()]);
    }

    /// Human text for a person (stderr); hidden by `-q` and in JSON mode.
    pub fn note(&self, text: &str) {
        if self.human() && self.verbosity > Verbosity::Quiet {
            self.stderr(&printable(text));
        }
    }

    /// Human text shown only with `-v`.
    pub fn detail(&self, text: &str) {
        if self.human() && self.verbosity == Verbosity::Verbose {
            self.stderr(&printable(text));
        }
    }

    /// A failure, on stderr in every format: in JSON mode this is the one
    /// line a person reading the job's log gets.
    pub fn error(&self, text: &str) {
        let styled = format!("{ERROR}error{ERROR:#}: {}", printable(text));
        self.stderr(&styled);
    }

    /// Something a pipeline must see too (waiting for the lane, recovery):
    /// on stderr, or as `{"type":"notice",…}` in JSON mode.
    pub fn notice(&self, text: &str) {
        match self.format {
            MessageFormat::Json => self.json_line("notice", json!({"message": text})),
            _ => self.stderr(&printable(text)),
        }
    }

    /// Findings: on stderr for a person, and as annotations with `github`.
    /// (In JSON mode they travel inside the result.)
    pub fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            if self.human() && (self.verbosity > Verbosity::Quiet || d.severity == Severity::Blocking) {
                let text = crate::advice::with_help(&d.to_string(), &d.advice);
                self.stderr(&self.styled_finding(&text, d.severity));
            }
        }
        self.annotate(diagnostics);
    }

    /// GitHub annotations for findings already shown another way.
    pub fn annotate(&self, diagnostics: &[Diagnostic]) {
        if self.format != MessageFormat::Github {
            return;
        }
        for d in diagnostics {
            let level = match d.severity {
                Severity::Blocking => "error",
                Severity::Warning => "warning",
            };
            let file = d.file.as_deref().map(|f| self.repository_path(f));
            self.annotation(level, file.as_deref(), d.line, d.column, d.code.as_str(), &d.message);
        }
    }

    /// A configuration error: stderr, an annotation, and (JSON) the result's fields.
    pub fn config_error(&self, error: &ConfigError) {
        self.error(&error.to_string());
        if self.format == MessageFormat::Github {
            let file = self.repository_path(&error.file);
            let title = error.key.as_deref().unwrap_or("configuration");
            self.annotation("error", Some(&file), error.line, error.column, title, &error.message);
        }
    }

    /// The last line of every command: the result object.
    pub fn result(&mut self, command: Option<&str>, result: &impl Serialize) {
        self.finish_progress();
        if self.is_json() {
            let mut value = serde_json::to_value(result).unwrap_or_else(|e| json!({"error": e.to_string()}));
            if let Value::Object(map) = &mut value {
                map.insert("command".into(), json!(command));
            }
            self.json_line("result", value);
        }
    }

    fn human(&self) -> bool {
        self.format != MessageFormat::Json
    }

    fn styled_finding(&self, text: &str, severity: Severity) -> String {
        let style = if severity == Severity::Blocking { ERROR } else { WARNING };
        let text = printable(text);
        let (first, rest) = text.split_once('\n').map_or((&*text, None), |(a, b)| (a, Some(b)));
        let first = match first.split_once(": ") {
            Some((head, tail)) => format!("{style}{head}{style:#}: {tail}"),
            None => first.to_owned(),
        };
        match rest {
            Some(rest) => format!("{first}\n{HELP}{rest}{HELP:#}"),
            None => first,
        }
    }

    fn repository_path(&self, file: &str) -> String {
        match &self.annotation_base {
            Some(base) if !base.as_str().is_empty() => base.join(file).into_string(),
            _ => file.to_owned(),
        }
    }

    fn annotation(
        &self,
        level: &str,
        file: Option<&str>,
        line: Option<usize>,
        column: Option<usize>,
        title: &str,
        message: &str,
    ) {
        let mut props = Vec::new();
        if let Some(file) = file {
            props.push(format!("file={}", escape_property(file)));
        }
        // A file with no line still gets line 1, so the mark lands on the file.
        if file.is_some() {
            props.push(format!("line={}", line.unwrap_or(1)));
        }
        if let Some(column) = column {
            props.push(format!("col={column}"));
        }
        props.push(format!("title={}", escape_property(title)));
        let line = format!("::{level} {}::{}", props.join(","), escape_data(message));
        self.raw_stdout(&line);
    }

    /// One JSON line: the envelope every line shares, then the payload's fields.
    fn json_line(&self, kind: &str, payload: Value) {
        let mut line = serde_json::Map::new();
        line.insert("format_version".into(), json!(MESSAGE_FORMAT_VERSION));
        line.insert("type".into(), json!(kind));
        line.insert("timestamp".into(), json!(timestamp()));
        if let Value::Object(fields) = payload {
            for (key, value) in fields {
                line.entry(key).or_insert(value);
            }
        }
        match serde_json::to_string(&Value::Object(line)) {
            Ok(text) => self.raw_stdout(&text),
            Err(e) => self.stderr(&format!("cannot encode a JSON line: {e}")),
        }
    }

    fn raw_stdout(&self, line: &str) {
        self.write_stdout(&[line.as_bytes(), b"\n"]);
    }

    /// Writes `parts` to stdout and flushes; once stdout's reader went away, nothing more is written.
    fn write_stdout(&self, parts: &[&[u8]]) {
        if !self.stdout_open.get() {
            return;
        }
        let mut out = std::io::stdout().lock();
        let written = parts.iter().try_for_each(|part| out.write_all(part)).and_then(|()| out.flush());
        if written.is_err() {
            self.stdout_open.set(false);
        }
    }

    /// Writes a line to stderr above the progress bar; errors are dropped.
    fn stderr(&self, text: &str) {
        let print = || {
            let mut err = anstream::stderr().lock();
            let _ = writeln!(err, "{text}");
        };
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
        self.detail(&format!("  event {}: {}", event.sequence, event_text(&event.kind)));
        match &event.kind {
            EventKind::GatePassed { asset_count, .. } if self.verbosity > Verbosity::Quiet => {
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
                    bar.set_message(printable(asset_name).into_owned());
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
            MessageFormat::Json => match serde_json::to_value(event) {
                Ok(value) => self.json_line("event", value),
                Err(e) => self.stderr(&format!("cannot encode an event: {e}")),
            },
            _ => self.progress_event(event),
        }
    }

    fn notice(&mut self, text: &str) {
        Reporter::notice(self, text);
    }

    fn log(&mut self, entry: &LogEntry) {
        match self.format {
            MessageFormat::Json => match serde_json::to_value(entry) {
                Ok(value) => self.json_line("log", value),
                Err(e) => self.stderr(&format!("cannot encode a log line: {e}")),
            },
            _ => {
                let quiet_hides = self.verbosity == Verbosity::Quiet && entry.severity == "INFO";
                if quiet_hides {
                    return;
                }
                let severity = match entry.severity.as_str() {
                    "ERROR" => format!("{ERROR}ERROR{ERROR:#}"),
                    "WARN" => format!("{WARNING}WARN {WARNING:#}"),
                    other => format!("{other:<5}"),
                };
                let help = crate::advice::help_lines(&entry.advice).map(|h| format!("\n{HELP}{h}{HELP:#}"));
                let line =
                    format!("[{}] {severity} {}{}", entry.channel, printable(&entry.message), help.collect::<String>());
                self.stderr(&line);
            }
        }
    }
}

fn event_text(kind: &EventKind) -> String {
    serde_json::to_string(kind).unwrap_or_default()
}

fn timestamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Text from project files made safe for a terminal: control characters
/// (ESC, NUL, CR, BEL…) become `\u{1b}` escapes so a cloned repository
/// cannot move the cursor or recolour the screen; newlines and tabs stay.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Workflow-command data: `%`, CR and LF are the characters the runner decodes.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow-command properties also reserve `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_but_lines_stay() {
        assert_eq!(printable("a\u{1b}[2Jb\0c"), "a\\u{1b}[2Jb\\u{0}c");
        assert_eq!(printable("one\ntwo\tthree"), "one\ntwo\tthree");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn annotation_text_is_escaped_the_way_the_runner_decodes_it() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
