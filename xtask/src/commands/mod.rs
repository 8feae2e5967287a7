//! One file per command: each takes the parsed arguments, calls one library
//! operation and renders its result.

pub(crate) mod assets;
pub(crate) mod assets_new;
pub(crate) mod assets_show;
pub(crate) mod build;
pub(crate) mod inspect;
pub(crate) mod manifest;
pub(crate) mod pack;
pub(crate) mod play_prep;
pub(crate) mod summary;
pub(crate) mod validate;
