//! How full a pack is: per bank and in total, from the header alone (no
//! payload is read), for the build report and the budgets.

use std::collections::BTreeMap;

use prometeu_pa::{GLYPH_BANK_TYPE, Header, PRELOAD_SLOTS, SOUND_BANK_TYPE};
use serde::Serialize;
use serde_json::Value;

use crate::families::glyph::{PALETTE_COUNT, SHEET_SIDE};

/// The use of one packed asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankUsage {
    /// Registry id.
    pub asset_id: u32,
    /// The declaration's `name`.
    pub asset_name: String,
    /// `GLYPH` or `SOUNDS`.
    pub bank_type: String,
    /// Payload bytes in `assets.pa`.
    pub bytes: u64,
    /// Glyph banks: cells in use (tiles) and the sheet's cells for its `tile_size`.
    pub cells: Option<(u64, u64)>,
    /// Glyph banks: palettes authored, out of [`PALETTE_COUNT`].
    pub palettes: Option<u64>,
    /// Sound banks: total duration of the samples in seconds.
    pub seconds: Option<f64>,
    /// The preload slot, when preloaded.
    pub preload_slot: Option<u32>,
}

/// The use of a whole pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackUsage {
    /// Size of `assets.pa` in bytes.
    pub assets_pa_bytes: u64,
    /// One per asset, in `asset_id` order.
    pub banks: Vec<BankUsage>,
    /// Preload slots used per bank type, out of [`PRELOAD_SLOTS`].
    pub preload_slots: BTreeMap<String, u32>,
}

impl PackUsage {
    /// Payload bytes of every sound bank together.
    pub fn sound_bytes(&self) -> u64 {
        self.of(SOUND_BANK_TYPE).map(|b| b.bytes).sum()
    }

    /// Seconds of sound of every sound bank together.
    pub fn sound_seconds(&self) -> f64 {
        self.of(SOUND_BANK_TYPE).filter_map(|b| b.seconds).sum()
    }

    /// How many banks of `bank_type` the pack holds.
    pub fn bank_count(&self, bank_type: &str) -> u64 {
        self.of(bank_type).count() as u64
    }

    fn of<'a>(&'a self, bank_type: &'a str) -> impl Iterator<Item = &'a BankUsage> + 'a {
        self.banks.iter().filter(move |b| b.bank_type == bank_type)
    }
}

/// Palettes per glyph bank (fixed), the denominator of `palettes`.
pub const PALETTES_PER_BANK: usize = PALETTE_COUNT;
/// Preload slots per bank type, the denominator of `preload_slots`.
pub const SLOTS_PER_BANK_TYPE: u32 = PRELOAD_SLOTS;

/// Measures a pack from its header and file length.
pub fn usage(header: &Header, file_len: u64) -> PackUsage {
    let slots: BTreeMap<u32, u32> = header.preload.iter().map(|p| (p.asset_id, p.slot)).collect();
    let banks: Vec<BankUsage> = header
        .asset_table
        .iter()
        .map(|entry| {
            let metadata = entry.metadata.to_map();
            let number = |key: &str| metadata.get(key).and_then(Value::as_u64);
            let glyph = entry.bank_type == GLYPH_BANK_TYPE;
            let cells = glyph.then(|| {
                let side = u64::from(SHEET_SIDE) / number("tile_size").filter(|&t| t > 0).unwrap_or(8);
                (number("tile_count").unwrap_or(0), side * side)
            });
            let seconds = (entry.bank_type == SOUND_BANK_TYPE).then(|| sound_seconds(&metadata));
            BankUsage {
                asset_id: entry.asset_id,
                asset_name: entry.asset_name.clone(),
                bank_type: entry.bank_type.to_string(),
                bytes: entry.size,
                cells,
                palettes: if glyph { number("palette_authored") } else { None },
                seconds,
                preload_slot: slots.get(&entry.asset_id).copied(),
            }
        })
        .collect();
    let mut preload_slots: BTreeMap<String, u32> =
        prometeu_pa::BANK_TYPES.iter().map(|t| ((*t).to_owned(), 0)).collect();
    for bank in banks.iter().filter(|b| b.preload_slot.is_some()) {
        *preload_slots.entry(bank.bank_type.clone()).or_default() += 1;
    }
    PackUsage { assets_pa_bytes: file_len, banks, preload_slots }
}

fn sound_seconds(metadata: &serde_json::Map<String, Value>) -> f64 {
    let samples = metadata.get("samples").and_then(Value::as_object);
    samples
        .into_iter()
        .flat_map(|s| s.values())
        .filter_map(|s| Some(s["frames"].as_u64()? as f64 / s["sample_rate"].as_u64().filter(|&r| r > 0)? as f64))
        .sum()
}

/// What the pack would use, from the gate's plans, without writing: the
/// header the pack would write and the file length it implies. Covers the
/// assets that passed the gate (all of them when it passed).
pub fn planned_usage(report: &crate::exec::gate::GateReport) -> PackUsage {
    let header = crate::exec::pack::header(&report.plans);
    let file_len = u64::from(prometeu_pa::PRELUDE_LEN) + header.canonical_len() as u64 + header.payload_len();
    usage(&header, file_len)
}

/// `validate`, plus the usage of the pack it would allow (for budgets).
pub fn validate_with_usage(
    project: &camino::Utf8Path,
    threads: Option<usize>,
) -> (crate::exec::report::Validation, PackUsage) {
    let (snapshot, report) = crate::exec::report::gate_live(project, threads);
    let found = (crate::exec::report::group(&snapshot, &report), planned_usage(&report));
    crate::support::background::drop_in_background((snapshot, report));
    found
}
