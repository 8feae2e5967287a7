//! `cargo xtask bench`: generates projects at several scales, packs each with
//! the release binary, and prints — measured in the same run, medians of
//! `--runs` — the pack's time against references over the same `assets/`
//! tree (`tar -cf` plus an fsync of the archive, and a read-only `cat`
//! pass) and against the floors under its own output (writing and fsyncing
//! a file of its size, hashing it), CPU seconds, `summary` and `validate`
//! per 10k assets, and peak resident memory beyond the bytes the frozen
//! snapshot holds, against its floor (the header of `assets.pa` plus a pack
//! of one asset). Figures are printed, never asserted.

use std::io::Write;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use fs_err as fs;
use serde_json::{Value, json};
use xshell::{Shell, cmd};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Named scales to run (`small-1k`, `small-10k`, `sound-256`, `large-100k`, `moved-2.5k`, `moved-10k`),
    /// comma-separated; `curve` is small-1k, small-10k and large-100k, `moved` is moved-2.5k and moved-10k
    /// (every root moved: summary and validate only, as the pack is blocked). Without it, one custom
    /// project from the flags below.
    #[arg(long, value_delimiter = ',')]
    pub scale: Vec<String>,
    /// Timed runs of each command; the median is printed.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
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
    /// Time this `xtask` binary instead of building this checkout's release one
    /// (an earlier version's, for before-and-after figures on the same projects).
    #[arg(long, value_name = "PATH")]
    pub binary: Option<Utf8PathBuf>,
}

/// A measured child process.
#[derive(Clone)]
struct Measured {
    wall: Duration,
    /// `None` where the system does not tell it.
    peak_rss_kib: Option<i64>,
    /// User plus system time; `None` where the system does not tell it.
    cpu: Option<Duration>,
    ok: bool,
    stdout: String,
}

/// One generated project shape.
#[derive(Debug, Clone)]
struct Scale {
    name: String,
    glyph_assets: usize,
    sound_assets: usize,
    sound_mib: usize,
    /// Every registered root moved away (its registry entry names `moved/<root>`, which does not
    /// exist): each asset then costs a broken root, an unregistered root and a look-up by uuid.
    moved: bool,
}

impl Scale {
    /// The project of the memory floor's baseline: one glyph bank.
    fn one_asset() -> Scale {
        Scale { name: "one-asset".into(), glyph_assets: 1, sound_assets: 0, sound_mib: 0, moved: false }
    }
}

/// The named scales: what a reviewer reruns to compare against the figures in `docs/benchmarks.md`.
fn named(name: &str) -> Option<Scale> {
    let (glyph_assets, sound_assets, sound_mib, moved) = match name {
        "small-1k" => (500, 500, 3, false),
        "small-10k" => (5000, 5000, 32, false),
        "sound-256" => (300, 300, 256, false),
        "large-100k" => (50_000, 50_000, 320, false),
        "moved-2.5k" => (1250, 1250, 8, true),
        "moved-10k" => (5000, 5000, 32, true),
        _ => return None,
    };
    Some(Scale { name: name.to_owned(), glyph_assets, sound_assets, sound_mib, moved })
}

fn scales(args: &BenchArgs) -> Result<Vec<Scale>, String> {
    if args.scale.is_empty() {
        let custom = Scale {
            name: "custom".into(),
            glyph_assets: args.glyph_assets,
            sound_assets: args.sound_assets,
            sound_mib: args.sound_mib,
            moved: false,
        };
        return Ok(vec![custom]);
    }
    let mut out = Vec::new();
    for name in &args.scale {
        let names: &[&str] = match name.as_str() {
            "curve" => &["small-1k", "small-10k", "large-100k"],
            "moved" => &["moved-2.5k", "moved-10k"],
            one => &[one],
        };
        for n in names {
            out.push(named(n).ok_or_else(|| {
                format!(
                    "unknown scale `{n}`; use small-1k, small-10k, sound-256, large-100k, moved-2.5k, moved-10k, \
                     curve or moved"
                )
            })?);
        }
    }
    Ok(out)
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let sh = Shell::new().map_err(|e| e.to_string())?;
    let root = workspace_root();
    sh.change_dir(&root);
    let binary = match &args.binary {
        Some(binary) => binary.clone(),
        None => {
            eprintln!("building the release binary…");
            cmd!(sh, "cargo build --release --quiet -p prometeu-xtask").run().map_err(|e| e.to_string())?;
            root.join("target/release/xtask")
        }
    };
    let base = args.dir.clone().unwrap_or_else(|| root.join("target/bench-project"));
    let scales = scales(args)?;
    if scales.len() > 1 {
        claim_bench_parent(&base)?;
    }
    let baseline = baseline(&binary, args.runs)?;
    let mut measured = Vec::new();
    for scale in &scales {
        let project = if scales.len() > 1 { base.join(&scale.name) } else { base.clone() };
        measured.push(bench_scale(&binary, &project, scale, &baseline, args)?);
    }
    print_scaling(&measured);
    Ok(())
}

/// Per-asset cost of one scale, for the scaling lines.
struct PerAsset {
    name: String,
    assets: usize,
    /// Seconds per asset of pack (when timed), summary and validate.
    pack: Option<f64>,
    summary: f64,
    validate: f64,
}

/// How the cost per asset grows from each scale to the next: 1.0 is
/// linear; a quadratic path shows as a ratio that grows with the step (at
/// 4x the assets, about 4x the cost per asset).
fn print_scaling(measured: &[PerAsset]) {
    let mut out = std::io::stdout().lock();
    for pair in measured.windows(2) {
        let [a, b] = pair else { continue };
        if b.assets <= a.assets {
            continue;
        }
        let ratio = |x: f64, y: f64| y / x;
        let pack = match (a.pack, b.pack) {
            (Some(x), Some(y)) => format!("pack {:.2}x, ", ratio(x, y)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "scaling {} -> {} ({:.1}x the assets): cost per asset {pack}summary {:.2}x, validate {:.2}x; \
             whole runs: summary {:.1}x, validate {:.1}x",
            a.name,
            b.name,
            b.assets as f64 / a.assets as f64,
            ratio(a.summary, b.summary),
            ratio(a.validate, b.validate),
            ratio(a.summary * a.assets as f64, b.summary * b.assets as f64),
            ratio(a.validate * a.assets as f64, b.validate * b.assets as f64),
        );
    }
}

/// The memory floor's baseline: the pack of a one-asset project, median
/// of `runs`. Measured before anything is generated, because on Linux a
/// child's peak resident memory also counts its parent's peak at the time
/// it was started (here the benchmark's own, which grows as it generates
/// projects; before that it is smaller than the pack's).
fn baseline(binary: &Utf8Path, runs: usize) -> Result<Measured, String> {
    let temp = Utf8PathBuf::try_from(std::env::temp_dir()).map_err(|e| e.to_string())?;
    let project = temp.join(format!("prometeu-bench-baseline-{}", std::process::id()));
    let measured = generate(&project, &Scale::one_asset()).map_err(|e| e.to_string()).and_then(|_| {
        let args = ["pack", "--project", project.as_str(), "--message-format", "json"];
        // One untimed run first, as for every other command.
        let runs: Result<Vec<Measured>, String> = (0..=runs.max(1)).map(|_| measure(binary.as_str(), &args)).collect();
        let pack = median(runs?.split_off(1));
        if pack.ok { Ok(pack) } else { Err(format!("the one-asset pack failed:\n{}", pack.stdout)) }
    });
    let _ = fs::remove_dir_all(&project);
    measured
}

fn bench_scale(
    binary: &Utf8Path,
    project: &Utf8Path,
    scale: &Scale,
    baseline: &Measured,
    args: &BenchArgs,
) -> Result<PerAsset, String> {
    clear_bench_dir(project)?;
    eprintln!("[{}] generating {project}…", scale.name);
    let generated = generate(project, scale).map_err(|e| e.to_string())?;
    // Written back before anything is timed: at 100k assets the generator
    // leaves about 2 GiB of dirty pages, which the first rounds would pay for.
    measure("sync", &[])?;
    let threads = args.threads.map(|t| t.to_string());
    let mut pack_args = vec!["pack", "--project", project.as_str(), "--message-format", "json"];
    if let Some(t) = &threads {
        pack_args.extend(["--threads", t.as_str()]);
    }
    let runs = args.runs.max(1);
    eprintln!(
        "[{}] timing pack, tar -cf + fsync, cat, summary, validate and the floors ({runs} runs each)…",
        scale.name
    );
    // One untimed pass of each first, so every command meets a warm page cache.
    let tar_file = project.with_extension("tar");
    let floor_file = project.with_extension("floor");
    let pa = project.join("build/assets.pa");
    let tar_sync = format!("tar -cf '{tar_file}' -C '{project}' assets && sync '{tar_file}'");
    let cat = format!("find '{project}/assets' -type f -print0 | xargs -0 cat > /dev/null");
    // The floors under the pack's own output: writing a file of its size
    // with one fsync, and hashing it twice (each payload and the whole file
    // are hashed, as `asset_table_metadata.json` records both).
    let write_floor = format!("cat '{pa}' > '{floor_file}' && sync '{floor_file}'");
    // OpenSSL's SHA-256 uses the CPU's SHA instructions, as the pack's does.
    let hash_floor = format!("openssl dgst -sha256 '{pa}' '{pa}' > /dev/null");
    // The floors under the read-only commands: listing `assets/`, and
    // reading what each reads (summary: every asset.json; validate: every
    // file but the never-read sources under `src/`), on two readers as
    // they use both cores.
    let assets = project.join("assets");
    let walk_floor = format!("find '{assets}' > /dev/null");
    let summary_floor = format!("find '{assets}' -name asset.json -print0 | xargs -0 -P2 -n 2000 cat > /dev/null");
    let validate_floor =
        format!("find '{assets}' -type f ! -path '*/src/*' -print0 | xargs -0 -P2 -n 2000 cat > /dev/null");
    let binary = binary.as_str();
    let summary_args = ["summary", "--project", project.as_str(), "--message-format", "json"];
    let validate_args = ["validate", "--project", project.as_str(), "--message-format", "json"];
    let mut samples: Vec<Vec<Measured>> = vec![Vec::new(); COMMANDS];
    for run in 0..=runs {
        let pack = if scale.moved { skipped() } else { measure(binary, &pack_args)? };
        if !pack.ok && !scale.moved {
            return Err(format!("the benchmark pack failed:\n{}", pack.stdout));
        }
        let floor = |script: &str| if scale.moved { Ok(skipped()) } else { measure("sh", &["-c", script]) };
        let mut round = vec![skipped(); COMMANDS];
        round[PACK] = pack;
        round[TAR] = measure("sh", &["-c", &tar_sync])?;
        round[CAT] = measure("sh", &["-c", &cat])?;
        round[SUMMARY] = measure(binary, &summary_args)?;
        round[VALIDATE] = measure(binary, &validate_args)?;
        round[WRITE_FLOOR] = floor(&write_floor)?;
        round[HASH_FLOOR] = floor(&hash_floor)?;
        round[WALK_FLOOR] = measure("sh", &["-c", &walk_floor])?;
        round[SUMMARY_FLOOR] = measure("sh", &["-c", &summary_floor])?;
        round[VALIDATE_FLOOR] = measure("sh", &["-c", &validate_floor])?;
        if run > 0 {
            for (list, m) in samples.iter_mut().zip(round) {
                list.push(m);
            }
        }
    }
    let _ = fs::remove_file(&floor_file);
    let _ = fs::remove_file(&tar_file);
    // Each round runs the pack and then the references, back to back: the
    // ratio within a round is a paired one, steadier on a noisy machine than
    // the ratio of two medians.
    let paired = |reference: usize| median_ratio(&samples[PACK], &samples[reference]);
    let ratios = Ratios {
        tar: paired(TAR),
        cat: paired(CAT),
        write: paired(WRITE_FLOOR),
        hash: paired(HASH_FLOOR),
        summary: median_ratio(&samples[SUMMARY], &samples[SUMMARY_FLOOR]),
        validate: median_ratio(&samples[VALIDATE], &samples[VALIDATE_FLOOR]),
    };
    let medians: Vec<Measured> = samples.into_iter().map(median).collect();
    report(scale, &generated, &medians, &ratios, baseline, project);
    let assets = (scale.glyph_assets + scale.sound_assets).max(1);
    let per_asset = |m: &Measured| m.wall.as_secs_f64() / assets as f64;
    Ok(PerAsset {
        name: scale.name.clone(),
        assets,
        pack: (!scale.moved).then(|| per_asset(&medians[PACK])),
        summary: per_asset(&medians[SUMMARY]),
        validate: per_asset(&medians[VALIDATE]),
    })
}

/// The commands of one round, by their place in it.
const PACK: usize = 0;
const TAR: usize = 1;
const CAT: usize = 2;
const SUMMARY: usize = 3;
const VALIDATE: usize = 4;
const WRITE_FLOOR: usize = 5;
const HASH_FLOOR: usize = 6;
const WALK_FLOOR: usize = 7;
const SUMMARY_FLOOR: usize = 8;
const VALIDATE_FLOOR: usize = 9;
const COMMANDS: usize = 10;

/// The place in a round of a command that is not run (the pack and its
/// floors on a blocked project).
fn skipped() -> Measured {
    Measured { wall: Duration::ZERO, peak_rss_kib: None, cpu: None, ok: false, stdout: String::new() }
}

/// The pack's wall time over the references', median of the per-round ratios.
struct Ratios {
    tar: f64,
    cat: f64,
    write: f64,
    hash: f64,
    /// `summary` and `validate` over their read floors.
    summary: f64,
    validate: f64,
}

fn median_ratio(a: &[Measured], b: &[Measured]) -> f64 {
    let mut ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a.wall.as_secs_f64() / b.wall.as_secs_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The run with the median wall time.
fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by_key(|m| m.wall);
    runs.swap_remove(runs.len() / 2)
}

/// Marks a directory as generated by the benchmark, and so safe to replace.
const BENCH_MARKER: &str = ".prometeu-bench";

/// Empties `dir` for a new project, refusing to delete anything the
/// benchmark did not generate.
fn clear_bench_dir(dir: &Utf8Path) -> Result<(), String> {
    refuse_foreign(dir)?;
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
    }
    mark_bench_dir(dir)
}

/// Several scales are generated side by side under `dir`, which is then
/// marked as the benchmark's too, so a later run of one scale there may
/// replace it; a `dir` holding anything else is refused, as for one scale.
fn claim_bench_parent(dir: &Utf8Path) -> Result<(), String> {
    refuse_foreign(dir)?;
    mark_bench_dir(dir)
}

/// Refuses a non-empty `dir` the benchmark did not generate.
fn refuse_foreign(dir: &Utf8Path) -> Result<(), String> {
    let nonempty = dir.read_dir_utf8().map(|mut d| d.next().is_some()).unwrap_or(false);
    if nonempty && !dir.join(BENCH_MARKER).is_file() {
        return Err(format!("{dir} is not empty and was not generated by `cargo xtask bench`; choose another --dir"));
    }
    Ok(())
}

fn mark_bench_dir(dir: &Utf8Path) -> Result<(), String> {
    fs::create_dir_all(dir).and_then(|()| fs::write(dir.join(BENCH_MARKER), "")).map_err(|e| e.to_string())
}

/// The length of `pa`'s header, from its prelude (0 when it cannot be read).
fn header_len(pa: &Utf8Path) -> u64 {
    use std::io::Read;
    let mut prelude = [0; prometeu_packer::pa::PRELUDE_LEN as usize];
    match fs::File::open(pa).and_then(|mut f| f.read_exact(&mut prelude)) {
        Ok(()) => u64::from(prometeu_packer::pa::Prelude::parse(&prelude).header_len),
        Err(_) => 0,
    }
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
fn generate(project: &Utf8Path, args: &Scale) -> std::io::Result<Generated> {
    fs::create_dir_all(project.join("assets/.prometeu"))?;
    fs::write(
        project.join("cartridge.toml"),
        "app_id = 1\ntitle = \"Bench\"\napp_version = \"1.0.0\"\n[compiler]\nprebuilt = \"program.pbx\"\n",
    )?;
    let mut entries = Vec::new();
    let mut sizes = Generated { input_bytes: 0, build_relevant_bytes: 0 };
    let frames = (args.sound_mib * 1024 * 1024 / 2) / args.sound_assets.max(1);
    for i in 0..args.glyph_assets {
        let tiles: Vec<Vec<u8>> = (0..4).map(|t| tile_png(i, t)).collect();
        entries.push(write_asset(
            project,
            &format!("glyphs/g{i:05}"),
            glyph_decl(i),
            &tiles,
            "tiles",
            "png",
            &mut sizes,
        )?);
    }
    for i in 0..args.sound_assets {
        let wav = [sample_wav(i, frames)];
        entries.push(write_asset(
            project,
            &format!("sounds/s{i:05}"),
            sound_decl(i),
            &wav,
            "samples",
            "wav",
            &mut sizes,
        )?);
    }
    for (i, entry) in entries.iter_mut().enumerate() {
        entry["asset_id"] = json!(i + 1);
        if args.moved {
            entry["root"] = json!(format!("moved/{}", entry["root"].as_str().expect("roots are strings")));
        }
    }
    let registry = json!({"schema_version": 1, "next_asset_id": entries.len() + 1, "assets": entries});
    fs::write(project.join("assets/.prometeu/index.json"), serde_json::to_vec_pretty(&registry).expect("json"))?;
    Ok(sizes)
}

fn write_asset(
    project: &Utf8Path,
    root: &str,
    mut decl: Value,
    files: &[Vec<u8>],
    role: &str,
    ext: &str,
    sizes: &mut Generated,
) -> std::io::Result<Value> {
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
    // Index 0 is transparency, as an artist's tiles have it: an opaque
    // colour there would be a warning on every tile.
    encoder.set_trns(vec![0]);
    encoder.write_header().and_then(|mut w| w.write_image_data(&pixels)).expect("PNG encodes in memory");
    out
}

fn sample_wav(asset: usize, frames: usize) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::with_capacity(frames * 2 + 44));
    let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("WAV encodes in memory");
    for f in 0..frames {
        writer.write_sample(((f * 31 + asset * 7) % 65536) as i16).expect("in memory");
    }
    writer.finalize().expect("in memory");
    cursor.into_inner()
}

/// Runs `program` to completion and reads its peak resident memory from
/// the kernel's accounting of exactly that child, where there is one.
fn measure(program: &str, args: &[&str]) -> Result<Measured, String> {
    let started = Instant::now();
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::piped())
        // The figures are the output; a blocked validation's message is not.
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        std::io::Read::read_to_string(&mut out, &mut stdout).map_err(|e| e.to_string())?;
    }
    let ended = crate::platform::wait_measured(&mut child)?;
    Ok(Measured { wall: started.elapsed(), peak_rss_kib: ended.peak_rss_kib, cpu: ended.cpu, ok: ended.ok, stdout })
}

fn report(
    scale: &Scale,
    generated: &Generated,
    m: &[Measured],
    ratios: &Ratios,
    baseline: &Measured,
    project: &Utf8Path,
) {
    let [pack, tar, cat, summary, validate, write_floor, hash_floor, walk_floor, summary_floor, validate_floor] = m
    else {
        return;
    };
    let held = pack
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["kind"] == "snapshot_frozen")
        .and_then(|v| v["bytes"].as_u64())
        .unwrap_or(0);
    let pa_bytes = fs::metadata(project.join("build/assets.pa")).map(|m| m.len()).unwrap_or(0);
    let assets = scale.glyph_assets + scale.sound_assets;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let s = |m: &Measured| m.wall.as_secs_f64();
    let per_10k = |m: &Measured| s(m) * 10_000.0 / assets.max(1) as f64;
    let cpu = |m: &Measured| match m.cpu {
        Some(cpu) => format!("{:.2} s", cpu.as_secs_f64()),
        None => "not measured on this system".to_owned(),
    };
    let rss = match pack.peak_rss_kib {
        Some(kib) => {
            let rss = kib as f64 / 1024.0;
            format!("{rss:.1} MiB ({:.1} MiB beyond the snapshot)", rss - mib(held))
        }
        None => "not measured on this system".to_owned(),
    };
    let header = header_len(&project.join("build/assets.pa"));
    let floor = match (pack.peak_rss_kib, baseline.peak_rss_kib) {
        (Some(kib), Some(base_kib)) => {
            let (rss, base) = (kib as f64 / 1024.0, base_kib as f64 / 1024.0);
            let floor = mib(header) + base;
            format!(
                "{floor:.1} MiB (assets.pa's header, {:.1} MiB, which the pack holds whole before its first \
                 payload; and a pack of one asset, {base:.1} MiB); beyond the snapshot / floor: {:.2}x",
                mib(header),
                (rss - mib(held)) / floor
            )
        }
        _ => "not measured on this system".to_owned(),
    };
    // Each line says whether it is about the pack: with every root moved
    // the gate blocks, and only the read-only commands mean anything.
    let (pack_line, other) = (true, false);
    let lines = [
        (
            other,
            format!(
                "scale:                  {} ({} glyph banks, {} sound banks)",
                scale.name, scale.glyph_assets, scale.sound_assets
            ),
        ),
        (
            other,
            format!(
                "input files:            {:.1} MiB ({:.1} MiB build-relevant)",
                mib(generated.input_bytes),
                mib(generated.build_relevant_bytes)
            ),
        ),
        (pack_line, format!("frozen snapshot:        {:.1} MiB", mib(held))),
        (pack_line, format!("assets.pa:              {:.1} MiB", mib(pa_bytes))),
        (
            pack_line,
            format!(
                "pack:                   {:.2} s ({:.0} µs per asset)",
                s(pack),
                s(pack) * 1e6 / assets.max(1) as f64
            ),
        ),
        (other, format!("tar -cf + fsync:        {:.2} s", s(tar))),
        (other, format!("cat (read only):        {:.2} s", s(cat))),
        (pack_line, format!("write + fsync floor:    {:.2} s (a file of assets.pa's size)", s(write_floor))),
        (pack_line, format!("hash floor:             {:.2} s (SHA-256 of assets.pa, twice, openssl)", s(hash_floor))),
        (pack_line, format!("pack / (tar + fsync):   {:.2}x (median of the rounds' ratios)", ratios.tar)),
        (pack_line, format!("pack / cat:             {:.2}x (median of the rounds' ratios)", ratios.cat)),
        (pack_line, format!("pack / write floor:     {:.2}x (median of the rounds' ratios)", ratios.write)),
        (pack_line, format!("pack / hash floor:      {:.2}x (median of the rounds' ratios)", ratios.hash)),
        (pack_line, format!("pack CPU:               {} (tar + fsync: {})", cpu(pack), cpu(tar))),
        (other, format!("summary:                {:.2} s ({:.3} s per 10k assets)", s(summary), per_10k(summary))),
        (other, format!("validate:               {:.2} s ({:.3} s per 10k assets)", s(validate), per_10k(validate))),
        (pack_line, format!("pack peak RSS:          {rss}")),
        (pack_line, format!("memory floor:           {floor}")),
        (other, format!("summary, validate CPU:  {}, {}", cpu(summary), cpu(validate))),
        (other, format!("walk floor:             {:.2} s (find of assets/)", s(walk_floor))),
        (
            other,
            format!(
                "summary read floor:     {:.2} s (find, then cat of every asset.json, two readers)",
                s(summary_floor)
            ),
        ),
        (
            other,
            format!(
                "validate read floor:    {:.2} s (find, then cat of every file it reads, two readers)",
                s(validate_floor)
            ),
        ),
        (
            other,
            format!("summary / its floor:    {:.2}x, validate / its floor: {:.2}x", ratios.summary, ratios.validate),
        ),
    ];
    let mut out = std::io::stdout().lock();
    for (about_pack, line) in lines {
        if !(scale.moved && about_pack) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(out);
}
