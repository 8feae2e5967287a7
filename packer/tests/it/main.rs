//! The packer's one integration-test binary: everything through the crate's
//! front door, on real files.

mod authoring;
mod codes_documented;
mod declaration;
mod families_common;
mod family_fuzz;
mod gate_codes;
mod gate_codes_fixture;
mod glyph;
mod model_fuzz;
mod pack;
mod pack_bytes;
mod portable;
mod registry;
mod scale;
mod schemas;
mod sound;
mod tidy;
