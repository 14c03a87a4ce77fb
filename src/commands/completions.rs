//! `vsecure completions <shell>`: shell completion scripts from the clap definition.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Result;
use crate::exit;

/// Writes the completion script for `shell`. It is generated into memory first:
/// clap_complete panics when its writer fails (a reader that went away, `| head`).
pub fn run(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<i32> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "vsecure", &mut script);
    out.write_all(&script)?;
    Ok(exit::SUCCESS)
}
