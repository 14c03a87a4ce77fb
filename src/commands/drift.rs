//! `vsecure drift`: the live schema against the expected one (embedded snapshot,
//! snapshot file, shadow database, or another live database).

use std::io::Write;

use serde::Serialize;

use crate::catalog::{self, Difference, IgnoreSet, SchemaModel, pinning, shadow, snapshot};
use crate::cli::{DriftArgs, Format, GlobalArgs};
use crate::db::SessionOptions;
use crate::error::{Error, Result};
use crate::migrate::{MigrateError, MigrationSet};
use crate::settings::{DatabaseUrl, UrlSource};
use crate::{exit, output};

use super::connection::{self, Endpoint};

/// What `drift` prints.
#[derive(Debug, Serialize)]
pub struct DriftReport {
    /// True when any difference remains after `--ignore`.
    pub drift: bool,
    /// Where the expected schema came from.
    pub expected_source: String,
    /// The differences, sorted by object.
    pub differences: Vec<Difference>,
    /// How many differences `--ignore` silenced.
    pub ignored: usize,
    /// Which extension versions were compared: `pinned` (against the migrations: only
    /// the versions they name; the rest are the server's choice, checked by `extensions
    /// check`) or `all` (two live databases).
    pub extension_versions: &'static str,
    /// The two servers' majors, when two live databases run different ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub majors_differ: Option<MajorPair>,
}

/// The PostgreSQL majors of the expected and the actual database.
#[derive(Debug, Serialize)]
pub struct MajorPair {
    /// The major of the expected (`--against`) database.
    pub expected: u32,
    /// The major of the database checked.
    pub actual: u32,
}

/// What the expected schema is held to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// What the migrations determine (snapshot, shadow database).
    Migrations,
    /// Another live database, compared fact for fact.
    LiveDatabase,
}

/// Compares and prints; exit 1 on drift.
pub async fn run(args: &DriftArgs, global: &GlobalArgs, out: &mut dyn Write) -> Result<i32> {
    let ignore = IgnoreSet::new(&args.ignore).map_err(Error::Usage)?;
    let schemas = catalog::scope(&args.schemas);
    let (info, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let actual = catalog::introspect(&session.client, &schemas).await?;
    let (expected_source, expected, basis) = if let Some(path) = &args.snapshot {
        (
            format!("snapshot {}", path.display()),
            snapshot::read(path)?,
            Basis::Migrations,
        )
    } else if let Some(text) = &args.against {
        let url = command_line_url(text);
        let (_, other) = connection::open_url(global, &url, Endpoint::AnyEndpoint).await?;
        let model = catalog::introspect(&other.client, &schemas).await?;
        (
            format!("live database {}", other.target),
            model,
            Basis::LiveDatabase,
        )
    } else if args.shadow || args.shadow_url.is_some() {
        let set = MigrationSet::embedded().map_err(MigrateError::from)?;
        let opts = SessionOptions::from_args(&global.connection, global.output.verbose);
        let model = match &args.shadow_url {
            Some(text) => {
                let url = command_line_url(text);
                let (server, admin) = connection::open_url(global, &url, Endpoint::Direct).await?;
                shadow::expected_schema(&admin.client, &server, &opts, &set, &schemas).await?
            }
            None => shadow::expected_schema(&session.client, &info, &opts, &set, &schemas).await?,
        };
        (
            "shadow database (migrations applied)".to_string(),
            model,
            Basis::Migrations,
        )
    } else {
        (
            "embedded snapshot".to_string(),
            snapshot::embedded()?,
            Basis::Migrations,
        )
    };
    let report = compare(expected, actual, &ignore, expected_source, basis)?;
    if super::shows_report(global) {
        match global.output.format {
            Format::Json => output::write_json(out, &report)?,
            Format::Table => render(&report, out)?,
        }
    }
    Ok(if report.drift {
        exit::FOUND_PROBLEMS
    } else {
        exit::SUCCESS
    })
}

/// The comparison on a basis, with `--ignore` applied.
pub fn compare(
    mut expected: SchemaModel,
    mut actual: SchemaModel,
    ignore: &IgnoreSet,
    expected_source: String,
    basis: Basis,
) -> Result<DriftReport> {
    if basis == Basis::Migrations {
        let set = MigrationSet::embedded().map_err(MigrateError::from)?;
        let pinned = pinning::pinned_extensions(&set);
        pinning::keep_pinned_versions(&mut expected, &pinned);
        pinning::keep_pinned_versions(&mut actual, &pinned);
    }
    let majors_differ = match (basis, expected.server_major, actual.server_major) {
        (Basis::LiveDatabase, Some(e), Some(a)) if e != a => Some(MajorPair {
            expected: e,
            actual: a,
        }),
        _ => None,
    };
    let (ignored, differences): (Vec<_>, Vec<_>) = catalog::diff(&expected, &actual)
        .into_iter()
        .partition(|d| ignore.silences(d));
    Ok(DriftReport {
        drift: !differences.is_empty(),
        expected_source,
        differences,
        ignored: ignored.len(),
        extension_versions: match basis {
            Basis::Migrations => "pinned",
            Basis::LiveDatabase => "all",
        },
        majors_differ,
    })
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

fn render(report: &DriftReport, out: &mut dyn Write) -> std::io::Result<()> {
    if !report.differences.is_empty() {
        let mut t = output::table(&["difference", "object", "expected", "found"]);
        for d in &report.differences {
            t.add_row(vec![
                d.description(),
                d.object.clone(),
                cell(&d.expected),
                cell(&d.actual),
            ]);
        }
        writeln!(out, "{t}")?;
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
