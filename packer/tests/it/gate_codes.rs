//! The pack-level diagnostic corpus: one case per diagnostic code, each
//! running the real `pack_workspace` on a real project on disk.
//!
//! Every case starts from the sample project packed once (so `build/` holds
//! a complete previous set), makes one change that provokes its code, and
//! packs again. A blocking code must block the pack with nothing written
//! (`build/` byte-identical, no staging directory, execution never began); a
//! warning code must be reported while the pack still succeeds. The list of
//! cases must cover `Code::ALL` exactly, so a new code without a case fails.

use std::collections::{BTreeMap, BTreeSet};

use crate::families_common::{Fmt, WAVE_FORMAT_ADPCM, raw_wav};
use crate::gate_codes_fixture::{Expect, REGISTRY, declaration};
use prometeu_packer::{Code, MAX_PNG_BYTES, MAX_WAV_BYTES};
use prometeu_test_support::{noise, png_indexed, png_indexed_transparent_zero, png_rgba, uuid_for, wav_i16};
use serde_json::{Value, json};

/// Palette 0 of the sample glyph banks, as `#rrggbb` and as PNG `PLTE` bytes.
const COLORS: [&str; 4] = ["#000000", "#ffffff", "#ff0000", "#00ff00"];
const PLTE: [u8; 12] = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0];

const HERO_TILE: &str = "assets/hero/tiles/a.png";
const HERO_RGBA_TILE: &str = "assets/hero/tiles/b.png";
const JUMP_SAMPLE: &str = "assets/sfx/jump/jump.wav";
/// Frames in the sample project's `jump.wav`.
const JUMP_FRAMES: u64 = 300;

/// Renames the RGBA tile of `hero` to `tiles/<to>`, in its directory and in `asset.json`.
fn rename_hero_tile(w: &crate::gate_codes_fixture::Workspace, to: &str) {
    w.rename(HERO_RGBA_TILE, &format!("assets/hero/tiles/{to}"));
    w.edit_declaration("hero", |d| d["inputs"]["tiles"][1] = json!(format!("tiles/{to}")));
}

struct Case {
    name: &'static str,
    expect: Expect,
    code: Code,
}

/// One `#[test]` per row, named after its code, plus `CASES` listing every
/// row for the meta-tests. A row is: attributes (a doc comment saying what
/// the change is), `test_name: Blocks|Warns Code in "file the finding names"
/// => change`.
macro_rules! corpus {
    ($($(#[$attr:meta])* $name:ident: $expect:ident $code:ident in $file:expr => $change:expr;)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                crate::gate_codes_fixture::check(Expect::$expect, Code::$code, &$file, $change);
            }
        )*

        const CASES: &[Case] = &[$(Case { name: stringify!($name), expect: Expect::$expect, code: Code::$code },)*];
    };
}

corpus! {
    // -----------------------------------------------------------------------
    // Registry

    /// A directory stands where the registry file should be: it exists but
    /// cannot be read (permissions are no use, the suite runs as root).
    blocks_on_registry_unreadable: Blocks RegistryUnreadable in REGISTRY => |w| {
        w.remove(REGISTRY);
        w.mkdir(REGISTRY);
    };
    /// The registry cut off in the middle.
    blocks_on_registry_invalid_json: Blocks RegistryInvalidJson in REGISTRY => |w| {
        let text = w.read(REGISTRY);
        w.write(REGISTRY, &text[..text.len() / 2]);
    };
    /// An unknown top-level key: registry keys are strict.
    blocks_on_registry_malformed: Blocks RegistryMalformed in REGISTRY => |w| {
        w.edit_registry(|r| r["comment"] = json!("edited by hand"));
    };
    blocks_on_registry_schema_version: Blocks RegistrySchemaVersion in REGISTRY => |w| {
        w.edit_registry(|r| r["schema_version"] = json!(2));
    };
    blocks_on_registry_asset_id_invalid: Blocks RegistryAssetIdInvalid in REGISTRY => |w| {
        w.edit_registry(|r| r["assets"][0]["asset_id"] = json!(0));
    };
    /// `sfx/jump` takes the id of `hero`.
    blocks_on_registry_duplicate_asset_id: Blocks RegistryDuplicateAssetId in REGISTRY => |w| {
        w.edit_registry(|r| r["assets"][1]["asset_id"] = r["assets"][0]["asset_id"].clone());
    };
    /// `sfx/jump` takes the uuid of `hero`, as a copied entry would.
    blocks_on_registry_duplicate_asset_uuid: Blocks RegistryDuplicateAssetUuid in REGISTRY => |w| {
        w.edit_registry(|r| r["assets"][1]["asset_uuid"] = r["assets"][0]["asset_uuid"].clone());
    };
    /// The `sfx/jump` entry now names `hero` too.
    blocks_on_registry_duplicate_root: Blocks RegistryDuplicateRoot in REGISTRY => |w| {
        w.edit_registry(|r| r["assets"][1]["root"] = json!("hero"));
    };
    /// The highest id is 4, so the counter must be at least 5.
    blocks_on_registry_next_asset_id_too_low: Blocks RegistryNextAssetIdTooLow in REGISTRY => |w| {
        w.edit_registry(|r| r["next_asset_id"] = json!(4));
    };
    /// `./music` names the real root, but in a spelling the path rules refuse.
    blocks_on_root_path_invalid: Blocks RootPathInvalid in REGISTRY => |w| {
        w.edit_registry(|r| r["assets"][3]["root"] = json!("./music"));
    };
    blocks_on_root_missing: Blocks RootMissing in REGISTRY => |w| {
        w.remove("assets/music");
    };
    /// The root's directory moves out of `assets/` and a link takes its place.
    blocks_on_root_outside_assets: Blocks RootOutsideAssets in REGISTRY => |w| {
        w.rename("assets/music", "elsewhere/music");
        w.symlink("elsewhere/music", "assets/music");
    };
    blocks_on_root_without_declaration: Blocks RootWithoutDeclaration in REGISTRY => |w| {
        w.remove(&declaration("music"));
    };
    /// `music` moves inside `hero` (keeping its id and uuid, as a move does).
    blocks_on_root_nested: Blocks RootNested in REGISTRY => |w| {
        w.rename("assets/music", "assets/hero/music");
        w.edit_registry(|r| r["assets"][3]["root"] = json!("hero/music"));
    };
    /// `hero`'s asset.json gets another uuid, as a copied root would carry.
    blocks_on_asset_uuid_mismatch: Blocks AssetUuidMismatch in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["asset_uuid"] = json!(uuid_for("a copy of hero")));
    };
    /// A copy of `music`'s declaration in a directory nobody registered.
    warns_on_unregistered_root: Warns UnregisteredRoot in declaration("stray") => |w| {
        w.write(&declaration("stray"), &w.read(&declaration("music")));
    };
    /// A directory whose name holds the byte 0xff, which no UTF-8 allows.
    warns_on_name_not_unicode: Warns NameNotUnicode in "assets/bad\u{fffd}name" => |w| {
        use std::os::unix::ffi::OsStrExt;
        let odd = w.path("assets").as_std_path().join(std::ffi::OsStr::from_bytes(b"bad\xffname"));
        std::fs::create_dir(odd).unwrap();
    };

    // -----------------------------------------------------------------------
    // Names another system's checkout cannot hold

    /// `b.png` becomes `A.png`, a case twin of the other tile `a.png`.
    blocks_on_path_case_twin: Blocks PathCaseTwin in "assets/hero/tiles/A.png" => |w| {
        rename_hero_tile(w, "A.png");
    };
    blocks_on_path_reserved_name: Blocks PathReservedName in "assets/hero/tiles/aux.png" => |w| {
        rename_hero_tile(w, "aux.png");
    };
    blocks_on_path_character_invalid: Blocks PathCharacterInvalid in "assets/hero/tiles/a:b.png" => |w| {
        rename_hero_tile(w, "a:b.png");
    };
    blocks_on_path_trailing_dot_or_space: Blocks PathTrailingDotOrSpace in "assets/hero/tiles/b.png." => |w| {
        rename_hero_tile(w, "b.png.");
    };
    /// 262 characters from the project root: Windows needs long-path support.
    warns_on_path_too_long: Warns PathTooLong in format!("assets/hero/tiles/{}.png", "x".repeat(240)) => |w| {
        rename_hero_tile(w, &format!("{}.png", "x".repeat(240)));
    };

    // -----------------------------------------------------------------------
    // Declaration

    /// An asset.json over the declaration size limit is refused unread
    /// (sparse, so the test writes nothing of the size it claims).
    blocks_on_declaration_unreadable: Blocks DeclarationUnreadable in declaration("hero") => |w| {
        let file = std::fs::OpenOptions::new().write(true).open(w.path(&declaration("hero"))).unwrap();
        file.set_len(prometeu_packer::MAX_DECLARATION_BYTES + 1).unwrap();
    };
    /// asset.json cut off in the middle.
    blocks_on_declaration_invalid_json: Blocks DeclarationInvalidJson in declaration("hero") => |w| {
        let text = w.read(&declaration("hero"));
        w.write(&declaration("hero"), &text[..text.len() / 2]);
    };
    /// A misspelt `name` (the real one stays, so only the typo is wrong).
    blocks_on_declaration_unknown_key: Blocks DeclarationUnknownKey in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["nmae"] = json!("hero"));
    };
    blocks_on_declaration_missing_key: Blocks DeclarationMissingKey in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| remove(d, "/preload"));
    };
    blocks_on_declaration_invalid_value: Blocks DeclarationInvalidValue in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["preload"]["enabled"] = json!("yes"));
    };
    blocks_on_declaration_schema_version: Blocks DeclarationSchemaVersion in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["schema_version"] = json!(2));
    };
    blocks_on_asset_name_invalid: Blocks AssetNameInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["name"] = json!("hero sprite"));
    };
    /// `font` is renamed `hero`; the later asset in the build is the one named.
    blocks_on_asset_name_duplicate: Blocks AssetNameDuplicate in declaration("font") => |w| {
        w.edit_declaration("font", |d| d["name"] = json!("hero"));
    };
    blocks_on_asset_type_unknown: Blocks AssetTypeUnknown in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["type"] = json!("sprite_bank"));
    };
    /// A glyph bank declaring the sound bank format.
    blocks_on_output_format_mismatch: Blocks OutputFormatMismatch in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["format"] = json!("SOUNDS/pcm16le_v1"));
    };
    blocks_on_codec_unsupported: Blocks CodecUnsupported in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["codec"] = json!("LZ4"));
    };
    /// The tiles are declared under another role.
    blocks_on_main_role_missing: Blocks MainRoleMissing in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| {
            let tiles = d["inputs"]["tiles"].take();
            d["inputs"] = json!({ "sources": tiles });
        });
    };
    /// The same file, spelt through `..`.
    blocks_on_input_path_invalid: Blocks InputPathInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["inputs"]["tiles"][1] = json!("tiles/../tiles/b.png"));
    };
    blocks_on_input_missing: Blocks InputMissing in HERO_RGBA_TILE => |w| {
        w.remove(HERO_RGBA_TILE);
    };
    /// The tile moves out of the root and a link takes its place.
    blocks_on_input_outside_root: Blocks InputOutsideRoot in HERO_RGBA_TILE => |w| {
        w.rename(HERO_RGBA_TILE, "elsewhere/b.png");
        w.symlink("elsewhere/b.png", HERO_RGBA_TILE);
    };
    /// An explicit selection naming a file that is not a `tiles` input.
    blocks_on_artifact_input_unknown: Blocks ArtifactInputUnknown in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| {
            d["artifacts"] = json!([{ "index": 0, "input": "tiles/a.png" }, { "index": 1, "input": "tiles/c.png" }]);
        });
    };
    blocks_on_artifact_indices_not_contiguous: Blocks ArtifactIndicesNotContiguous in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| {
            d["artifacts"] = json!([{ "index": 0, "input": "tiles/a.png" }, { "index": 2, "input": "tiles/b.png" }]);
        });
    };
    /// An explicit empty selection: an empty glyph bank still packs.
    warns_on_artifacts_empty: Warns ArtifactsEmpty in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["artifacts"] = json!([]));
    };
    /// `width` is a key the glyph family derives.
    blocks_on_metadata_key_collision: Blocks MetadataKeyCollision in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["metadata"]["width"] = json!(256));
    };
    blocks_on_metadata_float: Blocks MetadataFloat in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["metadata"]["scale"] = json!(1.5));
    };
    /// Deep enough to pass the declaration reader, too deep for the header's.
    blocks_on_metadata_too_deep: Blocks MetadataTooDeep in declaration("hero") => |w| {
        let mut nested = json!(1);
        for _ in 0..100 {
            nested = json!([nested]);
        }
        w.edit_declaration("hero", |d| d["output"]["metadata"]["deep"] = nested);
    };
    blocks_on_preload_slot_missing: Blocks PreloadSlotMissing in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["preload"] = json!({ "enabled": true }));
    };
    /// One past the last slot.
    blocks_on_preload_slot_invalid: Blocks PreloadSlotInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["preload"]["slot"] = json!(16));
    };
    /// `font` preloads into `hero`'s glyph slot.
    blocks_on_preload_slot_clash: Blocks PreloadSlotClash in declaration("font") => |w| {
        w.edit_declaration("font", |d| d["preload"] = json!({ "enabled": true, "slot": 0 }));
    };

    // -----------------------------------------------------------------------
    // Family `glyph_bank`

    blocks_on_tile_size_invalid: Blocks TileSizeInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["metadata"]["tile_size"] = json!(12));
    };
    /// 1025 artifacts (all selecting the same input) on a sheet of 1024 8×8 cells.
    blocks_on_tile_capacity_exceeded: Blocks TileCapacityExceeded in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| {
            d["artifacts"] = (0..1025).map(|index| json!({ "index": index, "input": "tiles/a.png" })).collect();
        });
    };
    blocks_on_palette_missing: Blocks PaletteMissing in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| remove(d, "/output/pipeline"));
    };
    /// 65 palettes with the indices 0 to 64 (64 is also out of range, reported apart).
    blocks_on_palette_too_many: Blocks PaletteTooMany in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["pipeline"]["palettes"] = (0..65).map(palette).collect());
    };
    /// A palette entry with a key of its own: entries are strict.
    blocks_on_palette_invalid: Blocks PaletteInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["pipeline"]["palettes"][0]["name"] = json!("day"));
    };
    blocks_on_palette_index_duplicate: Blocks PaletteIndexDuplicate in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| push(d, "/output/pipeline/palettes", palette(0)));
    };
    blocks_on_palette_index_invalid: Blocks PaletteIndexInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["pipeline"]["palettes"][0]["index"] = json!(64));
    };
    blocks_on_palette_color_invalid: Blocks PaletteColorInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["output"]["pipeline"]["palettes"][0]["palette"]["colors"][1] = json!("white"));
    };
    /// Seventeen colours.
    blocks_on_palette_color_count: Blocks PaletteColorCount in declaration("hero") => |w| {
        let colors: Vec<String> = (0..17).map(|i| format!("#{:02x}0000", i * 8)).collect();
        w.edit_declaration("hero", |d| d["output"]["pipeline"]["palettes"][0]["palette"]["colors"] = json!(colors));
    };
    /// Black again at the end: every pixel still maps to its old position.
    warns_on_palette_color_repeated: Warns PaletteColorRepeated in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| push(d, "/output/pipeline/palettes/0/palette/colors", json!("#000000")));
    };
    /// The tile keeps its real PNG bytes and gains a sparse tail past the limit.
    blocks_on_png_too_large: Blocks PngTooLarge in HERO_TILE => |w| {
        w.grow(HERO_TILE, MAX_PNG_BYTES + 1);
    };
    /// A real WAV file where the tile PNG should be.
    blocks_on_png_decode_failed: Blocks PngDecodeFailed in HERO_TILE => |w| {
        w.write(HERO_TILE, &wav_i16(22050, 1, &noise(9, 64)));
    };
    /// A 16×16 tile in an 8×8 bank.
    blocks_on_tile_dimensions_mismatch: Blocks TileDimensionsMismatch in HERO_TILE => |w| {
        w.write(HERO_TILE, &png_indexed(16, &[0; 256], &PLTE));
    };
    /// An indexed tile with a 17-colour `PLTE` whose pixels use index 16.
    blocks_on_png_index_out_of_range: Blocks PngIndexOutOfRange in HERO_TILE => |w| {
        let plte: Vec<u8> = (0..17u8).flat_map(|i| [i * 8, i * 8, i * 8]).collect();
        w.write(HERO_TILE, &png_indexed(8, &[16; 64], &plte));
    };
    /// An indexed tile whose index 2 shows blue, where the authoring palette has red.
    blocks_on_indexed_color_mismatch: Blocks IndexedColorMismatch in HERO_TILE => |w| {
        let plte = [0, 0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0];
        w.write(HERO_TILE, &png_indexed_transparent_zero(8, &[2; 64], &plte));
    };
    /// An indexed tile with no `tRNS`: its opaque black pixels use index 0.
    warns_on_opaque_index_zero: Warns OpaqueIndexZero in HERO_TILE => |w| {
        w.write(HERO_TILE, &png_indexed(8, &[0; 64], &PLTE));
    };
    /// An opaque blue pixel: blue is not in the authoring palette.
    blocks_on_pixel_color_unmatched: Blocks PixelColorUnmatched in HERO_RGBA_TILE => |w| {
        let mut rgba = vec![0u8; 64 * 4];
        rgba[..4].copy_from_slice(&[0, 0, 255, 255]);
        w.write(HERO_RGBA_TILE, &png_rgba(8, &rgba));
    };
    /// Tiles and a sheet at once.
    blocks_on_sheet_invalid: Blocks SheetInvalid in declaration("hero") => |w| {
        w.edit_declaration("hero", |d| d["inputs"]["sheet"] = json!(["tiles/a.png"]));
    };
    /// A 12×12 sheet in an 8×8 bank.
    blocks_on_sheet_dimensions_invalid: Blocks SheetDimensionsInvalid in "assets/hero/sheet.png" => |w| {
        w.write("assets/hero/sheet.png", &png_indexed(12, &[0; 144], &PLTE));
        w.edit_declaration("hero", |d| {
            d["inputs"] = json!({ "sheet": ["sheet.png"] });
            d.as_object_mut().unwrap().remove("artifacts");
        });
    };
    /// Text where an Aseprite file should be.
    blocks_on_aseprite_decode_failed: Blocks AsepriteDecodeFailed in "assets/hero/tiles/a.aseprite" => |w| {
        w.write("assets/hero/tiles/a.aseprite", b"not an aseprite file");
        w.edit_declaration("hero", |d| {
            d["inputs"]["tiles"][0] = json!("tiles/a.aseprite");
            d.as_object_mut().unwrap().remove("artifacts");
        });
    };

    // -----------------------------------------------------------------------
    // Family `sound_bank`

    /// The sample keeps its real WAV bytes and gains a sparse tail past the limit.
    blocks_on_wav_too_large: Blocks WavTooLarge in JUMP_SAMPLE => |w| {
        w.grow(JUMP_SAMPLE, MAX_WAV_BYTES + 1);
    };
    /// A real PNG file where the sample WAV should be.
    blocks_on_wav_decode_failed: Blocks WavDecodeFailed in JUMP_SAMPLE => |w| {
        w.write(JUMP_SAMPLE, &png_indexed(8, &[1; 64], &PLTE));
    };
    /// An ADPCM WAV header: a real encoding, but not one the format accepts.
    blocks_on_wav_unsupported_format: Blocks WavUnsupportedFormat in JUMP_SAMPLE => |w| {
        let adpcm = Fmt { tag: WAVE_FORMAT_ADPCM, channels: 1, rate: 22050, bits: 16, extensible: None };
        w.write(JUMP_SAMPLE, &raw_wav(adpcm, &[0; 64]));
    };
    blocks_on_wav_too_many_channels: Blocks WavTooManyChannels in JUMP_SAMPLE => |w| {
        w.write(JUMP_SAMPLE, &wav_i16(22050, 3, &noise(9, 3 * 100)));
    };
    blocks_on_wav_empty: Blocks WavEmpty in JUMP_SAMPLE => |w| {
        w.write(JUMP_SAMPLE, &wav_i16(22050, 1, &[]));
    };
    blocks_on_sample_rate_out_of_range: Blocks SampleRateOutOfRange in JUMP_SAMPLE => |w| {
        w.write(JUMP_SAMPLE, &wav_i16(96000, 1, &noise(9, 300)));
    };
    blocks_on_loop_invalid: Blocks LoopInvalid in declaration("sfx/jump") => |w| {
        w.edit_declaration("sfx/jump", |d| {
            d["artifacts"] = json!([
                { "index": 0, "input": "jump.wav", "loop": { "start": 0, "end": JUMP_FRAMES + 1 } },
                { "index": 1, "input": "land.wav" }
            ]);
        });
    };
    /// Within 8000 to 48000 Hz, but not one of the usual rates.
    warns_on_sample_rate_unusual: Warns SampleRateUnusual in JUMP_SAMPLE => |w| {
        w.write(JUMP_SAMPLE, &wav_i16(32000, 1, &noise(9, 300)));
    };
}

/// A palette entry with the sample colours.
fn palette(index: u32) -> Value {
    json!({ "index": index, "palette": { "colors": COLORS } })
}

/// Removes the value at a JSON pointer.
fn remove(value: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).and_then(Value::as_object_mut).unwrap().remove(key).unwrap();
}

/// Appends to the list at a JSON pointer.
fn push(value: &mut Value, pointer: &str, item: Value) {
    value.pointer_mut(pointer).and_then(Value::as_array_mut).unwrap().push(item);
}

// ---------------------------------------------------------------------------
// The corpus itself

#[test]
fn every_code_has_exactly_one_case() {
    let mut seen = BTreeSet::new();
    for case in CASES {
        assert!(seen.insert(case.code), "{} has more than one case", case.code);
    }
    let all: BTreeSet<Code> = Code::ALL.iter().copied().collect();
    let missing: Vec<&str> = all.difference(&seen).map(|c| c.as_str()).collect();
    assert!(missing.is_empty(), "codes without a pack-level case: {missing:?}");
    assert_eq!(seen, all);
}

#[test]
fn each_case_is_named_after_its_code_and_expects_its_documented_severity() {
    let documented = documented_severities();
    for case in CASES {
        assert_eq!(case.name, format!("{}{}", case.expect.prefix(), case.code), "the test for {}", case.code);
        let severity = documented.get(case.code.as_str()).map(String::as_str);
        let expected = match case.expect {
            Expect::Blocks => "blocking",
            Expect::Warns => "warning",
        };
        assert_eq!(severity, Some(expected), "{} in docs/diagnostics.md", case.code);
    }
}

/// Code → severity, from the tables of `docs/diagnostics.md`
/// (`| `code` | severity | when |`).
fn documented_severities() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md")).unwrap();
    doc.lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix('|')?.split('|').map(str::trim);
            let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            Some((code.to_owned(), cells.next()?.to_owned()))
        })
        .collect()
}
