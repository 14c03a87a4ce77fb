//! What the readers' unit tests share: running a reader over a test's text (one that
//! judges by the text's context or one that reads the text alone), and showing each
//! finding as the text it covers.

use std::ops::Range;

use super::detect::Detection;
use super::lines::Lines;
use super::structured::Context;

/// A reader that judges what it finds by the text's context (`property_list::detect`).
type ContextReader = fn(&[u8], &mut Context) -> Vec<(Range<usize>, Detection)>;

/// Each finding `reader` makes in `text`, as the text its range covers and whether it
/// is reported as a local default.
pub fn findings_of(reader: ContextReader, text: &str) -> Vec<(String, bool)> {
    let lines = Lines::new(text.as_bytes());
    let mut context = Context::new(text.as_bytes(), &lines);
    shown(text, reader(text.as_bytes(), &mut context))
}

/// A reader that reads the text alone (`ecpg::detect`).
type TextReader = fn(&[u8]) -> Vec<(Range<usize>, Detection)>;

/// Each finding a reader of the text alone makes in `text`, as `findings_of` shows it.
pub fn text_findings_of(reader: TextReader, text: &str) -> Vec<(String, bool)> {
    shown(text, reader(text.as_bytes()))
}

/// Findings shown as the text each covers and whether it is a local default.
fn shown(text: &str, found: Vec<(Range<usize>, Detection)>) -> Vec<(String, bool)> {
    found
        .into_iter()
        .map(|(range, d)| (text[range].to_string(), d.local_default))
        .collect()
}
