//! `vsecure completions <shell>`: shell completion scripts from the clap definition.

use std::io::Write;

use crate::error::Result;
use crate::exit;
use crate::output::Report;

/// A completion script: the same text whatever `--format` says.
pub struct Script(Vec<u8>);

impl Report for Script {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&self.0)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        out.write_all(&self.0)
    }
}

/// The completion script for `shell`, generated into memory: clap_complete panics when
/// its writer fails (a reader that went away, `| head`).
pub fn run(shell: clap_complete::Shell) -> Result<Box<dyn Report>> {
    let mut command = crate::cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "vsecure", &mut script);
    Ok(Box::new(Script(script)))
}
