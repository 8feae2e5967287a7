//! The `assets.pa` format's one integration-test binary.

mod format;
mod fuzz;
