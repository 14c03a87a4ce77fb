//! `vsecure completions <shell>`: shell completion scripts from the clap definition.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Result;
use crate::exit;

/// Writes the completion script for `shell`.
pub fn run(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<i32> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "vsecure", out);
    Ok(exit::SUCCESS)
}
