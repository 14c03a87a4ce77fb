//! Rebuilds when a migration is added, removed or edited: refinery embeds them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
