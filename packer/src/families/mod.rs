//! What each asset family does: the one interface through which validation,
//! the pack gate and the writer turn a declaration plus input bytes into a
//! payload. The same `materialize` runs in all three, so they can never
//! disagree. Adding a family is a module here and one arm in each dispatch.

use crate::support::diag::{AssetRef, Diagnostic};
use crate::workspace::declaration::Declaration;
use crate::workspace::family::Family;

pub(crate) mod contract;
pub(crate) mod glyph;
pub(crate) mod metadata;
pub(crate) mod sound;

pub(crate) use contract::{AssetInput, Content, Materialized, SelectedFile};

/// Inputs larger than this are refused from their size alone, before any
/// byte is read (the snapshot does not read them either).
pub fn max_input_bytes(family: Family) -> u64 {
    match family {
        Family::GlyphBank => glyph::MAX_PNG_BYTES,
        Family::SoundBank => sound::MAX_WAV_BYTES,
    }
}

/// Checks of the declaration alone (no input content): used by summary too.
pub fn check_declaration(asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
    match decl.family {
        Family::GlyphBank => glyph::check_declaration(asset, decl),
        Family::SoundBank => sound::check_declaration(asset, decl),
    }
}

/// Decodes the selected inputs and builds the payload. Blocking findings
/// come back as `Err`; warnings about the inputs' content ride along in
/// `Materialized::warnings`. Declaration findings are `check_declaration`'s
/// to report (the walk runs it), so they are not repeated here.
pub fn materialize(input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
    match input.decl.family {
        Family::GlyphBank => glyph::materialize(input),
        Family::SoundBank => sound::materialize(input),
    }
}
