//! `inspect <assets.pa>`: prints the prelude and header and verifies the file.

use camino::Utf8Path;
use prometeu_packer::pa;
use serde_json::json;

use crate::cli::Exit;
use crate::reporter::Reporter;

pub(crate) fn run(file: &Utf8Path, out: &mut Reporter) -> Exit {
    match pa::verify_file(file) {
        Ok(inspection) => {
            out.note(&format!(
                "{file}: valid assets.pa v{}, {} bytes",
                inspection.prelude.schema_version, inspection.file_len
            ));
            let p = inspection.prelude;
            out.data(&format!(
                "prelude: magic {} schema_version {} header_len {} payload_offset {} flags {} reserved {}",
                String::from_utf8_lossy(&p.magic),
                p.schema_version,
                p.header_len,
                p.payload_offset,
                p.flags,
                p.reserved
            ));
            out.data(&serde_json::to_string_pretty(&inspection.header).expect("headers serialize"));
            let value = json!({"status": "success", "file": file, "prelude": inspection.prelude, "file_len": inspection.file_len, "header": inspection.header});
            out.result(Some("inspect"), &value);
            Exit::Success
        }
        Err(violations) => {
            let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
            for v in &list {
                out.error(&format!("{file}: {v}"));
            }
            out.result(Some("inspect"), &json!({"status": "failed", "file": file, "violations": list}));
            Exit::Failed
        }
    }
}
