//! Operations on a migrated database: required extensions, the cleanup jobs, and the
//! monthly partitions of usage_analytics.

mod analytics;
pub mod cleanup;
mod error;
pub mod extensions;
pub mod partitions;
pub mod together;
pub mod tx;

pub use error::OpsError;
