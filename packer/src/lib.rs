//! The Prometeu packer: everything between a project's `assets/` directory
//! and a byte-deterministic `build/assets.pa` with its companions.
//!
//! The front door, by task:
//!
//! - **Pack:** take the project's lane with [`acquire_lane`], then
//!   [`pack_workspace`]; results, events and log lines come back as data.
//! - **Check without writing:** [`validate`] (every check the pack gate runs)
//!   and [`summary`] (declarations only); [`walk`] is the discovery walk both use.
//! - **Change the registry:** [`register`], [`set_included`], [`forget`],
//!   [`move_root`], each under the lane.
//! - **Read the workspace:** [`read_registry`], [`parse_declaration`], and the
//!   families' [`check_declaration`] and [`materialize`].
//! - **The `assets.pa` format** is its own crate, re-exported as [`pa`].
//!
//! Findings are data: [`Diagnostic`]s with stable [`Code`]s. Internally the
//! crate is four layers (see `ARCHITECTURE.md`): `support` ← `workspace` ←
//! `families` ← `exec`, each importing only the ones before it.

#![warn(missing_docs)]

mod exec;
mod families;
mod support;
mod workspace;

/// The `assets.pa` v1 format: prelude, header, writer and verifier.
pub use prometeu_pa as pa;

pub use exec::frozen::FrozenFile;
pub use exec::gate::{AssetPlan, GateReport};
pub use exec::lane::{LOCK_FILE, LaneError, LaneGuard, Wait, acquire as acquire_lane};
pub use exec::mutate::{
    MutationError, forget, move_root, register, serialize as registry_bytes, set_included, suggest_root,
};
pub use exec::new_asset::{NewAsset, NewAssetError, NewAssetRequest, new_asset};
pub use exec::origin::{Origin, check_same_preparation};
pub use exec::pack::{
    EventKind, FailureStage, PackEvent, PackObserver, PackOptions, PackOutcome, PackResult, Quiet, STOPPED, Status,
    StopRequest, TABLE_METADATA_SCHEMA_VERSION, pack_workspace,
};
pub use exec::preview::{
    GRID_RGB, MAX_PREVIEW_SCALE, SWATCH_SIDE, SheetView, WAVEFORM_SIZE, artist_layout, sample_wav, sheet_png,
    waveform_png,
};
pub use exec::report::{Summary, SummaryAsset, Validation, ValidationAsset, gate_live, summary, validate};
pub use exec::show::{AssetView, show_asset};
pub use exec::snapshot::{
    AssetSnapshot, FileKind, LiveContent, MaterializationConfig, Probe, Snapshot, WalkMode, walk,
};
pub use exec::staging::{PromoteError, Recovery, Staging, operation_id, remove_outputs};
pub use exec::unpack::{
    GlyphSheet, Mismatch, PackedSample, Rgb, Unpacked, rgb_from_565, unpack, verify_payload_hashes,
};
pub use exec::usage::{
    BankUsage, PALETTES_PER_BANK, PackUsage, SLOTS_PER_BANK_TYPE, planned_usage, usage, validate_with_usage,
};
pub use families::contract::{AssetInput, Content, Materialized, SelectedFile};
pub use families::glyph::{
    ASEPRITE_EXTENSIONS, BankArt, BankCopy, DECODED_BYTES as GLYPH_DECODED_BYTES, GlyphImage, MAX_PNG_BYTES,
    OPAQUE_INDEX_ZERO_KEY, PAYLOAD_BYTES as GLYPH_PAYLOAD_BYTES, PaletteProblem, derive_palette, fit_palette,
    parse_palette_file,
};
pub use families::sound::MAX_WAV_BYTES;
pub use families::{check_declaration, materialize, max_input_bytes};
pub use prometeu_pa::PRELOAD_SLOTS;
/// `1 blocking diagnostic`, `3 warnings`: counts in messages, for hosts that word their own.
pub use prometeu_shape::counted;
/// Reading project text: a leading UTF-8 byte-order mark is not content.
pub use prometeu_shape::without_bom;
/// Opening project files: regular files only, never blocking, within a limit.
pub use prometeu_shape::{open_regular, read_regular};
pub use support::advice::Advice;
pub use support::diag::{AssetRef, Code, Diagnostic, Severity, any_blocking};
pub use support::log::{Channel, Level, LogLine, diagnostic_line};
pub use support::testpoint::{Action, ENV as TESTPOINT_ENV, TestPoint, TestPoints};
pub use workspace::declaration::{
    Artifact, Declaration, Declared, Inputs, JsonObject, LoopPoints, MAX_DECLARATION_BYTES, Output, Parsed, Preload,
    parse as parse_declaration,
};
pub use workspace::family::{Family, SHEET_ROLE};
pub use workspace::layout::{
    ASSET_TABLE_JSON, ASSET_TABLE_METADATA_JSON, ASSETS_DIR, ASSETS_PA, BUILD_DIR, DECLARATION_FILE,
    DECLARATION_SCHEMA_PATH, LOG_DIR, MANIFEST_FILE, NEW_ASSET_STAGING, PACK_ORIGIN, PACK_OUTPUTS, PRELOAD_JSON,
    PROGRAM_FILE, PROGRAM_ORIGIN, REGISTRY_PATH, declaration_path, root_path,
};
pub use workspace::paths::{PathRule, Resolve, check_relative, first_link, resolve_inside};
pub use workspace::registry::{
    Registry, RegistryEntry, RegistryRead, check_roots, check_uuid, entry_keys, find_unregistered, normalize_root_arg,
    parse as parse_registry, read as read_registry, registry_keys, shell_word, unregistered_warning,
    unregistered_warnings,
};
pub use workspace::schema::{AssetJson, schema_of};
