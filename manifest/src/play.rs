//! The `[run]` and `[budget]` sections of `cartridge.toml` (local): how
//! `play` starts the runtime, and the sizes a build should stay under.

/// Accepted keys of `[run]` (local): the fields of `RunToml`.
pub fn run_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<crate::schema::RunToml>()
}
/// `[run].command` when absent (local): the runtime run on `build/`.
pub const DEFAULT_RUN_COMMAND: [&str; 3] = ["prometeu", "run", "build"];
/// Accepted keys of `[budget]` (local): the fields of `BudgetToml`, each a limit except `enforce`.
pub fn budget_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<crate::schema::BudgetToml>()
}

/// Limits from `[budget]`; every limit optional, none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    /// Largest allowed `assets.pa`, in bytes.
    pub assets_pa_bytes: Option<u64>,
    /// Largest allowed total of sound payload bytes (PCM16) over every sound bank.
    pub sound_bytes: Option<u64>,
    /// Longest allowed total sound duration, in whole seconds, over every sound bank.
    pub sound_seconds: Option<u64>,
    /// Most glyph banks allowed in the pack.
    pub glyph_banks: Option<u64>,
    /// Most sound banks allowed in the pack.
    pub sound_banks: Option<u64>,
    /// `true`: a limit exceeded blocks the preparation; `false` (default): it is a warning.
    pub enforce: bool,
}

impl Budget {
    /// Each set limit with its key, in `budget_keys()` order.
    pub fn limits(&self) -> Vec<(&'static str, u64)> {
        let all = [
            ("assets_pa_bytes", self.assets_pa_bytes),
            ("sound_bytes", self.sound_bytes),
            ("sound_seconds", self.sound_seconds),
            ("glyph_banks", self.glyph_banks),
            ("sound_banks", self.sound_banks),
        ];
        all.into_iter().filter_map(|(key, limit)| Some((key, limit?))).collect()
    }
}
