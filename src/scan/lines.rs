//! Line positions of a text, found once, so that the line of any offset costs a binary
//! search instead of a scan (a scan per match made long lines quadratic).

use std::ops::Range;

/// Where each line of a text starts.
pub struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &[u8]) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines {
            starts,
            len: text.len(),
        }
    }

    /// The 0-based line holding `offset` and its byte range (without the newline).
    pub fn around(&self, offset: usize) -> (usize, Range<usize>) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let end = self.starts.get(line + 1).map_or(self.len, |next| next - 1);
        (line, self.starts[line]..end)
    }

    /// The offset where a 0-based line starts.
    pub fn start_of(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// How many lines the text has (a text ending in a newline has an empty last one).
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and column (in bytes) of `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let (line, range) = self.around(offset);
        (line + 1, offset - range.start + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let lines = Lines::new(b"ab\ncd\n\nef");
        assert_eq!(lines.around(0), (0, 0..2));
        assert_eq!(lines.around(2), (0, 0..2));
        assert_eq!(lines.around(3), (1, 3..5));
        assert_eq!(lines.around(6), (2, 6..6));
        assert_eq!(lines.position(8), (4, 2));
        assert_eq!(lines.count(), 4);
        assert_eq!(lines.start_of(3), 7);
    }
}
