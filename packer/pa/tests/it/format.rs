//! `assets.pa` v1 on real files: the exact bytes the writer produces, one
//! test per rule the verifier enforces, writer misuse and companions.

use std::cell::RefCell;
use std::io::{self, BufWriter, Write};
use std::rc::Rc;

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_pa::{
    self as pa, Entry, Header, Inspection, Metadata, PaWriter, PreloadEntry, Prelude, Violation, verify_bytes,
    verify_companions, verify_companions_of, verify_file,
};
use serde_json::{Map, Value, json};
use tempfile::TempDir;

/// The canonical header of `sample_header()`, written out by hand: sorted
/// keys at every depth, raw UTF-8, minimal escapes, no whitespace.
const SAMPLE_HEADER: &str = concat!(
    r##"{"asset_table":["##,
    r##"{"asset_id":1,"asset_name":"hero","bank_type":"GLYPH","codec":"NONE","decoded_size":16,"##,
    r##""metadata":{"pipeline":{"palettes":[{"index":0,"palette":{"colors":["#000000","#f8f8f8"]}}]},"##,
    r##""tile_size":16,"title":"Héroïne — «ação» ☃"},"offset":0,"size":8},"##,
    r##"{"asset_id":4,"asset_name":"sfx-jump","bank_type":"SOUNDS","codec":"NONE","decoded_size":6,"##,
    r##""metadata":{"codec":{"quality":-3},"note":"tab\there \"quoted\" \\ back\u0001","sample_count":2,"##,
    r##""samples":{"0":{"frames":1,"length":2,"offset":0,"sample_rate":22050},"##,
    r##""1":{"frames":2,"length":4,"loop_end":2,"loop_start":0,"offset":2,"sample_rate":44100}}},"##,
    r##""offset":8,"size":6},"##,
    r##"{"asset_id":9,"asset_name":"ui_font","bank_type":"GLYPH","codec":"NONE","decoded_size":10,"##,
    r##""metadata":{"big":18446744073709551615,"tile_size":8},"offset":14,"size":5}],"##,
    r##""preload":[{"asset_id":1,"slot":0},{"asset_id":4,"slot":0},{"asset_id":9,"slot":1}]}"##,
);

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn entry(
    asset_id: u32,
    name: &str,
    bank_type: &str,
    offset: u64,
    size: u64,
    decoded_size: u64,
    metadata: Value,
) -> Entry {
    Entry {
        asset_id,
        asset_name: name.to_owned(),
        bank_type: bank_type.to_owned().into(),
        codec: "NONE".into(),
        offset,
        size,
        decoded_size,
        metadata: Metadata::from_map(&object(metadata)).expect("test metadata holds no float"),
    }
}

/// Three assets of both bank types; metadata built in a different key order
/// than the canonical one, with nesting, non-ASCII text and escapes.
fn sample_header() -> Header {
    let hero = json!({
        "title": "Héroïne — «ação» ☃",
        "tile_size": 16,
        "pipeline": {"palettes": [{"palette": {"colors": ["#000000", "#f8f8f8"]}, "index": 0}]},
    });
    let jump = json!({
        "samples": {
            "1": {"sample_rate": 44100, "offset": 2, "loop_start": 0, "loop_end": 2, "length": 4, "frames": 2},
            "0": {"sample_rate": 22050, "offset": 0, "length": 2, "frames": 1},
        },
        "sample_count": 2,
        "note": "tab\there \"quoted\" \\ back\u{1}",
        "codec": {"quality": -3},
    });
    let font = json!({"tile_size": 8, "big": u64::MAX});
    Header {
        asset_table: vec![
            entry(1, "hero", "GLYPH", 0, 8, 16, hero),
            entry(4, "sfx-jump", "SOUNDS", 8, 6, 6, jump),
            entry(9, "ui_font", "GLYPH", 14, 5, 10, font),
        ],
        preload: vec![
            PreloadEntry { asset_id: 1, slot: 0 },
            // Same slot as asset 1 but another bank type: legal.
            PreloadEntry { asset_id: 4, slot: 0 },
            PreloadEntry { asset_id: 9, slot: 1 },
        ],
    }
}

fn sample_payloads() -> Vec<Vec<u8>> {
    vec![b"GLYPHS01".to_vec(), vec![0x00, 0x80, 0xFF, 0x7F, 0x01, 0x00], b"FONT!".to_vec()]
}

fn write_with(header: &Header, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut writer = PaWriter::new(Vec::new(), header).expect("header accepted");
    for payload in payloads {
        writer.payload(payload).expect("payload accepted");
    }
    writer.finish().expect("all payloads written")
}

fn sample_file() -> Vec<u8> {
    write_with(&sample_header(), &sample_payloads())
}

/// A file from raw header bytes with a matching, correct prelude, bypassing
/// the writer so that any header can be stored.
fn assemble(header: &[u8], payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut file = Prelude::for_header_len(header.len()).unwrap().to_bytes().to_vec();
    file.extend_from_slice(header);
    payloads.iter().for_each(|p| file.extend_from_slice(p));
    file
}

/// The sample file with its header text edited (the prelude follows the new length).
fn with_header_text(edit: impl FnOnce(&str) -> String) -> Vec<u8> {
    assemble(edit(SAMPLE_HEADER).as_bytes(), &sample_payloads())
}

/// The sample file with its header replaced by the canonical form of `edit`ed sample header.
fn with_header(edit: impl FnOnce(&mut Header)) -> Vec<u8> {
    let mut header = sample_header();
    edit(&mut header);
    assemble(&header.canonical(), &sample_payloads())
}

fn set_u32(file: &mut [u8], at: usize, value: u32) {
    file[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn temp_dir() -> (TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    (dir, path)
}

/// Verifies `file` both from a real file on disk and from memory; the two
/// must agree. Returns the violations, failing if there are none.
fn violations(file: &[u8]) -> Vec<Violation> {
    let (_dir, root) = temp_dir();
    let path = root.join("assets.pa");
    fs_err::write(&path, file).unwrap();
    let from_disk = verify_file(&path);
    assert_eq!(from_disk, verify_bytes(file), "verify_file and verify_bytes disagree");
    match from_disk {
        Ok(inspection) => panic!("expected violations, the file verified: {inspection:?}"),
        Err(found) => found,
    }
}

/// Fails unless some violation of `file` contains `needle`.
#[track_caller]
fn assert_violation(file: &[u8], needle: &str) -> Vec<Violation> {
    let found = violations(file);
    assert!(found.iter().any(|v| v.0.contains(needle)), "no violation contains {needle:?}; got:\n{}", list(&found));
    found
}

/// Fails unless `file` breaks exactly one rule, and that violation contains `needle`.
#[track_caller]
fn assert_only_violation(file: &[u8], needle: &str) {
    let found = assert_violation(file, needle);
    assert_eq!(found.len(), 1, "expected exactly one violation; got:\n{}", list(&found));
}

fn list(found: &[Violation]) -> String {
    found.iter().map(|v| format!("  - {v}\n")).collect()
}

fn header_len() -> usize {
    SAMPLE_HEADER.len()
}

fn payload_offset() -> usize {
    24 + header_len()
}

// ---------------------------------------------------------------- the layout

#[test]
fn the_writer_produces_the_documented_bytes() {
    let (_dir, root) = temp_dir();
    let path = root.join("assets.pa");
    let header = sample_header();
    let payloads = sample_payloads();
    let mut writer = PaWriter::new(BufWriter::new(fs_err::File::create(&path).unwrap()), &header).unwrap();
    for payload in &payloads {
        writer.payload(payload).unwrap();
    }
    writer.finish().unwrap();
    let file = fs_err::read(&path).unwrap();

    let len = u32::try_from(header_len()).unwrap();
    let mut prelude = Vec::new();
    prelude.extend_from_slice(&[0x50, 0x4D, 0x54, 0x41]);
    prelude.extend_from_slice(&[1, 0, 0, 0]);
    prelude.extend_from_slice(&len.to_le_bytes());
    prelude.extend_from_slice(&(len + 24).to_le_bytes());
    prelude.extend_from_slice(&[0; 8]);
    assert_eq!(&file[..24], prelude.as_slice(), "prelude");
    assert_eq!(std::str::from_utf8(&file[24..payload_offset()]).unwrap(), SAMPLE_HEADER, "header");
    assert_eq!(header.canonical(), SAMPLE_HEADER.as_bytes());

    let body = &file[payload_offset()..];
    assert_eq!(&body[0..8], b"GLYPHS01");
    assert_eq!(&body[8..14], &[0x00, 0x80, 0xFF, 0x7F, 0x01, 0x00]);
    assert_eq!(&body[14..19], b"FONT!");
    assert_eq!(file.len(), payload_offset() + 19, "file length");

    let inspection = verify_file(&path).unwrap_or_else(|found| panic!("{}", list(&found)));
    assert_eq!(inspection.header, header);
    assert_eq!(inspection.header_bytes, SAMPLE_HEADER.as_bytes());
    assert_eq!(inspection.file_len, u64::try_from(file.len()).unwrap());
    assert_eq!(inspection.payload_offset(), u64::try_from(payload_offset()).unwrap());
    for (entry, payload) in header.asset_table.iter().zip(&payloads) {
        let range = inspection.payload_range(entry).unwrap();
        assert_eq!(&file[range.start as usize..range.end as usize], payload.as_slice());
        assert_eq!(&inspection.read_payload(&path, entry).unwrap(), payload);
    }
}

#[test]
fn the_prelude_decodes_to_its_fields() {
    let file = sample_file();
    let prelude = Prelude::parse(file[..24].try_into().unwrap());
    let len = u32::try_from(header_len()).unwrap();
    assert_eq!(
        prelude,
        Prelude {
            magic: *b"PMTA",
            schema_version: 1,
            header_len: len,
            payload_offset: len + 24,
            flags: 0,
            reserved: 0
        }
    );
    assert_eq!(prelude.to_bytes(), file[..24]);
}

#[test]
fn an_empty_asset_table_is_a_valid_file() {
    let header = Header { asset_table: vec![], preload: vec![] };
    let file = write_with(&header, &[]);
    assert_eq!(&file[24..], br#"{"asset_table":[],"preload":[]}"#);
    let inspection = verify_bytes(&file).unwrap();
    assert_eq!(inspection.file_len, 24 + 31);
}

#[test]
fn a_zero_size_payload_is_fine_anywhere() {
    let mut header = sample_header();
    header.asset_table[1].size = 0;
    header.asset_table[2].offset = 8;
    let file = write_with(&header, &[b"GLYPHS01".to_vec(), vec![], b"FONT!".to_vec()]);
    assert!(verify_bytes(&file).is_ok());
}

#[test]
fn the_verifier_reads_only_prelude_and_header() {
    // A file whose payload region is sparse (never written): verifying it
    // must not depend on payload bytes, and stays fast however large it is.
    let (_dir, root) = temp_dir();
    let path = root.join("big.pa");
    let mut header = sample_header();
    let big = 3 << 30; // 3 GiB, beyond any u32 offset arithmetic.
    header.asset_table[2].size = big;
    let mut file = fs_err::File::create(&path).unwrap();
    file.write_all(&Prelude::for_header_len(header.canonical().len()).unwrap().to_bytes()).unwrap();
    file.write_all(&header.canonical()).unwrap();
    let len = u64::try_from(24 + header.canonical().len()).unwrap() + 14 + big;
    file.set_len(len).unwrap();
    drop(file);
    let inspection = verify_file(&path).unwrap_or_else(|found| panic!("{}", list(&found)));
    assert_eq!(inspection.file_len, len);
}

// ------------------------------------------------------------ prelude rules

#[test]
fn wrong_magic() {
    let mut file = sample_file();
    file[3] = b'X';
    assert_only_violation(&file, r#"magic is 50 4D 54 58 ("PMTX") but an assets.pa starts with 50 4D 54 41 ("PMTA")"#);
}

#[test]
fn wrong_schema_version() {
    let mut file = sample_file();
    set_u32(&mut file, 4, 2);
    assert_only_violation(&file, "schema_version is 2 but this format is version 1");
}

#[test]
fn nonzero_flags() {
    let mut file = sample_file();
    set_u32(&mut file, 16, 0x100);
    assert_only_violation(&file, "flags is 0x00000100 but version 1 requires 0");
}

#[test]
fn nonzero_reserved() {
    let mut file = sample_file();
    set_u32(&mut file, 20, 7);
    assert_only_violation(&file, "reserved is 0x00000007 but version 1 requires 0");
}

#[test]
fn payload_offset_not_right_after_the_header() {
    let mut file = sample_file();
    let wrong = u32::try_from(payload_offset() + 4).unwrap();
    set_u32(&mut file, 12, wrong);
    let expected =
        format!("payload_offset is {wrong} but it must be 24 + header_len ({}) = {}", header_len(), payload_offset());
    assert_violation(&file, &expected);
}

#[test]
fn header_len_past_the_end_of_the_file() {
    let mut file = sample_file();
    let len = file.len();
    set_u32(&mut file, 8, u32::try_from(len).unwrap());
    assert_violation(
        &file,
        &format!(
            "header_len {len} runs past the end of the file: the header would end at byte {} but the file is {len} bytes",
            len + 24
        ),
    );
}

#[test]
fn a_hostile_header_len_is_refused_without_reading() {
    let mut file = sample_file();
    set_u32(&mut file, 8, u32::MAX);
    set_u32(&mut file, 12, u32::MAX);
    let found = assert_violation(&file, "header_len 4294967295 runs past the end of the file");
    assert!(found.iter().any(|v| v.0.contains("payload_offset is 4294967295")), "{}", list(&found));
}

#[test]
fn a_file_shorter_than_the_prelude() {
    assert_only_violation(&[], "the file is 0 bytes, shorter than the 24-byte prelude");
    assert_only_violation(&sample_file()[..23], "the file is 23 bytes, shorter than the 24-byte prelude");
}

#[test]
fn header_len_too_short_cuts_the_json() {
    let mut file = sample_file();
    let short = u32::try_from(header_len() - 1).unwrap();
    set_u32(&mut file, 8, short);
    set_u32(&mut file, 12, short + 24);
    assert_violation(&file, "header is not valid JSON: EOF while parsing");
}

// ------------------------------------------------------------- header form

#[test]
fn header_not_utf8() {
    let mut file = sample_file();
    let at = SAMPLE_HEADER.find('é').unwrap();
    file[24 + at] = 0xFF;
    assert_only_violation(
        &file,
        &format!("header is not valid UTF-8: invalid byte at header byte {at} (file byte {})", 24 + at),
    );
}

#[test]
fn header_not_json() {
    let file = with_header_text(|h| h.replacen(':', "=", 1));
    assert_only_violation(&file, "header is not valid JSON: expected `:` at line 1 column 15");
}

#[test]
fn header_with_whitespace_is_not_canonical() {
    let file = with_header_text(|h| h.replacen(":[", ": [", 1));
    let expected = format!(
        "header is not canonical JSON: it is {} bytes where {} were expected, and first differs at byte 15: \
         it has ` [{{\"asset_id\":1,` where `[{{\"asset_id\":1,\"` belongs",
        header_len() + 1,
        header_len()
    );
    assert_only_violation(&file, &expected);
}

#[test]
fn header_with_unsorted_keys_is_not_canonical() {
    let file = with_header_text(|h| {
        h.replacen(r#"{"asset_id":4,"asset_name":"sfx-jump""#, r#"{"asset_name":"sfx-jump","asset_id":4"#, 1)
    });
    // Both spellings start with `{"asset_`.
    let at = SAMPLE_HEADER.find(r#"{"asset_id":4"#).unwrap() + r#"{"asset_"#.len();
    assert_only_violation(&file, &format!("first differs at byte {at}"));
}

#[test]
fn header_with_escaped_non_ascii_is_not_canonical() {
    let file = with_header_text(|h| h.replacen("Héroïne", "H\\u00e9roïne", 1));
    assert_only_violation(&file, "header is not canonical JSON");
}

#[test]
fn header_with_a_trailing_newline_is_not_canonical() {
    let file = with_header_text(|h| format!("{h}\n"));
    let len = header_len();
    let expected = format!(
        "header is not canonical JSON: it is {} bytes where {len} were expected, and first differs at byte {len}: \
         it has `\\n` where the end belongs",
        len + 1
    );
    assert_only_violation(&file, &expected);
}

#[test]
fn header_with_a_duplicate_key_is_not_canonical() {
    let file = with_header_text(|h| h.replacen(r#""tile_size":8"#, r#""tile_size":8,"tile_size":8"#, 1));
    assert_only_violation(&file, "header is not canonical JSON");
}

#[test]
fn header_with_a_float_is_not_canonical() {
    let file = with_header_text(|h| h.replacen(r#""tile_size":8"#, r#""tile_size":8.0"#, 1));
    assert_only_violation(&file, "the number at `/asset_table/2/metadata/tile_size` is not a 64-bit integer");
}

#[test]
fn header_that_is_not_an_object() {
    let file = assemble(b"[]", &[]);
    assert_only_violation(&file, "header must be a JSON object");
}

#[test]
fn header_with_an_unknown_top_level_key() {
    let file = with_header_text(|h| format!("{},\"zones\":[]}}", &h[..h.len() - 1]));
    assert_only_violation(
        &file,
        r#"the header has the unknown key "zones"; its keys are exactly asset_table, preload"#,
    );
}

#[test]
fn header_without_preload() {
    let file = assemble(br#"{"asset_table":[]}"#, &[]);
    assert_only_violation(&file, "the header is missing `preload`");
}

#[test]
fn entry_missing_a_key() {
    let file = with_header_text(|h| h.replacen(r#""codec":"NONE","decoded_size":6,"#, r#""decoded_size":6,"#, 1));
    assert_only_violation(&file, "asset_table entry 1 is missing `codec`");
}

#[test]
fn entry_with_an_unknown_key() {
    let file = with_header_text(|h| h.replacen(r#""offset":14,"size":5}"#, r#""offset":14,"sha":"00","size":5}"#, 1));
    assert_only_violation(
        &file,
        r#"asset_table entry 2 has the unknown key "sha"; its keys are exactly asset_id, asset_name"#,
    );
}

#[test]
fn entry_with_a_mistyped_field() {
    let file = with_header_text(|h| h.replacen(r#""asset_id":9,"#, r#""asset_id":"9","#, 1));
    assert_only_violation(
        &file,
        r#"asset_table entry 2: `asset_id` must be an integer from 0 to 4294967295, found the string "9""#,
    );
    let file = with_header_text(|h| h.replacen(r#""asset_id":9,"#, r#""asset_id":4294967296,"#, 1));
    assert_only_violation(&file, "`asset_id` must be an integer from 0 to 4294967295, found 4294967296");
    let file = with_header_text(|h| h.replacen(r#""size":5}"#, r#""size":-5}"#, 1));
    assert_violation(&file, "asset_table entry 2: `size` must be an integer from 0 to 18446744073709551615, found -5");
}

#[test]
fn entry_metadata_not_an_object() {
    let file = with_header_text(|h| {
        h.replacen(r#""metadata":{"big":18446744073709551615,"tile_size":8}"#, r#""metadata":[8]"#, 1)
    });
    assert_only_violation(&file, "asset_table entry 2: `metadata` must be an object, found an array");
}

#[test]
fn preload_entry_with_wrong_keys() {
    let file = with_header_text(|h| h.replacen(r#"{"asset_id":9,"slot":1}"#, r#"{"asset_id":9,"bank":1}"#, 1));
    let found =
        assert_violation(&file, r#"preload entry 2 has the unknown key "bank"; its keys are exactly asset_id, slot"#);
    assert!(found.iter().any(|v| v.0 == "preload entry 2 is missing `slot`"), "{}", list(&found));
}

// ------------------------------------------------------------ table rules

#[test]
fn asset_ids_not_strictly_increasing() {
    let file = with_header(|h| {
        h.asset_table[1].asset_id = 1;
        h.preload.remove(1);
    });
    assert_only_violation(&file, "entry 1 (asset_id 1) follows asset_id 1, but asset_id must strictly increase");
}

#[test]
fn unknown_bank_type() {
    let file = with_header(|h| h.asset_table[2].bank_type = "TILES".into());
    assert_only_violation(&file, r#"entry 2 (asset_id 9) has bank_type "TILES" but it must be one of GLYPH, SOUNDS"#);
}

#[test]
fn codec_other_than_none() {
    let file = with_header(|h| h.asset_table[0].codec = "LZ4".into());
    assert_only_violation(&file, r#"entry 0 (asset_id 1) has codec "LZ4" but the only codec is NONE"#);
}

#[test]
fn first_offset_not_zero() {
    // Shifting the chain by one byte necessarily breaks the file length as well.
    let file = with_header(|h| {
        h.asset_table[0].offset = 1;
        h.asset_table[0].size = 7;
    });
    let found =
        assert_violation(&file, "entry 0 (asset_id 1) starts at offset 1 but the first payload must start at offset 0");
    assert!(found.iter().any(|v| v.0.contains("the payload sizes 18")), "{}", list(&found));
    assert_eq!(found.len(), 2, "{}", list(&found));
}

#[test]
fn offsets_not_contiguous() {
    // Entry 1 grows by a byte and overlaps entry 2; the file holds the new
    // sizes, so only the chain is broken.
    let mut header = sample_header();
    header.asset_table[1].size = 7;
    let file = assemble(&header.canonical(), &[vec![1; 8], vec![2; 7], vec![3; 5]]);
    assert_only_violation(&file, "entry 2 (asset_id 9) starts at offset 14 but the previous entry ends at 15");
}

#[test]
fn payload_out_of_bounds_and_length_mismatch() {
    let file = with_header(|h| h.asset_table[2].size = 6);
    let start = payload_offset() + 14;
    let len = payload_offset() + 19;
    let found = assert_violation(
        &file,
        &format!(
            "entry 2 (asset_id 9) has its payload at file bytes {start}..{} but the file is {len} bytes long",
            start + 6
        ),
    );
    assert!(
        found.iter().any(|v| v.0
            == format!(
                "the file is {len} bytes but payload_offset {} + the payload sizes 20 = {}",
                payload_offset(),
                len + 1
            )),
        "{}",
        list(&found)
    );
    assert_eq!(found.len(), 2, "{}", list(&found));
}

#[test]
fn file_longer_than_its_payloads() {
    let mut file = sample_file();
    file.push(0);
    let len = payload_offset() + 19;
    assert_only_violation(
        &file,
        &format!(
            "the file is {} bytes but payload_offset {} + the payload sizes 19 = {len}",
            len + 1,
            payload_offset()
        ),
    );
}

#[test]
fn truncated_payload() {
    let file = sample_file();
    let found = assert_violation(&file[..file.len() - 1], "entry 2 (asset_id 9) has its payload at file bytes");
    assert!(found.iter().any(|v| v.0.contains("payload sizes 19")), "{}", list(&found));
}

// ---------------------------------------------------------- preload rules

#[test]
fn preload_not_in_increasing_asset_id() {
    let file = with_header(|h| h.preload.swap(0, 1));
    assert_only_violation(
        &file,
        "preload entry 1 (asset_id 1) follows asset_id 4, but preload asset_ids must strictly increase",
    );
}

#[test]
fn preload_naming_an_absent_asset() {
    let file = with_header(|h| h.preload[2].asset_id = 10);
    assert_only_violation(&file, "preload entry 2 (asset_id 10) names an asset that is not in the asset table");
}

#[test]
fn preload_slot_clash_within_a_bank_type() {
    let file = with_header(|h| h.preload[2].slot = 0);
    assert_only_violation(&file, "preload entries 0 (asset_id 1) and 2 (asset_id 9) both use GLYPH slot 0");
}

#[test]
fn preload_slot_out_of_range() {
    let file = with_header(|h| h.preload[2].slot = 16);
    assert_only_violation(&file, "preload entry 2 (asset_id 9) uses slot 16 but slots run from 0 to 15");
}

// ------------------------------------------------------ collecting, files

#[test]
fn every_violation_is_reported_at_once() {
    let mut file = with_header(|h| {
        h.asset_table[2].codec = "ZIP".into();
        h.preload[2].asset_id = 11;
    });
    file[0] = b'X';
    set_u32(&mut file, 16, 1);
    file.push(0);
    let found = violations(&file);
    let text = list(&found);
    for needle in ["magic is", "flags is", "codec \"ZIP\"", "asset_id 11) names an asset", "payload sizes 19"] {
        assert!(text.contains(needle), "no {needle:?} in\n{text}");
    }
    assert_eq!(found.len(), 5, "{text}");
}

#[test]
fn a_missing_file_or_a_directory_is_a_violation() {
    let (_dir, root) = temp_dir();
    let found = verify_file(&root.join("absent.pa")).unwrap_err();
    assert!(found[0].0.starts_with("cannot read "), "{found:?}");
    let found = verify_file(&root).unwrap_err();
    assert!(found[0].0.contains("not a regular file"), "{found:?}");
}

// ----------------------------------------------------------------- writer

/// A sink that can be looked at while the writer owns it, to prove the
/// writer passes each payload straight through instead of collecting them.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_writer_streams_each_payload_through() {
    let (sink, header) = (Sink::default(), sample_header());
    let mut writer = PaWriter::new(sink.clone(), &header).unwrap();
    assert_eq!(sink.0.borrow().len(), payload_offset());
    let mut expected_len = payload_offset();
    for payload in sample_payloads() {
        writer.payload(&payload).unwrap();
        expected_len += payload.len();
        assert_eq!(sink.0.borrow().len(), expected_len);
    }
    writer.finish().unwrap();
    assert_eq!(*sink.0.borrow(), sample_file());
}

fn assert_invalid_input(result: io::Result<impl std::fmt::Debug>, needle: &str) {
    let err = result.expect_err("expected an error");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains(needle), "{err:?} does not contain {needle:?}");
}

#[test]
fn a_payload_of_the_wrong_length_is_refused_and_changes_nothing() {
    let (payloads, header) = (sample_payloads(), sample_header());
    let mut writer = PaWriter::new(Vec::new(), &header).unwrap();
    assert_invalid_input(writer.payload(b"GLYPHS0"), "entry 0 (asset_id 1) declares size 8 but its payload is 7 bytes");
    assert_invalid_input(writer.payload(b"GLYPHS012"), "declares size 8 but its payload is 9 bytes");
    for payload in &payloads {
        writer.payload(payload).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), sample_file());
}

#[test]
fn a_payload_beyond_the_table_is_refused() {
    let header = sample_header();
    let mut writer = PaWriter::new(Vec::new(), &header).unwrap();
    for payload in sample_payloads() {
        writer.payload(&payload).unwrap();
    }
    assert_invalid_input(writer.payload(b""), "all 3 payloads of the asset table are already written");
    assert_eq!(writer.finish().unwrap(), sample_file());
}

#[test]
fn finishing_with_payloads_missing_is_refused() {
    let header = sample_header();
    let mut writer = PaWriter::new(Vec::new(), &header).unwrap();
    writer.payload(b"GLYPHS01").unwrap();
    assert_invalid_input(writer.finish(), "only 1 of 3 payloads were written; entry 1 (asset_id 4) is missing");
    let writer = PaWriter::new(Vec::new(), &header).unwrap();
    assert_invalid_input(writer.finish(), "only 0 of 3 payloads were written; entry 0 (asset_id 1) is missing");
}

#[test]
fn the_writer_refuses_a_header_that_breaks_the_format() {
    let sink = Sink::default();
    let mut header = sample_header();
    header.asset_table[2].offset = 15;
    header.preload[2].slot = 0;
    assert_invalid_input(
        PaWriter::new(sink.clone(), &header).map(|_| ()),
        "entry 2 (asset_id 9) starts at offset 15 but the previous entry ends at 14; \
         preload entries 0 (asset_id 1) and 2 (asset_id 9) both use GLYPH slot 0",
    );
    assert!(sink.0.borrow().is_empty(), "nothing may be written");
}

/// The header's metadata type cannot hold a float, so no writer can write one.
#[test]
fn metadata_refuses_a_float() {
    let refused = Metadata::from_map(&object(json!({"tile_size": 8, "gain": 0.25})));
    assert_eq!(refused, Err(prometeu_pa::FloatAt("/gain".into())));
}

// ------------------------------------------------------------- companions

#[test]
fn companions_are_the_header_parts_byte_for_byte() {
    let header = sample_header();
    let table = header.asset_table_json();
    let preload = header.preload_json();
    let expected = format!(
        "{{\"asset_table\":{},\"preload\":{}}}",
        std::str::from_utf8(&table).unwrap(),
        std::str::from_utf8(&preload).unwrap()
    );
    assert_eq!(expected, SAMPLE_HEADER);
    assert_eq!(preload, br#"[{"asset_id":1,"slot":0},{"asset_id":4,"slot":0},{"asset_id":9,"slot":1}]"#);
    assert!(verify_companions(&header, &table, &preload).is_empty());
}

#[test]
fn companions_from_real_files_match_the_verified_header() {
    let (_dir, root) = temp_dir();
    let write = |name: &str, bytes: &[u8]| -> Utf8PathBuf {
        let path = root.join(name);
        fs_err::write(&path, bytes).unwrap();
        path
    };
    let header = sample_header();
    let pa_path = write("assets.pa", &sample_file());
    let table_path = write("asset_table.json", &header.asset_table_json());
    let preload_path = write("preload.json", &header.preload_json());
    let inspection: Inspection = verify_file(&pa_path).unwrap();
    let read = |p: &Utf8Path| fs_err::read(p).unwrap();
    assert_eq!(verify_companions(&inspection.header, &read(&table_path), &read(&preload_path)), vec![]);
}

#[test]
fn a_companion_one_byte_off_is_a_violation() {
    let header = sample_header();
    let table = header.asset_table_json();
    let preload = header.preload_json();

    let mut bad_table = table.clone();
    bad_table[10] ^= 1;
    let found = verify_companions(&header, &bad_table, &preload);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("asset_table.json differs from the header's `asset_table`"), "{found:?}");
    assert!(found[0].0.contains("first differs at byte 10"), "{found:?}");

    let mut bad_preload = preload.clone();
    bad_preload.push(b'\n');
    let found = verify_companions(&header, &table, &bad_preload);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("preload.json differs from the header's `preload`"), "{found:?}");

    assert_eq!(verify_companions(&header, &bad_table, &bad_preload).len(), 2);
    assert_eq!(verify_companions(&header, b"", b"").len(), 2);
}

#[test]
fn companions_checked_against_the_stored_header_agree_with_serializing_it() {
    let header = sample_header();
    let inspection = verify_bytes(&sample_file()).unwrap();
    let (table, preload) = (header.asset_table_json(), header.preload_json());
    let mut bad_table = table.clone();
    bad_table[10] ^= 1;
    let mut bad_preload = preload.clone();
    bad_preload.push(b'\n');
    for (t, p) in [(&table, &preload), (&bad_table, &preload), (&table, &bad_preload), (&bad_table, &bad_preload)] {
        assert_eq!(verify_companions_of(&inspection, t, p), verify_companions(&header, t, p));
    }
    assert_eq!(verify_companions_of(&inspection, b"", b"").len(), 2);
    assert!(verify_companions_of(&inspection, &table, &preload).is_empty());
}

#[test]
fn violations_display_as_their_sentence() {
    let violation = pa::Violation("the file is 3 bytes".into());
    assert_eq!(violation.to_string(), "the file is 3 bytes");
}
