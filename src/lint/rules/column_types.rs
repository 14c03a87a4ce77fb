//! Column types that cost a rewrite later or store the wrong thing: varchar(n)/char(n),
//! int/smallint keys, serial, timestamp without time zone. One rule each, in one module
//! since they read the same column definitions.

use crate::lint::{Context, Hit, Rule, RuleInfo, Severity, tree};
use crate::sqlparse::Statement;

/// The columns of a statement whose type matches, as hits naming them.
fn columns_of_type(
    statement: &Statement<'_>,
    matches: impl Fn(&str, bool, &str) -> Option<String>,
) -> Vec<Hit> {
    let Some(node) = &statement.node else {
        return Vec::new();
    };
    let keys = tree::primary_key_columns(node);
    tree::column_defs(node)
        .into_iter()
        .filter_map(|(table, column)| {
            let (name, sized) = tree::type_name(&column.type_name);
            let is_key = keys.contains(&column.colname);
            let what = matches(&name, sized, if is_key { "key" } else { "" })?;
            Some(Hit {
                message: format!("{table}.{} is {what}", column.colname),
                at: tree::at(column.location, statement.offset),
            })
        })
        .collect()
}

/// `prefer-text-over-varchar`.
pub struct PreferText;

impl Rule for PreferText {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-text-over-varchar",
            severity: Severity::Warning,
            summary: "a varchar(n) or char(n) column",
            why: "the length limit is a constraint that cannot be relaxed without an ALTER TYPE (a rewrite for some changes); char(n) pads with spaces; text performs the same",
            fix: "use text, with a CHECK (char_length(col) <= n) constraint when a limit is a real rule (it can be changed NOT VALID)",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        columns_of_type(statement, |name, sized, _| match name {
            "varchar" if sized => Some("varchar(n)".to_string()),
            "bpchar" => Some("char(n)".to_string()),
            _ => None,
        })
    }
}

/// `prefer-bigint-keys`.
pub struct PreferBigintKeys;

impl Rule for PreferBigintKeys {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-bigint-keys",
            severity: Severity::Warning,
            summary: "an integer or smallint primary key",
            why: "a 32-bit key runs out at 2.1 billion rows or sequence values, and widening it later rewrites the table and every table referencing it",
            fix: "use bigint (bigint GENERATED ALWAYS AS IDENTITY) or uuid keys",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        columns_of_type(statement, |name, _, role| match (name, role) {
            ("int4" | "int2" | "serial" | "serial4" | "smallserial" | "serial2", "key") => {
                Some(format!("a {name} primary key"))
            }
            _ => None,
        })
    }
}

/// `prefer-identity`.
pub struct PreferIdentity;

impl Rule for PreferIdentity {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-identity",
            severity: Severity::Warning,
            summary: "a serial column",
            why: "serial creates a separate sequence with its own owner and grants that drift from the table's; identity columns are the SQL-standard form and keep the sequence part of the column",
            fix: "bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT)",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        columns_of_type(statement, |name, _, _| {
            matches!(
                name,
                "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
            )
            .then(|| format!("{name} (a sequence of its own)"))
        })
    }
}

/// `prefer-timestamptz`.
pub struct PreferTimestamptz;

impl Rule for PreferTimestamptz {
    fn info(&self) -> RuleInfo {
        RuleInfo {
            id: "prefer-timestamptz",
            severity: Severity::Warning,
            summary: "a timestamp without time zone column",
            why: "timestamp stores a wall-clock reading without its zone: the same instant reads differently from sessions with other TimeZone settings, and comparisons with now() depend on the session",
            fix: "use timestamptz (timestamp with time zone), which stores an instant",
        }
    }

    fn check(&self, statement: &Statement<'_>, _cx: &Context) -> Vec<Hit> {
        columns_of_type(statement, |name, _, _| {
            (name == "timestamp").then(|| "timestamp without time zone".to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::check;

    #[test]
    fn varchar_and_char() {
        check(
            &super::PreferText,
            &[
                "CREATE TABLE t (a varchar(20));",
                "ALTER TABLE t ADD COLUMN c char(2);",
            ],
            &["CREATE TABLE t (a text, b varchar);"],
        );
    }

    #[test]
    fn integer_keys() {
        check(
            &super::PreferBigintKeys,
            &[
                "CREATE TABLE t (id int PRIMARY KEY);",
                "CREATE TABLE t (id integer, PRIMARY KEY (id));",
            ],
            &[
                "CREATE TABLE t (id bigint PRIMARY KEY, n int);",
                "CREATE TABLE t (id uuid PRIMARY KEY);",
            ],
        );
    }

    #[test]
    fn serial() {
        check(
            &super::PreferIdentity,
            &["CREATE TABLE t (id bigserial PRIMARY KEY);"],
            &["CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"],
        );
    }

    #[test]
    fn timestamp_without_zone() {
        check(
            &super::PreferTimestamptz,
            &[
                "CREATE TABLE t (at timestamp);",
                "ALTER TABLE t ADD COLUMN at timestamp without time zone;",
            ],
            &["CREATE TABLE t (at timestamptz, b timestamp with time zone);"],
        );
    }
}
