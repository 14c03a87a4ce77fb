//! Every command-line flag and subcommand, with the doc comments that serve as the manual.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// vsecure: operate the v-secure PostgreSQL database on Neon.
///
/// Validates connection strings, checks the server, its TLS and the role it connects as.
/// Every command takes --format table|json, never prompts, and uses stable exit codes:
/// 0 ok, 1 problems found, 2 usage or configuration error, 3 could not connect,
/// 4 lock busy, 5 a migration or job failed (rolled back).
#[derive(Debug, Parser)]
#[command(name = "vsecure", version, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const MAIN_EXAMPLES: &str = "\
Examples:
  vsecure url check 'postgresql://neondb_owner@ep-x-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full&channel_binding=require'
  DATABASE_URL=... vsecure doctor --format json
  vsecure completions bash > /etc/bash_completion.d/vsecure";

/// Flags every subcommand accepts, wherever they are written on the line.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Where and how to connect.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// How to print results.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where the database is and how long to wait for it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// PostgreSQL connection string (URI or key=value) [env: DATABASE_URL].
    /// A password here is visible in `ps`: prefer DATABASE_URL or .env.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// File of KEY=VALUE lines to load first; never overrides variables already set
    /// [default: .env when present].
    #[arg(long, global = true, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    /// How long one connection attempt may take (e.g. 15, 15s, 500ms) [default: 15s, or
    /// connect_timeout from the URL]. Neon computes that scaled to zero take seconds to wake.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_wait)]
    pub connect_timeout: Option<Duration>,

    /// How many times to retry a connection that failed for a transient reason
    /// (refused, reset, timed out, server starting), with exponential backoff.
    #[arg(long, global = true, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub connect_retries: u32,

    /// statement_timeout for the session: no statement runs longer (0 = no limit).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_server_timeout, default_value = "5m")]
    pub statement_timeout: Duration,

    /// lock_timeout for the session: how long a statement may wait for a table lock
    /// before giving up, so it never queues production traffic behind itself.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_server_timeout, default_value = "10s")]
    pub lock_timeout: Duration,

    /// application_name shown in pg_stat_activity [default: vsecure/<version>].
    #[arg(long, global = true, value_name = "NAME")]
    pub application_name: Option<String>,
}

/// Output format and verbosity.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// table for people, json for scripts (one JSON document on stdout); sarif and
    /// github for lint and scan [default: table].
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Print nothing on success; errors still go to stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print informational findings and connection attempts (to stderr).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The subcommands that never connect: their help does not list the connection options.
const OFFLINE_SUBCOMMANDS: &[&str] = &["scan", "completions", "migration"];

/// The command-line definition, with the connection options hidden from the help of
/// the subcommands that never connect. They still parse there: each gets hidden copies
/// of the global options, which clap then does not propagate over.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    with_connection_options_hidden_offline(Cli::command().version(version_line()))
}

/// Gives the subcommands that never connect hidden copies of the connection options.
fn with_connection_options_hidden_offline(mut command: clap::Command) -> clap::Command {
    let connection = ConnectionArgs::augment_args(clap::Command::new("vsecure"));
    for name in OFFLINE_SUBCOMMANDS {
        command = command.mut_subcommand(*name, |sub| {
            sub.args(connection.get_arguments().map(|a| a.clone().hide(true)))
        });
    }
    command
}

/// `--version`: the program's version and the newest migration it carries, since the
/// migrations are embedded at build time.
fn version_line() -> &'static str {
    static LINE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let newest = crate::migrate::MigrationSet::embedded()
            .ok()
            .and_then(|set| set.files().last().map(|f| f.label()));
        match newest {
            Some(label) => format!(
                "{} (migrations embedded up to {label})",
                env!("CARGO_PKG_VERSION")
            ),
            None => env!("CARGO_PKG_VERSION").to_string(),
        }
    });
    LINE.as_str()
}

/// Parses the arguments with [`command`]. The version line names the newest embedded
/// migration, which costs reading them all (about a millisecond, before anything else
/// can start): it is built only when the arguments may ask for it.
pub fn parse_from(args: &[std::ffi::OsString]) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let may_ask_version = args.iter().skip(1).any(|a| a == "--version" || a == "-V");
    let command = if may_ask_version {
        command()
    } else {
        with_connection_options_hidden_offline(Cli::command())
    };
    let matches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

impl OutputArgs {
    /// The format in force: the flag's, else table.
    pub fn chosen_format(&self) -> Format {
        self.format.unwrap_or(Format::Table)
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// Machine-readable JSON on stdout.
    Json,
    /// SARIF 2.1.0, for code scanning (lint, scan).
    Sarif,
    /// GitHub workflow annotations (lint, scan).
    Github,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect connection strings without connecting.
    #[command(
        after_help = "Examples:\n  vsecure url check 'postgresql://app@db.acme.io/app?sslmode=verify-full'\n  vsecure url check --format json   # DATABASE_URL, .env or PGHOST and friends"
    )]
    Url {
        /// What to do with the connection string.
        #[command(subcommand)]
        command: UrlCommand,
    },
    /// Check everything at once: the connection string, the server, TLS, role and rights,
    /// extensions, migrations, drift and secrets hygiene: one verdict.
    ///
    /// The connection string against the policy; the server's version, TLS version and
    /// whether channel binding was used; the role's rights for migrate and cleanup; the
    /// required extensions; pending, divergent and missing migrations; drift from the
    /// embedded snapshot; and the env file's permissions and git status. Exit 0 when
    /// everything is in order, 1 when a problem was found, 3 when the server cannot be
    /// reached, authenticated to, or spoken to over verified TLS.
    #[command(
        after_help = "Examples:\n  vsecure doctor\n  vsecure doctor --format json --env-file prod.env"
    )]
    Doctor,
    /// Apply pending migrations under an advisory lock (direct endpoint only).
    ///
    /// Each migration runs in its own transaction (or statement by statement for files
    /// starting with `-- vsecure:no-transaction`) and is recorded in refinery's history.
    /// Divergent or missing migrations stop it before anything runs (exit 1); a lock held
    /// by another run past --lock-wait, or a table lock past --lock-timeout, exit 4; a
    /// failed migration is rolled back and exits 5.
    #[command(
        after_help = "Examples:\n  vsecure migrate\n  vsecure migrate --dry-run\n  vsecure migrate --target 3 --lock-wait 2m --format json"
    )]
    Migrate(MigrateArgs),
    /// Show applied, pending, divergent and missing migrations.
    #[command(
        after_help = "Examples:\n  vsecure status\n  vsecure status --check --format json   # CI: exit 1 unless up to date"
    )]
    Status(StatusArgs),
    /// Adopt a database built by hand: record migrations up to a version as applied.
    ///
    /// Checks first that the tables those migrations create exist, and refuses otherwise,
    /// listing what is absent.
    #[command(
        after_help = "Examples:\n  vsecure baseline --version 8\n  vsecure baseline --version 8 --force"
    )]
    Baseline(BaselineArgs),
    /// Catch the migration that would lock or rewrite a busy table, or weaken row level
    /// security, before it runs (static rules on PostgreSQL's own parser).
    ///
    /// Each finding names the file, line and column, the rule, why it is dangerous and the
    /// safe way. Exit 1 on an error finding. Accept one in a new migration with
    /// `-- vsecure:lint-ignore RULE: reason` on the statement's line or the line before;
    /// shipped migrations (which cannot be edited) are accepted by version and rule in
    /// .vsecure-lint.toml, read automatically.
    #[command(
        after_help = "Examples:\n  vsecure lint\n  vsecure lint migrations/V11__add_user_locale.sql\n  vsecure lint --format sarif > lint.sarif        # GitHub code scanning\n  vsecure lint --format github                    # annotations in a workflow\n  vsecure lint --explain require-concurrent-index-creation\n  vsecure lint --live --observe                   # weigh with the database, watch on a shadow one"
    )]
    Lint(LintArgs),
    /// Write a new migration, or list the migrations embedded in this binary (offline).
    #[command(
        after_help = "Examples:\n  vsecure migration new add_user_locale\n  vsecure migration new index_events_created --no-transaction\n  vsecure migration list --format json"
    )]
    Migration {
        /// new or list.
        #[command(subcommand)]
        command: MigrationCommand,
    },
    /// Check or install the required extensions.
    #[command(
        after_help = "Examples:\n  vsecure extensions check\n  vsecure extensions install --require 'vector>=0.8.0'"
    )]
    Extensions {
        /// check or install.
        #[command(subcommand)]
        command: ExtensionsCommand,
    },
    /// Run a periodic cleanup job (for cron): batched, one run per job at a time.
    ///
    /// Works through Neon's pooled endpoint: only transaction-scoped locks and SET LOCAL
    /// timeouts. A run that finds the job locked by another run exits 0 and says it
    /// skipped. With --format json, one JSON object per line per job.
    #[command(
        after_help = "Examples:\n  vsecure cleanup oauth-codes\n  vsecure cleanup oauth-tokens --revoked-retention 30\n  vsecure cleanup analytics --keep-months 12 --dry-run\n  vsecure cleanup all --format json"
    )]
    Cleanup(CleanupArgs),
    /// Maintain the monthly partitions of usage_analytics.
    #[command(
        after_help = "Examples:\n  vsecure partitions ensure --months-ahead 3\n  vsecure partitions ensure --dry-run"
    )]
    Partitions {
        /// What to do.
        #[command(subcommand)]
        command: PartitionsCommand,
    },
    /// Compare the live schema with what the migrations define; exit 1 on drift.
    ///
    /// The expected schema is, by default, the snapshot of the migrations embedded in
    /// this binary; or a snapshot file, a shadow database the migrations are applied to
    /// (created and dropped again), or another live database. Monthly partitions of
    /// usage_analytics are data maintenance and never count as drift.
    #[command(
        after_help = "Examples:\n  vsecure drift\n  vsecure drift --ignore simple_users --ignore playing_with_neon --format json\n  vsecure drift --shadow                        # needs CREATEDB\n  vsecure drift --against \"$STAGING_DATABASE_URL\"\n  vsecure drift --snapshot schema/expected.json --schema audit"
    )]
    Drift(DriftArgs),
    /// Work with schema snapshots.
    #[command(
        after_help = "Examples:\n  vsecure schema dump --output schema/expected.json\n  vsecure schema dump --schema audit > audit.json"
    )]
    Schema {
        /// What to do.
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Find leaked PostgreSQL credentials in files; exit 1 when any is found.
    ///
    /// Looks for connection URIs with a password (driver schemes and JDBC included),
    /// key=value and Npgsql/ODBC strings with a password, .pgpass lines, PGPASSWORD,
    /// DATABASE_URL, database password variables (POSTGRES_PASSWORD=...), CREATE ROLE ...
    /// PASSWORD literals, Neon passwords (npg_...), password settings next to PostgreSQL
    /// settings (Spring, Django, Rails, Helm, Terraform, INI, driver calls, JDBC) and
    /// Kubernetes env pairs and Secrets (base64 decoded). Respects .gitignore, skips binary
    /// files, never flags placeholders (your_database_url, <password>, ${VAR}, ****), and
    /// prints every finding with its secret redacted. Needs no database.
    #[command(
        after_help = "Examples:\n  vsecure scan\n  vsecure scan docs/ src/ --format json\n  git diff --name-only main | xargs vsecure scan   # in CI\n  vsecure scan --git                               # the whole history too\n  vsecure scan --git origin/main..HEAD             # a pull request's commits\n  vsecure scan --format json > known.json && vsecure scan --baseline known.json\n  vsecure scan --format sarif > scan.sarif         # for code scanning"
    )]
    Scan(ScanArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  vsecure completions bash > ~/.local/share/bash-completion/completions/vsecure\n  vsecure completions zsh > \"${fpath[1]}/_vsecure\""
    )]
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

/// Flags of `vsecure migrate`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// List the migrations that would run, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply migrations up to and including this version only.
    #[arg(long, value_name = "VERSION")]
    pub target: Option<i32>,
    /// With --dry-run: print the SQL that would run, exactly as vsecure would send it
    /// (each migration in its transaction with its history row).
    #[arg(long, requires = "dry_run")]
    pub sql: bool,
    /// How long to wait for another run's migration lock before exit 4.
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, default_value = "60s")]
    pub lock_wait: Duration,
}

/// Subcommands of `vsecure migration`.
#[derive(Debug, Subcommand)]
pub enum MigrationCommand {
    /// Write migrations/V{next}__NAME.sql with a header that says how to write it.
    ///
    /// The version is the highest in the folder plus one. The name must be letters,
    /// digits and underscores: refinery skips any other file without a word. Migrations
    /// are embedded at build time: after writing it, run the tests,
    /// scripts/update-snapshot, and rebuild.
    #[command(
        after_help = "Examples:\n  vsecure migration new add_user_locale\n  vsecure migration new index_events_created --no-transaction"
    )]
    New(MigrationNewArgs),
    /// List the migrations embedded in this binary: version, name, checksum, how each
    /// runs, and its statements as PostgreSQL's parser reads them. Needs no database.
    #[command(
        after_help = "Examples:\n  vsecure migration list\n  vsecure migration list --format json"
    )]
    List,
}

/// Flags of `vsecure lint`.
#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Migration files to lint [default: those not yet applied to DATABASE_URL when one
    /// is set, else every V*.sql in migrations/].
    pub files: Vec<std::path::PathBuf>,
    /// Do not run this rule (repeatable).
    #[arg(long, value_name = "RULE")]
    pub exclude: Vec<String>,
    /// Explain a rule (or `all`): what it flags, why, and the safe way; lint nothing.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
    /// The baseline of accepted findings in shipped migrations.
    #[arg(long, value_name = "FILE", default_value = ".vsecure-lint.toml")]
    pub baseline: std::path::PathBuf,
    /// The migrations folder (the default files, and for --observe the migrations that
    /// come before the ones linted).
    #[arg(long, value_name = "DIR", default_value = "migrations")]
    pub dir: std::path::PathBuf,
    /// Weigh each finding with its table in the database (estimated rows and size, one
    /// round trip); a lock on an empty table drops to a warning. Needs DATABASE_URL.
    #[arg(long)]
    pub live: bool,
    /// Apply the migrations to a shadow database (dropped on every path) statement by
    /// statement and report the locks each took on existing tables, which it held while
    /// scanning or rewriting them, and every rewrite. Needs DATABASE_URL and CREATEDB.
    #[arg(long)]
    pub observe: bool,
}

/// Flags of `vsecure migration new`.
#[derive(Debug, Clone, Args)]
pub struct MigrationNewArgs {
    /// The migration's name: letters, digits and underscores (add_user_locale).
    pub name: String,
    /// Start the file with `-- vsecure:no-transaction`: it then runs statement by
    /// statement outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM).
    #[arg(long)]
    pub no_transaction: bool,
    /// Use this version instead of the next one.
    #[arg(long = "version", value_name = "N")]
    pub migration_version: Option<i32>,
    /// The migrations folder.
    #[arg(long, value_name = "DIR", default_value = "migrations")]
    pub dir: std::path::PathBuf,
}

/// Flags of `vsecure status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Exit 1 when anything is pending, divergent or missing (for CI).
    #[arg(long)]
    pub check: bool,
}

/// Flags of `vsecure baseline`.
#[derive(Debug, Clone, Args)]
pub struct BaselineArgs {
    /// Record migrations up to and including this version.
    #[arg(long = "version", value_name = "VERSION")]
    pub baseline_version: i32,
    /// Record without checking that the tables exist.
    #[arg(long)]
    pub force: bool,
    /// How long to wait for another run's migration lock before exit 4.
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, default_value = "60s")]
    pub lock_wait: Duration,
}

/// Subcommands of `vsecure extensions`.
#[derive(Debug, Subcommand)]
pub enum ExtensionsCommand {
    /// Installed, available and required versions of each required extension.
    ///
    /// Status per extension: ok, missing (installable but not installed), outdated
    /// (installed below the minimum) or unavailable (the server cannot provide it).
    /// Exit 1 when any is not ok.
    #[command(
        after_help = "Examples:\n  vsecure extensions check\n  vsecure extensions check --require 'vector>=0.8.0' --format json"
    )]
    Check(ExtensionArgs),
    /// Create missing extensions and update outdated ones where the server allows.
    #[command(after_help = "Examples:\n  vsecure extensions install")]
    Install(ExtensionArgs),
}

/// Flags of `vsecure extensions check|install`.
#[derive(Debug, Clone, Args)]
pub struct ExtensionArgs {
    /// Add or override a requirement, as NAME>=VERSION (repeatable).
    #[arg(long = "require", value_name = "NAME>=VERSION")]
    pub requirements: Vec<String>,
}

/// The cleanup jobs, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CleanupJob {
    /// Expired codes, and codes consumed more than an hour ago (hourly).
    OauthCodes,
    /// Expired tokens that are not revoked; revoked ones with --revoked-retention (daily).
    OauthTokens,
    /// End expired MCP key sessions, revoke expired proxy tokens (hourly).
    KeySessions,
    /// usage_analytics older than --keep-months: whole partitions dropped (monthly).
    Analytics,
    /// Every job above, in that order.
    All,
}

/// Flags of `vsecure cleanup`.
#[derive(Debug, Clone, Args)]
pub struct CleanupArgs {
    /// The job to run.
    #[arg(value_enum)]
    pub job: CleanupJob,
    /// Rows per batch; each batch is one short transaction.
    #[arg(long, value_name = "N", default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch_size: u32,
    /// Count the rows the job would touch; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// oauth-tokens: also remove revoked tokens revoked more than DAYS days ago
    /// (by default revoked tokens are kept, as the deployed function does).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub revoked_retention: Option<u32>,
    /// analytics: months to keep; older whole partitions are dropped [default: 12].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub keep_months: Option<u32>,
}

/// Subcommands of `vsecure partitions`.
#[derive(Debug, Subcommand)]
pub enum PartitionsCommand {
    /// Create the monthly partitions of usage_analytics from this month to N ahead.
    ///
    /// Idempotent. Rows the default partition holds for a new month are moved into it.
    #[command(
        after_help = "Examples:\n  vsecure partitions ensure --months-ahead 3\n  vsecure partitions ensure --dry-run --format json"
    )]
    Ensure {
        /// How many months after the current one to create (0 to 120).
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=120))]
        months_ahead: u32,
        /// Say which partitions would be created and how many rows would move into
        /// each; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Flags of `vsecure drift`.
#[derive(Debug, Clone, Args)]
pub struct DriftArgs {
    /// Compare with this snapshot file (written by `vsecure schema dump`) instead of the
    /// embedded one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["shadow", "shadow_url", "against"])]
    pub snapshot: Option<PathBuf>,
    /// Apply the migrations to a temporary database on the same server, compare with it,
    /// and drop it afterwards, also on Ctrl-C or SIGTERM (the role needs CREATEDB).
    /// Shadow databases over an hour old that killed runs left behind are dropped too.
    #[arg(long, conflicts_with = "against")]
    pub shadow: bool,
    /// Create the shadow database on this server instead (implies --shadow).
    #[arg(
        long,
        value_name = "URL",
        env = "VSECURE_SHADOW_URL",
        hide_env_values = true,
        conflicts_with = "against"
    )]
    pub shadow_url: Option<String>,
    /// Compare with another live database, e.g. another Neon branch.
    #[arg(
        long,
        value_name = "URL",
        env = "VSECURE_AGAINST_URL",
        hide_env_values = true
    )]
    pub against: Option<String>,
    /// Silence differences on objects matching this glob (repeatable): `simple_users`,
    /// `public.playing_*`; an object's columns, indexes and the like go with it.
    #[arg(long, value_name = "PATTERN")]
    pub ignore: Vec<String>,
    /// Also compare this schema (repeatable); `public` always is.
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Also compare who owns each table, view and function (off by default: a Neon
    /// branch and a local database have different owners).
    #[arg(long)]
    pub owners: bool,
    /// Also compare comments (COMMENT ON) on tables, columns, views and functions.
    #[arg(long)]
    pub comments: bool,
}

/// Flags of `vsecure scan`.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files and directories to scan [default: the current directory].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also scan files that .gitignore (or .ignore) excludes.
    #[arg(long)]
    pub no_ignore: bool,
    /// Fail on well-known local defaults too (postgres:postgres@localhost,
    /// test:test@127.0.0.1, a CI service container's), which are otherwise reported
    /// as low severity without failing the run.
    #[arg(long)]
    pub fail_on_local_defaults: bool,
    /// Also scan the git history of the repository holding the first path: every line
    /// each commit added, so a credential deleted from the tree but still in history is
    /// found, with its commit. Without a value, every commit reachable from a ref; or a
    /// range such as origin/main..HEAD (for CI).
    #[arg(long, value_name = "RANGE", num_args = 0..=1, default_missing_value = "--all")]
    pub git: Option<String>,
    /// Accept the findings of this earlier report (`vsecure scan --format json >
    /// FILE`): they are listed as accepted and do not fail the run, so CI fails only on
    /// new ones. Findings are matched by fingerprint (kind, path and a hash of the
    /// secret), whatever line they moved to.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// Subcommands of `vsecure schema`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Write the live database's schema as stable, sorted JSON (a snapshot for drift).
    #[command(
        after_help = "Examples:\n  vsecure schema dump --output schema/prod.json\n  vsecure schema dump --schema audit | jq '.tables | keys'"
    )]
    Dump {
        /// Write to this file instead of stdout (replaced atomically).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also dump this schema (repeatable); `public` always is.
        #[arg(long = "schema", value_name = "NAME")]
        schemas: Vec<String>,
    },
}

/// Subcommands of `vsecure url`.
#[derive(Debug, Subcommand)]
pub enum UrlCommand {
    /// Parse a connection string exactly as libpq does and apply vsecure's policy.
    ///
    /// Prints the parsed values (never the password), a redacted form, a fingerprint
    /// that survives password rotation, Neon endpoint facts, and every finding.
    /// No network. Exit 0 when no finding is an error, 1 otherwise, 2 when it cannot
    /// be parsed.
    #[command(
        after_help = "Examples:\n  vsecure url check 'postgresql://app@ep-x-123456-pooler.eu-central-1.aws.neon.tech/app?sslmode=verify-full&channel_binding=require'\n  vsecure url check 'host=localhost dbname=app user=dev' --format json\n  vsecure url check          # checks DATABASE_URL (environment or .env)"
    )]
    Check {
        /// The connection string [default: the database URL from --database-url,
        /// DATABASE_URL or .env].
        #[arg(value_name = "URL")]
        url: Option<String>,
    },
}

/// Parses `15`, `15s`, `500ms`, `2m`, `1h` into a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration \"{text}\" (examples: 15, 15s, 500ms, 2m)"))?;
    let seconds = match unit {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration unit \"{unit}\" (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("duration \"{text}\" out of range"))
}

/// The longest statement_timeout or lock_timeout PostgreSQL accepts: INT_MAX ms.
const SERVER_TIMEOUT_MAX_MS: u128 = 2_147_483_647;

/// A duration PostgreSQL takes as a timeout setting (0 to INT_MAX milliseconds).
pub fn parse_server_timeout(text: &str) -> Result<Duration, String> {
    let value = parse_duration(text)?;
    if value.as_millis() > SERVER_TIMEOUT_MAX_MS {
        return Err(format!(
            "\"{}\" is out of range: PostgreSQL accepts 0 to {SERVER_TIMEOUT_MAX_MS} ms (about 596h)",
            text.trim()
        ));
    }
    Ok(value)
}

/// The longest wait vsecure itself keeps (connect timeout, lock wait).
const WAIT_MAX: Duration = Duration::from_secs(24 * 3600);

/// A wait vsecure measures itself: 0 to 24h.
pub fn parse_wait(text: &str) -> Result<Duration, String> {
    let value = parse_duration(text)?;
    if value > WAIT_MAX {
        return Err(format!("\"{}\" is out of range: 0 to 24h", text.trim()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_bounded_to_what_they_can_mean() {
        assert!(parse_server_timeout("596h").is_ok());
        assert!(parse_server_timeout("1000h").is_err());
        assert!(parse_server_timeout("99999999h").is_err());
        assert!(parse_wait("24h").is_ok());
        assert!(parse_wait("25h").is_err());
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("15").unwrap(), Duration::from_secs(15));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        command().debug_assert();
    }
}
