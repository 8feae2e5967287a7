//! `preview`: pictures and sounds of what `build/assets.pa` holds, decoded
//! from the packed bytes (never the inputs): per glyph bank a sheet PNG
//! with its palette swatches, per sound bank a WAV and a waveform PNG per
//! sample. Written to `build/preview/` (not an artifact; the runtime never
//! reads it), replaced as a whole so no half-written preview is left.

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_packer::pa::{Entry, Inspection};
use prometeu_packer::{ASSET_TABLE_METADATA_JSON, ASSETS_PA, BUILD_DIR, SheetView, Unpacked};
use serde_json::{Value, json};

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop};

/// Default output directory under the project (local).
pub(crate) const PREVIEW_DIR: &str = "build/preview";

#[derive(Debug, clap::Args)]
pub(crate) struct PreviewArgs {
    /// Only the asset at this root (as registered, e.g. `hero` or `assets/hero`) or with this name.
    #[arg(long, value_name = "ROOT")]
    asset: Option<String>,
    /// Output directory (default: build/preview/ of the project).
    #[arg(long, value_name = "DIR")]
    out: Option<Utf8PathBuf>,
    /// Draw sheets through this palette (default 0).
    #[arg(long, value_name = "N", conflicts_with = "all_palettes")]
    palette: Option<usize>,
    /// Draw sheets through every authored palette, side by side.
    #[arg(long)]
    all_palettes: bool,
    /// Draw the tile grid.
    #[arg(long)]
    grid: bool,
    /// Magnify sheets N times, nearest neighbour (1 to 16).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(prometeu_packer::MAX_PREVIEW_SCALE)))]
    scale: u32,
}

/// A packed asset decoded from the file.
pub(crate) struct Decoded {
    pub(crate) entry: Entry,
    pub(crate) root: Option<String>,
    /// The family from `asset_table_metadata.json`, when it is there.
    pub(crate) family: Option<String>,
    pub(crate) unpacked: Unpacked,
}

/// Verifies `build/assets.pa` and decodes every payload.
pub(crate) fn decode_pack(project: &Utf8Path) -> Result<(Inspection, Vec<Decoded>), Stop> {
    let path = project.join(BUILD_DIR).join(ASSETS_PA);
    if !path.exists() {
        return Err(Stop::failed(format!("{BUILD_DIR}/{ASSETS_PA} does not exist; run `cargo xtask play-prep` first")));
    }
    let inspection = prometeu_packer::pa::verify_file(&path).map_err(|violations| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        Stop::failed(format!("{BUILD_DIR}/{ASSETS_PA} is not a valid pack: {}", list.join("; ")))
    })?;
    let roots = asset_roots(&project.join(BUILD_DIR));
    let mut decoded = Vec::new();
    for entry in &inspection.header.asset_table {
        let payload =
            inspection.read_payload(&path, entry).map_err(|e| Stop::failed(format!("cannot read {path}: {e}")))?;
        let unpacked = prometeu_packer::unpack(entry, &payload).map_err(Stop::failed)?;
        let facts = roots.iter().find(|(id, _, _)| *id == u64::from(entry.asset_id));
        let (root, family) = facts.map_or((None, None), |(_, root, family)| (Some(root.clone()), Some(family.clone())));
        decoded.push(Decoded { entry: entry.clone(), root, family, unpacked });
    }
    Ok((inspection, decoded))
}

/// `(asset_id, asset_root, family)` from the companion, when it is there.
fn asset_roots(build: &Utf8Path) -> Vec<(u64, String, String)> {
    let Ok(bytes) = std::fs::read(build.join(ASSET_TABLE_METADATA_JSON)) else { return Vec::new() };
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else { return Vec::new() };
    let assets = value["assets"].as_array().cloned().unwrap_or_default();
    assets
        .iter()
        .filter_map(|a| {
            let family = a["family"].as_str().unwrap_or_default().to_owned();
            Some((a["asset_id"].as_u64()?, a["asset_root"].as_str()?.to_owned(), family))
        })
        .collect()
}

/// The files of one asset's preview: `(file name, bytes)`.
pub(crate) fn render(decoded: &Decoded, view: &SheetView) -> Result<Vec<(String, Vec<u8>)>, String> {
    match &decoded.unpacked {
        Unpacked::Glyph(sheet) => Ok(vec![("sheet.png".to_owned(), prometeu_packer::sheet_png(sheet, view)?)]),
        Unpacked::Sound(samples) => Ok(samples
            .iter()
            .flat_map(|s| {
                [
                    (format!("{}.wav", s.index), prometeu_packer::sample_wav(s)),
                    (format!("{}.waveform.png", s.index), prometeu_packer::waveform_png(s)),
                ]
            })
            .collect()),
    }
}

pub(crate) fn run(cli: &Cli, project: &Utf8Path, args: &PreviewArgs, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = crate::shared::run_options(None, out);
    // Read under the lane, so a preparation cannot replace the pack mid-read.
    let lane = crate::shared::take_lane(cli, project, &options.cancel, out)?;
    let (_, decoded) = decode_pack(lane.project())?;
    let selected: Vec<&Decoded> = decoded.iter().filter(|d| matches(d, args.asset.as_deref())).collect();
    if let (Some(asset), true) = (&args.asset, selected.is_empty()) {
        let known: Vec<&str> = decoded.iter().map(|d| d.entry.asset_name.as_str()).collect();
        return Err(Stop::usage(format!(
            "no packed asset has root or name `{asset}`; packed: {}",
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        )));
    }
    let target = args.out.as_ref().map_or_else(|| project.join(PREVIEW_DIR), |dir| project.join(dir));
    let mut written = Vec::new();
    let mut files = Vec::new();
    for d in &selected {
        let view = sheet_view(project, d, args);
        let rendered = render(d, &view).map_err(Stop::usage)?;
        // With `--asset`, only that asset's directory is replaced; the others' previews stay.
        if args.asset.is_some() {
            let dir = target.join(&d.entry.asset_name);
            replace_dir(&dir, &rendered).map_err(|e| Stop::failed(format!("cannot write {dir}: {e}")))?;
        }
        files.extend(rendered.into_iter().map(|(name, bytes)| (format!("{}/{name}", d.entry.asset_name), bytes)));
        written.push(json!({"asset_id": d.entry.asset_id, "asset_name": d.entry.asset_name}));
    }
    if args.asset.is_none() {
        replace_dir(&target, &files).map_err(|e| Stop::failed(format!("cannot write {target}: {e}")))?;
    }
    for (name, _) in &files {
        out.data(target.join(name).as_str());
    }
    out.note(&format!("wrote {} preview files of {} assets to {target}", files.len(), selected.len()));
    let files: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
    out.result(Some("preview"), &json!({"status": "success", "dir": target, "assets": written, "files": files}));
    Ok(Exit::Success)
}

fn matches(decoded: &Decoded, asset: Option<&str>) -> bool {
    let Some(asset) = asset else { return true };
    let asset = asset.trim_end_matches('/');
    let root = decoded.root.as_deref().unwrap_or_default();
    decoded.entry.asset_name == asset || root == asset || root.strip_prefix("assets/") == Some(asset)
}

fn sheet_view(project: &Utf8Path, decoded: &Decoded, args: &PreviewArgs) -> SheetView {
    let palettes = match (&decoded.unpacked, args.all_palettes, args.palette) {
        (Unpacked::Glyph(sheet), true, _) => sheet.authored.clone(),
        (_, _, Some(n)) => vec![n],
        _ => vec![0],
    };
    SheetView { palettes, grid: args.grid, scale: args.scale, layout: artist_layout(project, decoded) }
}

/// The artist's sheet layout of a glyph bank, read from the project (pixels still come from the pack).
pub(crate) fn artist_layout(project: &Utf8Path, decoded: &Decoded) -> Option<(u32, u32)> {
    let root = decoded.root.as_deref()?;
    let root = root.strip_prefix("assets/").unwrap_or(root);
    matches!(decoded.unpacked, Unpacked::Glyph(_)).then(|| prometeu_packer::artist_layout(project, root)).flatten()
}

/// Writes `files` into a fresh sibling directory, then swaps it in for `dir`.
fn replace_dir(dir: &Utf8Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let parent = dir.parent().unwrap_or(Utf8Path::new("."));
    fs_err::create_dir_all(parent)?;
    let name = dir.file_name().unwrap_or("preview");
    let fresh = parent.join(format!(".{name}.new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs_err::remove_dir_all(&fresh);
    for (rel, bytes) in files {
        let path = fresh.join(rel);
        fs_err::create_dir_all(path.parent().expect("files sit in an asset directory"))?;
        fs_err::write(&path, bytes)?;
    }
    fs_err::create_dir_all(&fresh)?;
    if dir.exists() {
        fs_err::rename(dir, &old)?;
    }
    fs_err::rename(&fresh, dir)?;
    let _ = fs_err::remove_dir_all(&old);
    Ok(())
}
