//! Splits a migration into statements, so each can run on its own: outside a
//! transaction for `-- vsecure:no-transaction` migrations, and so a failure names the
//! exact statement and line. Understands quotes, `E''` strings, quoted identifiers,
//! dollar quoting and nested comments.

/// One SQL statement of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The statement text, trimmed, without its terminating semicolon.
    pub text: &'a str,
    /// The 1-based line the statement starts on.
    pub line: usize,
}

impl Statement<'_> {
    /// The first line of the statement, shortened, for messages.
    pub fn summary(&self) -> String {
        const MAX: usize = 80;
        let first = self.text.lines().next().unwrap_or("").trim();
        if first.chars().count() > MAX {
            format!("{}...", first.chars().take(MAX).collect::<String>())
        } else {
            first.to_string()
        }
    }
}

/// Splits SQL into statements at top-level semicolons. Fragments holding only
/// comments and white space are dropped.
pub fn statements(sql: &str) -> Vec<Statement<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !is_ident_byte(bytes[i - 2]));
                i = skip_quoted(bytes, i, b'\'', escapes);
            }
            b'"' => i = skip_quoted(bytes, i, b'"', false),
            b'$' => match dollar_tag(bytes, i) {
                Some(tag_len) => i = skip_dollar_quoted(bytes, i, tag_len),
                None => i += 1,
            },
            b';' => {
                push(sql, start, i, &mut out);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(sql, start, bytes.len().min(sql.len()), &mut out);
    out
}

fn push<'a>(sql: &'a str, start: usize, end: usize, out: &mut Vec<Statement<'a>>) {
    let fragment = &sql[start..end];
    let Some(leading) = code_start(fragment) else {
        return;
    };
    let line = 1 + sql[..start + leading].matches('\n').count();
    out.push(Statement {
        text: fragment[leading..].trim_end(),
        line,
    });
}

/// Where the first code (not white space, not a comment) of a fragment starts.
fn code_start(fragment: &str) -> Option<usize> {
    let bytes = fragment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            _ => return Some(i),
        }
    }
    None
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    i += 1;
    while i < bytes.len() {
        if backslash_escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

/// The length of a dollar-quote opening tag (`$$` or `$tag$`) at `i`, if there is one.
fn dollar_tag(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && is_ident_byte(bytes[i - 1]) {
        return None;
    }
    let mut j = i + 1;
    if bytes.get(j).is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    (bytes.get(j) == Some(&b'$')).then_some(j + 1 - i)
}

fn skip_dollar_quoted(bytes: &[u8], i: usize, tag_len: usize) -> usize {
    let tag = &bytes[i..i + tag_len];
    let mut j = i + tag_len;
    while j + tag_len <= bytes.len() {
        if &bytes[j..j + tag_len] == tag {
            return j + tag_len;
        }
        j += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        statements(sql).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text DEFAULT ';');\n\
                   -- a comment; with a semicolon\n\
                   CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n\
                   SELECT E'it\\'s;', \"we;ird\", $tag$ ; $$ ; $tag$ /* c; /* nested; */ */;\n\
                   SELECT $1;";
        let got = texts(sql);
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(got[1].starts_with("CREATE FUNCTION") && got[1].ends_with("END $$"));
        assert!(got[2].starts_with("SELECT E'it"));
        assert_eq!(got[3], "SELECT $1");
    }

    #[test]
    fn reports_start_lines_and_drops_comment_only_fragments() {
        let sql = "-- header\n\nSELECT 1;\n/* only a comment */;\n  SELECT\n 2";
        let got = statements(sql);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].text, got[0].line), ("SELECT 1", 3));
        assert_eq!(got[1].line, 5);
        assert_eq!(got[1].summary(), "SELECT");
    }
}
