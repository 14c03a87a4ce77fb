//! No secret leaves, whatever the input: connection strings in every argument position,
//! passwords with unencoded special characters in every parse error, NUL bytes and odd
//! files in .env, out-of-range flags, special files as outputs, a closed stderr.

mod support;

use std::process::{Command, Stdio};

use proptest::prelude::*;
use support::{Cluster, MARKER_PASSWORD, vsecure, vsecure_in, write};

fn marker_url() -> String {
    format!("postgresql://app:{MARKER_PASSWORD}@db.acme.io/app?sslmode=verify-full")
}

#[test]
fn a_connection_string_in_any_argument_position_is_never_echoed() {
    let url = marker_url();
    let flag_value = format!("--format={url}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["doctor", &url],
        vec!["status", &url],
        vec!["migrate", &url],
        vec!["url", "check", &url, &url],
        vec!["--format", &url, "url", "check"],
        vec![&flag_value, "url", "check"],
        vec!["scan", &url],
        vec![&url],
        vec!["cleanup", &url],
        vec!["drift", "--ignore", "x", &url],
        vec!["--lock-timeout", &url, "status"],
        vec!["partitions", "ensure", "--months-ahead", &url],
    ];
    for args in cases {
        // The runner fails the test when the marker shows in stdout or stderr.
        let run = vsecure(&args, &[]);
        assert_ne!(run.code, 0, "{args:?} must fail");
        assert_ne!(run.code, 101, "{args:?} panicked: {}", run.stderr);
    }
}

/// Every 4-character piece of `secret` with a letter in it that `text` contains (a run
/// of punctuation alone can be vsecure's own, like `://`).
fn leaked_pieces(text: &str, secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(4)
        .filter(|w| w.iter().any(char::is_ascii_alphabetic))
        .map(|w| w.iter().collect::<String>())
        .filter(|piece| text.contains(piece.as_str()))
        .collect()
}

/// What `url check` would show for a string: its JSON analysis, or its error line,
/// without the fixed advice on percent-encoding (its `@ / : ? # &` are vsecure's words).
fn shown(input: &str) -> String {
    let ctx = vsecure::dsn::policy::PolicyContext::default();
    let text = match vsecure::dsn::analyse(input, ctx, &Default::default()) {
        Ok((_, analysis)) => serde_json::to_string(&analysis).unwrap(),
        Err(e) => e.to_string(),
    };
    text.replace(vsecure::dsn::ENCODING_ADVICE, "")
}

fn password_with_specials() -> impl Strategy<Value = String> {
    // Capitals that spell none of vsecure's words (URI, TLS, UTF, NUL, SQL ...), the
    // characters a URI or a key=value string gives a meaning to, at least one of them.
    (
        "[BDFGHJKMQVWXYZ]{2,6}",
        prop::sample::select(vec!['@', '/', ':', '?', '#', ' ', '&', '=']),
        "[BDFGHJKMQVWXYZ@/:?# &=]{2,10}",
    )
        .prop_map(|(a, special, b)| format!("{a}{special}{b}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_output_of_url_check_carries_part_of_an_unencoded_password(password in password_with_specials()) {
        for input in [
            format!("postgresql://app:{password}@ep-x-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full&channel_binding=require"),
            format!("postgresql://app:{password}@db.acme.io:5432/app"),
            format!("postgresql://app@db.acme.io/app?password={password}&sslmode=require"),
            format!("host=db.acme.io user=app password={password} dbname=app"),
            format!("host=db.acme.io user=app password={password}"),
        ] {
            let text = shown(&input);
            let pieces = leaked_pieces(&text, &password);
            prop_assert!(pieces.is_empty(), "{:?} shows {:?} of the password in: {}", input, pieces, text);
        }
    }
}

#[test]
fn the_reported_unencoded_cases_say_to_percent_encode_and_show_nothing() {
    for input in [
        "postgresql://app:Ab@SECRETX@db.acme.io/db", // vsecure:allow (a test fake)
        "postgresql://app:SECRETX/x@db.acme.io/db",
        "host=db.acme.io user=u password=Ab SECRETX=x", // vsecure:allow (a test fake)
        "postgresql://app@db.acme.io/db?password=Ab&SECRETX=1", // vsecure:allow (a test fake)
    ] {
        let run = vsecure(&["url", "check"], &[("DATABASE_URL", input)]);
        assert_eq!(run.code, 2, "{input}: {}", run.stderr);
        assert!(!run.stderr.contains("SECRETX"), "{input}: {}", run.stderr);
        assert!(!run.stdout.contains("SECRETX"), "{input}: {}", run.stdout);
        assert!(run.stderr.contains("percent-encoded"), "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn a_nul_byte_in_the_env_file_neither_panics_nor_shows_a_value() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        &format!(
            "OTHER=abc{MARKER_PASSWORD}\0def\nDATABASE_URL=postgresql://u:{MARKER_PASSWORD}\0x@127.0.0.1/d\n"
        ),
    );
    let set = vsecure_in(
        dir.path(),
        &["url", "check"],
        &[("DATABASE_URL", "postgresql://u@127.0.0.1/d?sslmode=disable")],
    );
    assert_ne!(set.code, 101, "{}", set.stderr);
    assert_eq!(
        set.code, 1,
        "the environment's URL is checked: {}",
        set.stdout
    );
    let from_file = vsecure_in(dir.path(), &["url", "check"], &[]);
    assert_eq!(from_file.code, 2, "{}", from_file.stderr);
    assert!(from_file.stderr.contains("NUL"), "{}", from_file.stderr);
    assert_eq!(from_file.stderr.lines().count(), 1);
}

#[test]
fn env_file_that_is_a_directory_and_a_url_that_is_not_utf8_get_their_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let run = vsecure(
        &["url", "check", "--env-file", dir.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    use std::os::unix::ffi::OsStrExt;
    let output = support::vsecure_command()
        .args(["url", "check"])
        .env(
            "DATABASE_URL",
            std::ffi::OsStr::from_bytes(b"postgresql://u:\xff\xfe@h/d"), // vsecure:allow (a test fake)
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid UTF-8"));
}

#[test]
fn out_of_range_numbers_and_durations_are_usage_errors_naming_the_range() {
    for (args, range) in [
        (&["--lock-timeout", "1000h", "status"][..], "2147483647 ms"),
        (
            &["--statement-timeout", "99999999h", "status"][..],
            "2147483647 ms",
        ),
        (
            &["cleanup", "analytics", "--keep-months", "4294967295"][..],
            "1..=1200",
        ),
        (
            &["partitions", "ensure", "--months-ahead", "4294967295"][..],
            "0..=120",
        ),
        (
            &["partitions", "ensure", "--months-ahead", "100000"][..],
            "0..=120",
        ),
        (
            &[
                "cleanup",
                "oauth-tokens",
                "--revoked-retention",
                "4294967295",
            ][..],
            "0..=36500",
        ),
        (&["migrate", "--lock-wait", "100000h"][..], "24h"),
    ] {
        let run = vsecure(args, &[("DATABASE_URL", "postgresql://u:p@127.0.0.1/d")]); // vsecure:allow (a test fake)
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(range), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn schema_dump_refuses_to_replace_special_files() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("dump_special");
    let url = cluster.url(&db);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.json");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for path in [&link, &fifo, &dir.path().to_path_buf()] {
        let run = vsecure(
            &["schema", "dump", "--output", path.to_str().unwrap()],
            &[("DATABASE_URL", &url)],
        );
        assert_eq!(run.code, 2, "{}: {}", path.display(), run.stderr);
        assert!(run.stderr.contains("regular file"), "{}", run.stderr);
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    let fresh = dir.path().join("new.json");
    let run = vsecure(
        &["schema", "dump", "--output", fresh.to_str().unwrap()],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("\"tables\"")
    );
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_full_stderr_or_a_closed_stdout_never_panics() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = support::vsecure_command()
        .args(["--lock-timeout", "1000h", "status"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = support::vsecure_command()
        .args(["url", "check", "postgresql://u:p@127.0.0.1/d"]) // vsecure:allow (a test fake)
        .stderr(full)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(101));
    let mut child = support::vsecure_command()
        .args(["scan", env!("CARGO_MANIFEST_DIR")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101));
    for _ in 0..10 {
        let mut child = support::vsecure_command()
            .args(["completions", "bash"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "a closed stdout ends quietly"
        );
        assert!(output.stderr.is_empty());
    }
}

#[test]
fn doctor_reports_every_section_when_the_history_is_unreadable() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_history");
    cluster.execute(
        &db,
        "ALTER TABLE refinery_schema_history DROP COLUMN checksum",
    );
    let run = vsecure(
        &["doctor", "--format", "json"],
        &[("DATABASE_URL", &cluster.url(&db))],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert!(json["extensions"].is_array(), "{json:#}");
    assert!(json["drift"].is_object(), "{json:#}");
    let problems = json["problems"].to_string();
    assert!(problems.contains("migration history"), "{problems}");
}

#[test]
fn doctor_names_the_rights_the_cron_jobs_need() {
    let cluster = Cluster::shared();
    let db = cluster.migrated_database("doctor_rights");
    let role = format!("cronless_{}", std::process::id());
    cluster.execute(
        &db,
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD '{MARKER_PASSWORD}';
             GRANT USAGE ON SCHEMA public TO {role};
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
        ),
    );
    let url = cluster.url(&db).replacen(support::SUPERUSER, &role, 1);
    let run = vsecure(&["doctor", "--format", "json"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let problems = run.json()["problems"].to_string();
    for right in [
        "DELETE on oauth_authorization_codes",
        "DELETE on oauth_tokens",
        "UPDATE on mcp_key_sessions",
        "ownership of usage_analytics",
    ] {
        assert!(problems.contains(right), "{right} missing from {problems}");
    }
}
