//! What changed between two long texts (a function body, a view definition), shown as
//! the differing lines with a little context instead of two truncated copies.

use similar::{ChangeTag, TextDiff};

/// Unchanged lines kept around each change.
const CONTEXT_LINES: usize = 2;
/// Unchanged characters kept around each change in a one-line text.
const CONTEXT_CHARS: usize = 40;

/// A unified diff of two texts: by line when they have several, by word otherwise
/// (`[-removed-]{+added+}`, unchanged stretches shortened to their ends).
pub fn describe(expected: &str, actual: &str) -> String {
    if expected.contains('\n') || actual.contains('\n') {
        TextDiff::from_lines(expected, actual)
            .unified_diff()
            .context_radius(CONTEXT_LINES)
            .header("expected", "found")
            .to_string()
    } else {
        by_word(expected, actual)
    }
}

fn by_word(expected: &str, actual: &str) -> String {
    let diff = TextDiff::from_words(expected, actual);
    let mut out = String::new();
    let mut unchanged = String::new();
    let mut last = ChangeTag::Equal;
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        if tag != ChangeTag::Equal {
            out.push_str(&shorten(&std::mem::take(&mut unchanged)));
        }
        if last != tag && last != ChangeTag::Equal {
            out.push_str(closing(last));
        }
        match tag {
            ChangeTag::Equal => unchanged.push_str(change.value()),
            _ => {
                if last != tag {
                    out.push_str(opening(tag));
                }
                out.push_str(change.value());
            }
        }
        last = tag;
    }
    if last != ChangeTag::Equal {
        out.push_str(closing(last));
    }
    out.push_str(&shorten(&unchanged));
    out
}

fn opening(tag: ChangeTag) -> &'static str {
    if tag == ChangeTag::Delete { "[-" } else { "{+" }
}

fn closing(tag: ChangeTag) -> &'static str {
    if tag == ChangeTag::Delete { "-]" } else { "+}" }
}

/// An unchanged stretch: whole when short, else its two ends around an ellipsis.
fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 2 * CONTEXT_CHARS {
        return text.to_string();
    }
    let head: String = chars[..CONTEXT_CHARS].iter().collect();
    let tail: String = chars[chars.len() - CONTEXT_CHARS..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_deep_in_a_body_is_shown_with_its_lines() {
        let body: Vec<String> = (0..40).map(|i| format!("  perform step({i});")).collect();
        let expected = body.join("\n");
        let actual = expected.replace("step(31)", "step(310)");
        let shown = describe(&expected, &actual);
        assert!(shown.contains("-  perform step(31);"), "{shown}");
        assert!(shown.contains("+  perform step(310);"), "{shown}");
        assert!(
            !shown.contains("step(5)"),
            "only context near the change: {shown}"
        );
    }

    #[test]
    fn a_long_single_line_shows_the_changed_words() {
        let prefix = format!(
            "SELECT {} FROM t WHERE ",
            vec!["column_name"; 20].join(", ")
        );
        let shown = describe(&format!("{prefix}x = 1"), &format!("{prefix}x = 2"));
        assert!(shown.contains("[-1-]{+2+}"), "{shown}");
        assert!(shown.contains('…'), "{shown}");
    }
}
