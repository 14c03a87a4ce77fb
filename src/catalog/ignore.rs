//! `--ignore` patterns: globs over object names that silence known extras.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::diff::Difference;

/// A compiled set of ignore patterns.
///
/// A pattern matches an object by its qualified name (`public.simple_users`) or, in the
/// public schema, by its bare name (`simple_users`); matching an object also matches
/// everything inside it (`public.simple_users.id`). `*` and `?` are wildcards.
#[derive(Debug, Clone)]
pub struct IgnoreSet {
    set: GlobSet,
    patterns: Vec<String>,
}

impl IgnoreSet {
    /// Compiles the patterns; a malformed one is a usage error naming it.
    pub fn new(patterns: &[String]) -> Result<IgnoreSet, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern)
                .map_err(|e| format!("invalid --ignore pattern \"{pattern}\": {e}"))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| format!("invalid --ignore patterns: {e}"))?;
        Ok(IgnoreSet {
            set,
            patterns: patterns.to_vec(),
        })
    }

    /// The patterns that match none of `names` (nor anything they hold): most likely
    /// a typo, which would otherwise silence nothing without a word.
    pub fn unmatched<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut matched = vec![false; self.patterns.len()];
        for name in names {
            for candidate in candidates(name) {
                for index in self.set.matches(candidate) {
                    matched[index] = true;
                }
            }
        }
        self.patterns
            .iter()
            .zip(matched)
            .filter(|(_, hit)| !hit)
            .map(|(pattern, _)| pattern.clone())
            .collect()
    }

    /// Whether no pattern was given.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether a difference is silenced.
    pub fn silences(&self, difference: &Difference) -> bool {
        self.matches(&difference.object)
    }

    /// Whether an object name, or an object it belongs to, matches a pattern.
    pub fn matches(&self, object: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        candidates(object).iter().any(|c| self.set.is_match(c))
    }
}

/// The names a pattern may match an object by: its qualified name, its bare name in
/// the public schema, and those of every object it belongs to.
fn candidates(object: &str) -> Vec<&str> {
    let bare = object.strip_prefix("public.");
    let mut candidates: Vec<&str> = Vec::new();
    for name in [Some(object), bare].into_iter().flatten() {
        candidates.push(name);
        // `public.secrets TO PUBLIC` (a privilege) belongs to `public.secrets`.
        for (at, _) in name.match_indices(['.', ' ']) {
            candidates.push(&name[..at]);
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> IgnoreSet {
        IgnoreSet::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn patterns_match_objects_and_what_they_hold() {
        let s = set(&["simple_users", "public.playing_*"]);
        assert!(s.matches("public.simple_users"));
        assert!(s.matches("public.simple_users.email"));
        assert!(s.matches("public.playing_with_neon"));
        assert!(!s.matches("public.users"));
        assert!(!s.matches("public.simple_users_archive"));
        assert!(!set(&[]).matches("public.users"));
    }

    #[test]
    fn patterns_that_match_no_object_are_named() {
        let s = set(&["simple_users", "public.users.email", "nonexistent", "play*"]);
        let names = [
            "public",
            "public.simple_users",
            "public.users",
            "public.users.email",
        ];
        assert_eq!(s.unmatched(names), ["nonexistent", "play*"]);
    }

    #[test]
    fn a_malformed_pattern_is_refused() {
        assert!(IgnoreSet::new(&["[".to_string()]).is_err());
    }
}
