//! What every test of this workspace shares: real project directories, real
//! PNG and WAV files, and real child processes. It depends on no crate of
//! the workspace, so any crate's unit or integration tests can use it.

#![warn(missing_docs)]

mod platform;
mod png;
mod process;
mod project;
mod wav;

pub use platform::alive;
pub use png::*;
pub use process::{Run, Watched};
pub use project::{Project, repo_root, sample_project, starter, uuid_for};
pub use wav::*;

/// The four pack outputs inside `build/`.
pub const PACK_OUTPUTS: [&str; 4] = ["assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json"];
