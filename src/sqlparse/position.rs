//! Where the parser stopped. The `pg_query` crate keeps only the message of a parse
//! error; libpg_query's own result also carries the cursor position, which this reads
//! through libpg_query's C interface (linked in by `pg_query`).

use std::ffi::{CStr, CString, c_char, c_int};

use super::{ParseFailure, line_of};

/// libpg_query's `PgQueryError` (pg_query.h).
#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

/// libpg_query's `PgQueryParseResult` (pg_query.h).
#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

unsafe extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
}

/// Parses `sql` again through libpg_query's C interface for the error's message and
/// cursor (a 1-based character position), turned into a line.
pub(super) fn failure(sql: &str) -> ParseFailure {
    let Ok(input) = CString::new(sql) else {
        let line = sql.find('\0').map(|at| line_of(sql, at));
        return ParseFailure {
            line,
            message: "a NUL byte, which no SQL text can contain".to_string(),
        };
    };
    // SAFETY: the input is a valid C string; the result is freed once, after its error
    // (owned by the result) has been copied out.
    unsafe {
        let result = pg_query_parse(input.as_ptr());
        let failure = match result.error.as_ref() {
            None => ParseFailure {
                line: None,
                message: "the parser rejected it without a message".to_string(),
            },
            Some(error) => {
                let message = if error.message.is_null() {
                    "unknown parse error".to_string()
                } else {
                    CStr::from_ptr(error.message).to_string_lossy().into_owned()
                };
                let line = usize::try_from(error.cursorpos)
                    .ok()
                    .filter(|pos| *pos > 0)
                    .map(|pos| {
                        let offset = sql
                            .char_indices()
                            .nth(pos - 1)
                            .map_or(sql.len(), |(at, _)| at);
                        line_of(sql, offset)
                    });
                ParseFailure { line, message }
            }
        };
        pg_query_free_parse_result(result);
        failure
    }
}
