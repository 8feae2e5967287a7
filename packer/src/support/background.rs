//! Freeing large structures off the caller's path.

/// Drops `value` on a thread of its own, so the caller does not wait while
/// tens of thousands of small allocations are freed (a walked workspace,
/// a frozen snapshot). A process that exits first simply hands the memory
/// back to the system. When no thread can be started, `spawn` drops the
/// closure, and the value with it, right here.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("prometeu-drop".into()).spawn(move || drop(value));
}
