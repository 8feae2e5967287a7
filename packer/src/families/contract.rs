//! The contract between a family and the code that drives it (validation,
//! the pack gate, the writer): what goes in, what comes out.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::support::diag::{AssetRef, Code, Diagnostic};
use crate::workspace::declaration::{Declaration, LoopPoints};

/// Gives the bytes of an input file. In a frozen snapshot this is memory
/// only; in validation it reads the file once and lets it go.
pub trait Content: Sync {
    /// The bytes of `asset`'s selected `file` (at `file.path()`,
    /// project-relative: `assets/hero/tiles/a.png`). A frozen snapshot holds
    /// each input with the asset that reads it, by the artifact that selects it.
    fn bytes(&self, asset: AssetRef<'_>, file: &SelectedFile) -> Result<Cow<'_, [u8]>, String>;
}

/// One selected artifact, ready for a family. `files` are sorted by `index`,
/// which the declaration check has proven to be exactly `0..n`.
///
/// Its path and its input as written are held in one text: the input is
/// almost always the path's tail, and a snapshot holds one of these per
/// selected file for as long as it lives.
#[derive(Clone, PartialEq, Eq)]
pub struct SelectedFile {
    /// The artifact's `index`: its position in the bank (glyph sheet cell, sound payload order).
    pub index: u32,
    /// The path, then the input unless it is the path's tail.
    text: Box<str>,
    /// Where the path ends in `text`.
    path_end: u32,
    /// Where the input starts in `text`.
    input_at: u32,
    /// Its artifact's place in the declaration's `artifacts`, by which a
    /// snapshot finds what it holds of the file (`NOT_PLACED` when made
    /// elsewhere).
    artifact: u32,
    /// Size on disk when the walk saw it (checked against limits before reading).
    pub size: u64,
    /// The artifact's `loop` (`loop_points`). Boxed: rare, and a snapshot
    /// holds a place for it in every selected file.
    loop_points: Option<Box<LoopPoints>>,
}

impl SelectedFile {
    /// The selected file at `path` (project-relative), declared as `input`.
    pub fn new(index: u32, input: &str, path: &str, size: u64, loop_points: Option<LoopPoints>) -> SelectedFile {
        let tail = path.len().checked_sub(input.len()).filter(|&at| &path[at..] == input);
        let (text, input_at) = match tail {
            Some(at) => (Box::from(path), at),
            None => ([path, input].concat().into_boxed_str(), path.len()),
        };
        let offset = |at: usize| u32::try_from(at).expect("a path and its input fit in 4 GiB");
        let loop_points = loop_points.map(Box::new);
        let (path_end, input_at) = (offset(path.len()), offset(input_at));
        SelectedFile { index, text, path_end, input_at, artifact: NOT_PLACED, size, loop_points }
    }

    /// The file as selected by the artifact at `at` in the declaration's `artifacts`.
    pub(crate) fn placed(self, at: usize) -> SelectedFile {
        let artifact = u32::try_from(at).ok().filter(|&at| at != NOT_PLACED).expect("a declaration has few artifacts");
        SelectedFile { artifact, ..self }
    }

    /// Its artifact's place in the declaration's `artifacts`, when a walk selected it.
    pub fn artifact(&self) -> Option<usize> {
        (self.artifact != NOT_PLACED).then_some(self.artifact as usize)
    }

    /// The artifact's `loop`, in frames; only a sound bank accepts one.
    pub fn loop_points(&self) -> Option<LoopPoints> {
        self.loop_points.as_deref().copied()
    }

    /// As written in `asset.json`, relative to the asset root.
    pub fn input(&self) -> &str {
        &self.text[self.input_at as usize..]
    }

    /// Project-relative, for messages and `Content::bytes`.
    pub fn path(&self) -> &str {
        &self.text[..self.path_end as usize]
    }
}

/// `SelectedFile::artifact` of a file no walk selected.
const NOT_PLACED: u32 = u32::MAX;

impl SelectedFile {
    /// Its fields as a derived `Debug` and `Serialize` see them: the one list
    /// of the keys it is shown and written with (`assets show --json`).
    fn view(&self) -> view::SelectedFile<'_> {
        view::SelectedFile {
            index: self.index,
            input: self.input(),
            path: self.path(),
            size: self.size,
            loop_points: self.loop_points(),
        }
    }
}

mod view {
    use crate::workspace::declaration::LoopPoints;

    /// A `SelectedFile` with its texts apart, named as it is shown.
    #[derive(Debug, serde::Serialize)]
    pub(super) struct SelectedFile<'a> {
        pub index: u32,
        pub input: &'a str,
        pub path: &'a str,
        pub size: u64,
        #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
        pub loop_points: Option<LoopPoints>,
    }
}

impl std::fmt::Debug for SelectedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.view().fmt(f)
    }
}

impl serde::Serialize for SelectedFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}

/// Everything a family needs to build one asset.
pub struct AssetInput<'a> {
    /// Id and root, for tagging every diagnostic the family reports.
    pub asset: AssetRef<'a>,
    /// The parsed `asset.json`; its family picks which family builds the asset.
    pub decl: &'a Declaration,
    /// The selected artifacts, sorted by `index` (exactly `0..n`).
    pub files: &'a [SelectedFile],
    /// Where input bytes come from: the frozen snapshot when packing, the disk when validating.
    pub content: &'a dyn Content,
}

/// A built asset: the payload bytes and the keys the family derives.
#[derive(Debug, Clone, PartialEq)]
pub struct Materialized {
    /// The asset's payload exactly as written to `assets.pa`; its length is the header entry's `size`.
    pub payload: Vec<u8>,
    /// Bytes once resident in the runtime (glyph: `GLYPH_DECODED_BYTES`; sound: the payload length).
    pub decoded_size: u64,
    /// Derived metadata keys (`width`, `samples`, …), merged by `metadata::converge`.
    pub derived: Map<String, Value>,
    /// Non-blocking findings about the inputs' content (e.g. `sample_rate_unusual`).
    pub warnings: Vec<Diagnostic>,
}

/// Attaches the asset and the file to every finding about one file.
pub(crate) struct FileFindings<'a> {
    pub asset: AssetRef<'a>,
    pub file: String,
}

impl FileFindings<'_> {
    pub fn blocking(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::blocking(code, message).asset(self.asset.asset_id, self.asset.root).file(&self.file)
    }

    pub fn warning(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::warning(code, message).asset(self.asset.asset_id, self.asset.root).file(&self.file)
    }
}
