//! Layer 0, what every layer shares: diagnostics with stable codes, log
//! lines, test points, freeing off the caller's path, the platform seam
//! (every operating-system call). Imports nothing of the crate.

pub(crate) mod advice;
pub(crate) mod background;
pub(crate) mod diag;
pub(crate) mod log;
pub(crate) mod platform;
pub(crate) mod testpoint;
