//! Payloads the pack's gate keeps for the writer, so an asset is decoded
//! once: what the gate built is what the writer writes.
//!
//! A payload is kept only in its sparse form (the runs of non-zero bytes),
//! and only while every kept payload together stays under
//! `PACK_KEEP_BYTES`: a glyph bank's 34 816-byte sheet is mostly the zeros
//! of empty cells and undeclared palettes, and keeps in about a kilobyte;
//! a sound bank's samples are as large as its input and do not compress
//! this way, so it is rebuilt from the frozen bytes (its 16-bit PCM is
//! copied straight from the data chunk). Memory stays bounded whatever the
//! project: past the budget, assets are rebuilt as before. The bytes
//! written never depend on which assets were kept.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of sparse payloads the gate may keep for the writer (local).
pub const PACK_KEEP_BYTES: u64 = 4 * 1024 * 1024;

/// A sparse payload is kept only when it is at most this fraction of the payload.
const KEEP_RATIO: usize = 4;

/// Zero bytes between two runs below which they are stored as one: a run
/// costs `SPAN_COST` bytes of bookkeeping.
const SPAN_COST: usize = 8;

/// A payload as its runs of non-zero bytes: `len` bytes, zero except at the
/// spans. Held in one block, so a kept payload is one allocation and a place
/// for one is a pointer and a length: `len` and the number of spans (each a
/// little-endian u32), then each span's offset into the payload and length,
/// then the spans' bytes one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sparse(Box<[u8]>);

/// Bytes of `Sparse`'s block before its spans: the payload's length and the number of spans.
const SPARSE_HEAD: usize = 8;

// A span's bookkeeping is its offset and length in the block.
const _: () = assert!(SPAN_COST == 2 * size_of::<u32>());

impl Sparse {
    /// The sparse form of `payload`, when it is small enough to be worth
    /// keeping and holds at most `room` bytes; given up as soon as it would
    /// hold more (scanning no further than that many non-zero bytes).
    pub fn of(payload: &[u8], room: u64) -> Option<Sparse> {
        let len = u32::try_from(payload.len()).ok()?;
        let limit = (payload.len() / KEEP_RATIO).min(usize::try_from(room).unwrap_or(usize::MAX));
        let (mut spans, mut bytes) = (Vec::new(), 0);
        let mut at = 0;
        while let Some(start) = next_nonzero(payload, at) {
            let room = limit.checked_sub(bytes + (spans.len() + 1) * SPAN_COST)?;
            let end = run_end(payload, start, room)?;
            spans.push((start as u32, (end - start) as u32));
            bytes += end - start;
            at = end;
        }
        // Made at its exact size, not shrunk in place: an allocator may keep
        // a shrunk block whole (mimalloc does when it is at least half used),
        // and a kept payload then held up to twice the bytes the budget counts.
        let mut block = Vec::with_capacity(SPARSE_HEAD + spans.len() * SPAN_COST + bytes);
        block.extend_from_slice(&len.to_le_bytes());
        block.extend_from_slice(&(spans.len() as u32).to_le_bytes());
        for &(offset, len) in &spans {
            block.extend_from_slice(&offset.to_le_bytes());
            block.extend_from_slice(&len.to_le_bytes());
        }
        for &(offset, len) in &spans {
            block.extend_from_slice(&payload[offset as usize..(offset + len) as usize]);
        }
        Some(Sparse(block.into_boxed_slice()))
    }

    /// Bytes this form holds besides its head.
    pub fn held(&self) -> u64 {
        (self.0.len() - SPARSE_HEAD) as u64
    }

    /// The payload's length.
    pub fn payload_len(&self) -> u64 {
        u64::from(self.word(0))
    }

    /// The payload, whole.
    pub fn expand(&self) -> Vec<u8> {
        let mut payload = vec![0u8; self.word(0) as usize];
        let spans = self.word(1) as usize;
        let mut from = SPARSE_HEAD + spans * SPAN_COST;
        for span in 0..spans {
            let (offset, len) = (self.word(2 + 2 * span) as usize, self.word(3 + 2 * span) as usize);
            payload[offset..offset + len].copy_from_slice(&self.0[from..from + len]);
            from += len;
        }
        payload
    }

    /// The `n`th little-endian u32 of the block.
    fn word(&self, n: usize) -> u32 {
        u32::from_le_bytes(self.0[4 * n..4 * n + 4].try_into().expect("four bytes"))
    }
}

/// Bytes looked at together by `next_nonzero`.
const ZERO_STRIDE: usize = 16;

/// The next non-zero byte at or after `from`. Sixteen bytes are looked at
/// together: a glyph bank's payload is mostly zeros, and a look at one byte
/// after another was 4% of a 100k-asset pack's CPU.
fn next_nonzero(payload: &[u8], from: usize) -> Option<usize> {
    let rest = &payload[from..];
    let zeros = rest
        .chunks_exact(ZERO_STRIDE)
        .take_while(|chunk| u128::from_ne_bytes((*chunk).try_into().expect("a whole chunk")) == 0)
        .count()
        * ZERO_STRIDE;
    rest[zeros..].iter().position(|&b| b != 0).map(|p| from + zeros + p)
}

/// The end of the run starting at the non-zero byte `start`: past its last
/// non-zero byte before `SPAN_COST` zeros in a row (or the payload's end).
/// `None` as soon as the run is longer than `room`: a dense payload is
/// given up after at most `room` bytes, never scanned whole.
fn run_end(payload: &[u8], start: usize, room: usize) -> Option<usize> {
    let mut end = start + 1;
    loop {
        let zeros = payload[end..].iter().take_while(|&&b| b == 0).take(SPAN_COST).count();
        if zeros == SPAN_COST || end + zeros == payload.len() {
            return (end - start <= room).then_some(end);
        }
        // A short gap: the run goes on past it and the non-zero bytes after it.
        end += zeros;
        end += payload[end..].iter().take(room + 1).take_while(|&&b| b != 0).count();
        if end - start > room {
            return None;
        }
    }
}

/// What the gate may still keep, shared by its workers.
#[derive(Debug)]
pub struct Keeper {
    left: AtomicU64,
}

impl Keeper {
    /// A keeper with `budget` bytes to spend.
    pub fn new(budget: u64) -> Keeper {
        Keeper { left: AtomicU64::new(budget) }
    }

    /// The sparse form of `payload` when it is worth keeping and fits what is left.
    pub fn offer(&self, payload: &[u8]) -> Option<Sparse> {
        // Once the budget is spent, a payload is given up after a few bytes
        // instead of scanned for a form that cannot be kept (about 3% of a
        // 100k-asset pack's CPU, where most payloads come after that).
        let sparse = Sparse::of(payload, self.left.load(Ordering::Relaxed))?;
        let cost = sparse.held();
        let taken = self.left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(cost));
        taken.is_ok().then_some(sparse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_to_the_same_bytes() {
        let mut payload = vec![0u8; 34_816];
        for (i, b) in payload.iter_mut().enumerate() {
            if (i / 128) % 7 == 0 && i % 128 < 8 || i == 34_815 || i == 0 {
                *b = (i % 251) as u8 | 1;
            }
        }
        payload[300] = 0x10;
        payload[303] = 0x01; // a gap shorter than a span's cost stays inside one span
        let sparse = Sparse::of(&payload, u64::MAX).expect("mostly zeros");
        assert_eq!(sparse.expand(), payload);
        assert!(sparse.held() < payload.len() as u64 / 4, "{}", sparse.held());
        assert_eq!(Sparse::of(&payload, sparse.held()).as_ref(), Some(&sparse), "exactly the room it needs");
        assert_eq!(Sparse::of(&payload, sparse.held() - 1), None, "a byte less");
        assert_eq!(Sparse::of(&[0; 100], u64::MAX).unwrap().expand(), vec![0; 100]);
        assert_eq!(Sparse::of(&[], u64::MAX).unwrap().expand(), Vec::<u8>::new());
    }

    #[test]
    fn a_place_for_a_kept_payload_is_a_pointer_and_a_length() {
        assert_eq!(size_of::<Option<Sparse>>(), size_of::<Box<[u8]>>());
    }

    #[test]
    fn dense_payloads_are_not_kept() {
        let dense: Vec<u8> = (0..4096u32).map(|i| (i % 255) as u8 + 1).collect();
        assert_eq!(Sparse::of(&dense, u64::MAX), None);
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let mut payload = vec![0u8; 4096];
        payload[10] = 1;
        let keeper = Keeper::new(Sparse::of(&payload, u64::MAX).unwrap().held() * 2);
        assert!(keeper.offer(&payload).is_some());
        assert!(keeper.offer(&payload).is_some());
        assert!(keeper.offer(&payload).is_none(), "the third is over the budget");
        let empty = Keeper::new(0);
        assert_eq!(
            empty.offer(&vec![0u8; 4096]),
            Some(Sparse::of(&[0; 4096], u64::MAX).unwrap()),
            "all zeros costs nothing"
        );
        assert_eq!(empty.offer(&payload), None);
    }

    #[test]
    fn the_next_non_zero_byte_is_found_wherever_it_is() {
        for len in [0, 1, 15, 16, 17, 40, 100] {
            for at in 0..len {
                let mut payload = vec![0u8; len];
                payload[at] = 7;
                for from in 0..=at {
                    assert_eq!(next_nonzero(&payload, from), Some(at), "len {len}, at {at}, from {from}");
                }
                assert_eq!(next_nonzero(&payload, at + 1), None, "len {len}, past {at}");
            }
            assert_eq!(next_nonzero(&vec![0u8; len], 0), None, "len {len}, all zeros");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_kept_payload_expands_to_itself(runs in proptest::collection::vec((0usize..64, 0u8..=255), 0..40)) {
            let mut payload = Vec::new();
            for (zeros, value) in runs {
                payload.extend(std::iter::repeat_n(0u8, zeros * 8));
                payload.push(value);
            }
            if let Some(sparse) = Sparse::of(&payload, u64::MAX) {
                proptest::prop_assert_eq!(sparse.expand(), payload);
            }
        }
    }
}
