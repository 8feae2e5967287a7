//! Where a packing snapshot holds the bytes it froze: files packed back to
//! back into shared buffers as the roots are walked, each file a range of
//! one buffer.
//!
//! Each file in a buffer of its own cost the allocator's rounding of its
//! size (about 6%, 25 MiB over the 396 MiB of a 100k-asset project) and one
//! allocation among the walk's small ones, whose pages then stayed partly
//! used after the walk freed its own. A few buffers of `FROZEN_BUFFER_BYTES`
//! waste at most the tail of each.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

/// Size of a shared buffer of frozen bytes (local).
pub const FROZEN_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// A file larger than this keeps the buffer it was read into, as a buffer
/// of its own (no copy); smaller ones are copied into a shared buffer, so
/// at most this much of each shared buffer's tail goes unused (local).
pub const FROZEN_OWN_BUFFER_BYTES: usize = FROZEN_BUFFER_BYTES / 16;

/// One file a packing walk froze: where its bytes are, a range of one of
/// the snapshot's buffers (`Snapshot::bytes_of`). The asset that read the
/// file holds it (`AssetSnapshot::frozen_artifact`), so a snapshot keeps one
/// record per frozen file and no second list of their paths. (No digest:
/// the worker that builds an asset's payload hashes its inputs into the
/// asset's record of `asset_table_metadata.json`, so no digest is held for
/// the whole pack.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrozenFile {
    buffer: u32,
    start: u32,
    len: u32,
}

impl FrozenFile {
    /// Length of the file's frozen bytes.
    pub fn len(&self) -> u64 {
        u64::from(self.len)
    }

    /// Whether the file was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file's bytes in `buffers`, the list it was frozen into.
    pub(crate) fn of<'a>(&self, buffers: &'a [Box<[u8]>]) -> &'a [u8] {
        let start = self.start as usize;
        &buffers[self.buffer as usize][start..start + self.len as usize]
    }
}

/// Packs frozen files into buffers, from every walking thread at once: a
/// thread takes an open buffer (or starts one), copies a file in and puts
/// it back; a full buffer is sealed. Which file lands in which buffer
/// depends on the threads; the bytes each range gives do not.
#[derive(Default)]
pub(crate) struct Freezer {
    open: Mutex<Vec<Open>>,
    sealed: Mutex<Vec<(u32, Box<[u8]>)>>,
    next: AtomicU32,
}

struct Open {
    id: u32,
    bytes: Vec<u8>,
}

impl Freezer {
    /// Takes a file's bytes (as read, sized to the file) into a buffer.
    pub(crate) fn freeze(&self, bytes: Vec<u8>) -> FrozenFile {
        // Every input is limited far below 4 GiB (`max_input_bytes`).
        let len = u32::try_from(bytes.len()).expect("a frozen file is under 4 GiB");
        if bytes.len() > FROZEN_OWN_BUFFER_BYTES {
            let buffer = self.id();
            self.seal(buffer, bytes);
            return FrozenFile { buffer, start: 0, len };
        }
        let mut open = lock(&self.open).pop().unwrap_or_else(|| self.start());
        if open.bytes.capacity() - open.bytes.len() < bytes.len() {
            let full = std::mem::replace(&mut open, self.start());
            self.seal(full.id, full.bytes);
        }
        let start = u32::try_from(open.bytes.len()).expect("a buffer is under 4 GiB");
        open.bytes.extend_from_slice(&bytes);
        let frozen = FrozenFile { buffer: open.id, start, len };
        lock(&self.open).push(open);
        frozen
    }

    /// Every buffer, each at the index its ranges name.
    pub(crate) fn into_buffers(self) -> Vec<Box<[u8]>> {
        let mut all = self.sealed.into_inner().unwrap_or_else(PoisonError::into_inner);
        let open = self.open.into_inner().unwrap_or_else(PoisonError::into_inner);
        // Copied at their length: an open buffer shrunk in place may keep its whole capacity.
        all.extend(open.into_iter().map(|o| (o.id, Box::from(&o.bytes[..]))));
        all.sort_unstable_by_key(|(id, _)| *id);
        debug_assert!(all.iter().zip(0..).all(|((id, _), i)| *id == i), "buffer ids are 0..n");
        all.into_iter().map(|(_, bytes)| bytes).collect()
    }

    fn id(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn start(&self) -> Open {
        Open { id: self.id(), bytes: Vec::with_capacity(FROZEN_BUFFER_BYTES) }
    }

    fn seal(&self, id: u32, bytes: Vec<u8>) {
        lock(&self.sealed).push((id, bytes.into_boxed_slice()));
    }
}

/// A lock whose holder cannot leave its data half-changed (each holder
/// only pushes or pops), so a panic elsewhere does not make it unusable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_gives_back_its_file_across_buffers() {
        let freezer = Freezer::default();
        let files: Vec<Vec<u8>> = (0..80u32)
            .map(|i| {
                let len = match i % 4 {
                    0 => 0,
                    1 => FROZEN_OWN_BUFFER_BYTES,
                    2 => FROZEN_OWN_BUFFER_BYTES + 1,
                    _ => 1000 + i as usize,
                };
                (0..len).map(|b| (b as u32 ^ i) as u8).collect()
            })
            .collect();
        let frozen: Vec<FrozenFile> = files.iter().map(|f| freezer.freeze(f.clone())).collect();
        let buffers = freezer.into_buffers();
        // Twenty files over the threshold keep buffers of their own; twenty
        // at it (5 MiB) and forty small ones fill one shared buffer and start
        // a second.
        assert_eq!(buffers.len(), 22);
        for (file, frozen) in files.iter().zip(&frozen) {
            assert_eq!(frozen.of(&buffers), &file[..]);
            assert_eq!(frozen.len(), file.len() as u64);
        }
    }
}
