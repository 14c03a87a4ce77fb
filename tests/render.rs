//! The renderers pinned: each report's table and JSON, rendered into a buffer, compared
//! with a committed snapshot (tests/snapshots/). `cargo insta review` after a change.

use vsecure::catalog::{Change, Difference, DriftReport, MajorPair};
use vsecure::dsn::environment::LibpqEnvironment;
use vsecure::dsn::policy::PolicyContext;
use vsecure::output::Report;

fn table(report: &dyn Report) -> String {
    let mut out = Vec::new();
    report.write_table(&mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

fn json(report: &dyn Report) -> String {
    let mut out = Vec::new();
    report.write_json(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn drift_report() -> DriftReport {
    let body: Vec<String> = (0..30).map(|i| format!("  PERFORM step({i});")).collect();
    let expected_body = body.join("\n");
    let actual_body = expected_body.replace("step(21)", "step(210)");
    DriftReport {
        drift: true,
        expected_source: "embedded snapshot".to_string(),
        differences: vec![
            Difference {
                kind: "column",
                object: "public.teams.name".to_string(),
                change: Change::Changed,
                attribute: Some("type".to_string()),
                expected: Some("text".to_string()),
                actual: Some("character varying(200)".to_string()),
            },
            Difference {
                kind: "function",
                object: "public.cleanup()".to_string(),
                change: Change::Changed,
                attribute: Some("body".to_string()),
                expected: Some(expected_body),
                actual: Some(actual_body),
            },
            Difference {
                kind: "table",
                object: "public.extra".to_string(),
                change: Change::Unexpected,
                attribute: None,
                expected: None,
                actual: Some("table".to_string()),
            },
        ],
        ignored: 1,
        extension_versions: "all",
        majors_differ: Some(MajorPair {
            expected: 18,
            actual: 16,
        }),
        warnings: vec![
            "--ignore nonexistent: matches no object in either database, so it silences nothing"
                .to_string(),
        ],
    }
}

#[test]
fn drift_table_shows_short_values_in_cells_and_long_ones_as_diffs() {
    let report = drift_report();
    insta::assert_snapshot!(table(&report));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn drift_json() {
    insta::assert_snapshot!(json(&drift_report()));
}

#[test]
fn url_check_table_and_json() {
    let (_, analysis) = vsecure::dsn::analyse(
        "postgresql://neondb_owner:secret@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require", // vsecure:allow (a test fake)
        PolicyContext::default(),
        &LibpqEnvironment::new(
            [("PGAPPNAME".to_string(), "nightly-cleanup".to_string())],
            None,
            None,
        ),
    )
    .unwrap();
    insta::assert_snapshot!("url_check_table", table(&analysis));
    insta::assert_snapshot!("url_check_json", json(&analysis));
    assert_eq!(analysis.exit_code(), 1);
    assert!(analysis.failure().unwrap().contains("neon-channel-binding"));
}
