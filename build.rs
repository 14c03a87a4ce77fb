//! Rebuilds when a migration or the schema snapshot changes: both are embedded.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=schema");
}
