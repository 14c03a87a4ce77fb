//! Connection-string parsing: a corpus with expected values, a differential test against
//! libpq's own PQconninfoParse (over the corpus and over generated strings), policy
//! verdicts, and `url check` exit codes and JSON.

mod support;

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};

use proptest::prelude::*;
use support::{MARKER_PASSWORD, vsecure};
use vsecure::dsn::{self, keywords};

/// What libpq (or vsecure) made of a string: keyword -> value, or an error.
type Parsed = Result<BTreeMap<String, String>, String>;

fn libpq_parse(input: &str) -> Parsed {
    let c = CString::new(input).unwrap();
    let mut err: *mut std::os::raw::c_char = std::ptr::null_mut();
    // SAFETY: c is a valid NUL-terminated string; libpq allocates the result and the
    // error message, both freed below.
    unsafe {
        let opts = pq_sys::PQconninfoParse(c.as_ptr(), &mut err);
        if opts.is_null() {
            let msg = if err.is_null() {
                "out of memory".to_string()
            } else {
                let m = CStr::from_ptr(err).to_string_lossy().into_owned();
                pq_sys::PQfreemem(err.cast());
                m
            };
            return Err(msg);
        }
        let mut map = BTreeMap::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            if !(*p).val.is_null() {
                let k = CStr::from_ptr((*p).keyword).to_string_lossy().into_owned();
                let v = CStr::from_ptr((*p).val).to_string_lossy().into_owned();
                map.insert(k, v);
            }
            p = p.add(1);
        }
        pq_sys::PQconninfoFree(opts);
        Ok(map)
    }
}

fn libpq_keywords() -> Vec<String> {
    // SAFETY: PQconndefaults returns an array terminated by a null keyword, freed below.
    unsafe {
        let opts = pq_sys::PQconndefaults();
        let mut out = Vec::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            out.push(CStr::from_ptr((*p).keyword).to_string_lossy().into_owned());
            p = p.add(1);
        }
        pq_sys::PQconninfoFree(opts);
        out
    }
}

fn ours(input: &str) -> Result<BTreeMap<String, String>, dsn::ParseError> {
    dsn::parse(input).map(|info| {
        info.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

/// Compares vsecure with libpq on one string. The only accepted differences: a keyword
/// newer than the machine's libpq, and percent-escapes decoding to non-UTF-8 bytes.
fn assert_agrees_with_libpq(input: &str) {
    let theirs = libpq_parse(input);
    let mine = ours(input);
    match (&theirs, &mine) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "values differ for {input:?}"),
        (Err(_), Err(_)) => {}
        (Err(msg), Ok(b)) => {
            let known = libpq_keywords();
            let newer = b.keys().any(|k| !known.contains(k));
            assert!(
                newer && msg.contains("invalid"),
                "libpq rejects {input:?} ({msg}) but vsecure accepts it: {b:?}"
            );
        }
        (Ok(a), Err(e)) => {
            let non_utf8 = matches!(e, dsn::ParseError::NotUtf8(_));
            assert!(
                non_utf8,
                "libpq accepts {input:?} as {a:?} but vsecure rejects it: {e}"
            );
        }
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The keyword/value pairs a string should parse to, or `None` for a parse error.
type Expected = Option<&'static [(&'static str, &'static str)]>;

/// (input, expected)
const CORPUS: &[(&str, Expected)] = &[
    // URI form
    ("postgresql://", Some(&[])),
    ("postgres://", Some(&[])),
    ("postgresql://localhost", Some(&[("host", "localhost")])),
    (
        "postgresql://localhost:5433",
        Some(&[("host", "localhost"), ("port", "5433")]),
    ),
    (
        "postgresql://localhost/mydb",
        Some(&[("host", "localhost"), ("dbname", "mydb")]),
    ),
    (
        "postgresql://user@localhost",
        Some(&[("user", "user"), ("host", "localhost")]),
    ),
    (
        "postgresql://user:secret@localhost",
        Some(&[
            ("user", "user"),
            ("password", "secret"),
            ("host", "localhost"),
        ]),
    ),
    (
        "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
        Some(&[
            ("user", "other"),
            ("host", "localhost"),
            ("dbname", "otherdb"),
            ("connect_timeout", "10"),
            ("application_name", "myapp"),
        ]),
    ),
    (
        "postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
        Some(&[
            ("host", "host1,host2"),
            ("port", "123,456"),
            ("dbname", "somedb"),
            ("target_session_attrs", "any"),
            ("application_name", "myapp"),
        ]),
    ),
    (
        "postgresql://[::1]:5432/db",
        Some(&[("host", "::1"), ("port", "5432"), ("dbname", "db")]),
    ),
    (
        "postgresql://[2001:db8::1234]/database",
        Some(&[("host", "2001:db8::1234"), ("dbname", "database")]),
    ),
    ("postgresql://[::1", None),
    ("postgresql://[]/db", None),
    ("postgresql://[::1]x/db", None),
    (
        "postgresql://[::1],[::2]:7/d",
        Some(&[("host", "::1,::2"), ("port", ",7"), ("dbname", "d")]),
    ),
    (
        "postgresql:///dbname?host=/var/lib/postgresql",
        Some(&[("dbname", "dbname"), ("host", "/var/lib/postgresql")]),
    ),
    (
        "postgresql://%2Fvar%2Flib%2Fpostgresql/dbname",
        Some(&[("host", "/var/lib/postgresql"), ("dbname", "dbname")]),
    ),
    (
        "postgresql://%2ftmp:5433/d",
        Some(&[("host", "/tmp"), ("port", "5433"), ("dbname", "d")]),
    ),
    (
        "postgresql://u%40x:p%3Aw%2F@h/d", // vsecure:allow (a documented fake)
        Some(&[
            ("user", "u@x"),
            ("password", "p:w/"),
            ("host", "h"),
            ("dbname", "d"),
        ]),
    ),
    (
        "postgresql://a@b@c/d",
        Some(&[("user", "a"), ("host", "b@c"), ("dbname", "d")]),
    ),
    ("postgresql://:@h", Some(&[("host", "h")])),
    (
        "postgresql://:pw@h",
        Some(&[("password", "pw"), ("host", "h")]),
    ),
    ("postgresql://u:@h", Some(&[("user", "u"), ("host", "h")])),
    ("postgresql://h:/d", Some(&[("host", "h"), ("dbname", "d")])),
    (
        "postgresql://h:,h2:5/x?",
        Some(&[("host", "h,h2"), ("port", ",5"), ("dbname", "x")]),
    ),
    (
        "postgresql://h/d/e",
        Some(&[("host", "h"), ("dbname", "d/e")]),
    ),
    ("postgresql://h/%00", None),
    ("postgresql://h/%zz", None),
    ("postgresql://h/%4", None),
    (
        "postgresql://h/a%20b+c",
        Some(&[("host", "h"), ("dbname", "a b+c")]),
    ),
    (
        "postgresql://h?ssl=true",
        Some(&[("host", "h"), ("sslmode", "require")]),
    ),
    ("postgresql://h?ssl=false", None),
    ("postgresql://h?a&b", None),
    ("postgresql://h?sslmode=require=x", None),
    (
        "postgresql://h?sslmode=require&",
        Some(&[("host", "h"), ("sslmode", "require")]),
    ),
    ("postgresql://h?sslmode=require&&port=1", None),
    ("postgresql://h?host=", Some(&[("host", "")])),
    ("postgresql://h?sslmod=verify-full", None),
    (
        "postgresql://h?%73slmode=verify-full",
        Some(&[("host", "h"), ("sslmode", "verify-full")]),
    ),
    (
        "postgresql://h?requiressl=1",
        Some(&[("host", "h"), ("sslmode", "require")]),
    ),
    (
        "postgresql://h:5432?port=6543",
        Some(&[("host", "h"), ("port", "6543")]),
    ),
    (
        "postgresql://h?hostaddr=127.0.0.1&host=ep-a-1.us-east-2.aws.neon.tech",
        Some(&[
            ("hostaddr", "127.0.0.1"),
            ("host", "ep-a-1.us-east-2.aws.neon.tech"),
        ]),
    ),
    (
        "postgresql://h/db?options=-c%20search_path%3Dapp",
        Some(&[
            ("host", "h"),
            ("dbname", "db"),
            ("options", "-c search_path=app"),
        ]),
    ),
    (
        "postgresql://user@?dbname=x",
        Some(&[("user", "user"), ("dbname", "x")]),
    ),
    ("postgresql://h,", Some(&[("host", "h,"), ("port", ",")])),
    ("postgresql://,", Some(&[("host", ","), ("port", ",")])),
    (
        "postgresql://h:port/db",
        Some(&[("host", "h"), ("port", "port"), ("dbname", "db")]),
    ),
    ("Postgresql://h", None),
    ("mysql://u:p@h/d", None),
    ("postgresql://h?sslmode", None),
    // key=value form
    ("", Some(&[])),
    ("   ", Some(&[])),
    (
        "host=localhost port=5432 dbname=mydb connect_timeout=10",
        Some(&[
            ("host", "localhost"),
            ("port", "5432"),
            ("dbname", "mydb"),
            ("connect_timeout", "10"),
        ]),
    ),
    ("host = localhost", Some(&[("host", "localhost")])),
    (
        "host =localhost   port=  5",
        Some(&[("host", "localhost"), ("port", "5")]),
    ),
    ("password='a b\\'c'", Some(&[("password", "a b'c")])), // vsecure:allow (a test fake)
    ("password=a\\ b", Some(&[("password", "a b")])),
    ("dbname=''", Some(&[("dbname", "")])),
    ("dbname='x", None),
    ("dbname='x\\'", None),
    ("host", None),
    ("host localhost", None),
    ("=x", None),
    ("host=a host=b", Some(&[("host", "b")])),
    ("sslmod=verify-full", None),
    ("requiressl=0", Some(&[("sslmode", "prefer")])),
    (
        "user=u\tpassword=p\ndbname=d",
        Some(&[("user", "u"), ("password", "p"), ("dbname", "d")]),
    ),
    (
        "host=/tmp,db.example.com port=,5433",
        Some(&[("host", "/tmp,db.example.com"), ("port", ",5433")]),
    ),
    (
        "host=h hostaddr=127.0.0.1",
        Some(&[("host", "h"), ("hostaddr", "127.0.0.1")]),
    ),
    ("options='-c geqo=off'", Some(&[("options", "-c geqo=off")])),
    (
        "dbname=postgresql://h/d",
        Some(&[("dbname", "postgresql://h/d")]),
    ),
    ("host=a\\", Some(&[("host", "a")])),
    ("postgresql//h", None),
    (" postgresql://h", None),
];

#[test]
fn corpus_values_are_as_expected() {
    for (input, expected) in CORPUS {
        let got = ours(input);
        match expected {
            Some(pairs) => assert_eq!(
                got.as_ref().ok(),
                Some(&map(pairs)),
                "for {input:?}: {got:?}"
            ),
            None => assert!(got.is_err(), "{input:?} should not parse: {got:?}"),
        }
    }
}

#[test]
fn corpus_agrees_with_libpq() {
    for (input, _) in CORPUS {
        assert_agrees_with_libpq(input);
    }
}

#[test]
fn newer_keywords_are_the_only_ones_missing_from_the_machines_libpq() {
    let known = libpq_keywords();
    for k in keywords::KEYWORDS {
        if !known.iter().any(|n| n == k.name) {
            assert!(k.since_major > 15, "{} should be in libpq 15", k.name);
        }
    }
    for name in &known {
        assert!(
            keywords::find(name).is_some(),
            "libpq keyword {name} unknown to vsecure"
        );
    }
}

fn uri_piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("postgresql://".to_string()),
            Just("postgres://".to_string()),
            Just("@".to_string()),
            Just(":".to_string()),
            Just("/".to_string()),
            Just("?".to_string()),
            Just("&".to_string()),
            Just("=".to_string()),
            Just(",".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("::1".to_string()),
            Just("%2F".to_string()),
            Just("%41".to_string()),
            Just("%".to_string()),
            Just("%0".to_string()),
            Just("%00".to_string()),
            Just("%e2%82%ac".to_string()),
            Just("'".to_string()),
            Just("\\".to_string()),
            Just(" ".to_string()),
            Just("host".to_string()),
            Just("port".to_string()),
            Just("sslmode".to_string()),
            Just("dbname".to_string()),
            Just("hostaddr".to_string()),
            Just("user".to_string()),
            Just("password".to_string()),
            Just("ssl".to_string()),
            Just("true".to_string()),
            Just("requiressl".to_string()),
            Just("sslnegotiation".to_string()),
            Just("5432".to_string()),
            "[a-z0-9._-]{1,6}",
        ],
        0..14,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn generated_strings_agree_with_libpq(input in uri_piece()) {
        assert_agrees_with_libpq(&input);
    }

    #[test]
    fn arbitrary_text_agrees_with_libpq(input in "[ -~\t\n]{0,40}") {
        assert_agrees_with_libpq(&input);
    }

    #[test]
    fn generated_uris_agree_with_libpq(input in uri_piece().prop_map(|s| format!("postgresql://{s}"))) {
        assert_agrees_with_libpq(&input);
    }
}

// --- url check: verdicts, exit codes, JSON -------------------------------------------

fn check(url: &str) -> support::Run {
    vsecure(&["url", "check", "--format", "json", url], &[])
}

fn codes(run: &support::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn neon_url_with_verify_full_and_channel_binding_passes() {
    let url = format!(
        "postgresql://neondb_owner:{MARKER_PASSWORD}@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full&channel_binding=require"
    );
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["password_present"], true);
    assert_eq!(json["form"], "uri");
    assert!(json["parsed"].get("password").is_none());
    assert_eq!(json["parsed"]["sslmode"], "verify-full");
    assert_eq!(json["neon"]["endpoint_id"], "ep-cool-darkness-123456");
    assert_eq!(json["neon"]["region"], "aws-us-east-2");
    assert_eq!(json["neon"]["pooled"], false);
    assert_eq!(
        json["redacted"],
        "postgresql://neo***@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?channel_binding=require&sslmode=verify-full"
    );
    assert_eq!(json["fingerprint"].as_str().unwrap().len(), 12);
}

#[test]
fn pooled_endpoint_is_a_warning_naming_the_direct_host() {
    let url = format!(
        "postgresql://app:{MARKER_PASSWORD}@ep-a-1-pooler.eu-central-1.aws.neon.tech/app?sslmode=verify-full&channel_binding=require"
    );
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0);
    let json = run.json();
    assert_eq!(json["neon"]["pooled"], true);
    assert_eq!(
        json["neon"]["direct_host"],
        "ep-a-1.eu-central-1.aws.neon.tech"
    );
    assert!(codes(&run).contains(&"pooled-endpoint".to_string()));
}

#[test]
fn policy_errors_exit_1_with_their_codes() {
    let cases = [
        (
            format!("postgresql://u:{MARKER_PASSWORD}@db.example.com/d"),
            "insecure-sslmode",
        ),
        (
            format!("postgresql://u:{MARKER_PASSWORD}@db.example.com/d?sslmode=allow"),
            "insecure-sslmode",
        ),
        (
            "postgresql://u@db.example.com/d?sslmode=verify-full".to_string(),
            "missing-password",
        ),
        (
            format!("postgresql://:{MARKER_PASSWORD}@localhost/d"),
            "missing-user",
        ),
        (
            format!(
                "postgresql://u:{MARKER_PASSWORD}@ep-a-1.us-east-2.aws.neon.tech/d?sslmode=verify-full"
            ),
            "neon-channel-binding",
        ),
        (
            format!(
                "postgresql://u:{MARKER_PASSWORD}@ep-a-1.us-east-2.aws.neon.tech/d?sslmode=verify-full&channel_binding=prefer"
            ),
            "neon-channel-binding",
        ),
        (
            format!("postgresql://u:{MARKER_PASSWORD}@localhost/d?sslmode=bogus"),
            "invalid-value",
        ),
        (
            format!("postgresql://u:{MARKER_PASSWORD}@localhost/d?service=x"),
            "unsupported-parameter",
        ),
        (
            format!("postgresql://u:{MARKER_PASSWORD}@localhost/d?hostaddr=not-an-ip"),
            "invalid-hostaddr",
        ),
        (
            format!(
                "postgresql://u:{MARKER_PASSWORD}@localhost/d?sslrootcert=/nonexistent/ca.pem&sslmode=verify-full"
            ),
            "sslrootcert-unreadable",
        ),
    ];
    for (url, code) in cases {
        let run = vsecure(
            &["url", "check", "--format", "json"],
            &[("DATABASE_URL", &url)],
        );
        assert_eq!(run.code, 1, "{code}: {}", run.stdout);
        assert_eq!(run.json()["ok"], false);
        assert!(
            codes(&run).contains(&code.to_string()),
            "{code} missing: {:?}",
            codes(&run)
        );
    }
}

#[test]
fn local_plain_connection_passes_and_remote_host_warns() {
    let run = check("host=/var/run/postgresql user=dev dbname=app");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let url = format!("postgresql://u:{MARKER_PASSWORD}@db.example.com/d?sslmode=verify-full");
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 0);
    assert!(codes(&run).contains(&"non-neon-host".to_string()));
}

#[test]
fn password_on_command_line_draws_a_warning() {
    let url = format!("postgresql://u:{MARKER_PASSWORD}@127.0.0.1/d");
    let run = vsecure(&["url", "check", "--format", "json", &url], &[]);
    assert_eq!(run.code, 0);
    assert!(codes(&run).contains(&"password-on-command-line".to_string()));
    let run = vsecure(
        &["url", "check", "--format", "json"],
        &[("DATABASE_URL", &url)],
    );
    assert!(!codes(&run).contains(&"password-on-command-line".to_string()));
}

#[test]
fn unparseable_strings_exit_2_with_one_line_and_no_secret() {
    for url in [
        format!("postgresql://u:{MARKER_PASSWORD}%zz@h/d"),
        format!("postgresql://u:{MARKER_PASSWORD}@[::1/d"),
        format!("host=h password='{MARKER_PASSWORD}"),
        format!("postgresql://u:{MARKER_PASSWORD}@h?{MARKER_PASSWORD}"),
        format!("mysql://u:{MARKER_PASSWORD}@h/d"),
        format!("postgresql://u:{MARKER_PASSWORD}@h:99999/d"),
        format!("postgresql://u:{MARKER_PASSWORD}@h:54x2/d"),
        format!("host=a,b port=1,2,3 password={MARKER_PASSWORD}"),
    ] {
        let run = vsecure(&["url", "check"], &[("DATABASE_URL", &url)]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn misspelt_keyword_is_rejected_with_a_suggestion() {
    let run = check("postgresql://u@localhost/d?sslmod=verify-full");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean \"sslmode\""),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_url_is_a_usage_error_naming_flag_and_variable() {
    let run = vsecure(&["url", "check"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--database-url") && run.stderr.contains("DATABASE_URL"));
}

#[test]
fn table_output_shows_redacted_form_and_verdict() {
    let url = format!("postgresql://neondb_owner:{MARKER_PASSWORD}@127.0.0.1/d");
    let run = vsecure(&["url", "check"], &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("postgresql://neo***@127.0.0.1/d"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("verdict: ok"));
    let quiet = vsecure(&["url", "check", "-q"], &[("DATABASE_URL", &url)]);
    assert!(quiet.stdout.is_empty());
}

#[test]
fn version_help_and_completions() {
    let run = vsecure(&["--version"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("vsecure "));
    for args in [
        &["--help"][..],
        &["url", "check", "--help"],
        &["doctor", "--help"],
        &["completions", "--help"],
    ] {
        let run = vsecure(args, &[]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:"), "{args:?}");
    }
    let run = vsecure(&["completions", "bash"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("vsecure"));
    let run = vsecure(&["no-such-command"], &[]);
    assert_eq!(run.code, 2);
}

#[test]
fn plain_tcp_is_refused_wherever_the_bytes_may_leave_the_machine() {
    let refused = [
        format!(
            "host=localhost hostaddr=192.0.2.10 user=app password={MARKER_PASSWORD} sslmode=disable"
        ),
        format!(
            "host=/tmp hostaddr=192.0.2.10 user=app password={MARKER_PASSWORD} sslmode=disable"
        ),
        format!("postgresql://app:{MARKER_PASSWORD}@localhost/d?hostaddr=192.0.2.10"),
        format!("postgresql://app:{MARKER_PASSWORD}@localhost/d?sslmode=disable"),
        format!("postgresql://app:{MARKER_PASSWORD}@127.0.0.1./d?sslmode=disable"),
        format!("postgresql://app:{MARKER_PASSWORD}@127.1/d?sslmode=disable"),
        format!("host=１２７.0.0.1 user=app password={MARKER_PASSWORD} sslmode=disable"),
        format!("host=127.0.0.1,db.example.com user=app password={MARKER_PASSWORD} sslmode=prefer"),
        format!("hostaddr=10.0.0.7 user=app password={MARKER_PASSWORD} sslmode=allow"),
    ];
    for url in &refused {
        let run = vsecure(
            &["url", "check", "--format", "json"],
            &[("DATABASE_URL", url)],
        );
        assert_eq!(run.code, 1, "{url}: {}", run.stdout);
        assert!(
            codes(&run).contains(&"insecure-sslmode".to_string()),
            "{url}: {}",
            run.stdout
        );
    }
    let allowed = [
        format!(
            "host=db.internal hostaddr=127.0.0.1 user=app password={MARKER_PASSWORD} sslmode=disable"
        ),
        format!("postgresql://app:{MARKER_PASSWORD}@[::1]/d?sslmode=disable"),
        "host=/var/run/postgresql user=app sslmode=disable".to_string(),
    ];
    for url in &allowed {
        let run = vsecure(
            &["url", "check", "--format", "json"],
            &[("DATABASE_URL", url)],
        );
        assert!(
            !codes(&run).contains(&"insecure-sslmode".to_string()),
            "{url}: {}",
            run.stdout
        );
    }
}
