//! Replies written in a language the rules do not read.
//!
//! Owns the decision that a reply is neither English nor Spanish, so that
//! the classifier can fail closed on it (a stop request in Vietnamese must
//! still stop automation) and name the language for the person who reads
//! it. The evidence is counted by the matcher ([`MarkerCounts`]): words of
//! a non-Latin script, letters English and Spanish do not use (`ã`, `ç`,
//! `ê`, `đ`, `ư`, ...), and common words of the languages most often met
//! in the United States after English and Spanish. `whatlang` confirms or
//! names the language; on its own it is not trusted, since a text message
//! is too short for its trigram statistics (it reads many English and
//! Spanish texts as Portuguese or Tagalog). It never reads the rules.

use crate::matcher::MarkerCounts;
use whatlang::{Detector, Lang, Script};

/// The id reported for the possible-opt-out cue of an unread reply.
pub(crate) const UNREAD_LANGUAGE_RULE: &str = "possible_opt_out.unread_language";

/// Whether `c` is a Latin letter that neither English nor Spanish writes
/// (French, Portuguese, Vietnamese, German, ... accents).
pub(crate) fn is_foreign_latin(c: char) -> bool {
    let latin = matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}');
    latin
        && c.is_alphabetic()
        && !matches!(
            c,
            'á' | 'é' | 'í' | 'ó' | 'ú' | 'ü' | 'ñ' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú' | 'Ü' | 'Ñ'
        )
}

/// Whether `c` is a letter of a script other than Latin (Chinese, Korean,
/// Arabic, Cyrillic, ...).
pub(crate) fn is_non_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && !c.is_ascii()
        && !matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' | 'ª' | 'º')
}

/// The Latin-script languages whatlang may name for a reply; a shorter
/// list than all it knows makes its verdict on short texts less erratic.
const LATIN_CANDIDATES: [Lang; 8] = [
    Lang::Eng,
    Lang::Spa,
    Lang::Por,
    Lang::Fra,
    Lang::Vie,
    Lang::Tgl,
    Lang::Ita,
    Lang::Deu,
];

/// How many words a confident whatlang verdict for another language is
/// worth against the English and Spanish markers.
const CONFIDENT_VERDICT: usize = 2;

/// The reply's language when the rules cannot read it: its English name
/// when whatlang can tell, "an unknown language" otherwise. `None` for
/// English, Spanish and replies with too little text to tell (emoji,
/// numbers, a name).
pub(crate) fn unread_language(own: &str, counts: MarkerCounts) -> Option<String> {
    let english_or_spanish = counts.english + counts.spanish;
    let letter_words = counts.latin_words + counts.non_latin_words;
    // Mostly another script, or as much of it as English and Spanish
    // markers ("감사합니다" over an English "Sent from my iPhone").
    let other_script =
        counts.non_latin_words * 2 >= letter_words || counts.non_latin_words >= english_or_spanish;
    if counts.non_latin_words > 0 && other_script {
        let name = whatlang::detect(own).map_or_else(
            || script_name(whatlang::detect_script(own)),
            |info| info.lang().eng_name().to_owned(),
        );
        return Some(name);
    }
    // Not even a confident verdict could outweigh the markers: no need to
    // ask whatlang (most English and Spanish replies end here).
    if counts.other == 0 || counts.other + CONFIDENT_VERDICT <= english_or_spanish {
        return None;
    }
    let verdict = Detector::with_allowlist(LATIN_CANDIDATES.to_vec()).detect(own);
    let foreign = verdict.filter(|v| !matches!(v.lang(), Lang::Eng | Lang::Spa));
    let confident = foreign.as_ref().is_some_and(|v| v.is_reliable());
    let evidence = counts.other + usize::from(confident) * CONFIDENT_VERDICT;
    (evidence > english_or_spanish).then(|| match foreign {
        Some(v) if confident => v.lang().eng_name().to_owned(),
        Some(v) => format!(
            "a language the rules do not read (perhaps {})",
            v.lang().eng_name()
        ),
        None => "a language the rules do not read".to_owned(),
    })
}

fn script_name(script: Option<Script>) -> String {
    script.map_or_else(
        || "a language the rules do not read".to_owned(),
        |s| format!("{} script", s.name()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case('ç', true)]
    #[case('ã', true)]
    #[case('đ', true)]
    #[case('ữ', true)]
    #[case('é', false)]
    #[case('ñ', false)]
    #[case('a', false)]
    #[case('退', false)]
    fn letters_english_and_spanish_do_not_write_are_foreign(
        #[case] c: char,
        #[case] foreign: bool,
    ) {
        assert_eq!(is_foreign_latin(c), foreign);
    }

    #[rstest]
    #[case('退', true)]
    #[case('수', true)]
    #[case('ж', true)]
    #[case('ب', true)]
    #[case('é', false)]
    #[case('x', false)]
    #[case('👍', false)]
    fn letters_of_other_scripts_are_recognised(#[case] c: char, #[case] non_latin: bool) {
        assert_eq!(is_non_latin_letter(c), non_latin);
    }

    #[test]
    fn a_reply_mostly_in_another_script_is_unread() {
        let counts = MarkerCounts {
            non_latin_words: 3,
            latin_words: 1,
            ..MarkerCounts::default()
        };
        assert!(unread_language("Пожалуйста, не пишите Toyota", counts).is_some());
    }

    #[test]
    fn more_english_or_spanish_markers_than_foreign_ones_is_read() {
        let counts = MarkerCounts {
            english: 3,
            other: 1,
            latin_words: 5,
            ..MarkerCounts::default()
        };
        assert_eq!(unread_language("thanks, merci, see you at 3", counts), None);
    }
}
