//! Everything vsecure prints goes through here: commands return typed reports, and one
//! [`Output`], resolved once from the global flags, renders them (table or JSON), keeps
//! `-q` quiet on success only, says why a failure failed in one line on stderr, writes
//! a JSON error object under `--format json`, and picks the exit code.

pub mod codescan;
mod layer;
mod render;
mod report;
pub mod textdiff;

pub use layer::{Failure, Output};
pub use render::{facts, note, table, write_json};
pub use report::Report;
