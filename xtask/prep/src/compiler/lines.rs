//! Output lines: one reader thread per stream, lines cut at a bound.

use super::*;

/// Opens the two pipes and starts one reader thread per stream, which
/// sends what it reads as `wrap` makes it (`None`: not sent). With a
/// budget, each stream's lines past the budget's first are only counted,
/// except the last ones, delivered at end-of-file. Returns the write ends
/// for the child.
pub(crate) fn start_readers<T: Send + 'static>(
    sender: SyncSender<T>,
    budget: Option<LineBudget>,
    wrap: fn(Delivery) -> Option<T>,
) -> Result<(Pipes, Vec<JoinHandle<()>>), String> {
    let pipe_error = |error: io::Error| format!("cannot create a pipe for the compiler: {error}");
    let (stdout_reader, stdout) = os_pipe::pipe().map_err(pipe_error)?;
    let (stderr_reader, stderr) = os_pipe::pipe().map_err(pipe_error)?;
    let readers = vec![
        start_reader(Stream::Stdout, stdout_reader, budget, sender.clone(), wrap)?,
        start_reader(Stream::Stderr, stderr_reader, budget, sender, wrap)?,
    ];
    Ok((Pipes { stdout, stderr }, readers))
}

fn start_reader<T: Send + 'static>(
    stream: Stream,
    pipe: os_pipe::PipeReader,
    budget: Option<LineBudget>,
    sender: SyncSender<T>,
    wrap: fn(Delivery) -> Option<T>,
) -> Result<JoinHandle<()>, String> {
    let deliver = move |delivery: Delivery| match wrap(delivery) {
        Some(item) => sender.send(item).is_ok(),
        None => true,
    };
    thread::Builder::new()
        .name(format!("compiler-{}", stream.as_str()))
        .spawn(move || forward_lines(stream, pipe, budget, deliver))
        .map_err(|error| format!("cannot start a thread to read the compiler's output: {error}"))
}

/// Reads until end-of-file, or until nobody listens any more: then closing
/// the pipe lets a leftover writer fail instead of keeping this thread.
fn forward_lines(
    stream: Stream,
    mut pipe: os_pipe::PipeReader,
    budget: Option<LineBudget>,
    mut deliver: impl FnMut(Delivery) -> bool,
) {
    let listening = Cell::new(true);
    let mut send = |text: String| {
        if !deliver(Delivery::Line(stream, text)) {
            listening.set(false);
        }
    };
    let mut head_left = budget.map_or(u64::MAX, |b| b.first_lines);
    let mut splitter = LineSplitter::default();
    let mut tail: Option<TailBytes> = None;
    let mut buffer = vec![0u8; READ_BYTES];
    while listening.get() {
        let mut chunk = match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => &buffer[..read],
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        while head_left > 0 && !chunk.is_empty() {
            let end = chunk.iter().position(|&byte| byte == b'\n').map_or(chunk.len(), |newline| newline + 1);
            splitter.push(&chunk[..end], &mut send);
            if chunk[end - 1] == b'\n' {
                head_left -= 1;
            }
            chunk = &chunk[end..];
        }
        if let Some(budget) = budget.filter(|_| head_left == 0) {
            tail.get_or_insert_with(|| TailBytes::new(budget)).push(chunk);
        }
    }
    match tail {
        Some(tail) if listening.get() => tail.finish(stream, &mut deliver),
        Some(_) => {}
        None => splitter.finish(&mut send),
    }
}

/// The bytes a stream wrote after its budget's first lines: the newlines
/// counted, the last `last_bytes` kept, cut into lines only at the end.
/// Counting and copying cost a fraction of what making a line costs, so a
/// flood is read about as fast as the pipe delivers it.
struct TailBytes {
    budget: LineBudget,
    bytes: Vec<u8>,
    /// Whether bytes were dropped from the front (the first kept line may be partial).
    cut: bool,
    newlines: u64,
}

impl TailBytes {
    fn new(budget: LineBudget) -> TailBytes {
        TailBytes { budget, bytes: Vec::new(), cut: false, newlines: 0 }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.newlines += chunk.iter().filter(|&&byte| byte == b'\n').count() as u64;
        self.bytes.extend_from_slice(chunk);
        // Trimmed in bulk, at twice the bound: each byte is moved at most once.
        if self.bytes.len() > 2 * self.budget.last_bytes {
            let keep_from = self.bytes.len() - self.budget.last_bytes;
            self.bytes.copy_within(keep_from.., 0);
            self.bytes.truncate(self.budget.last_bytes);
            self.cut = true;
        }
    }

    /// Sends how many lines were left out, then the last lines.
    fn finish(self, stream: Stream, deliver: &mut impl FnMut(Delivery) -> bool) {
        let unterminated = self.bytes.last().is_some_and(|&byte| byte != b'\n');
        let total = self.newlines + u64::from(unterminated);
        let mut window = &self.bytes[self.bytes.len().saturating_sub(self.budget.last_bytes)..];
        if self.cut || window.len() < self.bytes.len() {
            // The first line in the window lost its beginning: leave it out.
            let start = window.iter().position(|&byte| byte == b'\n').map_or(window.len(), |newline| newline + 1);
            window = &window[start..];
        }
        let mut lines = Vec::new();
        let mut splitter = LineSplitter::default();
        splitter.push(window, &mut |line| lines.push(line));
        splitter.finish(&mut |line| lines.push(line));
        let kept = lines.split_off(lines.len().saturating_sub(self.budget.last_lines));
        let left_out = total - kept.len() as u64;
        if left_out > 0 && !deliver(Delivery::LeftOut(stream, left_out)) {
            return;
        }
        for line in kept {
            if !deliver(Delivery::Line(stream, line)) {
                return;
            }
        }
    }
}

/// Delivers every line the readers still have, until both reach end-of-file.
/// Only silence for `DRAIN_GRACE` (a process that escaped the group holds a
/// pipe) or passing `give_up` (it also keeps writing) stops it earlier; such
/// a reader is detached.
pub(super) fn finish_readers(
    lines: &Receiver<Delivery>,
    readers: Vec<JoinHandle<()>>,
    give_up: Option<Instant>,
    on_output: &mut dyn FnMut(CompilerEvent<'_>),
) {
    loop {
        if give_up.is_some_and(|deadline| Instant::now() >= deadline) {
            break;
        }
        match lines.recv_timeout(DRAIN_GRACE) {
            Ok(delivery) => delivery.hand_to(on_output),
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
