//! Common Lisp's Postmodern logins: `(postmodern:connect-toplevel "db" "user" "..."
//! "host")`, `(connect ...)` and `(with-connection '("db" "user" "..." "host"))` pass the
//! password third, by position, as a string or as a global the file sets with `(defvar
//! *db-password* "...")` (or `defparameter`). No key names it, so neither the settings
//! reader nor the call readers (parentheses after the name, commas between) see it.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::{Captures, Regex};

use super::detect::{Detection, Kind, lossy};
use super::structured::{Context, contains_ignoring_case as contains, is_reference};

/// A login form: the function (Postmodern's package prefix or not), then the
/// database, the user, the password and the host, each a string or a symbol.
fn login() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let argument = r#"("(?:[^"\\\n]|\\.)*"|[^\s()"']+)"#;
        Regex::new(&format!(
            r#"(?i)\(((?:postmodern|pomo):)?(?:connect-toplevel|connect|with-connection[ \t]+(?:'\(|\(list[ \t]+))[ \t]*{argument}\s+{argument}\s+{argument}\s+{argument}"#
        ))
        .expect("valid regex")
    })
}

/// A global set to a string: `(defvar *dbpassword* "...")`, `(defparameter ...)`.
fn global() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)\((?:defvar|defparameter)[ \t]+(\*[^\s()*"]+\*)[ \t]+"((?:[^"\\\n]|\\.)*)""#,
        )
        .expect("valid regex")
    })
}

/// The passwords Postmodern's login forms in `text` are given, each with the range of
/// its string (in the form, or where the global it names is set).
pub fn detect(text: &[u8], context: &mut Context) -> Vec<(Range<usize>, Detection)> {
    let mut found = Vec::new();
    if !contains(text, b"connect") {
        return found;
    }
    let globals: Vec<(String, Range<usize>)> = global()
        .captures_iter(text)
        .map(|c| {
            let value = c.get(2).expect("value");
            (lossy(&c[1]).to_ascii_lowercase(), value.range())
        })
        .collect();
    for c in login().captures_iter(text) {
        let form = c.get(0).expect("form");
        let prefixed = c.get(1).is_some();
        if !prefixed && !context.configures_postgres(form.start()) && !names_postmodern(text) {
            continue;
        }
        let Some(password) = argument(text, &c, 4, &globals) else {
            continue;
        };
        let secret = lossy(&text[password.clone()]);
        if secret.is_empty() || is_reference(&secret) {
            continue;
        }
        let value = |group| argument(text, &c, group, &globals).map(|range| lossy(&text[range]));
        let (user, host) = (value(3).unwrap_or_default(), value(5));
        let mut d = super::detect::detection(
            Kind::PasswordSetting,
            password.start,
            "connect-toplevel ... \"****\"".to_string(),
            &secret,
        );
        d.local_default = super::detect::is_weak_for(&user, &secret)
            && host.as_deref().is_some_and(super::detect::is_local_host);
        found.push((password.start..password.end + 1, d));
    }
    found
}

/// Where argument `group` of a login form holds its string: inside the form's quotes,
/// or where the global it names is set to one.
fn argument(
    text: &[u8],
    c: &Captures,
    group: usize,
    globals: &[(String, Range<usize>)],
) -> Option<Range<usize>> {
    let argument = c.get(group)?;
    if argument.as_bytes().starts_with(b"\"") {
        return Some(argument.start() + 1..argument.end() - 1);
    }
    let name = lossy(argument.as_bytes()).to_ascii_lowercase();
    globals
        .iter()
        .rev()
        .find(|(global, at)| *global == name && at.start < argument.start())
        .map(|(_, at)| at.clone())
        .filter(|at| at.end <= text.len())
}

/// Whether the text loads or uses Postmodern (`:postmodern` in a system's or a
/// package's `:use`, `cl-postgres`).
fn names_postmodern(text: &[u8]) -> bool {
    contains(text, b"postmodern") || contains(text, b"cl-postgres")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::findings_of;

    fn passwords(text: &str) -> Vec<(String, bool)> {
        findings_of(detect, text)
    }

    #[test]
    fn a_login_form_s_third_argument_is_its_password() {
        let form =
            "(postmodern:connect-toplevel \"money\" \"money\" \"Wd5-vKq8z\" \"localhost\")\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(form), vec![("Wd5-vKq8z\"".to_string(), false)]); // vsecure:allow (a documented fake)
        let list = "(in-package :app)\n(use-package :postmodern)\n(with-connection '(\"app\" \"app\" \"Wd5-vKq8z\" \"db.acme.io\")\n  (query \"select 1\"))\n"; // vsecure:allow (a documented fake)
        assert_eq!(passwords(list).len(), 1);
    }

    #[test]
    fn a_global_the_form_names_is_followed_to_its_string() {
        let globals = "(defvar *database* \"labbar\")\n(defvar *dbuser* \"lisp\")\n(defvar *dbpassword* \"Wd5-vKq8z\")\n(defvar *dbhost* \"localhost\")\n\n(defun start ()\n  (postmodern:connect-toplevel *database* *dbuser* *dbpassword* *dbhost*))\n"; // vsecure:allow (a documented fake)
        let found = passwords(globals);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.starts_with("Wd5-vKq8z")); // vsecure:allow (a documented fake)
    }

    #[test]
    fn a_local_default_a_variable_and_other_lisp_are_not_credentials() {
        let local =
            "(postmodern:connect-toplevel \"kawoosh\" \"kawoosh\" \"kawoosh\" \"localhost\")\n";
        assert_eq!(passwords(local), vec![("kawoosh\"".to_string(), true)]);
        let parameter = "(defun connect (host username password database)\n  (postmodern:connect database username password host :pooled-p t))\n";
        assert!(passwords(parameter).is_empty());
        let other = "(defun reconnect ()\n  (connect \"irc.libera.chat\" \"bot\" \"Wd5-vKq8z\" \"6697\"))\n"; // vsecure:allow (a documented fake)
        assert!(passwords(other).is_empty());
    }
}
