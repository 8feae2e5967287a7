//! `inspect <assets.pa>`: prints the prelude and header and verifies the
//! file; when `asset_table_metadata.json` sits beside it, also every
//! payload's sha256 and the file's, naming the asset that differs.

use camino::Utf8Path;
use prometeu_packer::pa;
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::Exit;

pub(crate) fn run(file: &Utf8Path, out: &mut Reporter) -> Exit {
    match pa::verify_file(file) {
        Ok(inspection) => {
            let mismatches = match prometeu_packer::verify_payload_hashes(file, &inspection) {
                Ok(found) => found,
                Err(why) => {
                    out.error(&why);
                    out.result(Some("inspect"), &json!({"status": "failed", "file": file, "violations": [why]}));
                    return Exit::Failed;
                }
            };
            if let Some(list) = mismatches.as_ref().filter(|list| !list.is_empty()) {
                let messages: Vec<&str> = list.iter().map(|m| m.message.as_str()).collect();
                for m in &messages {
                    out.error(&format!("{file}: {m}"));
                }
                let assets: Vec<_> = list
                    .iter()
                    .filter_map(|m| m.asset.clone())
                    .map(|(id, name)| json!({"asset_id": id, "asset_name": name}))
                    .collect();
                out.result(
                    Some("inspect"),
                    &json!({"status": "failed", "file": file, "violations": messages, "assets": assets}),
                );
                return Exit::Failed;
            }
            let hashes = if mismatches.is_some() {
                "payload sha256 match the companions"
            } else {
                "no companions beside it, payload hashes not checked"
            };
            out.note(&format!(
                "{file}: valid assets.pa v{}, {} bytes; {hashes}",
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
            let value = json!({"status": "success", "file": file, "prelude": inspection.prelude, "file_len": inspection.file_len, "header": inspection.header, "payloads_verified": mismatches.is_some()});
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
