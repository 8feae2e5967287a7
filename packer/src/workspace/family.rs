//! The asset families as the workspace names them: each `type`, its
//! `output.format`, its bank type and its main input role. What a family
//! *does* with its inputs is `crate::families`'.

/// The glyph bank role holding one image whose cells, row-major, are the tiles (local).
pub const SHEET_ROLE: &str = "sheet";

/// The asset families this packer knows (`asset.json` `type`, fixed names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// `glyph_bank`: PNG tiles → one 256×256 4-bit sheet plus 64 RGB565 palettes (`GLYPH/indexed_v1`).
    GlyphBank,
    /// `sound_bank`: WAV samples → PCM16 little-endian mono, concatenated (`SOUNDS/pcm16le_v1`).
    SoundBank,
}

impl Family {
    /// Every family this packer knows; messages listing the accepted `type` values follow this order.
    pub const ALL: [Family; 2] = [Family::GlyphBank, Family::SoundBank];

    /// The family an `asset.json` `type` names; `None` for any other string (`asset_type_unknown`).
    pub fn from_type_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.type_name() == name)
    }

    /// The `type` value in `asset.json`.
    pub fn type_name(self) -> &'static str {
        match self {
            Family::GlyphBank => "glyph_bank",
            Family::SoundBank => "sound_bank",
        }
    }

    /// The required `output.format`.
    pub fn format(self) -> &'static str {
        match self {
            Family::GlyphBank => "GLYPH/indexed_v1",
            Family::SoundBank => "SOUNDS/pcm16le_v1",
        }
    }

    /// The asset table `bank_type`.
    pub fn bank_type(self) -> &'static str {
        match self {
            Family::GlyphBank => prometeu_pa::GLYPH_BANK_TYPE,
            Family::SoundBank => prometeu_pa::SOUND_BANK_TYPE,
        }
    }

    /// The input role whose files become artifacts (the first of `main_roles`).
    pub fn main_role(self) -> &'static str {
        self.main_roles()[0]
    }

    /// Every role a declaration may take its artifacts from; it uses exactly
    /// one. A glyph bank reads one image per tile (`tiles`) or one image cut
    /// into cells (`sheet`, a local extension).
    pub fn main_roles(self) -> &'static [&'static str] {
        match self {
            Family::GlyphBank => &["tiles", SHEET_ROLE],
            Family::SoundBank => &["samples"],
        }
    }

    /// Whether an artifact may carry `loop` points.
    pub fn accepts_loop_points(self) -> bool {
        self == Family::SoundBank
    }
}
