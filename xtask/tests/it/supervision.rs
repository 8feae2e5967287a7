//! What the tool starts and how much it holds: every compiler line reaches
//! the kept log and the host, memory stays bounded whatever the compiler
//! prints or the prebuilt program weighs, and the compiler dies with the
//! tool even when it ignores every polite signal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::hostile::bounded;
use crate::support::{Project, Xtask, starter};
#[cfg(not(feature = "portable"))]
use crate::support::{Watched, alive};

/// Lines of the kept build log that came from the compiler's `stream`.
fn compiler_lines(log: &[serde_json::Value], stream: &str) -> Vec<String> {
    let prefix = format!("[{stream}] ");
    log.iter()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.starts_with(&prefix))
        .map(|m| m[prefix.len()..].to_owned())
        .collect()
}

fn compiler(p: &Project, body: &str) {
    p.script("tools/pbsc", body);
    p.set_compiler("command = [\"./tools/pbsc\"]");
}

/// The entry saying how many lines of `stream` were left out, and that count.
fn left_out(log: &[serde_json::Value], stream: &str) -> Option<(usize, u64)> {
    let suffix = format!(" more lines on {stream} left out");
    log.iter().enumerate().find_map(|(at, entry)| {
        let message = entry["message"].as_str()?;
        let (count, _) = message.split_once(&suffix)?;
        Some((at, count.parse().ok()?))
    })
}

#[test]
fn a_400000_line_compiler_keeps_its_first_and_last_lines_and_counts_the_rest() {
    let budget = prometeu_play_prep::COMPILER_OUTPUT_BUDGET;
    let (first, last) = (budget.first_lines, budget.last_lines as u64);
    let p = starter();
    compiler(&p, "seq 1 400000\necho 'error: the line that matters' >&2\nexit 1");
    let out = bounded(p.xtask(&["build", "--message-format", "json"]));
    assert_eq!(out.status.code(), Some(1));
    let log = p.kept_log("build");
    let stdout = compiler_lines(&log, "stdout");
    let expected: Vec<String> = (1..=first).chain(400_001 - last..=400_000).map(|n| n.to_string()).collect();
    assert_eq!(stdout, expected, "the first and the last lines, in order, in build/logs/build.jsonl");
    assert_eq!(compiler_lines(&log, "stderr"), ["error: the line that matters"]);
    let (at, count) = left_out(&log, "stdout").expect("one entry says how many lines were left out");
    assert_eq!(count, 400_000 - first - last);
    let before: Vec<String> = compiler_lines(&log[..at], "stdout");
    assert_eq!(before.last().map(String::as_str), Some(first.to_string().as_str()), "in its place");
    assert_eq!(left_out(&log, "stderr"), None);
    let last_entry = log.last().unwrap()["message"].as_str().unwrap();
    assert!(last_entry.contains("exit status 1"), "the outcome comes after every line: {last_entry}");

    // The host (JSON lines on stdout) heard the same lines, and the result
    // counts them all.
    let host: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let heard = host.iter().filter(|l| l["type"] == "log").count();
    assert_eq!(heard, log.len(), "the host heard every kept line");
    let result = &host.last().unwrap();
    assert_eq!(result["compiler_lines"]["stdout"], 400_000, "{result}");
    assert_eq!(result["compiler_lines"]["stderr"], 1);
    assert_eq!(result["compiler_lines"]["left_out"], 400_000 - first - last, "{result}");
    assert_eq!(result["compiler_lines"]["not_returned"], first + last - 1000, "{result}");
}

/// How long a preparation may take whatever its compiler prints (the
/// 1 GiB flood below takes a few seconds here; 300 s before the budget).
const FLOOD_BOUND: Duration = Duration::from_secs(60);

#[test]
fn a_compiler_printing_a_gib_of_short_lines_cannot_stall_the_build() {
    let gib: u64 = std::env::var("PROMETEU_FLOOD_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(1 << 30);
    let p = starter();
    compiler(&p, "yes | head -c \"$BYTES\"\necho 'error: the last line' >&2\necho 'the last line'\nexit 1");
    let mut cmd = p.xtask(&["build", "--message-format", "json"]);
    cmd.env("BYTES", gib.to_string());
    let started = Instant::now();
    let out = bounded(cmd);
    let took = started.elapsed();
    let lines = gib / 2 + 1;
    eprintln!(
        "{gib} bytes, {lines} lines on stdout: build took {took:?} ({:.0} lines/s)",
        lines as f64 / took.as_secs_f64()
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(took < FLOOD_BOUND, "took {took:?}");
    let log = p.kept_log("build");
    let stdout = compiler_lines(&log, "stdout");
    assert_eq!(stdout.last().map(String::as_str), Some("the last line"), "the kept log ends in its last line");
    assert_eq!(compiler_lines(&log, "stderr"), ["error: the last line"]);
    let (_, count) = left_out(&log, "stdout").unwrap();
    assert_eq!(count + stdout.len() as u64, lines, "every line is kept or counted");
}

#[test]
fn a_slow_reader_loses_nothing() {
    let p = starter();
    compiler(&p, "seq 1 20000\necho 'error: last' >&2\nexit 1");
    let mut cmd = p.xtask(&["build", "--message-format", "json"]);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let reader = BufReader::new(child.stdout.take().unwrap());
    let mut heard = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        if n % 20 == 0 {
            std::thread::sleep(Duration::from_millis(3));
        }
        heard.push(line.unwrap());
    }
    assert_eq!(child.wait().unwrap().code(), Some(1));
    let text = heard.join("\n");
    assert!(text.contains("[stdout] 20000") && text.contains("[stderr] error: last"));
    let log = p.kept_log("build");
    assert_eq!(compiler_lines(&log, "stdout").len(), 20_000);
    assert_eq!(compiler_lines(&log, "stderr"), ["error: last"]);
}

/// Peak resident set of one run of `cmd`, in KiB: the kernel's high-water
/// mark of the process's own memory (`VmHWM`), read until it exits. (The
/// rusage of `wait4` would not do: a child started by vfork inherits the
/// test process's mark, which is far larger.) Growth in the last poll
/// interval before exit is missed; memory peaks while output streams.
fn peak_rss_kib(mut cmd: Command) -> (i32, i64) {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: i64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), peak);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// MiB from the environment (for the full-size campaign), or a CI default.
fn mib(var: &str, default: u64) -> u64 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

const LIMIT_KIB: i64 = 100 * 1024;

#[test]
fn memory_stays_bounded_however_much_the_compiler_prints() {
    let total = mib("PROMETEU_BIG_OUTPUT_MIB", 128) * 1024 * 1024;
    let p = starter();
    let body = "line=$(head -c 1000 /dev/zero | tr '\\0' x)\nyes \"$line\" | head -c \"$BYTES\"\n\
                echo 'error: after all that' >&2\nexit 1";
    compiler(&p, body);
    let run = |bytes: u64| {
        let mut cmd = p.xtask(&["build", "--message-format", "json"]);
        cmd.env("BYTES", bytes.to_string());
        peak_rss_kib(cmd)
    };
    let (code, baseline) = run(1000);
    assert_eq!(code, 1);
    let (code, big) = run(total);
    assert_eq!(code, 1);
    eprintln!("peak RSS: {baseline} KiB for 1 KB of output, {big} KiB for {} MiB", total / (1024 * 1024));
    assert!(big - baseline < LIMIT_KIB, "{big} KiB against a baseline of {baseline} KiB");
    let log = p.kept_log("build");
    assert_eq!(compiler_lines(&log, "stderr"), ["error: after all that"]);
    let kept = compiler_lines(&log, "stdout").len() as u64;
    let (_, count) = left_out(&log, "stdout").unwrap();
    assert_eq!(kept + count, total.div_ceil(1001), "every line is kept or counted");
}

#[test]
fn a_huge_prebuilt_program_is_copied_streaming() {
    let total = mib("PROMETEU_BIG_PREBUILT_MIB", 256) * 1024 * 1024;
    let p = starter();
    let (code, baseline) = peak_rss_kib(p.xtask(&["build"]));
    assert_eq!(code, 0);
    // Sparse: it costs no disk to make, and reads as zeros.
    let big = std::fs::File::create(p.path.join("dist/program.pbx")).unwrap();
    big.set_len(total).unwrap();
    let (code, peak) = peak_rss_kib(p.xtask(&["build"]));
    assert_eq!(code, 0);
    eprintln!("peak RSS: {baseline} KiB for the starter's program, {peak} KiB for {} MiB", total >> 20);
    assert!(peak - baseline < LIMIT_KIB, "{peak} KiB against a baseline of {baseline} KiB");
    assert_eq!(std::fs::metadata(p.path.join("build/program.pbx")).unwrap().len(), total);
}

/// How soon after the tool's death by SIGKILL everything it started must
/// be gone (the supervisor acts at once; the rest is scheduling).
#[cfg(not(feature = "portable"))]
const DIES_WITHIN: Duration = Duration::from_secs(2);

/// A program that ignores every polite signal and starts a grandchild:
/// records both pids, says `started`, waits forever.
#[cfg(not(feature = "portable"))]
const STUBBORN: &str = "trap '' TERM INT HUP\nsleep 1000 &\necho $! > grandchild.pid\necho $$ > self.pid\n\
                        echo started\nwhile :; do sleep 1; done";

/// Kills `tool` with SIGKILL once it has said `marker`; how long the
/// program and its grandchild then took to be gone, or which survived.
#[cfg(not(feature = "portable"))]
fn kill_outright(p: &Project, mut tool: Watched, marker: &str) -> Result<Duration, String> {
    tool.until(marker);
    let pid = |file: &str| -> i32 { String::from_utf8(p.read(file)).unwrap().trim().parse().unwrap() };
    let (program, grandchild) = (pid("self.pid"), pid("grandchild.pid"));
    assert!(alive(program) && alive(grandchild));
    tool.kill();
    let killed = Instant::now();
    while (alive(program) || alive(grandchild)) && killed.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let survivors: Vec<i32> = [program, grandchild].into_iter().filter(|&pid| alive(pid)).collect();
    for &pid in &survivors {
        // SAFETY: a test's own leftover; never leave it running.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    if survivors.is_empty() { Ok(killed.elapsed()) } else { Err(format!("{survivors:?} outlived the tool")) }
}

// Needs process groups and the supervisor: absent from the std-only build,
// which stops the direct child only and only while the tool lives.
#[cfg(not(feature = "portable"))]
#[test]
fn the_compiler_and_its_children_die_with_the_tool_killed_outright() {
    const {
        assert!(
            prometeu_play_prep::STOPS_PROCESS_TREE,
            "built with prometeu-play-prep/portable: use --features portable"
        )
    };
    let p = starter();
    compiler(&p, STUBBORN);
    let took = kill_outright(&p, Watched::start(p.xtask(&["build"])), "started").unwrap();
    eprintln!("compiler and grandchild gone {took:?} after the tool's SIGKILL");
    assert!(took < DIES_WITHIN, "took {took:?}");
}

// As above: needs process groups and the supervisor.
#[cfg(not(feature = "portable"))]
#[test]
fn the_runtime_and_its_children_die_with_the_tool_killed_outright() {
    const {
        assert!(
            prometeu_play_prep::STOPS_PROCESS_TREE,
            "built with prometeu-play-prep/portable: use --features portable"
        )
    };
    let p = starter();
    p.script("runtime.sh", STUBBORN);
    let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", format!("{text}\n[run]\ncommand = [\"./runtime.sh\"]\n"));
    let took = kill_outright(&p, Watched::start(p.xtask(&["play"])), "[run] INFO  started").unwrap();
    eprintln!("runtime and grandchild gone {took:?} after the tool's SIGKILL");
    assert!(took < DIES_WITHIN, "took {took:?}");
}
