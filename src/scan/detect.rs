//! Finds PostgreSQL credentials in a file's text: connection URIs with a password,
//! libpq `key=value` strings with a password, `PGPASSWORD`, `DATABASE_URL` and Neon
//! passwords (`npg_...`). Every finding carries a redacted form; the secret itself never
//! leaves this module.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::{Match, Regex};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::assigned;
use super::lines::Lines;
use super::placeholder::{self, PADDING_SYMBOLS, is_placeholder, read_as_letters};
use super::structured::{self, Syntax};

/// What kind of credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `postgresql://user:password@host/...`.
    PostgresUri,
    /// `DATABASE_URL=` holding a URI or key=value string with a password.
    DatabaseUrl,
    /// `host=... password=...`.
    KeyValuePassword,
    /// `PGPASSWORD=...`.
    Pgpassword,
    /// A Neon-generated password, `npg_` and its random characters.
    NeonPassword,
    /// A `.pgpass` line, `host:port:database:user:password`.
    Pgpass,
    /// `Password=...;` in an Npgsql, ODBC or ADO.NET connection string.
    SemicolonPassword,
    /// A database password variable: `POSTGRES_PASSWORD=`, `DB_PASSWORD:`, ...
    PasswordVariable,
    /// `CREATE ROLE / ALTER ROLE ... PASSWORD '...'` with a literal, not a verifier.
    RolePassword,
    /// A password setting or driver argument next to PostgreSQL settings
    /// (`spring.datasource.password=`, Django's `'PASSWORD':`, `password:` in
    /// database.yml or Helm values, Terraform, a driver call, JDBC `getConnection`).
    PasswordSetting,
    /// A Kubernetes Secret's base64 `data:` value that decodes to a credential.
    KubernetesSecret,
    /// A line of PgBouncer's auth_file (`userlist.txt`), `"user" "password"`, with a
    /// password rather than a SCRAM or MD5 verifier.
    PgbouncerUserlist,
}

impl Kind {
    /// Every kind, in the order reports describe them (SARIF's rule list).
    pub const ALL: [Kind; 12] = [
        Kind::PostgresUri,
        Kind::DatabaseUrl,
        Kind::KeyValuePassword,
        Kind::Pgpassword,
        Kind::NeonPassword,
        Kind::Pgpass,
        Kind::SemicolonPassword,
        Kind::PasswordVariable,
        Kind::RolePassword,
        Kind::PasswordSetting,
        Kind::KubernetesSecret,
        Kind::PgbouncerUserlist,
    ];

    /// What the kind is, for code scanning's rule descriptions.
    pub fn description(self) -> &'static str {
        match self {
            Kind::PostgresUri => "A PostgreSQL connection URI with a password",
            Kind::DatabaseUrl => "DATABASE_URL holding a connection string with a password",
            Kind::KeyValuePassword => "A libpq key=value connection string with a password",
            Kind::Pgpassword => "PGPASSWORD set to a literal password",
            Kind::NeonPassword => "A Neon-generated password (npg_...)",
            Kind::Pgpass => "A .pgpass line with a password",
            Kind::SemicolonPassword => "Password= in an Npgsql, ODBC or ADO.NET connection string",
            Kind::PasswordVariable => "A database password variable set to a literal",
            Kind::RolePassword => "CREATE/ALTER ROLE with a literal password",
            Kind::PasswordSetting => {
                "A password setting or driver argument next to PostgreSQL settings"
            }
            Kind::KubernetesSecret => "A Kubernetes Secret's data decoding to a credential",
            Kind::PgbouncerUserlist => "A PgBouncer userlist line with a plain password",
        }
    }

    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PostgresUri => "postgres-uri",
            Kind::DatabaseUrl => "database-url",
            Kind::KeyValuePassword => "key-value-password",
            Kind::Pgpassword => "pgpassword",
            Kind::NeonPassword => "neon-password",
            Kind::Pgpass => "pgpass",
            Kind::SemicolonPassword => "connection-string-password",
            Kind::PasswordVariable => "password-variable",
            Kind::RolePassword => "role-password",
            Kind::PasswordSetting => "password-setting",
            Kind::KubernetesSecret => "kubernetes-secret",
            Kind::PgbouncerUserlist => "pgbouncer-userlist",
        }
    }
}

/// A credential found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of the start of the match in the text.
    pub offset: usize,
    /// The match with the secret replaced by `****`.
    pub redacted: String,
    /// A well-known local default (`postgres:postgres@localhost`, `test:test@127.0.0.1`
    /// or a CI service container): reported, but not a leaked secret.
    pub local_default: bool,
    /// Whether the secret is a password local and CI databases are set up with
    /// (`postgres`, `test`, `postgres123`): a local default where the database is local.
    pub default_password: bool,
    /// Whether the secret reads as a generator's output (`is_generated_password`): a real
    /// account's password, never a guide's example for its reader's own set-up.
    pub generated_password: bool,
    /// SHA-256 of the secret (decoded and unquoted), so a finding can be told apart from
    /// another and recognised again (its fingerprint) without the secret being kept.
    pub secret_digest: [u8; 32],
    /// SHA-256 of the secret read as letters where its digits and symbols spell them
    /// (`s3ll4stic` as `sellastic`, `1` as an `i` and as an `l`), so a word written in
    /// leet is recognised as that word.
    pub(super) letters_digests: Vec<[u8; 32]>,
}

impl Detection {
    /// Whether the secret found is `password`, told by its digest (the secret itself is
    /// not kept).
    pub(super) fn holds(&self, password: &str) -> bool {
        <[u8; 32]>::from(Sha256::digest(password.as_bytes())) == self.secret_digest
    }

    /// Whether the secret found is `word`, as written or in leet (`s3ll4stic` for
    /// `sellastic`).
    pub(super) fn holds_as_written_or_in_leet(&self, word: &str) -> bool {
        let digest = <[u8; 32]>::from(Sha256::digest(word.as_bytes()));
        digest == self.secret_digest || self.letters_digests.contains(&digest)
    }
}

/// How PlanetScale's generated passwords begin: a MySQL-compatible service's, never
/// PostgreSQL's.
const PLANETSCALE_PASSWORD: &[u8] = b"pscale_pw_";

/// The shortest value read as a Prisma Postgres API key: the keys are long tokens.
const MIN_API_KEY_LEN: usize = 20;

/// How many bytes of a line's start (or before an offset) the checks that read a line
/// around a match look at: enough for what they look for, and bounded, so that a long
/// line with a match every few bytes stays linear.
const HEAD: usize = 256;

/// A line holding this marker is never flagged: for test fixtures and documented fakes.
/// The markers other scanners honour (detect-secrets' `pragma: allowlist secret`,
/// gitleaks' `gitleaks:allow`) are honoured too: a project that marked its fixtures for
/// them need not mark them again.
pub const ALLOW_MARKER: &str = "vsecure:allow";

struct Patterns {
    /// A test's assertion opening its call (`assert!(`, `assertEquals(`, `expect(`).
    assertion_call: Regex,
    /// A line naming strings output must not hold (`forbidden: [...]`, `not in`).
    kept_out_line: Regex,
    /// A line that opens a test's assertion (`assert.Contains(t, dsn, "...")`).
    asserted_line: Regex,
    /// A quoted string of four characters or more, either quote.
    quoted_string: Regex,
    trigger: Regex,
    block_string_delimiter: Regex,
    block_comment_opening: Regex,
    allow: Regex,
    replace_comment: Regex,
    uri: Regex,
    uri_query_password: Regex,
    prisma_api_key: Regex,
    key_value: Regex,
    joined_key_value: Regex,
    libpq_keyword: Regex,
    pgpassword: Regex,
    environment_set: Regex,
    user_setting: Regex,
    secret_piped: Regex,
    database_url: Regex,
    neon: Regex,
    pgpass: Regex,
    pgpass_written: Regex,
    delimited_login: Regex,
    semicolon_password: Regex,
    semicolon_host: Regex,
    semicolon_field: Regex,
    another_engines_string: Regex,
    postgres_provider: Regex,
    string_line_field: Regex,
    string_opening_field: Regex,
    string_list_item: Regex,
    string_list_postgres: Regex,
    conninfo_field: Regex,
    password_variable: Regex,
    password_passed_by_name: Regex,
    fallback: Regex,
    database_password_name: Regex,
    password_key_before: Regex,
    role_password: Regex,
    role_statement: Regex,
    puppet_password_variable: Regex,
    client_command: Regex,
    client_host: Regex,
    client_host_value: Regex,
    host_setting: Regex,
    environment_host_lookup: Regex,
    database_setting: Regex,
    userlist_line: Regex,
    local_database: Regex,
    loopback_literal: Regex,
    loopback_named: Regex,
    starts_containers: Regex,
    docker_subnet: Regex,
    web_address: Regex,
    remote_host: Regex,
    names_a_host: Regex,
    uri_authority_host: Regex,
    provisions_managed_database: Regex,
    declares_encrypted_passwords: Regex,
    ciphertext: Regex,
    shell_prompt_machine: Regex,
    ci_workflow: Regex,
    test_container: Regex,
    test_case: Regex,
    /// A Python method named `test_...` (`def test_connection(self):`) and a class
    /// that holds test methods (`class TestX`, `(unittest.TestCase)`).
    python_test_method: Regex,
    python_test_class: Regex,
    libpq_keyword_value: Regex,
    lesson_on_leaks: Regex,
    installs_another_engine: Regex,
    /// Django's engine setting given another engine (`DATABASE_ENGINE = 'mysql'`,
    /// `'ENGINE': 'django.db.backends.sqlite3'`), and given PostgreSQL.
    django_other_engine: Regex,
    django_postgres_engine: Regex,
    fake_collection: Regex,
    asserted_absent: Regex,
    example_password: Regex,
    documented_default: Regex,
    change_instruction: Regex,
    trailing_change_instruction: Regex,
    bad_practice_label: Regex,
    expected_failure: Regex,
}

/// The names a variable holding a database user's name goes by (`PGUSER`,
/// `POSTGRES_USER`, `SONAR_JDBC_USERNAME`, `DB_LOGIN`): one spelling for the patterns
/// that read it at a line's start and given to a container with `-e`.
macro_rules! user_variable {
    () => {
        r"PGUSER|(?:[A-Z0-9]+_)*(?:POSTGRES(?:QL)?(?:DB)?|PG|DB|DATABASE|JDBC|TYPEORM|MIKRO_?ORM)_(?:[A-Z0-9]+_)?(?:USER(?:NAME)?|USR|UN|LOGIN)"
    };
}

/// A lookup that a nil-coalescing default follows, opened up to its variable's quoted
/// name (Swift's `Environment.get("`, C#'s `GetEnvironmentVariable("`, Deno's
/// `Deno.env.get('`): one spelling for the patterns that read the user's and the
/// password's defaults.
macro_rules! coalesced_lookup {
    () => {
        r#"(?:Environment\.get|GetEnvironmentVariable|Deno\.env\.get)\s*\(\s*["']"#
    };
}

/// Python's lookup of a variable (`os.getenv("PGHOST"`, `os.environ.get('PGHOST'`), up to
/// its closing parenthesis or its fallback's comma: one spelling for the patterns that
/// read a host's variable and its fallback.
macro_rules! python_variable_lookup {
    () => {
        r#"os\.(?:getenv|environ\.get)\([ \t]*["'][A-Za-z0-9_]+["'][ \t]*"#
    };
}

/// PostgreSQL's client programs, as a command names one: one list for the patterns that
/// read a client's host, user and password (`pgbench` and `pg_basebackup` connect as
/// `psql` does).
macro_rules! client_programs {
    () => {
        "psql|pg_dump|pg_dumpall|pg_restore|pg_isready|pg_basebackup|pgbench|vacuumdb|reindexdb|clusterdb|createdb|dropdb|createuser|dropuser"
    };
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        assertion_call: Regex::new(
            r"(?-u:\b)(?:assert[A-Za-z_]*|expect|assertThat)[ \t]*!?[ \t]*\(",
        )
        .expect("valid regex"),
        // A line that names strings output must not hold: a redaction test's list of
        // `forbidden` values, `assert "..." not in out`, Jest's `not.toContain(...)`,
        // unittest's `assertNotIn`, AssertJ's `doesNotContain`.
        kept_out_line: Regex::new(
            r"(?m)^[^\n]*(?:(?-u:\b)forbidden(?-u:\b)|(?-u:\b)not in(?-u:\b)|not\.toContain|NotIn\(|doesNotContain|NotContains|not\.toMatch)[^\n]*",
        )
        .expect("valid regex"),
        asserted_line: Regex::new(
            r"(?m)^[^\n]*(?-u:\b)(?:assert[A-Za-z_.]*|expect|assertThat)[ \t]*!?[ \t]*\([^\n]*",
        )
        .expect("valid regex"),
        quoted_string: Regex::new(r#""([^"\n]{4,})"|'([^'\n]{4,})'"#).expect("valid regex"),
        trigger: Regex::new(
            r#"(?im)postgre|posgres|pgsql|postgis|postmodern|ecpg|redshift|cockroach|dbi:pg|(?-u:\b)(?:pg|pq|psql|crdb|ysql)://|timescaledb:|yugabytedb:|pqsetdblogin|password|passwd|pwd|(?:pg|db|database|data_?source)_?(?:pass|pw)(?-u:\b)|npg_|^kind:[ \t]*secret|^[^:\s#]+:(?:\d{1,5}|\*):[^:\s]+:[^:\s]+:|^[ \t]*"[^"\n]+"[ \t]+"[^"\n]*"[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // The delimiters of a block string: three double or three single quotes.
        block_string_delimiter: Regex::new(r#""""|'''"#).expect("valid regex"),
        // A block comment's opening at the start of a line.
        block_comment_opening: Regex::new(r"(?m)^[ \t]*/\*").expect("valid regex"),
        allow: Regex::new(&format!(
            "{ALLOW_MARKER}|pragma: ?allowlist[ -]secret|gitleaks:allow"
        ))
        .expect("valid regex"),
        // A comment after a value that says to put the reader's own there:
        // `DB_PASSWORD=123123123 # Replace with your actual PostgreSQL password`, or
        // heading the settings (`// replace with parameters for your database`, `# change
        // password if your postgres password is different`) (not `#
        // TODO: replace with the vault`, which says a real one is to move), or that shows
        // it as what not to do (`password = "..."  # Don't do this!`, or a scanner's
        // planted case named by its rule, `# hardcoded-secret`), or calls it a stand-in
        // (`// Dummy Connection string`, `# fake password`); "your own" in the
        // languages tutorials are written in too (`# ID와 PW를 자신의 환경에 맞게 수정`,
        // "change the ID and PW to fit your own set-up"; `// Замените эти значения на данные
        // ... к вашей базе данных`, "replace these values with your database's"; `//
        // Cambia esto por tu contraseña real`, "change this to your real password"; `//
        // укажи свой`, "specify yours"; `// 这里的用户名和密码是要和你的 mysql 对应的`, "the
        // user and password here must match your MySQL's").
        replace_comment: Regex::new(
            r"(?:#|//)[^#\n]*?(?:(?i:(?-u:\b)(?:replace (?:it |this |these |them )?with (?:[a-z]+ ){0,2}?(?:(?:for|of) )?your|change (?:this|it) to your|(?:change|update|edit|modify|adjust|set)(?: [a-z]+){0,4} (?:if|when|to match|to fit) your|your (?:own|actual|real)|don'?t do this|do not do this|never do this|bad (?:example|practice)|(?:dummy|fake|made-up|mock) (?:connection(?: string)?|password|credentials?|login|dsn)|anti-pattern|hardcoded-(?:secret|password|credentials?)|tu propia|su propia|sua própria|votre propre|deine? eigene|(?:cambi|cámbi|reemplaz|reempláz)(?:a|e|ar)(?:la|lo)? (?:esto |esta |este )?(?:por|con) (?:tu|su|la (?:real|tuya|suya)|el (?:real|tuyo|suyo))|(?:tu|su) (?:contraseña|clave) real|substitu(?:a|ir) (?:pela|pelo|por) (?:sua|seu)|(?:sua|seu) senha real)(?-u:\b))|자신의|본인의|自己的|(?:和|与|跟)(?:你|您)的[^#\n]{0,30}?(?:对应|一致)|(?:改成|换成|改为|修改为|替换成|替换为)(?:你|您)(?:的|自己)|唯一需要(?:更改|修改)的地方|ご自身の|自分の|(?i:замени(?:те|ть)?|замініть|подставь(?:те)?|укажи(?:те)?|вкажіть)[^#\n]*?(?i:ваш|сво[йиейюї]))",
        )
        .expect("valid regex"),
        // The password runs to the last `@` before the host (the host must end where a
        // host does, not at another `@`): it may hold an unencoded `@`, quote, `<` or a
        // space (libpq would misread such a URI, but the secret is there), or, in one
        // word, an unencoded `/` (SQLAlchemy's and JDBC's parsers read it as the
        // password's; a port and path before a later `@` are told apart below).
        // Driver schemes (`postgresql+psycopg2://`) and JSON's escaped slashes count too,
        // as do the other names URL parsers give PostgreSQL (PEAR's and Doctrine's
        // `pgsql://`, dj-database-url's `postgis://`, django-environ's and Pharo P3's
        // `psql://`, py-postgresql's `pq://`, the TimescaleDB dialect's `timescaledb://`,
        // Redshift's, CockroachDB's (`crdb://`) and YugabyteDB's (`yugabytedb://`,
        // `ysql://`), all spoken to as PostgreSQL) and
        // its name misspelt (`posgres://`, `postgre://`: the password is there all the same),
        // and Ecto's `ecto://` where PostgreSQL is named (its adapter decides the engine),
        // and Sqitch's target `db:pg://` and dburl's `pg://` (usql's, NocoDB's).
        // The user may be Azure's single server's `user@server`, unencoded too; the host
        // a template's reference (`${DB_HOST}`, Terraform's `${aws_db_instance.app.address}`).
        uri: Regex::new(
            r#"(?i)(?-u:\b)((?:(?:postgres(?:ql)?|postgress|postgre|posgres(?:ql)?|pgsql|psql|postgis|timescaledb|redshift|cockroach(?:db)?|crdb|yugabytedb|ysql)(?:\+[a-z0-9_]+)?|ecto|db:pg|pg|pq):(?://|\\/\\/))([^\s:/\\?#@'"`<>()\[\]]*(?:@[A-Za-z0-9-]+)?):([^\n/]*?|[^\s/@'"`<>]+/[^\s@'"`<>]*?)@((?:\$\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9\[]|%2[Ff])[^\s/\\?#@'"`<>),;]*|)(?:[\s/\\?#'"`<>),;]|$)"#,
        )
        .expect("valid regex"),
        // NocoDB's `pg://host:5432?u=app&p=...&d=app` names the password `p`; a JDBC URL
        // carries it as `password=` (YugabyteDB's `jdbc:yugabytedb://...?user=...&password=...`,
        // pgjdbc-ng's `jdbc:pgsql://...`).
        uri_query_password: Regex::new(
            r#"(?i)(?-u:\b)((?:(?:postgres(?:ql)?|pgsql|yugabytedb):(?:(?://|\\/\\/)[^\s'"`<>?]*|[A-Za-z_][A-Za-z0-9_]*)|pg:(?://|\\/\\/)[^\s'"`<>?]*)\?(?:[^\s'"`<>#&]*&)*)(password=|p=)([^\s'"`<>#&]*)"#,
        )
        .expect("valid regex"),
        // Prisma Postgres's URL, whose API key opens the database as a password does.
        prisma_api_key: Regex::new(
            r#"(?i)(?-u:\b)(prisma\+postgres://[^\s/'"`?]+/?\?(?:[^\s'"`#&]*&)*)(api_key=)([^\s'"`<>#&]+)"#,
        )
        .expect("valid regex"),
        // The value may be quoted, on its line (libpq ends a quoted value there), in a
        // JSON string too (`password=\"...\"`).
        key_value: Regex::new(r#"(?i)(?:^|[\s'"`])(password[ \t]*=[ \t]*)('(?:[^'\\\n]|\\.)*'|\\"(?:[^"\\\n]|\\[^"\n])*\\"|[^\s'"`;]+)"#)
            .expect("valid regex"),
        // A conninfo piece that ends at `password=` and joins a variable on (`" password="
        // . $pass`, `" password=" + pw`, or with `&` or `||`): the variable holds the
        // value.
        joined_key_value: Regex::new(
            r#"(?i)(?:^|[\s'"`])(password[ \t]*=)["'][ \t]*(?:\.|\+|&|\|\|)[ \t]*(\$\{?[a-z_][a-z0-9_]*\}?|[a-z_][a-z0-9_]*)"#,
        )
        .expect("valid regex"),
        // A libpq keyword, or psql's command line (which takes a conninfo string).
        libpq_keyword: Regex::new(r"(?i)(?:^|[\s'`])(?:host|hostaddr|dbname|user|port|sslmode)\s*=|(?-u:\b)psql\s")
            .expect("valid regex"),
        // libpq's variable set to a value, quoted or bare, or quoted in a string's escaped
        // quotes (`echo "PGPASSWORD=\"...\" psql ..."`).
        pgpassword: Regex::new(
            r#"((?-u:\b)PGPASSWORD["']?\]?[ \t]*[=:][ \t]*|(?-u:\b)ENV[ \t]+PGPASSWORD[ \t]+)("[^"\n]*"|'[^'\n]*'|\\"(?:[^"\\\n]|\\[^"\n])*\\"|[^\s'"`;=\\][^\s'"`;]*)"#,
        )
        .expect("valid regex"),
        // The environment set by a call (`os.Setenv("PGPASSWORD", "...")`,
        // `std::env::set_var`, `SetEnvironmentVariable`, `os.environ.setdefault`, Java's
        // `pb.environment().put("PGPASSWORD", "...")`) or by fish's `set -gx NAME value`,
        // a Dockerfile's `ENV NAME value`, Windows' `setx NAME value` or macOS's
        // `launchctl setenv NAME value`.
        environment_set: Regex::new(
            r#"(?im)(?:setenv|set_var|setdefault|SetEnvironmentVariable|putenv|(?-u:\b)put)\s*\(\s*["']([A-Za-z0-9_.]+)["']\s*,\s*("[^"\n]*"|'[^'\n]*')|^[ \t]*set[ \t]+(?:-[a-zA-Z]+[ \t]+)+([A-Za-z0-9_]+)[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s'"`;$(][^\s'"`;]*)[ \t]*\r?$|^[ \t]*(?:#[ \t]*)?(?-i:ENV)[ \t]+([A-Za-z0-9_]+)[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s'"`;$(=][^\s'"`;]*)[ \t]*\r?$|^[ \t]*(?:setx|launchctl[ \t]+setenv)[ \t]+([A-Za-z0-9_]+)[ \t]+("[^"%\n]*"|'[^'\n]*'|[^\s'"`;$(%][^\s'"`;]*)(?:[ \t]|\r?$)"#,
        )
        .expect("valid regex"),
        // A database user's name set in configuration (`POSTGRES_USER: app`, `PGUSER=app`,
        // a Windows script's `@SET DB_USER=app`, `DB_USR`, `DB_UN` and `DB_LOGIN`, a guide's list item `* login: app`,
        // HOCON's and YAML's `user = "app"`, Trino's and Presto's catalog `connection-user=app`,
        // SonarQube's `SONAR_JDBC_USERNAME`, a hash's entry: PHP's `$DB['USER'] = 'app'` and
        // `'dbuser' => 'app'`, GitLab's `gitlab_rails['db_username'] = 'app'`) or given to a
        // command (`--conn-login app`), or in XML: a data source's attribute (Tomcat's
        // `username="app"`), an element (`<user>app</user>`, `<PostgresUser>app</PostgresUser>`,
        // `<login>app</login>`) or a JPA or Hibernate property
        // (`name="jakarta.persistence.jdbc.user" value="app"`), or a shell's fallback for
        // a user variable (`${VAULT_PGUSER:=vault}`, the innermost where one expansion falls
        // back to another: `${APP_DB_USER:-${PGUSER:-app}}`), Clojure's `:user "app"`, Ruby's `:user
        // => 'app'`, a named
        // argument or a key inside a line (`username: "app"`, `{ POSTGRES_USER: "app",
        // ...}`, a map's quoted `'user': 'app'`), a call's key and value
        // (Viper's `SetDefault("postgres.user", "guest")`, a property's `setProperty("user", "app")`), the role Puppet's
        // `postgresql_password('app', ...)` hashes a password for, Haskell's
        // `connectUser = "app"`, a container's `docker run -e POSTGRES_USER=app` (any name
        // the line-start form takes: `-e SONAR_JDBC_USERNAME=sonar`),
        // Spring's `SPRING_DATASOURCE_USERNAME: app` inside a line, a dotted property
        // (`quarkus.datasource.username=app`, `spring.r2dbc.username=app`), or a list
        // item's name with its password on the next line (Ansible's `postgresql_users:`
        // items, `- name: app` then `password: ...`), or a user variable's default where
        // code reads it (`os.environ.get('POSTGRES_USER', 'app')`), or a client's `psql -U
        // app`, or a Kubernetes variable's `- name: ..._USERNAME` with its `value:` below
        // (Spring's `SPRING_DATASOURCE_USERNAME` too),
        // or a Dockerfile's `ENV PGUSER app` (or `ENV PGUSER=app`), or a JSON key
        // (`"DB_USERNAME": "app"`), or a data source's setter
        // (`dataSource.setUsername("app")`, `PGSimpleDataSource.setUser("app")`, one named
        // for the database: `setJdbcUsername("app")`, `setDbUser("app")`), or a builder's,
        // or a parameter list's entry assigned as Pascal does (`Conn.Params.Values
        // ['User_Name'] := 'app'`).
        user_setting: Regex::new(concat!(
            // A user a lookup falls back to: Swift's `Environment.get("DB_USERNAME") ??
            // "app"`, C#'s `GetEnvironmentVariable("PGUSER") ?? "app"`, Deno's
            // `Deno.env.get("DB_USER") || "app"`, Yesod's `"_env:PGUSER:app"`.
            r"(?im)",
            coalesced_lookup!(),
            r#"[A-Z0-9_]*USER(?:NAME)?["']\s*\)\s*(?:\?\?|\|\|)\s*["']([^"'\s]+)["']|"_env:[A-Z0-9_]*USER(?:NAME)?:([^"\s]+)"|"#,
            r#"(?:^[ \t*-]*(?:export[ \t]+|@?set[ \t]+)?(?:"#, user_variable!(), r#"|\$?(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_]*\[["'](?:DB_?|DATABASE_?)?USER(?:_?NAME)?|user|username|login|connection-user)["']?\]?[ \t]*"#,
            r"(?:", type_annotation!(), "=|:=|[:=])",
            r#"|["'](?:DB_?|DATABASE_?)?USER(?:NAME)?["'][ \t]*=>|--(?:conn-login|db[-_]user(?:name)?|username|user)[ \t=])[ \t]*["'`]?([^\s"'`#(]+)(?:[\s"'`#]|$)|(?:^|[\s(,>$.])(?:db_?|database_?)?user(?:name)?[ \t]*=[ \t]*(?:Some[ \t]*\([ \t]*(?:String::from[ \t]*\([ \t]*)?)?["']([^"'\s]+)["']|<(?:[A-Za-z]*user(?:name)?|login)>([^<\s]+)</|name="[A-Za-z.]*\.user(?:name)?"[ \t]+value="([^"\s]+)"|name="[A-Za-z.]*\.user(?:name)?">([^<\s]+)<|\$\{[A-Z0-9_]*USER(?:NAME)?:[-=]?([^}\s"'$][^}\s"']*)\}|(?:^|[\s{(]):user[ \t]+"([^"\s]+)"|(?:^|[\s{(,]):user(?:name)?[ \t]*=>[ \t]*["']([^"'\s]+)["']|(?:^|[\s,({])["']?(?:user(?:name)?|(?:[A-Z0-9]+_)*(?:POSTGRES(?:QL)?|DB|DATABASE|PG)_?USER(?:NAME)?)["']?[ \t]*:[ \t]*["']([^"'\s]+)["']|(?:^|[\s,({])["']user(?:name)?["'][ \t]*[:=][ \t]*["']([^"'\s]+)["']|["'](?:[A-Za-z_.]*\.)?user(?:name)?["'][ \t]*,[ \t]*["']([^"'\s]+)["']|postgresql_password[ \t]*\([ \t]*'([^'\s]+)'|(?:^|[\s,{.])connectUser[ \t]*=[ \t]*"([^"\s]+)"|(?:^|\s)(?:-e|--env)[ \t=]+["']?(?:"#, user_variable!(), r#")=([^\s"']+)|(?:^|[\s"'])(?:[A-Z0-9]+_)*DATASOURCE_USER(?:NAME)?[ \t]*[:=][ \t]*([A-Za-z0-9_.-]+)|(?m:^)[ \t]*[A-Za-z0-9_%-]+(?:\.[A-Za-z0-9_-]+)*\.user(?:name)?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*[,;]?[ \t]*(?:(?:#|//)[^\n]*)?\r?$|(?m:^)[ \t]*-[ \t]+(?:name|user):[ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*(?:#[^\n]*)?\r?\n[ \t]+(?:password|pass):|(?:PGUSER|(?:POSTGRES(?:QL)?|PG|DB|DATABASE)_USER(?:NAME)?)["'][ \t]*,[ \t]*["']([^"'\s]+)["']|(?-u:\b)(?:"#,
            client_programs!(),
            r#")(?:[ \t][^\n]*?)?[ \t](?-i:-U)[ \t]*["']?([A-Za-z0-9_.-]+)|(?m:^)[ \t]*-[ \t]+name:[ \t]*["']?(?:[A-Z0-9]+_)*(?:POSTGRES(?:QL)?|PG|DB|DATABASE|DATASOURCE)_(?:[A-Z0-9]+_)?USER(?:NAME)?["']?[ \t]*\r?\n[ \t]+value:[ \t]*["']?([A-Za-z0-9_.-]+)"#,
            r#"|(?m:^)[ \t]*(?-i:ENV)[ \t]+(?:PGUSER|(?:[A-Z0-9]+_)*(?:POSTGRES(?:QL)?|PG|DB|DATABASE)_USER(?:NAME)?)(?:[ \t]+|=)["']?([A-Za-z0-9_.-]+)"#,
            r#"|(?-u:\b)set(?:Jdbc|Db|Database|DataSource|Pg|Postgres|Connection)?(?:User|Username)[ \t]*\([ \t]*["']([^"'\s]+)["'][ \t]*\)"#,
            // A Hadoop-style property's (`<name>javax.jdo.option.ConnectionUserName</name>`
            // then `<value>hive</value>`), or a property list's (`<key>PGUSER</key>` then
            // `<string>app</string>`).
            r#"|<(?:name|key)>[ \t]*[A-Za-z0-9_.-]*user(?:name)?[ \t]*</(?:name|key)>\s*(?:<description>[^<]*</description>\s*)?<(?:value|string)>[ \t]*([^<\s]+)[ \t]*</(?:value|string)>"#,
            // A builder's user (`.user("app")`, Gleam's `pog.user("app")`, Npgsql.FSharp's
            // `Sql.username "app"`).
            r#"|\.user(?:name)?[ \t]*\([ \t]*["']([^"'\s]+)["'][ \t]*\)|(?-u:\b)Sql\.username[ \t]+"([^"\s]+)""#,
            // A user variable's default where Kotlin or Java reads it (`getenv("DB_USER")
            // ?: "app"`, `getenv("DB_USER") != null ? getenv("DB_USER") : "app"`).
            r#"|getenv[ \t]*\([ \t]*"(?:[A-Z0-9]+_)*USER(?:NAME)?"[ \t]*\)[ \t]*(?:!=[ \t]*null[ \t]*\?[^:\n]*:|\?:)[ \t]*"([^"\s]+)""#,
            // A dotted property given as an argument or a string of a list of properties
            // (`-Dspring.datasource.username=app`, `"spring.datasource.username=app",`).
            r#"|(?:["']|(?:^|[\s,=\[])--?D?)(?:[A-Za-z0-9_-]+\.)+(?i:user(?:name)?)=([^\s"'`,;\\]+)"#,
        ))
        .expect("valid regex"),
        // A literal piped into a Docker or Podman secret: `printf '...' | docker secret
        // create pg_password -`.
        secret_piped: Regex::new(
            r#"(?:printf|echo)(?:[ \t]+-[ne]+)?[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s'"|$]+)[ \t]*\|[ \t]*(?:docker|podman)[ \t]+secret[ \t]+create[ \t]+([A-Za-z0-9_.-]+)"#,
        )
        .expect("valid regex"),
        database_url: Regex::new(r"(?i)(?-u:\b)database_url(?-u:\b)").expect("valid regex"),
        neon: Regex::new(r"(?-u:\b)npg_[A-Za-z0-9]{12,}(?-u:\b)").expect("valid regex"),
        pgpass: Regex::new(
            r#"(?m)^([A-Za-z0-9_.*\[\]-][^:\s'"{}]*:(?:\d{1,5}|\*):[^:\s'"{}]+:[^:\s'"{}]+:)((?:[^\\\s]|\\.)+)\s*$"#,
        )
        .expect("valid regex"),
        // A login a program splits at `;` (`"org.postgresql.Driver;jdbc:postgresql://
        // 10.1.2.3:5432/qefdb;postgres;..."`): the driver's class perhaps, the JDBC URL,
        // the user and the password, the string's last field (not the URL's own
        // `;user=...;password=...` properties, which `semicolon_password` reads).
        delimited_login: Regex::new(
            r#"["'](?:[A-Za-z0-9_.$]*Driver;)?(jdbc:postgresql://[^;"'\s]+);([^;"'\s=]+);([^;"'\s=]+)["']"#,
        )
        .expect("valid regex"),
        // A `.pgpass` line a script writes: `echo "host:port:db:user:password" > ~/.pgpass`.
        pgpass_written: Regex::new(
            r#"(?m)^[ \t]*(?:echo|printf)[ \t]+["']([^:\s#"'][^:\s"']*:(?:\d{1,5}|\*):[^:\s"']+:[^:\s"']+:)([^\s"']+)["'][^\n]*pgpass"#,
        )
        .expect("valid regex"),
        // Mondrian's and olap4j's connect string names its relational login `JdbcUser=`,
        // `JdbcPassword=` beside `Jdbc=jdbc:postgresql://...`; a JDBC URL may carry its
        // properties after semicolons (`jdbc:postgresql://host/db;userid=app;password=...`).
        semicolon_password: Regex::new(r#"(?i)(?:^|[;'"\s])((?:jdbc)?(?:password|pwd)\s*=\s*)('[^'\n]*'|[^;'"`\n]+)"#)
            .expect("valid regex"),
        // A line of a string written a field a line (`Port=5432;`, the last `Password=...";`),
        // and the line that opens it on its first field (`var cs = @"Host=10.0.0.9;`).
        string_line_field: Regex::new(r#"^[A-Za-z][A-Za-z ]{0,24}=[^\s;'"]*(?:;|["'\x60]+[^"'\x60]*)$"#)
            .expect("valid regex"),
        string_opening_field: Regex::new(r#"(?:@|\$)?(?:"|'|\x60)[A-Za-z][A-Za-z ]{0,24}=[^\s;'"]*;$"#)
            .expect("valid regex"),
        semicolon_host: Regex::new(
            r#"(?i)(?-u:\b)(?:(?:host|server|data source)\s*=[^;\n]*|dsn\s*=[^;\n]*(?:postgres|pgsql|psql)[^;\n]*|jdbc\s*=\s*jdbc:postgresql:[^;\n]*|jdbc:postgresql://[^;\s'"`\\()]*);"#,
        )
            .expect("valid regex"),
        // What makes a semicolon connection string another engine's: SQL Server's and
        // OLE DB's `Initial Catalog=`, another OLE DB provider (Oracle's `MSDAORA`, SQL
        // Server's `SQLOLEDB`, Access's `Microsoft.ACE`), SQL Server's client class
        // given it (`new SqlConnection("...")`), or another engine's port (MySQL's
        // `Port=3306`, SQL Server's 1433, Oracle's 1521); SQL Server's own words too: its
        // port after a comma (`Server=10.0.0.5,1450`), MARS, its `sa` login.
        another_engines_string: Regex::new(
            r"(?i)initial[ \t]+catalog[ \t]*=|provider[ \t]*=[ \t]*(?:msdaora|sqloledb|msoledbsql|sqlncli|microsoft\.(?:jet|ace)|oraoledb|mysqlprov|ibmda)|(?-i:(?-u:\b)Sql(?:Connection|ConnectionStringBuilder)(?-u:\b))|(?-u:\b)port[ \t]*=[ \t]*(?:3306|1433|1521)(?-u:\b)|(?-u:\b)(?:server|data[ \t]+source)[ \t]*=[ \t]*[^;,\s]+,[ \t]*\d+[ \t]*;|multipleactiveresultsets[ \t]*=|(?-u:\b)user[ \t]*id[ \t]*=[ \t]*sa[ \t]*;",
        )
        .expect("valid regex"),
        // PostgreSQL's own OLE DB provider and .NET driver, named in such a string
        // (`Provider=PGNP.1;Data Source=...;Initial Catalog=...`).
        postgres_provider: Regex::new(r"(?i)pgnp|postgres|npgsql").expect("valid regex"),
        // The host and user fields of an Npgsql or ODBC string, or of PDO's DSN
        // (`pgsql:host=...;user=...`).
        semicolon_field: Regex::new(
            r#"(?i)(?:^|[;'"`\s]|pgsql:)(host|server|data source|user ?id|user_?name|user|uid|jdbc ?user|jdbc)\s*=\s*([^;'"`\n]*)"#,
        )
        .expect("valid regex"),
        // One item of a list of connection parameters, a line each: Delphi's FireDAC
        // form (`'Server=10.0.0.5'` in `Params.Strings = (...)`) or its code
        // (`FDConnection1.Params.Add('Password=...');`).
        string_list_item: Regex::new(
            r"^[ \t]*(?:[A-Za-z_][A-Za-z0-9_.]*\.Add\()?'[A-Za-z_][A-Za-z0-9_ ]*=[^'\n]*'(?:\);?|\))?[ \t]*\r?$",
        )
        .expect("valid regex"),
        // FireDAC's driver for PostgreSQL, which such a list names.
        string_list_postgres: Regex::new(r"(?i)'DriverID=PG'").expect("valid regex"),
        // A libpq conninfo's host or user: `host=localhost`, `user='app'` (in a document's
        // markup too, `<p>host=localhost ...`, and in a file a script writes with `\n`
        // escapes, `printf "[svc]\nhost=localhost\n..."`, after a comment's marker with
        // no space, `//host=...`, and as a call's keyword argument, `(host='10.1.2.3', `),
        // also quoted with escaped quotes inside a shell's string (`host=\"db\", `).
        conninfo_field: Regex::new(
            r#"(?i)(?:^|[\s"'`;>/#(,]|\\n)(host|user)[ \t]*=[ \t]*(?:["'][ \t]*(?:\.|\+|&|\|\|)[ \t]*(\$?\{?[a-z_][a-z0-9_]*\}?)|(?:'|\\")?(<[^>\n]*>|[^\s'"`;<\\,)]+))"#,
        )
            .expect("valid regex"),
        // A literal, not code: quoted, or a bare word that ends the value (an
        // `=>`, `==`, or a call such as `home.join(...)` is no password).
        // The name may begin with the application's (`KC_DB_PASSWORD`), and carry
        // a type (`db_password: str = "..."`, `val dbPassword: String = "..."`), and
        // say the driver (SonarQube's `SONAR_JDBC_PASSWORD`) or the connection
        // (`CONN_PASS`) or the managed service (Elastic Beanstalk's `RDS_PASSWORD`) or an
        // ORM's settings (TypeORM's `TYPEORM_PASSWORD`, MikroORM's `MIKRO_ORM_PASSWORD`) or,
        // after PostgreSQL's
        // or pgpool's name, the role or check (`PG_MONITOR_PASSWORD`,
        // `PGPOOL_SR_CHECK_PASSWORD`), the word for a password shortened too (`PG_PWD`,
        // `DB_PW`), PostgreSQL's name as PHP spells it too (`PGSQL_password`) or as its
        // client is named (`PSQL_PASS`); an
        // entry of a JSON list of variables ends at its quote (`["PGPASSWORD=..."]`),
        // as does a quoted argument's (`-e "postgres_password=..."`). Make assigns with
        // `?=` and `:=` too.
        password_variable: Regex::new(concat!(
            r#"(?-u:\b)((?:[A-Za-z][A-Za-z0-9]*_)*?(?:(?i:postgres(?:ql)?|pg(?:sql)?|psql)_[A-Za-z0-9]+_|(?i:pgpool)_(?:[A-Za-z0-9]+_){1,3}|(?i:postgres(?:ql)?(?:db)?|pg(?:pool|sql)?|psql|db|database|data_?source|rds|conn(?:ection)?|jdbc|flyway|liquibase(?:_command)?|typeorm|mikro_?orm)_?)(?i:pass|passwd|password|pwd|pw)["']?\]?[ \t]*"#,
            r"(?:", type_annotation!(), "=|[?:]=|[=:])",
            r#"[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s'"`;,}()=>\\][^\s'"`;,}()]*)(?:$|[\s;,}]|["'](?:[\s,\]]|$))"#,
        ))
        .expect("valid regex"),
        // JDBC's `getConnection(url, user, password)` and Groovy's `Sql.newInstance` given
        // the password by a variable's name, whatever the name (`senha`, `pw`): the
        // URL, the user and the name captured.
        password_passed_by_name: Regex::new(
            r"(?-u:\b)(?:getConnection|Sql\.newInstance)\s*\(\s*([^,()\n]+?)\s*,\s*([^,()\n]+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*[,)]",
        )
        .expect("valid regex"),
        // A literal a lookup falls back to when the variable is unset: PHP's and
        // Python's `env('X', '...')`, `os.getenv("X", "...")`, `os.environ.get(...)`,
        // python-decouple's `config('X', default='...')`,
        // Ruby's `ENV.fetch("X", "...")`, `ENV.fetch("X") { "..." }` and `ENV["X"] ||
        // "..."` (Crystal's `ENV["X"]? || "..."`), Java's
        // `getOrDefault("X", "...")` and `props.getProperty("db.password", "...")` (or a
        // helper's `getProp`), Apache Commons CLI's `cmd.getOptionValue("dbpass",
        // "...")` (an option's default), JavaScript's `process.env.X || '...'` (or `??`; Bun's
        // `Bun.env.X` and Vite's `import.meta.env.X` the same),
        // the defaults of the shell and compose (`${X:-...}`) and Spring (`${x:...}`),
        // Go's `envDefault` struct tags, the null checks of Java and Kotlin, a
        // conditional's other branch, Yesod's `"_env:X:..."`, the `??` of Swift, C# and
        // PHP and Deno's `||`, and a
        // project's own helper named for the lookup and its default
        // (`getEnvOrDefault("X", "...")`, `env_or("X", "...")`).
        fallback: Regex::new(concat!(
            // An INI file's key read under its section with a default (first: a
            // lookup of one name would take the section for the name): Delphi's
            // `Ini.ReadString('Connect', 'Password', '...')`, Windows'
            // `GetPrivateProfileString`, configparser's `get('db', 'password',
            // fallback='...')`.
            r#"(?-u:\b)(?:ReadString|GetPrivateProfileString[AW]?|get)\s*\(\s*["'][A-Za-z0-9_. -]*["']\s*,\s*["']([A-Za-z0-9_.]+)["']\s*,\s*(?:fallback\s*=\s*)?("[^"\\\n]*"|'[^'\\\n]*')|"#,
            r#"(?-u:\b)(?:env|getenv|get|fetch|getOrDefault|getOptionValue|getProp(?:erty)?|config|(?:get_?|Get)?[Ee]nv(?:ironment)?(?:_?[Vv]ar(?:iable)?)?(?:_or(?:_default|_else)?|Or(?:Default|Else)?|_?[Dd]efault|WithDefault))\s*\(\s*["']([A-Za-z0-9_.]+)["']\s*(?:,\s*(?:default\s*=\s*)?|\)\s*\{)\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            r#"|(?:process\.env|Bun\.env|import\.meta\.env)\.([A-Za-z0-9_]+)\s*(?:\|\||\?\?)\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            // The shell's `:-` or `:=` before its fallback, Spring's bare `:` (which no
            // `-` or `=` follows: `${X:-$Y}` falls back to a variable, not to `-$Y`).
            r#"|\$\{([A-Za-z0-9_.]+):(?:[-=]([^}\s"'$?+][^}\s"']*)|([^}\s"'$?+=-][^}\s"']*))\}"#,
            // Go's struct tags: `env:"DB_PASSWORD" envDefault:"..."`.
            r#"|env:"([A-Za-z0-9_]+)[^"\n]*"[^`\n]*?envDefault:("[^"\n]*")"#,
            // Java's `getenv("X") != null ? getenv("X") : "..."` and Kotlin's
            // `getenv("X") ?: "..."` (an alternative set aside in a block comment before
            // the literal: `?: /*"..."*/ "..."`).
            r#"|getenv\s*\(\s*"([A-Za-z0-9_.]+)"\s*\)\s*(?:!=\s*null\s*\?[^:\n]*:|\?:)\s*(?:/\*[^*\n]*\*/\s*)?("[^"\\\n]*")"#,
            // A conditional's lookup then its literal (`local ? System.getenv("X") :
            // "..."`, `prod ? process.env.X : '...'`): the literal where the condition fails.
            r#"|\?\s*(?:System\.)?getenv\s*\(\s*"([A-Za-z0-9_.]+)"\s*\)\s*:\s*("[^"\\\n]*")"#,
            r#"|\?\s*process\.env\.([A-Za-z0-9_]+)\s*:\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            // Yesod's settings: `"_env:PGPASS:..."`, the variable then its default.
            r#"|"_env:([A-Za-z0-9_]+):([^"\n]+)""#,
            // A lookup's nil-coalescing default: Swift's `Environment.get("X") ?? "..."`,
            // C#'s `Environment.GetEnvironmentVariable("X") ?? "..."`, Deno's
            // `Deno.env.get("X") || "..."`, PHP's `$_ENV["X"] ?? '...'`.
            "|",
            coalesced_lookup!(),
            r#"([A-Za-z0-9_.]+)["']\s*\)\s*(?:\?\?|\|\|)\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            r#"|\$_(?:ENV|SERVER)\[\s*["']([A-Za-z0-9_.]+)["']\s*\]\s*(?:\?\?|\?:)\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            // A shell's fallback quoted inside the braces (`${DB_PASSWORD:-"s3cret"}`).
            r#"|\$\{([A-Za-z0-9_.]+):[-=]?("[^"}\n]+"|'[^'}\n]+')\}"#,
            // Ruby's `ENV["X"] || "..."` and Crystal's `ENV["X"]? || "..."`.
            r#"|(?-u:\b)ENV\[\s*["']([A-Za-z0-9_.]+)["']\s*\]\??\s*\|\|\s*("[^"\\\n]*"|'[^'\\\n]*')"#,
            // Bash's associative array read with a fallback, the key naming the variable
            // (`${kv[POSTGRES_PASSWORD]:-app}`, `${ENV["DB_PASSWORD"]:-"app"}`).
            r#"|\$\{[A-Za-z_][A-Za-z0-9_]*\[["']?([A-Za-z0-9_.]+)["']?\]:[-=](?:([^}\s"'$?+][^}\s"']*)|("[^"}\n]+"|'[^'}\n]+'))\}"#,
        ))
        .expect("valid regex"),
        // A password key that a value follows (`password: `, `"password" => `), the
        // expression's start after it (`process.env.`, `env('`), a conditional's
        // before it (`passwd = local ? System.getenv("`).
        password_key_before: Regex::new(
            r#"(?i)(?:^|[^A-Za-z0-9_])["']?(?:password|passwd|pwd)["']?[ \t]*(?:=>|:|=)[ \t]*(?:[A-Za-z0-9_.!]+[ \t]*\?[ \t]*)?(?:process\.env\.|ENV\[\s*["']|[A-Za-z_.]*\(\s*["'])?$"#,
        )
        .expect("valid regex"),
        // A variable's name that says it holds a database's password: `DB_PASSWORD`,
        // `PGPASSWORD`, `KC_DB_PASSWORD`, `PG_MONITOR_PASSWORD`,
        // `spring.datasource.password`, a JDBC driver's `jdbc.password`.
        database_password_name: Regex::new(
            r"(?i)^(?:[a-z][a-z0-9]*[_.])*(?:(?:postgres(?:ql)?|pg(?:sql)?|psql)[_.][a-z0-9]+[_.]|(?:postgres(?:ql)?(?:db)?|pg(?:sql)?|psql|db|database|data_?source|jdbc|r2dbc|flyway|liquibase(?:_command)?|typeorm|mikro_?orm)[_.]?)(?:pass|passwd|password|pwd|pw)$",
        )
        .expect("valid regex"),
        // PostgreSQL's clients, as a command on a line, and a host given to one: an
        // option, a conninfo keyword or a URI.
        // A client program, by its name or its path (`/usr/bin/psql`, Windows' `&
        // "C:\...\bin\psql.exe"`).
        client_command: Regex::new(concat!(
            r#"(?:^|[\s;&|(\\/])(?:"#,
            client_programs!(),
            r#")(?:\.exe)?["']?(?:\s|$)"#
        ))
        .expect("valid regex"),
        client_host: Regex::new(r"(?:\s-h\s*\S|--host|host=|hostaddr=|://)").expect("valid regex"),
        // A client run with a host (`psql -h db.acme.io`, Windows' `& "...\psql.exe"
        // --host=db.acme.io`), the host captured.
        // A host set as a keyword argument, a key or a variable (`host='db.acme.io'`,
        // `"host": "..."`, Medoo's `'server' => '...'`, `DB_HOST = "..."`, Go's raw string,
        // Python's fallback for a variable: `host=os.getenv("PGHOST", "...")`) or by a builder's call (`.host("...")`,
        // Gleam's `pog.host("...")`, Npgsql.FSharp's `Sql.host "..."`), an XML element
        // (`<PostgresHost>...</PostgresHost>`), a document table's row (`| Host |
        // `10.1.2.3` |`), or a PostgreSQL URI's, JDBC's too (`jdbc:postgresql://<host>/
        // druid`), the host captured.
        // Python's lookup of the host's variable, its fallback captured if it has one
        // (`os.getenv("PGHOST", "localhost")`, `os.environ.get("PGHOST")`).
        environment_host_lookup: Regex::new(concat!(
            "^",
            python_variable_lookup!(),
            r#"(?:,[ \t]*["']([^"'\s]*)["'][ \t]*)?\)"#,
        ))
        .expect("valid regex"),
        host_setting: Regex::new(concat!(
            r#"(?i)(?:(?:^|[\s,{($])["']?(?:(?:[a-z]+_)?host(?:name)?|server)["']?[ \t]*(?:=>|:=|[=:])[ \t]*(?:"#,
            python_variable_lookup!(),
            r#",[ \t]*)?|(?:^|[\s.])host(?:name)?[ \t]*(?:\([ \t]*(?:Some[ \t]*\([ \t]*)?|[ \t]+))["'`]([^"'`\s]+)["'`]|(?:postgres(?:ql)?|pg)://(?:[^@/\s]*@)?([^/:\s"'?\[][^/:\s"'?]*)|^[ \t]*\|[ \t]*\**host(?:name)?\**[ \t]*\|[ \t]*`?([^|`\s]+)`?[ \t]*\||<[A-Za-z]*host(?:name)?>([^<\s]+)</"#,
        ))
        .expect("valid regex"),
        // The database a container or a client is given (`POSTGRES_DB=coffee`,
        // `-e POSTGRES_DB=coffee`, `PGDATABASE: shop`, a connection string's
        // `dbname=shop` or `Database=shop`), the name captured.
        database_setting: Regex::new(
            r#"(?:POSTGRES_DB|PGDATABASE)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_.-]+)|(?:^|[\s;'"]|pgsql:)(?i:dbname|database)[ \t]*=[ \t]*["']?([A-Za-z0-9_.-]+)"#,
        )
        .expect("valid regex"),
        client_host_value: Regex::new(concat!(
            r#"(?:^|[\s;&|("'\\/])(?:"#,
            client_programs!(),
            r#")(?:\.exe)?["']?(?:[ \t][^\n]*?)?[ \t](?:-h[ \t]*|--host[= ])["']?([^\s"']+)"#,
        ))
        .expect("valid regex"),
        // Puppet's role password hashed from a variable: `postgresql_password('app',
        // $password.unwrap)`.
        puppet_password_variable: Regex::new(
            r"postgresql_password\s*\(\s*'[^'\n]*'\s*,\s*\$([A-Za-z_][A-Za-z0-9_]*)(?:\.unwrap)?\s*\)",
        )
        .expect("valid regex"),
        role_password: Regex::new(
            r#"(?i)(?-u:\b)((?:create|alter)\s+(?:role|user)\s+"?([^\s;"]+)"?[^;]*?(?-u:\b)password\s+)'((?:[^']|'')*)'"#,
        )
        .expect("valid regex"),
        // Where a statement that creates or alters a role starts.
        role_statement: Regex::new(r"(?i)(?-u:\b)(?:create|alter)\s+(?:role|user)\s")
            .expect("valid regex"),
        // A value that is itself the next setting (`password= auth_user=`).
        libpq_keyword_value: Regex::new(r"^[a-z_]+=")
            .expect("valid regex"),
        // Where a database is named: a host, server, endpoint or address set (`host:`,
        // `"server" =>`, `Data Source=`), a URI's `@host`, a name in a domain
        // (`pg.acme.io`) or an IPv4 address; not a variable read in a template
        // (`$host:$port`), nor a Puppet class (`class { 'postgresql::server':`). Phoenix's
        // `AppWeb.Endpoint,` and Ecto's `Ecto.Adapters.Postgres` name modules, not hosts.
        names_a_host: Regex::new(
            r#"(?i)(?:^|[^$:])(?:host|server|endpoint|addr|address|data source)(?:name)?["']?[ \t]*(?:=>|[:=])|@[a-z0-9\[]|(?-i:[a-z0-9-]+\.[a-z0-9.-]*\.(?:com|net|org|io|dev|cloud|internal|app|tech|co|ai|us|eu|uk|de|fr|lan|corp|local))(?-u:\b)|(?-u:\b)(?:\d{1,3}\.){3}\d{1,3}(?-u:\b)"#,
        )
        .expect("valid regex"),
        // The host of a URL's authority with no userinfo (`jdbc:postgresql://pg.acme.world:
        // 5432/db`), dotted, whatever its top-level domain: the names above know only the
        // common ones.
        uri_authority_host: Regex::new(r"(?i)[a-z][a-z0-9+.-]*://([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
            .expect("valid regex"),
        // A managed database the text provisions, which the cloud gives a host: Terraform's
        // and CloudFormation's resources, Pulumi's and the CDK's constructs.
        // A setting saying the passwords beside it are stored encrypted (a deployment's
        // `password_decrypt='true'`, Druid's `config.decrypt=true`).
        declares_encrypted_passwords: Regex::new(
            r#"(?i)(?:password[_.-]?(?:decrypt|encrypt(?:ed|ion)?)|(?:decrypt|encrypted)[_.-]?passwords?|config\.decrypt)[ \t]*[=:][ \t]*["']?(?:true|yes|on|1)(?-u:\b)"#,
        )
        .expect("valid regex"),
        // A long base64 value with its padding: a cipher's output.
        ciphertext: Regex::new(r"[A-Za-z0-9+/]{64,}={1,2}").expect("valid regex"),
        provisions_managed_database: Regex::new(
            r"(?-u:\b)(?:aws_db_instance|aws_rds_cluster|azurerm_postgresql_(?:flexible_)?server|google_sql_database_instance|digitalocean_database_cluster|AWS::RDS::DB(?:Instance|Cluster)|rds\.(?:Instance|Cluster)|Database(?:Instance|Cluster)(?:Engine)?|ServerlessCluster)(?-u:\b)",
        )
        .expect("valid regex"),
        // A shell prompt from its `@` on: the machine, then the directory (`@node-1 ~]$`,
        // `@www:~ #`), then the prompt's sign.
        shell_prompt_machine: Regex::new(
            r"^@[A-Za-z0-9._-]+(?::[^\s$#]*|[ \t]+[^\]\s]+\])[ \t]*[$#%>]",
        )
        .expect("valid regex"),
        // Prose that tells the reader to change the password the text goes on to show:
        // "Change the password accordingly", "Update the Postgres password ... below",
        // "Replace `YOUR_PASSWORD` with the password you set" (then an example of it),
        // "Change parameters to suit your needs" (over a command's options).
        change_instruction: Regex::new(
            r"(?i)(?-u:\b)(?:(?:change|replace|update)\s+(?:the|this|these|that)\s+(?:default\s+)?(?:(?:postgres(?:ql)?|database|db)\s+)?passwords?|(?:set|use|choose)\s+your\s+own\s+passwords?|replace\s+\**`?[A-Za-z_<>\[\]{}-]+`?\**\s+with\s+(?:the|your)\s+(?:[a-z]+\s+){0,2}passwords?|(?:change|adjust|modify|edit|update)\s+(?:the\s+)?(?:parameters|values|settings|credentials|connection\s+(?:details|settings))\s+to\s+(?:suit|match)\s+your)(?-u:\b)",
        )
        .expect("valid regex"),
        // Prose under a document's settings that tells the reader to change them, the
        // password named among them: "Change the `url:`, `username:` and `password:` to
        // match the database installation", "Update the password accordingly".
        trailing_change_instruction: Regex::new(
            r"(?i)(?-u:\b)(?:change|replace|update|modify|edit|adjust)\s+(?:the\s+)?[^.\n]{0,80}?passwords?(?-u:\b)[^.\n]{0,40}?\s(?:to\s+(?:match|suit|fit|reflect)|accordingly)(?-u:\b)",
        )
        .expect("valid regex"),
        // A label that shows what follows as what not to do: a line marked with a cross
        // (`# ❌ Hardcoded secrets`), or a comment, heading or bold label that calls it bad,
        // insecure or wrong (`**Bad (Insecure):**`, `// Wrong:`).
        bad_practice_label: Regex::new(concat!(
            r"(?im)^[ \t]*(?:#+|//|--|[-*+]|\*\*)?[ \t]*(?:❌|✗|✘|🚫|⛔)[^\n]{0,80}$",
            r"|^[ \t]*(?:#+|//|--|\*\*|[-*+][ \t]+\*\*)[ \t]*\**(?:bad|insecure|wrong|vulnerable|anti-?pattern)(?-u:\b)[^\n]{0,60}$",
            r"|^[ \t]*\**(?:bad|insecure|wrong|vulnerable|anti-?pattern)(?-u:\b)[^\n]{0,40}:\**[ \t]*\r?$",
        ))
        .expect("valid regex"),
        // A test's check that what follows is refused (`pytest.raises(...)`,
        // `assert.throws(() => ...)`, `assertThrows`, `.toThrow()`, Rust's `is_err()`),
        // or a table-driven test's row that expects the request refused (Go's `...,
        // http.StatusBadRequest}`, `wantErr: true`).
        expected_failure: Regex::new(
            r"(?i)(?-u:\b)(?:assert_?)?(?:raises|throws|rejects)[ \t]*\(|\.to_?throw|should_panic|must_raise|\.is_err\(\)|\.unwrap_err\(\)|(?-u:\b)http\.Status(?:BadRequest|Unauthorized|Forbidden|Conflict|UnprocessableEntity)(?-u:\b)|(?-u:\b)wantErr:[ \t]*true",
        )
        .expect("valid regex"),
        // Prose that calls a value the example password: "Replace the example password
        // ``secret99`` with a secure password", or supposes one, in English or Chinese
        // ("assuming the password is `...`", "假设密码是 `...`"), or gives it as what to
        // replace or choose.
        example_password: Regex::new(concat!(
            r#"(?i)(?:example|sample) password[ \t:]*(?:is[ \t]+)?[`'"]{1,2}([^`'"\s]{2,64})[`'"]"#,
            r#"|(?i)(?:assuming|suppose|say)[ \t]+(?:your|the)[ \t]+password[ \t]+is[ \t:]*[`'"]([^`'"\s]{2,64})[`'"]"#,
            r#"|(?:假设|假如|如果|例如|比如)(?:你的|您的)?密码(?:是|为)[ \t:：]*[`'"「]([^`'"」\s]{2,64})[`'"」]"#,
            // "Choose one password (e.g., `MySecurePassword123!`)", "Replace
            // `MySecurePassword123!` with your actual password".
            r#"|(?i)passwords?[^\n]{0,40}?\((?:e\.g\.|for example)[,:]?[ \t]*[`'"]([^`'"\s]{2,64})[`'"]"#,
            r#"|(?i)replace[ \t]+\**[`'"]([^`'"\s]{2,64})[`'"]\**[ \t]+with[ \t]+(?:the|your)[ \t]+(?:[a-z]+[ \t]+){0,2}passwords?"#,
        ))
        .expect("valid regex"),
        // Prose that calls a value the default password: "The default password is
        // `admin`", "Passwords in default modules tend to be `trinoRocks15`".
        documented_default: Regex::new(concat!(
            r#"(?i)(?:default(?:[^\n`'"]|'[ \t]){0,40}?passwords?|passwords?(?:[^\n`'"]|'[ \t]){0,40}?defaults?)"#,
            r#"(?:[^\n`'"]|'[ \t]){0,30}?(?:is|are|tend to be|:|=)[ \t]*\**[`'"]{1,2}([^`'"\s]{2,64})[`'"]"#,
        ))
        .expect("valid regex"),
        // A list, map or multi-line string opened on its own line under a name or key that
        // says its values are made up (`_SYNTHETIC_SECRETS = [`, `const fakeCredentials =
        // {`, `const envSample = ` and a backtick), or are a detector's test cases
        // (`positive: {`, `negative_cases = [`).
        fake_collection: Regex::new(
            r#"(?i)^[ \t]*(?:(?:const|let|var|static|final|private|public|readonly)[ \t]+)*["']?[A-Za-z0-9_$]*(?:synthetic|fake|dummy|mock|sample|canary|positive|negative)[A-Za-z0-9_$]*["']?[ \t]*(?:(?::[^=\n]*)?=|:)[ \t]*(?:[A-Za-z_.]+[ \t]*)?(?:[\[{(`]|"{3}|'{3})"#,
        )
        .expect("valid regex"),
        // A test's assertion that a literal does not appear in what it checks (Jest's
        // `.not.toContain('...')`, xUnit's `Assert.DoesNotContain("...", ...)`,
        // testify's `assert.NotContains(t, out, "...")`, `assertNotIn("...", ...)`,
        // Rust's `assert!(!out.contains("..."))`, Python's `assert "..." not in out`):
        // the literal is the test's planted canary.
        asserted_absent: Regex::new(concat!(
            r#"(?:\.not\.to(?:Contain|Match|Include)|\.not\.(?:include|contain)|(?-u:\b)(?:DoesNotContain|doesNotContain|NotContains|assertNotIn|refute_includes))[ \t]*\([ \t]*(?:[A-Za-z_][A-Za-z0-9_.]*[ \t]*,[ \t]*){0,2}(?:"([^"\\\n]+)"|'([^'\\\n]+)'|`([^`\\\n]+)`)"#,
            r#"|(?-u:\b)assert!?[ \t]*\([ \t]*![ \t]*[A-Za-z_][A-Za-z0-9_.]*\.contains\([ \t]*"([^"\\\n]+)""#,
            r#"|(?-u:\b)assert[ \t]+(?:"([^"\\\n]+)"|'([^'\\\n]+)')[ \t]+not[ \t]+in(?-u:\b)"#,
        ))
        .expect("valid regex"),
        // A package manager or a container given another engine's server
        // (`installs_only_another_engine`).
        django_other_engine: Regex::new(
            r#"(?m)^[ \t]*(?:DATABASE_ENGINE[ \t]*=|["']ENGINE["'][ \t]*:)[ \t]*["'](?:django\.db\.backends\.)?(?:mysql|sqlite3|oracle|ado_mssql|mssql)["']"#,
        )
        .expect("valid regex"),
        django_postgres_engine: Regex::new(
            r#"(?m)^[ \t]*(?:DATABASE_ENGINE[ \t]*=|["']ENGINE["'][ \t]*:)[ \t]*["'](?:django\.db\.backends\.)?(?:postgresql|postgis)"#,
        )
        .expect("valid regex"),
        installs_another_engine: Regex::new(
            r"(?i)(?:(?:apt(?:-get)?|dnf|yum|zypper|apk|brew|pacman)[ \t]+(?:install|add|-S)[^\n]*?(?-u:\b)(?:mysql|mariadb)(?:-server)?(?-u:\b)|docker[ \t]+run[^\n]*?(?-u:\b)(?:mysql|mariadb)(?-u:\b))",
        )
        .expect("valid regex"),
        // Words of a lesson on leaked secrets (`is_lesson_on_leaks`).
        lesson_on_leaks: Regex::new(
            r"(?i)vulnerab|owasp|cwe-798|gitleaks|trufflehog|detect-secrets|secret[ -]scanning",
        )
        .expect("valid regex"),
        // A local database declared: a compose or CI service's PostgreSQL image (or a
        // Dockerfile's built on it, `FROM postgres:16`), `docker
        // run ... postgres` (on one line or continued over several), a database host
        // setting on loopback or a container's name
        // (Ecto's `hostname: "localhost",`, an Android app's `ip = "10.0.2.2";` (the
        // emulator's address for the machine it runs on; Genymotion's is `10.0.3.2`), a
        // JDBC data source's `serverName =
        // "localhost"`, a typed declaration's `string serverName = "localhost";`, a
        // Markdown list's `* host: 127.0.0.1`, PHP's `$DB['SERVER'] = '127.0.0.1';`,
        // Bacula's `DBaddress = catalog-db`, a Unix socket's directory (`hostname:
        // '/run/postgresql'`),
        // GitLab's `gitlab_rails['db_host'] = 'postgresql'`, Nextcloud's `'dbhost' =>
        // 'postgres',`, an argument's `host = "postgres",` inside a line, Haskell's
        // `connectHost = "localhost"`, Go's raw string with a port (upper/db's `Host:
        // \`localhost:54322\``), a host that falls back to loopback
        // (`hostname: System.get_env("DB_HOST") || "localhost"`), PHP's `$host = "localhost";` (Spanish and Portuguese code's `servidor` too), Pascal's `ZConnection1.HostName := 'localhost';`, a batch file's `SET PG_HOST=localhost`, a `"server":
        // "localhost"` setting (loopback only: a server's name says less than a host's), a
        // Grafana data source's `url: postgres:5432` or Temporal's `connectAddr:
        // "postgres:5432"` (a host and port, no scheme), a
        // command's `--conn-host 'my-postgres'` (an installer's `--foreman-db-host
        // localhost` too) or a container's `-e DB_HOST=app_db`, a
        // client's `psql -h localhost` or `-h
        // postgres`), a Testcontainers container (`new GenericContainer(...)`), the
        // official image's init scripts (`psql --username "$POSTGRES_USER"`,
        // `docker-entrypoint-initdb.d`) and data directory (`/var/lib/postgresql/data`), a
        // conninfo that names no host (`"user=%s password=%s dbname=%s"`: libpq's local
        // socket), a JDBC or R2DBC URL on loopback or to a container's name (`jdbc:postgres:`
        // too) (or to a
        // template's host whose default is loopback: `${HOST_IP!'localhost'}`), Testcontainers'
        // `jdbc:tc:`, loopback with PostgreSQL's port anywhere (`localhost:5432`), a
        // conninfo's `host=localhost` anywhere, Clojure's `:host
        // "localhost"`, a URI whose host is loopback or a container's name, with a login
        // or without (`...@postgres:5432`, `postgresql://127.0.0.1:18935/penpot`); a
        // container's name is one label naming a database, as
        // `is_local_host` judges it (a Dockerfile's `ENV \` lines continued too); a
        // Kubernetes variable naming such a host; a JDBC URL with no host
        // (`jdbc:postgresql:shop`, which dials this machine); a client dialling Docker's
        // default bridge or a Compose network's gateway (`psql -h 172.18.0.1`, as
        // `is_local_host` reads them); a test container of the
        // official image, as Go's module starts one (`tcpostgres.Run(ctx,
        // "postgres:16-alpine", ...)`, `testcontainers.WithImage("postgres:15")`).
        local_database: Regex::new(concat!(
            r#"(?im)^[ \t-]*image:[ \t]*["']?(?:[a-z0-9.:-]+/)*(?:postgres|postgis|pgvector|timescaledb)|^(?-i:FROM)[ \t]+(?:[a-z0-9.:-]+/)*(?:postgres|postgis|pgvector|timescaledb)|(?-u:\b)docker\s+run(?-u:\b)(?:[^\n]*\\\r?\n){0,20}[^\n]*\s(?:[a-z0-9.:-]+/)*postgres|^[ \t*-]*(?:(?:export|string|var|let|const|val|final|private|public|static|readonly|@?set)[ \t]+)*["']?\$?(?:(?:[A-Z0-9]+_)*(?:PG|PSQL|DB|DATABASE|POSTGRES(?:QL)?|TYPEORM|MIKRO_?ORM)[._ -]?(?:HOST(?:NAME)?|SERVER|ADDRESS)|host|hostname|server_?name|servidor|ip|\$?[A-Za-z_]*\[["'](?:DB_?|DATABASE_?)?(?:SERVER|HOST(?:NAME)?))["']?\]?[ \t]*"#,
            r"(?:", type_annotation!(), ")?[?:]?[=:]",
            r#"[ \t]*["']?(?:localhost|127\.0\.0\.1|::1|10\.0\.2\.2|10\.0\.3\.2|/(?:var/)?run/postgresql|/tmp|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)["']?[ \t]*[,;]?[ \t]*(?:\\[ \t]*)?(?:(?://|#).*)?\r?$|^[ \t]*["']?server["']?[ \t]*(?:=>|[=:])[ \t]*["']?(?:localhost|127\.0\.0\.1|::1)["']?[ \t]*,?[ \t]*\r?$|^[ \t]*(?:url|connectAddr|address):[ \t]*["']?(?:localhost|127\.0\.0\.1|host\.(?:docker|containers|orb)\.internal|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*):[0-9]+["']?[ \t]*(?:#.*)?\r?$|(?-u:\b)(?:db_?|database_?)?host(?:name)?["']?[ \t]*(?:=>|:=|[=:])[ \t]*(?:Some[ \t]*\([ \t]*(?:String::from[ \t]*\([ \t]*)?)?["'`](?:localhost|127\.0\.0\.1|::1|host\.(?:docker|containers|orb)\.internal|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)(?::[0-9]+)?["'`][ \t]*(?:[,;)}.]|\r?$)|(?:^|[\s,{.])connectHost[ \t]*=[ \t]*"(?:localhost|127\.0\.0\.1|::1)"|(?-u:\b)(?:db_?|database_?)?host(?:name)?["']?[ \t]*(?:=>|:=|[=:])[^\n]{0,120}?(?:\|\||\?\?|(?-u:\b)or(?-u:\b))[ \t]*["'](?:localhost|127\.0\.0\.1|::1)["']|--(?:(?:[a-z0-9]+-)*(?:conn-|db-|database-|pg-?))?host(?:name)?[ \t=]+["']?(?:localhost|127\.0\.0\.1|::1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)["']?(?:\s|$)|--username[ \t=]+"?\$\{?POSTGRES_USER(?-u:\b)|(?:^|\s)(?:(?:-e|--env)[ \t=]+)?["']?(?:[A-Z0-9]+_)*(?:PG|PGSQL|DB|DATABASE|POSTGRES(?:QL)?)[._]?HOST(?:NAME)?=["']?(?:localhost|127\.0\.0\.1|::1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)["']?(?:\s|$)|(?-u:\b)(?:"#,
            client_programs!(),
            r#")(?:[ \t][^\n]*?)?[ \t]-h[ \t]*["']?(?:localhost|127\.0\.0\.1|::1|172\.17\.\d{1,3}\.\d{1,3}|172\.(?:1[89]|2\d|3[01])\.0\.1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)(?:["']|[ \t]|\r?$)|(?-u:\b)(?:GenericContainer|PostgreSQLContainer|PostgreSqlContainer|PostgresContainer)(?-u:\b)|(?-u:\b)(?:Run(?:Container)?\([ \t]*ctx[ \t]*,|WithImage\()[ \t]*"(?:[a-z0-9.:-]+/)*(?:postgres|postgis|pgvector|timescaledb)[:"]|"(?:(?:user|password|dbname|port|sslmode)=[^\s"=]*[ \t]*){3,}"|docker-entrypoint-initdb\.d|/var/lib/postgresql/data(?-u:\b)|jdbc:tc:postgresql|(?-u:\b)jdbc:postgresql:[A-Za-z0-9_]|(?:^|[\s{(]):host[ \t]+"(?:localhost|127\.0\.0\.1|::1)"|(?-u:\b)host[ \t]*=[ \t]*(?:localhost|127\.0\.0\.1|::1)(?:[\s"';]|$)|(?-u:\b)(?:localhost|127\.0\.0\.1):5432(?-u:\b)|(?:jdbc|r2dbc):(?:postgres(?:ql)?|pgsql)://(?:\$\{[A-Za-z0-9_.]+(?::-?|!)'?)?(?:localhost|127\.0\.0\.1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)'?\}?[:/]|postgres(?:ql)?(?:\+[a-z0-9]+)?://(?:[^@\n/]{0,80}@)?(?:localhost|127\.0\.0\.1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql|persistence)[A-Za-z0-9_-]*)[:/]"#,
            // A host that is a container's name under OrbStack's domain or a name under
            // `.localhost` (`DATABASE_HOST=db.supabase.orb.local`, `@pg.localhost`).
            r#"|(?i:host(?:name)?["']?[ \t]*[:=][ \t]*["']?|@|//)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:orb\.local|localhost)(?-u:\b)"#,
            // A host given loopback's four bytes (Zig's `.host = [4]u8{ 127, 0, 0, 1 }`,
            // Go's `net.IPv4(127, 0, 0, 1)`).
            r#"|(?-u:\b)host(?:name)?[ \t]*[:=][^\n]{0,24}?[{(\[][ \t]*127[ \t]*,[ \t]*0[ \t]*,[ \t]*0[ \t]*,[ \t]*1[ \t]*[})\]]"#,
            // A guide's host on loopback in the languages projects document their set-up
            // in (`- 主机：localhost`, `хост: 127.0.0.1`).
            r#"|^[ \t*-]*(?:主机|主机地址|地址|服务器地址|数据库地址|хост|сервер|адрес)[ \t]*(?:[:=]|：)[ \t]*(?:localhost|127\.0\.0\.1)(?::\d+)?[ \t]*\r?$"#,
            // A server the text initialises or starts on this machine (a Dockerfile's or a
            // provisioning script's `initdb -D ...`, `pg_ctl ... start`, `postgresql-setup
            // initdb`, `service postgresql start`); `initdb` run, given an option, a path or
            // a variable, not a module of that name (`from initdb import Employee`).
            r#"|(?-u:\b)initdb[ \t]+["']?[-/$]|(?-u:\b)postgresql-setup(?-u:\b)|(?-u:\b)pg_ctl(?:cluster)?(?-u:\b)[^\n]{0,120}?[ \t]start(?-u:\b)|(?-u:\b)service[ \t]+postgresql[ \t]+start(?-u:\b)"#,
            // A Kubernetes cluster the text starts on this machine (`minikube start`, `kind
            // create cluster`, `k3d cluster create`): what it deploys runs here.
            r#"|^[ \t$>]*(?:minikube[ \t]+start|kind[ \t]+create[ \t]+cluster|k3d[ \t]+cluster[ \t]+create)(?-u:\b)"#,
            // A Helm chart's bundled PostgreSQL, which the chart starts beside the
            // application (`postgresql:` with its `auth:` a few lines below), and a host
            // that is a Kubernetes service of the cluster's own (`postgresAddr:
            // "pg.db.svc.cluster.local"`, or a URL's:
            // `jdbc:postgresql://pg.db.svc.cluster.local:5432/app`).
            r#"|^postgresql:[ \t]*\r?\n(?:[ \t]+[^\n]*\n){0,6}?[ \t]+auth:[ \t]*\r?$"#,
            // A deployment's environment named local (Terraform's `environment = "local"`
            // beside a cluster on this machine's `~/.kube/config`): its database is the
            // developer's own.
            r#"|^[ \t]*(?:environment|env|stage)[ \t]*[:=][ \t]*["']?local["']?[ \t]*[,;]?[ \t]*\r?$"#,
            r#"|(?:(?:host|addr|address|server)(?:name)?["']?[ \t]*[:=][ \t]*["']?|(?:jdbc:|r2dbc:)?postgres(?:ql)?(?:\+[a-z0-9]+)?://(?:[^@\n/]{0,80}@)?)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.svc\.cluster\.local(?-u:\b)"#,
            // Go's address options on loopback or a container's name, at PostgreSQL's
            // ports (54xx, PgBouncer's 6432; not Redis's `Addr: "localhost:6379"`) or one
            // formatted in (Bun's `pgdriver.WithAddr("localhost:5433")`, go-pg's `Addr:
            // "db:5432"`, `WithAddr(fmt.Sprintf("localhost:%s", port))`).
            r#"|(?-u:\b)(?:With)?Addr[ \t]*(?:\(|:)[ \t]*(?:fmt\.Sprintf\([ \t]*)?"(?:localhost|127\.0\.0\.1|\[::1\]|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql)[A-Za-z0-9_-]*):(?:[0-9]*54[0-9]{2}|6432|%[sdv])""#,
            // An XML property list's host entry (GeoServer's data store, Java's properties
            // in XML: `<entry key="host">db</entry>`).
            r#"|<entry[ \t]+key=["'](?i:(?:db[._]?|database[._]?)?host(?:name)?)["'][ \t]*>[ \t]*(?:localhost|127\.0\.0\.1|::1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|local|sql)[A-Za-z0-9_-]*)[ \t]*</entry>"#,
            // A Kubernetes variable's `- name: ..._HOST` with its `value:` below.
            r#"|^[ \t]*-[ \t]+name:[ \t]*["']?(?:[A-Z0-9]+_)*(?:PG|POSTGRES(?:QL)?|DB|DATABASE)_(?:[A-Z0-9]+_)?HOST["']?[ \t]*\r?\n[ \t]+value:[ \t]*["']?(?:localhost|127\.0\.0\.1|[A-Za-z0-9_-]*(?:postgres|pg|db|database|sql)[A-Za-z0-9_-]*)["']?[ \t]*\r?$"#,
        ))
        .expect("valid regex"),
        // Loopback written as a literal: `"localhost"`, `'127.0.0.1'`.
        loopback_literal: Regex::new(r#"["'](?:localhost|127\.0\.0\.1|::1)["']"#)
            .expect("valid regex"),
        // This machine, named anywhere: a guide's `localhost:5432`, `-h 127.0.0.1`, a
        // container's way back to it, a JDBC URL with no host (`jdbc:postgresql:shop`).
        loopback_named: Regex::new(
            r"(?i)(?-u:\b)(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|host\.(?:docker|containers|orb)\.internal)(?-u:\b)|\[::1\]|(?-u:\b)jdbc:postgresql:[A-Za-z0-9_]",
        )
        .expect("valid regex"),
        // A Docker network's address block, as a compose file's `ipam:` gives it
        // (`- subnet: 162.24.0.0/16`): its addresses are containers on this machine; or
        // one container's address, as `docker inspect` prints it (`"IPAddress":
        // "172.22.0.2"`).
        docker_subnet: Regex::new(
            r#"(?m)^[ \t-]*subnet:[ \t]*["']?(\d{1,3}(?:\.\d{1,3}){3})/(\d{1,2})(?-u:\b)|"IPAddress":[ \t]*"(\d{1,3}(?:\.\d{1,3}){3})""#,
        )
        .expect("valid regex"),
        // A command that starts containers on this machine: `docker compose ... up`,
        // `docker-compose -f db.yml up`, `docker run`.
        starts_containers: Regex::new(
            r"(?i)(?-u:\b)(?:docker|podman)[ -]compose(?-u:\b)[^\n]*?[ \t]up(?-u:\b)|(?-u:\b)(?:docker|podman)[ \t]+run(?-u:\b)",
        )
        .expect("valid regex"),
        // A web page's or a mailbox's address (`https://www.postgresql.org/docs/`,
        // `ops@acme.io`, a setting's `FROM_EMAIL=noreply@acme.io`), or a package's path (Go's `modernc.org/sqlite`,
        // `github.com/lib/pq`), whose host serves pages, mail or code, not a database.
        web_address: Regex::new(
            r#"(?i)(?:https?|ftp)://[^\s)>\]"'`]+|(?-u:\b)www\.[^\s)>\]"'`]+|(?:^|[\s<(\["'=])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|(?:^|[\s(\["'`])[a-z0-9-]+(?:\.[a-z0-9-]+)+/[A-Za-z0-9_~-][A-Za-z0-9._~/-]*"#,
        )
        .expect("valid regex"),
        // A host a database could be reached at off this machine: a name under a public
        // or private domain, or an IPv4 address.
        remote_host: Regex::new(
            r"(?i)(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|dev|cloud|internal|app|tech|co|ai|us|eu|uk|de|fr|ru|cn|in|br|jp|nl|ca|au|xyz|me|lan|corp|local|cluster)(?-u:\b)|(?-u:\b)(?:\d{1,3}\.){3}\d{1,3}(?-u:\b)",
        )
        .expect("valid regex"),
        // A CI pipeline's keys (GitHub Actions' `runs-on:` and `steps:`, GitLab's and
        // Bitbucket's `script:`), which a compose file or a deployment never has.
        ci_workflow: Regex::new(r"(?m)^[ \t]*(?:runs-on|steps|script):")
            .expect("valid regex"),
        // A test's throwaway container (Testcontainers, in any language), which lives as
        // long as the test run.
        // A test case's declaration, as the frameworks spell one: `test("...", ...)`,
        // `it("...")`, RSpec's `it "..." do`, pytest's `def test_...(` (not a method:
        // `python_test_method`), Go's `func TestX(t *testing.T)`, JUnit's `@Test`,
        // Rust's `#[test]`, xUnit's `[Fact]`.
        test_case: Regex::new(
            r#"(?m)^[ \t]*(?:(?:test|it|specify|do_test)[ \t]*\(?[ \t]*["'`]|def[ \t]+test_[A-Za-z0-9_]*[ \t]*\([ \t]*(?:\)|\r?\n|[A-Za-rt-z_*]|s(?:[^e]|e[^l]|el[^f]))|func[ \t]+Test[A-Za-z0-9_]*[ \t]*\([ \t]*[a-z]+[ \t]+\*testing\.T|@(?:Test|ParameterizedTest)(?-u:\b)|#\[(?:tokio::)?test\]|\[(?:Fact|Theory|Test|TestMethod)\])"#,
        )
        .expect("valid regex"),
        python_test_method: Regex::new(
            r"(?m)^[ \t]*def[ \t]+test_[A-Za-z0-9_]*[ \t]*\([ \t]*self(?-u:\b)",
        )
        .expect("valid regex"),
        python_test_class: Regex::new(
            r"(?m)^[ \t]*class[ \t]+(?:Test[A-Za-z0-9_]*|[A-Za-z0-9_]*Tests?)[ \t]*[(:]|TestCase[ \t]*\)",
        )
        .expect("valid regex"),
        test_container: Regex::new(
            r"(?i:testcontainers)|(?-u:\b)(?:GenericContainer|PostgreSQLContainer|PostgreSqlContainer|PostgresContainer)(?-u:\b)",
        )
        .expect("valid regex"),
        // PgBouncer's auth_file: `"user" "password"`, a quote doubled inside a field.
        userlist_line: Regex::new(r#"^[ \t]*"((?:[^"\n]|"")+)"[ \t]+"((?:[^"\n]|"")*)"[ \t]*\r?$"#)
            .expect("valid regex"),
    })
}

/// Every credential in `text`, in order of position. Linear in the length of the text:
/// what is decided per line (a libpq keyword on it, the allow marker, a DATABASE_URL
/// assignment) is computed once per line, however many matches the line holds.
pub fn detect(text: &[u8], syntax: Syntax) -> Vec<Detection> {
    let trigger = &patterns().trigger;
    if !trigger.is_match(text) {
        return Vec::new();
    }
    let mut found = detect_as(text, syntax);
    if syntax == Syntax::Code {
        // A block string's or a block comment's lines are text, not code: a docstring
        // that keeps a configuration (`\"\"\"` then `spring.datasource.password=...`), a
        // template a program writes out, settings commented out (`/*spring.datasource...`).
        // Read as a document is (prose that shows settings), each finding the code's
        // reading did not already make.
        for block in block_strings(text).into_iter().chain(block_comments(text)) {
            if !trigger.is_match(&text[block.clone()]) {
                continue;
            }
            for mut d in detect_as(&text[block.clone()], Syntax::Document) {
                if !found.iter().any(|f| f.secret_digest == d.secret_digest) {
                    d.offset += block.start;
                    found.push(d);
                }
            }
        }
        found.sort_by_key(|d| d.offset);
    }
    found
}

/// The insides of the text's block strings, delimited by three quotes (`\"\"\"` or
/// `'''`): Python's, Kotlin's, Scala's, Groovy's, Swift's and Julia's, Java's text
/// blocks. Each opening is closed by the next same delimiter; one left open ends none.
fn block_strings(text: &[u8]) -> Vec<Range<usize>> {
    let delimiters = &patterns().block_string_delimiter;
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(open) = delimiters.find_at(text, at) {
        let delimiter = open.as_bytes();
        let Some(close) = delimiters
            .find_iter(&text[open.end()..])
            .find(|m| m.as_bytes() == delimiter)
        else {
            break;
        };
        blocks.push(open.end()..open.end() + close.start());
        at = open.end() + close.end();
    }
    blocks
}

/// The insides of the text's block comments (`/* ... */`) that open a line, as C's,
/// Java's, Go's, JavaScript's and SQL's do; a `/*` after other text on its line is
/// more often a glob or a path (`src/**/*.js`) than a comment. One left open ends none.
fn block_comments(text: &[u8]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(open) = patterns().block_comment_opening.find_at(text, at) {
        let Some(close) = text[open.end()..].windows(2).position(|w| w == b"*/") else {
            break;
        };
        blocks.push(open.end()..open.end() + close);
        at = open.end() + close + 2;
    }
    blocks
}

/// A URI's password short of the backslash that escapes the `@` after it (Markdown's
/// `postgres:pw\@db`, Perl's `"postgres://app:pw\@db/app"`): the backslash is the text's
/// way to write `@`, not the password's; two are an escaped backslash, which is.
fn without_escape_of_at(password: &[u8]) -> &[u8] {
    let backslashes = password.iter().rev().take_while(|&&b| b == b'\\').count();
    if backslashes % 2 == 1 {
        &password[..password.len() - 1]
    } else {
        password
    }
}

/// The detections of `text` read as `syntax`, where a trigger word has matched.
fn detect_as(text: &[u8], syntax: Syntax) -> Vec<Detection> {
    let p = patterns();
    let dialling = dialling_syntax(text, syntax);
    let lines = Lines::new(text);
    let mut facts = LineFacts::new(text, &lines);
    let mut context = structured::Context::new(text, &lines);
    let mut found: Vec<(Range<usize>, Detection)> = Vec::new();
    let mut uri_passwords = Vec::new();
    let mut logins = Vec::new();
    let mut dialled_words = Vec::new();
    // The passwords of the text's made-up logins: a URI to a made-up host or to the word
    // for one (`postgres://user:shh@host/db`).
    let mut template_passwords: HashSet<[u8; 32]> = HashSet::new();
    for c in p.uri.captures_iter(text) {
        let (whole, scheme, user, password, host) = (
            c.get(0).expect("group 0"),
            &c[1],
            &c[2],
            c.get(3).expect("password group"),
            &c[4],
        );
        // No host: the string ends at `@` and code joins the host on (`'postgresql://app:
        // ...@' + HOST`), or the query names it (`@/db?host=/cloudsql/...`, a socket's
        // directory); anything else without one is no URI.
        // Azure's `user@server` names the server the host starts with
        // (`app@pg-prod:...@pg-prod.postgres.database.azure.com`); an `@` in a user that
        // names another is an address's, not a URI's.
        if let Some((_, server)) = lossy(user).split_once('@') {
            let first_label = lossy(host)
                .split(['.', ':'])
                .next()
                .unwrap_or_default()
                .to_string();
            if !server.eq_ignore_ascii_case(&first_label) {
                continue;
            }
        }
        // Ecto's URL is PostgreSQL's only where its host or the text around says so.
        let ecto = scheme.len() >= 4 && scheme[..4].eq_ignore_ascii_case(b"ecto");
        if ecto
            && !lossy(host).to_ascii_lowercase().contains("postgres")
            && !context.configures_postgres(whole.start())
        {
            continue;
        }
        let joined = host.is_empty();
        // A socket named in the query is where the bytes go, whatever the authority says
        // (`@postgres/?unix_sock=/cloudsql/...`).
        let query_host = host_in_its_query(&text[whole.end() - 1..]);
        if joined && !joins_a_host(&text[whole.end() - 1..]) && query_host.is_none() {
            continue;
        }
        // The host the login is judged by: the query's where the authority names none, and
        // a socket's directory percent-encoded in the authority decoded (`%2Ftmp` is `/tmp`).
        let dialled_host = query_host.unwrap_or_else(|| {
            if host.len() >= 3 && host[..3].eq_ignore_ascii_case(b"%2f") {
                decode(host)
            } else {
                lossy(host)
            }
        });
        // A port then a path (`db:5432/app?...@...`) is no password with a `/` in it.
        let password = without_escape_of_at(password.as_bytes());
        let written = lossy(password);
        if written
            .split_once('/')
            .is_some_and(|(head, _)| head.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let secret = decode(password);
        // Code that joins the password in between two string pieces (`'postgresql://u:'
        // . rawurlencode(getenv('PW')) . '@host/db'`): no literal is there. A redaction
        // test's input, listed again where output must not hold it or where a test
        // asserts output holds its login, is no login either.
        if structured::is_concatenation(&secret)
            || facts.keeps_out_of_output(&secret)
            || facts.asserts_the_login_in_output(whole.start(), &lossy(user), &written)
        {
            continue;
        }
        // Code that formats the password in (`f"postgresql://u:{pw}@host/db"`,
        // `${pw}` in a template literal): the credential is the literal `pw` was set to.
        if let Some(name) = interpolated_name(&secret).filter(|_| syntax == Syntax::Code) {
            if !joined && !is_placeholder_host(&lossy(host)) {
                found.extend(variable_literal(
                    text,
                    &mut facts,
                    ("", name),
                    (&lossy(user), &lossy(host)),
                    whole.start(),
                ));
            }
            continue;
        }
        // A password word dialled at an address counts, unless the user is a placeholder
        // too (`your_postgres_username:password@34.29.167.133`: the whole login is).
        let dialled = is_password_word_to_an_address(&secret, &dialled_host, dialling)
            && !is_placeholder(&lossy(user));
        let placeholder = is_placeholder(&secret) && !dialled;
        if !placeholder {
            uri_passwords.push((whole.start(), lossy(user), lossy(host), secret.clone()));
        }
        logins.push((whole.start(), lossy(user), lossy(host), secret.clone()));
        if dialled {
            dialled_words.push(whole.start());
        }
        // A local default is reported (low) even where its password is a placeholder
        // word (`postgres:postgres@localhost`); a placeholder elsewhere is skipped.
        let local_default = facts.is_local_default_to(&lossy(user), &secret, &dialled_host)
            || (facts.has_assertions()
                && is_asserted_on(text, whole.start())
                && is_weak_for(&lossy(user), &secret))
            || (is_local_host(&dialled_host)
                && (facts.is_ci_service()
                    || (facts.declares_test_cases() && !is_placeholder(&secret))
                    || uri_database(&text[c.get(4).expect("host group").end()..])
                        .is_some_and(|database| names_the_database(&secret, &database))));
        // A host whose name goes on in brackets for the reader to fill in
        // (`@p.<cluster>.db.postgresbridge.com`) is a made-up one, however it starts.
        let host_end = c.get(4).expect("host group").end();
        let filled_in_host =
            (host.ends_with(b".") || host.ends_with(b"-")) && text[host_end..].starts_with(b"<");
        // A socket's directory (`%2Fvar%2Frun%2Fpostgresql` decoded) is a path, which no
        // rule for a host's name reads.
        let socket = dialled_host.starts_with('/');
        let made_up_login =
            (!joined && !socket && (is_placeholder_host(&dialled_host) || filled_in_host))
                || is_template_login(&lossy(user), &secret, &dialled_host);
        // A password Neon generated (`npg_...`) is no template's, whatever host stands
        // beside it: the Neon reader finds it.
        let generated_by_neon = patterns().neon.is_match(secret.as_bytes());
        if !local_default && !placeholder && made_up_login && !generated_by_neon {
            template_passwords.insert(<[u8; 32]>::from(Sha256::digest(secret.as_bytes())));
        }
        if !local_default && (placeholder || made_up_login || written.contains("://")) {
            continue;
        }
        let kind = if facts.assigns_database_url_before(whole.start()) {
            Kind::DatabaseUrl
        } else {
            Kind::PostgresUri
        };
        let redacted = format!(
            "{}{}:****@{}",
            lossy(scheme),
            redact_user(&lossy(user)),
            lossy(host)
        );
        let mut d = detection(kind, whole.start(), redacted, &secret);
        // A document's URI to this machine is an example for a reader's own database.
        d.local_default =
            local_default || (syntax == Syntax::Document && is_loopback_host(&lossy(host)));
        found.push((whole.range(), d));
    }
    let illustrations = illustrations(&uri_passwords);
    let stand_ins = stand_ins(&logins, &dialled_words);
    found.retain(|(range, d)| {
        d.local_default
            || !(illustrations.contains(&range.start) || stand_ins.contains(&range.start))
    });
    for c in p.uri_query_password.captures_iter(text) {
        let (whole, prefix, key, value) = (
            c.get(0).expect("group 0"),
            &c[1],
            &c[2],
            c.get(3).expect("value group"),
        );
        // `p=` is NocoDB's name for the password, under its `pg://` only.
        if key.eq_ignore_ascii_case(b"p=") && !prefix[..3].eq_ignore_ascii_case(b"pg:") {
            continue;
        }
        let secret = decode(value.as_bytes());
        let (host, user) = query_uri_host_user(&lossy(prefix));
        let dialled =
            is_password_word_to_an_address(&secret, &host, dialling) && !is_placeholder(&user);
        // `jdbc:postgresql://localhost/app?user=postgres&password=postgres`: a local
        // default, as it is in the userinfo; a made-up host makes it an example, as it
        // does there.
        let local_default = facts.is_local_default_to(&user, &secret, &host);
        if (is_placeholder(&secret) && !dialled)
            || (!local_default
                && (is_placeholder_host(&host) || is_template_login(&user, &secret, &host)))
        {
            continue;
        }
        let kind = if facts.assigns_database_url_before(whole.start()) {
            Kind::DatabaseUrl
        } else {
            Kind::PostgresUri
        };
        let redacted = format!("{}{}****", redact_query_prefix(&lossy(prefix)), lossy(key));
        let mut d = detection(kind, whole.start(), redacted, &secret);
        d.local_default = local_default;
        found.push((whole.range(), d));
    }
    for c in p.prisma_api_key.captures_iter(text) {
        let (whole, prefix, key, value) = (
            c.get(0).expect("group 0"),
            &c[1],
            &c[2],
            c.get(3).expect("value group"),
        );
        let secret = decode(value.as_bytes());
        // A key is a long token; a short value is a document's stand-in (`abc123`).
        if secret.len() < MIN_API_KEY_LEN || is_placeholder(&secret) {
            continue;
        }
        let redacted = format!("{}{}****", lossy(prefix), lossy(key));
        found.push((
            whole.range(),
            detection(Kind::PostgresUri, whole.start(), redacted, &secret),
        ));
    }
    for c in p.key_value.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key group"), c.get(2).expect("value group"));
        let code_argument = is_code_argument(value.as_bytes(), syntax);
        // A call's arguments go one to a line too (R's `dbConnect(drv,` then `user =
        // dsn_uid,` then `password = dsn_pwd)`): a keyword on the lines above is the call's.
        if !(facts.has_libpq_keyword(key.start())
            || facts.continues_conninfo(key.start())
            || (code_argument && facts.has_libpq_keyword_above(key.start())))
        {
            continue;
        }
        if code_argument {
            // `connect(host=..., password=pw)` beside PostgreSQL's names: the credential
            // is the literal `pw` was set to above, if it was.
            if let Some(name) = assigned::identifier_read(&lossy(value.as_bytes()))
                .filter(|_| context.configures_postgres(key.start()))
            {
                found.extend(assigned_password(text, &mut facts, name, "", key.start()));
            }
            continue;
        }
        let secret = before_escaped_line_break(&before_escaped_quote(&without_closing_tag(
            &unquote(value.as_bytes()),
        )));
        // A number passed to a call ends at its comma (`def connect(user=None,
        // password=0, sslmode='prefer')`).
        let secret = match syntax {
            Syntax::Code
                if secret
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b',' || b == b')') =>
            {
                secret.trim_end_matches([',', ')']).to_string()
            }
            _ => secret,
        };
        // `password=$pass`: the credential is the literal the script set `$pass` to.
        if let Some(name) = assigned::variable_read(&secret) {
            found.extend(assigned_password(text, &mut facts, name, "$", key.start()));
            continue;
        }
        // `password= dbname=app`: an empty password, then the next keyword.
        if (is_placeholder(&secret)
            && !is_password_word_to_an_address(
                &secret,
                &facts.conninfo_host_user(key.start()).0,
                dialling,
            ))
            || structured::is_concatenation(&secret)
            || p.libpq_keyword_value.is_match(secret.as_bytes())
            || is_language_literal(&secret)
        {
            continue;
        }
        // In code, `password='...'` right after `=` is a keyword argument unless it sits
        // in a conninfo string: a call's is PostgreSQL's only beside PostgreSQL's names
        // (`User(username=..., password='...')` is not).
        let quoted = matches!(value.as_bytes().first(), Some(b'\'' | b'"'));
        if syntax == Syntax::Code && quoted && !context.configures_postgres(key.start()) {
            continue;
        }
        let kind = if facts.assigns_database_url_before(key.start()) {
            Kind::DatabaseUrl
        } else {
            Kind::KeyValuePassword
        };
        let redacted = format!("{}****", lossy(key.as_bytes()).replace(' ', ""));
        let mut d = detection(kind, key.start(), redacted, &secret);
        // A `Password = ...` inside an Npgsql or ODBC string takes that string's host
        // (`Server = 192.168.1.30; ... Password = ...;`).
        let (host, user) = match facts.conninfo_host_user(key.start()) {
            (host, _) if host.is_empty() && facts.has_semicolon_host(key.start()) => {
                facts.semicolon_host_user(key.start())
            }
            known => known,
        };
        // A conninfo to a host the text makes up (`host=<primary> ... password=...`) is
        // its example; one in another engine's words or at its port is that engine's.
        if is_made_up_host(&host) || facts.is_another_engines_string(key.start()) {
            continue;
        }
        // `host=localhost user=postgres password=postgres`: a well-known local default;
        // so is a weak one in a piece of a conninfo that names no host, where the text
        // sets up a local database (PHP's manual joins `"host = 127.0.0.1"` on).
        d.local_default = facts.is_local_default_to(&user, &secret, &host)
            || is_template_default(&user, &secret, &host)
            || (host.is_empty() && facts.declares_local_database() && is_weak_for(&user, &secret));
        found.push((key.start()..value.end(), d));
    }
    for c in p.joined_key_value.captures_iter(text) {
        let (key, variable) = (c.get(1).expect("key group"), &c[2]);
        // The piece is a conninfo's where its line names a libpq keyword, or a host
        // joined on the same way (`"host=" . $host . " password=" . $pass`).
        if !(facts.has_libpq_keyword(key.start())
            || facts.continues_conninfo(key.start())
            || !facts.conninfo_host_user(key.start()).0.is_empty())
        {
            continue;
        }
        // A shell's or PHP's `$pass`, or code's bare `pw`.
        let variable = lossy(variable);
        let (name, sigil) = match assigned::variable_read(&variable) {
            Some(name) => (name, "$"),
            None if syntax == Syntax::Code => (variable.as_str(), ""),
            None => continue,
        };
        found.extend(assigned_password(
            text,
            &mut facts,
            name,
            sigil,
            key.start(),
        ));
    }
    for c in p.pgpassword.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key group"), c.get(2).expect("value group"));
        let secret = unquote(value.as_bytes());
        // A shell's default expansion (`${PGPASSWORD:-...}`) reads the variable; the
        // fallbacks' rule judges what follows `:-`.
        let expanded = text[..key.start()].ends_with(b"${");
        // PowerShell quotes its strings: a bare word after `$env:PGPASSWORD =` is a
        // command or a variable (`Read-Host ...`).
        let powershell_expression = key.start() >= 5
            && text[key.start() - 5..key.start()].eq_ignore_ascii_case(b"$env:")
            && !matches!(value.as_bytes().first(), Some(b'"' | b'\''));
        if expanded
            || powershell_expression
            || prefixes_a_command(text, key.as_bytes(), value.end())
            || (is_placeholder(&secret)
                && !context.dials_an_address_with(&secret, key.start(), syntax))
            || is_expression(value.as_bytes())
            // A library's documented defaults list the unset variable as
            // `PGPASSWORD=null`: no value.
            || is_language_literal(&secret)
            || facts.prompts_for(key.start())
            || (names_a_variable(value.as_bytes(), syntax)
                && !is_quoted_whole(text, key.start(), value.end()))
            || describes_the_variable(text, key.start()..value.start(), value.end())
        {
            continue;
        }
        let mut d = detection(
            Kind::Pgpassword,
            key.start(),
            "PGPASSWORD=****".to_string(),
            &secret,
        );
        // A default password beside a local database (`PGHOST=localhost`) is for it.
        d.local_default = facts.is_local_default_variable(&secret)
            || (is_default_password(&secret)
                && (facts.runs_a_client_on_the_socket(key.start())
                    || facts.runs_clients_with_no_host()));
        found.push((key.start()..value.end(), d));
    }
    for c in p.environment_set.captures_iter(text) {
        let (name, value) = matched_pair(&c, &[(1, 2), (3, 4), (5, 6), (7, 8)]);
        let shown = lossy(name.as_bytes());
        let secret = unquote(value.as_bytes());
        let pgpassword = shown == "PGPASSWORD";
        if !(pgpassword || names_database_password(&shown))
            || is_placeholder(&secret)
            || is_expression(value.as_bytes())
        {
            continue;
        }
        let kind = if pgpassword {
            Kind::Pgpassword
        } else {
            Kind::PasswordVariable
        };
        let mut d = detection(kind, name.start(), format!("{shown}=****"), &secret);
        d.local_default = facts.is_local_default_variable(&secret)
            || (shown == "POSTGRES_PASSWORD" && is_default_password(&secret));
        found.push((name.start()..value.end(), d));
    }
    for c in p.secret_piped.captures_iter(text) {
        let (value, name) = (c.get(1).expect("value"), c.get(2).expect("name"));
        let secret = unquote(value.as_bytes());
        let shown = lossy(name.as_bytes());
        if !names_database_password(&shown) || is_placeholder(&secret) {
            continue;
        }
        found.push((
            value.start()..name.end(),
            detection(
                Kind::PasswordVariable,
                value.start(),
                format!("secret {shown}=****"),
                &secret,
            ),
        ));
    }
    for m in p.neon.find_iter(text) {
        let secret = lossy(m.as_bytes());
        // `npg_XXXXXXXXXXXX` shows the shape, not a password.
        if is_placeholder(&secret) || is_placeholder(&secret["npg_".len()..]) {
            continue;
        }
        found.push((
            m.range(),
            detection(
                Kind::NeonPassword,
                m.start(),
                "npg_****".to_string(),
                &secret,
            ),
        ));
    }
    for c in p
        .pgpass
        .captures_iter(text)
        .chain(p.pgpass_written.captures_iter(text))
    {
        let (fields, password) = (c.get(1).expect("fields"), c.get(2).expect("password"));
        let secret = lossy(password.as_bytes());
        if is_placeholder(&secret) {
            continue;
        }
        let shown = lossy(fields.as_bytes());
        let parts: Vec<&str> = shown.split(':').collect();
        let (host, user) = (parts[0], parts.get(3).copied().unwrap_or(""));
        let mut d = detection(
            Kind::Pgpass,
            fields.start(),
            format!("{host}:...:****"),
            &secret,
        );
        // `localhost:5432:*:postgres:postgres` is a local default, and so is a weak
        // password under any host (`*:*:*:postgres:postgres`): the line sets up a default,
        // not one server's credential.
        d.local_default = facts.is_local_default_to(user, &secret, host)
            || (host == "*" && is_weak_for(user, &secret));
        found.push((fields.start()..password.end(), d));
    }
    for c in p.delimited_login.captures_iter(text) {
        let (url, user, password) = (
            c.get(1).expect("url"),
            c.get(2).expect("user"),
            c.get(3).expect("password"),
        );
        let secret = lossy(password.as_bytes());
        let user = lossy(user.as_bytes());
        if is_placeholder(&secret) || context.configures_another_engine(url.start()) {
            continue;
        }
        let host = structured::call_host(url.as_bytes()).unwrap_or_default();
        let mut d = detection(
            Kind::PasswordSetting,
            url.start(),
            format!("jdbc:postgresql://{host}...;{};****", redact_user(&user)),
            &secret,
        );
        d.local_default = facts.is_local_default_to(&user, &secret, &host);
        found.push((url.start()..password.end(), d));
    }
    for c in p.semicolon_password.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let read = before_next_keyword(value.as_bytes());
        let value = if read.len() == value.len() {
            with_a_quote_inside(text, value.range())
        } else {
            read
        };
        let value_end = key.end() + value.len();
        let secret = unquote(value);
        // `$"Host={host};Password={pw};..."`: C#'s interpolated string formats `pw` in;
        // the credential is the literal it was set to above, judged local by the host
        // and user the string formats in, each followed back too.
        if let Some(name) =
            interpolated_name(&secret).filter(|_| facts.has_semicolon_host(key.start()))
        {
            let (host, user) = facts.semicolon_host_user(key.start());
            let assignments = facts.assignments();
            let resolve = |field: String| match interpolated_name(&field) {
                Some(variable) => assignments
                    .literal_before(variable, key.start())
                    .map_or(field.clone(), |value| lossy(&text[value])),
                None => field,
            };
            let (host, user) = (resolve(host), resolve(user));
            found.extend(variable_literal(
                text,
                &mut facts,
                ("", name),
                (&user, &host),
                key.start(),
            ));
            continue;
        }
        // A value the string's closing quote ends is the string's text (`...;password=ab,"`),
        // not code's argument.
        let ends_a_string = matches!(text.get(value_end), Some(b'"' | b'\''));
        // A field the string quotes (`Password='s3cret';`) is the string's text too.
        let quoted_field = matches!(value.first(), Some(b'\''))
            && value.ends_with(b"'")
            && text.get(value_end) == Some(&b';');
        // `password= dbname=app`: an empty password, then the next keyword.
        let empty = key.as_bytes().last().is_some_and(u8::is_ascii_whitespace)
            && p.libpq_keyword_value.is_match(secret.as_bytes());
        // ADO.NET and ODBC strings are SQL Server's and MySQL's too (`UseSqlServer(...)`).
        if empty
            || !facts.has_semicolon_host(key.start())
            || (is_placeholder(&secret)
                && !is_password_word_to_an_address(
                    &secret,
                    &facts.semicolon_host_user(key.start()).0,
                    dialling,
                ))
            || (!ends_a_string && !quoted_field && is_code_argument(value, syntax))
            || context.configures_another_engine(key.start())
            || facts.is_another_engines_string(key.start())
        {
            continue;
        }
        let redacted = format!("{}****", lossy(key.as_bytes()).replace(' ', ""));
        let mut d = detection(Kind::SemicolonPassword, key.start(), redacted, &secret);
        d.local_default = facts.semicolon_local_default(key.start(), &secret);
        found.push((key.start()..value_end, d));
    }
    // The literal a driver call's password variable was set to above (`String senha =
    // "..."` before `getConnection(url, usuario, senha)`), judged local by the URL and
    // user the call is given, each followed back to its literal too.
    for c in p.password_passed_by_name.captures_iter(text) {
        let call = c.get(0).expect("call");
        if !context.configures_postgres(call.start()) {
            continue;
        }
        let argument = |facts: &mut LineFacts, group: usize| {
            let shown = lossy(c.get(group).expect("argument").as_bytes());
            match facts.assignments().literal_before(&shown, call.start()) {
                Some(literal) if assigned::is_identifier(&shown) => lossy(&text[literal]),
                _ => unquote(shown.as_bytes()),
            }
        };
        let url = argument(&mut facts, 1);
        let user = argument(&mut facts, 2);
        let host = structured::call_host(url.as_bytes()).unwrap_or_default();
        let name = lossy(c.get(3).expect("name").as_bytes());
        found.extend(variable_literal(
            text,
            &mut facts,
            ("", &name),
            (&user, &host),
            call.start(),
        ));
    }
    for c in p.password_variable.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        // In a sed substitution that matches the line by a wildcard, the value is what
        // the replacement sets (`s/^DB_PASSWORD=.*/DB_PASSWORD=.../`).
        let set = sed_replacement(value.as_bytes()).unwrap_or(value.as_bytes());
        // A bare value counts under an environment-style name (`POSTGRES_PASSWORD=x`)
        // and in configuration's `key=value` (INI, an inventory line); in code, and in
        // code a document shows (`pgpassword: Regex`), only a quoted literal does.
        let quoted = matches!(set.first(), Some(b'"' | b'\''));
        let env_style = !key.as_bytes().iter().any(u8::is_ascii_lowercase);
        let assigned_in_config = syntax != Syntax::Code && key.as_bytes().contains(&b'=');
        let secret = unquote(set);
        // A statement of Nix or C-like configuration (`POSTGRES_PASS = files.pgPassword;`)
        // assigns a dotted name, spaced as no shell assignment is: a reference.
        let states_a_reference = key.as_bytes().windows(2).any(|w| w == b" =")
            && text.get(value.end()) == Some(&b';')
            && structured::is_dotted_reference(&secret);
        let bare_literal = (env_style && !states_a_reference)
            || (assigned_in_config && !structured::is_dotted_reference(&secret));
        // A weak value the code beside it dials an address with is meant (`DB_PASSWORD =
        // "q"` over a JDBC URL to a public address).
        let dialled = quoted
            && is_weak_enough_to_mean_it(&secret)
            && context.dials_an_address_with(&secret, key.start(), syntax);
        if (!quoted && !bare_literal)
            || prefixes_a_command(text, key.as_bytes(), value.end())
            || secret.is_empty()
            || is_ipv4_address(&secret)
            || (structured::is_reference(&secret) && !dialled)
            || is_expression(set)
            || facts.prompts_for(key.start())
            || (!quoted && describes_the_variable(text, key.start()..value.start(), value.end()))
            || (!quoted && names_a_variable(set, syntax))
            || (!quoted && applies_a_function(text, key.as_bytes(), value))
        {
            continue;
        }
        let name: String = lossy(key.as_bytes())
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // Inside a parameter expansion (`${DB_PASSWORD:-...}`) the name is the variable
        // read, not one set: its default is the fallbacks' to judge.
        let expanded = text[..key.start()].ends_with(b"${");
        if expanded || structured::names_another_engine(name.as_bytes()) {
            continue;
        }
        // `DB_PASSWORD` names no engine: beside MySQL's settings it is MySQL's.
        let lower = name.to_ascii_lowercase();
        let generic = !lower.contains("pg") && !lower.contains("postgres");
        // Nor is it one database's where the text is a lesson on leaked secrets and
        // names PostgreSQL nowhere near: the lesson made it up. In a script that installs
        // another engine and names PostgreSQL nowhere, it is that engine's
        // (`DATABASE_PASS="..."`, then `dnf install mariadb-server`).
        if generic
            && (context.configures_another_engine(key.start())
                || (facts.is_lesson_on_leaks() && !context.configures_postgres(key.start()))
                || facts.installs_only_another_engine())
        {
            continue;
        }
        let mut d = detection(
            Kind::PasswordVariable,
            key.start(),
            format!("{name}=****"),
            &secret,
        );
        // A default password given to a container the file starts, or beside a host on
        // loopback, is a local default; so is one given to the official image's own
        // variable, which sets up the container it starts (`POSTGRES_PASSWORD=postgres`).
        d.local_default = facts.is_local_default_variable(&secret)
            || (name == "POSTGRES_PASSWORD"
                && (is_default_password(&secret) || facts.is_ci_service()));
        found.push((key.start()..value.end(), d));
    }
    for c in p.fallback.captures_iter(text) {
        let (name, value) = matched_pair(&c, FALLBACK_GROUPS);
        let shown = lossy(name.as_bytes());
        let secret = unquote(value.as_bytes());
        // A driver's `password:` key that reads a variable of any name and falls back to
        // a literal (`password: process.env.YUGABYTE_PASSWORD || '...'`) is the driver's.
        let keyed_as_password = is_set_under_a_password_key(text, name.start());
        let names_database_password = names_database_password(&shown)
            || ((keyed_as_password
                || matches!(
                    shown.to_ascii_lowercase().as_str(),
                    "password" | "passwd" | "pwd"
                ))
                && context.configures_postgres(name.start()));
        // A weak word the fallback URL beside it dials an address with is meant.
        let dialled = is_weak_enough_to_mean_it(&secret)
            && context.dials_an_address_with(&secret, name.start(), syntax);
        if !names_database_password
            || structured::names_another_engine(name.as_bytes())
            || context.configures_another_engine(name.start())
            || (is_placeholder(&secret) && !dialled)
        {
            continue;
        }
        let mut d = detection(
            Kind::PasswordVariable,
            name.start(),
            format!("{shown} (default)=****"),
            &secret,
        );
        // A fallback that is a well-known default, or the fallback user's own name (or,
        // where the text declares a local database, that database's), or the name of the
        // application its variable is named for, is for a local database, unless the
        // host falls back to one off this machine
        // (`env('DATABASE_HOST', 'db-1.abc.eu-west-1.rds.amazonaws.com')`).
        d.local_default = (is_default_password(&secret)
            || facts
                .user_names()
                .iter()
                .any(|user| users_own_passwords(user).any(|own| own == secret))
            || facts.is_local_default_variable(&secret)
            || names_the_variables_application(&shown, &secret))
            && !facts.falls_back_to_a_remote_host();
        found.push((name.start()..value.end(), d));
    }
    for c in p.puppet_password_variable.captures_iter(text) {
        let name = c.get(1).expect("name group");
        found.extend(assigned_password(
            text,
            &mut facts,
            &lossy(name.as_bytes()),
            "$",
            name.start(),
        ));
    }
    for c in p.role_password.captures_iter(text) {
        // Prose's `Create user for the database:` before the statement starts a match
        // the statement's own ends: the role is the last one named before `PASSWORD`.
        let head = c.get(1).expect("start");
        let c = p
            .role_statement
            .find_iter(&text[head.range()])
            .last()
            .filter(|m| m.start() > 0)
            .and_then(|m| p.role_password.captures_at(text, head.start() + m.start()))
            .unwrap_or(c);
        let (start, role, value) = (
            c.get(1).expect("start"),
            c.get(2).expect("role"),
            c.get(3).expect("value"),
        );
        // A user mapping's password is its foreign server's login: another engine's
        // where the server's wrapper is (`oracle_fdw`), and judged by the server's host
        // where it is PostgreSQL's.
        let statement = &text[start.start()..value.end()];
        let mapping = super::user_mapping::is_mapping(statement);
        let server = mapping
            .then(|| super::user_mapping::server_of(text, statement))
            .flatten();
        if server.as_ref().is_some_and(|server| !server.postgres) {
            continue;
        }
        let role = if mapping {
            super::user_mapping::mapped_user(statement)
        } else {
            lossy(role.as_bytes())
        };
        let literal = lossy(value.as_bytes());
        // Inside a shell's single quotes the SQL's quote is written `'\''` (`psql -c
        // 'ALTER USER postgres PASSWORD '\''P@ssw0rd'\'';'`): the literal is what follows.
        let literal = match literal.strip_prefix("\\''") {
            Some(inner) => inner.to_string(),
            None => literal,
        };
        // `PASSWORD '{pw}'` in an f-string, `PASSWORD '$pw'` in a script: the literal
        // the variable was set to above, if it was.
        let sigil = if literal.starts_with('$') { "$" } else { "" };
        let read =
            || assigned::identifier_read(&literal).or_else(|| assigned::variable_read(&literal));
        if let Some(name) = literal.starts_with(['{', '$']).then(read).flatten() {
            if let Some((range, mut d)) =
                assigned_password(text, &mut facts, name, sigil, start.start())
            {
                // The role's own password set in a variable above (`PW=shop` before
                // `CREATE USER shop PASSWORD '$PW'`) is judged as the literal would be.
                let literal = lossy(&text[range.clone()]);
                d.local_default = d.local_default
                    || sets_up_a_local_role(&mut facts, syntax, &role, &literal, start.start());
                found.push((range, d));
            }
            continue;
        }
        // A verifier is no password, but a comment beside it may say the password.
        if is_verifier(&literal) {
            for (range, said) in
                super::role_comment::said_beside(text, start.start(), value.end(), &role)
            {
                let mut d = detection(
                    Kind::RolePassword,
                    range.start,
                    "password beside the role's verifier: ****".to_string(),
                    &said,
                );
                d.local_default =
                    sets_up_a_local_role(&mut facts, syntax, &role, &said, range.start);
                found.push((range, d));
            }
            continue;
        }
        // A made-up-looking password a user mapping gives a foreign server off this
        // machine (`password 'ijkl9012'` for `host 'shard2.internal'`) is that server's
        // login, weak as it is.
        let to_a_server_off_here = server
            .as_ref()
            .is_some_and(|server| !server.host.is_empty() && !is_local_host(&server.host));
        if is_placeholder(&literal)
            && !(to_a_server_off_here && is_weak_enough_to_mean_it(&literal))
        {
            continue;
        }
        let mut d = detection(
            Kind::RolePassword,
            start.start(),
            "... PASSWORD '****'".to_string(),
            &literal,
        );
        d.local_default = match &server {
            Some(server) => is_weak_login_here(&role, &literal, &server.host),
            None => sets_up_a_local_role(&mut facts, syntax, &role, &literal, start.start()),
        };
        found.push((start.start()..value.end() + 1, d));
    }
    found.extend(userlist(text, &p.userlist_line));
    found.extend(super::formatted::detect(text));
    found.extend(super::joined::detect(text, syntax));
    structured::detect(text, &mut context, syntax, &mut found);
    // A setting whose sibling settings dial another database (MySQL's `url=` and
    // `password=` above PostgreSQL's) is that database's; a text that dials none
    // anywhere, as most do not, is read once for it.
    if context.dials_another_database() {
        found.retain(|(range, d)| {
            !matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable)
                || !context.settings_dial_another_database(range.start)
        });
    }
    // Django's settings that set another engine (`DATABASE_ENGINE = 'mysql'`) hold
    // that engine's password, unless the setting's name says PostgreSQL's.
    if facts.sets_another_django_engine() {
        found.retain(|(_, d)| {
            let name = d.redacted.to_ascii_lowercase();
            !matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable)
                || name.contains("postgres")
                || name.contains("pg")
        });
    }
    found.extend(super::positional::detect(text, &mut context, syntax));
    found.extend(super::property_list::detect(text, &mut context));
    found.extend(super::getter::detect(text, &mut context));
    found.extend(super::parameter_value::detect(text, &mut context));
    found.extend(super::postmodern::detect(text, &mut context));
    found.extend(super::ecpg::detect(text));
    found.extend(super::emacs_sql::detect(text, &mut context));
    found.extend(super::ora2pg::detect(text));
    found.extend(super::hammerdb::detect(text));
    found.extend(super::inserted::detect(text));
    // A setting's default password beside a local database (`jdbc:tc:`, a service
    // container), or in code or a document that names no host (a pgpool.conf shown in
    // a how-to with `sr_check_password = '12345678'`), is for that database; so is a
    // variable's default password in such code (`val dbPassword = "test"`), and a
    // Secret's default one, as the official image's `POSTGRES_PASSWORD=postgres` is. A
    // document's compose service of the official image (`image: postgres` given
    // `POSTGRES_PASSWORD: ...`) is the reader's own, started where they follow it.
    for (_, d) in &mut found {
        // A set-up put aside whole with its own local host (a commented
        // `setUrl("jdbc:postgresql://localhost/...")` then `setPassword("123")` above a live
        // public URL) is that local database's: its default password is a local one.
        if matches!(d.kind, Kind::PasswordVariable | Kind::PasswordSetting)
            && facts.set_aside_with_only_local_hosts(d.offset)
        {
            d.local_default = d.default_password || facts.is_local_default_setting(d);
            continue;
        }
        // A setting beside a live public address (a primary's URL to a public address
        // above a replica's on localhost, one password for both) is that server's,
        // whatever local database another line names.
        if matches!(d.kind, Kind::PasswordVariable | Kind::PasswordSetting)
            && facts.dials_a_public_address_near(d.offset)
            && !facts.dials_only_local_hosts_on_its_line(d.offset)
        {
            d.local_default = false;
            continue;
        }
        // A set-up put aside with a remote host, or a variable where the host falls back
        // to one beside it, is that host's, whatever local database another line names.
        if facts.set_aside_with_a_remote_host(d.offset)
            || (d.kind == Kind::PasswordVariable
                && facts.falls_back_to_a_remote_host_near(d.offset))
        {
            continue;
        }
        let code_names_no_host = d.default_password
            && matches!(syntax, Syntax::Code | Syntax::Document)
            && facts.is_hostless();
        if (matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable)
            && facts.is_local_default_setting(d))
            || (d.kind == Kind::PasswordSetting
                && (facts.is_weak_beside_loopback(d)
                    || code_names_no_host
                    || (d.default_password
                        && is_local_host(&facts.conninfo_host_user(d.offset).0))))
            || (matches!(d.kind, Kind::PasswordVariable | Kind::Pgpassword) && code_names_no_host)
            || (d.kind == Kind::KubernetesSecret && d.default_password)
            || (syntax == Syntax::Document
                && d.kind == Kind::PasswordVariable
                && context.in_a_service_of_the_official_image(d.offset))
        {
            d.local_default = true;
        }
    }
    // In a document, the password its compose service of the official image is given
    // is that container's wherever the document repeats it: the application's service
    // beside it connects with it (`MAYAN_DATABASE_PASSWORD=` the same as `db:`'s
    // `POSTGRES_PASSWORD=`).
    if syntax == Syntax::Document {
        let containers: Vec<[u8; 32]> = found
            .iter()
            .filter(|(_, d)| {
                d.kind == Kind::PasswordVariable
                    && d.local_default
                    && context.in_a_service_of_the_official_image(d.offset)
            })
            .map(|(_, d)| d.secret_digest)
            .collect();
        for (_, d) in &mut found {
            if matches!(d.kind, Kind::PasswordVariable | Kind::PasswordSetting)
                && containers.contains(&d.secret_digest)
            {
                d.local_default = true;
            }
        }
    }
    // A document that names only this machine's hosts is a guide to the reader's own
    // local set-up: the passwords it shows are that set-up's (a Neon key is a cloud
    // project's wherever it is written).
    // A generated password in a guide that starts no container of its own is its
    // author's account's, not a set-up the reader makes.
    if syntax == Syntax::Document && !found.is_empty() && facts.names_only_local_hosts() {
        let starts_containers = patterns().starts_containers.is_match(text);
        for (_, d) in &mut found {
            if d.kind != Kind::NeonPassword && (starts_containers || !d.generated_password) {
                d.local_default = true;
            }
        }
    }
    // A variable a batch file reads from a prompt (`set /p PG_PASSWORD="Enter ..."`), in
    // whichever form its value is written, holds what the user types, not the prompt.
    found.retain(|(range, _)| {
        !facts.allowed(range.start)
            && !facts.in_a_collection_of_fakes(range.start)
            && !facts.prompts_for(range.start)
    });
    // A value the text's own test asserts never shows is the test's canary (a redaction
    // test planting `password = 'training-only-password'`, then
    // `expect(out).not.toContain('training-only-password')`).
    if syntax == Syntax::Code && !found.is_empty() {
        let canaries = asserted_absent_literals(text);
        found.retain(|(_, d)| !canaries.iter().any(|canary| d.holds(canary)));
    }
    // A value in another database service's own password format is that service's:
    // PlanetScale's `pscale_pw_...`, which its MySQL-compatible databases are given.
    found.retain(|(range, _)| {
        !text[range.clone()]
            .windows(PLANETSCALE_PASSWORD.len())
            .any(|w| w == PLANETSCALE_PASSWORD)
    });
    // Where the text says its passwords are stored encrypted, a long base64 value with
    // its padding is the ciphertext (`bossDataSource_password='j6k2...aTQ=='` under
    // `password_decrypt='true'`), which no server takes as a password.
    if patterns().declares_encrypted_passwords.is_match(text) {
        found.retain(|(range, _)| !patterns().ciphertext.is_match(&text[range.clone()]));
    }
    // A password set for a client that connects to a made-up host (`export
    // PGPASSWORD=...` over `psql -h your-db-host`) is the text's example.
    found.retain(|(range, d)| {
        !(matches!(
            d.kind,
            Kind::Pgpassword | Kind::PasswordVariable | Kind::PasswordSetting
        ) && (facts.client_names_a_placeholder_host(range.start)
            || facts.sets_a_readers_host_near(range.start)))
    });
    // A value a comment marks as the reader's to replace, or as what not to do, is the
    // text's example wherever the text repeats it.
    let marked: Vec<[u8; 32]> = found
        .iter()
        .filter(|(range, _)| facts.says_to_replace(range.end))
        .map(|(_, d)| d.secret_digest)
        .collect();
    found.retain(|(_, d)| !marked.contains(&d.secret_digest));
    // A setting's password for users the text names as examples (`name: example_user`
    // above `password: ...`) is the example's.
    if facts.sets_only_example_users() {
        found.retain(|(_, d)| !matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable));
    }
    // The word for a password where every user the text sets is the word for a user
    // (`user = "username"`, `password = "password"`; the official image's example
    // `myuser`, `mypassword`) is a login written as its fields' names.
    if facts.sets_only_user_words() {
        found.retain(|(_, d)| {
            !(matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable)
                && [
                    "password",
                    "passwd",
                    "pass",
                    "pwd",
                    "mypassword",
                    "my_password",
                    "mypass",
                    "yourpassword",
                    "your_password",
                ]
                .iter()
                .any(|word| d.holds(word)))
        });
    }
    // A password that is a letter said over where every user is one too (`user` `AAA`,
    // `password` `BBB`) is the other stand-in of the login.
    let users = facts.stand_in_users();
    let stand_ins: Vec<String> = users
        .iter()
        .flat_map(|&(user, len)| {
            let letters = if user.is_ascii_uppercase() {
                b'A'..=b'Z'
            } else {
                b'a'..=b'z'
            };
            letters
                .filter(|letter| users.iter().all(|(other, _)| other != letter))
                .map(move |letter| char::from(letter).to_string().repeat(len))
        })
        .collect();
    if !stand_ins.is_empty() {
        found.retain(|(_, d)| {
            !(matches!(d.kind, Kind::PasswordSetting | Kind::PasswordVariable)
                && stand_ins.iter().any(|stand_in| d.holds(stand_in)))
        });
    }
    // A value the text's prose calls an example ("Replace the example password
    // ``secret99``") is one wherever the text uses it.
    let examples: Vec<String> = p
        .example_password
        .captures_iter(text)
        .filter_map(|c| {
            c.iter()
                .skip(1)
                .flatten()
                .next()
                .map(|m| lossy(m.as_bytes()))
        })
        .collect();
    found.retain(|(_, d)| !examples.iter().any(|example| d.holds(example)));
    // A password the text also writes into a made-up login (a test's `"dbname=x
    // password=shh"` beside its `"postgres://user:shh@host/db"`) is the text's example
    // wherever it is written; a default password recurs in real logins of its own.
    found.retain(|(_, d)| {
        d.local_default || d.default_password || !template_passwords.contains(&d.secret_digest)
    });
    // A value the text's prose calls the default password is a product's well-known
    // default: beside local hosts only (a compose service's `postgres`), it is that
    // local set-up's.
    let defaults: Vec<String> = if found.iter().any(|(_, d)| !d.local_default) {
        p.documented_default
            .captures_iter(text)
            .map(|c| lossy(&c[1]))
            .collect()
    } else {
        Vec::new()
    };
    for (range, d) in &mut found {
        if defaults.iter().any(|default| d.holds(default))
            && facts
                .hosts_near(range.start)
                .iter()
                .all(|host| is_local_host(host))
        {
            d.local_default = true;
        }
    }
    // A value shown just after prose that tells the reader to change the password is
    // the text's sample of where theirs goes; one just under a label calling it bad
    // practice is its example of what not to do.
    let mut instructions: Vec<usize> = p
        .change_instruction
        .find_iter(text)
        .chain(p.bad_practice_label.find_iter(text))
        .map(|m| m.end())
        .collect();
    instructions.sort_unstable();
    found.retain(|(range, _)| {
        !shortly_after(&instructions, range.start)
            || (syntax == Syntax::Document
                && starts_a_section_between(text, &instructions, range.start))
    });
    // A document's value just above prose that tells the reader to change the settings
    // it is among is the same sample.
    if syntax == Syntax::Document {
        let trailing: Vec<usize> = p
            .trailing_change_instruction
            .find_iter(text)
            .map(|m| m.start())
            .collect();
        found.retain(|(range, _)| !shortly_before(&trailing, range.end));
    }
    // A value a test checks is refused (a guard's test that a remote host is turned
    // away: `assert.throws(() => guard("postgresql://postgres:postgres@10.0.0.5/x"))`)
    // is the test's input, not a connection.
    if syntax == Syntax::Code && found.iter().any(|(_, d)| !d.local_default) {
        let checks: Vec<usize> = p
            .expected_failure
            .find_iter(text)
            .map(|m| m.end())
            .collect();
        if !checks.is_empty() {
            found.retain(|(range, d)| {
                d.local_default
                    || !(shortly_after(&checks, range.start)
                        || checked_later_on_its_line(text, &checks, range.end))
            });
        }
    }
    // A setting whose password the text also gives in a live URI to this machine, and
    // in none to another host (GeoNode's `GEONODE_DATABASE_PASSWORD=geonode` beside its
    // `postgis://geonode:geonode@db/geonode`), is that local set-up's; a URI in a
    // comment is a note, not the set-up.
    let uri_secrets = |local: bool| -> HashSet<[u8; 32]> {
        found
            .iter()
            .filter(|(_, d)| {
                matches!(d.kind, Kind::PostgresUri | Kind::DatabaseUrl)
                    && d.local_default == local
                    && !(local
                        && is_commented_out(facts.bounded_line(facts.lines.around(d.offset).0)))
            })
            .map(|(_, d)| d.secret_digest)
            .collect()
    };
    let (local_uris, remote_uris) = (uri_secrets(true), uri_secrets(false));
    if !local_uris.is_empty() {
        for (_, d) in &mut found {
            if matches!(d.kind, Kind::PasswordVariable | Kind::PasswordSetting)
                && local_uris.contains(&d.secret_digest)
                && !remote_uris.contains(&d.secret_digest)
                && !facts.dials_a_public_address_near(d.offset)
            {
                d.local_default = true;
            }
        }
    }
    dedupe(found)
}

/// Whether a refusal check ends on the rest of the line after `offset`
/// (`expect(() => connect("...")).toThrow()`); `checks` holds where each ends, in order.
fn checked_later_on_its_line(text: &[u8], checks: &[usize], offset: usize) -> bool {
    let next = checks.partition_point(|end| *end <= offset);
    checks
        .get(next)
        .is_some_and(|end| !text[offset..*end].contains(&b'\n'))
}

/// Whether `offset` is shown shortly after (within a few lines of) one of `ends`, held
/// in order: prose telling the reader to change the password, a label calling what
/// follows bad practice, a test's check that what follows is refused.
fn shortly_after(ends: &[usize], offset: usize) -> bool {
    const REACH: usize = 400;
    let before = ends.partition_point(|end| *end <= offset);
    before > 0 && offset - ends[before - 1] <= REACH
}

/// Whether a document starts a new section (a Markdown heading or a rule, `---`)
/// between the last of `ends` before `offset` and `offset`: a label's or an
/// instruction's reach ends with its section (a "Never do" list above a table of the
/// passwords a leak exposed).
fn starts_a_section_between(text: &[u8], ends: &[usize], offset: usize) -> bool {
    let before = ends.partition_point(|end| *end <= offset);
    let Some(&from) = before.checked_sub(1).and_then(|i| ends.get(i)) else {
        return false;
    };
    text[from..offset]
        .split(|b| *b == b'\n')
        .skip(1)
        .any(|line| {
            let line = line.trim_ascii();
            line.starts_with(b"#") || (line.len() >= 3 && line.iter().all(|b| *b == b'-'))
        })
}

/// Whether an instruction starts within a few lines after `offset`; `starts` holds
/// where each starts, in order.
fn shortly_before(starts: &[usize], offset: usize) -> bool {
    const REACH: usize = 200;
    let after = starts.partition_point(|start| *start < offset);
    starts
        .get(after)
        .is_some_and(|start| start - offset <= REACH)
}

/// Whether `NAME= word ...` is the shell's empty assignment before a command
/// (`PGPASSWORD= pg_dump -h db`): `=` right after the name, blanks after it, and the
/// word read as the value followed on its line by the command's arguments. A value
/// alone after the blank (`DB_PASSWORD= s3cret` in a `.env`) is still the value.
fn prefixes_a_command(text: &[u8], key: &[u8], value_end: usize) -> bool {
    let separator = key.trim_ascii_end();
    let Some(name) = separator.strip_suffix(b"=") else {
        return false;
    };
    if separator.len() == key.len()
        || !name
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return false;
    }
    // The rest of the line, read a bounded way (a long line of such settings costs no
    // more per setting).
    let rest = text[value_end..text.len().min(value_end + HEAD)]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    !rest.is_empty() && !rest.starts_with(b"#")
}

/// Whether a bare value set with spaces around `=` is a function applied to the words
/// that follow it to the line's end or a `;` (Nix's `POSTGRES_PASSWORD = readFile passwordFile;`), not
/// a literal. A shell can't assign with spaces around `=`, so no command's prefix
/// (`PGPASSWORD=... psql`) reads this way.
fn applies_a_function(text: &[u8], key: &[u8], value: Match) -> bool {
    let Some(name) = key.trim_ascii_end().strip_suffix(b"=") else {
        return false;
    };
    // A function's name: lower camel case, perhaps qualified (`builtins.readFile`).
    let function = value.as_bytes();
    if !name.last().is_some_and(u8::is_ascii_whitespace)
        || !key.last().is_some_and(u8::is_ascii_whitespace)
        || !function.first().is_some_and(u8::is_ascii_lowercase)
        || !function
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
    {
        return false;
    }
    let rest = text[value.end()..text.len().min(value.end() + HEAD)]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let rest = rest.trim_ascii_end();
    let arguments = rest.strip_suffix(b";").unwrap_or(rest);
    rest.first().is_some_and(|b| *b == b' ' || *b == b'\t')
        && arguments
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .all(|word| {
                word.iter().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-' | b'\'')
                })
            })
        && !arguments.trim_ascii().is_empty()
}

/// Whether a bare value in code is a variable's name (`PGPASSWORD: password,` in an
/// object), not a literal.
fn names_a_variable(value: &[u8], syntax: Syntax) -> bool {
    let name = value.strip_suffix(b",").unwrap_or(value);
    syntax == Syntax::Code
        && name
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
}

/// Whether the text from `start` to `end` is a string literal's whole content (PHP's
/// `putenv("PGPASSWORD=...")`): the same quote just before and just after it, so a bare
/// word in it is a value, not code's variable.
fn is_quoted_whole(text: &[u8], start: usize, end: usize) -> bool {
    start > 0 && matches!(text[start - 1], b'"' | b'\'') && text.get(end) == Some(&text[start - 1])
}

/// Whether `NAME: value` is a list's description of the variable, not its setting: the
/// bare "value" is the first of several words that run to the end of the line (a list
/// item naming `PGPASSWORD`, then `: database password`, or `: Database password.`).
fn describes_the_variable(text: &[u8], key: Range<usize>, value_end: usize) -> bool {
    let line_end = text[value_end..]
        .iter()
        .take(HEAD)
        .position(|b| *b == b'\n')
        .map_or(text.len().min(value_end + HEAD), |at| value_end + at);
    let rest = &text[value_end..line_end];
    text[key].trim_ascii_end().ends_with(b":")
        && rest.first() == Some(&b' ')
        && rest
            .trim_ascii()
            .split(|b| *b == b' ')
            .map(|word| word.strip_suffix(b".").unwrap_or(word))
            .all(|word| !word.is_empty() && word.iter().all(u8::is_ascii_alphabetic))
}

/// Whether a role created or altered at `at` with `password` is a local set-up's: in
/// a container's init script (`CREATE USER docker PASSWORD 'docker'`), or a setup script
/// that names no server, a default password or the role's own (`CREATE USER shop
/// PASSWORD 'shop123'`) is for a local database; a document's client run on this
/// machine's socket (`psql -U postgres -c "ALTER USER ... PASSWORD '...'"` in a set-up
/// guide) sets up the reader's own.
fn sets_up_a_local_role(
    facts: &mut LineFacts,
    syntax: Syntax,
    role: &str,
    password: &str,
    at: usize,
) -> bool {
    ((facts.declares_local_database() || facts.is_hostless()) && is_weak_for(role, password))
        || (syntax == Syntax::Document && facts.runs_a_client_on_the_socket(at))
}

/// The literal a conninfo's `password=$name` reads, found where the script set the
/// variable (`$pass = "...";`, `PW='...'`): a local default when the host and user the
/// conninfo reads, followed back the same way, make it one.
fn assigned_password(
    text: &[u8],
    facts: &mut LineFacts,
    name: &str,
    sigil: &str,
    used: usize,
) -> Option<(Range<usize>, Detection)> {
    let (host, user) = facts.conninfo_host_user(used);
    let assignments = facts.assignments();
    let resolve = |field: String| match assigned::variable_read(&field) {
        Some(variable) => assignments
            .literal_before(variable, used)
            .map_or(field.clone(), |value| lossy(&text[value])),
        None => field,
    };
    let (host, user) = (resolve(host), resolve(user));
    variable_literal(text, facts, (sigil, name), (&user, &host), used)
}

/// The variable a URI's password formats in, if that is all it is: Python's `{pw}`,
/// a template literal's or a shell's `${pw}`.
fn interpolated_name(password: &str) -> Option<&str> {
    if password.starts_with('$') {
        assigned::variable_read(password)
    } else if password.starts_with('{') {
        assigned::identifier_read(password)
    } else {
        None
    }
}

/// The literal the variable `name` was last set to before `used`, as a password
/// variable's finding shown as `{sigil}{name}=****` (`$pass`, or a URI's `{pw}` as
/// `pw`): a local default by the user and host it is given to.
fn variable_literal(
    text: &[u8],
    facts: &mut LineFacts,
    (sigil, name): (&str, &str),
    (user, host): (&str, &str),
    used: usize,
) -> Option<(Range<usize>, Detection)> {
    let range = facts.assignments().literal_before(name, used)?;
    let literal = lossy(&text[range.clone()]);
    // A variable followed back to its literal is code's: the word for a password there
    // is meant where the call dials a machine's address (`String mysqlPassword =
    // "password";` given to `getConnection` with a URL to a public address).
    if is_placeholder(&literal) && !is_password_word_to_an_address(&literal, host, Syntax::Code) {
        return None;
    }
    let mut d = detection(
        Kind::PasswordVariable,
        range.start,
        format!("{sigil}{name}=****"),
        &literal,
    );
    d.local_default = facts.is_local_default_to(user, &literal, host);
    Some((range, d))
}

/// Whether a bare `password=` value is code, not the value of a connection string: a
/// variable passed to a call (`connect(host="db", password=password)`), or a call or
/// look-up that yields the password (`password=os.getenv("PGPASSWORD"))`,
/// `password=config["db"]`).
fn is_code_argument(value: &[u8], syntax: Syntax) -> bool {
    // A notebook's source line, JSON-escaped, ends in `\n`.
    let value = value.strip_suffix(b"\\n").unwrap_or(value);
    let starts_a_name = value
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
    let name = value
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
        .count();
    syntax == Syntax::Code
        && starts_a_name
        && match value.get(name) {
            // What ends the argument list after it: a call's `)` or `);`, a
            // definition's `):` (`def connect(host=HOST, password=PASSWORD):`).
            Some(b',' | b')') => {
                value[name..]
                    .iter()
                    .all(|b| matches!(b, b',' | b')' | b':' | b';' | b']' | b'}'))
                    // The next keyword argument with no space after the comma
                    // (`password=password,database='linker'`).
                    || next_keyword_argument(&value[name..])
            }
            Some(b'(' | b'[') => true,
            _ => false,
        }
}

/// Whether what follows a keyword argument's value is a comma and the next keyword
/// argument's name and `=` (`,database=`).
fn next_keyword_argument(rest: &[u8]) -> bool {
    let Some(after) = rest.strip_prefix(b",") else {
        return false;
    };
    let name = after
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    name > 0 && after[name..].trim_ascii_start().starts_with(b"=")
}

/// A bare conninfo value without the markup closing a document's element after it
/// (`<p>host=localhost ... password=docker</p>` holds `docker`).
fn without_closing_tag(value: &str) -> String {
    match value.rfind("</") {
        Some(at)
            if at > 0
                && value.ends_with('>')
                && value[at + 2..value.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric()) =>
        {
            value[..at].to_string()
        }
        _ => value.to_string(),
    }
}

/// A bare value up to an HTML-escaped quote, which ends it where a page quotes a string
/// (`new PDO(&apos;pgsql:... password=examplepass&apos;)` holds `examplepass`).
fn before_escaped_quote(value: &str) -> String {
    const ESCAPED_QUOTES: &[&str] = &["&apos;", "&quot;", "&#39;", "&#34;", "&#x27;", "&#x22;"];
    let lower = value.to_ascii_lowercase();
    ESCAPED_QUOTES
        .iter()
        .filter_map(|quote| {
            let bare = quote.trim_end_matches(';');
            lower
                .find(quote)
                .or_else(|| lower.strip_suffix(bare).map(str::len))
        })
        .min()
        .filter(|at| *at > 0)
        .map_or_else(|| value.to_string(), |at| value[..at].to_string())
}

/// A bare value up to a string's escaped line break, which ends it where a string
/// literal holds several lines (a form's placeholder showing a conninfo whose password
/// is `p`, then `\n` and the next format's settings, holds `p`; escaped again inside
/// another string, `\\n`, the same).
fn before_escaped_line_break(value: &str) -> String {
    ["\\n", "\\r"]
        .iter()
        .filter_map(|escape| value.find(escape))
        .min()
        .map(|at| value[..at].trim_end_matches('\\'))
        .filter(|before| !before.is_empty())
        .map_or_else(|| value.to_string(), str::to_string)
}

/// Whether a role's password is a verifier the server stores (SCRAM or MD5), which is
/// not the password.
pub(super) fn is_verifier(value: &str) -> bool {
    value.starts_with("SCRAM-SHA-256$")
        || (value.len() == 35
            && value.starts_with("md5")
            && value[3..].bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The passwords of a PgBouncer auth_file: a file whose every line (comments aside) is
/// `"user" "password"`. Verifiers and placeholders are not passwords.
fn userlist(text: &[u8], line_pattern: &Regex) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive(|b| *b == b'\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b";") || trimmed.starts_with(b"#") {
            continue;
        }
        let Some(c) = line_pattern.captures(line.strip_suffix(b"\n").unwrap_or(line)) else {
            return Vec::new();
        };
        let (user, password) = (c.get(1).expect("user"), c.get(2).expect("password"));
        let secret = lossy(password.as_bytes()).replace("\"\"", "\"");
        if is_verifier(&secret) || is_placeholder(&secret) {
            continue;
        }
        let at = start + user.start() - 1;
        found.push((
            at..start + password.end() + 1,
            detection(
                Kind::PgbouncerUserlist,
                at,
                format!("\"{}\" \"****\"", lossy(user.as_bytes())),
                &secret,
            ),
        ));
    }
    found
}

/// Per-line facts, each computed on first use and kept.
struct LineFacts<'a> {
    text: &'a [u8],
    lines: &'a Lines,
    keyword: HashMap<usize, bool>,
    semicolon_host: HashMap<usize, bool>,
    allow: HashMap<usize, bool>,
    /// Where a comment that says to put your own value there begins, per line.
    replace_comment: HashMap<usize, Option<usize>>,
    /// Where the first DATABASE_URL on the line ends, if there is one.
    database_url_end: HashMap<usize, Option<usize>>,
    /// Whether the text declares a local database (a fact of the whole text).
    local_database: Option<bool>,
    /// Whether the text names no host at all, read on first use.
    hostless: Option<bool>,
    /// Whether the text holds a `/p` anywhere, as a batch prompt's `set /p` does: where
    /// none is, no finding is looked at for one. Read on first use.
    reads_prompts: Option<bool>,
    /// Whether the text is a CI pipeline that starts a PostgreSQL service container.
    ci_service: Option<bool>,
    /// Whether the text starts a test's throwaway container (Testcontainers), read once.
    test_container: Option<bool>,
    /// Whether the text declares test cases, read once.
    test_cases: Option<bool>,
    /// The strings the text says output must not hold (`kept_out_line`), read once.
    kept_out: Option<HashSet<String>>,
    /// The strings the text's assertions quote (`asserted_line`) that hold a login, and
    /// where each is, read once.
    asserted: Option<Vec<(Range<usize>, String)>>,
    /// The user names the text sets (`POSTGRES_USER: app`), read on first use.
    user_names: Option<Vec<String>>,
    /// The users the text's URIs log in as (`postgres://pgdog:...@`), read on first use.
    uri_users: Option<Vec<String>>,
    database_names: Option<Vec<String>>,
    /// The host and user of each line's Npgsql or ODBC string, read once per line.
    semicolon_fields: HashMap<usize, (String, String)>,
    /// The host and user of each line's conninfo string (with the string pieces above
    /// it that it continues), read once per line.
    conninfo_fields: HashMap<usize, (String, String)>,
    /// The literals the text assigns to variables, read on first use.
    assignments: Option<assigned::Assignments>,
    /// Whether the text sets `PGHOST` anywhere, read on first use.
    pghost: Option<bool>,
    /// Whether the text is a lesson on leaked secrets, read on first use.
    lesson_on_leaks: Option<bool>,
    /// Whether the text installs another engine and names PostgreSQL nowhere, read on
    /// first use.
    only_another_engine: Option<bool>,
    django_engine_elsewhere: Option<bool>,
    assertions: Option<bool>,
    /// Whether every host the text names is this machine or one of its containers,
    /// read on first use.
    only_local_hosts: Option<bool>,
    /// Whether every host the text sets is one label naming a user it sets, read on
    /// first use.
    hosts_named_for_users: Option<bool>,
    /// Whether a host setting falls back to a host off this machine, read on first use.
    remote_fallback_hosts: Option<Vec<usize>>,
}

impl<'a> LineFacts<'a> {
    fn new(text: &'a [u8], lines: &'a Lines) -> Self {
        LineFacts {
            text,
            lines,
            keyword: HashMap::new(),
            semicolon_host: HashMap::new(),
            allow: HashMap::new(),
            replace_comment: HashMap::new(),
            database_url_end: HashMap::new(),
            local_database: None,
            hostless: None,
            reads_prompts: None,
            ci_service: None,
            test_container: None,
            test_cases: None,
            kept_out: None,
            asserted: None,
            user_names: None,
            uri_users: None,
            database_names: None,
            semicolon_fields: HashMap::new(),
            conninfo_fields: HashMap::new(),
            assignments: None,
            pghost: None,
            lesson_on_leaks: None,
            only_another_engine: None,
            django_engine_elsewhere: None,
            assertions: None,
            only_local_hosts: None,
            hosts_named_for_users: None,
            remote_fallback_hosts: None,
        }
    }

    /// Whether the text's host setting falls back to a host off this machine
    /// (`env('DATABASE_HOST', 'db-1.abc.eu-west-1.rds.amazonaws.com')`,
    /// `${PGHOST:-10.0.4.7}`, a URL variable's `getenv("DB_URL") ?: "jdbc:postgresql://
    /// pg.acme.io/app"`): a name under a domain or an address that is not
    /// loopback's or a container's. Read once, as every fallback password asks it.
    fn falls_back_to_a_remote_host(&mut self) -> bool {
        !self.remote_fallback_hosts().is_empty()
    }

    /// Whether such a fallback to a host off this machine is set within a few lines of
    /// `offset`: the same call or block of settings.
    fn falls_back_to_a_remote_host_near(&mut self, offset: usize) -> bool {
        let (at, _) = self.lines.around(offset);
        let lines = self.lines;
        self.remote_fallback_hosts()
            .iter()
            .any(|&host| lines.around(host).0.abs_diff(at) <= CONTEXT_LINES)
    }

    /// Where the text's fallbacks to a host off this machine are, read once.
    fn remote_fallback_hosts(&mut self) -> &[usize] {
        let text = self.text;
        self.remote_fallback_hosts.get_or_insert_with(|| {
            patterns()
                .fallback
                .captures_iter(text)
                .filter(|c| {
                    let (name, value) = matched_pair(c, FALLBACK_GROUPS);
                    let name = lossy(name.as_bytes()).to_ascii_uppercase();
                    let value = unquote(value.as_bytes());
                    // A URL's host where the variable is a URL (`DB_URL`, `DATABASE_URI`).
                    let host = if ["URL", "URI", "DSN"].iter().any(|word| name.contains(word)) {
                        structured::call_host(value.as_bytes()).unwrap_or_default()
                    } else if name.contains("HOST") {
                        value
                    } else {
                        return false;
                    };
                    host.contains('.')
                        && !is_documentation_address(&host)
                        && !is_local_host(&host)
                        && !is_loopback_address(host.as_bytes())
                        && !is_placeholder(&host)
                        && !is_made_up_host(&host)
                })
                .map(|c| c.get(0).expect("match").start())
                .collect()
        })
    }

    /// The literals the text assigns to variables (`$pass = "...";`), read on first use.
    fn assignments(&mut self) -> &assigned::Assignments {
        let text = self.text;
        self.assignments
            .get_or_insert_with(|| assigned::Assignments::new(text))
    }

    /// Whether a user, password and host are a local default: one on loopback or a
    /// service container's name (`is_local_default`), a default password (or the
    /// user's own) to a host of one label where the text sets up a local database
    /// (`host=primary user=shop password=shop` in a container's replica script), or the
    /// database's own name on this machine (`host=localhost;dbname=nominatim;...;
    /// password=nominatim`).
    fn is_local_default_to(&mut self, user: &str, password: &str, host: &str) -> bool {
        is_local_default(user, password, host)
            || (is_single_label(host)
                && self.declares_local_database()
                && is_weak_for(user, password))
            || (is_local_host(host)
                && (self
                    .database_names()
                    .iter()
                    .any(|database| names_the_database(password, database))
                    || self.is_another_logins_own(password)))
    }

    /// Whether a password is the own password of a user another login of the text names
    /// (`admin:pgdog@127.0.0.1` beside `pgdog:pgdog@127.0.0.1`, a pooler's set-up):
    /// on this machine, a set-up's users and passwords are made from the same few names.
    fn is_another_logins_own(&mut self, password: &str) -> bool {
        let text = self.text;
        let lower = password.to_ascii_lowercase();
        let uri_users = self.uri_users.get_or_insert_with(|| {
            distinct(
                patterns()
                    .uri
                    .captures_iter(text)
                    .map(|c| lossy(&c[2]).to_ascii_lowercase()),
            )
        });
        uri_users
            .iter()
            .any(|user| users_own_passwords(user).any(|own| own == lower))
    }

    /// Whether the text names no host anywhere (and provisions no managed database, whose
    /// host the cloud assigns: Terraform's `aws_db_instance`, Pulumi's `rds.Instance`, the
    /// CDK's `DatabaseInstance`): no host or server setting, no endpoint, no `@host` of a
    /// URI nor a URL's dotted host (`jdbc:postgresql://pg.acme.world/db`), no address but
    /// loopback's (a host a driver is given by position: `PostgreSQLConnection('10.1.2.3',
    /// 5432, ...)`). A driver told no host
    /// connects to this machine (libpq's socket, node-postgres', TypeORM's and knex's
    /// `localhost`), so a default password in code's connection settings that name none
    /// is a local one. (Configuration that names no host may deploy the database itself,
    /// as a Helm release does.)
    fn is_hostless(&mut self) -> bool {
        let text = self.text;
        *self.hostless.get_or_insert_with(|| {
            !patterns().provisions_managed_database.is_match(text)
                && !patterns().names_a_host.find_iter(text).any(|m| {
                    !declares_a_parameter(&text[m.end()..])
                        && !sets_the_word_for_a_host(&text[m.end()..])
                        && !sets_no_literal_host(m.as_bytes(), &text[m.end()..])
                        && !is_a_uri_named_host(text, m.range())
                        && !opens_a_word(text, m.start())
                        && !inside_a_web_link(text, m.start())
                        && !ends_an_email(text, m.start())
                        && !names_a_shell_prompts_machine(text, m.start())
                        && !is_loopback_address(m.as_bytes())
                        && !is_an_emulators_host(&lossy(m.as_bytes()))
                })
                && !patterns().uri_authority_host.captures_iter(text).any(|c| {
                    let host = c.get(1).expect("host");
                    let name = lossy(host.as_bytes());
                    !inside_a_web_link(text, host.start())
                        && !is_loopback_address(host.as_bytes())
                        && !is_local_host(&name)
                        && !is_placeholder(&name)
                        && !is_made_up_host(&name)
                        && !is_documentation_address(&name)
                        && !is_an_emulators_host(&name)
                })
        })
    }

    /// Whether the text declares a local database (a compose or CI service's
    /// `image: postgres...`, `docker run ... postgres`, `POSTGRES_HOST=localhost`, a
    /// command's own environment `DB_PGSQL_HOSTNAME=quassel-db ./quasselcore`), whose
    /// password a default one only sets up locally.
    fn declares_local_database(&mut self) -> bool {
        let (text, lines) = (self.text, self.lines);
        *self.local_database.get_or_insert_with(|| {
            // A local database only commented out (`// setJdbcUrl("jdbc:postgresql://
            // localhost/...")`) beside a host the code does dial off this machine, written
            // out, is the code's past set-up, not the one its password is for.
            let p = patterns();
            let mut hints = p.local_database.find_iter(text).peekable();
            if hints.peek().is_none() {
                return false;
            }
            let on_a_live_line = |at: usize| !is_commented_out(&text[lines.around(at).1]);
            hints.any(|m| on_a_live_line(m.start()))
                || !p.host_setting.captures_iter(text).any(|c| {
                    let host = c.iter().skip(1).flatten().next().expect("a host group");
                    let literal = !host.as_bytes().iter().any(|b| matches!(b, b'$' | b'{'));
                    literal
                        && on_a_live_line(host.start())
                        && !is_local_host(&lossy(host.as_bytes()))
                })
        })
    }

    /// Whether the text is a CI pipeline that starts a PostgreSQL service container, or a
    /// test's set-up that starts a throwaway one (Testcontainers): the container lives
    /// as long as the job, so whatever password it is given, and a URI to it on loopback,
    /// opens no database that outlives the run.
    fn is_ci_service(&mut self) -> bool {
        if let Some(known) = self.ci_service {
            return known;
        }
        let ci_service = self.starts_a_test_container()
            || (self.declares_local_database() && patterns().ci_workflow.is_match(self.text));
        self.ci_service = Some(ci_service);
        ci_service
    }

    /// Whether a password a variable is set to is a well-known local default: the text
    /// declares a local database (a service container, a host on loopback) and the
    /// password is a default one, a user name the text sets (`POSTGRES_USER:
    /// circleci`, `POSTGRES_PASSWORD: circleci`) or the database it sets
    /// (`POSTGRES_DB=coffee`, `POSTGRES_PASSWORD=coffee`).
    fn is_local_default_variable(&mut self, password: &str) -> bool {
        // PostgreSQL's own default where the text names no host at all: a container's
        // set-up (`IMMICH_POSTGRES_PASSWORD=postgres # Connection secret for postgres`).
        if !self.declares_local_database() {
            return matches!(
                password.to_ascii_lowercase().as_str(),
                "postgres" | "postgresql"
            ) && self.is_hostless();
        }
        let lower = password.to_ascii_lowercase();
        is_default_password(password)
            || self.user_names().iter().any(|user| {
                users_own_passwords(user).any(|own| own == password)
                    || names_itself_with_qualifiers(user, &lower)
            })
            || self
                .database_names()
                .iter()
                .any(|database| names_the_database(password, database))
    }

    /// Whether the text is a test's set-up that starts a throwaway PostgreSQL container
    /// (Testcontainers, in any language): a password it gives, or a client of it
    /// sends, opens nothing that outlives the test run.
    fn starts_a_test_container(&mut self) -> bool {
        if let Some(known) = self.test_container {
            return known;
        }
        let test_container =
            self.declares_local_database() && patterns().test_container.is_match(self.text);
        self.test_container = Some(test_container);
        test_container
    }

    /// Whether the text declares test cases (`it("parses a URL", ...)`, `def test_...`):
    /// a login on this machine in a test suite is the test's fixture, whatever its
    /// password, as a CI job's service container's is. A method named `test_...` is a
    /// test only in a class that holds tests: an application's
    /// `DatabaseConnection.test_connection(self)` checks its own database.
    fn declares_test_cases(&mut self) -> bool {
        let text = self.text;
        *self.test_cases.get_or_insert_with(|| {
            let p = patterns();
            p.test_case.is_match(text)
                || (p.python_test_method.is_match(text) && p.python_test_class.is_match(text))
        })
    }

    /// Whether the text also lists `secret` among the strings output must not hold (a
    /// redaction test's `forbidden: ['...']`, `assert '...' not in out`): the secret is
    /// the test's input, made up to be caught, not a login. The strings on such lines
    /// are read once.
    fn keeps_out_of_output(&mut self, secret: &str) -> bool {
        let text = self.text;
        self.kept_out
            .get_or_insert_with(|| {
                quoted_on_lines(&patterns().kept_out_line, text)
                    .map(|(_, quoted)| quoted)
                    .collect()
            })
            .contains(secret)
    }

    /// Whether a test asserts what its code's output holds with another string carrying
    /// the URI's login as written (`assert.Contains(t, dsn, "alice:s3cr%40t@10.0.0.9")`
    /// after `base: "postgres://alice:s3cr%40t@..."`), or the password alone
    /// (`assertEquals("secret", props.getProperty("password"))` after splitting
    /// `"jdbc:postgresql://postgres:secret@..."`): the URI is the input of the code under
    /// test, a parser's or a rewriter's, not a login. A URI the assertion itself quotes
    /// is not so told (`assertEquals("postgresql://app:...@...", url)`). The strings the
    /// assertions quote are read once.
    fn asserts_the_login_in_output(&mut self, uri_start: usize, user: &str, written: &str) -> bool {
        let text = self.text;
        let login = format!("{user}:{written}@");
        self.asserted
            .get_or_insert_with(|| quoted_on_lines(&patterns().asserted_line, text).collect())
            .iter()
            .any(|(at, quoted)| {
                !at.contains(&uri_start) && (quoted.contains(&login) || quoted == written)
            })
    }

    /// The user names the text sets, read on first use.
    fn user_names(&mut self) -> &[String] {
        let text = self.text;
        self.user_names.get_or_insert_with(|| {
            distinct(patterns().user_setting.captures_iter(text).filter_map(|c| {
                c.iter()
                    .skip(1)
                    .flatten()
                    .next()
                    .map(|m| fallback_of(&lossy(m.as_bytes())))
            }))
        })
    }

    /// The databases the text gives a container or a client (`POSTGRES_DB=coffee`,
    /// `dbname=coffee`), read on first use.
    fn database_names(&mut self) -> &[String] {
        let text = self.text;
        self.database_names.get_or_insert_with(|| {
            patterns()
                .database_setting
                .captures_iter(text)
                .filter_map(|c| c.get(1).or_else(|| c.get(2)))
                .map(|name| lossy(name.as_bytes()))
                .collect()
        })
    }

    /// Whether every user the text sets is named as an example (`example_user`,
    /// `sample_reader`, `your_user`, a pooler's `postgres.your-tenant-id` whose tenant
    /// is the reader's), and it sets one at least.
    fn sets_only_example_users(&mut self) -> bool {
        let users = self.user_names();
        !users.is_empty()
            && users.iter().all(|user| {
                let lower = user.to_ascii_lowercase();
                lower.contains("example")
                    || lower.contains("sample")
                    || lower.starts_with("your")
                    || user.split('.').skip(1).any(is_readers_label)
            })
    }

    /// The letters and lengths of the users the text sets, where every one is a letter
    /// said over (`AAA`, `xxx`), and it sets one at least: a login of stand-ins, whose
    /// password is another letter said over (`BBB`; the same letter, `www` for `www`,
    /// is the user's own).
    fn stand_in_users(&mut self) -> Vec<(u8, usize)> {
        let users = self.user_names();
        let said_over = |user: &String| {
            let first = *user.as_bytes().first()?;
            (user.len() >= 2 && first.is_ascii_alphabetic() && user.bytes().all(|b| b == first))
                .then_some((first, user.len()))
        };
        users
            .iter()
            .map(said_over)
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    }

    /// Whether every user the text sets is the word for a user (`user`, `username`), and
    /// it sets one at least.
    fn sets_only_user_words(&mut self) -> bool {
        let users = self.user_names();
        !users.is_empty()
            && users.iter().all(|user| {
                matches!(
                    user.to_ascii_lowercase().as_str(),
                    "user"
                        | "username"
                        | "user_name"
                        | "usuario"
                        | "login"
                        | "db_user"
                        | "dbuser"
                        | "myuser"
                        | "my_user"
                        | "youruser"
                        | "your_user"
                )
            })
    }

    /// Whether a setting's password, known by its digest, is a local default: a default
    /// one or a user name the text sets (Zabbix's `$DB['USER']` and `$DB['PASSWORD']`
    /// both `zabbix`), beside a local database; or the user's name itself
    /// where the text names no host at all (Puppet's `postgresql_password('admin',
    /// 'admin')`, Viper's `SetDefault("postgres.pass", "guest")` after `"postgres.user",
    /// "guest"`). A password only made from the name (`app123`) is not enough there: a
    /// manifest that names no host may deploy the database itself.
    fn is_local_default_setting(&mut self, d: &Detection) -> bool {
        if self.declares_local_database() {
            return d.default_password
                || self.starts_a_test_container()
                || self.declares_test_cases()
                || self.user_names().iter().any(|user| {
                    users_own_passwords(user).any(|own| d.holds_as_written_or_in_leet(&own))
                });
        }
        if self.hosts_name_only_its_users() {
            return self.user_names().iter().any(|user| {
                users_own_passwords(user).any(|own| d.holds_as_written_or_in_leet(&own))
            });
        }
        self.is_hostless() && self.user_names().iter().any(|user| d.holds(user))
    }

    /// Whether the hosts the text sets, written out on live lines, are each one label
    /// naming a user the text sets (`$db_host = 'evergreen'` beside `$db_user =
    /// 'evergreen'`): the product's own container, named for it as its user is, so a
    /// password made from that user's name is the container's set-up.
    fn hosts_name_only_its_users(&mut self) -> bool {
        if let Some(known) = self.hosts_named_for_users {
            return known;
        }
        let (text, lines) = (self.text, self.lines);
        let hosts: Vec<String> = patterns()
            .host_setting
            .captures_iter(text)
            .filter_map(|c| c.iter().skip(1).flatten().next())
            .filter(|host| !is_commented_out(&text[lines.around(host.start()).1]))
            .map(|host| lossy(host.as_bytes()))
            .collect();
        let named = !hosts.is_empty() && {
            let users = self.user_names();
            hosts.iter().all(|host| {
                users
                    .iter()
                    .any(|user| is_the_users_own_container(user, host))
            })
        };
        self.hosts_named_for_users = Some(named);
        named
    }

    /// A 0-based line with its newline, read a bounded way (a long line costs the checks
    /// that read lines near a match no more than a short one).
    fn bounded_line(&self, n: usize) -> &'a [u8] {
        let start = self.lines.start_of(n);
        let end = if n + 1 < self.lines.count() {
            self.lines.start_of(n + 1)
        } else {
            self.text.len()
        };
        &self.text[start..end.min(start + HEAD * 4)]
    }

    /// Whether the line at `offset` is commented out in a block of commented lines, three
    /// either way at most, one of which dials a host off this machine, written out
    /// (a commented JDBC URL to a public address over a commented `password` set to
    /// PostgreSQL's default): a set-up put aside whole, its password for that host
    /// whatever local database the live lines use.
    fn set_aside_with_a_remote_host(&self, offset: usize) -> bool {
        self.set_aside_hosts(offset)
            .iter()
            .any(|host| !is_local_host(host) && !is_made_up_host(host))
    }

    /// Whether the line at `offset` is commented out in a block of commented lines (as
    /// `set_aside_with_a_remote_host` reads it) that names hosts, all of them this
    /// machine's: a local set-up put aside beside the live one, its password for it.
    fn set_aside_with_only_local_hosts(&self, offset: usize) -> bool {
        let hosts = self.set_aside_hosts(offset);
        !hosts.is_empty() && hosts.iter().all(|host| is_local_host(host))
    }

    /// The literal hosts a commented-out block holding `offset` sets (three commented
    /// lines either way at most, and its own line); none where the line is live.
    fn set_aside_hosts(&self, offset: usize) -> Vec<String> {
        let line = |n: usize| self.bounded_line(n);
        let (at, _) = self.lines.around(offset);
        if !is_commented_out(line(at)) {
            return Vec::new();
        }
        let hosts_in = |text: &[u8]| -> Vec<String> {
            patterns()
                .host_setting
                .captures_iter(text)
                .map(|c| {
                    let host = c.iter().skip(1).flatten().next().expect("a host group");
                    lossy(host.as_bytes())
                })
                .filter(|host| !host.contains(['$', '{', '<']))
                .collect()
        };
        let up = (at.saturating_sub(3)..at).rev();
        let down = at + 1..(at + 4).min(self.lines.count());
        let mut hosts = hosts_in(line(at));
        for side in [up.collect::<Vec<_>>(), down.collect()] {
            for text in side.iter().map(|&n| line(n)) {
                if !is_commented_out(text) {
                    break;
                }
                hosts.extend(hosts_in(text));
            }
        }
        hosts
    }

    /// Whether a setting's password, known by its digest, is weak for a user on its own
    /// line that also names loopback: a call's arguments (`Connection("localhost", 5432,
    /// "app", username: "app", password: "app")`).
    fn is_weak_beside_loopback(&mut self, d: &Detection) -> bool {
        let (_, range) = self.lines.around(d.offset);
        let line = &self.text
            [range.start.max(d.offset.saturating_sub(HEAD))..range.end.min(d.offset + HEAD)];
        let p = patterns();
        if !p.loopback_literal.is_match(line) {
            return false;
        }
        d.default_password
            || p.user_setting.captures_iter(line).any(|c| {
                c.iter().skip(1).flatten().next().is_some_and(|user| {
                    users_own_passwords(&lossy(user.as_bytes()).to_ascii_lowercase())
                        .any(|own| d.holds(&own))
                })
            })
    }

    /// Whether the line holding `offset` runs PostgreSQL's client (`psql`, `pg_dump`, ...)
    /// with no host, which connects over this machine's socket (`export PGPASSWORD=...;
    /// psql -U ambari`): no host option, `host=` or URI on the line, and no `PGHOST` set
    /// anywhere in the text.
    fn runs_a_client_on_the_socket(&mut self, offset: usize) -> bool {
        let (_, range) = self.lines.around(offset);
        let line = &self.text[range.start..range.end.min(range.start + HEAD * 4)];
        let p = patterns();
        p.client_command.is_match(line) && !p.client_host.is_match(line) && !self.sets_pghost()
    }

    /// Whether the first client command on the line holding `offset` or the three after
    /// it connects to a host documentation makes up (`psql -h your-db-host`, `-h
    /// <host>`, `-h db.example.com`): the password set for that command is the text's
    /// example.
    fn client_names_a_placeholder_host(&self, offset: usize) -> bool {
        let (first, _) = self.lines.around(offset);
        let last = (first + 4).min(self.lines.count());
        let p = patterns();
        (first..last)
            .find_map(|n| {
                p.client_host_value
                    .captures(self.bounded_line(n))
                    .map(|c| lossy(&c[1]).to_ascii_lowercase())
            })
            .is_some_and(|host| is_made_up_host(&host))
    }

    /// Whether a host set within four lines of `offset` is the reader's to fill in
    /// (`host='db.YOUR_PROJECT_ID.supabase.co'` in the call that sets the password, a
    /// URI's `<host>` in the setting above it), or an address no machine has
    /// (`jdbc:postgresql://123.456.0.1:5432/test_db`) or a cloud's metadata service, where
    /// no database answers: the password set beside it is the text's example.
    fn sets_a_readers_host_near(&self, offset: usize) -> bool {
        self.hosts_near(offset)
            .iter()
            .any(|host| is_readers_host(host) || answers_no_database(host))
    }

    /// Whether a live line within four of `offset` sets a public IPv4 address in its code
    /// (not one set aside for documentation, not in a comment).
    fn dials_a_public_address_near(&self, offset: usize) -> bool {
        self.lines_near(offset)
            .filter(|line| !is_commented_out(line))
            .flat_map(|line| hosts_set_in(&code_of(line)))
            .any(|host| {
                let address = without_port(&host);
                is_ipv4_address(address)
                    && is_public_address(address)
                    && !is_documentation_address(address)
            })
    }

    /// Whether the line holding `offset` dials hosts of its own, all of them this
    /// machine's (a commented-out `getConnection("jdbc:postgresql://localhost/...",
    /// "postgres", "...")` under a live one to a public address): the password there is
    /// for the host its own line names, not a neighbour's.
    fn dials_only_local_hosts_on_its_line(&self, offset: usize) -> bool {
        let (line, _) = self.lines.around(offset);
        let hosts = hosts_set_in(self.bounded_line(line));
        !hosts.is_empty() && hosts.iter().all(|host| is_local_host(host))
    }

    /// The hosts set within four lines of `offset` (keys, keyword arguments, variables,
    /// URIs).
    fn hosts_near(&self, offset: usize) -> Vec<String> {
        self.lines_near(offset).flat_map(hosts_set_in).collect()
    }

    /// The lines within four of the one holding `offset`, each read a bounded way.
    fn lines_near(&self, offset: usize) -> impl Iterator<Item = &'a [u8]> + '_ {
        let (line, _) = self.lines.around(offset);
        let first = line.saturating_sub(4);
        let last = (line + 5).min(self.lines.count());
        (first..last).map(|n| self.bounded_line(n))
    }

    /// Whether the text runs PostgreSQL's clients (`dropdb -U app shop`, `psql -U app`)
    /// and names no host anywhere, nor `PGHOST`: a script for this machine's socket.
    fn runs_clients_with_no_host(&mut self) -> bool {
        let text = self.text;
        patterns().client_command.is_match(text) && !self.sets_pghost() && self.is_hostless()
    }

    /// Whether the text installs another engine's server (`apt install mysql-server`,
    /// `dnf install mariadb-server`, `docker run ... mariadb`) and names PostgreSQL
    /// nowhere: the database a provisioning script sets a password for is that one.
    fn installs_only_another_engine(&mut self) -> bool {
        let text = self.text;
        *self.only_another_engine.get_or_insert_with(|| {
            patterns().installs_another_engine.is_match(text) && !structured::names_postgres(text)
        })
    }

    /// Whether the text opens a test's assertion call anywhere (`assert!(`,
    /// `assertEquals(`), read once: only then is a URI's statement read for one.
    fn has_assertions(&mut self) -> bool {
        let text = self.text;
        *self
            .assertions
            .get_or_insert_with(|| patterns().assertion_call.is_match(text))
    }

    /// Whether the text's Django settings set another engine and PostgreSQL nowhere
    /// (`DATABASE_ENGINE = 'mysql'` under a comment listing `'postgresql_psycopg2'` among
    /// the choices): the settings' password is that engine's.
    fn sets_another_django_engine(&mut self) -> bool {
        let text = self.text;
        *self.django_engine_elsewhere.get_or_insert_with(|| {
            let p = patterns();
            p.django_other_engine.is_match(text) && !p.django_postgres_engine.is_match(text)
        })
    }

    /// Whether the text is a lesson on leaked secrets: it speaks of a vulnerability, of
    /// OWASP or CWE-798, or of a secret scanner (gitleaks, TruffleHog, detect-secrets).
    /// Such a text makes up the credentials it shows as the lesson's material (`const
    /// DB_PASSWORD = ...` under "SECURITY VULNERABILITY: hardcoded credentials").
    fn is_lesson_on_leaks(&mut self) -> bool {
        let text = self.text;
        *self
            .lesson_on_leaks
            .get_or_insert_with(|| patterns().lesson_on_leaks.is_match(text))
    }

    /// Whether the text names this machine (`localhost`, `127.0.0.1`) or starts
    /// containers on it (`docker compose up`, `docker run`), and no host off it (nor a
    /// Cloud SQL instance's socket): every
    /// name under a domain and every address it gives, outside its web and mail
    /// addresses, is loopback or a container's way back to it. A set-up guide that
    /// names only these shows the passwords of the reader's own local database.
    fn names_only_local_hosts(&mut self) -> bool {
        let text = self.text;
        *self.only_local_hosts.get_or_insert_with(|| {
            let p = patterns();
            let subnets = docker_subnets(text);
            if !p.loopback_named.is_match(text)
                && !p.starts_containers.is_match(text)
                && subnets.is_empty()
            {
                return false;
            }
            // Cloud SQL's proxy socket (`?host=/cloudsql/proj:region:inst`) leads to an
            // instance in Google's cloud, whatever machine the socket is on.
            if text.windows(10).any(|w| w == b"/cloudsql/") {
                return false;
            }
            let web: Vec<Range<usize>> = p.web_address.find_iter(text).map(|m| m.range()).collect();
            p.remote_host.find_iter(text).all(|m| {
                let first_not_before = web.partition_point(|w| w.end <= m.start());
                let inside_web = web
                    .get(first_not_before)
                    .is_some_and(|w| w.start <= m.start());
                inside_web
                    || is_image_tag(text, m.range())
                    || is_loopback_address(m.as_bytes())
                    || is_local_host(&lossy(m.as_bytes()))
                    || ipv4_bits(&lossy(m.as_bytes())).is_some_and(|address| {
                        subnets
                            .iter()
                            .any(|(network, mask)| address & mask == network & mask)
                    })
            })
        })
    }

    /// Whether the text sets `PGHOST` anywhere, read on first use.
    fn sets_pghost(&mut self) -> bool {
        let text = self.text;
        *self
            .pghost
            .get_or_insert_with(|| text.windows(6).any(|w| w == b"PGHOST"))
    }

    /// Whether the line holding `offset` names a libpq keyword (host=, user=, ...).
    fn has_libpq_keyword(&mut self, offset: usize) -> bool {
        let (line, range) = self.lines.around(offset);
        let text = self.text;
        *self
            .keyword
            .entry(line)
            .or_insert_with(|| patterns().libpq_keyword.is_match(&text[range]))
    }

    /// Whether one of the three lines above the one holding `offset` has a libpq
    /// keyword on it.
    fn has_libpq_keyword_above(&mut self, offset: usize) -> bool {
        let (line, _) = self.lines.around(offset);
        (line.saturating_sub(3)..line).any(|above| {
            let start = self.lines.start_of(above);
            self.has_libpq_keyword(start)
        })
    }

    /// Whether the line holding `offset` is a string piece that continues a conninfo
    /// string begun on the lines above (Python's adjacent literals, `"host=db "` then
    /// `"password=..."`): it starts with a quote and one of the three lines above is a
    /// string piece that starts with a libpq keyword; or the line above, holding a libpq
    /// keyword, ends in a backslash that continues the string.
    fn continues_conninfo(&self, offset: usize) -> bool {
        let (line, range) = self.lines.around(offset);
        // A string continued with a backslash at the line's end (Rust's, C's, a shell's
        // `"host=localhost user=app \` then `password=... \`).
        let continued = line > 0 && {
            let (_, above) = self.lines.around(self.lines.start_of(line - 1));
            let above = self.text[above].trim_ascii_end();
            above.ends_with(b"\\")
                && patterns()
                    .libpq_keyword
                    .is_match(&above[above.len().saturating_sub(HEAD)..])
        };
        if continued || self.inside_a_quoted_conninfo(line) {
            return true;
        }
        let first = self.text[range].iter().find(|b| !b.is_ascii_whitespace());
        if !matches!(first, Some(b'"' | b'\'')) {
            return false;
        }
        (line.saturating_sub(3)..line).any(|above| {
            let (_, range) = self.lines.around(self.lines.start_of(above));
            // The start of the line is enough, and bounds the work on a long one.
            let head = &self.text[range.start..range.end.min(range.start + HEAD)];
            let piece = lossy(head);
            let inside = piece
                .trim_start()
                .trim_start_matches(['f', 'b', 'r', '"', '\'']);
            patterns()
                .libpq_keyword
                .find(inside.as_bytes())
                .is_some_and(|keyword| keyword.start() == 0)
        })
    }

    /// Whether line `line`, which begins with the password, sits inside one quoted
    /// conninfo written a keyword to a line: the lines above it back to the quote that
    /// opened it hold one keyword each (dblink's `dblink('dbname=remote` then `host=...`
    /// then `password=...'`, Go's raw string opened by a backtick that ends its line, a
    /// YAML block scalar's `primary_conninfo: |`).
    fn inside_a_quoted_conninfo(&self, line: usize) -> bool {
        let (_, range) = self.lines.around(self.lines.start_of(line));
        let head = &self.text[range.start..range.end.min(range.start + HEAD)];
        if !lossy(head)
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("password")
        {
            return false;
        }
        let keyword_first = |text: &str| {
            patterns()
                .libpq_keyword
                .find(text.as_bytes())
                .is_some_and(|keyword| keyword.start() == 0)
        };
        for above in (line.saturating_sub(8)..line).rev() {
            let (_, range) = self.lines.around(self.lines.start_of(above));
            let head = &self.text[range.start..range.end.min(range.start + HEAD)];
            let piece = lossy(head);
            let trimmed = piece.trim();
            if !trimmed.contains(['\'', '"']) && keyword_first(trimmed) {
                continue;
            }
            // The line that opens the string: a quote then a keyword, not closed after it,
            // or a quote (Go's backtick too) or a YAML block's `|` that ends the line, the
            // keywords one to a line below (`connStr := \``, `primary_conninfo: |`).
            let block = trimmed.ends_with(": |") || trimmed.ends_with(": >");
            return block
                || ['\'', '"', '`'].iter().any(|quote| {
                    piece.rfind(*quote).is_some_and(|at| {
                        let after = &piece[at + 1..];
                        piece[..at].matches(*quote).count() % 2 == 0
                            && (keyword_first(after) || after.trim().is_empty())
                    })
                });
        }
        false
    }

    /// Whether the line holding `offset`, with the lines whose string it continues, names
    /// a host the Npgsql or ODBC way (`Host=...;`,
    /// `Server=...;`, `Data Source=...;`), or an ODBC data source named for PostgreSQL
    /// (`DSN=PostgreSQL_Sales;`), which holds the host.
    fn has_semicolon_host(&mut self, offset: usize) -> bool {
        let (line, _) = self.lines.around(offset);
        if let Some(known) = self.semicolon_host.get(&line) {
            return *known;
        }
        let found = patterns()
            .semicolon_host
            .is_match(&self.text[self.joined_string_lines(offset)])
            || self.postgres_string_list(offset).is_some();
        self.semicolon_host.insert(line, found);
        found
    }

    /// The lines of a list of connection parameters, one a line, that holds `offset`
    /// and names PostgreSQL's driver (FireDAC's `Params.Strings = ('DriverID=PG'
    /// 'Server=...' 'Password=...')`): the list is one connection's string.
    fn postgres_string_list(&self, offset: usize) -> Option<Range<usize>> {
        const REACH: usize = 40;
        let item = |line: usize| {
            let (_, range) = self.lines.around(self.lines.start_of(line));
            patterns()
                .string_list_item
                .is_match(&self.text[range.clone()])
                .then_some(range)
        };
        let (line, _) = self.lines.around(offset);
        let here = item(line)?;
        let (mut first, mut last) = (here.clone(), here);
        for above in (line.saturating_sub(REACH)..line).rev() {
            match item(above) {
                Some(range) => first = range,
                None => break,
            }
        }
        for below in line + 1..(line + REACH).min(self.lines.count()) {
            match item(below) {
                Some(range) => last = range,
                None => break,
            }
        }
        let list = first.start..last.end;
        patterns()
            .string_list_postgres
            .is_match(&self.text[list.clone()])
            .then_some(list)
    }

    /// The line holding `offset` with the lines above it whose string it continues: a
    /// connection string code joins over lines (`"Server=10.0.0.5;User Id=app;" +` then
    /// `"Password=...;"`, or the `+` opening the next line, commented out or not; Visual
    /// Basic's `"Server=localhost;" & _`
    /// a field a line, six or so from `Driver=` to `Pwd=`), at most that many lines up,
    /// or one string written over lines a field each (C#'s `@"Host=10.0.0.5;` then
    /// `Username=app;` then `Password=...";`).
    fn joined_string_lines(&self, offset: usize) -> Range<usize> {
        const REACH: usize = 6;
        fn uncommented(line: &[u8]) -> &[u8] {
            comment_body(line).unwrap_or(line).trim_ascii()
        }
        let (mut line, range) = self.lines.around(offset);
        if let Some(start) = self.string_opened_fields_above(line) {
            return start..range.end;
        }
        let mut start = range.start;
        for _ in 0..REACH {
            let (_, here) = self.lines.around(start);
            let here = uncommented(&self.text[here]);
            // A line may open with the operator that joins it to the line above (Java's
            // `+ "JdbcPassword=...;"` under `+ "Jdbc=jdbc:postgresql://...;"`).
            let joined_here = matches!(here.first(), Some(b'+' | b'&' | b'.'))
                && matches!(here[1..].trim_ascii_start().first(), Some(b'"' | b'\''));
            let opens_with_a_string = matches!(here.first(), Some(b'"' | b'\'' | b'@'));
            if line == 0 || !(opens_with_a_string || joined_here) {
                break;
            }
            let (_, above) = self.lines.around(self.lines.start_of(line - 1));
            let joins = joined_here
                || uncommented(&self.text[above.clone()])
                    .last()
                    .is_some_and(|b| matches!(b, b'+' | b'&' | b'.' | b'_'));
            if !joins {
                break;
            }
            line -= 1;
            start = above.start;
        }
        start..range.end
    }

    /// Where one string written a field a line starts, read up from the 0-based `line`
    /// (a field, `Password=...";`): the lines above it are fields alone ending in `;`
    /// (`Port=5432;`), up to the line whose string opens on a field (`var cs =
    /// @"Host=10.0.0.9;`), at most a dozen lines up; `None` where no string opens so.
    fn string_opened_fields_above(&self, line: usize) -> Option<usize> {
        const REACH: usize = 12;
        let text_of = |n: usize| {
            let (_, range) = self.lines.around(self.lines.start_of(n));
            (range.start, self.text[range].trim_ascii())
        };
        let is_field = |text: &[u8]| patterns().string_line_field.is_match(text);
        if !is_field(text_of(line).1) {
            return None;
        }
        (line.saturating_sub(REACH)..line).rev().find_map(|n| {
            let (start, text) = text_of(n);
            if !text.ends_with(b";") {
                return Some(None);
            }
            if patterns().string_opening_field.is_match(text) {
                return Some(Some(start));
            }
            (!is_field(text)).then_some(None)
        })?
    }

    /// Whether the connection string holding `offset` (with the lines it continues, and
    /// the line's code around it) is another engine's by its own words (the
    /// `another_engines_string` pattern: SQL Server's `Initial Catalog=`, `SqlConnection`,
    /// port after a comma, MARS or `sa` login, another OLE DB provider, another engine's
    /// port), and no PostgreSQL provider named in it.
    fn is_another_engines_string(&self, offset: usize) -> bool {
        let (_, line) = self.lines.around(offset);
        // On a line longer than any connection string, the string is what lies near it.
        let range = if line.len() > 16 * HEAD {
            offset.saturating_sub(HEAD).max(line.start)..(offset + HEAD).min(line.end)
        } else {
            let string = self
                .postgres_string_list(offset)
                .unwrap_or_else(|| self.joined_string_lines(offset));
            string.start.min(line.start)..string.end.max(line.end)
        };
        let text = &self.text[range];
        let p = patterns();
        p.another_engines_string.is_match(text) && !p.postgres_provider.is_match(text)
    }

    /// Whether the Npgsql or ODBC string on the line holding `offset` is a well-known
    /// local default: `password` on a loopback host, a default one or the user's name.
    fn semicolon_local_default(&mut self, offset: usize, password: &str) -> bool {
        let (host, user) = self.semicolon_host_user(offset);
        self.is_local_default_to(&user, password, &host)
            || is_template_default(&user, password, &host)
    }

    /// The host and user of the Npgsql or ODBC string on the line holding `offset` (with
    /// the lines whose string it continues), empty where it names none.
    fn semicolon_host_user(&mut self, offset: usize) -> (String, String) {
        let (line, _) = self.lines.around(offset);
        if let Some(known) = self.semicolon_fields.get(&line) {
            return known.clone();
        }
        let list = self.postgres_string_list(offset);
        let range = list
            .clone()
            .unwrap_or_else(|| self.joined_string_lines(offset));
        let text = self.text;
        self.semicolon_fields
            .entry(line)
            .or_insert_with(|| {
                let (mut host, mut user) = (String::new(), String::new());
                for c in patterns()
                    .semicolon_field
                    .captures_iter(&text[range.clone()])
                {
                    let value = lossy(before_next_keyword(c[2].trim_ascii()));
                    match lossy(&c[1]).to_ascii_lowercase().as_str() {
                        // SQL Server's `host,port` (`SERVER=localhost,1433`).
                        "host" | "server" | "data source" => host = without_comma_port(&value),
                        // Mondrian's `Jdbc=jdbc:postgresql://host:port/db`.
                        "jdbc" => host = jdbc_url_host(&value),
                        _ => user = value,
                    }
                }
                // A JDBC URL its properties follow, apart by semicolons
                // (`jdbc:postgresql://host:5432/db;userid=app;password=...`).
                let fields = &text[range];
                if host.is_empty()
                    && let Some(at) = fields
                        .windows(18)
                        .position(|w| w.eq_ignore_ascii_case(b"jdbc:postgresql://"))
                {
                    let url = fields[at..].split(|&b| b == b';').next().unwrap_or(&[]);
                    host = jdbc_url_host(&lossy(url));
                }
                // FireDAC connects to this machine when its list names no server.
                if host.is_empty() && list.is_some() {
                    host = "localhost".to_string();
                }
                (host, user)
            })
            .clone()
    }

    /// The host and user of the conninfo string holding `offset` (with the string
    /// pieces above it that it continues: Python's adjacent `"host='localhost' "` then
    /// `"password='admin'"`), empty where it names none.
    fn conninfo_host_user(&mut self, offset: usize) -> (String, String) {
        let (line, _) = self.lines.around(offset);
        if let Some(known) = self.conninfo_fields.get(&line) {
            return known.clone();
        }
        let first = if self.inside_a_quoted_conninfo(line) {
            line.saturating_sub(8)
        } else if self.continues_conninfo(offset) {
            line.saturating_sub(3)
        } else {
            line
        };
        let (mut host, mut user) = (String::new(), String::new());
        for each in first..=line {
            let (_, range) = self.lines.around(self.lines.start_of(each));
            for c in patterns().conninfo_field.captures_iter(&self.text[range]) {
                // A field joined on from a variable with the same operators as the
                // password's (`"host=" . $host`, `"host=" + host`) is read as the variable,
                // spelt as the shell does (`${host}`).
                let value = match c.get(2) {
                    Some(joined) if joined.as_bytes().starts_with(b"$") => lossy(joined.as_bytes()),
                    Some(joined) => format!("${{{}}}", lossy(joined.as_bytes())),
                    None => lossy(&c[3]),
                };
                if c[1].eq_ignore_ascii_case(b"host") {
                    host = value;
                } else {
                    user = value;
                }
            }
        }
        self.conninfo_fields
            .insert(line, (host.clone(), user.clone()));
        (host, user)
    }

    /// Whether the variable at `offset` is read from a prompt (`set /p PGPASSWORD=Password: `,
    /// `read -p ... PGPASSWORD`): what follows is the prompt's text, not a password.
    fn prompts_for(&mut self, offset: usize) -> bool {
        let text = self.text;
        let reads_prompts = *self.reads_prompts.get_or_insert_with(|| {
            text.windows(2)
                .any(|w| w[0] == b'/' && w[1].eq_ignore_ascii_case(&b'p'))
        });
        if !reads_prompts {
            return false;
        }
        let (_, range) = self.lines.around(offset);
        let from = range.start.max(offset.saturating_sub(HEAD));
        let before = lossy(&self.text[from..offset]).to_ascii_lowercase();
        let before = before.trim_end();
        before.ends_with("set /p") || before.ends_with("set/p")
    }

    /// Whether the line holding `offset` carries the allow marker.
    fn allowed(&mut self, offset: usize) -> bool {
        let (line, range) = self.lines.around(offset);
        let text = self.text;
        *self
            .allow
            .entry(line)
            .or_insert_with(|| patterns().allow.is_match(&text[range]))
    }

    /// Whether the value at `offset` is an item of a list, map or multi-line string
    /// opened a few lines above (a line indented less, or one around that, as a map in a
    /// list of fakes is) under a name or key that says its values are made up or are a
    /// detector's cases (`_SYNTHETIC_SECRETS = [`, `fake_credentials = {`, `const
    /// envSample = ` and a backtick, `positive: {`): a redaction test's or a scanner's
    /// fixtures.
    fn in_a_collection_of_fakes(&self, offset: usize) -> bool {
        const LINES_UP: usize = 12;
        let (line, range) = self.lines.around(offset);
        let mut inner = structured::indent(&self.text[range]);
        (line.saturating_sub(LINES_UP)..line)
            .rev()
            .map(|n| self.bounded_line(n))
            .filter(|text| {
                let opens =
                    !text.iter().all(u8::is_ascii_whitespace) && structured::indent(text) < inner;
                if opens {
                    inner = structured::indent(text);
                }
                opens
            })
            .any(|opening| patterns().fake_collection.is_match(opening))
    }

    /// Whether a comment says to replace the value ending at `end`: one after it on its
    /// line, or a comment line heading the few settings its line is one of (`#
    /// Replace with your actual PostgreSQL password` over `"password": "2424",`, `//
    /// the user and password: set your own` over `USER = ...` and `PASS = ...`).
    fn says_to_replace(&mut self, end: usize) -> bool {
        const HEADED_LINES: usize = 6;
        let (line, range) = self.lines.around(end.saturating_sub(1));
        if let Some(start) = self.replace_comment_on(line) {
            // A `#` inside the value (`AppUser#2025!`) opens no comment: read after the
            // value, a bounded stretch, where the line has such a comment at all.
            let stop = range.end.min(end + HEAD);
            if start >= end
                || (end < stop && patterns().replace_comment.is_match(&self.text[end..stop]))
            {
                return true;
            }
        }
        for above in (line.saturating_sub(HEADED_LINES)..line).rev() {
            let start = self.lines.start_of(above);
            let (_, range) = self.lines.around(start);
            if self.text[range].iter().all(u8::is_ascii_whitespace) {
                return false;
            }
            if self.replace_comment_on(above).is_some_and(|comment| {
                self.text[start..comment]
                    .iter()
                    .all(u8::is_ascii_whitespace)
            }) {
                return true;
            }
        }
        false
    }

    /// Where a comment saying to replace a value starts on a 0-based line, if one does.
    fn replace_comment_on(&mut self, line: usize) -> Option<usize> {
        let (_, range) = self.lines.around(self.lines.start_of(line));
        let text = self.text;
        *self.replace_comment.entry(line).or_insert_with(|| {
            patterns()
                .replace_comment
                .find(&text[range.clone()])
                .map(|m| range.start + m.start())
        })
    }

    /// Whether the line holding `offset` assigns to DATABASE_URL before `offset`.
    fn assigns_database_url_before(&mut self, offset: usize) -> bool {
        let (line, range) = self.lines.around(offset);
        let text = self.text;
        let end = *self.database_url_end.entry(line).or_insert_with(|| {
            patterns()
                .database_url
                .find(&text[range.clone()])
                .map(|m| range.start + m.end())
        });
        end.is_some_and(|end| end <= offset)
    }
}

/// The name and value groups of whichever alternative of a pattern matched: `pairs`
/// lists each alternative's (name, value) group numbers.
pub(super) fn matched_pair<'t>(
    c: &regex::bytes::Captures<'t>,
    pairs: &[(usize, usize)],
) -> (regex::bytes::Match<'t>, regex::bytes::Match<'t>) {
    pairs
        .iter()
        .find_map(|&(name, value)| Some((c.get(name)?, c.get(value)?)))
        .expect("one alternative matched")
}

/// A detection of `kind` at `offset`, shown as `redacted`, of `secret` (kept as its
/// digest only).
pub(super) fn detection(kind: Kind, offset: usize, redacted: String, secret: &str) -> Detection {
    Detection {
        kind,
        offset,
        redacted,
        local_default: false,
        default_password: is_default_password(secret),
        generated_password: is_generated_password(secret),
        secret_digest: Sha256::digest(secret.as_bytes()).into(),
        letters_digests: ['i', 'l']
            .iter()
            .map(|&one| placeholder::read_as_letters(secret, one))
            .filter(|letters| letters != secret)
            .map(|letters| Sha256::digest(letters.as_bytes()).into())
            .collect(),
    }
}

/// Whether a password reads as a generator's output: sixteen characters or more, only
/// letters and digits, with capitals and small letters each at least twice, digits too
/// and the three interleaved (`HwUFx2fFVefYm9yc2osaEEoE`; with one digit, more often:
/// `5tEkZZwRydTUXarJ`). People pick words and phrases for
/// a guide's set-up (`in-app-we-trust`, `Kq8-Tz2-Wm`); a random string this long is an
/// account's password a generator made.
fn is_generated_password(secret: &str) -> bool {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Capital,
        Small,
        Digit,
    }
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            Class::Capital
        } else if c.is_ascii_lowercase() {
            Class::Small
        } else {
            Class::Digit
        }
    };
    if secret.len() < 16 || !secret.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let count = |wanted: Class| secret.chars().filter(|&c| class(c) == wanted).count();
    let changes = secret
        .chars()
        .zip(secret.chars().skip(1))
        .filter(|&(a, b)| class(a) != class(b))
        .count();
    // With one digit only, the classes must change at every other character or more
    // (`5tEkZZwRydTUXarJ`): a phrase capitalised with a number in it changes less
    // (`MySecretPass1word`).
    let mixed = count(Class::Capital) >= 2 && count(Class::Small) >= 2;
    mixed
        && match count(Class::Digit) {
            0 => false,
            1 => changes * 2 >= secret.len(),
            _ => changes * 3 >= secret.len(),
        }
}

/// The value a shell's parameter expansion falls back to (`${PGUSER:=vault}` is
/// `vault`, and so is `${APP_USER:-${PGUSER:-vault}}`, one expansion falling back to
/// another), or the value as it is.
fn fallback_of(value: &str) -> String {
    let mut value = value;
    while let Some((_, fallback)) = value
        .strip_prefix("${")
        .and_then(|inner| inner.strip_suffix('}'))
        .and_then(|inner| inner.split_once(':'))
    {
        value = fallback.trim_start_matches(['-', '=']);
    }
    value.to_string()
}

/// Whether what follows `host:` is the word for a host (`serverName=host`, `host:
/// hostname`): a document's stand-in for the reader's, naming none.
fn sets_the_word_for_a_host(after: &[u8]) -> bool {
    let after = after.trim_ascii_start();
    let after = after
        .strip_prefix(b"\"")
        .or_else(|| after.strip_prefix(b"'"))
        .unwrap_or(after);
    let word_end = after
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(after.len());
    is_the_word_for_a_host(&lossy(&after[..word_end]))
}

/// Whether what follows a key naming a host (`host =`, not a name in a domain or an
/// address) gives no host of its own: nothing on the line (F#'s `module Server =`, a
/// block's opening `server:`), an empty string (Django's `'HOST': ''`, the driver's
/// default: this machine), a Unix socket's directory (`'host': '/var/run/postgresql'`,
/// but not Cloud SQL's `/cloudsql/...`, a proxy to a managed server), a switch
/// (`server: false`), a variable's value alone (`NAUTOBOT_DB_HOST=$$PG` in a Makefile,
/// `${DB_HOST}`, `%PGHOST%`), a field given a variable (`IpAddr: ip_addr,`), or code
/// reading the host by another name for it (`configuration.host = ServerConfig.host`,
/// `db.host!`, `settings.DB_HOST`).
fn sets_no_literal_host(key: &[u8], after: &[u8]) -> bool {
    if !matches!(key.last(), Some(b'=' | b':' | b'>')) {
        return false;
    }
    let line = after.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let value = line.trim_ascii();
    if value.is_empty() || is_a_variable_alone(value) {
        return true;
    }
    if value.starts_with(b"''") || value.starts_with(b"\"\"") {
        return true;
    }
    // Python's lookup of a variable, with no fallback or one on this machine
    // (`host=os.getenv("POSTGRES_HOST", "localhost")`).
    if let Some(c) = patterns().environment_host_lookup.captures(value) {
        return c
            .get(1)
            .is_none_or(|fallback| is_local_host(&lossy(fallback.as_bytes())));
    }
    let unquoted = value
        .strip_prefix(b"'")
        .or_else(|| value.strip_prefix(b"\""))
        .unwrap_or(value);
    if unquoted.starts_with(b"/") && !unquoted.starts_with(b"/cloudsql") {
        return true;
    }
    let token_end = value
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'!' | b'?')))
        .unwrap_or(value.len());
    let token = lossy(&value[..token_end]);
    // A switch, not a host (Phoenix's `server: false`, `address: nil`).
    if matches!(
        token.to_ascii_lowercase().as_str(),
        "true" | "false" | "nil" | "null" | "none"
    ) {
        return true;
    }
    // A struct literal's or an object's field given a variable (Go's `IpAddr: ip_addr,`,
    // `{ host: dbHost, ...`): an identifier, then the comma that ends the field.
    if assigned::is_identifier(&token)
        && value[token_end..].starts_with(b",")
        && code_of(&value[token_end + 1..]).trim_ascii().is_empty()
    {
        return true;
    }
    let path = token.trim_end_matches(['!', '?']);
    let segments: Vec<&str> = path.split('.').collect();
    let last = segments
        .last()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    segments.len() >= 2
        && segments.iter().all(|s| assigned::is_identifier(s))
        && ([
            "host",
            "hostname",
            "server",
            "servername",
            "address",
            "addr",
        ]
        .contains(&last.as_str())
            || last.ends_with("_host")
            || last.ends_with("_hostname"))
}

/// Whether a setting's value is a shell's, Make's or Windows' variable and nothing else
/// up to its end, a quote or a line continuation (`$PG`, `$$PG`, `"${DB_HOST}"`, `$(HOST)`,
/// `%PGHOST%`): a `${DB_HOST:-db.acme.io}` with a fallback of its own is not.
fn is_a_variable_alone(value: &[u8]) -> bool {
    let value = value.trim_ascii_end();
    let value = value.strip_suffix(b"\\").unwrap_or(value).trim_ascii_end();
    let value = value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(value);
    let name =
        |v: &[u8]| !v.is_empty() && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if let Some(inner) = value.strip_prefix(b"%").and_then(|v| v.strip_suffix(b"%")) {
        return name(inner);
    }
    let Some(rest) = value.strip_prefix(b"$") else {
        return false;
    };
    let rest = rest.strip_prefix(b"$").unwrap_or(rest);
    if let Some(inner) = rest.strip_prefix(b"{").and_then(|v| v.strip_suffix(b"}")) {
        return name(inner);
    }
    if let Some(inner) = rest.strip_prefix(b"(").and_then(|v| v.strip_suffix(b")")) {
        return name(inner);
    }
    name(rest)
}

/// Whether a match of `host:` is a URI's host that is the word for one
/// (`postgresql://host:5432/database`): the URI names no host.
fn is_a_uri_named_host(text: &[u8], found: Range<usize>) -> bool {
    text[..found.start].ends_with(b"/")
        && text[found.start] == b'/'
        && is_the_word_for_a_host(&lossy(
            text[found.start + 1..found.end]
                .trim_ascii_end()
                .strip_suffix(b":")
                .unwrap_or_default(),
        ))
}

/// Whether what follows `host:` is a type, not a value: a parameter or a field declared
/// (`fun connect(host: String)`, `host: str`) names no host.
fn declares_a_parameter(after: &[u8]) -> bool {
    let after = after.trim_ascii_start();
    let word_end = after
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(after.len());
    matches!(
        &after[..word_end],
        b"String" | b"str" | b"string" | b"Option"
    )
}

/// Hosts that only reach this machine or a CI job's service container (a client given
/// `0.0.0.0` reaches this machine; a container's or virtual machine's name for the
/// machine it runs on is read by `is_host_gateway`).
const LOCAL_HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "::1",
    "[::1]",
    // The unspecified address, which a client dials as this machine.
    "0.0.0.0",
    "postgres",
    "postgresql",
    "db",
    "database",
    "pg",
];

/// Whether the `@` at `at` is a shell prompt's, before the machine a session runs on
/// (`[postgres@node-1 ~]$`, `root@www:~ #`): a transcript of commands on that machine,
/// where `psql` with no host reaches its own socket, not a database's address.
fn names_a_shell_prompts_machine(text: &[u8], at: usize) -> bool {
    text.get(at) == Some(&b'@') && patterns().shell_prompt_machine.is_match(&text[at..])
}

/// Whether `at` lies inside a web link (`http://wiki.otterhub.org/index.php?...`): a
/// page a text points its reader to, not the server its database runs on.
fn inside_a_web_link(text: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(HEAD);
    let start = text[from..at]
        .iter()
        .rposition(|b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'(' | b'<' | b'[' | b'`')
        })
        .map_or(from, |i| from + i + 1);
    let token = &text[start..];
    token.starts_with(b"http://") || token.starts_with(b"https://")
}

/// Whether the `@` at `at` opens a word (a decorator's `@app.route`, an annotation's
/// `@Bean`, a Puppet virtual resource's `@postgresql::server::role`), where a URI's `@`
/// follows its userinfo.
fn opens_a_word(text: &[u8], at: usize) -> bool {
    text.get(at) == Some(&b'@') && (at == 0 || text[at - 1].is_ascii_whitespace())
}

/// Whether the `@` at `at` is an email address's (`admin@acme.io`, a document's
/// `` `admin@acme.io` ``), not a URI's before its host: the word before it runs back to
/// a space or quote without a `:` (a URI's userinfo holds one, or follows `//`).
fn ends_an_email(text: &[u8], at: usize) -> bool {
    if text.get(at) != Some(&b'@') {
        return false;
    }
    let name = text[at.saturating_sub(HEAD)..at]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-'))
        .count();
    name > 0
        && at > name
        && matches!(
            text[at - name - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'`' | b'<' | b'=' | b'(' | b'\n'
        )
}

/// The host of a JDBC URL (`jdbc:postgresql://10.0.0.5:5432/sales` holds `10.0.0.5`);
/// `jdbc:postgresql:sales`, naming none, is this machine's.
fn jdbc_url_host(url: &str) -> String {
    structured::call_host(url.as_bytes()).unwrap_or_else(|| "localhost".to_string())
}

/// A field's value where a conninfo's fields stand apart by spaces (`host=db port=5432
/// user=app`): it ends at the space before the next keyword.
fn before_next_keyword(value: &[u8]) -> &[u8] {
    match value.iter().position(u8::is_ascii_whitespace) {
        Some(at) if value[at..].contains(&b'=') => &value[..at],
        _ => value,
    }
}

/// The host and user of a URI whose password is in its query (the part before
/// `password=`): the host after `//` (JDBC's `jdbc:postgresql:app?...`, with none, is
/// this machine's) and the query's `user=` (NocoDB's `u=`).
fn query_uri_host_user(prefix: &str) -> (String, String) {
    let (head, query) = prefix.split_once('?').unwrap_or((prefix, ""));
    let host = match head.split_once("//") {
        Some((_, rest)) => {
            let authority = rest.split(['/', '\\']).next().unwrap_or("");
            let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            host_port.split(':').next().unwrap_or("").to_string()
        }
        None => "localhost".to_string(),
    };
    let user = query
        .split('&')
        .find_map(|pair| {
            pair.strip_prefix("user=")
                .or_else(|| pair.strip_prefix("u="))
        })
        .unwrap_or("")
        .to_string();
    (host, user)
}

/// What a sed substitution that matches its line by a wildcard sets, where a variable's
/// bare value begins with that wildcard (`s/^DB_PASSWORD=.*/DB_PASSWORD=value/` reads
/// `.*/DB_PASSWORD=value/`): the replacement's value, up to its closing delimiter. sed
/// takes any character as the delimiter, and scripts whose values hold slashes pick
/// another (`s|^DB_PASS=.*|DB_PASS=value|`, `s#...#...#`). A replacement that sets its
/// value after a space (`s/PASS: .*/PASS: "$NEW"/`) is not in the value: nothing.
fn sed_replacement(value: &[u8]) -> Option<&[u8]> {
    let rest = value.strip_prefix(b".*")?;
    let (&delimiter, replacement) = rest.split_first()?;
    if !delimiter.is_ascii_punctuation() || matches!(delimiter, b'"' | b'\'' | b'\\') {
        return None;
    }
    let Some(at) = replacement.iter().position(|b| *b == b'=') else {
        return Some(&[]);
    };
    let set = &replacement[at + 1..];
    let end = set
        .iter()
        .position(|b| *b == delimiter)
        .unwrap_or(set.len());
    Some(&set[..end])
}

/// Whether a bare value is code, not a literal: an expression in parentheses or
/// brackets (`(Get-Secret ...)`), a call (`getSecret('x')`), a keyword that starts
/// one (`await`, `new`), or the next of several empty assignments on one line
/// (`PG_USER= PG_PASS= PG_DB=`).
fn is_expression(value: &[u8]) -> bool {
    const KEYWORDS: &[&str] = &["await", "new", "yield", "lambda", "function", "require"];
    let next_assignment = value
        .strip_suffix(b"=")
        .is_some_and(|name| assigned::is_identifier(&lossy(name)));
    match value.first() {
        Some(b'"' | b'\'') | None => false,
        Some(b'(' | b'[' | b'{') => true,
        _ => next_assignment || value.contains(&b'(') || KEYWORDS.contains(&lossy(value).as_str()),
    }
}

/// The literals a text's tests assert do not appear in what they check
/// (`patterns().asserted_absent`).
fn asserted_absent_literals(text: &[u8]) -> Vec<String> {
    patterns()
        .asserted_absent
        .captures_iter(text)
        .filter_map(|c| c.iter().skip(1).flatten().next())
        .map(|literal| lossy(literal.as_bytes()))
        .collect()
}

/// Whether a value is a language's literal for nothing or a flag (`None`, `null`,
/// `nil`, `undefined`, `true`, `false`): code, not a password.
fn is_language_literal(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "none" | "null" | "nil" | "undefined" | "true" | "false"
    )
}

/// Whether a name says it holds a database's password (`DB_PASSWORD`, `pgPassword`,
/// `FLYWAY_PASSWORD`, `spring.datasource.password`).
pub(super) fn names_database_password(name: &str) -> bool {
    patterns().database_password_name.is_match(name.as_bytes())
}

/// Whether the expression at `at` is the value of a password key on its line (`password:
/// process.env.X || '...'`, `"password" => env('X', '...')`).
fn is_set_under_a_password_key(text: &[u8], at: usize) -> bool {
    let line_start = text[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start.max(at.saturating_sub(HEAD))..at];
    patterns().password_key_before.is_match(before)
}

/// How many lines either way of a password a fallback host may be set and still be the
/// one that password is for: the same call or block of settings.
const CONTEXT_LINES: usize = 8;

/// Passwords that local and CI databases are set up with.
const LOCAL_PASSWORDS: &[&str] = &[
    "postgres",
    // SQL Server's administrator, whose name set-ups that run several databases side by
    // side give their local PostgreSQL's password too (`postgres:sa@localhost`).
    "sa",
    // PostgreSQL's port, written where the password goes (`postgres:5432@localhost`).
    "5432",
    // `postgres` spelt out, and short of its last letter as it is often written
    // (`PostgreSQL123`, `postgre123`).
    "postgresql",
    "postgre",
    "test",
    "testing",
    "secret",
    "admin",
    "root",
    "pass",
    "pg",
    // The language's name, given as its password (`sqlpassword`, `sql123`).
    "sql",
    // PostgreSQL's client, given as its password (`$password = "psql";`).
    "psql",
    "local",
    "dev",
    "toor",
    "docker",
    // Ambari's database (`ambari`/`bigdata`).
    "bigdata",
    // QuestDB's default, which speaks PostgreSQL's protocol (`user=admin password=quest`).
    "quest",
    // The password of the C and C++ tutorials' examples (tutorialspoint's libpq and
    // libpqxx pages), which readers give their local server.
    "cohondob",
    // Mattermost's development and test database (`mmuser`/`mostest`).
    "mostest",
    // moodle-docker's database, which Moodle's development set-ups and their tests give
    // its container (`$CFG->dbpass = 'm@0dl3ing'`).
    "m@0dl3ing",
    // Vagrant boxes' account, which their provisioning gives the database role too.
    "vagrant",
    // The keyboard's first letters, on the layouts people type on.
    "qwerty",
    "azerty",
    "qwertz",
    // The word itself, as a local server's password is often set (`Database1234`).
    "database",
    // The word for what it is (`pgdriver.WithPassword("default")`).
    "default",
    // The official image's documented example (`POSTGRES_PASSWORD=mysecretpassword`).
    "mysecretpassword",
    // Airflow's metadata database in its compose file (`airflow`/`airflow`), which its
    // guides and set-ups give the PostgreSQL container beside it.
    "airflow",
    // Oracle's images' and guides' password, which set-ups that run several databases
    // side by side give their local PostgreSQL too, and its administrator's name, given
    // the same way as `sa` is (`password=system`).
    "oracle",
    "system",
    // The greeting set-ups and client libraries' examples give (`welcome1`, Oracle's
    // and WebLogic's default, and PostgresClientKit's README's).
    "welcome",
    // Skunk's and its tutorials' `world` database, which `jimmy` logs in to.
    "banana",
    // "Let me in", a common-password list's first page, which local set-ups type.
    "letmein",
    // The first program's greeting, on the same list's first pages.
    "helloworld",
];

/// The alphabet, whose runs from its start or to its end a made-up value spells (`abc`,
/// `xyz`, a host's `abcdef`).
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";

/// Walks along a keyboard, whose starts people type as a password (`qwertyuiop`,
/// `zxcvbn`, `1q2w3e4r`, `1qaz2wsx`, `qazwsx`), on the layouts people type on.
const KEYBOARD_WALKS: &[&str] = &[
    "qwertyuiop",
    "azertyuiop",
    "qwertzuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1q2w3e4r5t6y7u8i9o0p",
    "1qaz2wsx3edc4rfv5tgb",
    "qazwsxedcrfvtgb",
    "zaq12wsxcde3",
];

/// The keyboard's rows, each way, along which a walk may run and turn back at any key
/// (`qwerfdsa`, `poiuasdf`).
const KEYBOARD_ROWS: &[&str] = &[
    "1234567890",
    "0987654321",
    "qwertyuiop",
    "poiuytrewq",
    "azertyuiop",
    "poiuytreza",
    "qwertzuiop",
    "poiuztrewq",
    "asdfghjkl",
    "lkjhgfdsa",
    "zxcvbnm",
    "mnbvcxz",
];

/// Whether a run of at least four keys lies along one row of the keyboard, either way
/// (`qwer`, `fdsa`, `tyui`).
fn runs_along_a_row(run: &str) -> bool {
    run.len() >= 4 && KEYBOARD_ROWS.iter().any(|row| row.contains(run))
}

/// The digits counted up from one (`123456`; twice over, an endpoint's `123456789012`).
const COUNTED_DIGITS: &str = "1234567890";

/// The symbols the shift key gives on the digits' keys, in the digits' order
/// (`!` is `1`, `)` is `0`).
const SHIFTED_DIGITS: &str = "!@#$%^&*()";

/// Whether digits count down to one or zero (`321`, `54321`, `9876543210`), or down
/// from ten (`1098765432`): the counted digits typed the other way.
fn counts_down(digits: &str) -> bool {
    digits.len() >= 3
        && ("987654321".ends_with(digits)
            || "9876543210".ends_with(digits)
            || (digits.len() >= 6 && "10987654321".starts_with(digits)))
}

/// Whether a password is one local and CI databases are set up with: a default one, or
/// a default one or `password` with a few digits after it (`postgres123`, `password1`),
/// or a default word then a word for password (`devpass`, `testpassword`), or a name
/// then a word for password, apart or in camel case (`etl_password`, `n8n_password`,
/// `uiPassword5678`: the password says whose it is), or digits counted up from one, once
/// or over again, or one digit repeated (`12345678`, `123123`, `0000`), or the
/// alphabet's first or last letters (`abc`, `xyz`), or a walk along the keyboard
/// (`1q2w3e`, `zxcvbn`, padded: `zxcvbnmA8`), or a default said twice (`rootroot`). Read
/// whatever the case; the case tells only where a name ends and the word begins. A word
/// of stress before any of these is the same default (`supersecret`,
/// `mysupersecretpassword`, `topsecret`).
fn is_default_password(password: &str) -> bool {
    const STRESS: &[&str] = &["my", "super", "very", "ultra", "extra", "top"];
    let stressed = STRESS.iter().any(|stress| {
        password
            .get(..stress.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(stress))
            && password.len() - stress.len() >= 4
            && is_default_password(&password[stress.len()..])
    });
    // Digits counted up before a default (`123password123`, `123admin`).
    let after_count = password.trim_start_matches(|c: char| c.is_ascii_digit());
    let count = &password[..password.len() - after_count.len()];
    let counted_first = count.len() >= 3
        && COUNTED_DIGITS.starts_with(count)
        && after_count.len() >= 4
        && after_count.starts_with(|c: char| c.is_ascii_alphabetic())
        && is_default_password(after_count);
    // A value that says it is for one environment only (`local-only`, `dev_only`,
    // `testonly`, `integration-only`): a set-up's stand-in, not a chosen password.
    let only_here = password
        .to_ascii_lowercase()
        .strip_suffix("only")
        .map(|place| place.trim_end_matches(['_', '-', '.']))
        .is_some_and(|place| {
            matches!(
                place,
                "local" | "dev" | "development" | "test" | "testing" | "ci" | "integration" | "e2e"
            )
        });
    if stressed || counted_first || only_here {
        return true;
    }
    // A default typed with the shift key held over its digits (`zaq!23`, `1qaz!QAZ`):
    // a written value of six or more that opens on a letter or digit, not a reference's
    // sigil (`$P`) nor a mask (`******`).
    let typed = password.len() >= 6
        && password.starts_with(|c: char| c.is_ascii_alphanumeric())
        && password.contains(|c: char| SHIFTED_DIGITS.contains(c));
    if typed {
        let unshifted: String = password
            .chars()
            .map(|c| {
                SHIFTED_DIGITS
                    .find(c)
                    .map_or(c, |at| char::from(COUNTED_DIGITS.as_bytes()[at]))
            })
            .collect();
        if is_default_password(&unshifted) {
            return true;
        }
    }
    // Symbols after it pad a default to pass a complexity rule (`postgres123!@#`).
    let lower = password
        .trim_end_matches(|c: char| PADDING_SYMBOLS.contains(c))
        .to_ascii_lowercase();
    let word = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = lower.len() - word.len();
    // The digits set apart (`app_password_123`), or joined by a symbol a complexity
    // rule asks for (`admin@123`, `root#2024`).
    let word = if digits > 0 {
        word.trim_end_matches(['_', '-', '@', '#', '!', '.', '$', '*', '&'])
    } else {
        word
    };
    // The word for password spelt to pass a complexity rule reads the same
    // (`testdb_pa55word`); a value that opens with a sigil is a reference
    // (`$POSTGRES_PASSWORD`), not a spelling.
    let decoded = if word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        read_as_letters(word, 'i')
    } else {
        word.to_string()
    };
    let default_then_password = ["password", "pass", "pswd", "pwd", "pw"]
        .iter()
        .any(|ending| {
            [word, decoded.as_str()].iter().any(|word| {
                word.strip_suffix(ending).is_some_and(|start| {
                    LOCAL_PASSWORDS.contains(&start)
                        || start.strip_suffix(['_', '-', '@']).is_some_and(|name| {
                            name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                                && name.bytes().all(|b| {
                                    b.is_ascii_lowercase()
                                        || b.is_ascii_digit()
                                        || matches!(b, b'_' | b'-')
                                })
                        })
                })
            })
        });
    // Digits counted up from one (`12345678`) or down to it (`54321`), once or over
    // again (`123123123`), or one
    // digit repeated (`000000`); or the alphabet from its start or to its end (`abc`,
    // `abcdef`, `xyz`).
    // With up to four digits after it (`abcdefgh1`), as a complexity rule asks.
    let alphabet = [lower.as_str(), word]
        .iter()
        .any(|run| run.len() >= 3 && (ALPHABET.starts_with(run) || ALPHABET.ends_with(run)))
        && digits <= 4;
    // A walk along the keyboard (`1q2w3e`, `zxcvbn`), with a few digits after it or not,
    // or a long one padded with up to three characters for a complexity rule
    // (`zxcvbnmA8`).
    let keyboard_walk =
        |run: &str| run.len() >= 5 && KEYBOARD_WALKS.iter().any(|walk| walk.starts_with(run));
    let padded_walk = (6..=lower.len()).any(|end| {
        lower.len() - end <= 3 && lower.is_char_boundary(end) && keyboard_walk(&lower[..end])
    });
    // A short walk said twice or more (`asdfasdf`, `qweqwe`).
    let repeated_walk = (3..=lower.len() / 2).any(|unit| {
        lower.len().is_multiple_of(unit)
            && lower.is_char_boundary(unit)
            && KEYBOARD_WALKS
                .iter()
                .any(|walk| walk.starts_with(&lower[..unit]))
            && lower
                .as_bytes()
                .chunks(unit)
                .all(|chunk| chunk == &lower.as_bytes()[..unit])
    });
    // Two runs along the rows, the second turning back or starting again (`qwerfdsa`,
    // `asdfrewq1`).
    let turned_walk = digits <= 4
        && word.get(..4).is_some_and(runs_along_a_row)
        && (4..word.len().saturating_sub(3)).any(|at| {
            word.is_char_boundary(at)
                && runs_along_a_row(&word[..at])
                && runs_along_a_row(&word[at..])
        });
    let walked = keyboard_walk(&lower)
        || (digits <= 4 && keyboard_walk(word))
        || padded_walk
        || repeated_walk
        || turned_walk;
    // A shorter walk and digits counted up, either way round (`asdf1234`, `1234qwer`,
    // `zaq123`).
    let short_walk =
        |run: &str| run.len() >= 3 && KEYBOARD_WALKS.iter().any(|walk| walk.starts_with(run));
    let counted_run = |run: &str| run.len() >= 3 && COUNTED_DIGITS.starts_with(run);
    let letters_first = &lower[..lower.len() - digits];
    let digits_first = lower.trim_start_matches(|c: char| c.is_ascii_digit());
    // One letter said over: alone (`aaa`, `zzzz`), a key held down as `000000` is; or
    // once to four times before digits counted up or after them (`a123456`,
    // `aaa123456`, `12345Q`, `123456aa`).
    let one_letter_over = |run: &str| {
        !run.is_empty()
            && run
                .bytes()
                .all(|b| b.is_ascii_alphabetic() && b == run.as_bytes()[0])
    };
    let held_key = lower.len() >= 3 && one_letter_over(&lower);
    let a_few = |run: &str| (1..=4).contains(&run.len()) && one_letter_over(run);
    let letter_then_count = (a_few(letters_first) && counted_run(&lower[letters_first.len()..]))
        || (a_few(digits_first) && counted_run(&lower[..lower.len() - digits_first.len()]));
    let walk_and_count = (counted_run(&lower[letters_first.len()..]) && short_walk(letters_first))
        || (counted_run(&lower[..lower.len() - digits_first.len()]) && short_walk(digits_first));
    let counted = lower.len() >= 3
        && lower.bytes().all(|b| b.is_ascii_digit())
        && (1..=lower.len()).any(|unit| {
            let head = &lower[..unit];
            lower.len().is_multiple_of(unit)
                && (COUNTED_DIGITS.starts_with(head) || counts_down(head) || unit == 1)
                && lower
                    .as_bytes()
                    .chunks(unit)
                    .all(|chunk| chunk == head.as_bytes())
        });
    // A name then the word for password capitalised (`uiPassword5678`, `shopPass1`):
    // camel case's spelling of `ui_password`, which says whose password it is.
    let unpadded = password
        .trim_end_matches(|c: char| PADDING_SYMBOLS.contains(c))
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let camel_name_then_password = ["Password", "Pass", "Pwd"].iter().any(|ending| {
        unpadded.strip_suffix(ending).is_some_and(|name| {
            name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    });
    // More digits after a default are still the count from one (`admin@123456`).
    let counted_on = digits > 4 && COUNTED_DIGITS.starts_with(&lower[lower.len() - digits..]);
    // One or two digits or letters (`1`, `99`, `oi`): a few hundred tries at most. Four
    // digits are a person's own (`1978`, `0404`).
    let pin =
        !lower.is_empty() && lower.len() <= 2 && lower.bytes().all(|b| b.is_ascii_alphanumeric());
    // A default said twice (`rootroot`), or two joined (`postgresadmin`), or the word
    // for password before one (`PasswordPSQL`; after one, it is `default_then_password`).
    let doubled = (1..lower.len()).any(|at| {
        lower.is_char_boundary(at)
            && (LOCAL_PASSWORDS.contains(&&lower[..at])
                || matches!(&lower[..at], "password" | "passwd"))
            && LOCAL_PASSWORDS.contains(&&lower[at..])
    });
    LOCAL_PASSWORDS.contains(&lower.as_str())
        || TRANSLATED_WELCOMES.contains(&lower.as_str())
        || doubled
        // A default spelt to pass a complexity rule (`P0stgres`, `adm1n`).
        || LOCAL_PASSWORDS.contains(&read_as_letters(&lower, 'i').as_str())
        || counted
        || held_key
        || pin
        || alphabet
        || walked
        || walk_and_count
        || letter_then_count
        || (digits <= 4 && (default_then_password || camel_name_then_password))
        || (((1..=4).contains(&digits) || counted_on)
            && (LOCAL_PASSWORDS.contains(&word)
                || matches!(word, "password" | "passwd")
                || TRANSLATED_PASSWORD_WORDS.contains(&word)
                || TRANSLATED_WELCOMES.contains(&word)))
}

/// The greeting `welcome` in the languages set-ups are written in, which they give a
/// local server as its password as they give `welcome1` (`Welkom01!`, `Willkommen1`).
const TRANSLATED_WELCOMES: &[&str] = &[
    "welkom",
    "willkommen",
    "bienvenue",
    "bienvenido",
    "benvenuto",
    "bemvindo",
    "velkommen",
];

/// The word for password in the languages set-ups are written in: a name joined to it
/// is its user's password (`shop_parola`), and with a few digits after it, it is the
/// `password123` of that language (`senha123`, `clave2024`).
const TRANSLATED_PASSWORD_WORDS: &[&str] = &[
    "heslo",
    "haslo",
    "parola",
    "sifre",
    "senha",
    "clave",
    "passwort",
    "contrasena",
    "motdepasse",
];

/// The name's and the literal's groups of each of `fallback`'s forms, in order.
const FALLBACK_GROUPS: &[(usize, usize)] = &[
    (1, 2),
    (3, 4),
    (5, 6),
    (7, 8),
    (7, 9),
    (10, 11),
    (12, 13),
    (14, 15),
    (16, 17),
    (18, 19),
    (20, 21),
    (22, 23),
    (24, 25),
    (26, 27),
    (28, 29),
    (28, 30),
];

/// The address blocks of the Docker networks a text declares (`subnet: 172.30.0.0/16`),
/// and the containers' addresses it prints (`"IPAddress": "172.22.0.2"`), each as its
/// address and mask.
fn docker_subnets(text: &[u8]) -> Vec<(u32, u32)> {
    patterns()
        .docker_subnet
        .captures_iter(text)
        .filter_map(|c| {
            if let Some(container) = c.get(3) {
                return Some((ipv4_bits(&lossy(container.as_bytes()))?, u32::MAX));
            }
            let network = ipv4_bits(&lossy(&c[1]))?;
            let bits: u32 = lossy(&c[2]).parse().ok().filter(|b| (8..=32).contains(b))?;
            Some((network, u32::MAX << (32 - bits)))
        })
        .collect()
}

/// Whether a match spelt like an address is a container image's tag instead: after the
/// image's name and a colon, with a suffix after a hyphen (ClickHouse's
/// `clickhouse-server:23.11.5.29-alpine`). A version names no host.
fn is_image_tag(text: &[u8], found: Range<usize>) -> bool {
    let after = &text[found.end..];
    found.start > 0
        && text[found.start - 1] == b':'
        && after.first() == Some(&b'-')
        && after.get(1).is_some_and(u8::is_ascii_alphabetic)
}

/// An IPv4 address (a port after it allowed) as a number, if it is one.
fn ipv4_bits(value: &str) -> Option<u32> {
    let address = without_port(value);
    let octets: Vec<u8> = address
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    Some(u32::from_be_bytes([a, b, c, d]))
}

/// Whether a value is an IPv4 address: set where a password goes (`database_password: str
/// = "172.29.64.1"`, a host pasted in the wrong field), it names a machine, not a secret.
fn is_ipv4_address(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|part| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether code connects to another machine's address with a word for a password as the
/// password (an Npgsql string to `10.1.2.2` with `password`, Groovy's `Sql.newInstance`
/// to `192.168.9.119` with `mypasswd`, a URI to `192.168.0.7` with `apppassword`), or
/// `my` and a thing's name (`mydb`), or
/// one character (`password=1`, `DB_PASSWORD = "q"`), or a keyboard's first letters
/// (`qwerty`, `asdf`): documentation writes such values where a password goes,
/// but code that dials a machine's address has set its server up so. A document or
/// configuration counts only for a public address (`jdbc:...//35.192.67.100/...?password=
/// password` in a README): a tutorial's LAN address is the reader's to change, a public
/// one is a server somebody runs, unless the word is in capitals, as prose writes what
/// the reader fills in. Not the addresses documentation is given (`192.0.2.x`,
/// `198.51.100.x`, `203.0.113.x`, `1.2.3.4`).
pub(super) fn is_password_word_to_an_address(password: &str, host: &str, syntax: Syntax) -> bool {
    let address = without_port(host.trim_matches(['\'', '"']));
    // Prose writes the parts a reader fills in in capitals (`postgres:PASS@203.0.x.y`).
    let in_capitals = password.bytes().any(|b| b.is_ascii_uppercase())
        && !password.bytes().any(|b| b.is_ascii_lowercase());
    // Code writes the word for password in capitals where its value is to go
    // (`DATABASE_PASSWORD = "PASSWORD"`), as prose writes a part to fill in.
    let capitalised_word = in_capitals
        && matches!(
            password.to_ascii_lowercase().as_str(),
            "password" | "passwd" | "pwd" | "pass"
        );
    let dialled_address = !capitalised_word
        && (syntax == Syntax::Code || (is_public_address(address) && !in_capitals))
        && is_ipv4_address(address)
        && !is_loopback_address(address.as_bytes())
        && !is_an_emulators_host(address)
        && !is_documentation_address(address);
    // Code dials a machine by its name as it does by its address (`host='debian'`, a
    // LAN machine's): a name that is no placeholder, example or container of this
    // machine's.
    let dialled_machine = syntax == Syntax::Code && is_a_named_machine(address);
    (dialled_address || dialled_machine) && is_weak_enough_to_mean_it(password)
}

/// Whether a host is a machine's own name (`debian`, `tandem`, `nas.lan`): a host name,
/// not an address, that no rule reads as this machine's or a container's (`localhost`,
/// `db`), a placeholder, numbered or not (`host`, `your-host`, `host1`), an example's
/// or an emulator's; nor one
/// named for the database it serves (`db.internal`, `reports-db.internal`), which a
/// sample gives its database as readily as a container name.
fn is_a_named_machine(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    let first_label = lower.split('.').next().unwrap_or_default();
    // A placeholder numbered as samples number them (`host1`, `myserver2`).
    let numbered = first_label.trim_end_matches(|c: char| c.is_ascii_digit());
    !is_local_host(first_label)
        && !is_placeholder(numbered)
        && !is_made_up_host(numbered)
        && lower.starts_with(|c: char| c.is_ascii_alphabetic())
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        && !is_ipv4_address(&lower)
        && !is_local_host(&lower)
        && !is_placeholder(&lower)
        && !is_made_up_host(&lower)
        && !is_an_emulators_host(&lower)
}

/// The syntax a password word dialled at an address is weighed by: a script that says
/// what runs it (`#!/bin/bash`) dials the address itself, as code does, though its
/// settings are read as configuration's; a README's or a template's address is the
/// reader's to change.
fn dialling_syntax(text: &[u8], syntax: Syntax) -> Syntax {
    if syntax == Syntax::Config && text.starts_with(b"#!") {
        Syntax::Code
    } else {
        syntax
    }
}

/// The finding for a literal password a reader took from beside its login's other parts
/// (an accessor's `getPassword()`, a valued key's object), shown as `shown`: none where
/// the value is empty, a reference or a placeholder, or the text does not configure
/// PostgreSQL at `at`; a local default where the host is this machine's or none and the
/// password is a default or one of `users`' own.
pub(super) fn literal_beside_login(
    context: &mut structured::Context,
    at: usize,
    value: regex::bytes::Match,
    shown: &str,
    users: &[String],
    host: Option<&str>,
) -> Option<(Range<usize>, Detection)> {
    let secret = lossy(value.as_bytes());
    if secret.is_empty()
        || structured::is_reference(&secret)
        || is_placeholder(&secret)
        || !context.configures_postgres(at)
    {
        return None;
    }
    let mut d = detection(
        Kind::PasswordSetting,
        value.start(),
        shown.to_string(),
        &secret,
    );
    d.local_default = host.is_none_or(is_local_host)
        && std::iter::once("")
            .chain(users.iter().map(String::as_str))
            .any(|user| is_weak_for(user, &secret));
    Some((value.range(), d))
}

/// Whether a password is one documentation writes where a password goes (the word for a
/// password or `secret`, one character, a keyboard's first letters, the alphabet then a
/// count, runs of the alphabet and digits in order: `ijkl9012`) and a server set up in a
/// hurry is given too: what
/// `is_password_word_to_an_address` weighs by the address dialled.
pub(super) fn is_weak_enough_to_mean_it(password: &str) -> bool {
    // A lone `x` is the mask a writer types over a password, as `xxx` is, not one.
    let one_character = password.len() == 1
        && password.bytes().all(|b| b.is_ascii_alphanumeric())
        && !password.eq_ignore_ascii_case("x");
    placeholder::is_password_word(password)
        || placeholder::is_secret_word(password)
        || one_character
        || placeholder::is_writers_own_words(password)
        || placeholder::is_keyboard_example(password)
        || placeholder::is_alphabet_then_count(password)
        || placeholder::spelt_by_sequences(password)
}

/// Whether an IPv4 address is reached over the internet: not a private network's
/// (`10.x`, `172.16-31.x`, `192.168.x`), carrier-grade NAT's (`100.64-127.x`),
/// link-local (`169.254.x`), loopback, unspecified or multicast.
fn is_public_address(address: &str) -> bool {
    let octets: Vec<u8> = address.split('.').filter_map(|o| o.parse().ok()).collect();
    let [a, b, _, _] = octets[..] else {
        return false;
    };
    !(a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 172 && (16..=31).contains(&b))
        || (a == 192 && b == 168)
        || (a == 100 && (64..=127).contains(&b))
        || (a == 169 && b == 254))
}

/// Whether an IPv4 address is one set aside for documentation (RFC 5737's `192.0.2.x`,
/// `198.51.100.x`, `203.0.113.x`) or counted up as examples write one (`1.2.3.4`).
fn is_documentation_address(address: &str) -> bool {
    ["192.0.2.", "198.51.100.", "203.0.113."]
        .iter()
        .any(|block| address.starts_with(block))
        || address == "1.2.3.4"
}

/// Whether a bare IPv4 address is this machine's: loopback (`127.x.x.x`) or the
/// unspecified `0.0.0.0`, which a client dialling it reaches here; the rest of `0.x.x.x`
/// no client can dial, and what reads so is a version (`download/0.12.6.1-2/`).
fn is_loopback_address(address: &[u8]) -> bool {
    address.starts_with(b"127.") || address.starts_with(b"0.")
}

/// Whether a user, password and host are a well-known local default: a password weak
/// for its user (`is_weak_for`) on loopback or a service container's name.
pub(super) fn is_local_default(user: &str, password: &str, host: &str) -> bool {
    (is_local_host(host) || is_the_users_own_container(user, host)) && is_weak_for(user, password)
}

/// Whether a login given no host (a client then dials libpq's socket) or a host on this
/// machine (`is_local_host`) has a password weak for its user: the local default of a
/// reader that knows the login's host, or knows there is none.
pub(super) fn is_weak_login_here(user: &str, password: &str, host: &str) -> bool {
    is_weak_for(user, password) && (host.is_empty() || is_local_host(host))
}

/// The finding for a password a tool's own directive sets (Ora2Pg's `PG_PWD ...`,
/// HammerDB's `diset tpcc pg_pass ...`), shown as `shown`: none where the value is a
/// reference or a placeholder, and a local default where it is a default or one of the
/// directives' users' own, to this machine or to no host.
pub(super) fn directive_password(
    value: regex::bytes::Match,
    shown: String,
    users: &[String],
    host: &str,
) -> Option<(Range<usize>, Detection)> {
    let secret = lossy(value.as_bytes());
    if structured::is_reference(&secret) || is_placeholder(&secret) {
        return None;
    }
    let mut d = detection(Kind::PasswordSetting, value.start(), shown, &secret);
    d.local_default = std::iter::once("")
        .chain(users.iter().map(String::as_str))
        .any(|user| is_weak_login_here(user, &secret, host));
    Some((value.range(), d))
}

/// Whether a host is one label that is its user's name, less an ending `user` or not,
/// alone or as its first word (`keycloak:...@keycloak`, `gitea_user` at `gitea`,
/// `airflow` at `airflow-metastore`): a compose service or a machine named for the
/// product the login is for, the product's own set-up.
fn is_the_users_own_container(user: &str, host: &str) -> bool {
    let host = without_port(host).to_ascii_lowercase();
    let user = user.to_ascii_lowercase();
    let first_word = host.split(['-', '_']).next().unwrap_or_default();
    is_single_label(&host)
        && host.len() >= 3
        && [host.as_str(), first_word]
            .iter()
            .any(|name| *name == user || *name == less_an_ending_user(&user))
}

/// Whether a password is one a local set-up gives its user: a default password, or the
/// user's own (`users_own_passwords`), whatever the case; or the word `password` spelt
/// with capitals as a value (`PassWord`, `PASSWORD`; lower case, it is documentation's
/// placeholder).
pub(super) fn is_weak_for(user: &str, password: &str) -> bool {
    let capitalised_word = password != "password" && password.eq_ignore_ascii_case("password");
    let default = is_default_password(password);
    let password = password.to_ascii_lowercase();
    let user = user.to_ascii_lowercase();
    capitalised_word
        || default
        // The user's own, as written or in leet (`s3ll4stic` for `sellastic`).
        || placeholder::as_written_or_in_leet(&password, |written| {
            users_own_passwords(&user).any(|own| own == written)
        })
        || names_itself_with_qualifiers(&user, &password)
        || names_itself_for_a_use(&user, &password)
}

/// Whether a lower-case password is its user's name (less an ending `user`), one short
/// word and then the word for password or a year, run together (`msfrpcpass` for
/// `msf`, `radiuspg2026` for `radius`): the user's password for one use, named as a
/// set-up names it, not chosen.
fn names_itself_for_a_use(user: &str, password: &str) -> bool {
    let stem = less_an_ending_user(user);
    let Some(rest) = password
        .strip_prefix(stem)
        .filter(|_| stem.len() >= 3 && stem.bytes().all(|b| b.is_ascii_lowercase()))
    else {
        return false;
    };
    let word = rest.trim_end_matches(|c: char| !c.is_ascii_lowercase());
    let tail = &rest[word.len()..];
    let (use_, said) = if is_a_year(tail) {
        (word, true)
    } else if tail.is_empty() {
        ["password", "passwd", "pass", "pwd", "pw"]
            .iter()
            .find_map(|ending| word.strip_suffix(ending))
            .map_or((word, false), |use_| (use_, true))
    } else {
        (word, false)
    };
    said && (1..=6).contains(&use_.len()) && use_.bytes().all(|b| b.is_ascii_lowercase())
}

/// Whether text is a year as set-ups date a password (`2024`, `1998`): four digits
/// from 1900 to 2099.
fn is_a_year(text: &str) -> bool {
    text.len() == 4
        && (text.starts_with("19") || text.starts_with("20"))
        && text.bytes().all(|b| b.is_ascii_digit())
}

/// A user's name less an ending `user` and the join before it (`mlflow_user` is
/// `mlflow`): the stem the passwords a set-up derives from the name are built on.
fn less_an_ending_user(user: &str) -> &str {
    user.strip_suffix("user")
        .map_or(user, |stem| stem.trim_end_matches(['_', '-']))
}

/// Whether a lower-case password is its user's name (less an ending `user`) joined to
/// words that say what it is and a year or a count (`etlegacy_secure_2025` for
/// `etlegacy_user`, `shop-dev-pass-2024`, `app_strong_123`, `app-runtime-local-only`
/// for `app_runtime`): the name a set-up script derives, not a chosen password. At
/// least one piece follows the name; `_` and `-` join the name's words alike.
fn names_itself_with_qualifiers(user: &str, password: &str) -> bool {
    const WORDS: &[&str] = &[
        "secure", "strong", "pass", "passwd", "password", "pwd", "pw", "key", "secret", "dev",
        "test", "local", "only", "prod", "db",
    ];
    let stem = less_an_ending_user(user).replace('-', "_");
    let password = password.replace('-', "_");
    let named = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
    };
    let Some(rest) = password
        .strip_prefix(stem.as_str())
        .filter(|_| stem.len() >= 3 && named(&stem) && named(&password))
        .and_then(|rest| rest.strip_prefix('_'))
    else {
        return false;
    };
    let counted = |piece: &str| "1234567890".starts_with(piece) || is_a_year(piece);
    let pieces: Vec<&str> = rest.split('_').collect();
    !rest.is_empty()
        && pieces.iter().all(|piece| {
            !piece.is_empty()
                && (WORDS.contains(piece)
                    || (piece.bytes().all(|b| b.is_ascii_digit()) && counted(piece)))
        })
}

/// How far back a URI's statement is read for the assertion that holds it.
const ASSERTION_REACH: usize = 300;

/// Whether the text at `at` is inside a test's assertion call still open on its
/// statement (`assert!(!is_local("postgres://postgres:postgres@10.0.0.5/db"))`,
/// `assertEquals("postgres://app:app@10.1.2.3/app", url)`): the URI is the test's
/// input or expected value, which no server is given.
fn is_asserted_on(text: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(ASSERTION_REACH);
    let before = &text[from..at];
    // The statement starts after the last `;`, `{` or `}` before the URI.
    let start = before
        .iter()
        .rposition(|b| matches!(b, b';' | b'{' | b'}'))
        .map_or(0, |i| i + 1);
    let statement = &before[start..];
    patterns().assertion_call.find_iter(statement).any(|m| {
        let inside = &statement[m.end()..];
        let opened = inside.iter().filter(|&&b| b == b'(').count() + 1;
        opened > inside.iter().filter(|&&b| b == b')').count()
    })
}

/// The passwords a local set-up derives from its user's name: the name itself, or the
/// name marked for the environment or counted up or down (`shop`, `shop_dev`, `shop-test`,
/// `shop123`, `shop321`), the name less an ending `user` (`mlflow_user`/`mlflow`), or the name (less an ending `user`) with a word for password or key
/// before or after it (`benchmarkdbuser` and `benchmarkdbpass`, `app_user` and
/// `app_password`, `naytife` and `naytifekey`, `shop` and `pass_shop`, `gitea` and
/// `gitea@passwd`), also after its environment's mark (`shop-test-pw`), the name said
/// twice (`rootroot`), or a word of a name made of words (`matrix-synapse`/`synapse`).
fn users_own_passwords(user: &str) -> impl Iterator<Item = String> + '_ {
    // The environment's mark, `only` after it too (`shop_dev`, `shop_dev_only`), digits
    // counted up or down after the name (`shop123`, `sentry321`), or one symbol a
    // password rule asks for (`shop!`, `realizaApp*`).
    const SUFFIXES: &[&str] = &[
        "",
        "_dev",
        "-dev",
        "_test",
        "-test",
        "_local",
        "-local",
        "_dev_only",
        "-dev-only",
        "_test_only",
        "-test-only",
        "_local_only",
        "-local-only",
        "1",
        "12",
        "123",
        "1234",
        "12345",
        "123456",
        "321",
        "4321",
        "54321",
        "!",
        "*",
        "@",
        "#",
        "$",
        ".",
    ];
    // With the word for password, in English or in the languages set-ups are written in
    // (`pomeloheslo`, `app_haslo`, `shop_parola`, `kasa_sifre`).
    const PASSWORD_WORDS: &[&str] = &["pass", "passwd", "password", "pwd", "pw", "key", "secret"];
    // Joined as names are, or as an address is (`gitea@passwd`).
    const JOINS: &[&str] = &["", "_", "-", "@"];
    let stem = less_an_ending_user(user);
    let stem = (stem.len() >= 2
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
    .then_some(stem);
    SUFFIXES
        .iter()
        .filter(|_| !user.is_empty())
        .map(move |suffix| format!("{user}{suffix}"))
        // Digits counted up set apart from the name (`ong_control_123`, `shop-1234`).
        .chain(
            ["123", "1234", "12345", "123456"]
                .into_iter()
                .filter(|_| !user.is_empty())
                .flat_map(move |count| ["_", "-"].map(|join| format!("{user}{join}{count}"))),
        )
        // The name less its ending `user` on its own (`mlflow_user`/`mlflow`).
        .chain(stem.filter(|stem| *stem != user).map(str::to_string))
        .chain(stem.into_iter().flat_map(|stem| {
            PASSWORD_WORDS
                .iter()
                .chain(TRANSLATED_PASSWORD_WORDS)
                .flat_map(move |word| {
                    JOINS.iter().flat_map(move |join| {
                        [format!("{stem}{join}{word}"), format!("{word}{join}{stem}")]
                    })
                })
        }))
        // The name cut to its first four letters or more, then the word (`repl_password`
        // for `replicator`), as a guide abbreviates it.
        .chain(stem.into_iter().flat_map(|stem| {
            (4..stem.len())
                .filter(|&end| stem.is_char_boundary(end))
                .flat_map(move |end| {
                    PASSWORD_WORDS.iter().flat_map(move |word| {
                        JOINS
                            .iter()
                            .map(move |join| format!("{}{join}{word}", &stem[..end]))
                    })
                })
        }))
        // The name cut short to its first word, half of it or more and four letters at
        // least (`trivia` for `triviacouch`), as a set-up names its login after itself.
        .chain(stem.into_iter().flat_map(|stem| {
            let letters = stem.bytes().all(|b| b.is_ascii_alphabetic());
            (4.max(stem.len().div_ceil(2))..stem.len())
                .filter(move |_| letters)
                .map(move |end| stem[..end].to_string())
        }))
        // The name marked for the environment, then the word (`zitadel-test-pw`).
        .chain(stem.into_iter().flat_map(|stem| {
            ["dev", "test", "local"]
                .into_iter()
                .flat_map(move |marker| {
                    PASSWORD_WORDS.iter().flat_map(move |word| {
                        JOINS[1..3]
                            .iter()
                            .map(move |join| format!("{stem}{join}{marker}{join}{word}"))
                    })
                })
        }))
        // The name with the word for password and a database's (`pass_postgres_bd`,
        // `postgres_db_pass`).
        .chain(stem.into_iter().flat_map(|stem| {
            ["db", "bd"].into_iter().flat_map(move |db| {
                PASSWORD_WORDS.iter().flat_map(move |word| {
                    JOINS[1..3].iter().flat_map(move |join| {
                        [
                            format!("{word}{join}{stem}{join}{db}"),
                            format!("{stem}{join}{db}{join}{word}"),
                        ]
                    })
                })
            })
        }))
        // The name said twice (`rootroot`, `adminadmin`).
        .chain((!user.is_empty()).then(|| format!("{user}{user}")))
        // A word of a name made of words (`matrix-synapse` and `synapse`).
        .chain(
            user.split(['_', '-'])
                .filter(move |part| part.len() >= 3 && part.len() < user.len())
                .map(str::to_string),
        )
        .chain(shortened_name_then_password(user))
}

/// The name's start run into the word for password, counted up or not (`radpass` for
/// `radius`, `trainpass123` for `trainadmin`): a set-up's name for its role's password,
/// cut short as people say the name. The start is three to six letters and leaves some
/// of the name.
fn shortened_name_then_password(user: &str) -> impl Iterator<Item = String> + '_ {
    const WORDS: &[&str] = &["pass", "passwd", "password", "pwd", "pw"];
    const COUNTS: &[&str] = &["", "1", "12", "123", "1234", "12345", "123456"];
    let letters = user.bytes().take_while(u8::is_ascii_lowercase).count();
    (3..=6)
        .filter(move |&n| n <= letters && n < user.len())
        .flat_map(move |n| {
            WORDS.iter().flat_map(move |word| {
                COUNTS
                    .iter()
                    .map(move |count| format!("{}{word}{count}", &user[..n]))
            })
        })
}

/// Where the URIs start that illustrate a form rather than hold a credential: the same
/// user at the same host with two passwords or more written out (`If the password is
/// `abc123`: postgresql://postgres:abc123@host/db`, then `MyPass456`), as documentation
/// shows how a password goes in; one user at one host has one password. `uris` holds
/// the passwords written out (placeholders, `[PASSWORD]` or `your_password_here`, do not
/// count).
fn illustrations(uris: &[(usize, String, String, String)]) -> HashSet<usize> {
    let mut passwords: HashMap<(String, String), Vec<&str>> = HashMap::new();
    for (_, user, host, password) in uris {
        let seen = passwords
            .entry((user.to_ascii_lowercase(), host.to_ascii_lowercase()))
            .or_default();
        if !seen.contains(&password.as_str()) {
            seen.push(password);
        }
    }
    uris.iter()
        .filter(|(_, user, host, _)| {
            passwords
                .get(&(user.to_ascii_lowercase(), host.to_ascii_lowercase()))
                .is_some_and(|seen| seen.len() >= 2)
        })
        .map(|(start, ..)| *start)
        .collect()
}

/// Where the URIs start whose password word, dialled at an address, is the text's
/// stand-in rather than one server's password: one user's same password at three hosts
/// or more, one of them this machine or a local service, as a test that varies the host
/// writes it (`postgres:password@localhost`, `@10.0.0.4`, `@100.101.102.103`). `uris`
/// holds every URI's login, placeholders too; `dialled` the starts of the URIs whose
/// password word counted only for its address.
fn stand_ins(uris: &[(usize, String, String, String)], dialled: &[usize]) -> HashSet<usize> {
    let dialled: HashSet<usize> = dialled.iter().copied().collect();
    // Each login's hosts, and whether one of them is local.
    let mut hosts: HashMap<(String, &str), (HashSet<String>, bool)> = HashMap::new();
    for (_, user, host, password) in uris {
        let (seen, local) = hosts
            .entry((user.to_ascii_lowercase(), password.as_str()))
            .or_default();
        *local |= is_local_host(host);
        seen.insert(host.to_ascii_lowercase());
    }
    uris.iter()
        .filter(|(start, user, _, password)| {
            dialled.contains(start)
                && hosts
                    .get(&(user.to_ascii_lowercase(), password.as_str()))
                    .is_some_and(|(seen, local)| *local && seen.len() >= 3)
        })
        .map(|(start, ..)| *start)
        .collect()
}

/// Whether the text after a URI cut at its `@` joins a host on in code: the string's
/// closing quote, then `+` (Python, JavaScript, Java), `.` (PHP) or `..` (Lua), or the
/// next string literal, which Python and C join to it (`"postgresql://u:pw@"` then
/// `"host:5432/db"` on the next line).
fn joins_a_host(after: &[u8]) -> bool {
    let Some((quote, rest)) = after.split_first() else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    matches!(quote, b'\'' | b'"') && matches!(rest.first(), Some(b'+' | b'.' | b'"' | b'\''))
}

/// The host a URI cut at its `@` names in its query after its path
/// (`/db?host=/cloudsql/proj:region:inst`, libpq's way to a socket's directory, or
/// pg8000's `?unix_sock=/cloudsql/.../.s.PGSQL.5432`), if it names one.
fn host_in_its_query(after: &[u8]) -> Option<String> {
    let end = after
        .iter()
        .take(HEAD)
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`'))
        .unwrap_or(after.len().min(HEAD));
    let uri = &after[..end];
    if uri.first() != Some(&b'/') {
        return None;
    }
    let query = &uri[uri.iter().position(|&b| b == b'?')? + 1..];
    query.split(|&b| b == b'&').find_map(|pair| {
        let value = pair
            .strip_prefix(b"host=")
            .or_else(|| pair.strip_prefix(b"unix_sock="))?;
        Some(decode(value))
    })
}

/// Whether a conninfo's user and password are a default set-up written for a host the
/// reader fills in (`host=INTERNAL_TARGET user=postgres password=postgres`): the
/// well-known default wherever it runs, not one database's credential.
fn is_template_default(user: &str, password: &str, host: &str) -> bool {
    let name = without_port(host);
    let template = is_placeholder_host(host)
        || (name.bytes().any(|b| b.is_ascii_uppercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')));
    template && is_weak_for(user, password)
}

/// Whether a host is one a document makes up for the reader to fill in: in angle or
/// square brackets (`<primary-host>`), the reader's (`your-db-host`, or with a label of
/// theirs: `db.YOUR_PROJECT_ID.supabase.co`), an example's (`db.example.com`), or the
/// word itself (`host`, `hostname`, `server`). Narrower than
/// `is_placeholder_host`, which a URI's host is judged by: beside a client or in a
/// conninfo, a container's name (`app-postgres`) is a host, not a stand-in for one.
fn is_made_up_host(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    is_readers_host(host)
        || lower.contains("example")
        || is_the_word_for_a_host(host)
        || answers_no_database(host)
}

/// Whether no database answers at a host, whatever the text around it: an address no
/// machine has (`is_impossible_address`), one written by counting
/// (`is_counted_address`) or a cloud's metadata service
/// (`is_instance_metadata_service`). A password dialled there is an example's or a
/// test's.
fn answers_no_database(host: &str) -> bool {
    is_impossible_address(host) || is_counted_address(host) || is_instance_metadata_service(host)
}

/// Whether an IPv4 address is written by counting: its digits run up or down one at a
/// time (`1.2.3.4`, `12.34.56.78`, `123.45.67.89`, `4.3.2.1`), or are one digit said
/// over (`1.1.1.1`, `8.8.8.8`: public resolvers, if anything). Documentation and
/// scanners' tests make such addresses up; no database a password is for sits there.
/// (Numbers that merely step evenly, `10.20.30.40`, are a network's plausible plan;
/// `0.0.0.0` is this machine's.)
fn is_counted_address(host: &str) -> bool {
    let address = without_port(host);
    let digits: Vec<i32> = address
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| i32::from(b - b'0'))
        .collect();
    let runs_by = |step: i32| digits.windows(2).all(|w| w[1] - w[0] == step);
    let repeated = runs_by(0) && digits.first().is_some_and(|&d| d != 0);
    is_ipv4_address(address) && (runs_by(1) || runs_by(-1) || repeated)
}

/// Whether a host is a cloud's instance metadata service (`169.254.169.254`, Google's
/// `metadata.google.internal`, Alibaba's `100.100.100.200`, EC2's IPv6 `fd00:ec2::254`):
/// no database answers there, so a text dialling it is a request-forgery guard's test
/// or write-up and its login the test's.
fn is_instance_metadata_service(host: &str) -> bool {
    let is_service = |name: &str| {
        matches!(
            name.to_ascii_lowercase().as_str(),
            "169.254.169.254" | "metadata.google.internal" | "100.100.100.200" | "fd00:ec2::254"
        )
    };
    let name = host.trim_start_matches('[');
    match name.split_once(']') {
        Some((address, _)) => is_service(address),
        None => is_service(name) || is_service(without_port(name)),
    }
}

/// Whether a host is written as an IPv4 address but one of its numbers is over 255
/// (`123.456.0.1`): a document's made-up address, which no machine has.
fn is_impossible_address(host: &str) -> bool {
    let address = without_port(host);
    is_ipv4_address(address)
        && address
            .split('.')
            .any(|octet| octet.parse::<u16>().is_ok_and(|n| n > 255))
}

/// Whether a URI's login is a template's: the word for a host and a password weak for
/// its user (`postgresql://host:5432/database?user=root&password=root`). A chosen
/// password there is still somebody's, the host left for the reader
/// (`postgres://postgres:hequito62.POSTGRES@host:/database`). Or the word for a user
/// and a password both in capitals, as prose writes what the reader fills in
/// (`postgresql://USER:WW@...`, Dutch's `WW` for `wachtwoord`; `USERNAME:ABCD`).
fn is_template_login(user: &str, password: &str, host: &str) -> bool {
    let capitals =
        |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    (is_the_word_for_a_host(host) && is_weak_for(user, password))
        || (capitals(user) && is_placeholder(user) && capitals(password))
}

/// Whether a host is the word for one (`host`, `hostname`, `server`, `ip`, a server's
/// role and the word, `primary_ip`), as a document writes where the reader's goes
/// (`postgresql://host:5432/database`, `serverName=host`).
fn is_the_word_for_a_host(host: &str) -> bool {
    const ROLES: &[&str] = &[
        "primary", "master", "replica", "standby", "slave", "remote", "server", "host",
    ];
    const WORDS: &[&str] = &["host", "hostname", "ip", "address", "addr"];
    let name = without_port(host).to_ascii_lowercase();
    // A server's role and the word for its address (`primary_ip`, `master_host`), as a
    // replication guide names the machines it speaks of.
    let role_and_word = name
        .split_once('_')
        .is_some_and(|(role, word)| ROLES.contains(&role) && WORDS.contains(&word) && role != word);
    matches!(
        name.as_str(),
        "host" | "hostname" | "server" | "servername" | "ip" | "ip_address"
    ) || role_and_word
}

/// Whether a host is the reader's to fill in: in angle or square brackets (`<host>`),
/// or theirs by name (`your-db-host`, `db.YOUR_PROJECT_ID.supabase.co`), or under the
/// word for their organisation's domain (`postgresql.company.com`, `db.mydomain.com`).
fn is_readers_host(host: &str) -> bool {
    const DOMAIN_WORDS: &[&str] = &[
        "company",
        "mycompany",
        "yourcompany",
        "domain",
        "mydomain",
        "yourdomain",
        "organization",
    ];
    let lower = host.to_ascii_lowercase();
    let labels: Vec<&str> = without_port(&lower).split('.').collect();
    lower.starts_with(['<', '['])
        || lower.starts_with("your")
        || host.split('.').any(is_readers_label)
        || (labels.len() >= 2 && DOMAIN_WORDS.contains(&labels[labels.len() - 2]))
}

/// Whether a label of a host is the reader's to fill in: `YOUR_PROJECT_ID` in
/// `db.YOUR_PROJECT_ID.supabase.co`, `your-project` in `your-project.supabase.co`.
fn is_readers_label(label: &str) -> bool {
    label.starts_with("YOUR")
        || ["your_", "your-", "<", "["]
            .iter()
            .any(|start| label.to_ascii_lowercase().starts_with(start))
}

/// Whether a URI's host (with its port or not) is a placeholder: a hint (`<host>`,
/// `{{ host }}`), one letter repeated (`zzzzz`), which a redacted document puts where
/// the host was, or a name whose first label is a metasyntactic word
/// (`foo.db.elephantsql.com`), as a document's "something like this" is spelt, or one
/// with a label counting the alphabet or the digits (`mydb.abcdef.us-east-1...`); no
/// host is so named.
fn is_placeholder_host(host: &str) -> bool {
    let name = without_port(host);
    let mut letters = name.chars();
    let first = letters.next();
    let first_label = name.split('.').next().unwrap_or_default();
    // A label counting the alphabet or the digits from their start (`abcdef`,
    // `123456789012`), as documentation makes up an endpoint's random part
    // (`mydb.abcdef.us-east-1.rds.amazonaws.com`).
    let counted_label = name.split('.').any(|label| {
        let label = label.to_ascii_lowercase();
        (label.len() >= 4 && ALPHABET.starts_with(&label))
            || ((6..=2 * COUNTED_DIGITS.len()).contains(&label.len())
                && label
                    .bytes()
                    .zip(COUNTED_DIGITS.bytes().cycle())
                    .all(|(a, b)| a == b))
    });
    // A made-up stem and the digits counted after it, as a label or a piece of one
    // (`db.xyz123.nhost.run`, `abc123.supabase.co`, `foo1.example`, a provider's own
    // guide's `postgresql-ab123456-cd7891011.database.cloud.ovh.net`).
    let made_up_label = name.split(['.', '-']).any(|label| {
        let label = label.to_ascii_lowercase();
        let stem = label.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &label[stem.len()..];
        let made_up_stem = matches!(stem, "xyz" | "abc")
            || (stem.len() >= 3 && stem.bytes().all(|b| b == b'x'))
            || placeholder::is_metasyntactic(stem);
        // The alphabet's first two letters or more, then three digits counted or more.
        let alphabet_then_count =
            stem.len() >= 2 && digits.len() >= 3 && ALPHABET.starts_with(stem);
        (made_up_stem || alphabet_then_count)
            && !digits.is_empty()
            && COUNTED_DIGITS.starts_with(digits)
    });
    // Neon's endpoint named by one letter or by x's (`ep-x.eu-central-1.aws.neon.tech`,
    // `ep-xxx-pooler...`): a test's or a document's stand-in for the generated name
    // (`ep-cool-darkness-123456`).
    let made_up_endpoint = first_label
        .to_ascii_lowercase()
        .strip_prefix("ep-")
        .is_some_and(|rest| {
            let id = rest.split('-').next().unwrap_or_default();
            id.len() == 1 || (id.len() >= 2 && id.bytes().all(|b| b == b'x'))
        });
    // Terraform's reference to the database it provisions
    // (`${azurerm_postgresql_flexible_server.main.fqdn}`, `${aws_db_instance.app.address}`)
    // names a real host, however a template spells it.
    let provisioned = name.strip_prefix("${").is_some_and(|reference| {
        patterns()
            .provisions_managed_database
            .find(reference.as_bytes())
            .is_some_and(|resource| {
                resource.start() == 0 && reference[resource.end()..].starts_with('.')
            })
    });
    (is_placeholder(host) && !provisioned)
        || answers_no_database(host)
        || (name.len() >= 3
            && first.is_some_and(|f| f.is_ascii_alphabetic() && letters.all(|c| c == f)))
        || (name.contains('.')
            && (placeholder::is_metasyntactic(first_label)
                || counted_label
                || made_up_label
                || made_up_endpoint))
}
/// A host without its port (`db:5432` is `db`, and so is a document's `db:port` or
/// code's `db:%s`); `::1` and a bare name are as given.
fn without_port(host: &str) -> &str {
    // A port code fills in: a format's verb (`localhost:%s`), a template's or a
    // variable's name (`localhost:{port}`, `localhost:$PORT`).
    let filled_in = |p: &str| {
        matches!(p, "%s" | "%d" | "%v")
            || (p.starts_with('{') && p.ends_with('}'))
            || (p.starts_with('$')
                && p.len() > 1
                && p[1..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    };
    host.rsplit_once(':')
        .filter(|(h, p)| {
            !h.is_empty()
                && (p.bytes().all(|b| b.is_ascii_digit())
                    || p.eq_ignore_ascii_case("port")
                    || filled_in(p))
        })
        .map_or(host, |(h, _)| h)
}

/// Whether a host (with its port or not) only reaches this machine or a service
/// container beside it: loopback, a container's name, one label that names a
/// database (`postgres`, `local_postgres`, `app-db`, `app_psql`, a persistence layer's
/// `users_persistence`): no public host is spelt without a dot; or a service of the
/// application's own Kubernetes cluster.
pub(super) fn is_local_host(host: &str) -> bool {
    const SERVICE_WORDS: &[&str] = &[
        "postgres",
        "postgis",
        "pg",
        "db",
        "database",
        "local",
        "sql",
        "persistence",
    ];
    if is_loopback_host(host) || is_local_socket_directory(host) {
        return true;
    }
    let host = host.to_ascii_lowercase();
    let host = without_port(&host);
    LOCAL_HOSTS.contains(&host)
        // OrbStack's names for the containers it runs (`db.supabase.orb.local`).
        || host.ends_with(".orb.local")
        // The Supabase CLI's aliases on its local stack's network (`db.supabase.internal`
        // is the database container's).
        || host.ends_with(".supabase.internal")
        // A Kubernetes service of the cluster the application runs in
        // (`postgres-rw.shop.svc.cluster.local`), as a compose service is of its project.
        || host.ends_with(".svc.cluster.local")
        // A name under a top-level domain RFC 2606 keeps for tests (`db.test`,
        // `pg.invalid`): no server answers it but the test's own set-up.
        || host.ends_with(".test")
        || host.ends_with(".invalid")
        // A bare number where the host goes (`host=5432`, `PGHOST=3003`) is a port
        // written in the wrong place: it names no server, and the set-up is the local one.
        || (!host.is_empty() && host.bytes().all(|b| b.is_ascii_digit()))
        // Vagrant's documented host-only network (`33.33.33.10`): a virtual machine
        // this machine runs, as a container is.
        || host.starts_with("33.33.33.")
        || is_host_gateway(host)
        || on_dockers_default_bridge(host)
        || is_a_docker_networks_gateway(host)
        || (is_single_label(host) && SERVICE_WORDS.iter().any(|word| host.contains(word)))
}

/// Whether a host is the name a container or virtual machine gives the machine it runs
/// on, `host.<runtime>.internal`: Docker's `host.docker.internal`, Podman's
/// `host.containers.internal`, OrbStack's, Lima's, Rancher Desktop's and the like.
fn is_host_gateway(host: &str) -> bool {
    host.strip_prefix("host.")
        .and_then(|rest| rest.strip_suffix(".internal"))
        .is_some_and(|runtime| {
            !runtime.is_empty()
                && runtime
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether a host is an address of Docker's default bridge network, `172.17.0.0/16`
/// (`172.17.0.2`, the first container `docker run` starts; `172.17.0.1`, the machine
/// itself): a container on this machine, as a compose service's name is.
fn on_dockers_default_bridge(host: &str) -> bool {
    host.strip_prefix("172.17.").is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('.').collect();
        parts.len() == 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Whether an address is the gateway of a network Docker Compose makes, `172.18.0.1` to
/// `172.31.0.1` (each project's network is the next `/16`, its first address the machine
/// itself): what a container dials to reach this machine's own server
/// (`PGPASSWORD=claude psql -h 172.18.0.1`). The containers' own addresses on such
/// a network (`172.18.0.2`) may be another machine's range, and are not read so.
fn is_a_docker_networks_gateway(host: &str) -> bool {
    host.strip_prefix("172.")
        .and_then(|rest| rest.strip_suffix(".0.1"))
        .and_then(|second| second.parse::<u8>().ok())
        .is_some_and(|second| (18..=31).contains(&second))
}

/// Whether an address is the one an emulator gives the machine it runs on, whose
/// loopback it reaches: Android's `10.0.2.2` (`ip = "10.0.2.2"` in an app's JDBC helper)
/// and Genymotion's `10.0.3.2` (`jdbc:postgresql://10.0.3.2:5432/app` beside a commented
/// `127.0.0.1`).
fn is_an_emulators_host(address: &str) -> bool {
    matches!(address, "10.0.2.2" | "10.0.3.2")
}

/// Whether a host (with its port or not) is loopback's, `localhost` or an address of
/// `127.0.0.0/8` or `::1`: this machine itself, not a container's name or the LAN.
fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    // `::1` is loopback itself, not a host `:` and a port.
    let host = if matches!(host.as_str(), "::1" | "[::1]") {
        host.as_str()
    } else {
        without_port(&host)
    };
    // A name under `.localhost` resolves to loopback (RFC 6761: `db.localhost`).
    matches!(host, "localhost" | "::1" | "[::1]")
        || is_an_emulators_host(host)
        || host.ends_with(".localhost")
        || is_loopback_block(host)
        || resolves_to_loopback(host)
}

/// Whether a host is a Unix socket's directory (`/var/run/postgresql`, a URI's
/// `%2Fvar%2Frun%2Fpostgresql` decoded): a server on this machine, unless it
/// is the Cloud SQL Auth Proxy's (`/cloudsql/project:region:instance`), which carries
/// the login to the instance it names.
fn is_local_socket_directory(host: &str) -> bool {
    host.starts_with('/') && !host.starts_with("/cloudsql")
}

/// Whether a public name's DNS answers with loopback for it and every name under it
/// (`db.localtest.me`, `app.lvh.me`), or spells a loopback address for a wildcard DNS
/// service to answer with (`pg.127.0.0.1.nip.io`, `127-0-0-1.sslip.io`): a client that
/// dials it reaches this machine.
fn resolves_to_loopback(host: &str) -> bool {
    const LOOPBACK_DOMAINS: &[&str] = &["localtest.me", "lvh.me", "localho.st", "vcap.me"];
    const WILDCARD_DNS: &[&str] = &["nip.io", "sslip.io"];
    let under = |domain: &str| {
        host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    LOOPBACK_DOMAINS.iter().any(|domain| under(domain))
        || WILDCARD_DNS.iter().any(|domain| {
            host.strip_suffix(domain)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|rest| {
                    let labels: Vec<&str> = rest.split('.').collect();
                    let dotted = labels[labels.len().saturating_sub(4)..].join(".");
                    let dashed = labels[labels.len() - 1].replace('-', ".");
                    is_loopback_block(&dotted) || is_loopback_block(&dashed)
                })
        })
}

/// Whether a host is an address of the loopback block, `127.0.0.0/8` (`127.0.0.7`), all
/// of which reach this machine.
fn is_loopback_block(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The database a URI names after its host (`:5432/track_wild_db?...` names
/// `track_wild_db`), given the text that follows the host.
pub(super) fn uri_database(after_host: &[u8]) -> Option<String> {
    let port = after_host.strip_prefix(b":").map_or(0, |rest| {
        1 + rest.iter().take_while(|b| b.is_ascii_digit()).count()
    });
    let path = after_host[port..].strip_prefix(b"/")?;
    let name = &path[..path
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .unwrap_or(path.len())];
    (!name.is_empty()).then(|| lossy(name).to_ascii_lowercase())
}

/// Whether a password is its database's name, as a local set-up gives it
/// (`twadmin:trackwild@localhost/track_wild_db`): the same letters and digits, whatever
/// the case and the separators, with or without the name's ending `db` or `database`,
/// and with or without a year or digits counted up after it (a course's `sqltrain2026`
/// for `sql_train`, `mrp123` for `mrp_db`); or the name shortened word by word (`LSpot`
/// for `LiquiditySpot`).
fn names_the_database(password: &str, database: &str) -> bool {
    if shortens_the_name(password, database) {
        return true;
    }
    let letters = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let (password, database) = (letters(password), letters(database));
    let stem = password.trim_end_matches(|c: char| c.is_ascii_digit());
    let tail = &password[stem.len()..];
    let dated_or_counted = is_a_year(tail) || (tail.len() >= 3 && COUNTED_DIGITS.starts_with(tail));
    // The whole password, and the name before its year or count (a database may be
    // named with the digits too: `app123` for `app123`).
    [Some(password.as_str()), dated_or_counted.then_some(stem)]
        .into_iter()
        .flatten()
        .any(|name| {
            name.len() >= 3
                && (name == database
                    || ["db", "database"]
                        .iter()
                        .any(|word| database.strip_suffix(word) == Some(name)))
        })
}

/// Whether a password of four letters or more is a name of two words or more shortened
/// word by word, each word to its first letter or more, in order and none left out
/// (`LSpot` or `liqspot` for `LiquiditySpot`, `invman` for `inventory_manager`): the
/// product's own name as a set-up abbreviates it, not a chosen password.
fn shortens_the_name(password: &str, name: &str) -> bool {
    let password = password.to_ascii_lowercase();
    let words = placeholder::words_of(name);
    password.len() >= 4
        && words.len() >= 2
        && password.bytes().all(|b| b.is_ascii_alphanumeric())
        && starts_each_word(password.as_bytes(), &words)
}

/// Whether `password` is the words in order, each cut to its first letter or more.
fn starts_each_word(password: &[u8], words: &[String]) -> bool {
    match words.split_first() {
        None => password.is_empty(),
        Some((word, rest)) => (1..=word.len().min(password.len())).any(|cut| {
            password[..cut] == word.as_bytes()[..cut] && starts_each_word(&password[cut..], rest)
        }),
    }
}

/// Whether a password is the name of the application its variable is named for
/// (`skillnote` for `SKILLNOTE_DB_PASSWORD`): the words before the database's or the
/// password's, as a set-up names its own default after itself.
fn names_the_variables_application(variable: &str, password: &str) -> bool {
    const DATABASE_WORDS: &[&str] = &[
        "db",
        "database",
        "postgres",
        "postgresql",
        "pg",
        "pgsql",
        "password",
        "passwd",
        "pass",
        "pwd",
        "pw",
        // libpq's own variable's name after a prefix (`NSJB_PGPASSWORD`).
        "pgpassword",
        "pgpass",
    ];
    let lower = variable.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    let application = words
        .iter()
        .position(|word| DATABASE_WORDS.contains(word))
        .map_or(&[][..], |at| &words[..at]);
    let password = password.to_ascii_lowercase();
    !application.is_empty()
        && application.iter().map(|word| word.len()).sum::<usize>() >= 3
        && [
            application.join(""),
            application.join("_"),
            application.join("-"),
        ]
        .contains(&password)
}

/// Whether a host (with its port or not) is one label, as a container or a machine on
/// the same network is named (`primary`, `pg-replica`): no public host is spelt without
/// a dot.
fn is_single_label(host: &str) -> bool {
    let host = without_port(host);
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && !host.bytes().all(|b| b.is_ascii_digit())
}

/// A connection string's value read on over one quote inside it, where the string's
/// closing quote or the next field follows (`"...;Password=s3cr'et"`): the quote is the
/// value's, not the string's end.
fn with_a_quote_inside(text: &[u8], value: Range<usize>) -> &[u8] {
    let rest = &text[value.end..];
    let run = rest
        .iter()
        .skip(1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if rest.first() == Some(&b'\'') && run > 0 && matches!(rest.get(1 + run), Some(b'"' | b';')) {
        &text[value.start..value.end + 1 + run]
    } else {
        &text[value]
    }
}

/// One finding per secret: a Neon password inside a URI, or a URI's `password=`, is
/// the same secret as the finding that contains it; the widest one is kept (of equal
/// ones, the connection-string forms before the settings found by structure).
fn dedupe(mut found: Vec<(Range<usize>, Detection)>) -> Vec<Detection> {
    // Of two findings of the same text, a Secret's decoded value is the one kept: its
    // fingerprint is the secret's, not its base64's.
    found.sort_by_key(|(r, d)| {
        (
            r.start,
            std::cmp::Reverse(r.end),
            d.kind != Kind::KubernetesSecret,
        )
    });
    // Sorted by start, a range lies inside an earlier kept one exactly when it starts
    // before the furthest end kept so far: one pass, not a search per finding.
    // A finding dropped inside a kept one of the same secret still tells what it knew:
    // a driver call's password read back to its variable knows the call's host and
    // user, which the variable's setting alone does not (`pw = "shop"` passed with
    // `"shop"` to `localhost`), so its local default holds for the kept one. A conninfo
    // read whole from joined literals knows its host, which its first literal alone
    // does not: that one's reading gives way.
    // A local default never hides another secret that fails the run: a call whose live
    // arguments to localhost follow commented-out ones to a public host is read whole as
    // the local login, and the commented password inside it is kept beside it. The kept
    // finding that reaches furthest is the one a later finding lies inside.
    let mut kept: Vec<Detection> = Vec::new();
    let (mut furthest_end, mut furthest) = (0, 0);
    for (range, d) in found {
        let outside = kept.is_empty() || range.start >= furthest_end;
        let hidden_by_a_local_default = !outside
            && !d.local_default
            && kept[furthest].local_default
            && kept[furthest].secret_digest != d.secret_digest;
        if outside || hidden_by_a_local_default {
            if range.end > furthest_end {
                (furthest_end, furthest) = (range.end, kept.len());
            }
            kept.push(d);
        } else if d.local_default
            && let Some(same) = kept.iter_mut().rev().find(|k| {
                k.secret_digest == d.secret_digest
                    && !(k.kind == Kind::KeyValuePassword && d.kind == Kind::KeyValuePassword)
            })
        {
            same.local_default = true;
        }
    }
    kept
}

/// The hosts a line sets (`host='...'`, `"host": "..."`, a URI's host).
fn hosts_set_in(line: &[u8]) -> Vec<String> {
    patterns()
        .host_setting
        .captures_iter(line)
        .flat_map(|c| {
            c.iter()
                .skip(1)
                .flatten()
                .map(|host| lossy(host.as_bytes()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The quoted strings (four characters or more, either quote) on the lines `lines`
/// matches, each with where it is in the text: what a test's assertions and a redaction
/// test's lists name.
fn quoted_on_lines<'t>(
    lines: &'t Regex,
    text: &'t [u8],
) -> impl Iterator<Item = (Range<usize>, String)> + 't {
    lines.find_iter(text).flat_map(|line| {
        patterns()
            .quoted_string
            .captures_iter(line.as_bytes())
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .map(move |quoted| {
                let at = line.start() + quoted.start();
                (at..at + quoted.len(), lossy(quoted.as_bytes()))
            })
    })
}

/// A line's code, its comments dropped: `/* ... */` spans, and what follows `//` (not
/// a URL's `://`) or ` #`.
pub(super) fn code_of(line: &[u8]) -> Vec<u8> {
    let mut code = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if rest.starts_with(b"/*") {
            match rest.windows(2).position(|w| w == b"*/") {
                Some(end) => i += end + 2,
                None => break,
            }
            continue;
        }
        let url_slashes = i > 0 && line[i - 1] == b':';
        if (rest.starts_with(b"//") && !url_slashes) || rest.starts_with(b" #") {
            break;
        }
        code.push(line[i]);
        i += 1;
    }
    code
}

/// What a commented-out line holds after its comment marker (`//`, `#`, `--`, `/*`,
/// `*`, `;`, `REM`), or `None` where the line opens with none.
pub(super) fn comment_body(line: &[u8]) -> Option<&[u8]> {
    let line = line.trim_ascii_start();
    ["//", "#", "--", "/*", "*", ";", "REM ", "rem "]
        .iter()
        .find_map(|marker| line.strip_prefix(marker.as_bytes()))
}

/// Whether a line is commented out: it opens with a comment marker.
fn is_commented_out(line: &[u8]) -> bool {
    comment_body(line).is_some()
}

/// Each name once, in the order first named: a text that names one user on every line
/// (a test's matrix of URIs) is judged against that user once, not once a line.
fn distinct(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names.filter(|name| seen.insert(name.clone())).collect()
}

/// A host without the port SQL Server's strings give after a comma (`localhost,1433`).
fn without_comma_port(host: &str) -> String {
    match host.rsplit_once(',') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            name.to_string()
        }
        _ => host.to_string(),
    }
}

/// Bytes as text, invalid UTF-8 replaced.
pub(super) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A URI part percent-decoded, so `%24%7BPW%7D` is seen as `${PW}`.
fn decode(bytes: &[u8]) -> String {
    percent_encoding::percent_decode(bytes)
        .decode_utf8_lossy()
        .into_owned()
}

/// A value without the quotes around it.
pub(super) fn unquote(bytes: &[u8]) -> String {
    let text = lossy(bytes);
    let trimmed = text.trim();
    if let Some(inner) = trimmed
        .strip_prefix("\\\"")
        .and_then(|t| t.strip_suffix("\\\""))
    {
        return inner.to_string();
    }
    for quote in ['"', '\''] {
        if let Some(inner) = trimmed
            .strip_prefix(quote)
            .and_then(|t| t.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    trimmed.to_string()
}

/// A URI up to its `password=` parameter, shown with its user shortened as everywhere
/// and any other secret-looking parameter hidden.
fn redact_query_prefix(prefix: &str) -> String {
    let (base, query) = prefix.split_once('?').unwrap_or((prefix, ""));
    // The host follows the last `@`: a password may hold an unencoded one. Of the user
    // information only the user's first characters are shown, never the password's.
    let base = match base.split_once("://").and_then(|(s, rest)| {
        let (userinfo, host) = rest.rsplit_once('@')?;
        let shown = match userinfo.split_once(':') {
            Some((user, _)) => format!("{}:****", redact_user(user)),
            None => redact_user(userinfo),
        };
        Some(format!("{s}://{shown}@{host}"))
    }) {
        Some(shortened) => shortened,
        None => base.to_string(),
    };
    format!("{base}?{query}")
}

/// The first three characters of a user name, as everywhere in vsecure.
fn redact_user(user: &str) -> String {
    let shown: String = user.chars().take(3).collect();
    format!("{shown}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_piece_of_a_password_with_an_unencoded_at_is_shown() {
        let password = "Se9cr@t77x"; // vsecure:allow (a documented fake)
        for text in [
            format!("postgres://app:{password}@h.internal:5432/db"), // vsecure:allow (a documented fake)
            format!("x postgres://u:{password}@h.internal/db?password=Ot8herPw"), // vsecure:allow (a documented fake)
            format!("psql 'postgresql://app:Kv@{password}@h.internal/db'"), // vsecure:allow (a documented fake)
        ] {
            let found = detect(text.as_bytes(), Syntax::Config);
            assert_eq!(found.len(), 1, "{text}");
            let shown = &found[0].redacted;
            assert!(shown.contains("@h.internal"), "{shown}");
            for i in 0..=password.len() - 3 {
                assert!(
                    !shown.contains(&password[i..i + 3]),
                    "{shown} shows {}",
                    &password[i..i + 3]
                );
            }
        }
    }

    #[test]
    fn a_cloud_metadata_service_is_no_database() {
        for host in [
            "169.254.169.254",
            "169.254.169.254:5432",
            "metadata.google.internal",
            "[fd00:ec2::254]:5432",
            "fd00:ec2::254",
        ] {
            assert!(is_instance_metadata_service(host), "{host}");
            assert!(is_made_up_host(host) && is_placeholder_host(host), "{host}");
        }
        for host in ["169.254.102.187", "100.100.100.201", "metadata.internal"] {
            assert!(!is_instance_metadata_service(host), "{host}");
        }
    }

    #[test]
    fn an_address_written_by_counting_is_made_up() {
        for host in [
            "1.2.3.4",
            "1.2.3.4:5432",
            "12.34.56.78",
            "123.45.67.89",
            "4.3.2.1",
            "1.1.1.1",
            "8.8.8.8:5432",
            "11.11.11.11",
        ] {
            assert!(is_counted_address(host), "{host}");
            assert!(is_made_up_host(host) && is_placeholder_host(host), "{host}");
        }
        for host in [
            "1.2.3.5",
            "10.20.30.40",
            "13.42.152.118",
            "192.168.1.1",
            "0.0.0.0",
            "1.1.1.2",
            "db.acme.io",
        ] {
            assert!(!is_counted_address(host), "{host}");
        }
    }

    #[test]
    fn a_host_made_up_by_documentation_is_a_placeholder() {
        for host in [
            "foo.db.elephantsql.com",
            "zzzzz",
            "mydb.abcdef.us-east-1.rds.amazonaws.com",
            "orders.123456789012.eu-west-1.rds.amazonaws.com:5432",
            "postgresql-ab123456-cd7891011.database.cloud.ovh.net:20184",
            "db-abc123.internal",
            "ep-x-pooler.eu-central-1.aws.neon.tech",
            "ep-xxx.us-east-2.aws.neon.tech",
        ] {
            assert!(is_placeholder_host(host), "{host}");
        }
        for host in [
            "orders.c9akciq32xyz.eu-west-1.rds.amazonaws.com",
            "abc.example-shop.io",
            "db-1234.internal",
            "postgresql-01834fb4-o16acbbf3.database.cloud.ovh.net",
            "ab12.example-shop.io",
            "ep-lucky-wave-alo42owa.c-3.eu-central-1.aws.neon.tech",
        ] {
            assert!(!is_placeholder_host(host), "{host}");
        }
        // A password Neon generated is found at a made-up endpoint all the same; another
        // password there is the made-up login's.
        let neon = "psql 'postgresql://neondb_owner:npg_Qz8vLm2WxeTr@ep-x.us-east-2.aws.neon.tech/neondb'\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(neon.as_bytes(), Syntax::Document).len(), 1);
        let made_up = neon.replace("npg_Qz8vLm2WxeTr", "k3y%21x"); // vsecure:allow (a documented fake)
        assert!(detect(made_up.as_bytes(), Syntax::Document).is_empty());
    }

    #[test]
    fn a_password_the_prose_calls_the_default_is_low_beside_local_hosts_only() {
        const MODULE: &str = "connection-url=jdbc:postgresql://postgres:5432/lake\nconnection-user=admin\nconnection-password=lakeHouse42\n\nNote: the default password of the modules' databases is `lakeHouse42`.\n"; // vsecure:allow (a documented fake)
        const REMOTE: &str = "connection-url=jdbc:postgresql://10.8.1.4:5432/lake\nconnection-user=admin\nconnection-password=lakeHouse42\n\nPasswords in default modules tend to be `lakeHouse42`.\n"; // vsecure:allow (a documented fake)
        const UNSAID: &str = "connection-url=jdbc:postgresql://postgres:5432/lake\nconnection-user=admin\nconnection-password=lakeHouse42\n"; // vsecure:allow (a documented fake)
        for (text, local) in [(MODULE, true), (REMOTE, false), (UNSAID, false)] {
            let found = detect(text.as_bytes(), Syntax::Document);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text}");
        }
    }

    #[test]
    fn the_word_for_a_host_names_none() {
        for uri in [
            "ctx.url=postgresql://host:5432/database?user=app&password=app\n", // vsecure:allow (a documented fake)
            "DATABASE_URL=postgresql://app:app123@hostname:5432/app\n", // vsecure:allow (a documented fake)
        ] {
            assert!(detect(uri.as_bytes(), Syntax::Config).is_empty(), "{uri}");
        }
        // A chosen password before the word for a host is still somebody's.
        let chosen = "//const db = pgp('postgres://postgres:Vq7mTz2k.PG@host:/database');\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(chosen.as_bytes(), Syntax::Code).len(), 1);
        // Settings whose only host is the word: the user's own password is a local
        // set-up's, as in a text that names no host.
        const QUILL: &str = "ctx.dataSourceClassName=org.postgresql.ds.PGSimpleDataSource\nctx.dataSource.user=root\nctx.dataSource.password=root\nctx.dataSource.serverName=host\nctx.url=postgresql://host:5432/database\n"; // vsecure:allow (a documented fake)
        let found = detect(QUILL.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1);
        assert!(found[0].local_default);
        assert!(is_the_word_for_a_host("host:5432"));
        assert!(!is_the_word_for_a_host("pghost"));
        assert!(is_the_word_for_a_host("primary_ip"));
        assert!(is_the_word_for_a_host("master_host:5432"));
        assert!(!is_the_word_for_a_host("primary_db"));
        assert!(!is_the_word_for_a_host("pg_host"));
        // A replication guide's standby dials the primary by its role.
        let standby =
            "primary_conninfo = 'host=primary_ip port=5432 user=replicator password=Kq8vTz2mRw'\n"; // vsecure:allow (a documented fake)
        assert!(detect(standby.as_bytes(), Syntax::Config).is_empty());
    }

    #[test]
    fn the_word_password_a_driver_call_is_given_by_name_is_meant_at_an_address() {
        let call = "String connUrl = \"jdbc:postgresql://99.23.34.94:5432/shop\";\nString mysqlUserName = \"shop\";\nString mysqlPassword = \"password\";\nconn = DriverManager.getConnection(connUrl, mysqlUserName, mysqlPassword);\n";
        let found = detect(call.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].local_default);
        for host in ["127.0.0.1", "localhost", "192.0.2.10"] {
            let elsewhere = call.replace("99.23.34.94", host);
            assert!(
                detect(elsewhere.as_bytes(), Syntax::Code).is_empty(),
                "{host}"
            );
        }
    }

    #[test]
    fn a_user_s_nested_fallback_names_the_user_its_password_is_judged_by() {
        let entrypoint = "export APP_DB_HOST=\"${APP_db__host:-${PGHOST:-localhost}}\"\nexport APP_DB_USER=\"${APP_db__user:-${PGUSER:-listmonk}}\"\nexport APP_DB_PASSWORD=\"${APP_db__password:-${PGPASSWORD:-listmonk}}\"\n";
        let found = detect(entrypoint.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].local_default);
        let remote = entrypoint.replace("localhost", "db.acme.io");
        let found = detect(remote.as_bytes(), Syntax::Config);
        assert!(found.len() == 1 && !found[0].local_default, "{found:?}");
    }

    #[test]
    fn a_password_beside_a_live_public_address_is_that_server_s() {
        const PRIMARY_AND_REPLICA: &str = "String URL_PRIMARY = \"jdbc:postgresql://85.12.40.7:5432/books\";\nString URL_REPLICA = \"jdbc:postgresql://localhost:5432/books\";\nString DATABASE_USER = \"books\";\nString DATABASE_PASS = \"books\";\n"; // vsecure:allow (a documented fake)
        const PUBLIC_IN_A_COMMENT: &str = "url = getenv(\"DB_URL\") ?: \"jdbc:postgresql://db:5432/books\", /*\"jdbc:postgresql://85.12.40.7:5432/books\",*/\nuser = getenv(\"DB_USER\") ?: \"books\",\npassword = getenv(\"DB_PASSWORD\") ?: \"books\"\n"; // vsecure:allow (a documented fake)
        for (text, local) in [(PRIMARY_AND_REPLICA, false), (PUBLIC_IN_A_COMMENT, true)] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text}");
        }
        assert_eq!(code_of(b"a = \"x\", /* \"y\" */ b // c"), b"a = \"x\",  b ");
        assert_eq!(
            code_of(b"url = \"jdbc:postgresql://h/db\""),
            b"url = \"jdbc:postgresql://h/db\""
        );
    }

    #[test]
    fn a_dockerfile_s_continued_env_lines_declare_a_local_database() {
        const ENV: &str = "ENV \\\n\tDB_CLIENT=\"pg\" \\\n\tDB_HOST=\"postgres\" \\\n\tDB_USER=\"d9\" \\\n\tDB_PASSWORD=\"d9\" \\\n\tNODE_ENV=\"production\"\n"; // vsecure:allow (a documented fake)
        let found = detect(ENV.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1);
        assert!(found[0].local_default);
        // One `ENV NAME=value` a line: the user's own name as its password, on the
        // container the host names, is that container's.
        const LINES: &str = "ENV TTRSS_DB_HOST=ttrss-db\nENV TTRSS_DB_NAME=ttrss\nENV TTRSS_DB_PASS=ttrss\nENV TTRSS_DB_USER=ttrss\n"; // vsecure:allow (a documented fake)
        the_one_finding(LINES, Syntax::Config, true);
    }

    #[test]
    fn prose_that_says_to_change_the_parameters_makes_the_command_an_example() {
        const LIQUIBASE: &str = "* Change parameters to suit your needs, then execute:\n```\nliquibase ^\n    --url=jdbc:postgresql://178.43.67.143:5432/db-name ^\n    --username=postgres ^\n    --password=postgres ^\n    update\n```\n"; // vsecure:allow (a documented fake)
        assert!(detect(LIQUIBASE.as_bytes(), Syntax::Document).is_empty());
        let unsaid = LIQUIBASE.replace(
            "Change parameters to suit your needs, then execute",
            "Execute",
        );
        assert_eq!(detect(unsaid.as_bytes(), Syntax::Document).len(), 1);
    }

    #[test]
    fn an_address_no_machine_has_is_made_up() {
        assert!(is_impossible_address("123.456.0.1:5432"));
        assert!(!is_impossible_address("123.45.0.1"));
        const SPRING: &str = "spring.datasource.url=jdbc:postgresql://123.456.0.1:5432/test_db\nspring.datasource.username=app\nspring.datasource.password=Vq7mTz2kLp\n"; // vsecure:allow (a documented fake)
        const URI: &str = "DATABASE_URL=postgresql://app:Vq7mTz2kLp@10.300.1.2:5432/app\n"; // vsecure:allow (a documented fake)
        for text in [SPRING, URI] {
            assert!(detect(text.as_bytes(), Syntax::Config).is_empty(), "{text}");
        }
    }

    #[test]
    fn php_s_spelling_of_postgresql_names_a_password_variable() {
        const JAVA: &str = "public static String PGSQL_Url = \"jdbc:postgresql://10.8.1.4:5432/mqtt\";\npublic static String PGSQL_password = \"Vq7mTz2kLp\";\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(JAVA), [Kind::PasswordVariable]);
        assert!(names_database_password("pgsql_password"));
    }

    #[test]
    fn the_client_s_name_names_a_password_variable() {
        const SCRIPT: &str = "import psycopg2\nPSQL_HOST = \"100.0.100.180\"\nPSQL_USER = \"postgres\"\nPSQL_PASS = \"Vq7mTz2kLp\"\nconnstr = \"host=%s user=%s password=%s\" % (PSQL_HOST, PSQL_USER, PSQL_PASS)\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(SCRIPT), [Kind::PasswordVariable]);
        assert!(
            names_database_password("psql_password") && names_database_password("PSQL_APP_PASS")
        );
        let local = SCRIPT
            .replace("100.0.100.180", "localhost")
            .replace("Vq7mTz2kLp", "postgres");
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && found[0].local_default, "{found:?}");
    }

    #[test]
    fn a_user_s_name_and_one_symbol_is_its_own_password() {
        assert!(users_own_passwords("realizaApp").any(|own| own == "realizaApp*"));
        assert!(users_own_passwords("shop").any(|own| own == "shop!"));
        assert!(users_own_passwords("cassandra").any(|own| own == "cassandra_dev_only"));
        assert!(!users_own_passwords("cassandra").any(|own| own == "cassandra_prod_only"));
        assert!(!users_own_passwords("shop").any(|own| own == "shop*2024"));
        assert!(users_own_passwords("ong_control").any(|own| own == "ong_control_123"));
        assert!(!users_own_passwords("ong_control").any(|own| own == "ong_control_2024"));
        // Its first four letters or more with the word for password.
        assert!(users_own_passwords("replicator").any(|own| own == "repl_password"));
        assert!(!users_own_passwords("replicator").any(|own| own == "rep_password"));
        let guide = "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'repl_password';\n";
        the_one_finding(guide, Syntax::Document, true);
    }

    #[test]
    fn a_user_s_name_in_leet_is_its_own_password() {
        assert!(is_weak_for("sellastic", "s3ll4stic"));
        assert!(is_weak_for("shop", "sh0p"));
        assert!(!is_weak_for("shop", "sh0p2Kq9"));
        let ruby = "DB = Sequel.postgres('shop_production', :user => 'sellastic', :password => 's3ll4stic', :host => 'localhost')\n";
        assert_local_here_not_there(ruby, Syntax::Code, "'localhost'", "'pg.acme.io'");
    }

    #[test]
    fn a_user_s_name_cut_to_its_first_word_is_its_own_password() {
        assert!(users_own_passwords("triviacouch").any(|own| own == "trivia"));
        // Half the name at least, four letters at least, never the name with digits cut.
        assert!(!users_own_passwords("triviacouch").any(|own| own == "triv"));
        assert!(!users_own_passwords("app").any(|own| own == "ap"));
        assert!(!users_own_passwords("shop2024").any(|own| own == "shop"));
        let call = "DriverManager.getConnection(\"jdbc:postgresql://127.0.0.1:5433/triviacouch\", \"triviacouch\", \"trivia\");\n";
        // To a server off this machine it is that server's weak password.
        assert_local_here_not_there(call, Syntax::Code, "127.0.0.1", "pg.acme.io");
    }

    #[test]
    fn a_user_s_name_counted_down_is_its_own_password() {
        assert!(users_own_passwords("sentry").any(|own| own == "sentry321"));
        assert!(!users_own_passwords("sentry").any(|own| own == "sentry2024"));
        const POD_ENV: &str = "  - name: SENTRY_POSTGRES_HOST\n    value: \"postgresql\"\n  - name: SENTRY_DB_USER\n    value: \"sentry\"\n  - name: SENTRY_DB_PASSWORD\n    value: \"sentry321\"\n"; // vsecure:allow (a documented fake)
        let found = detect(POD_ENV.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1);
        assert!(found[0].local_default);
    }

    #[test]
    fn a_firedac_parameter_list_naming_postgresql_is_one_connection_string() {
        const FORM: &str = "  object Conn: TFDConnection\n    Params.Strings = (\n      'Database=sales'\n      'User_Name=app'\n      'Password=Qm4vTz8wLk'\n      'Server=10.20.0.7'\n      'DriverID=PG')\n  end\n"; // vsecure:allow (a documented fake)
        let found = detect(FORM.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::SemicolonPassword);
        assert!(!found[0].local_default);
        // No server: FireDAC connects to this machine, where a default is a local one.
        let local = FORM
            .replace("'Password=Qm4vTz8wLk'", "'Password=postgres'")
            .replace("      'Server=10.20.0.7'\n", "");
        assert!(detect(local.as_bytes(), Syntax::Config)[0].local_default);
        // Another engine's list (Firebird's `masterkey`) is not PostgreSQL's.
        let firebird = FORM.replace("DriverID=PG", "DriverID=FB");
        assert!(detect(firebird.as_bytes(), Syntax::Config).is_empty());
        const CODE: &str = "FDConnection1.Params.Add('DriverID=PG');\nFDConnection1.Params.Add('Server=10.20.0.7');\nFDConnection1.Params.Add('Password=Qm4vTz8wLk');\nFDConnection1.Params.Add('Password=' + Edit1.Text);\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(CODE.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn settings_that_dial_another_database_hold_that_database_s_password() {
        const PROPERTIES: &str = "jdbc.url=jdbc:mysql://10.1.2.3:3306/app\nusername=etl\npassword=Qz8mYt4kWr\n\njdbc.pg.url=jdbc:postgresql://10.1.2.3:5432/app\npg.username=etl\npg.password=Lp3vXn7sQe\n"; // vsecure:allow (a documented fake)
        let found = detect(PROPERTIES.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].offset > PROPERTIES.find("jdbc.pg.url").unwrap());
        // With no blank line between them, the block is PostgreSQL's too.
        let joined = PROPERTIES.replace("\n\n", "\n");
        assert_eq!(detect(joined.as_bytes(), Syntax::Config).len(), 2);
        // Blocks indented under their names: each password is its own block's.
        const YAML: &str = "legacy:\n  url: jdbc:mysql://10.1.2.3:3306/app\n  password: Qz8mYt4kWr\nwarehouse:\n  url: jdbc:postgresql://10.1.2.3:5432/app\n  password: Lp3vXn7sQe\n"; // vsecure:allow (a documented fake)
        let found = detect(YAML.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1, "{found:?}");
        // A block its opening line names PostgreSQL is PostgreSQL's, whatever it dials
        // beside.
        const NAMED: &str =
            "postgres:\n  host: 10.1.2.3\n  password: Lp3vXn7sQe\n  mirror: mysql://10.1.2.4/app\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(NAMED.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn a_mondrian_connect_string_s_relational_login_is_postgresql_s() {
        const STEP: &str = "// + \"Jdbc=jdbc:postgresql://10.20.0.7/warehouse;JdbcUser=etl;JdbcPassword=Qm4vTz8wLk;\"\n"; // vsecure:allow (a documented fake)
        let found = detect(STEP.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, Kind::SemicolonPassword);
        assert!(!found[0].local_default);
        assert_eq!(
            jdbc_url_host("jdbc:postgresql://10.20.0.7:5432/warehouse"),
            "10.20.0.7"
        );
        // On this machine, the user's own name is a local default.
        let local = STEP
            .replace("10.20.0.7", "localhost")
            .replace("Qm4vTz8wLk", "etl");
        assert!(detect(local.as_bytes(), Syntax::Code)[0].local_default);
        // Another engine's relational login is not PostgreSQL's.
        let mysql = STEP.replace("jdbc:postgresql:", "jdbc:mysql:");
        assert!(detect(mysql.as_bytes(), Syntax::Code).is_empty());
        // The string built from variables holds no literal.
        let built = "+ \"Jdbc=jdbc:postgresql://\"+dbHost+\"/\"+dbName+\";JdbcUser=\"+dbUsername+\";JdbcPassword=\"+dbPassword+\";\"\n";
        assert!(detect(built.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_document_table_s_host_row_sets_the_host() {
        const TABLE: &str = "PostgreSQL runs on the lab server:\n\n| Item | Value |\n|---|---|\n| Host | `130.60.2.11` |\n| Port | `5432` |\n| User / password | `survey_user` / `survey_password` |\n";
        assert_eq!(hosts_set_in(b"| Host | `130.60.2.11` |"), ["130.60.2.11"]);
        // The user's own password to a public address is that server's, not a default.
        the_one_finding(TABLE, Syntax::Document, false);
    }

    #[test]
    fn a_port_code_fills_in_still_names_the_host() {
        for host in [
            "localhost:%s",
            "127.0.0.1:{port}",
            "db:$PGPORT",
            "localhost:5432",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        assert!(!is_local_host("pg.acme.io:%s"));
        let go = "db, err := sqlx.Open(\"postgres\", fmt.Sprintf(\"postgres://test:test@localhost:%s/postgres\", port))\n"; // vsecure:allow (a documented fake)
        the_one_finding(go, Syntax::Code, true);
    }

    #[test]
    fn a_local_set_up_commented_out_beside_a_live_public_url_is_local() {
        const CONFIG: &str = "// ds.setUrl(\"jdbc:postgresql://localhost:5432/store\");\n// ds.setUsername(\"postgres\");\n// ds.setPassword(\"postgres\");\nds.setUrl(\"jdbc:postgresql://3.19.84.201:5432/store\");\nds.setUsername(\"tienda\");\nds.setPassword(System.getenv(\"DB_PASSWORD\"));\n"; // vsecure:allow (a documented fake)
        the_one_finding(CONFIG, Syntax::Code, true);
        // Put aside with the public host, the same password is that server's.
        let remote = CONFIG.replacen("localhost", "3.19.84.202", 1);
        the_one_finding(&remote, Syntax::Code, false);
    }

    #[test]
    fn an_installer_s_database_host_option_names_the_host() {
        const INSTALL: &str = "foreman-installer \\\n--foreman-db-adapter=postgresql \\\n--foreman-db-host=localhost \\\n--foreman-db-username=foreman \\\n--foreman-db-password=letmein \\\n--foreman-db-port=5432\n"; // vsecure:allow (a documented fake)
        assert_local_here_not_there(INSTALL, Syntax::Config, "localhost", "pg.acme-prod.com");
    }

    #[test]
    fn rust_s_optional_settings_name_the_host_and_user() {
        // deadpool-postgres's `Config`: each field an `Option`, the user's own name as its
        // password on the container the host names.
        const DEADPOOL: &str = "let mut cfg = Config::new();\ncfg.dbname = Some(\"rinha\".to_string());\ncfg.host = Some(\"db\".to_string());\ncfg.user = Some(String::from(\"rinha\"));\ncfg.password = Some(\"rinha\".to_string());\n"; // vsecure:allow (a documented fake)
        assert_local_here_not_there(DEADPOOL, Syntax::Code, "\"db\"", "\"pg.acme-prod.com\"");
    }

    #[test]
    fn a_connection_string_written_a_field_a_line_is_one_string() {
        const VERBATIM: &str = "var cs = @\"Host=52.0.0.9;\n    Database=shop;\n    Port=5432;\n    Username=shop_admin;\n    Password=?A^Kq8vTz2m#\";\n"; // vsecure:allow (a documented fake)
        let found = detect(VERBATIM.as_bytes(), Syntax::Code);
        assert!(
            found.len() == 1 && found[0].kind == Kind::SemicolonPassword,
            "{found:?}"
        );
        let local = VERBATIM
            .replace("52.0.0.9", "localhost")
            .replace("?A^Kq8vTz2m#", "postgres");
        the_one_finding(&local, Syntax::Code, true);
        // In code, fields with no string opening on a host above them name no database.
        let no_host = VERBATIM.replace("var cs = @\"Host=52.0.0.9;\n", "");
        assert!(detect(no_host.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_user_s_own_password_to_a_service_of_the_cluster_is_a_local_set_up_s() {
        let uri = "PG_URI = \"postgresql://hellodj:hellodj@postgresql-rw.dj.svc.cluster.local:5432/hellodj\"\n";
        the_one_finding(uri, Syntax::Code, true);
        // A chosen password there is that cluster's database's.
        let chosen = uri.replace(":hellodj@", ":Kq8vTz2mRw@"); // vsecure:allow (a documented fake)
        the_one_finding(&chosen, Syntax::Code, false);
        assert!(!is_local_host("pg.svc.cluster.local.acme.io"));
        // A Deployment's variables: Spring's user beside the URL to the cluster's service.
        let env = "env:\n  - name: SPRING_DATASOURCE_URL\n    value: jdbc:postgresql://postgres.pets.svc.cluster.local:5432/petdb\n  - name: SPRING_DATASOURCE_USERNAME\n    value: petuser\n  - name: SPRING_DATASOURCE_PASSWORD\n    value: petpass\n";
        assert_local_here_not_there(
            env,
            Syntax::Config,
            "postgres.pets.svc.cluster.local",
            "pg.acme-prod.com",
        );
    }

    #[test]
    fn a_ciphertext_under_a_setting_that_declares_it_encrypted_is_no_password() {
        let settings = "password_decrypt='true'\n\nbossDataSource_url='jdbc:postgresql://60.1.2.3:5407/boss'\nbossDataSource_username='boss'\nbossDataSource_password='j6k2hd4Er36YNVOD0CzexhIFGtTQuwGipZHcaaaEAHvugQ9fFHXs/Mi/nDa/99EGtogNxN6lMWhQ3iS/oW5aTQ=='\n"; // vsecure:allow (a documented fake)
        assert!(detect(settings.as_bytes(), Syntax::Config).is_empty());
        // Without the declaration, the long value is a password (a generator's, pasted).
        let plain = settings.replace("password_decrypt='true'", "");
        assert_eq!(detect(plain.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn a_default_password_for_an_environment_named_local_is_a_local_set_up_s() {
        let locals = "locals {\n  environment  = \"local\"\n  cluster_name = \"local-lab\"\n  postgres_password = \"postgres123\"\n}\n\nmodule \"postgresql\" {\n  source = \"../../modules/postgresql\"\n}\n";
        the_one_finding(locals, Syntax::Config, true);
        // Another environment's is the deployment's; a chosen password is not a default.
        the_one_finding(
            &locals.replace("\"local\"", "\"staging\""),
            Syntax::Config,
            false,
        );
        let chosen = locals.replace("postgres123", "Kq8vTz2mRw"); // vsecure:allow (a documented fake)
        the_one_finding(&chosen, Syntax::Config, false);
    }

    #[test]
    fn a_uri_whose_host_goes_on_in_brackets_is_an_example() {
        for host in [
            "p.<cluster>.db.postgresbridge.com",
            "ep-<endpoint-id>.us-east-2.aws.neon.tech",
        ] {
            let doc = format!(
                "- Example: `postgresql://ls_user:ls_pass@{host}:5432/labelfish?sslmode=require`\n"
            );
            assert!(
                detect(doc.as_bytes(), Syntax::Document).is_empty(),
                "{host}"
            );
        }
        // Markup after a whole host ends it; the password is still that host's.
        let html = "<p>postgresql://ls_user:Kq8vTz2mRw@p.x7q2.db.postgresbridge.com<br></p>\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(html.as_bytes(), Syntax::Document).len(), 1);
    }

    #[test]
    fn a_weak_uri_a_test_asserts_on_is_its_input_not_a_login() {
        let rust = "assert!(!postgres_url_host_is_local(\n    \"postgres://postgres:postgres@10.0.0.5:5432/postgres\"\n));\n";
        the_one_finding(rust, Syntax::Code, true);
        let java = "assertEquals(\"postgresql://app:app@10.1.2.3:5432/app\", config.url());\n";
        the_one_finding(java, Syntax::Code, true);
        // Closed before the URI: the assertion is another statement's.
        let after =
            "assert!(ready);\nlet url = \"postgres://postgres:postgres@10.0.0.5:5432/postgres\";\n"; // vsecure:allow (a documented fake)
        the_one_finding(after, Syntax::Code, false);
        // A chosen password asserted on is still a password.
        let chosen = "assertEquals(\"postgresql://app:Kq8vTz2mRw@10.1.2.3:5432/app\", url);\n"; // vsecure:allow (a documented fake)
        the_one_finding(chosen, Syntax::Code, false);
    }

    #[test]
    fn a_uri_password_may_hold_an_unencoded_slash() {
        for uri in [
            "postgresql://edb_admin:Tq4%3A//Wz6-Hs8%2A_Lk%40m0/%2323%21@p-r8xgm.pg.biganimal.io:5432/edb_admin", // vsecure:allow (a documented fake)
            "postgresql://app:Zt8/kWq3mRv@pg.acme-prod.com:5432/app", // vsecure:allow (a documented fake)
        ] {
            let text = format!("engine = create_engine('{uri}')\n");
            assert_eq!(kinds(&text), [Kind::PostgresUri], "{uri}");
        }
        // A port and a path before a later `@` are no password.
        for text in [
            "url = 'postgresql://db:5432/app?sslmode=require&owner=ops@acme.io'\n",
            "See postgresql://pg.acme.io:5432/app or mail dba@acme.io\n",
        ] {
            assert!(kinds(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn the_backslash_that_escapes_a_uri_s_at_is_not_its_password_s() {
        let table = "| DATABASE\\_URL | postgresql+psycopg2://postgres:postgres\\@db:5432/saas |\n";
        the_one_finding(table, Syntax::Document, true);
        let remote = table.replace("postgres:postgres\\@db", "app:Rq7vLm2xWp\\@10.4.0.12");
        let found = detect(remote.as_bytes(), Syntax::Document);
        assert!(
            found.len() == 1 && found[0].holds("Rq7vLm2xWp"),
            "{found:?}"
        );
        // Two backslashes are one escaped, which the password holds.
        assert_eq!(without_escape_of_at(br"Rq7v\"), b"Rq7v");
        assert_eq!(without_escape_of_at(br"Rq7v\\"), br"Rq7v\\");
    }

    #[test]
    fn a_documented_default_password_is_judged_by_the_host_it_names() {
        const REMOTE: &str = "# PostgreSQL on the server\n\nConnect to `pg.acme-prod.com`:\n\n| User | `postgres` |\n|---|---|\n| Password | `postgres` |\n";
        the_one_finding(REMOTE, Syntax::Document, false);
        // Named with no host, or on this machine, it is the reader's own set-up's.
        for text in [
            "# Setup\n\nInstall PostgreSQL. The default password is `postgres`.\n".to_string(),
            REMOTE.replace("pg.acme-prod.com", "localhost"),
        ] {
            the_one_finding(&text, Syntax::Document, true);
        }
    }

    #[test]
    fn sqitch_s_target_uri_is_a_postgresql_uri() {
        const CONF: &str =
            "[target \"prod\"]\n    uri = db:pg://deployer:Zt8kWq3mRv@10.4.0.12/shop\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(CONF), [Kind::PostgresUri]);
        // A local database's name alone (`db:pg:shop`) has no login.
        assert!(kinds("[engine \"pg\"]\n    target = db:pg:shop\n").is_empty());
    }

    #[test]
    fn django_environ_s_and_pharo_s_psql_scheme_is_a_postgres_uri() {
        let environ = "DATABASES = {\n    'default': env.db('DATABASE_URL', default='psql://shop:Kq8-Tz2-Wm@10.1.2.3:5432/shop'),\n}\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            the_one_finding(environ, Syntax::Code, false).kind,
            Kind::DatabaseUrl
        );
        let pharo = "client := P3Client new url: 'psql://app:Kq8-Tz2-Wm@db.acme.io:5432/shop'.\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            the_one_finding(pharo, Syntax::Code, false).kind,
            Kind::PostgresUri
        );
        let manual = "P3Client new url: 'psql://username:password@localhost:5432/databasename'.\n";
        assert!(detect(manual.as_bytes(), Syntax::Document).is_empty());
    }

    #[test]
    fn the_schemes_of_drivers_that_speak_postgres_are_uris() {
        for uri in [
            "pq://app:Kq8-Tz2-Wm@194.135.95.163:5432/shop", // vsecure:allow (a documented fake)
            "timescaledb://app:Kq8-Tz2-Wm@db.acme.io:5432/ticks", // vsecure:allow (a documented fake)
            "crdb://app:Kq8-Tz2-Wm@10.1.2.3:26257/shop", // vsecure:allow (a documented fake)
            "ysql://app:Kq8-Tz2-Wm@10.1.2.3:5433/shop",  // vsecure:allow (a documented fake)
        ] {
            let code = format!("db = open('{uri}')\n");
            assert_eq!(
                the_one_finding(&code, Syntax::Code, false).kind,
                Kind::PostgresUri
            );
        }
        // pgjdbc-ng's `jdbc:pgsql:` URL, like YugabyteDB's JDBC URL, carries the password
        // in its query.
        let ng = "url = \"jdbc:pgsql://10.1.2.3:5432/shop?user=app&password=Kq8-Tz2-Wm\";\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            the_one_finding(ng, Syntax::Code, false).kind,
            Kind::PostgresUri
        );
        let jdbc = "url = \"jdbc:yugabytedb://10.1.2.3:5433/yugabyte?user=app&password=Kq8-Tz2-Wm&load-balance=true\";\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            the_one_finding(jdbc, Syntax::Code, false).kind,
            Kind::PostgresUri
        );
        // French's "my password" on a compose service is a placeholder.
        let french = "DATABASE_URI = 'timescaledb://trader:monmdp@db:5432/quotes'\n";
        assert!(detect(french.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_shell_string_s_escaped_keyword_arguments_name_the_host_and_user() {
        // `python -c "...connect(host=\"db\", ...)"`: the conninfo reader's host and
        // user are the escaped strings' contents.
        const CONTAINER: &str = "docker run -d --name crm-db -e POSTGRES_PASSWORD=crm postgres:18\nfor i in 1 2 3; do python -c \"import psycopg2; psycopg2.connect(host=\\\"crm-db\\\", user=\\\"crm\\\", password=\\\"crm\\\")\" && break; done\n";
        let found = detect(CONTAINER.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        let remote = CONTAINER.replace("crm-db\\\"", "pg.acme.io\\\"");
        assert_reported_high(&remote, Syntax::Code, Kind::KeyValuePassword);
    }

    #[test]
    fn a_document_s_uri_to_this_machine_is_a_reader_s_example() {
        const GUIDE: &str = "Configure the target:\n\n    uri = postgresql://app:in-app-we-trust@127.0.0.1:5432/app_dev\n"; // vsecure:allow (a documented fake)
        the_one_finding(GUIDE, Syntax::Document, true);
        // In code it is a person's own password, on loopback or not.
        the_one_finding(GUIDE, Syntax::Code, false);
    }

    #[test]
    fn a_commented_call_to_this_machine_is_not_the_public_server_s() {
        const CODE: &str = "conn = DriverManager.getConnection(\"jdbc:postgresql://133.1.2.3:5432/bank\", \"app\", \"\");\n//conn = DriverManager.getConnection(\"jdbc:postgresql://localhost:5432/bank\", \"postgres\", \"root\");\n";
        the_one_finding(CODE, Syntax::Code, true);
    }

    #[test]
    fn a_document_s_settings_the_next_lines_say_to_change_are_its_sample() {
        const GUIDE: &str = "```\nspring:\n  datasource:\n    url: jdbc:postgresql://81.17.52.140:5432/kris\n    username: kris\n    password: Qw7Lm2Zx9Rt\n```\n\nChange the `url:`, `username:` and `password:` to match the database installation.\n"; // vsecure:allow (a documented fake)
        assert!(detect(GUIDE.as_bytes(), Syntax::Document).is_empty());
        // Prose that changes something else, or code, leaves the password found.
        let other = GUIDE.replace("`url:`, `username:` and `password:`", "`defaultZone:`");
        assert_eq!(detect(other.as_bytes(), Syntax::Document).len(), 1);
        assert_eq!(detect(GUIDE.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn a_pooler_user_whose_tenant_is_the_reader_s_is_an_example() {
        const POOL: &str = "config.setJdbcUrl(\"jdbc:postgresql://81.17.52.140:5432/postgres\");\nconfig.setUsername(\"postgres.your-tenant-id\");\nconfig.setPassword(\"Qw7Lm2Zx9Rt\");\n"; // vsecure:allow (a documented fake)
        assert!(detect(POOL.as_bytes(), Syntax::Code).is_empty());
        let own = POOL.replace("your-tenant-id", "abcdefghqrstuvwx");
        assert_eq!(detect(own.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_pdo_dsn_whose_password_is_its_database_s_name_on_this_machine_is_local() {
        const DSN: &str = "ENV NOMINATIM_DATABASE_DSN=\"pgsql:host=localhost;dbname=geocoder;user=www-data;password=geocoder\"\n";
        assert_local_here_not_there(DSN, Syntax::Config, "localhost", "81.17.52.140");
    }

    #[test]
    fn a_uri_to_loopback_without_a_login_declares_a_local_database() {
        const NIX: &str = "PENPOT_HTTP_SERVER_HOST = \"127.0.0.1\";\nPENPOT_DATABASE_URI = \"postgresql://127.0.0.1:18935/penpot\";\nPENPOT_DATABASE_USERNAME = \"penpot\";\nPENPOT_DATABASE_PASSWORD = \"penpot\";\n";
        the_one_finding(NIX, Syntax::Config, true);
        let remote = NIX.replace(
            "postgresql://127.0.0.1:18935",
            "postgresql://81.17.52.140:18935",
        );
        the_one_finding(&remote, Syntax::Config, false);
    }

    #[test]
    fn a_setting_whose_password_a_live_local_uri_gives_is_local() {
        const ENV: &str = "GEONODE_DATABASE=geonode\nGEONODE_DATABASE_PASSWORD=geonode\nDATABASE_HOST=db\nDATABASE_URL=postgis://geonode:geonode@db:5432/geonode\n";
        let found = detect(ENV.as_bytes(), Syntax::Config);
        assert!(
            found.len() == 2 && found.iter().all(|d| d.local_default),
            "{found:?}"
        );
        // A URI to another host with the same password keeps the setting its own.
        let remote = ENV.replace(
            "DATABASE_HOST=db\n",
            "DATABASE_HOST=db\nREPLICA_URL=postgis://geonode:geonode@81.17.52.140:5432/geonode\n", // vsecure:allow (a documented fake)
        );
        assert_reported_high(&remote, Syntax::Config, Kind::PasswordVariable);
    }

    #[test]
    fn a_raw_string_host_on_loopback_declares_a_local_database() {
        assert_local_only_on_loopback(
            "import \"github.com/upper/db/v4/adapter/postgresql\"\n\nvar settings = postgresql.ConnectionURL{\n\tDatabase: `training`,\n\tHost:     `localhost:54322`,\n\tUser:     `postgres`,\n\tPassword: `root`,\n}\n",
        );
    }

    #[test]
    fn another_login_s_own_name_as_a_password_on_loopback_is_a_local_default() {
        let pooler = "const ADMIN = \"postgresql://admin:pgdog@127.0.0.1:6432/admin\";\nconst APP = \"postgres://pgdog:pgdog@127.0.0.1:6432/app\";\n"; // vsecure:allow (a documented fake)
        let found = detect(pooler.as_bytes(), Syntax::Code);
        assert!(
            found.len() == 2 && found.iter().all(|d| d.local_default),
            "{found:?}"
        );
        let remote = pooler.replace("127.0.0.1", "10.4.2.17");
        let found = detect(remote.as_bytes(), Syntax::Code);
        assert!(found.iter().any(|d| !d.local_default), "{found:?}");
        let alone = "const ADMIN = \"postgresql://admin:pgdog@127.0.0.1:6432/admin\";\n"; // vsecure:allow (a documented fake)
        assert!(!detect(alone.as_bytes(), Syntax::Code)[0].local_default);
    }

    #[test]
    fn an_emulator_s_address_for_its_host_is_that_host_s_loopback() {
        for host in ["10.0.2.2", "10.0.3.2"] {
            let call = format!(
                "c = DriverManager.getConnection(\"jdbc:postgresql://{host}:5432/smart\", \"postgres\", \"password\");\n"
            );
            assert!(detect(call.as_bytes(), Syntax::Code).is_empty(), "{call}");
            let fields = format!(
                "strURL = \"jdbc:postgresql://{host}:5432/buku\";\nuser = \"postgres\";\npass = \"postgres\";\n"
            );
            let found = detect(fields.as_bytes(), Syntax::Code);
            assert!(found.iter().all(|d| d.local_default), "{fields}: {found:?}");
        }
        // A neighbour on the same network is a server of its own.
        let lan = "c = DriverManager.getConnection(\"jdbc:postgresql://10.0.3.7:5432/smart\", \"postgres\", \"password\");\n";
        assert_eq!(detect(lan.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_pascal_parameter_list_s_user_entry_names_the_login() {
        let text = "Conn.Params.Values['hostname'] := 'localhost';\nConn.Params.Values['username'] := 'jcore';\nConn.Params.Values['password'] := 'jcore';\nConn.Params.Values['connection'] := 'PostgreSQL';\n";
        let found = detect(text.as_bytes(), Syntax::Code);
        assert!(
            !found.is_empty() && found.iter().all(|d| d.local_default),
            "{found:?}"
        );
        let chosen = text.replace(
            "'jcore';\nConn.Params.Values['connection']",
            "'Wd5-vKq8z';\nConn.Params.Values['connection']",
        ); // vsecure:allow (a documented fake)
        let found = detect(chosen.as_bytes(), Syntax::Code);
        assert!(found.iter().any(|d| !d.local_default), "{found:?}");
    }

    #[test]
    fn a_bad_practice_label_reaches_no_further_than_its_section() {
        let dont = "- ❌ Use weak passwords like \"admin123\"\n\n";
        let table = "| Secret | Exposed value | Status |\n|---|---|---|\n| DB_PASSWORD | `Wd5-vKq8z` | public |\n| DB_USER | `postgres` | known |\n"; // vsecure:allow (a documented fake)
        let same_section = format!("## Never do\n\n{dont}{table}");
        assert!(detect(same_section.as_bytes(), Syntax::Document).is_empty());
        for next in ["---\n\n", "## Exposed secrets\n\n"] {
            let text = format!("## Never do\n\n{dont}{next}{table}");
            assert_eq!(detect(text.as_bytes(), Syntax::Document).len(), 1, "{text}");
        }
    }

    #[test]
    fn a_login_s_own_name_at_a_host_named_for_it_is_the_product_s_container() {
        let uri = "DATABASE_URL=postgres://keycloak:keycloak@keycloak:5432/keycloak\n";
        the_one_finding(uri, Syntax::Config, true);
        let perl = "my $db_host = 'evergreen';\nmy $db_user = 'evergreen';\nmy $db_pw = 'evergreen';\nmy $dbh = DBI->connect(\"dbi:Pg:dbname=eg;host=$db_host\", $db_user, $db_pw);\n";
        the_one_finding(perl, Syntax::Code, true);
        // Its name as the host's first word: the product's metadata store, its cache.
        for host in ["airflow-metastore:54321", "airflow_db"] {
            let text = format!(
                "airflow connections add 'meta' --conn-uri 'postgresql://airflow:airflow@{host}/airflow'\n"
            );
            the_one_finding(&text, Syntax::Code, true);
        }
        // A chosen password there, or the user's name at a host named otherwise, stands.
        for text in [
            uri.replace("keycloak:keycloak@", "keycloak:Wd5-vKq8z@"), // vsecure:allow (a documented fake)
            uri.replace("@keycloak:", "@sso-db.acme-corp.io:"),
            uri.replace("@keycloak:", "@keycloak-db.acme-corp.io:"),
            perl.replace("'evergreen';\nmy $db_user", "'ils-prod';\nmy $db_user"),
        ] {
            let syntax = if text.starts_with("my ") {
                Syntax::Code
            } else {
                Syntax::Config
            };
            let found = detect(text.as_bytes(), syntax);
            assert!(found.iter().any(|d| !d.local_default), "{text}: {found:?}");
        }
    }

    #[test]
    fn a_windows_script_s_set_names_the_login() {
        let bat = "@SET ADEMPIERE_DB_SERVER=localhost\n@SET ADEMPIERE_DB_USER=adempiere\n@SET ADEMPIERE_DB_PASSWORD=adempiere\n";
        the_one_finding(bat, Syntax::Config, true);
        the_one_finding(
            &bat.replace("SET ADEMPIERE_DB_USER", "set ADEMPIERE_DB_USER"),
            Syntax::Config,
            true,
        );
        let chosen = bat.replace("PASSWORD=adempiere", "PASSWORD=Wd5-vKq8z"); // vsecure:allow (a documented fake)
        the_one_finding(&chosen, Syntax::Config, false);
    }

    #[test]
    fn a_field_given_a_variable_names_no_host() {
        let go = "db := pg.Connect(&pg.Options{\n\tUser:     \"app\",\n\tPassword: \"app\",\n\tDatabase: \"app\",\n})\nmessage := &Message{\n\tContent: content,\n\tIpAddr:  ip_addr,\n}\n";
        the_one_finding(go, Syntax::Code, true);
        // A literal address there is a host the code dials.
        let dialled = go.replace("IpAddr:  ip_addr,", "Addr:  \"10.20.0.7:5432\",");
        the_one_finding(&dialled, Syntax::Code, false);
    }

    #[test]
    fn a_host_setting_switched_off_names_no_host() {
        let ecto = "config :shop, ShopWeb.Endpoint,\n  http: [port: 4001],\n  server: false\n\nconfig :shop, Shop.Repo,\n  adapter: Ecto.Adapters.Postgres,\n  username: \"postgres\",\n  password: \"postgres\",\n  database: \"shop_test\"\n";
        the_one_finding(ecto, Syntax::Code, true);
        let served = ecto.replace("server: false", "server: \"10.20.0.7\"");
        the_one_finding(&served, Syntax::Code, false);
    }

    #[test]
    fn a_document_s_mail_setting_names_no_database_host() {
        let guide = "```bash\nBACKEND_DB_HOST=backend-postgres\nBACKEND_DB_USER=postgres\nBACKEND_DB_PASSWORD=backenddbpass\nFROM_EMAIL=noreply@acme-mail.io\nFRONTEND_URL=http://localhost\n```\n\ndocker-compose up -d\n";
        the_one_finding(guide, Syntax::Document, true);
        let remote = guide.replace("backend-postgres", "pg.acme-mail.io");
        the_one_finding(&remote, Syntax::Document, false);
    }

    #[test]
    fn a_document_s_official_image_password_is_the_container_s_where_it_recurs() {
        let compose = "```yaml\nservices:\n  db:\n    image: postgres:13-alpine\n    environment:\n      - POSTGRES_USER=docs\n      - POSTGRES_PASSWORD=Wd5-vKq8z\n  app:\n    image: acme/docs\n    environment:\n      - DOCS_DATABASE_HOST=db\n      - DOCS_DATABASE_PASSWORD=Wd5-vKq8z\n```\n\nserver_name 11.11.11.2;\n"; // vsecure:allow (a documented fake)
        let found = detect(compose.as_bytes(), Syntax::Document);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        // Another password for the application is its own, wherever it goes.
        let other = compose.replace(
            "DOCS_DATABASE_PASSWORD=Wd5-vKq8z",
            "DOCS_DATABASE_PASSWORD=Hq2wE5rTy8",
        ); // vsecure:allow (a documented fake)
        let found = detect(other.as_bytes(), Syntax::Document);
        assert!(found.iter().any(|d| !d.local_default), "{found:?}");
    }

    #[test]
    fn a_table_driven_test_s_refused_row_is_its_input() {
        let rows = "tests := []struct{ body map[string]string; want int }{\n\t{map[string]string{\"db_type\": \"postgres\", \"password\": \"Wd5-vKq8z\"}, http.StatusBadRequest},\n}\n"; // vsecure:allow (a documented fake)
        assert!(detect(rows.as_bytes(), Syntax::Code).is_empty());
        let accepted = rows.replace("http.StatusBadRequest", "http.StatusCreated");
        assert_eq!(detect(accepted.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_server_the_text_initialises_is_a_local_database() {
        let dockerfile = "ENV APP_PG_USER=gtg \\\n    APP_PG_PASSWD=gtg_passwd\nRUN initdb -D /var/lib/pgsql/data/\nRUN pg_ctl start -D /var/lib/pgsql/data/ && psql -c \"CREATE USER ${APP_PG_USER}\"\n";
        the_one_finding(dockerfile, Syntax::Config, true);
        let without = dockerfile
            .replace("initdb", "echo")
            .replace("pg_ctl start", "echo");
        the_one_finding(&without, Syntax::Config, false);
    }

    #[test]
    fn a_host_under_the_word_for_a_domain_is_the_reader_s() {
        let xml = "<database_output>\n  <hostname>postgresql.company.com</hostname>\n  <username>wazuh</username>\n  <password>Wd5-vKq8z</password>\n  <type>postgresql</type>\n</database_output>\n"; // vsecure:allow (a documented fake)
        assert!(detect(xml.as_bytes(), Syntax::Document).is_empty());
        for host in ["db.yourdomain.com", "pg.mycompany.io"] {
            let text = xml.replace("postgresql.company.com", host);
            assert!(
                detect(text.as_bytes(), Syntax::Document).is_empty(),
                "{host}"
            );
        }
        let real = xml.replace("postgresql.company.com", "pg.companyhouse.com");
        assert_eq!(detect(real.as_bytes(), Syntax::Document).len(), 1);
    }

    #[test]
    fn an_interpolated_connection_string_s_password_is_followed_to_its_literal() {
        let cs = "var host = \"db.acme.io\";\nvar key = \"Wd5-vKq8z\";\nvar user = \"app\";\ncs = $\"Host={host};Username={user};Password={key};Database=app\";\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(cs, Syntax::Code, false);
        assert_eq!(found.redacted, "key=****");
        let local = cs
            .replace("db.acme.io", "localhost")
            .replace("Wd5-vKq8z", "app"); // vsecure:allow (a documented fake)
        the_one_finding(&local, Syntax::Code, true);
        let unset = "cs = $\"Host=db.acme.io;Username=app;Password={key};Database=app\";\n";
        assert!(detect(unset.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn medoo_s_server_is_the_login_s_host() {
        let local = "$db = new Medoo([\n    'database_type' => 'pgsql',\n    'database_name' => 'monocle',\n    'server' => '127.0.0.1',\n    'username' => 'monocle',\n    'password' => 'monocle',\n]);\n";
        the_one_finding(local, Syntax::Code, true);
        let lan = local.replace("127.0.0.1", "10.10.20.65");
        the_one_finding(&lan, Syntax::Code, false);
    }

    fn kinds(text: &str) -> Vec<Kind> {
        detect(text.as_bytes(), Syntax::Config)
            .iter()
            .map(|d| d.kind)
            .collect()
    }

    #[test]
    fn a_word_for_a_password_that_code_gives_an_address_is_found() {
        const GROOVY: &str = "def sql = Sql.newInstance(\"jdbc:postgresql://192.168.9.119:5432/pm\", \"qic_pm\",\n\t\t\"mypasswd\", \"org.postgresql.Driver\")\n"; // vsecure:allow (a documented fake)
        for (text, syntax, found) in [
            (
                "engine = create_engine(\"postgresql://app:apppassword@10.4.2.17/app\")", // vsecure:allow (a documented fake)
                Syntax::Code,
                1,
            ),
            (
                "conn = psycopg2.connect(\"host=192.168.9.119 user=qic password=testPassword dbname=pm\")", // vsecure:allow (a documented fake)
                Syntax::Code,
                1,
            ),
            (GROOVY, Syntax::Code, 1),
            (
                "url = System.getProperty(\"database.url\", \"jdbc:postgresql://18.221.92.236:5432/mydb\");\npassword = System.getProperty(\"database.password\", \"mydb\");\n", // vsecure:allow (a documented fake)
                Syntax::Code,
                1,
            ),
            (
                "url = System.getProperty(\"database.url\", \"jdbc:postgresql://198.51.100.7:5432/mydb\");\npassword = System.getProperty(\"database.password\", \"mydb\");\n",
                Syntax::Code,
                0,
            ),
            (
                "psqlconn := \"host=192.168.40.131 port=5432 user=med password=1 dbname=med\"", // vsecure:allow (a documented fake)
                Syntax::Code,
                1,
            ),
            (
                "psqlconn := \"host=db.acme.io port=5432 user=med password=1 dbname=med\"", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
            // Documentation writes the words where the reader's password goes.
            (
                "postgresql://app:apppassword@10.4.2.17/app", // vsecure:allow (a documented fake)
                Syntax::Document,
                0,
            ),
            // Unless the address is a public one: a server somebody runs.
            (
                "postgresql://app:apppassword@35.192.67.100/app", // vsecure:allow (a documented fake)
                Syntax::Document,
                1,
            ),
            (
                "CONN=jdbc:postgresql://35.192.67.100:5432/ica?user=parker&password=password", // vsecure:allow (a documented fake)
                Syntax::Document,
                1,
            ),
            (
                "```yaml\nspring:\n  datasource:\n    url: jdbc:postgresql://120.26.242.221:5432/app\n    username: postgres\n    password: password\n```\n", // vsecure:allow (a documented fake)
                Syntax::Document,
                1,
            ),
            (
                "```yaml\nspring:\n  datasource:\n    url: jdbc:postgresql://192.168.1.20:5432/app\n    username: postgres\n    password: password\n```\n", // vsecure:allow (a documented fake)
                Syntax::Document,
                0,
            ),
            // One login's word at three hosts, this machine among them, is a test's
            // stand-in for a password as it varies the host.
            (
                "a('postgres://pg:password@localhost/m')\nb('postgres://pg:password@10.0.0.4/m')\nc('postgres://pg:password@100.101.1.3/m')\n", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
            (
                "a('postgres://pg:password@10.0.0.9/m')\nb('postgres://pg:password@10.0.0.4/m')\nc('postgres://pg:password@100.101.1.3/m')\n", // vsecure:allow (a documented fake)
                Syntax::Code,
                3,
            ),
            // A placeholder user makes the whole login the reader's to fill in.
            (
                "postgres://your_postgres_username:password@34.29.167.133:5432/db", // vsecure:allow (a documented fake)
                Syntax::Document,
                0,
            ),
            // The word for a user and a password in capitals are what the reader fills in.
            (
                "# engine = create_engine('postgresql://USER:WW@pg-7.directory.intra:5432/nwdm')", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
            (
                "# engine = create_engine('postgresql://app:WW@pg-7.directory.intra:5432/nwdm')", // vsecure:allow (a documented fake)
                Syntax::Code,
                1,
            ),
            // Words that ask for the reader's own, or an address set aside for examples.
            (
                "engine = create_engine(\"postgresql://app:yourpassword@10.4.2.17/app\")", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
            (
                "engine = create_engine(\"postgresql://app:apppassword@192.0.2.17/app\")", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
            // A host by name is no machine set up by hand.
            (
                "engine = create_engine(\"postgresql://app:apppassword@db.acme.io/app\")", // vsecure:allow (a documented fake)
                Syntax::Code,
                0,
            ),
        ] {
            assert_eq!(detect(text.as_bytes(), syntax).len(), found, "{text}");
        }
    }

    #[test]
    fn a_literal_a_lookup_falls_back_to_is_a_password() {
        let fake = "Fb7-qLm2-Zx"; // vsecure:allow (a documented fake)
        for text in [
            format!("'password' => env('DB_PASSWORD', '{fake}'),"),
            format!("password = os.getenv(\"PGPASSWORD\", \"{fake}\")"),
            format!("password: <%= ENV.fetch(\"DB_PASSWORD\") {{ \"{fake}\" }} %>"),
            format!("const password = process.env.POSTGRES_PASSWORD || '{fake}';"),
            format!("return props.getProperty(\"db.password\", \"{fake}\");"),
            format!("POSTGRES_PASSWORD: ${{DB_PASSWORD:-{fake}}}"),
            format!("spring.datasource.password=${{DB_PASSWORD:{fake}}}"),
            format!(
                "String password = System.getenv(\"DB_PASSWORD\") != null ? System.getenv(\"DB_PASSWORD\") : \"{fake}\";"
            ),
            format!("val password = System.getenv(\"DB_PASSWORD\") ?: \"{fake}\""),
            format!("String DB_PASS = getEnvOrDefault(\"DB_PASS\", \"{fake}\");"),
            format!("password = env_or(\"PGPASSWORD\", \"{fake}\")"),
            format!("password: ENV[\"DB_PASSWORD\"] || \"{fake}\","),
            format!("postgres_password = ENV[\"POSTGRES_PASSWORD\"]? || \"{fake}\""),
        ] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert!(!found[0].redacted.contains(fake), "{text}");
            assert!(!found[0].local_default, "{text}");
        }
        for text in [
            "'password' => env('DB_PASSWORD', ''),",
            "password = os.getenv(\"PGPASSWORD\", \"changeme\")",
            "REDIS_URL=${REDIS_PASSWORD:-Fb7-qLm2-Zx}",
            "${DB_PASSWORD:?set the password}",
            "x = env('MYSQL_DB_PASSWORD', 'Fb7-qLm2-Zx')", // vsecure:allow (a documented fake)
            "x = getEnvironment(\"DB_PASSWORD\", \"Fb7-qLm2-Zx\")", // vsecure:allow (a documented fake)
            "token = ENV[\"API_TOKEN\"] || \"Fb7-qLm2-Zx\"", // vsecure:allow (a documented fake)
        ] {
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        let local = detect(
            b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n",
            Syntax::Config,
        );
        assert!(local.len() == 1 && local[0].local_default, "{local:?}");
    }

    #[test]
    fn an_item_of_a_collection_named_for_fakes_is_no_finding() {
        let uri = "postgres://admin:Fb7-qLm2-Zx@db.acme.io:5432/prod"; // vsecure:allow (a documented fake)
        for opening in [
            "_SYNTHETIC_SECRETS = [",
            "const fakeCredentials = {",
            "SAMPLE_URLS: list[str] = [",
            "    const envSample = `",
            "    positive: {",
        ] {
            let text = format!("{opening}\n        \"{uri}\",\n]\n");
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        // A map in a list of fakes is one of them.
        let nested = format!("FAKE_CONFIGS = [\n    {{\n        \"url\": \"{uri}\",\n    }},\n]\n");
        assert!(
            detect(nested.as_bytes(), Syntax::Code).is_empty(),
            "{nested}"
        );
        // A list named for what it holds, not for fakes, is read.
        let real = format!("DATABASES = [\n    \"{uri}\",\n]\n");
        assert_eq!(detect(real.as_bytes(), Syntax::Code).len(), 1);
        let nested_real = nested.replace("FAKE_CONFIGS", "CONFIGS");
        assert_eq!(detect(nested_real.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_local_database_only_commented_out_beside_a_remote_one_is_not_the_setting_s() {
        let hikari = "config.setJdbcUrl(\"jdbc:postgresql://200.35.159.169:5432/inv\");\nconfig.setUsername(\"inv_app\");\nconfig.setPassword(\"admin123\");\n// config.setJdbcUrl(\"jdbc:postgresql://localhost:5432/inv\");\n";
        the_one_finding(hikari, Syntax::Code, false);
        // Live on loopback, or the remote host a reference: the local set-up stands.
        for text in [
            hikari
                .replace("// config", "config")
                .replace("200.35.159.169", "127.0.0.1"),
            hikari.replace("200.35.159.169", "${DB_HOST}"),
        ] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert!(found.iter().all(|d| d.local_default), "{text}: {found:?}");
        }
    }

    /// Asserts which (user, password) pairs are the user's own password and which not.
    fn assert_weak_for(weak: &[(&str, &str)], chosen: &[(&str, &str)]) {
        for (user, password) in weak {
            assert!(is_weak_for(user, password), "{user} {password}");
        }
        for (user, password) in chosen {
            assert!(!is_weak_for(user, password), "{user} {password}");
        }
    }

    #[test]
    fn a_user_s_name_with_qualifiers_and_a_year_is_its_own_password() {
        assert_weak_for(
            &[
                ("etlegacy_user", "etlegacy_secure_2025"),
                ("shop", "shop-dev-pass-2024"),
                ("app", "app_strong_123"),
                ("palimpsest_runtime", "palimpsest-runtime-local-only"),
            ],
            &[
                ("shop", "shop_Kq8vTz2"),
                ("shop_runtime", "shop-runtime-only-Kq8v"),
                ("shop", "shop_"),
                ("ab", "ab_secure"),
                ("$pg_user", "$pg_password"),
                ("shop", "shop_secure_2718"),
            ],
        );
    }

    #[test]
    fn a_user_s_name_with_the_words_for_password_and_database_is_its_own_password() {
        assert_weak_for(
            &[
                ("postgres", "pass_postgres_bd"),
                ("shop_user", "shop-db-password"),
            ],
            &[("postgres", "pass_postgres_bd9"), ("shop", "pass_shop_dbx")],
        );
        // A version in a link cut from its scheme names no host.
        let guide = "/github.com/wkhtmltopdf/packaging/releases/download/0.12.6.1-2/wkhtmltox.deb
`su postgres`
`psql -c \"ALTER USER postgres WITH PASSWORD 'pass_postgres_bd';\"`\n";
        the_one_finding(guide, Syntax::Document, true);
    }

    #[test]
    fn a_user_s_name_cut_short_then_the_word_for_password_is_its_own_password() {
        assert_weak_for(
            &[
                ("radius", "radpass"),
                ("trainadmin", "trainpass123"),
                ("keycloak", "keypw"),
            ],
            &[
                ("radius", "radiuspassword9"),
                ("radius", "rapass"),
                ("radius", "radpass2718"),
                ("radius", "radsecret"),
            ],
        );
        let script = "psql -h db-primary -U trainadmin -c 'select 1'\nPGPASSWORD=trainpass123 psql -h db-primary -U trainadmin\n";
        let found = detect(script.as_bytes(), Syntax::Config);
        assert!(
            !found.is_empty() && found.iter().all(|d| d.local_default),
            "{found:?}"
        );
    }

    #[test]
    fn a_guide_s_client_on_this_machine_s_socket_sets_a_local_role_password() {
        let guide = "```powershell\n& \"C:\\Program Files\\PostgreSQL\\15\\bin\\psql.exe\" -U postgres -c \"ALTER USER postgres WITH PASSWORD 'Techno2026';\"\n```\n"; // vsecure:allow (a documented fake)
        assert_local_here_not_there(
            guide,
            Syntax::Document,
            "-U postgres -c",
            "-h db.acme.io -U postgres -c",
        );
    }

    #[test]
    fn a_role_is_the_one_named_last_before_its_password() {
        let steps = "1. Install postgres locally.\n2. Create user for the database:\n   - create user shop with encrypted password 'shoppass';\n"; // vsecure:allow (a documented fake)
        // The role is `shop`, whose own name the password is.
        let found = the_one_finding(steps, Syntax::Document, true);
        assert_eq!(found.offset, steps.find("create user shop").expect("role"));
    }

    #[test]
    fn an_xml_property_list_s_host_entry_declares_a_local_database() {
        let store = "cat > /tmp/ds.xml <<EOF\n<connectionParameters>\n  <entry key=\"host\">db</entry>\n  <entry key=\"user\">postgres</entry>\n  <entry key=\"passwd\">postgres</entry>\n  <entry key=\"dbtype\">postgis</entry>\n</connectionParameters>\nEOF\n";
        assert_local_here_not_there(store, Syntax::Code, ">db<", ">gis.acme.io<");
    }

    #[test]
    fn a_connection_string_joined_over_lines_is_read_with_its_host() {
        let joined = "var c = new NpgsqlConnection(\"Server=192.168.0.10;User Id=app;\" +\n    \"Password=Vk3xq9z;Database=verp\");\n"; // vsecure:allow (a documented fake)
        let commented = joined
            .lines()
            .map(|line| format!("//{line}\n"))
            .collect::<String>();
        for text in [joined.to_string(), commented] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert!(
                found.len() == 1 && !found[0].local_default,
                "{text}: {found:?}"
            );
        }
        let local = joined
            .replace("192.168.0.10", "127.0.0.1")
            .replace("Vk3xq9z", "app");
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        // A line that joins no string above is read alone.
        let apart = joined.replace("\" +\n", "\";\n");
        assert!(detect(apart.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_builder_s_host_call_tells_a_local_default_from_a_credential() {
        // Npgsql.FSharp's pipeline and Gleam's pog set the host by a call of its own.
        for pipeline in [
            "Sql.host \"localhost\"\n|> Sql.username \"postgres\"\n|> Sql.password \"postgres\"\n",
            "pog.default_config(name)\n|> pog.host(\"localhost\")\n|> pog.user(\"postgres\")\n|> pog.password(Some(\"postgres\"))\n",
        ] {
            assert_local_only_on_loopback(pipeline);
        }
    }

    /// Asserts that code's one finding is a local default on `localhost`, and a
    /// credential with a LAN address in its place.
    fn assert_local_only_on_loopback(code: &str) {
        assert_local_here_not_there(code, Syntax::Code, "localhost", "192.168.1.122");
    }

    /// The text's one finding, asserted to be the only one and local (a local default)
    /// or not, as `local` says.
    fn the_one_finding(text: &str, syntax: Syntax, local: bool) -> Detection {
        let mut found = detect(text.as_bytes(), syntax);
        assert!(
            found.len() == 1 && found[0].local_default == local,
            "{found:?}"
        );
        found.remove(0)
    }

    /// Asserts that among the text's findings is one of `kind` reported as a credential
    /// (not a local default), whatever else the text holds.
    fn assert_reported_high(text: &str, syntax: Syntax, kind: Kind) {
        let found = detect(text.as_bytes(), syntax);
        assert!(
            found.iter().any(|d| d.kind == kind && !d.local_default),
            "{found:?}"
        );
    }

    /// Asserts that the text's one finding is a local default, and a credential once
    /// `here` (the local host or hint) is replaced by `there`.
    fn assert_local_here_not_there(text: &str, syntax: Syntax, here: &str, there: &str) {
        let local = detect(text.as_bytes(), syntax);
        assert!(local.len() == 1 && local[0].local_default, "{local:?}");
        let remote = text.replace(here, there);
        let remote = detect(remote.as_bytes(), syntax);
        assert!(remote.len() == 1 && !remote[0].local_default, "{remote:?}");
    }

    #[test]
    fn a_port_written_as_the_host_names_no_server() {
        let gorm = "db, err := gorm.Open(postgres.Open(\"host=5432 dbname=postgres user=postgres password=postgres\"), &gorm.Config{})\n";
        assert_local_here_not_there(gorm, Syntax::Code, "host=5432", "host=pg.acme.io");
        assert!(!is_local_host("5432.acme.io") && !is_local_host(""));
    }

    #[test]
    fn a_jdbc_url_s_properties_after_semicolons_give_its_login() {
        let text = "const conn = \"jdbc:postgresql://211.155.27.215:5432/crm;userid=crm;password=Xk29fhqzW\"\n"; // vsecure:allow (a documented fake)
        the_one_finding(text, Syntax::Code, false);
        // The user's own name to this machine is a local set-up's.
        let local = text
            .replace("211.155.27.215", "localhost")
            .replace("Xk29fhqzW", "crm");
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
    }

    #[test]
    fn a_host_read_by_another_name_is_no_host_of_the_text() {
        // The user's own name as the password, the host only a variable: low.
        for code in [
            "configuration.host = ServerConfig.host\nconfiguration.user = \"notes\"\nconfiguration.credential = .scramSHA256(password: \"notes\") // postgres\n",
            "module Server =\n    let pgdb =\n        Sql.host (Api.Config(\"PGSQL\"))\n        |> Sql.username \"smapp\"\n        |> Sql.password \"smapp\"\n",
        ] {
            the_one_finding(code, Syntax::Code, true);
        }
        // A host set to loopback at the end of its line declares a local database.
        let example = "var configuration = PostgresClientKit.ConnectionConfiguration()\nconfiguration.host = \"127.0.0.1\"\nconfiguration.user = \"bob\"\nconfiguration.credential = .scramSHA256(password: \"welcome1\")\n";
        the_one_finding(example, Syntax::Code, true);
        assert!(sets_no_literal_host(b"host =", b" ServerConfig.host\n"));
        assert!(sets_no_literal_host(b"host =", b" db.host!\n"));
        assert!(sets_no_literal_host(b"server:", b"\n  port: 5432\n"));
        assert!(sets_no_literal_host(b"HOST=", b"$$PG \\\n"));
        assert!(sets_no_literal_host(b"host:", b" \"${DB_HOST}\"\n"));
        assert!(sets_no_literal_host(b"HOST=", b"%PGHOST%\n"));
        assert!(sets_no_literal_host(b"HOST=", b"$(DB_HOST)\n"));
        assert!(!sets_no_literal_host(b"HOST=", b"${DB_HOST:-db.acme.io}\n"));
        assert!(!sets_no_literal_host(b"HOST=", b"$PG.acme.io\n"));
        // A test container's own-name login, its host a variable the recipe fills in.
        let recipe = "\tdocker run -e APP_DB_HOST=$$PG \\\n\t\t-e APP_DB_USER=nautobot \\\n\t\t-e APP_DB_PASSWORD=nautobot \\\n\t\tapp:test\n";
        the_one_finding(recipe, Syntax::Config, true);
        let remote = recipe.replace("$$PG", "10.4.2.17");
        assert!(!detect(remote.as_bytes(), Syntax::Config)[0].local_default);
        assert!(!sets_no_literal_host(b"host =", b" \"db.acme.io\"\n"));
        assert!(!sets_no_literal_host(b"host:", b" pg.internal\n"));
        assert!(!sets_no_literal_host(b"pg.acme.io", b"\n"));
        assert!(sets_no_literal_host(b"'HOST':", b" '',\n"));
        assert!(sets_no_literal_host(
            b"'host':",
            b" '/var/run/postgresql', 'dbname': 'brain',\n"
        ));
        assert!(!sets_no_literal_host(
            b"host:",
            b" /cloudsql/acme:europe-west1:pg\n"
        ));
        // Django's empty host and a socket's directory: the default password is local.
        for code in [
            "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'USER': 'postgres',\n        'PASSWORD': 'postgres',\n        'HOST': '',\n    },\n}\n",
            "BRAIN_DB = {\n    'host': '/var/run/postgresql', 'dbname': 'brain',\n    'user': 'postgres', 'password': 'postgres'\n}\nconn = psycopg2.connect(**BRAIN_DB)\n",
        ] {
            the_one_finding(code, Syntax::Code, true);
        }
    }

    #[test]
    fn an_xml_config_s_user_and_host_elements_judge_its_password() {
        // Sonarr's and Radarr's `config.xml`: the user's own name to a container is a
        // local set-up's; to another machine, a credential.
        let config = "<Config>\n  <PostgresUser>qstick</PostgresUser>\n  <PostgresPassword>qstick</PostgresPassword>\n  <PostgresPort>5432</PostgresPort>\n  <PostgresHost>postgres14</PostgresHost>\n</Config>\n";
        assert_local_here_not_there(
            config,
            Syntax::Config,
            "postgres14",
            "media-db.acme-hosting.net",
        );
        // A document's table row gives a host too, read beside a local database's hint.
        let table = "| Host | db.acme-hosting.net |\n|---|---|\n\nlocalhost:5432\n";
        assert!(detect(table.as_bytes(), Syntax::Document).is_empty());
    }

    #[test]
    fn a_jdbc_url_with_no_host_is_this_machine_s_database() {
        // An XML login on a JDBC URL without a host, its password the user's own.
        let task = "<access-configuration>\n  <driver>org.postgresql.Driver</driver>\n  <uri>jdbc:postgresql:bart</uri>\n  <login>felix</login>\n  <password>felix</password>\n</access-configuration>\n";
        the_one_finding(task, Syntax::Code, true);
        // A guide whose only database is such a URL shows the reader's own set-up.
        let guide = "```xml\n<jdbc>\n  <driver>org.postgresql.Driver</driver>\n  <url>jdbc:postgresql:jooq</url>\n  <user>jooq</user>\n  <password>Tq8#vWz2Lp4x</password>\n</jdbc>\n```\n";
        assert_local_here_not_there(
            guide,
            Syntax::Document,
            "jdbc:postgresql:jooq",
            "jdbc:postgresql://db.acme.io/jooq",
        );
    }

    #[test]
    fn every_client_program_is_read_for_its_host_and_user() {
        for program in ["pgbench", "pg_basebackup", "vacuumdb", "psql"] {
            let local = format!("PGPASSWORD=bench {program} -h 127.0.0.1 -U bench app\n");
            the_one_finding(&local, Syntax::Config, true);
            let remote = local.replace("127.0.0.1", "10.20.3.4");
            let found = detect(remote.as_bytes(), Syntax::Config);
            assert!(
                found.len() == 1 && !found[0].local_default,
                "{program}: {found:?}"
            );
        }
    }

    #[test]
    fn a_password_a_driver_call_is_passed_by_name_is_the_literal_set_above() {
        let fake = "Kq8-Tz2x"; // vsecure:allow (a documented fake)
        let dao = format!(
            "class Dao {{\n  String url = \"jdbc:postgresql://118.38.27.44:5432/shop\";\n  String id = \"shop\";\n  String pw = \"{fake}\";\n  Connection open() {{ return DriverManager.getConnection(url, id, pw); }}\n}}\n"
        );
        let found = detect(dao.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].local_default);
        let local = dao
            .replace("118.38.27.44", "localhost")
            .replace(fake, "shop");
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        let mysql = dao.replace("postgresql", "mysql");
        assert!(detect(mysql.as_bytes(), Syntax::Code).is_empty());
        let read = dao.replace(&format!("\"{fake}\""), "System.getenv(\"PW\")");
        assert!(detect(read.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_database_password_variable_may_begin_with_the_application_name() {
        let fake = "Kc7-xQ2m-Lp"; // vsecure:allow (a documented fake)
        assert_eq!(
            kinds(&format!("KC_DB=postgres\nKC_DB_PASSWORD={fake}\n")),
            [Kind::PasswordVariable]
        );
        assert!(kinds(&format!("REDIS_DB_PASSWORD={fake}\n")).is_empty());
        // Amazon RDS's name (Elastic Beanstalk's `RDS_PASSWORD`) is a database's, and
        // the engine it names decides whose.
        assert!(kinds(&format!("RDS_PORT=3306\nRDS_PASSWORD={fake}\n")).is_empty());
        // The tools whose password is always a database's, and a role's after
        // PostgreSQL's name.
        for name in [
            "PG_MONITOR_PASSWORD",
            "POSTGRES_REPLICATION_PASSWORD",
            "FLYWAY_PASSWORD",
            "LIQUIBASE_COMMAND_PASSWORD",
            "DATA_SOURCE_PASS",
            "PG_PWD",
            "DB_PW",
            "RDS_PASSWORD",
        ] {
            assert_eq!(
                kinds(&format!("{name}={fake}\n")),
                [Kind::PasswordVariable],
                "{name}"
            );
        }
    }

    #[test]
    fn a_typed_database_password_field_with_a_literal_is_found() {
        let fake = "Kc7-xQ2m-Lp"; // vsecure:allow (a documented fake)
        for text in [
            format!("class Settings(BaseSettings):\n    db_password: str = \"{fake}\"\n"),
            format!("val dbPassword: String = \"{fake}\"\n"),
        ] {
            assert_eq!(kinds(&text), [Kind::PasswordVariable], "{text}");
        }
        assert!(kinds("    db_password: SecretStr\n").is_empty());
    }

    #[test]
    fn a_pgbouncer_userlist_password_is_found_and_a_verifier_is_not() {
        let found = detect(
            b"; pgbouncer auth_file\n\"app\" \"Ub7-qLm2-Zx\"\n\"ops\" \"md5a1b2c3d4e5f60718293a4b5c6d7e8f90\"\n", // vsecure:allow (a documented fake)
            Syntax::Config,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, Kind::PgbouncerUserlist);
        assert_eq!(found[0].redacted, "\"app\" \"****\"");
        // A quoted pair among other lines is not an auth_file.
        assert!(kinds("echo \"building\"\n\"a\" \"b-c-d-e\"\n").is_empty());
        assert!(kinds("\"app\" \"SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy\"\n").is_empty());
    }

    #[test]
    fn a_secret_is_read_decoded_and_ciphertext_not_at_all() {
        let placeholder =
            "apiVersion: v1\nkind: Secret\ndata:\n  POSTGRES_PASSWORD: Y2hhbmdlbWU=\n";
        assert!(kinds(placeholder).is_empty(), "base64 of changeme");
        let sealed = "kind: SealedSecret\nspec:\n  encryptedData:\n    POSTGRES_PASSWORD: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n";
        assert!(kinds(sealed).is_empty());
        let plain = "apiVersion: v1\nkind: Secret\nstringData:\n  POSTGRES_PASSWORD: kqzv5931\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(plain), [Kind::PasswordVariable]);
    }

    #[test]
    fn a_generic_database_password_beside_another_engine_is_not_postgresqls() {
        const DB_CONFIG: &str = "DB_CONFIG = {\n  'host': 'cdb.acme.io',\n  'database': 'shop',\n";
        let fake = "Zx8-Kq2-Lm5";
        for (text, found) in [
            (
                format!("db_type = \"Mysql\"\ndb_host = \"db\"\ndb_pass = \"{fake}\"\n"),
                0,
            ),
            (format!("MYSQL_HOST=db\nDB_PASSWORD={fake}\n"), 0),
            (format!("DB_PASSWORD={fake}\n"), 1),
            (format!("DB_CONNECTION=pgsql\nDB_PASSWORD={fake}\n"), 1),
            (format!("MYSQL_HOST=db\nPOSTGRES_PASSWORD={fake}\n"), 1),
            (format!("{DB_CONFIG}  'password': '{fake}',\n}}\n"), 1),
            // MySQL's own character set names MySQL.
            (
                format!("{DB_CONFIG}  'password': '{fake}',\n  'charset': 'utf8mb4',\n}}\n"),
                0,
            ),
            // Django's engine setting says which, whatever choices a comment lists.
            (
                format!(
                    "DATABASE_ENGINE = 'mysql'  # 'postgresql_psycopg2', 'mysql' or 'sqlite3'\nDATABASE_PASSWORD = '{fake}'\n"
                ),
                0,
            ),
            (
                format!("DATABASE_ENGINE = 'postgresql_psycopg2'\nDATABASE_PASSWORD = '{fake}'\n"),
                1,
            ),
        ] {
            assert_eq!(kinds(&text).len(), found, "{text}");
        }
    }

    #[test]
    fn a_password_set_in_the_environment_from_code_is_found() {
        for line in [
            "os.environ[\"PGPASSWORD\"] = \"Zx8-Kq2-Lm5\"", // vsecure:allow (a documented fake)
            "ENV['DB_PASSWORD'] = 'Zx8-Kq2-Lm5'",           // vsecure:allow (a documented fake)
        ] {
            assert_eq!(detect(line.as_bytes(), Syntax::Code).len(), 1, "{line}");
        }
        assert!(detect(b"if ENV[\"PGPASSWORD\"] == \"x\"", Syntax::Code).is_empty());
    }

    #[test]
    fn code_and_documentation_that_only_look_like_conninfo_are_not_flagged() {
        const USER_CALL: &str = "user = User(username='sc', password='Zx8-Kq2-Lm5')"; // vsecure:allow (a documented fake)
        for (text, syntax) in [
            ("        user = password = None", Syntax::Code),
            (
                "def f(port=None, username=None, password=None): ...",
                Syntax::Code,
            ),
            (USER_CALL, Syntax::Code),
            (
                ";;   dbname= host= port= user= password= auth_user=",
                Syntax::Config,
            ),
            ("b'{\"1970-01-01T00:00:00+00:00\":[1,2,3]}'", Syntax::Config),
        ] {
            assert!(detect(text.as_bytes(), syntax).is_empty(), "{text}");
        }
        let dsn = "conn = psycopg2.connect(\"host=db user=app password='Zx8-Kq2-Lm5'\")"; // vsecure:allow (a documented fake)
        assert_eq!(detect(dsn.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_variable_in_a_json_list_of_the_environment_is_found() {
        let env = r#"["POSTGRES_PASSWORD=Zx8-Kq2-Lm5","POSTGRES_USER=app"]"#; // vsecure:allow (a documented fake)
        assert_eq!(kinds(env), [Kind::PasswordVariable]);
        assert!(kinds(r#"["POSTGRES_PASSWORD_FILE=/run/secrets/pg","PGPASSWORD"]"#).is_empty());
    }

    #[test]
    fn a_comment_heading_the_settings_that_says_to_use_yours_makes_them_an_example() {
        const CODE: &str = "// replace with parameters for your database\nprivate final String databaseURL = \"jdbc:postgresql://137.110.1.96/poi\";\nprivate final String databaseUser = \"poi\";\nprivate final String databasePassword = \"Qm4vTz8wLk\";\n"; // vsecure:allow (a documented fake)
        assert!(detect(CODE.as_bytes(), Syntax::Code).is_empty());
        let vault = CODE.replace(
            "replace with parameters for your database",
            "TODO: replace with the vault",
        );
        assert_eq!(detect(vault.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_json_key_names_the_user_whose_own_password_is_a_local_default() {
        const JSON: &str = "{\n  \"DB_CONNECTION\": \"pgsql\",\n  \"DB_HOST\": \"db\",\n  \"DB_USERNAME\": \"shop\",\n  \"DB_PASSWORD\": \"shop\"\n}\n";
        the_one_finding(JSON, Syntax::Config, true);
    }

    #[test]
    fn a_command_s_own_environment_naming_a_container_declares_a_local_database() {
        const RUN: &str = "DB_BACKEND=PostgreSQL DB_PGSQL_USERNAME=chat_user DB_PGSQL_PASSWORD=chat_pass DB_PGSQL_HOSTNAME=chat-db ./chatcore --add-user\n";
        assert_local_here_not_there(RUN, Syntax::Document, "chat-db", "pg.chatnet-hosting.io");
        // A chosen password on the same line is a credential, container or not.
        let chosen = RUN.replace("chat_pass", "Vr7qLm2xTz9"); // vsecure:allow (a documented fake)
        the_one_finding(&chosen, Syntax::Document, false);
    }

    #[test]
    fn an_ini_key_read_with_a_default_falls_back_to_that_literal() {
        const DELPHI: &str = "ZConnection1.Protocol := 'postgresql';\nZConnection1.HostName := Ini.ReadString('Connect', 'HostName', 'db.acme-hosting.io');\nZConnection1.Password := Ini.ReadString('Connect', 'Password', 'Tq7vRm2kZw');\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(DELPHI, Syntax::Code, false);
        assert_eq!(found.redacted, "Password (default)=****");
        let configparser = "conn = psycopg2.connect(host=cfg.get('db', 'host'), password=cfg.get('db', 'password', fallback='Tq7vRm2kZw'))\n"; // vsecure:allow (a documented fake)
        the_one_finding(configparser, Syntax::Code, false);
        // An empty default, or another engine's, is no password.
        assert!(
            detect(
                DELPHI.replace("'Tq7vRm2kZw'", "''").as_bytes(),
                Syntax::Code
            )
            .is_empty()
        );
        let mysql = DELPHI.replace("postgresql", "mysql-5");
        assert!(detect(mysql.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_login_split_at_semicolons_after_its_jdbc_url_is_read() {
        const PARAMS: &str = "String params = \"org.postgresql.Driver;jdbc:postgresql://146.20.3.10:5432/qefdb;qef;Rw8-Tz4-Kq2\";\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(PARAMS, Syntax::Code, false);
        assert_eq!(
            found.redacted,
            "jdbc:postgresql://146.20.3.10...;qef***;****"
        );
        // Without the driver's class, and the user's own password on loopback (low).
        let bare = PARAMS.replace("org.postgresql.Driver;", "");
        the_one_finding(&bare, Syntax::Code, false);
        let local = PARAMS
            .replace("146.20.3.10", "localhost")
            .replace("Rw8-Tz4-Kq2", "qef"); // vsecure:allow (a documented fake)
        the_one_finding(&local, Syntax::Code, true);
        // The URL's own properties are read as such, once.
        let properties =
            "c = \"jdbc:postgresql://146.20.3.10/qefdb;user=qef;password=Rw8-Tz4-Kq2\"\n"; // vsecure:allow (a documented fake)
        assert_eq!(
            the_one_finding(properties, Syntax::Code, false).kind,
            Kind::SemicolonPassword
        );
    }

    #[test]
    fn a_public_name_that_resolves_to_loopback_is_this_machine() {
        for host in [
            "db.localtest.me:4444",
            "localtest.me",
            "app.lvh.me",
            "pg.127.0.0.1.nip.io:5432",
            "127-0-0-1.sslip.io",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "notlocaltest.me",
            "localtest.me.acme.io",
            "pg.10.0.0.5.nip.io",
            "10-0-0-5.sslip.io",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
        let proxy =
            "DATABASE_URL=\"postgres://postgres:postgres@db.localtest.me:4444/app\" npm run dev\n";
        the_one_finding(proxy, Syntax::Document, true);
    }

    #[test]
    fn a_database_password_in_a_script_installing_another_engine_is_that_engine_s() {
        let mariadb = "#!/bin/bash\n\nDATABASE_PASS=\"Kq8-Tz2-Wm\"\n\n#Update OS with latest patches\nsudo dnf update -y\n\n#Set Repository\nsudo dnf install epel-release -y\n\n#Install the server\nsudo dnf install git mariadb-server -y\n";
        assert!(detect(mariadb.as_bytes(), Syntax::Config).is_empty());
        let docker = "DB_PASSWORD=Kq8-Tz2-Wm\ndocker run -d --name db -e MYSQL_PASSWORD=$DB_PASSWORD mysql:8\n";
        assert!(detect(docker.as_bytes(), Syntax::Config).is_empty());
        // A script that names PostgreSQL too may set either's.
        let both = format!("{mariadb}sudo dnf install postgresql-server -y\n");
        assert_eq!(detect(both.as_bytes(), Syntax::Config).len(), 1);
        // Without the installation the variable is a database's, PostgreSQL's or not.
        let bare = "#!/bin/bash\n\nDATABASE_PASS=\"Kq8-Tz2-Wm\"\n\nsudo dnf update -y\n";
        assert_eq!(detect(bare.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn the_password_word_code_dials_a_named_machine_with_is_meant() {
        for text in [
            "db = web.database(dbn='postgres', user='postgres', password='password', host='debian')\n",
            "const pool = new Pool({\n  user: 'postgres',\n  host: 'tandem',\n  password: 'password',\n})\n",
            "url = 'postgresql://postgres:password@nas.lan/notes'\n", // vsecure:allow (a documented fake)
            // R's libpq variables, commented out or not.
            "# Sys.setenv(PGHOST = \"pubs.c1x2.us-east-2.rds.amazonaws.com\")\n# Sys.setenv(PGPASSWORD = \"password\")\n",
        ] {
            assert!(
                detect(text.as_bytes(), Syntax::Code)
                    .iter()
                    .any(|d| !d.local_default),
                "{text}"
            );
        }
        // A name for the database's role, a placeholder's or an example's is no machine.
        for host in [
            "db.internal",
            "reports-db.internal",
            "myhost",
            "your-host",
            "host1",
            "myserver2",
            "server1",
            "db.example.com",
        ] {
            let text = format!("conn = psycopg2.connect(host='{host}', password='password')\n");
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{host}");
            let text =
                format!("Sys.setenv(PGHOST = \"{host}\")\nSys.setenv(PGPASSWORD = \"password\")\n");
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{host}");
        }
        // Prose's named host is the reader's to change.
        assert!(!is_password_word_to_an_address(
            "password",
            "debian",
            Syntax::Document
        ));
        assert!(!is_a_named_machine("10.0.0.5"));
    }

    #[test]
    fn a_conditional_s_literal_beside_its_lookup_is_a_fallback() {
        let text = "String url = \"jdbc:postgresql://10.16.1.110/paw\";\nString passwd = local ? System.getenv(\"APP_PASSWD\") : \"Wt5-Hq2-Lr8\";\n"; // vsecure:allow (a documented fake)
        assert_reported_high(text, Syntax::Code, Kind::PasswordVariable);
        let text = "const password = prod ? process.env.DB_PASSWORD : 'Wt5-Hq2-Lr8';\n"; // vsecure:allow (a documented fake)
        assert_reported_high(text, Syntax::Code, Kind::PasswordVariable);
    }

    #[test]
    fn an_orm_s_password_variable_is_a_database_password() {
        for text in [
            "export TYPEORM_HOST=pg.c3qlo2syo3mn.us-east-1.rds.amazonaws.com\nexport TYPEORM_PASSWORD=Wt5-Hq2-Lr8\n", // vsecure:allow (a documented fake)
            "MIKRO_ORM_HOST=10.4.0.8\nMIKRO_ORM_PASSWORD=Wt5-Hq2-Lr8\n", // vsecure:allow (a documented fake)
        ] {
            assert_reported_high(text, Syntax::Config, Kind::PasswordVariable);
        }
        assert!(names_database_password("TYPEORM_PASSWORD"));
        let local = "TYPEORM_HOST=localhost\nTYPEORM_USERNAME=admin\nTYPEORM_PASSWORD=admin\n";
        the_one_finding(local, Syntax::Config, true);
    }

    #[test]
    fn a_lookup_s_nil_coalescing_default_is_a_fallback() {
        for text in [
            "app.databases.use(.postgres(\n    hostname: Environment.get(\"DATABASE_HOST\") ?? \"pg1.acme.io\",\n    password: Environment.get(\"DATABASE_PASSWORD\") ?? \"Wt5-Hq2-Lr8\"\n), as: .psql)\n", // vsecure:allow (a documented fake)
            "var pw = Environment.GetEnvironmentVariable(\"PG_PASSWORD\") ?? \"Wt5-Hq2-Lr8\";\n", // vsecure:allow (a documented fake)
            "<?php\n$pass = $_ENV['DB_PASSWORD'] ?? 'Wt5-Hq2-Lr8';\n", // vsecure:allow (a documented fake)
            "const client = new Client({ hostname: 'pg1.acme.io', password: Deno.env.get('DB_PASSWORD') || 'Wt5-Hq2-Lr8' });\n", // vsecure:allow (a documented fake)
            "const password = Bun.env.DB_PASSWORD ?? 'Wt5-Hq2-Lr8';\n", // vsecure:allow (a documented fake)
            "const password = import.meta.env.VITE_DB_PASSWORD || 'Wt5-Hq2-Lr8';\n", // vsecure:allow (a documented fake)
        ] {
            assert_reported_high(text, Syntax::Code, Kind::PasswordVariable);
        }
        // The user's own name, its fallback too, is a local set-up's.
        let own = "let username = Environment.get(\"DATABASE_USERNAME\") ?? \"podcasts\"\nlet password = Environment.get(\"DATABASE_PASSWORD\") ?? \"podcasts\"\n";
        the_one_finding(own, Syntax::Code, true);
    }

    #[test]
    fn a_command_line_option_s_default_is_a_fallback() {
        let options = |password: &str| {
            format!(
                "public String getDatabaseUrl() {{\n    return cmd.getOptionValue(\"dburl\", \"jdbc:postgresql://pg1.acme.io:5000/workers\");\n}}\npublic String getPassword() {{\n    return cmd.getOptionValue(\"dbpass\", \"{password}\");\n}}\n"
            )
        };
        assert_reported_high(
            &options("Wt5-Hq2-Lr8"),
            Syntax::Code,
            Kind::PasswordVariable,
        ); // vsecure:allow (a documented fake)
        assert!(detect(options("${DB_PASSWORD}").as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn yesod_s_env_default_is_the_literal_and_its_variable_a_reference() {
        let settings = |password: &str| {
            format!(
                "database:\n  user:     \"_env:PGUSER:app\"\n  password: \"_env:PGPASS:{password}\"\n  host:     \"_env:PGHOST:localhost\"\n"
            )
        };
        let found = the_one_finding(&settings("postgres"), Syntax::Config, true);
        assert_eq!(found.kind, Kind::PasswordVariable);
        the_one_finding(&settings("Wt5-Hq2-Lr8"), Syntax::Config, false); // vsecure:allow (a documented fake)
        assert!(detect(settings("notused").as_bytes(), Syntax::Config).is_empty());
        assert!(structured::is_reference("_env:PGPASS"));
    }

    #[test]
    fn a_password_named_for_its_database_with_the_word_database_after_it_is_local() {
        assert!(names_the_database("KIP", "KIP_database"));
        assert!(names_the_database("shop", "shopdb"));
        assert!(names_the_database("mrp123", "mrp_db"));
        assert!(names_the_database("sqltrain2026", "sql_train"));
        assert!(!names_the_database("mrp12", "mrp_db"));
        assert!(!names_the_database("mrp129", "mrp_db"));
        assert!(names_the_database("app123", "app123"));
        assert!(names_the_database("shop2024", "shop2024db"));
        assert!(!names_the_database("shop", "shop_data"));
        assert!(names_the_database("LSpot", "LiquiditySpot"));
        assert!(names_the_database("invman", "inventory_manager"));
        assert!(!names_the_database("spot", "LiquiditySpot"));
        assert!(!names_the_database("Lq7Spot", "LiquiditySpot"));
        let php = "$db = pg_connect('host=127.0.0.1 port=5432 dbname=LiquiditySpot user=admin password=LSpot');\n";
        the_one_finding(php, Syntax::Code, true);
        let text = "optionsBuilder.UseNpgsql(\"Server=localhost;Port=5432;Database=KIP_database;User Id=postgres;Password=KIP\");\n";
        the_one_finding(text, Syntax::Code, true);
    }

    #[test]
    fn a_password_word_in_capitals_in_prose_is_the_reader_s_to_fill_in() {
        let public = "212.227.10.20:60001";
        assert!(!is_password_word_to_an_address(
            "PASS",
            public,
            Syntax::Document
        ));
        assert!(is_password_word_to_an_address(
            "pass",
            public,
            Syntax::Document
        ));
        // Code writes the word in capitals where the value goes, as prose does.
        assert!(!is_password_word_to_an_address(
            "PASS",
            public,
            Syntax::Code
        ));
        assert!(is_password_word_to_an_address("pass", public, Syntax::Code));
        let restore = "```bash\npg_restore -d \"postgresql://postgres:PASS@212.227.10.20:60001/shop\" backup.dump\n```\n"; // vsecure:allow (a documented fake)
        assert!(detect(restore.as_bytes(), Syntax::Document).is_empty());
    }

    #[test]
    fn the_word_secret_dialled_at_a_public_address_is_a_password() {
        for word in ["secret", "S3cret", "s3cr3t"] {
            assert!(
                is_password_word_to_an_address(word, "51.15.20.7", Syntax::Config),
                "{word}"
            );
            assert!(
                !is_password_word_to_an_address(word, "localhost", Syntax::Config),
                "{word}"
            );
        }
        assert!(!is_weak_enough_to_mean_it("secretary"));
    }

    #[test]
    fn a_lone_x_dialled_is_a_mask_where_another_character_is_a_password() {
        for one in ["a", "1", "q"] {
            assert!(is_weak_enough_to_mean_it(one), "{one}");
            assert!(is_password_word_to_an_address(
                one,
                "25.82.80.3",
                Syntax::Code
            ));
        }
        for mask in ["x", "X"] {
            assert!(!is_weak_enough_to_mean_it(mask), "{mask}");
            assert!(!is_password_word_to_an_address(
                mask,
                "25.82.80.3",
                Syntax::Code
            ));
        }
        let call = r#"c = DriverManager.getConnection("jdbc:postgresql://25.82.80.3:5432/app","postgres","x");"#;
        assert!(detect(call.as_bytes(), Syntax::Code).is_empty());
        let letter = call.replace(r#""x")"#, r#""q")"#);
        assert_eq!(detect(letter.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn the_supabase_cli_s_container_aliases_are_local_hosts() {
        assert!(is_local_host("db.supabase.internal:5432"));
        let pgtap = "select dblink_connect('setup', 'host=db.supabase.internal port=5432 dbname=postgres user=postgres password=postgres');\n";
        the_one_finding(pgtap, Syntax::Config, true);
    }

    #[test]
    fn a_spring_placeholder_s_default_jdbc_password_is_a_fallback_password() {
        let config = "@Value(\"${jdbc.url:jdbc:postgresql://80.211.246.129/clinic}\")\nprivate String url;\n@Value(\"${jdbc.password:Kv7-clinic}\")\nprivate String password;\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(config, Syntax::Code, false);
        assert!(found.holds("Kv7-clinic") && found.redacted == "jdbc.password (default)=****");
        assert!(names_database_password("r2dbc.password") && !names_database_password("jdbc.user"));
    }

    #[test]
    fn the_word_for_password_in_capitals_is_where_a_value_goes_even_beside_an_address() {
        let exporter = "private static final String DATABASE_PASSWORD = \"PASSWORD\";\nprivate static final String DATABASE_ROOT = \"jdbc:postgresql://86.134.91.5:5432/gnd\";\n";
        assert!(detect(exporter.as_bytes(), Syntax::Code).is_empty());
        let chosen = exporter.replace("\"PASSWORD\"", "\"password\"");
        the_one_finding(&chosen, Syntax::Code, false);
    }

    #[test]
    fn a_dockerfile_s_env_commented_out_is_read_as_it_would_be_set() {
        let dockerfile = "# ENV SPRING_DATASOURCE_URL jdbc:postgresql://85.214.29.254:5432/campus\n# ENV SPRING_DATASOURCE_PASSWORD Kq2+Font4x\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(dockerfile, Syntax::Config, false);
        assert!(found.holds("Kq2+Font4x"));
    }

    #[test]
    fn a_helper_s_get_prop_default_is_a_fallback_password() {
        const CODE: &str = "connection = DriverManager.getConnection(getProp(\"database\", \"jdbc:postgresql://150.20.30.40:5432/voyage\"),\n    getProp(\"dbuser\", \"pete\"),\n    getProp(\"dbpassword\", \"Tq7vRm2kZw\"));\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(CODE, Syntax::Code, false);
        assert_eq!(found.redacted, "dbpassword (default)=****");
        // The word for a password, dialled to a public address, is meant in code.
        let word = CODE.replace("Tq7vRm2kZw", "password"); // vsecure:allow (a documented fake)
        the_one_finding(&word, Syntax::Code, false);
    }

    #[test]
    fn a_container_named_for_postgis_is_a_local_host() {
        assert!(is_local_host("postgis_sotm:5432"));
        assert!(is_local_default("postgres", "postgres", "postgis"));
        assert!(!is_local_host("postgis.acme.io"));
    }

    #[test]
    fn a_value_for_one_environment_only_is_a_local_stand_in() {
        for value in [
            "local-only",
            "dev_only",
            "testonly",
            "CI-only",
            "integration-only",
            "e2e_only",
        ] {
            assert!(is_default_password(value), "{value}");
        }
        assert!(!is_default_password("only4me"));
        let harness = "const uri = `postgres://authenticator:local-only@127.0.0.1:5432/${DB}`;\n";
        the_one_finding(harness, Syntax::Code, true);
    }

    #[test]
    fn an_address_on_a_docker_network_the_text_declares_is_this_machine_s() {
        const GUIDE: &str = "```yaml\nnetworks:\n  backend:\n    ipam:\n      config:\n        - subnet: 162.24.0.0/16\n          gateway: 162.24.0.1\n```\n\n```yaml\nspring:\n  datasource:\n    url: jdbc:postgresql://162.24.0.2:5432/directory\n    username: directory\n    password: Tq8vRm3kZw\n```\n"; // vsecure:allow (a documented fake)
        assert_eq!(ipv4_bits("162.24.0.2:5432"), Some(0xA2_18_00_02));
        the_one_finding(GUIDE, Syntax::Document, true);
        // An address outside the declared block is a server's.
        let outside = GUIDE.replace("162.24.0.2:5432", "162.25.0.2:5432");
        the_one_finding(&outside, Syntax::Document, false);
        // A container's address as `docker inspect` prints it is that container's alone.
        let inspected = "```shell\n$ docker inspect pgdb | grep IPAddress\n        \"IPAddress\": \"172.22.0.2\",\n```\n\n```ini\nsqlalchemy.url = postgresql://root:Tq8vRm3kZw@172.22.0.2:5432/root\n```\n"; // vsecure:allow (a documented fake)
        the_one_finding(inspected, Syntax::Document, true);
        let neighbour = inspected.replace("@172.22.0.2:", "@172.22.0.9:");
        the_one_finding(&neighbour, Syntax::Document, false);
    }

    #[test]
    fn a_password_the_text_writes_into_a_made_up_login_is_its_example() {
        const POLICY_TEST: &str = "MUST_REFUSE = [\n    \"ATTACH 'dbname=x password=shh' AS pg (TYPE postgres)\",\n    \"ATTACH 'postgres://user:shh@host/db' AS pg\",\n]\n";
        assert!(detect(POLICY_TEST.as_bytes(), Syntax::Code).is_empty());
        // Alone, the conninfo's password is one a program connects with.
        let alone =
            POLICY_TEST.replace("    \"ATTACH 'postgres://user:shh@host/db' AS pg\",\n", "");
        the_one_finding(&alone, Syntax::Code, false);
        // A default password recurs in logins of its own: the one to a server stays.
        const DEFAULT: &str = "# postgresql://postgres:postgres@host:5432/app\nconn = psycopg2.connect(\"host=34.90.12.7 dbname=app user=postgres password=postgres\")\n"; // vsecure:allow (a documented fake)
        assert_reported_high(DEFAULT, Syntax::Code, Kind::KeyValuePassword);
    }

    #[test]
    fn qt_s_driver_names_postgresql_and_a_field_a_line_string_is_read_whole() {
        const QT: &str = "m_db = QSqlDatabase::addDatabase(\"QPSQL\");\nm_db.setHostName(\"db.acme-shop.net\");\nm_db.setPassword(\"Wz5Hq8Lm3Tc\");\n"; // vsecure:allow (a documented fake)
        the_one_finding(QT, Syntax::Code, false);
        // Another driver named, the setter is that engine's.
        assert!(detect(QT.replace("QPSQL", "QMYSQL").as_bytes(), Syntax::Code).is_empty());
        const VB: &str = "conn.ConnectionString = \"Driver={PostgreSQL Unicode};\" & _\n    \"Server=db.acme-shop.net;\" & _\n    \"Port=5432;\" & _\n    \"Database=sales;\" & _\n    \"Uid=sales;\" & _\n    \"Pwd=Rt7Kc2Vw9Qs;\"\n"; // vsecure:allow (a documented fake)
        the_one_finding(VB, Syntax::Code, false);
    }

    #[test]
    fn an_image_tag_spelt_like_an_address_names_no_host() {
        const GUIDE: &str = "```shell
podman run --rm --env PGPASSWORD=postgresql -it docker.io/library/postgres:15.2 \
  psql --host host.containers.internal --username postgres
podman run --rm -it docker.io/clickhouse/clickhouse-server:23.11.5.29-alpine \
  clickhouse-client --host host.containers.internal
```
";
        the_one_finding(GUIDE, Syntax::Document, true);
        // Without the tag's suffix the same numbers are an address the text dials.
        let dialled = GUIDE.replace("23.11.5.29-alpine", "23.11.5.29 --add-host");
        the_one_finding(&dialled, Syntax::Document, false);
    }

    #[test]
    fn a_document_s_container_of_the_official_image_is_the_reader_s_own() {
        let compose = "services:\n  db: # the database\n    image: postgres # the official image\n    environment:\n      POSTGRES_USER: baloo\n      POSTGRES_PASSWORD: junglebook\n";
        the_one_finding(compose, Syntax::Document, true);
        // In a deployment's own compose file, a chosen password is that deployment's.
        the_one_finding(compose, Syntax::Config, false);
        // An application's service given the database's password is not the image's.
        let app = compose.replace("image: postgres", "image: shop/api:1.4");
        the_one_finding(&app, Syntax::Document, false);
    }

    #[test]
    fn a_quoted_shell_fallback_and_local_domains_are_read() {
        const DEPLOY: &str = "docker run -d \\\n  -e SPRING_DATASOURCE_URL=${DB_URL:-\"jdbc:postgresql://172.31.8.40:5432/team_db\"} \\\n  -e SPRING_DATASOURCE_USERNAME=${DB_USERNAME:-\"team_1\"} \\\n  -e SPRING_DATASOURCE_PASSWORD=${DB_PASSWORD:-\"Wk4pZr8mQe\"} \\\n  app:1.0\n"; // vsecure:allow (a documented fake)
        the_one_finding(DEPLOY, Syntax::Code, false);
        let orb = "docker run -d \\\n  -e DATABASE_HOST=db.supabase.orb.local \\\n  -e DATABASE_USER=postgres \\\n  -e DATABASE_PASSWORD=postgres \\\n  baserow/baserow:1.31.1\n";
        the_one_finding(orb, Syntax::Config, true);
        assert!(is_local_host("db.supabase.orb.local"));
        assert!(is_local_host("pg.localhost:5432"));
        assert!(!is_local_host("orb.local.acme.io"));
    }

    #[test]
    fn an_associative_array_s_fallback_is_read_as_its_key_s() {
        // Values parsed from `.env` files into `kv`, with the script's own fallbacks.
        const SCRIPT: &str = "PG_USER=\"${kv[POSTGRES_USER]:-shop}\"\nPG_PASS=\"${kv[POSTGRES_PASSWORD]:-Kq8Tz2Wm77}\"\nkv[DATABASE_URL]=\"postgresql://${PG_USER}:${PG_PASS}@pg.shop-prod.acme.io:5432/shop\"\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(SCRIPT, Syntax::Code, false);
        assert_eq!(found.redacted, "POSTGRES_PASSWORD (default)=****");
        // The key quoted, the fallback quoted and the user's own name: the set-up's own.
        let own = SCRIPT.replace(
            "kv[POSTGRES_PASSWORD]:-Kq8Tz2Wm77",
            "ENV[\"POSTGRES_PASSWORD\"]:-\"shop\"",
        );
        the_one_finding(&own, Syntax::Code, true);
        // A key that names no password, or a fallback to another variable, is none.
        let other = SCRIPT.replace(
            "kv[POSTGRES_PASSWORD]:-Kq8Tz2Wm77",
            "kv[POSTGRES_PORT]:-5432",
        );
        assert!(detect(other.as_bytes(), Syntax::Code).is_empty());
        let variable = SCRIPT.replace(
            "kv[POSTGRES_PASSWORD]:-Kq8Tz2Wm77",
            "kv[POSTGRES_PASSWORD]:-$DEFAULT_PW",
        );
        assert!(detect(variable.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn dburl_s_pg_scheme_and_nocodb_s_query_password_are_read() {
        const NOCODB: &str = "NC_DB=pg://db.shopnet.io:5432?u=shop&p=Kq8Tz2Wm9&d=shop\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(NOCODB, Syntax::Config, false);
        assert_eq!(found.redacted, "pg://db.shopnet.io:5432?u=shop&p=****");
        let local = NOCODB
            .replace("db.shopnet.io", "localhost")
            .replace("Kq8Tz2Wm9", "shop");
        the_one_finding(&local, Syntax::Config, true);
        // `p=` is the password under NocoDB's scheme only.
        let other = NOCODB.replace("pg://", "postgres://");
        assert!(detect(other.as_bytes(), Syntax::Config).is_empty());
        const USQL: &str = "usql pg://shop:Kq8Tz2Wm9@db.shopnet.io/shop\n"; // vsecure:allow (a documented fake)
        the_one_finding(USQL, Syntax::Code, false);
    }

    #[test]
    fn a_block_string_s_or_comment_s_settings_are_read_as_a_document_s() {
        const DOCSTRING: &str = "import psycopg2\n\n\"\"\"\nspring.datasource.url=jdbc:postgresql://db.shopnet.io:5432/ips\nspring.datasource.password=Kq8Tz2Wm9\n\"\"\"\n"; // vsecure:allow (a documented fake)
        const COMMENTED: &str = "class User {\n}\n/*spring.datasource.username=shop\nspring.datasource.password=Kq8Tz2Wm9\nspring.datasource.url=jdbc:postgresql://db.shopnet.io:5432/ips\n*/\n"; // vsecure:allow (a documented fake)
        for (text, delimiters) in [
            (DOCSTRING, &["\"\"\"\n"][..]),
            (COMMENTED, &["/*", "*/"][..]),
        ] {
            let found = the_one_finding(text, Syntax::Code, false);
            assert_eq!(
                found.offset,
                text.find("spring.datasource.password").expect("key")
            );
            // The same lines as code name a variable, not a literal.
            let code = delimiters.iter().fold(text.to_string(), |code, delimiter| {
                code.replace(delimiter, "")
            });
            assert!(detect(code.as_bytes(), Syntax::Code).is_empty(), "{code}");
        }
        let blocks = block_strings(b"a '''x''' b \"\"\"y");
        assert!(blocks.len() == 1 && blocks[0] == (5..6), "{blocks:?}");
        // A comment opens a line; a `/*` after other text is a glob's or a path's.
        let blocks = block_comments(b"glob(\"src/**/*.js\")\n  /* a */ b\n/* open");
        assert!(blocks.len() == 1 && blocks[0] == (24..27), "{blocks:?}");
    }

    #[test]
    fn a_login_of_letters_said_over_is_stand_ins() {
        let props = "String url = \"jdbc:postgresql://db.shopnet.io:5432/app\";\nprops.setProperty(\"user\", \"AAA\");\nprops.setProperty(\"password\", \"BBB\");\n";
        assert!(detect(props.as_bytes(), Syntax::Code).is_empty());
        // The user's own letter is the user's own password, on loopback a local default.
        let own = "$host = \"localhost\";\n$user = \"www\";\n$password = \"www\";\npg_connect(\"host=$host user=$user password=$password\");\n";
        the_one_finding(own, Syntax::Code, true);
    }

    #[test]
    fn a_conninfo_joined_from_variables_is_followed_to_its_literals() {
        const PHP_REMOTE: &str = "$host = \"192.168.6.13\";\n$port = \"5432\";\n$pass = \"Kq8Tz2Wm9!\";\n$cs = \"host=\". $host . \" port=\" . $port . \" password=\" . $pass;\npg_connect($cs);\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(PHP_REMOTE, Syntax::Code, false);
        assert_eq!(found.redacted, "$pass=****");
        // The host joined on the same way is the only keyword the line names.
        const JS_REMOTE: &str = "const host = \"10.2.3.4\";\nconst pw = \"Kq8Tz2Wm9\";\nconst cs = \"host=\" + host + \" password=\" + pw;\n"; // vsecure:allow (a documented fake)
        the_one_finding(JS_REMOTE, Syntax::Code, false);
        // Its host and user followed back too: a default on loopback is a local one.
        const PHP_LOCAL: &str = "$host = \"localhost\";\n$user = \"postgres\";\n$pass = \"postgres\";\n$cs = \"host=\" . $host . \" user=\" . $user . \" password=\" . $pass;\n"; // vsecure:allow (a documented fake)
        the_one_finding(PHP_LOCAL, Syntax::Code, true);
        // A variable never set to a literal is no finding.
        let read = PHP_REMOTE.replace("$pass = \"Kq8Tz2Wm9!\";\n", "$pass = getenv(\"PGPASS\");\n");
        assert!(detect(read.as_bytes(), Syntax::Code).is_empty(), "{read}");
    }

    #[test]
    fn a_secret_for_a_cluster_started_on_this_machine_is_for_a_local_database() {
        const SANDBOX: &str = "Start the cluster:\n\n```bash\nminikube start\n```\n\n```yaml\nkind: Secret\nmetadata:\n  labels:\n    tags.acme.io/env: sandbox\nstringData:\n  POSTGRES_USER: \"postgres\"\n  POSTGRES_PASSWORD: \"metrics123\"\n  APP_POSTGRES_USER: \"metrics\"\n```\n"; // vsecure:allow (a documented fake)
        the_one_finding(SANDBOX, Syntax::Document, true);
        for start in ["kind create cluster", "k3d cluster create dev"] {
            let other = SANDBOX.replace("minikube start", start);
            the_one_finding(&other, Syntax::Document, true);
        }
        // Without the cluster on this machine, the same Secret is for wherever it is applied.
        let applied = SANDBOX.replace("minikube start", "kubectl apply -f secret.yaml");
        the_one_finding(&applied, Syntax::Document, false);
    }

    #[test]
    fn a_conninfo_value_ends_at_its_string_s_escaped_line_break() {
        // A form's placeholder shows each format on a line of its own, `p` the password's.
        let shown = "placeholder={\"postgresql://user:pass@host:5432/db\\nhost=localhost port=5432 dbname=mydb user=u password=p\\nDB_HOST=localhost DB_PORT=3306\"}";
        assert!(detect(shown.as_bytes(), Syntax::Code).is_empty(), "{shown}");
        // A real one written the same way is the characters before the break.
        let real =
            "const conn = \"host=db.acme.io user=app password=Kq8Tz2Wm9\\nsslmode=require\";"; // vsecure:allow (a documented fake)
        let found = the_one_finding(real, Syntax::Code, false);
        assert_eq!(
            found.secret_digest,
            <[u8; 32]>::from(Sha256::digest(b"Kq8Tz2Wm9"))
        );
    }

    #[test]
    fn a_container_s_dotted_environment_is_read_as_a_property() {
        const RUN: &str = "docker run -d \\\n  -e greenplum.user=etl \\\n  -e greenplum.passwd=Kq8Tz2Wm9 \\\n  -e greenplum.url=jdbc:postgresql://db.shopnet.io:5434 \\\n  etl:1\n"; // vsecure:allow (a documented fake)
        let found = the_one_finding(RUN, Syntax::Code, false);
        assert_eq!(found.redacted, "greenplum.passwd=****");
    }

    #[test]
    fn a_shell_fallback_to_another_variable_is_no_literal() {
        let script = "export AIRFLOW_DB_PASSWORD=\"${AIRFLOW_DB_PASSWORD:-$DWH_PG_PASSWORD}\"\n";
        assert!(detect(script.as_bytes(), Syntax::Code).is_empty());
        let literal = script.replace("$DWH_PG_PASSWORD", "Kq8Tz2Wm9");
        the_one_finding(&literal, Syntax::Code, false);
    }

    #[test]
    fn a_fallback_that_is_the_local_database_s_own_name_is_a_local_default() {
        let settings =
            "POSTGRES_HOST=localhost\nPOSTGRES_DB=nocodb\nPOSTGRES_PASSWORD=${PGPW:-nocodb}\n";
        the_one_finding(settings, Syntax::Config, true);
        let remote = settings.replace("localhost", "db.shopnet.io");
        the_one_finding(&remote, Syntax::Config, false);
    }

    #[test]
    fn a_fallback_that_is_its_variable_s_application_is_a_local_default() {
        for (variable, password) in [
            ("SKILLNOTE_DB_PASSWORD", "skillnote"),
            ("SKILL_NOTE_POSTGRES_PASSWORD", "skill_note"),
            ("NSJB_PGPASSWORD", "nsjb"),
        ] {
            assert!(names_the_variables_application(variable, password));
        }
        for (variable, password) in [
            ("SKILLNOTE_DB_PASSWORD", "skillnote9"),
            ("DB_PASSWORD", "db"),
            ("AB_DB_PASSWORD", "ab"),
        ] {
            assert!(!names_the_variables_application(variable, password));
        }
        let compose =
            "    environment:\n      POSTGRES_PASSWORD: ${SKILLNOTE_DB_PASSWORD:-skillnote}\n";
        the_one_finding(compose, Syntax::Config, true);
        let remote =
            format!("{compose}      POSTGRES_HOST: ${{SKILLNOTE_DB_HOST:-db.shopnet.io}}\n");
        the_one_finding(&remote, Syntax::Config, false);
    }

    #[test]
    fn a_default_joined_to_digits_by_a_symbol_is_a_default() {
        for value in [
            "admin@123",
            "root#2024",
            "postgres!1",
            "Admin@123456",
            "root12345678",
        ] {
            assert!(is_default_password(value), "{value}");
        }
        assert!(!is_default_password("kolibri@123"));
        let settings = "POSTGRES_HOST = '127.0.0.1'\nPOSTGRES_USER = 'postgres'\nPOSTGRES_PASSWORD = 'admin@123'\n";
        the_one_finding(settings, Syntax::Code, true);
    }

    #[test]
    fn a_keyboard_walk_said_twice_on_loopback_s_bytes_is_a_local_default() {
        for value in ["asdfasdf", "qweqwe", "zxcvzxcvzxcv"] {
            assert!(is_default_password(value), "{value}");
        }
        assert!(!is_default_password("asdfqwer9Lk"));
        let opts = "const opts = Conn.Opts{\n    .host = [4]u8{ 127, 0, 0, 1 },\n    .port = 5432,\n    .user = \"admin\",\n    .password = \"asdfasdf\",\n};\n";
        // Another address's bytes are not this machine's.
        assert_local_here_not_there(opts, Syntax::Code, "127, 0, 0, 1", "172, 31, 4, 9");
    }

    #[test]
    fn a_keyboard_walk_that_turns_back_is_a_local_default() {
        for value in ["qwerfdsa", "poiuasdf", "asdfrewq1", "1234rewq"] {
            assert!(is_default_password(value), "{value}");
        }
        for value in ["qwerfdsaKm", "tyuiGhj7x", "Ghj7tyui"] {
            assert!(!is_default_password(value), "{value}");
        }
        let hdbc = r#"conn <- connectPostgreSQL "host=localhost dbname=hdbc-test user=hdbc password=qwerfdsa""#;
        assert_local_here_not_there(hdbc, Syntax::Code, "localhost", "db.internal");
    }

    #[test]
    fn a_default_typed_with_shift_over_its_digits_is_a_local_default() {
        for value in ["zaq!23", "1qaz!QAZ", "qwe123", "Postgres!@#"] {
            assert!(is_default_password(value), "{value}");
        }
        for value in ["Zq!9vLm#2", "kolibri!23", "$P", "******"] {
            assert!(!is_default_password(value), "{value}");
        }
        let dsn = "dsn = 'dbname=mosaic user=postgres password=zaq!23 host=127.0.0.1'\n";
        assert_local_here_not_there(dsn, Syntax::Code, "127.0.0.1", "10.20.0.15");
    }

    #[test]
    fn a_persistence_service_s_name_is_a_container_beside_the_application() {
        assert!(is_local_host("users_persistence") && is_local_host("orders-persistence:5432"));
        assert!(!is_local_host("persistence.acme-prod.com"));
        let flask = r#"conn = psycopg2.connect(dbname="users", user="postgres", password="postgres", host="users_persistence")"#;
        assert_local_here_not_there(flask, Syntax::Code, "users_persistence", "pg.acme-prod.com");
    }

    #[test]
    fn a_quoted_conninfo_value_ends_on_its_line() {
        // A list of search strings in Markdown: the quote after `password=` opens no value
        // that runs on to the next line's quote.
        let list = "Queries for PostgreSQL: `psycopg2.connect(`, `user='postgres', password='`,\n  `DB_PASSWORD = '`, `@db:5432`.\n"; // vsecure:allow (a list of search strings)
        assert!(detect(list.as_bytes(), Syntax::Document).is_empty());
        let conninfo = "psql \"host=10.1.2.3 user=app password='Kq8v Tz2m'\"\n"; // vsecure:allow (a documented fake)
        the_one_finding(conninfo, Syntax::Document, false);
    }

    #[test]
    fn keys_held_down_counted_runs_short_values_and_oracle_s_name_on_loopback_are_local() {
        // One letter held down, counted digits then a letter said once or a few times,
        // one or two characters, Oracle's administrator's name.
        for value in [
            "aaa",
            "ZZZZ",
            "xxxxxx",
            "12345Q",
            "123456a",
            "1234zz",
            "oi",
            "7",
            "x9",
            "99",
            "system",
            "System123",
            "1098765432",
        ] {
            assert!(is_default_password(value), "{value}");
        }
        for value in [
            "aab", "aaa9Kq", "zzzzQ", "12345Qx", "13579q", "12345Kq8", "oik", "1098",
        ] {
            assert!(!is_default_password(value), "{value}");
        }
        for code in [
            "const dbSource = \"postgresql://root:aaa@localhost:5432/bank?sslmode=disable\"\n",
            "conn, err := pgx.Connect(ctx, \"postgres://postgres:12345Q@localhost:5432/team\")\n",
            "con = psycopg2.connect(host=\"127.0.0.1\",\n    database='chamagas',\n    user='postgres',\n    password='oi')\n",
            "db, err := sql.Open(\"postgres\", \"host=localhost port=5432 user=postgres password=system dbname=postgres sslmode=disable\")\n",
        ] {
            the_one_finding(code, Syntax::Code, true);
            // At a public host, however weak, it is that host's password.
            let remote = code
                .replace("localhost", "pg.acme-prod.com")
                .replace("127.0.0.1", "pg.acme-prod.com");
            let found = detect(remote.as_bytes(), Syntax::Code);
            assert!(
                found.len() == 1 && !found[0].local_default,
                "{remote}: {found:?}"
            );
        }
    }

    #[test]
    fn a_script_dialling_an_address_with_the_word_for_a_password_means_it() {
        let script = "#!/bin/bash\nengine = create_engine(\"postgresql://agvc:password@192.168.100.254:5432/agvc\")\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(script.as_bytes(), Syntax::Config).len(), 1);
        // A template or a guide's LAN address is the reader's to change.
        let template = script.trim_start_matches("#!/bin/bash\n");
        assert!(detect(template.as_bytes(), Syntax::Config).is_empty());
        assert!(detect(template.as_bytes(), Syntax::Document).is_empty());
    }

    #[test]
    fn counted_digits_before_a_default_and_a_login_of_field_names_are_no_credentials() {
        assert!(is_default_password("123password123"));
        assert!(is_default_password("123admin"));
        assert!(is_default_password("welcome1"));
        assert!(is_default_password("Welkom01!"));
        assert!(is_default_password("Bienvenue2024"));
        assert!(!is_default_password("Welkomstgroet7"));
        // A name joined to the word as an address is (`local@password`).
        assert!(is_default_password("local@password"));
        assert!(!is_default_password("welcomeHome7x"));
        assert!(!is_default_password("123Kq8Tz2Wm"));
        let jooq = "jdbc {\n    url = \"jdbc:postgresql://45.135.234.61:15432/app\"\n    user = \"username\"\n    password = \"password\"\n}\n";
        assert!(detect(jooq.as_bytes(), Syntax::Code).is_empty());
        let example = jooq
            .replace("\"username\"", "\"myuser\"")
            .replace("\"password\"\n", "\"mypassword\"\n");
        assert!(detect(example.as_bytes(), Syntax::Code).is_empty());
        let named = jooq.replace("\"username\"", "\"shop\"");
        assert_eq!(detect(named.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_login_falling_back_with_a_url_to_a_remote_host_is_that_hosts() {
        let remote = "val db = Database.connect(\n    url = System.getenv(\"DB_URL\") ?: /*\"jdbc:postgresql://db:5432/exam\",*/ \"jdbc:postgresql://pg.acme.io:5432/exam\",\n    user = System.getenv(\"DB_USER\") ?: \"exam\",\n    password = System.getenv(\"DB_PASSWORD\") ?: \"exam\"\n)\n";
        let found = detect(remote.as_bytes(), Syntax::Code);
        assert!(!found.is_empty() && found.iter().all(|d| !d.local_default));
        let local = "val db = Database.connect(\n    url = System.getenv(\"DB_URL\") ?: \"jdbc:postgresql://db:5432/exam\", /*\"jdbc:postgresql://pg.acme.io:5432/exam\",*/\n    user = System.getenv(\"DB_USER\") ?: \"exam\",\n    password = System.getenv(\"DB_PASSWORD\") ?: \"exam\"\n)\n";
        let found = detect(local.as_bytes(), Syntax::Code);
        assert!(!found.is_empty() && found.iter().all(|d| d.local_default));
    }

    #[test]
    fn a_default_put_aside_with_a_remote_host_is_that_hosts() {
        let set_aside = "//  url = \"jdbc:postgresql://pg.acme.io:5432/dev\"\n//  password = 'postgres'\n    url = \"jdbc:postgresql://localhost:5432/dev\"\n    password = \"postgres\"\n";
        let found = detect(set_aside.as_bytes(), Syntax::Code);
        let severities: Vec<(usize, bool)> =
            found.iter().map(|d| (d.offset, d.local_default)).collect();
        assert_eq!(found.len(), 2, "{severities:?}");
        assert!(
            !found[0].local_default && found[1].local_default,
            "{severities:?}"
        );
        let both_local = set_aside.replace("pg.acme.io", "127.0.0.1");
        assert!(
            detect(both_local.as_bytes(), Syntax::Code)
                .iter()
                .all(|d| d.local_default)
        );
    }

    #[test]
    fn one_character_where_code_dials_an_address_is_a_password() {
        let constants = "static final String DB_CONNECTION = \"jdbc:postgresql://62.109.31.150:5432/cost\";\nstatic final String DB_PASSWORD = \"q\";\n";
        assert_eq!(kinds(constants), [Kind::PasswordVariable]);
        assert!(kinds("static final String DB_PASSWORD = \"q\";\n").is_empty());
    }

    #[test]
    fn a_function_applied_to_a_variable_in_nix_is_no_literal() {
        assert!(kinds("POSTGRES_PASSWORD = readFile postgresPasswdFile;\n").is_empty());
        assert!(kinds("  DB_PASSWORD = builtins.readFile ./secrets/db;\n").is_empty());
        // An attribute read by its dotted name is a reference too.
        assert!(kinds("    POSTGRES_PASS = files.postgresPassword;\n").is_empty());
        let shell = "export DB_PASSWORD=Zx8.Kq2;\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(shell), [Kind::PasswordVariable]);
        let words = "DB_PASSWORD = Summer 2024\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(words), [Kind::PasswordVariable]);
        let literal = "POSTGRES_PASSWORD = Zx8-Kq2-Lm5;\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(literal), [Kind::PasswordVariable]);
        let prefix = "PGPASSWORD=Zx8-Kq2-Lm5 psql -h db.acme.io;\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(prefix), [Kind::Pgpassword]);
    }

    #[test]
    fn a_literal_piped_into_a_database_secret_is_found() {
        let line = "printf 'Zx8-Kq2-Lm5' | docker secret create pg_password -"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(line), [Kind::PasswordVariable]);
        assert!(kinds("printf \"$PW\" | docker secret create pg_password -").is_empty());
        assert!(kinds("printf 'Zx8-Kq2-Lm5' | docker secret create tls_key -").is_empty()); // vsecure:allow (a documented fake)
    }

    #[test]
    fn the_environment_set_by_a_call_or_fish_is_found_and_code_or_a_prompt_is_not() {
        for (line, syntax) in [
            ("os.Setenv(\"PGPASSWORD\", \"Zx8-Kq2-Lm5\")", Syntax::Code), // vsecure:allow (a documented fake)
            (
                "std::env::set_var(\"DB_PASSWORD\", \"Zx8-Kq2-Lm5\");",
                Syntax::Code,
            ), // vsecure:allow (a documented fake)
            ("set -gx PGPASSWORD Zx8-Kq2-Lm5", Syntax::Config), // vsecure:allow (a documented fake)
            ("ENV POSTGRES_PASSWORD Zx8-Kq2-Lm5", Syntax::Config), // vsecure:allow (a documented fake)
            ("setx PGPASSWORD \"Zx8-Kq2-Lm5\"", Syntax::Config), // vsecure:allow (a documented fake)
            ("launchctl setenv PGPASSWORD Zx8-Kq2-Lm5", Syntax::Config), // vsecure:allow (a documented fake)
            (
                "pb.environment().put(\"PGPASSWORD\", \"Zx8-Kq2-Lm5\");",
                Syntax::Code,
            ), // vsecure:allow (a documented fake)
            ("putenv(\"PGPASSWORD=Zx8Kq2Lm5\");", Syntax::Code), // vsecure:allow (a documented fake)
        ] {
            assert_eq!(detect(line.as_bytes(), syntax).len(), 1, "{line}");
        }
        for (line, syntax) in [
            ("os.Setenv(\"PGPASSWORD\", cfg.Password)", Syntax::Code),
            ("set -gx PGPASSWORD $PROD_PASSWORD", Syntax::Config),
            (
                "process.env.PGPASSWORD = await getSecret('prod/pg');",
                Syntax::Code,
            ),
            (
                "$env:PGPASSWORD = (Get-Secret -Name PgProd -AsPlainText)",
                Syntax::Config,
            ),
            ("set /p PGPASSWORD=Database password: ", Syntax::Config),
            (
                "set /p PG_PASSWORD=\"Enter your PostgreSQL password: \"",
                Syntax::Config,
            ),
            // A library's documented defaults: the unset variable.
            (
                "PGHOST='localhost'\nPGPASSWORD=null\nPGPORT=5432",
                Syntax::Config,
            ),
            ("ENV POSTGRES_PASSWORD $POSTGRES_PASSWORD", Syntax::Config),
            ("ENV SMTP_PASSWORD Zx8-Kq2-Lm5", Syntax::Config), // vsecure:allow (a documented fake)
            ("setx PGPASSWORD \"%PG_PASSWORD%\"", Syntax::Config),
            ("setx PGPASSWORD %PGPASSWORD%", Syntax::Config),
            ("putenv(\"PGPASSWORD=$password\");", Syntax::Code),
            ("putenv(\"PGPASSWORD=\" . $password);", Syntax::Code),
            (
                "headers.put(\"Authorization\", \"Zx8-Kq2-Lm5\");",
                Syntax::Code,
            ), // vsecure:allow (a documented fake)
            (
                "os.Setenv(\"SMTP_PASSWORD\", \"Zx8-Kq2-Lm5\")",
                Syntax::Code,
            ), // vsecure:allow (a documented fake)
        ] {
            assert!(detect(line.as_bytes(), syntax).is_empty(), "{line}");
        }
    }

    #[test]
    fn a_call_or_lookup_after_password_is_code_not_a_value() {
        for line in [
            "conn = psycopg2.connect(host=host, password=os.getenv(\"PGPASSWORD\"))",
            "conn = psycopg2.connect(host=host, password=config[\"db\"], dbname=x)",
            "conn = psycopg2.connect(host=host, password=password)",
            "def connect(query, host=HOST, password=PASSWORD):",
            "conn = connect(host=HOST, password=PASSWORD);",
        ] {
            assert!(detect(line.as_bytes(), Syntax::Code).is_empty(), "{line}");
        }
        let dsn = b"dsn = \"host=db password=Ab3-xY9-kL dbname=app\""; // vsecure:allow (a documented fake)
        assert_eq!(detect(dsn, Syntax::Code).len(), 1);
        // Adjacent literals that continue a conninfo string.
        let pieces = "DSN = (\n    \"host=db \"\n    \"user=app \"\n    \"password=Ab3-xY9-kL\"\n)"; // vsecure:allow (a documented fake)
        assert_eq!(detect(pieces.as_bytes(), Syntax::Code).len(), 1);
        let interpolated = "DSN = (\n    \"host=db \"\n    f\"password={password}\"\n)";
        assert!(detect(interpolated.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn each_form_is_found_and_redacted() {
        let text = "url: postgresql://neondb_owner:npg_Ab12Cd34Ef56@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require\n"; // vsecure:allow (a documented fake)
        let found = detect(text.as_bytes(), Syntax::Config);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::PostgresUri);
        assert_eq!(
            found[0].redacted,
            "postgresql://neo***:****@ep-cool-darkness-123456.us-east-2.aws.neon.tech"
        );
        assert!(!found[0].redacted.contains("npg_Ab12"));
        assert_eq!(
            kinds("DATABASE_URL=postgres://app:s3cret-Pw@db.internal.acme.io:5432/app"), // vsecure:allow (a documented fake)
            [Kind::DatabaseUrl]
        );
        assert_eq!(
            kinds("conn = \"host=db.internal.acme.io user=app password='s3 cret' dbname=app\""), // vsecure:allow (a documented fake)
            [Kind::KeyValuePassword]
        );
        let exported = "export PGPASSWORD=hunter2hunter2"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(exported), [Kind::Pgpassword]);
        assert_eq!(kinds("ENV PGPASSWORD s3cret-value"), [Kind::Pgpassword]); // vsecure:allow (a documented fake)
        // A Dockerfile's `ENV` sets on its own line: prose that ends a line with the
        // words is no setting of the next line's first word.
        assert!(kinds("a Dockerfile's `ENV PGPASSWORD\nglvd` beside it").is_empty());
        assert!(kinds("let pgpassword: String = read();").is_empty());
        assert!(kinds("export PGPASSWORD=hunter2hunter2 # vsecure:allow").is_empty());
        assert_eq!(kinds("  PGPASSWORD: \"Kq8vTz2m\""), [Kind::Pgpassword]); // vsecure:allow (a documented fake)
        // Inside a string's escaped quotes, as a script echoes a command.
        let echoed = "echo \"PGPASSWORD=\\\"Kq8vTz2m\\\" psql -h db.acme.io\""; // vsecure:allow (a documented fake)
        assert_eq!(kinds(echoed), [Kind::Pgpassword]);
        assert!(kinds("echo \"PGPASSWORD=\\\"$DB_PASS\\\" psql -h db.acme.io\"").is_empty());
        let neon = "neon password npg_Xy12Zw34Ab56Cd"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(neon), [Kind::NeonPassword]);
    }

    #[test]
    fn the_forms_projects_write_credentials_in_are_found() {
        const PW: &str = "Qw3rty-Uiop";
        let cases = [
            (
                "engine = create_engine('postgresql+psycopg2://app:{PW}@db.acme.io/app')",
                Kind::PostgresUri,
            ),
            (
                "{\"url\": \"postgresql:\\/\\/app:{PW}@db.acme.io\\/app\"}",
                Kind::PostgresUri,
            ),
            (
                "jdbc:postgresql://db.acme.io:5432/app?user=app&password={PW}",
                Kind::PostgresUri,
            ),
            (
                "$config['db_dsnw'] = 'pgsql://app:{PW}@10.20.0.5/roundcube';",
                Kind::PostgresUri,
            ),
            (
                "DATABASE_URL=postgis://app:{PW}@db.acme.io/gis",
                Kind::DatabaseUrl,
            ),
            (
                "POSTGRES_URI: \"posgres://app:{PW}@10.20.0.5/app\",",
                Kind::PostgresUri,
            ),
            (
                "{\"dsn\": \"jdbc:postgresql:\\/\\/db.acme.io\\/app?user=app&password={PW}\"}",
                Kind::PostgresUri,
            ),
            ("db.acme.io:5432:app:app:{PW}", Kind::Pgpass),
            (
                "Host=db.acme.io;Database=app;Username=app;Password={PW};",
                Kind::SemicolonPassword,
            ),
            (
                "Driver={{PostgreSQL}};Server=db.acme.io;Uid=app;Pwd={PW};",
                Kind::SemicolonPassword,
            ),
            ("POSTGRES_PASSWORD={PW}", Kind::PasswordVariable),
            ("      DB_PASSWORD: \"{PW}\"", Kind::PasswordVariable),
            ("const dbPassword = '{PW}';", Kind::PasswordVariable),
            ("CREATE ROLE app LOGIN PASSWORD '{PW}';", Kind::RolePassword),
            (
                "[OUTPUT]\n    Name      pgsql\n    Host      db.acme.io\n    Password  {PW}\n",
                Kind::PasswordSetting,
            ),
            (
                "<property name=\"driverClassName\" value=\"org.postgresql.Driver\"/>\n<property name=\"password\" value=\"{PW}\"/>",
                Kind::PasswordSetting,
            ),
            (
                "helm upgrade app ./chart --set postgresql.auth.password={PW}",
                Kind::PasswordSetting,
            ),
            (
                "import psycopg2\n@click.option(\"--password\", default=\"{PW}\", envvar=\"PGPASSWORD\")",
                Kind::PasswordSetting,
            ),
            (
                "pass := flag.String(\"pgpass\", \"{PW}\", \"postgres password\")",
                Kind::PasswordSetting,
            ),
            (
                "ansible-playbook site.yml -e \"postgres_password={PW}\"",
                Kind::PasswordVariable,
            ),
            (
                "| Host | Port | User | Password |\n|---|---|---|---|\n| db.acme.io | 5432 | app | `{PW}` |\n",
                Kind::PasswordSetting,
            ),
            (
                "<tr><th>Port</th><td>5432</td></tr>\n<tr><th>Password</th><td>{PW}</td></tr>",
                Kind::PasswordSetting,
            ),
            (
                "    psql -h db.acme.io -U app\n\nThe password is `{PW}`.\n",
                Kind::PasswordSetting,
            ),
            (
                "ENGINE = PostgreSQL('db.acme.io:5432', 'app', 'events', 'reader', '{PW}');",
                Kind::PasswordSetting,
            ),
            (
                "CREATE DATABASE pg ENGINE = PostgreSQL('db.acme.io:5432', 'app', 'reader', '{PW}');",
                Kind::PasswordSetting,
            ),
            (
                "CREATE DATABASE pg ENGINE = MaterializedPostgreSQL('db.acme.io:5432', 'app', 'reader', '{PW}');",
                Kind::PasswordSetting,
            ),
            (
                "resource \"helm_release\" \"pg\" {\n  chart = \"postgresql\"\n  set {\n    name  = \"auth.password\"\n    value = \"{PW}\"\n  }\n}",
                Kind::PasswordSetting,
            ),
            (
                "backend_hostname0 = 'pg1.acme.io'\nbackend_port0 = 5432\nsr_check_password = '{PW}'\n",
                Kind::PasswordSetting,
            ),
        ];
        for (template, kind) in cases {
            let text = template
                .replace("{PW}", PW)
                .replace("{{", "{")
                .replace("}}", "}");
            let found = detect(text.as_bytes(), Syntax::Config);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].kind, kind, "{text}");
            assert!(
                !found[0].redacted.contains("Qw3rty"),
                "{text}: {}",
                found[0].redacted
            );
        }
        for text in [
            "POSTGRES_PASSWORD=${{ secrets.POSTGRES_PASSWORD }}",
            "DB_PASSWORD: ${DB_PASSWORD}",
            "ALTER ROLE app PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy';",
            "CREATE ROLE app PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';",
            "Server=db.acme.io;Password=${PASSWORD};",
            "12:30:45 started",
            "    pgpassword: Regex,",
            "let pgpass = home.path().join(\".pgpass\");",
            "Kind::Pgpassword => \"pgpassword\",",
            "PostgreSQL connection\n  Password required.\n",
            "[OUTPUT]\n    Name      pgsql\n    Password  reset\n",
            "secretGenerator:\n  - name: postgres\n    files:\n      - password=secrets/postgres-password.txt\n",
            "password := flag.String(\"password\", \"\", \"PostgreSQL password\")",
            "PostgreSQL drivers: a literal password: `password=\"...\"` (psycopg2)",
            "    psql -h db.acme.io -U app\n\nThe password is in 1Password.\n",
            "| Host | Port | Password |\n|--|--|--|\n| db.acme.io | 5432 | (none) |\n",
            "resource \"helm_release\" \"app\" {\n  chart = \"app\"\n  set {\n    name  = \"postgresql.enabled\"\n    value = \"true\"\n  }\n  set {\n    name  = \"redis.auth.password\"\n    value = \"Zx8-Kq2-Lm5\"\n  }\n}",
            "input PostgresConnectInput {\n  host: String!\n  password: String!\n}",
            "helm upgrade app ./chart --set postgresql.enabled=true --set redis.auth.password=Zx8-Kq2-Lm5",
        ] {
            assert!(
                detect(text.as_bytes(), Syntax::Config).is_empty(),
                "flagged: {text}"
            );
        }
    }

    #[test]
    fn passwords_placeholders_used_to_hide_are_found() {
        for (text, redacted) in [
            (
                "postgresql://app@db.acme.io/app?password=Qw3rty-Uiop", // vsecure:allow (a documented fake)
                "postgresql://app***@db.acme.io/app?password=****",
            ),
            (
                "url = \"postgres://db.acme.io/app?user=app&password=Qw3rty-Uiop&sslmode=require\"", // vsecure:allow (a documented fake)
                "postgres://db.acme.io/app?user=app&password=****",
            ),
            (
                "postgresql://app:MyPassword123!@db.acme.io/app", // vsecure:allow (a documented fake)
                "postgresql://app***:****@db.acme.io",
            ),
            (
                "postgresql://app:dummypass2024@db.example.com/app", // vsecure:allow (a documented fake)
                "postgresql://app***:****@db.example.com",
            ),
            (
                "postgresql://app:Qw3rty@yourcompany-db.internal/app", // vsecure:allow (a documented fake)
                "postgresql://app***:****@yourcompany-db.internal",
            ),
            (
                "postgresql://app:it's<a secret@db.acme.io/app", // vsecure:allow (a documented fake)
                "postgresql://app***:****@db.acme.io",
            ),
        ] {
            let found = detect(text.as_bytes(), Syntax::Config);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].redacted, redacted, "{text}");
        }
    }

    #[test]
    fn a_uri_cut_where_code_joins_its_host_on_is_found() {
        const PYTHON: &str = "create_engine('postgresql://app:Wd5-vKq8z@' + HOST + '/app')"; // vsecure:allow (a documented fake)
        const PHP: &str = "$uri = \"postgres://app:Wd5-vKq8z@\" . $host;"; // vsecure:allow (a documented fake)
        const SOCKET: &str = "psql \"postgresql://app:Wd5-vKq8z@/shop?host=/cloudsql/acme:eu:pg\""; // vsecure:allow (a documented fake)
        for text in [PYTHON, PHP, SOCKET] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert_eq!(found.len(), 1, "{text}");
            assert!(!found[0].redacted.contains("Wd5"), "{text}");
        }
        for text in [
            "const doc = \"postgresql://user:pass@\";",
            "see postgresql://app:Wd5-vKq8z@ for the form", // vsecure:allow (a documented fake)
            "export KC_DB_PASSWORD=\"${PGPASSWORD:-}\"",
        ] {
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_uri_whose_password_code_joins_in_is_no_literal() {
        for text in [
            "$dsn = 'pgsql://rc:' . rawurlencode(getenv('RC_DB_PASSWORD')) . '@127.0.0.1/rc';",
            "url = 'postgresql://app:' + quote(os.environ['PW']) + '@db.acme.io/app'",
            "url = \"postgres://app:\" + pw + \"@db.acme.io/app\"",
        ] {
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        let literal = "url = 'postgresql://app:Wd5-vKq8z@db.acme.io/app'"; // vsecure:allow (a documented fake)
        assert_eq!(detect(literal.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn an_empty_password_before_the_next_keyword_is_no_value() {
        let text = "$db = pg_connect(\"host=10.0.2.27 user=app password= dbname=chat\");";
        assert!(detect(text.as_bytes(), Syntax::Code).is_empty());
        let set = "$db = pg_connect(\"host=10.0.2.27 user=app password=Wd5-vKq8z dbname=chat\");"; // vsecure:allow (a documented fake)
        assert_eq!(detect(set.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_sed_substitution_sets_its_replacement_whatever_the_delimiter() {
        for delimiter in ['/', '|', '#'] {
            let line = |value: &str| {
                format!(
                    "sed -i \"s{delimiter}^DB_PASS=.*{delimiter}DB_PASS={value}{delimiter}\" .env"
                )
            };
            let stand_in = line("changeme_cube_reader");
            assert!(
                detect(stand_in.as_bytes(), Syntax::Config).is_empty(),
                "{stand_in}"
            );
            let chosen = line("Wd5-vKq8z"); // vsecure:allow (a documented fake)
            assert_eq!(
                detect(chosen.as_bytes(), Syntax::Config).len(),
                1,
                "{chosen}"
            );
        }
        // A YAML key's replacement sets its value after a space, a variable here.
        let yaml =
            "sed -i \"s/DATABASE_PASSWORD: .*/DATABASE_PASSWORD: \\\"$NEW_PASS\\\"/\" secrets.yaml";
        assert!(detect(yaml.as_bytes(), Syntax::Config).is_empty(), "{yaml}");
    }

    #[test]
    fn a_value_a_test_checks_is_refused_is_the_tests_input() {
        for text in [
            "with pytest.raises(RuntimeError):\n    guard(\"postgresql://app:Wd5-vKq8z@10.1.2.3/app\")",
            "assert.throws(() => target(\"postgresql://app:Wd5-vKq8z@10.1.2.3/app\"), /local/);",
            "expect(() => connect('postgres://app:Wd5-vKq8z@10.1.2.3/app')).toThrow();",
            "assert!(parse(\"postgres://app:Wd5-vKq8z@10.1.2.3/app\").is_err());",
        ] {
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        let later = format!(
            "assert.throws(() => f());\n{}\nconst url = 'postgres://app:Wd5-vKq8z@10.1.2.3/app';",
            "// padding line of a test file that runs on\n".repeat(12)
        ); // vsecure:allow (a documented fake)
        assert_eq!(detect(later.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_jenkinsfile_s_setting_bound_to_a_credential_s_password_is_no_literal() {
        let jenkinsfile = "environment {\n    EMAIL_DB_URL = \"jdbc:postgresql://44.9.1.20:5400/emailDB\"\n    EMAIL_DB_CREDS = credentials('EMAIL_SERVICE_DB')\n    EMAIL_DB_PASS = EMAIL_DB_CREDS_PSW\n}\n";
        for syntax in [Syntax::Config, Syntax::Code] {
            assert!(detect(jenkinsfile.as_bytes(), syntax).is_empty());
        }
        let literal = jenkinsfile.replace("EMAIL_DB_CREDS_PSW", "Kq8-Jenk1ns"); // vsecure:allow (a documented fake)
        assert_eq!(detect(literal.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn a_redaction_test_s_input_that_output_must_not_hold_is_no_login() {
        let cases = |forbidden: &str| {
            format!(
                "{{\n  id: 'CRED-03',\n  prompt: 'Connect to: postgresql://admin:Kv7-Redact9@pg.acme.io:5432/production.',\n  forbidden: [{forbidden}],\n}},\n" // vsecure:allow (a documented fake)
            )
        };
        assert!(detect(cases("'Kv7-Redact9', 'admin'").as_bytes(), Syntax::Code).is_empty()); // vsecure:allow (a documented fake)
        let python = "url = \"postgresql://admin:Kv7-Redact9@pg.acme.io/app\"\nassert \"Kv7-Redact9\" not in scrub(url)\n"; // vsecure:allow (a documented fake)
        assert!(detect(python.as_bytes(), Syntax::Code).is_empty());
        // Another value kept out leaves the login a login.
        the_one_finding(&cases("'admin'"), Syntax::Code, false);
    }

    #[test]
    fn a_uri_whose_login_a_test_asserts_output_holds_is_that_test_s_input() {
        let go = "{\n  base: \"postgres://alice:Kv7%40Rewrite@10.0.0.9:15432/whatever\",\n  assert: func(t *testing.T, dsn string, err error) {\n    assert.Contains(t, dsn, \"alice:Kv7%40Rewrite@10.0.0.9:15432\")\n  },\n},\n"; // vsecure:allow (a documented fake)
        assert!(detect(go.as_bytes(), Syntax::Code).is_empty());
        let jest = "const url = 'postgresql://app:Kv7-Rewrite@10.0.0.9/app';\nexpect(rewrite(url)).toContain('app:Kv7-Rewrite@10.0.0.9');\n"; // vsecure:allow (a documented fake)
        assert!(detect(jest.as_bytes(), Syntax::Code).is_empty());
        // An assertion on another part, or a string outside any assertion, leaves the
        // login a login.
        for kept in [
            go.replace("alice:Kv7%40Rewrite@10.0.0.9:15432\")", "10.0.0.9:15432\")"),
            go.replace("assert.Contains(t, dsn, ", "log(t, dsn, "),
        ] {
            the_one_finding(&kept, Syntax::Code, false);
        }
    }

    #[test]
    fn a_uri_whose_password_a_test_asserts_its_code_splits_out_is_that_test_s_input() {
        let test = "@Test\nfun `credentials are placed in properties`() {\n    val (url, props) = splitCredentials(\"jdbc:postgresql://postgres:Kv7-split@88.99.190.112:5432/postgres\")\n    assertEquals(\"postgres\", props.getProperty(\"user\"))\n    assertEquals(\"Kv7-split\", props.getProperty(\"password\"))\n}\n"; // vsecure:allow (a documented fake)
        assert!(detect(test.as_bytes(), Syntax::Code).is_empty());
        // An assertion on another value leaves the login a login.
        let other = test.replace("assertEquals(\"Kv7-split\"", "assertEquals(\"Kv7-other\"");
        the_one_finding(&other, Syntax::Code, false);
    }

    #[test]
    fn a_login_on_loopback_in_a_test_suite_is_the_test_s_fixture() {
        let suite = "test('parses a login', () => {\n  const url = 'postgresql://frodo:Kv7-friend@localhost/shire';\n  expect(parse(url).user).toBe('frodo');\n});\n"; // vsecure:allow (a documented fake)
        assert_local_here_not_there(suite, Syntax::Code, "localhost", "pg.acme.io");
        let not_a_suite = suite.replace("test('parses a login', () => {", "{");
        the_one_finding(&not_a_suite, Syntax::Code, false);
        let masked = "def test_redacts():\n    assert redact(url) == 'postgresql://app:****@localhost/app'\n";
        assert!(detect(masked.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_method_named_test_is_a_test_only_in_a_class_of_tests() {
        let app = "class DatabaseConnection:\n    def __init__(self):\n        self.url = \"postgresql://postgres:Kv7-fatma@localhost:5432/postgres\"\n\n    def test_connection(self):\n        return psycopg2.connect(self.url)\n"; // vsecure:allow (a documented fake)
        the_one_finding(app, Syntax::Code, false);
        for suite in [
            app.replace("class DatabaseConnection:", "class TestDatabaseConnection:"),
            app.replace(
                "class DatabaseConnection:",
                "class DbTests(unittest.TestCase):",
            ),
            format!("{app}\ndef test_reads(client):\n    assert client.get('/')\n"),
            format!("{app}\ndef test_reads(\n    client,\n):\n    pass\n"),
        ] {
            the_one_finding(&suite, Syntax::Code, true);
        }
    }

    #[test]
    fn a_socket_directory_is_this_machine_s_unless_it_is_cloud_sql_s() {
        for local in [
            "url = 'postgresql://app:app@%2Fvar%2Frun%2Fpostgresql/app'\n",
            "url = 'postgresql://app:app@/app?host=/var/run/postgresql'\n",
        ] {
            the_one_finding(local, Syntax::Code, true);
        }
        // A person's own password to this machine's socket is theirs, however many
        // directories the socket's path has.
        let own = "url = 'postgresql://app:Kv7-S0ck@%2Fvar%2Frun%2Fpostgresql/app'\n"; // vsecure:allow (a documented fake)
        the_one_finding(own, Syntax::Code, false);
        for cloud_sql in [
            "url = 'postgresql://app:Kv7-Cl0ud@%2Fcloudsql%2Fshop%3Aeu-west1%3Apg/app'\n", // vsecure:allow (a documented fake)
            "url = 'postgresql://app:app@/app?host=/cloudsql/shop:eu-west1:pg'\n", // vsecure:allow (a documented fake)
            // pg8000 names the socket itself, whatever the authority says.
            "url = 'postgresql+pg8000://app:app@db/app?unix_sock=/cloudsql/shop:eu-west1:pg/.s.PGSQL.5432'\n", // vsecure:allow (a documented fake)
        ] {
            the_one_finding(cloud_sql, Syntax::Code, false);
        }
    }

    #[test]
    fn a_trino_catalog_s_connection_user_is_its_password_s_user() {
        let catalog = "connector.name=postgresql\nconnection-url=jdbc:postgresql://postgres:5432/logistics\nconnection-user=trino\nconnection-password=trino\n";
        the_one_finding(catalog, Syntax::Config, true);
        let chosen = catalog.replace("password=trino", "password=Kv7-Tr1n0"); // vsecure:allow (a documented fake)
        the_one_finding(&chosen, Syntax::Config, false);
    }

    #[test]
    fn the_markers_other_scanners_honour_are_honoured() {
        for line in [
            "PGPASSWORD=Lq8-zTw4-Mv  # pragma: allowlist secret",
            "dsn := \"postgres://app:Lq8-zTw4-Mv@pg.acme.io/app\" // gitleaks:allow",
        ] {
            assert!(detect(line.as_bytes(), Syntax::Code).is_empty(), "{line}");
        }
        let unmarked = "PGPASSWORD=Lq8-zTw4-Mv  # pragma: no cover"; // vsecure:allow (a documented fake)
        assert_eq!(detect(unmarked.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_variable_named_or_described_is_no_value() {
        const OBJECT: &str = "const env = { PGHOST: host, PGPASSWORD: password, }"; // vsecure:allow (a documented fake)
        assert!(detect(OBJECT.as_bytes(), Syntax::Code).is_empty());
        const LIST: &str = "- PGPASSWORD: database password\n- DB_PASSWORD: password of the app\n"; // vsecure:allow (a documented fake)
        assert!(detect(LIST.as_bytes(), Syntax::Config).is_empty());
        const LITERAL: &str = "const env = { PGPASSWORD: 'Rv3-kWq7z', }"; // vsecure:allow (a documented fake)
        assert_eq!(detect(LITERAL.as_bytes(), Syntax::Code).len(), 1);
        const SET: &str = "PGPASSWORD: Rv3-kWq7z\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(SET.as_bytes(), Syntax::Config).len(), 1);
    }

    #[test]
    fn a_variable_passed_as_password_in_code_is_not_a_password() {
        let call = "conn = connect(host=\"db.acme.io\", user=\"app\", password=password);";
        assert!(detect(call.as_bytes(), Syntax::Code).is_empty());
        // With no space before the next keyword argument.
        let packed = "conn = await asyncpg.connect(user=user, password=password,database='linker', host='127.0.0.1')"; // vsecure:allow (a documented fake)
        assert!(detect(packed.as_bytes(), Syntax::Code).is_empty());
        let conninfo = "conn = connect(\"host=db.acme.io user=app password=Qw3rty-Uiop\")"; // vsecure:allow (a documented fake)
        assert_eq!(detect(conninfo.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn one_password_beside_a_template_of_the_same_connection_is_found() {
        const REAL_AFTER_TEMPLATE: &str = "postgresql://app:[PASSWORD]@db.acme.io/app\nDATABASE_URL=postgresql://app:Kq8vTz2mLp@db.acme.io/app\n"; // vsecure:allow (a documented fake)
        const TWO_USERS: &str = "postgresql://app:Kq8vTz2mLp@db.acme.io/app\npostgresql://report:Wd4nP8qLz3@db.acme.io/app\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(REAL_AFTER_TEMPLATE), [Kind::DatabaseUrl]);
        assert_eq!(kinds(TWO_USERS), [Kind::PostgresUri, Kind::PostgresUri]);
    }

    #[test]
    fn a_comment_to_move_a_password_elsewhere_does_not_hide_it() {
        const TODO_VAULT: &str =
            "PGHOST=db.acme.io\nDB_PASSWORD=Rn4kX8vQ2zLt # TODO: replace with the vault\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(TODO_VAULT), [Kind::PasswordVariable]);
    }

    #[test]
    fn php_array_settings_are_found() {
        const ZABBIX: &str = "$DB['TYPE'] = 'POSTGRESQL';\n$DB['SERVER'] = 'pg1.acme.net';\n$DB['PASSWORD'] = 'Kq8vTz2mLp';\n"; // vsecure:allow (a documented fake)
        const CODEIGNITER: &str =
            "$db['default']['password'] = 'Kq8vTz2mLp';\n$db['default']['dbdriver'] = 'postgre';\n"; // vsecure:allow (a documented fake)
        assert_eq!(kinds(ZABBIX), [Kind::PasswordSetting]);
        assert_eq!(kinds(CODEIGNITER), [Kind::PasswordSetting]);
    }

    #[test]
    fn local_defaults_are_marked() {
        const COMPOSE: &str =
            "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ";
        const FAKE: &str = "Zx8-Kq2-Lm5";
        const POOL_ON_LOOPBACK: &str =
            "new Pool({\n  host: 'localhost', // the machine\n  password: 'devpass',\n});"; // vsecure:allow (a documented fake)
        const CI_SERVICE: &str = "jobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n      pg:\n        image: postgres:16\n        env:\n          POSTGRES_PASSWORD: ci7Kx2Lq9\n"; // vsecure:allow (a documented fake)
        const CI_URI: &str = "    runs-on: ubuntu-latest\n    services:\n      pg:\n        image: postgres:16\n    steps:\n      - run: psql postgres://app:ci7Kx2Lq9@localhost:5432/app\n"; // vsecure:allow (a documented fake)
        const COMPOSE_SERVICE: &str = "services:\n  pg:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ci7Kx2Lq9\n"; // vsecure:allow (a documented fake)
        const SERVICE_URI: &str =
            "POSTGRES_PASSWORD=postgres\nDATABASE_URL=postgres://$U:$P@postgres:5432/app"; // vsecure:allow (a documented fake)
        const CONNINFO_ON_LOOPBACK: &str =
            "host=localhost user=postgres password=postgres dbname=app"; // vsecure:allow (a documented fake)
        const CONNINFO_REMOTE: &str = "host=db.acme.io user=postgres password=postgres dbname=app"; // vsecure:allow (a documented fake)
        const ADJACENT_PIECES: &str = "psycopg2.connect(\"user='app' \"\n    \"host='localhost' \"\n    \"password='admin'\")\n"; // vsecure:allow (a documented fake)
        const SQL_CLIENT_ON_LOOPBACK: &str = "{\n  \"server\": \"localhost\",\n  \"dialect\": \"PostgreSQL\",\n  \"password\": \"admin\"\n}\n"; // vsecure:allow (a documented fake)
        const ROLE_IN_INIT_SCRIPT: &str = "psql --username \"$POSTGRES_USER\" <<-EOSQL\n  CREATE USER shop PASSWORD 'shop';\nEOSQL\n"; // vsecure:allow (a documented fake)
        const CONNINFO_WITHOUT_HOST: &str =
            "DB_PASSWORD = \"12345678\"\nfmt.Sprintf(\"user=%s password=%s dbname=%s\", u, p, d)\n"; // vsecure:allow (a documented fake)
        const RUBY_DEFAULTS: &str =
            "def initialize(host = \"pg\", user = \"app\", password = \"postgres\")"; // vsecure:allow (a documented fake)
        const ZABBIX_ON_LOOPBACK: &str = "$DB['TYPE'] = 'POSTGRESQL';\n$DB['SERVER'] = '127.0.0.1';\n$DB['USER'] = 'zbx';\n$DB['PASSWORD'] = 'zbx';\n"; // vsecure:allow (a documented fake)
        const GITLAB_ON_SERVICE: &str = "gitlab_rails['db_host'] = 'forge-pg'\ngitlab_rails['db_username'] = 'forge'\ngitlab_rails['db_password'] = 'forge'\n"; // vsecure:allow (a documented fake)
        const NEXTCLOUD_ON_SERVICE: &str = "  'dbtype' => 'pgsql',\n  'dbhost' => 'filesdb',\n  'dbuser' => 'files',\n  'dbpassword' => 'files',\n"; // vsecure:allow (a documented fake)
        const SONAR_ON_SERVICE: &str = "services:\n  pg:\n    image: postgres:16\n  sonar:\n    environment:\n      SONAR_JDBC_USERNAME: scan\n      SONAR_JDBC_PASSWORD: scan\n"; // vsecure:allow (a documented fake)
        const SONAR_RUN_ON_LOOPBACK: &str = "docker run -d \\\n  -e SONAR_JDBC_URL=jdbc:postgresql://localhost:5432/sonarqube \\\n  -e SONAR_JDBC_USERNAME=scan \\\n  -e SONAR_JDBC_PASSWORD=scan \\\n  sonarqube:10\n"; // vsecure:allow (a documented fake)
        const HELM_RELEASE: &str = "resource \"helm_release\" \"pg\" {\n  chart = \"postgresql\"\n  set {\n    name  = \"auth.password\"\n    value = \"shop_password\"\n  }\n}\n"; // vsecure:allow (a documented fake)
        const REPLICA_IN_CONTAINER: &str = "touch /var/lib/postgresql/data/standby.signal\nprimary_conninfo = 'host=primary user=shop password=shop'\n"; // vsecure:allow (a documented fake)
        const N8N_ON_SERVICE: &str = "services:\n  pg:\n    image: postgres:16\n  flows:\n    environment:\n      - DB_POSTGRESDB_USER=flows2\n      - DB_POSTGRESDB_PASSWORD=flows2\n"; // vsecure:allow (a documented fake)
        const DEBEZIUM_ON_SERVICE: &str = "\"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",\n\"database.hostname\": \"postgres\",\n\"database.password\": \"postgres123\",\n"; // vsecure:allow (a documented fake)
        const VAULT_TEMPLATED_ON_SERVICE: &str = "connection_url: \"postgresql://{{ '{{username}}' }}:{{ '{{password}}' }}@postgres:5432/app\"\nconnection_password: postgres\n"; // vsecure:allow (a documented fake)
        const CLOJURE_ON_LOOPBACK: &str = "{:dbtype \"postgresql\"\n :host \"localhost\"\n :user \"root\"\n :password \"root\"}\n"; // vsecure:allow (a documented fake)
        const CLICKHOUSE_ENGINE_ON_SERVICE: &str = "CREATE DATABASE chain ENGINE = MaterializedPostgreSQL('db:5432', 'chain', 'postgres', 'postgres');\n"; // vsecure:allow (a documented fake)
        const HIVE_SITE_ON_SERVICE: &str = "<property>\n  <name>javax.jdo.option.ConnectionURL</name>\n  <value>jdbc:postgresql://postgres:5432/metastore</value>\n</property>\n<property>\n  <name>javax.jdo.option.ConnectionUserName</name>\n  <value>hive</value>\n</property>\n<property>\n  <name>javax.jdo.option.ConnectionPassword</name>\n  <value>hive123</value>\n</property>\n"; // vsecure:allow (a documented fake)
        const CALL_ON_LOOPBACK: &str = "var c = PostgreSQLConnection(\"localhost\", 5432, \"shop\", username: \"shop\", password: \"shop\");\n"; // vsecure:allow (a documented fake)
        const PHP_ASSIGNED_LOCAL: &str = "$host = \"localhost\";\n$user = \"shop\";\n$pass = \"shop\";\npg_connect(\"host=$host user=$user password=$pass\");\n"; // vsecure:allow (a documented fake)
        const PHP_ASSIGNED_REMOTE: &str = "$host = \"pg.acme.io\";\n$pass = \"Kq8-Tz2-Wm\";\npg_connect(\"host=$host dbname=shop password=$pass\");\n"; // vsecure:allow (a documented fake)
        const BENCHMARK_ON_CONTAINER: &str =
            "host=tfb-database user=benchmarkdbuser password=benchmarkdbpass"; // vsecure:allow (a documented fake)
        const BENCHMARK_REMOTE: &str =
            "host=pg.acme.io user=benchmarkdbuser password=benchmarkdbpass"; // vsecure:allow (a documented fake)
        const JDBC_ON_THE_BRIDGE: &str = "c = DriverManager.getConnection(\"jdbc:postgresql://172.17.0.2:5432/app\", \"postgres\", \"postgres\");"; // vsecure:allow (a documented fake)
        // The same URL kept in a variable the call is given.
        const JDBC_URL_ON_THE_BRIDGE: &str = "String url = \"jdbc:postgresql://172.17.0.2:5432/app\";\nc = DriverManager.getConnection(url, \"postgres\", \"postgres\");"; // vsecure:allow (a documented fake)
        const TEST_PROPERTIES_ON_LOOPBACK: &str = "@SpringBootTest(properties = {\n  \"spring.datasource.url=jdbc:postgresql://127.0.0.1:15432/ops\",\n  \"spring.datasource.username=ops\",\n  \"spring.datasource.password=ops\"\n})"; // vsecure:allow (a documented fake)
        const TOMCAT_ON_LOOPBACK: &str = "<Resource url=\"jdbc:postgresql://localhost/shop\"\n  username=\"shop\" password=\"shop\"/>"; // vsecure:allow (a documented fake)
        const JPA_ON_LOOPBACK: &str = "<property name=\"jakarta.persistence.jdbc.url\" value=\"jdbc:postgresql://localhost/shop\"/>\n<property name=\"jakarta.persistence.jdbc.user\" value=\"shop\"/>\n<property name=\"jakarta.persistence.jdbc.password\" value=\"shop\"/>"; // vsecure:allow (a documented fake)
        const TEMPLATE_HOST_DEFAULT: &str = "<url>jdbc:postgresql://${HOST_IP!'localhost'}:5432/app</url>\n<user>postgres</user>\n<password>P0stgres</password>"; // vsecure:allow (a documented fake)
        const GRAFANA_ON_SERVICE: &str = "datasources:\n  - type: postgres\n    url: metrics-postgres:5432   # compose\n    user: metrics\n    secureJsonData:\n      password: metrics123\n"; // vsecure:allow (a documented fake)
        const GRAFANA_REMOTE: &str = "datasources:\n  - type: postgres\n    url: pg.acme.io:5432\n    user: metrics\n    secureJsonData:\n      password: metrics123\n"; // vsecure:allow (a documented fake)
        const PUPPET_OWN_NAME: &str = "# postgresql::server::db { 'metrics':\n#   password => postgresql::postgresql_password('metrics', 'metrics'),\n"; // vsecure:allow (a documented fake)
        const PUPPET_OWN_NAME_REMOTE: &str =
            "# on pg.acme.io\npassword => postgresql::postgresql_password('metrics', 'metrics'),\n"; // vsecure:allow (a documented fake)
        const HOWTO_WITH_LINKS: &str = "http://wiki.otterhub.org/index.php?title=Installation_on_Debian\npostgres=# create user otrs password 'otrs' nosuperuser;\n"; // vsecure:allow (a documented fake)
        const ORACLE_FALLBACK: &str = "export DB_PWD=\"${POSTGRES_PWD:-oracle}\"\nexport DB_HOST=\"${POSTGRES_HOST:-localhost}\"\n"; // vsecure:allow (a documented fake)
        const FALLBACK_TO_RDS: &str = "host: env('DATABASE_HOST', 'dbgss.c6d4qw84ftau.eu-west-2.rds.amazonaws.com'),\npassword: env('DATABASE_PASSWORD', 'qwerty009'),\n"; // vsecure:allow (a documented fake)
        const FALLBACK_ON_LOOPBACK: &str = "host: env('DATABASE_HOST', 'localhost'),\npassword: env('DATABASE_PASSWORD', 'qwerty009'),\n"; // vsecure:allow (a documented fake)
        const SETTERS_ON_LOOPBACK: &str = "ds.setUrl(\"jdbc:postgresql://localhost:5432/quartz\");\nds.setUsername( \"quartz\" );\nds.setPassword( \"quartz123\" );\n"; // vsecure:allow (a documented fake)
        const SETTERS_REMOTE: &str = "ds.setUrl(\"jdbc:postgresql://pg.acme.io:5432/quartz\");\nds.setUsername(\"quartz\");\nds.setPassword(\"quartz123\");\n"; // vsecure:allow (a documented fake)
        const PUPPET_VIRTUAL_RESOURCE: &str = "class collectd::plugin::postgresql {\n  $user = 'collectd'\n  $password = 'collectd'\n  @postgresql::server::role { $user:\n    password_hash => postgresql_password($user, $password),\n  }\n}\n"; // vsecure:allow (a documented fake)
        const VIPER_OWN_NAME: &str = "viper.SetDefault(\"postgres.user\", \"ingest\")\nviper.SetDefault(\"postgres.pass\", \"ingest\")\n"; // vsecure:allow (a documented fake)
        const TESTCONTAINER_OWN_NAME: &str = "new GenericContainer(\"postgres:16\")\n  .withEnvironment({ POSTGRES_USER: \"ledger\", POSTGRES_PASSWORD: \"ledger\" })\n"; // vsecure:allow (a documented fake)
        const SECRET_OWN_NAME_DERIVED: &str = "kind: Secret\nstringData:\n  POSTGRES_USER: \"ledger\"\n  POSTGRES_PASSWORD: \"ledger123\"\n"; // vsecure:allow (a documented fake)
        const HOCON_ON_LOOPBACK: &str = "shop = {\n  dataSourceClass = \"org.postgresql.ds.PGSimpleDataSource\"\n  properties = {\n    serverName = \"localhost\"\n    user = \"shop\"\n    password = \"shop\"\n  }\n}"; // vsecure:allow (a documented fake)
        const KEYWORDS_ON_LOOPBACK: &str =
            "connect(host='localhost', user='app', password='postgres')"; // vsecure:allow (a documented fake)
        const KEYWORDS_TO_AN_ADDRESS: &str =
            "connect(host='10.1.2.3', user='app', password='postgres')"; // vsecure:allow (a documented fake)
        for (text, local) in [
            ("postgresql://postgres:postgres@localhost:5432/app", true), // vsecure:allow (a documented fake)
            ("postgres://test:test@127.0.0.1/test", true), // vsecure:allow (a documented fake)
            ("postgres://root:1234@localhost:5432/refinery", true), // vsecure:allow (a documented fake)
            ("postgresql://app:secret@postgres:5432/app", true), // vsecure:allow (a documented fake)
            ("postgresql://app:postgres@db.acme.io/app", false), // vsecure:allow (a documented fake)
            ("postgresql://app:Qw3rty-Uiop@localhost/app", false), // vsecure:allow (a documented fake)
            // A default password given to the container the file starts.
            (&format!("{COMPOSE}postgres\n"), true),
            ("docker run -e POSTGRES_PASSWORD=postgres postgres:16", true), // vsecure:allow (a documented fake)
            (&format!("{COMPOSE}{FAKE}\n"), false),
            ("POSTGRES_PASSWORD=postgres", true), // vsecure:allow (a documented fake)
            ("POSTGRES_PASSWORD=postgres123", true), // vsecure:allow (a documented fake)
            ("postgres://app:postgres@local_postgres:5432/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:postgres@orders-db.acme.io:5432/app", false), // vsecure:allow (a documented fake)
            ("host=localhost user=app password=sqlpassword", true), // vsecure:allow (a documented fake)
            ("postgres://app:asdf1234@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:1234qwer@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:asdf1234@pg.acme.io/app", false), // vsecure:allow (a documented fake)
            ("postgres://app:aaa123456@postgres/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:supersecretpassword@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:app@host.lima.internal:5432/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:5432@localhost:5432/app", true), // vsecure:allow (a documented fake)
            ("postgres://postgres:postgres@172.17.0.2:5432/app", true), // vsecure:allow (a documented fake)
            (JDBC_ON_THE_BRIDGE, true),
            (JDBC_URL_ON_THE_BRIDGE, true),
            (TEST_PROPERTIES_ON_LOOPBACK, true),
            ("postgres://postgres:postgres@172.18.0.2:5432/app", false), // vsecure:allow (a documented fake)
            ("postgres://claude:claude@172.18.0.1:5432/atc", true), // vsecure:allow (a documented fake)
            ("postgresql://test:test@db.test:5432/test", true), // vsecure:allow (a documented fake)
            ("postgresql://app:app@pg.invalid/app", true),      // vsecure:allow (a documented fake)
            ("postgresql://app:app@db.testing.io/app", false),  // vsecure:allow (a documented fake)
            ("postgresql://app:Wd5-vKq8z@db.test/app", false),  // vsecure:allow (a documented fake)
            ("postgres://app:app@172.31.0.1/app", true),        // vsecure:allow (a documented fake)
            ("postgres://app:app@172.32.0.1/app", false),       // vsecure:allow (a documented fake)
            ("postgres://app:app@172.19.48.1/app", false),      // vsecure:allow (a documented fake)
            ("postgres://app:Wd5-vKq8z@172.18.0.1:5432/app", false), // vsecure:allow (a documented fake)
            ("postgres://app:Wd5-vKq8z@172.17.0.2:5432/app", false), // vsecure:allow (a documented fake)
            ("Host=localhost;Username=app;Password=54321;", true), // vsecure:allow (a documented fake)
            ("postgres://postgres:sa@localhost/tests", true), // vsecure:allow (a documented fake)
            ("Host=localhost;Username=app;Password=6408;", false), // vsecure:allow (a documented fake)
            ("postgres://app:app@host.docker.internal.acme.io/app", false), // vsecure:allow (a documented fake)
            ("postgres://app:TopSecret@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:supersecretpassword@10.2.0.9/app", false), // vsecure:allow (a documented fake)
            // A call's keyword arguments name the host as a conninfo does.
            (KEYWORDS_ON_LOOPBACK, true),
            (KEYWORDS_TO_AN_ADDRESS, false),
            ("host=pg.acme.io user=app password=sqlpassword", false), // vsecure:allow (a documented fake)
            ("DB_PASSWORD=admin123", false), // vsecure:allow (a documented fake)
            (SERVICE_URI, true),
            (CI_SERVICE, true),
            (CI_URI, true),
            (COMPOSE_SERVICE, false),
            (POOL_ON_LOOPBACK, true),
            ("POSTGRES_HOST=localhost\nPOSTGRES_PASSWORD=postgres", true), // vsecure:allow (a documented fake)
            ("PGHOST=localhost\nPGPASSWORD=postgres", true), // vsecure:allow (a documented fake)
            (
                "spring.datasource.url=jdbc:tc:postgresql:16:///test\nspring.datasource.password=test",
                true,
            ),
            (
                "image: cimg/postgres:16.2\nPOSTGRES_USER: circleci\nPOSTGRES_PASSWORD: circleci",
                true,
            ),
            ("PGHOST=db.acme.io\nPGPASSWORD=postgres", false), // vsecure:allow (a documented fake)
            ("Host=localhost;Username=postgres;Password=postgres", true), // vsecure:allow (a documented fake)
            ("Host=127.0.0.1;User Id=app;Password=app;", true), // vsecure:allow (a documented fake)
            ("(`Host=localhost;Username=app;Password=app`)", true), // vsecure:allow (a documented fake)
            (
                &format!("Host=localhost;Username=app;Password={FAKE}"),
                false,
            ),
            ("Host=pg.acme.io;Username=postgres;Password=postgres", false), // vsecure:allow (a documented fake)
            ("localhost:5432:*:postgres:postgres\n", true), // vsecure:allow (a documented fake)
            (ZABBIX_ON_LOOPBACK, true),
            (RUBY_DEFAULTS, true),
            ("DB_HOST ?= localhost\nDB_PASSWORD ?= devpass\n", true), // vsecure:allow (a documented fake)
            (SQL_CLIENT_ON_LOOPBACK, true),
            (ROLE_IN_INIT_SCRIPT, true),
            (CONNINFO_WITHOUT_HOST, true),
            ("CREATE USER shop PASSWORD 'shop';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'shop123';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'passwd1';", true), // vsecure:allow (a documented fake)
            ("CREATE ROLE \"forge-web\" PASSWORD 'forge';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD '1q2w3e4r';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'zxcvbnm12';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'zxcvbnmA8';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'testdb_pa55word';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'PasswordPSQL';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'abcdefgh1!';", true), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'testdb_pa55wurd';", false), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'zxcvbK7mLp';", false), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'Kq8vTz2mLp';", false), // vsecure:allow (a documented fake)
            ("CREATE USER shop PASSWORD 'shopPass2024';", true), // vsecure:allow (a documented fake)
            (
                "export PW=shop\nsudo -u postgres psql -c \"CREATE USER shop PASSWORD '$PW';\"\n",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "export PW=shop\npsql -h pg.acme.io -c \"CREATE USER shop PASSWORD '$PW';\"\n",
                false,
            ), // vsecure:allow (a documented fake)
            (
                "docker run -e POSTGRES_PASSWORD=coffee -e POSTGRES_DB=coffee postgres",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "docker run -e POSTGRES_PASSWORD=coffee -e POSTGRES_DB=tea postgres",
                false,
            ), // vsecure:allow (a documented fake)
            ("psql -c 'ALTER USER s PASSWORD '\\''Kq8vTz2m'\\'''", false), // vsecure:allow (a documented fake)
            ("-- on pg.acme.io\nCREATE USER shop PASSWORD 'shop';", false), // vsecure:allow (a documented fake)
            (CONNINFO_ON_LOOPBACK, true),
            (CONNINFO_REMOTE, false),
            (
                "static string servidor=\"localhost\";\nstatic string password= \"123456\";\nvar c = new NpgsqlConnection(s);\n",
                true,
            ), // vsecure:allow (a documented fake)
            (ADJACENT_PIECES, true),
            (
                "new Pool({ user: \"app\", host: \"localhost\", password: \"123\" });",
                true,
            ),
            (
                "airflow connections add pg --conn-host 'etl-postgres' --conn-login etl --conn-password 'etl'",
                true,
            ),
            (
                "airflow connections add pg --conn-host 'pg.acme.io' --conn-password 'postgres'",
                false,
            ),
            (DEBEZIUM_ON_SERVICE, true),
            (GITLAB_ON_SERVICE, true),
            (NEXTCLOUD_ON_SERVICE, true),
            (SONAR_ON_SERVICE, true),
            (SONAR_RUN_ON_LOOPBACK, true),
            (N8N_ON_SERVICE, true),
            ("postgresql://shop:shop_dev@localhost:5432/shop", true), // vsecure:allow (a documented fake)
            ("postgresql://shop:shop_dev@shop.acme.io:5432/shop", false), // vsecure:allow (a documented fake)
            ("psql -h localhost -U shop\nDB_PASSWORD=testpass\n", true), // vsecure:allow (a documented fake)
            (REPLICA_IN_CONTAINER, true),
            (HELM_RELEASE, false),
            (
                "docker run -e POSTGRES_PASSWORD=docker -p 5432:5432 postgres",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "primary_conninfo = 'host=primary user=shop password=shop'",
                false,
            ), // vsecure:allow (a documented fake)
            ("postgres://app:app@host.docker.internal:port/app", true), // vsecure:allow (a documented fake)
            ("<p>host=localhost user=docker password=docker</p>", true), // vsecure:allow (a documented fake)
            (
                "printf \"[svc]\\nhost=localhost\\nuser=postgres\\npassword=postgres\\n\"",
                true,
            ), // vsecure:allow (a documented fake)
            ("postgres://app:n8n_password@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:etl_password@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:app_db_user_pswd@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:etl_password@db.acme.io/app", false), // vsecure:allow (a documented fake)
            ("db.acme.io:5432:*:postgres:postgres\n", false), // vsecure:allow (a documented fake)
            (
                "config :app, App.Repo,\n  hostname: \"localhost\",\n  password: \"postgres\"",
                true,
            ), // vsecure:allow (a documented fake)
            ("FROM postgres:16\nENV POSTGRES_PASSWORD docker\n", true), // vsecure:allow (a documented fake)
            (
                "PGUSER=${PGUSER:=vault}\nPGPASSWORD=${PGPASSWORD:=vault}\n",
                true,
            ),
            (VAULT_TEMPLATED_ON_SERVICE, true),
            (CLOJURE_ON_LOOPBACK, true),
            (HIVE_SITE_ON_SERVICE, true),
            (CLICKHOUSE_ENGINE_ON_SERVICE, true),
            (CALL_ON_LOOPBACK, true),
            (PHP_ASSIGNED_LOCAL, true),
            (PHP_ASSIGNED_REMOTE, false),
            (BENCHMARK_ON_CONTAINER, true),
            (BENCHMARK_REMOTE, false),
            (TOMCAT_ON_LOOPBACK, true),
            (JPA_ON_LOOPBACK, true),
            (TEMPLATE_HOST_DEFAULT, true),
            (HOCON_ON_LOOPBACK, true),
            // A password that is its user's name, where the text names no host or a
            // container; one only made from the name is not enough without a host.
            (GRAFANA_ON_SERVICE, true),
            (GRAFANA_REMOTE, false),
            (PUPPET_OWN_NAME, true),
            (PUPPET_OWN_NAME_REMOTE, false),
            (VIPER_OWN_NAME, true),
            (PUPPET_VIRTUAL_RESOURCE, true),
            (SETTERS_ON_LOOPBACK, true),
            (FALLBACK_TO_RDS, false),
            (FALLBACK_ON_LOOPBACK, true),
            (HOWTO_WITH_LINKS, true),
            (ORACLE_FALLBACK, true),
            (SETTERS_REMOTE, false),
            (TESTCONTAINER_OWN_NAME, true),
            (SECRET_OWN_NAME_DERIVED, false),
            ("PGPASSWORD=postgres psql -h app-postgres -U postgres", true), // vsecure:allow (a documented fake)
            // A Compose network's gateway is this machine, as a container dials it.
            (
                "PGPASSWORD=claude psql -h 172.18.0.1 -U claude -d atc",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "PGPASSWORD=claude psql -h 172.24.1.153 -U claude -d atc",
                false,
            ), // vsecure:allow (a documented fake)
            (
                "docker run -e POSTGRES_USER=shop -e POSTGRES_PASSWORD=shop postgres:16",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "docker run -e DB_PASSWORD=shop_db_pw -e DB_HOST=shop_db -e DB_PORT=5432 shop",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "docker run -e DB_PASSWORD=shop_db_pw -e DB_HOST=pg.acme.io -e DB_PORT=5432 shop",
                false,
            ), // vsecure:allow (a documented fake)
            ("PGPASSWORD=postgres psql -h pg.acme.io -U postgres", false), // vsecure:allow (a documented fake)
            // A client given no host connects over this machine's socket.
            (
                "export PGPASSWORD=bigdata; psql -U ambari -c 'SELECT 1'",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "PGHOST=pg.acme.io\nexport PGPASSWORD=bigdata; psql -U ambari",
                false,
            ), // vsecure:allow (a documented fake)
            ("postgres://catalog:catalogkey@localhost:5432/catalog", true), // vsecure:allow (a documented fake)
            ("postgres://orders_user:pass_orders@localhost/orders", true), // vsecure:allow (a documented fake)
            ("postgres://catalog:catalogkey@pg.acme.io/catalog", false), // vsecure:allow (a documented fake)
            // A password that is its database's name, on loopback only.
            ("postgres://o:fieldlog@localhost/field_log_db", true), // vsecure:allow (a documented fake)
            ("postgres://o:fieldlog@pg.acme.io/field_log_db", false), // vsecure:allow (a documented fake)
            ("postgres://o:fieldlog7@localhost/field_log_db", false), // vsecure:allow (a documented fake)
            // With a year after it, as a course's shared set-up names it.
            ("postgres://o:fieldlog2026@localhost/field_log_db", true), // vsecure:allow (a documented fake)
            ("postgres://o:fieldlog2026@pg.acme.io/field_log_db", false), // vsecure:allow (a documented fake)
            ("psql \"host=127.0.0.1 user=admin password=quest\"", true), // vsecure:allow (a documented fake)
            ("$CFG->dbhost = 'db';\n$CFG->dbpass = 'm@0dl3ing';", true), // vsecure:allow (a documented fake)
            (
                "$CFG->dbhost = 'pg.acme.io';\n$CFG->dbpass = 'm@0dl3ing';",
                false,
            ), // vsecure:allow (a documented fake)
            ("postgres://app:abc@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:app_password_123@localhost/app", true), // vsecure:allow (a documented fake)
            ("postgres://app:rootroot@localhost/app", true), // vsecure:allow (a documented fake)
            (
                "spring.r2dbc.url=r2dbc:postgresql://localhost/shop\nspring.r2dbc.username=shelf\nspring.r2dbc.password=shelf\n",
                true,
            ), // vsecure:allow (a documented fake)
            (
                "<Resource url=\"jdbc:postgresql://pg.acme.io/shop\" username=\"shop\" password=\"shop\"/>",
                false,
            ), // vsecure:allow (a documented fake)
            // Forms that name PostgreSQL only by their shape.
            (&format!("export DB_PASS={FAKE}"), false),
            (
                &format!("psql -h db.acme.io -U app \"password={FAKE}\""),
                false,
            ),
        ] {
            let found = detect(text.as_bytes(), Syntax::Config);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text}");
        }
        // Code's connection settings that name no host are for this machine's database.
        const HOSTLESS_ORM: &str =
            "const orm = {\n  type: 'postgres',\n  username: 'app',\n  password: 'postgres',\n};\n"; // vsecure:allow (a documented fake)
        const ORM_WITH_HOST: &str = "const orm = {\n  type: 'postgres',\n  host: 'pg.acme.io',\n  password: 'postgres',\n};\n"; // vsecure:allow (a documented fake)
        const ECTO_WITHOUT_HOST: &str = "config :shop, ShopWeb.Endpoint,\n  url: [port: 443]\nconfig :shop, Shop.Repo,\n  adapter: Ecto.Adapters.Postgres,\n  password: \"postgres\",\n"; // vsecure:allow (a documented fake)
        // A host read from a variable or declared as a parameter names none.
        const HOST_VARIABLE: &str = "fun connect(host: String) {\n  val dbPassword = \"test\"\n  Database.connect(\"jdbc:postgresql://$host/app\", password = dbPassword)\n}\n"; // vsecure:allow (a documented fake)
        const HOST_LITERAL: &str = "val host = \"pg.acme.io\"\nval dbPassword = \"test\"\n"; // vsecure:allow (a documented fake)
        // An email address names no database's host.
        const EMAIL_ONLY: &str =
            "postgres_password: str = \"postgres123\"\nsupport_email: str = \"help@acme.io\"\n"; // vsecure:allow (a documented fake)
        // Nor one a document shows as code (`` `help@acme.io` ``).
        const EMAIL_IN_CODE: &str = "PostgreSQL login:\n\n| Field | Value |\n|---|---|\n| Email | `help@acme.io` |\n| Password | `postgres123` |\n"; // vsecure:allow (a documented fake)
        const URI_HOST: &str = "postgres_password: str = \"postgres123\"\nreplica = \"postgres://app:$PW@pg.acme.io/app\"\n"; // vsecure:allow (a documented fake)
        const HASKELL_ON_LOOPBACK: &str = "connect defaultConnectInfo\n  { connectHost = \"localhost\"\n  , connectUser = \"shop\"\n  , connectPassword = \"shop\"\n  , connectDatabase = \"shop\"\n  }\n"; // vsecure:allow (a documented fake)
        const HASKELL_REMOTE: &str = "connect defaultConnectInfo\n  { connectHost = \"pg.acme.io\"\n  , connectPassword = \"Kq8-Tz2-Wm\"\n  , connectDatabase = \"shop\"\n  }\n"; // vsecure:allow (a documented fake)
        for (text, local) in [
            (HASKELL_ON_LOOPBACK, true),
            (HASKELL_REMOTE, false),
            (HOSTLESS_ORM, true),
            (ORM_WITH_HOST, false),
            (ECTO_WITHOUT_HOST, true),
            (HOST_VARIABLE, true),
            (HOST_LITERAL, false),
            (EMAIL_ONLY, true),
            (URI_HOST, false),
        ] {
            let found = detect(text.as_bytes(), Syntax::Code);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text}");
        }
        let found = detect(EMAIL_IN_CODE.as_bytes(), Syntax::Document);
        assert!(found.len() == 1 && found[0].local_default, "{found:?}");
        // So is a default `PGPASSWORD` that code names no host for (a test's mocked
        // environment).
        const MOCKED_ENVIRONMENT: &str = "mock_env.return_value = {\n    \"PGUSER\": \"shop\",\n    \"PGPASSWORD\": \"test\",\n}\n"; // vsecure:allow (a documented fake)
        let found = detect(MOCKED_ENVIRONMENT.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1, "{MOCKED_ENVIRONMENT}");
        assert!(found[0].local_default, "{MOCKED_ENVIRONMENT}");
        // A how-to's settings that name no host are the reader's set-up's too.
        const HOWTO_WITHOUT_HOST: &str = "## pgpool.conf\n\n    backend_port0 = 5432\n    sr_check_user = 'postgres'\n    sr_check_password = '12345678'\n"; // vsecure:allow (a documented fake)
        let with_host = format!("{HOWTO_WITHOUT_HOST}    backend_hostname0 = 'pg1.acme.io'\n");
        for (text, local) in [(HOWTO_WITHOUT_HOST, true), (with_host.as_str(), false)] {
            let found = detect(text.as_bytes(), Syntax::Document);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text}");
        }
    }

    #[test]
    fn a_guide_to_a_local_set_up_shows_local_passwords() {
        // Only this machine and a web page named: the reader's own set-up.
        const LOCAL_GUIDE: &str = "# Set up\n\nSee https://www.postgresql.org/docs/.\n\n```\nPGPASSWORD=Kq8-Tz2-Wm psql -h localhost -U shop\n```\n"; // vsecure:allow (a documented fake)
        // A server off this machine named too: its password is that server's.
        const REMOTE_TOO: &str = "# Set up\n\n```\nPGPASSWORD=Kq8-Tz2-Wm psql -h localhost -U shop\n```\nProduction: `pg.acme.io`\n"; // vsecure:allow (a documented fake)
        const LAN_ADDRESS: &str =
            "PGPASSWORD=Kq8-Tz2-Wm psql -h localhost -U shop\nreplica: 10.1.2.3\n"; // vsecure:allow (a documented fake)
        // Containers it starts on this machine: their password is the reader's set-up's.
        const COMPOSE_GUIDE: &str =
            "Start it: `docker-compose -f pg.yml up`\n\nUser Postgres password: `Kq8-Tz2-Wm`\n"; // vsecure:allow (a documented fake)
        const COMPOSE_AND_REMOTE: &str = "Start it: `docker-compose -f pg.yml up`\n\nUser Postgres password: `Kq8-Tz2-Wm`\nProduction: `pg.acme.io`\n"; // vsecure:allow (a documented fake)
        // A Cloud SQL instance's socket beside loopback: the instance is Google's.
        const CLOUD_SQL_TOO: &str = "Cloud SQL:\n\n```\npostgres://app:Kq8-Tz2-Wm@/shop?host=/cloudsql/acme:eu:pg\n```\n\nLocal:\n\n```\nDATABASE_URL=postgres://app:Kq8-Tz2-Wm@127.0.0.1:5432/shop\n```\n"; // vsecure:allow (a documented fake)
        // Any address of the loopback block is this machine.
        const LOOPBACK_BLOCK: &str = "```\nPGPASSWORD=Kq8-Tz2-Wm psql -h 127.0.0.7 -U shop\n```\n"; // vsecure:allow (a documented fake)
        // A package's path is no database's host; SQL Server's `host,port` is the host.
        const PACKAGE_PATH: &str = "Use `modernc.org/sqlite` and `github.com/lib/pq`.\n\nDriver={PostgreSQL Unicode};server=localhost,5432;uid=crm;pwd=Kq8-Tz2-Wm\n"; // vsecure:allow (a documented fake)
        const PACKAGE_AND_REMOTE: &str = "Use `modernc.org/sqlite`.\n\nDriver={PostgreSQL Unicode};server=localhost;uid=crm;pwd=Kq8-Tz2-Wm\nProduction: pg.acme.io\n"; // vsecure:allow (a documented fake)
        for (text, syntax, local) in [
            (PACKAGE_PATH, Syntax::Document, true),
            (PACKAGE_AND_REMOTE, Syntax::Document, false),
            (LOOPBACK_BLOCK, Syntax::Document, true),
            (LOCAL_GUIDE, Syntax::Document, true),
            (LOCAL_GUIDE, Syntax::Config, false),
            (REMOTE_TOO, Syntax::Document, false),
            (LAN_ADDRESS, Syntax::Document, false),
            (COMPOSE_GUIDE, Syntax::Document, true),
            (COMPOSE_AND_REMOTE, Syntax::Document, false),
        ] {
            let found = detect(text.as_bytes(), syntax);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].local_default, local, "{text} as {syntax:?}");
        }
        let comma_port = "auto s = \"DRIVER={PostgreSQL Unicode};SERVER=localhost,1433;UID=postgres;PWD=12345;\";\n";
        the_one_finding(comma_port, Syntax::Code, true);
        let found = detect(CLOUD_SQL_TOO.as_bytes(), Syntax::Document);
        assert!(
            found.iter().any(|d| !d.local_default),
            "{CLOUD_SQL_TOO}: {found:?}"
        );
    }

    #[test]
    fn a_generated_password_in_a_local_guide_is_its_author_s() {
        // A guide to a database installed on the reader's machine: a generator's string is
        // the author's own account's; a phrase is the set-up's.
        const GENERATED: &str = "In the postgres.yaml file:\n```\ninit_config:\n\ninstances:\n  - host: localhost\n    port: 5432\n    username: datadog\n    password: Wq7Rt2LmZx9PkD4nVb8e\n    dbname: postgres\n```\n"; // vsecure:allow (a documented fake)
        the_one_finding(GENERATED, Syntax::Document, false);
        let phrase = GENERATED.replace("Wq7Rt2LmZx9PkD4nVb8e", "in-app-we-trust"); // vsecure:allow (a documented fake)
        the_one_finding(&phrase, Syntax::Document, true);
        // A guide that starts its own container sets the container up with it.
        let container = format!("Start it: `docker compose up -d`\n\n{GENERATED}");
        the_one_finding(&container, Syntax::Document, true);
        for (password, generated) in [
            ("Wq7Rt2LmZx9PkD4nVb8e", true),
            ("Kq8-Tz2-Wm", false),
            ("Password1234567890", false),
            ("abcdefghijklmnop12", false),
            ("5tEkZZwRydTUXarJ", true),
            ("MySecretPass1word", false),
            ("CorrectHorseBattery1", false),
        ] {
            assert_eq!(is_generated_password(password), generated, "{password}");
        }
    }

    #[test]
    fn a_url_s_host_names_a_host_whatever_its_top_level_domain() {
        // A weak password a driver call gives a URL's host off this machine is that
        // server's, under `.world` as under `.com`.
        const CALL: &str = "val db = DSL.using(\"jdbc:postgresql://pg.acme.world:5432/youtrack\", \"postgres\", \"Asdfgh1\")\n";
        the_one_finding(CALL, Syntax::Code, false);
        // No host at all, or this machine's: the driver's own.
        let hostless = CALL.replace("pg.acme.world:5432", "localhost:5432");
        the_one_finding(&hostless, Syntax::Code, true);
    }

    #[test]
    fn a_user_mapping_s_password_is_its_foreign_server_s_login() {
        const ORACLE: &str = "CREATE SERVER democp FOREIGN DATA WRAPPER oracle_fdw OPTIONS (dbserver '192.168.1.222:1521/DEMOCP');\nCREATE USER MAPPING FOR postgres SERVER democp OPTIONS (user 'parus', password 'Or4-Kx8-Lm');\n"; // vsecure:allow (a documented fake)
        assert!(detect(ORACLE.as_bytes(), Syntax::Code).is_empty());
        let postgres = ORACLE.replace("oracle_fdw", "postgres_fdw").replace(
            "dbserver '192.168.1.222:1521/DEMOCP'",
            "host 'pg.acme.io', dbname 'shop'",
        );
        the_one_finding(&postgres, Syntax::Code, false);
        // A password spelt by the alphabet and digits in order, to that server: its login.
        let sequence = postgres.replace("Or4-Kx8-Lm", "ijkl9012");
        the_one_finding(&sequence, Syntax::Code, false);
        // With no host it stays the made-up example it reads as.
        let hostless = sequence.replace("host 'pg.acme.io', ", "");
        assert!(detect(hostless.as_bytes(), Syntax::Code).is_empty());
        // The server's own default login on this machine is a local one.
        let local = postgres.replace("pg.acme.io", "localhost").replace(
            "user 'parus', password 'Or4-Kx8-Lm'",
            "user 'postgres', password 'postgres'",
        ); // vsecure:allow (a documented fake)
        the_one_finding(&local, Syntax::Code, true);
    }

    #[test]
    fn a_conninfo_written_a_keyword_to_a_line_is_read_whole() {
        // Go's raw string opened at a line's end, and a YAML block scalar.
        const RAW: &str = "connStr := `\n\thost=10.20.30.40\n\tport=5432\n\tuser=ledger\n\tpassword=Zk8-Lp3-Rv\n\tdbname=ledger\n`\n"; // vsecure:allow (a documented fake)
        the_one_finding(RAW, Syntax::Code, false);
        const BLOCK: &str = "primary_conninfo: |\n  host=primary-db.acme.io\n  port=5432\n  user=replicator\n  password=Zk8-Lp3-Rv\n"; // vsecure:allow (a documented fake)
        the_one_finding(BLOCK, Syntax::Config, false);
        // Its host is read from the lines above: a compose service's default is local.
        let local = RAW
            .replace("10.20.30.40", "postgres")
            .replace("Zk8-Lp3-Rv", "12345"); // vsecure:allow (a documented fake)
        the_one_finding(&local, Syntax::Code, true);
    }

    #[test]
    fn a_login_given_a_go_test_container_is_local() {
        const GO: &str = "func TestMigrations(t *testing.T) {\n\tpgc, err := tcpostgres.Run(ctx, \"postgres:16-alpine\",\n\t\ttcpostgres.WithDatabase(\"ledger\"),\n\t\ttcpostgres.WithUsername(\"ledger\"),\n\t\ttcpostgres.WithPassword(\"Kq8Tz2Wm9\"),\n\t)\n}\n"; // vsecure:allow (a documented fake)
        the_one_finding(GO, Syntax::Code, true);
        let older = GO.replace(
            "tcpostgres.Run(ctx, \"postgres:16-alpine\",",
            "tcpostgres.RunContainer(ctx, testcontainers.WithImage(\"docker.io/postgres:15.2-alpine\"),",
        );
        the_one_finding(&older, Syntax::Code, true);
        let remote = GO.replace(
            "tcpostgres.Run(ctx, \"postgres:16-alpine\",",
            "pgdriver.NewConnector(pgdriver.WithAddr(\"db.acme.io:5432\"),",
        );
        the_one_finding(&remote, Syntax::Code, false);
    }

    #[test]
    fn a_canary_the_test_asserts_never_shows_is_not_a_finding() {
        const JEST: &str = "it('redacts the binding', () => {\n  trace.queryBindings.collection = 'postgres://db.acme.io/app'\n  trace.queryBindings.password = 'Kq8-Tz2-Wm9'\n  const view = inspect(trace)\n  expect(JSON.stringify(view)).not.toContain('Kq8-Tz2-Wm9')\n})\n"; // vsecure:allow (a documented fake)
        assert!(detect(JEST.as_bytes(), Syntax::Code).is_empty());
        for assertion in [
            "  Assert.DoesNotContain(\"Kq8-Tz2-Wm9\", view.Message);\n",
            "  assert.NotContains(t, out, \"Kq8-Tz2-Wm9\")\n",
            "  assert!(!out.contains(\"Kq8-Tz2-Wm9\"));\n",
            "  assert \"Kq8-Tz2-Wm9\" not in out\n",
        ] {
            let text = JEST.replace(
                "  expect(JSON.stringify(view)).not.toContain('Kq8-Tz2-Wm9')\n",
                assertion,
            );
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        // Asserted to show, it is the value the test expects: still a password.
        the_one_finding(
            &JEST.replace(".not.toContain", ".toContain"),
            Syntax::Code,
            false,
        );
    }

    #[test]
    fn a_setting_quoted_in_a_markdown_blockquote_is_read() {
        const QUOTED: &str = "2. The settings:\n\n>spring.datasource.url=jdbc:postgresql://db.shopnet.io:5432/app\n>\n>spring.datasource.username=shop\n>\n>spring.datasource.password=Kq8Tz2Wm9\n"; // vsecure:allow (a documented fake)
        the_one_finding(QUOTED, Syntax::Document, false);
        the_one_finding(&QUOTED.replace(">s", "> s"), Syntax::Document, false);
    }

    #[test]
    fn a_planetscale_password_is_not_postgres_s() {
        // Notes beside code that uses `pg`: PlanetScale's MySQL login, by its format.
        const NOTES: &str = "database: report_data\nusername: jf1agrf113mq0cknbtul\nhost: aws.connect.psdb.cloud\npassword: pscale_pw_Kq8Tz2WmLp4Rx7Vn\n\nThe API reads PostgreSQL through `pg`.\n"; // vsecure:allow (a documented fake)
        assert!(detect(NOTES.as_bytes(), Syntax::Document).is_empty());
        let own = NOTES.replace("pscale_pw_", "");
        assert_eq!(detect(own.as_bytes(), Syntax::Document).len(), 1);
    }

    #[test]
    fn a_password_naming_its_user_and_a_use_is_weak_for_that_user() {
        for (user, password) in [
            ("msf", "msfrpcpass"),
            ("radius", "RadiusPg2026"),
            ("shop_user", "shopdbpassword"),
        ] {
            assert!(is_weak_for(user, password), "{user} {password}");
        }
        for (user, password) in [
            ("msf", "msfrpc"),
            ("msf", "msfKq8pass"),
            ("radius", "radiusreplication2026"),
            ("ab", "abpgpass"),
        ] {
            assert!(!is_weak_for(user, password), "{user} {password}");
        }
        let local =
            "pg_connect(\"host=127.0.0.1 dbname=radius user=radius password=RadiusPg2026\");\n"; // vsecure:allow (a documented fake)
        the_one_finding(local, Syntax::Code, true);
        the_one_finding(
            &local.replace("127.0.0.1", "pg.acme.io"),
            Syntax::Code,
            false,
        );
    }

    #[test]
    fn a_semicolon_string_in_another_engine_s_words_is_that_engine_s() {
        for text in [
            "string cs = \"Data Source=db.acme.io;Initial Catalog=shop;User ID=shop;Password=Kq8-Tz2-Wm\";\n",
            "var conn = new SqlConnection(\"Server=db.acme.io;Database=shop;User Id=shop;Password=Kq8-Tz2-Wm\");\n",
            "cs = \"Provider=MSDAORA;Data Source=xe;Password=Kq8-Tz2-Wm;User ID=shop\"\n",
            // At another engine's port, joined over lines too.
            "cs = \"Server=db.acme.io;Port=1433;Database=shop;User Id=shop;Password=Kq8-Tz2-Wm\"\n",
            "string cs = \"Host=203.0.114.61; \" +\n    \"Port=3306;\" +\n    \"User Id=dev; \" +\n    \"Password=Kq8-Tz2-Wm;\";\n",
            // In SQL Server's own words.
            "\"DefaultConnection\": \"Server=203.0.114.9,1450;Database=gw;User Id=gw;Password=Kq8-Tz2-Wm\"\n",
            "\"DefaultConnection\": \"Server=db.acme.io;Database=gw;User Id=sa;Password=Kq8-Tz2-Wm\"\n",
            "cs = \"Server=db.acme.io;Database=gw;User Id=gw;Password=Kq8-Tz2-Wm;MultipleActiveResultSets=True\"\n",
        ] {
            assert!(detect(text.as_bytes(), Syntax::Code).is_empty(), "{text}");
        }
        // PostgreSQL's own OLE DB provider takes the same words.
        let pgnp = "cs = \"Provider=PGNP.1;Data Source=db.acme.io;Initial Catalog=shop;User ID=shop;Password=Kq8-Tz2-Wm\"\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(pgnp.as_bytes(), Syntax::Code).len(), 1);
        let npgsql = "var conn = new NpgsqlConnection(\"Server=db.acme.io;Database=shop;User Id=shop;Password=Kq8-Tz2-Wm\");\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(npgsql.as_bytes(), Syntax::Code).len(), 1);
        let at_postgres_port = "string cs = \"Host=203.0.114.61; \" +\n    \"Port=5432;\" +\n    \"User Id=dev; \" +\n    \"Password=Kq8-Tz2-Wm;\";\n"; // vsecure:allow (a documented fake)
        assert_eq!(detect(at_postgres_port.as_bytes(), Syntax::Code).len(), 1);
    }

    #[test]
    fn a_connection_string_joined_by_operators_opening_its_lines_is_read_whole() {
        let mondrian = "String cs = \"Provider=mondrian;\"\n   + \"Jdbc=jdbc:postgresql://203.0.114.61:5432/sales;\"\n   + \"JdbcUser=root;\"\n   + \"JdbcPassword=Kq8-Tz2-Wm;\"\n   ;\n"; // vsecure:allow (a documented fake)
        the_one_finding(mondrian, Syntax::Code, false);
        let other = mondrian.replace("postgresql", "mysql");
        assert!(detect(other.as_bytes(), Syntax::Code).is_empty());
    }

    #[test]
    fn a_spaced_npgsql_password_takes_its_strings_server() {
        const TWO_SERVERS: &str = "c = @\"Server = localhost; Port = 5432; User Id = postgres; Password = postgres;\";\n//c = @\"Server = 192.168.11.30; Port = 5432; User Id = postgres; Password = postgres;\";\n"; // vsecure:allow (a documented fake)
        let found = detect(TWO_SERVERS.as_bytes(), Syntax::Code);
        let local: Vec<bool> = found.iter().map(|d| d.local_default).collect();
        assert_eq!(local, [true, false], "{found:?}");
    }

    #[test]
    fn a_password_set_beside_the_readers_host_is_an_example() {
        const CALL: &str = "conn = psycopg2.connect(\n    user='postgres',\n    password='4Kq8vTz2',\n    host='HOST',\n)\n"; // vsecure:allow (a documented fake)
        // A URI's host a line above the setting, as a guide's properties give it.
        const PROPERTIES: &str = "druid.metadata.storage.connector.connectURI=jdbc:postgresql://HOST/druid\ndruid.metadata.storage.connector.user=druid\ndruid.metadata.storage.connector.password=diurd7Kq\n"; // vsecure:allow (a documented fake)
        for (template, syntax, host, example) in [
            (CALL, Syntax::Code, "db.YOUR_PROJECT_ID.supabase.co", true),
            (CALL, Syntax::Code, "your-project.supabase.co", true),
            (CALL, Syntax::Code, "<db-host>", true),
            (CALL, Syntax::Code, "db.qkzvtrmxplnd.supabase.co", false),
            (CALL, Syntax::Code, "pg.yourls.org", false),
            (PROPERTIES, Syntax::Config, "<host>", true),
            (PROPERTIES, Syntax::Config, "pg.acme.io", false),
            (PROPERTIES, Syntax::Config, "[2001:db8::5]", false),
        ] {
            let text = template.replace("HOST", host);
            assert_eq!(
                detect(text.as_bytes(), syntax).is_empty(),
                example,
                "{text}"
            );
        }
    }

    #[test]
    fn placeholders_are_not_flagged() {
        const REPLACE_WITH_YOURS: &str =
            "PGHOST=db.acme.io\nDB_PASSWORD=k7Vq2mZp9 # Replace with your actual password\n"; // vsecure:allow (a documented fake)
        const REPLACE_ABOVE: &str = "PGHOST=db.acme.io\n  # Replace with your actual PostgreSQL password\nDB_PASSWORD=k7Vq2mZp9\n"; // vsecure:allow (a documented fake)
        // A comment heading a block of five settings, the password the last of them.
        const HEADED_BLOCK: &str = "// Database connection parameters - replace with your actual values\n$host = 'localhost';\n$port = '5432';\n$dbname = 'bar';\n$user = 'app';\n$password = 'k7Vq2mZp9';\n$c = pg_connect(\"host=$host port=$port dbname=$dbname user=$user password=$password\");\n"; // vsecure:allow (a documented fake)
        const ILLUSTRATED: &str = "If it is `Summer2024x`: postgresql://app:Summer2024x@db.acme.io/app\nIf it is `Blue77Door`: postgresql://app:Blue77Door@db.acme.io/app\n"; // vsecure:allow (a documented fake)
        for text in [
            "DATABASE_URL=your_database_url",
            "postgresql://user:<password>@host/db",
            "postgresql://neondb_owner:${NEON_PASSWORD}@ep-x-123456.us-east-2.aws.neon.tech/neondb",
            "postgresql://neondb_owner:****@ep-x-123456.us-east-2.aws.neon.tech/neondb",
            "postgresql://user:password@localhost/db",
            "postgres://app:$PGPASS@db/app",
            "export PGPASSWORD=\"$DB_PASSWORD\"", // vsecure:allow (a documented fake)
            "PGPASSWORD=<your-password>",
            "host=localhost user=app password=changeme",
            "host=db.acme.io user=app password= dbname=app",
            "The Neon password looks like npg_XXXXXXXXXXXX",
            "POSTGRES_PASSWORD=\nPOSTGRES_USER=app",
            "PGPASSWORD=\nPGHOST=db.acme.io", // vsecure:allow (an empty one, as source text)
            "postgresql://neondb_owner@ep-x-123456.us-east-2.aws.neon.tech/neondb",
            "password = hunter2 in a config that is not a connection string",
            "postgresql://app@db.acme.io/app?password=${DB_PASSWORD}",
            "postgresql://app:your_password_here@db.acme.io/app",
            "see postgresql://host:5432/db for the format",
            "export PROD_URL=\"postgresql://root:@xxpasswordxx@zzzzz:5432/app\"",
            "postgres://u2ghi345:k345rst678@ec2-52-1-2-3.compute-1.amazonaws.com:5432/d1",
            ILLUSTRATED,
            REPLACE_WITH_YOURS,
            REPLACE_ABOVE,
            // A comment heading the user and the password ("set them your own way").
            "// 数据库的用户名与密码，需要根据自己的设置\nUSER = \"dbuser\"\nPGPASSWORD = \"k7Vq2mZp9\"\n", // vsecure:allow (a documented fake)
            // "The user and password here must match your MySQL's, the one place to change".
            "// 这里的用户名和密码是要和你的 mysql 对应的，也是唯一需要更改的地方\ndb.setUsername(\"dbuser\");\ndb.setPassword(\"k7Vq2mZp9\");\n// jdbc:postgresql://85.1.2.3:26000/app\n", // vsecure:allow (a documented fake)
            // "Change the ID and PW to fit your own set-up", in Korean.
            "# ID와 PW를 자신의 환경에 맞게 수정\n%sql postgresql://guest:k7Vq2mZp9@db.acme.io:5439/prod\n", // vsecure:allow (a documented fake)
            // "Replace these values with your database's connection data", in Russian.
            "// Замените эти значения на данные для подключения к вашей базе данных\nString url = \"jdbc:postgresql://85.1.2.3:5432/app\";\nString user = \"app\";\nString password = \"k7Vq2mZp9\";\n", // vsecure:allow (a documented fake)
            // "The user's password (replace it with the real one)", after the value, in Spanish.
            "const pool = new Pool({\n  host: 'db.acme.io',\n  password: 'k7Vq2mZp9',      // Contraseña del usuario (reemplázala con la real)\n});\n", // vsecure:allow (a documented fake)
            // "Change this to your real password", after a value holding a `#`, in Spanish.
            "val url = \"jdbc:postgresql://35.174.10.81:5432/shop\"\nval password = \"k7Vq#2mZp9\"  // ← Cambia esto por tu contraseña real\n", // vsecure:allow (a documented fake)
            // "Specify your own" after each setting, the familiar imperative.
            "String URL = \"jdbc:postgresql://85.1.2.3:5432/app\";\nString USER = \"app\"; // укажи свой\nString PASSWORD = \"k7Vq2mZp9\"; // укажи свой\n", // vsecure:allow (a documented fake)
            // A scanner's planted case, named by the rule it is to trip.
            "POSTGRES_DSN = \"postgresql://admin:Kv2-Lq8-Wz4@pg.prod.internal:5432/prod\"  # hardcoded-secret\n", // vsecure:allow (a documented fake)
            // A heading comment that calls the string a dummy, yours to come from elsewhere.
            "// Dummy Connection string Her you should have your logic to get connection string and return it\nreturn \"Server=db.acme.io;Port=5432;User Id=app;Password=k7Vq2mZp9\";\n", // vsecure:allow (a documented fake)
            // A heading comment that says to use your own parameters.
            "// replace with parameters for your database\nString url = \"jdbc:postgresql://85.1.2.3:5432/app\";\nString password = \"k7Vq2mZp9\";\n", // vsecure:allow (a documented fake)
            // A heading comment that says to change it where yours differs.
            "# CHANGE PASSWORD IF YOUR POSTGRES PASSWORD IS DIFFERENT\nURI = 'postgresql://postgres:k7Vq2mZp9@localhost/taskdb'\n", // vsecure:allow (a documented fake)
            // The SQL's quote written the shell's way around a leet `password`.
            "sudo -u postgres bash -c 'psql -c \"ALTER USER postgres PASSWORD '\\''P@ssw0rd'\\'';\"'", // vsecure:allow (a documented fake)
            "conn = psycopg2.connect(\n    user='postgres',\n    password='4Kq8vTz2',\n    host='db.YOUR_PROJECT_ID.supabase.co',\n)\n", // vsecure:allow (a documented fake)
            HEADED_BLOCK,
        ] {
            assert!(kinds(text).is_empty(), "flagged a placeholder: {text}");
        }
        // Without the comment above, the same setting is a credential.
        let unmarked =
            REPLACE_ABOVE.replace("Replace with your actual PostgreSQL password", "the shop");
        assert!(!kinds(&unmarked).is_empty(), "{unmarked}");
        // A blank line ends the block the comment heads.
        let apart = HEADED_BLOCK.replace("values\n", "values\n\n");
        assert!(!kinds(&apart).is_empty(), "{apart}");
    }

    #[test]
    fn commented_out_arguments_inside_a_live_call_are_a_login_of_their_own() {
        // vsecure:allow (documented fakes: a public server's login commented out above a
        // local one, the call's live arguments)
        const CALL: &str = "Connection c = DriverManager\n        .getConnection(\n//                \"jdbc:postgresql://46.20.31.7:5432/school\",\n//                \"school\",\n//                \"Tq7vRm2kZw\"\n                \"jdbc:postgresql://localhost:5432/school\",\n                \"postgres\",\n                \"123\"\n        );\n";
        let found = detect(CALL.as_bytes(), Syntax::Code);
        let remote: Vec<_> = found.iter().filter(|d| !d.local_default).collect();
        assert_eq!(remote.len(), 1, "{found:?}");
        assert!(remote[0].holds("Tq7vRm2kZw"));
        // With nothing commented out the call is the local one alone.
        let live = CALL
            .lines()
            .filter(|line| !line.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let found = detect(live.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        // Commented-out arguments after the live ones are not read into the live call.
        let swapped = "c = DriverManager.getConnection(\n    \"jdbc:postgresql://46.20.31.7:5432/school\",\n//  \"jdbc:postgresql://localhost:5432/school\",\n    \"school\",\n    \"Tq7vRm2kZw\");\n";
        let found = detect(swapped.as_bytes(), Syntax::Code);
        assert!(
            found
                .iter()
                .any(|d| !d.local_default && d.holds("Tq7vRm2kZw")),
            "{found:?}"
        );
    }

    #[test]
    fn a_quote_inside_a_connection_string_s_value_is_the_value_s() {
        let text = |password: &str| {
            format!(
                "out = libpq_dsn(\"Host=localhost;Port=5432;Database=app;Username=postgres;Password={password}\")\n"
            )
        };
        // A stand-in with a quote put in to test its escaping is still the stand-in.
        for stand_in in ["s3cr'et", "se'cret"] {
            assert!(
                detect(text(stand_in).as_bytes(), Syntax::Code).is_empty(),
                "{stand_in}"
            );
        }
        let real = text("Kq8v'Tz2w"); // vsecure:allow (a documented fake)
        let found = detect(real.as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1);
        assert!(found[0].holds("Kq8v'Tz2w"));
        assert_eq!(with_a_quote_inside(b"Password=ab'cd;", 9..11), b"ab'cd");
        // A quote that ends the string is not read into the value.
        assert_eq!(with_a_quote_inside(b"Password=abcd' + x", 9..13), b"abcd");
    }

    #[test]
    fn a_module_named_initdb_starts_no_server() {
        const BIND: &str = "from initdb import Employee\n\ndb = Database()\ndb.bind(provider='postgres', user='postgres', password='pgsql', host='192.168.30.94', database='emp')\n";
        let found = detect(BIND.as_bytes(), Syntax::Code);
        assert!(found.len() == 1 && !found[0].local_default, "{found:?}");
        let provisioned = format!("subprocess.run(\"initdb -D /srv/pg\", shell=True)\n{BIND}");
        let found = detect(provisioned.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
    }

    #[test]
    fn a_host_read_from_the_environment_falling_back_to_loopback_is_loopback() {
        let url = |fallback: &str| {
            format!(
                "db_url = URL.create(\n    drivername=\"postgresql+psycopg2\",\n    username=\"postgres\",\n    password=\"postgres\",\n    host=os.getenv(\"POSTGRES_HOST\"{fallback}),\n)\n"
            )
        };
        for local in [", \"localhost\"", ""] {
            let found = detect(url(local).as_bytes(), Syntax::Code);
            assert!(found.iter().all(|d| d.local_default), "{local}: {found:?}");
        }
        let remote = detect(url(", \"db.acme-shop.net\"").as_bytes(), Syntax::Code);
        assert!(remote.iter().any(|d| !d.local_default), "{remote:?}");
    }

    #[test]
    fn vagrant_s_host_only_network_is_this_machine_s() {
        assert!(is_local_host("33.33.33.200") && is_local_host("33.33.33.10:5432"));
        assert!(!is_local_host("33.33.34.1") && !is_local_host("133.33.33.1"));
        let url = r#"dataSource.setUrl("jdbc:postgresql://33.33.33.200:5432/sample?user=ng7&password=ng7");"#;
        let found = detect(url.as_bytes(), Syntax::Code);
        assert!(found.iter().all(|d| d.local_default), "{found:?}");
        let remote = url.replace("33.33.33.200", "51.15.20.7");
        assert!(
            detect(remote.as_bytes(), Syntax::Code)
                .iter()
                .any(|d| !d.local_default)
        );
    }
}
