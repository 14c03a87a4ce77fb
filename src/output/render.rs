//! Rendering: tables for people, JSON for scripts. Renderers write to any `io::Write`,
//! so tests can render into a buffer.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

/// Writes one pretty-printed JSON document and a newline.
pub fn write_json<W: Write + ?Sized, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// A table with vsecure's look and the given header.
pub fn table(header: &[&str]) -> Table {
    let mut table = sized_table();
    table.set_header(header.iter().copied());
    table
}

/// A two-column key/value table.
pub fn facts<'a>(rows: impl IntoIterator<Item = (&'a str, String)>) -> Table {
    let mut table = sized_table();
    for (key, value) in rows {
        table.add_row(vec![key.to_string(), value]);
    }
    table
}

/// The width used when a terminal reports none (`script`, some CI logs report 0).
const FALLBACK_WIDTH: u16 = 120;

/// The width tables are fitted to, set once by the output layer; unset (renderers used
/// directly, as in tests), tables are not wrapped.
static TABLE_WIDTH: OnceLock<Option<u16>> = OnceLock::new();

/// Resolves the table width once: `COLUMNS` when set, else the terminal's (120 columns
/// when the terminal reports 0); none when stdout is not a terminal, so logs and pipes
/// get whole rows.
pub(super) fn resolve_table_width() {
    TABLE_WIDTH.get_or_init(|| {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c > 0);
        columns.or_else(|| {
            std::io::stdout().is_terminal().then(|| {
                Table::new()
                    .width()
                    .filter(|w| *w > 0)
                    .unwrap_or(FALLBACK_WIDTH)
            })
        })
    });
}

/// A table fitted to the width in force.
fn sized_table() -> Table {
    let mut table = Table::new();
    match TABLE_WIDTH.get().copied().flatten() {
        Some(width) => {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// Writes one line to stderr (warnings, progress), ignoring a closed or full stderr: a
/// message that cannot be shown must not turn into a panic.
pub fn note(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{args}");
}
