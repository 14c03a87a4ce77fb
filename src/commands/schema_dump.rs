//! `vsecure schema dump`: the live schema as a snapshot file.

use std::io::Write;
use std::path::Path;

use crate::catalog::{self, SnapshotError, snapshot};
use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::exit;

use super::connection::{self, Endpoint};

/// Introspects the database and writes the snapshot to `output` or stdout.
pub async fn run(
    output: Option<&Path>,
    schemas: &[String],
    global: &GlobalArgs,
    out: &mut dyn Write,
) -> Result<i32> {
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let model = catalog::introspect(&session.client, &catalog::scope(schemas)).await?;
    let text = snapshot::render(&model);
    match output {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            write_atomically(path, &text)?;
            if !global.output.quiet {
                eprintln!(
                    "wrote {} ({} tables, {} functions)",
                    path.display(),
                    model.tables.len(),
                    model.functions.len()
                );
            }
        }
    }
    Ok(exit::SUCCESS)
}

/// Writes beside the target and renames, so a failure never leaves half a snapshot.
fn write_atomically(path: &Path, text: &str) -> Result<(), SnapshotError> {
    let io = |cause| SnapshotError::Io {
        path: path.display().to_string(),
        cause,
    };
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, text).map_err(io)?;
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        io(e)
    })
}
