//! The command line's one integration-test binary: the real `xtask` binary
//! and the Play preparation library on real projects and real processes.

mod adoption;
mod art;
mod assets_new;
mod commands;
mod compiler;
mod hostile;
mod library;
mod pack_process;
mod platform_seam;
mod play_prep;
mod portable;
mod see_and_play;
mod supervision;
mod support;
mod tidy;
