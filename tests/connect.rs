//! Real connections: TLS with verification and channel binding, and each failure with
//! its exit code and a one-line cause that never holds the password.

mod support;

use support::{Cluster, MARKER_PASSWORD, NEON_HOST, SUPERUSER, vsecure};

#[test]
fn doctor_reports_tls13_and_channel_binding_over_verified_tls() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_ok");
    let run = vsecure(
        &["doctor", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["ok"], true);
    let server = &report["server"];
    assert_eq!(server["tls"], true);
    assert_eq!(server["tls_version"], "TLSv1.3");
    assert_eq!(server["channel_binding"], "require");
    assert_eq!(server["channel_binding_in_use"], true);
    assert_eq!(server["role"], SUPERUSER);
    assert_eq!(server["database"], db.as_str());
    assert!(server["version"].as_str().unwrap().starts_with("18."));
    assert_eq!(report["url"]["neon"]["endpoint_id"], "ep-test-123456");
    assert_eq!(server["can_create_extensions"], true);
    assert!(report["extensions"].as_array().unwrap().len() == 7);
    assert_eq!(report["migrations"]["pending"].as_array().unwrap().len(), 0);
    assert_eq!(report["drift"]["drift"], false);
    assert_eq!(report["hygiene"].as_array().unwrap().len(), 0);
}

#[test]
fn doctor_on_an_empty_database_names_each_problem() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("doctor_empty");
    let run = vsecure(
        &["doctor", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["server"]["tls_version"], "TLSv1.3");
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("extension vector is missing")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("migration(s) pending")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("schema drift")),
        "{problems:?}"
    );
}

#[test]
fn doctor_table_names_tls_version_and_verdict() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_table");
    let run = vsecure(&["doctor"], &[("DATABASE_URL", &cluster.url(&db))]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("TLSv1.3"), "{}", run.stdout);
    assert!(run.stdout.contains("doctor: ok"));
}

#[test]
fn wrong_password_exits_3_with_one_line_cause() {
    let cluster = Cluster::shared();
    let url = cluster
        .url("postgres")
        .replace(MARKER_PASSWORD, "Wr0ng-marker-pw");
    let run = vsecure(&["doctor"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("authentication failed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Wr0ng-marker-pw"));
}

#[test]
fn unreachable_host_exits_3() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!(
        "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{port}/postgres?sslmode=verify-full"
    );
    let run = vsecure(
        &["doctor", "--connect-retries", "1"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
}

#[test]
fn untrusted_certificate_exits_3() {
    let cluster = Cluster::shared();
    let url = cluster
        .url("postgres")
        .replace(&format!("&sslrootcert={}", cluster.ca_file.display()), "");
    let run = vsecure(&["doctor"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("TLS failed"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "the server's certificate for {NEON_HOST} is not signed by the system's trusted CAs"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SSL routines"), "{}", run.stderr);
}

#[test]
fn certificate_for_another_name_exits_3() {
    let cluster = Cluster::shared();
    let url = cluster
        .url("postgres")
        .replace(NEON_HOST, "ep-other-999999.us-east-2.aws.neon.tech");
    let run = vsecure(&["doctor"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("TLS failed"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("certificate is not issued for ep-other-999999.us-east-2.aws.neon.tech"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_refused_connection_says_how_many_attempts_it_made() {
    let run = vsecure(
        &["status", "--connect-retries", "2"],
        &[(
            "DATABASE_URL",
            &format!("postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:1/db?sslmode=disable"),
        )],
    );
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("(3 attempt(s))"), "{}", run.stderr);
}

#[test]
fn server_without_tls_refused_when_tls_required() {
    let plain = Cluster::shared_plain();
    let url = format!(
        "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{}/postgres?sslmode=require",
        plain.port
    );
    let run = vsecure(&["doctor"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("TLS"), "{}", run.stderr);
}

#[test]
fn plain_loopback_connection_is_allowed_without_tls() {
    let plain = Cluster::shared_plain();
    let db = plain.migrated_database("doctor_plain");
    let run = vsecure(
        &["doctor", "--format", "json"],
        &[("DATABASE_URL", &plain.url(&db))],
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.json()["server"]["tls"], false);
    assert_eq!(run.json()["server"]["channel_binding_in_use"], false);
}

#[test]
fn policy_refusal_does_not_connect_and_exits_1() {
    let cluster = Cluster::shared();
    let url = cluster
        .url("postgres")
        .replace("&channel_binding=require", "");
    let run = vsecure(&["doctor", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let report = run.json();
    assert!(report["server"].is_null());
    assert_eq!(report["url"]["findings"][0]["code"], "neon-channel-binding");
}

#[test]
fn doctor_reads_database_url_from_env_file_without_overriding_environment() {
    use std::os::unix::fs::PermissionsExt;
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_env");
    let dir = tempfile::tempdir().unwrap();
    let env = support::write(
        dir.path(),
        ".env",
        &format!("DATABASE_URL={}\n", cluster.url(&db)),
    );
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = support::vsecure_in(dir.path(), &["doctor", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    // The environment wins over .env: a broken URL there is what gets used.
    let run = support::vsecure_in(
        dir.path(),
        &["doctor"],
        &[("DATABASE_URL", "postgresql://x/%zz")],
    );
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
}

#[test]
fn doctor_on_postgres_15() {
    let cluster = Cluster::shared_pg15();
    let run = vsecure(
        &["doctor", "--format", "json"],
        &[("DATABASE_URL", &cluster.url("postgres"))],
    );
    // Connected and reported; the verdict is 1 because PostgreSQL 15 here has no
    // pgvector and nothing is migrated.
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let report = run.json();
    assert!(
        report["server"]["version"]
            .as_str()
            .unwrap()
            .starts_with("15.")
    );
    let vector = report["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "vector")
        .unwrap();
    assert_eq!(vector["status"], "unavailable");
}

#[test]
fn session_settings_and_application_name_are_applied() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("settings");
    cluster.execute(&db, "CREATE TABLE seen(app text, st text, lt text)");
    let url = cluster.url(&db);
    let run = vsecure(
        &[
            "doctor",
            "--statement-timeout",
            "7s",
            "--lock-timeout",
            "1500ms",
        ],
        &[("DATABASE_URL", &url)],
    );
    // Connected with the flags accepted; the verdict is 1 as nothing is migrated.
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("PostgreSQL 18"), "{}", run.stdout);
    let opts = vsecure::db::SessionOptions {
        connect_timeout: None,
        connect_retries: 0,
        statement_timeout: std::time::Duration::from_secs(7),
        lock_timeout: std::time::Duration::from_millis(1500),
        application_name: None,
        verbose: false,
        session_settings: true,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (st, lt, app) = rt.block_on(async {
        let info = vsecure::dsn::parse(&url).unwrap();
        let s = vsecure::db::connect(&info, &opts).await.unwrap();
        let row = s
            .client
            .query_one(
                "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('application_name')",
                &[],
            )
            .await
            .unwrap();
        (row.get::<_, String>(0), row.get::<_, String>(1), row.get::<_, String>(2))
    });
    assert_eq!(st, "7s");
    assert_eq!(lt, "1500ms");
    assert!(app.starts_with("vsecure/"), "{app}");
}

#[test]
fn doctor_reports_local_hygiene_problems() {
    use std::os::unix::fs::PermissionsExt;
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_hygiene");
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let env = support::write(
        repo.path(),
        ".env",
        &format!("DATABASE_URL={}\n", cluster.url(&db)),
    );
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
    let codes = |run: &support::Run| -> Vec<String> {
        run.json()["hygiene"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let run = support::vsecure_in(repo.path(), &["doctor", "--format", "json"], &[]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(codes(&run), ["env-file-readable", "env-file-not-ignored"]);

    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    support::write(repo.path(), ".gitignore", ".env\n");
    let run = support::vsecure_in(repo.path(), &["doctor", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    let url = cluster.url(&db);
    let run = support::vsecure_in(
        repo.path(),
        &["doctor", "--format", "json", "--database-url", &url],
        &[],
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(codes(&run), ["password-on-command-line"]);
}

#[test]
fn commands_close_their_connections_properly_and_send_no_needless_rollback() {
    // A cluster of its own, so that only these runs write to its log.
    let cluster = Cluster::start(support::Build::Pg18, true);
    let db = cluster.create_database("goodbye");
    let url = cluster.url(&db);
    for args in [
        &["migrate"][..],
        &["status"][..],
        &["drift"][..],
        &["doctor"][..],
        &["cleanup", "all"][..],
        &["extensions", "check"][..],
    ] {
        let run = vsecure(args, &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    }
    let log = cluster.server_log();
    for noise in [
        "Connection reset by peer",
        "unexpected EOF",
        "there is no transaction in progress",
    ] {
        assert!(!log.contains(noise), "the server log has {noise:?}:\n{log}");
    }
}

#[test]
fn the_quickstart_env_file_reads_the_same_in_a_shell_and_in_vsecure() {
    // The DATABASE_URL line exactly as scripts/quickstart writes it, its shell variables
    // filled in.
    let script =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/quickstart"))
            .unwrap();
    let template = script
        .lines()
        .find(|l| l.starts_with("DATABASE_URL="))
        .expect("quickstart writes a DATABASE_URL line");
    let line = template
        .replace("$USER_NAME", SUPERUSER)
        .replace("$PASSWORD", MARKER_PASSWORD)
        .replace("$HOST", NEON_HOST)
        .replace("$PORT", "55432")
        .replace("$DB_NAME", "neondb")
        .replace("$STATE", "/tmp/state");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), format!("{line}\n")).unwrap();
    let expected = format!(
        "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@{NEON_HOST}:55432/neondb?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=/tmp/state/ca.crt&channel_binding=require"
    );
    let shell = std::process::Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", "set -a; . ./.env; printf %s \"$DATABASE_URL\""])
        .output()
        .unwrap();
    assert!(shell.status.success());
    assert!(
        String::from_utf8_lossy(&shell.stdout) == expected,
        "a shell reads another value from the quickstart's .env"
    );
    let run = support::vsecure_in(dir.path(), &["url", "check", "--format", "json"], &[]);
    let parsed = &run.json()["parsed"];
    assert_eq!(parsed["hostaddr"], "127.0.0.1");
    assert_eq!(parsed["channel_binding"], "require");
    assert_eq!(parsed["sslrootcert"], "/tmp/state/ca.crt");
    assert_eq!(parsed["host"], NEON_HOST);
}

/// libpq's variables and a password file, as psql users keep them, with no DATABASE_URL.
fn libpq_environment(
    cluster: &Cluster,
    db: &str,
    passfile: &std::path::Path,
) -> Vec<(String, String)> {
    [
        ("PGHOST", NEON_HOST.to_string()),
        ("PGHOSTADDR", "127.0.0.1".to_string()),
        ("PGPORT", cluster.port.to_string()),
        ("PGUSER", SUPERUSER.to_string()),
        ("PGDATABASE", db.to_string()),
        ("PGSSLMODE", "verify-full".to_string()),
        ("PGSSLROOTCERT", cluster.ca_file.display().to_string()),
        ("PGCHANNELBINDING", "require".to_string()),
        ("PGPASSFILE", passfile.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn borrowed(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn libpq_environment_and_password_file_connect_without_database_url() {
    use std::os::unix::fs::PermissionsExt;
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("libpq_env");
    let dir = tempfile::tempdir().unwrap();
    let passfile = support::write(
        dir.path(),
        "pgpass",
        &format!(
            "# psql's file\n{NEON_HOST}:{}:*:{SUPERUSER}:{MARKER_PASSWORD}\n",
            cluster.port
        ),
    );
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = libpq_environment(cluster, &db, &passfile);

    let run = vsecure(&["status", "--check"], &borrowed(&env));
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    let run = vsecure(&["url", "check", "--format", "json"], &borrowed(&env));
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["password_present"], true);
    assert_eq!(report["parsed"]["sslmode"], "verify-full");
    let sources = &report["sources"];
    assert_eq!(sources["host"]["from"], "environment");
    assert_eq!(sources["host"]["variable"], "PGHOST");
    assert_eq!(sources["password"]["from"], "passfile");
    assert_eq!(sources["password"]["path"], passfile.display().to_string());

    let run = vsecure(&["url", "check"], &borrowed(&env));
    assert!(
        run.stdout.contains("environment PGSSLROOTCERT"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("password file"), "{}", run.stdout);

    // The string wins over the environment, keyword by keyword.
    let mut with_url = borrowed(&env);
    let url = format!("postgresql://{NEON_HOST}/{db}?application_name=from-string");
    with_url.push(("DATABASE_URL", &url));
    let run = vsecure(&["url", "check", "--format", "json"], &with_url);
    assert_eq!(run.json()["sources"]["application_name"]["from"], "string");
    assert_eq!(run.json()["parsed"]["port"], cluster.port.to_string());
}

#[test]
fn the_policy_judges_what_the_environment_puts_in_force() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = "postgresql://app@db.acme.io/app";
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[("DATABASE_URL", url), ("PGSSLMODE", "disable")],
    );
    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    let report = run.json();
    assert_eq!(report["sources"]["sslmode"]["variable"], "PGSSLMODE");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "insecure-sslmode"),
        "{report}"
    );

    // A password file others can read is passed over, with libpq's warning.
    let passfile = support::write(
        dir.path(),
        "pgpass",
        &format!("*:*:*:*:{MARKER_PASSWORD}\n"),
    );
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[
            (
                "DATABASE_URL",
                "postgresql://app@db.acme.io/app?sslmode=verify-full",
            ),
            ("PGPASSFILE", passfile.to_str().unwrap()),
        ],
    );
    let report = run.json();
    assert_eq!(report["password_present"], false, "{report}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "passfile-ignored"),
        "{report}"
    );

    // Without DATABASE_URL or PGHOST there is still nothing to connect to.
    let run = vsecure(&["status"], &[("PGUSER", "app")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("PGHOST"), "{}", run.stderr);
}

/// Without sslrootcert the system's CAs are trusted: the bundle the binary defers at
/// start (here SSL_CERT_FILE, as OpenSSL reads it) is read when the connection needs it.
#[test]
fn the_system_trust_store_is_read_when_sslrootcert_is_not_given() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("system_trust");
    let url = cluster
        .url(&db)
        .replace(&format!("&sslrootcert={}", cluster.ca_file.display()), "");
    let ca = cluster.ca_file.display().to_string();
    let run = vsecure(
        &["status", "--check"],
        &[("DATABASE_URL", &url), ("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let system = url.replace(
        "sslmode=verify-full",
        "sslmode=verify-full&sslrootcert=system",
    );
    let run = vsecure(
        &["status", "--check"],
        &[("DATABASE_URL", &system), ("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(run.code, 0, "sslrootcert=system: {}", run.stderr);
}

/// PostgreSQL 17 and later accept TLS from the first byte (one round trip fewer) when
/// the client offers ALPN `postgresql`.
#[test]
fn direct_tls_negotiation_connects_to_postgresql_18() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("direct_tls");
    let url = format!("{}&sslnegotiation=direct", cluster.url(&db));
    let run = vsecure(&["doctor", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.json()["server"]["tls_version"], "TLSv1.3");
    assert_eq!(run.json()["server"]["channel_binding_in_use"], true);
}
