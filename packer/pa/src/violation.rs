//! What every part of the format reports with: a `Violation` of a
//! structural rule, and the few ways of spelling bytes and errors that the
//! header reader, the verifier and the writer share.

use std::fmt;
use std::io;

/// A structural rule a file breaks, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Several violations as one sentence.
pub(crate) fn join(violations: &[Violation]) -> String {
    violations.iter().map(|v| v.0.as_str()).collect::<Vec<_>>().join("; ")
}

/// Bytes as spaced hex pairs, for the magic.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

/// Bytes as ASCII with anything unprintable as `.`, for the magic.
pub(crate) fn printable(bytes: &[u8]) -> String {
    let text: String = bytes.iter().map(|&b| if b.is_ascii_graphic() { char::from(b) } else { '.' }).collect();
    format!("\"{text}\"")
}

/// An error for a caller's input that breaks a rule of the format.
pub(crate) fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
