//! Glyph bank declaration checks: `tile_size`, capacity, palettes.

use super::*;

pub(super) fn check(asset: &AssetRef<'_>, decl: &Declaration) -> Checked {
    let findings = FileFindings { asset: *asset, file: declaration_file(asset) };
    let mut diagnostics = Vec::new();
    let tile_size = check_tile_size(decl, &findings, &mut diagnostics);
    if let Some(size) = tile_size {
        diagnostics.extend(check_capacity(size, decl.artifacts.len(), &findings));
    }
    // Parsed once for both readers of its keys.
    let pipeline = decl.output.pipeline.as_ref().map(JsonObject::to_map);
    let palettes = check_palettes(pipeline.as_ref(), &findings, &mut diagnostics);
    let opaque_index_zero = check_opaque_index_zero(pipeline.as_ref(), &findings, &mut diagnostics);
    let params = match (tile_size, palettes) {
        (Some(tile_size), Some(palettes)) if !diagnostics.iter().any(Diagnostic::is_blocking) => {
            Some(Params { tile_size, palettes, opaque_index_zero })
        }
        _ => None,
    };
    Checked { diagnostics, params }
}

pub(super) fn declaration_file(asset: &AssetRef<'_>) -> String {
    crate::workspace::layout::declaration_path(asset.root)
}

pub(super) fn check_tile_size(
    decl: &Declaration,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let file = &findings.file;
    let metadata = decl.output.metadata.to_map();
    let Some(value) = metadata.get("tile_size") else {
        // `output.metadata` is free-form, so a misspelt `tile_size` is only noticed here.
        let hint = metadata
            .keys()
            .find(|key| prometeu_shape::did_you_mean(key, &["tile_size"]).is_some())
            .map(|key| format!("`{key}` is not read: did you mean `tile_size`? "))
            .unwrap_or_default();
        out.push(findings.blocking(
            Code::TileSizeInvalid,
            format!("{file} has no `output.metadata.tile_size`; {hint}add it with one of the values 8, 16 or 32"),
        ));
        return None;
    };
    let size = value.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| TILE_SIZES.contains(n));
    if size.is_none() {
        out.push(findings.blocking(
            Code::TileSizeInvalid,
            format!("`output.metadata.tile_size` in {file} is {}; set it to the integer 8, 16 or 32", quote(value)),
        ));
    }
    size
}

/// Tiles per sheet row for a valid tile size.
pub(super) fn cells_per_row(tile_size: u32) -> u32 {
    SHEET_SIDE / tile_size
}

pub(super) fn check_capacity(tile_size: u32, tiles: usize, findings: &FileFindings<'_>) -> Option<Diagnostic> {
    let capacity = cells_per_row(tile_size).pow(2) as usize;
    (tiles > capacity).then(|| {
        findings.blocking(
            Code::TileCapacityExceeded,
            format!(
                "{} selects {tiles} tiles but a {SHEET_SIDE}×{SHEET_SIDE} sheet of {tile_size}×{tile_size} tiles \
                 holds at most {capacity}; select fewer tiles or use a smaller `tile_size`",
                findings.file
            ),
        )
    })
}

/// Reads `output.pipeline.opaque_index_zero` (`OPAQUE_INDEX_ZERO_KEY`):
/// absent is `false`; anything but a boolean blocks.
pub(super) fn check_opaque_index_zero(
    pipeline: Option<&Map<String, Value>>,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let value = pipeline.and_then(|pipeline| pipeline.get(OPAQUE_INDEX_ZERO_KEY));
    match value {
        None => false,
        Some(Value::Bool(on)) => *on,
        Some(other) => {
            out.push(findings.blocking(
                Code::DeclarationInvalidValue,
                format!(
                    "`output.pipeline.{OPAQUE_INDEX_ZERO_KEY}` in {} is {}; set it to `true` (index 0 is an opaque \
                     colour in this bank) or remove it (index 0 is transparency)",
                    findings.file,
                    quote(other)
                ),
            ));
            false
        }
    }
}

/// Reads `output.pipeline.palettes`; `None` when any palette finding blocks.
pub(super) fn check_palettes(
    pipeline: Option<&Map<String, Value>>,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<Palette>> {
    let file = &findings.file;
    let list = pipeline.and_then(|pipeline| pipeline.get("palettes"));
    let entries = match list {
        None => {
            out.push(findings.blocking(
                Code::PaletteMissing,
                format!(
                    "{file} declares no palette; add `output.pipeline.palettes` with at least one entry \
                     such as {{ \"index\": 0, \"palette\": {{ \"colors\": [\"#000000\"] }} }}"
                ),
            ));
            return None;
        }
        Some(Value::Array(entries)) => entries,
        Some(other) => {
            out.push(findings.blocking(
                Code::PaletteInvalid,
                format!(
                    "`output.pipeline.palettes` in {file} is {}, not a list; write it as a list of \
                     {{ \"index\": …, \"palette\": {{ \"colors\": […] }} }} entries",
                    quote(other)
                ),
            ));
            return None;
        }
    };
    let found_before = out.len();
    if entries.is_empty() {
        out.push(findings.blocking(
            Code::PaletteMissing,
            format!("`output.pipeline.palettes` in {file} is empty; declare at least one palette"),
        ));
    }
    if entries.len() > PALETTE_COUNT {
        out.push(findings.blocking(
            Code::PaletteTooMany,
            format!(
                "{file} declares {} palettes but a glyph bank holds at most {PALETTE_COUNT}; remove {} of them",
                entries.len(),
                entries.len() - PALETTE_COUNT
            ),
        ));
    }
    let mut palettes: Vec<(usize, Palette)> = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        if let Some(palette) = check_palette_entry(position, entry, findings, out) {
            match palettes.iter().find(|(_, seen)| seen.index == palette.index) {
                Some((first, _)) => out.push(findings.blocking(
                    Code::PaletteIndexDuplicate,
                    format!(
                        "`output.pipeline.palettes[{position}]` in {file} reuses palette index {} already \
                         given to `output.pipeline.palettes[{first}]`; give each palette its own index",
                        palette.index
                    ),
                )),
                None => palettes.push((position, palette)),
            }
        }
    }
    if out[found_before..].iter().any(Diagnostic::is_blocking) {
        return None;
    }
    let mut palettes: Vec<Palette> = palettes.into_iter().map(|(_, palette)| palette).collect();
    palettes.sort_by_key(|palette| palette.index);
    Some(palettes)
}

/// Checks one list entry; `None` when it blocks.
pub(super) fn check_palette_entry(
    position: usize,
    entry: &Value,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Palette> {
    let file = &findings.file;
    let at = format!("output.pipeline.palettes[{position}]");
    let fields = strict_object(&at, entry, palette_entry_keys(), findings, out)?;
    let index = check_palette_index(&at, fields.get("index"), findings, out);
    let colors = match fields.get("palette") {
        None => {
            out.push(findings.blocking(
                Code::PaletteInvalid,
                format!("`{at}` in {file} has no `palette`; add `\"palette\": {{ \"colors\": [\"#rrggbb\", …] }}`"),
            ));
            None
        }
        Some(palette) => check_palette_colors(&format!("{at}.palette"), palette, findings, out),
    };
    Some(Palette { index: index?, colors: colors? })
}

/// An object whose keys are all in `accepted`; findings name `at`.
pub(super) fn strict_object<'v>(
    at: &str,
    value: &'v Value,
    accepted: &[&str],
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<&'v Map<String, Value>> {
    let file = &findings.file;
    let accepted_list = accepted.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ");
    let Value::Object(fields) = value else {
        out.push(findings.blocking(
            Code::PaletteInvalid,
            format!(
                "`{at}` in {file} is {}, not an object; write it as an object with the keys {accepted_list}",
                quote(value)
            ),
        ));
        return None;
    };
    let unknown = prometeu_shape::unknown_json_keys(fields, accepted);
    for key in &unknown {
        let (name, hint) = (key.key, prometeu_shape::hint(key.suggestion));
        out.push(findings.blocking(
            Code::PaletteInvalid,
            format!(
                "`{at}` in {file} has the unknown key `{name}`; {hint}remove or rename it (accepted keys: {accepted_list})"
            ),
        ));
    }
    unknown.is_empty().then_some(fields)
}

pub(super) fn check_palette_index(
    at: &str,
    value: Option<&Value>,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let file = &findings.file;
    let Some(value) = value else {
        out.push(findings.blocking(
            Code::PaletteInvalid,
            format!("`{at}` in {file} has no `index`; add `\"index\"` with an integer from 0 to {}", PALETTE_COUNT - 1),
        ));
        return None;
    };
    let index = value.as_u64().and_then(|n| usize::try_from(n).ok()).filter(|&n| n < PALETTE_COUNT);
    if index.is_none() {
        out.push(findings.blocking(
            Code::PaletteIndexInvalid,
            format!("`{at}.index` in {file} is {}; use an integer from 0 to {}", quote(value), PALETTE_COUNT - 1),
        ));
    }
    index
}

/// Checks `{ "colors": [...] }`; `None` when it blocks. Repeats only warn.
pub(super) fn check_palette_colors(
    at: &str,
    palette: &Value,
    findings: &FileFindings<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<Rgb>> {
    let file = &findings.file;
    let fields = strict_object(at, palette, palette_keys(), findings, out)?;
    let list = match fields.get("colors") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            out.push(findings.blocking(
                Code::PaletteInvalid,
                format!(
                    "`{at}.colors` in {file} is {}, not a list; write it as a list such as [\"#000000\", \"#ffffff\"]",
                    quote(other)
                ),
            ));
            return None;
        }
        None => {
            out.push(findings.blocking(
                Code::PaletteInvalid,
                format!(
                    "`{at}` in {file} has no `colors`; add `\"colors\"` with 1 to {PALETTE_COLORS} \"#rrggbb\" values"
                ),
            ));
            return None;
        }
    };
    let mut blocked = false;
    if list.is_empty() || list.len() > PALETTE_COLORS {
        blocked = true;
        out.push(findings.blocking(
            Code::PaletteColorCount,
            format!(
                "`{at}.colors` in {file} has {} colours; a palette holds 1 to {PALETTE_COLORS}, so {}",
                list.len(),
                if list.is_empty() {
                    "add at least one".to_owned()
                } else {
                    format!("remove {}", list.len() - PALETTE_COLORS)
                }
            ),
        ));
    }
    let mut colors = Vec::with_capacity(list.len());
    for (position, value) in list.iter().enumerate() {
        let Some(color) = value.as_str().and_then(parse_hex_color) else {
            blocked = true;
            out.push(findings.blocking(
                Code::PaletteColorInvalid,
                format!(
                    "`{at}.colors[{position}]` in {file} is {}; write each colour as \"#rrggbb\" with six hex digits",
                    quote(value)
                ),
            ));
            continue;
        };
        if let Some(first) = colors.iter().position(|seen| *seen == color) {
            out.push(findings.warning(
                Code::PaletteColorRepeated,
                format!(
                    "`{at}.colors[{position}]` in {file} repeats colour {} of `colors[{first}]`, so pixels of that colour \
                     always take position {first}; remove the repeat or change it",
                    hex(color)
                ),
            ));
        }
        colors.push(color);
    }
    (!blocked).then_some(colors)
}

/// `#rrggbb` (either case) → RGB.
pub(super) fn parse_hex_color(text: &str) -> Option<Rgb> {
    let digits = text.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

pub(super) fn hex([r, g, b]: Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A user value as it would appear in JSON, shortened for a message.
pub(super) fn quote(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= QUOTE_MAX_CHARS {
        return text;
    }
    let short: String = text.chars().take(QUOTE_MAX_CHARS).collect();
    format!("{short}…")
}
