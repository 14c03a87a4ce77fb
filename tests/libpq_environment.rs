//! libpq's environment (`PG*` variables, the operating-system user, `~/.pgpass`) applied
//! by vsecure compared with libpq itself, over combinations of connection string,
//! variables and password file.
//!
//! libpq reads the process environment, so this binary holds one test that sets the
//! variables itself, one combination at a time (no other thread reads them meanwhile).

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use vsecure::dsn::environment::{self, LibpqEnvironment, VARIABLES};
use vsecure::dsn::policy::{self, PolicyContext};

/// The values libpq puts in force for `conninfo`, the password it would send, and its
/// error message (empty unless it refused the options or failed at once).
fn libpq_in_force(conninfo: &str) -> (BTreeMap<String, String>, String, String) {
    let c = CString::new(conninfo).unwrap();
    // SAFETY: PQconnectStart copies the string; the connection object and the option
    // array are freed below. Every host of the cases is unreachable and numeric or
    // local, so the attempt neither blocks nor resolves a name.
    unsafe {
        let conn = pq_sys::PQconnectStart(c.as_ptr());
        assert!(!conn.is_null());
        let opts = pq_sys::PQconninfo(conn);
        let mut values = BTreeMap::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            if !(*p).val.is_null() {
                let k = CStr::from_ptr((*p).keyword).to_string_lossy().into_owned();
                let v = CStr::from_ptr((*p).val).to_string_lossy().into_owned();
                values.insert(k, v);
            }
            p = p.add(1);
        }
        pq_sys::PQconninfoFree(opts);
        let password = CStr::from_ptr(pq_sys::PQpass(conn))
            .to_string_lossy()
            .into_owned();
        let error = CStr::from_ptr(pq_sys::PQerrorMessage(conn))
            .to_string_lossy()
            .into_owned();
        pq_sys::PQfinish(conn);
        (values, password, error)
    }
}

/// libpq's compiled-in defaults, which vsecure leaves unset (its connection layer has
/// the same defaults).
fn compiled_defaults() -> BTreeMap<String, String> {
    // SAFETY: PQconndefaults returns an array terminated by a null keyword, freed below.
    unsafe {
        let opts = pq_sys::PQconndefaults();
        let mut out = BTreeMap::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            if !(*p).compiled.is_null() {
                let k = CStr::from_ptr((*p).keyword).to_string_lossy().into_owned();
                let v = CStr::from_ptr((*p).compiled).to_string_lossy().into_owned();
                out.insert(k, v);
            }
            p = p.add(1);
        }
        pq_sys::PQconninfoFree(opts);
        out
    }
}

fn clear_libpq_variables() {
    for (_, variable) in VARIABLES {
        // SAFETY: this test binary runs one test on one thread; nothing else reads the
        // environment meanwhile.
        unsafe { std::env::remove_var(variable) };
    }
    // SAFETY: as above.
    unsafe { std::env::remove_var("PGREQUIRESSL") };
}

fn set_variables(vars: &[(&str, &str)]) {
    clear_libpq_variables();
    for (name, value) in vars {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, value) };
    }
}

fn write_passfile(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Compares vsecure's values in force with libpq's for one combination.
/// Returns false when vsecure refuses the combination: a password file that gives the
/// hosts different passwords, or host and hostaddr lists of different lengths (which
/// libpq refuses too).
fn assert_same_as_libpq(conninfo: &str, case: &str, defaults: &BTreeMap<String, String>) -> bool {
    let (theirs, their_password, their_error) = libpq_in_force(conninfo);
    let written = vsecure::dsn::parse(conninfo).unwrap();
    let env = LibpqEnvironment::from_process();
    if let Ok(resolved) = environment::resolve(&written, &env) {
        let findings = policy::check(&resolved.info, PolicyContext::default());
        if findings.iter().any(|f| f.code == "hostaddr-count") {
            assert!(
                their_error.contains("could not match"),
                "{case}: vsecure refuses the host and hostaddr counts, libpq does not"
            );
            return false;
        }
    }
    let resolved = match environment::resolve(&written, &env) {
        Ok(resolved) => resolved,
        Err(e) => {
            // Refused by design: the file gives the hosts different passwords.
            assert!(written.hosts().len() > 1, "vsecure refused {case}: {e}");
            return false;
        }
    };
    let ours: BTreeMap<String, String> = resolved
        .info
        .iter()
        .filter(|(k, _)| *k != "password")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (key, value) in &ours {
        assert_eq!(
            theirs.get(key),
            Some(value),
            "{case}: {key} differs (libpq: {:?})",
            theirs.get(key)
        );
    }
    for (key, value) in &theirs {
        let libpq_default = defaults.get(key) == Some(value) || key == "passfile";
        if !ours.contains_key(key) && key != "password" {
            assert!(
                libpq_default,
                "{case}: libpq sets {key}={value:?}, vsecure leaves it unset"
            );
        }
    }
    let our_password = resolved.info.get("password").unwrap_or("");
    assert!(
        our_password == their_password,
        "{case}: the password in force differs from libpq's"
    );
    true
}

#[test]
fn the_environment_and_password_file_apply_as_libpq_applies_them() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: one test on one thread (see clear_libpq_variables).
    unsafe { std::env::set_var("HOME", home.path()) };
    let alternative = home.path().join("alternative.pgpass");
    write_passfile(
        &alternative,
        "*:*:*:*:from-alternative-file\n", // vsecure:allow (a test fake)
        0o600,
    );
    let strings = [
        String::new(),
        "host=127.0.0.1 port=1".to_string(),
        "postgresql://app@127.0.0.1:1/appdb".to_string(),
        "postgresql://app:@127.0.0.1:1/appdb".to_string(),
        "postgresql://app:inline-pw@127.0.0.1:1/appdb".to_string(), // vsecure:allow (a test fake)
        "postgresql:///appdb?host=/tmp/vsecure-no-such-socket-dir&port=1".to_string(),
        "host=localhost port=1 user= dbname=".to_string(),
        "host=127.0.0.1,localhost port=1".to_string(),
        "hostaddr=127.0.0.1 host=db.acme.io port=1 sslmode=disable".to_string(),
        format!("host=127.0.0.1 port=1 passfile={}", alternative.display()),
        "host=/var/run/postgresql port=1 user=app dbname=appdb".to_string(),
    ];
    let environments: [&[(&str, &str)]; 9] = [
        &[],
        &[("PGHOST", "127.0.0.1"), ("PGPORT", "1")],
        &[
            ("PGUSER", "envuser"),
            ("PGDATABASE", "envdb"),
            ("PGPASSWORD", "env-pw"), // vsecure:allow (a test fake)
            ("PGSSLMODE", "require"),
            ("PGAPPNAME", "nightly"),
            ("PGOPTIONS", "-c statement_timeout=5s"),
            ("PGCONNECT_TIMEOUT", "3"),
            ("PGCHANNELBINDING", "require"),
            ("PGSSLROOTCERT", "/nonexistent/root.crt"),
        ],
        &[("PGPASSWORD", "")],
        &[("PGREQUIRESSL", "1")],
        &[("PGREQUIRESSL", "1"), ("PGSSLMODE", "verify-full")],
        &[("PGHOST", ""), ("PGUSER", ""), ("PGPORT", "1")],
        &[("PGPASSFILE", "/nonexistent/.pgpass"), ("PGUSER", "app")],
        &[
            ("PGTARGETSESSIONATTRS", "read-write"),
            ("PGGSSENCMODE", "disable"),
            ("PGHOSTADDR", "127.0.0.1"),
            ("PGPORT", "1"),
        ],
    ];
    let pgpass = home.path().join(".pgpass");
    let passfiles: [(&str, u32); 3] = [
        (
            "# a comment\n\
             127.0.0.1:1:appdb:app:pw-app\\:colon\n\
             localhost:1:*:envuser:pw-local\n\
             localhost:1:appdb:app:pw-socket\n\
             *:*:*:*:pw-any\n", // vsecure:allow (a test fake)
            0o600,
        ),
        ("*:*:*:*:world-readable\n", 0o644), // vsecure:allow (a test fake)
        ("127.0.0.1:*:*:*:only-loopback-v4\r\n", 0o400), // vsecure:allow (a test fake)
    ];
    let defaults = compiled_defaults();
    let (mut compared, mut refused) = (0, 0);
    for (file, mode) in passfiles {
        write_passfile(&pgpass, file, mode);
        for vars in environments {
            set_variables(vars);
            for conninfo in &strings {
                let case = format!("{conninfo:?} with {vars:?}, password file mode {mode:o}");
                if assert_same_as_libpq(conninfo, &case, &defaults) {
                    compared += 1;
                } else {
                    refused += 1;
                }
            }
        }
    }
    clear_libpq_variables();
    assert!(compared > 250, "only {compared} combinations compared");
    assert!(refused > 0, "no per-host password refusal exercised");
}
