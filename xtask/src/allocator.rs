//! The command line's allocator: mimalloc (see `Cargo.toml` for why),
//! returning freed memory to the system within milliseconds.

/// Every binary built on this command line (ours, and each game's `xtask`)
/// allocates with mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mimalloc.h` (version 3, which
/// `libmimalloc-sys` builds): milliseconds before freed memory is returned
/// to the system. The bindings name no constant for it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// The environment variable by which mimalloc reads the same option; when
/// it is set, its value is left alone.
const PURGE_DELAY_ENV: &str = "MIMALLOC_PURGE_DELAY";
/// The delay this command line uses (local): 10 ms, where mimalloc 3 waits
/// 1000 ms (`src/options.c`).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Freed memory goes back to the system after `PURGE_DELAY_MS`. A pack
/// frees its walk's structures before the gate, and the gate's buffers
/// before the writer's: with mimalloc's one-second delay it held up to
/// 20 MiB of them at the peak of a 10k-asset pack (122 MiB of resident
/// memory, 102 MiB with 10 ms). Called first thing in `main`; an option is
/// read when used, so it holds from then on.
pub(crate) fn return_freed_memory_soon() {
    if std::env::var_os(PURGE_DELAY_ENV).is_some() {
        return;
    }
    // SAFETY: it takes plain integers; mimalloc documents its options as
    // safe to set at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_memory_is_returned_soon() {
        if std::env::var_os(PURGE_DELAY_ENV).is_some() {
            return; // The environment decides, and is left alone.
        }
        // SAFETY: a plain read of an option.
        let before = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        // mimalloc's own default, or ours when another test of this binary set it first:
        // either way the option's number is the one mimalloc's header gives.
        assert!(before == 1000 || before == PURGE_DELAY_MS, "option {PURGE_DELAY} holds {before}");
        return_freed_memory_soon();
        // SAFETY: as above.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, PURGE_DELAY_MS);
    }
}
