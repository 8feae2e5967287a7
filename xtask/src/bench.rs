//! `cargo xtask bench`: packs a generated project with thousands of assets
//! and hundreds of MiB of sound in a release build, and prints wall time,
//! throughput, peak resident memory, and `tar -cf` over the same input
//! files for scale. Figures are printed, never asserted.

use std::io::Write;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use fs_err as fs;
use serde_json::{Value, json};
use xshell::{Shell, cmd};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Glyph banks to generate (4 tiles each).
    #[arg(long, default_value_t = 1000)]
    pub glyph_assets: usize,
    /// Sound banks to generate (one sample each).
    #[arg(long, default_value_t = 2000)]
    pub sound_assets: usize,
    /// Total sound input, in MiB, spread over the sound banks.
    #[arg(long, default_value_t = 256)]
    pub sound_mib: usize,
    /// Decoding threads for the pack (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Where to generate the project (default: target/bench-project, replaced).
    #[arg(long)]
    pub dir: Option<Utf8PathBuf>,
}

/// A measured child process.
struct Measured {
    wall: Duration,
    peak_rss_kib: i64,
    ok: bool,
    stdout: String,
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let sh = Shell::new().map_err(|e| e.to_string())?;
    let root = workspace_root();
    sh.change_dir(&root);
    eprintln!("building the release binary…");
    cmd!(sh, "cargo build --release --quiet -p prometeu-xtask").run().map_err(|e| e.to_string())?;
    let binary = root.join("target/release/xtask");

    let project = args.dir.clone().unwrap_or_else(|| root.join("target/bench-project"));
    let _ = fs::remove_dir_all(&project);
    eprintln!("generating {project}…");
    let generated = generate(&project, args).map_err(|e| e.to_string())?;

    let threads = args.threads.map(|t| t.to_string());
    let mut pack_args = vec!["pack", "--project", project.as_str(), "--message-format", "json"];
    if let Some(t) = &threads {
        pack_args.extend(["--threads", t.as_str()]);
    }
    let pack = measure(binary.as_str(), &pack_args)?;
    if !pack.ok {
        return Err(format!("the benchmark pack failed:\n{}", pack.stdout));
    }
    let tar_file = project.with_extension("tar");
    let tar = measure("tar", &["-cf", tar_file.as_str(), "-C", project.as_str(), "assets"])?;
    let _ = fs::remove_file(&tar_file);
    report(args, &generated, &pack, &tar, &project);
    Ok(())
}

fn workspace_root() -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}

struct Generated {
    input_bytes: u64,
    build_relevant_bytes: u64,
}

/// Writes the synthetic project: glyph banks of real PNG tiles, sound banks
/// of real WAV samples, and per-asset source files that are never packed.
fn generate(project: &Utf8Path, args: &BenchArgs) -> std::io::Result<Generated> {
    fs::create_dir_all(project.join("assets/.prometeu"))?;
    fs::write(project.join("cartridge.toml"), "app_id = 1\ntitle = \"Bench\"\napp_version = \"1.0.0\"\n[compiler]\nprebuilt = \"program.pbx\"\n")?;
    let mut entries = Vec::new();
    let mut sizes = Generated { input_bytes: 0, build_relevant_bytes: 0 };
    let frames = (args.sound_mib * 1024 * 1024 / 2) / args.sound_assets.max(1);
    for i in 0..args.glyph_assets {
        let tiles: Vec<Vec<u8>> = (0..4).map(|t| tile_png(i, t)).collect();
        entries.push(write_asset(project, &format!("glyphs/g{i:05}"), glyph_decl(i), &tiles, "tiles", "png", &mut sizes)?);
    }
    for i in 0..args.sound_assets {
        let wav = [sample_wav(i, frames)];
        entries.push(write_asset(project, &format!("sounds/s{i:05}"), sound_decl(i), &wav, "samples", "wav", &mut sizes)?);
    }
    for (i, entry) in entries.iter_mut().enumerate() {
        entry["asset_id"] = json!(i + 1);
    }
    let registry = json!({"schema_version": 1, "next_asset_id": entries.len() + 1, "assets": entries});
    fs::write(project.join("assets/.prometeu/index.json"), serde_json::to_vec_pretty(&registry).expect("json"))?;
    Ok(sizes)
}

fn write_asset(project: &Utf8Path, root: &str, mut decl: Value, files: &[Vec<u8>], role: &str, ext: &str, sizes: &mut Generated) -> std::io::Result<Value> {
    let dir = project.join("assets").join(root);
    fs::create_dir_all(dir.join("src"))?;
    let names: Vec<String> = (0..files.len()).map(|k| format!("{k}.{ext}")).collect();
    for (name, bytes) in names.iter().zip(files) {
        fs::write(dir.join(name), bytes)?;
        sizes.build_relevant_bytes += bytes.len() as u64;
    }
    // An editable original: listed, never read by the pack.
    let source = vec![0x5a; 16 * 1024];
    fs::write(dir.join("src/original.bin"), &source)?;
    decl["inputs"] = json!({ role: names, "sources": ["src/original.bin"] });
    let id = root.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let uuid = format!("00000000-0000-4000-8000-{:012x}", id & 0xffff_ffff_ffff);
    decl["asset_uuid"] = json!(uuid);
    let text = serde_json::to_vec_pretty(&decl).expect("json");
    sizes.input_bytes += files.iter().map(|f| f.len() as u64).sum::<u64>() + source.len() as u64 + text.len() as u64;
    fs::write(dir.join("asset.json"), text)?;
    Ok(json!({"asset_uuid": uuid, "root": root, "included_in_build": true}))
}

fn glyph_decl(i: usize) -> Value {
    json!({
        "schema_version": 1, "name": format!("glyphs{i}"), "type": "glyph_bank",
        "output": {"format": "GLYPH/indexed_v1", "codec": "NONE", "metadata": {"tile_size": 16},
                   "pipeline": {"palettes": [{"index": 0, "palette": {"colors": ["#000000", "#ffffff", "#ff0000", "#0000ff"]}}]}},
        "preload": {"enabled": false}
    })
}

fn sound_decl(i: usize) -> Value {
    json!({
        "schema_version": 1, "name": format!("sounds{i}"), "type": "sound_bank",
        "output": {"format": "SOUNDS/pcm16le_v1", "codec": "NONE"},
        "preload": {"enabled": false}
    })
}

fn tile_png(asset: usize, tile: usize) -> Vec<u8> {
    let pixels: Vec<u8> = (0..256).map(|p| ((p + asset + tile) % 4) as u8).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 16, 16);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(vec![0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]);
    encoder.write_header().and_then(|mut w| w.write_image_data(&pixels)).expect("PNG encodes in memory");
    out
}

fn sample_wav(asset: usize, frames: usize) -> Vec<u8> {
    let spec = hound::WavSpec { channels: 1, sample_rate: 22050, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut cursor = std::io::Cursor::new(Vec::with_capacity(frames * 2 + 44));
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("WAV encodes in memory");
    for f in 0..frames {
        writer.write_sample(((f * 31 + asset * 7) % 65536) as i16).expect("in memory");
    }
    writer.finalize().expect("in memory");
    cursor.into_inner()
}

/// Runs `program` to completion and reads its peak resident memory from
/// the kernel's accounting of exactly that child (`wait4`).
fn measure(program: &str, args: &[&str]) -> Result<Measured, String> {
    let started = Instant::now();
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        std::io::Read::read_to_string(&mut out, &mut stdout).map_err(|e| e.to_string())?;
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child.id()` is our own unreaped child; the pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if pid < 0 {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok(Measured { wall: started.elapsed(), peak_rss_kib: usage.ru_maxrss, ok, stdout })
}

fn report(args: &BenchArgs, generated: &Generated, pack: &Measured, tar: &Measured, project: &Utf8Path) {
    let held = pack
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["kind"] == "snapshot_frozen")
        .and_then(|v| v["bytes"].as_u64())
        .unwrap_or(0);
    let pa_bytes = fs::metadata(project.join("build/assets.pa")).map(|m| m.len()).unwrap_or(0);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let secs = pack.wall.as_secs_f64();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "assets:                 {} glyph banks, {} sound banks", args.glyph_assets, args.sound_assets);
    let _ = writeln!(out, "input files:            {:.1} MiB ({:.1} MiB build-relevant)", mib(generated.input_bytes), mib(generated.build_relevant_bytes));
    let _ = writeln!(out, "frozen snapshot:        {:.1} MiB", mib(held));
    let _ = writeln!(out, "assets.pa:              {:.1} MiB", mib(pa_bytes));
    let _ = writeln!(out, "pack wall time:         {secs:.2} s");
    let _ = writeln!(out, "pack throughput:        {:.1} MiB/s of input, {:.1} MiB/s of output", mib(generated.input_bytes) / secs, mib(pa_bytes) / secs);
    let _ = writeln!(out, "pack peak RSS:          {:.1} MiB", pack.peak_rss_kib as f64 / 1024.0);
    let _ = writeln!(out, "tar -cf wall time:      {:.2} s", tar.wall.as_secs_f64());
    let _ = writeln!(out, "pack / tar:             {:.2}x", secs / tar.wall.as_secs_f64());
}
