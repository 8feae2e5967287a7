//! Layer 0, what every layer shares: diagnostics with stable codes, log
//! lines, test points. Imports nothing of the crate.

pub(crate) mod advice;
pub(crate) mod diag;
pub(crate) mod log;
pub(crate) mod testpoint;
