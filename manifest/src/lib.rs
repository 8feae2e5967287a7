//! Cartridge metadata (`cartridge.toml`, `prometeu.json`) to `manifest.json`.
