//! What the readers' unit tests share: running a reader that judges by the text's
//! context over a test's text, and showing each finding as the text it covers.

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
    reader(text.as_bytes(), &mut context)
        .into_iter()
        .map(|(range, d)| (text[range].to_string(), d.local_default))
        .collect()
}
