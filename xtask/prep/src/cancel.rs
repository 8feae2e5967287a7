//! Cancelling one run: a token the host hands to `play_prep` (or to a single
//! step) and may trigger from any thread. The command line triggers it on
//! Ctrl-C; an editor on its Stop button. A cancelled token stays cancelled;
//! the next run takes a fresh one, so cancelling once never poisons later
//! runs in the same process.

use std::sync::{Arc, Mutex, MutexGuard};

use prometeu_packer::StopRequest;

use crate::platform::Child;

/// A per-run cancellation token; clones share the same state.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Also the pack's stop request, so a cancel reaches a pack in progress.
    stop: StopRequest,
    /// Children (compilers, the runtime) this run started and has not
    /// reaped: `cancel` kills them, with everything they started, at once,
    /// even while the run is busy elsewhere (inside an observer call, for
    /// example).
    children: Mutex<Vec<Arc<Child>>>,
}

impl Cancel {
    /// A token nobody has cancelled yet.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the run to stop: the compiler and everything it started are
    /// killed now, a pack in progress stops at its next safe point, and no
    /// later step starts. Safe from any thread, any
    /// number of times.
    pub fn cancel(&self) {
        self.inner.stop.request();
        for child in self.children().iter() {
            child.kill();
        }
    }

    /// Whether `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.stop.is_requested()
    }

    /// The pack's view of this token.
    pub(crate) fn stop_request(&self) -> StopRequest {
        self.inner.stop.clone()
    }

    fn children(&self) -> MutexGuard<'_, Vec<Arc<Child>>> {
        // A panic elsewhere must not stop a cancel from killing compilers.
        self.inner.children.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a started child; killed at once if already cancelled.
    pub(crate) fn register(&self, child: &Arc<Child>) {
        self.children().push(child.clone());
        if self.is_cancelled() {
            child.kill();
        }
    }

    /// Called before reaping: after that its process group id may be
    /// reused, and `cancel` must no longer kill it.
    pub(crate) fn unregister(&self, child: &Arc<Child>) {
        self.children().retain(|live| !Arc::ptr_eq(live, child));
    }
}
