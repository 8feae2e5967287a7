//! Diagnostics: the one shape every finding of the registry, the declarations
//! and the families takes, whether it comes from `validate`, `summary` or the
//! pack gate.
//!
//! Codes are a public interface (`docs/diagnostics.md`): never renamed, only added.

use serde::Serialize;

use crate::support::advice::Advice;

/// Whether a finding stops packing; serialized as `blocking` / `warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Stops the pack (status `blocked`) and fails `validate`; shown as `error[code]`.
    Blocking,
    /// Reported, never stops a pack or fails `validate`; shown as `warning[code]`.
    Warning,
}

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// Every diagnostic code the packer can emit. Codes are a public interface: never renamed, only added.
        // Each variant is documented (severity, when it fires) in docs/diagnostics.md, under its `as_str`
        // name; the `codes_documented` test keeps that table complete, so variants carry no `///` here.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in declaration order (registry, declaration, then each family).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable snake_case name used in JSON output, human output and `docs/diagnostics.md`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    // Registry (workspace level).
    RegistryUnreadable => "registry_unreadable",
    RegistryInvalidJson => "registry_invalid_json",
    RegistryMalformed => "registry_malformed",
    RegistrySchemaVersion => "registry_schema_version",
    RegistryAssetIdInvalid => "registry_asset_id_invalid",
    RegistryDuplicateAssetId => "registry_duplicate_asset_id",
    RegistryDuplicateAssetUuid => "registry_duplicate_asset_uuid",
    RegistryDuplicateRoot => "registry_duplicate_root",
    RegistryNextAssetIdTooLow => "registry_next_asset_id_too_low",
    RootPathInvalid => "root_path_invalid",
    RootMissing => "root_missing",
    RootOutsideAssets => "root_outside_assets",
    RootWithoutDeclaration => "root_without_declaration",
    RootNested => "root_nested",
    AssetUuidMismatch => "asset_uuid_mismatch",
    UnregisteredRoot => "unregistered_root",
    NameNotUnicode => "name_not_unicode",
    // Names another system's checkout cannot hold (registry roots and the files the build reads).
    PathCaseTwin => "path_case_twin",
    PathReservedName => "path_reserved_name",
    PathCharacterInvalid => "path_character_invalid",
    PathTrailingDotOrSpace => "path_trailing_dot_or_space",
    PathTooLong => "path_too_long",
    // Declaration (`asset.json`).
    DeclarationUnreadable => "declaration_unreadable",
    DeclarationInvalidJson => "declaration_invalid_json",
    DeclarationUnknownKey => "declaration_unknown_key",
    DeclarationMissingKey => "declaration_missing_key",
    DeclarationInvalidValue => "declaration_invalid_value",
    DeclarationSchemaVersion => "declaration_schema_version",
    AssetNameInvalid => "asset_name_invalid",
    AssetNameDuplicate => "asset_name_duplicate",
    AssetTypeUnknown => "asset_type_unknown",
    OutputFormatMismatch => "output_format_mismatch",
    CodecUnsupported => "codec_unsupported",
    MainRoleMissing => "main_role_missing",
    InputPathInvalid => "input_path_invalid",
    InputMissing => "input_missing",
    InputOutsideRoot => "input_outside_root",
    ArtifactInputUnknown => "artifact_input_unknown",
    ArtifactIndicesNotContiguous => "artifact_indices_not_contiguous",
    ArtifactsEmpty => "artifacts_empty",
    MetadataKeyCollision => "metadata_key_collision",
    MetadataFloat => "metadata_float",
    MetadataTooDeep => "metadata_too_deep",
    PreloadSlotMissing => "preload_slot_missing",
    PreloadSlotInvalid => "preload_slot_invalid",
    PreloadSlotClash => "preload_slot_clash",
    // Family `glyph_bank`.
    TileSizeInvalid => "tile_size_invalid",
    TileCapacityExceeded => "tile_capacity_exceeded",
    PaletteMissing => "palette_missing",
    PaletteTooMany => "palette_too_many",
    PaletteInvalid => "palette_invalid",
    PaletteIndexDuplicate => "palette_index_duplicate",
    PaletteIndexInvalid => "palette_index_invalid",
    PaletteColorInvalid => "palette_color_invalid",
    PaletteColorCount => "palette_color_count",
    PaletteColorRepeated => "palette_color_repeated",
    PngTooLarge => "png_too_large",
    PngDecodeFailed => "png_decode_failed",
    TileDimensionsMismatch => "tile_dimensions_mismatch",
    PngIndexOutOfRange => "png_index_out_of_range",
    PixelColorUnmatched => "pixel_color_unmatched",
    SheetInvalid => "sheet_invalid",
    SheetDimensionsInvalid => "sheet_dimensions_invalid",
    AsepriteDecodeFailed => "aseprite_decode_failed",
    IndexedColorMismatch => "indexed_color_mismatch",
    OpaqueIndexZero => "opaque_index_zero",
    // Family `sound_bank`.
    WavTooLarge => "wav_too_large",
    WavDecodeFailed => "wav_decode_failed",
    WavUnsupportedFormat => "wav_unsupported_format",
    WavTooManyChannels => "wav_too_many_channels",
    WavEmpty => "wav_empty",
    SampleRateOutOfRange => "sample_rate_out_of_range",
    SampleRateUnusual => "sample_rate_unusual",
    LoopInvalid => "loop_invalid",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `file` is project-relative with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable machine-readable code; the meaning of each is in `docs/diagnostics.md`.
    pub code: Code,
    /// Given by the code: `docs/diagnostics.md` lists one severity per code.
    pub severity: Severity,
    /// What is wrong and what to do about it, for a person; never empty.
    pub message: String,
    /// Registry id of the asset concerned, when the finding is about one and its id is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<u32>,
    /// Registry root of the asset concerned, relative to `assets/` (`hero`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_root: Option<String>,
    /// The file at fault, project-relative with `/` separators (`assets/hero/asset.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file`, for JSON syntax errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in `file`, alongside `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Operations that would fix it, for the host to offer in its own terms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
}

impl Diagnostic {
    /// A blocking finding with no location yet; chain `asset`, `file`, `at` to add one.
    pub fn blocking(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Blocking, message)
    }

    /// A warning with no location yet; chain `asset`, `file`, `at` to add one.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, message)
    }

    fn new(code: Code, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            asset_id: None,
            asset_root: None,
            file: None,
            line: None,
            column: None,
            advice: Vec::new(),
        }
    }

    /// Attaches the asset this finding belongs to (id `0` = not yet known).
    pub fn asset(mut self, asset_id: u32, root: &str) -> Diagnostic {
        self.asset_id = (asset_id != 0).then_some(asset_id);
        self.asset_root = Some(root.to_owned());
        self
    }

    /// Attaches the file at fault (project-relative, `/` separators).
    pub fn file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Adds an operation that would fix the finding.
    pub fn advise(mut self, advice: Advice) -> Diagnostic {
        self.advice.push(advice);
        self
    }

    /// Attaches a 1-based line and column in `file`.
    pub fn at(mut self, line: usize, column: usize) -> Diagnostic {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// True when this finding stops packing.
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Blocking
    }
}

impl std::fmt::Display for Diagnostic {
    /// `error[code] file:line:column: message` — the human form on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Blocking => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}]", self.code)?;
        match (&self.file, &self.asset_root) {
            (Some(file), _) => {
                write!(f, " {file}")?;
                if let (Some(l), Some(c)) = (self.line, self.column) {
                    write!(f, ":{l}:{c}")?;
                }
            }
            (None, Some(root)) => write!(f, " assets/{root}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// True when any diagnostic in the list blocks packing.
pub fn any_blocking(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_blocking)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
        }
    }
}

/// Which asset a finding is about; attach with `Diagnostic::asset(id, root)`.
#[derive(Debug, Clone, Copy)]
pub struct AssetRef<'a> {
    /// Registry id; 0 while not known (e.g. a registry entry with a broken id).
    pub asset_id: u32,
    /// The registry `root`, relative to `assets/`.
    pub root: &'a str,
}
