//! Shadow databases: the migrations applied to a temporary database, introspected, and
//! dropped again on every path, so the expected schema comes from the SQL itself.

use tokio_postgres::Client;

use super::introspect::{IntrospectError, introspect};
use super::model::SchemaModel;
use crate::db::{self, ConnectError, SessionOptions};
use crate::dsn::ConnInfo;
use crate::migrate::{self, MigrateError, MigrateOptions, MigrationSet};
use crate::ops::tx;

/// Prefix of every shadow database's name, so a leftover one is easy to recognise.
pub const SHADOW_PREFIX: &str = "vsecure_shadow_";

/// Why a shadow database could not provide the expected schema.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    /// CREATE DATABASE failed, usually for want of CREATEDB.
    #[error(
        "could not create a shadow database ({0}); the role needs CREATEDB, or use --shadow-url or --snapshot"
    )]
    Create(String),
    /// The shadow database could not be reached.
    #[error("shadow database: {0}")]
    Connect(#[from] ConnectError),
    /// A migration failed on the shadow database.
    #[error("shadow database: {0}")]
    Migrate(#[from] MigrateError),
    /// The migrated shadow database could not be read.
    #[error("shadow database: {0}")]
    Introspect(#[from] IntrospectError),
}

/// Creates a temporary database through `admin` (connected as `server`), applies `set`,
/// introspects `schemas`, and drops the database whatever happened.
pub async fn expected_schema(
    admin: &Client,
    server: &ConnInfo,
    opts: &SessionOptions,
    set: &MigrationSet,
    schemas: &[String],
) -> Result<SchemaModel, ShadowError> {
    let name = shadow_name();
    admin
        .simple_query(&format!("CREATE DATABASE {}", tx::ident(&name)))
        .await
        .map_err(|e| ShadowError::Create(db::describe_error(&e)))?;
    let result = migrate_and_read(server, opts, set, schemas, &name).await;
    let _ = admin
        .simple_query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            tx::ident(&name)
        ))
        .await;
    result
}

async fn migrate_and_read(
    server: &ConnInfo,
    opts: &SessionOptions,
    set: &MigrationSet,
    schemas: &[String],
    name: &str,
) -> Result<SchemaModel, ShadowError> {
    let session = db::connect(&server.with("dbname", name), opts).await?;
    let options = MigrateOptions {
        dry_run: false,
        target: None,
        lock_wait: std::time::Duration::from_secs(60),
    };
    migrate::migrate(&session.client, set, &options, &mut |_| {}).await?;
    Ok(introspect(&session.client, schemas).await?)
}

/// `vsecure_shadow_<pid>_<nanoseconds>`: unique per run, and under the 63-byte limit.
fn shadow_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{SHADOW_PREFIX}{}_{nanos:x}", std::process::id())
}
