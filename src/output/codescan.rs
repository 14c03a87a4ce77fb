//! The forms shared by the commands whose findings sit in files (`lint`, `scan`): a
//! SARIF 2.1.0 log for code scanning, and GitHub workflow annotations.

use serde_json::{Value, json};

/// A SARIF 2.1.0 log of one run of vsecure: `rules` describes every rule the results
/// may name, `results` are the findings.
pub fn sarif_log(rules: Vec<Value>, results: Vec<Value>) -> Value {
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "vsecure",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/v-secure/vsecure",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// A SARIF physical location: the file (relative, as code scanning expects it) and
/// where in it.
pub fn sarif_location(file: &str, line: usize, column: usize) -> Value {
    json!([{
        "physicalLocation": {
            "artifactLocation": {"uri": file.trim_start_matches("./")},
            "region": {"startLine": line, "startColumn": column},
        }
    }])
}

/// Where a GitHub annotation points.
pub struct Place<'a> {
    /// The file.
    pub file: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One GitHub workflow command (`::error file=...,line=...::message`), escaped as
/// GitHub reads it; `level` is `error`, `warning` or `notice`.
pub fn annotation(level: &str, place: &Place, title: &str, message: &str) -> String {
    format!(
        "::{level} file={},line={},col={},title={}::{}",
        escape_property(place.file.trim_start_matches("./")),
        place.line,
        place.column,
        escape_property(title),
        escape_data(message)
    )
}

/// GitHub's escaping of a command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_github_would_misread() {
        let place = Place {
            file: "./a,b:c.sql",
            line: 3,
            column: 1,
        };
        assert_eq!(
            annotation("error", &place, "r:1", "50%\nnext"),
            "::error file=a%2Cb%3Ac.sql,line=3,col=1,title=r%3A1::50%25%0Anext"
        );
    }
}
