//! Placeholders: the values documentation and templates put where a secret goes. A scan
//! that flagged them would be ignored, so they are recognised and skipped — by the whole
//! value, never by a word inside it: `your_password` is a placeholder, `MyPassword123!`
//! and `dummypass2024` are passwords, and a host named `db.example.com` or
//! `yourcompany.neon.tech` does not make a real password in front of it a placeholder.

/// The symbols a value is padded with at its end to pass a form's rule
/// (`YourSecureDbPassword123!`, `postgres123!@#`, `Password001+`).
pub(super) const PADDING_SYMBOLS: &str = "!@#$%^&*?+";

/// The words a placeholder is made of, every one of them (`your_db_password_here`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "my",
    "the",
    "a",
    "db",
    "database",
    "postgres",
    "postgresql",
    "pg",
    "user",
    "username",
    "password",
    // The plural a hint is written in (`yourpasswords`).
    "passwords",
    "passwd",
    "pass",
    "pwd",
    "pw",
    "secret",
    "here",
    // `here` in the languages tutorials are written in (`TU_PASSWORD_AQUI`).
    "aqui",
    "ici",
    "hier",
    "changeme",
    "change",
    "me",
    // A note left for whoever fills it in (`FIXME`, `TBD`).
    "fixme",
    "todo",
    "tbd",
    "placeholder",
    "redacted",
    "dummy",
    "mock",
    "fake",
    "sample",
    "demo",
    "example",
    "replace",
    "with",
    "insert",
    "enter",
    "put",
    "real",
    "actual",
    // A hint that the value goes in percent-encoded (`ENCODED_PASSWORD`).
    "encoded",
    // A value that says how it is written, a test's stand-in for a scanner or a
    // linter to find (`hardcoded_secret`, `literal-password`, `plaintext_pass`).
    "hardcoded",
    "literal",
    "plaintext",
    // The setting's default, said in its place (`default_password`, `mydefaultpass`).
    "default",
    "some",
    // An example's second value, named after the first (`another_secure_pass`).
    "another",
    "strong",
    "secure",
    // How secret it says it is (`averysecretpassword`).
    "very",
    "insecure",
    "weak",
    "choose",
    "generate",
    "set",
    "new",
    "this",
    // The writer asking whoever fills it in (`replacethisdbpasswordplz`,
    // `change-me-please`).
    "please",
    "plz",
    "to",
    "for",
    "random",
    // A console's stand-in for the password it hides until asked (DigitalOcean's
    // `show-password`).
    "show",
    "unique",
    "own",
    "long",
    "host",
    "hostname",
    "server",
    "name",
    "value",
    "token",
    "key",
    // Where a value came from, said in its place (`pw-from-dotenv`, `pass-from-vault`).
    "from",
    "env",
    "dotenv",
    "vault",
    "neon",
    "app",
    "admin",
    "url",
    "uri",
    "connection",
    "string",
    "dsn",
    // A value that says it is the wrong one, a failed login's test (`wrong_password`,
    // `invalid-pass`, `definitely-wrong`).
    "wrong",
    "invalid",
    "incorrect",
    "bogus",
    "definitely",
    // The metasyntactic names examples are made of (`foo`, `foopass`, `bar_password`).
    "foo",
    "bar",
    "baz",
    "qux",
    // The same placeholders in the languages tutorials are written in: Spanish's
    // `tu_contraseña`, Portuguese's `sua_senha`, French's `votre_mot_de_passe`, German's
    // `dein_passwort`.
    "tu",
    "su",
    "sua",
    // Their articles, before the word the value describes (`una_password_segura`,
    // `uma_senha_forte`, `un_mot_de_passe_fort`, `ein_sicheres_passwort`).
    "una",
    "uma",
    "un",
    "une",
    "ein",
    "eine",
    "seu",
    "votre",
    "ton",
    "dein",
    "ihr",
    "contraseña",
    "contrasena",
    "clave",
    "senha",
    "secreto",
    "segredo",
    "geheim",
    "mot",
    "de",
    "da",
    "do",
    "del",
    "la",
    "du",
    "des",
    "passe",
    // French's shorthand for `mot de passe` (`votre_mdp`, `monmdp`).
    "mdp",
    "passwort",
    "kennwort",
    // `secure`, `strong` and `new` in those languages (`SICHERES_PASSWORT`,
    // `senha_segura`, `contraseña_fuerte`, `nouveau_mot_de_passe`).
    "sicheres",
    "sicher",
    "starkes",
    "neues",
    "segura",
    "seguro",
    "fuerte",
    "forte",
    "nova",
    "nueva",
    "fort",
    "nouveau",
    // `generate`, `replace`, `change` and `enter`, said to whoever fills it in, in those
    // languages (`GENERER_MOT_DE_PASSE_FORT_ICI`, `cambiar_contraseña`, `trocar_senha`,
    // `passwort_aendern`).
    "generer",
    "generez",
    "remplacer",
    "remplacez",
    "changer",
    "changez",
    "saisir",
    "generar",
    "cambiar",
    "reemplazar",
    "gerar",
    "trocar",
    "alterar",
    "substituir",
    "aendern",
    "ersetzen",
    "cambiare",
    "sostituire",
    // `fake` and `example` in those languages (`mot_de_passe_fictif_a_changer`,
    // `senha_ficticia`, `contraseña_de_ejemplo`).
    "fictif",
    "fictive",
    "ficticio",
    "ficticia",
    "fictícia",
    "fiktiv",
    "fittizia",
    "fittizio",
    "exemple",
    "ejemplo",
    "exemplo",
    "beispiel",
    "esempio",
    // `generated` and `here` (`la_password_generata_da_neon`, `inserisci_qui`).
    "generata",
    "generato",
    "generada",
    "gerada",
    "inserisci",
    "qui",
    "usuario",
    "utilisateur",
    "benutzer",
    "base",
    "datos",
    "dados",
    "banco",
    "donnees",
    "acesso",
    "acceso",
    "access",
    // Turkish's `your`, `new`, `password`, `your password`, `strong`, `user` and
    // `database` (`YENI_SIFRE`, `sizin_parolaniz`, `VERITABANI_SIFRENIZ`).
    "sizin",
    "senin",
    "yeni",
    "sifre",
    "şifre",
    "sifreniz",
    "şifreniz",
    "parola",
    "parolaniz",
    "parolanız",
    "guclu",
    "güçlü",
    "kullanici",
    "kullanıcı",
    "veritabani",
    "veritabanı",
    // Italian's, Dutch's, Polish's and Indonesian's `your` and `password`
    // (`la_tua_password`, `uw_wachtwoord`, `twoje_haslo`, `kata_sandi_anda`).
    "tua",
    "tuo",
    "jouw",
    "uw",
    "wachtwoord",
    "twoje",
    "haslo",
    "hasło",
    "kata",
    "sandi",
    "anda",
    // Vietnamese's `password`, `of` and `you`, written without their marks
    // (`mat_khau_cua_ban`, `matkhaucuaban`: "your password").
    "matkhau",
    "mat",
    "khau",
    "cua",
    "ban",
];

/// The word for password in the languages projects document their set-up in that are
/// not written in Latin letters: a guide's label (`密码: ...`), and, in a value, a hint
/// where the password should go (`你的密码`, `ваш_пароль`); no password spells it.
pub(super) const NON_LATIN_PASSWORD_WORDS: &[&str] =
    &["密码", "密碼", "パスワード", "비밀번호", "пароль"];

/// Whether a value is an address with its scheme (`jdbc:postgresql://10.0.0.5:5432/app`,
/// `https://vault.acme.io/pg`) and no space: a URL given where the password goes (a
/// copy slip, `PGPASS = "jdbc:postgresql://10.0.0.5/app"`), not a password.
fn is_an_address(value: &str) -> bool {
    value.split_once("://").is_some_and(|(scheme, rest)| {
        scheme.starts_with(|c: char| c.is_ascii_lowercase())
            && scheme.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '-' | ':')
            })
            && rest.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !rest.contains(|c: char| c.is_whitespace() || c == '@')
    })
}

/// A value with the one quote put inside it taken out (`s3cr'et` is `s3cret`): a test of
/// how a connection string escapes a quote writes it into a stand-in or a default.
fn without_a_quote_inside(value: &str) -> Option<String> {
    let (before, after) = value.split_once(['\'', '"'])?;
    (!before.is_empty() && !after.is_empty() && !after.contains(['\'', '"']))
        .then(|| format!("{before}{after}"))
}

/// Whether a value (a password, or a host next to it) is a placeholder: empty or one
/// character, an address with its scheme (`jdbc:postgresql://...`), a variable reference or command substitution (`$VAR`, `${VAR}`, `$(...)`, SAS's `&var.`,
/// `%s`, `{{ var }}`, `{!! $var !!}`, `#{var}`, `((var))`, `__VAR__`, `@var@`, `process.env.X`,
/// `os.environ[...]`), a secret store's address (`arn:aws:secretsmanager:...`,
/// `op://vault/item/field`), a bracketed hint (`<password>`, `[secret]`, `<your` cut
/// from `<your password>`, `password}` left of `${password}`), a run of one mask character (`****`, `xxxx`, `???`), made only of
/// placeholder words (`your_password_here`, `YourPassword`, `changeme`), words that say
/// it is to be replaced (`PLACEHOLDER_BASE64_PASSWORD`), a placeholder word padded with
/// filler (`zzpasswordzz`), runs of the alphabet and digits in order (`p456def789`),
/// any of these behind a provider's prefix (`AVNS_abc123xyz789`), the word for password
/// in a script other than Latin (`你的密码`), or prose (`Mot de passe`, `Enter the
/// password`: a label, not a password).
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    // Quoted inside a URI, as a shell would quote it (`postgres://u:'mypassword'@h/db`),
    // or set as code in a document's literal (`PASSWORD '`SENHA`'`).
    if let Some(inner) = ["'", "\"", "`"].iter().find_map(|quote| {
        value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
            .filter(|inner| !inner.is_empty())
    }) {
        return is_placeholder(inner);
    }
    if without_a_quote_inside(value).is_some_and(|unquoted| is_placeholder(&unquoted)) {
        return true;
    }
    // A placeholder in parentheses (`PASSWORD '(password)'`).
    if value
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .is_some_and(|inner| !inner.is_empty() && is_placeholder(inner))
    {
        return true;
    }
    // The end of a template's variable left behind with a brace it never opened
    // (`password}`, `password password}`: a `${password}` half replaced).
    if !value.contains('{')
        && value
            .strip_suffix('}')
            .is_some_and(|rest| !rest.is_empty() && is_placeholder(rest))
    {
        return true;
    }
    // One character is an example's (`postgres://u:p@h/db`), not a password.
    if value.chars().nth(1).is_none() {
        return true;
    }
    if is_an_address(value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    let references_variable = (value.starts_with('$') && !is_dollar_wrapped_word(value))
        || value.starts_with('%')
        // A reference escaped for a template or a heredoc: `\\$DB_PASSWORD`.
        || value.starts_with("\\$")
        || value.contains("${")
        || value.contains("$(")
        // A piece of a connection string built from a variable (`"password=$PASS"`).
        || assigns_a_variable(value)
        // Maven's and Gradle's resource filtering and token replacement: `@db.password@`,
        // `@@PG_PASSWORD@@`.
        || (value.len() > 2
            && value.starts_with('@')
            && value.ends_with('@')
            && !value.trim_matches('@').is_empty()
            && value
                .trim_matches('@')
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
        || value.contains("{{")
        // Blade's unescaped echo: `{!! $password !!}`.
        || value.contains("{!!")
        // Ruby's interpolation and Octopus Deploy's variables: `#{DB_PASSWORD}`.
        || value.contains("#{")
        // PHP's complex interpolation: `{$this->password}`, `{$config['dbpassword']}`.
        || value.starts_with("{$")
        // Concourse's `((db_password))` and token replacement's `__DB_PASSWORD__`.
        || (value.starts_with("((") && value.ends_with("))"))
        || (value.len() > 4 && value.starts_with("__") && value.ends_with("__"))
        || opens_with_a_braced_name(value)
        || is_werf_ciphertext(value)
        // SAS's macro variables: `&password.`.
        || (value.len() > 2
            && value.starts_with('&')
            && value.ends_with('.')
            && value[1..value.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        // An environment's variable read, or code's negation of one, whether it is set
        // (`!!process.env.POSTGRES_PASSWORD`).
        || ["process.env", "env.", "os.environ", "env["]
            .iter()
            .any(|read| lower.trim_start_matches('!').starts_with(read));
    // A hint with spaces is cut at the first one where the value is bare
    // (`PGPASSWORD=<your password>` yields `<your`); unquoted in a shell, a `<` would be a
    // redirect, so no password begins so.
    let bracketed = (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('[') && value.ends_with(']'))
        || (value.starts_with('<')
            && value[1..]
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'_'));
    // A log's list of options ends a masked value with the comma before the next one
    // (`{user=app, password=***, ssl=true}`).
    let mask = value
        .trim_end_matches([',', ';'])
        .chars()
        .filter(|c| *c != '\\')
        .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•' | '#' | '-' | '_' | '?'));
    // AWS's documentation ends its example secrets in `EXAMPLE` (`...EXAMPLEKEY`).
    let aws_example = value.contains("EXAMPLE");

    // A value that says "password" in another language is the reader's to fill in.
    let folded = value.to_lowercase();
    let says_password = NON_LATIN_PASSWORD_WORDS
        .iter()
        .any(|word| folded.contains(word));

    references_variable
        || says_password
        || behind_a_vendor_prefix(value).is_some_and(is_placeholder)
        || EXAMPLE_PASSWORDS.contains(&lower.as_str())
        || aws_example
        || names_a_secret_store(&lower)
        || names_a_file(value)
        || names_a_variable_behind_a_source(value)
        || names_a_secrets_variable(value)
        || names_a_password_setting(value)
        || bracketed
        || mask
        || only_placeholder_words(value)
        || padded_placeholder_phrase(value)
        || marks_a_placeholder(value)
        || wrapped_in_filler(value)
        || elided(value)
        || masks_its_end(value)
        || spelt_by_sequences(value)
        || spelt_in_leet(value)
        || reads_as_prose(value)
}

/// Whether a value is werf's encryption of a secret value (`werf helm secret values
/// encrypt` writes `1000` and then the ciphertext in hexadecimal, into
/// `.helm/secret-values.yaml`): what the server is given is its decryption. Longer than a
/// 64-digit password of hexadecimal (Heroku's) by at least the cipher's nonce and tag.
fn is_werf_ciphertext(value: &str) -> bool {
    const LONGER_THAN_A_HEX_PASSWORD: usize = 66;
    value.len() >= LONGER_THAN_A_HEX_PASSWORD
        && value.len().is_multiple_of(2)
        && value.starts_with("1000")
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether a value begins with a name or an expression in braces, as a template or a
/// format string writes where a value goes (`{password}`, `{0}`, `{}`, `{password` cut
/// at a space, C#'s `{Environment.GetEnvironmentVariable("DB_PASSWORD")}`, Python's
/// `{pg['password']}` in an f-string), or is
/// Maven's encrypted password (`{COQLCE6DU6GtcS5P=}`, base64 in braces): a password that
/// begins with a brace has more than that inside it (`{cC.F&'+c6}z;`), and SAS's encoded
/// one (`{SAS002}D1E036...`, what `PROC PWENCODE` prints) is the password, not a name.
fn opens_with_a_braced_name(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('{') else {
        return false;
    };
    if is_sas_encoded(rest) {
        return false;
    }
    let maven_encrypted = rest.strip_suffix('}').is_some_and(|body| {
        !body.is_empty()
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    });
    let name = rest.split_once('}').map_or(rest, |(name, _)| name);
    maven_encrypted
        || name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'.'
                        | b':'
                        | b'$'
                        | b'-'
                        | b' '
                        | b'('
                        | b')'
                        | b'['
                        | b']'
                        | b'"'
                        | b'\''
                        | b'\\'
                )
        })
}

/// Whether what follows a value's opening brace is SAS's encoding of a password
/// (`SAS002}D1E03644158675A559943D24381A85A0`): `PROC PWENCODE`'s method, then the encoded
/// text, which a `LIBNAME` statement takes in place of the password and SAS decodes.
fn is_sas_encoded(after_brace: &str) -> bool {
    let Some((method, encoded)) = after_brace.split_once('}') else {
        return false;
    };
    let method = method.to_ascii_uppercase();
    method
        .strip_prefix("SAS00")
        .is_some_and(|n| matches!(n, "1" | "2" | "3" | "4" | "5"))
        && encoded.len() >= 8
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// Whether a value is a keyword set to a variable, as code builds a connection string
/// (`password=$PASS`, `pwd=$db_pass`): the value names where the password is kept.
fn assigns_a_variable(value: &str) -> bool {
    value.split_once("=$").is_some_and(|(key, name)| {
        !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Whether a value is the name of the variable that holds the secret, written where the
/// secret goes (`postgresql://ws:XATA_API_KEY@...`, `SUPABASE_DB_PASSWORD`): words in
/// capitals joined by `_`, the last naming a secret.
fn names_a_secrets_variable(value: &str) -> bool {
    const SECRET_WORDS: &[&str] = &[
        "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "PWD",
    ];
    value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && value
            .rsplit_once('_')
            .is_some_and(|(name, last)| !name.is_empty() && SECRET_WORDS.contains(&last))
}

/// The words, lowercase, that name a password where a value spells out its purpose
/// (`spring.datasource.password`, `REPLICATION_PASSWORD_HERE`, `dev-db-secret`).
const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pass", "pwd", "secret"];

/// Whether a value is the dotted name of the setting that holds the password, as code
/// keeps the names of the settings it reads (`DB_PASSWORD = "spring.datasource.password"`):
/// two lowercase names or more joined by `.`, the last a word for password.
fn names_a_password_setting(value: &str) -> bool {
    let names: Vec<&str> = value.split('.').collect();
    names.len() >= 2
        && names.iter().all(|name| {
            name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')
                })
        })
        && names
            .last()
            .is_some_and(|last| PASSWORD_WORDS.contains(last))
}

/// The body of a password a provider marks with its prefix (Aiven's `AVNS_`, Neon's
/// `npg_`): documentation fills the body in as it would a bare placeholder
/// (`AVNS_abc123xyz789`, `npg_xxxxxxxx`).
fn behind_a_vendor_prefix(value: &str) -> Option<&str> {
    const PREFIXES: &[&str] = &["AVNS_", "npg_"];
    PREFIXES
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .filter(|body| !body.is_empty())
}

/// Whether a value is placeholder words spelt with digits and symbols for letters, as
/// vendors' examples write them (`P@ssw0rd`, `s3cret`, `Pa$$w0rd!`): one token, or a
/// phrase of three words or more (`Sup3r-Secret-Passw0rd`), that, decoded, is nothing
/// but placeholder words. Joined to one other word (`s3cr3t-Pw`), it is a password made
/// from one.
fn spelt_in_leet(value: &str) -> bool {
    let value = value.trim_end_matches('!');
    let parts: Vec<&str> = value.split(['-', '_', '.', ' ']).collect();
    let phrase = parts.len() >= 3 && parts.iter().all(|part| part.len() >= 3);
    if parts.len() > 1 && !phrase {
        return false;
    }
    // Capitals where a word has none (`PaSSw0rd`) are the spelling's, not a new word's.
    read_in_leet_passes(value, |letters| {
        only_placeholder_words(letters) || only_placeholder_words(&letters.to_lowercase())
    })
}

/// Whether a value holding digits or symbols that spell letters, read as those letters
/// (`1` as an `i`, then as an `l`), passes `test`.
fn read_in_leet_passes(value: &str, test: impl Fn(&str) -> bool) -> bool {
    value.chars().any(|c| "013457@$".contains(c))
        && ['i', 'l']
            .iter()
            .any(|one| test(&read_as_letters(value, *one)))
}

/// A value with the digits and symbols that spell letters read as those letters
/// (`P@ssw0rd` is `Password`, `p0stgres` is `postgres`); `1` is read as `one`, an `i` or
/// an `l` as the caller tries.
pub(super) fn read_as_letters(value: &str, one: char) -> String {
    value
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => one,
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// Whether a value is a placeholder word padded with a filler character on both sides,
/// as a redacted document writes it (`zzpasswordzz`, `xxSECRETxx`, `**password**`), or
/// set off by exclamation marks (`!ChangeMe!`).
fn wrapped_in_filler(value: &str) -> bool {
    let Some(filler) = value.chars().next() else {
        return false;
    };
    let doubled: String = [filler, filler].iter().collect();
    let core = value.trim_matches(filler);
    // An exclamation mark each side is enough (`!ChangeMe!`, Symfony's default).
    let wrapped = if filler == '!' {
        value.len() > 2 && value.ends_with('!')
    } else {
        value.starts_with(&doubled) && value.ends_with(&doubled)
    };
    matches!(
        filler,
        'x' | 'X' | 'z' | 'Z' | '*' | '#' | '_' | '.' | '-' | '!'
    ) && wrapped
        && !core.is_empty()
        && only_placeholder_words(core)
}

/// Whether a value is cut by an ellipsis at both ends (`...Indico_Bot...`, `…prod…`):
/// a document showing the middle of a value it hides, not the value.
fn elided(value: &str) -> bool {
    let core = value
        .strip_prefix("...")
        .or_else(|| value.strip_prefix('…'))
        .and_then(|rest| rest.strip_suffix("...").or_else(|| rest.strip_suffix('…')));
    core.is_some_and(|core| !core.trim_matches('.').is_empty())
}

/// Whether a value hides its end behind a run of a mask character: three stars or more
/// after its first characters (`d3ned1***`), or three `x` after a digit (`d3ned1xxx`,
/// where a word's own letters would not run so) or after its first letter alone
/// (`zxxx`): a document showing how a password begins, not the password.
fn masks_its_end(value: &str) -> bool {
    let hidden = |rest: &str| value.chars().count() - rest.chars().count();
    let starred = value.trim_end_matches(['*', '•']);
    if !starred.is_empty() && hidden(starred) >= 3 {
        return true;
    }
    ['x', 'X'].iter().any(|&x| {
        let rest = value.trim_end_matches(x);
        hidden(rest) >= 3
            && (rest.ends_with(|c: char| c.is_ascii_digit()) || rest.chars().count() == 1)
    })
}

/// Whether a value of letters and digits is mostly runs of the alphabet or of the
/// digits in order (`abc123`, `p456def789`): what documentation makes up to show where
/// a password goes. Digits in order are a weak password, not a made-up one, alone
/// (`123456`) or after letters out of order (`Aa123456`): the alphabet must run too.
pub(super) fn spelt_by_sequences(value: &str) -> bool {
    let chars = value.as_bytes();
    if chars.len() < 6
        || !chars.iter().all(u8::is_ascii_alphanumeric)
        || chars.iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let follows = |before: u8, after: u8| match before.to_ascii_lowercase() {
        b'9' => after == b'0',
        before @ (b'0'..=b'8' | b'a'..=b'y') => after.to_ascii_lowercase() == before + 1,
        _ => false,
    };
    let (mut in_runs, mut run, mut alphabet_runs) = (0, 1, false);
    for i in 1..=chars.len() {
        if i < chars.len() && follows(chars[i - 1], chars[i]) {
            run += 1;
        } else {
            if run >= 3 {
                in_runs += run;
                alphabet_runs |= chars[i - 1].is_ascii_alphabetic();
            }
            run = 1;
        }
    }
    alphabet_runs && in_runs * 10 >= chars.len() * 7
}

/// Passwords that documentation and tests print as the example of one (`hunter2`, the
/// comic's horse, Java's keystore default, the metasyntactic `foo`, the examples of
/// PostgreSQL's manual, Neon's documentation, Oracle's `scott/tiger` that SQLAlchemy's
/// took on): a look-alike wherever it appears.
const EXAMPLE_PASSWORDS: &[&str] = &[
    "hunter2",
    "jw8s0f4",
    "hu8jmn3",
    "tiger",
    "correcthorsebatterystaple",
    "correct-horse-battery-staple",
    "changeit",
    "foo",
    "bar",
    "baz",
    "qux",
    "foobar",
    "fake",
    "asdf",
    "asdasd",
    "qwerty",
    "asdfgh",
    "opensesame",
    // SQL Server's documented example, copied into compose files beside PostgreSQL.
    "yourstrong@passw0rd",
    "yourstrong(!)password",
];

/// Whether a value is the address of a secret kept in a secret store, which the
/// deployment resolves: AWS (Secrets Manager, SSM), 1Password, Azure Key Vault, Google
/// Secret Manager, the `ref+` and `vault:` references of helm-secrets and vals, and a
/// chart's `secretRef:` to a Kubernetes Secret.
fn names_a_secret_store(lower: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "arn:aws:",
        "arn:aws-cn:",
        "arn:aws-us-gov:",
        "op://",
        "ref+",
        "vault:",
        "@microsoft.keyvault(",
        "akv://",
        "gcpsm://",
        "awssm://",
        "sm://",
        "ssm:/",
        // A chart's reference to a Kubernetes Secret's key: `secretRef:db-credentials:password`.
        "secretref:",
    ];
    PREFIXES.iter().any(|p| lower.starts_with(p))
        || (lower.starts_with("projects/") && lower.contains("/secrets/"))
        || (lower.starts_with("https://") && lower.contains(".vault.azure.net/secrets/"))
}

/// Whether a value is a file's path in lower case (`/tmp/pgpass`, `/etc/patroni/.pgpass`,
/// `~/.pgpass`): a key spelt like a password's that takes a file (Patroni's `pgpass:`,
/// where it writes its password file) holds where a password is kept, not one. A random
/// password with slashes mixes cases and symbols (`/aB3x/Kq9+`).
fn names_a_file(value: &str) -> bool {
    let (rest, least) = if let Some(rest) = value.strip_prefix("~/") {
        (rest, 1)
    } else if let Some(rest) = value.strip_prefix('/') {
        (rest, 2)
    } else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    segments.len() >= least
        && segments.iter().all(|segment| {
            segment.bytes().any(|b| b.is_ascii_lowercase())
                && segment.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

/// Whether a value names a variable behind the source a configuration loader reads it
/// from (`SECRET:DB_PASSWORD`, `env:PGPASSWORD`, `file:/run/secrets/pg`): the loader
/// puts the value there, the text holds only its name.
fn names_a_variable_behind_a_source(value: &str) -> bool {
    const SOURCES: &[&str] = &["secret", "secrets", "env", "file", "ssm", "param"];
    let Some((source, name)) = value.split_once(':') else {
        return false;
    };
    let variable = name.len() >= 2
        && name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    SOURCES.contains(&source.to_ascii_lowercase().as_str())
        && (variable || (name.starts_with('/') && !name.contains(char::is_whitespace)))
}

/// Whether a value reads as words of prose (two or more, letters only, apart by
/// spaces): a label or a translation sitting where a password goes (`"password": "Mot
/// de passe"`), or a sentence joined by dashes (`secret-should-not-appear`), not a
/// password.
fn reads_as_prose(value: &str) -> bool {
    // Three words or more joined by dashes or underscores that say what must (not)
    // become of the value, as a test's marker does (`secret-should-not-appear`,
    // `this_must_be_redacted`), or where the secret comes from
    // (`runtime-secret-from-aws-ssm`, `password_via_vault_agent`); a passphrase
    // (`we-must-win`, `far-from-home-tonight`) says neither.
    if value
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_'))
    {
        let words = words_of(value);
        let says = |of: &[&str]| words.iter().any(|w| of.contains(&w.as_str()));
        let marks_itself = says(&["should", "must", "shall"]) && says(&["not", "never", "be"]);
        let names_its_source = says(&["secret", "password", "passwd", "credential", "credentials"])
            && says(&["from", "via"]);
        if words.len() >= 3 && (marks_itself || names_its_source) {
            return true;
        }
    }
    let mut words = 0;
    for word in value.split(' ') {
        if word.is_empty() || !word.chars().all(|c| c.is_alphabetic() || c == '\'') {
            return false;
        }
        words += 1;
    }
    words >= 2
}

/// Whether a value is a phrase of three placeholder words or more with digits and
/// symbols after it, as a form's rule asks (`SuperSecretPassword123`,
/// `your-db-password-2024!`). Two words so padded (`MyPassword123!`), or a phrase
/// that makes the password its writer's own (`MyPostgresPassword123!`), make a password.
fn padded_placeholder_phrase(value: &str) -> bool {
    let phrase = value
        .trim_end_matches(|c: char| c.is_ascii_digit() || PADDING_SYMBOLS.contains(c))
        .trim_end_matches(['-', '_', '.']);
    let words = words_of(phrase);
    phrase.len() < value.len()
        && words.len() >= 3
        && words[0] != "my"
        && only_placeholder_words(phrase)
}

/// Whether every word of the value (split at `-`, `_`, `.`, spaces and lower-to-upper
/// case changes) is a placeholder word.
fn only_placeholder_words(value: &str) -> bool {
    // Placeholder words are letters: a digit or a symbol rules them out at once.
    if !value
        .chars()
        .all(|c| c.is_alphabetic() || WORD_SEPARATORS.contains(&c))
    {
        return false;
    }
    let words = words_of(value);
    let words: Vec<&String> = words.iter().collect();
    match words.as_slice() {
        [] => false,
        // One word alone is a placeholder only when it names what goes there: `postgres`,
        // `admin` or `root` alone are weak passwords, not hints.
        // Or when it runs placeholder words together (`mypassword`, `yourdbpass`), as
        // `my_password` would spell them apart.
        [one] => {
            SINGLE_WORDS.contains(&one.as_str())
                || runs_placeholder_words_together(one)
                || names_a_password_together(one)
                || is_metasyntactic(one)
        }
        // Words apart may qualify the word for a password (`super-secret`,
        // `dev-db-password`); a host's (`db.prod`) names no password.
        // A run of `x` masks a word (`pw-xxxx`).
        many => {
            let names_password =
                |words: &[&String]| words.iter().any(|w| PASSWORD_WORDS.contains(&w.as_str()));
            // A letter after the words for a password tells instances apart
            // (`instance_password_b`).
            let many = match many.split_last() {
                Some((last, rest))
                    if rest.len() >= 2 && last.len() == 1 && names_password(rest) =>
                {
                    rest
                }
                _ => many,
            };
            let masked = |w: &str| w.len() >= 3 && w.bytes().all(|b| b == b'x');
            many.iter()
                .all(|w| PLACEHOLDER_WORDS.contains(&w.as_str()) || masked(w))
                || (many.iter().all(|w| {
                    PLACEHOLDER_WORDS.contains(&w.as_str()) || QUALIFIERS.contains(&w.as_str())
                }) && names_password(many))
        }
    }
}

/// Words that qualify a placeholder word written apart from it: stress (`super-secret`,
/// `very_strong_password`) or the environment it is for (`dev-db-password`). Run
/// together (`mysupersecretpassword`, `devpass`) they make a password.
const QUALIFIERS: &[&str] = &[
    "super",
    "very",
    "ultra",
    "extra",
    "top",
    "dev",
    "prod",
    "staging",
    "test",
    "local",
    // The other names set-ups give their environments (`postgres_lab_secret`,
    // `qa-db-password`, `e2e_secret`).
    "lab",
    "qa",
    "uat",
    "sandbox",
    "ci",
    "e2e",
    "stage",
    "development",
    "production",
    // Which of a platform's addresses or instances it is for (`internal_password`,
    // `instance_password_a`).
    "internal",
    "external",
    "instance",
];

/// What parts a value's words (`your_db-pass`, `My#Pass`).
const WORD_SEPARATORS: &[char] = &['-', '_', '.', ' ', '#'];

/// The words of a value, lower-cased: split at `WORD_SEPARATORS` and where a capital
/// follows a small letter (`YourPassword`, `My#Pass`).
pub(super) fn words_of(value: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in value.chars() {
        if WORD_SEPARATORS.contains(&c) {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    words.push(current);
    words.retain(|w| !w.is_empty());
    words
}

/// Whether a value of several words says it is to be replaced, whatever its other
/// words: `PLACEHOLDER_BASE64_PASSWORD`, `REPLACE_WITH_PROD_PASSWORD`, `YOUR_DB_PASS_2024`,
/// `REPLICATION_PASSWORD_HERE`.
fn marks_a_placeholder(value: &str) -> bool {
    const MARKERS: &[&str] = &[
        "placeholder",
        "replace",
        "changeme",
        "redacted",
        "removed",
        "omitted",
        "todo",
        "fixme",
        "insert",
        "dummy",
        "example",
        "sample",
        "your",
        // Spanish's `TU_PASSWORD_AQUI`.
        "tu",
        // `DB_PASSWORD_PLEASE_CHANGE` asks for it to be replaced.
        "please",
        // `unused-api-only`: a value a tool demands that says nothing logs in with it.
        "unused",
        "notused",
        // `your` in the languages tutorials are written in (`SUA_SENHA_DE_ACESSO`).
        "sua",
        "seu",
        "tua",
        "votre",
        "dein",
        "deine",
    ];
    // Digits and symbols at the end pad a hint to pass a form's rule
    // (`YourSecureDbPassword123!`); dots make a host's name (`db.example.com`), not a
    // placeholder.
    let hint = value.trim_end_matches(|c: char| c.is_ascii_digit() || PADDING_SYMBOLS.contains(c));
    let spelt_as_words = hint
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    let words = words_of(hint);
    // `CHANGE_ME_BEFORE_PRODUCTION` spells `changeme` apart, French's
    // `changeMoiUnMotDePasseFort` says it too; `do-not-copy` and `DONT_USE` tell the
    // reader what not to do with it.
    let change_me = words.windows(2).any(|pair| {
        (matches!(pair[0].as_str(), "change" | "changez")
            && matches!(pair[1].as_str(), "me" | "moi"))
            || (pair[0] == "do" && pair[1] == "not")
    }) || words.iter().any(|w| w == "dont" || w == "donot");
    // `changeme123`: the instruction with digits to pass a form's rule; `hardcoded02`:
    // a demonstration of the mistake, saying what it is.
    let counted_marker = ["changeme", "replaceme", "placeholder", "hardcoded"]
        .iter()
        .any(|marker| {
            value
                .to_ascii_lowercase()
                .strip_prefix(marker)
                .is_some_and(|digits| {
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                })
        });
    // `hunter2-LEAK-TEST`: a test's canary, which the test looks for in what must not
    // show it.
    let says = |of: &[&str]| words.iter().any(|w| of.contains(&w.as_str()));
    let leak_test =
        says(&["leak", "leaked", "leaks"]) && says(&["test", "check", "canary", "marker"]);
    // `REPLICATION_PASSWORD_HERE`: the word for password, then where it goes.
    let goes_here = words.len() >= 3
        && matches!(
            words[words.len() - 1].as_str(),
            "here" | "aqui" | "ici" | "hier"
        )
        && PASSWORD_WORDS.contains(&words[words.len() - 2].as_str());
    // `SetSaPWD`, `SetAdminsPWD`: an instruction to set the named login's password, the
    // verb first and the word for password last.
    let set_this = words.len() >= 3
        && matches!(
            words[0].as_str(),
            "set" | "enter" | "insert" | "put" | "type" | "choose"
        )
        && PASSWORD_WORDS.contains(&words[words.len() - 1].as_str());
    counted_marker
        || (spelt_as_words
            && words.len() >= 2
            && !is_generated(value)
            && (change_me
                || leak_test
                || goes_here
                || set_this
                || marker_words(hint).any(|w| MARKERS.contains(&w.as_str()))))
}

/// The words of a value that can mark it a placeholder: every word, but a short one
/// (two or three letters: Spanish's `tu`, Portuguese's `sua`) only where it opens a
/// piece (`TU_PASSWORD`, `tuPassword`), not where a random token's mixed case cuts one
/// out of its middle (`..._DjRTmaWRJrVUKdsCpSharTu`).
fn marker_words(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(WORD_SEPARATORS).flat_map(|piece| {
        words_of(piece)
            .into_iter()
            .enumerate()
            .filter(|(i, word)| *i == 0 || word.len() > 3)
            .map(|(_, word)| word)
    })
}

/// Whether a value written without separators is a generated token, not words run
/// together: a digit between letters (`tuDebiXJdcPwyBGOXmPs04QqFa...`, whose camel-case
/// pieces would read `tu`, Spanish's `your`, as a word). A phrase's digits pad its end
/// (`YourPassword123`).
fn is_generated(value: &str) -> bool {
    if value.contains(WORD_SEPARATORS) {
        return false;
    }
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        b.is_ascii_alphabetic()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && bytes[i + 1..]
                .iter()
                .find(|next| !next.is_ascii_digit())
                .is_some_and(u8::is_ascii_alphabetic)
    })
}

/// Whether a value is the word for a password, alone or run together in one word with
/// placeholder words (`password`, `mypasswd`, `apppassword`, `testPassword`): what
/// documentation writes where a password goes, and also what a server set up by hand is
/// given. Not a phrase that asks for the reader's own (`yourpassword`,
/// `enterpassword`), nor words set apart or marked (`your_password`, `<password>`).
/// Spelt in leet (`P@ssw0rd`, `Passw0rd!`) it is still the word: the spelling a form's
/// rules ask for, and among the passwords most often given to a real server.
pub(super) fn is_password_word(value: &str) -> bool {
    as_written_or_in_leet(value, is_password_word_as_written)
}

/// Whether a value is the word `secret` alone, as written or spelt in leet (`S3cret`,
/// `s3cr3t`): the placeholder documentation writes for a password, and also one a
/// server set up by hand is given, as `password` is.
pub(super) fn is_secret_word(value: &str) -> bool {
    as_written_or_in_leet(value, |letters| letters.eq_ignore_ascii_case("secret"))
}

/// Whether a value passes `test` as written, or read in leet less the `!` a form's rules
/// ask to end it with (`Passw0rd!`).
pub(super) fn as_written_or_in_leet(value: &str, test: impl Fn(&str) -> bool + Copy) -> bool {
    test(value) || read_in_leet_passes(value.trim_end_matches('!'), test)
}

/// Whether a value, as written, is the word for a password alone or run together with
/// placeholder words (`is_password_word` without reading leet).
fn is_password_word_as_written(value: &str) -> bool {
    const ASKING: &[&str] = &[
        "your", "enter", "insert", "replace", "put", "change", "some", "the", "real", "actual",
        "sua", "seu", "tu", "votre", "dein",
    ];
    let lower = value.to_ascii_lowercase();
    value.bytes().all(|b| b.is_ascii_alphabetic())
        && ["password", "passwd", "pass", "pwd"]
            .iter()
            .any(|word| lower.ends_with(word))
        && !ASKING.iter().any(|opening| lower.starts_with(opening))
        && is_placeholder(value)
}

/// Whether a value is `my` run together with placeholder words (`mydb`, `mysecret`,
/// `myuser`): a placeholder in documentation, but its writer's own name for a thing,
/// which a server set up in a hurry is given too, so a password where code dials an
/// address.
pub(super) fn is_writers_own_words(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.bytes().all(|b| b.is_ascii_alphabetic())
        && lower
            .strip_prefix("my")
            .is_some_and(spelt_by_placeholder_words)
}

/// Whether a value is one of the example passwords typed along a keyboard (`qwerty`,
/// `asdf`): an example in documentation, but what a server set up in a hurry is given
/// too, so a password where code dials an address.
pub(super) fn is_keyboard_example(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "qwerty" | "asdf" | "asdasd" | "asdfgh"
    )
}

/// Whether a value is the alphabet's first letters and the first digits counted, either
/// way round (`abc123`, `abcd1234`, `123abc`): made up where documentation shows a
/// password's place, and among the passwords most often given to a real server.
pub(super) fn is_alphabet_then_count(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let split = lower
        .find(|c: char| c.is_ascii_digit())
        .filter(|&at| at > 0)
        .or_else(|| lower.find(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(0);
    let (first, second) = lower.split_at(split);
    let (letters, digits) = if first.starts_with(|c: char| c.is_ascii_digit()) {
        (second, first)
    } else {
        (first, second)
    };
    letters.len() >= 3
        && digits.len() >= 3
        && "abcdefghijklmnopqrstuvwxyz".starts_with(letters)
        && "1234567890".starts_with(digits)
}

/// Whether a word is a placeholder phrase written together: a word that says "put
/// yours here" (`my`, `your`, `enter`, ...) and then placeholder words (`mypassword`,
/// `yourdbpassword`). Without that opening word a run (`adminadmin`, `aaaa`) is a
/// password like any other.
fn runs_placeholder_words_together(word: &str) -> bool {
    const OPENING: &[&str] = &[
        "my", "your", "the", "some", "enter", "insert", "replace", "put", "change", "real",
        "actual", "strong", "secure",
        // A sentence the value says of itself (`Iamaverysecretpassword`, `thisisapassword`).
        "iama", "thisisa", "thisis",
        // `your` and `my` in the languages tutorials are written in (`suasenha`,
        // `tucontraseña`, `monmdp`).
        "sua", "seu", "tu", "votre", "dein", "mon", "ma",
    ];
    // Indonesian and Malay say `my` and `your` after the word (`passwordku`, `sandimu`).
    const CLOSING: &[&str] = &["ku", "mu"];
    // `a` opens only the word for a password itself (`apassword`), or placeholder words
    // that end in it (`asecretpassword`): as an opening for any placeholder words it
    // would send most words to the search below.
    word.strip_prefix('a')
        .is_some_and(|rest| SINGLE_WORDS.contains(&rest) || names_a_password_together(rest))
        || OPENING.iter().any(|opening| {
            word.strip_prefix(opening)
                .is_some_and(spelt_by_placeholder_words)
        })
        || CLOSING.iter().any(|closing| {
            word.strip_suffix(closing)
                .is_some_and(spelt_by_placeholder_words)
        })
}

/// Whether a word is placeholder words written together that end in the word for a
/// password (`dbpass`, `pgpassword`, `userpwd`), or say where it goes
/// (`passwordishere`), or begin with Vietnamese's
/// (`matkhaucuaban`): what documentation writes where the password goes (Spring's
/// `spring.datasource.password=dbpass`).
fn names_a_password_together(word: &str) -> bool {
    // The words for a password alone (`PASSWORD_WORDS` without `secret`).
    const WRITTEN_TOGETHER: [&str; 4] = ["password", "passwd", "pass", "pwd"];
    WRITTEN_TOGETHER.iter().any(|ending| {
        word.strip_suffix(ending)
            .is_some_and(spelt_by_placeholder_words)
    })
        // The word for a password, then where it goes (`passwordhere`, `passwordishere`,
        // `passwordgoeshere`).
        || WRITTEN_TOGETHER.iter().any(|opening| {
            word.strip_prefix(opening)
                .and_then(|rest| rest.strip_suffix("here"))
                .is_some_and(|between| ["", "is", "goes"].contains(&between))
        })
        // Vietnamese puts the word for password first (`matkhaucuaban`, "your password").
        || word
            .strip_prefix("matkhau")
            .is_some_and(spelt_by_placeholder_words)
}

/// Whether a non-empty text is placeholder words of two letters or more, written together.
fn spelt_by_placeholder_words(text: &str) -> bool {
    spelt_by(text, PLACEHOLDER_WORDS)
}

/// The metasyntactic names examples are made of, alone or run together (`foo`,
/// `foobarbaz`; French examples' `toto` and `titi`, Japanese ones' `hoge` and `fuga`),
/// and the filler they are padded with (`blablabla`, `blahblah`): no password or host
/// is so named.
const METASYNTACTIC_WORDS: &[&str] = &[
    "foo", "bar", "baz", "qux", "quux", "bla", "blah", "toto", "titi", "tata", "tutu", "hoge",
    "fuga", "piyo",
];

/// Whether a word is only metasyntactic names run together (`foobar`, `foobarbaz`).
pub(super) fn is_metasyntactic(word: &str) -> bool {
    spelt_by(&word.to_ascii_lowercase(), METASYNTACTIC_WORDS)
}

/// Whether a non-empty text is words of the list, of two letters or more, written
/// together.
fn spelt_by(text: &str, words: &[&str]) -> bool {
    // spelt[i]: whether text[..i] is such words.
    let mut spelt = vec![false; text.len() + 1];
    spelt[0] = true;
    for end in 1..=text.len() {
        spelt[end] = words.iter().any(|w| {
            w.len() >= 2
                && text.is_char_boundary(end)
                && text[..end].ends_with(*w)
                && spelt[end - w.len()]
        });
    }
    !text.is_empty() && spelt[text.len()]
}

/// The words that are a placeholder on their own: a word for a password (in the
/// languages tutorials are written in too) or for what goes beside one.
const SINGLE_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "pw",
    "secret",
    "contraseña",
    "contrasena",
    "senha",
    "secreto",
    "segredo",
    "geheim",
    "passwort",
    "kennwort",
    "matkhau",
    // The word in the Nordic, Baltic, Central European and Balkan languages and in
    // Indonesian and Chinese spelt out (`passord`, `lösenord`, `heslo`, `kata_sandi`,
    // `mima`), as a project's own local set-up writes it.
    "passord",
    "adgangskode",
    "losenord",
    "lösenord",
    "salasana",
    "heslo",
    "jelszo",
    "jelszó",
    "lozinka",
    "geslo",
    "parool",
    "katasandi",
    "mima",
    "changeme",
    "fixme",
    "todo",
    "tbd",
    // A value that calls itself insecure stands in for a password (`insecure`).
    "insecure",
    // A value that says there is none, or that it is not used (`blank`, `empty`,
    // `nopassword`, `notused`).
    "blank",
    "empty",
    "nopass",
    "nopassword",
    "unused",
    "notused",
    "placeholder",
    "redacted",
    "dummy",
    "example",
    "host",
    "hostname",
    "value",
    "token",
    "url",
    "uri",
    "dsn",
    "user",
    "username",
    "name",
    "here",
];

/// Whether a value opens and closes with `$` around more than a template's name
/// (`$qx@dm1n7731$`, `$VoTrax$`): a password spelt with dollars, not a variable
/// (`$PGPASS`) nor a template's `$DB_PASSWORD$`, written in capitals.
fn is_dollar_wrapped_word(value: &str) -> bool {
    value
        .strip_prefix('$')
        .and_then(|rest| rest.strip_suffix('$'))
        .is_some_and(|inner| {
            !inner.is_empty()
                && !inner.contains(['{', '(', '$'])
                && !inner
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stand_in_with_a_quote_inside_is_a_stand_in() {
        assert_eq!(without_a_quote_inside("s3cr'et").as_deref(), Some("s3cret"));
        assert!(is_placeholder("s3cr'et") && is_placeholder("pass\"word"));
        assert_eq!(without_a_quote_inside("'quoted'"), None);
        assert_eq!(without_a_quote_inside("a'b'c"), None);
        assert!(!is_placeholder("Kq8v'Tz2w"));
    }

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "",
            "your_database_url",
            "choose-a-strong-password",
            "set-this-to-a-long-random-password",
            "<password>",
            "(password)",
            "(your password)",
            // A template's variable half replaced: its closing brace left behind.
            "password}",
            "password password}",
            "$DB_PASSWORD$",
            "default_password",
            "instance_password_b",
            "asecretpassword",
            "mydefaultpass",
            "${VAR}",
            "{!! $password !!}",
            "npg_$(openssl rand -hex 12)",
            "@db.password@",
            "@@PG_PASSWORD@@",
            "hunter2",
            "jw8s0F4",
            "AbC123dEf",
            "foo",
            "jdbc:postgresql://54.93.10.65:5432/i2b2",
            "toto",
            "hogefuga",
            "\\****",
            "AMAFUyyuros/QjxPTtgzcsuQsqzIasdzJEN04aCtWDzXx1O9d6UmpkBtvEeqFly/EXAMPLE==",
            "mock-password",
            "$PGPASSWORD",
            "****",
            "...Indico_Bot...",
            "insecure",
            "matkhaucuaban",
            "passord",
            "Lösenord",
            "mat_khau_cua_ban",
            "My#Pass",
            "…prod-db…",
            "xxxxxxxx",
            "%s",
            "{{ db_password }}",
            "YOUR-PASSWORD",
            "YourPassword",
            "your_password_here",
            "DB_PASSWORD_PLEASE_CHANGE",
            "unused-api-only",
            "SetSaPWD",
            "SetAdminsPWD",
            "generate-a-strong-password",
            "TU_PASSWORD_AQUI",
            "super-secret",
            "dev-db-password",
            "postgres_lab_secret",
            "qa-db-password",
            "mot_de_passe_postgres_fictif_a_changer",
            "contraseña_de_ejemplo",
            "changeme123",
            "\\$DB_PASSWORD",
            "secretRef:db-credentials:password",
            "suasenha",
            "monmdp",
            "votre_mdp",
            "secreto",
            "insecure-password",
            "changeme",
            "dummy",
            "password",
            "process.env.DB_PASSWORD",
            "os.environ[\"PGPASSWORD\"]",
            "[secret]",
            "host",
            "mypassword",
            "yourdbpassword",
            "dbpass",
            "tu_contraseña",
            "una_password_segura",
            "uma_senha_forte",
            "ein_sicheres_passwort",
            "votre-mot-de-passe",
            "senha-da-base",
            "SUA_SENHA_DE_ACESSO",
            "votre_mot_de_passe_2024",
            "PLACEHOLDER_BASE64_PASSWORD",
            "REPLACE-WITH-PROD-PASSWORD-2024",
            "REPLICATION_PASSWORD_HERE",
            "another_secure_pass",
            "yourpasswords",
            "pgpassword",
            "<your",
            "Mot de passe",
            "#{DB_PASSWORD}",
            "{$this->password}",
            "((db_password))",
            "__DB_PASSWORD__",
            "p",
            "zzpasswordzz",
            "xxSECRETxx",
            "!ChangeMe!",
            "secret-should-not-appear",
            "hunter2-LEAK-TEST",
            "pg_leak_canary",
            "runtime-secret-from-aws-ssm",
            "password_via_vault_agent",
            "abc123",
            "p456def789",
            "s3cret",
            "foopass",
            "AVNS_abc123xyz789",
            "npg_xxxxxxxxxxxx",
            "bar_password",
            "definitely-wrong",
            "wrong_password",
            "hardcoded_secret",
            "literal-password",
            "invalidPass",
            "P@ssw0rd!",
            "Pa$$w0rd",
            "REMOVED_OLD_PASSWORD_FROM_HISTORY",
            "CHANGE_ME_BEFORE_PRODUCTION",
            "changeMoiUnMotDePasseFort",
            "Enter the password",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "op://prod/postgres/password",
            "projects/acme/secrets/db-password/versions/latest",
            "@Microsoft.KeyVault(SecretUri=https://acme.vault.azure.net/secrets/db/)",
            "do-not-copy",
            "YourSecureDbPassword123!",
            "SICHERES_PASSWORT",
            "GENERER_MOT_DE_PASSE_FORT_ICI",
            "trocar_senha",
            "la_password_generata_da_neon",
            "secure-key",
            "SuperSecretPassword123",
            "pw-from-dotenv",
            "Sup3r-Secret-Passw0rd",
            "DONT_USE_IN_PROD",
            "SECRET:DB_PASSWORD",
            "env:PGPASSWORD",
            "file:/run/secrets/pg",
            "XATA_API_KEY",
            "SUPABASE_DB_PASSWORD",
            "YENI_SIFRE",
            "!!process.env.POSTGRES_PASSWORD",
            "VERITABANI_SIFRENIZ",
            "la_tua_password",
            "uw_wachtwoord",
            "YourStrong@Passw0rd",
            "pw-xxxx",
            "***,",
            "{password}",
            "{0}",
            "{}",
            "{Environment.GetEnvironmentVariable(\\\"DB_PASSWORD\\\")}",
            "{pg['password']}",
            "`SENHA`",
            "{COQLCE6DU6GtcS5P=}",
            "{SAS002}",
            "{SAS009}5B1F0A2C44D7E93B",
            "'mypassword'",
            "hardcoded02",
            "passwordishere",
            "internal_password",
            "passwordgoeshere",
            "spring.datasource.password",
            "rest.password",
            "/tmp/pgpass",
            "/etc/patroni/.pgpass",
            "~/.pgpass",
            "replacethisdbpasswordplz",
            "blank",
            "nopassword",
            "notused",
            "unused",
            "change-me-please",
            "passwordku",
            "sandimu",
            // A sentence the value says of itself.
            "Iamaverysecretpassword",
            "thisisapassword",
            // werf's encryption of a secret value.
            "1000b925471a9491456633bf605d7d3f74c3d5028f2b1e605b9cf39ba33962a4374c51f78637b20ce7f7cd27",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn werf_s_ciphertext_is_longer_than_a_hexadecimal_password() {
        let sealed = format!("1000{}", "ab12".repeat(20));
        assert!(is_werf_ciphertext(&sealed));
        // Heroku's passwords are 64 hexadecimal digits, whatever they begin with.
        let heroku = format!("1000{}", "7f3e".repeat(15));
        assert_eq!(heroku.len(), 64);
        assert!(!is_werf_ciphertext(&heroku));
        assert!(!is_werf_ciphertext(&format!("2000{}", "ab12".repeat(20))));
        assert!(!is_werf_ciphertext(&format!("1000{}", "AB12".repeat(20))));
    }

    #[test]
    fn a_password_whose_end_is_masked_is_a_placeholder() {
        for value in ["d3ned1xxx", "Kw82XXXX", "d3ned1***", "Tr0ub4•••", "zxxx"] {
            assert!(is_placeholder(value), "{value}");
        }
        // Letters that run to `x` are a word's; a mask needs three.
        for value in ["Foxxx2024", "Maxxx", "d3ned1xx", "Kw82x", "q7***Lm2"] {
            assert!(!masks_its_end(value), "{value}");
        }
    }

    #[test]
    fn the_alphabet_then_a_count_is_read_either_way_round() {
        for value in ["abc123", "ABCD1234", "123abc", "abcdef123456"] {
            assert!(is_alphabet_then_count(value), "{value}");
        }
        for value in [
            "ab12",
            "abd123",
            "abc124",
            "abc",
            "123456",
            "p456def789",
            "abc123x",
        ] {
            assert!(!is_alphabet_then_count(value), "{value}");
        }
    }

    #[test]
    fn the_word_for_a_password_is_read_in_leet_too() {
        for value in ["password", "dbpass", "P@ssw0rd", "Passw0rd!", "p@ss"] {
            assert!(is_password_word(value), "{value}");
        }
        for value in [
            "your_password",
            "yourp@ssword",
            "P@ssw0rd2024",
            "Tr0ub4dor&3",
        ] {
            assert!(!is_password_word(value), "{value}");
        }
    }

    #[test]
    fn my_and_a_thing_s_name_is_its_writer_s_own_words() {
        for value in ["mydb", "MySecret", "mydbuser"] {
            assert!(is_writers_own_words(value), "{value}");
        }
        for value in ["yourdb", "mydb1", "my-db", "myriad"] {
            assert!(!is_writers_own_words(value), "{value}");
        }
    }

    #[test]
    fn real_looking_secrets_are_not_placeholders() {
        let neon = "npg_Ab12Cd34Ef56"; // vsecure:allow (a documented fake)
        for value in [
            neon,
            "hunter2hunter2",
            "Leak-Proof-Valve9",
            "(Kq8vTz2mLp)",
            "s3cr3t-Pw",
            "Pg-Url-q",
            "PgAdm1n-4",
            "mysupersecretpassword",
            "super-duper",
            "Tr0ub4dor&3",
            "MyPassword123!",
            "MyPostgresPassword123!",
            "dummypass2024",
            "another-Kq8Tz2",
            "here_Kq8Tz2_password",
            "postgres",
            "admin",
            "password1",
            "db.example.com",
            "yourcompany.neon.tech",
            "pa<ss",
            "passwordx",
            "@x@y@",
            "mypassword1",
            "aaaaaaaaaa",
            "...Kq8vTz2m",
            "Kq8vTz2m...",
            "adminadmin",
            "testpass",
            "Yourself42",
            "Sample!Horse-9",
            "<x7Kq2",
            "Winter Sale 2024",
            "correct-horse battery",
            "arnold:aws",
            "secret:Wq7vPz2k",
            "Aa123456",
            "123456",
            "Secure789",
            "xxKq8vTz2mxx",
            // A generated token whose first camel-case piece is Spanish's `your`.
            "tuDebiXJdcPwyBGOXmPs04QqFaXrzFsH",
            // One whose last camel-case piece is.
            "v2_3wSuC_DjRTmaWRJrVUKdsCpSharTu",
            "abc-Kq8vTz",
            "Adm1n",
            "S3cretSauce7",
            "AVNS_Kq8vTz2mLp4R",
            "KQ8V_TZ2M",
            "WINTER_2024",
            "Kq8v.password",
            "my.Secret.pass7",
            "{cC.F&'+c6}z;`Y7",
            "'Kq8vTz2m'",
            "`Kq8vTz2m`",
            "/aB3x/Kq9+",
            "/secret",
            "!Kq8vTz2m!",
            "we-must-win",
            "far-from-home-tonight",
            "Kq8vTzku",
            "haiku",
            // SAS's encoding of a password, which a `LIBNAME` statement takes as it is.
            "{SAS002}5B1F0A2C44D7E93B10C68A2F7D3E9B41",
            // Dollars around more than a name: a password spelt with them.
            "$qx@dm1n7731$",
            "$VoTrax$",
            "Kq8v}",
            "{sas004}1D57933958C580064BD3DCA81A33DFB2B6A5B0C9B1A2C3D4",
            // An instruction's verb without the word for password last is no instruction.
            "SetPoint-Kq8",
            "SetSunPass9x",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }
}
