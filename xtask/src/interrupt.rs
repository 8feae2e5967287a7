//! Ctrl-C (and SIGTERM) for the command line: the first signal cancels the
//! current run — its compiler and everything that started are killed at
//! once, and the run stops at its next safe point; a second signal exits at
//! once with status 130 (every step is crash-safe, so that is safe too).
//! Signals are process-wide; the library only ever sees a per-run `Cancel`.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use prometeu_play_prep::Cancel;

/// The conventional exit status of a program stopped by Ctrl-C.
pub const INTERRUPTED_EXIT_STATUS: i32 = 130;

/// The run the next signal cancels.
static CURRENT: Mutex<Option<Cancel>> = Mutex::new(None);
/// Whether a signal arrived: a run started after it starts cancelled.
static SIGNALLED: AtomicBool = AtomicBool::new(false);

fn current() -> MutexGuard<'static, Option<Cancel>> {
    // A panic elsewhere must not stop Ctrl-C from killing compilers.
    CURRENT.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fresh token for the run about to start; Ctrl-C cancels it from now on.
pub fn new_run() -> Cancel {
    let cancel = Cancel::new();
    *current() = Some(cancel.clone());
    if SIGNALLED.load(Ordering::SeqCst) {
        cancel.cancel();
    }
    cancel
}

/// Installs, once per process, the SIGINT/SIGTERM handler. Later calls
/// return the first call's result.
pub fn install_handler() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            ctrlc::set_handler(on_signal).map_err(|error| format!("cannot install the Ctrl-C handler: {error}"))
        })
        .clone()
}

/// Runs on the handler's own thread, not in signal context, so locking is fine.
fn on_signal() {
    if SIGNALLED.swap(true, Ordering::SeqCst) {
        std::process::exit(INTERRUPTED_EXIT_STATUS);
    }
    // Said at once, before the run reaches its safe point; a closed stderr is no reason to stop.
    let _ = writeln!(std::io::stderr(), "stopping… (Ctrl-C again quits at once; build/ stays coherent either way)");
    if let Some(cancel) = current().as_ref() {
        cancel.cancel();
    }
}
