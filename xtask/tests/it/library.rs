//! The Play preparation as a host drives it: no command line, no signals,
//! one process running several preparations.

// The std-only build compiles out the test that needs process groups, and
// with it the only user of some of what follows.
#![cfg_attr(feature = "portable", allow(unused_imports, dead_code))]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use prometeu_packer::{PackEvent, Wait, acquire_lane};
use prometeu_play_prep::{Cancel, LogEntry, Observer, RunOptions, Step, StepStatus, log_path, play_prep};

use crate::support::{Project, alive, starter};

/// Keeps every entry and event, and reports each entry to a channel so a
/// test can act while the run goes on.
struct Recorder {
    entries: Vec<LogEntry>,
    events: usize,
    seen: mpsc::Sender<String>,
}

impl Observer for Recorder {
    fn log(&mut self, entry: &LogEntry) {
        let _ = self.seen.send(entry.message.clone());
        self.entries.push(entry.clone());
    }

    fn event(&mut self, _event: &PackEvent) {
        self.events += 1;
    }
}

fn recorder() -> (Recorder, mpsc::Receiver<String>) {
    let (seen, messages) = mpsc::channel();
    (Recorder { entries: Vec::new(), events: 0, seen }, messages)
}

/// Reads a pid a script wrote.
fn pid_in(p: &Project, rel: &str) -> i32 {
    String::from_utf8(p.read(rel)).unwrap().trim().parse().unwrap()
}

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn a_cancelled_play_prep_stops_its_compiler_and_the_next_one_in_the_same_process_succeeds() {
    let p = starter();
    p.script("pbsc", "echo $$ > compiler.pid\nsleep 1000 &\necho $! > grandchild.pid\necho started\nwait");
    p.set_compiler(r#"command = ["./pbsc"]"#);
    let meta = prometeu_manifest::load(&p.path).unwrap();
    let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();

    // Run 1, cancelled from another thread once the compiler says it started.
    let options = RunOptions { cancel: Cancel::new(), ..RunOptions::default() };
    let (mut observer, messages) = recorder();
    let canceller = {
        let cancel = options.cancel.clone();
        thread::spawn(move || {
            while let Ok(message) = messages.recv_timeout(Duration::from_secs(60)) {
                if message.contains("started") {
                    cancel.cancel();
                    return true;
                }
            }
            false
        })
    };
    let first = play_prep(&lane, &meta, &options, &mut observer);
    assert!(canceller.join().unwrap(), "the compiler never said it started");
    assert_eq!(first.result.status, StepStatus::Failed);
    assert_eq!(first.result.failed_step, Some(Step::Build));
    let build = first.result.steps.build.as_ref().unwrap();
    assert!(build.error.as_deref().unwrap().contains("interrupted"), "{build:?}");
    assert!(first.result.steps.pack.is_none(), "no step starts after a cancel");
    for file in ["compiler.pid", "grandchild.pid"] {
        let pid = pid_in(&p, file);
        let gone = (0..200).any(|_| {
            thread::sleep(Duration::from_millis(25));
            !alive(pid)
        });
        assert!(gone, "{file}: process {pid} outlived the cancel");
    }
    assert!(!p.exists("build/manifest.json"));

    // The returned lines are the streamed ones, numbered 1.. and kept on disk.
    let messages: Vec<&str> = observer.entries.iter().map(|e| e.message.as_str()).collect();
    let returned: Vec<&str> = first.logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, returned);
    let sequences: Vec<u64> = observer.entries.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=sequences.len() as u64).collect::<Vec<_>>());
    let kept = std::fs::read_to_string(log_path(&p.path, "play-prep")).unwrap();
    assert_eq!(kept.lines().count(), observer.entries.len());

    // Run 2, in the same process with a fresh token, succeeds.
    p.script("pbsc", "printf 'PBX' > \"$PROMETEU_OUTPUT\"");
    let meta = prometeu_manifest::load(&p.path).unwrap();
    let (mut observer, _messages) = recorder();
    let second = play_prep(&lane, &meta, &RunOptions::default(), &mut observer);
    assert_eq!(second.result.status, StepStatus::Success, "{:#?}", second.result);
    assert_eq!(p.read("build/program.pbx"), b"PBX");
    assert!(p.exists("build/manifest.json"));
    assert!(observer.events > 0, "pack events reach the observer");
    let channels: Vec<&str> = observer.entries.iter().map(|e| e.channel.as_str()).collect();
    for channel in ["build", "pack", "manifest"] {
        assert!(channels.contains(&channel), "no {channel} line in {channels:?}");
    }
}

#[test]
fn a_single_step_returns_every_line_it_streamed() {
    let p = starter();
    let toml = String::from_utf8(p.read("cartridge.toml")).unwrap();
    p.write("cartridge.toml", toml.replace(r#""asset"]"#, r#""asset", "lasers"]"#));
    let meta = prometeu_manifest::load(&p.path).unwrap();
    assert!(!meta.warnings.is_empty(), "the unknown capability is a warning");
    let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();
    let (mut observer, _messages) = recorder();
    let built = prometeu_play_prep::build(&lane, &meta, &RunOptions::default(), &mut observer);
    assert_eq!(built.result.status, StepStatus::Success);
    let streamed: Vec<&str> = observer.entries.iter().map(|e| e.message.as_str()).collect();
    let returned: Vec<&str> = built.logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(streamed, returned);
    assert!(returned[0].contains("lasers"), "{returned:?}");
}
