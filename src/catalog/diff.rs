//! Compares an expected schema model with an actual one, object by object and
//! attribute by attribute, and names every difference.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{SchemaModel, Sequence, Table};

/// How an object differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Expected but absent.
    Missing,
    /// Present but not expected.
    Unexpected,
    /// Present on both sides with a different attribute.
    Changed,
}

impl Change {
    /// The word used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Missing => "missing",
            Change::Unexpected => "unexpected",
            Change::Changed => "changed",
        }
    }
}

/// One difference between the expected and the actual schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Difference {
    /// The kind of object: extension, schema, enum, table, column, constraint, index,
    /// policy, trigger, partition, function, view or sequence.
    pub kind: &'static str,
    /// The object, qualified: `public.users`, `public.users.email` for a column.
    pub object: String,
    /// missing, unexpected or changed.
    pub change: Change,
    /// For a change, which attribute differs (`type`, `default`, `nullable`, `body`, ...).
    pub attribute: Option<String>,
    /// What the expected schema holds (for a missing object, a summary of it).
    pub expected: Option<String>,
    /// What the database holds (for an unexpected object, a summary of it).
    pub actual: Option<String>,
}

impl Difference {
    /// A name for what happened, e.g. `column type changed`, `table missing`.
    pub fn description(&self) -> String {
        if self.kind == "privilege" {
            return match self.change {
                Change::Missing => "privilege revoked".to_string(),
                Change::Unexpected => "privilege granted".to_string(),
                Change::Changed => "privileges changed".to_string(),
            };
        }
        match &self.attribute {
            Some(attribute) => format!("{} {} changed", self.kind, attribute.replace('_', " ")),
            None => format!("{} {}", self.kind, self.change.as_str()),
        }
    }
}

/// Every difference between `expected` and `actual`, sorted by object.
pub fn diff(expected: &SchemaModel, actual: &SchemaModel) -> Vec<Difference> {
    let mut out = Vec::new();
    let schemas = |m: &SchemaModel| -> BTreeMap<String, String> {
        m.schemas
            .iter()
            .map(|s| (s.clone(), "schema".to_string()))
            .collect()
    };
    compare(
        "schema",
        "",
        &schemas(expected),
        &schemas(actual),
        &mut out,
        |s| s.clone(),
    );
    compare(
        "extension",
        "",
        &expected.extensions,
        &actual.extensions,
        &mut out,
        |e| {
            e.version
                .clone()
                .unwrap_or_else(|| "(the server's default version)".to_string())
        },
    );
    compare("enum", "", &expected.enums, &actual.enums, &mut out, |l| {
        l.join(", ")
    });
    compare_tables("table", &expected.tables, &actual.tables, &mut out);
    // What is written on a partition, where the partition is on both sides (one side's
    // only is named by its `partition` line).
    let on_both = |m: &SchemaModel, other: &SchemaModel| -> BTreeMap<String, Table> {
        m.partition_objects
            .iter()
            .filter(|(name, _)| other.partition_objects.contains_key(*name))
            .map(|(name, t)| (name.clone(), t.clone()))
            .collect()
    };
    compare_tables(
        "partition",
        &on_both(expected, actual),
        &on_both(actual, expected),
        &mut out,
    );
    compare(
        "function",
        "",
        &expected.functions,
        &actual.functions,
        &mut out,
        |f| {
            format!(
                "{} {}",
                f.language,
                f.result.as_deref().unwrap_or("(procedure)")
            )
        },
    );
    compare("view", "", &expected.views, &actual.views, &mut out, |v| {
        v.definition.clone()
    });
    for (name, e) in &expected.views {
        if let Some(a) = actual.views.get(name) {
            let (ie, ia) = renamed_pairs(&e.indexes, &a.indexes);
            let prefix = format!("{name}.");
            compare("index", &prefix, &ie, &ia, &mut out, |i| {
                i.definition.clone()
            });
        }
    }
    let (es, as_) = (
        free_sequences(&expected.sequences, expected, actual),
        free_sequences(&actual.sequences, expected, actual),
    );
    compare("sequence", "", &es, &as_, &mut out, |s| s.data_type.clone());
    for kind in ["domain", "composite type", "range type", "collation"] {
        let of_kind = |m: &SchemaModel| -> BTreeMap<String, String> {
            m.types
                .iter()
                .filter(|(_, t)| t.kind == kind)
                .map(|(name, t)| (name.clone(), t.definition.clone()))
                .collect()
        };
        compare(
            kind,
            "",
            &of_kind(expected),
            &of_kind(actual),
            &mut out,
            |d| d.clone(),
        );
    }
    for kind in [
        "rule",
        "statistics",
        "event trigger",
        "aggregate",
        "comment",
        "owner",
    ] {
        let empty = BTreeMap::new();
        let (e, a) = (
            expected.others.get(kind).unwrap_or(&empty),
            actual.others.get(kind).unwrap_or(&empty),
        );
        compare(kind, "", e, a, &mut out, |d| d.clone());
    }
    // An object one side lacks is named once, by its own line: its privileges are
    // compared only where it exists on both sides (default privileges always).
    let on_both = |object: &str, kind: &str| {
        object.starts_with("for ")
            || (expected.has_privilege_object(kind, object)
                && actual.has_privilege_object(kind, object))
    };
    let grants = |m: &SchemaModel| -> BTreeMap<String, String> {
        m.privileges
            .iter()
            .filter(|(object, p)| on_both(object, &p.kind))
            .flat_map(|(object, p)| {
                p.grants
                    .iter()
                    .map(move |(grantee, held)| (format!("{object} TO {grantee}"), held.clone()))
            })
            .collect()
    };
    compare(
        "privilege",
        "",
        &grants(expected),
        &grants(actual),
        &mut out,
        |held| held.clone(),
    );
    out.sort_by(|a, b| (&a.object, a.kind).cmp(&(&b.object, b.kind)));
    out
}

/// The sequences that are not owned by a table missing on one side: a serial column's
/// sequence goes with its table, which is already reported.
fn free_sequences(
    sequences: &BTreeMap<String, Sequence>,
    expected: &SchemaModel,
    actual: &SchemaModel,
) -> BTreeMap<String, Sequence> {
    sequences
        .iter()
        .filter(|(name, s)| {
            let owner = s
                .owned_by
                .as_deref()
                .and_then(|o| o.rsplit_once('.'))
                .map(|(table, _)| table);
            // A sequence on both sides is compared whoever owns it (a changed OWNED BY
            // is one changed sequence); one side's only is left to its table's line.
            let on_both =
                expected.sequences.contains_key(*name) && actual.sequences.contains_key(*name);
            on_both
                || owner.is_none_or(|t| {
                    expected.tables.contains_key(t) && actual.tables.contains_key(t)
                })
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn compare_tables(
    kind: &'static str,
    expected: &BTreeMap<String, Table>,
    actual: &BTreeMap<String, Table>,
    out: &mut Vec<Difference>,
) {
    compare(kind, "", expected, actual, out, |t| t.kind.clone());
    for (name, e) in expected {
        let Some(a) = actual.get(name) else { continue };
        let prefix = format!("{name}.");
        compare("column", &prefix, &e.columns, &a.columns, out, |c| {
            let mut s = c.data_type.clone();
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            s
        });
        let (ce, ca) = renamed_pairs(&e.constraints, &a.constraints);
        compare("constraint", &prefix, &ce, &ca, out, |c| {
            c.definition.clone()
        });
        let (ie, ia) = renamed_pairs(&e.indexes, &a.indexes);
        compare("index", &prefix, &ie, &ia, out, |i| i.definition.clone());
        compare("policy", &prefix, &e.policies, &a.policies, out, |p| {
            format!("{} USING {}", p.command, p.using.as_deref().unwrap_or("-"))
        });
        let (te, ta) = renamed_pairs(&e.triggers, &a.triggers);
        compare("trigger", &prefix, &te, &ta, out, |t| t.definition.clone());
        let managed = |partition: &String, _: &String| !is_managed_partition(name, partition);
        let ap: BTreeMap<String, String> = a
            .partitions
            .iter()
            .filter(|(p, b)| e.partitions.contains_key(*p) || managed(p, b))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        compare("partition", "", &e.partitions, &ap, out, |b| b.clone());
    }
}

/// Monthly partitions `<table>_YYYY_MM` come and go with `vsecure partitions ensure` and
/// `cleanup analytics`: data maintenance, not schema.
fn is_managed_partition(table: &str, partition: &str) -> bool {
    let Some(suffix) = partition
        .strip_prefix(table)
        .and_then(|s| s.strip_prefix('_'))
    else {
        return false;
    };
    let bytes = suffix.as_bytes();
    bytes.len() == 7
        && bytes[4] == b'_'
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[5..].iter().all(u8::is_ascii_digit)
}

/// Objects that exist on both sides under different names but with the same content are
/// the same object: names the server generated (`users_email_key1`) or a hand-written
/// script chose are not drift. Returns both maps with such pairs renamed to the expected
/// name on the actual side.
fn renamed_pairs<T: Clone + PartialEq>(
    expected: &BTreeMap<String, T>,
    actual: &BTreeMap<String, T>,
) -> (BTreeMap<String, T>, BTreeMap<String, T>) {
    let mut actual = actual.clone();
    for (name, value) in expected {
        if actual.contains_key(name) {
            continue;
        }
        let twin = actual
            .iter()
            .find(|(other, v)| *v == value && !expected.contains_key(*other))
            .map(|(other, _)| other.clone());
        if let Some(other) = twin
            && let Some(v) = actual.remove(&other)
        {
            actual.insert(name.clone(), v);
        }
    }
    (expected.clone(), actual)
}

/// Compares two maps of objects of one kind: missing, unexpected, and each scalar
/// attribute that differs on objects present on both sides.
fn compare<T: Serialize + PartialEq>(
    kind: &'static str,
    prefix: &str,
    expected: &BTreeMap<String, T>,
    actual: &BTreeMap<String, T>,
    out: &mut Vec<Difference>,
    summary: impl Fn(&T) -> String,
) {
    for (name, e) in expected {
        let object = format!("{prefix}{name}");
        match actual.get(name) {
            None => out.push(Difference {
                kind,
                object,
                change: Change::Missing,
                attribute: None,
                expected: Some(summary(e)),
                actual: None,
            }),
            Some(a) if a != e => {
                let (ea, aa) = (attributes(kind, e), attributes(kind, a));
                for (attribute, ev) in &ea {
                    let av = aa.get(attribute).cloned().flatten();
                    if *ev != av {
                        out.push(Difference {
                            kind,
                            object: object.clone(),
                            change: Change::Changed,
                            attribute: Some(attribute.clone()),
                            expected: ev.clone(),
                            actual: av,
                        });
                    }
                }
            }
            Some(_) => {}
        }
    }
    for (name, a) in actual {
        if !expected.contains_key(name) {
            out.push(Difference {
                kind,
                object: format!("{prefix}{name}"),
                change: Change::Unexpected,
                attribute: None,
                expected: None,
                actual: Some(summary(a)),
            });
        }
    }
}

/// The scalar attributes of an object as text (lists joined with `, `); nested maps
/// (a table's columns and the like) are compared on their own and left out here.
fn attributes<T: Serialize>(kind: &str, value: &T) -> BTreeMap<String, Option<String>> {
    let mut map = BTreeMap::new();
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(fields)) => {
            for (key, field) in fields {
                if let Some(text) = scalar_text(&field) {
                    map.insert(key, text);
                }
            }
        }
        Ok(other) => {
            if let Some(text) = scalar_text(&other) {
                map.insert(scalar_attribute(kind).to_string(), text);
            }
        }
        Err(_) => {}
    }
    map
}

/// The name of the one attribute of an object that is a bare value.
fn scalar_attribute(kind: &str) -> &'static str {
    match kind {
        "enum" => "labels",
        "partition" => "bound",
        _ => "value",
    }
}

/// `Some(None)` for null, `Some(Some(text))` for a scalar or a list, `None` for a map.
fn scalar_text(value: &serde_json::Value) -> Option<Option<String>> {
    use serde_json::Value;
    match value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        Value::Bool(b) => Some(Some(b.to_string())),
        Value::Number(n) => Some(Some(n.to_string())),
        Value::Array(items) => Some(Some(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        )),
        Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_partitions_are_recognised() {
        assert!(is_managed_partition(
            "public.usage_analytics",
            "public.usage_analytics_2026_11"
        ));
        assert!(!is_managed_partition(
            "public.usage_analytics",
            "public.usage_analytics_default"
        ));
        assert!(!is_managed_partition(
            "public.usage_analytics",
            "public.usage_analytics_2026_1x"
        ));
    }

    #[test]
    fn an_object_renamed_with_the_same_content_is_not_drift() {
        let expected = BTreeMap::from([("users_email_key".to_string(), 1)]);
        let actual = BTreeMap::from([("users_email_key1".to_string(), 1)]);
        let (e, a) = renamed_pairs(&expected, &actual);
        let mut out = Vec::new();
        compare("index", "", &e, &a, &mut out, |v| v.to_string());
        assert!(out.is_empty(), "{out:?}");
    }
}
