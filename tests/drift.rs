//! Drift on real servers: the committed snapshot against the migrations, one test per
//! kind of change, a production-like database, PostgreSQL 15 against 18, shadow
//! databases, snapshot files and the doctor's drift section.

mod support;

use std::sync::OnceLock;

use serde_json::Value;
use support::{Cluster, Run, vsecure};

/// A database with every migration applied and nothing else, copied for each test.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| Cluster::shared().migrated_database("drift_template"))
}

/// A fresh migrated database.
fn migrated(prefix: &str) -> String {
    Cluster::shared().create_database_from(template(), prefix)
}

fn drift(db: &str, extra: &[&str]) -> Run {
    let mut args = vec!["drift", "--format", "json"];
    args.extend_from_slice(extra);
    vsecure(&args, &[("DATABASE_URL", &Cluster::shared().url(db))])
}

fn differences(run: &Run) -> Vec<Value> {
    run.json()["differences"].as_array().unwrap().clone()
}

/// Applies `change` to a fresh migrated database and asserts that drift reports exactly
/// one difference with these fields.
fn assert_detects(change: &str, kind: &str, what: &str, object: &str, attribute: Option<&str>) {
    let db = migrated("drift_kind");
    Cluster::shared().execute(&db, change);
    let run = drift(&db, &[]);
    assert_eq!(
        run.code, 1,
        "drift must exit 1: {}{}",
        run.stdout, run.stderr
    );
    let json = run.json();
    assert_eq!(json["drift"], true);
    let found = differences(&run);
    assert_eq!(
        found.len(),
        1,
        "exactly one difference expected: {found:#?}"
    );
    let d = &found[0];
    assert_eq!(d["kind"], kind, "{d:#}");
    assert_eq!(d["change"], what, "{d:#}");
    assert_eq!(d["object"], object, "{d:#}");
    assert_eq!(
        d["attribute"],
        attribute.map_or(Value::Null, Value::from),
        "{d:#}"
    );
    assert!(d.get("expected").is_some() && d.get("actual").is_some());
    if what == "changed" {
        assert_ne!(d["expected"], d["actual"]);
    }
}

#[test]
fn the_committed_snapshot_matches_the_migrations() {
    let db = migrated("drift_snapshot");
    let run = vsecure(
        &["schema", "dump"],
        &[("DATABASE_URL", &Cluster::shared().url(&db))],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/expected.json");
    if std::env::var_os("VSECURE_UPDATE_SNAPSHOT").is_some() {
        std::fs::write(path, &run.stdout).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == run.stdout,
        "schema/expected.json does not match what the migrations build: run scripts/update-snapshot and commit the result"
    );
}

#[test]
fn right_after_migrate_there_is_no_drift_even_with_monthly_partitions() {
    let cluster = Cluster::shared();
    let db = migrated("drift_clean");
    let run = drift(&db, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["drift"], false);
    assert!(differences(&run).is_empty());

    let url = cluster.url(&db);
    let ensure = vsecure(
        &["partitions", "ensure", "--months-ahead", "2"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(ensure.code, 0, "{}", ensure.stderr);
    let table = vsecure(&["drift"], &[("DATABASE_URL", &url)]);
    assert_eq!(table.code, 0, "{}", table.stdout);
    assert!(table.stdout.contains("no drift"), "{}", table.stdout);
}

#[test]
fn a_missing_table_is_detected() {
    assert_detects(
        "DROP TABLE task_dependencies",
        "table",
        "missing",
        "public.task_dependencies",
        None,
    );
}

#[test]
fn an_extra_table_is_detected() {
    assert_detects(
        "CREATE TABLE simple_users (id int)",
        "table",
        "unexpected",
        "public.simple_users",
        None,
    );
}

#[test]
fn a_column_type_change_is_detected() {
    assert_detects(
        "ALTER TABLE teams ALTER COLUMN name TYPE varchar(200)",
        "column",
        "changed",
        "public.teams.name",
        Some("type"),
    );
}

#[test]
fn an_added_column_is_detected() {
    assert_detects(
        "ALTER TABLE teams ADD COLUMN note text",
        "column",
        "unexpected",
        "public.teams.note",
        None,
    );
}

#[test]
fn a_default_change_is_detected() {
    assert_detects(
        "ALTER TABLE organizations ALTER COLUMN plan SET DEFAULT 'pro'",
        "column",
        "changed",
        "public.organizations.plan",
        Some("default"),
    );
}

#[test]
fn a_nullability_change_is_detected() {
    assert_detects(
        "ALTER TABLE users ALTER COLUMN last_login SET NOT NULL",
        "column",
        "changed",
        "public.users.last_login",
        Some("nullable"),
    );
}

#[test]
fn a_dropped_index_is_detected() {
    assert_detects(
        "DROP INDEX users_organization_id_idx",
        "index",
        "missing",
        "public.users.users_organization_id_idx",
        None,
    );
}

#[test]
fn a_changed_constraint_is_detected() {
    assert_detects(
        "ALTER TABLE organizations DROP CONSTRAINT organizations_name_check,
             ADD CONSTRAINT organizations_name_check CHECK (length(name) > 2)",
        "constraint",
        "changed",
        "public.organizations.organizations_name_check",
        Some("definition"),
    );
}

#[test]
fn disabled_row_level_security_is_detected() {
    assert_detects(
        "ALTER TABLE secrets DISABLE ROW LEVEL SECURITY",
        "table",
        "changed",
        "public.secrets",
        Some("rls_enabled"),
    );
}

#[test]
fn a_changed_policy_is_detected() {
    assert_detects(
        "ALTER POLICY tenant_isolation ON users USING (true)",
        "policy",
        "changed",
        "public.users.tenant_isolation",
        Some("using"),
    );
}

#[test]
fn a_changed_function_body_is_detected() {
    assert_detects(
        "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RETURN NEW; END $$",
        "function",
        "changed",
        "public.set_updated_at()",
        Some("body"),
    );
}

#[test]
fn a_dropped_trigger_is_detected() {
    assert_detects(
        "DROP TRIGGER users_set_updated_at ON users",
        "trigger",
        "missing",
        "public.users.users_set_updated_at",
        None,
    );
}

#[test]
fn an_added_enum_label_is_detected() {
    assert_detects(
        "ALTER TYPE user_role ADD VALUE 'owner'",
        "enum",
        "changed",
        "public.user_role",
        Some("labels"),
    );
}

#[test]
fn an_extension_version_the_migrations_leave_to_the_server_is_not_drift() {
    let db = migrated("drift_extver");
    Cluster::shared().execute(
        &db,
        "DROP EXTENSION pgcrypto; CREATE EXTENSION pgcrypto VERSION '1.3'",
    );
    let run = drift(&db, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["extension_versions"], "pinned");
}

#[test]
fn a_changed_extension_version_is_detected_between_two_live_databases() {
    let cluster = Cluster::shared();
    let (reference, changed) = (migrated("drift_extref"), migrated("drift_extver2"));
    cluster.execute(
        &changed,
        "DROP EXTENSION pgcrypto; CREATE EXTENSION pgcrypto VERSION '1.3'",
    );
    let run = drift(&changed, &["--against", &cluster.url(&reference)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["extension_versions"], "all");
    assert!(json.get("majors_differ").is_none(), "{json:#}");
    let found = differences(&run);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["object"], "pgcrypto");
    assert_eq!(found[0]["attribute"], "version");
    assert_eq!(found[0]["actual"], "1.3");
}

#[test]
fn a_renamed_index_with_the_same_definition_is_not_drift() {
    let db = migrated("drift_rename");
    Cluster::shared().execute(
        &db,
        "ALTER INDEX users_organization_id_idx RENAME TO users_organization_id_idx1",
    );
    let run = drift(&db, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_database_built_like_production_shows_exactly_its_differences() {
    let cluster = Cluster::shared();
    let db = migrated("drift_prod");
    cluster.execute(
        &db,
        "DROP TABLE refinery_schema_history;
         DROP TABLE memory_versions, memory_entries, usage_analytics;
         CREATE TABLE simple_users (id serial PRIMARY KEY, name text);
         CREATE TABLE playing_with_neon (id serial PRIMARY KEY, name text NOT NULL, value real);",
    );
    let run = drift(&db, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found: Vec<(String, String, String)> = differences(&run)
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["change"].as_str().unwrap().to_string(),
                d["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String, String)> = [
        ("table", "missing", "public.memory_entries"),
        ("table", "missing", "public.memory_versions"),
        ("table", "missing", "public.usage_analytics"),
        ("table", "unexpected", "public.playing_with_neon"),
        ("table", "unexpected", "public.simple_users"),
    ]
    .iter()
    .map(|(k, c, o)| (k.to_string(), c.to_string(), o.to_string()))
    .collect();
    assert_eq!(found, expected);

    let ignoring = drift(
        &db,
        &["--ignore", "simple_users", "--ignore", "public.playing_*"],
    );
    assert_eq!(ignoring.code, 1);
    let json = ignoring.json();
    assert_eq!(json["ignored"], 2);
    let left: Vec<&str> = json["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["object"].as_str().unwrap())
        .collect();
    assert_eq!(
        left,
        [
            "public.memory_entries",
            "public.memory_versions",
            "public.usage_analytics"
        ]
    );

    let table = vsecure(&["drift"], &[("DATABASE_URL", &cluster.url(&db))]);
    assert_eq!(table.code, 1);
    assert!(table.stdout.contains("table missing"), "{}", table.stdout);
    assert!(table.stdout.contains("5 difference(s)"), "{}", table.stdout);
}

#[test]
fn the_same_ddl_on_postgres_15_and_18_shows_no_drift() {
    let ddl = include_str!("fixtures/portable_schema.sql");
    let (pg18, pg15) = (Cluster::shared(), Cluster::shared_pg15());
    let db18 = pg18.create_database("drift_pg18");
    let db15 = pg15.create_database("drift_pg15");
    pg18.execute(&db18, ddl);
    pg15.execute(&db15, ddl);
    let run = vsecure(
        &[
            "drift",
            "--format",
            "json",
            "--comments",
            "--against",
            &pg15.url(&db15),
        ],
        &[("DATABASE_URL", &pg18.url(&db18))],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["drift"], false);

    let dump = vsecure(&["schema", "dump"], &[("DATABASE_URL", &pg18.url(&db18))]);
    let model: Value = serde_json::from_str(&dump.stdout).unwrap();
    for kind in [
        "enums",
        "tables",
        "functions",
        "views",
        "sequences",
        "privileges",
        "partition_objects",
    ] {
        assert!(
            !model[kind].as_object().unwrap().is_empty(),
            "the fixture must exercise {kind}"
        );
    }
    assert!(
        model["others"]["event trigger"]["note_ddl"].is_string(),
        "{:#}",
        model["others"]
    );
    let accounts = &model["tables"]["public.accounts"];
    assert!(accounts["constraints"].as_object().unwrap().len() >= 3);
    assert_eq!(accounts["columns"]["email"]["collation"], "C");
    assert_eq!(accounts["columns"]["id"]["identity"], "always");

    pg15.execute(
        &db15,
        "ALTER TABLE accounts ALTER COLUMN name DROP NOT NULL",
    );
    let changed = vsecure(
        &["drift", "--format", "json", "--against", &pg15.url(&db15)],
        &[("DATABASE_URL", &pg18.url(&db18))],
    );
    assert_eq!(changed.code, 1, "{}", changed.stdout);
    let d = &differences(&changed)[0];
    assert_eq!(d["object"], "public.accounts.name");
    assert_eq!(d["attribute"], "nullable");
}

#[test]
fn index_definitions_read_as_pg_get_indexdef_writes_them() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("drift_indexdef");
    cluster.execute(&db, include_str!("fixtures/portable_schema.sql"));
    let dump = vsecure(&["schema", "dump"], &[("DATABASE_URL", &cluster.url(&db))]);
    let model: Value = serde_json::from_str(&dump.stdout).unwrap();
    let expected = cluster.query_strings(
        &db,
        "SET search_path = pg_catalog;
         SELECT c.relname || ' ' || replace(pg_get_indexdef(i.indexrelid),
                                            ' ' || quote_ident(ic.relname) || ' ON ', ' ON ')
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY 1",
    );
    let mut found: Vec<String> = Vec::new();
    for section in ["tables", "views"] {
        for (name, object) in model[section].as_object().unwrap() {
            for index in object["indexes"].as_object().unwrap().values() {
                let table = name.trim_start_matches("public.");
                found.push(format!("{table} {}", index["definition"].as_str().unwrap()));
            }
        }
    }
    found.sort();
    assert!(expected.len() >= 8, "{expected:?}");
    assert_eq!(found, expected);
}

#[test]
fn a_shadow_database_is_compared_and_dropped_afterwards() {
    let cluster = Cluster::shared();
    let db = migrated("drift_shadow");
    let run = drift(&db, &["--shadow"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["expected_source"],
        "shadow database (migrations applied)"
    );
    cluster.execute(&db, "ALTER TABLE teams ADD COLUMN note text");
    let drifted = drift(&db, &["--shadow"]);
    assert_eq!(drifted.code, 1);
    assert_eq!(differences(&drifted)[0]["object"], "public.teams.note");
    let leftovers = cluster.query_strings(
        "postgres",
        "SELECT count(*)::text FROM pg_database WHERE datname LIKE 'vsecure_shadow_%'",
    );
    assert_eq!(leftovers, ["0"]);
}

#[test]
fn a_role_without_createdb_gets_a_clear_shadow_error_and_nothing_is_left() {
    let cluster = Cluster::shared();
    let db = migrated("drift_nocreatedb");
    cluster.execute(
        &db,
        &format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_reader') THEN
                 CREATE ROLE drift_reader LOGIN PASSWORD '{}';
               END IF;
             END $$;",
            support::MARKER_PASSWORD
        ),
    );
    let url = cluster
        .url(&db)
        .replacen(support::SUPERUSER, "drift_reader", 1);
    let run = vsecure(&["drift", "--shadow"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 5, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("CREATEDB"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_snapshot_file_written_by_dump_is_the_expected_schema() {
    let cluster = Cluster::shared();
    let db = migrated("drift_file");
    cluster.execute(&db, "CREATE TABLE audit_extra (id int)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snap.json");
    let file_arg = file.to_str().unwrap();
    let url = cluster.url(&db);
    let dump = vsecure(
        &["schema", "dump", "--output", file_arg],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let same = vsecure(
        &["drift", "--snapshot", file_arg],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(same.code, 0, "{}", same.stdout);
    let embedded = drift(&db, &[]);
    assert_eq!(embedded.code, 1);

    std::fs::write(&file, "{\"not\": \"a snapshot\"}").unwrap();
    let bad = vsecure(
        &["drift", "--snapshot", file_arg],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("not a vsecure schema snapshot"));
}

#[test]
fn doctor_reports_drift_as_a_problem() {
    let cluster = Cluster::shared();
    let db = migrated("drift_doctor");
    let url = cluster.url(&db);
    let clean = vsecure(&["doctor", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert_eq!(clean.json()["drift"]["drift"], false);
    cluster.execute(&db, "DROP INDEX users_organization_id_idx");
    let drifted = vsecure(&["doctor", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(drifted.code, 1, "{}", drifted.stdout);
    let json = drifted.json();
    assert_eq!(json["drift"]["drift"], true);
    assert_eq!(json["drift"]["differences"].as_array().unwrap().len(), 1);
}

#[test]
fn options_that_change_nothing_are_named() {
    let db = migrated("drift_ineffective");
    let run = drift(
        &db,
        &[
            "--ignore",
            "nonexistent",
            "--ignore",
            "users",
            "--schema",
            "nosuch",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = run.json()["warnings"].clone();
    assert_eq!(
        warnings.as_array().map(Vec::len),
        Some(2),
        "one for the schema, one for the pattern (users exists): {warnings}"
    );
    assert!(
        run.stderr.contains("--schema nosuch: no such schema"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("--ignore nonexistent: matches no object"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--ignore users"), "{}", run.stderr);

    let quiet = vsecure(
        &["-q", "drift", "--ignore", "nonexistent"],
        &[("DATABASE_URL", &Cluster::shared().url(&db))],
    );
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));

    let dump = vsecure(
        &["schema", "dump", "--format", "table"],
        &[("DATABASE_URL", &Cluster::shared().url(&db))],
    );
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    assert!(
        dump.stderr.contains("--format table has no effect"),
        "{}",
        dump.stderr
    );
    assert!(dump.stdout.starts_with('{'));
}

#[test]
fn a_grant_nobody_migrated_and_a_revoked_one_are_named() {
    assert_detects(
        "GRANT ALL ON secrets TO PUBLIC",
        "privilege",
        "unexpected",
        "public.secrets TO PUBLIC",
        None,
    );
    assert_detects(
        "REVOKE EXECUTE ON FUNCTION app_current_org_id() FROM PUBLIC",
        "privilege",
        "missing",
        "public.app_current_org_id() TO PUBLIC",
        None,
    );
    assert_detects(
        "GRANT SELECT (key) ON secrets TO PUBLIC",
        "privilege",
        "unexpected",
        "public.secrets.key TO PUBLIC",
        None,
    );
    assert_detects(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC",
        "privilege",
        "unexpected",
        "for the migrating role in public on tables TO PUBLIC",
        None,
    );
}

/// The migrations state the application roles' grants (V11), so production is held to
/// them: a privilege taken from the application or a read-only role given a credentials
/// table is named.
#[test]
fn the_application_roles_grants_are_held_against_production() {
    assert_detects(
        "REVOKE INSERT ON secrets FROM vsecure_app",
        "privilege",
        "changed",
        "public.secrets TO vsecure_app",
        Some("value"),
    );
    assert_detects(
        "REVOKE ALL ON secrets FROM vsecure_app",
        "privilege",
        "missing",
        "public.secrets TO vsecure_app",
        None,
    );
    assert_detects(
        "GRANT SELECT ON secrets TO vsecure_readonly",
        "privilege",
        "unexpected",
        "public.secrets TO vsecure_readonly",
        None,
    );
    assert_detects(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM vsecure_admin",
        "privilege",
        "missing",
        "for the migrating role in public on tables TO vsecure_admin",
        None,
    );
}

/// A partition's own grants are compared where the partition is on both sides; the
/// monthly partitions `partitions ensure` makes take the migrations' default privileges.
#[test]
fn grants_on_a_partition_are_compared() {
    assert_detects(
        "GRANT SELECT ON usage_analytics_default TO PUBLIC",
        "privilege",
        "unexpected",
        "public.usage_analytics_default TO PUBLIC",
        None,
    );
    assert_detects(
        "REVOKE DELETE ON usage_analytics_default FROM vsecure_app",
        "privilege",
        "changed",
        "public.usage_analytics_default TO vsecure_app",
        Some("value"),
    );
    assert_detects(
        "GRANT UPDATE (resource) ON usage_analytics_default TO PUBLIC",
        "privilege",
        "unexpected",
        "public.usage_analytics_default.resource TO PUBLIC",
        None,
    );
    let cluster = Cluster::shared();
    let db = migrated("drift_partition_grants");
    let url = cluster.url(&db);
    let ensure = vsecure(&["partitions", "ensure"], &[("DATABASE_URL", &url)]);
    assert_eq!(ensure.code, 0, "{}", ensure.stderr);
    let monthly = cluster.query_strings(
        &db,
        "SELECT count(*)::text FROM pg_class c
         WHERE c.relispartition AND c.relname LIKE 'usage_analytics_20%'
           AND has_table_privilege('vsecure_app', c.oid, 'INSERT')",
    );
    assert_ne!(
        monthly,
        ["0"],
        "a monthly partition takes the default grants"
    );
}

/// Column grants on views and materialized views are compared like a table's.
#[test]
fn column_grants_on_views_and_materialized_views_are_compared() {
    let cluster = Cluster::shared();
    let (a, b) = (
        migrated("drift_view_grants_a"),
        migrated("drift_view_grants_b"),
    );
    for db in [&a, &b] {
        cluster.execute(
            db,
            "CREATE VIEW named_secrets AS SELECT id, key FROM secrets;
             CREATE MATERIALIZED VIEW secret_names AS SELECT key FROM secrets;
             GRANT SELECT (key) ON named_secrets TO vsecure_readonly",
        );
    }
    assert_eq!(drift(&a, &["--against", &cluster.url(&b)]).code, 0);
    cluster.execute(
        &a,
        "GRANT SELECT (id) ON named_secrets TO PUBLIC;
         GRANT SELECT (key) ON secret_names TO vsecure_readonly;
         REVOKE SELECT (key) ON named_secrets FROM vsecure_readonly",
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let mut found: Vec<String> = differences(&run)
        .iter()
        .map(|d| format!("{} {} {}", d["kind"], d["change"], d["object"]))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            r#""privilege" "missing" "public.named_secrets.key TO vsecure_readonly""#,
            r#""privilege" "unexpected" "public.named_secrets.id TO PUBLIC""#,
            r#""privilege" "unexpected" "public.secret_names.key TO vsecure_readonly""#,
        ]
    );
}

/// Migrations run by a role other than the snapshot's (Neon's neondb_owner, a local
/// superuser) record the same default privileges: they are named for the migrating role.
#[test]
fn default_privileges_of_another_migrating_role_are_no_drift() {
    let cluster = Cluster::shared();
    let role = format!("drift_migrator_{}", std::process::id());
    let db = format!("drift_migrated_by_{}", std::process::id());
    cluster.execute("postgres", &format!("DROP DATABASE IF EXISTS {db}"));
    cluster.execute(
        "postgres",
        &format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN CREATEROLE PASSWORD '{}'",
            support::MARKER_PASSWORD
        ),
    );
    cluster.execute("postgres", &format!("CREATE DATABASE {db} OWNER {role}"));
    // Installing extensions is a superuser's (or neon_superuser's) part.
    cluster.execute(
        &db,
        "CREATE EXTENSION \"uuid-ossp\"; CREATE EXTENSION vector; CREATE EXTENSION pgcrypto;
         CREATE EXTENSION btree_gin; CREATE EXTENSION btree_gist; CREATE EXTENSION citext;
         CREATE EXTENSION pg_trgm",
    );
    let url = cluster.url(&db).replacen(support::SUPERUSER, &role, 1);
    let run = vsecure(&["migrate", "-q"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = drift(&db, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    cluster.execute("postgres", &format!("DROP DATABASE {db}"));
    cluster.execute("postgres", &format!("DROP ROLE {role}"));
}

#[test]
fn the_table_reads_privilege_granted_with_what_was_granted() {
    let db = migrated("drift_grant_table");
    Cluster::shared().execute(&db, "GRANT SELECT, UPDATE ON secrets TO PUBLIC");
    let run = vsecure(&["drift"], &[("DATABASE_URL", &Cluster::shared().url(&db))]);
    assert_eq!(run.code, 1);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("privilege granted"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        line.contains("public.secrets TO PUBLIC") && line.contains("SELECT, UPDATE"),
        "{line}"
    );
    let ignored = drift(&db, &["--ignore", "secrets"]);
    assert_eq!(
        ignored.code, 0,
        "--ignore applies to privileges: {}",
        ignored.stdout
    );
}

/// Privileges are compared without the owner's own: the same GRANTs on objects owned by
/// another role are no drift (ownership is not compared).
#[test]
fn the_same_grants_under_another_owner_are_no_drift() {
    let cluster = Cluster::shared();
    let a = migrated("drift_owner_a");
    let b = migrated("drift_owner_b");
    let role = format!("drift_owner_{}", std::process::id());
    cluster.execute(
        "postgres",
        &format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role}"),
    );
    for db in [&a, &b] {
        cluster.execute(db, "GRANT SELECT ON secrets TO PUBLIC");
    }
    cluster.execute(&b, &format!("ALTER TABLE secrets OWNER TO {role}; ALTER FUNCTION app_current_org_id() OWNER TO {role}"));
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    cluster.execute(
        &b,
        &format!(
            "REASSIGN OWNED BY {role} TO {}; DROP OWNED BY {role}",
            support::SUPERUSER
        ),
    );
    cluster.execute("postgres", &format!("DROP ROLE {role}"));
}

/// A snapshot written before privileges were recorded (format 1) is still read; drift
/// says that privileges are not compared rather than calling every grant unexpected.
#[test]
fn a_format_1_snapshot_is_read_with_a_note_that_privileges_are_not_compared() {
    let db = migrated("drift_format1");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/expected.json"))
            .unwrap();
    let mut old: Value = serde_json::from_str(&committed).unwrap();
    old["format"] = Value::from(1);
    old.as_object_mut().unwrap().remove("privileges");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    std::fs::write(&path, old.to_string()).unwrap();
    let run = drift(&db, &["--snapshot", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("records no privileges"),
        "{}",
        run.stderr
    );
}

#[test]
fn storage_parameters_view_options_and_replica_identity_are_compared() {
    assert_detects(
        "ALTER TABLE secrets SET (fillfactor = 70)",
        "table",
        "changed",
        "public.secrets",
        Some("options"),
    );
    assert_detects(
        "ALTER TABLE secrets REPLICA IDENTITY FULL",
        "table",
        "changed",
        "public.secrets",
        Some("replica_identity"),
    );
    let db = migrated("drift_view_options");
    let cluster = Cluster::shared();
    cluster.execute(&db, "CREATE VIEW open_secrets AS SELECT id FROM secrets");
    let a = cluster.create_database_from(template(), "drift_view_options_b");
    cluster.execute(
        &a,
        "CREATE VIEW open_secrets WITH (security_invoker = true) AS SELECT id FROM secrets",
    );
    let run = drift(&db, &["--against", &cluster.url(&a)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = differences(&run);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["object"], "public.open_secrets");
    assert_eq!(found[0]["attribute"], "options");
}

/// A sequence whose OWNED BY moved to a table only one side has is one changed
/// sequence, with each changed option, not missing on one side and unexpected on the
/// other.
#[test]
fn a_sequence_whose_owner_changed_is_one_changed_sequence() {
    let cluster = Cluster::shared();
    let a = migrated("drift_seq_owner_a");
    let b = migrated("drift_seq_owner_b");
    cluster.execute(&a, "CREATE SEQUENCE ticket_numbers");
    cluster.execute(
        &b,
        "CREATE SEQUENCE ticket_numbers INCREMENT 5;
         CREATE TABLE tickets (n bigint);
         ALTER SEQUENCE ticket_numbers OWNED BY tickets.n",
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(run.code, 1);
    let sequence: Vec<Value> = differences(&run)
        .into_iter()
        .filter(|d| d["kind"] == "sequence")
        .collect();
    let attributes: Vec<&str> = sequence
        .iter()
        .map(|d| d["attribute"].as_str().unwrap())
        .collect();
    assert_eq!(attributes, ["increment", "owned_by"], "{sequence:#?}");
    assert!(sequence.iter().all(|d| d["change"] == "changed"));
}

/// What the server makes of one written object is named once: a foreign key that
/// references a partitioned table (the server copies it per partition), a constraint
/// trigger (a trigger and a constraint in the catalog).
#[test]
fn server_made_copies_are_not_extra_differences() {
    let db = migrated("drift_fk_partitioned");
    let cluster = Cluster::shared();
    cluster.execute(
        &db,
        "CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');",
    );
    let b = cluster.create_database_from(template(), "drift_fk_partitioned_b");
    for target in [&db, &b] {
        if *target == b {
            cluster.execute(
                target,
                "CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                 CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                 CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');",
            );
        }
        cluster.execute(target, "CREATE TABLE refs (event int, at date)");
    }
    cluster.execute(&db, "ALTER TABLE refs ADD CONSTRAINT refs_event FOREIGN KEY (event, at) REFERENCES events (id, at)");
    cluster.execute(
        &db,
        "CREATE FUNCTION refs_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE CONSTRAINT TRIGGER refs_checked AFTER INSERT ON refs FOR EACH ROW EXECUTE FUNCTION refs_check();",
    );
    cluster.execute(
        &b,
        "CREATE FUNCTION refs_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
    );
    let run = drift(&b, &["--against", &cluster.url(&db)]);
    assert_eq!(run.code, 1);
    let found: Vec<(String, String)> = differences(&run)
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "trigger".to_string(),
                "public.refs.refs_checked".to_string()
            ),
            (
                "constraint".to_string(),
                "public.refs.refs_event".to_string()
            ),
        ],
        "each once"
    );
}

/// Domains, composite and range types and collations: identical is no drift, a change
/// is named with its kind.
#[test]
fn domains_composite_and_range_types_and_collations_are_compared() {
    let cluster = Cluster::shared();
    let ddl = "CREATE DOMAIN email AS text CONSTRAINT has_at CHECK (VALUE LIKE '%@%');
               CREATE TYPE money_amount AS (currency char(3), cents bigint);
               CREATE TYPE float_range AS RANGE (SUBTYPE = float8);
               CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);";
    let a = migrated("drift_types_a");
    let b = migrated("drift_types_b");
    cluster.execute(&a, ddl);
    cluster.execute(&b, ddl);
    let same = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(same.code, 0, "{}", same.stdout);
    cluster.execute(
        &b,
        "ALTER DOMAIN email ADD CONSTRAINT not_blank CHECK (VALUE <> '');
         ALTER TYPE money_amount ADD ATTRIBUTE note text;
         DROP TYPE float_range;
         DROP COLLATION case_blind;
         CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2');",
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(run.code, 1);
    let found: Vec<(String, String, String)> = differences(&run)
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["change"].as_str().unwrap().to_string(),
                d["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("collation", "changed", "public.case_blind"),
        ("domain", "changed", "public.email"),
        ("range type", "unexpected", "public.float_range"),
        ("composite type", "changed", "public.money_amount"),
    ]
    .iter()
    .map(|(k, c, o)| (k.to_string(), c.to_string(), o.to_string()))
    .collect();
    assert_eq!(found, expected);
}

/// An identity column's sequence options are compared, not only its kind.
#[test]
fn identity_sequence_options_are_compared() {
    let cluster = Cluster::shared();
    let a = migrated("drift_identity_a");
    let b = migrated("drift_identity_b");
    for db in [&a, &b] {
        cluster.execute(
            db,
            "CREATE TABLE numbered (id bigint GENERATED ALWAYS AS IDENTITY)",
        );
    }
    let same = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(same.code, 0, "{}", same.stdout);
    cluster.execute(
        &b,
        "ALTER TABLE numbered ALTER COLUMN id SET INCREMENT BY 10 SET CACHE 20",
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    let found = differences(&run);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["object"], "public.numbered.id");
    assert_eq!(found[0]["attribute"], "identity_options");
    assert!(
        found[0]["expected"]
            .as_str()
            .unwrap()
            .contains("INCREMENT 10"),
        "the --against side is the expected one: {found:#?}"
    );
}

/// Objects written on a partition are compared (an index, a policy, row level
/// security, a trigger, a constraint); those it inherits from its parent are not
/// listed again.
#[test]
fn objects_written_on_a_partition_are_compared() {
    let cluster = Cluster::shared();
    let ddl = "CREATE TABLE readings (id int, at date, v int) PARTITION BY RANGE (at);
               CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
               CREATE INDEX readings_v ON readings (v);
               CREATE FUNCTION readings_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;";
    let a = migrated("drift_partition_a");
    let b = migrated("drift_partition_b");
    cluster.execute(&a, ddl);
    cluster.execute(&b, ddl);
    let same = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(
        same.code, 0,
        "inherited objects are not listed twice: {}",
        same.stdout
    );
    cluster.execute(
        &b,
        "CREATE INDEX readings_2026_id ON readings_2026 (id);
         ALTER TABLE readings_2026 ENABLE ROW LEVEL SECURITY;
         CREATE POLICY recent ON readings_2026 USING (v > 0);
         CREATE TRIGGER touched BEFORE INSERT ON readings_2026 FOR EACH ROW EXECUTE FUNCTION readings_touch();
         ALTER TABLE readings_2026 ADD CONSTRAINT positive CHECK (v > 0);",
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    assert_eq!(run.code, 1);
    let mut found: Vec<(String, String)> = differences(&run)
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["object"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        ("constraint", "public.readings_2026.positive"),
        ("index", "public.readings_2026.readings_2026_id"),
        ("partition", "public.readings_2026"),
        ("policy", "public.readings_2026.recent"),
        ("trigger", "public.readings_2026.touched"),
    ]
    .iter()
    .map(|(k, o)| (k.to_string(), o.to_string()))
    .collect();
    assert_eq!(found, expected);
}

/// Rules, statistics objects, event triggers and aggregates are compared; comments with
/// `--comments` and owners with `--owners` only.
#[test]
fn rules_statistics_event_triggers_aggregates_comments_and_owners() {
    let cluster = Cluster::shared();
    let a = migrated("drift_others_a");
    let b = migrated("drift_others_b");
    let role = format!("drift_others_{}", std::process::id());
    cluster.execute(
        "postgres",
        &format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role}"),
    );
    cluster.execute(
        &b,
        &format!(
            "CREATE RULE no_delete AS ON DELETE TO secrets DO INSTEAD NOTHING;
             CREATE STATISTICS secrets_org_key (ndistinct) ON organization_id, key FROM secrets;
             CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
             CREATE EVENT TRIGGER ddl_log ON ddl_command_end EXECUTE FUNCTION log_ddl();
             CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
             COMMENT ON TABLE secrets IS 'encrypted values';
             ALTER TABLE secrets OWNER TO {role};"
        ),
    );
    let run = drift(&a, &["--against", &cluster.url(&b)]);
    let kinds: Vec<String> = differences(&run)
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["kind"].as_str().unwrap(),
                d["object"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "rule public.secrets.no_delete",
        "statistics public.secrets_org_key",
        "event trigger ddl_log",
        "aggregate public.total(integer)",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "{expected} not in {kinds:#?}"
        );
    }
    assert!(
        !kinds
            .iter()
            .any(|k| k.starts_with("comment") || k.starts_with("owner")),
        "{kinds:#?}"
    );
    let with = drift(
        &a,
        &["--against", &cluster.url(&b), "--comments", "--owners"],
    );
    let kinds: Vec<String> = differences(&with)
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["kind"].as_str().unwrap(),
                d["object"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        kinds.contains(&"comment public.secrets".to_string()),
        "{kinds:#?}"
    );
    assert!(
        kinds.contains(&"owner public.secrets".to_string()),
        "{kinds:#?}"
    );
    cluster.execute(&b, "DROP EVENT TRIGGER ddl_log");
    cluster.execute(
        &b,
        &format!(
            "REASSIGN OWNED BY {role} TO {}; DROP OWNED BY {role}",
            support::SUPERUSER
        ),
    );
    cluster.execute("postgres", &format!("DROP ROLE {role}"));
}
