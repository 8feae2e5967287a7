//! Output lines: one reader thread per stream, lines cut at a bound.

use super::*;

/// Opens the two pipes and starts one reader thread per stream. Returns the
/// write ends for the child.
pub(crate) fn start_readers(lines: SyncSender<Line>) -> Result<(Pipes, Vec<JoinHandle<()>>), String> {
    let pipe_error = |error: io::Error| format!("cannot create a pipe for the compiler: {error}");
    let (stdout_reader, stdout) = os_pipe::pipe().map_err(pipe_error)?;
    let (stderr_reader, stderr) = os_pipe::pipe().map_err(pipe_error)?;
    let readers = vec![
        start_reader(Stream::Stdout, stdout_reader, lines.clone())?,
        start_reader(Stream::Stderr, stderr_reader, lines)?,
    ];
    Ok((Pipes { stdout, stderr }, readers))
}

pub(super) fn start_reader(
    stream: Stream,
    pipe: os_pipe::PipeReader,
    lines: SyncSender<Line>,
) -> Result<JoinHandle<()>, String> {
    thread::Builder::new()
        .name(format!("compiler-{}", stream.as_str()))
        .spawn(move || forward_lines(stream, pipe, &lines))
        .map_err(|error| format!("cannot start a thread to read the compiler's output: {error}"))
}

/// Reads until end-of-file, or until nobody listens any more: then closing
/// the pipe lets a leftover writer fail instead of keeping this thread.
pub(super) fn forward_lines(stream: Stream, mut pipe: os_pipe::PipeReader, lines: &SyncSender<Line>) {
    let listening = Cell::new(true);
    let mut send = |text: String| {
        if lines.send((stream, text)).is_err() {
            listening.set(false);
        }
    };
    let mut splitter = LineSplitter::default();
    let mut buffer = [0u8; 8192];
    while listening.get() {
        match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => splitter.push(&buffer[..read], &mut send),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    splitter.finish(&mut send);
}

/// Delivers every line the readers still have, until both reach end-of-file.
/// Only silence for `DRAIN_GRACE` (a process that escaped the group holds a
/// pipe) or passing `give_up` (it also keeps writing) stops it earlier; such
/// a reader is detached.
pub(super) fn finish_readers(
    lines: &Receiver<Line>,
    readers: Vec<JoinHandle<()>>,
    give_up: Option<Instant>,
    on_line: &mut dyn FnMut(Stream, &str),
) {
    loop {
        if give_up.is_some_and(|deadline| Instant::now() >= deadline) {
            break;
        }
        match lines.recv_timeout(DRAIN_GRACE) {
            Ok((stream, text)) => on_line(stream, &text),
            Err(_) => break,
        }
    }
    for reader in readers {
        if reader.is_finished() {
            let _ = reader.join();
        }
    }
}

/// Turns a byte stream into lines: split on `\n`, a trailing `\r` removed,
/// invalid UTF-8 replaced, an unterminated last line kept, a line longer than
/// `MAX_LINE_BYTES` cut.
#[derive(Default)]
pub(super) struct LineSplitter {
    pending: Vec<u8>,
    /// Dropping the rest of a line that was already cut and delivered.
    skipping: bool,
}

impl LineSplitter {
    pub(super) fn push(&mut self, mut bytes: &[u8], emit: &mut impl FnMut(String)) {
        while let Some(newline) = bytes.iter().position(|&byte| byte == b'\n') {
            self.append(&bytes[..newline], emit);
            self.end_line(emit);
            bytes = &bytes[newline + 1..];
        }
        self.append(bytes, emit);
    }

    pub(super) fn finish(mut self, emit: &mut impl FnMut(String)) {
        if !self.pending.is_empty() {
            self.end_line(emit);
        }
    }

    fn append(&mut self, bytes: &[u8], emit: &mut impl FnMut(String)) {
        if self.skipping {
            return;
        }
        let room = MAX_LINE_BYTES - self.pending.len();
        if bytes.len() <= room {
            self.pending.extend_from_slice(bytes);
            return;
        }
        self.pending.extend_from_slice(&bytes[..room]);
        trim_partial_char(&mut self.pending);
        emit(decode_line(&self.pending) + CUT_MARKER);
        self.pending.clear();
        self.skipping = true;
    }

    fn end_line(&mut self, emit: &mut impl FnMut(String)) {
        if !self.skipping {
            emit(decode_line(&self.pending));
        }
        self.pending.clear();
        self.skipping = false;
    }
}

pub(super) fn decode_line(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Drops a multi-byte character that the cut split in two, rather than
/// showing it as a replacement character.
pub(super) fn trim_partial_char(bytes: &mut Vec<u8>) {
    if let Err(error) = std::str::from_utf8(bytes)
        && error.error_len().is_none()
    {
        bytes.truncate(error.valid_up_to());
    }
}
