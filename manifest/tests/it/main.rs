//! The manifest crate's one integration-test binary: real project files.

mod common;
mod find;
mod generate;
mod load;
mod schema;
mod templates;
