//! vsecure: the operations CLI for the v-secure PostgreSQL database on Neon.
//!
//! All logic lives in this library; the binary only parses arguments, calls [`run`],
//! and exits with the code it returns.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod db;
pub mod dsn;
pub mod error;
pub mod exit;
pub mod hygiene;
pub mod lint;
pub mod migrate;
pub mod ops;
pub mod output;
pub mod scan;
pub mod settings;
pub mod signals;
pub mod sql;
pub mod sqlparse;

use std::io::Write;

/// Runs vsecure with the given arguments; output goes to `out`, errors to stderr as
/// one line. Returns the process exit code.
pub fn run<I, T>(args: I, out: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let shown_args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = match cli::parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One prefix for every error, clap's included: "vsecure: error: ...".
            let message = e.render().to_string();
            let _ = write!(
                std::io::stderr(),
                "vsecure: {}",
                dsn::scrub::scrub(&message, &shown_args)
            );
            return exit::USAGE;
        }
        Err(e) => {
            let _ = e.print();
            return exit::SUCCESS;
        }
    };
    let output = output::Output::from_args(&cli.global);
    let outcome = commands::dispatch(cli).and_then(|report| {
        // Written through a buffer: a report of thousands of lines would otherwise cost a
        // write to the terminal or pipe per line.
        let mut buffered = std::io::BufWriter::new(&mut *out);
        output
            .emit(report.as_ref(), &mut buffered)
            .and_then(|code| buffered.flush().map(|()| code))
            .map_err(error::Error::Output)
    });
    match outcome {
        Ok(code) => code,
        // The reader went away (`vsecure scan | head`): stop quietly, as ripgrep does.
        Err(error::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::SUCCESS,
        Err(error) => {
            let message = dsn::scrub::scrub(&error.to_string(), &shown_args);
            output.emit_error(&error, &message, out)
        }
    }
}
