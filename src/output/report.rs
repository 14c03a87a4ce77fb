//! What a command hands to the output layer.

use std::io::{self, Write};

/// A command's typed result: what it found, what it did, what failed. The output layer
/// decides how much of it to show and where.
pub trait Report {
    /// The exit code the command ends with (see [`crate::exit`]).
    fn exit_code(&self) -> i32;

    /// Why the exit code is not 0, in one line; `None` on success. Shown on stderr under
    /// `-q`, and after the report when it ends in an error (exit 2 and up).
    fn failure(&self) -> Option<String>;

    /// Whether the failure is an error that stopped the command (shown on stderr even
    /// without `-q`), rather than a finding the report itself shows (drift, a leak).
    fn failure_is_error(&self) -> bool {
        self.exit_code() >= crate::exit::USAGE
    }

    /// The report for scripts.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()>;

    /// The report for people.
    fn write_table(&self, out: &mut dyn Write, verbose: bool) -> io::Result<()>;

    /// The report as code-scanning results (SARIF 2.1.0), for the commands whose findings
    /// sit in files; `None` for the others (the command line refuses the format there).
    fn sarif(&self) -> Option<serde_json::Value> {
        None
    }

    /// The report as GitHub workflow annotations (`::error file=...::message`), one per
    /// line; `None` where the format does not apply.
    fn github_annotations(&self) -> Option<Vec<String>> {
        None
    }
}
