//! The command line of the Play preparation: `cargo xtask <command>`.
//!
//! A game repository's own `xtask` crate calls [`main`]. Everything the
//! commands do is a call into the libraries (`prometeu-play-prep`,
//! `prometeu-packer`); this crate parses arguments, handles Ctrl-C, renders
//! progress and results, and picks the exit status. A host that wants the
//! preparation without a command line links `prometeu-play-prep` instead.

#![warn(missing_docs)]

mod advice;
mod allocator;
mod bench;
mod cli;
mod commands;
mod git;
mod interrupt;
mod platform;
mod reporter;
mod scaffold;
mod shared;
mod staged;
mod version;

pub use cli::main;
/// Ctrl-C for a host that runs several commands in one process: install the
/// handler once, take a fresh token per run.
pub use interrupt::{install_handler as install_ctrl_c_handler, new_run as new_ctrl_c_run};
