//! `vsecure schema dump`: the live schema as a snapshot file.

use std::io::Write;
use std::path::Path;

use crate::catalog::{self, SnapshotError, snapshot};
use crate::cli::{Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::output::Report;

use super::connection::{self, Endpoint};

/// The snapshot written: its text for stdout, or where it went.
pub enum SchemaDump {
    /// The snapshot itself (a JSON document whatever `--format` says).
    Text(String),
    /// Written to a file.
    Written {
        /// The file.
        path: String,
        /// Tables in it.
        tables: usize,
        /// Functions in it.
        functions: usize,
    },
}

impl Report for SchemaDump {
    fn exit_code(&self) -> i32 {
        exit::SUCCESS
    }

    fn failure(&self) -> Option<String> {
        None
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            SchemaDump::Text(text) => out.write_all(text.as_bytes()),
            SchemaDump::Written {
                path,
                tables,
                functions,
            } => {
                serde_json::to_writer(
                    &mut *out,
                    &serde_json::json!({"written": path, "tables": tables, "functions": functions}),
                )?;
                writeln!(out)
            }
        }
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        match self {
            SchemaDump::Text(text) => out.write_all(text.as_bytes()),
            SchemaDump::Written {
                path,
                tables,
                functions,
            } => writeln!(out, "wrote {path} ({tables} tables, {functions} functions)"),
        }
    }
}

/// Introspects the database and writes the snapshot to `output`, or returns it.
pub async fn run(
    output: Option<&Path>,
    schemas: &[String],
    global: &GlobalArgs,
) -> Result<Box<dyn Report>> {
    if let Some(path) = output {
        check_output(path)?;
    }
    if global.output.format == Some(Format::Table) && !global.output.quiet {
        crate::output::note(format_args!(
            "vsecure: warning: --format table has no effect here: a schema snapshot is always a JSON document"
        ));
    }
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let model =
        catalog::introspect(&session, &catalog::scope(schemas), catalog::Optional::ALL).await?;
    let text = snapshot::render(&model);
    Ok(Box::new(match output {
        None => SchemaDump::Text(text),
        Some(path) => {
            write_atomically(path, &text)?;
            SchemaDump::Written {
                path: path.display().to_string(),
                tables: model.tables.len(),
                functions: model.functions.len(),
            }
        }
    }))
}

/// Refuses an output that is not a regular file or a new path: renaming over a device
/// node, a FIFO or a symlink would replace it (as root, `--output /dev/null` would
/// destroy /dev/null). Shell redirection writes through such files when that is meant.
fn check_output(path: &Path) -> Result<()> {
    let kind = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.file_type().is_file() => return Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => "a symbolic link",
        Ok(meta) if meta.is_dir() => "a directory",
        Ok(_) => "a device, FIFO or socket",
    };
    Err(Error::Usage(format!(
        "--output {} is {kind}; vsecure writes a snapshot only to a regular file or a new path (to write through it, use: vsecure schema dump > {})",
        path.display(),
        path.display()
    )))
}

/// Writes a new file beside the target (never following a link there) and renames it
/// over the target, so a failure never leaves half a snapshot.
fn write_atomically(path: &Path, text: &str) -> Result<(), SnapshotError> {
    let io = |cause| SnapshotError::Io {
        path: path.display().to_string(),
        cause,
    };
    let name = path
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let partial = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io)?;
    if let Err(e) = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
    {
        let _ = std::fs::remove_file(&partial);
        return Err(io(e));
    }
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        io(e)
    })
}
