//! `vsecure lint` on the real binary: the shipped migrations pass (through the committed
//! baseline), a dangerous new migration fails with rustc-like findings, suppressions
//! need a reason, and SARIF and GitHub annotations carry the same findings.

mod support;

use std::path::Path;

use support::{vsecure, vsecure_in};

const DANGEROUS: &str = "-- a new migration\n\
ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();\n\
CREATE INDEX users_seen ON users (seen);\n\
ALTER TABLE users ADD COLUMN note varchar(80);\n";

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_migrations_pass_through_the_committed_baseline() {
    // No database (a quick start's .env in the checkout would make lint read only the
    // migrations it has not applied): every shipped migration is linted.
    let empty = tempfile::NamedTempFile::new().unwrap();
    let env_file = empty.path().to_str().unwrap();
    let run = vsecure_in(repo_root(), &["lint", "--env-file", env_file], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("11 file(s), 0 error(s)"),
        "{}",
        run.stdout
    );
    let without = vsecure_in(
        repo_root(),
        &[
            "lint",
            "--env-file",
            env_file,
            "--baseline",
            "/nonexistent.toml",
        ],
        &[],
    );
    assert_eq!(without.code, 1, "the baseline is what accepts them");
}

#[test]
fn a_dangerous_migration_fails_with_located_findings_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let file = support::write(dir.path(), "V11__seen.sql", DANGEROUS);
    let path = file.to_str().unwrap();
    let run = vsecure(&["lint", path], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("error[adding-volatile-default]: adding users.seen with the volatile default clock_timestamp() rewrites users"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("--> {path}:2:")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("error[require-concurrent-index-creation]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("warning[prefer-text-over-varchar]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("= help: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("^^^"),
        "the statement is underlined: {}",
        run.stdout
    );

    let json = vsecure(&["lint", path, "--format", "json"], &[]).json();
    assert_eq!(json["errors"], 2, "{json}");
    let lines: Vec<u64> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert!(
        lines.contains(&2) && lines.contains(&3) && lines.contains(&4),
        "{lines:?}"
    );

    let excluded = vsecure(
        &[
            "lint",
            path,
            "--exclude",
            "adding-volatile-default",
            "--exclude",
            "require-concurrent-index-creation",
            "--exclude",
            "require-lock-timeout",
        ],
        &[],
    );
    assert_eq!(
        excluded.code, 0,
        "only a warning is left: {}",
        excluded.stdout
    );
}

#[test]
fn a_suppression_needs_a_reason_and_accepts_its_statement_only() {
    let dir = tempfile::tempdir().unwrap();
    let accepted = support::write(
        dir.path(),
        "V12__index.sql",
        "SET LOCAL lock_timeout = '2s';\n\
         -- vsecure:lint-ignore require-concurrent-index-creation: users has 40 rows in production\n\
         CREATE INDEX users_seen ON users (seen);\n\
         CREATE INDEX users_note ON users (note);\n",
    );
    let run = vsecure(
        &["lint", accepted.to_str().unwrap(), "--format", "json"],
        &[],
    );
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{json}");
    assert_eq!(findings[0]["accepted"], "users has 40 rows in production");
    assert!(
        findings[1].get("accepted").is_none(),
        "the next statement is not covered"
    );
    assert_eq!(run.code, 1);

    let bare = support::write(
        dir.path(),
        "V13__bare.sql",
        "-- vsecure:lint-ignore require-concurrent-index-creation\nCREATE INDEX i ON users (a);\n",
    );
    let run = vsecure(&["lint", bare.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("line 1: a lint-ignore comment needs a rule and a reason"),
        "{}",
        run.stderr
    );
}

#[test]
fn sarif_and_github_annotations_carry_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = support::write(dir.path(), "V11__seen.sql", DANGEROUS);
    let path = file.to_str().unwrap();
    let sarif = vsecure(&["lint", path, "--format", "sarif"], &[]);
    assert_eq!(sarif.code, 1);
    let log = sarif.json();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "vsecure");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert!(
            rules.contains(&result["ruleId"].as_str().unwrap()),
            "{result}"
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 2, "{result}");
        assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
    }
    let github = vsecure(&["lint", path, "--format", "github"], &[]);
    let first = github.stdout.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "::error file={},line=2,col=",
            path.replace(':', "%3A").replace(',', "%2C")
        )),
        "{first}"
    );
    let refused = vsecure(&["status", "--format", "sarif"], &[]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("applies to vsecure lint and scan only"),
        "{}",
        refused.stderr
    );
}

#[test]
fn every_rule_is_explained() {
    let all = vsecure(&["lint", "--explain", "all", "--format", "json"], &[]);
    assert_eq!(all.code, 0);
    let rules = all.json();
    assert!(rules.as_array().unwrap().len() >= 24);
    for rule in rules.as_array().unwrap() {
        for field in ["id", "why", "fix", "summary"] {
            assert!(!rule[field].as_str().unwrap().is_empty(), "{rule}");
        }
    }
    let one = vsecure(&["lint", "--explain", "grant-to-public"], &[]);
    assert!(
        one.stdout.contains("why: PUBLIC is every role"),
        "{}",
        one.stdout
    );
    let none = vsecure(&["lint", "--explain", "no-such-rule"], &[]);
    assert_eq!(none.code, 2);
}

/// `--observe` applies the migrations to a shadow database and reports what each
/// statement did: the rewrite of a volatile default, the SHARE lock CREATE INDEX holds
/// while it scans, none for CONCURRENTLY, no long lock for NOT VALID.
#[test]
fn observe_reports_rewrites_and_long_locks_and_leaves_no_shadow_database() {
    let cluster = support::Cluster::shared();
    let db = cluster.create_database("lint_observe");
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    support::write(
        &migrations,
        "V1__base.sql",
        "CREATE TABLE parent (id int PRIMARY KEY);\n\
         CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);\n\
         INSERT INTO parent VALUES (1);\nINSERT INTO t (a) VALUES (1);\n",
    );
    support::write(
        &migrations,
        "V2__change.sql",
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp();\n\
         CREATE INDEX t_a ON t (a);\n\
         ALTER TABLE t ADD CONSTRAINT t_parent FOREIGN KEY (a) REFERENCES parent (id) NOT VALID;\n\
         ALTER TABLE t ADD COLUMN d int;\n",
    );
    support::write(
        &migrations,
        "V3__concurrent.sql",
        "-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_d ON t (d);\n",
    );
    let url = cluster.url(&db);
    let run = vsecure_in(
        dir.path(),
        &[
            "lint",
            "migrations/V2__change.sql",
            "migrations/V3__concurrent.sql",
            "--observe",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let json = run.json();
    let observed = json["observed"].as_array().unwrap().clone();
    let at = |file: &str, line: u64| {
        observed
            .iter()
            .find(|o| o["file"].as_str().unwrap().ends_with(file) && o["line"] == line)
            .unwrap_or_else(|| panic!("no observation of {file}:{line}: {observed:?}"))
            .clone()
    };
    let default = at("V2__change.sql", 1);
    assert_eq!(default["rewritten"][0], "public.t", "{default}");
    let index = at("V2__change.sql", 2);
    let locks = index["locks"].as_array().unwrap();
    assert!(
        locks
            .iter()
            .any(|l| l["table"] == "public.t" && l["mode"] == "ShareLock" && l["long"] == true),
        "{index}"
    );
    let not_valid = at("V2__change.sql", 3);
    assert!(
        not_valid["locks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["long"] == false),
        "{not_valid}"
    );
    assert!(
        !not_valid["locks"].as_array().unwrap().is_empty(),
        "the brief locks are listed: {not_valid}"
    );
    let concurrent = at("V3__concurrent.sql", 2);
    assert!(
        concurrent["locks"].as_array().unwrap().is_empty(),
        "{concurrent}"
    );
    assert!(
        concurrent["rewritten"].as_array().unwrap().is_empty(),
        "{concurrent}"
    );

    let table = vsecure_in(
        dir.path(),
        &["lint", "migrations/V2__change.sql", "--observe"],
        &[("DATABASE_URL", &url)],
    );
    assert!(
        table
            .stdout
            .contains("ShareLock on public.t held while it was scanned or rewritten"),
        "{}",
        table.stdout
    );
    let left = cluster.query_strings(
        "postgres",
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'vsecure\\_shadow\\_%'",
    );
    assert_eq!(left, ["0"], "no shadow database is left");
    let untouched = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    );
    assert_eq!(untouched, ["0"], "the database itself is untouched");
}

/// `--live` weighs each finding with its table's rows and size; a lock on an empty
/// table drops to a warning.
#[test]
fn live_weighs_findings_with_the_tables_in_the_database() {
    let cluster = support::Cluster::shared();
    let db = cluster.create_database("lint_live");
    cluster.execute(
        &db,
        "CREATE TABLE big (x int); INSERT INTO big SELECT generate_series(1, 5000); ANALYZE big;
         CREATE TABLE empty (x int); ANALYZE empty;",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = support::write(
        dir.path(),
        "V20__index.sql",
        "SET LOCAL lock_timeout = '2s';\nCREATE INDEX big_x ON big (x);\nCREATE INDEX empty_x ON empty (x);\n",
    );
    let run = vsecure(
        &["lint", file.to_str().unwrap(), "--live", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let big = findings.iter().find(|f| f["line"] == 2).unwrap();
    assert_eq!(big["severity"], "error");
    assert!(
        big["weight"]
            .as_str()
            .unwrap()
            .starts_with("public.big: 5000 rows"),
        "{big}"
    );
    let empty = findings.iter().find(|f| f["line"] == 3).unwrap();
    assert_eq!(empty["severity"], "warning", "{empty}");
    assert!(
        empty["message"].as_str().unwrap().contains("empty"),
        "{empty}"
    );
    let without = vsecure(&["lint", file.to_str().unwrap(), "--live"], &[]);
    assert_eq!(without.code, 2, "--live needs a database");
}

/// The SARIF output validates against the SARIF 2.1.0 schema, through a model generated
/// from it (PyPI's pydantic-sarif, strict about unknown properties), accepted findings
/// with their suppressions included.
#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = support::write(
        dir.path(),
        "V11__seen.sql",
        &format!(
            "{DANGEROUS}-- vsecure:lint-ignore prefer-identity: a test of suppressions\nCREATE TABLE n (id serial);\n"
        ),
    );
    let sarif = vsecure(&["lint", file.to_str().unwrap(), "--format", "sarif"], &[]);
    assert_eq!(sarif.code, 1);
    assert!(
        sarif.stdout.contains("\"suppressions\""),
        "an accepted finding is in the log"
    );
    support::assert_valid_sarif(&sarif.stdout);
}
