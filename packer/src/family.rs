//! Asset families: what each `type` means, and the one interface through
//! which the gate and the writer turn a declaration plus input bytes into a
//! payload. The same `materialize` runs in validation, in the pack gate and
//! in the writer, so the three can never disagree.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::declaration::{Declaration, LoopPoints};
use crate::diag::{Code, Diagnostic};
use crate::{glyph, sound};

/// The asset families this packer knows (`asset.json` `type`, upstream names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    GlyphBank,
    SoundBank,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::GlyphBank, Family::SoundBank];

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
            Family::GlyphBank => "GLYPH",
            Family::SoundBank => "SOUNDS",
        }
    }

    /// The input role whose files become artifacts.
    pub fn main_role(self) -> &'static str {
        match self {
            Family::GlyphBank => "tiles",
            Family::SoundBank => "samples",
        }
    }

    /// Inputs larger than this are refused from their size alone, before any
    /// byte is read (the snapshot does not read them either).
    pub fn max_input_bytes(self) -> u64 {
        match self {
            Family::GlyphBank => glyph::MAX_PNG_BYTES,
            Family::SoundBank => sound::MAX_WAV_BYTES,
        }
    }

    /// Whether an artifact may carry `loop` points.
    pub fn accepts_loop_points(self) -> bool {
        self == Family::SoundBank
    }

    /// Checks of the declaration alone (no input content): used by summary too.
    pub fn check_declaration(self, asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
        match self {
            Family::GlyphBank => glyph::check_declaration(asset, decl),
            Family::SoundBank => sound::check_declaration(asset, decl),
        }
    }

    /// Decodes the selected inputs and builds the payload. Blocking findings
    /// come back as `Err`; warnings about the inputs' content ride along in
    /// `Materialized::warnings`. Declaration findings are `check_declaration`'s
    /// to report (the walk runs it), so they are not repeated here.
    pub fn materialize(self, input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
        match self {
            Family::GlyphBank => glyph::materialize(input),
            Family::SoundBank => sound::materialize(input),
        }
    }
}

/// Which asset a finding is about; attach with `Diagnostic::asset(id, root)`.
#[derive(Debug, Clone, Copy)]
pub struct AssetRef<'a> {
    pub asset_id: u32,
    /// The registry `root`, relative to `assets/`.
    pub root: &'a str,
}

/// Gives the bytes of an input file. In a frozen snapshot this is memory
/// only; in validation it reads the file once and lets it go.
pub trait Content: Sync {
    /// `path` is project-relative (`assets/hero/tiles/a.png`).
    fn bytes(&self, path: &str) -> Result<Cow<'_, [u8]>, String>;
}

/// One selected artifact, ready for a family. `files` are sorted by `index`,
/// which the declaration check has proven to be exactly `0..n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedFile {
    pub index: u32,
    /// As written in `asset.json`, relative to the asset root.
    pub input: String,
    /// Project-relative, for messages and `Content::bytes`.
    pub path: String,
    /// Size on disk when the walk saw it (checked against limits before reading).
    pub size: u64,
    pub loop_points: Option<LoopPoints>,
}

/// Everything a family needs to build one asset.
pub struct AssetInput<'a> {
    pub asset: AssetRef<'a>,
    pub decl: &'a Declaration,
    pub files: &'a [SelectedFile],
    pub content: &'a dyn Content,
}

/// A built asset: the payload bytes and the keys the family derives.
#[derive(Debug, Clone, PartialEq)]
pub struct Materialized {
    pub payload: Vec<u8>,
    pub decoded_size: u64,
    /// Derived metadata keys (`width`, `samples`, …), merged by `metadata::converge`.
    pub derived: Map<String, Value>,
    pub warnings: Vec<Diagnostic>,
}

/// Attaches the asset and the file to every finding about one file.
pub(crate) struct Reporter<'a> {
    pub asset: AssetRef<'a>,
    pub file: String,
}

impl Reporter<'_> {
    pub fn blocking(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::blocking(code, message).asset(self.asset.asset_id, self.asset.root).file(&self.file)
    }

    pub fn warning(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::warning(code, message).asset(self.asset.asset_id, self.asset.root).file(&self.file)
    }
}
