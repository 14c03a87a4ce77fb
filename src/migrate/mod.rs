//! Schema migrations: the embedded set, refinery's history table, and migrate, status
//! and baseline that are safe on Neon (advisory lock, bounded lock waits, validation
//! before anything runs, exact failure reports).

mod apply;
pub mod authoring;
mod baseline;
mod error;
pub mod history;
mod lock;
pub mod plan;
mod readable;
mod set;

pub use apply::{
    AppliedNow, MigrateOptions, MigrateReport, Progress, migrate, read_status, sql_as_run,
};
pub use baseline::{BaselineOptions, BaselineReport, baseline, created_tables};
pub use error::MigrateError;
pub use lock::MIGRATION_LOCK_KEY;
pub use set::{MigrationFile, MigrationSet, NO_TRANSACTION_DIRECTIVE, SetError};
