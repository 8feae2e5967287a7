//! `assets new glyph_bank|sound_bank <root> FILE…`: creates, checks and
//! registers an asset from its files in one step.

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_packer::{Family, NewAssetError, NewAssetRequest, TestPoints, new_asset, normalize_root_arg};
use prometeu_play_prep::Cancel;
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, take_lane};

/// The family of the asset to create.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum NewCommand {
    /// A glyph bank from tile images, or from one sheet image cut into cells.
    #[command(name = "glyph_bank")]
    GlyphBank {
        /// The new root, relative to assets/.
        root: String,
        /// Tile side in pixels.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["8", "16", "32"]))]
        tile_size: String,
        /// One image whose cells (row-major) are the tiles, instead of one image per tile.
        #[arg(long, value_name = "FILE", conflicts_with = "files", required_unless_present = "files")]
        sheet: Option<Utf8PathBuf>,
        /// The authoring palette: a .png strip, a .gpl GIMP palette or a .hex list (default: derived from the images).
        #[arg(long, value_name = "FILE")]
        palette: Option<Utf8PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Tile images (PNG or Aseprite), in tile order.
        #[arg(value_name = "FILE")]
        files: Vec<Utf8PathBuf>,
    },
    /// A sound bank from WAV files, in sample order.
    #[command(name = "sound_bank")]
    SoundBank {
        /// The new root, relative to assets/.
        root: String,
        #[command(flatten)]
        common: Common,
        /// WAV files, in sample order.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<Utf8PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// Load the asset at start into this preload slot.
    #[arg(long, value_name = "SLOT", value_parser = clap::value_parser!(u32).range(0..i64::from(prometeu_packer::PRELOAD_SLOTS)))]
    preload: Option<u32>,
    /// Reference files already inside assets/<root>/ instead of copying them there.
    #[arg(long)]
    in_place: bool,
}

/// The headline above the findings of an asset that would not pass `validate`.
const INVALID_HEADLINE: &str = "the asset would not pass `validate`, so nothing was written";

pub(crate) fn run(cli: &Cli, project: &Utf8Path, command: &NewCommand, out: &mut Reporter) -> Result<Exit, Stop> {
    let request = request(command);
    let lane = take_lane(cli, project, &Cancel::new(), out)?;
    match new_asset(&lane, &request) {
        Ok(created) => {
            for sentence in created.recovered.iter().chain(&created.copied_as_indexed) {
                out.notice(sentence);
            }
            let entry = &created.entry;
            out.note(&format!(
                "created assets/{}: asset_id {}, asset_uuid {}, {}",
                entry.root,
                entry.asset_id,
                entry.asset_uuid,
                request.family.type_name()
            ));
            out.result(
                Some("assets"),
                &json!({
                    "status": "success",
                    "entry": entry,
                    "declaration": created.declaration,
                    "copied_as_indexed": created.copied_as_indexed,
                }),
            );
            Ok(Exit::Success)
        }
        Err(e) => {
            let diagnostics = match &e {
                NewAssetError::Invalid(d) => d.clone(),
                _ => Vec::new(),
            };
            // The findings are listed once, as diagnostics, not again inside the headline.
            match &e {
                NewAssetError::Invalid(_) => out.error(INVALID_HEADLINE),
                _ => out.error(&e.to_string()),
            }
            out.diagnostics(&diagnostics);
            out.result(
                Some("assets"),
                &json!({"status": "failed", "error": e.to_string(), "diagnostics": diagnostics}),
            );
            Ok(Exit::Failed)
        }
    }
}

fn request(command: &NewCommand) -> NewAssetRequest {
    let base = |root: &str, family, files: &[Utf8PathBuf], common: &Common| NewAssetRequest {
        root: normalize_root_arg(root),
        family,
        files: files.to_vec(),
        sheet: false,
        tile_size: None,
        palette_file: None,
        preload_slot: common.preload,
        in_place: common.in_place,
        testpoints: TestPoints::from_env(),
    };
    match command {
        NewCommand::GlyphBank { root, tile_size, sheet, palette, common, files } => {
            let files = sheet.as_ref().map_or_else(|| files.clone(), |s| vec![s.clone()]);
            NewAssetRequest {
                sheet: sheet.is_some(),
                tile_size: tile_size.parse().ok(),
                palette_file: palette.clone(),
                ..base(root, Family::GlyphBank, &files, common)
            }
        }
        NewCommand::SoundBank { root, common, files } => base(root, Family::SoundBank, files, common),
    }
}
