//! The hardening suite: nothing leaks, nothing is lost.
//!
//! - every subcommand, on success and on each failure path, run with the marker
//!   password (the runner fails the test if it ever appears in stdout or stderr);
//! - `vsecure migrate` killed with SIGKILL at random moments, five times, then run again;
//! - the server restarted in the middle of a cleanup;
//! - a latency proxy counting the round trips each command makes after connecting,
//!   which must not grow with the schema or the number of migrations.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::proxy::CountingProxy;
use support::{Build, Cluster, MARKER_PASSWORD, NEON_HOST, SUPERUSER, block_on, connect, vsecure};
use vsecure::migrate::{MIGRATION_LOCK_KEY, MigrateOptions, MigrationSet};
use vsecure::ops::cleanup::Job;

/// Every subcommand that talks to a database, with the exit code it gives on a
/// migrated database.
const DATABASE_COMMANDS: &[(&[&str], i32)] = &[
    (&["doctor"], 0),
    (&["doctor", "--format", "json", "-v"], 0),
    (&["migrate"], 0),
    (&["migrate", "--dry-run", "--format", "json"], 0),
    (&["status", "--check"], 0),
    (&["status", "--format", "json"], 0),
    (&["baseline", "--version", "3", "--format", "json"], 0),
    (&["extensions", "check"], 0),
    (&["extensions", "install", "--format", "json"], 0),
    (&["cleanup", "all", "--format", "json"], 0),
    (&["cleanup", "oauth-codes", "--dry-run"], 0),
    (&["partitions", "ensure"], 0),
    (&["drift"], 0),
    (&["drift", "--format", "json", "--shadow"], 0),
    (&["schema", "dump"], 0),
];

/// Runs every database command against `url` and checks the exit code; the runner
/// checks that the marker never appears.
fn every_command(url: &str, expected: Option<i32>) {
    for (args, success_code) in DATABASE_COMMANDS {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--connect-retries", "0", "--connect-timeout", "3s"]);
        let run = vsecure(&all, &[("DATABASE_URL", url)]);
        let want = expected.unwrap_or(*success_code);
        assert_eq!(
            run.code, want,
            "vsecure {args:?}: stdout {} stderr {}",
            run.stdout, run.stderr
        );
        let error_lines = run.stderr.lines().filter(|l| l.contains("error:")).count();
        assert!(
            error_lines <= 1,
            "one error line at most for {args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn the_marker_never_leaks_on_success() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("leak_success");
    let url = cluster.url(&db);
    every_command(&url, None);
    let check = vsecure(&["url", "check", "--format", "json", &url], &[]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.json()["password_present"], true);
    let flag = vsecure(&["status", "--database-url", &url], &[]);
    assert_eq!(flag.code, 0, "{}", flag.stderr);
    assert!(
        flag.stderr.contains("visible to other users"),
        "{}",
        flag.stderr
    );
}

#[test]
fn the_marker_never_leaks_when_the_host_is_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url =
        format!("postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{port}/db?sslmode=disable");
    every_command(&url, Some(3));
}

#[test]
fn the_marker_never_leaks_when_the_password_is_wrong() {
    let cluster = Cluster::shared();
    let url = cluster
        .url("postgres")
        .replace(MARKER_PASSWORD, &format!("{MARKER_PASSWORD}-wrong"));
    every_command(&url, Some(3));
}

#[test]
fn the_marker_never_leaks_when_tls_is_refused() {
    let plain = Cluster::shared_plain();
    let url = plain
        .url("postgres")
        .replace("sslmode=disable", "sslmode=require");
    every_command(&url, Some(3));
}

#[test]
fn the_marker_never_leaks_from_a_bad_url_or_a_policy_refusal() {
    for bad in [
        format!("postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:99999/db"),
        format!("postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1/%zz"),
        format!("host=127.0.0.1 password={MARKER_PASSWORD} sslmod=require"),
        format!("mysql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1/db"),
    ] {
        every_command(&bad, Some(2));
        let check = vsecure(&["url", "check", &bad], &[]);
        assert_eq!(check.code, 2, "{}", check.stderr);
    }
    let unbound = format!(
        "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@{NEON_HOST}/neondb?sslmode=verify-full"
    );
    every_command(&unbound, Some(1));
}

#[test]
fn the_marker_never_leaks_when_a_lock_is_busy() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("leak_locks");
    let url = cluster.url(&db);
    block_on(async {
        let holder = connect(&url, Duration::from_secs(5)).await;
        holder
            .client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
            .await
            .unwrap();
        for args in [
            &["migrate", "--lock-wait", "1s"][..],
            &["baseline", "--version", "1", "--lock-wait", "1s"][..],
        ] {
            let run = vsecure(args, &[("DATABASE_URL", &url)]);
            assert_eq!(run.code, 4, "{args:?}: {}", run.stderr);
        }
        holder.client.batch_execute("BEGIN").await.unwrap();
        holder
            .client
            .execute(
                "SELECT pg_advisory_xact_lock($1)",
                &[&Job::OauthCodes.lock_key()],
            )
            .await
            .unwrap();
        let run = vsecure(
            &["cleanup", "oauth-codes", "--format", "json"],
            &[("DATABASE_URL", &url)],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.json()["skipped"], true);
        holder.client.batch_execute("ROLLBACK").await.unwrap();
    });
}

/// Milliseconds to wait before each kill: spread over connecting and applying, and
/// different on every run (printed on failure so a run can be reproduced).
fn kill_delays() -> Vec<u64> {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (0..5u64)
        .map(|i| {
            let x = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407u64.wrapping_mul(i + 1));
            20 + (x >> 33) % 400
        })
        .collect()
}

#[test]
fn migrate_killed_at_random_moments_then_completes_with_clean_status_and_no_drift() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("killed");
    let url = cluster.url(&db);
    let delays = kill_delays();
    for delay in &delays {
        let mut child = support::vsecure_command()
            .args(["migrate", "-q", "--lock-wait", "30s"])
            .env("DATABASE_URL", &url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(*delay));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let run = vsecure(
        &["migrate", "--lock-wait", "60s"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "delays {delays:?}: {}", run.stderr);
    let status = vsecure(&["status", "--check"], &[("DATABASE_URL", &url)]);
    assert_eq!(status.code, 0, "delays {delays:?}: {}", status.stdout);
    let drift = vsecure(&["drift"], &[("DATABASE_URL", &url)]);
    assert_eq!(drift.code, 0, "delays {delays:?}: {}", drift.stdout);
    let versions = cluster.query_strings(
        &db,
        "SELECT count(*)::text || '/' || count(DISTINCT version)::text FROM refinery_schema_history",
    );
    let embedded = MigrationSet::embedded().unwrap().files().len();
    assert_eq!(
        versions,
        [format!("{embedded}/{embedded}")],
        "delays {delays:?}"
    );
}

#[test]
fn drift_shadow_interrupted_at_random_moments_leaves_no_shadow_database_and_sweeps_old_ones() {
    let cluster = Cluster::start(Build::Pg18, false);
    let db = cluster.migrated_database("interrupted");
    let url = cluster.url(&db);
    let shadows = |cluster: &Cluster| {
        cluster.query_strings(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname LIKE 'vsecure\\_shadow\\_%' ORDER BY 1",
        )
    };
    // A leftover of a run killed two hours ago, and one of a run that is (as far as a
    // later run can tell) still going.
    let created = |ago: u64| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - ago
    };
    let old = format!("vsecure_shadow_{}_4242_1", created(7200));
    let recent = format!("vsecure_shadow_{}_4243_1", created(60));
    for name in [&old, &recent] {
        cluster.execute("postgres", &format!("CREATE DATABASE {name}"));
    }
    let spawn_shadow_drift = || {
        support::vsecure_command()
            .args(["drift", "--shadow"])
            .env("DATABASE_URL", &url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let delays = kill_delays();
    let mut interrupted = 0;
    for (i, delay) in delays.iter().enumerate() {
        let child = spawn_shadow_drift();
        std::thread::sleep(Duration::from_millis(*delay));
        let signal = if i % 2 == 0 { "-INT" } else { "-TERM" };
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            // Ended by the signal before its shadow database existed, or finished first.
            None | Some(0) => {}
            Some(5) => {
                interrupted += 1;
                assert!(
                    stderr.contains("the shadow database was dropped"),
                    "{stderr}"
                );
                assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
            }
            other => panic!("delay {delay} ms, {signal}: exit {other:?}: {stderr}"),
        }
        // The leftover goes once a run gets as far as its sweep; nothing else is left.
        let left: Vec<String> = shadows(&cluster)
            .into_iter()
            .filter(|n| *n != old)
            .collect();
        assert_eq!(
            left,
            std::slice::from_ref(&recent),
            "delay {delay} ms, {signal}"
        );
    }
    // The random delays may all miss the shadow run: then signal one as soon as its
    // shadow database has a session (retrying if the run wins the race).
    for _ in 0..5 {
        if interrupted > 0 {
            break;
        }
        let mut child = spawn_shadow_drift();
        while child.try_wait().unwrap().is_none() {
            let sessions = cluster.query_strings(
                "postgres",
                "SELECT count(*)::text FROM pg_stat_activity WHERE datname LIKE 'vsecure\\_shadow\\_%'",
            );
            if sessions == ["1"] {
                Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
                break;
            }
        }
        if child.wait().unwrap().code() == Some(5) {
            interrupted += 1;
        }
    }
    assert!(interrupted > 0, "no run was interrupted mid-way");
    let completed = vsecure(&["drift", "--shadow"], &[("DATABASE_URL", &url)]);
    assert_eq!(completed.code, 0, "{}", completed.stderr);
    assert_eq!(shadows(&cluster), [recent]);
    cluster.stop();
}

const SEED_CODES: &str = "
INSERT INTO organizations (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'org');
INSERT INTO users (id, organization_id, email)
    VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'u@example.com');
INSERT INTO oauth_authorization_codes (code_hash, client_id, user_id, redirect_uri, expires_at)
    SELECT 'h' || g, 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', 'http://x',
           now() - interval '1 minute'
    FROM generate_series(1, 600000) g;
INSERT INTO oauth_authorization_codes (code_hash, client_id, user_id, redirect_uri, expires_at)
    SELECT 'live' || g, 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', 'http://x',
           now() + interval '1 hour'
    FROM generate_series(1, 10) g;";

#[test]
fn a_server_restart_mid_cleanup_exits_3_and_the_next_run_finishes_the_job() {
    let mut cluster = Cluster::start(Build::Pg18, false);
    let db = cluster.create_database("restart");
    let url = cluster.url(&db);
    let run = vsecure(&["migrate", "-q"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    cluster.execute(&db, SEED_CODES);
    let remaining = |cluster: &Cluster| -> i64 {
        cluster.query_strings(&db, "SELECT count(*)::text FROM oauth_authorization_codes")[0]
            .parse()
            .unwrap()
    };
    let child = support::vsecure_command()
        .args([
            "cleanup",
            "oauth-codes",
            "--batch-size",
            "300",
            "--connect-retries",
            "0",
        ])
        .env("DATABASE_URL", &url)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while remaining(&cluster) == 600_010 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    cluster.restart();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(MARKER_PASSWORD));
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("lost its connection"), "{stderr}");
    assert!(
        remaining(&cluster) > 10,
        "the restart came after the job had finished"
    );

    let rerun = vsecure(
        &["cleanup", "oauth-codes", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(remaining(&cluster), 10, "only the live codes remain");
}

/// A URL for `db` on the plain cluster behind the proxy.
fn proxied_url(proxy: &CountingProxy, db: &str) -> String {
    format!(
        "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
        proxy.port
    )
}

/// Round trips after connecting, per connection, of one vsecure run through the proxy.
fn round_trips(proxy: &CountingProxy, db: &str, args: &[&str]) -> Vec<usize> {
    let url = proxied_url(proxy, db);
    proxy.take_counts();
    let run = vsecure(args, &[("DATABASE_URL", &url)]);
    assert!(matches!(run.code, 0 | 1), "{args:?}: {}", run.stderr);
    proxy.take_counts()
}

/// Each command with its budget: the round trips after connecting, per connection
/// (migrate opens a short probe connection first, on hosts that are not Neon's). The
/// budget is a constant, so staying within it on a small and a large schema shows the
/// round trips do not grow with the schema. The proxy counts waves of requests, and a
/// busy machine can merge two into one, so fewer than the budget is fine.
const BUDGETS: &[(&[&str], &[usize])] = &[
    (&["status"], &[1]),
    (&["migrate"], &[1, 2]),
    (&["migrate", "--dry-run"], &[1, 1]),
    (&["extensions", "check"], &[1]),
    (&["drift"], &[1]),
    (&["schema", "dump"], &[1]),
    (&["doctor"], &[1]),
    (&["cleanup", "all"], &[2]),
    (&["partitions", "ensure"], &[1]),
    (
        &[
            "lint",
            "--dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
        ],
        &[1],
    ),
    (
        &[
            "lint",
            "--live",
            concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/V8__platform.sql"),
        ],
        &[1],
    ),
];

fn assert_within(args: &[&str], counted: &[usize], budget: &[usize]) {
    assert_eq!(
        counted.len(),
        budget.len(),
        "{args:?}: connections {counted:?}"
    );
    assert!(
        counted.iter().zip(budget).all(|(c, b)| c <= b),
        "{args:?}: {counted:?} round trips, budget {budget:?}"
    );
}

#[test]
fn round_trips_stay_constant_as_the_schema_grows() {
    let plain = Cluster::shared_plain();
    let proxy = CountingProxy::start(plain.port, Duration::from_millis(5));
    let small = plain.migrated_database("rtt_small");
    let large = plain.migrated_database("rtt_large");
    plain.execute(
        &large,
        "DO $$ BEGIN FOR i IN 1..300 LOOP
           EXECUTE format('CREATE TABLE extra_%s (id bigint PRIMARY KEY, name text NOT NULL,
                           at timestamptz DEFAULT now(), CHECK (length(name) < 50))', i);
           EXECUTE format('CREATE INDEX ON extra_%s (at)', i);
           EXECUTE format('CREATE FUNCTION extra_fn_%s() RETURNS int LANGUAGE sql AS ''SELECT %s''', i, i);
         END LOOP; END $$;",
    );
    for db in [&small, &large] {
        round_trips(&proxy, db, &["partitions", "ensure"]);
    }
    let mut report = Vec::new();
    for (args, budget) in BUDGETS {
        let started = Instant::now();
        let on_small = round_trips(&proxy, &small, args);
        let took = started.elapsed();
        let on_large = round_trips(&proxy, &large, args);
        assert_within(args, &on_small, budget);
        assert_within(args, &on_large, budget);
        report.push(format!(
            "{args:?}: {on_small:?} ({took:?} at 5 ms per round trip)"
        ));
    }
    let fresh = plain.create_database("rtt_fresh");
    assert_within(
        &["migrate", "(fresh)"],
        &round_trips(&proxy, &fresh, &["migrate"]),
        &[1, 2],
    );
    eprintln!("{}", report.join("\n"));
}

#[test]
fn round_trips_of_status_and_an_idle_migrate_stay_constant_as_migrations_grow() {
    let plain = Cluster::shared_plain();
    let proxy = CountingProxy::start(plain.port, Duration::from_millis(2));
    let set_of = |n: usize| {
        MigrationSet::from_sources((1..=n).map(|i| {
            (
                format!("V{i}__t{i}"),
                format!("CREATE TABLE t{i} (id int);"),
            )
        }))
        .unwrap()
    };
    let mut counts = Vec::new();
    for n in [3, 30] {
        let db = plain.create_database("rtt_migrations");
        let url = proxied_url(&proxy, &db);
        let set = set_of(n);
        let opts = MigrateOptions {
            dry_run: false,
            target: None,
            lock_wait: Duration::from_secs(10),
        };
        block_on(async {
            let session = connect(&url, Duration::from_secs(5)).await;
            vsecure::migrate::migrate(&session.client, &set, &opts, &mut |_| {})
                .await
                .unwrap();
        });
        // The median of five runs: a lock poll that has to retry while another backend
        // is still letting go adds a round trip that has nothing to do with size, and a
        // machine under load can merge or split a wave now and then.
        let mut runs = Vec::new();
        for _ in 0..5 {
            // The session before holds the migration lock until its backend is gone; a
            // poll for it would be one more round trip that has nothing to do with size.
            let deadline = Instant::now() + Duration::from_secs(10);
            while plain.query_strings(
                &db,
                "SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory'
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            ) != ["0"]
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            proxy.take_counts();
            let measured = block_on(async {
                let session = connect(&url, Duration::from_secs(5)).await;
                vsecure::migrate::read_status(&session.client, &set)
                    .await
                    .unwrap();
                vsecure::migrate::migrate(&session.client, &set, &opts, &mut |_| {})
                    .await
                    .unwrap();
                drop(session);
                proxy.take_counts()
            });
            runs.push(measured.iter().sum::<usize>());
        }
        runs.sort_unstable();
        counts.push(runs[2]);
    }
    // status (1), then an idle migrate: the lock with the history (1) and the unlock (1).
    assert!(
        counts.iter().all(|c| *c <= 3),
        "round trips grew with the number of migrations: {counts:?} for 3 and 30"
    );
}

mod parser_properties {
    //! The connection-string parser on generated input: it never panics, and the
    //! redacted form it renders parses back to the same connection (less the secret).

    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    use proptest::prelude::*;
    use vsecure::dsn::{parse, redact};

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_.@%:/ ,'=\\\\-]{0,12}"
    }

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
            Just("::1".to_string()),
            Just("/tmp/sock dir".to_string()),
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        ]
    }

    /// libpq keywords with values a user might write.
    fn parameter() -> impl Strategy<Value = (String, String)> {
        prop_oneof![
            prop::sample::select(vec![
                "disable",
                "allow",
                "prefer",
                "require",
                "verify-ca",
                "verify-full"
            ])
            .prop_map(|v| ("sslmode".to_string(), v.to_string())),
            prop::sample::select(vec!["disable", "prefer", "require"])
                .prop_map(|v| ("channel_binding".to_string(), v.to_string())),
            text().prop_map(|v| ("application_name".to_string(), v)),
            "[0-9]{1,3}".prop_map(|v| ("connect_timeout".to_string(), v)),
            text().prop_map(|v| ("options".to_string(), v)),
            "[0-9.]{1,15}".prop_map(|v| ("hostaddr".to_string(), v)),
        ]
    }

    #[derive(Debug, Clone)]
    struct Parts {
        user: Option<String>,
        password: Option<String>,
        hosts: Vec<String>,
        port: Option<String>,
        dbname: Option<String>,
        parameters: Vec<(String, String)>,
    }

    fn parts() -> impl Strategy<Value = Parts> {
        (
            prop::option::of(text()),
            prop::option::of(text()),
            prop::collection::vec(host(), 0..3),
            prop::option::of("[1-9][0-9]{0,4}"),
            prop::option::of(text()),
            prop::collection::vec(parameter(), 0..4),
        )
            .prop_map(|(user, password, hosts, port, dbname, parameters)| Parts {
                user,
                password,
                hosts,
                port,
                dbname,
                parameters,
            })
    }

    fn enc(text: &str) -> String {
        utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
    }

    fn uri(p: &Parts) -> String {
        let mut out = String::from("postgresql://");
        if let Some(user) = &p.user {
            out.push_str(&enc(user));
            if let Some(password) = &p.password {
                out.push(':');
                out.push_str(&enc(password));
            }
            out.push('@');
        }
        let hosts: Vec<String> = p
            .hosts
            .iter()
            .map(|h| {
                if h.contains(':') {
                    format!("[{h}]")
                } else {
                    enc(h)
                }
            })
            .collect();
        out.push_str(&hosts.join(","));
        if let Some(port) = &p.port {
            out.push(':');
            out.push_str(port);
        }
        if let Some(db) = &p.dbname {
            out.push('/');
            out.push_str(&enc(db));
        }
        let query: Vec<String> = p
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query.join("&"));
        }
        out
    }

    fn quote(value: &str) -> String {
        format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
    }

    fn key_value(p: &Parts) -> String {
        let mut pairs = Vec::new();
        let fields = [
            ("user", p.user.clone()),
            ("password", p.password.clone()),
            ("host", (!p.hosts.is_empty()).then(|| p.hosts.join(","))),
            ("port", p.port.clone()),
            ("dbname", p.dbname.clone()),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                pairs.push(format!("{k}={}", quote(&v)));
            }
        }
        for (k, v) in &p.parameters {
            pairs.push(format!("{k} = {}", quote(v)));
        }
        pairs.join(" ")
    }

    /// parse -> render (redacted) -> parse keeps every value but the secret, and the
    /// user as its shown prefix; the fingerprint, which leaves the password out, too.
    fn assert_stable(input: &str) {
        let Ok(info) = parse(input) else { return };
        let rendered = redact::redacted(&info);
        let again = parse(&rendered)
            .unwrap_or_else(|e| panic!("the redacted form does not parse ({e}): {rendered}"));
        assert!(
            matches!(again.get("password"), None | Some("***")),
            "a password survived redaction"
        );
        let shown_user = info
            .get("user")
            .map(|u| format!("{}***", u.chars().take(3).collect::<String>()));
        assert_eq!(
            again.get("user").map(str::to_string),
            shown_user,
            "{rendered}"
        );
        for (key, value) in info.public_values() {
            if key != "user" {
                assert_eq!(again.get(key), Some(value), "{key} changed: {rendered}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn generated_uris_render_and_parse_back(p in parts()) {
            assert_stable(&uri(&p));
        }

        #[test]
        fn generated_key_value_strings_render_and_parse_back(p in parts()) {
            assert_stable(&key_value(&p));
        }

        #[test]
        fn arbitrary_text_never_panics(input in "\\PC{0,60}") {
            assert_stable(&input);
        }

        #[test]
        fn arbitrary_uri_tails_never_panic(tail in "[ -~]{0,60}") {
            assert_stable(&format!("postgresql://{tail}"));
        }
    }
}

/// The pooler-safe commands set no session state, so the timeout flags reach them as
/// SET LOCAL in their own transaction: a command blocked by a lock or a slow catalog
/// read stops at the flag's limit instead of waiting for ever.
#[test]
fn timeout_flags_reach_the_commands_that_work_through_a_pooler() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("local_timeouts");
    let url = cluster.url(&db);
    block_on(async {
        let holder = connect(&url, Duration::ZERO).await;
        holder
            .client
            .batch_execute("BEGIN; LOCK TABLE refinery_schema_history IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        let run = vsecure(
            &["status", "--lock-timeout", "200ms"],
            &[("DATABASE_URL", &url)],
        );
        assert_ne!(run.code, 0, "{}", run.stdout);
        assert!(run.stderr.contains("lock timeout"), "{}", run.stderr);
        holder.client.batch_execute("COMMIT").await.unwrap();
    });
    for args in [&["drift"][..], &["schema", "dump"][..]] {
        let mut with_flag = args.to_vec();
        with_flag.extend(["--statement-timeout", "1ms"]);
        let run = vsecure(&with_flag, &[("DATABASE_URL", &url)]);
        assert_ne!(run.code, 0, "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.contains("statement timeout"),
            "{args:?}: {}",
            run.stderr
        );
        let run = vsecure(args, &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 0, "{args:?} without the flag: {}", run.stderr);
    }
    let leaked = cluster.query_strings(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name LIKE 'vsecure/%'",
    );
    assert_eq!(leaked, ["0"], "no transaction left open");
}
