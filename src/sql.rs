//! SQL text vsecure builds itself: quoting of literals and identifiers, in one place.

/// Quotes a string as an SQL literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Quotes an identifier, always (safe for any name in a statement vsecure sends).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes an identifier only when PostgreSQL's deparser would (anything but lower case,
/// digits and `_`), so that text vsecure composes matches what the server prints.
pub fn ident_as_printed(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain { name.to_string() } else { ident(name) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident_as_printed("users"), "users");
        assert_eq!(ident_as_printed("Users"), "\"Users\"");
        assert_eq!(ident_as_printed("uuid-ossp"), "\"uuid-ossp\"");
    }
}
