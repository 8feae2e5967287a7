//! `watch`: one preparation at start, then one more whenever something
//! build-relevant changes — `cartridge.toml`, `prometeu.json`, the registry,
//! a registered asset root, the compiler's source directories. A burst of
//! saves is one change (debounced); runs never overlap, and changes seen
//! during a run cause exactly one run after it. Each run is a full
//! preparation (no freshness skip). With `--play`, the runtime is restarted
//! after each successful preparation only. Ctrl-C stops it all.

use std::collections::BTreeSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use prometeu_packer::{ASSETS_DIR, BUILD_DIR, REGISTRY_PATH};
use prometeu_play_prep::Cancel;
use serde_json::{Value, json};

use super::play::{Game, POLL};
use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, Threads, run_options};

/// Quiet time that ends a burst of file events (local).
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(200);
/// The compiler's sources when `prometeu.json` names no `source_dirs` (local).
pub(crate) const DEFAULT_SOURCE_DIRS: [&str; 1] = ["src"];

#[derive(Debug, clap::Args)]
pub(crate) struct WatchArgs {
    #[command(flatten)]
    threads: Threads,
    /// After each successful preparation, (re)start the runtime (`[run] command`).
    #[arg(long)]
    play: bool,
}

pub(crate) fn run(cli: &Cli, project: &Utf8Path, args: &WatchArgs, out: &mut Reporter) -> Result<Exit, Stop> {
    let (sender, events) = channel();
    let mut watcher =
        notify::recommended_watcher(sender).map_err(|e| Stop::failed(format!("cannot watch files: {e}")))?;
    watcher
        .watch(project.as_std_path(), RecursiveMode::Recursive)
        .map_err(|e| Stop::failed(format!("cannot watch {project}: {e}")))?;
    let mut watch = Watch { cli, project, args, game: None, game_cancel: Cancel::new(), runs: 0 };
    let mut cancel = watch.prepare(out, "start")?;
    out.note("watching for changes (Ctrl-C stops)");
    while !cancel.is_cancelled() {
        watch.pump_game(out);
        match next_change(project, &events, &cancel) {
            Some(reason) => cancel = watch.prepare(out, &reason)?,
            None => continue,
        }
    }
    if let Some(game) = watch.game.take() {
        game.stop(out);
    }
    out.result(Some("watch"), &json!({"status": "success", "runs": watch.runs}));
    Ok(Exit::Interrupted)
}

struct Watch<'a> {
    cli: &'a Cli,
    project: &'a Utf8Path,
    args: &'a WatchArgs,
    game: Option<Game>,
    /// Kills the game's process group; cancelled with the watch.
    game_cancel: Cancel,
    runs: u64,
}

impl Watch<'_> {
    /// One preparation, its status line, and with `--play` the restart.
    /// Returns the run's token: Ctrl-C from now on cancels it.
    fn prepare(&mut self, out: &mut Reporter, reason: &str) -> Result<Cancel, Stop> {
        self.runs += 1;
        let options = run_options(self.args.threads.count(), out);
        let started = Instant::now();
        let outcome = super::play_prep::prepare(self.cli, self.project, &options, false, out);
        let elapsed = started.elapsed().as_millis();
        let (ok, what) = match &outcome {
            Ok(p) if p.exit == Exit::Success => (true, "succeeded".to_owned()),
            Ok(p) => (false, format!("failed: {}", p.summary)),
            // A wrong configuration is reported and waited out, like a failed build.
            Err(stop) => (false, format!("failed: {}", stop.message)),
        };
        if let Err(stop) = &outcome {
            out.error(&stop.message);
        }
        out.notice(&format!("[watch] run {} ({reason}): {what} in {elapsed} ms", self.runs));
        let restart = ok && self.args.play && !options.cancel.is_cancelled();
        if let (true, Ok(prepared)) = (restart, &outcome) {
            self.restart_game(&prepared.run_command, out);
        }
        if options.cancel.is_cancelled() {
            self.game_cancel.cancel();
        }
        Ok(options.cancel)
    }

    fn restart_game(&mut self, argv: &[String], out: &mut Reporter) {
        if let Some(game) = self.game.take() {
            game.stop(out);
        }
        match Game::start(argv, self.project, &self.game_cancel, out) {
            Ok(game) => self.game = Some(game),
            Err(stop) => out.error(&stop.message),
        }
    }

    fn pump_game(&mut self, out: &mut Reporter) {
        let exited = self.game.as_mut().is_some_and(|game| game.pump(out, Duration::ZERO));
        if exited && let Some(game) = self.game.take() {
            game.stop(out);
        }
    }
}

/// Waits a moment for file events; `Some(reason)` once a build-relevant
/// path changed and then no event came for `DEBOUNCE` (a burst of saves is
/// one change). Changes queued during a run are all taken here at once, so
/// they cause one run, not one each.
fn next_change(project: &Utf8Path, events: &Receiver<notify::Result<Event>>, cancel: &Cancel) -> Option<String> {
    let mut changed = BTreeSet::new();
    // Until something relevant changes, the caller gets control back every
    // POLL; after it, only a further relevant change extends the wait.
    let mut until = Instant::now() + POLL;
    while let Some(wait) = until.checked_duration_since(Instant::now()) {
        match events.recv_timeout(wait) {
            Ok(Ok(event)) if changes_content(&event.kind) => {
                let paths: Vec<String> = event.paths.iter().filter_map(|path| relevant(project, path)).collect();
                if !paths.is_empty() {
                    changed.extend(paths);
                    until = Instant::now() + DEBOUNCE;
                }
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => {
                cancel.cancel();
                return None;
            }
        }
    }
    let first = changed.iter().next()?.clone();
    Some(match changed.len() {
        1 => format!("changed: {first}"),
        n => format!("changed: {first} and {} more", n - 1),
    })
}

/// Reads (the preparation's own among them) are not changes.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Access(_))
}

/// The project-relative path of a build-relevant file, else `None`.
fn relevant(project: &Utf8Path, path: &std::path::Path) -> Option<String> {
    let rel = Utf8PathBuf::from_path_buf(path.strip_prefix(project.as_std_path()).ok()?.to_path_buf()).ok()?;
    let rel = rel.as_str();
    let fixed = [prometeu_manifest::CARTRIDGE_FILE, prometeu_manifest::PROJECT_JSON_FILE, REGISTRY_PATH];
    if fixed.contains(&rel) {
        return Some(rel.to_owned());
    }
    if rel.starts_with(&format!("{BUILD_DIR}/")) || rel.split('/').any(|part| part == ".prometeu") {
        return None;
    }
    let in_dir = |dir: &str| rel.strip_prefix(dir.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/'));
    let registry = prometeu_packer::read_registry(project).registry;
    let in_root = registry.assets.iter().any(|e| in_dir(&format!("{ASSETS_DIR}/{}", e.root)));
    (in_root || source_dirs(project).iter().any(|d| in_dir(d))).then(|| rel.to_owned())
}

/// `source_dirs` of `prometeu.json` (the compiler's), or the default.
fn source_dirs(project: &Utf8Path) -> Vec<String> {
    let text = std::fs::read(project.join(prometeu_manifest::PROJECT_JSON_FILE)).unwrap_or_default();
    let listed = serde_json::from_slice::<Value>(prometeu_packer::without_bom(&text)).ok().and_then(|v| {
        let dirs = v.get("source_dirs")?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned);
        Some(dirs.collect::<Vec<_>>())
    });
    listed.unwrap_or_else(|| DEFAULT_SOURCE_DIRS.map(str::to_owned).to_vec())
}
