//! Privileges as drift compares them: per object and grantee, what is granted, with the
//! owner's own privileges left out (introspect.sql) and a grantee holding every
//! privilege of the object's kind written `ALL`, so that `GRANT ALL` reads the same on
//! PostgreSQL 16 and on 17+ (which adds MAINTAIN).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// What is granted on one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Privileges {
    /// table, partition, view, sequence, column, function, procedure, schema, type or
    /// default privileges.
    pub kind: String,
    /// Grantee (`PUBLIC` or a role) to what it holds: `ALL`, or privileges in order,
    /// each `WITH GRANT OPTION` when it is.
    pub grants: BTreeMap<String, String>,
}

/// One granted privilege as the catalog lists it.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The object's kind.
    pub kind: String,
    /// The object, qualified.
    pub object: String,
    /// `PUBLIC` or a role.
    pub grantee: String,
    /// `SELECT`, `EXECUTE`, ...
    pub privilege: String,
    /// Held WITH GRANT OPTION.
    pub grantable: bool,
}

/// Every privilege of a kind, as PostgreSQL 16 knows them (MAINTAIN, added in 17, is
/// ignored when it completes the set).
fn full_set(kind: &str, object: &str) -> &'static [&'static str] {
    const TABLE: &[&str] = &[
        "DELETE",
        "INSERT",
        "REFERENCES",
        "SELECT",
        "TRIGGER",
        "TRUNCATE",
        "UPDATE",
    ];
    match kind {
        "table" | "partition" | "view" | "materialized view" => TABLE,
        "sequence" => &["SELECT", "UPDATE", "USAGE"],
        "column" => &["INSERT", "REFERENCES", "SELECT", "UPDATE"],
        "function" | "procedure" => &["EXECUTE"],
        "schema" => &["CREATE", "USAGE"],
        "type" => &["USAGE"],
        _ if object.ends_with(" on tables") => TABLE,
        _ if object.ends_with(" on sequences") => &["SELECT", "UPDATE", "USAGE"],
        _ => &[],
    }
}

/// Groups the catalog's grants by object and grantee.
pub fn assemble(grants: Vec<Grant>) -> BTreeMap<String, Privileges> {
    let mut held: BTreeMap<(String, String, String), BTreeMap<String, bool>> = BTreeMap::new();
    for g in grants {
        held.entry((g.object, g.kind, g.grantee))
            .or_default()
            .insert(g.privilege, g.grantable);
    }
    let mut out: BTreeMap<String, Privileges> = BTreeMap::new();
    for ((object, kind, grantee), privileges) in held {
        let text = describe(&kind, &object, &privileges);
        out.entry(object)
            .or_insert_with(|| Privileges {
                kind,
                grants: BTreeMap::new(),
            })
            .grants
            .insert(grantee, text);
    }
    out
}

fn describe(kind: &str, object: &str, privileges: &BTreeMap<String, bool>) -> String {
    let full = full_set(kind, object);
    let names: BTreeSet<&str> = privileges.keys().map(String::as_str).collect();
    let grantable: BTreeSet<bool> = privileges.values().copied().collect();
    if full.len() > 1 && full.iter().all(|p| names.contains(p)) && grantable.len() == 1 {
        let rest: Vec<&str> = names
            .iter()
            .copied()
            .filter(|p| !full.contains(p) && *p != "MAINTAIN")
            .collect();
        if rest.is_empty() {
            return if grantable.contains(&true) {
                "ALL WITH GRANT OPTION".to_string()
            } else {
                "ALL".to_string()
            };
        }
    }
    privileges
        .iter()
        .map(|(p, grantable)| {
            if *grantable {
                format!("{p} WITH GRANT OPTION")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(object: &str, grantee: &str, privilege: &str) -> Grant {
        Grant {
            kind: "table".to_string(),
            object: object.to_string(),
            grantee: grantee.to_string(),
            privilege: privilege.to_string(),
            grantable: false,
        }
    }

    #[test]
    fn every_privilege_of_a_table_reads_all_with_or_without_maintain() {
        let all16: Vec<Grant> = full_set("table", "")
            .iter()
            .map(|p| grant("public.secrets", "PUBLIC", p))
            .collect();
        let mut all18 = all16.clone();
        all18.push(grant("public.secrets", "PUBLIC", "MAINTAIN"));
        for grants in [all16, all18] {
            let model = assemble(grants);
            assert_eq!(model["public.secrets"].grants["PUBLIC"], "ALL");
        }
        let some = assemble(vec![
            grant("public.secrets", "app", "UPDATE"),
            grant("public.secrets", "app", "SELECT"),
        ]);
        assert_eq!(some["public.secrets"].grants["app"], "SELECT, UPDATE");
    }
}
