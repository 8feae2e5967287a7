//! Property tests of the `assets.pa` verifier: it never panics on any input,
//! every file the writer produces verifies, and damage to a valid file is
//! either caught or harmless.

use std::collections::BTreeSet;

use camino::Utf8PathBuf;
use prometeu_pa::{
    Entry, Header, Inspection, Metadata, PaWriter, PreloadEntry, Prelude, verify_bytes, verify_companions, verify_file,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Characters that stress escaping and UTF-8: quotes, backslashes, controls,
/// multi-byte text, and anything else.
fn tricky_string() -> impl Strategy<Value = String> {
    let tricky_char = prop_oneof![
        Just('"'),
        Just('\\'),
        Just('\n'),
        Just('\u{1}'),
        Just('\u{7f}'),
        Just('é'),
        Just('☃'),
        Just('𝄞'),
        any::<char>(),
        proptest::char::range('a', 'z'),
    ];
    prop::collection::vec(tricky_char, 0..8).prop_map(|chars| chars.into_iter().collect())
}

/// Integer-only JSON, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        tricky_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            json_map(inner).prop_map(Value::Object),
        ]
    })
}

fn json_map(values: impl Strategy<Value = Value>) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(tricky_string(), values, 0..4).prop_map(|m| m.into_iter().collect())
}

/// What varies per asset; ids, offsets and preload consistency are derived.
#[derive(Debug, Clone)]
struct AssetSeed {
    id_gap: u32,
    sounds: bool,
    size: u64,
    decoded_size: u64,
    name: String,
    metadata: Map<String, Value>,
    preload_slot: Option<u32>,
}

fn asset_seed() -> impl Strategy<Value = AssetSeed> {
    (
        1u32..5,
        any::<bool>(),
        0u64..48,
        any::<u64>(),
        tricky_string(),
        json_map(json_value()),
        prop::option::of(0u32..16),
    )
        .prop_map(|(id_gap, sounds, size, decoded_size, name, metadata, preload_slot)| AssetSeed {
            id_gap,
            sounds,
            size,
            decoded_size,
            name,
            metadata,
            preload_slot,
        })
}

/// A header that obeys every rule: increasing ids, contiguous offsets, and a
/// preload list without clashes (a clashing seed simply is not preloaded).
fn build_header(seeds: &[AssetSeed]) -> Header {
    let mut asset_table = Vec::new();
    let mut preload = Vec::new();
    let mut taken = BTreeSet::new();
    let (mut asset_id, mut offset) = (0u32, 0u64);
    for seed in seeds {
        asset_id += seed.id_gap;
        let bank_type = if seed.sounds { "SOUNDS" } else { "GLYPH" };
        asset_table.push(Entry {
            asset_id,
            asset_name: seed.name.clone(),
            bank_type: bank_type.to_owned().into(),
            codec: "NONE".into(),
            offset,
            size: seed.size,
            decoded_size: seed.decoded_size,
            metadata: Metadata::from_map(&seed.metadata).expect("the strategy makes no floats"),
        });
        offset += seed.size;
        if let Some(slot) = seed.preload_slot
            && taken.insert((bank_type, slot))
        {
            preload.push(PreloadEntry { asset_id, slot });
        }
    }
    Header { asset_table, preload }
}

fn payload_of(entry: &Entry) -> Vec<u8> {
    (0..entry.size).map(|i| (u64::from(entry.asset_id) * 31 + i) as u8).collect()
}

fn write(header: &Header) -> Vec<u8> {
    let mut writer = PaWriter::new(Vec::new(), header).expect("a generated header is valid");
    for entry in &header.asset_table {
        writer.payload(&payload_of(entry)).expect("payload has its declared size");
    }
    writer.finish().expect("every payload written")
}

fn valid_file() -> impl Strategy<Value = (Header, Vec<u8>)> {
    prop::collection::vec(asset_seed(), 0..6).prop_map(|seeds| {
        let header = build_header(&seeds);
        let file = write(&header);
        (header, file)
    })
}

/// What must hold of anything the verifier accepts, whatever it came from.
fn assert_consistent(inspection: &Inspection, file: &[u8]) {
    assert_eq!(inspection.file_len, file.len() as u64);
    assert_eq!(inspection.header_bytes, inspection.header.canonical());
    assert_eq!(inspection.payload_offset() + inspection.header.payload_len(), inspection.file_len);
    assert_eq!(&file[24..inspection.payload_offset() as usize], inspection.header_bytes.as_slice());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_files_always_verify((header, file) in valid_file()) {
        let inspection = verify_bytes(&file).unwrap_or_else(|found| panic!("{found:?}"));
        assert_consistent(&inspection, &file);
        prop_assert_eq!(&inspection.header, &header);
        prop_assert_eq!(&inspection.header_bytes, &header.canonical());
        prop_assert!(verify_companions(&inspection.header, &header.asset_table_json(), &header.preload_json()).is_empty());
        for entry in &header.asset_table {
            let range = inspection.payload_range(entry).unwrap();
            let expected = payload_of(entry);
            prop_assert_eq!(&file[range.start as usize..range.end as usize], expected.as_slice());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(inspection) = verify_bytes(&bytes) {
            assert_consistent(&inspection, &bytes);
        }
    }

    #[test]
    fn a_valid_prelude_before_random_json_never_panics(value in json_value(), tail in prop::collection::vec(any::<u8>(), 0..16)) {
        let header = serde_json::to_vec(&value).unwrap();
        let mut file = Prelude::for_header_len(header.len()).unwrap().to_bytes().to_vec();
        file.extend_from_slice(&header);
        file.extend_from_slice(&tail);
        if let Ok(inspection) = verify_bytes(&file) {
            assert_consistent(&inspection, &file);
        }
    }

    #[test]
    fn a_valid_prelude_before_random_bytes_never_panics(header in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut file = Prelude::for_header_len(header.len()).unwrap().to_bytes().to_vec();
        file.extend_from_slice(&header);
        if let Ok(inspection) = verify_bytes(&file) {
            assert_consistent(&inspection, &file);
        }
    }

    #[test]
    fn every_strict_prefix_of_a_valid_file_is_refused((_, file) in valid_file(), cut in any::<prop::sample::Index>()) {
        let len = cut.index(file.len());
        prop_assert!(verify_bytes(&file[..len]).is_err(), "a {len}-byte prefix of a {}-byte file verified", file.len());
    }

    #[test]
    fn single_byte_mutations_are_caught_or_harmless(
        (_, file) in valid_file(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut mutated = file.clone();
        let at = at.index(mutated.len());
        mutated[at] = byte;
        match verify_bytes(&mutated) {
            Ok(inspection) => {
                assert_consistent(&inspection, &mutated);
                // Every prelude field has exactly one legal value for a given file.
                prop_assert!(at >= 24 || mutated == file, "a changed prelude byte {at} verified");
            }
            Err(found) => prop_assert!(!found.is_empty()),
        }
    }
}

proptest! {
    // Each case writes a real file; fewer cases keep it quick.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn verify_file_agrees_with_verify_bytes(
        (_, file) in valid_file(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("assets.pa")).unwrap();
        let mut mutated = file;
        let at = at.index(mutated.len());
        mutated[at] = byte;
        mutated.truncate(cut.index(mutated.len() + 1));
        fs_err::write(&path, &mutated).unwrap();
        prop_assert_eq!(verify_file(&path), verify_bytes(&mutated));
    }
}
