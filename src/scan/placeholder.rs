//! Placeholders: the values documentation and templates put where a secret goes. A scan
//! that flagged them would be ignored, so they are recognised and skipped.

/// Words that, inside a value, mark it as an example rather than a secret.
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "password",
    "passwd",
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "redacted",
    "replace",
    "secret_here",
    "dummy",
    "xxxx",
    "****",
];

/// Whole values that are placeholders.
const PLACEHOLDER_VALUES: &[&str] = &["pass", "pwd", "secret", "pw", "host", "hostname"];

/// Whether a value (a password, or a host next to it) is a placeholder: empty, a
/// variable reference (`$VAR`, `${VAR}`, `%s`, `{{ var }}`, `process.env.X`), an
/// angle-bracketed or bracketed hint (`<password>`), a run of one mask character
/// (`****`, `xxxx`), or a value containing a placeholder word (`your_database_url`).
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    let references_variable = value.starts_with('$')
        || value.starts_with('%')
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with('{')
        || lower.starts_with("process.env")
        || lower.starts_with("env.");
    let bracketed = (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('[') && value.ends_with(']'));
    let mask = value
        .chars()
        .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•' | '#' | '-' | '_'));
    references_variable
        || bracketed
        || value.contains('<')
        || mask
        || PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "",
            "your_database_url",
            "<password>",
            "${VAR}",
            "$PGPASSWORD",
            "****",
            "xxxxxxxx",
            "%s",
            "{{ db_password }}",
            "YOUR-PASSWORD",
            "changeme",
            "process.env.DB_PASSWORD",
            "[secret]",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn real_looking_secrets_are_not_placeholders() {
        let neon = "npg_Ab12Cd34Ef56"; // vsecure:allow (a documented fake)
        for value in [neon, "hunter2hunter2", "s3cr3t-Pw", "Tr0ub4dor&3"] {
            assert!(!is_placeholder(value), "{value}");
        }
    }
}
