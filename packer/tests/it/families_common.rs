//! Shared by the family tests: an in-memory `Content`, declaration fixtures
//! built directly (no parser), and real PNG / WAV files made with the
//! encoders or, where an encoder cannot produce a layout, byte by byte.

// Each test binary uses its own subset of these helpers.

pub use prometeu_test_support::*;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use prometeu_packer::{
    Artifact, AssetInput, AssetRef, Code, Content, Declaration, Diagnostic, Family, LoopPoints, Materialized, Output,
    Preload, SelectedFile, Severity,
};
use serde_json::{Map, Value, json};

pub const ASSET_ID: u32 = 7;
pub const ROOT: &str = "hero";
pub const DECLARATION_PATH: &str = "assets/hero/asset.json";

// ---------------------------------------------------------------------------
// Content

/// Input bytes by project-relative path; records every read, and refuses
/// (by panicking) to hand out the paths marked forbidden.
#[derive(Default)]
pub struct MemContent {
    files: HashMap<String, Vec<u8>>,
    forbidden: Vec<String>,
    reads: Mutex<Vec<String>>,
}

impl MemContent {
    pub fn reads(&self) -> Vec<String> {
        self.reads.lock().map(|reads| reads.clone()).unwrap_or_default()
    }
}

impl Content for MemContent {
    fn bytes(&self, _: AssetRef<'_>, file: &SelectedFile) -> Result<Cow<'_, [u8]>, String> {
        let path = file.path();
        assert!(!self.forbidden.iter().any(|p| p == path), "{path} must never be read");
        if let Ok(mut reads) = self.reads.lock() {
            reads.push(path.to_owned());
        }
        self.files.get(path).map(|bytes| Cow::Borrowed(bytes.as_slice())).ok_or_else(|| "no such file".to_owned())
    }
}

// ---------------------------------------------------------------------------
// Fixtures

/// One asset: its declaration, its selected files and their bytes.
pub struct Fixture {
    pub decl: Declaration,
    pub files: Vec<SelectedFile>,
    pub content: MemContent,
}

impl Fixture {
    pub fn new(family: Family, metadata: Value, pipeline: Option<Value>) -> Fixture {
        let object = |value: Value| match value {
            Value::Object(map) => prometeu_packer::JsonObject::from_map(&map),
            other => panic!("expected an object, got {other}"),
        };
        let decl = Declaration {
            asset_uuid: "3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10".to_owned(),
            name: "hero".to_owned(),
            family,
            inputs: BTreeMap::from([(family.main_role().to_owned(), Vec::new())]).into(),
            artifacts: Vec::new(),
            output: Output {
                format: family.format().to_owned(),
                codec: "NONE".to_owned(),
                metadata: object(metadata),
                codec_configuration: None,
                pipeline: pipeline.map(object),
            },
            preload: Preload { enabled: false, slot: None },
        };
        Fixture { decl, files: Vec::new(), content: MemContent::default() }
    }

    /// A glyph bank with `tile_size` and `palettes` as given (raw JSON, so tests can break them).
    pub fn glyph(tile_size: Value, palettes: Value) -> Fixture {
        Fixture::new(Family::GlyphBank, json!({ "tile_size": tile_size }), Some(json!({ "palettes": palettes })))
    }

    pub fn sound() -> Fixture {
        Fixture::new(Family::SoundBank, json!({}), None)
    }

    /// Selects `input` as the next artifact with these bytes.
    pub fn add(&mut self, input: &str, bytes: Vec<u8>) -> &mut Fixture {
        self.add_full(input, bytes, None)
    }

    pub fn add_looped(&mut self, input: &str, bytes: Vec<u8>, start: u64, end: u64) -> &mut Fixture {
        self.add_full(input, bytes, Some(LoopPoints { start, end }))
    }

    fn add_full(&mut self, input: &str, bytes: Vec<u8>, loop_points: Option<LoopPoints>) -> &mut Fixture {
        let index = self.decl.artifacts.len() as u32;
        let path = format!("assets/{ROOT}/{input}");
        self.decl.artifacts.push(Artifact { index, input: input.to_owned(), loop_points });
        if let Some(list) = self.decl.inputs.get_mut(self.decl.family.main_role()) {
            list.push(input.to_owned());
        }
        self.files.push(SelectedFile::new(index, input, &path, bytes.len() as u64, loop_points));
        self.content.files.insert(path, bytes);
        self
    }

    /// Points the first selected file at `path`, where the content holds nothing.
    pub fn move_first_file(&mut self, path: &str) -> &mut Fixture {
        let first = &self.files[0];
        self.files[0] = SelectedFile::new(first.index, first.input(), path, first.size, first.loop_points());
        self
    }

    /// Declares `size` as the on-disk size of `input` and forbids reading it.
    pub fn pretend_size(&mut self, input: &str, size: u64) -> &mut Fixture {
        let path = format!("assets/{ROOT}/{input}");
        for file in self.files.iter_mut().filter(|file| file.path() == path) {
            file.size = size;
        }
        self.content.forbidden.push(path);
        self
    }

    pub fn asset(&self) -> AssetRef<'static> {
        AssetRef { asset_id: ASSET_ID, root: ROOT }
    }

    pub fn check(&self) -> Vec<Diagnostic> {
        prometeu_packer::check_declaration(&self.asset(), &self.decl)
    }

    pub fn materialize(&self) -> Result<Materialized, Vec<Diagnostic>> {
        let input = AssetInput { asset: self.asset(), decl: &self.decl, files: &self.files, content: &self.content };
        prometeu_packer::materialize(&input)
    }

    pub fn ok(&self) -> Materialized {
        match self.materialize() {
            Ok(built) => built,
            Err(found) => panic!("expected success, got {found:#?}"),
        }
    }

    pub fn err(&self) -> Vec<Diagnostic> {
        match self.materialize() {
            Ok(_) => panic!("expected blocking findings, got success"),
            Err(found) => found,
        }
    }
}

/// Asserts exactly one diagnostic with this code, fully attributed to the
/// fixture's asset and `file`, whose message holds every `parts` string.
pub fn expect_one<'d>(
    found: &'d [Diagnostic],
    code: Code,
    severity: Severity,
    file: &str,
    parts: &[&str],
) -> &'d Diagnostic {
    let matching: Vec<&Diagnostic> = found.iter().filter(|d| d.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one {code}, got {found:#?}");
    let d = matching[0];
    assert_eq!(d.severity, severity, "{d:#?}");
    assert_eq!(d.asset_id, Some(ASSET_ID), "{d:#?}");
    assert_eq!(d.asset_root.as_deref(), Some(ROOT), "{d:#?}");
    assert_eq!(d.file.as_deref(), Some(file), "{d:#?}");
    for part in parts {
        assert!(d.message.contains(part), "message {:?} lacks {part:?}", d.message);
    }
    assert!(!d.message.contains('\n'), "one sentence, one line: {:?}", d.message);
    d
}

/// The whole list is this one code (blocking), attributed to `file`.
pub fn expect_only(found: &[Diagnostic], code: Code, file: &str, parts: &[&str]) {
    assert_eq!(found.len(), 1, "{found:#?}");
    expect_one(found, code, Severity::Blocking, file, parts);
}

pub fn metadata(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}
