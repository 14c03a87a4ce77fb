//! `vsecure extensions check|install`.

use std::io::Write;

use serde::Serialize;

use crate::cli::{ExtensionArgs, GlobalArgs};
use crate::error::{Error, Result};
use crate::exit;
use crate::ops::extensions::{self, ExtensionReport, ExtensionStatus, InstallAction};
use crate::output::{self, Report};

use super::connection::{self, Endpoint};

/// The required extensions, and what `install` did.
#[derive(Debug, Serialize)]
pub struct ExtensionsOutcome {
    ok: bool,
    extensions: Vec<ExtensionReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<Vec<InstallAction>>,
}

impl Report for ExtensionsOutcome {
    fn exit_code(&self) -> i32 {
        exit::verdict(self.ok)
    }

    fn failure(&self) -> Option<String> {
        let bad: Vec<String> = self
            .extensions
            .iter()
            .filter(|r| r.status != ExtensionStatus::Ok)
            .map(|r| format!("{} {}", r.name, r.status.as_str()))
            .collect();
        (!bad.is_empty()).then(|| format!("extensions not ok: {}", bad.join(", ")))
    }

    fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        output::write_json(out, self)
    }

    fn write_table(&self, out: &mut dyn Write, _verbose: bool) -> std::io::Result<()> {
        render(&self.extensions, self.actions.as_deref(), self.ok, out)
    }
}

/// Checks, or installs and then checks, the required extensions.
pub async fn run(
    args: &ExtensionArgs,
    install: bool,
    global: &GlobalArgs,
) -> Result<Box<dyn Report>> {
    let overrides = args
        .requirements
        .iter()
        .map(|r| extensions::parse_requirement(r))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(Error::Usage)?;
    let reqs = extensions::requirements(&overrides);
    let (_, session) = connection::open(global, Endpoint::AnyEndpoint).await?;
    let query_error = |e: tokio_postgres::Error| session.query_failed(&e);
    let mut reports = session
        .read_with_timeouts(extensions::check(&session.client, &reqs))
        .await
        .map_err(query_error)?;
    let actions = if install {
        let actions = extensions::install(&session, &reports).await;
        reports = session
            .read_with_timeouts(extensions::check(&session.client, &reqs))
            .await
            .map_err(query_error)?;
        Some(actions)
    } else {
        None
    };
    let ok = reports.iter().all(|r| r.status == ExtensionStatus::Ok);
    Ok(Box::new(ExtensionsOutcome {
        ok,
        extensions: reports,
        actions,
    }))
}

fn render(
    reports: &[ExtensionReport],
    actions: Option<&[InstallAction]>,
    ok: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if let Some(actions) = actions {
        for a in actions {
            match &a.reason {
                Some(reason) => writeln!(out, "{} {}: {reason}", a.action, a.name)?,
                None => writeln!(out, "{} {}", a.action, a.name)?,
            }
        }
    }
    let mut t = output::table(&["extension", "required", "installed", "available", "status"]);
    for r in reports {
        t.add_row(vec![
            r.name.clone(),
            format!(">= {}", r.required),
            r.installed.clone().unwrap_or_else(|| "-".into()),
            r.available.clone().unwrap_or_else(|| "-".into()),
            r.status.as_str().to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{}",
        if ok {
            "extensions: ok"
        } else {
            "extensions: problems found"
        }
    )
}
