//! The Prometeu Play preparation driver: the library the command line,
//! hooks and pipelines share. `play_prep` runs `build_step`, the packer's
//! `pack_workspace` and `manifest_step` under one hold of the lane.

pub mod bench;
pub mod build_step;
pub mod cli;
pub mod compiler;
pub mod logs;
pub mod manifest_step;
pub mod play_prep;
pub mod reporter;
pub mod step;
