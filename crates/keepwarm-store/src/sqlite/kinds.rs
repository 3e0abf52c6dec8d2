//! Timeline event kinds in SQL, named only through [`TimelineEvent`]'s constants.
//!
//! Queries that filter the `events` table by kind (the audit, the report, whose turn it is in a
//! conversation, the duplicate check's last stage change) take the kind words from
//! `keepwarm_domain::timeline` through [`kind_list`], never as literals in the SQL text: renaming a
//! kind's constant breaks the build here, and changing its word changes the SQL with it. The test
//! below reads this backend's sources and fails on any kind word written as a SQL literal.

use keepwarm_domain::TimelineEvent;

/// `kinds` as a SQL list of string literals (`'stage_changed', 'touch_sent'`), for `kind IN (...)`.
///
/// Only kind words [`TimelineEvent::KINDS`] knows are accepted (checked in debug builds and by the
/// tests); they are lower-case words and underscores, so quoting cannot break out of the literal.
pub(super) fn kind_list(kinds: &[&str]) -> String {
    debug_assert!(
        kinds.iter().all(|k| TimelineEvent::KINDS.contains(k)),
        "not a timeline kind among {kinds:?}"
    );
    kinds
        .iter()
        .map(|kind| format!("'{kind}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoted words in the backend's SQL that are timeline kind words but name something else: the
    /// file, the word, and what it is there.
    const NOT_EVENT_KINDS: &[(&str, &str, &str)] = &[(
        "intake.rs",
        "received",
        "the status of a new inbound document",
    )];

    /// Every `'word'` (lower-case letters and underscores between two apostrophes) in `text`.
    /// Each apostrophe is tried as an opening one, so an apostrophe in a comment or a lifetime
    /// before a literal does not hide it.
    fn quoted_words(text: &str) -> Vec<&str> {
        let quotes: Vec<usize> = text.match_indices('\'').map(|(i, _)| i).collect();
        quotes
            .windows(2)
            .map(|pair| &text[pair[0] + 1..pair[1]])
            .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .collect()
    }

    #[test]
    fn no_sql_of_this_backend_writes_a_timeline_kind_as_a_literal() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sqlite");
        let mut found = Vec::new();
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".rs") || name == "kinds.rs" {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for word in quoted_words(&text) {
                let excused = NOT_EVENT_KINDS
                    .iter()
                    .any(|(file, w, _)| *file == name && *w == word);
                if TimelineEvent::KINDS.contains(&word) && !excused {
                    found.push(format!("{name}: '{word}'"));
                }
            }
        }
        assert!(files > 10, "read only {files} files of {}", dir.display());
        assert!(
            found.is_empty(),
            "kind words written as SQL literals (use kind_list with TimelineEvent's constants): {found:?}"
        );
    }

    #[test]
    fn the_excused_literals_are_kind_words_still() {
        // An entry whose word stopped being a kind word excuses nothing and should go.
        for (file, word, what) in NOT_EVENT_KINDS {
            assert!(
                TimelineEvent::KINDS.contains(word),
                "{file}: '{word}' ({what}) is no longer a kind word; remove the entry"
            );
        }
    }

    #[test]
    fn a_kind_list_quotes_each_kind_word() {
        assert_eq!(
            kind_list(&[TimelineEvent::STAGE_CHANGED, TimelineEvent::TOUCH_SENT]),
            "'stage_changed', 'touch_sent'"
        );
    }

    #[test]
    fn quoted_words_are_found_between_single_quotes() {
        assert_eq!(
            quoted_words("the store's WHERE kind = 'touch_sent' AND x IN ('a', 'B', '')"),
            vec!["touch_sent", "a"]
        );
    }
}
