//! `vsecure drift`: the live schema against the expected one (embedded snapshot,
//! snapshot file, shadow database, or another live database).

use std::io::Write;

use crate::catalog::{self, Basis, DriftReport, IgnoreSet, SchemaModel, shadow, snapshot};
use crate::cli::{DriftArgs, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::migrate::{MigrateError, MigrationSet};
use crate::output::{self, Report};
use crate::settings::{DatabaseUrl, UrlSource};

use super::connection::{self, Endpoint};

/// Compares; exit 1 on drift.
pub async fn run(args: &DriftArgs, global: &GlobalArgs) -> Result<Box<dyn Report>> {
    let ignore = IgnoreSet::new(&args.ignore).map_err(Error::Usage)?;
    let schemas = catalog::scope(&args.schemas);
    let optional = catalog::Optional {
        owners: args.owners,
        comments: args.comments,
    };
    let from_embedded_snapshot = args.snapshot.is_none()
        && args.against.is_none()
        && !args.shadow
        && args.shadow_url.is_none();
    let prepared = args
        .against
        .is_none()
        .then(|| std::thread::spawn(move || prepare_from_binary(from_embedded_snapshot)));
    let (info, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let actual = catalog::introspect(&session, &schemas, optional).await?;
    let (basis, embedded_snapshot) = match prepared {
        Some(thread) => thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
        None => (Basis::LiveDatabase, None),
    };
    let (expected_source, expected) = if let Some(expected) = embedded_snapshot {
        ("embedded snapshot".to_string(), expected)
    } else if let Some(path) = &args.snapshot {
        (
            format!("snapshot {}", path.display()),
            snapshot::read(path)?,
        )
    } else if let Some(text) = &args.against {
        let url = command_line_url(text);
        let (_, other) = connection::open_url(global, &url, Endpoint::AnyEndpoint).await?;
        let model = catalog::introspect(&other, &schemas, optional).await?;
        (format!("live database {}", other.target), model)
    } else {
        let set = MigrationSet::embedded().map_err(MigrateError::from)?;
        let opts = super::connection::session_options(global);
        let model = match &args.shadow_url {
            Some(text) => {
                let url = command_line_url(text);
                let (server, admin) = connection::open_url(global, &url, Endpoint::Direct).await?;
                shadow::expected_schema(&admin.client, &server, &opts, &set, &schemas).await?
            }
            None => shadow::expected_schema(&session.client, &info, &opts, &set, &schemas).await?,
        };
        ("shadow database (migrations applied)".to_string(), model)
    };
    let report = catalog::compare(
        expected,
        actual,
        &ignore,
        &args.schemas,
        optional,
        expected_source,
        basis,
    );
    if !global.output.quiet {
        for warning in &report.warnings {
            output::note(format_args!("vsecure: warning: {warning}"));
        }
    }
    Ok(Box::new(report))
}

impl Report for DriftReport {
    fn exit_code(&self) -> i32 {
        exit::verdict(!self.drift)
    }

    fn failure(&self) -> Option<String> {
        self.drift.then(|| {
            format!(
                "drift: {} difference(s) from the {}",
                self.differences.len(),
                self.expected_source
            )
        })
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        render(self, out)
    }
}

/// What the expected side needs from this binary alone: the extension versions the
/// embedded migrations pin and, when drift holds the database to it, the embedded
/// snapshot. It is about 2 ms of the client's work (refinery's name patterns, the
/// snapshot's JSON), done on another thread while the database is reached and read
/// instead of after.
fn prepare_from_binary(embedded_snapshot: bool) -> Result<(Basis, Option<SchemaModel>)> {
    let basis = Basis::embedded_migrations().map_err(MigrateError::from)?;
    let snapshot = embedded_snapshot.then(snapshot::embedded).transpose()?;
    Ok((basis, snapshot))
}

/// A URL given as a flag (or its environment variable): treated as a command-line URL,
/// so a password in it draws the usual warning.
fn command_line_url(text: &str) -> DatabaseUrl {
    DatabaseUrl {
        text: text.to_string(),
        source: UrlSource::CommandLine,
    }
}

/// Longest value shown in a table cell; JSON carries values whole.
const CELL_LIMIT: usize = 160;

fn cell(value: &Option<String>) -> String {
    match value {
        None => "-".to_string(),
        Some(v) if v.chars().count() > CELL_LIMIT => {
            let cut: String = v.chars().take(CELL_LIMIT).collect();
            format!("{cut}…")
        }
        Some(v) => v.clone(),
    }
}

/// Whether a changed value is too long for a cell to show what changed.
fn is_long(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.contains('\n') || v.chars().count() > CELL_LIMIT)
}

fn render(report: &DriftReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut long = Vec::new();
    if !report.differences.is_empty() {
        let mut t = output::table(&["difference", "object", "expected", "found"]);
        for d in &report.differences {
            let both = d.expected.is_some() && d.actual.is_some();
            if both && (is_long(&d.expected) || is_long(&d.actual)) {
                long.push(d);
                let see = format!("(see diff {} below)", long.len());
                t.add_row(vec![d.description(), d.object.clone(), see.clone(), see]);
            } else {
                t.add_row(vec![
                    d.description(),
                    d.object.clone(),
                    cell(&d.expected),
                    cell(&d.actual),
                ]);
            }
        }
        writeln!(out, "{t}")?;
    }
    for (n, d) in long.iter().enumerate() {
        writeln!(out, "diff {}: {} of {}", n + 1, d.description(), d.object)?;
        let (expected, actual) = (
            d.expected.as_deref().unwrap_or_default(),
            d.actual.as_deref().unwrap_or_default(),
        );
        writeln!(
            out,
            "{}",
            output::textdiff::describe(expected, actual).trim_end()
        )?;
    }
    if let Some(majors) = &report.majors_differ {
        writeln!(
            out,
            "note: the servers run different PostgreSQL majors (expected {}, found {}); \
             extension versions and printed definitions may differ for that reason alone",
            majors.expected, majors.actual
        )?;
    }
    let ignored = match report.ignored {
        0 => String::new(),
        n => format!(" ({n} ignored)"),
    };
    if report.drift {
        writeln!(
            out,
            "drift: {} difference(s) from the {}{ignored}",
            report.differences.len(),
            report.expected_source
        )
    } else {
        writeln!(
            out,
            "no drift: the database matches the {}{ignored}",
            report.expected_source
        )
    }
}
