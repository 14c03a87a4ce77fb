//! Migrations against real servers: the whole schema, concurrency, failures that leave
//! nothing behind, lock timeouts, divergence, corrupt history, statements outside a
//! transaction, baseline.

mod support;

use std::time::Duration;

use support::{Cluster, NEON_HOST, NEON_POOLER_HOST, block_on, connect, vsecure};
use vsecure::migrate::{
    self, BaselineOptions, MigrateError, MigrateOptions, MigrationSet, SetError,
};

/// Every table schema.md names, groups 1 to 7.
const SCHEMA_TABLES: &[&str] = &[
    "organizations",
    "users",
    "profiles",
    "social_accounts",
    "oauth_clients",
    "oauth_authorization_codes",
    "oauth_tokens",
    "oauth_audit_log",
    "topics",
    "memory_entries",
    "memory_versions",
    "vector_documents",
    "ai_recommendations",
    "api_key_projects",
    "stored_api_keys",
    "key_rotation_policies",
    "key_usage_analytics",
    "key_security_events",
    "mcp_key_tools",
    "mcp_key_access_requests",
    "mcp_key_sessions",
    "mcp_proxy_tokens",
    "mcp_key_audit_log",
    "api_keys",
    "company_projects",
    "project_stages",
    "project_teams",
    "project_audit_log",
    "tasks",
    "sub_tasks",
    "task_dependencies",
    "task_priorities",
    "task_statuses",
    "teams",
    "team_members",
    "workflows",
    "client_organizations",
    "client_api_keys",
    "client_billing_records",
    "client_transactions",
    "client_usage_logs",
    "vendor_organizations",
    "vendor_api_keys",
    "vendor_usage_logs",
    "vendor_billing_records",
    "vendor_platform_sessions",
    "beneficiaries",
    "bulk_payments",
    "external_vendor_keys",
    "external_vendor_key_audit_log",
    "usage_analytics",
    "secrets",
    "security_logs",
];

fn options() -> MigrateOptions {
    MigrateOptions {
        dry_run: false,
        target: None,
        lock_wait: Duration::from_secs(10),
    }
}

fn history_versions(cluster: &Cluster, db: &str) -> Vec<String> {
    cluster.query_strings(
        db,
        "SELECT version FROM refinery_schema_history ORDER BY version",
    )
}

#[test]
fn migrate_builds_the_whole_schema_over_tls_and_a_second_run_changes_nothing() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("full");
    let url = cluster.url(&db);
    assert!(url.contains(NEON_HOST) && url.contains("channel_binding=require"));
    let run = vsecure(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains("applied V1__extensions_and_helpers"),
        "{}",
        run.stdout
    );

    let present = cluster.query_strings(
        &db,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
    );
    for table in SCHEMA_TABLES {
        assert!(present.iter().any(|p| p == table), "table {table} missing");
    }
    for test_table in ["simple_users", "playing_with_neon"] {
        assert!(!present.iter().any(|p| p == test_table));
    }
    for table in [
        "organizations",
        "users",
        "memory_entries",
        "api_keys",
        "oauth_tokens",
        "stored_api_keys",
        "secrets",
    ] {
        let rls = cluster.query_strings(
            &db,
            &format!("SELECT relrowsecurity FROM pg_class WHERE oid = '{table}'::regclass"),
        );
        assert_eq!(rls, ["t"], "RLS off on {table}");
    }
    let permissive_true = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_policies WHERE qual = 'true' OR qual ILIKE '%auth.uid%'",
    );
    assert_eq!(permissive_true, ["0"]);
    let clients = cluster.query_strings(&db, "SELECT client_id FROM oauth_clients ORDER BY 1");
    assert_eq!(clients, ["cursor-extension", "onasis-cli"]);
    let partitioning = cluster.query_strings(
        &db,
        "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'usage_analytics'::regclass",
    );
    assert_eq!(partitioning, ["r"]);
    assert_eq!(history_versions(cluster, &db).len(), 11);

    let again = vsecure(&["migrate", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["applied"].as_array().unwrap().len(), 0);
    let status = vsecure(
        &["status", "--check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(status.code, 0, "{}", status.stdout);
    assert_eq!(status.json()["applied"].as_array().unwrap().len(), 11);
}

#[test]
fn the_schema_works_tenant_isolation_versions_and_similarity_search() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("works");
    assert_eq!(
        vsecure(&["migrate", "-q"], &[("DATABASE_URL", &cluster.url(&db))]).code,
        0
    );
    cluster.execute(
        &db,
        "INSERT INTO organizations (id, name) VALUES
            ('00000000-0000-0000-0000-000000000001', 'a'), ('00000000-0000-0000-0000-000000000002', 'b');
         INSERT INTO users (id, organization_id, email) VALUES
            ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'A@x.io');
         INSERT INTO memory_entries (id, organization_id, user_id, title, content, embedding)
            VALUES ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-000000000001',
                    '00000000-0000-0000-0000-0000000000a1', 't', 'c', array_fill(0.5, ARRAY[1536])::vector);
         UPDATE memory_entries SET content = 'c2';
         CREATE ROLE app_tenant_test LOGIN IN ROLE vsecure_app;",
    );
    // The application roles of V11: the application reads and writes rows, the
    // read-only role reads none of the credentials, and neither touches the history.
    let grants = cluster.query_strings(
        &db,
        "SELECT concat_ws(',', has_table_privilege('vsecure_app', 'memory_entries', 'INSERT'),
                has_table_privilege('vsecure_readonly', 'memory_entries', 'SELECT'),
                has_table_privilege('vsecure_readonly', 'secrets', 'SELECT'),
                has_table_privilege('vsecure_app', 'refinery_schema_history', 'SELECT'),
                (SELECT bool_or(rolbypassrls OR rolcanlogin) FROM pg_roles
                 WHERE rolname IN ('vsecure_app', 'vsecure_readonly', 'vsecure_admin')))",
    );
    assert_eq!(grants, ["t,t,f,f,f"]);
    let versions = cluster.query_strings(
        &db,
        "SELECT version_number || ':' || content FROM memory_versions",
    );
    assert_eq!(versions, ["1:c"]);
    let hits = cluster.query_strings(
        &db,
        "SELECT title FROM search_memories(array_fill(0.5, ARRAY[1536])::vector, 0.9)",
    );
    assert_eq!(hits, ["t"]);
    let dup = cluster.query_strings(&db, "SELECT count(*) FROM users WHERE email = 'a@X.IO'");
    assert_eq!(dup, ["1"], "email is case-insensitive");
    let isolated = cluster.query_strings(
        &db,
        "BEGIN; SET LOCAL ROLE app_tenant_test;
         SET LOCAL app.current_org_id = '00000000-0000-0000-0000-000000000002';
         SELECT count(*)::text FROM memory_entries; ",
    );
    assert_eq!(isolated.last().map(String::as_str), Some("0"));
    let own = cluster.query_strings(
        &db,
        "BEGIN; SET LOCAL ROLE app_tenant_test;
         SET LOCAL app.current_org_id = '00000000-0000-0000-0000-000000000001';
         SELECT count(*)::text FROM memory_entries; ",
    );
    assert_eq!(own.last().map(String::as_str), Some("1"));
    cluster.execute(&db, "REASSIGN OWNED BY app_tenant_test TO CURRENT_USER; DROP OWNED BY app_tenant_test; DROP ROLE app_tenant_test");
}

#[test]
fn eight_concurrent_migrates_all_succeed_and_record_each_migration_once() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("concurrent");
    let url = cluster.url(&db);
    let children: Vec<_> = (0..8)
        .map(|_| {
            support::vsecure_command()
                .args(["migrate", "--lock-wait", "60s"])
                .env("DATABASE_URL", &url)
                .current_dir(std::env::temp_dir())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a migrate failed: {stderr}");
        assert!(!stderr.contains(support::MARKER_PASSWORD));
    }
    let versions = history_versions(cluster, &db);
    assert_eq!(
        versions,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    );
}

fn three_step_set(third: &str) -> MigrationSet {
    MigrationSet::from_sources([
        ("V1__first", "CREATE TABLE first_t (id int);"),
        ("V2__second", "CREATE TABLE second_t (id int);"),
        ("V3__third", third),
    ])
    .unwrap()
}

#[test]
fn a_failing_third_migration_exits_5_and_leaves_nothing_of_it() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("third_fails");
    let set = three_step_set(
        "CREATE TABLE third_t (id int);\n\n-- the next statement fails\nINSERT INTO no_such_table VALUES (1);\n",
    );
    let url = cluster.url(&db);
    let error = block_on(async {
        let session = connect(&url, Duration::from_secs(5)).await;
        migrate::migrate(&session.client, &set, &options(), &mut |_| {})
            .await
            .unwrap_err()
    });
    let err = vsecure::error::Error::from(error);
    assert_eq!(err.exit_code(), 5);
    let message = err.to_string();
    assert!(message.contains("V3__third"), "{message}");
    assert!(
        message.contains("statement 2 (line 4: INSERT INTO no_such_table VALUES (1))"),
        "{message}"
    );
    assert!(
        message.contains("no_such_table\" does not exist"),
        "{message}"
    );
    assert_eq!(history_versions(cluster, &db), ["1", "2"]);
    let third = cluster.query_strings(&db, "SELECT to_regclass('third_t') IS NULL");
    assert_eq!(third, ["t"], "nothing of the third migration remains");
    // This database's advisory locks only: other tests run migrations side by side.
    let locks = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert_eq!(locks, ["0"], "the migration lock was released");
}

#[test]
fn a_table_lock_held_elsewhere_makes_migrate_give_up_within_lock_timeout() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("lock_timeout");
    let first = MigrationSet::from_sources([("V1__t", "CREATE TABLE busy (id int);")]).unwrap();
    let both = MigrationSet::from_sources([
        ("V1__t", "CREATE TABLE busy (id int);"),
        (
            "V2__alter",
            "CREATE TABLE side (id int);\nALTER TABLE busy ADD COLUMN extra text;",
        ),
    ])
    .unwrap();
    let url = cluster.url(&db);
    block_on(async {
        let session = connect(&url, Duration::from_millis(500)).await;
        migrate::migrate(&session.client, &first, &options(), &mut |_| {})
            .await
            .unwrap();

        let holder = connect(&url, Duration::ZERO).await;
        holder
            .client
            .batch_execute("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let err = migrate::migrate(&session.client, &both, &options(), &mut |_| {})
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let err = vsecure::error::Error::from(err);
        assert_eq!(err.exit_code(), 4);
        let message = err.to_string();
        assert!(
            message.contains("V2__alter") && message.contains("lock_timeout 500ms"),
            "{message}"
        );
        assert!(message.contains("ALTER TABLE busy"), "{message}");
        let side = session
            .client
            .query_one("SELECT to_regclass('side') IS NULL", &[])
            .await
            .unwrap();
        assert!(side.get::<_, bool>(0), "nothing partial remains");

        holder.client.batch_execute("COMMIT").await.unwrap();
        let report = migrate::migrate(&session.client, &both, &options(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(report.applied.len(), 1);
    });
}

#[test]
fn an_edited_applied_migration_is_divergent_and_stops_migrate() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("divergent");
    let url = cluster.url(&db);
    assert_eq!(
        vsecure(
            &["migrate", "-q", "--target", "2"],
            &[("DATABASE_URL", &url)]
        )
        .code,
        0
    );
    cluster.execute(
        &db,
        "UPDATE refinery_schema_history SET checksum = '12345' WHERE version = 2",
    );
    let status = vsecure(&["status", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(status.code, 1);
    let json = status.json();
    assert_eq!(json["divergent"][0]["version"], 2);
    assert_eq!(json["divergent"][0]["whitespace_only"], false);
    assert_eq!(json["pending"].as_array().unwrap().len(), 9);
    let run = vsecure(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("V2__core_auth_oauth is divergent"),
        "{}",
        run.stderr
    );
    assert_eq!(history_versions(cluster, &db), ["1", "2"], "nothing ran");
}

#[test]
fn a_line_ending_only_change_is_reported_as_whitespace_only() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("crlf");
    let sql = "CREATE TABLE crlf_t (id int);\nCREATE TABLE crlf_u (id int);\n";
    let set = MigrationSet::from_sources([("V1__crlf", sql)]).unwrap();
    let crlf = refinery::Migration::unapplied("V1__crlf", &sql.replace('\n', "\r\n")).unwrap();
    cluster.execute(
        &db,
        &format!(
            "{} INSERT INTO refinery_schema_history VALUES (1, 'crlf', '2026-01-01T00:00:00Z', '{}')",
            vsecure::migrate::history::CREATE_HISTORY_TABLE,
            crlf.checksum()
        ),
    );
    let status = block_on(async {
        let session = connect(&cluster.url(&db), Duration::from_secs(5)).await;
        let rows = migrate::history::read(&session.client)
            .await
            .unwrap()
            .unwrap();
        migrate::plan::status(&set, &rows)
    });
    assert_eq!(status.divergent.len(), 1);
    assert!(status.divergent[0].whitespace_only);
}

#[test]
fn carriage_returns_are_refused_before_anything_runs() {
    let err = MigrationSet::from_sources([("V1__crlf", "SELECT 1;\r\n")]).unwrap_err();
    assert!(matches!(err, SetError::CarriageReturn(_)));
    assert!(err.to_string().contains("LF"));
}

#[test]
fn a_corrupt_history_is_reported_never_a_panic() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("corrupt");
    let url = cluster.url(&db);
    assert_eq!(
        vsecure(
            &["migrate", "-q", "--target", "1"],
            &[("DATABASE_URL", &url)]
        )
        .code,
        0
    );
    cluster.execute(
        &db,
        "UPDATE refinery_schema_history SET checksum = 'not-a-number', applied_on = 'yesterday'",
    );
    for args in [&["migrate"][..], &["status"]] {
        let run = vsecure(args, &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("corrupt") && run.stderr.contains("version 1"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"));
    }
}

#[test]
fn a_no_transaction_migration_runs_outside_a_transaction_and_refinery_agrees() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("no_tx");
    let set = MigrationSet::from_sources([
        ("V1__table", "CREATE TABLE nt (a int);"),
        (
            "V2__concurrent_index",
            "-- vsecure:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS nt_a_idx ON nt (a);\nVACUUM nt;\n",
        ),
    ])
    .unwrap();
    assert!(set.files()[1].no_transaction);
    let url = cluster.url(&db);
    block_on(async {
        let mut session = connect(&url, Duration::from_secs(5)).await;
        let report = migrate::migrate(&session.client, &set, &options(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(report.applied.len(), 2);
        assert!(report.applied[1].no_transaction);
        let refinery_report = refinery::Runner::new(&set.refinery_migrations())
            .run_async(&mut session.client)
            .await
            .expect("refinery accepts the history vsecure wrote");
        assert!(refinery_report.applied_migrations().is_empty());
        let rows = migrate::history::read(&session.client)
            .await
            .unwrap()
            .unwrap();
        assert!(migrate::plan::status(&set, &rows).is_clean());
    });
    let index = cluster.query_strings(
        &db,
        "SELECT indexname FROM pg_indexes WHERE tablename = 'nt'",
    );
    assert_eq!(index, ["nt_a_idx"]);
}

#[test]
fn status_without_a_history_table_lists_everything_as_pending() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("fresh_status");
    let url = cluster.url(&db);
    let run = vsecure(&["status", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["pending"].as_array().unwrap().len(), 11);
    let check = vsecure(&["status", "--check"], &[("DATABASE_URL", &url)]);
    assert_eq!(check.code, 1);
    let dry = vsecure(
        &["migrate", "--dry-run", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dry.code, 0);
    assert_eq!(dry.json()["would_apply"].as_array().unwrap().len(), 11);
    let exists =
        cluster.query_strings(&db, "SELECT to_regclass('refinery_schema_history') IS NULL");
    assert_eq!(exists, ["t"], "a dry run changes nothing");
}

#[test]
fn target_stops_at_a_version_and_an_unknown_target_is_a_usage_error() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("target");
    let url = cluster.url(&db);
    let run = vsecure(&["migrate", "--target", "3"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(history_versions(cluster, &db), ["1", "2", "3"]);
    let run = vsecure(&["migrate", "--target", "99"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 2);
}

#[test]
fn the_pooled_endpoint_is_refused_naming_the_direct_host() {
    let cluster = Cluster::shared();
    let url = cluster.url("postgres").replace(NEON_HOST, NEON_POOLER_HOST);
    for command in ["migrate", "baseline"] {
        let mut args = vec![command];
        if command == "baseline" {
            args.extend(["--version", "1"]);
        }
        let run = vsecure(&args, &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains(NEON_HOST), "{}", run.stderr);
    }
}

#[test]
fn another_run_holding_the_lock_makes_migrate_exit_4() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("lock_busy");
    let url = cluster.url(&db);
    block_on(async {
        let holder = connect(&url, Duration::ZERO).await;
        holder
            .client
            .query_one(
                "SELECT pg_advisory_lock($1)",
                &[&vsecure::migrate::MIGRATION_LOCK_KEY],
            )
            .await
            .unwrap();
        let run = vsecure(&["migrate", "--lock-wait", "1s"], &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 4, "{}", run.stderr);
        assert!(run.stderr.contains("migration lock"), "{}", run.stderr);
    });
}

#[test]
fn baseline_adopts_a_hand_built_database() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("baseline");
    let url = cluster.url(&db);
    let refused = vsecure(&["baseline", "--version", "8"], &[("DATABASE_URL", &url)]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("organizations"),
        "{}",
        refused.stderr
    );
    let set = MigrationSet::embedded().unwrap();
    for file in set.files().iter().filter(|f| f.version() <= 8) {
        cluster.execute(&db, file.sql());
    }
    let run = vsecure(&["baseline", "--version", "8"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("8 recorded"), "{}", run.stdout);
    let status = vsecure(&["status", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(status.json()["applied"].as_array().unwrap().len(), 8);
    assert_eq!(status.json()["pending"][0]["version"], 9);
    let run = vsecure(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("applied V9__row_level_security"));
}

#[test]
fn baseline_force_skips_the_table_check() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("baseline_force");
    let url = cluster.url(&db);
    block_on(async {
        let session = connect(&url, Duration::from_secs(5)).await;
        let set = MigrationSet::embedded().unwrap();
        let opts = BaselineOptions {
            version: 2,
            force: true,
            lock_wait: Duration::from_secs(5),
        };
        let report = migrate::baseline(&session.client, &set, &opts)
            .await
            .unwrap();
        assert_eq!(report.recorded.len(), 2);
        let opts = BaselineOptions {
            version: 50,
            force: true,
            lock_wait: Duration::from_secs(5),
        };
        let err = migrate::baseline(&session.client, &set, &opts)
            .await
            .unwrap_err();
        assert!(matches!(err, MigrateError::UnknownVersion(50)));
    });
}

#[test]
fn every_migration_file_is_embedded_under_its_own_name() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    for name in &on_disk {
        let stem = name
            .strip_suffix(".sql")
            .unwrap_or_else(|| panic!("{name}: not a .sql file"));
        let (version, rest) = stem
            .strip_prefix('V')
            .and_then(|s| s.split_once("__"))
            .unwrap_or_else(|| panic!("{name}: not V{{n}}__{{name}}.sql"));
        assert!(
            version.bytes().all(|b| b.is_ascii_digit()) && !version.is_empty(),
            "{name}"
        );
        assert!(
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{name}: refinery would skip or rename it (only letters, digits and _ after V{{n}}__)"
        );
        let contents = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!contents.contains('\r'), "{name} has CR line endings");
    }
    let set = MigrationSet::embedded().unwrap();
    let mut embedded: Vec<String> = set
        .files()
        .iter()
        .map(|f| format!("{}.sql", f.label()))
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "embedded migrations differ from migrations/"
    );
}

#[test]
fn eight_concurrent_migrates_behind_a_transaction_pooler_are_all_refused() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("txpooler");
    let bouncer = support::PgBouncer::start(cluster);
    let url = bouncer.url(&db);
    let runs: Vec<support::Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| vsecure(&["migrate"], &[("DATABASE_URL", &url)])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        assert!(
            run.code == 1 || run.code == 2,
            "exit {}: {}{}",
            run.code,
            run.stdout,
            run.stderr
        );
        assert!(
            run.stderr.contains("transaction-mode pooler"),
            "{}",
            run.stderr
        );
    }
    let baseline = vsecure(&["baseline", "--version", "1"], &[("DATABASE_URL", &url)]);
    assert_eq!(baseline.code, 1, "{}", baseline.stderr);
    drop(bouncer);
    let locks = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert_eq!(locks, ["0"], "no advisory lock left");
    let tables = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    );
    assert_eq!(tables, ["0"], "nothing applied");
}

#[test]
fn a_direct_server_passes_the_pooler_probe() {
    let cluster = Cluster::shared_plain();
    let db = cluster.create_database("txdirect");
    let run = vsecure(&["migrate", "-q"], &[("DATABASE_URL", &cluster.url(&db))]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A syntax error is found by PostgreSQL's parser before anything runs: exit 5, the
/// file, the line and the parser's message, and the database untouched.
#[test]
fn a_syntax_error_is_refused_before_anything_runs() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("syntax");
    let url = cluster.url(&db);
    let mut long = String::new();
    for n in 1..42 {
        long.push_str(&format!("CREATE TABLE long_{n} (id int);\n"));
    }
    long.push_str("CREATE TABEL broken (id int);\n");
    let sets = [
        (ten_with_a_failure(2, true), "V7__m7", 4),
        (
            MigrationSet::from_sources([
                ("V1__fine", "CREATE TABLE fine (id int);"),
                ("V2__long", &long),
            ])
            .unwrap(),
            "V2__long",
            42,
        ),
    ];
    for (set, label, line) in sets {
        block_on(async {
            let session = connect(&url, Duration::from_secs(5)).await;
            let err = migrate::migrate(&session.client, &set, &options(), &mut |_| {})
                .await
                .unwrap_err();
            let message = err.to_string();
            match &err {
                MigrateError::Refused {
                    label: l,
                    line: at,
                    reason,
                } => {
                    assert_eq!(l, label);
                    assert_eq!(*at, Some(line), "{message}");
                    assert!(
                        reason.contains("syntax error at or near \"TABEL\""),
                        "{message}"
                    );
                }
                other => panic!("expected a refusal, got {other}"),
            }
            assert!(
                message.contains(&format!("line {line}: syntax error")),
                "{message}"
            );
            assert_eq!(vsecure::error::Error::from(err).exit_code(), 5);
            let mut dry = options();
            dry.dry_run = true;
            let err = migrate::migrate(&session.client, &set, &dry, &mut |_| {})
                .await
                .unwrap_err();
            assert!(
                matches!(err, MigrateError::Refused { .. }),
                "a dry run refuses too: {err}"
            );
        });
        let history = cluster.query_strings(
            &db,
            "SELECT (to_regclass('refinery_schema_history') IS NULL)::text",
        );
        assert_eq!(history, ["true"], "not even the history table was created");
        let tables = cluster.query_strings(
            &db,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        );
        assert_eq!(tables, ["0"], "the database is untouched");
    }
}

/// A statement PostgreSQL will not run in a transaction, in a migration that runs in
/// one, is refused before anything runs, naming the directive that fixes it.
#[test]
fn concurrently_in_a_transactional_migration_is_refused_before_anything_runs() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("concurrently");
    let url = cluster.url(&db);
    let set = MigrationSet::from_sources([
        ("V1__table", "CREATE TABLE busy (id int);"),
        (
            "V2__index",
            "-- an index\nCREATE INDEX CONCURRENTLY busy_id ON busy (id);",
        ),
    ])
    .unwrap();
    block_on(async {
        let session = connect(&url, Duration::from_secs(5)).await;
        let err = migrate::migrate(&session.client, &set, &options(), &mut |_| {})
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("V2__index refused, nothing was run: line 2: CREATE INDEX CONCURRENTLY cannot run inside a transaction"), "{message}");
        assert!(message.contains("-- vsecure:no-transaction"), "{message}");
    });
    let tables = cluster.query_strings(
        &db,
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    );
    assert_eq!(tables, ["0"], "nothing ran, V1 included");
}

/// Ten migrations where the 7th fails at `failing` (1-based among its three statements,
/// each on its own lines), or has a syntax error there.
fn ten_with_a_failure(failing: usize, syntax_error: bool) -> MigrationSet {
    MigrationSet::from_sources((1..=10).map(|v| {
        let sql = if v == 7 {
            (1..=3)
                .map(|s| {
                    if s != failing {
                        format!("-- statement {s}\nCREATE TABLE seventh_{s} (id int);\n")
                    } else if syntax_error {
                        format!("-- statement {s}\nCREATE TABEL broken (id int);\n")
                    } else {
                        format!("-- statement {s}\nINSERT INTO missing_table VALUES (1);\n")
                    }
                })
                .collect::<String>()
        } else {
            format!("CREATE TABLE t{v} (id int);\nINSERT INTO t{v} VALUES ({v});")
        };
        (format!("V{v}__m{v}"), sql)
    }))
    .unwrap()
}

#[test]
fn a_failure_in_the_seventh_of_ten_names_its_statement_and_keeps_the_six_before() {
    let cluster = Cluster::shared();
    for failing in [1, 2, 3] {
        let db = cluster.create_database("seventh");
        let url = cluster.url(&db);
        let set = ten_with_a_failure(failing, false);
        block_on(async {
            let session = connect(&url, Duration::from_secs(5)).await;
            let mut applied = Vec::new();
            let err = migrate::migrate(&session.client, &set, &options(), &mut |event| {
                if let migrate::Progress::Applied(done) = event {
                    applied.push(done.version);
                }
            })
            .await
            .unwrap_err();
            assert_eq!(
                applied,
                [1, 2, 3, 4, 5, 6],
                "the six before are reported applied"
            );
            match &err {
                MigrateError::Failed {
                    label,
                    statement,
                    line,
                    cause,
                    ..
                } => {
                    assert_eq!(label, "V7__m7");
                    assert_eq!(*statement, failing, "{err}");
                    assert_eq!(*line, failing * 2, "{err}");
                    assert!(cause.contains("42P01"), "{cause}");
                }
                other => panic!("expected a statement failure, got {other}"),
            }
            let err = vsecure::error::Error::from(err);
            assert_eq!(err.exit_code(), 5);
        });
        assert_eq!(
            history_versions(cluster, &db),
            ["1", "2", "3", "4", "5", "6"],
            "the six before stay committed"
        );
        let left = cluster.query_strings(
            &db,
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'seventh_%'",
        );
        assert_eq!(left, ["0"], "nothing of the 7th remains");
        let locks = cluster.query_strings(
            &db,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        assert_eq!(locks, ["0"], "the lock is released");
    }
}
