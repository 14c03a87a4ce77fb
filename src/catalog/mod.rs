//! Schema drift: introspection of a live database into a normalized model, snapshots of
//! that model, shadow databases, and the comparison that names every difference.

pub mod compare;
pub mod diff;
pub mod ignore;
pub mod introspect;
pub mod model;
pub mod pinning;
pub mod privileges;
pub mod shadow;
pub mod snapshot;

pub use compare::{Basis, DriftReport, MajorPair, Optional, compare};
pub use diff::{Change, Difference, diff};
pub use ignore::IgnoreSet;
pub use introspect::{DEFAULT_SCHEMAS, IntrospectError, introspect, scope};
pub use model::SchemaModel;
pub use shadow::ShadowError;
pub use snapshot::SnapshotError;
