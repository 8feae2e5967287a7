//! Codes are a public interface: every one is documented.

#[test]
fn every_code_is_in_the_diagnostics_reference() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md")).unwrap();
    for code in prometeu_packer::Code::ALL {
        assert!(doc.contains(&format!("| `{}` |", code.as_str())), "{} is not documented", code.as_str());
    }
}
