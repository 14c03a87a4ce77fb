//! Writing a migration: `migration new` writes a file refinery picks up, `migration list`
//! shows what this binary carries, `--version` names the newest, and `migrate --dry-run
//! --sql` prints what would run.

mod support;

use std::path::Path;

use support::{Cluster, vsecure, vsecure_in};
use vsecure::migrate::MigrationSet;

fn copy_of_the_migrations() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("migrations").join(entry.file_name()),
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_new_migration_gets_the_next_version_and_refinery_picks_it_up() {
    let repo = copy_of_the_migrations();
    let run = vsecure_in(repo.path(), &["migration", "new", "add_user_locale"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("migrations/V12__add_user_locale.sql\n"),
        "{}",
        run.stdout
    );
    let written = repo.path().join("migrations/V12__add_user_locale.sql");
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(text.contains("lock_timeout"), "{text}");
    // What refinery's embed_migrations! reads at build time, from the same folder.
    let found = refinery::load_sql_migrations(repo.path().join("migrations")).unwrap();
    let newest = found.iter().max_by_key(|m| m.version()).unwrap();
    assert_eq!((newest.version(), newest.name()), (12, "add_user_locale"));
    assert_eq!(found.len(), 12);

    let json = vsecure_in(
        repo.path(),
        &[
            "migration",
            "new",
            "index_events",
            "--no-transaction",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(json.json()["version"], 13);
    let text =
        std::fs::read_to_string(repo.path().join("migrations/V13__index_events.sql")).unwrap();
    let set = MigrationSet::from_sources([("V13__index_events", text.as_str())]).unwrap();
    assert!(
        set.files()[0].no_transaction,
        "the directive is the first line"
    );
}

#[test]
fn names_versions_and_folders_that_would_not_work_are_refused() {
    let repo = copy_of_the_migrations();
    for name in ["add-user-locale", "add user locale"] {
        let run = vsecure_in(repo.path(), &["migration", "new", name], &[]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(
            run.stderr.contains("would not be picked up"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("try \"add_user_locale\""),
            "{}",
            run.stderr
        );
    }
    let taken = vsecure_in(
        repo.path(),
        &["migration", "new", "again", "--version", "3"],
        &[],
    );
    assert_eq!(taken.code, 2);
    assert!(
        taken
            .stderr
            .contains("version 3 is taken by V3__memory_and_ai.sql"),
        "{}",
        taken.stderr
    );
    let nowhere = tempfile::tempdir().unwrap();
    let missing = vsecure_in(nowhere.path(), &["migration", "new", "x"], &[]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no migrations folder"),
        "{}",
        missing.stderr
    );
    let files = std::fs::read_dir(repo.path().join("migrations"))
        .unwrap()
        .count();
    assert_eq!(files, 11, "nothing was written");
}

#[test]
fn the_embedded_migrations_are_listed_offline_and_named_by_version() {
    let run = vsecure(&["migration", "list", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed = run.json()["migrations"].as_array().unwrap().clone();
    let set = MigrationSet::embedded().unwrap();
    assert_eq!(listed.len(), set.files().len());
    for (row, file) in listed.iter().zip(set.files()) {
        assert_eq!(row["version"], file.version());
        assert_eq!(row["name"], file.name());
        assert_eq!(row["checksum"], file.checksum().to_string());
        assert_eq!(row["transaction"], "transaction");
        assert!(row["statements"].as_u64().unwrap() > 0, "{row}");
    }
    let version = vsecure(&["--version"], &[]);
    let newest = set.files().last().unwrap().label();
    assert!(version.stdout.contains(&newest), "{}", version.stdout);
}

#[test]
fn a_dry_run_prints_the_sql_that_would_run_and_runs_none() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("dry_sql");
    let url = cluster.url(&db);
    let run = vsecure(
        &["migrate", "--dry-run", "--sql"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("-- V1__extensions_and_helpers\nBEGIN;\n"),
        "{}",
        &run.stdout[..200]
    );
    assert_eq!(
        run.stdout
            .matches("INSERT INTO refinery_schema_history")
            .count(),
        11
    );
    assert_eq!(run.stdout.matches("COMMIT;").count(), 11);
    let history = cluster.query_strings(
        &db,
        "SELECT (to_regclass('refinery_schema_history') IS NULL)::text",
    );
    assert_eq!(history, ["true"], "a dry run changes nothing");
    let without = vsecure(&["migrate", "--sql"], &[("DATABASE_URL", &url)]);
    assert_eq!(without.code, 2, "--sql needs --dry-run");
}
