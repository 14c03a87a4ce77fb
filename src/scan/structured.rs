//! Credentials written as settings rather than as connection strings: a password key
//! set to a literal next to PostgreSQL settings (Spring's `spring.datasource.password`,
//! Django's `'PASSWORD'`, Rails' and Helm's `password:`, Terraform's `password =`, INI's
//! `passwd`, a JSON config dump, a driver call's `password=` argument), JDBC's
//! `getConnection(url, user, "...")`, a Kubernetes `env:` name/value pair, and a
//! Kubernetes Secret's base64 `data:`, decoded.
//!
//! Precision comes from structure: the value must sit where a password goes in that
//! form and be a literal (a reference such as `ENV["X"]`, `!secret x`, `var.x` or
//! `{{ .Values.x }}` is not), and a generic password key counts only when the lines
//! around it configure PostgreSQL.

use std::ops::Range;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::bytes::Regex;

use super::detect::{Detection, Kind, detection, is_password_word_to_an_address, lossy, unquote};
use super::lines::Lines;
use super::placeholder::is_placeholder;

/// Whether the text is program code (where a bare word after `password =` is a
/// variable), configuration (where it is the value), or a document (read as
/// configuration, and whose passwords are a local set-up's when it names only this
/// machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Python, JavaScript, Ruby, Java, Go, Rust, C#, F#, PHP, R, Julia, Lua, Erlang,
    /// Gleam, Haskell, OCaml, Elm, Crystal, Nim, Clojure, Dart, Perl, R Markdown, Quarto
    /// and Jupyter notebooks (code between a little prose), ...
    Code,
    /// YAML, INI, properties, .env, TOML, HCL, JSON, and anything else that is not code
    /// or a document.
    Config,
    /// Markdown, reStructuredText, AsciiDoc, Org and plain text: prose that shows
    /// commands and settings, read as configuration is.
    Document,
}

impl Syntax {
    /// The syntax a file's extension says; a name in capitals without one (`README`,
    /// `INSTALL`, `NOTES`) is a document by convention.
    pub fn of_path(path: &std::path::Path) -> Syntax {
        const CODE: &[&str] = &[
            "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "rb", "java", "kt", "kts", "scala", "go",
            "rs", "cs", "php", "swift", "c", "h", "cpp", "groovy", "ex", "exs", "r", "jl", "lua",
            "erl", "hrl", "hs", "cr", "nim", "clj", "cljs", "cljc", "dart", "pl", "pm", "fs",
            "fsx", "ml", "mli", "gleam", "elm", "cc", "cxx", "hpp", "zig", "vb", "rmd", "qmd",
            "ipynb", "pas", "dpr", "lpr", "bal", "adb", "ads", "raku", "rakumod", "m", "mm",
            "coffee", "vue", "svelte", "hx", "cob", "cbl", "vbs",
        ];
        const DOCUMENT: &[&str] = &[
            "md", "markdown", "rst", "txt", "adoc", "asciidoc", "org", "pod",
        ];
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some(ext) if CODE.contains(&ext) => Syntax::Code,
            Some(ext) if DOCUMENT.contains(&ext) => Syntax::Document,
            None if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|name| {
                    name.len() > 2 && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                }) =>
            {
                Syntax::Document
            }
            _ => Syntax::Config,
        }
    }
}

/// How many lines before and after a password key are read for PostgreSQL settings.
const CONTEXT_BEFORE: usize = 12;
const CONTEXT_AFTER: usize = 6;

struct Patterns {
    scalar_setting: Regex,
    command_option: Regex,
    jdbc_tool_password: Regex,
    config_set: Regex,
    struct_tag_example: Regex,
    quoted_key: Regex,
    role_statement: Regex,
    options_list: Regex,
    options_password: Regex,
    bare_key: Regex,
    property_argument: Regex,
    escaped_line_key: Regex,
    string_line_key: Regex,
    string_line_piece: Regex,
    spaced_key: Regex,
    localized_key: Regex,
    flow_key: Regex,
    xml_value: Regex,
    xml_value_attribute: Regex,
    xml_name_value: Regex,
    postgres_url_name: Regex,
    dialled_address: Regex,
    driver_call: Regex,
    password_before_url: Regex,
    luasql_connect: Regex,
    lisp_call: Regex,
    trailing_argument: Regex,
    step_login: Regex,
    scrubbed_setting: Regex,
    encrypted_plaintext: Regex,
    setdb_login: Regex,
    encrypted_login: Regex,
    encryptor_declaration: Regex,
    login_pair: Regex,
    login_under_url: Regex,
    local_use_label: Regex,
    local_use_note: Regex,
    qualified_password: Regex,
    quoted_password_argument: Regex,
    quoted_url_argument: Regex,
    commented_literal: Regex,
    spaced_pair: Regex,
    password_comment: Regex,
    other_login_comment: Regex,
    postgres_url_assignment: Regex,
    password_constant: Regex,
    loopback_url: Regex,
    dsn_host: Regex,
    quoted_argument: Regex,
    replaced_literal: Regex,
    echoed_password: Regex,
    devart_encrypted_password: Regex,
    value_annotation: Regex,
    option_default: Regex,
    labelled_value: Regex,
    element_label: Regex,
    variable_table_row: Regex,
    supposition: Regex,
    email_login: Regex,
    env_pair: Regex,
    named_value: Regex,
    hcl_set: Regex,
    keyword_key: Regex,
    nested_password: Regex,
    secret_kind: Regex,
    sealed_secret_kind: Regex,
    secret_data: Regex,
    secret_named_for_database: Regex,
    postgres: Regex,
    helm_postgres_install: Regex,
    database: Regex,
    other_engine: Regex,
    other_engine_url: Regex,
    masked_literal: Regex,
    official_image: Regex,
    markdown_heading: Regex,
    pgadmin: Regex,
    connects_through: Regex,
    dotted_reference: Regex,
    resource_reference: Regex,
    database_name: Regex,
}

/// The word for password in the languages projects document their set-up in, as a
/// regex alternation: a guide's label for the password, whether in a key (`senha:`) or
/// a table's label cell (`| 密码 |`).
pub(super) fn localized_password_words() -> String {
    let latin = [
        "senha",
        "contraseña",
        "passwort",
        "hasło",
        "wachtwoord",
        "lösenord",
        "şifre",
        "heslo",
        "jelszó",
    ];
    super::placeholder::NON_LATIN_PASSWORD_WORDS
        .iter()
        .chain(&latin)
        .copied()
        .collect::<Vec<_>>()
        .join("|")
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        // `password: "..."`, `'PASSWORD': '...'`, `password="..."`, `:password => '...'`.
        // A command's password option with its value: `--admin-password '...'`,
        // `--master-user-password ...`, `--password=...`, kubectl's
        // `--from-literal=password=...`, Helm's `--set postgresql.auth.password=...`. A
        // bare `--password` takes its value only after `=`: psql's and pg_dump's
        // `--password` is a flag (prompt), the word after it their database. An unquoted
        // value is a shell word: it ends where the shell's metacharacters end one (`)`
        // closing an array, `;`, `|`, `&`), or a backtick closing a document's inline
        // code.
        // A key set to a value on its line: `driver = "org.postgresql.Driver"`, `type:
        // postgres`.
        scalar_setting: Regex::new(r#"^[ \t]*["']?[A-Za-z_][A-Za-z0-9_.-]*["']?[ \t]*[=:][ \t]*[^\s{\[]"#)
            .expect("valid regex"),
        command_option: Regex::new(
            r#"(?i)(?:^|[\s"'])(--(?:[a-z0-9]+-)+(?:password|passwd)[ \t=]|--(?:password|passwd)=|--from-literal[= ][A-Za-z0-9_.-]*(?:password|passwd|pass|pwd)=|--set(?:-string)?[= ][A-Za-z0-9_.\[\]-]*(?i:password|passwd|pwd)=)[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s'"\\`();|&<>-][^\s'"\\`();|&<>]*)"#,
        )
        .expect("valid regex"),
        // A JDBC tool's password option, the value after a space or `=` and one dash or
        // two (Sqoop's `--password s3cret`, Flyway's `-password=s3cret`): read only in a
        // command that names a PostgreSQL JDBC URL, since psql's `--password` is a flag;
        // osm2pgrouting's takes its value too, after `--password` or `-W`.
        jdbc_tool_password: Regex::new(
            r#"(?:^|[\s"'])((?i:--?(?:password|passwd))(?:[ \t]+|=)|-W[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s'"\\-][^\s'"\\]*)"#,
        )
        .expect("valid regex"),
        // A Go struct's password field and the example its Swagger tag gives (``
        // Password string `json:"password" example:"..."` ``): an API's documentation
        // filled in from a real response as often as made up.
        struct_tag_example: Regex::new(
            r#"(?m)^[ \t]*([A-Za-z_]*(?i:password|passwd|pwd)[A-Za-z_]*)[ \t]+\*?string[ \t]+`[^`\n]*?(?-u:\b)example:"([^"\n]*)""#,
        )
        .expect("valid regex"),
        // A configuration tool's `config set [--secret] NAME VALUE` (Pulumi, Dokku).
        config_set: Regex::new(
            r#"(?i)(?-u:\b)config:?\s*set\s+(?:--(?:secret|plaintext)\s+)*(?:[A-Za-z0-9_-]+:)?([A-Za-z0-9_.]*(?:password|passwd|pass|pwd))\s+("[^"\n]*"|'[^'\n]*'|[^\s'"=-][^\s'"]*)"#,
        )
        .expect("valid regex"),
        // A password key and its quoted value, the pair written any way a language
        // writes one (`=`, `:`, `=>`, `:=`, Scala's and Groovy's `"password" -> "..."`),
        // the value first in a form builder's array (Angular's `password: ['...',
        // Validators.required]`, the control's starting value), or given as an option
        // (Scala's and Rust's `password = Some("...")`, Skunk's `Session.pooled`); in
        // code, Go's raw string and JavaScript's template literal quote it too
        // (upper/db's `Password: \`...\``), a word with no space in it (a comment's
        // backticks, `JdbcPassword=\` beside \``, mark its words as code).
        quoted_key: Regex::new(concat!(
            r#"(?i)(?:^|[^A-Za-z0-9_])(["':]?[A-Za-z0-9_.-]*?(?:password|passwd|pwd|pass|pw|passowrd|pasword|passwrod|senha|clave|contrase(?:ñ|n)a|passwort|wachtwoord|has(?:ł|l)o|(?:ş|s)ifre|пароль|mot_?de_?passe)(?:["']?\]?\s*(?:=>|:=|:|=)|[ \t]*"#,
            type_annotation!(),
            r#"=|["']\s*->)\s*(?:\[[ \t]*|(?-i:Some)\([ \t]*)?)("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\\\s]*`)"#,
        ))
        .expect("valid regex"),
        // Spark SQL's and Hive's `USING org.apache.spark.sql.jdbc OPTIONS (url '...', user
        // '...', password '...')`: an SQL options list of keys and quoted values apart by
        // spaces, and the password in it.
        options_list: Regex::new(r"(?i)(?-u:\b)options\s*\(([^()]*)\)").expect("valid regex"),
        options_password: Regex::new(r"(?i)(?:^|[\s,])(password\s+)'([^'\n]*)'").expect("valid regex"),
        // An SQL statement that sets a role's password, up to the keyword: its value
        // after ` :` is psql's variable (`ALTER ROLE app PASSWORD :'pw'`), not a key's.
        role_statement: Regex::new(r"(?i)(?-u:\b)(?:create|alter)\s+(?:role|user)\s[^;\n]*$")
            .expect("valid regex"),
        // A key alone on its line with a bare value to the end of it (YAML, INI,
        // properties, .env, a Markdown list's item, in a code span too, a Dockerfile's
        // `ENV POSTGRES_PWD=s3cret`): `password: s3cret`,
        // `spring.datasource.password=s3cret`, Pulumi's namespaced `app:dbPassword: s3cret`;
        // commented out too (`#spring.datasource.password=s3cret`, `; password = s3cret`):
        // a setting put aside is still the password it was; quoted in a Markdown
        // blockquote (`>spring.datasource.password=s3cret`); a Markdown label in bold
        // (`**Password:** s3cret`, `**Password**: s3cret`); the word shortened after a
        // qualifier (`db.pw=s3cret`); the key quoted, its value not (a Compose file's
        // `"sonar.jdbc.password": s3cret`).
        bare_key: Regex::new(
            r#"(?im)^[ \t]*(?:(?:#+|//|;|--|!|>)[ \t]*)?(?:[-*+][ \t]+|(?-i:ENV)[ \t]+)?(?:\*\*|__)?`?(["']?(?:[A-Za-z0-9_-]+:)?[A-Za-z0-9_.-]*?(?:password|passwd|pwd|pass|[_.-]pw|senha|clave|contrase(?:ñ|n)a|passwort|wachtwoord|has(?:ł|l)o|(?:ş|s)ifre|пароль|mot_?de_?passe)["']?(?:\*\*|__)?[ \t]*[:=](?:\*\*|__)?[ \t]*)([^\s'"`;,{}()\[\]#*][^\s;,`]*)`?[ \t]*(?:#.*)?\r?$"#,
        )
        .expect("valid regex"),
        // A dotted property set where a program takes it as an argument: a JVM system
        // property or a Spring Boot option on a command line (`-Dspring.datasource.
        // password=...`, `--spring.datasource.password=...`, a JVM property undotted too:
        // `-Dpasswd=...`), or a string of a list of
        // properties in code (`@TestPropertySource(properties = {"spring.datasource.
        // password=..."})`, `withPropertyValues(...)`), or a container's environment
        // named so (`docker run -e greenplum.passwd=...`).
        property_argument: Regex::new(
            r#"(?:(?:["']|(?:^|[\s,=\[])(?:--?D?|(?:-e|--env)[ \t=]+))((?:[A-Za-z0-9_-]+\.)+[A-Za-z0-9_-]*?(?i:password|passwd|pwd)[ \t]*=)|(?:^|[\s,=\[])-D([A-Za-z0-9_-]*?(?i:password|passwd|pwd)=))([^\s"'`,;\\]+)"#,
        )
        .expect("valid regex"),
        // The same key on a line of a file a script writes with `printf` or `echo -e`,
        // its lines apart by `\n` escapes: `printf "[options]\ndb_password = ...\n"`.
        escaped_line_key: Regex::new(
            r#"\\n[ \t]*((?i:[A-Za-z0-9_.-]*?(?:password|passwd|pwd|pass))[ \t]*[:=][ \t]*)([^\s'"`\\;,{}()\[\]#][^\s'"`\\;,]*)[ \t]*(?:\\n|["'])"#,
        )
        .expect("valid regex"),
        // The same key as one line of a file code writes a string piece at a time
        // (`"    password: s3cret\n" +`, a YAML template built in Java; Logstash's
        // `"  jdbc_password => \"s3cret\"\n" +`, its quotes escaped): the piece opens
        // with the key and ends with the line's `\n`.
        string_line_key: Regex::new(
            r#""[ \t]*((?i:[A-Za-z0-9_.-]*?(?:password|passwd|pwd))[ \t]*(?:=>|[:=])[ \t]*)(?:\\")?([^\s'"`\\;,{}()\[\]#$%][^\s'"`\\;,]*)(?:\\")?[ \t]*\\n""#,
        )
        .expect("valid regex"),
        // Any key's line as a string piece (`"    url: jdbc:...\n"`).
        string_line_piece: Regex::new(r#""[ \t]*[A-Za-z0-9_.-]+[ \t]*(?:=>|[:=])(?:[^"\\\n]|\\.)*\\n""#)
            .expect("valid regex"),
        // A key and its value apart by spaces alone, the whole line (Fluent Bit's and
        // other `Key value` configuration): `    Password  s3cret`; quoted, as a Tcl
        // array of Pgtcl's connection keywords holds it (`password "s3cret"`).
        spaced_key: Regex::new(
            r#"(?m)^[ \t]*((?i:password|passwd)[ \t]+)(?:"([^"\n]+)"|([^\s'"=:#]\S*))[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // The word for password in the languages projects document their set-up in, a
        // key alone on its line with a bare value (`密码: ...`, `пароль: ...`, a
        // full-width colon too), as a guide lists a database's address, user and password.
        localized_key: Regex::new(&format!(
            r#"(?im)^[ \t]*(?:[-*+][ \t]+)?((?:{})[ \t]*(?:[:=]|：)[ \t]*)([^\s'"`;,{{}}()\[\]#<][^\s;,]*)[ \t]*\r?$"#,
            localized_password_words()
        ))
        .expect("valid regex"),
        // A key in a YAML flow mapping with a bare value: `{ user: app, password: s3cret }`
        // (not a shell default, `${X:-...}`).
        flow_key: Regex::new(
            r#"(?i)(?:(?:^|[^$])\{|,)[ \t]*([A-Za-z0-9_.-]*?(?:password|passwd|pwd)[ \t]*:[ \t]*)([^\s'"`,{}\[\]#()][^,{}()'"\n]*?)[ \t]*[,}]"#,
        )
        .expect("valid regex"),
        // An XML setting: `<property name="hibernate.connection.password">...</property>`,
        // `<entry key="db.password">...</entry>`, `<password>...</password>` (or shorter,
        // Helical Insight's `<Pass>...</Pass>`), an element
        // in a namespace (`<cfg:password>...`), its value in a `plain` or `value` child
        // (`<cfg:password><cfg:plain>...</cfg:plain>`).
        xml_value: Regex::new(
            r#"(?i)(<[A-Za-z][A-Za-z0-9_.:-]*[^>\n]*?[ \t](?:name|key)[ \t]*=[ \t]*["']([A-Za-z0-9_.-]*(?:password|passwd|pwd))["'][^>\n]*>|<(?:[A-Za-z][A-Za-z0-9_.-]*:)?([A-Za-z0-9_.-]*(?:password|passwd|pwd|pass))>(?:\s*<(?:[A-Za-z][A-Za-z0-9_.-]*:)?(?:plain|value)>)?)([^<\n]+)</"#,
        )
        .expect("valid regex"),
        // The same setting with its value in an attribute: `<property
        // name="javax.persistence.jdbc.password" value="..."/>`.
        xml_value_attribute: Regex::new(
            r#"(?i)(<[A-Za-z][A-Za-z0-9_.:-]*[^>\n]*?[ \t](?:name|key)[ \t]*=[ \t]*["']([A-Za-z0-9_.-]*(?:password|passwd|pwd))["'][^>\n]*?[ \t]value[ \t]*=[ \t]*)(?:"([^"\n]*)"|'([^'\n]*)')"#,
        )
        .expect("valid regex"),
        // A Hadoop-style configuration property (Hive's metastore, Sentry, Ranger): the
        // setting's name in a `<name>` element, its value in the `<value>` after it, a
        // `<description>` between them or not; or an Apple property list's entry, a
        // launchd job's variable (`<key>PGPASSWORD</key>` then `<string>...</string>`).
        xml_name_value: Regex::new(
            r#"(?i)(<(?:name|key)>[ \t]*([A-Za-z0-9_.-]*(?:password|passwd|pwd))[ \t]*</(?:name|key)>\s*(?:<description>[^<]*</description>\s*)?<(?:value|string)>)([^<\n]+)</(?:value|string)>"#,
        )
        .expect("valid regex"),
        // `getConnection(url, "user", "...")` (and Groovy's `Sql.newInstance(url, 'user',
        // '...', driver)`; any call given a PostgreSQL JDBC URL, a user and a password as
        // literals, the URL interpolated or not (Scala's `s"jdbc:postgresql://..."`), a
        // driver's name before them or not, commented out over lines or not,
        // as R's `dbConnect(drv, "jdbc:postgresql://...", "user", "...")`, or three in a
        // row anywhere in a list (a constructor's later arguments, an SQL row of a
        // data-source table: `..., 'jdbc:postgresql://...', 'user', '...', ...`); Flyway's
        // `.dataSource(url, "user",
        // "...")`, MyBatis-Plus's generator's `FastAutoGenerator.create(url, "user", "...")`
        // and `new DataSourceConfig.Builder(url, "user", "...")`), `props.setProperty("password", "...")` (and
        // Hibernate's `setProperty("hibernate.connection.password", "...")`), Spark's
        // JDBC `.option("password", "...")`, a configuration's `setParam("DatabasePassword",
        // "...")`, Beam's and Testcontainers' `.withPassword("...")`,
        // PHP's `new PDO("pgsql:...", "user", "...")`, Perl's
        // `DBI->connect("dbi:Pg:...", "user", "...")` (the scheme in any case), Sequelize's
        // `new Sequelize("db", "user", "...", {...})`, Doobie's
        // `Transactor.fromDriverManager(driver, url, user, "...")`, Exposed's
        // `Database.connect(url, driver, user, "...")`, the AWS CDK's
        // `SecretValue.unsafePlainText("...")`, a builder's `.password("...")`
        // (sqlx, tokio-postgres; Gleam's pog wraps it, `pog.password(Some("..."))`), the
        // pipeline Npgsql.FSharp's functions make (`|> Sql.password "..."`), a data source's `setPassword("...")` (or one named for
        // the database: `setJdbcPassword`, `setDbPassword`; or shorter, `setPass`,
        // `setPwd`, Portuguese's `setSenha`), Bun's Go option
        // `pgdriver.WithPassword("...")` and ClickHouse's
        // `PostgreSQL('host:port', 'db', 'table', 'user', '...')` engine and function
        // (and the database engines, `PostgreSQL('host:port', 'db', 'user', '...')` and
        // `MaterializedPostgreSQL(...)`, which name no table),
        // and MATLAB's `database('db', 'user', '...', 'Vendor', 'PostgreSQL')`.
        // A URL to this machine: loopback, or JDBC's with no host (`jdbc:postgresql:shop`).
        loopback_url: Regex::new(
            r#"(?i)//(?:localhost|127\.0\.0\.1|\[::1\])[:/"']|jdbc:postgresql:[A-Za-z_]"#,
        )
        .expect("valid regex"),
        // The host field of a PDO or DBI data source name (`pgsql:host=...;`,
        // `dbi:Pg:dbname=...;host=...`).
        dsn_host: Regex::new(r#"(?i)(?:pgsql|dbi:pg):(?:[^"'\n;]*;)*?[ \t]*host[ \t]*=[ \t]*([^;"'\s]+)"#)
            .expect("valid regex"),
        // An argument given as a literal: `"shop"` or `'shop'`.
        quoted_argument: Regex::new(r#"["']([^"'\s,]+)["']"#).expect("valid regex"),
        // A password key set to a reference with the literal it replaced left in a
        // comment after it: `password: process.env.DB_PASS, //'...'`, the reference's
        // quoted subscripts too (`password = args['password']   #'...'`).
        replaced_literal: Regex::new(
            r#"(?im)(?:^|[^A-Za-z0-9_])((?:password|passwd|pwd)["']?[ \t]*(?:=>|:|=)[ \t]*[A-Za-z_$](?:[^\n'"]|'[^'\n]*'|"[^"\n]*")*?(?://|#)[ \t]*)(?:'([^'\s]{6,})'|"([^"\s]{6,})")[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // A notebook's echo of a password variable, exported as text: the name alone on
        // its line, then its value's repr alone on the next (`password` then
        // `'...'`, or IPython's `In [5]: password` then `Out[5]: '...'`).
        echoed_password: Regex::new(
            r#"(?m)^[ \t]*(?:In \[\d+\]:[ \t]*)?((?i:password|passwd|pwd|(?:db|pg|postgres|database)_?(?:password|pass|pwd)))[ \t]*\r?\n[ \t]*(?:Out\[\d+\]:[ \t]*)?(?:'([^'\n]+)'|"([^"\n]+)")[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // A name given a PostgreSQL URL, and the prefix before its `Url`, `Uri` or `Dsn`
        // (`targetUrl = 'jdbc:postgresql://...'`, `SOURCE_DSN="postgres://..."`).
        postgres_url_name: Regex::new(
            r#"(?i)([A-Za-z][A-Za-z0-9_-]*?)[_-]?(?:url|uri|dsn|connect(?:ion)?|conn(?:_?str(?:ing)?)?)["']?[ \t]*(?:=>|:|=)[ \t]*["']?(?:jdbc:)?postgres(?:ql)?(?:\+[a-z0-9]+)?:"#,
        )
        .expect("valid regex"),
        // An IPv4 address or a host name code dials: a PostgreSQL URL's host (JDBC's
        // too), or a host key's quoted value (`host = "10.1.2.3"`, `"host": "debian"`,
        // R's `Sys.setenv(PGHOST = "...")`, PHP's `$DB_HOST = '...'`) or a builder's
        // (`.host("10.1.2.3")`, `Sql.host "10.1.2.3"`).
        dialled_address: Regex::new(
            r#"(?i)postgres(?:ql)?://(?:[^@/\s"']*@)?([a-z0-9][a-z0-9.-]*)(?::[0-9]+)?(?:[/?"'\s]|$)|(?:(?:^|[\s,{($])["']?(?:[a-z]+_|pg)?host(?:name)?["']?[ \t]*(?:=>|:=|[=:])[ \t]*|(?:^|[\s.])host(?:name)?[ \t]*(?:\([ \t]*(?:Some[ \t]*\([ \t]*)?|[ \t]+))["']([a-z0-9][a-z0-9.-]*)["']"#,
        )
        .expect("valid regex"),
        // A helper given the user and the password before the PostgreSQL JDBC URL
        // (`conexion.getDBConnection("user", "...", "jdbc:postgresql://...", driver)`):
        // the call up to the password, the password, and the URL captured.
        // A test step given the URL, the user and the password in order, as Gherkin's
        // steps pass their parameters (`Given a connection with db using
        // "jdbc:postgresql://..." , "user" and "..."`): the keyword, the URL and the user,
        // and the password captured.
        step_login: Regex::new(
            r#"(?m)^[ \t]*(Given|When|Then|And|But)[ \t][^\n]*?("(?:jdbc:postgresql|postgres(?:ql)?)://[^"\n]*"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|and[ \t]+)"[^"\n]*"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|and[ \t]+))"([^"\n]*)""#,
        )
        .expect("valid regex"),
        // A text replacement that scrubs a password setting: its pattern is the setting
        // with the old value, its replacement hides it (a history scrub's
        // `s.replace('password: ...', 'password: ${DB_PASSWORD}')`): the key, the value.
        scrubbed_setting: Regex::new(
            r#"(?-u:\b)(?:replace(?:All)?|re\.sub|sub)\s*\(\s*r?["']([A-Za-z_.-]*(?i:password)[ \t]*[:=][ \t]*)([^"'\s]+)["']\s*,\s*r?["'][^"'\n]*(?:\$\{|\{\{|\*\*\*|(?i:removed|redacted))"#,
        )
        .expect("valid regex"),
        // A password variable set to an encryptor's ciphertext of a literal, as jasypt's
        // set-up prints the `ENC(...)` values to paste (`String password =
        // encryptor.encrypt("...")`): the name, the plaintext.
        encrypted_plaintext: Regex::new(
            r#"(?-u:\b)([A-Za-z_]*(?i:password|passwd|pwd))[ \t]*=[ \t]*[A-Za-z_][A-Za-z0-9_]*\.encrypt\(\s*"([^"\n]*)"\s*\)"#,
        )
        .expect("valid regex"),
        // libpq's `PQsetdbLogin(host, port, options, tty, dbName, login, pwd)` given the
        // password literally: the host, the login and the password captured.
        setdb_login: Regex::new(
            r#"(?-u:\b)PQsetdbLogin\s*\(\s*("[^"\n]*"|[^,"\n]+?)\s*,(?:\s*(?:"[^"\n]*"|[^,"\n]+?)\s*,){4}\s*("[^"\n]*"|[^,"\n]+?)\s*,\s*"([^"\n]*)"\s*\)"#,
        )
        .expect("valid regex"),
        // An encryptor given a PostgreSQL URL, a user and a password on three lines in
        // order, as a set-up prints the values to paste (`Crypt.encrypt("jdbc:...")`,
        // `Crypt.encrypt("user")`, `Crypt.encrypt("...")`, the URL through a logging
        // driver's too: `jdbc:log4jdbc:postgresql://`): the password captured.
        // A variable declared as a jasypt encryptor or its configuration
        // (`StandardPBEStringEncryptor enc = ...`, `SimpleStringPBEConfig config;`): its name.
        encryptor_declaration: Regex::new(
            r"(?-u:\b)[A-Za-z0-9_]*(?:PBE[A-Za-z0-9_]*(?:Encryptor|Config)|TextEncryptor)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*[=;]",
        )
        .expect("valid regex"),
        encrypted_login: Regex::new(
            r#"(?-u:\b)encrypt\(\s*"(?:jdbc:(?:log4jdbc:|p6spy:)?postgresql|postgres(?:ql)?)://[^"\n]*"\s*\)[^\n]*\r?\n[^\n]*?(?-u:\b)encrypt\(\s*"[^"\n]*"\s*\)[^\n]*\r?\n[^\n]*?(?-u:\b)(encrypt)\(\s*"([^"\n]*)"\s*\)"#,
        )
        .expect("valid regex"),
        // Prose that gives a login as the user and the password apart by a slash, after
        // the words for both (`ID와 암호는 app / ...`, "the ID and password are";
        // `user/password: app / ...`; `账号/密码：app/...`; a table's row `| User /
        // password | app / ... |`): the label, the user and the password captured.
        login_pair: Regex::new(
            r#"(?im)(?:^|[^A-Za-z0-9_])((?:ids?|user(?:name)?|login|account|아이디|계정|账号|帐号|用户名)[ \t]*(?:와|과|and|&|/|,)[ \t]*(?:password|passwd|pwd|pw|암호|비밀번호|패스워드|密码))[ \t]*(?:는|은|[:：=|]|(?:is|are)[ \t])?[ \t]*[`"'*]*([^\s/`"'*|]+)[`"'*]*[ \t]*/[ \t]*[`"'*]*([^\s/`"'*]+)"#,
        )
        .expect("valid regex"),
        // A login kept under the URL it opens, as notes keep one (a comment's
        // `jdbc:postgresql://10.0.0.5:5432/portal`, then `app/...` alone on the next
        // line): the URL, the user and the password captured.
        login_under_url: Regex::new(
            r#"(?m)^[ \t]*(?:(?://|#|--|\*|;)[ \t]*)?((?:jdbc:postgresql|postgres(?:ql)?)://[^\s@'"]+)[ \t]*\r?\n[ \t]*(?:(?://|#|--|\*|;)[ \t]*)?([A-Za-z][A-Za-z0-9_.-]*)[ \t]*/[ \t]*([^\s/]+)[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // The word before a password's label that says it is a local one (`Dev
        // password:`, `Local password`), at the end of the text before the label.
        local_use_label: Regex::new(r"(?i)(?-u:\b)(?:dev|development|local|test|testing)[ \t]*$")
            .expect("valid regex"),
        // Prose after a value that says it is for local use only (`(safe, only for local
        // testing)`, `dev only`, `not for production`), or that it is a set-up's default
        // (`(docker-compose default)`).
        local_use_note: Regex::new(
            r"(?i)(?-u:\b)(?:only for local|for local (?:testing|development|use|dev)|local[ -](?:only|testing|development)|dev(?:elopment)?[ -]only|not (?:for|in) production)(?-u:\b)|\([^)\n]{0,30}?(?-u:\b)default\)",
        )
        .expect("valid regex"),
        // A password named by the word then the connection it is for (`PASS_SERVER`,
        // `PASSWORD_PROD`): the name, the qualifier, the quoted value.
        qualified_password: Regex::new(
            r#"(?i)(?-u:\b)((?:password|passwd|pass|pwd)_([A-Za-z0-9]+))["']?[ \t]*(?:=>|:=|=|:)[ \t]*("[^"\n]*"|'[^'\n]*')"#,
        )
        .expect("valid regex"),
        // A quoted argument that is a password setting alone, one of a list of
        // `key=value` arguments (`"url=jdbc:postgresql://...", "username=app",
        // "password=..."`): the key, the value.
        quoted_password_argument: Regex::new(
            r#"(?i)["'](password|passwd|pwd)=([^"'\s]+)["'][ \t]*[,)\]}]"#,
        )
        .expect("valid regex"),
        // A quoted key and its quoted value apart by a space, alone on a line: a Groovy
        // DSL's call without parentheses (Gradle's `'db.password' 's3cret'`).
        spaced_pair: Regex::new(
            r#"(?m)^[ \t]*["']([A-Za-z0-9_.-]*(?i:password|passwd|pwd|pass))["'][ \t]+["']([^"'\n]*)["'][ \t]*,?[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // A literal alone on its line, a list's item or a call's argument, then its
        // comment (`"s3cret",  // DB password`): the literal, the comment's text.
        commented_literal: Regex::new(
            r#"(?m)^[ \t]*("[^"\s]+"|'[^'\s]+')[ \t]*[,)]?[ \t]*(?://|#|--|/\*)[ \t]*([^\n]*)$"#,
        )
        .expect("valid regex"),
        // A comment that names the password, in the languages projects comment in
        // (eGovFrame's `데이터베이스 접속 패드워드 설정`, "database access password").
        password_comment: Regex::new(
            r"(?i)(?-u:\b)(?:password|passwd|pwd|passwort|senha|contrase[nñ]a|mot de passe)(?-u:\b)|비밀번호|패스워드|패드워드|密码|密碼|パスワード|пароль|hasło",
        )
        .expect("valid regex"),
        // A comment that names another part of the login, so the literal may be that.
        other_login_comment: Regex::new(r"(?i)user|host|url|server|port|address|name|계정|주소")
            .expect("valid regex"),
        // A quoted `key=` argument holding a URL (`"url=jdbc:postgresql://...`), its
        // scheme captured.
        quoted_url_argument: Regex::new(r#"(?i)["'][a-z_.-]*(?:url|uri|dsn)=([a-z:+]+)://"#)
            .expect("valid regex"),
        // A name of words apart by `_` given a PostgreSQL URL (`DB_SERVER =
        // "jdbc:postgresql://..."`), the name captured.
        postgres_url_assignment: Regex::new(
            r#"(?i)(?-u:\b)([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)["']?[ \t]*(?:=>|:=|=|:)[ \t]*["']?(?:jdbc:)?postgres(?:ql)?(?:\+[a-z0-9]+)?:"#,
        )
        .expect("valid regex"),
        // An enum's constant named for the password and given its literal, beside the
        // others of a connection (`HOST("..."), USER("postgres"), PASSWORD("..."),`): the
        // name, the value.
        password_constant: Regex::new(
            r#"(?m)^[ \t]*((?:[A-Z]+_)*(?:PASSWORD|PASSWD|PWD|PASS))[ \t]*\([ \t]*"([^"\n]*)"[ \t]*\)[ \t]*[,;]"#,
        )
        .expect("valid regex"),
        password_before_url: Regex::new(
            r#"((?-u:\b)[A-Za-z_][A-Za-z0-9_.]*\s*\(\s*(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)(?:"([^"\n]*)"|'([^'\n]*)')(\s*,\s*["']jdbc:postgresql://[^"'\n]*["'])"#,
        )
        .expect("valid regex"),
        // LuaSQL's `env:connect("db", "user", "...", "host", port)`: the database, the
        // user, then the password, with the host after it.
        luasql_connect: Regex::new(
            r#"((?-u:\b)[A-Za-z_][A-Za-z0-9_.]*:connect\s*\(\s*(?:"[^"\n]*"|'[^'\n]*')\s*,\s*(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)(?:"([^"\n]*)"|'([^'\n]*)')(?:\s*,\s*(?:"[^"\n]*"|'[^'\n]*'))?"#,
        )
        .expect("valid regex"),
        // A Lisp's call, its arguments apart by spaces (Clojure's `(DriverManager/getConnection
        // "jdbc:postgresql://..." "user" "...")`): the call to the user, the password.
        lisp_call: Regex::new(
            r#"(\((?:[A-Za-z_][A-Za-z0-9_.-]*/)?[A-Za-z_][A-Za-z0-9_.!?-]*\s+"jdbc:postgresql://[^"\n]*"\s+"[^"\n]*"\s+)"([^"\n]*)""#,
        )
        .expect("valid regex"),
        // One more quoted argument that closes a call (`..., "user", "...", "...")`):
        // a helper given a table before its login (a Spark job's own `read(url,
        // "table", "user", "...")`) takes its password last.
        trailing_argument: Regex::new(r#"^\s*,(?:\s|//[^\n]*\n)*"([^"\n]*)"\s*\)"#)
            .expect("valid regex"),
        driver_call: Regex::new(
            r#"((?:(?:getConnection|\.dataSource|FastAutoGenerator\.create|DataSourceConfig\.Builder)\s*\(\s*[^,()\n]+,\s*"[^"\n]*"|Sql\.newInstance\s*\(\s*[^,()\n]+,\s*(?:"[^"\n]*"|'[^'\n]*')|(?:[A-Za-z_][A-Za-z0-9_.]*\s*\((?:\s|//|\#)*(?:(?:"[^"\n]*"|'[^'\n]*'|[^,()"'\n]+),(?:\s|//|\#)*)?|[(,][ \t]*(?:\r?\n[ \t]*)?)[sf]?["']jdbc:postgresql://[^"'\n]*["'](?:\s|//|\#)*(?:,(?:\s|//[^\n]*\n|//)*["'](?:[A-Za-z_][A-Za-z0-9_]*\.)+[A-Za-z0-9_]*Driver["'](?:\s|//[^\n]*\n|//)*)?,(?:\s|//[^\n]*\n|//|\#)*["'][^"'\n]*["']|(?-u:\b)Database\.connect\s*\(\s*[^,()\n]+,\s*[^,()\n]+,\s*"[^"\n]*"|(?:setProperty|put|option|setParam|setParameter)\s*\(\s*["'](?:[A-Za-z0-9_-]+\.)*(?i:(?:database|db|jdbc|pg|postgres(?:ql)?|connection)?[_-]?password)["']|new\s+PDO\s*\(\s*["']pgsql:[^"'\n]*["']\s*,\s*["'][^"'\n]*["']|DBI->connect\s*\(\s*["'](?i:dbi:pg):[^"'\n]*["']\s*,\s*["'][^"'\n]*["']|new\s+Sequelize\s*\(\s*["'][^"'\n]*["']\s*,\s*["'][^"'\n]*["']|fromDriverManager(?:\[[^\]\n]*\])?\s*\(\s*"[^"\n]*"\s*,(?:\s|//[^\n]*\n|//)*"[^"\n]*"\s*,(?:\s|//[^\n]*\n|//)*"[^"\n]*")\s*,(?:\s|//[^\n]*\n|//)*|SecretValue\.(?:unsafePlainText|plainText)\s*\(\s*|(?-u:\b)(?i:(?:materialized)?postgresql)\s*\(\s*'[^'\n]*'\s*,\s*'[^'\n]*'\s*,\s*(?:'[^'\n]*'\s*,\s*)?'[^'\n]*'\s*,\s*|postgresql_password\s*\(\s*'[^'\n]*'\s*,\s*|(?-u:\b)database\s*\(\s*'[^'\n]*'\s*,\s*'[^'\n]*'\s*,\s*|(?:\.password|(?-u:\b)(?:set(?:Jdbc|Db|DB|Database|DataSource|Datasource|Pg|Postgres|Connection)?(?:Password|Pass|Pwd|Senha)|[Ww]ithPassword))\s*\(\s*(?:Some\s*\(\s*)?|(?-u:\b)Sql\.password[ \t]+)(?:"([^"\n]*)"|'([^'\n]*)')"#,
        )
        .expect("valid regex"),
        // A Delphi form's Devart connection (UniDAC's `TUniConnection` with `ProviderName =
        // 'PostgreSQL'`, PgDAC's `TPgConnection`): `EncryptedPassword = 'CCFF8DFF...'`.
        devart_encrypted_password: Regex::new(
            r"(?m)^[ \t]*(EncryptedPassword)[ \t]*=[ \t]*'((?:[0-9A-Fa-f]{4})+)'",
        )
        .expect("valid regex"),
        // Spring's `@Value("...")` on a field named for the password (`@Value("...")
        // private String DB_PASSWORD;`): the annotation's literal is the field's value.
        value_annotation: Regex::new(
            r#"@Value\(\s*"([^"\n]*)"\s*\)\s*(?:(?:private|protected|public|static|final)\s+)*String\s+([A-Za-z0-9_]*(?i:password|passwd|pwd)[A-Za-z0-9_]*)\s*[;=]"#,
        )
        .expect("valid regex"),
        // A command-line option for the password declared with a literal default:
        // click's and argparse's `option("--password", default="...")`, Go's
        // `flag.String("pgpass", "...", ...)` and `StringVar(&p, "password", "...", ...)`.
        option_default: Regex::new(concat!(
            r#"(?:option|add_argument)\(\s*(?:["']-[A-Za-z]["']\s*,\s*)?["']-{1,2}([A-Za-z0-9_-]*(?i:password|passwd|pass|pwd))["'][^)\n]*?(?-u:\b)default\s*=\s*("[^"\n]*"|'[^'\n]*')"#,
            r#"|(?-u:\b)String(?:Var)?P?\(\s*(?:&[A-Za-z0-9_.]+\s*,\s*)?"([A-Za-z0-9_-]*(?i:password|passwd|pass|pwd))"\s*,\s*(?:"[A-Za-z]"\s*,\s*)?("[^"\n]*")"#,
        ))
        .expect("valid regex"),
        // A password as a document gives it: a table's label cell and the value cell
        // beside it (`<th>Password</th><td>...</td>`, `| Password | ... |`), or prose
        // (`the password is `...`` or `"..."`, `Password: `...``, `**Password**: `...``,
        // in Spanish, Portuguese, German or French too (`**Contraseña**: `...``),
        // `with password **`...`**`; a code span with `=` or `(` in it is code, not a
        // value; `password: "..."` is a setting, the quoted keys' to judge). A table's
        // label may be in any language a guide is written in (`| 密码 | ... |`), and its
        // value cell a code span with a note after it (`` `...`（生产必须修改） ``). So may
        // prose's label, the value a code span after its copula or colon (`密码：`...``,
        // `密码是 `...``, `пароль: `...``), or in brackets after the file it is kept in
        // (`密码见 `.env`（`...`）`).
        labelled_value: Regex::new(
            &[
                r#"(?i)<t[hd][^>\n]*>[ \t]*((?:db |database )?password)[ \t]*:?[ \t]*</t[hd]>\s*<td[^>\n]*>[ \t]*(?:<code>)?([^<\s]+?)(?:</code>)?[ \t]*</td>"#,
                r#"|(?im)^[ \t]*\|[ \t]*\**((?:db |database )?(?:password|mot de passe|"#,
                &localized_password_words(),
                r#"))\**[ \t]*\|[ \t]*(?:`([^|`\s]+)`[^|`\n]*?|([^|`\s]+?))[ \t]*\|[ \t]*\r?$"#,
                r#"|(?i)(?-u:\b)(password|contraseña|senha|passwort|mot de passe)(?:[ \t]+(?:is|was)[ \t]*:?[ \t]*(?:`([^`\s=()]+)`|"([^"\s=()]+)")|\**[ \t]*:\**[ \t]*`([^`\s=()]+)`)"#,
                r#"|(?i)(?-u:\b)(?:with|using)[ \t]+(?:the[ \t]+)?\**(password)\**[ \t]+\**`([^`\s=()]+)`"#,
                r#"|(?i)("#,
                &localized_password_words(),
                r#")\**[ \t]*(?:是|为|為|は|는|은|:|：)?\**[ \t]*(?:见[ \t]*`[^`\s]+`[ \t]*)?[（(]?[ \t]*`([^`\s=()]+)`"#,
            ]
            .concat(),
        )
        .expect("valid regex"),
        // A page's element that shows a login's password as its text (`<h3>Password:
        // ...</h3>`, `<li>DB password: ...</li>`), in HTML or a component's markup.
        element_label: Regex::new(
            r#"(?i)<[a-z][a-z0-9]*(?:[ \t][^>\n]*)?>[ \t]*((?:db |database )?(?:password|passwd|pwd))[ \t]*:[ \t]*([^<\s{}]+)[ \t]*</[a-z][a-z0-9]*>"#,
        )
        .expect("valid regex"),
        // A table of settings' values, a row naming a password variable in a code span,
        // or bare in capitals as an environment's names are written, and its value in
        // the next (`| `DB_PASSWORD` fallback | `...` |`, `| `SPRING_DATASOURCE_PASSWORD`
        // | `...` | ✅ | ... |`, `| DB_PASSWORD | `...` | PUBLIC |`), or in the one after
        // a cell of prose describing it (`| `POSTGRES_PASS` | DB Password | `...` |`, a
        // table of variables, what each is and its default): the name and value captured.
        variable_table_row: Regex::new(
            r#"(?m)^[ \t]*\|[ \t]*(?:`([A-Za-z0-9_.]+)`|([A-Z][A-Z0-9_]*))(?:[ \t]+[A-Za-z() ]{1,24}?)?[ \t]*\|[ \t]*(?:[^|`\n]{1,80}\|[ \t]*)?`([^|`\s]+)`[ \t]*\|"#,
        )
        .expect("valid regex"),
        // A login given as an email address: `Email: admin@acme.org`, `"email":
        // "a@b.io"`, `login = ops@acme.io` (markup around the key too), `登录邮箱：
        // admin@acme.org`, one code makes (`` email = `${randomUUID()}@example.test` ``).
        email_login: Regex::new(
            r#"(?im)(?:^|[\s"'{,*|])(?:e-?mail|login|user(?:name)?|(?:登录|用户|电子)?邮箱|电子邮件)\**["']?[ \t]*(?:[:=]|：)[ \t]*\**[ \t]*["'`]?(?:\$\{[^}\n]*\}|[A-Za-z0-9._%+-])+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b)"#,
        )
        .expect("valid regex"),
        // The words that suppose what follows: `if`, `say`, `suppose`, `assuming`, `when`,
        // then perhaps `your`/`the` and a word (`If your database `), right before the label.
        supposition: Regex::new(
            r"(?i)(?:^|[^A-Za-z0-9_])(?:if|say|suppose|assuming|when)[ \t]+(?:(?:your|the|my|a|its)[ \t]+)?(?:[A-Za-z]+[ \t]+)?$",
        )
        .expect("valid regex"),
        // A Clojure or EDN map's keyword and its string: `{:user "app" :password "..."}`.
        keyword_key: Regex::new(
            r#"(?:^|[\s{(\[,])(:(?:[A-Za-z0-9_.-]*[-/])?(?:password|passwd|pwd))[ \t]+("(?:[^"\\\n]|\\.)*")"#,
        )
        .expect("valid regex"),
        // The superuser's password as Chef's PostgreSQL attributes keep it:
        // `"password": {"postgres": "..."}`.
        nested_password: Regex::new(
            r#"("password"\s*:\s*\{\s*"postgres"\s*:\s*)("(?:[^"\\\n]|\\.)*")"#,
        )
        .expect("valid regex"),
        env_pair: Regex::new(
            r#"(?m)(-[ \t]*name:[ \t]*["']?([A-Za-z0-9_]*(?i:password|passwd|pwd))["']?[ \t]*\r?\n[ \t]*value:[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s#'"][^\n#]*?)[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        // A list of variables as objects, each a name and its value: an ECS task
        // definition's `{"name": "POSTGRES_PASSWORD", "value": "..."}`, a catalog's
        // `{ key: 'MB_DB_PASS', value: '...' }`, on one line or over several.
        named_value: Regex::new(
            r#"((?i:["']?(?:name|key)["']?)[ \t]*[:=][ \t]*["']([A-Za-z0-9_.-]*(?i:pass|passwd|password|pwd))["'][ \t]*,\s{0,40}(?i:["']?value["']?)[ \t]*[:=][ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')"#,
        )
        .expect("valid regex"),
        // Terraform's Helm release values: `set { name = "auth.password"` then
        // `value = "..." }` (and `set_sensitive`).
        hcl_set: Regex::new(
            r#"(?m)(name[ \t]*=[ \t]*"([A-Za-z0-9_.\[\]\\-]*(?i:password|passwd|pwd))"[ \t]*\r?\n[ \t]*value[ \t]*=[ \t]*)("[^"\n]*")"#,
        )
        .expect("valid regex"),
        secret_kind: Regex::new(r"(?m)^kind:[ \t]*Secret[ \t]*\r?$").expect("valid regex"),
        sealed_secret_kind: Regex::new(r"(?m)^kind:[ \t]*SealedSecret[ \t]*\r?$")
            .expect("valid regex"),
        // A Secret whose name says it holds a database's credentials (`name: db`,
        // `name: postgres-credentials`, `name: app-pg`).
        secret_named_for_database: Regex::new(
            r#"(?m)^[ \t]+name:[ \t]*["']?(?:[A-Za-z0-9.]+[-_.])*(?i:db|database|pg|postgres|postgresql|psql|rds|aurora|neon)(?:[-_.][A-Za-z0-9.-]*)?["']?[ \t]*\r?$"#,
        )
        .expect("valid regex"),
        secret_data: Regex::new(
            r#"(?m)^[ \t]+([A-Za-z0-9_.-]+):[ \t]*["']?([A-Za-z0-9+/]{8,}={0,2})["']?[ \t]*(?:#[^\n]*)?\r?$"#,
        )
        .expect("valid regex"),
        // PostgreSQL named: itself (and CodeIgniter's `postgre` driver), its client tools,
        // drivers, port and pooler, the type names drivers give it (`PgPool`,
        // `PgConnectOptions`, `PGSimpleDataSource`), and the services that host only it
        // (Neon; Supabase named as a service or a host, not its client's `supabase.auth`,
        // whose passwords are an application's users'; the hosts of Nile, Nhost's
        // databases, Xata's Postgres endpoint and Crunchy Bridge), Gleam's driver
        // called by its module's name (`pog.host(...)`), and Qt's driver by its name
        // (`QSqlDatabase::addDatabase("QPSQL")`).
        postgres: Regex::new(
            r"(?i)postgres|postgre(?-u:\b)|pgsql|psycopg|asyncpg|pg8000|pgbouncer|npgsql|pgx|pgconn|(?-u:\b)pg(?-u:\b)|(?-u:\b)psql(?-u:\b)|(?-u:\b)pg_(?:dump|dumpall|restore|basebackup|isready)(?-u:\b)|(?-u:\b)5432(?-u:\b)|(?-u:\b)neon|supabase(?:\.co|[^.a-z_]|$)|(?-u:\b)qpsql7?(?-u:\b)|thenile\.dev|nhost\.run|\.sql\.xata\.sh|postgresbridge\.com|new\s+(?:pg\.)?(?:pool|client)\s*\(|(?-iu:\bP[gG][A-Z][a-z])|(?-u:\b)pog\.[a-z_]+\(",
        )
        .expect("valid regex"),
        // Helm (or a wrapper named for it, `hhelm "$env"`) installing or upgrading a
        // PostgreSQL chart: `bitnami/postgresql`, `postgresql-ha`, a local `postgresql`.
        helm_postgres_install: Regex::new(
            r"(?i)(?:^|[\s;&|(])[a-z0-9_.-]*helm(?:\.exe)?\s[^\n]*?(?-u:\b)(?:install|upgrade)(?-u:\b)[^\n]*?(?:[\s/])postgres(?:ql)?(?:-ha)?(?:\s|$)",
        )
        .expect("valid regex"),
        // A database named without its engine: a data source, a database's name or
        // settings (Haskell's `connectDatabase = "app"` too), an ORM, Terraform's database
        // resources, an INI `[db]` section, a secret store's entry named for one (`--name
        // prod/db/password`).
        database: Regex::new(
            r#"(?im)datasource|(?-u:\b)db_?name(?-u:\b)|(?-u:\b)databases(?-u:\b)|(?-u:\b)database["']?\s*[:=]\s*(?:["']?[A-Za-z_{]|$)|connectDatabase\s*=|jdbc:|sqlalchemy|sequelize|typeorm|knex|aws_db_instance|aws_rds_cluster|google_sql_user|\[(?:db|database)\]|--(?:name|secret-id)[ \t=]+["']?[A-Za-z0-9/_.-]*(?-u:\b)(?:db|database|rds)(?-u:\b)"#,
        )
        .expect("valid regex"),
        // Another engine or service named (CockroachDB, which speaks PostgreSQL's protocol,
        // is its own engine; MySQL's own character set `utf8mb4` names MySQL), or its
        // port (MySQL's 3306, SQL Server's 1433, Oracle's 1521,
        // MongoDB's 27017, Redis' 6379), or an application that runs on MySQL alone
        // (WordPress, PrestaShop, Magento, phpMyAdmin).
        other_engine: Regex::new(
            r"(?i)mysql|maria|utf8mb4|wordpress|prestashop|magento|phpmyadmin|cockroach|redis|mongo|smtp|mail|ldap|rabbit|amqp|kafka|elastic|oracle|sql ?server|mssql|influx|clickhouse|couch|neo4j|cassandra|sqlite|snowflake|hsqldb|derby|duckdb|bigquery|(?-u:\b)(?:h2|db2)(?-u:\b)|(?-u:\b)(?:3306|1433|1521|27017|6379)(?-u:\b)",
        )
        .expect("valid regex"),
        // A compose service's image that is PostgreSQL's own (`image: postgres:16`,
        // `image: postgis/postgis`).
        official_image: Regex::new(
            r#"(?m)^[ \t]*image:[ \t]*["']?(?:[a-z0-9.:-]+/)*(?:postgres|postgis|pgvector|timescaledb)(?:[:@][^\s"']*)?["']?[ \t]*(?:#[^\n]*)?\r?$"#,
        )
        .expect("valid regex"),
        // A connection URL of another database (`jdbc:mysql://`, `mongodb://`); not a
        // cache's or a queue's, which sit beside a database's settings.
        other_engine_url: Regex::new(
            r"(?i)jdbc:(?:mysql|mariadb|oracle|sqlserver|db2|h2|hsqldb|sqlite|derby|clickhouse|snowflake)(?-u:\b)|(?-u:\b)(?:mysql|mariadb|mongodb(?:\+srv)?|sqlserver|mssql|oracle|clickhouse)://",
        )
        .expect("valid regex"),
        // A quoted literal all `x` (`"xx"`, `'XXXX'`): a value masked.
        masked_literal: Regex::new(r#""[xX]{2,}"|'[xX]{2,}'"#).expect("valid regex"),
        // A Markdown heading: `## PG Admin`.
        markdown_heading: Regex::new(r"(?m)^#{1,6}[ \t]+[^\n]*").expect("valid regex"),
        // pgAdmin, PostgreSQL's web console, whose login is not a database's.
        pgadmin: Regex::new(r"(?i)pg[ _-]?admin").expect("valid regex"),
        // A heading on connecting through a client (`For pgAdmin Connection`, `Connect
        // via pgAdmin 4`): the section gives the database's login, not the client's.
        connects_through: Regex::new(r"(?i)(?-u:\b)(?:connect(?:ing|ion|ions|s)?|via|using|through)(?-u:\b)")
            .expect("valid regex"),
        // `var.db_password`, `data.vault_generic_secret.db.data["password"]`.
        dotted_reference: Regex::new(
            r"^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+(?:\[[^\]\n]*\])*$",
        )
            .expect("valid regex"),
        // A Terraform resource's attribute, its type a provider's (`aws_db_instance.main.
        // password`, `yandex_mdb_postgresql_cluster.pg.user[0].password`): type, name and
        // attribute at least, indexed anywhere.
        resource_reference: Regex::new(
            r"^[a-z][a-z0-9]*_[a-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]\n]*\])*){2,}$",
        )
        .expect("valid regex"),
        database_name: Regex::new(r"(?i)^(?:postgres(?:ql)?|pg|db|database)_?").expect("valid regex"),
    })
}

/// Credentials found, each with the range of text it covers.
type Found = Vec<(Range<usize>, Detection)>;

/// Adds every credential of these forms in `text` to `found` (which holds the
/// connection-string forms' findings, each with the range it covers, for the caller's
/// de-duplication), then drops whatever was read where the text is not the value as
/// written: a Secret's base64 `data:` values (read decoded here) and a SealedSecret's
/// `encryptedData:` (ciphertext).
pub fn detect(text: &[u8], context: &mut Context, syntax: Syntax, found: &mut Found) {
    let p = patterns();
    let mut not_as_written = if p.sealed_secret_kind.is_match(text) {
        blocks(text, &[b"encryptedData"])
    } else {
        Vec::new()
    };
    // A Secret's `data:` values are base64: read decoded, not as written.
    if p.secret_kind.is_match(text) {
        let data = blocks(text, &[b"data", b"binaryData"]);
        let (credentials, decoded) = kubernetes_secret_data(text, &data, context);
        found.extend(credentials);
        not_as_written.extend(decoded);
    }
    for c in p.quoted_key.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        // A document's backticks mark code, not a string (`password: `...``).
        let raw = value.as_bytes();
        let backticked = raw[0] == b'`';
        if backticked && syntax != Syntax::Code {
            continue;
        }
        let secret = if backticked {
            lossy(&raw[1..raw.len() - 1])
        } else {
            unquote(raw)
        };
        let name = key_shown(key.as_bytes());
        let named = is_database_password_key(&name)
            || (is_administrator_password_key(&name)
                && context.nested_block_names_postgres(key.start()))
            || (is_server_administrator_password_key(&name)
                && context.top_level_names_postgres(key.start()))
            || (is_block_password_key(&name) && context.nested_block_names_postgres(key.start()))
            || context.names_a_postgres_urls_password(&name);
        // A script's `$pass = "..."` is judged by where it is used (the conninfo that
        // reads `$pass`), as its other variables are; a field or key named `pass` here.
        let script_variable = key.start() > 0
            && text[key.start() - 1] == b'$'
            && name
                .trim_end_matches([':', '=', ' '])
                .eq_ignore_ascii_case("pass");
        let dialled = super::detect::is_weak_enough_to_mean_it(&secret)
            && context.dials_an_address_with(&secret, key.start(), syntax);
        if !is_key_in_a_literal(text, key, syntax)
            || closes_the_keys_own_string(key.as_bytes(), raw)
            || !named
            || script_variable
            || is_psql_variable(text, key.range())
            || beside_an_email_login(text, key.start())
            || (is_reference(&secret) && !dialled)
            || !context.configures_postgres_for(&name, key.start())
            || context.block_names_another_engine(key.start())
            || context.line_names_another_engine(key.start())
        {
            continue;
        }
        let redacted = format!("{name}****");
        found.push(setting(key.start()..value.end(), redacted, &secret));
    }
    for list in p.options_list.captures_iter(text) {
        let list = list.get(1).expect("list");
        let list_text = list.as_bytes();
        if !contains_ignoring_case(list_text, b"jdbc:postgresql") {
            continue;
        }
        for c in p.options_password.captures_iter(list_text) {
            let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
            let secret = lossy(value.as_bytes());
            let dialled = call_host(list_text)
                .is_some_and(|host| is_password_word_to_an_address(&secret, &host, Syntax::Code));
            if is_reference(&secret) && !dialled {
                continue;
            }
            let start = list.start() + key.start();
            let (range, mut d) = setting(
                start..list.start() + value.end() + 1,
                "options(..., password '****')".to_string(),
                &secret,
            );
            d.local_default = is_weak_call_to_loopback(list_text, &secret);
            found.push((range, d));
        }
    }
    for c in p.qualified_password.captures_iter(text) {
        let (name, qualifier, value) = (
            c.get(1).expect("name"),
            c.get(2).expect("qualifier"),
            c.get(3).expect("value"),
        );
        let secret = unquote(value.as_bytes());
        if is_reference(&secret)
            || !context.names_a_postgres_url_qualified(&lossy(qualifier.as_bytes()))
        {
            continue;
        }
        found.push(setting(
            name.start()..value.end(),
            format!("{}=****", lossy(name.as_bytes())),
            &secret,
        ));
    }
    for c in p.quoted_password_argument.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let secret = lossy(value.as_bytes());
        if is_reference(&secret)
            || is_working_directory(&lossy(key.as_bytes()), &secret)
            || !context.names_postgres_url_near(key.start())
            || context.line_names_another_engine(key.start())
        {
            continue;
        }
        found.push(setting(
            key.start()..value.end(),
            format!("\"{}=****\"", lossy(key.as_bytes())),
            &secret,
        ));
    }
    for c in p.spaced_pair.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let secret = lossy(value.as_bytes());
        let name = lossy(key.as_bytes());
        if secret.is_empty()
            || !is_database_password_key(&name)
            || is_reference(&secret)
            || !context.configures_postgres_for(&name, key.start())
            || context.configures_another_engine(key.start())
            || context.block_names_another_engine(key.start())
            || context.line_names_another_engine(key.start())
        {
            continue;
        }
        found.push(setting(
            key.start()..value.end(),
            format!("{name} ****"),
            &secret,
        ));
    }
    // A literal its own comment names the password, in a list or a call beside
    // PostgreSQL's URL (eGovFrame's `{ "app", "s3cret", //... password ...
    // "jdbc:postgresql://..." }`): the comment is the literal's name.
    for c in p.commented_literal.captures_iter(text) {
        let (value, comment) = (c.get(1).expect("literal"), c.get(2).expect("comment"));
        let comment = comment.as_bytes();
        let secret = unquote(value.as_bytes());
        if comment
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .count()
            > 6
            || !p.password_comment.is_match(comment)
            || p.other_login_comment.is_match(comment)
            || is_reference(&secret)
            || !context.configures_postgres(value.start())
            || context.line_names_another_engine(value.start())
        {
            continue;
        }
        found.push(setting(
            value.range(),
            "\"****\" (its comment: password)".to_string(),
            &secret,
        ));
    }
    for c in p.property_argument.captures_iter(text) {
        let key = c.get(1).or_else(|| c.get(2)).expect("key");
        let value = c.get(3).expect("value");
        let secret = lossy(value.as_bytes());
        let name = key_shown(key.as_bytes());
        // The word for a password the command dials at an address counts, as a key's
        // does (`-Dspring.datasource.password=pass` beside a URL to a public address).
        let dialled = super::detect::is_weak_enough_to_mean_it(&secret)
            && context.dials_an_address_with(&secret, key.start(), syntax);
        if !is_database_password_key(&name)
            || ((is_reference(&secret) || is_placeholder(&secret)) && !dialled)
            || is_dotted_reference(&secret)
            || !context.configures_postgres_for(&name, key.start())
            || context.block_names_another_engine(key.start())
            || context.line_names_another_engine(key.start())
        {
            continue;
        }
        found.push(setting(
            key.start()..value.end(),
            format!("{name}****"),
            &secret,
        ));
    }
    let in_string_pieces = p.string_line_key.captures_iter(text);
    let keyed: Box<dyn Iterator<Item = regex::bytes::Captures>> = if syntax != Syntax::Code {
        Box::new(
            p.bare_key
                .captures_iter(text)
                .chain(p.flow_key.captures_iter(text))
                .chain(p.escaped_line_key.captures_iter(text))
                .chain(in_string_pieces),
        )
    } else {
        Box::new(in_string_pieces)
    };
    for c in keyed {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        // A TOML value quoted inside a shell string (`password = \"$DB_PASSWORD\"`).
        let secret = unquote(value.as_bytes());
        let name = key_shown(key.as_bytes());
        let block_keyed =
            is_block_password_key(&name) && context.nested_block_names_postgres(key.start());
        let dialled = super::detect::is_weak_enough_to_mean_it(&secret)
            && context.dials_an_address_with(&secret, key.start(), syntax);
        // A string piece holds a file's line only among others like it (a message
        // `"Password: incorrect\n"` is alone).
        let lone_piece = c.get(0).is_some_and(|whole| whole.as_bytes()[0] == b'"')
            && !beside_other_string_lines(text, key.start());
        if lone_piece
            || opens_a_quote_it_does_not_close(key.as_bytes())
            || is_working_directory(&name, &secret)
            || names_its_slot(text, key.start(), &name, &secret)
            || beside_an_email_login(text, key.start())
            || !(is_database_password_key(&name) || block_keyed)
            || (is_reference(&secret) && !dialled)
            || is_dotted_reference(&secret)
            || !context.configures_postgres_for(&name, key.start())
            || context.block_names_another_engine(key.start())
        {
            continue;
        }
        found.push(setting(
            key.start()..value.end(),
            format!("{name}****"),
            &secret,
        ));
    }
    if syntax != Syntax::Code {
        for c in p.localized_key.captures_iter(text) {
            let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
            let secret = lossy(value.as_bytes());
            if is_reference(&secret)
                || is_placeholder(&secret)
                || beside_an_email_login(text, key.start())
                || !context.configures_postgres(key.start())
                || context.block_names_another_engine(key.start())
            {
                continue;
            }
            let name = lossy(key.as_bytes()).trim_end().to_string();
            found.push(setting(
                key.start()..value.end(),
                format!("{name} ****"),
                &secret,
            ));
        }
        for c in p.spaced_key.captures_iter(text) {
            let key = c.get(1).expect("key");
            let value = c.get(2).or_else(|| c.get(3)).expect("value");
            let secret = lossy(value.as_bytes());
            // Prose has lines of two words too (`Password required.`): a value counts
            // when it is not a word of text, by its digits or mixed case.
            let word_of_text = !(secret.bytes().any(|b| b.is_ascii_digit())
                || (secret.bytes().any(|b| b.is_ascii_uppercase())
                    && secret.bytes().any(|b| b.is_ascii_lowercase())))
                || secret.ends_with(['.', ',']);
            let name = lossy(key.as_bytes()).trim_end().to_string();
            if word_of_text
                || is_reference(&secret)
                || !context.configures_postgres_for(&name, key.start())
                || context.block_names_another_engine(key.start())
            {
                continue;
            }
            found.push(setting(
                key.start()..value.end(),
                format!("{name} ****"),
                &secret,
            ));
        }
    }
    let element_values = p.xml_value.captures_iter(text).map(|c| {
        let key = c.get(2).or_else(|| c.get(3)).expect("key");
        (c.get(1).expect("tag"), key, c.get(4).expect("value"), false)
    });
    let attribute_values = p.xml_value_attribute.captures_iter(text).map(|c| {
        let value = c.get(3).or_else(|| c.get(4)).expect("value");
        (c.get(1).expect("tag"), c.get(2).expect("key"), value, false)
    });
    // A Hadoop-style site file lists many services' properties, the metastore's URL far
    // from its password: one that names another engine and PostgreSQL nowhere is that
    // engine's.
    let named_values = p.xml_name_value.captures_iter(text).map(|c| {
        (
            c.get(1).expect("tag"),
            c.get(2).expect("key"),
            c.get(3).expect("value"),
            true,
        )
    });
    for (tag, key, value, site_file) in element_values.chain(attribute_values).chain(named_values) {
        let key = lossy(key.as_bytes());
        let secret = lossy(value.as_bytes()).trim().to_string();
        // libpq's own variable (a launchd job's `<key>PGPASSWORD</key>`) names PostgreSQL
        // itself, whatever the lines around say.
        let libpqs_own = key.eq_ignore_ascii_case("PGPASSWORD");
        if !is_database_password_key(&key)
            || is_reference(&secret)
            || !(libpqs_own || context.configures_postgres_for(&key, tag.start()))
            || (site_file && context.names_only_another_engine())
        {
            continue;
        }
        found.push(setting(
            tag.start()..value.end(),
            format!("<{key}>****"),
            &secret,
        ));
    }
    // The call's text that names the host (up to the password, or on to the URL after
    // it), the call as shown, and the password.
    let calls = p
        .driver_call
        .captures_iter(text)
        .flat_map(|c| {
            let value = c.get(2).or_else(|| c.get(3)).expect("value").range();
            let call = c.get(1).expect("call").range();
            match alternative_argument_lists(p, text, &call, &value) {
                Some(lists) => lists,
                None => {
                    let value = password_after_a_table(p, text, &call, value);
                    let call_text = text[call.clone()].to_vec();
                    vec![(call.clone(), call_shown(&call_text), value, call_text)]
                }
            }
        })
        .chain(p.password_before_url.captures_iter(text).map(|c| {
            let value = c.get(2).or_else(|| c.get(3)).expect("value");
            let call = c.get(1).expect("call").as_bytes();
            let whole = c.get(0).expect("match").range();
            (
                whole.clone(),
                call_shown(call),
                value.range(),
                text[whole].to_vec(),
            )
        }))
        .chain(p.lisp_call.captures_iter(text).map(|c| {
            let call = c.get(1).expect("call").range();
            let value = c.get(2).expect("value").range();
            let call_text = text[call.clone()].to_vec();
            (call, call_shown(&call_text), value, call_text)
        }))
        .chain(
            contains_ignoring_case(text, b"luasql.postgres")
                .then(|| p.luasql_connect.captures_iter(text))
                .into_iter()
                .flatten()
                .map(|c| {
                    let value = c.get(2).or_else(|| c.get(3)).expect("value");
                    let shown = call_shown(c.get(1).expect("call").as_bytes());
                    let whole = c.get(0).expect("match").range();
                    (whole.clone(), shown, value.range(), text[whole].to_vec())
                }),
        )
        .chain(p.step_login.captures_iter(text).map(|c| {
            let keyword = lossy(c.get(1).expect("keyword").as_bytes());
            let shown = format!("{keyword} step (..., \"****\")");
            let call = c.get(2).expect("call").range();
            let value = c.get(3).expect("value").range();
            (call.clone(), shown, value, text[call].to_vec())
        }));
    for (call, shown, value, call_text) in calls {
        let (call_text, secret) = (call_text.as_slice(), lossy(&text[value.clone()]));
        // The call's own URL, or else the nearest address the code around it dials
        // (`.password("...")` before `.url("jdbc:postgresql://...")`).
        let dialled = match call_host(call_text) {
            Some(host) => is_password_word_to_an_address(&secret, &host, Syntax::Code),
            None => {
                super::detect::is_weak_enough_to_mean_it(&secret)
                    && context.dials_an_address_with(&secret, call.start, syntax)
            }
        };
        // A word examples use that is the database's own name (`"tbd"` to `.../tbd`) is
        // that name given as the password, not a stand-in.
        let names_its_database = is_placeholder(&secret)
            && call_database(call_text)
                .is_some_and(|database| database.eq_ignore_ascii_case(&secret));
        if (is_reference(&secret) && !dialled && !names_its_database)
            || !context.configures_postgres(call.start)
            || calls_another_engine(call_text)
            || masks_the_login(call_text)
            || super::inserted::is_inserted_row(text, call.start)
            || sets_an_encryptors_key(text, call.start)
        {
            continue;
        }
        let (range, mut d) = setting(call.start..call.end.max(value.end + 1), shown, &secret);
        // A call given its URL by a variable dials the host the code around it sets.
        d.local_default = is_weak_call_to_loopback(call_text, &secret)
            || (call_host(call_text).is_none()
                && context
                    .dialled_host_near(call.start)
                    .is_some_and(|host| super::detect::is_local_host(&host))
                && is_weak_for_a_quoted_user(call_text, &secret));
        found.push((range, d));
    }
    // A password's literal kept apart from its key: left in a comment after the
    // reference that replaced it, or a notebook's echo of the variable on the next line.
    let kept_apart: [(&Regex, ShownByKey); 2] = [
        (&p.replaced_literal, |_| {
            "password: ... // '****'".to_string()
        }),
        (&p.echoed_password, |name| {
            format!("{} (echoed) '****'", lossy(name))
        }),
    ];
    for (pattern, shown) in kept_apart {
        for c in pattern.captures_iter(text) {
            let key = c.get(1).expect("key");
            let value = c.get(2).or_else(|| c.get(3)).expect("value");
            let secret = lossy(value.as_bytes());
            if is_reference(&secret) || !context.configures_postgres(key.start()) {
                continue;
            }
            found.push(setting(
                key.start()..value.end() + 1,
                shown(key.as_bytes()),
                &secret,
            ));
        }
    }
    for c in p.devart_encrypted_password.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let Some(secret) = devart_decoded(value.as_bytes()) else {
            continue;
        };
        if is_reference(&secret) || !context.configures_postgres(key.start()) {
            continue;
        }
        found.push(setting(
            key.start()..value.end() + 1,
            "EncryptedPassword = '****' (decoded)".to_string(),
            &secret,
        ));
    }
    for c in p.scrubbed_setting.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let secret = lossy(value.as_bytes());
        if is_reference(&secret) || !context.configures_postgres(key.start()) {
            continue;
        }
        let name = key_shown(key.as_bytes());
        found.push(setting(
            key.start()..value.end(),
            format!("replace(\"{name}****\", ...)"),
            &secret,
        ));
    }
    for c in p.setdb_login.captures_iter(text) {
        let (host, login, value) = (
            c.get(1).expect("host"),
            c.get(2).expect("login"),
            c.get(3).expect("value"),
        );
        let secret = lossy(value.as_bytes());
        if is_reference(&secret) {
            continue;
        }
        // No host (`NULL`, `""`) is the local socket.
        let host = unquote(host.as_bytes());
        let host = match host.as_str() {
            "" | "NULL" | "nullptr" | "nil" | "None" => "localhost".to_string(),
            _ => host,
        };
        let login = unquote(login.as_bytes());
        let (range, mut d) = setting(
            c.get(0).expect("call").start()..value.end() + 1,
            "PQsetdbLogin(..., \"****\")".to_string(),
            &secret,
        );
        d.local_default = super::detect::is_local_default(&login, &secret, &host);
        found.push((range, d));
    }
    for c in p.encrypted_login.captures_iter(text) {
        let (call, value) = (c.get(1).expect("call"), c.get(2).expect("value"));
        let secret = lossy(value.as_bytes());
        if is_reference(&secret) {
            continue;
        }
        found.push(setting(
            call.start()..value.end(),
            "encrypt(url, user, \"****\")".to_string(),
            &secret,
        ));
    }
    // A literal a name before it gives the password: an enum's constant named for it
    // (`PASSWORD("...")`), or a variable set to an encryptor's ciphertext of it.
    let named_literals: [(&Regex, ShownByKey); 2] = [
        (&p.password_constant, |name| {
            format!("{}(\"****\")", lossy(name))
        }),
        (&p.encrypted_plaintext, |name| {
            format!("{}=encrypt(\"****\")", lossy(name))
        }),
    ];
    for (pattern, shown) in named_literals {
        for c in pattern.captures_iter(text) {
            let (name, value) = (c.get(1).expect("name"), c.get(2).expect("value"));
            let secret = lossy(value.as_bytes());
            if is_reference(&secret)
                || !context.configures_postgres(name.start())
                || names_another_engine(name.as_bytes())
            {
                continue;
            }
            found.push(setting(
                name.start()..value.end() + 1,
                shown(name.as_bytes()),
                &secret,
            ));
        }
    }
    for c in p.value_annotation.captures_iter(text) {
        let (value, field) = (c.get(1).expect("value"), c.get(2).expect("field"));
        let secret = lossy(value.as_bytes());
        let name = lossy(field.as_bytes());
        if is_reference(&secret)
            || !context.configures_postgres(value.start())
            || names_another_engine(field.as_bytes())
        {
            continue;
        }
        found.push(setting(
            value.start()..field.end(),
            format!("@Value(\"****\") {name}"),
            &secret,
        ));
    }
    for c in p.option_default.captures_iter(text) {
        let (name, value) = super::detect::matched_pair(&c, &[(1, 2), (3, 4)]);
        let secret = unquote(value.as_bytes());
        let shown = lossy(name.as_bytes());
        let plain = matches!(
            shown.to_ascii_lowercase().as_str(),
            "password" | "passwd" | "pass" | "pwd"
        );
        let named = super::detect::names_database_password(&shown.replace('-', "_"));
        if is_reference(&secret)
            || !(named || (plain && context.configures_postgres(name.start())))
            || names_another_engine(name.as_bytes())
        {
            continue;
        }
        found.push(setting(
            name.start()..value.end(),
            format!("--{shown} (default) ****"),
            &secret,
        ));
    }
    if syntax != Syntax::Code {
        for c in p.labelled_value.captures_iter(text) {
            let (label, value) = super::detect::matched_pair(
                &c,
                &[
                    (1, 2),
                    (3, 4),
                    (3, 5),
                    (6, 7),
                    (6, 8),
                    (6, 9),
                    (10, 11),
                    (12, 13),
                ],
            );
            let secret = lossy(value.as_bytes());
            if is_reference(&secret)
                || inside_a_code_span(text, label.start())
                || supposes(text, label.start())
                || beside_an_email_login(text, label.start())
                || heading_names_another_service(text, label.start())
                || sentence_names_another_service(text, label.start())
                || pairs_a_login(text, label.start()..value.end())
                || !context.configures_postgres(label.start())
            {
                continue;
            }
            let (range, mut d) = setting(
                label.start()..value.end(),
                format!("{} ****", lossy(label.as_bytes())),
                &secret,
            );
            // One a document says is for local use (`Dev password: `...` (only for local
            // testing)`): a local one. A default one is judged by the hosts the document
            // names, as a setting's is.
            d.local_default = context.says_it_is_for_local_use(label.start(), value.end());
            found.push((range, d));
        }
    }
    for c in p.element_label.captures_iter(text) {
        let (label, value) = (c.get(1).expect("label"), c.get(2).expect("value"));
        let secret = lossy(value.as_bytes());
        if is_reference(&secret)
            || beside_an_email_login(text, label.start())
            || !context.configures_postgres(label.start())
        {
            continue;
        }
        found.push(setting(
            label.start()..value.end(),
            format!("{}: ****", lossy(label.as_bytes())),
            &secret,
        ));
    }
    if syntax != Syntax::Code {
        for c in p.variable_table_row.captures_iter(text) {
            let name = c.get(1).or_else(|| c.get(2)).expect("name");
            let value = c.get(3).expect("value");
            // A cell's quoted empty string (`""`) is no value.
            let secret = unquote(value.as_bytes());
            let dialled = super::detect::is_weak_enough_to_mean_it(&secret)
                && context.dials_an_address_with(&secret, name.start(), syntax);
            if secret.is_empty()
                || !super::detect::names_database_password(&lossy(name.as_bytes()))
                || (is_reference(&secret) && !dialled)
                || !context.configures_postgres(name.start())
            {
                continue;
            }
            found.push(setting(
                name.start()..value.end(),
                format!("| {} | **** |", lossy(name.as_bytes())),
                &secret,
            ));
        }
        for c in p.login_pair.captures_iter(text) {
            let (label, user, value) = (
                c.get(1).expect("label"),
                c.get(2).expect("user"),
                c.get(3).expect("value"),
            );
            let secret = lossy(value.as_bytes());
            if is_reference(&secret)
                || supposes(text, label.start())
                || beside_an_email_login(text, label.start())
                || heading_names_another_service(text, label.start())
                || !context.names_postgres_just_above(label.start())
            {
                continue;
            }
            let (range, mut d) = setting(
                label.start()..value.end(),
                format!("{} ... / ****", lossy(label.as_bytes())),
                &secret,
            );
            // A default or the user's own is a local set-up's, unless a public address
            // is dialled beside it (judged for every setting after).
            d.local_default = super::detect::is_weak_for(&lossy(user.as_bytes()), &secret);
            found.push((range, d));
        }
    }
    for c in p.login_under_url.captures_iter(text) {
        let (url, user, value) = (
            c.get(1).expect("url"),
            c.get(2).expect("user"),
            c.get(3).expect("value"),
        );
        let secret = lossy(value.as_bytes());
        if is_reference(&secret) {
            continue;
        }
        let (range, mut d) = setting(
            user.start()..value.end(),
            "login under its URL: ... / ****".to_string(),
            &secret,
        );
        let host = call_host(url.as_bytes()).unwrap_or_default();
        d.local_default = super::detect::is_local_default(&lossy(user.as_bytes()), &secret, &host);
        found.push((range, d));
    }
    for c in p.command_option.captures_iter(text) {
        let (option, value) = (c.get(1).expect("option"), c.get(2).expect("value"));
        let shown = lossy(option.as_bytes()).trim_end().to_string();
        let secret = option_password(&shown, value.as_bytes());
        // `--set redis.auth.password=...` beside PostgreSQL's is Redis's; so is a
        // command's for another engine (Airflow's `connections add ... --conn-type mssql
        // ... --conn-password ...` beside a PostgreSQL connection's).
        let command = &text[continued_command(text, option.start())];
        if is_reference(&secret)
            || runs_a_program_with_its_own_logins(command)
            || !context.configures_postgres(option.start())
            || names_another_engine(shown.as_bytes())
            || (names_another_engine(command) && !p.postgres.is_match(command))
            || lists_an_option(text, option.start(), value.end())
        {
            continue;
        }
        let separator = if shown.ends_with('=') { "" } else { " " };
        let (range, mut d) = setting(
            option.start()..value.end(),
            format!("{shown}{separator}****"),
            &secret,
        );
        // Helm installing a PostgreSQL chart (`helm upgrade --install pg
        // bitnami/postgresql --set auth.postgresPassword=...`) sets the password of the
        // database it starts in the cluster: a default one there is that set-up's, as the
        // official image's is in a compose file.
        d.local_default = d.default_password
            && shown.starts_with("--set")
            && p.helm_postgres_install.is_match(command);
        found.push((range, d));
    }
    for c in p.jdbc_tool_password.captures_iter(text) {
        let (option, value) = (c.get(1).expect("option"), c.get(2).expect("value"));
        let secret = unquote(value.as_bytes());
        let command = &text[continued_command(text, option.start())];
        let osm2pgrouting = contains_ignoring_case(command, b"osm2pgrouting");
        let short = option.as_bytes().starts_with(b"-W");
        // `--password=...` is the command options' reader's, with its own exclusions (a
        // usage listing): read here only the forms it leaves.
        if is_reference(&secret)
            || !(osm2pgrouting || (!short && contains_ignoring_case(command, b"jdbc:postgresql:")))
            || p.command_option
                .is_match(&text[option.start().saturating_sub(1)..value.end()])
        {
            continue;
        }
        let shown = lossy(option.as_bytes()).trim_end().to_string();
        let separator = if shown.ends_with('=') { "" } else { " " };
        found.push(setting(
            option.start()..value.end(),
            format!("{shown}{separator}****"),
            &secret,
        ));
    }
    for c in p.struct_tag_example.captures_iter(text) {
        let (field, value) = (c.get(1).expect("field"), c.get(2).expect("example"));
        let secret = lossy(value.as_bytes());
        if is_reference(&secret)
            || is_placeholder(&secret)
            || !context.configures_postgres(field.start())
        {
            continue;
        }
        found.push(setting(
            field.start()..value.end(),
            format!("{} example:\"****\"", lossy(field.as_bytes())),
            &secret,
        ));
    }
    for c in p.config_set.captures_iter(text) {
        let (name, value) = (c.get(1).expect("name"), c.get(2).expect("value"));
        let secret = unquote(value.as_bytes());
        let shown = lossy(name.as_bytes());
        if !super::detect::names_database_password(&shown) || is_reference(&secret) {
            continue;
        }
        found.push(setting(
            name.start()..value.end(),
            format!("config set {shown} ****"),
            &secret,
        ));
    }
    found.extend(password_column(text, context));
    for c in p
        .env_pair
        .captures_iter(text)
        .chain(p.named_value.captures_iter(text))
    {
        let (pair, name, value) = (
            c.get(1).expect("pair"),
            c.get(2).expect("name"),
            c.get(3).expect("value"),
        );
        let secret = unquote(value.as_bytes());
        let plain = matches!(
            lossy(name.as_bytes()).to_ascii_lowercase().as_str(),
            "password" | "passwd" | "pwd"
        );
        let database_name = (p.database_name.is_match(name.as_bytes())
            || super::detect::names_database_password(&lossy(name.as_bytes())))
            && !plain;
        if is_reference(&secret)
            || !(database_name || (plain && context.configures_postgres(pair.start())))
        {
            continue;
        }
        found.push((
            pair.start()..value.end(),
            detection(
                Kind::PasswordVariable,
                pair.start(),
                format!("{}=****", lossy(name.as_bytes())),
                &secret,
            ),
        ));
    }
    for c in p.hcl_set.captures_iter(text) {
        let (pair, name, value) = (
            c.get(1).expect("pair"),
            c.get(2).expect("name"),
            c.get(3).expect("value"),
        );
        let secret = unquote(value.as_bytes());
        let shown = lossy(name.as_bytes());
        if is_reference(&secret)
            || !is_database_password_key(&shown)
            || names_another_engine(name.as_bytes())
            || !context.configures_postgres(pair.start())
        {
            continue;
        }
        found.push(setting(
            pair.start()..value.end(),
            format!("set {shown}=****"),
            &secret,
        ));
    }
    for c in p
        .keyword_key
        .captures_iter(text)
        .chain(p.nested_password.captures_iter(text))
    {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        let secret = unquote(value.as_bytes());
        let name = key_shown(key.as_bytes());
        if is_reference(&secret) || !context.configures_postgres(key.start()) {
            continue;
        }
        found.push(setting(
            key.start()..value.end(),
            format!("{name}****"),
            &secret,
        ));
    }
    let not_as_written = merged(not_as_written);
    found.retain(|(range, d)| {
        d.kind == Kind::KubernetesSecret || !covers(&not_as_written, range.start)
    });
}

/// Ranges sorted and merged where they overlap, so that whether a position lies in one
/// is a binary search (a Secret may hold thousands of values).
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Whether `at` lies in one of the sorted, disjoint `ranges`.
fn covers(ranges: &[Range<usize>], at: usize) -> bool {
    let after = ranges.partition_point(|r| r.start <= at);
    after > 0 && ranges[after - 1].contains(&at)
}

/// The byte ranges of the YAML blocks under these keys (`data:` alone on its line, and
/// the lines indented deeper below it), in order and disjoint.
fn blocks(text: &[u8], keys: &[&[u8]]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive(|b| *b == b'\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_ascii_end();
        if body.is_empty() {
            continue;
        }
        let indent = body.iter().take_while(|b| **b == b' ').count();
        if let Some((key_indent, block_start)) = open {
            if indent > key_indent {
                continue;
            }
            out.push(block_start..start);
            open = None;
        }
        let rest = &body[indent..];
        if keys
            .iter()
            .any(|key| rest.strip_prefix(*key) == Some(b":".as_slice()))
        {
            open = Some((indent, offset));
        }
    }
    if let Some((_, block_start)) = open {
        out.push(block_start..text.len());
    }
    out
}

/// The base64 values of a Kubernetes Secret's `data:` blocks, decoded: a password key
/// next to PostgreSQL settings, or a value that is itself a credential (a
/// `DATABASE_URL`); and the range of every value that decoded, credential or not.
fn kubernetes_secret_data(
    text: &[u8],
    data: &[Range<usize>],
    context: &mut Context,
) -> (Found, Vec<Range<usize>>) {
    let p = patterns();
    let mut found = Vec::new();
    let mut decoded_values = Vec::new();
    let named_for_database = p.secret_named_for_database.is_match(text);
    for c in p.secret_data.captures_iter(text) {
        let (key, value) = (c.get(1).expect("key"), c.get(2).expect("value"));
        if !covers(data, key.start()) {
            continue;
        }
        let Some(decoded) = base64::engine::general_purpose::STANDARD
            .decode(value.as_bytes())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            continue;
        };
        let decoded = decoded.trim_end_matches('\n');
        if decoded.chars().any(char::is_control) {
            continue;
        }
        decoded_values.push(key.start()..value.end());
        let name = lossy(key.as_bytes());
        // In a Secret named for a database, a key named for the superuser holds its
        // password (`postgres: <base64>`), as a `.pgpass` or userlist pairs them.
        let password_key = name.to_ascii_lowercase().ends_with("password")
            || name.to_ascii_lowercase().ends_with("passwd")
            || super::detect::names_database_password(&name)
            || (named_for_database && name == "postgres");
        let inner = super::detect::detect(decoded.as_bytes(), Syntax::Config);
        let redacted = if let Some(first) = inner.first() {
            format!("{name}: {} (base64)", first.redacted)
        } else if password_key
            && !is_placeholder(decoded)
            && (p.database_name.is_match(key.as_bytes())
                || named_for_database
                || context.configures_postgres(key.start()))
        {
            format!("{name}: **** (base64)")
        } else {
            continue;
        };
        found.push((
            key.start()..value.end(),
            detection(Kind::KubernetesSecret, key.start(), redacted, decoded),
        ));
    }
    (found, decoded_values)
}

/// Whether a driver call's password, read with the arguments before it, is a local set-up's:
/// the call's URL is this machine's or a container's beside it
/// (`jdbc:postgresql://localhost:5432/shop`, `jdbc:postgresql://172.17.0.2/shop`, or no
/// host at all, `jdbc:postgresql:shop`) and the password is a default or its user's own
/// (`fromDriverManager(..., "shop", "shop")`).
pub(super) fn is_weak_call_to_loopback(call: &[u8], password: &str) -> bool {
    (patterns().loopback_url.is_match(call)
        || call_host(call).is_some_and(|host| super::detect::is_local_host(&host)))
        && is_weak_for_a_quoted_user(call, password)
}

/// Whether a password is weak for a user a call is given quoted (`getConnection(url,
/// "postgres", "postgres")`).
fn is_weak_for_a_quoted_user(call: &[u8], password: &str) -> bool {
    patterns()
        .quoted_argument
        .captures_iter(call)
        .any(|c| super::detect::is_weak_for(&lossy(&c[1]), password))
}

/// The host of the URL a driver call is given (`Sql.newInstance("jdbc:postgresql://
/// 192.168.9.119:5432/pm", ...)` dials `192.168.9.119`), or of the `host:port` it is
/// given as its first argument (ClickHouse's `PostgreSQL('db:5432', ...)`), if it is
/// given one literally.
pub(super) fn call_host(call: &[u8]) -> Option<String> {
    // A URL commented out on a line before the live one (`( // "jdbc:postgresql://
    // old-host/db",`) is not the call's.
    let code: Vec<u8> = call
        .split(|&b| b == b'\n')
        .flat_map(|line| super::detect::code_of(line).into_iter().chain([b'\n']))
        .collect();
    let text = lossy(&code);
    let Some((_, after)) = text.split_once("://") else {
        return dsn_host(&text)
            .or_else(|| address_argument(&text))
            .or_else(|| luasql_host(&text));
    };
    let host: String = after
        .chars()
        .take_while(|c| !matches!(c, ':' | '/' | '?' | '"' | '\'' | ','))
        .collect();
    (!host.is_empty()).then_some(host)
}

/// Where a driver call's password is: the string the call pattern took, or the one
/// closing the call after it when the URL is followed by a table, then the login
/// (`read(s"jdbc:postgresql://...", "table", "user", "...")`); a driver's class name
/// last (Groovy's `Sql.newInstance(url, "user", "...", "org.postgresql.Driver")`) is
/// not a password.
fn password_after_a_table(
    p: &Patterns,
    text: &[u8],
    call: &Range<usize>,
    value: Range<usize>,
) -> Range<usize> {
    let opens_with_the_url = text[call.clone()]
        .windows(b"jdbc:postgresql://".len())
        .position(|w| w == b"jdbc:postgresql://")
        .is_some_and(|at| !text[call.start..call.start + at].contains(&b','));
    let last = p
        .trailing_argument
        .captures(&text[value.end + 1..])
        .map(|c| c.get(1).expect("argument"));
    match last {
        Some(last) if opens_with_the_url && !last.as_bytes().ends_with(b"Driver") => {
            value.end + 1 + last.start()..value.end + 1 + last.end()
        }
        _ => value,
    }
}

/// A driver call as read: its range, as shown, the password's range and the call's text.
type CallRead = (Range<usize>, String, Range<usize>, Vec<u8>);

/// A call whose live arguments follow commented-out ones, a server swapped for another
/// (`.getConnection(` then `// "jdbc:postgresql://4.1.2.3/x", // "x", // "..."` then
/// `"jdbc:postgresql://localhost/x", "postgres", "..."`): each list read as its own
/// call, the other's lines blanked, so each password is judged by its own URL.
fn alternative_argument_lists(
    p: &Patterns,
    text: &[u8],
    call: &Range<usize>,
    value: &Range<usize>,
) -> Option<Vec<CallRead>> {
    let end = (value.end + 1).min(text.len());
    let region = &text[call.start..end];
    let first_break = region.iter().position(|&b| b == b'\n')?;
    let (mut commented, mut live) = (region.to_vec(), region.to_vec());
    let (mut any_commented, mut any_live) = (false, false);
    let mut start = first_break + 1;
    for line in region[start..].split(|&b| b == b'\n') {
        let holds_an_argument = line.iter().any(|&b| b == b'"' || b == b'\'');
        let is_comment = line.trim_ascii_start().starts_with(b"//");
        any_commented |= is_comment && holds_an_argument;
        any_live |= !is_comment && holds_an_argument;
        let view = if is_comment {
            &mut live
        } else {
            &mut commented
        };
        view[start..start + line.len()].fill(b' ');
        start += line.len() + 1;
    }
    if !(any_commented && any_live) {
        return None;
    }
    let lists: Vec<_> = [commented, live]
        .iter()
        .filter_map(|view| {
            let c = p.driver_call.captures(view)?;
            let at = c.get(1)?.range();
            let value = c.get(2).or_else(|| c.get(3))?.range();
            let call_text = view[at.clone()].to_vec();
            Some((
                call.start + at.start..call.start + at.end,
                call_shown(&call_text),
                call.start + value.start..call.start + value.end,
                call_text,
            ))
        })
        .collect();
    (!lists.is_empty()).then_some(lists)
}

/// The host LuaSQL's `env:connect("db", "user", "...", "host")` is given: its fourth
/// argument, if it is given one literally.
fn luasql_host(call: &str) -> Option<String> {
    if !call.contains(":connect") {
        return None;
    }
    let host = patterns()
        .quoted_argument
        .captures_iter(call.as_bytes())
        .nth(3)?;
    Some(lossy(&host[1]))
}

/// The `host` field of a data source name a call is given, PHP's PDO
/// (`new PDO('pgsql:host=db-1.acme.io;dbname=shop', ...)`) or Perl's DBI
/// (`"dbi:Pg:dbname=shop;host=10.0.4.7"`).
fn dsn_host(call: &str) -> Option<String> {
    let dsn = patterns().dsn_host.captures(call.as_bytes())?;
    let host = lossy(&dsn[1]);
    (!host.is_empty()).then_some(host)
}

/// The host of a call's first argument when it is a quoted `host:port` and nothing
/// else (`'pg.acme.io:5432'`).
fn address_argument(call: &str) -> Option<String> {
    let argument = patterns().quoted_argument.captures(call.as_bytes())?;
    let (host, port) = lossy(&argument[1])
        .split_once(':')
        .map(|(h, p)| (h.to_string(), p.to_string()))?;
    let named = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    (named(&host) && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(host)
}

/// The database of the URL a driver call is given (`new Sql2o("jdbc:postgresql://
/// 10.0.0.5:5432/tbd", ...)` opens `tbd`), if it is given one literally.
fn call_database(call: &[u8]) -> Option<String> {
    let text = lossy(call);
    let (_, after) = text.split_once("://")?;
    let host_end = after
        .find([':', '/', '?', '"', '\'', ','])
        .unwrap_or(after.len());
    super::detect::uri_database(&after.as_bytes()[host_end..])
}

/// Whether a value is its key's name under a prefix, as the keys beside it are (a
/// template's `password: harbor_db_password` below `host: harbor_db_host`): the name
/// of what goes there, not a value.
fn names_its_slot(text: &[u8], at: usize, key: &str, value: &str) -> bool {
    let slot = |key: &str, value: &str| {
        let key = key.trim_end_matches([':', '=', ' ']).to_ascii_lowercase();
        !key.is_empty()
            && value
                .to_ascii_lowercase()
                .strip_suffix(key.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('_'))
    };
    if !slot(key, value) {
        return false;
    }
    let start = text[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let mut before = text[..start].split(|&b| b == b'\n').rev().skip(1).take(6);
    before.any(|line| {
        let body = super::detect::comment_body(line).unwrap_or(line);
        let body = lossy(body);
        let body = body.trim_start_matches([' ', '\t', '-']);
        body.split_once([':', '='])
            .is_some_and(|(k, v)| slot(k.trim(), v.trim().trim_matches(['"', '\''])))
    })
}

/// How a finding is shown, given the key it was read by (`password (echoed) '****'`).
type ShownByKey = fn(&[u8]) -> String;

/// A command option's password: Helm's `--set` (and `--set-string`) takes several
/// `key=value` pairs apart by commas, so its unquoted value ends at the first comma
/// (`--set auth.postgresPassword=...,auth.database=mydb`); any other option's value is
/// the whole word, unquoted.
fn option_password(option: &str, value: &[u8]) -> String {
    let quoted = value.first().is_some_and(|b| matches!(b, b'"' | b'\''));
    if option.starts_with("--set") && !quoted {
        let end = value.iter().position(|&b| b == b',').unwrap_or(value.len());
        return lossy(&value[..end]);
    }
    unquote(value)
}

/// A password setting's finding over `range` (it starts where the range does), shown as
/// `shown`.
fn setting(range: Range<usize>, shown: String, secret: &str) -> (Range<usize>, Detection) {
    let start = range.start;
    (
        range,
        detection(Kind::PasswordSetting, start, shown, secret),
    )
}

/// The password a Devart component's `EncryptedPassword` holds: each character a UTF-16
/// code unit, its bits inverted, written as four hex digits low byte first (`CCFF` is
/// `3`). An encoding anyone can reverse, so the password is as good as written out;
/// `None` where the digits do not decode to printable characters.
fn devart_decoded(hex: &[u8]) -> Option<String> {
    let digit = |b: u8| (b as char).to_digit(16);
    let units: Option<Vec<u16>> = hex
        .chunks(4)
        .map(|unit| {
            let byte = |i: usize| Some(digit(unit[i])? * 16 + digit(unit[i + 1])?);
            let (low, high) = (byte(0)?, byte(2)?);
            Some(!((high << 8 | low) as u16))
        })
        .collect();
    let decoded = String::from_utf16(&units?).ok()?;
    let printable =
        |c: char| c.is_ascii_graphic() || c == ' ' || (!c.is_ascii() && c.is_alphanumeric());
    (!decoded.is_empty() && decoded.chars().all(printable)).then_some(decoded)
}

/// Whether a password option is a usage listing's, not a command's: the option opens its
/// line (a comment's too), no command before it on a line a backslash continues, and
/// words of description follow its "value" (a script's header lists the option, then
/// says in words what it takes), where a command would go on with another option or end.
fn lists_an_option(text: &[u8], option: usize, value_end: usize) -> bool {
    const REACH: usize = 256;
    let Some(line_start) = nearby_line_start(text, option) else {
        return false;
    };
    let opens_line = text[line_start..option]
        .iter()
        .all(|b| b.is_ascii_whitespace() || matches!(b, b'#' | b'/' | b'*'));
    let continued = line_start >= 2 && {
        let above = text[..line_start - 1].trim_ascii_end();
        above.ends_with(b"\\")
    };
    let line_end = text[value_end..]
        .iter()
        .take(REACH)
        .position(|b| *b == b'\n')
        .map_or(text.len().min(value_end + REACH), |at| value_end + at);
    let rest = text[value_end..line_end].trim_ascii();
    let described = rest
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'(')
        && rest.contains(&b' ');
    opens_line && !continued && !text[option..value_end].contains(&b'=') && described
}

/// Whether a quoted-value match is a key set to a literal, not a path in code: a key
/// after `::` (`Kind::Pgpassword => "..."`) is a path, and in code `=>` sets a key only
/// when the key is a symbol or quoted (`:password => '...'`, `'password' => '...'`) or
/// a bare word that begins its line, as a Perl hash's or an Erlang map's entries do
/// (`password => "..."`; a JavaScript arrow function is no line's start); in
/// configuration a bare key may (Logstash's `jdbc_password => "..."`).
fn is_key_in_a_literal(text: &[u8], key: regex::bytes::Match, syntax: Syntax) -> bool {
    let start = key.start();
    let after_path = start >= 1 && text[start - 1] == b':' && key.as_bytes().first() == Some(&b':')
        || start >= 2 && &text[start - 2..start] == b"::";
    let arrow = key.as_bytes().windows(2).any(|w| w == b"=>");
    let symbol_or_quoted = matches!(key.as_bytes().first(), Some(b':' | b'"' | b'\''));
    let begins_line = || {
        nearby_line_start(text, start).is_some_and(|line_start| {
            text[line_start..start]
                .iter()
                .all(|b| *b == b' ' || *b == b'\t')
        })
    };
    !after_path && (!arrow || symbol_or_quoted || syntax != Syntax::Code || begins_line())
}

/// Where the line holding `at` starts, read back at most `HEAD` bytes, so that a long
/// line of matches costs no more per match; `None` when it starts further back.
fn nearby_line_start(text: &[u8], at: usize) -> Option<usize> {
    let from = at.saturating_sub(HEAD);
    text[from..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map(|i| from + i + 1)
        .or((at <= HEAD).then_some(0))
}

/// The commands that keep logins of their own, whose password options set those: Argo
/// CD's (`argocd account update-password --current-password ...`), a registry's (`docker
/// login --password ...`, `helm registry login`), Grafana's and RabbitMQ's admin
/// tools', `htpasswd`'s and a keystore's. Prose about PostgreSQL around such a command
/// does not make its password the database's.
const PROGRAMS_WITH_OWN_LOGINS: &[&str] = &[
    "argocd ",
    "docker login ",
    "podman login ",
    "nerdctl login ",
    "oras login ",
    "skopeo login ",
    "helm registry login ",
    "helm repo add ",
    "grafana-cli ",
    "grafana cli ",
    "rabbitmqctl ",
    "htpasswd ",
    "keytool ",
];

/// Whether a command runs one of `PROGRAMS_WITH_OWN_LOGINS`, after a prompt, `sudo` or
/// the backtick that opens a document's inline code.
fn runs_a_program_with_its_own_logins(command: &[u8]) -> bool {
    let mut start = command.trim_ascii_start();
    for prefix in [&b"$ "[..], b"`", b"sudo "] {
        start = start
            .strip_prefix(prefix)
            .unwrap_or(start)
            .trim_ascii_start();
    }
    PROGRAMS_WITH_OWN_LOGINS.iter().any(|program| {
        start
            .get(..program.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(program.as_bytes()))
    })
}

/// The command holding `at`: its line with the lines a trailing `\\` joins to it, before
/// and after, each way read at most `COMMAND_REACH` bytes.
pub(super) fn continued_command(text: &[u8], at: usize) -> Range<usize> {
    const COMMAND_REACH: usize = 2048;
    let continues = |line_end: usize| text[..line_end].trim_ascii_end().ends_with(b"\\");
    let floor = at.saturating_sub(COMMAND_REACH);
    let mut start = text[floor..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(floor, |i| floor + i + 1);
    while start > floor && continues(start - 1) {
        start = text[floor..start - 1]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(floor, |i| floor + i + 1);
    }
    let ceiling = text.len().min(at + COMMAND_REACH);
    let mut end = at;
    loop {
        end = text[end..ceiling]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(ceiling, |i| end + i);
        if end >= ceiling || !continues(end) {
            return start..end;
        }
        end += 1;
    }
}

/// Whether `needle` (lowercase ASCII) occurs in `haystack`, letters in any case.
pub(super) fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether a key names a database's password: its last dotted part is `password`,
/// `passwd`, `pwd` or `pass` alone or after a database word (`db_password`, `dbPassword`,
/// `master_password`), and no part names another service (`spring.mail.password`,
/// `ssl.key-password`, `redis_password` are not a database's).
pub(super) fn is_database_password_key(shown: &str) -> bool {
    // The word for a password, its common misspellings (`passowrd`, `pasword`,
    // `passwrod`), which name the same setting in code that runs, and its translations.
    const ALONE: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        // The word shortened further (`String pw = "..."` beside a JDBC URL).
        "pw",
        "passowrd",
        "pasword",
        "passwrod",
        // The word in the languages code is written in: Portuguese, Spanish, German,
        // Dutch, Polish, Turkish, Russian, French (`String senha = "..."`).
        "senha",
        // Spanish's other word for it (`private String clave = "..."`).
        "clave",
        "contraseña",
        "contrasena",
        "passwort",
        "wachtwoord",
        "hasło",
        "haslo",
        "şifre",
        "sifre",
        "пароль",
        "motdepasse",
    ];
    const DATABASE_WORDS: &[&str] = &[
        "db",
        "database",
        "pg",
        "postgres",
        "postgresql",
        "master",
        "jdbc",
        "connection",
        // A data source's, as Spring and JNDI name the pool (`DEV_DATASOURCE_PASSWORD`).
        "datasource",
        // Haskell's postgresql-simple: `ConnectInfo { connectPassword = "..." }`.
        "connect",
        // The services that host only PostgreSQL: `NILE_PASSWORD`, `NEON_PASSWORD`.
        "nile",
        "neon",
        "nhost",
        "xata",
        "crunchy",
    ];
    const OTHER_SERVICES: &[&str] = &[
        "mail",
        "smtp",
        "redis",
        "mysql",
        "mongo",
        "ldap",
        "rabbit",
        "amqp",
        "kafka",
        "keystore",
        "truststore",
        "ssl",
        "proxy",
        "jwt",
        "api",
        "admin",
        "user",
        "new",
        "old",
        "confirm",
        "reset",
        "current",
    ];
    let key = shown.trim_end_matches([':', '=', ' ']).to_ascii_lowercase();
    let last = key.rsplit(['.', ':']).next().unwrap_or("");
    let flat: String = last.chars().filter(|c| c.is_alphanumeric()).collect();
    let Some(prefix) = ALONE.iter().find_map(|word| flat.strip_suffix(word)) else {
        return false;
    };
    // A database word then the role it is for (`postgresql_admin_password`,
    // `pgReplicationPassword`): the role is the database's, not another service's.
    const ROLE_WORDS: &[&str] = &[
        "admin",
        "root",
        "superuser",
        "owner",
        "app",
        "user",
        "replication",
        "migrator",
        "readonly",
    ];
    let database_role = DATABASE_WORDS.iter().any(|word| {
        prefix
            .strip_prefix(word)
            .is_some_and(|role| ROLE_WORDS.contains(&role))
    });
    let others = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| !database_role || !ROLE_WORDS.contains(part))
        .any(|part| OTHER_SERVICES.iter().any(|o| part.starts_with(o)));
    // The roles PostgreSQL's own tools log in as: Pgpool-II's streaming-replication and
    // health checks (`sr_check_password`, `health_check_password`), a replica's.
    const POSTGRES_TOOL_ROLES: &[&str] = &["srcheck", "healthcheck", "recovery", "replication"];
    // An application's name, then a database word (`inventory_db_password`,
    // `ordersDbPassword`, MediaWiki's `$wgDBpassword`): the word right before the
    // password's is the database's.
    let last_shown = shown
        .trim_end_matches([':', '=', ' '])
        .rsplit(['.', ':'])
        .next()
        .unwrap_or("");
    let before_password = ALONE.iter().find_map(|word| {
        let cut = last_shown.len().checked_sub(word.len())?;
        (last_shown.is_char_boundary(cut) && last_shown[cut..].eq_ignore_ascii_case(word))
            .then(|| &last_shown[..cut])
    });
    let words = super::placeholder::words_of(before_password.unwrap_or(""));
    let after_database_word = words.len() >= 2
        && words
            .last()
            .is_some_and(|w| DATABASE_WORDS.contains(&w.as_str()));
    !others
        && (prefix.is_empty()
            || DATABASE_WORDS.contains(&prefix)
            || database_role
            || after_database_word
            || POSTGRES_TOOL_ROLES.contains(&prefix))
}

/// The prefix of a password's name, flattened (`targetPass` and `TARGET_PASSWORD` are
/// `target`), if it has one before a word for password.
fn password_name_prefix(name: &str) -> Option<String> {
    let last = name
        .trim_end_matches([':', '=', ' '])
        .rsplit(['.', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ["password", "passwd", "pass", "pwd"]
        .iter()
        .find_map(|word| last.strip_suffix(word))
        .and_then(flat_prefix)
}

/// A name's prefix flattened to its letters and digits, lower case (`target_`,
/// `Target-` are `target`); `None` where none is left.
fn flat_prefix(prefix: &str) -> Option<String> {
    let flat: String = prefix
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    (!flat.is_empty()).then_some(flat)
}

/// Whether a key names an administrator's password (`administrator_password`,
/// `admin_password`, `master_user_password`): a database's inside a block that names
/// PostgreSQL (Azure's and AWS's PostgreSQL servers), another service's elsewhere.
fn is_administrator_password_key(shown: &str) -> bool {
    let key = shown.trim_end_matches([':', '=', ' ']).to_ascii_lowercase();
    let last = key.rsplit('.').next().unwrap_or("");
    let flat: String = last.chars().filter(|c| c.is_alphanumeric()).collect();
    matches!(
        flat.as_str(),
        "adminpassword"
            | "administratorpassword"
            | "administratorloginpassword"
            | "masteruserpassword"
            | "rootpassword"
            | "superuserpassword"
    )
}

/// Whether a key names the administrator's password of a cloud's database server, and
/// only that (Azure's `administrator_password`, `administrator_login_password`, AWS's
/// `master_user_password`): a variables file (`terraform.tfvars`) sets it with no block
/// around it, beside the server's other settings (`postgresql_version = "15"`).
fn is_server_administrator_password_key(shown: &str) -> bool {
    let key = shown.trim_end_matches([':', '=', ' ']).to_ascii_lowercase();
    let flat: String = key.chars().filter(|c| c.is_alphanumeric()).collect();
    matches!(
        flat.as_str(),
        "administratorpassword" | "administratorloginpassword" | "masteruserpassword"
    )
}

/// Whether a key names a password only by the block it sits in: dbt's profiles name it
/// `pass:` under `type: postgres`, Ansible's PostgreSQL modules `login_password:` under
/// `postgresql_query:` (elsewhere either is any service's login).
fn is_block_password_key(shown: &str) -> bool {
    matches!(
        shown
            .trim_end_matches([':', '=', ' '])
            .trim_matches(['"', '\'']),
        "pass" | "login_password"
    )
}

/// Whether a labelled value is the user of a login given as the user and the password
/// apart by a slash (`user/password: `app` / `...``): the login reader's, whose value
/// is the second.
fn pairs_a_login(text: &[u8], label: Range<usize>) -> bool {
    let line_start = text[..label.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let start = line_start.max(label.start.saturating_sub(40));
    let end = text[label.end..]
        .iter()
        .take(80)
        .position(|&b| b == b'\n')
        .map_or((label.end + 80).min(text.len()), |i| label.end + i);
    patterns().login_pair.is_match(&text[start..end])
}

/// A driver call as shown in a finding: its method, with the password's place masked
/// (`getConnection(..., "****")`, `PDO(..., "****")`, `password("****")`).
fn call_shown(call: &[u8]) -> String {
    let text = lossy(call);
    let name: String = text
        .trim_start_matches('.')
        .trim_start_matches("new")
        .trim_start()
        .chars()
        // A method keeps its object's name (`Database.connect`, `SecretValue.plainText`,
        // Lua's `env:connect`).
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':'))
        .collect();
    let name = name.trim_end_matches('.');
    let open = text.trim_end();
    if open.ends_with("Some(") {
        format!("{name}(Some(\"****\"))")
    } else if open.ends_with('(') {
        format!("{name}(\"****\")")
    } else if !name.is_empty() && !open.contains('(') {
        // A function applied without parentheses (F#'s `Sql.password "..."`).
        format!("{name} \"****\"")
    } else {
        format!("{name}(..., \"****\")")
    }
}

/// Whether a quoted key's value is psql's variable in an SQL statement setting a role's
/// password (`ALTER ROLE postgres PASSWORD :'admin';` reads the variable `admin`): the
/// keyword, then a space and the colon that interpolates.
fn is_psql_variable(text: &[u8], key: Range<usize>) -> bool {
    let shown = &text[key.clone()];
    let line_start = text[..key.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    shown.ends_with(b":")
        && shown[..shown.len() - 1].ends_with(b" ")
        && patterns()
            .role_statement
            .is_match(&text[line_start..key.start + 1])
}

/// Whether a value is a YAML tag that makes it a reference (`!secret pg_password`,
/// `!Ref DbPassword`, `!vault |`, `!ENV ${PGPASSWORD}`), not a password that opens with
/// `!` (`!QAZ@WSX`, `!Passw0rd`): the tag's name is letters, then the tag's argument
/// after a space, or nothing.
fn is_yaml_tag(value: &str) -> bool {
    value.strip_prefix('!').is_some_and(|rest| {
        let rest = rest.strip_prefix('!').unwrap_or(rest);
        let name = rest.split(char::is_whitespace).next().unwrap_or_default();
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || matches!(b, b':' | b'.'))
    })
}

/// Whether a value is a reference to a secret kept elsewhere, not the secret: a
/// placeholder or variable, a YAML tag (`!secret x`, `!Ref`, `!vault`) or alias
/// (`*db_password`), ERB, a lookup (`ENV["X"]`, `getenv(...)`, `secrets.X`, Yesod's
/// `_env:X:...`, Terraform's `var.x`), an encrypted value (`ENC(...)`) or a PostgreSQL
/// verifier (`md5...`, `SCRAM-SHA-256$...`: what the server stores, not the password),
/// or the path of a file that holds it.
pub(super) fn is_reference(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    is_placeholder(value)
        || super::detect::is_verifier(value.trim())
        || is_concatenation(value)
        || is_yaml_tag(value.trim())
        || lower.starts_with("<%")
        || lower.starts_with("env.fetch")
        || lower.contains("getenv(")
        || lower.starts_with("secrets.")
        // Yesod's settings (`"_env:PGPASS:..."`): the variable's value, its default after
        // the second colon read by the fallbacks' rule.
        || lower.starts_with("_env:")
        // Terraform's references, whatever the file (`var.db_password`,
        // `random_password.db.result`, `module.db.password`).
        || (is_dotted_reference(value.trim())
            && ["var.", "local.", "module.", "data.", "each.", "random_password."]
                .iter()
                .any(|root| lower.starts_with(root)))
        || patterns().resource_reference.is_match(value.trim().as_bytes())
        || is_call(&lower)
        // A driver's class (`org.postgresql.Driver`, `com.mysql.cj.jdbc.Driver`): the
        // argument beside a login, not one.
        || (is_dotted_reference(value.trim())
            && lower.contains('.')
            && (lower.ends_with(".driver") || lower.ends_with("datasource")))
        // Jasypt's encrypted values, `ENC(...)`; Datadog's secret handles and
        // hiera-eyaml's encrypted values, `ENC[...]`.
        || (lower.starts_with("enc(") && lower.ends_with(')'))
        || (lower.starts_with("enc[") && lower.ends_with(']'))
        // PowerShell's prompt and secret cmdlets: `Read-Host "..." -AsSecureString`.
        || ["read-host", "get-credential", "get-secret", "convertto-securestring"]
            .iter()
            .any(|cmdlet| lower == *cmdlet || lower.starts_with(&format!("{cmdlet} ")))
        || is_file_path(&lower)
        || names_a_stored_secret(&lower)
        // The variable Jenkins binds a username-and-password credential's password to
        // (`DB = credentials('id')` sets `DB_USR` and `DB_PSW`): `EMAIL_DB_CREDS_PSW`.
        || is_jenkins_password_binding(value.trim())
        // A YAML anchor alone (`password: &pw` and a mapping below) or an alias
        // (`*db_password`): a name, which a long run of digits is not (`*Luis0959743877`
        // is a password that starts with a star).
        || (lower.len() > 1
            && (lower.starts_with('*') || lower.starts_with('&'))
            && lower[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            && lower.bytes().filter(u8::is_ascii_digit).count() <= 4)
        || matches!(
            lower.as_str(),
            "null" | "none" | "nil" | "true" | "false" | "~"
        )
        // A type where a parameter is declared (`password: str`, `password: String`).
        // GraphQL's non-null `String!` and an optional `String?` too.
        || matches!(
            lower.trim_end_matches(['!', '?']),
            "str" | "string" | "bytes" | "secretstr" | "optional[str]" | "str | none"
        )
}

/// Whether a value is the name of the variable Jenkins binds a credential's password
/// to: an upper-case name ending `_PSW` (`credentials('id')` assigned to `DB` sets
/// `DB_PSW`), or that name as the shell reads it (`$DB_PSW`, `${DB_PSW}`).
fn is_jenkins_password_binding(value: &str) -> bool {
    let name = value
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    name.len() > "_PSW".len()
        && name.ends_with("_PSW")
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether a quoted "value" is the code between two string pieces, not a string: in
/// `" password=" + password + " dbname="` the quotes hold ` + password + `, joined on
/// with `+`, PHP's `.` (`".$password."`) or Visual Basic's `&`; and a conninfo's quoted
/// value that is such code between the host string's own quotes, escaped or not
/// (`password='"+password+"'` holds `"+password+"`); read unquoted, a name between two
/// joins is the same code (`"password="+password+"\n"` holds `+password+`).
pub(super) fn is_concatenation(value: &str) -> bool {
    let is_join = |c: char| matches!(c, '+' | '.' | '&');
    let unescaped = value.trim_start_matches('\\');
    let inner_code = ['"', '\''].iter().any(|&quote| {
        unescaped
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
            .is_some_and(|code| {
                // Python's triple quotes close and open the string around the code too
                // (`'"""+password+"""'`), escaped where that code is itself in a string.
                let code = code.trim().trim_matches(['"', '\'', '\\']).trim();
                code.len() > 2 && code.starts_with(is_join) && code.ends_with(is_join)
            })
    });
    let start = value.trim_start();
    let joined_on = start.strip_prefix(is_join).is_some_and(|rest| {
        !rest.trim().is_empty()
            && (value.starts_with(char::is_whitespace)
                || rest.starts_with(char::is_whitespace)
                || rest.starts_with('$'))
    });
    let end = value.trim_end();
    let joined_after = end.strip_suffix(is_join).is_some_and(|rest| {
        !rest.trim().is_empty()
            && (value.ends_with(char::is_whitespace) || rest.ends_with(char::is_whitespace))
    });
    let name_between_joins = value
        .strip_prefix(is_join)
        .and_then(|rest| rest.strip_suffix(&value[..1]))
        .is_some_and(|name| {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | '(' | ')'))
        });
    joined_on || joined_after || inner_code || name_between_joins
}

/// Whether a value names a file that holds the secret (`secrets/postgres-password.txt`,
/// `/run/secrets/pg.pass`): a path of directories that ends in a file's extension.
fn is_file_path(value: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "txt", "pem", "key", "json", "yaml", "yml", "env", "secret", "conf", "pass", "password",
    ];
    let Some((directories, file)) = value.rsplit_once('/') else {
        return false;
    };
    let path_bytes = |part: &str| {
        part.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'~'))
    };
    !directories.trim_start_matches(['.', '/', '~']).is_empty()
        && path_bytes(directories)
        && path_bytes(file)
        && file
            .rsplit_once('.')
            .is_some_and(|(stem, extension)| !stem.is_empty() && EXTENSIONS.contains(&extension))
}

/// Whether a value is the path a parameter store keeps a secret under (SSM's or Vault's
/// `/app/postgres-password`): an absolute path whose last part names a password.
fn names_a_stored_secret(lower: &str) -> bool {
    lower.starts_with('/')
        && !lower.contains(char::is_whitespace)
        && lower.rsplit('/').next().is_some_and(|last| {
            ["password", "passwd", "secret"]
                .iter()
                .any(|w| last.contains(w))
        })
}

/// Whether a value is a function call (`jsondecode(...)["password"]`, `file("...")`,
/// `lookup(...)`): a name of three or more characters, then an argument list.
fn is_call(value: &str) -> bool {
    let name = value
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
        .count();
    name >= 3
        && value.as_bytes()[0].is_ascii_alphabetic()
        && value[name..].starts_with('(')
        && value[name..].contains(')')
}

/// Whether a bare `PWD` setting is the shell's working directory (`PWD=/app` in an
/// environment dump), not an ODBC password (`Pwd=...` in a DSN's section).
fn is_working_directory(name: &str, value: &str) -> bool {
    let bytes = value.as_bytes();
    name.trim_end_matches([':', '=', ' '])
        .eq_ignore_ascii_case("pwd")
        && (matches!(bytes.first(), Some(b'/' | b'~' | b'.'))
            || (bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\"))
}

/// The passwords of a table of connections: a CSV file whose header names a `password`
/// column and a connection's other parts (host, port, user, database), or a Markdown
/// table with such a header row; rows that configure PostgreSQL (its port, its name).
/// Each row's password is a finding.
fn password_column(text: &[u8], context: &mut Context) -> Found {
    let mut found = Vec::new();
    // The table being read: its delimiter and the index of its password column.
    let mut table: Option<(u8, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split(|b| *b == b'\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let markdown = line.trim_ascii_start().starts_with(b"|");
        match table {
            Some((b'|', _)) if !markdown => table = None,
            Some((delimiter, column)) => {
                found.extend(row_password(line, start, delimiter, column, context));
                continue;
            }
            None => {}
        }
        let delimiter = match (markdown, index) {
            (true, _) => b'|',
            (false, 0) => b',',
            _ => continue,
        };
        table = password_header(line, delimiter).map(|column| (delimiter, column));
    }
    found
}

/// A table cell's text: without the quotes, code marks and emphasis around it.
fn cell_text(cell: &[u8]) -> String {
    lossy(cell)
        .trim()
        .trim_matches(['"', '`', '*'])
        .trim()
        .to_string()
}

/// The index of the `password` column of a header row that also names a connection's
/// other parts; `None` for any other row.
fn password_header(line: &[u8], delimiter: u8) -> Option<usize> {
    const PARTS: &[&str] = &[
        "host", "hostname", "server", "port", "user", "username", "dbname", "database",
    ];
    let columns: Vec<String> = line
        .split(|b| *b == delimiter)
        .map(|cell| cell_text(cell).to_ascii_lowercase())
        .collect();
    // A header names its columns in words, and so does a C array of libpq's keywords
    // between its braces (`{"host", "user", "password", NULL}`, its values in the array
    // on the next line); a line of code that lists parameters (`def connect(self,
    // database, user, password):`) is no header.
    let listed = match (
        line.iter().position(|b| *b == b'{'),
        line.iter().rposition(|b| *b == b'}'),
    ) {
        (Some(open), Some(close)) if open < close => &line[open + 1..close],
        _ => line,
    };
    let named_in_words = listed.split(|b| *b == delimiter).all(|cell| {
        cell_text(cell)
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' ' | b'.'))
    });
    if !named_in_words {
        return None;
    }
    let column = columns.iter().position(|c| c == "password")?;
    columns
        .iter()
        .any(|c| PARTS.contains(&c.as_str()))
        .then_some(column)
}

/// The password in a table row's password column, if it holds one (not a reference,
/// nor a note such as `(none)`) and the row configures PostgreSQL.
fn row_password(
    line: &[u8],
    start: usize,
    delimiter: u8,
    column: usize,
    context: &mut Context,
) -> Option<(Range<usize>, Detection)> {
    let cell = line.split(|b| *b == delimiter).nth(column)?;
    let secret = cell_text(cell);
    let note = secret.starts_with('(') && secret.ends_with(')');
    if secret.is_empty() || note || is_reference(&secret) || !context.configures_postgres(start) {
        return None;
    }
    let at = start
        + line
            .split(|b| *b == delimiter)
            .take(column)
            .map(|c| c.len() + 1)
            .sum::<usize>();
    Some(setting(
        at..at + cell.len(),
        "password column: ****".to_string(),
        &secret,
    ))
}

/// Whether a label sits inside a code span, an odd number of backticks before it on its
/// line (`DB_PASSWORD=真实密码` in `` `DB_PASSWORD=真实密码`——`.gitignore` ``): the
/// backtick after it closes that span, and what follows is no value of the label's.
fn inside_a_code_span(text: &[u8], label: usize) -> bool {
    let line_start = text[..label]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    text[line_start..label]
        .iter()
        .filter(|&&b| b == b'`')
        .count()
        % 2
        == 1
}

/// Whether the words before a password in prose suppose one (`If your password is
/// `...``, `Say the database password was `...``): an example of how one is written,
/// not a password.
fn supposes(text: &[u8], label: usize) -> bool {
    let before = &text[label.saturating_sub(SUPPOSITION_REACH)..label];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    patterns().supposition.is_match(&before[line_start..])
}

/// Whether the password at `at` is an application account's: its line, or the line
/// just above or below it, gives an email address as the login (`Email:
/// admin@acme.org` over `Password: ...`, `{"email": "a@b.io", "password": "..."}`). A
/// database's user is a role name, never an address.
fn beside_an_email_login(text: &[u8], at: usize) -> bool {
    let line_start = text[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let above_start = text[..line_start.saturating_sub(1)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let below_end = text[at..]
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .map_or(text.len(), |(i, _)| at + i);
    let reach = above_start.max(at.saturating_sub(HEAD))..below_end.min(at + HEAD);
    patterns().email_login.is_match(&text[reach])
}

/// How far around a password its login is looked for, on each side.
const HEAD: usize = 256;

/// How far before a password's label a supposition is looked for.
const SUPPOSITION_REACH: usize = 64;

/// Whether the Markdown heading a document's password sits under names another engine
/// or service than PostgreSQL (`## PG Admin` above pgAdmin's login, `## Redis` above
/// its password): a document's section is whose the password is, though PostgreSQL's
/// URI sits in the section before. A heading on connecting through pgAdmin (`### For
/// pgAdmin Connection`) gives the database's login, which pgAdmin is told.
fn heading_names_another_service(text: &[u8], label: usize) -> bool {
    let start = label.saturating_sub(HEADING_REACH);
    let p = patterns();
    p.markdown_heading
        .find_iter(&text[start..label])
        .last()
        .is_some_and(|heading| {
            let heading = heading.as_bytes();
            p.other_engine.is_match(heading)
                || (p.pgadmin.is_match(heading) && !p.connects_through.is_match(heading))
        })
}

/// How far before a password's label its section's heading is looked for.
const HEADING_REACH: usize = 2048;

/// Whether the sentence a password's label is in names another engine or service before
/// the label, and not PostgreSQL (`The cache is Redis, its password is `...``, `缓存用
/// Redis，密码是 `...``): the password is that service's, whatever else the document sets
/// up.
fn sentence_names_another_service(text: &[u8], label: usize) -> bool {
    let line_start = text[..label]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    let line = &text[line_start..label];
    let sentence_start = [". ", "。"]
        .iter()
        .filter_map(|end| {
            line.windows(end.len())
                .rposition(|w| w == end.as_bytes())
                .map(|at| at + end.len())
        })
        .max()
        .unwrap_or(0);
    let sentence = &line[sentence_start..];
    names_another_engine(sentence)
        && !contains_ignoring_case(sentence, b"postgres")
        && !contains_ignoring_case(sentence, b"psql")
}

/// Whether a value is a dotted name, indexed or not (`var.db_password`,
/// `data.vault_generic_secret.db.data["password"]`): a reference, not a password.
pub(super) fn is_dotted_reference(value: &str) -> bool {
    patterns().dotted_reference.is_match(value.as_bytes())
}

/// Whether a name or text names another engine or service than PostgreSQL (MySQL,
/// Redis, SMTP, ClickHouse, ...).
pub(super) fn names_another_engine(text: &[u8]) -> bool {
    patterns().other_engine.is_match(text)
}

/// Whether a text names PostgreSQL (its scheme, drivers, clients, port or name).
pub(super) fn names_postgres(text: &[u8]) -> bool {
    patterns().postgres.is_match(text)
}

/// Whether a call is another engine's: its arguments or its name name one and it
/// passes no PostgreSQL URL (a helper named for MySQL given `jdbc:postgresql://...`
/// dials PostgreSQL whatever its name says: `JDBCHelper.createMysqlTemplate("po",
/// "jdbc:postgresql://...", ...)`, and so does a URL to a database named `servicemail`),
/// or it passes another database's URL beside one.
pub(super) fn calls_another_engine(call: &[u8]) -> bool {
    let open = call.iter().position(|&b| b == b'(').unwrap_or(0);
    let (name, arguments) = call.split_at(open);
    if contains_ignoring_case(arguments, b"postgresql://")
        || contains_ignoring_case(arguments, b"postgres://")
    {
        return patterns().other_engine_url.is_match(arguments);
    }
    names_another_engine(arguments) || names_another_engine(name)
}

/// Whether a call's literals mask its login (a commented `new DataSource(".../xx",
/// "xx", "p@xx")`): an argument all `x`, two letters or more, is a value the author
/// hid, and the password beside it is hidden the same way.
pub(super) fn masks_the_login(call: &[u8]) -> bool {
    patterns().masked_literal.is_match(call)
}

/// Whether the line before or after the one holding `at` is also a key's line written
/// as a string piece (`"    username: app\n" +`): the pieces make up a file.
fn beside_other_string_lines(text: &[u8], at: usize) -> bool {
    // Each line is read a bounded stretch either way: a long line stays linear.
    let back = |end: usize| nearby_line_start(text, end).unwrap_or(end.saturating_sub(HEAD));
    let ahead = |start: usize| {
        let stop = text.len().min(start + HEAD);
        text[start..stop]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(stop, |i| start + i)
    };
    let line_start = back(at);
    let line_end = ahead(at);
    let before_start = back(line_start.saturating_sub(1));
    let after_end = ahead((line_end + 1).min(text.len()));
    let piece = &patterns().string_line_piece;
    (line_start > 0 && piece.is_match(&text[before_start..line_start]))
        || (line_end < text.len() && piece.is_match(&text[line_end..after_end]))
}

/// Whether a setter's object is an encryptor the text declares (jasypt's
/// `StandardPBEStringEncryptor enc = new ...; enc.setPassword("...")`, a
/// `SimpleStringPBEConfig`'s, a `BasicTextEncryptor`'s): the password is the key the
/// settings' `ENC(...)` values are encrypted with, no database's.
fn sets_an_encryptors_key(text: &[u8], call_start: usize) -> bool {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    // The call's text opens at the method (after its object's dot), at the dot, or at
    // the object's name.
    let dot = if text.get(call_start) == Some(&b'.') {
        Some(call_start)
    } else {
        call_start.checked_sub(1).filter(|&at| text[at] == b'.')
    };
    let object = if let Some(dot) = dot {
        let before = &text[..dot];
        let start = before
            .iter()
            .rposition(|b| !is_name(b))
            .map_or(0, |i| i + 1);
        &before[start..]
    } else {
        let after = &text[call_start..];
        let end = after
            .iter()
            .position(|b| !is_name(b))
            .unwrap_or(after.len());
        if after.get(end) != Some(&b'.') {
            return false;
        }
        &after[..end]
    };
    patterns()
        .encryptor_declaration
        .captures_iter(text)
        .any(|c| &c[1] == object)
}

/// Whether a key read with the quote before it (`"sonar.jdbc.password": s3cret`) leaves
/// that quote open: `"spring.datasource.password=s3cret"` is a string holding a whole
/// property, which the readers of quoted strings read, its value up to the quote.
fn opens_a_quote_it_does_not_close(key: &[u8]) -> bool {
    let key = key.trim_ascii_start();
    match key.first() {
        Some(&quote @ (b'"' | b'\'')) => !key[1..].contains(&quote),
        _ => false,
    }
}

/// Whether the quote a value is read from is the one that closes the key's own string
/// (`console.log('DB_PASSWORD:', ready ? 'set' : 'unset')`): the key and its separator
/// are a label's text, and what follows the label is no value of it.
fn closes_the_keys_own_string(key: &[u8], value: &[u8]) -> bool {
    opens_a_quote_it_does_not_close(key) && value.first() == key.trim_ascii_start().first()
}

/// A key as shown in a finding: without the quotes and spaces around it, with its
/// separator (`password=`, `spring.datasource.password=`, `'PASSWORD': `).
fn key_shown(key: &[u8]) -> String {
    let text = lossy(key);
    let trimmed = text.trim().trim_start_matches([':', '"', '\'']);
    // A namespace's colon (`app:dbPassword`) is part of the name; the separator's is not.
    let name_end = trimmed
        .char_indices()
        .find(|&(i, c)| {
            let namespace = c == ':' && trimmed[i + 1..].starts_with(|n: char| n.is_alphabetic());
            !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-') || namespace)
        })
        .map_or(trimmed.len(), |(i, _)| i);
    let name = &trimmed[..name_end];
    let separator = if text.contains(':') && !text.contains("=>") && !text.starts_with(':') {
        ": "
    } else {
        "="
    };
    format!("{name}{separator}")
}

/// Whether the lines around an offset configure PostgreSQL. Which lines name
/// PostgreSQL, a database or another engine is found once per text, on first use, so
/// that judging any window costs a subtraction, however many keys the text holds.
pub struct Context<'a> {
    text: &'a [u8],
    lines: &'a Lines,
    counts: Option<LineCounts>,
    /// Whether the text is a Secret named for a database, found on first use.
    database_secret: Option<bool>,
    /// The names' prefixes the text gives a PostgreSQL URL (`target` of `targetUrl =
    /// 'jdbc:postgresql://...'`), found on first use.
    postgres_url_prefixes: Option<std::collections::HashSet<String>>,
    /// The last words of the names the text gives a PostgreSQL URL (`server` of
    /// `DB_SERVER = "jdbc:postgresql://..."`), found on first use.
    postgres_url_qualifiers: Option<std::collections::HashSet<String>>,
}

/// For each kind of mention, how many of the lines before each line hold one (prefix
/// sums, one entry more than there are lines).
struct LineCounts {
    postgres: Vec<u32>,
    database: Vec<u32>,
    other_engine: Vec<u32>,
}

impl<'a> Context<'a> {
    /// The context of `text`, read on first use.
    pub fn new(text: &'a [u8], lines: &'a Lines) -> Self {
        Context {
            text,
            lines,
            counts: None,
            database_secret: None,
            postgres_url_prefixes: None,
            postgres_url_qualifiers: None,
        }
    }

    /// Whether the text gives a PostgreSQL URL to a name that ends with `qualifier`
    /// (`DB_SERVER` for `PASS_SERVER`, `URL_PROD` for `PASSWORD_PROD`): the settings of
    /// one connection, named alike.
    fn names_a_postgres_url_qualified(&mut self, qualifier: &str) -> bool {
        let text = self.text;
        self.postgres_url_qualifiers
            .get_or_insert_with(|| {
                patterns()
                    .postgres_url_assignment
                    .captures_iter(text)
                    .filter_map(|c| lossy(&c[1]).rsplit('_').next().map(str::to_ascii_lowercase))
                    .collect()
            })
            .contains(&qualifier.to_ascii_lowercase())
    }

    /// Whether a password's name shares its prefix with a name the text gives a
    /// PostgreSQL URL (`targetPass` beside `targetUrl = 'jdbc:postgresql://...'`,
    /// `source_pwd` beside `source_dsn = "postgres://..."`, Sqoop's `SQOOP_PASS` beside
    /// `SQOOP_CONNECT="jdbc:postgresql://..."`): the settings of one
    /// connection, named alike.
    pub fn names_a_postgres_urls_password(&mut self, name: &str) -> bool {
        let Some(prefix) = password_name_prefix(name) else {
            return false;
        };
        let text = self.text;
        self.postgres_url_prefixes
            .get_or_insert_with(|| {
                patterns()
                    .postgres_url_name
                    .captures_iter(text)
                    .filter_map(|c| flat_prefix(&lossy(&c[1])))
                    .collect()
            })
            .contains(&prefix)
    }

    /// Whether the settings around `offset` dial another machine's IPv4 address with
    /// `password` as the password (a Java field `pass` set to the word, beside a JDBC URL
    /// to a public address), as `is_password_word_to_an_address` judges for `syntax`; of
    /// several addresses, the nearest is the settings'.
    pub fn dials_an_address_with(&self, password: &str, offset: usize, syntax: Syntax) -> bool {
        self.dialled_host_near(offset)
            .is_some_and(|host| is_password_word_to_an_address(password, &host, syntax))
    }

    /// The host the code around `offset` dials, the nearest of those within the lines
    /// around it (a URL's host, a host key's quoted value): the host of a call given the
    /// URL by a variable (`String url = "jdbc:postgresql://172.17.0.2/app"` above
    /// `getConnection(url, "postgres", "...")`).
    fn dialled_host_near(&self, offset: usize) -> Option<String> {
        let (line, _) = self.lines.around(offset);
        let first = self.lines.start_of(line.saturating_sub(CONTEXT_BEFORE));
        let after = line + CONTEXT_AFTER + 1;
        let end = if after < self.lines.count() {
            self.lines.start_of(after)
        } else {
            self.text.len()
        };
        patterns()
            .dialled_address
            .captures_iter(&self.text[first..end])
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .min_by_key(|host| (first + host.start()).abs_diff(offset))
            .map(|host| lossy(host.as_bytes()))
    }

    /// Whether the line at `at` or the two above it name PostgreSQL (its scheme, driver or
    /// name), or for a table's row, the table, the two lines above it or the few under
    /// it: prose that gives a login names what it is for right there (`the PostgreSQL
    /// connection is ...`, then the login; a table of a database's settings with its
    /// JDBC URL under it), where an application's login a few lines off (`Admin ID/PW:
    /// ...`) does not.
    fn names_postgres_just_above(&self, at: usize) -> bool {
        /// How many lines under a table still say what it is (its URL, its caption).
        const UNDER_A_TABLE: usize = 6;
        let (row, _) = self.lines.around(at);
        // A Markdown table's row is read from the table's top (`| Host | ... |` rows
        // under the prose that says what the table is) to just under its last row.
        let (mut top, mut bottom) = (row, row);
        if self.is_table_row(row) {
            while top > 0 && self.is_table_row(top - 1) {
                top -= 1;
            }
            while bottom + 1 < self.lines.count() && self.is_table_row(bottom + 1) {
                bottom += 1;
            }
            bottom = (bottom + UNDER_A_TABLE).min(self.lines.count() - 1);
        }
        let start = self.lines.start_of(top.saturating_sub(2));
        let end = if bottom == row {
            at
        } else {
            self.lines.around(self.lines.start_of(bottom)).1.end
        };
        patterns()
            .postgres
            .is_match(&self.text[start.max(at.saturating_sub(600))..end.min(at + 600)])
    }

    /// Whether the quoted URL argument of the list holding `at`, within a few lines, is
    /// PostgreSQL's (`"url=jdbc:postgresql://..."` among a list of `key=value`
    /// arguments; a MySQL list commented out above it is MySQL's).
    fn names_postgres_url_near(&self, at: usize) -> bool {
        const REACH: usize = 6;
        let (line, _) = self.lines.around(at);
        let start = self.lines.start_of(line.saturating_sub(REACH));
        let last = (line + REACH + 1).min(self.lines.count() - 1);
        let (_, end) = self.lines.around(self.lines.start_of(last));
        // The list's URL above the password if there is one (a list gives the URL
        // first), else the first below it.
        let urls: Vec<_> = patterns()
            .quoted_url_argument
            .captures_iter(&self.text[start..end.end])
            .map(|c| (start + c.get(0).expect("match").start(), lossy(&c[1])))
            .collect();
        urls.iter()
            .rev()
            .find(|(offset, _)| *offset < at)
            .or_else(|| urls.iter().find(|(offset, _)| *offset > at))
            .is_some_and(|(_, scheme)| scheme.to_ascii_lowercase().contains("postgres"))
    }

    /// Whether a document's labelled password is said to be for local use: the label's
    /// own word (`Dev password:`), or the prose after the value on its line (`(safe,
    /// only for local testing)`).
    fn says_it_is_for_local_use(&self, label_start: usize, value_end: usize) -> bool {
        let (_, label_line) = self.lines.around(label_start);
        let (_, value_line) = self.lines.around(value_end);
        let p = patterns();
        p.local_use_label
            .is_match(&self.text[label_line.start..label_start])
            || p.local_use_note
                .is_match(&self.text[value_end..value_line.end])
    }

    /// Whether a 0-based line is a Markdown table's row (`| ... |`).
    fn is_table_row(&self, line: usize) -> bool {
        let (_, range) = self.lines.around(self.lines.start_of(line));
        let row = self.text[range].trim_ascii();
        row.len() > 1 && row.starts_with(b"|") && row.ends_with(b"|")
    }

    /// Whether the lines around `offset` name PostgreSQL (its drivers, port, scheme),
    /// or name a database without naming another engine (MySQL, Redis, SMTP, ...).
    pub fn configures_postgres(&mut self, offset: usize) -> bool {
        let (postgres, database, other_engine) = self.mentions_around(offset);
        postgres || (database && !other_engine)
    }

    /// Whether a password setting named `name` at `offset` configures PostgreSQL. A
    /// bare `password` nested in a block is judged by that block (the lines that open
    /// it and the blocks around it, and the lines it holds), not by the lines around:
    /// `airflow: webserver: defaultUser: password:` is the web UI's, though a sibling
    /// block a few lines on is `postgresql:`.
    pub fn configures_postgres_for(&mut self, name: &str, offset: usize) -> bool {
        let bare = matches!(
            name.trim_end_matches([':', '=', ' '])
                .to_ascii_lowercase()
                .as_str(),
            "password" | "passwd" | "pwd"
        );
        match self.nested_block(offset).filter(|_| bare) {
            Some(block) => {
                let p = patterns();
                p.postgres.is_match(&block)
                    || ((p.database.is_match(&block) && !p.other_engine.is_match(&block))
                        || self.is_database_secret())
                        && !self.names_only_another_engine()
            }
            None => self.configures_postgres(offset),
        }
    }

    /// Whether the text names another engine somewhere and PostgreSQL nowhere: a block
    /// of a database's settings there is that engine's (a list of MySQL connections,
    /// the engine named in one entry only).
    fn names_only_another_engine(&mut self) -> bool {
        self.mentions_around(0);
        let counts = self.counts.as_ref().expect("counted above");
        counts.postgres.last() == Some(&0) && counts.other_engine.last() > Some(&0)
    }

    /// Whether the nested block holding `offset` names PostgreSQL: a block around it
    /// (Terraform's `resource "azurerm_postgresql_flexible_server" "pg" {`, Bicep's
    /// `resource pg 'Microsoft.DBforPostgreSQL/flexibleServers@...' = {` around
    /// `properties: {`) or a setting in it (dbt's `type: postgres`).
    fn nested_block_names_postgres(&self, offset: usize) -> bool {
        self.nested_block(offset)
            .is_some_and(|block| patterns().postgres.is_match(&block))
    }

    /// Whether the text is a Kubernetes Secret named for a database (`name:
    /// postgres-app`): its keys are that database's, whatever block they sit in (unless
    /// the text names another engine and PostgreSQL nowhere: `mysql-db-url`).
    fn is_database_secret(&mut self) -> bool {
        let text = self.text;
        *self.database_secret.get_or_insert_with(|| {
            let p = patterns();
            p.secret_kind.is_match(text) && p.secret_named_for_database.is_match(text)
        })
    }

    /// The lines of the nested block holding `offset`: the lines that open it and each
    /// block around it, then the lines it holds (those after its opening line indented
    /// deeper), and the settings beside its opening line (HOCON's `dataSourceClass =
    /// "org.postgresql..."` beside `properties = {`; not the blocks beside it, whose
    /// settings are another thing's), within the lines read for context; at the top
    /// level, the INI or TOML section holding it; `None` outside both.
    fn nested_block(&self, offset: usize) -> Option<Vec<u8>> {
        let text = self.text;
        let Some(opening) = self.opening_line(offset) else {
            return self.section(offset);
        };
        let opening_indent = indent(&text[opening.clone()]);
        let mut block = Vec::new();
        push_line(&mut block, &text[opening.clone()]);
        let mut depth = opening_indent;
        for above in self.lines_above(opening.start) {
            let line = &text[above];
            if is_blank(line) {
                continue;
            }
            if indent(line) < depth {
                depth = indent(line);
                push_line(&mut block, line);
            } else if depth == opening_indent && indent(line) == depth && is_scalar_setting(line) {
                push_line(&mut block, line);
            }
        }
        let mut held = true;
        for below in self.lines_below(&opening) {
            let line = &text[below];
            if is_blank(line) {
                continue;
            }
            if indent(line) < opening_indent {
                break;
            }
            held &= indent(line) > opening_indent;
            if held || (indent(line) == opening_indent && is_scalar_setting(line)) {
                push_line(&mut block, line);
            }
        }
        Some(block)
    }

    /// The INI or TOML section holding a top-level `offset`: its `[header]` and the lines
    /// up to the next one, within the lines read for context; `None` outside a section.
    fn section(&self, offset: usize) -> Option<Vec<u8>> {
        let text = self.text;
        let is_header = |line: &[u8]| {
            let line = lossy(head(line));
            let line = line.trim();
            line.len() > 2 && line.starts_with('[') && line.ends_with(']')
        };
        let header = self
            .lines_above(offset)
            .find(|above| is_header(&text[above.clone()]))?;
        let mut block = Vec::new();
        push_line(&mut block, &text[header.clone()]);
        for below in self.lines_below(&header) {
            let line = &text[below];
            if is_header(line) {
                break;
            }
            push_line(&mut block, line);
        }
        Some(block)
    }

    /// The lines above the one holding `offset`, nearest first, as many as are read for
    /// context.
    fn lines_above(&self, offset: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let (_, own) = self.lines.around(offset);
        std::iter::successors(Some(own), |line| {
            line.start
                .checked_sub(1)
                .map(|previous| self.lines.around(previous).1)
        })
        .skip(1)
        .take(CONTEXT_BEFORE)
    }

    /// The lines after `line`, nearest first, as many as are read for context.
    fn lines_below(&self, line: &Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        std::iter::successors(Some(line.clone()), |line| {
            (line.end + 1 < self.text.len()).then(|| self.lines.around(line.end + 1).1)
        })
        .skip(1)
        .take(CONTEXT_BEFORE + CONTEXT_AFTER)
    }

    /// Whether the setting at `offset` opens its line at the top level (no block holds
    /// it) and the lines around it name PostgreSQL and no other engine.
    fn top_level_names_postgres(&mut self, offset: usize) -> bool {
        let (postgres, _, other_engine) = self.mentions_around(offset);
        self.opening_line(offset).is_none() && postgres && !other_engine
    }

    /// Whether the block holding `offset` names another engine and not PostgreSQL
    /// (`redis:`, `[mysql]`, `smtp {`): a password there is that engine's, whatever
    /// the rest of the file configures.
    fn block_names_another_engine(&self, offset: usize) -> bool {
        self.block_line(offset)
            .is_some_and(|line| names_another_engine(line) && !patterns().postgres.is_match(line))
    }

    /// Whether the setting at `offset` is in the environment of a compose service that
    /// runs the official image (`db:` with `image: postgres:16` and, under
    /// `environment:`, `POSTGRES_PASSWORD: ...`): the container that password sets up.
    pub fn in_a_service_of_the_official_image(&self, offset: usize) -> bool {
        let text = self.text;
        let (_, own) = self.lines.around(offset);
        let opening_below = |depth: usize, from: usize| {
            self.lines_above(from).find(|line| {
                let line = &text[line.clone()];
                !is_blank(line) && indent(line) < depth
            })
        };
        let Some(environment) = opening_below(indent(&text[own.clone()]), offset) else {
            return false;
        };
        let Some(service) = opening_below(indent(&text[environment.clone()]), environment.start)
        else {
            return false;
        };
        let depth = indent(&text[service.clone()]);
        let block_end = self
            .lines_below(&service)
            .take_while(|line| {
                let line = &text[line.clone()];
                is_blank(line) || indent(line) > depth
            })
            .last()
            .map_or(service.end, |line| line.end);
        patterns()
            .official_image
            .is_match(&text[service.start..block_end])
    }

    /// Whether the text dials another database's URL anywhere (`jdbc:mysql://`): only
    /// then can a paragraph of it be another engine's.
    pub fn dials_another_database(&self) -> bool {
        patterns().other_engine_url.is_match(self.text)
    }

    /// Whether the settings beside `offset` (its paragraph's lines indented as it is, up
    /// to a blank line or the line that opens their block, as many as are read for
    /// context) dial another database's URL, and neither they nor that opening line
    /// name PostgreSQL: in a file that configures MySQL's connection then
    /// PostgreSQL's (two paragraphs of `url=`, `username=`, `password=`; two Gradle
    /// profiles' `properties { ... }`), the first password is MySQL's.
    pub fn settings_dial_another_database(&self, offset: usize) -> bool {
        let text = self.text;
        let (_, own) = self.lines.around(offset);
        let depth = indent(&text[own.clone()]);
        let sibling = |line: &Range<usize>| {
            let line = &text[line.clone()];
            !is_blank(line) && indent(line) >= depth
        };
        let start = self
            .lines_above(offset)
            .take_while(sibling)
            .last()
            .map_or(own.start, |line| line.start);
        let end = self
            .lines_below(&own)
            .take_while(sibling)
            .last()
            .map_or(own.end, |line| line.end);
        let settings = &text[start..end];
        let p = patterns();
        p.other_engine_url.is_match(settings)
            && !p.postgres.is_match(settings)
            && !self
                .block_line(offset)
                .is_some_and(|line| p.postgres.is_match(line))
    }

    /// Whether the line holding `offset` names another engine and not PostgreSQL: in
    /// `SNOWFLAKE = {"user": "etl", "password": "..."}` the password is Snowflake's,
    /// whatever the next line configures.
    fn line_names_another_engine(&self, offset: usize) -> bool {
        let (_, range) = self.lines.around(offset);
        // The part of the line around the key: bounded, so that a long line of keys
        // (minified JSON) stays linear.
        let line = &self.text[range.start.max(offset.saturating_sub(LINE_WINDOW))
            ..range.end.min(offset + LINE_WINDOW)];
        names_another_engine(line) && !patterns().postgres.is_match(line)
    }

    /// The line that opens the block holding `offset`: the nearest line above it that
    /// is indented less, within the lines read for context.
    fn block_line(&self, offset: usize) -> Option<&'a [u8]> {
        self.opening_line(offset)
            .map(|range| &self.text[range.start..range.end.min(range.start + LINE_WINDOW)])
    }

    /// The range of the line that opens the block holding `offset` (see `block_line`).
    fn opening_line(&self, offset: usize) -> Option<Range<usize>> {
        let text = self.text;
        let own = indent(&text[self.lines.around(offset).1]);
        self.lines_above(offset).find(|above| {
            let line = &text[above.clone()];
            !is_blank(line) && indent(line) < own
        })
    }

    /// Whether the lines around `offset` name another engine (MySQL, SQL Server,
    /// Redis, ...) and not PostgreSQL: a generic `DB_PASSWORD` there is not PostgreSQL's.
    pub fn configures_another_engine(&mut self, offset: usize) -> bool {
        let (postgres, _, other_engine) = self.mentions_around(offset);
        other_engine && !postgres
    }

    /// Whether the lines around `offset` name PostgreSQL, a database, another engine.
    fn mentions_around(&mut self, offset: usize) -> (bool, bool, bool) {
        let (line, _) = self.lines.around(offset);
        let (text, lines) = (self.text, self.lines);
        let counts = self.counts.get_or_insert_with(|| {
            let p = patterns();
            LineCounts {
                postgres: lines_mentioning(&p.postgres, text, lines),
                database: lines_mentioning(&p.database, text, lines),
                other_engine: lines_mentioning(&p.other_engine, text, lines),
            }
        });
        let first = line.saturating_sub(CONTEXT_BEFORE);
        let end = (line + CONTEXT_AFTER + 1).min(lines.count());
        let within = |prefix: &[u32]| prefix[end] > prefix[first];
        (
            within(&counts.postgres),
            within(&counts.database),
            within(&counts.other_engine),
        )
    }
}

/// How many bytes of a line the block and line checks read: a block's lines are short,
/// and the bound keeps a long line (minified JSON) from making them quadratic.
const LINE_WINDOW: usize = 512;

/// Whether a line is a key set to a value on the line (`driver = "org.postgresql.Driver"`,
/// `type: postgres`), not a block opened (`properties = {`, `webserver:`), a comment or
/// a statement (`import psycopg`).
fn is_scalar_setting(line: &[u8]) -> bool {
    let line = head(line).trim_ascii_end();
    patterns().scalar_setting.is_match(line) && !line.ends_with(b"{") && !line.ends_with(b"[")
}

/// The start of a line, as much as the block checks read of it.
fn head(line: &[u8]) -> &[u8] {
    &line[..line.len().min(LINE_WINDOW)]
}

/// Adds a line's start (as much as the block checks read) to a block's text.
fn push_line(block: &mut Vec<u8>, line: &[u8]) {
    block.extend_from_slice(head(line));
    block.push(b'\n');
}

/// How far a line is indented, in spaces and tabs.
pub(super) fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// Whether a line holds only whitespace.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Prefix sums of the lines where `pattern` matches (where a match starts).
fn lines_mentioning(pattern: &Regex, text: &[u8], lines: &Lines) -> Vec<u32> {
    let mut marked = vec![false; lines.count()];
    for m in pattern.find_iter(text) {
        marked[lines.around(m.start()).0] = true;
    }
    let mut prefix = Vec::with_capacity(marked.len() + 1);
    prefix.push(0);
    for hit in marked {
        let last = *prefix.last().expect("starts with 0");
        prefix.push(last + u32::from(hit));
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    const PW: &str = "Qw3rty-Uiop";

    fn found(template: &str, syntax: Syntax) -> Vec<Detection> {
        let text = template.replace("{PW}", PW);
        let lines = Lines::new(text.as_bytes());
        let mut found = Vec::new();
        detect(
            text.as_bytes(),
            &mut Context::new(text.as_bytes(), &lines),
            syntax,
            &mut found,
        );
        found.into_iter().map(|(_, d)| d).collect()
    }

    #[test]
    fn a_jdbc_url_then_a_user_then_a_password_in_any_list_is_read() {
        for text in [
            "INSERT INTO data_source VALUES (163, 'rsdb', 'org.postgresql.Driver', 'jdbc:postgresql://10.9.1.54:5432/app', 'app', '{PW}', 'PostgreSQL');\n",
            "return new PostgresLoadNode(\"2\", fields, null, option, \"jdbc:postgresql://10.9.1.54:25432\",\n        \"app\", \"{PW}\", \"notuse\", null);\n",
        ] {
            assert_eq!(found(text, Syntax::Code).len(), 1, "{text}");
        }
        // A helper named for another engine given a PostgreSQL URL dials PostgreSQL.
        let named_for_mysql = "JDBCHelper.createMysqlTemplate(\"po\", \"jdbc:postgresql://10.9.1.54:5432/app\", \"app\", \"{PW}\", 80, 120);\n";
        assert_eq!(found(named_for_mysql, Syntax::Code).len(), 1);
        let two = "String[][] dbs = {{\"jdbc:postgresql://10.9.1.54:5432/app\", \"12373\"}};\n";
        assert!(found(two, Syntax::Code).is_empty());
    }

    #[test]
    fn a_property_is_read_by_its_name_element() {
        // A Hadoop-style site file's property, and a launchd job's variable in a property
        // list (libpq's own name says PostgreSQL); each beside its twin that is another
        // engine's or another service's.
        let site = "<property>\n  <name>javax.jdo.option.ConnectionURL</name>\n  <value>jdbc:postgresql://metastore-db:5432/hive</value>\n</property>\n<property>\n  <name>javax.jdo.option.ConnectionUserName</name>\n  <value>hive</value>\n</property>\n<property>\n  <name>javax.jdo.option.ConnectionPassword</name>\n  <description>password to use against metastore database</description>\n  <value>{PW}</value>\n</property>\n";
        let plist = "<key>EnvironmentVariables</key>\n<dict>\n    <key>PGPASSWORD</key>\n    <string>{PW}</string>\n</dict>\n";
        for (text, shown, twin) in [
            (
                site,
                "<javax.jdo.option.ConnectionPassword>****",
                site.replace(
                    "jdbc:postgresql://metastore-db:5432",
                    "jdbc:mysql://metastore-db:3306",
                ),
            ),
            (
                plist,
                "<PGPASSWORD>****",
                plist.replace("PGPASSWORD", "SMTP_PASSWORD"),
            ),
        ] {
            let d = found(text, Syntax::Config);
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].redacted, shown);
            assert!(found(&twin, Syntax::Config).is_empty(), "{twin}");
        }
        let reference = site.replace("{PW}", "${HIVEMS_PASSWORD}");
        assert!(found(&reference, Syntax::Config).is_empty());
    }

    #[test]
    fn a_typed_declaration_s_literal_is_read_as_an_untyped_one_is() {
        for typed in [
            "object Db {\n    val url = \"jdbc:postgresql://10.20.0.7:5432/hall\"\n    val user: String = \"hall\"\n    val password: String = \"{PW}\"\n}\n",
            "const pool = new Pool({ host: '10.20.0.7' });\nconst password: string = '{PW}'; // postgres\n",
        ] {
            let found = found(typed, Syntax::Code);
            assert!(
                found.len() == 1 && !found[0].local_default,
                "{typed}: {found:?}"
            );
        }
        let form = "// postgres\ndata class LoginState(\n    val email: String = \"\",\n    val password: String = \"\",\n)\n";
        assert!(found(form, Syntax::Code).is_empty());
    }

    #[test]
    fn a_luasql_connection_s_third_argument_is_its_password() {
        let call = "luasql = require \"luasql.postgres\"\ncon = assert(env:connect('monitoreo', 'postgres', '{PW}', \"148.244.87.165\"))\n";
        let remote = found(call, Syntax::Code);
        assert!(remote.len() == 1 && !remote[0].local_default, "{remote:?}");
        assert_eq!(remote[0].redacted, "env:connect(..., \"****\")");
        let local = "local luasql = require \"luasql.postgres\"\nlocal con = env:connect(\"bank\", \"root\", \"root\", \"localhost\", \"5429\")\n";
        let local = found(local, Syntax::Code);
        assert!(local.len() == 1 && local[0].local_default, "{local:?}");
        for other in [
            call.replace("luasql.postgres", "luasql.mysql"),
            call.replace("'{PW}'", "DBPASS"),
        ] {
            assert!(found(&other, Syntax::Code).is_empty(), "{other}");
        }
    }

    #[test]
    fn a_data_source_name_s_host_field_is_the_call_s_host() {
        // PDO's and DBI's data source names give the host as a field.
        for (call, host) in [
            (
                "$pdo = new PDO('pgsql:host=tfb-database;dbname=hello_world',\n    'benchmarkdbuser', 'benchmarkdbpass');\n",
                "tfb-database",
            ),
            (
                "my $dbh = DBI->connect(\"dbi:Pg:dbname=shop;host=localhost\", \"shop\", \"shop\");\n",
                "localhost",
            ),
        ] {
            assert_eq!(call_host(call.as_bytes()).as_deref(), Some(host));
            let local = found(call, Syntax::Code);
            assert!(
                local.len() == 1 && local[0].local_default,
                "{call}: {local:?}"
            );
            // The same weak login to a server off this machine is that server's.
            let remote = call.replace(host, "db-1.acme.io");
            let remote = found(&remote, Syntax::Code);
            assert!(remote.len() == 1 && !remote[0].local_default, "{remote:?}");
        }
        assert_eq!(
            call_host(b"new PDO('pgsql:dbname=shop', 'shop', 'shop')"),
            None
        );
    }

    #[test]
    fn a_lisp_call_s_arguments_apart_by_spaces_are_read_as_a_login() {
        for call in [
            "(def connection (DriverManager/getConnection \"jdbc:postgresql://23.9.1.20:5432/app\" \"app\" \"{PW}\"))\n",
            "(let [c (DriverManager/getConnection \"jdbc:postgresql://23.9.1.20:5432/app\"\n          \"app\"\n          \"{PW}\")])\n",
        ] {
            let d = found(call, Syntax::Code);
            assert!(
                d.len() == 1 && d[0].holds(PW) && !d[0].local_default,
                "{call}: {d:?}"
            );
        }
        let local = "(DriverManager/getConnection \"jdbc:postgresql://localhost/app\" \"postgres\" \"postgres\")\n";
        assert!(found(local, Syntax::Code).iter().all(|d| d.local_default));
        let mysql =
            "(DriverManager/getConnection \"jdbc:mysql://23.9.1.20/app\" \"app\" \"{PW}\")\n";
        assert!(found(mysql, Syntax::Code).is_empty());
    }

    #[test]
    fn a_helper_given_a_table_before_its_login_takes_its_password_last() {
        let spark = "val df = readTable(s\"jdbc:postgresql://23.9.1.20:5432/app\",\n  \"user_metadata\",\n  \"app\",\n  \"{PW}\"\n)\n";
        let d = found(spark, Syntax::Code);
        assert!(d.len() == 1 && d[0].holds(PW), "{d:?}");
        // A driver's class name closing the call is no password; nor is a third string
        // when the URL is not the call's first argument.
        let groovy = "def sql = Sql.newInstance(\"jdbc:postgresql://23.9.1.20/app\", \"app\", \"{PW}\", \"org.postgresql.Driver\")\n";
        let r = "con <- dbConnect(drv, \"jdbc:postgresql://23.9.1.20/app\", \"app\", \"{PW}\", \"extra\")\n";
        for call in [groovy, r] {
            let d = found(call, Syntax::Code);
            assert!(d.len() == 1 && d[0].holds(PW), "{call}: {d:?}");
        }
    }

    #[test]
    fn a_test_step_given_a_url_a_user_and_a_password_is_read() {
        for step in [
            "    Given a connection with db using \"jdbc:postgresql://10.9.1.54:5432/app\" , \"app\" and \"{PW}\"\n",
            "  And the user connects to \"postgresql://10.9.1.54/app\", \"app\", \"{PW}\"\n",
        ] {
            let d = found(step, Syntax::Document);
            assert_eq!(d.len(), 1, "{step}");
            assert!(
                d[0].redacted.ends_with("step (..., \"****\")"),
                "{:?}",
                d[0]
            );
        }
        // Prose is no step; a step's second value after the URL is not a password.
        let prose =
            "Connect using \"jdbc:postgresql://10.9.1.54:5432/app\" , \"app\" and \"{PW}\"\n";
        assert!(found(prose, Syntax::Document).is_empty());
        let two = "  Given a database at \"jdbc:postgresql://10.9.1.54:5432/app\" and \"{PW}\"\n";
        assert!(found(two, Syntax::Document).is_empty());
    }

    #[test]
    fn a_replacement_that_scrubs_a_password_setting_gives_the_old_value() {
        let url = "s = s.replace('jdbc:postgresql://10.9.1.54:5432/app', '${DB_URL}')\n";
        for scrub in [
            "s = s.replace('password: {PW}', 'password: ${DB_PASSWORD}')\n",
            "text = text.replaceAll(\"spring.datasource.password={PW}\", \"spring.datasource.password=***\");\n",
            "out = re.sub(r'password: {PW}', 'password: <REDACTED>', out)\n",
        ] {
            assert!(
                !found(&format!("{url}{scrub}"), Syntax::Code).is_empty(),
                "{scrub}"
            );
        }
        // A replacement that sets a new value, or one that swaps references, scrubs nothing.
        for kept in [
            "s = s.replace('password: {PW}', 'password: Zx9-new-Value')\n",
            "s = s.replace('password: ${OLD}', 'password: ${NEW}')\n",
        ] {
            assert!(
                found(&format!("{url}{kept}"), Syntax::Code).is_empty(),
                "{kept}"
            );
        }
    }

    #[test]
    fn an_enum_constant_named_for_the_password_is_read() {
        let server = "enum ServerInfo {\n    HOST(\"10.9.1.54\"),\n    URL(\"jdbc:postgresql://\"),\n    USER(\"postgres\"),\n    PASSWORD(\"{PW}\");\n}\n";
        let d = found(server, Syntax::Code);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].redacted, "PASSWORD(\"****\")");
        let mail = "enum Mail {\n    SMTP_HOST(\"smtp.acme.io\"),\n    PASSWORD(\"{PW}\");\n}\n";
        assert!(found(mail, Syntax::Code).is_empty());
    }

    #[test]
    fn libpq_s_setdb_login_given_a_literal_password_is_read() {
        let remote = "conn = PQsetdbLogin(\"db.acme.io\", \"5432\", NULL, NULL, \"app\", \"app\", \"{PW}\");\n";
        let d = found(remote, Syntax::Code);
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
        let local = "conn = PQsetdbLogin(\"localhost\", \"5432\", NULL, NULL, \"shop\", \"postgres\", \"1234\");\n";
        let d = found(local, Syntax::Code);
        assert!(d.len() == 1 && d[0].local_default, "{d:?}");
        let variables = "conn = PQsetdbLogin(host, port, NULL, NULL, db, user, password);\n";
        assert!(found(variables, Syntax::Code).is_empty());
    }

    #[test]
    fn prose_giving_a_login_as_user_slash_password_is_read() {
        let url = "jdbc:postgresql://10.9.1.54:25432/builder\n";
        for prose in [
            " ID와 암호는 app / {PW} 이다\n",
            "The user/password: `app` / `{PW}`\n",
            "账号/密码：app/{PW}\n",
        ] {
            let d = found(&format!("{url}{prose}"), Syntax::Document);
            assert!(d.len() == 1 && !d[0].local_default, "{prose}: {d:?}");
        }
        let own = found(
            &format!("{url}user/password: app / app\n"),
            Syntax::Document,
        );
        assert!(own.len() == 1 && own[0].local_default, "{own:?}");
        // No PostgreSQL beside it: an application's login.
        assert!(found("Admin ID/PW: admin / {PW}\n", Syntax::Document).is_empty());
        // A table's row, with the URL that says what the table is just under it.
        let table = "| Item | Value |\n|---|---|\n| Host | `10.9.1.54` |\n| User / password | `app` / `{PW}` |\n\nJDBC URL:\n\n```text\njdbc:postgresql://10.9.1.54:25432/builder\n```\n";
        let d = found(table, Syntax::Document);
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
        // Far under it, the URL is another section's.
        let far = table.replace("\nJDBC URL:", "\n\n\n\n\n\nJDBC URL:");
        assert!(found(&far, Syntax::Document).is_empty());
    }

    #[test]
    fn a_postgresql_url_s_database_named_like_another_service_is_postgresql_s() {
        let call = "cn = DriverManager.getConnection(\"jdbc:postgresql://10.4.0.9:5432/servicemail\", \"app\", \"{PW}\");\n";
        assert_eq!(found(call, Syntax::Code).len(), 1);
        let both = call.replace("\"app\"", "\"jdbc:mysql://10.4.0.8/mail\"");
        assert!(found(&both, Syntax::Code).is_empty());
        let mysql = "cn = DriverManager.getConnection(\"jdbc:mysql://10.4.0.9:3306/shop\", \"app\", \"{PW}\");\n";
        assert!(found(mysql, Syntax::Code).is_empty());
    }

    #[test]
    fn a_file_s_lines_written_as_string_pieces_hold_its_password() {
        let template = "String DS = \"  ds_0:\\n\" +\n    \"    url: jdbc:postgresql://10.4.0.9:26000/ds\\n\" +\n    \"    username: app\\n\" +\n    \"    password: {PW}\\n\";\n";
        assert_eq!(found(template, Syntax::Code).len(), 1, "{template}");
        let logstash = "retorno = \"jdbc {\\n\" +\n  \"    jdbc_connection_string => \\\"jdbc:postgresql://10.4.0.9:5432/app\\\"\\n\" +\n  \"    jdbc_user => \\\"app\\\"\\n\" +\n  \"    jdbc_password => \\\"{PW}\\\"\\n\" +\n  \"}\";\n";
        assert_eq!(found(logstash, Syntax::Code).len(), 1, "{logstash}");
        let message = "// org.postgresql.Driver\nSystem.out.println(\"Password: incorrect\\n\");\n";
        assert!(found(message, Syntax::Code).is_empty());
    }

    #[test]
    fn a_call_whose_user_is_masked_hides_its_password_too() {
        let masked =
            "// ds = new DataSource(\"jdbc:postgresql://10.4.0.9:5432/xx\", \"xx\", \"p@xx\");\n";
        assert!(found(masked, Syntax::Code).is_empty());
        let user = "ds = new DataSource(\"jdbc:postgresql://10.4.0.9:5432/shop\", \"xavier\", \"{PW}\");\n";
        assert_eq!(found(user, Syntax::Code).len(), 1);
    }

    #[test]
    fn a_driver_class_beside_a_call_s_url_is_no_login() {
        let calcite = "final DataSource ds = JdbcSchema.dataSource(\n    \"jdbc:postgresql://10.4.0.9:5432/shop\",\n    \"org.postgresql.Driver\",\n    \"app\",\n    \"{PW}\"\n);\n";
        let d = found(calcite, Syntax::Code);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].holds(PW), "{d:?}");
        // A URL commented out before the live one is not the call's host; a bare URL's
        // scheme is no comment.
        assert_eq!(
            call_host(b"jdbc:postgresql://10.4.0.9:5432/shop"),
            Some("10.4.0.9".to_string())
        );
        assert_eq!(
            call_host(b"dataSource( // \"jdbc:postgresql://10.4.0.9/a\",\n \"jdbc:postgresql://localhost/b\""),
            Some("localhost".to_string())
        );
    }

    #[test]
    fn a_call_s_login_after_a_comment_ending_the_url_s_line_is_read() {
        let call = "connection = DriverManager\n    .getConnection(\"jdbc:postgresql://10.4.0.9:5432/shop\", // the shop's server\n        \"app\", \"{PW}\");\n";
        assert_eq!(found(call, Syntax::Code).len(), 1);
        // Prose in a comment runs to its line's end: a quote inside it starts no argument.
        let prose = "// Groovy's `Sql.newInstance(url, 'user',\n// '...', driver)`; a call given a URL\n// as R's `dbConnect(drv, \"jdbc:postgresql://10.4.0.9/shop\", \"user\", \"...\")`\n";
        assert!(found(prose, Syntax::Code).is_empty());
    }

    #[test]
    fn a_placeholder_word_that_is_the_database_s_name_is_a_password() {
        let call =
            "return new Sql2o(\"jdbc:postgresql://10.4.0.9:5432/tbd\", \"postgres\", \"tbd\");\n";
        assert_eq!(found(call, Syntax::Code).len(), 1);
        assert_eq!(call_database(call.as_bytes()).as_deref(), Some("tbd"));
        // The same word for another database stands in for a password.
        let other = call.replace("5432/tbd", "5432/shop");
        assert!(found(&other, Syntax::Code).is_empty());
    }

    #[test]
    fn a_groovy_dsl_s_spaced_pair_is_a_password_setting() {
        let profile = "profile {\n  properties {\n    'db.user' 'app'\n    'db.password' '{PW}'\n    'db.url' 'jdbc:postgresql://10.4.0.9:5432/sales'\n  }\n}\n";
        assert_eq!(found(profile, Syntax::Code).len(), 1);
        let reference = profile.replace("'{PW}'", "\"${dbPassword}\"");
        assert!(found(&reference, Syntax::Code).is_empty());
        let mysql = profile.replace("postgresql://10.4.0.9:5432", "mysql://10.4.0.9:3306");
        assert!(found(&mysql, Syntax::Code).is_empty());
    }

    #[test]
    fn a_form_builder_s_starting_value_is_a_password_setting() {
        let form = "this.fb.group({\n  url: ['jdbc:postgresql://10.4.0.9:5432/sales', Validators.required],\n  username: ['app', Validators.required],\n  password: ['{PW}'],\n})\n";
        assert_eq!(found(form, Syntax::Code).len(), 1);
        // A form whose control starts empty holds no password.
        let empty = form.replace("'{PW}'", "'', Validators.required");
        assert!(found(&empty, Syntax::Code).is_empty());
    }

    #[test]
    fn a_login_kept_under_its_url_is_read() {
        let notes = "/*\n [PostgreSQL]\n jdbc:postgresql://10.4.0.9:6543/portal\n app/{PW}\n*/\n";
        assert_eq!(found(notes, Syntax::Code).len(), 1);
        // The words for a login are the notes' template.
        assert!(found(&notes.replace("app/{PW}", "user/password"), Syntax::Code).is_empty());
        // A line between the URL and the login leaves them apart.
        assert!(found(&notes.replace("\n app/", "\n\n app/"), Syntax::Code).is_empty());
    }

    #[test]
    fn a_page_element_showing_a_password_gives_it() {
        let page = "<div>\n  <h3 className=\"details\">User: reporting</h3>\n  <h3 className=\"details\">Password: {PW}</h3>\n  <h3>JDBC URL: jdbc:postgresql://211.45.163.31:5432/sales</h3>\n</div>\n";
        for syntax in [Syntax::Code, Syntax::Document, Syntax::Config] {
            let d = found(page, syntax);
            assert!(d.len() == 1 && d[0].redacted == "Password: ****", "{d:?}");
        }
        // A value the page fills in, a label with no value, or another engine's login.
        for page in [
            page.replace("{PW}", "{connection.password}"),
            "<label>Password:</label><input type=\"password\" name=\"pw\">\n<p>jdbc:postgresql://db/app</p>\n".to_string(),
            page.replace("jdbc:postgresql", "jdbc:mysql")
                .replace("5432", "3306"),
        ] {
            assert!(found(&page, Syntax::Code).is_empty(), "{page}");
        }
    }

    #[test]
    fn a_table_row_naming_a_password_variable_gives_its_value() {
        let table = "| Variable | Default (dev) | Required |\n|---|---|---|\n| `SPRING_DATASOURCE_URL` | `jdbc:postgresql://10.4.0.9:5432/app` | yes |\n| `SPRING_DATASOURCE_PASSWORD` | `{PW}` | yes |\n";
        assert_eq!(found(table, Syntax::Document).len(), 1);
        let fallback = "| `DB_URL` fallback | `jdbc:postgresql://10.4.0.9:5432/app` |\n| `DB_PASSWORD` fallback | `{PW}` |\n";
        assert_eq!(found(fallback, Syntax::Document).len(), 1);
        // The name bare, in capitals as an environment writes it, is the same row.
        let bare = table.replace("`SPRING_DATASOURCE_PASSWORD`", "SPRING_DATASOURCE_PASSWORD");
        assert_eq!(found(&bare, Syntax::Document).len(), 1, "{bare}");
        // A variable that is no database password's, or a placeholder, is not one.
        assert!(
            found(
                &table.replace("SPRING_DATASOURCE_PASSWORD", "SMTP_PASSWORD"),
                Syntax::Document
            )
            .is_empty()
        );
        assert!(
            found(
                &table.replace("`{PW}`", "`<your-password>`"),
                Syntax::Document
            )
            .is_empty()
        );
    }

    #[test]
    fn a_table_s_label_in_a_guide_s_language_gives_its_value() {
        let table = "| 项 | 值 |\n|---|---|\n| 地址 | `10.4.0.9` |\n| 用户名 | `app` |\n| 密码 | `{PW}`（生产必须修改） |\n| 连接串 | `jdbc:postgresql://10.4.0.9:5432/app` |\n";
        let d = found(table, Syntax::Document);
        assert!(d.len() == 1 && d[0].redacted == "密码 ****", "{d:?}");
        for label in ["Senha", "Contraseña", "Passwort", "Mot de passe", "пароль"] {
            assert_eq!(
                found(&table.replace("密码", label), Syntax::Document).len(),
                1,
                "{label}"
            );
        }
        // A note in the value cell, not a code span, is no password; nor a placeholder.
        for cell in ["见 `.env`", "`<密码>`（自行设置）"] {
            let row = table.replace("`{PW}`（生产必须修改）", cell);
            assert!(found(&row, Syntax::Document).is_empty(), "{row}");
        }
    }

    #[test]
    fn a_qualified_short_password_key_is_a_password_setting() {
        let notes =
            "DB:\n\tdb.url=jdbc:postgresql://10.4.0.9:8000/app\n\tdb.username=app\n\tdb.pw={PW}\n";
        assert_eq!(found(notes, Syntax::Config).len(), 1);
        // Mail's, beside the database's settings, is not the database's.
        let mail =
            "db.url=jdbc:postgresql://10.4.0.9:8000/app\nsmtp.host=mail.acme.io\nsmtp.pw={PW}\n";
        assert!(found(mail, Syntax::Config).is_empty());
    }

    #[test]
    fn osm2pgrouting_s_password_option_takes_its_value() {
        for option in ["--password", "-W"] {
            let command = format!(
                "osm2pgrouting --f roads.osm --host 10.4.0.9 --dbname routing --username app {option} {{PW}}\n"
            );
            assert_eq!(found(&command, Syntax::Code).len(), 1, "{option}");
        }
        // psql's `-W` and `--password` are flags that ask for the password.
        assert!(
            found(
                "psql -h 10.4.0.9 -U app -W routing\npsql -h 10.4.0.9 --password routing\n",
                Syntax::Code
            )
            .is_empty()
        );
    }

    #[test]
    fn a_scala_map_s_arrow_pair_is_a_password_setting() {
        let options = "Map(\"url\" -> \"jdbc:postgresql://10.4.0.9:5432/sales\",\n  \"user\" -> \"app\",\n  \"password\" -> \"{PW}\")\n";
        assert_eq!(found(options, Syntax::Code).len(), 1);
        // An arrow from a name that is no quoted key is code, not a pair.
        assert!(
            found(
                "password -> \"{PW}\" // jdbc:postgresql://10.4.0.9\n",
                Syntax::Code
            )
            .is_empty()
        );
    }

    #[test]
    fn a_literal_its_comment_names_the_password_is_read() {
        let list = "String[] login = {\n    \"app\",        // 데이터베이스 접속 계정 설정\n    \"{PW}\",   // 데이터베이스 접속 패드워드 설정\n    \"jdbc:postgresql://10.4.0.9:5432/sales\",  // 데이터베이스 접속 주소 설정\n};\n";
        let d = found(list, Syntax::Code);
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
        let python =
            "connect(\n    \"10.4.0.9\",  # PostgreSQL host\n    \"{PW}\",  # db password\n)\n";
        assert_eq!(found(python, Syntax::Code).len(), 1);
        // A comment naming the user or the host, a long one, a reference, another engine.
        for text in [
            "    \"app\",  // user for the password login\n    \"jdbc:postgresql://10.4.0.9/sales\",\n",
            "    \"{PW}\",  // the password is read from the vault at start-up, never here\n    \"jdbc:postgresql://10.4.0.9/sales\",\n",
            "    \"${DB_PASSWORD}\",  // password\n    \"jdbc:postgresql://10.4.0.9/sales\",\n",
            "    \"{PW}\",  // password\n    \"jdbc:mysql://10.4.0.9/sales\",\n",
        ] {
            assert!(found(text, Syntax::Code).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_quoted_password_argument_in_a_postgresql_url_s_list_is_read() {
        let args = "String[] args = {\n    \"driver_class_name=org.postgresql.Driver\",\n    \"url=jdbc:postgresql://10.4.0.9:5432/test\",\n    \"username=test\",\n    \"password={PW}\",\n};\n";
        assert_eq!(found(args, Syntax::Code).len(), 1);
        // The list above it is MySQL's, commented out: its password is MySQL's.
        let mysql = "//    \"url=jdbc:mysql://127.0.0.1:3306/app\",\n//    \"username=app\",\n//    \"password={PW}\",\n    \"url=jdbc:postgresql://10.4.0.9:5432/test\",\n    \"username=test\",\n";
        assert!(found(mysql, Syntax::Code).is_empty());
        let referenced = args.replace("{PW}", "${DB_PASSWORD}");
        assert!(found(&referenced, Syntax::Code).is_empty());
    }

    #[test]
    fn a_password_named_for_its_connection_like_the_url_is_read() {
        let constants = "static String DB_SERVER = \"jdbc:postgresql://10.4.0.9:15063/ms\";\nstatic String USER_SERVER = \"ms\";\nstatic String PASS_SERVER = \"{PW}\";\n";
        assert_eq!(found(constants, Syntax::Code).len(), 1);
        // No URL named alike: the qualifier says nothing of PostgreSQL.
        let unrelated = constants.replace("DB_SERVER", "DB_URL");
        assert!(found(&unrelated, Syntax::Code).is_empty());
    }

    #[test]
    fn a_document_s_password_it_says_is_for_local_use_is_a_local_one() {
        for note in [
            "- Dev password: `{PW}`\n",
            "- Password: `{PW}` (safe, only for local testing)\n",
            "- The actual Postgres password is `{PW}` (docker-compose default)\n",
        ] {
            let d = found(
                &format!("PgBouncer's PostgreSQL login.\n{note}"),
                Syntax::Document,
            );
            assert!(d.len() == 1 && d[0].local_default, "{note}: {d:?}");
        }
        let d = found(
            "PgBouncer's PostgreSQL login.\n- Password: `{PW}`\n",
            Syntax::Document,
        );
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
    }

    #[test]
    fn prose_in_a_guide_s_language_gives_the_password_in_a_code_span() {
        for prose in [
            "密码：`{PW}`",
            "用户 postgres，密码是 `{PW}`。",
            "密码见 `.env`（`{PW}`，`@` 属于密码本身）",
            "пароль: `{PW}`",
        ] {
            let text = format!("PostgreSQL 数据库：`PGHOST=db.acme.io PGUSER=postgres`\n{prose}\n");
            let d = found(&text, Syntax::Document);
            assert!(d.len() == 1 && !d[0].local_default, "{prose}: {d:?}");
        }
        // A placeholder in the span, or a guide that never names PostgreSQL, gives none.
        let placeholder = "PostgreSQL 数据库\n密码：`your_password`\n";
        assert!(found(placeholder, Syntax::Document).is_empty());
        assert!(found("Redis 缓存\n密码：`{PW}`\n", Syntax::Document).is_empty());
        // The word inside a code span ("add `DB_PASSWORD=real password` to .env"): the
        // backtick after it closes the span, the next span is no value.
        let inside =
            "PostgreSQL 数据库\n`.env` 文件加 `DB_PASSWORD=真实密码`——`.gitignore` 加 `.env`\n";
        assert!(found(inside, Syntax::Document).is_empty());
        // A sentence naming another service before its label is that service's password.
        for sentence in [
            "缓存用 Redis，密码是 `{PW}`。",
            "The cache is Redis, its password is `{PW}`.",
        ] {
            let text = format!("PostgreSQL：`PGHOST=db.acme.io PGUSER=app`。{sentence}\n");
            assert!(found(&text, Syntax::Document).is_empty(), "{sentence}");
        }
    }

    #[test]
    fn a_table_row_giving_a_login_is_read_under_the_prose_above_the_table() {
        let table = |host: &str, password: &str| {
            format!(
                "PostgreSQL runs on the lab server:\n\n| Item | Value |\n|---|---|\n| Host | `{host}` |\n| Port | `5432` |\n| Database | `survey` |\n| User / password | `survey_user` / `{password}` |\n"
            )
        };
        let d = found(&table("130.60.2.11", "{PW}"), Syntax::Document);
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
        let local = found(&table("localhost", "survey_password"), Syntax::Document);
        assert!(local.len() == 1 && local[0].local_default, "{local:?}");
        // A table under prose about another service is that service's login.
        let app = table("130.60.2.11", "{PW}")
            .replace("PostgreSQL runs", "The dashboard runs")
            .replace("5432", "8080");
        assert!(found(&app, Syntax::Document).is_empty());
    }

    #[test]
    fn an_encryptor_given_url_user_and_password_in_order_gives_the_password() {
        let printed = "System.out.println(Crypt.encrypt(\"jdbc:postgresql://10.9.1.54:5432/maps\"));\nSystem.out.println(Crypt.encrypt(\"maps\"));\nSystem.out.println(Crypt.encrypt(\"{PW}\"));\n";
        let d = found(printed, Syntax::Code);
        assert_eq!(d.len(), 1, "{d:?}");
        let two = "System.out.println(Crypt.encrypt(\"jdbc:postgresql://10.9.1.54:5432/maps\"));\nSystem.out.println(Crypt.encrypt(\"maps\"));\n";
        assert!(found(two, Syntax::Code).is_empty());
        // Through a logging driver's URL, the encryptor's own key set below: the password
        // printed is found, the key is not.
        let logged = "System.out.println(\"jdbc :: \" + encryptor().encrypt(\"jdbc:log4jdbc:postgresql://59.23.50.20:5432\"));\nSystem.out.println(\"user :: \" + encryptor().encrypt(\"maps\"));\nSystem.out.println(\"pass :: \" + encryptor().encrypt(\"{PW}\"));\n}\npublic static StringEncryptor encryptor() {\n    StandardPBEStringEncryptor enc = new StandardPBEStringEncryptor();\n    enc.setPassword(\"smartmaps\");\n    return enc;\n}\n";
        let d = found(logged, Syntax::Code);
        assert!(d.len() == 1 && d[0].redacted.contains("encrypt"), "{d:?}");
    }

    #[test]
    fn an_encryptor_s_plaintext_for_a_password_is_read() {
        let jasypt = "String url = encryptor.encrypt(\"jdbc:postgresql://10.9.1.54:5432/app\");\nString password = encryptor.encrypt(\"{PW}\");\n";
        let d = found(jasypt, Syntax::Code);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].redacted, "password=encrypt(\"****\")");
        let other = "String url = encryptor.encrypt(\"jdbc:mysql://10.9.1.54:3306/app\");\nString password = encryptor.encrypt(\"{PW}\");\n";
        assert!(found(other, Syntax::Code).is_empty());
    }

    #[test]
    fn a_notebook_s_echo_of_a_password_variable_is_read() {
        let echoed = "url = f\"jdbc:postgresql://{host}:{port}/{db}\"\n\npassword = os.getenv(\"POSTGRES_PASSWORD\")\n\npassword\n'{PW}'\n";
        assert_eq!(found(echoed, Syntax::Code).len(), 1);
        let ipython = "conn = psycopg2.connect(dsn)\nIn [3]: pg_password\nOut[3]: '{PW}'\n";
        assert_eq!(found(ipython, Syntax::Code).len(), 1);
        let not_postgres = "password\n'{PW}'\n# the SMTP relay's\n";
        assert!(found(not_postgres, Syntax::Code).is_empty());
    }

    #[test]
    fn spark_sql_s_options_list_gives_its_password() {
        let table = "CREATE TABLE t USING org.apache.spark.sql.jdbc OPTIONS (url 'jdbc:postgresql://207.207.75.61:5432/bi', dbtable 'facts', user 'etl', password '{PW}');\n";
        let d = found(table, Syntax::Document);
        assert!(d.len() == 1 && !d[0].local_default, "{d:?}");
        assert_eq!(d[0].redacted, "options(..., password '****')");
        let local = table
            .replace("207.207.75.61", "localhost")
            .replace("{PW}", "postgres");
        assert!(
            found(&local, Syntax::Document)
                .iter()
                .all(|d| d.local_default)
        );
        // Another engine's list, or a reference, is not PostgreSQL's password.
        for other in [
            table.replace("jdbc:postgresql", "jdbc:mysql"),
            table.replace("{PW}", "${DB_PASSWORD}"),
        ] {
            assert!(found(&other, Syntax::Document).is_empty(), "{other}");
        }
    }

    #[test]
    fn psql_s_variable_in_a_role_s_password_is_no_value() {
        let script =
            "psql -v admin=\"$ADMIN_PW\" <<SQL\nALTER ROLE postgres PASSWORD :'admin';\nSQL\n";
        assert!(found(script, Syntax::Config).is_empty());
        // A key and its value apart by ` : ` elsewhere is still a setting.
        let map = "postgres = {\n  host : \"db.acme.io\",\n  password :'{PW}'\n}\n";
        assert_eq!(found(map, Syntax::Code).len(), 1);
    }

    #[test]
    fn a_terraform_resource_s_attribute_is_a_reference() {
        for value in [
            "aws_db_instance.main.password",
            "yandex_mdb_postgresql_cluster.homework5-pg.user[0].password",
            "google_sql_user.app.password",
        ] {
            assert!(is_reference(value), "{value}");
        }
        for value in ["aws_db_instance", "s3cr3t_pw.v2", "Pg_Pass.2024.x"] {
            assert!(!is_reference(value), "{value}");
        }
        let env = "environment = {\n  PG_HOST = yandex_mdb_postgresql_cluster.pg.host[0].fqdn\n  PG_PWD = yandex_mdb_postgresql_cluster.pg.user[0].password\n}\n";
        assert!(found(env, Syntax::Config).is_empty());
    }

    #[test]
    fn a_yaml_tag_is_a_reference_and_a_password_opening_with_a_bang_is_not() {
        for tag in [
            "!secret pg_password",
            "!Ref DbPassword",
            "!vault |",
            "!ENV ${PW}",
            "!!str",
        ] {
            assert!(is_yaml_tag(tag), "{tag}");
        }
        for password in ["!QAZ@WSX", "!Passw0rd", "!2wsx#EDC"] {
            assert!(!is_yaml_tag(password), "{password}");
        }
    }

    #[test]
    fn a_yaml_alias_is_a_reference_and_a_password_opening_with_a_star_is_not() {
        for alias in ["*db_password", "&defaults", "*pg14-pass"] {
            assert!(is_reference(alias), "{alias}");
        }
        for password in ["*Luis0959743877", "*Kq8v20251207"] {
            assert!(!is_reference(password), "{password}");
        }
    }

    #[test]
    fn a_table_row_s_value_after_a_cell_describing_it_is_read() {
        let table = |host: &str, password: &str| {
            format!(
                "| Variable | Description | Default |\n| :--- | :--- | :--- |\n| `POSTGRES_URL` | JDBC URL | `jdbc:postgresql://{host}:5432/ingest` |\n| `POSTGRES_PASS` | DB Password | `{password}` |\n"
            )
        };
        for password in [PW, "S3cret"] {
            let found = found(&table("51.15.20.7", password), Syntax::Document);
            assert_eq!(found.len(), 1, "{password}");
            assert_eq!(found[0].kind, Kind::PasswordSetting, "{password}");
        }
        // The word for a secret is a placeholder where no public address is dialled; an
        // empty string is no value.
        assert!(found(&table("localhost", "S3cret"), Syntax::Document).is_empty());
        assert!(found(&table("51.15.20.7", "\"\""), Syntax::Document).is_empty());
    }

    #[test]
    fn a_quoted_key_with_a_bare_value_is_read() {
        for text in [
            "services:\n  sonarqube:\n    environment:\n      \"sonar.jdbc.username\": sonar\n      \"sonar.jdbc.password\": {PW}\n      \"sonar.jdbc.url\": jdbc:postgresql://10.4.0.9:5432/sonar\n",
            "postgres:\n  'host': 10.4.0.9\n  'password': {PW}\n",
        ] {
            let found = found(text, Syntax::Config);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].kind, Kind::PasswordSetting, "{text}");
        }
        for text in [
            "environment:\n  \"sonar.jdbc.password\": ${SONAR_DB_PASSWORD}\n  \"sonar.jdbc.url\": jdbc:postgresql://10.4.0.9:5432/sonar\n",
            "environment:\n  \"spring.datasource.password\": {PW}\n  \"spring.datasource.url\": jdbc:mysql://10.4.0.9:3306/app\n",
        ] {
            assert!(found(text, Syntax::Config).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_property_given_as_an_argument_is_read() {
        for (text, syntax) in [
            (
                "@TestPropertySource(properties = {\n    \"spring.datasource.url=jdbc:postgresql://10.0.151.40:5432/app\",\n    \"spring.datasource.password={PW}\",\n})\n",
                Syntax::Code,
            ),
            (
                "java -Dspring.datasource.url=jdbc:postgresql://10.5.0.4/app -Dspring.datasource.password={PW} -jar app.jar\n",
                Syntax::Code,
            ),
            (
                "java -jar extract.jar -Ddatabase=jdbc:postgresql://10.5.0.4:5432/app -DuserName=app -Dpasswd={PW}\n",
                Syntax::Code,
            ),
            (
                "gradle bootRun -Pargs=--spring.datasource.url=jdbc:postgresql://10.5.0.4/app,--Dspring.datasource.password={PW}\n",
                Syntax::Document,
            ),
        ] {
            let found = found(text, syntax);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].kind, Kind::PasswordSetting, "{text}");
        }
        for text in [
            "java -Dspring.datasource.url=jdbc:mysql://10.5.0.4/app -Dspring.datasource.password={PW} -jar app.jar\n",
            "java -Dspring.datasource.url=jdbc:postgresql://10.5.0.4/app -Dspring.datasource.password=${DB_PASSWORD} -jar app.jar\n",
            "java -Dspring.datasource.url=jdbc:postgresql://10.5.0.4/app -Djavax.net.ssl.keyStorePassword={PW} -jar app.jar\n",
            "java -jar extract.jar -Ddatabase=jdbc:mysql://10.5.0.4:3306/app -Dpasswd={PW}\n",
        ] {
            assert!(found(text, Syntax::Code).is_empty(), "{text}");
        }
    }

    #[test]
    fn prose_that_supposes_a_password_shows_how_not_what() {
        for stated in [
            "Connect to the PostgreSQL server; the password is `{PW}`.",
            "Create the PostgreSQL user `report` with password **`{PW}`**.",
        ] {
            assert_eq!(found(stated, Syntax::Config).len(), 1, "{stated}");
        }
        for supposed in [
            "Connect to PostgreSQL. If your password is `{PW}`, the URL becomes:",
            "For PostgreSQL, say the database password was `{PW}`.",
        ] {
            assert!(found(supposed, Syntax::Config).is_empty(), "{supposed}");
        }
    }

    #[test]
    fn the_languages_that_pass_variables_as_arguments_are_code() {
        for path in [
            "conn.R",
            "report.Rmd",
            "db.jl",
            "pg.lua",
            "db_SUITE.erl",
            "Db.hs",
            "Main.pas",
            "service.bal",
            "Db.adb",
            "Pg.rakumod",
        ] {
            assert_eq!(
                Syntax::of_path(std::path::Path::new(path)),
                Syntax::Code,
                "{path}"
            );
        }
        for path in [
            "values.yaml",
            ".env",
            "app.ini",
            "Dockerfile",
            "Makefile",
            "GO",
        ] {
            assert_eq!(
                Syntax::of_path(std::path::Path::new(path)),
                Syntax::Config,
                "{path}"
            );
        }
        for path in [
            "README.md",
            "SETUP.MD",
            "notes.txt",
            "guide.rst",
            "install.adoc",
            "Sqitch.pod",
            "README",
            "INSTALL",
            "RELEASE_NOTES",
        ] {
            assert_eq!(
                Syntax::of_path(std::path::Path::new(path)),
                Syntax::Document,
                "{path}"
            );
        }
        let r = "secret <- Sys.getenv(\"PGPASSWORD\")\ncon <- dbConnect(RPostgres::Postgres(), user = \"app\", password = secret)\n"; // vsecure:allow (R code in a test)
        assert!(
            crate::scan::detect::detect(r.as_bytes(), Syntax::of_path("a.R".as_ref())).is_empty()
        );
        // Ballerina's named arguments given variables, not a conninfo's `key = value`.
        let ballerina = "self.dbClient = check new postgresql:Client(host = dbHost, username = dbUser, password = dbPassword, database = dbName);\n";
        assert!(
            crate::scan::detect::detect(ballerina.as_bytes(), Syntax::of_path("db.bal".as_ref()))
                .is_empty()
        );
    }

    #[test]
    fn a_devart_encrypted_password_is_decoded_beside_postgresql_only() {
        let encoded: String = "Kq8vTz2m"
            .encode_utf16()
            .map(|unit| {
                let [low, high] = (!unit).to_le_bytes();
                format!("{low:02X}{high:02X}")
            })
            .collect();
        let form = |provider: &str| {
            format!(
                "object Conn: TUniConnection\n  ProviderName = '{provider}'\n  EncryptedPassword = '{encoded}'\nend\n"
            )
        };
        let found = crate::scan::detect::detect(form("PostgreSQL").as_bytes(), Syntax::Code);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].redacted, "EncryptedPassword = '****' (decoded)");
        assert_eq!(
            found[0].secret_digest,
            <[u8; 32]>::from(<sha2::Sha256 as sha2::Digest>::digest(b"Kq8vTz2m"))
        );
        assert!(crate::scan::detect::detect(form("MySQL").as_bytes(), Syntax::Code).is_empty());
        assert_eq!(devart_decoded(b"CCFF8DFF"), Some("3r".to_string()));
        assert_eq!(devart_decoded(b"0000"), None);
    }

    #[test]
    fn the_variable_jenkins_binds_a_credential_s_password_to_is_a_reference() {
        for value in ["EMAIL_DB_CREDS_PSW", "$DB_PSW", "${PG_CREDS_PSW}"] {
            assert!(is_reference(value), "{value}");
        }
        for value in ["_PSW", "Kq8_PSW", "DB_PSWD"] {
            assert!(!is_reference(value), "{value}");
        }
    }

    #[test]
    fn a_call_is_a_reference_and_a_password_with_parentheses_is_not() {
        assert!(is_reference(
            "jsondecode(data.x.secret_string)[\"password\"]"
        ));
        assert!(is_reference("file(\"secrets/db\")"));
        assert!(is_reference("Read-Host"));
        assert!(is_reference("/leave-agent/postgres-password"));
        assert!(!is_reference("/Kq8/Tz2-Wm"));
        assert!(is_reference("Read-Host \"Password\" -AsSecureString"));
        assert!(!is_reference("Pa(ss)word9"));
        assert!(!is_reference("Xk9(Lm2"));
    }

    #[test]
    fn password_settings_next_to_postgres_are_found() {
        for (template, syntax) in [
            (
                "shop = {\n  dataSourceClass = \"org.postgresql.ds.PGSimpleDataSource\"\n  properties = {\n    serverName = \"pg.internal\"\n    password = \"{PW}\"\n  }\n}\n",
                Syntax::Config,
            ),
            (
                "[smtp]\nhost = \"smtp.acme.io\"\n\n[database]\nhost = \"pg.internal\"\npassword = \"{PW}\"\n",
                Syntax::Config,
            ),
            (
                "ds.setJdbcUrl(\"jdbc:postgresql://10.9.1.54:5432/app\");\nds.setJdbcPassword(\"{PW}\");\n",
                Syntax::Code,
            ),
            (
                "con.setUrl(\"jdbc:postgresql://10.9.1.54:5432/app\");\ncon.setUser(\"app\");\ncon.setPass(\"{PW}\");\n",
                Syntax::Code,
            ),
            (
                "connector.name=postgresql\nconnection-url=jdbc:postgresql://pg:5432/app\nconnection-password={PW}\n",
                Syntax::Config,
            ),
            (
                "password => postgresql::postgresql_password('app', '{PW}'),\n",
                Syntax::Config,
            ),
            (
                "$wgDBtype = \"postgres\";\n$wgDBserver = \"pg.internal\";\n$wgDBpassword = \"{PW}\";\n",
                Syntax::Code,
            ),
            (
                "kind: Secret\nmetadata:\n  name: postgres-app\nstringData:\n  username: app\n  password: {PW}\n",
                Syntax::Config,
            ),
            (
                "keycloak:\n  externalDatabase:\n    host: pg.internal\n    database: keycloak\n    password: {PW}\n",
                Syntax::Config,
            ),
            (
                "[pg-prod]\nDriver={PostgreSQL Unicode}\nServer=pg.internal\nUid=sales\nPwd={PW}\n",
                Syntax::Config,
            ),
            (
                "spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password={PW}\n",
                Syntax::Config,
            ),
            (
                "inventory_db_host: pg.internal\ninventory_db_password: {PW}\n",
                Syntax::Config,
            ),
            (
                "printf \"[options]\\ndb_host = pg.internal\\ndb_password = {PW}\\ndb_port = 5432\" > odoo.conf\n",
                Syntax::Config,
            ),
            (
                "const settings = { ordersDbHost: \"pg.internal\", ordersDbPassword: \"{PW}\" };\n",
                Syntax::Code,
            ),
            (
                "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'PASSWORD': '{PW}',\n    }\n}\n",
                Syntax::Code,
            ),
            (
                "production:\n  adapter: postgresql\n  database: app\n  password: {PW}\n",
                Syntax::Config,
            ),
            (
                "Flyway.configure().dataSource(\"jdbc:postgresql://db/app\", \"app\", \"{PW}\").load();\n",
                Syntax::Code,
            ),
            (
                "@Value(\"jdbc:postgresql://db/app\")\nprivate String DB_URL;\n@Value(\"{PW}\")\nprivate String DB_PASSWORD;\n",
                Syntax::Code,
            ),
            (
                "resource \"aws_db_instance\" \"main\" {\n  engine   = \"postgres\"\n  password = \"{PW}\"\n}\n",
                Syntax::Config,
            ),
            (
                "conn = psycopg2.connect(host='db', password=\"{PW}\")\n",
                Syntax::Code,
            ),
            (
                "const pool = new Pool({\n  host: 'db',\n  password: '{PW}',\n});\n",
                Syntax::Code,
            ),
            (
                "Connection c = DriverManager.getConnection(\"jdbc:postgresql://db/app\", \"app\", \"{PW}\");\n",
                Syntax::Code,
            ),
            (
                "def sql = Sql.newInstance(\"jdbc:postgresql://db/app\", 'app', '{PW}', 'org.postgresql.Driver')\n",
                Syntax::Code,
            ),
            (
                "con <- dbConnect(drv, \"jdbc:postgresql://db.acme.io:5432/app\", \"app\", \"{PW}\")\n",
                Syntax::Code,
            ),
            (
                "val so = new SessionOperation(\"org.postgresql.Driver\", \"jdbc:postgresql://db.acme.io/app\", \"app\", \"{PW}\")\n",
                Syntax::Code,
            ),
            (
                "//  c = DriverManager.getConnection(\"jdbc:postgresql://db.acme.io/app\",\n//          \"app\", \"{PW}\");\n",
                Syntax::Code,
            ),
            // A password's name misspelt names it still.
            (
                "String url = \"jdbc:postgresql://db.acme.io:5432/app\";\nString passowrd = \"{PW}\";\n",
                Syntax::Code,
            ),
            // A password named as the PostgreSQL URL beside it is.
            (
                "const targetUrl = 'jdbc:postgresql://db.acme.io/app';\nconst targetPass = '{PW}';\n",
                Syntax::Code,
            ),
            // ... or named as the connection it gives (Sqoop's `--connect`).
            (
                "export SQOOP_CONNECT=\"jdbc:postgresql://db.acme.io:5432/app\"\nexport SQOOP_PASS=\"{PW}\"\n",
                Syntax::Code,
            ),
            (
                "Properties props = new Properties();\nprops.setProperty(\"user\", \"app\");\nprops.setProperty(\"password\", \"{PW}\");\nDriverManager.getConnection(\"jdbc:postgresql://db/app\", props);\n",
                Syntax::Code,
            ),
            (
                "        env:\n        - name: DB_PASSWORD\n          value: \"{PW}\"\n",
                Syntax::Config,
            ),
            ("[postgresql]\nhost = db\npasswd = {PW}\n", Syntax::Config),
            (
                "$pdo = new PDO(\"pgsql:host=db;dbname=app\", \"app\", '{PW}');\n",
                Syntax::Code,
            ),
            (
                "let options = PgConnectOptions::new()\n    .host(\"db\")\n    .password(\"{PW}\");\n",
                Syntax::Code,
            ),
            // Npgsql.FSharp's pipeline and Gleam's pog builder.
            (
                "open Npgsql.FSharp\n\nlet connection =\n    Sql.host \"5.2.228.30\"\n    |> Sql.username \"app\"\n    |> Sql.password \"{PW}\"\n    |> Sql.database \"app\"\n",
                Syntax::Code,
            ),
            (
                "pog.default_config(pool_name: name)\n  |> pog.host(\"db.acme.io\")\n  |> pog.database(\"app\")\n  |> pog.user(\"app\")\n  |> pog.password(Some(\"{PW}\"))\n",
                Syntax::Code,
            ),
            (
                "production:\n  adapter: postgresql\n  database: { host: db, user: app, password: {PW} }\n",
                Syntax::Config,
            ),
            (
                "my $dbh = DBI->connect(\"dbi:Pg:dbname=app;host=db\", \"app\", \"{PW}\");\n",
                Syntax::Config,
            ),
            (
                "<property name=\"hibernate.connection.url\">jdbc:postgresql://db/app</property>\n<property name=\"hibernate.connection.password\">{PW}</property>\n",
                Syntax::Config,
            ),
            (
                "db:\n  vars:\n    postgresql_admin_password: \"{PW}\"\n",
                Syntax::Config,
            ),
            (
                "<Connection id=\"1\" type=\"sql.jdbc\">\n  <Driver>org.postgresql.Driver</Driver>\n  <Url>jdbc:postgresql://10.4.0.9:5432/app</Url>\n  <User>app</User>\n  <Pass>{PW}</Pass>\n</Connection>\n",
                Syntax::Config,
            ),
            (
                "<cfg:database>\n  <cfg:uri>jdbc:postgresql://10.4.0.9:5432/app</cfg:uri>\n  <cfg:password>{PW}</cfg:password>\n</cfg:database>\n",
                Syntax::Config,
            ),
            (
                "String pw = \"{PW}\";\nString username = \"app\";\nString url = \"jdbc:postgresql://db.acme.io:5432/app\";\n",
                Syntax::Code,
            ),
            (
                "config.setParam(\"DatabaseUserName\", \"app\");\nconfig.setParam(\"DatabasePassword\", \"{PW}\");\nconfig.setParam(\"DatabaseURL\", \"jdbc:postgresql://10.4.0.9/app\");\n",
                Syntax::Code,
            ),
            (
                "JdbcIO.DataSourceConfiguration.create(\"org.postgresql.Driver\", \"jdbc:postgresql://10.4.0.9/app\")\n    .withUsername(\"app\")\n    .withPassword(\"{PW}\")\n",
                Syntax::Code,
            ),
            (
                "<cfg:database>\n  <cfg:uri>jdbc:postgresql://10.4.0.9:5432/app</cfg:uri>\n  <cfg:password>\n    <cfg:plain>{PW}</cfg:plain>\n  </cfg:password>\n</cfg:database>\n",
                Syntax::Config,
            ),
            (
                "HikariConfig config = new HikariConfig();\nconfig.setJdbcUrl(\"jdbc:postgresql://db/app\");\nconfig.setPassword(\"{PW}\");\n",
                Syntax::Code,
            ),
            (
                "#spring.datasource.url=jdbc:postgresql://10.4.0.9:5432/app\n#spring.datasource.password={PW}\n",
                Syntax::Config,
            ),
            (
                "Connection conn = conexion.getDBConnection(\"geo\", \"{PW}\", \"jdbc:postgresql://10.4.0.9:5432/geo\", \"org.postgresql.Driver\");\n",
                Syntax::Code,
            ),
            (
                "**Host:** 10.4.0.9\n**Database:** ask\n**Password:** {PW}\n\n`jdbc:postgresql://10.4.0.9:5432/ask`\n",
                Syntax::Document,
            ),
            (
                "sql.OpenDB(pgdriver.NewConnector(\n\tpgdriver.WithAddr(\"db:5432\"),\n\tpgdriver.WithPassword(\"{PW}\"),\n))\n",
                Syntax::Code,
            ),
            (
                "resource \"azurerm_postgresql_flexible_server\" \"pg\" {\n  administrator_login    = \"pgadmin\"\n  administrator_password = \"{PW}\"\n}\n",
                Syntax::Config,
            ),
            (
                "resource pg 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = {\n  name: 'pg'\n  properties: {\n    administratorLogin: 'pgadmin'\n    administratorLoginPassword: '{PW}'\n  }\n}\n",
                Syntax::Config,
            ),
            (
                "(def db {:dbtype \"postgresql\" :host \"db\" :password \"{PW}\"})\n",
                Syntax::Code,
            ),
            (
                "{\"postgresql\": {\"password\": {\"postgres\": \"{PW}\"}}}\n",
                Syntax::Config,
            ),
            (
                "Transactor.fromDriverManager[IO](\"org.postgresql.Driver\", \"jdbc:postgresql://db/app\", \"app\", \"{PW}\")\n",
                Syntax::Code,
            ),
            (
                "engine: rds.DatabaseInstanceEngine.postgres({}),\ncredentials: rds.Credentials.fromPassword('app', SecretValue.unsafePlainText('{PW}')),\n",
                Syntax::Code,
            ),
        ] {
            let d = found(template, syntax);
            assert_eq!(d.len(), 1, "{template}: {d:?}");
            let pieces: Vec<&str> = (0..=PW.len() - 6).map(|i| &PW[i..i + 6]).collect();
            assert!(
                !pieces.iter().any(|piece| d[0].redacted.contains(piece)),
                "{}",
                d[0].redacted
            );
        }
    }

    #[test]
    fn a_variables_file_s_server_administrator_password_is_found_beside_postgres() {
        let tfvars = "name = \"psql-ledger\"\npostgresql_version = \"15\"\nadministrator_login = \"psqladmin\"\nadministrator_password = \"{PW}\"\n";
        assert_eq!(found(tfvars, Syntax::Config).len(), 1);
        // Another engine's server, or an application's admin beside a database's settings.
        let mssql = tfvars.replace("postgresql_version = \"15\"", "mssql_version = \"12.0\"");
        assert!(found(&mssql, Syntax::Config).is_empty());
        let app_admin = "POSTGRES_DB=shop\nADMIN_PASSWORD={PW}\n";
        assert!(found(app_admin, Syntax::Config).is_empty());
    }

    #[test]
    fn a_resource_s_administrator_password_is_judged_by_the_blocks_around_it() {
        let bicep = "resource pg 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = {\n  name: 'pg'\n  properties: {\n    administratorLogin: 'pgadmin'\n    administratorLoginPassword: '{PW}'\n  }\n}\n";
        assert_eq!(found(bicep, Syntax::Config).len(), 1);
        // SQL Server's and MySQL's servers are other engines'.
        for server in [
            "Microsoft.Sql/servers@2021-02-01-preview",
            "Microsoft.DBforMySQL/flexibleServers@2021-05-01",
        ] {
            let other = format!(
                "resource sql '{server}' = {{\n  name: 'jobsite'\n  properties: {{\n    administratorLogin: 'sqladmin'\n    administratorLoginPassword: '{{PW}}'\n  }}\n}}\n"
            );
            assert!(found(&other, Syntax::Config).is_empty(), "{other}");
        }
    }

    #[test]
    fn another_engine_s_command_option_is_not_postgres_s() {
        let connections = "astro dev run connections add src \\\n  --conn-type mssql --conn-host legacy-mssql --conn-port 1433 \\\n  --conn-login sa --conn-password \"{PW}\"\n\nastro dev run connections add dst \\\n  --conn-type postgres --conn-host warehouse.acme.io \\\n  --conn-login loader --conn-password \"{PW}\"\n";
        let found = found(connections, Syntax::Config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].offset > connections.find("--conn-type postgres").unwrap());
    }

    #[test]
    fn a_go_struct_s_password_example_is_read() {
        let addon = "type PostgreSQL struct {\n\tHost string `json:\"host\" example:\"b1x-postgresql.services.clever-cloud.com\"`\n\tPassword string `json:\"password\" example:\"{PW}\"`\n}\n";
        let d = found(addon, Syntax::Code);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].redacted, "Password example:\"****\"");
        let made_up = addon.replace("{PW}", "your-password");
        assert!(found(&made_up, Syntax::Code).is_empty());
        let smtp = addon
            .replace("PostgreSQL", "SMTP")
            .replace("postgresql", "mail");
        assert!(found(&smtp, Syntax::Code).is_empty());
    }

    #[test]
    fn a_program_s_own_login_option_is_not_postgres_s() {
        let argocd = "1. **ArgoCD password**\n   ```bash\n   argocd account update-password \\\n     --current-password '{PW}' \\\n     --new-password '<strong>'\n   ```\n\n2. **PostgreSQL password**\n   - rotate the Secret\n";
        assert!(found(argocd, Syntax::Document).is_empty());
        let registry = "# PostgreSQL image from our registry\nsudo docker login registry.acme.io --username ci --password {PW}\n";
        assert!(found(registry, Syntax::Config).is_empty());
        // A database tool's option beside it is still the database's.
        let pmm =
            "# PostgreSQL monitoring\npmm-admin add postgresql --username=pmm --password={PW}\n";
        assert_eq!(found(pmm, Syntax::Config).len(), 1);
    }

    #[test]
    fn an_unquoted_option_value_ends_where_the_shell_or_helm_ends_it() {
        let secret_of = |text: &str| {
            let found = found(text, Syntax::Config);
            assert_eq!(found.len(), 1, "{text}");
            found[0].secret_digest
        };
        let digest = |secret: &str| -> [u8; 32] {
            <sha2::Sha256 as sha2::Digest>::digest(secret.as_bytes()).into()
        };
        for text in [
            "add=(pmm-admin add postgresql --username=pmm --password=Wt5-Hq2-Lr8)\n",
            "run `pmm-admin add postgresql --password=Wt5-Hq2-Lr8` to monitor it\n",
            "helm install pg bitnami/postgresql --set auth.postgresPassword=Wt5-Hq2-Lr8,auth.database=shop\n",
        ] {
            assert_eq!(secret_of(text), digest("Wt5-Hq2-Lr8"), "{text}"); // vsecure:allow (a documented fake)
        }
    }

    #[test]
    fn helm_installing_a_postgres_chart_with_a_default_password_is_a_local_set_up() {
        let install = |password: &str| {
            format!(
                "hhelm \"$env\" upgrade --install postgresql bitnami/postgresql \\\n  --namespace postgres \\\n  --set auth.postgresPassword={password} \\\n  --set primary.resources.requests.cpu=2000m\n"
            )
        };
        let local = found(&install("testpassword"), Syntax::Config);
        assert!(local.len() == 1 && local[0].local_default, "{local:?}");
        let chosen = found(&install("Wt5-Hq2-Lr8"), Syntax::Config); // vsecure:allow (a documented fake)
        assert!(chosen.len() == 1 && !chosen[0].local_default, "{chosen:?}");
        // Another chart's Helm values are no PostgreSQL chart's set-up.
        let other = "helm install app ./chart --set postgresql.auth.password=testpassword\n";
        let values = found(other, Syntax::Config);
        assert!(values.len() == 1 && !values[0].local_default, "{values:?}");
    }

    #[test]
    fn a_command_s_password_option_and_config_set_are_found() {
        for template in [
            "az postgres flexible-server create --admin-user pgadmin --admin-password '{PW}'\n",
            "aws rds create-db-instance --engine postgres \\\n  --master-user-password {PW}\n",
            "kubectl create secret generic pg-app --from-literal=password={PW}\n",
            "gcloud sql users set-password app --instance=pg-prod --password={PW}\n",
            "pulumi config set --secret dbPassword {PW}\n",
            "createuser app \\\n  --pg-password {PW} maintenance notes\n",
        ] {
            let found = found(template, Syntax::Config);
            assert_eq!(found.len(), 1, "{template}");
            assert!(found[0].redacted.ends_with("****"), "{template}");
        }
        for template in [
            "pg_dump --password -h pg.internal app > app.sql\n",
            "pg_dump --password app > app.sql\n",
            "az postgres flexible-server create --admin-password \"$PG_ADMIN_PASSWORD\"\n",
            "kubectl create secret generic pg-app --from-file=password=./pw.txt\n",
            "redis-cli --no-auth-warning --pass-word={PW}\n",
            "pulumi config set --secret apiToken {PW}\n",
            "# Options:\n#   --pg-password   PostgreSQL password for the auditor (required)\n", // vsecure:allow (a usage listing)
        ] {
            assert!(found(template, Syntax::Config).is_empty(), "{template}");
        }
    }

    #[test]
    fn a_template_naming_each_slot_holds_no_password() {
        let template = "# external_database:\n#   harbor:\n#     url: postgresql://harbor_db_host:5432/registry\n#     host: harbor_db_host\n#     username: harbor_db_username\n#     password: harbor_db_password\n";
        assert!(found(template, Syntax::Config).is_empty());
        let live = template.replace(
            "#     password: harbor_db_password",
            "#     password: Kq8-Tz2-Wm",
        );
        assert_eq!(found(&live, Syntax::Config).len(), 1);
    }

    #[test]
    fn a_label_string_ending_in_the_key_s_separator_sets_nothing() {
        let log = "import pg from 'pg';\nconsole.log('POSTGRES_PASSWORD:', process.env.POSTGRES_PASSWORD ? '***MASKED***' : 'UNDEFINED');\nconsole.log('DB_PASSWORD:', ready ? 'set' : 'unset');\n";
        assert!(found(log, Syntax::Code).is_empty());
        // A whole property in a string, its value in the other quotes, is still read.
        let property = "import pg from 'pg';\nconst line = \"db.password='Kq8vTz2x'\";\n";
        assert_eq!(found(property, Syntax::Code).len(), 1);
    }

    #[test]
    fn the_word_password_is_a_password_where_code_dials_an_address() {
        let handler = "class Handler {\n    private final String user = \"root\";\n    private final String pass = \"password\";\n    private String url = \"jdbc:postgresql://8.210.33.51/eventos\";\n}\n";
        assert_eq!(found(handler, Syntax::Code).len(), 1);
        for host in ["127.0.0.1", "192.0.2.10", "db.acme.io"] {
            let elsewhere = handler.replace("8.210.33.51", host);
            assert!(found(&elsewhere, Syntax::Code).is_empty(), "{host}");
        }
        // A document dials a public address only: a LAN one is the reader's to change.
        let documented =
            "user: root\npassword: password\nurl: jdbc:postgresql://8.210.33.51/eventos\n";
        assert_eq!(found(documented, Syntax::Document).len(), 1);
        let lan = documented.replace("8.210.33.51", "10.1.2.3");
        assert!(found(&lan, Syntax::Document).is_empty());
        // The nearest address is the one the password is for.
        let two = "url: jdbc:postgresql://8.210.33.51/a\n\n\nurl: jdbc:postgresql://10.1.2.3/b\nuser: root\npassword: password\n";
        assert!(found(two, Syntax::Document).is_empty());
        // A builder's password set before the URL it dials, and one character or a
        // keyboard's first letters the same way.
        let builder = "DataSourceBuilder.create()\n    .username(\"java\")\n    .password(\"qwerty\")\n    .url(\"jdbc:postgresql://62.109.25.2:2201/test\")\n    .build();\n";
        assert_eq!(found(builder, Syntax::Code).len(), 1);
        let on_loopback = builder.replace("62.109.25.2", "127.0.0.1");
        assert!(found(&on_loopback, Syntax::Code).is_empty());
        // A JVM property on a command line the same way.
        let command = "java -jar app.jar -Dspring.datasource.url=jdbc:postgresql://8.210.33.51:5432/app -Dspring.datasource.password=pass &\n"; // vsecure:allow (a documented fake)
        assert_eq!(found(command, Syntax::Document).len(), 1);
        let local = command.replace("8.210.33.51", "localhost");
        assert!(found(&local, Syntax::Document).is_empty());
        // PHP's variables name the host as a shell's do (`$DB_HOST = '10.0.1.236'`).
        let php = "<?php\n$DB_HOST = '10.0.1.236';\n$DB_USER = 'orders_app';\n$DB_PASSWORD = 'pass';\n$conn = new PDO(\"pgsql:host=$DB_HOST\", $DB_USER, $DB_PASSWORD);\n";
        assert_eq!(found(php, Syntax::Code).len(), 1);
        let php_local = php.replace("10.0.1.236", "localhost");
        assert!(found(&php_local, Syntax::Code).is_empty());
    }

    #[test]
    fn go_s_raw_string_is_a_quoted_value() {
        let upper = "import \"github.com/upper/db/v4/adapter/postgresql\"\n\nvar settings = postgresql.ConnectionURL{\n\tDatabase: `training`,\n\tHost:     `pg.acme-corp.io`,\n\tUser:     `app`,\n\tPassword: `{PW}`,\n}\n";
        assert_eq!(found(upper, Syntax::Code).len(), 1);
        let template = upper.replace("`{PW}`", "`${process.env.PG_PASSWORD}`");
        assert!(super::tests::found(&template, Syntax::Code).is_empty());
    }

    #[test]
    fn a_password_given_as_an_option_is_read() {
        let skunk = "Session.pooled[IO](\n  host = \"db.acme-corp.io\",\n  port = 5432,\n  user = \"jimmy\",\n  database = \"world\",\n  password = Some(\"{PW}\"),\n  max = 16\n)\n"; // vsecure:allow (a documented fake)
        let found = found(skunk, Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        let reference = skunk.replace("Some(\"{PW}\")", "Some(config.db.pass)");
        assert!(super::tests::found(&reference, Syntax::Code).is_empty());
        let tutorial = skunk
            .replace("db.acme-corp.io", "localhost")
            .replace("{PW}", "banana");
        let found = super::tests::found(&tutorial, Syntax::Code);
        assert!(found.iter().all(|d| d.default_password), "{found:?}");
    }

    #[test]
    fn a_literal_left_in_a_comment_after_a_subscripted_reference_is_read() {
        let code = "url = args['url']  # 'jdbc:postgresql://52.4.5.6:25308/app'\npassword = args['password']   #'{PW}'\n";
        let found = found(code, Syntax::Code);
        assert_eq!(found.len(), 1, "{found:?}");
        let placeholder = code.replace("{PW}", "changeme");
        assert!(super::tests::found(&placeholder, Syntax::Code).is_empty());
        let no_comment = "url = args['url']\npassword = args['password']\n";
        assert!(super::tests::found(no_comment, Syntax::Code).is_empty());
    }

    #[test]
    fn a_data_source_s_password_continued_on_the_next_line_is_read() {
        for key in [
            "DATASOURCE_PASSWORD",
            "DEV_DATASOURCE_PASSWORD",
            "dataSourcePassword",
        ] {
            let code = format!(
                "static final String {key} =\n        \"{{PW}}\";\nstatic final String URL = \"jdbc:postgresql://52.4.5.6/app\";\n"
            );
            assert_eq!(found(&code, Syntax::Code).len(), 1, "{key}");
        }
        let mysql = "static final String DATASOURCE_PASSWORD =\n        \"{PW}\";\nstatic final String URL = \"jdbc:mysql://52.4.5.6/app\";\n";
        assert!(found(mysql, Syntax::Code).is_empty());
    }

    #[test]
    fn a_password_key_in_another_language_is_read() {
        for key in [
            "senha",
            "clave",
            "contraseña",
            "passwort",
            "wachtwoord",
            "haslo",
            "пароль",
        ] {
            let code = format!(
                "String url = \"jdbc:postgresql://52.4.5.6/abs\";\nString {key} = \"{{PW}}\";\n"
            );
            assert!(!found(&code, Syntax::Code).is_empty(), "{key}");
            let config = format!("postgres:\n  host: 52.4.5.6\n  {key}: {{PW}}\n");
            assert!(!found(&config, Syntax::Config).is_empty(), "{key}");
        }
        assert!(
            found(
                "String url = \"jdbc:postgresql://52.4.5.6/abs\";\nString senha = \"sua_senha\";\n",
                Syntax::Code
            )
            .is_empty()
        );
        assert!(found("mysql:\n  host: 52.4.5.6\n  senha: {PW}\n", Syntax::Config).is_empty());
    }

    #[test]
    fn a_login_password_is_a_database_s_under_a_postgresql_module() {
        let play = "- name: q\n  community.postgresql.postgresql_query:\n    login_host: 10.11.8.13\n    login_user: ansible\n    login_password: {PW}\n";
        assert_eq!(found(play, Syntax::Config).len(), 1);
        let quoted = play.replace("{PW}", "\"{PW}\"");
        assert_eq!(found(&quoted, Syntax::Config).len(), 1);
        let web = "portal:\n  url: https://portal.acme.io\n  login_password: {PW}\ndatabase:\n  engine: postgresql\n";
        assert!(found(web, Syntax::Config).is_empty());
    }

    #[test]
    fn a_jdbc_tool_s_password_option_is_found_in_its_command() {
        for template in [
            "sqoop import --connect jdbc:postgresql://10.2.0.7:5432/maf --username maf --password {PW} --table t\n",
            "sqoop import \\\n  --connect jdbc:postgresql://pg.internal/gpdb \\\n  --username gpadmin \\\n  --password '{PW}' -m 1\n",
            "flyway -url=jdbc:postgresql://pg.internal/app -user=app -password={PW} migrate\n",
        ] {
            let found = found(template, Syntax::Config);
            assert_eq!(found.len(), 1, "{template}");
            assert!(found[0].redacted.ends_with("****"), "{template}");
        }
        for template in [
            "psql --username app --password {PW}\n",
            "sqoop import --connect jdbc:mysql://10.2.0.7/maf --username maf --password {PW}\n",
            "sqoop import --connect jdbc:postgresql://10.2.0.7/maf --password $PG_PWD\n",
            "sqoop import --connect jdbc:postgresql://10.2.0.7/maf \\\n  --username maf\n\nsqoop help --password {PW}\n",
        ] {
            assert!(found(template, Syntax::Config).is_empty(), "{template}");
        }
    }

    #[test]
    fn a_csv_table_of_connections_has_each_row_s_password_found() {
        let table = "name,host,port,user,password\nprod,pg.internal,5432,app,{PW}\nstaging,pg-stg,5432,app,{PW}\n";
        let rows = found(table, Syntax::Config);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|d| d.redacted == "password column: ****"));
        for template in [
            "id,email,password\n1,a@b.c,{PW}\n",
            "name,host,port,user,password\nprod,pg.internal,5432,app,${PG_PASSWORD}\n",
        ] {
            assert!(found(template, Syntax::Config).is_empty(), "{template}");
        }
    }

    #[test]
    fn dbt_s_pass_in_a_postgres_profile_is_a_password() {
        let profile =
            "prod:\n  type: postgres\n  host: warehouse.internal\n  user: dbt\n  pass: {PW}\n";
        assert_eq!(found(profile, Syntax::Config).len(), 1);
        for template in [
            "prod:\n  type: snowflake\n  user: dbt\n  pass: {PW}\n",
            "postgres:\n  host: pg.internal\n  bypass: {PW}\n",
            "<proxy>\n  <url>jdbc:postgresql://pg.internal/app</url>\n  <bypass>{PW}</bypass>\n</proxy>\n",
        ] {
            assert!(found(template, Syntax::Config).is_empty(), "{template}");
        }
    }

    #[test]
    fn references_and_other_engines_are_not_flagged() {
        for (template, syntax) in [
            // A password named like another engine's URL is that engine's.
            (
                "const targetUrl = 'jdbc:mysql://db.acme.io/app';\nconst targetPass = '{PW}';\n",
                Syntax::Code,
            ),
            (
                "export SQOOP_CONNECT=\"jdbc:mysql://db.acme.io:3306/app\"\nexport SQOOP_PASS=\"{PW}\"\n",
                Syntax::Code,
            ),
            (
                "dsn := \"host=\" + host + \" password=\" + password + \" dbname=\" + name\n",
                Syntax::Code,
            ),
            (
                "$c = pg_connect(\"host=\" . $host . \" password=\" . $pw . \" dbname=app\");\n",
                Syntax::Code,
            ),
            (
                "dsn = \"host=db.internal dbname=app password='\"+pw+\"'\"\n",
                Syntax::Code,
            ),
            (
                "xml = \"\"\"<datasource>host=\"\"\"+host+\"\"\" password='\"\"\"+password+\"\"\"'</datasource>\"\"\"\n",
                Syntax::Code,
            ),
            (
                "def connect(database: str, user: str, password: str, port: int = 5432): ...\n",
                Syntax::Config,
            ),
            (
                "postgres:\n  password: &password\n    secretName: pg\n    key: password\n",
                Syntax::Config,
            ),
            (
                "[database]\nurl = \"postgres://app@pg/app\"\n\n[smtp]\nhost = \"smtp.acme.io\"\npassword = \"{PW}\"\n",
                Syntax::Config,
            ),
            (
                "spring:\n  datasource:\n    url: jdbc:h2:mem:testdb\n    username: sa\n    password: {PW}\n",
                Syntax::Config,
            ),
            (
                "@Value(\"${db.password}\")\nprivate String DB_PASSWORD; // jdbc:postgresql\n",
                Syntax::Code,
            ),
            (
                "# Stack\n\npostgresql://pg.internal/app\n\n## pgAdmin\n\n| **Password** | `{PW}` |\n",
                Syntax::Config,
            ),
            (
                "prod:\n  type: snowflake\n  user: DBT\n  password: {PW}\n  database: ANALYTICS\n",
                Syntax::Config,
            ),
            (
                "SNOWFLAKE = {\"user\": \"etl\", \"password\": \"{PW}\"}\nPG = {\"host\": \"pg.internal\"}\n",
                Syntax::Code,
            ),
            (
                "<servers>\n  <server>\n    <id>nexus</id>\n    <password>{PW}</password>\n  </server>\n</servers>\n<db.url>jdbc:postgresql://pg/app</db.url>\n",
                Syntax::Config,
            ),
            (
                "airflow:\n  webserver:\n    defaultUser:\n      username: admin\n      password: {PW}\n  postgresql:\n    enabled: false\n",
                Syntax::Config,
            ),
            (
                "DATABASE_URL=postgres://db.internal/app\nPWD=/srv/app\nOLDPWD=~/src\n",
                Syntax::Config,
            ),
            (
                "resource \"aws_db_instance\" \"db\" {\n  engine   = \"postgres\"\n  password = data.vault_generic_secret.db.data[\"password\"]\n}\n",
                Syntax::Config,
            ),
            (
                "conn = psycopg2.connect(password=os.environ[\"PGPASSWORD\"])\n",
                Syntax::Code,
            ),
            (
                "conn = psycopg2.connect(password=getpass.getpass())\n",
                Syntax::Code,
            ),
            (
                "postgres:\n  password: !secret db_password\n",
                Syntax::Config,
            ),
            (
                "postgresql:\n  password: {{ .Values.db.password }}\n",
                Syntax::Config,
            ),
            (
                "adapter: postgresql\npassword: <%= ENV['DB_PASSWORD'] %>\n",
                Syntax::Config,
            ),
            (
                "resource \"aws_db_instance\" \"x\" {\n  engine = \"postgres\"\n  password = var.db_password\n}\n",
                Syntax::Config,
            ),
            (
                "adapter: postgresql\npassword = db_password\n",
                Syntax::Code,
            ),
            (
                "redis:\n  host: cache\n  database: 0\n  password: {PW}\n",
                Syntax::Config,
            ),
            (
                "smtp:\n  host: mail.acme.io\n  password: '{PW}'\n",
                Syntax::Config,
            ),
            (
                "redis:\n  host: cache.internal\n  password: {PW}\npostgres:\n  host: db.internal\n  user: app\n",
                Syntax::Config,
            ),
            (
                "adapter: mysql2\ndatabase: app\npassword: {PW}\n",
                Syntax::Config,
            ),
            ("PWD=/home/app\nPOSTGRES_HOST=db\n", Syntax::Config),
            (
                "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=ENC(G6N718UuyPE5bHyW)\n",
                Syntax::Config,
            ),
            (
                "postgres.yaml: |-\n  instances:\n  - host: pg.internal\n    username: datadog\n    password: 'ENC[datadog_pg_password]'\n",
                Syntax::Config,
            ),
            (
                "<property name=\"url\">jdbc:postgresql://db/app</property>\n<property name=\"password\">${db.password}</property>\n",
                Syntax::Config,
            ),
            (
                "postgres:\n  host: db\nwebapp:\n  admin_password: \"{PW}\"\n",
                Syntax::Config,
            ),
            (
                "defaults: &defaults\n  adapter: postgresql\n  password: *db_password\n",
                Syntax::Config,
            ),
            (
                "image: postgres:16\nenvironment:\n  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?required}\n",
                Syntax::Config,
            ),
            (
                "$pdo = new PDO(\"mysql:host=db;dbname=app\", \"app\", '{PW}');\n",
                Syntax::Code,
            ),
            (
                "let options = PgConnectOptions::new().password(&password);\n",
                Syntax::Code,
            ),
        ] {
            let d = found(template, syntax);
            assert!(d.is_empty(), "flagged: {template}: {d:?}");
        }
    }

    #[test]
    fn covered_positions_are_found_in_merged_ranges() {
        let ranges = merged(vec![20..30, 0..5, 3..8, 25..40]);
        assert_eq!(ranges, [0..8, 20..40]);
        for (at, inside) in [
            (0, true),
            (7, true),
            (8, false),
            (19, false),
            (39, true),
            (40, false),
        ] {
            assert_eq!(covers(&ranges, at), inside, "{at}");
        }
        assert!(!covers(&[], 0));
    }

    #[test]
    fn a_secret_named_for_a_database_holds_its_password() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for (name, expected) in [("db", 1), ("app-postgres-credentials", 1), ("smtp", 0)] {
            let text = format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ndata:\n  password: {}\n",
                b64(PW)
            );
            let lines = Lines::new(text.as_bytes());
            let mut found = Vec::new();
            let mut context = Context::new(text.as_bytes(), &lines);
            detect(text.as_bytes(), &mut context, Syntax::Config, &mut found);
            assert_eq!(found.len(), expected, "{name}: {found:?}");
        }
        // A Secret of a text that names another engine and PostgreSQL nowhere is that
        // engine's, its name naming a database or not.
        let mysql = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: mysql-db-pass\ntype: kubernetes.io/basic-auth\nstringData:\n  password: {PW}\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: mysql:8.0\n"
        );
        let lines = Lines::new(mysql.as_bytes());
        let mut found = Vec::new();
        let mut context = Context::new(mysql.as_bytes(), &lines);
        detect(mysql.as_bytes(), &mut context, Syntax::Config, &mut found);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn kubernetes_secret_data_is_decoded() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let url = format!("postgresql://app:{PW}@db.acme.io/app");
        let text = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  POSTGRES_PASSWORD: {}\n  DATABASE_URL: {}\n  USERNAME: {}\n",
            b64(PW),
            b64(&url),
            b64("app")
        );
        let lines = Lines::new(text.as_bytes());
        let mut found = Vec::new();
        let mut context = Context::new(text.as_bytes(), &lines);
        detect(text.as_bytes(), &mut context, Syntax::Config, &mut found);
        let d: Vec<Detection> = found.into_iter().map(|(_, d)| d).collect();
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|d| d.kind == Kind::KubernetesSecret));
        assert_eq!(d[0].redacted, "POSTGRES_PASSWORD: **** (base64)");
        assert_eq!(
            d[1].redacted,
            "DATABASE_URL: postgresql://app***:****@db.acme.io (base64)"
        );
        // A key named for the superuser, a comment after its value.
        let keyed_by_role = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-postgres\ndata:\n  postgres: {}   # the superuser\n",
            b64(PW)
        );
        let lines = Lines::new(keyed_by_role.as_bytes());
        let mut found = Vec::new();
        let mut context = Context::new(keyed_by_role.as_bytes(), &lines);
        detect(
            keyed_by_role.as_bytes(),
            &mut context,
            Syntax::Config,
            &mut found,
        );
        assert_eq!(found.len(), 1, "{keyed_by_role}");
        assert_eq!(found[0].1.redacted, "postgres: **** (base64)");
    }
}
