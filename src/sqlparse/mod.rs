//! One SQL reading for all of vsecure: PostgreSQL's own scanner and parser (libpg_query,
//! the PostgreSQL 18 grammar, through the `pg_query` crate).
//!
//! A migration is split into statements where PostgreSQL itself would split it, with
//! each statement's start line for messages, and its parse tree for the rules that
//! depend on what a statement is (what may not run inside a transaction, which tables
//! it creates, which extension versions it pins). Text the parser rejects is refused
//! with the line it stopped at and its message, before anything runs.

mod position;
pub mod rules;

use pg_query::NodeEnum;
use pg_query::protobuf::Token;

/// One statement of a migration.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    /// The statement text, from its first token to its last, without the semicolon.
    pub text: &'a str,
    /// The 1-based line the statement starts on.
    pub line: usize,
    /// The byte offset of the statement in the SQL it was read from.
    pub offset: usize,
    /// The parse tree.
    pub node: Option<NodeEnum>,
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

/// Why SQL could not be read: the parser's message and where it stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", line.map(|l| format!("line {l}: ")).unwrap_or_default(), self.to_string_without_line())]
pub struct ParseFailure {
    /// The 1-based line of the token the parser stopped at, when it says.
    pub line: Option<usize>,
    /// The parser's message, e.g. `syntax error at or near "TABL"`.
    pub message: String,
}

impl ParseFailure {
    /// The parser's message, said to be its, without the line.
    pub fn to_string_without_line(&self) -> String {
        format!("{} (PostgreSQL's parser)", self.message)
    }
}

/// The statements of `sql`, as PostgreSQL splits and parses them. Empty statements and
/// comments between statements are dropped.
pub fn statements(sql: &str) -> Result<Vec<Statement<'_>>, ParseFailure> {
    let parsed = match pg_query::parse(sql, pg_query::ParserOptions::DEFAULT) {
        Ok(parsed) => parsed,
        Err(_) => return Err(position::failure(sql)),
    };
    let tokens = pg_query::scan(sql)
        .map_err(|_| position::failure(sql))?
        .tokens;
    let code: Vec<(usize, usize)> = tokens
        .iter()
        .filter(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
        .filter(|t| t.token != Token::Ascii59 as i32)
        .map(|t| (t.start as usize, t.end as usize))
        .collect();
    let mut out = Vec::new();
    for raw in parsed.protobuf.stmts {
        let from = raw.stmt_location.max(0) as usize;
        let to = match raw.stmt_len {
            0 => sql.len(),
            len => from + len as usize,
        };
        let inside: Vec<&(usize, usize)> = code
            .iter()
            .filter(|(start, _)| *start >= from && *start < to)
            .collect();
        let (Some(first), Some(last)) = (inside.first(), inside.last()) else {
            continue;
        };
        out.push(Statement {
            text: &sql[first.0..last.1],
            line: line_of(sql, first.0),
            offset: first.0,
            node: raw.stmt.and_then(|node| node.node),
        });
    }
    Ok(out)
}

/// The 1-based line of a byte offset.
fn line_of(sql: &str, offset: usize) -> usize {
    1 + sql.as_bytes()[..offset.min(sql.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        statements(sql)
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn splits_where_postgresql_does() {
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
        let got = statements(sql).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].text, got[0].line), ("SELECT 1", 3));
        assert_eq!(got[1].line, 5);
        assert_eq!(got[1].text, "SELECT\n 2");
        assert_eq!(got[1].summary(), "SELECT");
    }

    /// Cases from PostgreSQL's grammar that a splitter counting quotes and semicolons
    /// gets wrong.
    #[test]
    fn grammar_a_hand_written_splitter_gets_wrong() {
        // A SQL-standard function body: semicolons inside BEGIN ATOMIC ... END.
        let atomic = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n\
                      BEGIN ATOMIC\n  SELECT a + b;\n  SELECT a;\nEND;\nSELECT 1;";
        assert_eq!(texts(atomic).len(), 2, "{:#?}", texts(atomic));
        assert!(texts(atomic)[0].ends_with("END"));
        // A string continued over a newline: 'a' 'b' is one literal.
        assert_eq!(texts("SELECT 'a;'\n'b;';\nSELECT 2;").len(), 2);
        // Unicode escapes and a dollar sign inside an identifier are not quotes.
        assert_eq!(
            texts("SELECT U&'d\\0061t;a', a$b$c FROM t;\nSELECT 2;").len(),
            2
        );
        // A positional parameter is not a dollar quote.
        assert_eq!(
            texts("PREPARE p AS SELECT $1;\nSELECT '$1;';\nSELECT 3;").len(),
            3
        );
        // E'' strings: a backslash escapes the quote; standard strings: it does not.
        assert_eq!(texts("SELECT E'\\';';\nSELECT 'a\\';\nSELECT 3;").len(), 3);
        // Nested block comments hold semicolons and quote marks.
        assert_eq!(
            texts("/* a /* b; ' */ c; \" */ SELECT 1; SELECT 2").len(),
            2
        );
    }

    #[test]
    fn a_syntax_error_names_its_line_and_the_parsers_message() {
        let mut sql = String::new();
        for n in 1..42 {
            sql.push_str(&format!("CREATE TABLE t{n} (id int);\n"));
        }
        sql.push_str("CREATE TABL broken (id int);\n");
        let error = statements(&sql).unwrap_err();
        assert_eq!(error.line, Some(42));
        assert!(error.message.contains("syntax error at or near"), "{error}");
        let unterminated = statements("SELECT 1;\nSELECT 'open\n").unwrap_err();
        assert_eq!(unterminated.line, Some(2), "{unterminated}");
        assert!(
            unterminated.message.contains("unterminated"),
            "{unterminated}"
        );
    }
}
