//! Rendering: tables for people, JSON for scripts. Renderers write to any `io::Write`,
//! so tests can render into a buffer.

use std::io::Write;

use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

/// Writes one pretty-printed JSON document and a newline.
pub fn write_json<W: Write + ?Sized, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// A table with vsecure's look and the given header.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    table
}

/// A two-column key/value table.
pub fn facts<'a>(rows: impl IntoIterator<Item = (&'a str, String)>) -> Table {
    let mut table = Table::new();
    table.set_content_arrangement(ContentArrangement::Dynamic);
    for (key, value) in rows {
        table.add_row(vec![key.to_string(), value]);
    }
    table
}

/// Writes one line to stderr (warnings, progress), ignoring a closed or full stderr: a
/// message that cannot be shown must not turn into a panic.
pub fn note(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{args}");
}
