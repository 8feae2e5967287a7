//! Loop points: checked against the decoded sample's frame count.

use super::*;

/// `start < end`, checkable from the declaration alone.
pub(super) fn loop_order_finding(
    index: u32,
    input: &str,
    points: LoopPoints,
    findings: &FileFindings<'_>,
) -> Option<Diagnostic> {
    (points.start >= points.end).then(|| {
        findings.blocking(
            Code::LoopInvalid,
            format!(
                "the loop of artifact {index} (`{input}`) in {} starts at frame {} but ends at frame {}; \
                 make `loop.start` smaller than `loop.end`",
                findings.file, points.start, points.end
            ),
        )
    })
}

/// `start < end <= frames` for one decoded sample; reported on `asset.json`,
/// where the loop is written and fixed.
pub(super) fn loop_finding(file: &SelectedFile, frames: u64, findings: &FileFindings<'_>) -> Option<Diagnostic> {
    let points = file.loop_points()?;
    if let Some(finding) = loop_order_finding(file.index, file.input(), points, findings) {
        return Some(finding);
    }
    (points.end > frames).then(|| {
        findings.blocking(
            Code::LoopInvalid,
            format!(
                "the loop of artifact {} in {} ends at frame {} but {} has only {frames} frames; \
                 set `loop.end` to at most {frames}",
                file.index,
                findings.file,
                points.end,
                file.path()
            ),
        )
    })
}

pub(super) fn sample_entry(offset: u64, frames: u64, rate: u32, loop_points: Option<LoopPoints>) -> Value {
    let mut entry = Map::new();
    entry.insert("offset".to_owned(), Value::from(offset));
    entry.insert("length".to_owned(), Value::from(frames * FRAME_BYTES));
    entry.insert("frames".to_owned(), Value::from(frames));
    entry.insert("sample_rate".to_owned(), Value::from(u64::from(rate)));
    if let Some(points) = loop_points {
        entry.insert("loop_start".to_owned(), Value::from(points.start));
        entry.insert("loop_end".to_owned(), Value::from(points.end));
    }
    Value::Object(entry)
}
