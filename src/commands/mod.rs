//! One module per subcommand, reached from a single `match`. Each parses what it needs,
//! calls the library, and renders the result.

mod baseline;
mod cleanup;
mod completions;
mod connection;
mod doctor;
mod drift;
mod extensions;
mod migrate;
mod partitions;
mod scan;
mod schema_dump;
mod status;
mod url_check;

use std::io::Write;

use crate::cli::{
    Cli, Command, ExtensionsCommand, GlobalArgs, PartitionsCommand, SchemaCommand, UrlCommand,
};
use crate::error::{Error, Result};

/// Runs a parsed command line, writing results to `out`; returns the exit code.
pub fn dispatch(cli: Cli, out: &mut dyn Write) -> Result<i32> {
    let global = cli.global;
    match cli.command {
        Command::Url {
            command: UrlCommand::Check { url },
        } => url_check::run(url.as_deref(), &global, out),
        Command::Doctor => block_on(doctor::run(&global, out)),
        Command::Migrate(args) => block_on(migrate::run(&args, &global, out)),
        Command::Status(args) => block_on(status::run(&args, &global, out)),
        Command::Baseline(args) => block_on(baseline::run(&args, &global, out)),
        Command::Extensions { command } => match command {
            ExtensionsCommand::Check(args) => block_on(extensions::run(&args, false, &global, out)),
            ExtensionsCommand::Install(args) => {
                block_on(extensions::run(&args, true, &global, out))
            }
        },
        Command::Cleanup(args) => block_on(cleanup::run(&args, &global, out)),
        Command::Partitions {
            command: PartitionsCommand::Ensure { months_ahead },
        } => block_on(partitions::run(months_ahead, &global, out)),
        Command::Drift(args) => block_on(drift::run(&args, &global, out)),
        Command::Schema {
            command: SchemaCommand::Dump { output, schemas },
        } => block_on(schema_dump::run(output.as_deref(), &schemas, &global, out)),
        Command::Scan(args) => scan::run(&args, &global, out),
        Command::Completions { shell } => completions::run(shell, out),
    }
}

/// How long the ended sessions get to close their connections properly at the end.
const CLOSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs a future on a single-threaded runtime (one connection at a time needs no more),
/// then lets the connections it opened say goodbye to the server.
fn block_on<F: std::future::Future<Output = Result<i32>>>(future: F) -> Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let outcome = future.await;
        crate::db::finish_closing(CLOSE_LIMIT).await;
        outcome
    })
}

/// Whether to print the human report: not under `--quiet`.
fn shows_report(global: &GlobalArgs) -> bool {
    !global.output.quiet
}
