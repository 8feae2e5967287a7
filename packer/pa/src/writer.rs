//! The streaming writer.

use std::io::{self, Write};

use crate::header::{Entry, Header, Prelude};
use crate::verify::check_header;
use crate::violation::{invalid_input, join};

/// Streams an `assets.pa`: prelude and header at `new`, then each asset's
/// payload in table order via `payload`, and `finish` checks nothing is missing.
///
/// It reads each entry's id and size from the header it borrows and holds
/// no payload bytes, so memory stays flat however large the pack. Give it
/// a buffered writer.
pub struct PaWriter<'h, W: Write> {
    out: W,
    /// The header written, whose entries the payloads follow in table order.
    header: &'h Header,
    written: usize,
}

impl<'h, W: Write> PaWriter<'h, W> {
    /// Writes the prelude and the canonical header. A header that breaks the
    /// format (`check_header`) or is too long for the u32
    /// prelude fields is refused with `InvalidInput` before anything is written.
    pub fn new(mut out: W, header: &'h Header) -> io::Result<PaWriter<'h, W>> {
        let problems = check_header(header);
        if !problems.is_empty() {
            return Err(invalid_input(format!(
                "refusing to write an assets.pa whose header breaks the format: {}",
                join(&problems)
            )));
        }
        // Counted, then streamed: the header is never held whole.
        let prelude = Prelude::for_header_len(header.canonical_len())?;
        out.write_all(&prelude.to_bytes())?;
        header.write_canonical(&mut out)?;
        Ok(PaWriter { out, header, written: 0 })
    }

    /// Writes the payload of the next entry; its length must equal the entry's `size`.
    pub fn payload(&mut self, bytes: &[u8]) -> io::Result<()> {
        let table = &self.header.asset_table;
        let Some(&Entry { asset_id, size, .. }) = table.get(self.written) else {
            return Err(invalid_input(format!(
                "all {} payloads of the asset table are already written; there is no entry for another \
                 payload of {} bytes",
                table.len(),
                bytes.len()
            )));
        };
        if u64::try_from(bytes.len()).ok() != Some(size) {
            return Err(invalid_input(format!(
                "entry {} (asset_id {asset_id}) declares size {size} but its payload is {} bytes",
                self.written,
                bytes.len()
            )));
        }
        self.out.write_all(bytes)?;
        self.written += 1;
        Ok(())
    }

    /// Checks every payload was written, flushes, and hands the output back.
    pub fn finish(mut self) -> io::Result<W> {
        let table = &self.header.asset_table;
        if let Some(Entry { asset_id, .. }) = table.get(self.written) {
            return Err(invalid_input(format!(
                "only {} of {} payloads were written; entry {} (asset_id {asset_id}) is missing",
                self.written,
                table.len(),
                self.written
            )));
        }
        self.out.flush()?;
        Ok(self.out)
    }
}
