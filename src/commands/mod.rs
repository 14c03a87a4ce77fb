//! One module per subcommand, reached from a single `match`. Each parses what it needs,
//! calls the library, and renders the result.

mod baseline;
mod cleanup;
mod completions;
mod connection;
mod doctor;
mod drift;
mod extensions;
mod lint;
mod migrate;
mod migration;
mod partitions;
mod scan;
mod schema_dump;
mod status;
mod url_check;

use crate::cli::{
    Cli, Command, ExtensionsCommand, MigrationCommand, PartitionsCommand, SchemaCommand, UrlCommand,
};
use crate::error::{Error, Result};
use crate::output::Report;

/// Runs a parsed command line and returns its report.
pub fn dispatch(cli: Cli) -> Result<Box<dyn Report>> {
    let global = cli.global;
    refuse_format(&cli.command, &global)?;
    match cli.command {
        Command::Url {
            command: UrlCommand::Check { url },
        } => url_check::run(url.as_deref(), &global),
        Command::Doctor => block_on(doctor::run(&global)),
        Command::Migrate(args) => block_on(migrate::run(&args, &global)),
        Command::Status(args) => block_on(status::run(&args, &global)),
        Command::Baseline(args) => block_on(baseline::run(&args, &global)),
        Command::Lint(args) => block_on(lint::run(&args, &global)),
        Command::Migration { command } => match command {
            MigrationCommand::New(args) => migration::new(&args),
            MigrationCommand::List => migration::list(),
        },
        Command::Extensions { command } => match command {
            ExtensionsCommand::Check(args) => block_on(extensions::run(&args, false, &global)),
            ExtensionsCommand::Install(args) => block_on(extensions::run(&args, true, &global)),
        },
        Command::Cleanup(args) => block_on(cleanup::run(&args, &global)),
        Command::Partitions {
            command:
                PartitionsCommand::Ensure {
                    months_ahead,
                    dry_run,
                },
        } => block_on(partitions::run(months_ahead, dry_run, &global)),
        Command::Drift(args) => block_on(drift::run(&args, &global)),
        Command::Schema {
            command: SchemaCommand::Dump { output, schemas },
        } => block_on(schema_dump::run(output.as_deref(), &schemas, &global)),
        Command::Scan(args) => scan::run(&args),
        Command::Completions { shell } => completions::run(shell),
    }
}

/// `--format sarif` and `--format github` describe findings in files: only lint has them.
fn refuse_format(command: &Command, global: &crate::cli::GlobalArgs) -> Result<()> {
    use crate::cli::Format;
    match (global.output.chosen_format(), command) {
        (Format::Sarif | Format::Github, Command::Lint(_) | Command::Scan(_)) => Ok(()),
        (format @ (Format::Sarif | Format::Github), _) => Err(Error::Usage(format!(
            "--format {} applies to vsecure lint and scan only; use table or json here",
            if format == Format::Sarif {
                "sarif"
            } else {
                "github"
            }
        ))),
        _ => Ok(()),
    }
}

/// How long the ended sessions get to close their connections properly at the end.
const CLOSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs a future on a single-threaded runtime (one connection at a time needs no more),
/// then lets the connections it opened say goodbye to the server.
fn block_on<T, F: std::future::Future<Output = Result<T>>>(future: F) -> Result<T> {
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
