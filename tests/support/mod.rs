//! Test harness: real PostgreSQL clusters started for each test binary, one database per
//! test, and a runner for the vsecure binary that fails the test if the marker password
//! ever appears in its output.
//!
//! Clusters run as an unprivileged user when the tests run as root (initdb and postgres
//! refuse root). Each server is started from a thread that lives as long as the server,
//! with the parent-death signal set, so the server stops when the test process ends,
//! even when a test fails or panics; at exit the harness also stops every server it
//! started (escalating to immediate shutdown and SIGKILL) and removes its files. Each
//! user has a directory of their own for the clusters.

#![allow(dead_code)]

pub mod proxy;

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The password of every test cluster's superuser. No vsecure output may contain it.
pub const MARKER_PASSWORD: &str = "Vsm4rker-Pw-7Qz";
/// The superuser, named as on Neon.
pub const SUPERUSER: &str = "neondb_owner";
/// The Neon-like name in the server certificate, reached through hostaddr=127.0.0.1.
pub const NEON_HOST: &str = "ep-test-123456.us-east-2.aws.neon.tech";
/// The pooled name of the same endpoint, also in the certificate.
pub const NEON_POOLER_HOST: &str = "ep-test-123456-pooler.us-east-2.aws.neon.tech";

const RUN_USER: &str = "vsecure-pg";

/// Which PostgreSQL build a cluster runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// PostgreSQL 18.3 with pgvector, provisioned by scripts/test-postgres.
    Pg18,
    /// PostgreSQL 17.5 with pgvector (Neon's default major), scripts/test-postgres --major 17.
    Pg17,
    /// PostgreSQL 16.14 with pgvector, provisioned by scripts/test-postgres --major 16.
    Pg16,
    /// Debian's PostgreSQL 15 (no pgvector).
    Pg15,
}

/// A running test cluster.
pub struct Cluster {
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    /// Whether the server speaks TLS.
    pub tls: bool,
    /// The CA certificate that signed the server certificate.
    pub ca_file: PathBuf,
    /// The build it runs.
    pub build: Build,
    dir: PathBuf,
    pid: u32,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bin directory of a build, provisioning each tree once per process.
pub fn bin_dir(build: Build) -> PathBuf {
    static PG18: OnceLock<PathBuf> = OnceLock::new();
    static PG16: OnceLock<PathBuf> = OnceLock::new();
    static PG17: OnceLock<PathBuf> = OnceLock::new();
    match build {
        Build::Pg15 => PathBuf::from("/usr/lib/postgresql/15/bin"),
        Build::Pg18 => PG18.get_or_init(|| provision("18")).clone(),
        Build::Pg16 => PG16.get_or_init(|| provision("16")).clone(),
        Build::Pg17 => PG17.get_or_init(|| provision("17")).clone(),
    }
}

/// Runs scripts/test-postgres for a major and returns the bin directory it prints.
fn provision(major: &str) -> PathBuf {
    let out = Command::new(repo_root().join("scripts/test-postgres"))
        .args(["--major", major])
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/test-postgres");
    assert!(
        out.status.success(),
        "scripts/test-postgres --major {major} failed"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// This user's directory for test servers: one per uid, so a directory left by another
/// account (or by a run under sudo) never blocks the tests.
fn clusters_base() -> PathBuf {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let base = std::env::temp_dir().join(format!("vsecure-test-clusters-{uid}"));
    fs::create_dir_all(&base).unwrap_or_else(|e| panic!("cannot create {}: {e}", base.display()));
    let meta = fs::symlink_metadata(&base).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert!(
        meta.is_dir() && meta.uid() == uid,
        "{} is not a directory owned by uid {uid}; remove it or set TMPDIR to another place",
        base.display()
    );
    fs::set_permissions(&base, fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("cannot set the mode of {}: {e}", base.display()));
    base
}

/// Servers this process started, stopped and removed at exit (statics are never
/// dropped, so the shared clusters would otherwise outlive the run).
fn started() -> &'static Mutex<Vec<(u32, PathBuf)>> {
    static STARTED: OnceLock<Mutex<Vec<(u32, PathBuf)>>> = OnceLock::new();
    STARTED.get_or_init(|| {
        extern "C" fn stop_all() {
            if let Some(list) = STARTED.get() {
                let servers = std::mem::take(&mut *list.lock().unwrap_or_else(|e| e.into_inner()));
                for (pid, dir) in servers {
                    stop_process(pid);
                    let _ = fs::remove_dir_all(dir);
                }
            }
        }
        // SAFETY: registers a plain function with no captured state.
        unsafe {
            libc::atexit(stop_all);
        }
        Mutex::new(Vec::new())
    })
}

fn remember(pid: u32, dir: &Path) {
    started().lock().unwrap().push((pid, dir.to_path_buf()));
}

fn forget(pid: u32) {
    started().lock().unwrap().retain(|(p, _)| *p != pid);
}

fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

/// Stops a server whatever state it is in: fast shutdown (SIGINT), then immediate
/// (SIGQUIT), then SIGKILL, each given a bounded wait.
fn stop_process(pid: u32) {
    for (signal, wait) in [
        (libc::SIGINT, Duration::from_secs(10)),
        (libc::SIGQUIT, Duration::from_secs(5)),
        (libc::SIGKILL, Duration::from_secs(5)),
    ] {
        if !alive(pid) {
            return;
        }
        // SAFETY: signalling a child this harness started.
        unsafe {
            libc::kill(pid as i32, signal);
        }
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline && alive(pid) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() == 0 }
}

/// uid and gid of the unprivileged user servers run as (when we are root).
fn run_ids() -> Option<(u32, u32)> {
    if !is_root() {
        return None;
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap();
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.first() == Some(&RUN_USER)).then(|| (f[2].parse().unwrap(), f[3].parse().unwrap()))
    })
}

fn chown_to_run_user(path: &Path) {
    if let Some((uid, gid)) = run_ids() {
        chown(path, Some(uid), Some(gid)).unwrap();
    }
}

fn as_run_user(cmd: &mut Command) -> &mut Command {
    if let Some((uid, gid)) = run_ids() {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The test CA and the server certificate, made once per process.
struct Certs {
    ca_pem: String,
    server_pem: String,
    server_key_pem: String,
}

fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
            KeyPair, KeyUsagePurpose, SanType,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "vsecure test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate().unwrap();
        let mut server = CertificateParams::new(vec![
            NEON_HOST.to_string(),
            NEON_POOLER_HOST.to_string(),
            "localhost".to_string(),
        ])
        .unwrap();
        server
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        server
            .distinguished_name
            .push(DnType::CommonName, NEON_HOST);
        server.use_authority_key_identifier_extension = true;
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server.signed_by(&server_key, &issuer).unwrap();
        Certs {
            ca_pem: ca_cert.pem(),
            server_pem: server_cert.pem(),
            server_key_pem: server_key.serialize_pem(),
        }
    })
}

fn write_file(path: &Path, contents: &str, mode: u32) {
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    chown_to_run_user(path);
}

/// Removes data directories left by test processes that no longer exist.
fn remove_stale_clusters(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let owner = fs::read_to_string(entry.path().join("owner.pid"))
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok());
        // SAFETY: kill with signal 0 only checks that the process exists.
        if let Some(pid) = owner
            && unsafe { libc::kill(pid, 0) } != 0
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

impl Cluster {
    /// The shared TLS + SCRAM cluster on PostgreSQL 18.3 for this test binary.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Build::Pg18, true))
    }

    /// The shared plain-TCP cluster (no TLS) on PostgreSQL 18.3.
    pub fn shared_plain() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Build::Pg18, false))
    }

    /// The shared TLS + SCRAM cluster on PostgreSQL 17.5 (with pgvector).
    pub fn shared_pg17() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Build::Pg17, true))
    }

    /// The shared TLS + SCRAM cluster on PostgreSQL 16.14 (with pgvector).
    pub fn shared_pg16() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Build::Pg16, true))
    }

    /// The shared TLS cluster on Debian's PostgreSQL 15.
    pub fn shared_pg15() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Build::Pg15, true))
    }

    /// Starts a new cluster: initdb with SCRAM, optionally TLS, on a free port.
    pub fn start(build: Build, tls: bool) -> Cluster {
        let bin = bin_dir(build);
        let base = clusters_base();
        remove_stale_clusters(&base);
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let dir = base.join(format!(
            "{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("owner.pid"), std::process::id().to_string()).unwrap();
        chown_to_run_user(&dir);
        let pwfile = dir.join("pwfile");
        write_file(&pwfile, MARKER_PASSWORD, 0o600);
        let data = dir.join("data");
        let out = as_run_user(&mut Command::new(bin.join("initdb")))
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "--auth=scram-sha-256", "-E", "UTF8"])
            .args(["--locale=C", "--no-sync"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ca_file = dir.join("ca.pem");
        write_file(&ca_file, &certs().ca_pem, 0o644);
        write_file(&dir.join("server.crt"), &certs().server_pem, 0o644);
        write_file(&dir.join("server.key"), &certs().server_key_pem, 0o600);

        for _ in 0..5 {
            let port = free_port();
            if let Some(pid) = spawn_postgres(&bin, &dir, port, tls) {
                remember(pid, &dir);
                return Cluster {
                    port,
                    tls,
                    ca_file,
                    build,
                    dir,
                    pid,
                };
            }
        }
        panic!(
            "could not start postgres; see {}",
            dir.join("log").display()
        );
    }

    /// A connection URL for `db` as the superuser: over verified TLS with channel
    /// binding to the Neon-like name for a TLS cluster, plain TCP otherwise.
    pub fn url(&self, db: &str) -> String {
        if self.tls {
            format!(
                "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@{NEON_HOST}:{}/{db}?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert={}&channel_binding=require",
                self.port,
                self.ca_file.display()
            )
        } else {
            format!(
                "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
                self.port
            )
        }
    }

    /// What the server has written to its log so far.
    pub fn server_log(&self) -> String {
        fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Creates a fresh database with a unique name and returns its name.
    pub fn create_database(&self, prefix: &str) -> String {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        self.execute("postgres", &format!("CREATE DATABASE \"{name}\""));
        name
    }

    /// Creates a fresh database and applies every migration with `vsecure migrate`.
    pub fn migrated_database(&self, prefix: &str) -> String {
        let db = self.create_database(prefix);
        let run = vsecure(&["migrate", "-q"], &[("DATABASE_URL", &self.url(&db))]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        db
    }

    /// Creates a fresh database copied from `template` (which must have no sessions).
    pub fn create_database_from(&self, template: &str, prefix: &str) -> String {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        self.execute(
            "postgres",
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        );
        name
    }

    /// Runs SQL (several statements allowed) in `db`.
    pub fn execute(&self, db: &str, sql: &str) {
        let url = self.url(db);
        let sql = sql.to_string();
        runtime().block_on(async move {
            let session = client(&url).await;
            session
                .client
                .batch_execute(&sql)
                .await
                .expect("execute SQL");
        });
    }

    /// Runs a query and returns the first column of every row, as text.
    pub fn query_strings(&self, db: &str, sql: &str) -> Vec<String> {
        let url = self.url(db);
        let sql = sql.to_string();
        runtime().block_on(async move {
            let session = client(&url).await;
            session
                .client
                .simple_query(&sql)
                .await
                .expect("query")
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(row) => {
                        Some(row.get(0).unwrap_or("").to_string())
                    }
                    _ => None,
                })
                .collect()
        })
    }

    /// Restarts the server (fast shutdown, which ends every session, then start) on the
    /// same port and data.
    pub fn restart(&mut self) {
        stop_process(self.pid);
        forget(self.pid);
        let bin = bin_dir(self.build);
        for _ in 0..50 {
            if let Some(pid) = spawn_postgres(&bin, &self.dir, self.port, self.tls) {
                remember(pid, &self.dir);
                self.pid = pid;
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "could not restart postgres; see {}",
            self.dir.join("log").display()
        );
    }

    /// Stops the server now (fast shutdown) and removes its files.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        stop_process(self.pid);
        forget(self.pid);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Runs a future on the harness runtime (library-level tests).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    runtime().block_on(future)
}

/// Connects to a URL through vsecure's own connection layer with a given lock_timeout.
pub async fn connect(url: &str, lock_timeout: Duration) -> vsecure::db::Session {
    let info = vsecure::dsn::parse(url).expect("test URL parses");
    let opts = vsecure::db::SessionOptions {
        connect_timeout: Some(Duration::from_secs(10)),
        connect_retries: 3,
        statement_timeout: Duration::from_secs(60),
        lock_timeout,
        application_name: Some("vsecure-tests".to_string()),
        verbose: false,
        session_settings: true,
    };
    vsecure::db::connect(&info, &opts)
        .await
        .expect("test connects")
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

async fn client(url: &str) -> vsecure::db::Session {
    let info = vsecure::dsn::parse(url).expect("test URL parses");
    let opts = vsecure::db::SessionOptions {
        connect_timeout: Some(Duration::from_secs(10)),
        connect_retries: 3,
        statement_timeout: Duration::ZERO,
        lock_timeout: Duration::ZERO,
        application_name: Some("vsecure-tests".to_string()),
        verbose: false,
        session_settings: true,
    };
    vsecure::db::connect(&info, &opts)
        .await
        .expect("harness connects")
}

/// Starts postgres from a thread that lives as long as the server; returns its pid
/// once it accepts connections, or None if it failed (e.g. the port was taken).
fn spawn_postgres(bin: &Path, dir: &Path, port: u16, tls: bool) -> Option<u32> {
    let log_path = dir.join("log");
    let log = fs::File::create(&log_path).unwrap();
    chown_to_run_user(&log_path);
    let mut cmd = Command::new(bin.join("postgres"));
    as_run_user(&mut cmd)
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(dir)
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
        .args(["-c", &format!("ssl={}", if tls { "on" } else { "off" })])
        .args([
            "-c",
            &format!("ssl_cert_file={}", dir.join("server.crt").display()),
        ])
        .args([
            "-c",
            &format!("ssl_key_file={}", dir.join("server.key").display()),
        ])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    let pid = spawn_kept(cmd);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        if text.contains("ready to accept connections") {
            return Some(pid);
        }
        if !alive(pid) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// What one run of the vsecure binary produced.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// Runs the vsecure binary in an empty directory with a clean environment plus `env`,
/// and fails the test if the marker password appears in stdout or stderr.
pub fn vsecure(args: &[&str], env: &[(&str, &str)]) -> Run {
    vsecure_in(&workdir(), args, env)
}

/// An empty directory the binary runs in, so that no `.env` of the checkout (one the
/// quick start wrote, say) reaches a test.
fn workdir() -> PathBuf {
    static WORKDIR: OnceLock<Mutex<tempfile::TempDir>> = OnceLock::new();
    let workdir = WORKDIR.get_or_init(|| Mutex::new(tempfile::tempdir().unwrap()));
    workdir.lock().unwrap().path().to_path_buf()
}

/// The vsecure binary as a command for tests that drive the process themselves
/// (signals, pipes): run in an empty directory, without the caller's DATABASE_URL.
pub fn vsecure_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vsecure"));
    cmd.current_dir(workdir());
    clean_environment(&mut cmd);
    cmd
}

/// Removes what would make a test depend on the machine: DATABASE_URL, libpq's `PG*`
/// variables and the account's `~/.pgpass` (a file that does not exist stands in).
fn clean_environment(cmd: &mut Command) {
    cmd.env_remove("DATABASE_URL").env("NO_COLOR", "1");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PG") {
            cmd.env_remove(name);
        }
    }
    cmd.env("PGPASSFILE", "/nonexistent/vsecure-tests/.pgpass");
}

/// Like [`vsecure`], in a given directory (for .env tests).
pub fn vsecure_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_binary(Command::new(env!("CARGO_BIN_EXE_vsecure")), cwd, args, env)
}

/// Like [`vsecure_in`], as an ordinary account: the unprivileged server user when the
/// tests run as root (for permission tests, which root would pass through).
pub fn vsecure_unprivileged_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vsecure"));
    as_run_user(&mut cmd);
    run_binary(cmd, cwd, args, env)
}

fn run_binary(mut cmd: Command, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    cmd.current_dir(cwd).args(args).stdin(Stdio::null());
    clean_environment(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run vsecure");
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    assert_no_marker(&run, args);
    run
}

/// Fails when the marker password appears in any output.
pub fn assert_no_marker(run: &Run, args: &[&str]) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(MARKER_PASSWORD),
            "the marker password leaked into {name} of vsecure {}",
            args.first().copied().unwrap_or("")
        );
    }
}

/// Writes a file in a directory (helper for .env tests).
pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    path
}

/// A PgBouncer in transaction pooling mode in front of a cluster, like Neon's pooler.
pub struct PgBouncer {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    pid: u32,
}

impl PgBouncer {
    /// Starts Debian's pgbouncer (installed by scripts/test-postgres --pgbouncer) in
    /// front of `cluster`, with SCRAM client auth and transaction pooling.
    pub fn start(cluster: &Cluster) -> PgBouncer {
        let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("pgbouncer is installed (scripts/test-postgres --pgbouncer)");
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let dir = clusters_base().join(format!(
            "{}-bouncer-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("owner.pid"), std::process::id().to_string()).unwrap();
        chown_to_run_user(&dir);
        write_file(
            &dir.join("userlist.txt"),
            &format!("\"{SUPERUSER}\" \"{MARKER_PASSWORD}\"\n"),
            0o600,
        );
        for _ in 0..5 {
            let port = free_port();
            let ini = format!(
                "[databases]\n* = host=127.0.0.1 port={}\n\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = scram-sha-256\nauth_file = {}\npool_mode = transaction\n\
                 max_client_conn = 200\ndefault_pool_size = 4\n\
                 logfile = {}\nserver_tls_sslmode = disable\n",
                cluster.port,
                dir.join("userlist.txt").display(),
                dir.join("pgbouncer.log").display()
            );
            write_file(&dir.join("pgbouncer.ini"), &ini, 0o600);
            let mut cmd = Command::new(&binary);
            as_run_user(&mut cmd)
                .arg(dir.join("pgbouncer.ini"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let pid = spawn_kept(cmd);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    remember(pid, &dir);
                    return PgBouncer { port, dir, pid };
                }
                if !alive(pid) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!(
            "could not start pgbouncer; see {}",
            dir.join("pgbouncer.log").display()
        );
    }

    /// A URL for `db` through the pooler (plain TCP on loopback).
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}:{MARKER_PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        // SIGTERM is pgbouncer's immediate shutdown (SIGINT would wait for clients).
        // SAFETY: signalling a child this harness started.
        unsafe {
            libc::kill(self.pid as i32, libc::SIGTERM);
        }
        stop_process(self.pid);
        forget(self.pid);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Spawns a server from a thread that lives as long as it, with the parent-death
/// signal set, so it ends with the test process; returns its pid.
fn spawn_kept(mut cmd: Command) -> u32 {
    // SAFETY: prctl only sets a flag on the child before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut child = cmd.spawn().expect("spawn server");
        tx.send(child.id()).unwrap();
        let _ = child.wait();
    });
    rx.recv().unwrap()
}

/// Asserts that `log` validates against the SARIF 2.1.0 schema (pydantic-sarif, which
/// scripts/sarif-validator provisions once).
pub fn assert_valid_sarif(log: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validator = Command::new(root.join("scripts/sarif-validator"))
        .output()
        .expect("run scripts/sarif-validator");
    assert!(
        validator.status.success(),
        "provisioning the validator failed: {}",
        String::from_utf8_lossy(&validator.stderr)
    );
    let path = String::from_utf8(validator.stdout)
        .unwrap()
        .trim()
        .to_string();
    let mut check = Command::new("python3")
        .args([
            "-c",
            "import sys\n\
             from pydantic_sarif.model import StaticAnalysisResultsFormatSarifVersion210JsonSchema as Log\n\
             Log.model_validate_json(sys.stdin.read())\n",
        ])
        .env("PYTHONPATH", &path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    check
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let result = check.wait_with_output().unwrap();
    assert!(
        result.status.success(),
        "the SARIF log does not validate: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}
