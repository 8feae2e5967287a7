//! The Prometeu Play preparation driver.

pub mod compiler;
