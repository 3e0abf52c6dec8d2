//! Text normalisation and tokenisation.
//!
//! Owns turning raw reply text (and configured phrases) into comparable
//! tokens: lower-case, accents stripped, apostrophes removed (`don't` and
//! `dont` become one word), hyphens and slashes split words, letter runs of
//! three or more squeezed (`stoppp` → `stop`), spelled-out letters joined
//! (`S T O P` → `stop`), each emoji or symbol its own token, and each
//! Chinese or Japanese character its own word (those scripts put no spaces
//! between words, so phrases are written character by character). Sentence
//! punctuation, including the full-width and Arabic marks, splits the text
//! into clauses. Every token remembers its byte
//! span in the original text for explanations. It must not know about rules.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// One word, number or symbol of a normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range of the normalised form in [`Normalized::text`].
    pub norm: (usize, usize),
    /// Byte range in the original text.
    pub orig: (usize, usize),
    /// Index of the clause the token belongs to.
    pub clause: u32,
    /// An emoji or other symbol rather than a word.
    pub symbol: bool,
}

/// A reply (or phrase) after normalisation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Normalized {
    /// Backing store of every token's normalised form.
    pub text: String,
    /// The tokens in order.
    pub tokens: Vec<Token>,
    /// Whether the original used characters typical of Spanish (ñ, ¿, ¡,
    /// accented vowels).
    pub spanish_marks: bool,
    /// The clauses asked as questions: closed by `?` (or the full-width
    /// and Arabic marks) or opened by `¿`, in order.
    pub questions: Vec<u32>,
}

impl Normalized {
    /// The normalised form of token `i` (empty when out of range).
    pub fn word(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| self.text.get(t.norm.0..t.norm.1))
            .unwrap_or("")
    }

    /// The normalised words, for phrases and tests.
    pub fn words(&self) -> Vec<String> {
        (0..self.tokens.len())
            .map(|i| self.word(i).to_owned())
            .collect()
    }
}

enum Kind {
    /// Part of a word.
    Letter,
    /// Ignored without ending the current word (apostrophes, accents,
    /// emoji modifiers).
    Drop,
    /// Ends the current word.
    Space,
    /// Ends the current word and the current clause.
    Break,
    /// A token of its own.
    Symbol,
    /// A Chinese or Japanese character: a word of its own.
    Ideograph,
}

/// Whether `c` is written without spaces between words: Han characters,
/// hiragana and katakana.
fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}')
}

fn classify_char(c: char, prev: Option<char>, next: Option<char>) -> Kind {
    let digits_around =
        prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
    match c {
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => Kind::Drop,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' => Kind::Drop,
        ',' if digits_around => Kind::Drop,
        '.' | ':' if digits_around => Kind::Space,
        '.' | ',' | '!' | '?' | ';' | ':' | '\u{A1}' | '\u{BF}' | '\n' | '\r' | '\u{2026}'
        | '\u{2013}' | '\u{2014}' | '(' | ')' | '[' | ']' => Kind::Break,
        // Ideographic and full-width sentence marks; the Arabic comma and
        // question mark.
        '\u{3001}' | '\u{3002}' | '\u{FF01}' | '\u{FF0C}' | '\u{FF1A}' | '\u{FF1B}'
        | '\u{FF1F}' | '\u{060C}' | '\u{061F}' => Kind::Break,
        c if is_ideograph(c) => Kind::Ideograph,
        '$' | '\u{20AC}' => Kind::Symbol,
        c if c.is_alphanumeric() => Kind::Letter,
        c if is_combining_mark(c) => Kind::Drop,
        c if c.is_whitespace() || c.is_ascii_punctuation() || c.is_control() => Kind::Space,
        '\u{201C}' | '\u{201D}' | '\u{AB}' | '\u{BB}' | '\u{2022}' => Kind::Space,
        _ => Kind::Symbol,
    }
}

fn is_spanish_mark(c: char) -> bool {
    matches!(
        c,
        'ñ' | 'Ñ' | '¿' | '¡' | 'á' | 'é' | 'í' | 'ó' | 'ú' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú'
    )
}

struct Builder {
    out: Normalized,
    clause: u32,
    clause_has_tokens: bool,
    /// Start of the word being built: (normalised offset, original offset).
    open: Option<(usize, usize)>,
    last_orig_end: usize,
}

impl Builder {
    fn close_word(&mut self) {
        if let Some((norm_start, orig_start)) = self.open.take() {
            squeeze_runs(&mut self.out.text, norm_start);
            if self.out.text.len() > norm_start {
                self.out.tokens.push(Token {
                    norm: (norm_start, self.out.text.len()),
                    orig: (orig_start, self.last_orig_end),
                    clause: self.clause,
                    symbol: false,
                });
                self.clause_has_tokens = true;
            }
        }
    }

    /// Closes the open word and adds `c` (at `orig` in the original) as a
    /// token of its own.
    fn push_alone(&mut self, c: char, orig: (usize, usize), symbol: bool) {
        self.close_word();
        let start = self.out.text.len();
        self.out.text.push(c);
        self.out.tokens.push(Token {
            norm: (start, self.out.text.len()),
            orig,
            clause: self.clause,
            symbol,
        });
        self.clause_has_tokens = true;
    }

    fn break_clause(&mut self) {
        self.close_word();
        if self.clause_has_tokens {
            self.clause += 1;
            self.clause_has_tokens = false;
        }
    }
}

/// Collapses runs of three or more identical letters in `text[from..]` to
/// one letter (`sooo` → `so`, `stoppp` → `stop`); digits are left alone.
fn squeeze_runs(text: &mut String, from: usize) {
    let Some(tail) = text.get(from..) else {
        return;
    };
    if !has_letter_run(tail) {
        // Nearly every word: nothing to squeeze, nothing allocated.
        return;
    }
    let chars: Vec<char> = tail.chars().collect();
    let mut squeezed = String::with_capacity(tail.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let mut run = 1;
        while chars.get(i + run) == Some(&c) {
            run += 1;
        }
        if run >= 3 && c.is_alphabetic() {
            squeezed.push(c);
            changed = true;
        } else {
            squeezed.extend(std::iter::repeat_n(c, run));
        }
        i += run;
    }
    if changed {
        text.truncate(from);
        text.push_str(&squeezed);
    }
}

/// Whether `word` holds three identical letters in a row.
fn has_letter_run(word: &str) -> bool {
    let mut chars = word.chars();
    let (Some(mut a), Some(mut b)) = (chars.next(), chars.next()) else {
        return false;
    };
    for c in chars {
        if a == b && b == c && c.is_alphabetic() {
            return true;
        }
        (a, b) = (b, c);
    }
    false
}

/// Normalises `input` into tokens and clauses. Never panics.
pub(crate) fn normalize(input: &str) -> Normalized {
    let mut b = Builder {
        out: Normalized {
            text: String::with_capacity(input.len() + 8),
            tokens: Vec::with_capacity(16),
            spanish_marks: false,
            questions: Vec::new(),
        },
        clause: 0,
        clause_has_tokens: false,
        open: None,
        last_orig_end: 0,
    };
    let mut prev: Option<char> = None;
    let mut iter = input.char_indices().peekable();
    while let Some((at, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let end = at + c.len_utf8();
        match classify_char(c, prev, next) {
            Kind::Letter => {
                b.out.spanish_marks |= is_spanish_mark(c);
                if b.open.is_none() {
                    b.open = Some((b.out.text.len(), at));
                }
                if c.is_ascii() {
                    // Most replies are plain ASCII: no case tables, no
                    // decomposition.
                    b.out.text.push(c.to_ascii_lowercase());
                    b.last_orig_end = end;
                    prev = Some(c);
                    continue;
                }
                for lower in c.to_lowercase() {
                    decompose_canonical(lower, |d| {
                        if !is_combining_mark(d) {
                            b.out.text.push(d);
                        }
                    });
                }
                b.last_orig_end = end;
            }
            Kind::Drop => {
                if b.open.is_some() {
                    b.last_orig_end = end;
                } else if let Some(last) = b.out.tokens.last_mut() {
                    // Emoji modifiers extend the emoji they follow.
                    if last.symbol && last.orig.1 == at {
                        last.orig.1 = end;
                    }
                }
                b.out.spanish_marks |= is_spanish_mark(c);
            }
            Kind::Space => b.close_word(),
            Kind::Break => {
                b.out.spanish_marks |= is_spanish_mark(c);
                let asked = matches!(c, '?' | '\u{FF1F}' | '\u{061F}') && b.clause_has_tokens;
                if asked {
                    b.out.questions.push(b.clause);
                }
                b.break_clause();
                if c == '\u{BF}' {
                    b.out.questions.push(b.clause);
                }
            }
            Kind::Ideograph => b.push_alone(c, (at, end), false),
            Kind::Symbol => b.push_alone(c, (at, end), true),
        }
        prev = Some(c);
    }
    b.close_word();
    join_spelled_letters(&mut b.out);
    b.out
}

/// Joins runs of three or more single-letter words in one clause into one
/// word, so `S T O P` reads as `stop`.
fn join_spelled_letters(n: &mut Normalized) {
    let is_letter = |n: &Normalized, i: usize| {
        let w = n.word(i);
        !n.tokens.get(i).is_some_and(|t| t.symbol)
            && w.chars().count() == 1
            && w.chars().all(|c| c.is_alphabetic() && !is_ideograph(c))
    };
    let mut i = 0;
    while i < n.tokens.len() {
        let mut j = i;
        while j < n.tokens.len()
            && is_letter(n, j)
            && n.tokens.get(j).map(|t| t.clause) == n.tokens.get(i).map(|t| t.clause)
        {
            j += 1;
        }
        if j - i >= 3 {
            let joined: String = (i..j).map(|k| n.word(k)).collect();
            let start = n.text.len();
            n.text.push_str(&joined);
            let (Some(first), Some(last)) =
                (n.tokens.get(i).copied(), n.tokens.get(j - 1).copied())
            else {
                return;
            };
            let merged = Token {
                norm: (start, n.text.len()),
                orig: (first.orig.0, last.orig.1),
                clause: first.clause,
                symbol: false,
            };
            n.tokens.splice(i..j, [merged]);
            i += 1;
        } else {
            i = j.max(i + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("STOP.", &["stop"])]
    #[case("  Stop  ", &["stop"])]
    #[case("S T O P", &["stop"])]
    #[case("don’t text me", &["dont", "text", "me"])]
    #[case("No me envíen más", &["no", "me", "envien", "mas"])]
    #[case("opt-out", &["opt", "out"])]
    #[case("stopppp!!", &["stop"])]
    #[case("$24,000 ok", &["$", "24000", "ok"])]
    #[case("👍👍", &["👍", "👍"])]
    #[case("❤️", &["❤"])]
    #[case("i need a car", &["i", "need", "a", "car"])]
    #[case("请不要再发", &["请", "不", "要", "再", "发"])]
    #[case("退订TD", &["退", "订", "td"])]
    fn text_normalises_to_these_words(#[case] input: &str, #[case] words: &[&str]) {
        assert_eq!(normalize(input).words(), words);
    }

    #[test]
    fn sentence_punctuation_starts_a_new_clause() {
        let n = normalize("Stop. I'm coming at 3, ok?");
        let clauses: Vec<u32> = n.tokens.iter().map(|t| t.clause).collect();
        assert_eq!(clauses, vec![0, 1, 1, 1, 1, 2]);
    }

    #[test]
    fn full_width_punctuation_starts_a_new_clause() {
        let n = normalize("退订。谢谢");
        let clauses: Vec<u32> = n.tokens.iter().map(|t| t.clause).collect();
        assert_eq!(clauses, vec![0, 0, 1, 1]);
    }

    #[test]
    fn spans_point_back_into_the_original_text() {
        let text = "Hola, ¿cuánto cuesta?";
        let n = normalize(text);
        let spans: Vec<&str> = n
            .tokens
            .iter()
            .filter_map(|t| text.get(t.orig.0..t.orig.1))
            .collect();
        assert_eq!(spans, vec!["Hola", "cuánto", "cuesta"]);
        assert!(n.spanish_marks);
    }

    #[test]
    fn spelled_letters_span_the_whole_run() {
        let text = "S T O P";
        let n = normalize(text);
        assert_eq!(n.tokens.first().map(|t| t.orig), Some((0, 7)));
    }
}
