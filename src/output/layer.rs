//! The one place that turns a report or an error into output and an exit code.

use std::io::{self, Write};

use serde::Serialize;

use super::report::Report;
use crate::cli::{Format, GlobalArgs};
use crate::error::Error;
use crate::exit;

/// How to print, resolved once from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Table or JSON.
    pub format: Format,
    /// Nothing on success.
    pub quiet: bool,
    /// More detail (info findings, connection attempts).
    pub verbose: bool,
}

/// An error that ended part of a command after other parts were done (a migration after
/// others were applied, a job after others ran): carried in the report, so what was done
/// is shown with it.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// A stable name for the kind of error.
    pub code: &'static str,
    /// What went wrong (never a secret).
    pub message: String,
    /// The exit code it ends the command with.
    pub exit: i32,
}

impl Failure {
    /// The failure an error stands for.
    pub fn from_error(error: &Error) -> Failure {
        Failure {
            code: error.code(),
            message: error.to_string(),
            exit: error.exit_code(),
        }
    }
}

/// The JSON form of an error, one object on stdout under `--format json`.
#[derive(Serialize)]
struct ErrorObject<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: &'a str,
    exit: i32,
}

impl Output {
    /// Resolves the output settings from the global flags.
    pub fn from_args(global: &GlobalArgs) -> Output {
        super::render::resolve_table_width();
        Output {
            format: global.output.chosen_format(),
            quiet: global.output.quiet,
            verbose: global.output.verbose,
        }
    }

    /// Prints a report and returns its exit code: the report on stdout unless `-q`; the
    /// one-line failure on stderr under `-q`, and for errors (exit 2 and up) always.
    pub fn emit(&self, report: &dyn Report, out: &mut dyn Write) -> io::Result<i32> {
        let code = report.exit_code();
        if !self.quiet {
            match self.format {
                Format::Json => report.write_json(out)?,
                Format::Table => report.write_table(out, self.verbose)?,
                Format::Sarif => match report.sarif() {
                    Some(sarif) => super::write_json(out, &sarif)?,
                    None => report.write_json(out)?,
                },
                Format::Github => match report.github_annotations() {
                    Some(lines) => lines.iter().try_for_each(|l| writeln!(out, "{l}"))?,
                    None => report.write_table(out, self.verbose)?,
                },
            }
        }
        if let Some(why) = report.failure()
            && (self.quiet || report.failure_is_error())
        {
            super::note(format_args!("vsecure: {}: {why}", word(code)));
        }
        Ok(code)
    }

    /// Prints an error that ended a command before it had a report: one line on stderr
    /// (`message` is already scrubbed of secrets), and under `--format json` also one
    /// JSON object on stdout. Returns the exit code.
    pub fn emit_error(&self, error: &Error, message: &str, out: &mut dyn Write) -> i32 {
        let code = error.exit_code();
        super::note(format_args!("vsecure: {}: {message}", word(code)));
        if self.format == Format::Json {
            let object = ErrorObject {
                error: ErrorBody {
                    code: error.code(),
                    message,
                    exit: code,
                },
            };
            let _ = serde_json::to_writer(&mut *out, &object)
                .and_then(|()| writeln!(out).map_err(serde_json::Error::io));
        }
        code
    }
}

/// `error` for errors, `problem` for a check that found something.
fn word(code: i32) -> &'static str {
    if code == exit::FOUND_PROBLEMS {
        "problem"
    } else {
        "error"
    }
}
