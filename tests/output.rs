//! The output layer, through the real binary: `-q` keeps failures' reasons, a failed
//! migrate shows what it committed, JSON errors are objects, tables fit the width.

mod support;

use support::{Cluster, vsecure, vsecure_in, write};

#[test]
fn quiet_is_silent_on_success_and_says_why_on_failure_in_one_line() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("quiet");
    let url = cluster.url(&db);
    let ok = vsecure(&["-q", "status", "--check"], &[("DATABASE_URL", &url)]);
    assert_eq!(ok.code, 0);
    assert!(
        ok.stdout.is_empty() && ok.stderr.is_empty(),
        "{}{}",
        ok.stdout,
        ok.stderr
    );

    cluster.execute(&db, "CREATE TABLE drifted (id int)");
    let empty = cluster.create_database("quiet_empty");
    let dir = tempfile::tempdir().unwrap();
    let leak = "export PGPASSWORD=Quiet-s3cret-9x\n"; // vsecure:allow (a test fake)
    write(dir.path(), "leak.txt", leak);
    let cases: Vec<(Vec<&str>, String, &str)> = vec![
        (vec!["-q", "drift"], url.clone(), "drift: 1 difference"),
        (vec!["-q", "doctor"], url.clone(), "doctor: 1 problem"),
        (
            vec!["-q", "status", "--check"],
            cluster.url(&empty),
            "pending",
        ),
        (
            vec!["-q", "url", "check"],
            "postgresql://u:p@db.acme.io/d?sslmode=disable".to_string(), // vsecure:allow (a test fake)
            "insecure-sslmode",
        ),
    ];
    for (args, url, why) in cases {
        let run = vsecure(&args, &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
    }
    let scan = vsecure_in(dir.path(), &["-q", "scan", "leak.txt"], &[]);
    assert_eq!(scan.code, 1);
    assert!(scan.stdout.is_empty());
    assert!(
        scan.stderr.contains("1 credential(s) found"),
        "{}",
        scan.stderr
    );
    assert!(!scan.stderr.contains("Quiet-s3cret"));
}

#[test]
fn a_failed_migrate_shows_what_it_committed_then_the_failure() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("partial");
    // V2 creates organizations IF NOT EXISTS, then builds on its columns: a table of that
    // name without them makes V2 fail after V1 committed.
    cluster.execute(&db, "CREATE TABLE organizations (unrelated int)");
    let url = cluster.url(&db);
    let json = vsecure(&["migrate", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(json.code, 5, "{}{}", json.stdout, json.stderr);
    let report = json.json();
    assert_eq!(report["applied"][0]["version"], 1, "{report:#}");
    assert_eq!(report["applied"].as_array().unwrap().len(), 1);
    assert_eq!(report["error"]["exit"], 5);
    assert_eq!(report["error"]["code"], "failed");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("V2__core_auth_oauth"),
        "{report:#}"
    );
    assert_eq!(json.stderr.lines().count(), 1, "{}", json.stderr);

    let db2 = cluster.create_database("partial_table");
    cluster.execute(&db2, "CREATE TABLE organizations (unrelated int)");
    let table = vsecure(&["migrate"], &[("DATABASE_URL", &cluster.url(&db2))]);
    assert_eq!(table.code, 5);
    assert!(table.stdout.contains("applied V1__"), "{}", table.stdout);
    assert!(
        table
            .stdout
            .contains("1 migration(s) applied and committed before the failure"),
        "{}",
        table.stdout
    );
    assert!(
        table.stderr.starts_with("vsecure: error: migration V2__"),
        "{}",
        table.stderr
    );
}

#[test]
fn under_json_an_error_is_also_one_json_object_on_stdout() {
    let run = vsecure(
        &["status", "--format", "json"],
        &[("DATABASE_URL", "postgresql://u:p@db.acme.io:99999/d")], // vsecure:allow (a test fake)
    );
    assert_eq!(run.code, 2);
    let json = run.json();
    assert_eq!(json["error"]["exit"], 2);
    assert_eq!(json["error"]["code"], "connection-string");
    assert!(json["error"]["message"].as_str().unwrap().contains("port"));
    assert_eq!(run.stderr.lines().count(), 1);
    let missing = vsecure(&["status", "--format", "json"], &[]);
    assert_eq!(missing.json()["error"]["code"], "no-database-url");
}

#[test]
fn tables_honour_columns_and_never_collapse() {
    let url = "postgresql://neondb_owner:p@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=disable"; // vsecure:allow (a test fake)
    let narrow = vsecure(
        &["url", "check"],
        &[("DATABASE_URL", url), ("COLUMNS", "60")],
    );
    assert!(
        narrow.stdout.lines().all(|l| l.chars().count() <= 60),
        "{}",
        narrow.stdout
    );
    let zero = vsecure(
        &["url", "check"],
        &[("DATABASE_URL", url), ("COLUMNS", "0")],
    );
    assert!(
        zero.stdout
            .lines()
            .any(|l| l.contains("sslmode=disable may send credentials")),
        "a row is kept whole when no width is known: {}",
        zero.stdout
    );
}

#[test]
fn migrate_to_a_target_says_what_is_left_and_status_lists_by_version() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("target_words");
    let url = cluster.url(&db);
    let first = vsecure(&["migrate", "--target", "3"], &[("DATABASE_URL", &url)]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("3 migration(s) applied; at target V3, 8 pending beyond it"),
        "{}",
        first.stdout
    );
    let again = vsecure(&["migrate", "--target", "3"], &[("DATABASE_URL", &url)]);
    assert!(
        again
            .stdout
            .contains("nothing to apply; at target V3, 8 pending beyond it"),
        "{}",
        again.stdout
    );
    cluster.execute(
        &db,
        "UPDATE refinery_schema_history SET checksum = '1' WHERE version = 2",
    );
    let status = vsecure(&["status"], &[("DATABASE_URL", &url)]);
    let versions: Vec<i32> = status
        .stdout
        .lines()
        .filter_map(|l| l.trim_start_matches('|').split('|').next())
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    assert_eq!(versions, (1..=11).collect::<Vec<_>>(), "{}", status.stdout);
    let applied_row = status
        .stdout
        .lines()
        .find(|l| l.contains("| applied "))
        .unwrap();
    let time = applied_row.split('|').nth(4).unwrap().trim();
    assert!(
        time.len() <= "2026-11-30T19:04:12+00:00".len() && !time.contains('.'),
        "timestamps to the second: {time}"
    );
}

#[test]
fn options_a_job_ignores_are_refused_and_an_unmigrated_database_says_migrate() {
    for args in [
        &["cleanup", "oauth-codes", "--revoked-retention", "5"][..],
        &["cleanup", "key-sessions", "--keep-months", "3"][..],
    ] {
        let run = vsecure(args, &[("DATABASE_URL", "postgresql://u:p@127.0.0.1/d")]); // vsecure:allow (a test fake)
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("applies to"), "{}", run.stderr);
    }
    let cluster = Cluster::shared();
    let db = cluster.create_database("unmigrated_cleanup");
    let run = vsecure(&["cleanup", "all"], &[("DATABASE_URL", &cluster.url(&db))]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("run vsecure migrate first"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_nearest_env_file_is_found_and_verbose_says_where_the_url_came_from() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("parent_env");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        &format!("DATABASE_URL='{}'\n", cluster.url(&db)),
    );
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    let run = vsecure_in(&nested, &["-v", "status", "--check"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("connection string from env file") && run.stderr.contains(".env"),
        "{}",
        run.stderr
    );
}

#[test]
fn baseline_lists_migrations_as_version_and_name_like_status() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("baseline_json");
    let run = vsecure(
        &["baseline", "--version", "3", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["already_applied"][0]["version"], 1, "{json:#}");
    assert_eq!(json["already_applied"][0]["name"], "extensions_and_helpers");
}
