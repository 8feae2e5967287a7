//! The typed shape of `cartridge.toml`, from which its JSON Schema
//! (`docs/schemas/cartridge.schema.json`, for editors through taplo's
//! `#:schema` line) is generated and from which the reader takes its
//! accepted keys. The reader walks the document by hand for its messages.

use schemars::JsonSchema;
use serde::Deserialize;

/// `cartridge.toml` (local format).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read for its shape (keys, schema), never filled in.
#[schemars(title = "Prometeu cartridge.toml", description = "Cartridge metadata (docs/reference/project.md).")]
pub struct CartridgeToml {
    /// The cartridge's numeric id.
    app_id: u32,
    /// Shown by the console; trimmed, not blank.
    #[serde(default)]
    #[schemars(with = "String")]
    title: Option<String>,
    /// A semver version such as `0.1.0`.
    #[serde(default)]
    #[schemars(with = "String")]
    app_version: Option<String>,
    /// `Game` (default) or `System`.
    #[serde(default)]
    #[schemars(with = "String", extend("enum" = ["Game", "System"]))]
    app_mode: Option<String>,
    /// What the cartridge uses (`gfx`, `input`, `audio`, `asset`, …).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    capabilities: Option<Vec<String>>,
    /// How the program is built: `command` or `prebuilt`.
    compiler: CompilerToml,
    /// How `cargo xtask play` starts the runtime.
    #[serde(default)]
    run: Option<RunToml>,
    /// Size limits of the pack (`cargo xtask report`, `validate`, `play-prep`).
    #[serde(default)]
    budget: Option<BudgetToml>,
}

/// `[run]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RunToml {
    /// The runtime's argv, run without a shell in the project directory; default `["prometeu", "run", "build"]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>", length(min = 1))]
    command: Option<Vec<String>>,
}

/// `[budget]`: every limit optional.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct BudgetToml {
    /// Largest `assets.pa`, in bytes.
    #[serde(default)]
    assets_pa_bytes: Option<u64>,
    /// Largest total of sound payload bytes.
    #[serde(default)]
    sound_bytes: Option<u64>,
    /// Longest total sound duration, in seconds.
    #[serde(default)]
    sound_seconds: Option<u64>,
    /// Most glyph banks.
    #[serde(default)]
    glyph_banks: Option<u64>,
    /// Most sound banks.
    #[serde(default)]
    sound_banks: Option<u64>,
    /// `true`: an exceeded limit blocks the preparation instead of warning.
    #[serde(default)]
    enforce: Option<bool>,
}

/// `[compiler]`: exactly one of `command` and `prebuilt`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CompilerToml {
    /// The compiler's argv, run without a shell; `{project}`, `{output}`, `{build_dir}` are replaced.
    #[serde(default)]
    #[schemars(with = "Vec<String>", length(min = 1))]
    command: Option<Vec<String>>,
    /// A program compiled elsewhere, relative to the project.
    #[serde(default)]
    #[schemars(with = "String")]
    prebuilt: Option<String>,
    /// Seconds before the compiler is killed (with `command`).
    #[serde(default)]
    #[schemars(with = "u64", range(min = 1, max = 86400))]
    timeout_secs: Option<u64>,
}

/// The JSON Schema of `cartridge.toml`, as committed under `docs/schemas/`.
pub fn cartridge_schema() -> schemars::Schema {
    schemars::SchemaGenerator::default().into_root_schema_for::<CartridgeToml>()
}
