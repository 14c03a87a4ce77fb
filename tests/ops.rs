//! Extensions, cleanup jobs and partitions on real servers, directly and through a
//! real PgBouncer in transaction mode.

mod support;

use support::{Cluster, PgBouncer, block_on, connect, vsecure};
use vsecure::ops::cleanup::Job;
use vsecure::ops::tx;

const SEED_TENANT: &str = "
INSERT INTO organizations (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'org');
INSERT INTO users (id, organization_id, email)
    VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'u@example.com');";

fn migrated(cluster: &Cluster, prefix: &str) -> String {
    let db = cluster.migrated_database(prefix);
    cluster.execute(&db, SEED_TENANT);
    db
}

fn json_lines(run: &support::Run) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn count(cluster: &Cluster, db: &str, sql: &str) -> i64 {
    cluster.query_strings(db, sql)[0].parse().unwrap()
}

// --- extensions ----------------------------------------------------------------------

#[test]
fn extensions_check_passes_after_migrate_on_postgres_18() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "ext_ok");
    let run = vsecure(
        &["extensions", "check", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["ok"], true);
    let exts = json["extensions"].as_array().unwrap();
    assert_eq!(exts.len(), 7);
    assert!(exts.iter().all(|e| e["status"] == "ok"));
    let vector = exts.iter().find(|e| e["name"] == "vector").unwrap();
    assert_eq!(vector["required"], "0.8.0");
    assert_eq!(vector["installed"], "0.8.0", "the provisioned pgvector");
}

#[test]
fn extensions_check_on_postgres_15_reports_vector_unavailable() {
    let cluster = Cluster::shared_pg15();
    let db = cluster.create_database("ext15");
    let url = cluster.url(&db);
    let run = vsecure(
        &["extensions", "check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 1);
    let json = run.json();
    let status = |name: &str| {
        json["extensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("vector"), "unavailable");
    assert_eq!(status("citext"), "missing");

    let install = vsecure(
        &["extensions", "install", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(install.code, 1, "vector still cannot be installed");
    let json = install.json();
    let actions = json["actions"].as_array().unwrap();
    assert_eq!(
        actions.iter().filter(|a| a["action"] == "created").count(),
        6
    );
    let vector = actions.iter().find(|a| a["name"] == "vector").unwrap();
    assert_eq!(vector["action"], "skipped");
    assert!(vector["reason"].as_str().unwrap().contains("does not have"));
    let installed = count(
        cluster,
        &db,
        "SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'",
    );
    assert_eq!(installed, 6);
}

#[test]
fn extensions_install_creates_all_seven_and_require_overrides() {
    let cluster = Cluster::shared();
    let db = cluster.create_database("ext_install");
    let url = cluster.url(&db);
    let run = vsecure(&["extensions", "install"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("created vector"), "{}", run.stdout);
    let run = vsecure(
        &[
            "extensions",
            "check",
            "--format",
            "json",
            "--require",
            "vector>=99.0",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 1);
    let vector = run.json()["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "vector")
        .unwrap()
        .clone();
    assert_eq!(vector["status"], "outdated", "installed below the minimum");
    assert_eq!(vector["upgradable"], false, "nothing newer on the server");
    let bad = vsecure(
        &["extensions", "check", "--require", "vector"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(bad.code, 2);
}

// --- oauth codes -------------------------------------------------------------------------

const SEED_CODES: &str = "
INSERT INTO oauth_authorization_codes (code_hash, client_id, user_id, redirect_uri, expires_at, consumed, consumed_at)
SELECT 'h' || g || '-' || kind, 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', 'http://localhost:8989/callback',
       CASE kind WHEN 'expired' THEN now() - interval '1 minute' ELSE now() + interval '10 minutes' END,
       kind IN ('consumed_old', 'consumed_recent'),
       CASE kind WHEN 'consumed_old' THEN now() - interval '2 hours'
                 WHEN 'consumed_recent' THEN now() - interval '10 minutes' END
FROM generate_series(1, 5) g,
     unnest(ARRAY['expired', 'live', 'consumed_old', 'consumed_recent']) kind;";

#[test]
fn oauth_codes_dry_run_counts_what_the_deployed_function_deletes_and_two_runs_leave_the_live_ones()
{
    let cluster = Cluster::shared();
    let db = migrated(cluster, "codes");
    cluster.execute(&db, SEED_CODES);
    let url = cluster.url(&db);

    let dry = vsecure(
        &["cleanup", "oauth-codes", "--dry-run", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let line = &json_lines(&dry)[0];
    assert_eq!(line["job"], "oauth-codes");
    assert_eq!(line["rows"], 10);
    assert_eq!(line["dry_run"], true);
    assert_eq!(
        count(
            cluster,
            &db,
            "SELECT count(*) FROM oauth_authorization_codes"
        ),
        20,
        "dry run deleted nothing"
    );
    let deployed = cluster.query_strings(
        &db,
        "BEGIN; SELECT cleanup_expired_oauth_codes()::text; ROLLBACK",
    );
    assert_eq!(
        deployed,
        ["10"],
        "the deployed function would delete exactly these"
    );

    let spawn = || {
        support::vsecure_command()
            .args([
                "cleanup",
                "oauth-codes",
                "--batch-size",
                "2",
                "--format",
                "json",
            ])
            .env("DATABASE_URL", &url)
            .current_dir(std::env::temp_dir())
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains(support::MARKER_PASSWORD));
    }
    let remaining = cluster.query_strings(
        &db,
        "SELECT DISTINCT split_part(code_hash, '-', 2) FROM oauth_authorization_codes ORDER BY 1",
    );
    assert_eq!(remaining, ["consumed_recent", "live"]);
    let total: u64 = [&a, &b]
        .iter()
        .map(|o| {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v["rows"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(total, 10, "every deleted row is counted once");
}

#[test]
fn a_job_locked_by_another_run_is_skipped_with_exit_0() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "skipped");
    cluster.execute(&db, SEED_CODES);
    let url = cluster.url(&db);
    block_on(async {
        let holder = connect(&url, std::time::Duration::ZERO).await;
        holder
            .client
            .query_one(
                "SELECT pg_advisory_lock($1)",
                &[&Job::OauthCodes.lock_key()],
            )
            .await
            .unwrap();
        let run = vsecure(
            &["cleanup", "oauth-codes", "--format", "json"],
            &[("DATABASE_URL", &url)],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(json_lines(&run)[0]["skipped"], true);
        let table = vsecure(&["cleanup", "oauth-codes"], &[("DATABASE_URL", &url)]);
        assert!(table.stdout.contains("skipped"), "{}", table.stdout);
        // Each batch tries the lock in its own statement (another run may take it between
        // two batches): without it, neither the function nor a DELETE runs.
        let other = connect(&url, std::time::Duration::ZERO).await;
        let got = tx::GOT_LOCK;
        for batch in [
            format!(" SELECT {got}, CASE WHEN {got} THEN cleanup_expired_oauth_codes(0, 1000) END"),
            format!(
                ", gone AS (DELETE FROM oauth_authorization_codes WHERE {got} RETURNING 1)
                 SELECT {got}, count(*) FROM gone"
            ),
        ] {
            let sql = format!("{}{batch}", tx::with_job_lock(Job::OauthCodes.lock_key()));
            let rows = tx::rows(&other.client.simple_query(&sql).await.unwrap());
            assert_eq!(rows[0][0].as_deref(), Some("f"), "{sql}");
            assert!(matches!(rows[0][1].as_deref(), None | Some("0")), "{sql}");
        }
    });
    assert_eq!(
        count(
            cluster,
            &db,
            "SELECT count(*) FROM oauth_authorization_codes"
        ),
        20
    );
}

// --- oauth tokens and key sessions ------------------------------------------------------

#[test]
fn oauth_tokens_keep_revoked_ones_unless_a_retention_is_given() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "tokens");
    cluster.execute(
        &db,
        "INSERT INTO oauth_tokens (token_hash, token_type, client_id, user_id, expires_at, revoked, revoked_at)
         VALUES ('expired', 'access', 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', now() - interval '1 day', false, NULL),
                ('live', 'access', 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', false, NULL),
                ('revoked_old', 'refresh', 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', now() - interval '40 days', true, now() - interval '40 days'),
                ('revoked_new', 'refresh', 'onasis-cli', '00000000-0000-0000-0000-0000000000a1', now() - interval '1 day', true, now() - interval '2 days')",
    );
    let url = cluster.url(&db);
    let run = vsecure(
        &["cleanup", "oauth-tokens", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_lines(&run)[0]["rows"], 1);
    let left = cluster.query_strings(&db, "SELECT token_hash FROM oauth_tokens ORDER BY 1");
    assert_eq!(left, ["live", "revoked_new", "revoked_old"]);
    let run = vsecure(
        &[
            "cleanup",
            "oauth-tokens",
            "--revoked-retention",
            "30",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(json_lines(&run)[0]["rows"], 1);
    let left = cluster.query_strings(&db, "SELECT token_hash FROM oauth_tokens ORDER BY 1");
    assert_eq!(left, ["live", "revoked_new"]);
}

#[test]
fn key_sessions_end_expired_sessions_and_revoke_expired_proxy_tokens() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "sessions");
    cluster.execute(
        &db,
        "INSERT INTO api_key_projects (id, organization_id, name) VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000001', 'p');
         INSERT INTO stored_api_keys (id, organization_id, project_id, name, encrypted_value, key_type)
             VALUES ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000b1', 'k', '\\x00', 'api_key');
         INSERT INTO mcp_key_tools (id, organization_id, tool_id, tool_name) VALUES ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-000000000001', 't', 't');
         INSERT INTO mcp_key_sessions (id, organization_id, session_id, tool_id, expires_at) VALUES
             ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-000000000001', 'old', '00000000-0000-0000-0000-0000000000d1', now() - interval '1 hour'),
             ('00000000-0000-0000-0000-0000000000e2', '00000000-0000-0000-0000-000000000001', 'live', '00000000-0000-0000-0000-0000000000d1', now() + interval '1 hour');
         INSERT INTO mcp_proxy_tokens (organization_id, session_id, stored_api_key_id, proxy_value_hash, expires_at) VALUES
             ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000c1', 'a', now() - interval '1 hour'),
             ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000c1', 'b', now() - interval '1 hour'),
             ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000e2', '00000000-0000-0000-0000-0000000000c1', 'c', now() + interval '1 hour');",
    );
    let url = cluster.url(&db);
    let dry = vsecure(
        &["cleanup", "key-sessions", "--dry-run", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    let line = &json_lines(&dry)[0];
    assert_eq!(line["rows"], 3);
    assert_eq!(line["sessions_ended"], 1);
    assert_eq!(line["tokens_revoked"], 2);
    let table = vsecure(
        &["cleanup", "key-sessions", "--dry-run"],
        &[("DATABASE_URL", &url)],
    );
    assert!(
        table
            .stdout
            .contains("1 session(s) to end, 2 proxy token(s) to revoke"),
        "{}",
        table.stdout
    );
    let run = vsecure(
        &[
            "cleanup",
            "key-sessions",
            "--batch-size",
            "1",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = &json_lines(&run)[0];
    assert_eq!(line["rows"], 3);
    assert_eq!(line["sessions_ended"], 1);
    assert_eq!(line["tokens_revoked"], 2);
    let ended = cluster.query_strings(
        &db,
        "SELECT session_id FROM mcp_key_sessions WHERE ended_at IS NOT NULL",
    );
    assert_eq!(ended, ["old"]);
    let revoked = cluster.query_strings(
        &db,
        "SELECT proxy_value_hash FROM mcp_proxy_tokens WHERE revoked_at IS NOT NULL ORDER BY 1",
    );
    assert_eq!(revoked, ["a", "b"]);
}

// --- analytics and partitions ------------------------------------------------------------

#[test]
fn analytics_drops_old_partitions_and_deletes_only_older_rows_elsewhere() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "analytics");
    cluster.execute(
        &db,
        "DO $$
         DECLARE
             cutoff timestamptz := date_trunc('month', now()) - interval '3 months';
             m timestamptz;
         BEGIN
             FOR i IN 5..14 LOOP
                 m := date_trunc('month', now()) - make_interval(months => i);
                 EXECUTE format('CREATE TABLE %I PARTITION OF usage_analytics FOR VALUES FROM (%L) TO (%L)',
                     'usage_analytics_' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
             END LOOP;
             -- straddles the cutoff: from a month before it to a month after it
             EXECUTE format('CREATE TABLE usage_analytics_straddle PARTITION OF usage_analytics FOR VALUES FROM (%L) TO (%L)',
                 cutoff - interval '1 month', cutoff + interval '1 month');
         END $$;
         INSERT INTO usage_analytics (event_type, \"timestamp\")
         SELECT 'e', date_trunc('month', now()) - make_interval(months => i) + make_interval(days => d)
         FROM generate_series(0, 14) i, generate_series(1, 10) d;",
    );
    let url = cluster.url(&db);
    let older = "SELECT count(*) FROM usage_analytics WHERE \"timestamp\" < date_trunc('month', now()) - interval '3 months'";
    let expected = count(cluster, &db, older);
    assert_eq!(expected, 110, "months 4..14 back are older than the cutoff");
    let deployed = cluster.query_strings(
        &db,
        "BEGIN; SELECT cleanup_old_analytics(3)::text; ROLLBACK",
    );
    assert_eq!(deployed, ["110"]);

    let dry = vsecure(
        &[
            "cleanup",
            "analytics",
            "--keep-months",
            "3",
            "--dry-run",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(json_lines(&dry)[0]["rows"], 110);
    let would_drop = json_lines(&dry)[0]["partitions_dropped"].clone();
    assert_eq!(would_drop.as_array().unwrap().len(), 10, "{would_drop}");
    assert_eq!(count(cluster, &db, older), 110, "dry run changed nothing");
    let dry_table = vsecure(
        &["cleanup", "analytics", "--keep-months", "3", "--dry-run"],
        &[("DATABASE_URL", &url)],
    );
    let oldest = would_drop.as_array().unwrap()[0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        dry_table.stdout.contains("would drop") && dry_table.stdout.contains(&oldest),
        "{}",
        dry_table.stdout
    );

    let run = vsecure(
        &[
            "cleanup",
            "analytics",
            "--keep-months",
            "3",
            "--batch-size",
            "4",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = &json_lines(&run)[0];
    assert_eq!(line["rows"], 110);
    assert_eq!(line["partitions_dropped"].as_array().unwrap().len(), 10);
    assert_eq!(count(cluster, &db, older), 0);
    let kept = count(cluster, &db, "SELECT count(*) FROM usage_analytics");
    assert_eq!(kept, 40, "this month and the three before it stay");
    let straddle = count(
        cluster,
        &db,
        "SELECT count(*) FROM usage_analytics_straddle",
    );
    assert_eq!(
        straddle, 10,
        "only the older half of the straddling partition was deleted"
    );
    let partitions = cluster.query_strings(
        &db,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'usage_analytics'::regclass ORDER BY 1",
    );
    assert_eq!(
        partitions,
        ["usage_analytics_default", "usage_analytics_straddle"]
    );
}

#[test]
fn partitions_ensure_creates_months_moves_default_rows_and_is_idempotent() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "partitions");
    cluster.execute(
        &db,
        "INSERT INTO usage_analytics (event_type, \"timestamp\") VALUES
            ('this month', date_trunc('month', now()) + interval '1 hour'),
            ('next month', date_trunc('month', now()) + interval '1 month 1 hour'),
            ('long ago', now() - interval '5 years')",
    );
    let url = cluster.url(&db);
    let partition_count =
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'usage_analytics'::regclass";
    let before = count(cluster, &db, partition_count);
    let dry = vsecure(
        &[
            "partitions",
            "ensure",
            "--months-ahead",
            "2",
            "--dry-run",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let planned = dry.json();
    assert_eq!(planned["dry_run"], true);
    let parts = planned["partitions"].as_array().unwrap();
    assert!(parts.iter().all(|p| p["created"] == true), "{planned}");
    assert_eq!(parts[0]["rows_moved"], 1);
    assert_eq!(parts[2]["rows_moved"], 0);
    assert_eq!(
        count(cluster, &db, partition_count),
        before,
        "a dry run creates nothing"
    );
    let dry_table = vsecure(
        &["partitions", "ensure", "--months-ahead", "2", "--dry-run"],
        &[("DATABASE_URL", &url)],
    );
    assert!(
        dry_table
            .stdout
            .contains("would be created, 1 row(s) would move"),
        "{}",
        dry_table.stdout
    );

    let run = vsecure(
        &[
            "partitions",
            "ensure",
            "--months-ahead",
            "2",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["dry_run"], false);
    let parts = json["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|p| p["created"] == true));
    assert_eq!(parts[0]["rows_moved"], 1);
    assert_eq!(parts[1]["rows_moved"], 1);
    let in_default = cluster.query_strings(&db, "SELECT event_type FROM usage_analytics_default");
    assert_eq!(in_default, ["long ago"]);
    assert_eq!(
        count(cluster, &db, "SELECT count(*) FROM usage_analytics"),
        3,
        "no row lost"
    );
    let rls = count(
        cluster,
        &db,
        "SELECT count(*) FROM pg_class WHERE relname LIKE 'usage_analytics_2%' AND relrowsecurity",
    );
    assert_eq!(rls, 3);
    let again = vsecure(
        &[
            "partitions",
            "ensure",
            "--months-ahead",
            "2",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert!(
        again.json()["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["created"] == false)
    );
}

// --- through PgBouncer in transaction mode ----------------------------------------------

#[test]
fn jobs_status_and_extensions_work_through_pgbouncer_in_transaction_mode() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "bouncer");
    cluster.execute(&db, SEED_CODES);
    let bouncer = PgBouncer::start(cluster);
    let url = bouncer.url(&db);
    let run = vsecure(
        &["cleanup", "all", "--batch-size", "3", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["rows"], 10);
    assert_eq!(
        count(
            cluster,
            &db,
            "SELECT count(*) FROM oauth_authorization_codes"
        ),
        10
    );
    let dry = vsecure(
        &["cleanup", "analytics", "--dry-run", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let parts = vsecure(
        &["partitions", "ensure", "--months-ahead", "1"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(parts.code, 0, "{}", parts.stderr);
    let ext = vsecure(&["extensions", "check"], &[("DATABASE_URL", &url)]);
    assert_eq!(ext.code, 0, "{}", ext.stderr);
    let status = vsecure(&["status", "--check"], &[("DATABASE_URL", &url)]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let leaked = cluster.query_strings(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'",
    );
    assert_eq!(
        leaked,
        ["0"],
        "no transaction left open on a pooled connection"
    );
}

#[test]
fn an_installed_extension_below_the_minimum_is_outdated_even_when_nothing_newer_exists() {
    let cluster = Cluster::shared();
    let db = migrated(cluster, "ext_outdated");
    let url = cluster.url(&db);
    let check = vsecure(
        &[
            "extensions",
            "check",
            "--require",
            "pg_trgm>=9.0",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(check.code, 1);
    let json = check.json();
    let trgm = json["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "pg_trgm")
        .unwrap()
        .clone();
    assert_eq!(trgm["status"], "outdated", "{trgm:#}");
    assert_eq!(trgm["upgradable"], false);
    let install = vsecure(
        &[
            "extensions",
            "install",
            "--require",
            "pg_trgm>=9.0",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(install.code, 1);
    let action = install.json()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "pg_trgm")
        .unwrap()
        .clone();
    assert_eq!(action["action"], "skipped");
    assert!(
        action["reason"]
            .as_str()
            .unwrap()
            .contains("offers nothing newer"),
        "{action:#}"
    );
}
