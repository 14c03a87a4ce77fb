//! `vsecure scan` on real trees: every form found, no secret printed, no placeholder
//! flagged, .gitignore respected, binaries skipped.

mod support;

use std::path::Path;

use support::{vsecure_in, write};

const NEON_PASSWORD: &str = "npg_Q7wErTy5uIoP"; // vsecure:allow (a test fake)
const TS_PASSWORD: &str = "Ts-s3cret-9xQ"; // vsecure:allow (a test fake)
const SHELL_PASSWORD: &str = "Sh-s3cret-4kZ"; // vsecure:allow (a test fake)
const IGNORED_PASSWORD: &str = "Ign-s3cret-2wX"; // vsecure:allow (a test fake)

fn leaky_tree(root: &Path) {
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    write(
        root,
        "docs/SECURITY.md",
        &format!(
            "# Database\n\nConnect with:\n\n```\npostgresql://neondb_owner:{NEON_PASSWORD}@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require\n```\n"
        ),
    );
    write(
        root,
        "src/db.ts",
        &format!(
            "import {{ Pool }} from 'pg';\n\nexport const pool = new Pool({{\n  connectionString: 'postgres://app:{TS_PASSWORD}@db.internal.acme.io:5432/app',\n}});\n"
        ),
    );
    write(
        root,
        "scripts/backup.sh",
        &format!(
            "#!/bin/sh\nexport PGPASSWORD='{SHELL_PASSWORD}'\npg_dump -h db -U app app > backup.sql\n"
        ),
    );
    write(
        root,
        "docs/SETUP.md",
        "Set DATABASE_URL=your_database_url in .env.\n\n\
         postgresql://user:<password>@host/db\n\
         postgresql://neondb_owner:${NEON_PASSWORD}@ep-x-123456.us-east-2.aws.neon.tech/neondb\n\
         postgresql://neondb_owner:****@ep-x-123456.us-east-2.aws.neon.tech/neondb\n\
         export PGPASSWORD=$PGPASSWORD\n",
    );
    write(
        root,
        ".env.production",
        &format!("DATABASE_URL=postgres://app:{IGNORED_PASSWORD}@db.internal.acme.io/app\n"),
    );
    write(root, ".gitignore", ".env.production\n");
    let mut binary = format!("postgres://app:{TS_PASSWORD}@db/app").into_bytes();
    binary.extend_from_slice(&[0, 1, 2, 3]);
    std::fs::write(root.join("src/blob.bin"), binary).unwrap();
}

fn assert_no_secret(text: &str) {
    for secret in [NEON_PASSWORD, TS_PASSWORD, SHELL_PASSWORD, IGNORED_PASSWORD] {
        assert!(!text.contains(secret), "a secret was printed: {text}");
    }
}

#[test]
fn scan_finds_each_leak_prints_no_secret_and_flags_no_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    leaky_tree(dir.path());
    let run = vsecure_in(dir.path(), &["scan", "--format", "json"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run.stdout);
    assert_no_secret(&run.stderr);
    let json = run.json();
    let found: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "docs/SECURITY.md".to_string(),
                6,
                "postgres-uri".to_string()
            ),
            ("scripts/backup.sh".to_string(), 2, "pgpassword".to_string()),
            ("src/db.ts".to_string(), 4, "postgres-uri".to_string()),
        ]
    );
    assert_eq!(json["ok"], false);
    assert_eq!(json["files_skipped"], 1, "the binary file is skipped");

    let table = vsecure_in(dir.path(), &["scan"], &[]);
    assert_eq!(table.code, 1);
    assert_no_secret(&table.stdout);
    assert!(
        table
            .stdout
            .contains("docs/SECURITY.md:6:1: postgres-uri: postgresql://neo***:****@ep-cool-darkness-123456.us-east-2.aws.neon.tech"),
        "{}",
        table.stdout
    );
}

#[test]
fn ignored_files_are_scanned_only_with_no_ignore() {
    let dir = tempfile::tempdir().unwrap();
    leaky_tree(dir.path());
    let run = vsecure_in(
        dir.path(),
        &["scan", "--no-ignore", "--format", "json"],
        &[],
    );
    assert_no_secret(&run.stdout);
    let json = run.json();
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with(".env.production"))
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["database-url"]);
}

#[test]
fn a_clean_tree_exits_0_and_a_missing_path_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        "Set DATABASE_URL in .env; see <password>.\n",
    );
    let run = vsecure_in(dir.path(), &["scan", "."], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("0 credential(s) found in 1 file(s)"));
    let missing = vsecure_in(dir.path(), &["scan", "no/such/dir"], &[]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stdout.contains("no/such/dir: not scanned"),
        "{}",
        missing.stdout
    );
}

#[test]
fn a_missing_path_does_not_stop_the_scan_of_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        &format!("PGPASSWORD={SHELL_PASSWORD}\n"),
    );
    let run = vsecure_in(
        dir.path(),
        &["scan", "--format", "json", "a.txt", "deleted.txt"],
        &[],
    );
    assert_eq!(run.code, 1, "the leak decides: {}", run.stdout);
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    assert_eq!(json["missing"][0], "deleted.txt");
    assert_no_secret(&run.stdout);
    let url = format!("postgresql://app:{SHELL_PASSWORD}@db.acme.io/app");
    let named = vsecure_in(dir.path(), &["scan", &url], &[]);
    assert_eq!(named.code, 2);
    assert_no_secret(&named.stdout);
    assert_no_secret(&named.stderr);
    assert!(
        named.stdout.contains("app***@db.acme.io"),
        "{}",
        named.stdout
    );
}

#[test]
fn unreadable_files_and_directories_are_named_and_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "readable.txt", "nothing here\n");
    let locked_file = write(
        dir.path(),
        "locked.txt",
        &format!("PGPASSWORD={SHELL_PASSWORD}\n"),
    );
    std::fs::create_dir(dir.path().join("locked-dir")).unwrap();
    write(
        &dir.path().join("locked-dir"),
        "inner.txt",
        &format!("PGPASSWORD={SHELL_PASSWORD}\n"),
    );
    std::fs::set_permissions(&locked_file, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(
        dir.path().join("locked-dir"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let run = support::vsecure_unprivileged_in(dir.path(), &["scan", "--format", "json", "."], &[]);
    std::fs::set_permissions(
        dir.path().join("locked-dir"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["ok"], false);
    let unreadable: Vec<String> = json["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        unreadable.iter().any(|p| p.ends_with("locked.txt")),
        "{unreadable:?}"
    );
    assert!(
        unreadable.iter().any(|p| p.ends_with("locked-dir")),
        "{unreadable:?}"
    );
    let table = support::vsecure_unprivileged_in(dir.path(), &["scan", "."], &[]);
    assert!(
        table
            .stdout
            .contains("locked.txt: not scanned: permission denied"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("incomplete"), "{}", table.stdout);
}

#[test]
fn this_repository_holds_no_credentials() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = vsecure_in(Path::new(root), &["scan"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// Placeholders are judged by their whole value: passwords with a placeholder word in
/// them, hosts with "your" or "example" in them, passwords given as a query parameter or
/// with an unencoded quote, `<` or space are found; and nothing of them is printed.
#[test]
fn the_forms_placeholders_used_to_hide_are_found_without_printing_them() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = [
        "MyPASSWORD123!",
        "dummypass2024",
        "Qw3rty-Uiop",
        "it's<a secret",
    ];
    let text = format!(
        "a: postgresql://app:{}@db.acme.io/app\n\
         b: postgresql://app:{}@db.example.com/app\n\
         c: postgresql://app@db.acme.io/app?password={}\n\
         d: postgres://db.acme.io/app?user=app&password={}&sslmode=require\n\
         e: postgresql://app:{}@yourcompany-db.internal/app\n\
         f: postgresql://app:your_password_here@db.acme.io/app\n",
        secrets[0], secrets[1], secrets[2], secrets[2], secrets[3]
    );
    write(dir.path(), "notes.md", &text);
    let run = vsecure_in(dir.path(), &["scan", "--format", "json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<u64> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [1, 2, 3, 4, 5],
        "every real one, not the placeholder"
    );
    for secret in secrets {
        for piece in secret.as_bytes().windows(6) {
            let piece = String::from_utf8_lossy(piece);
            assert!(
                !run.stdout.contains(piece.as_ref()),
                "{piece} printed: {}",
                run.stdout
            );
        }
    }
}

/// The labelled corpus (tests/fixtures/scan_corpus): `found/` holds one synthetic
/// credential per file, written the ways projects write them; `clean/` holds
/// look-alikes that are not credentials (placeholders, references, verifiers, code).
/// README states the recall and precision this test holds scan to.
#[test]
fn recall_and_precision_on_the_labelled_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan_corpus");
    let run = vsecure_in(
        &corpus,
        &["scan", "--no-ignore", "--format", "json", "found", "clean"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let path = |f: &serde_json::Value| {
        f["path"]
            .as_str()
            .unwrap()
            .trim_start_matches("./")
            .to_string()
    };
    let positives: Vec<String> = std::fs::read_dir(corpus.join("found"))
        .unwrap()
        .map(|e| format!("found/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    let recalled = positives
        .iter()
        .filter(|p| findings.iter().any(|f| &path(f) == *p))
        .count();
    let true_findings = findings
        .iter()
        .filter(|f| path(f).starts_with("found/"))
        .count();
    let recall = recalled as f64 / positives.len() as f64;
    let precision = true_findings as f64 / findings.len() as f64;
    let missed: Vec<&String> = positives
        .iter()
        .filter(|p| !findings.iter().any(|f| &path(f) == *p))
        .collect();
    let false_alarms: Vec<String> = findings
        .iter()
        .map(path)
        .filter(|p| p.starts_with("clean/"))
        .collect();
    assert!(recall >= 0.95, "recall {recall:.2}; missed {missed:?}");
    assert!(
        precision >= 0.97,
        "precision {precision:.2}; flagged {false_alarms:?}"
    );
    assert!(positives.len() >= 25, "the corpus keeps every class");
    let mut local: Vec<String> = run.json()["local_defaults"]
        .as_array()
        .unwrap()
        .iter()
        .map(path)
        .collect();
    local.sort();
    assert_eq!(
        local,
        [
            "clean/.pgpass",
            "clean/AndroidDbHelper.java",
            "clean/CardRepositoryIT.java",
            "clean/CommentedLocalDataSource.java",
            "clean/Conexion_Inventario.cs",
            "clean/ConnectionSettings.cs",
            "clean/ConnectorBank.java",
            "clean/CountdownConnect.cs",
            "clean/CourseDbConnection.java",
            "clean/DataModuleLocal.pas",
            "clean/Db-b38.cs",
            "clean/DevDatabase.kt",
            "clean/Dockerfile.cms",
            "clean/Dockerfile.galaxy",
            "clean/Dockerfile.orders-db",
            "clean/ExamDatabaseFactory.kt",
            "clean/FieldNotesDb.scala",
            "clean/GenymotionDbHelper.java",
            "clean/GeoRepository.java",
            "clean/Grades.java",
            "clean/IMPORT_OSM.md",
            "clean/KategoriForm.cs",
            "clean/KipContext.cs",
            "clean/LAB_LOCAL.md",
            "clean/LedgerClient.scala",
            "clean/Makefile-local",
            "clean/Makefile-product-metastore",
            "clean/Makefile-teashop",
            "clean/Makefile-ui-e2e",
            "clean/MediaCatalogService.cs",
            "clean/NotesConfig.kt",
            "clean/PGBOUNCER_NOTES.md",
            "clean/PostgresClientKitExample.swift",
            "clean/PostgresClientKitExample.swift",
            "clean/PublishingDb.cpp",
            "clean/README-b31.md",
            "clean/README-compose-db.md",
            "clean/README.txt",
            "clean/SQITCH_SETUP.md",
            "clean/SchedulerDataSourceConfig.java",
            "clean/SpacedSettings.cs",
            "clean/ThicketDao.java",
            "clean/VERIFY_MIGRATION.md",
            "clean/VirtualStopIT.java",
            "clean/WINDOWS_DEV_SETUP.md",
            "clean/add-test-service.sh",
            "clean/admin_login_prose.md",
            "clean/airflow-compose.yml",
            "clean/airflow-compose.yml",
            "clean/airflow-connection.md",
            "clean/airflow-local-connections.sh",
            "clean/airflow-local-connections.sh",
            "clean/airflow-nfe.env",
            "clean/airflow-notes.md",
            "clean/airflow-notes.md",
            "clean/alembic-docker-inspect.md",
            "clean/analyzer-local-compose.yml",
            "clean/app-login.integration.test.ts",
            "clean/application-test.properties",
            "clean/appsettings-localhost.cs",
            "clean/appsettings.Development.json",
            "clean/archive-stack-env.md",
            "clean/archive-stack-env.md",
            "clean/auth-e2e-deployment.yaml",
            "clean/awarefit-db.php",
            "clean/backend-compose.yml",
            "clean/bacula-catalog.conf",
            "clean/bart_task_login.py",
            "clean/bench-main.go",
            "clean/bench_results_pdo.php",
            "clean/box-README.md",
            "clean/boxed-api.md",
            "clean/bridge_clustering.py",
            "clean/build_lessons.py",
            "clean/bun_playground_test.go",
            "clean/calcite_commented_remote_url.java",
            "clean/catalog-module.md",
            "clean/chat-compose.yml",
            "clean/chat-dev-compose.yml",
            "clean/chat-dev-compose.yml",
            "clean/ci-compose.yml",
            "clean/ci-ephemeral-service.yml",
            "clean/ci-ephemeral-service.yml",
            "clean/ci-services.yml",
            "clean/ci-services.yml",
            "clean/circleci-user-repeated.yml",
            "clean/clickhouse-engine-podman.md",
            "clean/clickhouse-engine-podman.md",
            "clean/clinic_local.c",
            "clean/collect-hosts.sh",
            "clean/collectd-postgresql-role.pp",
            "clean/com.acme.dev-db.plist",
            "clean/comment-example_test.go",
            "clean/compose-app-named-fallback.yml",
            "clean/compose-gateway-handoff.md",
            "clean/compose-local-defaults.env",
            "clean/compose-network-guide.md",
            "clean/compose-padded-default.yml",
            "clean/compose-test-test.yml",
            "clean/compose-user-repeated.yml",
            "clean/compose-user-repeated.yml",
            "clean/compose_queries_symbol.py",
            "clean/conexao_local.py",
            "clean/config-service.env",
            "clean/config_defaults.go",
            "clean/conftest-reserved-test-domain.py",
            "clean/conn_db.lua",
            "clean/connections-notes.md",
            "clean/container_test.go",
            "clean/counted-then-letter-local.go",
            "clean/course-notes-compose.txt",
            "clean/czech-notes.md",
            "clean/dart-positional-host.dart",
            "clean/datastore_init.go",
            "clean/deadpool_main.rs",
            "clean/debezium-local.sh",
            "clean/default-password-guide.md",
            "clean/default-password-guide.md",
            "clean/demo-secret.yaml",
            "clean/deno-local-db.ts",
            "clean/dev-aliases.sh",
            "clean/dev-aliases.sh",
            "clean/dev-db.clj",
            "clean/dev-loopback.env",
            "clean/dev.env",
            "clean/dev.exs",
            "clean/devcontainer-profile.json",
            "clean/django_empty_host_settings.py",
            "clean/dmLocalPg.dfm",
            "clean/doc_command_env_own_container.md",
            "clean/doc_localtest_me_proxy.md",
            "clean/doc_restore_capitals_pass.md",
            "clean/docker-compose.dev.yml",
            "clean/dockertest_db_test.go",
            "clean/drizzle-local.config.ts",
            "clean/ecto-fallback-host.exs",
            "clean/ecto-test-server-false.exs",
            "clean/env-templates.md",
            "clean/env-test-local.env",
            "clean/environments-test-local.md",
            "clean/etl_schema_setup.ps1",
            "clean/etl_settings.py",
            "clean/evergreen-marc-test.pl",
            "clean/export-notes.md",
            "clean/export.sh",
            "clean/face_auth_main.py",
            "clean/fastapi-keyboard-walk.py",
            "clean/files-config.php",
            "clean/flask-users-persistence-service.py",
            "clean/flask_instance_config_loopback.py",
            "clean/flows-compose.yml",
            "clean/flows-namepw-compose.yml",
            "clean/follower-entrypoint.sh",
            "clean/foreman-install.sh",
            "clean/forge-compose.yml",
            "clean/forge-compose.yml",
            "clean/forge.rb",
            "clean/fruit_sequel_local.rb",
            "clean/garden_notebook.py",
            "clean/gateway-compose.yml",
            "clean/geonode-stack.env",
            "clean/geonode-stack.env",
            "clean/geoserver_store.sh",
            "clean/gha-postgres-service.yml",
            "clean/gha-postgres-service.yml",
            "clean/gha-services.yml",
            "clean/gleam_pog_test_local.gleam",
            "clean/go-test-system-password.go",
            "clean/go-testcontainer-login_test.go",
            "clean/gorm_port_as_host.go",
            "clean/grafana-datasources.yml",
            "clean/graph-run.sh",
            "clean/gruppo-db.php",
            "clean/hdbc-bench-turned-walk.hs",
            "clean/held-key-local.go",
            "clean/hello_pg.cpp",
            "clean/helloworld-local.mk",
            "clean/helloworld-local.mk",
            "clean/helm-quickstart.md",
            "clean/helpdesk_howto.py",
            "clean/hikari-local.conf",
            "clean/hive-site-compose.xml",
            "clean/idempiere-env.bat",
            "clean/init-app-user.sh",
            "clean/init-local.sh",
            "clean/install-pg.sh",
            "clean/install-radius-local.sh",
            "clean/install-radius-local.sh",
            "clean/inventory-README.md",
            "clean/inventory-quarkus.properties",
            "clean/java_params_driver_url_local.java",
            "clean/jest-containers.config.js",
            "clean/jest-containers.config.js",
            "clean/jooq_codegen_hostless.md",
            "clean/jpa-persistence.xml",
            "clean/jupyterhub-db.sh",
            "clean/k8s-configmap-dashed-keys.tf",
            "clean/k8s-own-name-cluster-service.yaml",
            "clean/kaifa-huanjing.md",
            "clean/kawoosh-tests.lisp",
            "clean/keyboard-local.md",
            "clean/keycloak-own-service.env",
            "clean/lab-delete.php",
            "clean/lateral-movement.md",
            "clean/ledger-context.xml",
            "clean/ledger-dev-pool.js",
            "clean/library-notes.md",
            "clean/library_db.go",
            "clean/lms-docker-config.php",
            "clean/load_orders.py",
            "clean/load_sales.py",
            "clean/local-guide-own-password.md",
            "clean/local-guide-own-password.md",
            "clean/local-setup.md",
            "clean/local.env",
            "clean/local.env",
            "clean/local_steps.feature",
            "clean/local_survey.R",
            "clean/lucky_database_local.cr",
            "clean/map-stack-README.md",
            "clean/map-stack-README.md",
            "clean/message-store.go",
            "clean/metrics-compose-guide.md",
            "clean/migration-env.sh",
            "clean/minikube-sandbox.md",
            "clean/monitor.conf.php",
            "clean/monocle-config.php",
            "clean/moodle-docker-config.php",
            "clean/mosaic-shifted-walk-loopback.py",
            "clean/newsletter-entrypoint.sh",
            "clean/nightly-dump-local.bat",
            "clean/nixos-forge-role.nix",
            "clean/nocodb_fallback_db_name_local.sh",
            "clean/node_defaults.pp",
            "clean/nominatim-local.Dockerfile",
            "clean/notes_db.py",
            "clean/npgsql_fsharp_local.fs",
            "clean/npgsql_quote_escaping_test.py",
            "clean/observers.py",
            "clean/odbc_params.h",
            "clean/odoo-dev-server.md",
            "clean/odoo-install-role-password-named.md",
            "clean/odv_import.py",
            "clean/ogr2ogr-load-parcels.sh",
            "clean/opf-demo-own-name.pas",
            "clean/orb-datasource.yaml",
            "clean/orbstack-local-container.sh",
            "clean/orders-resin.xml.ftl",
            "clean/orm-b38.config.ts",
            "clean/parse.test.ts",
            "clean/parse.test.ts",
            "clean/parse.test.ts",
            "clean/paste_server.py",
            "clean/peertube-socket.nix",
            "clean/penpot-service.nix",
            "clean/pg-client-prefixed-pgpassword-fallback.mjs",
            "clean/pg-connect-database-name-shortened.php",
            "clean/pg-docker-notes.md",
            "clean/pg-localhost.env",
            "clean/pgbench_local.sh",
            "clean/pgbench_local.sh",
            "clean/pgbench_local.sh",
            "clean/pgpool-streaming-howto.md",
            "clean/pgpool-streaming-howto.md",
            "clean/pgtap_dblink_supabase_internal.sql",
            "clean/photos-env-README.md",
            "clean/plugin_test_container.mk",
            "clean/pmm-CONTRIBUTING.md",
            "clean/podpreset-tracker.yaml",
            "clean/pooler_admin_login_own_name.js",
            "clean/pooler_admin_login_own_name.js",
            "clean/postgrest-harness.mjs",
            "clean/probe.c",
            "clean/prod.secret.exs",
            "clean/profiles-etl.yml",
            "clean/psycopg2-notes.md",
            "clean/psycopg2_socket_dir_host.py",
            "clean/qt_connect.cpp",
            "clean/questdb-connect.md",
            "clean/quickstart.dart",
            "clean/quill-properties.md",
            "clean/radius-expire.php",
            "clean/reactive-README.md",
            "clean/rebuild.sh",
            "clean/rebuild_db.sh",
            "clean/redash-env-zh.md",
            "clean/redash-env-zh.md",
            "clean/render-db-url-local.sh",
            "clean/replicator_abbreviated_password.sql",
            "clean/repo.test.ts",
            "clean/report_conn_format_local.py",
            "clean/reset-notes.md",
            "clean/review-account.md",
            "clean/role-probe-compose.sh",
            "clean/role-setup-steps-local.md",
            "clean/run-api.md",
            "clean/run-ci-server.sh",
            "clean/run-local.md",
            "clean/rust-test-asserting-url-hosts.rs",
            "clean/s.env",
            "clean/saas-env-table-escaped-at.md",
            "clean/scan_marker_psql_vars_local.py",
            "clean/scratch.go",
            "clean/seed-roles.sql",
            "clean/seed-roles.sql",
            "clean/seed-roles.sql",
            "clean/seed-roles.sql",
            "clean/seed_compose.sh",
            "clean/servarr-postgres-setup.md",
            "clean/server.go",
            "clean/service-file-post.html",
            "clean/service-uri-env.sh",
            "clean/session-log-compose-default.md",
            "clean/session.txt",
            "clean/settings-b33.py",
            "clean/settings_dev_only_default.py",
            "clean/settings_own_name_joined_count.py",
            "clean/settings_template.py",
            "clean/settings_typed.py",
            "clean/shelf-orm.ts",
            "clean/show-config.ps1",
            "clean/sink-connector-local.properties",
            "clean/sip-server-pgpass.md",
            "clean/skunk_tutorial_world.scala",
            "clean/socket_dsn.py",
            "clean/socket_dsn.py",
            "clean/spring_properties_block_comment_local.java",
            "clean/sql-client-connections.json",
            "clean/sqlalchemy_url_create_env_host_loopback.py",
            "clean/sqls-local.lua",
            "clean/stack-README.md",
            "clean/stack-README.md",
            "clean/start-sonarqube-local.sh",
            "clean/stock_local.dart",
            "clean/store_SUITE.erl",
            "clean/store_client.rb",
            "clean/store_env_helper.py",
            "clean/store_open_compose.go",
            "clean/student_client.c",
            "clean/swarm-stack.md",
            "clean/swarm-stack.md",
            "clean/t.env",
            "clean/team-notes-compose-default-counted-on.md",
            "clean/terraform_locals_local_environment.tf",
            "clean/test-2.env",
            "clean/test-local.env",
            "clean/test-settings-url.py",
            "clean/test.env",
            "clean/test_db.env",
            "clean/test_env_check.py",
            "clean/testcontainers-pg.java",
            "clean/throwaway-docker.sh",
            "clean/throwaway-docker.sh",
            "clean/throwaway-service.yml",
            "clean/tildemush_settings.py",
            "clean/tiles_import.rb",
            "clean/tpcc-local.tcl",
            "clean/tpcc-local.tcl",
            "clean/tracking-db-setup.sql",
            "clean/trino-catalog.md",
            "clean/try-connections.go",
            "clean/ttrss.Dockerfile",
            "clean/tunnel-note.tf",
            "clean/two-letter-loopback.py",
            "clean/typeorm.env",
            "clean/upper_db_raw_string_local.go",
            "clean/url-cases_test.go",
            "clean/vagrant_vm_jdbc_own_name.java",
            "clean/values-bundled-db.yaml",
            "clean/values-cluster-service.yaml",
            "clean/vapor-configure.swift",
            "clean/vault-bootstrap.sh",
            "clean/wait-for-rehearsal-db.sh",
            "clean/wait-for-rehearsal-db.sh",
            "clean/warehouse.env",
            "clean/warehouse_conn.py",
            "clean/weak-local-pools.js",
            "clean/webmail-stressed-default.inc.php",
            "clean/welkom-greeting-loopback.py",
            "clean/workflow-engine-dev.yaml",
            "clean/workflow_conn_local_test.go",
            "clean/yesod-settings.yml",
            "clean/zabbix.conf.php",
            "clean/zig_opts_loopback_bytes.zig",
            "found/DataSource-set-aside.groovy",
            "found/cloud-config-commented.md",
            "found/cloud-sql-connection.md",
            "found/cloudsql-ephemeral.go",
            "found/sql-connections.el",
        ],
        "reported low, not as findings"
    );
}

/// Whatever the form or encoding of the password (quoted, percent- or base64-encoded,
/// with an unencoded quote or `<`), no output of scan — table with -v, JSON, SARIF,
/// GitHub annotations — holds any 6-character piece of it. `secrets.txt` lists the
/// corpus's synthetic passwords as written in its files.
#[test]
fn no_output_format_holds_any_piece_of_a_corpus_password() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan_corpus");
    let secrets = std::fs::read_to_string(corpus.join("secrets.txt")).unwrap();
    let pieces: Vec<&str> = secrets
        .lines()
        .flat_map(|secret| (0..=secret.len().saturating_sub(6)).map(move |i| &secret[i..i + 6]))
        // `MyPASSWORD-...` holds the word that names settings (`PGPASSWORD=****`).
        .filter(|piece| !"PASSWORD".contains(piece))
        .collect();
    assert!(pieces.len() > 300);
    for format in ["table", "json", "sarif", "github"] {
        let run = vsecure_in(
            &corpus,
            &[
                "-v",
                "scan",
                "--no-ignore",
                "--format",
                format,
                "found",
                "clean",
            ],
            &[],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let shown = format!("{}{}", run.stdout, run.stderr);
        for piece in &pieces {
            assert!(!shown.contains(piece), "{format} shows {piece:?}");
        }
    }
}

/// Well-known local defaults are reported at low severity without failing the run;
/// `--fail-on-local-defaults` makes them fail it.
#[test]
fn local_defaults_are_reported_without_failing_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ci.env",
        "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app\n",
    );
    let run = vsecure_in(dir.path(), &["scan", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    assert_eq!(json["local_defaults"][0]["severity"], "low");
    let table = vsecure_in(dir.path(), &["scan"], &[]);
    assert!(
        table.stdout.contains("(local default, low severity)"),
        "{}",
        table.stdout
    );
    let strict = vsecure_in(dir.path(), &["scan", "--fail-on-local-defaults"], &[]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
}

/// `scan --git`: a credential added in one commit and deleted in the next is found in
/// history with its commit; a range that holds only the deletion finds nothing.
#[test]
fn a_credential_deleted_from_the_tree_is_found_in_history_with_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q"]);
    write(dir.path(), "notes.md", "# notes\n");
    git(&["add", "."]);
    git(&["commit", "-qm", "start"]);
    write(
        dir.path(),
        "notes.md",
        &format!("# notes\nproduction: postgresql://app:{TS_PASSWORD}@db.internal.acme.io/app\n"),
    );
    git(&["commit", "-qam", "oops"]);
    let leaked = git(&["rev-parse", "HEAD"]);
    write(dir.path(), "notes.md", "# notes\n");
    git(&["commit", "-qam", "remove it"]);

    let tree = vsecure_in(dir.path(), &["scan"], &[]);
    assert_eq!(tree.code, 0, "the tree is clean: {}", tree.stdout);
    let run = vsecure_in(dir.path(), &["scan", "--git", "--format", "json"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_no_secret(&run.stdout);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["commit"], leaked.as_str());
    assert_eq!(findings[0]["path"], "notes.md");
    assert_eq!(findings[0]["line"], 2);
    let table = vsecure_in(dir.path(), &["scan", "--git"], &[]);
    assert!(
        table
            .stdout
            .contains(&format!("commit {}: notes.md:2:", &leaked[..12])),
        "{}",
        table.stdout
    );
    let last = vsecure_in(dir.path(), &["scan", "--git", "HEAD~1..HEAD"], &[]);
    assert_eq!(
        last.code, 0,
        "the deletion alone adds nothing: {}",
        last.stdout
    );

    // A password set in a later commit than the settings that make it PostgreSQL's is
    // judged with the lines around it, as in the tree.
    let settings = "production:\n  adapter: postgresql\n  database: shop\n  username: shop\n";
    write(
        dir.path(),
        "database.yml",
        &format!("{settings}  password: <%= ENV['DB_PASSWORD'] %>\n"),
    );
    git(&["add", "."]);
    git(&["commit", "-qm", "settings"]);
    write(
        dir.path(),
        "database.yml",
        &format!("{settings}  password: {SHELL_PASSWORD}\n"),
    );
    git(&["commit", "-qam", "hard-code it"]);
    let hard_coded = git(&["rev-parse", "HEAD"]);
    let settings_run = vsecure_in(
        dir.path(),
        &["scan", "--git", "HEAD~2..HEAD", "--format", "json"],
        &[],
    );
    assert_eq!(settings_run.code, 1, "{}", settings_run.stdout);
    assert_no_secret(&settings_run.stdout);
    let found = settings_run.json()["findings"].as_array().unwrap().clone();
    let in_history: Vec<&serde_json::Value> =
        found.iter().filter(|f| f.get("commit").is_some()).collect();
    assert_eq!(in_history.len(), 1, "{found:#?}");
    assert_eq!(in_history[0]["commit"], hard_coded.as_str());
    assert_eq!(in_history[0]["path"], "database.yml");
    assert_eq!(in_history[0]["line"], 5);
    assert_eq!(in_history[0]["kind"], "password-setting");

    let nowhere = tempfile::tempdir().unwrap();
    let not_a_repo = vsecure_in(nowhere.path(), &["scan", "--git"], &[]);
    assert_eq!(not_a_repo.code, 2);
    assert!(
        not_a_repo.stderr.contains("scan --git: git log failed"),
        "{}",
        not_a_repo.stderr
    );
}

/// `--baseline` accepts the findings of an earlier JSON report by fingerprint, wherever
/// they moved, so only a new credential fails the run; SARIF (valid against the schema)
/// and GitHub annotations carry the findings, none with the secret.
#[test]
fn a_baseline_accepts_known_findings_and_sarif_and_github_carry_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    leaky_tree(root);
    let first = vsecure_in(root, &["scan", "--format", "json"], &[]);
    assert_eq!(first.code, 1);
    let known = first.json()["findings"].as_array().unwrap().len();
    let fingerprints: Vec<String> = first.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert!(fingerprints.iter().all(|f| f.len() == 32));
    let baseline = root.join("scan-baseline.json");
    std::fs::write(&baseline, &first.stdout).unwrap();
    let baseline_arg = baseline.to_str().unwrap();

    // The same leaks, moved down two lines: still known.
    let db = std::fs::read_to_string(root.join("src/db.ts")).unwrap();
    write(root, "src/db.ts", &format!("// moved\n\n{db}"));
    let again = vsecure_in(root, &["scan", "--baseline", baseline_arg], &[]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(
        again
            .stdout
            .contains(&format!("({known} accepted by the baseline)")),
        "{}",
        again.stdout
    );

    let added = "Rc-s3cret-8pL"; // vsecure:allow (a test fake)
    write(
        root,
        "src/more.py",
        &format!("DSN = 'postgresql://app:{added}@db.internal.acme.io/app'\n"),
    );
    let json = vsecure_in(
        root,
        &["scan", "--baseline", baseline_arg, "--format", "json"],
        &[],
    );
    assert_eq!(json.code, 1, "a new credential fails the run");
    let report = json.json();
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["path"], "./src/more.py");
    assert_eq!(report["accepted"].as_array().unwrap().len(), known);

    let sarif = vsecure_in(
        root,
        &["scan", "--baseline", baseline_arg, "--format", "sarif"],
        &[],
    );
    assert_eq!(sarif.code, 1);
    assert!(!sarif.stdout.contains(added));
    assert_no_secret(&sarif.stdout);
    assert!(sarif.stdout.contains("partialFingerprints"));
    assert!(sarif.stdout.contains("\"suppressions\""));
    support::assert_valid_sarif(&sarif.stdout);

    let github = vsecure_in(
        root,
        &["scan", "--baseline", baseline_arg, "--format", "github"],
        &[],
    );
    assert_eq!(github.code, 1);
    assert_eq!(
        github.stdout.lines().collect::<Vec<_>>(),
        [
            "::error file=src/more.py,line=1,col=8,title=postgres-uri::postgres-uri: postgresql://app***:****@db.internal.acme.io"
        ]
    );

    let missing = vsecure_in(root, &["scan", "--baseline", "nowhere.json"], &[]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("cannot read the baseline nowhere.json: no such file"),
        "{}",
        missing.stderr
    );
    // A connection string given where the baseline goes is not echoed whole.
    let url = format!(
        "postgresql://app:{}@db.internal.acme.io/app",
        support::MARKER_PASSWORD
    );
    let mistaken = vsecure_in(root, &["scan", "--baseline", &url], &[]);
    assert_eq!(mistaken.code, 2);
    support::assert_no_marker(&mistaken, &["scan", "--baseline"]);
    let not_a_report = vsecure_in(root, &["scan", "--baseline", "src/db.ts"], &[]);
    assert_eq!(not_a_report.code, 2);
    assert!(
        not_a_report
            .stderr
            .contains("is not a report of `vsecure scan"),
        "{}",
        not_a_report.stderr
    );
}
