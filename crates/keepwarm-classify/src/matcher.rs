//! The compiled matching engine.
//!
//! Owns turning a [`PhraseSet`] into indexed token patterns and finding
//! which rules match a normalised reply: scope, negation, `unless` and
//! suppression. It returns accepted hits; building the public
//! [`Classification`](crate::Classification) is the classifier's job.

use crate::intent::{ChannelSet, Intent, Language, Signal};
use crate::normalize::{normalize, Normalized};
use crate::phrases::{PhraseSet, Scope};
use crate::unread::{is_foreign_latin, is_non_latin_letter};
use std::collections::{HashMap as StdHashMap, HashSet as StdHashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the maps here are keyed by short words, where std's SipHash
/// (built to resist flooding, which compiled rules do not face) dominated
/// the time spent per reply.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<Fnv>>;
type HashSet<K> = StdHashSet<K, BuildHasherDefault<Fnv>>;

/// One word of a compiled phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatTok {
    /// This exact word.
    Exact(String),
    /// Any word starting with this prefix (`text*`).
    Prefix(String),
    /// Any longer word ending with this suffix (`*ing`).
    Suffix(String),
    /// Any one word (`*`).
    Any,
}

/// A compiled phrase.
#[derive(Debug, Clone)]
struct Pattern {
    source: String,
    toks: Vec<PatTok>,
}

/// A rule ready to match.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub id: String,
    pub signal: Signal,
    scope: Scope,
    phrases: Vec<Pattern>,
    unless: Vec<Pattern>,
    /// `unless` phrases by their first word, so a veto check looks only at
    /// the phrases that can start at each word.
    unless_by_first: HashMap<String, Vec<usize>>,
    /// `unless` phrases starting with a wildcard or prefix word.
    unless_scan: Vec<usize>,
    negatable: bool,
    fuzzy: bool,
    pub revokes: ChannelSet,
    suppress_mask: u32,
    pub lang: Option<Language>,
}

/// A phrase found in the reply: rule, phrase and token range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: usize,
    pub phrase: usize,
    pub start: usize,
    pub end: usize,
}

/// All rules of a phrase set, indexed by their first word.
#[derive(Debug)]
pub(crate) struct Engine {
    pub rules: Vec<CompiledRule>,
    by_first: HashMap<String, Vec<(usize, usize)>>,
    /// Phrases starting with a wildcard, tried everywhere.
    scan: Vec<(usize, usize)>,
    /// Phrases starting with a prefix word (`financ*`), by the first
    /// [`PREFIX_KEY`] letters of that prefix.
    prefix_first: HashMap<String, Vec<(usize, usize)>>,
    /// Fuzzy phrases by every one-letter deletion of their first word (and
    /// the word itself): a reply word within one edit of that first word
    /// shares a key with it, so only those phrases are tried.
    fuzzy_first: HashMap<String, Vec<(usize, usize)>>,
    negators: HashSet<String>,
    fillers: HashSet<String>,
    window: usize,
    english: HashSet<String>,
    spanish: HashSet<String>,
    other_languages: HashSet<String>,
}

/// How many words of a reply speak for each language: marker words, plus
/// one per matched rule written in English or Spanish.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MarkerCounts {
    pub english: usize,
    pub spanish: usize,
    /// The reply uses `ñ`, `¿`, `¡` or an accented vowel (worth two Spanish
    /// words).
    pub spanish_marks: bool,
    /// Words of languages the rules do not read: their marker words and
    /// Latin words with letters English and Spanish do not write.
    pub other: usize,
    /// Words written in the Latin alphabet.
    pub latin_words: usize,
    /// Words written in another script.
    pub non_latin_words: usize,
}

impl MarkerCounts {
    /// English or Spanish by the larger count; undetermined on a tie.
    pub fn language(self) -> Language {
        let spanish = self.spanish + usize::from(self.spanish_marks) * 2;
        match self.english.cmp(&spanish) {
            std::cmp::Ordering::Greater => Language::English,
            std::cmp::Ordering::Less => Language::Spanish,
            std::cmp::Ordering::Equal => Language::Undetermined,
        }
    }
}

fn word_set(list: Option<&Vec<String>>) -> HashSet<String> {
    list.into_iter()
        .flatten()
        .flat_map(|w| normalize(w).words())
        .collect()
}

fn compile_pattern(source: &str) -> Pattern {
    let mut toks = Vec::new();
    for piece in source.split_whitespace() {
        if piece == "*" {
            toks.push(PatTok::Any);
            continue;
        }
        if let Some(tail) = piece.strip_prefix('*') {
            let mut words = normalize(tail).words();
            if words.len() == 1 {
                toks.extend(words.pop().map(PatTok::Suffix));
                continue;
            }
        }
        let (body, prefix) = match piece.strip_suffix('*') {
            Some(body) => (body, true),
            None => (piece, false),
        };
        let mut words = normalize(body).words();
        let last = if prefix { words.pop() } else { None };
        toks.extend(words.into_iter().map(PatTok::Exact));
        if let Some(last) = last {
            toks.push(PatTok::Prefix(last));
        }
    }
    Pattern {
        source: source.to_owned(),
        toks,
    }
}

/// Whether `a` and `b` differ by at most one insertion, deletion,
/// substitution or swap of neighbours, with the same first letter.
fn within_one_edit(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // Cheap rejections first: this runs for every word against every fuzzy
    // phrase. A one-char edit changes the byte length by at most 4.
    if a.len().abs_diff(b.len()) > 4 || a.chars().next() != b.chars().next() {
        return false;
    }
    if a.is_ascii() && b.is_ascii() && a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 || a.first() != b.first() {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (
        a.get(prefix..).unwrap_or(&[]),
        b.get(prefix..).unwrap_or(&[]),
    );
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra.get(1..) == rb.get(1..)
                || (ra.len() >= 2
                    && ra.first() == rb.get(1)
                    && ra.get(1) == rb.first()
                    && ra.get(2..) == rb.get(2..))
        }
        std::cmp::Ordering::Greater => ra.get(1..) == Some(rb),
        std::cmp::Ordering::Less => rb.get(1..) == Some(ra),
    }
}

/// `word` and every string made by deleting one of its letters: two words
/// within one edit of each other always share one of these keys.
fn deletion_keys(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut keys = Vec::with_capacity(chars.len() + 1);
    keys.push(word.to_owned());
    for skip in 0..chars.len() {
        keys.push(
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect(),
        );
    }
    keys
}

/// How many leading letters of a prefix word index it.
const PREFIX_KEY: usize = 3;

/// The index key of a prefix word: its first [`PREFIX_KEY`] letters (all of
/// it when shorter).
fn prefix_key(prefix: &str) -> &str {
    leading(prefix, PREFIX_KEY).unwrap_or(prefix)
}

/// The first `k` letters of `word`, if it has that many.
fn leading(word: &str, k: usize) -> Option<&str> {
    match word.char_indices().nth(k) {
        Some((end, _)) => word.get(..end),
        None => (word.chars().count() == k).then_some(word),
    }
}

/// Whether a phrase word may carry a typo: five letters or more, or four
/// when it is the whole phrase (`stop` → `stopp`). Four-letter words inside
/// longer phrases would collide too often ("done with" ~ "dont wish").
fn is_fuzzy_word(word: &str, phrase_len: usize) -> bool {
    let n = word.chars().count();
    n >= 5 || (n == 4 && phrase_len == 1)
}

/// Calls `f` with `word` and each one-letter deletion of it, built in
/// `buf` (no allocation per key once `buf` has grown).
fn for_each_deletion_key(word: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    f(word);
    for (at, c) in word.char_indices() {
        buf.clear();
        buf.push_str(word.get(..at).unwrap_or(""));
        buf.push_str(word.get(at + c.len_utf8()..).unwrap_or(""));
        f(buf);
    }
}

impl Engine {
    /// Compiles a validated phrase set; disabled rules are left out.
    pub fn compile(set: &PhraseSet) -> Self {
        let s = &set.settings;
        let mut engine = Engine {
            rules: Vec::with_capacity(set.rules.len()),
            by_first: HashMap::default(),
            scan: Vec::new(),
            prefix_first: HashMap::default(),
            fuzzy_first: HashMap::default(),
            negators: word_set(s.negators.as_ref()),
            fillers: word_set(s.fillers.as_ref()),
            window: s.negation_window.unwrap_or(3),
            english: word_set(s.english_markers.as_ref()),
            spanish: word_set(s.spanish_markers.as_ref()),
            other_languages: word_set(s.other_language_markers.as_ref()),
        };
        for rule in set.rules.iter().filter(|r| !r.disabled) {
            let ri = engine.rules.len();
            let phrases: Vec<Pattern> = rule.phrases.iter().map(|p| compile_pattern(p)).collect();
            for (pi, p) in phrases.iter().enumerate() {
                match p.toks.first() {
                    Some(PatTok::Exact(w)) if !(rule.fuzzy && is_fuzzy_word(w, p.toks.len())) => {
                        engine.by_first.entry(w.clone()).or_default().push((ri, pi))
                    }
                    Some(PatTok::Exact(w)) => {
                        for key in deletion_keys(w) {
                            let entry = engine.fuzzy_first.entry(key).or_default();
                            if !entry.contains(&(ri, pi)) {
                                entry.push((ri, pi));
                            }
                        }
                    }
                    Some(PatTok::Prefix(p)) => engine
                        .prefix_first
                        .entry(prefix_key(p).to_owned())
                        .or_default()
                        .push((ri, pi)),
                    Some(_) => engine.scan.push((ri, pi)),
                    None => {}
                }
            }
            let unless: Vec<Pattern> = rule.unless.iter().map(|p| compile_pattern(p)).collect();
            let mut unless_by_first: HashMap<String, Vec<usize>> = HashMap::default();
            let mut unless_scan = Vec::new();
            for (ui, p) in unless.iter().enumerate() {
                match p.toks.first() {
                    Some(PatTok::Exact(w)) => {
                        unless_by_first.entry(w.clone()).or_default().push(ui)
                    }
                    Some(_) => unless_scan.push(ui),
                    None => {}
                }
            }
            engine.rules.push(CompiledRule {
                id: rule.id.clone(),
                signal: rule.signal,
                scope: rule.scope,
                phrases,
                unless,
                unless_by_first,
                unless_scan,
                negatable: rule.negatable,
                fuzzy: rule.fuzzy,
                revokes: rule.revokes,
                suppress_mask: rule.suppressed_by.iter().fold(0, |m, i| m | i.bit()),
                lang: rule.lang,
            });
        }
        engine
    }

    /// The phrase of a hit, as written in the phrase set.
    pub fn phrase_source(&self, hit: &Hit) -> &str {
        self.rules
            .get(hit.rule)
            .and_then(|r| r.phrases.get(hit.phrase))
            .map_or("", |p| p.source.as_str())
    }

    fn match_at(&self, n: &Normalized, pat: &Pattern, at: usize, fuzzy: bool) -> Option<usize> {
        let clause = n.tokens.get(at)?.clause;
        for (k, pt) in pat.toks.iter().enumerate() {
            let tok = n.tokens.get(at + k)?;
            if tok.clause != clause {
                return None;
            }
            let word = n.word(at + k);
            let ok = match pt {
                PatTok::Exact(w) => {
                    w == word
                        || (fuzzy && is_fuzzy_word(w, pat.toks.len()) && within_one_edit(w, word))
                }
                PatTok::Prefix(p) => word.starts_with(p.as_str()),
                PatTok::Suffix(s) => word.len() > s.len() && word.ends_with(s.as_str()),
                PatTok::Any => !tok.symbol,
            };
            if !ok {
                return None;
            }
        }
        Some(at + pat.toks.len())
    }

    fn raw_hits(&self, n: &Normalized) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut fuzzy: Vec<(usize, usize)> = Vec::new();
        let mut key = String::new();
        for at in 0..n.tokens.len() {
            let word = n.word(at);
            let indexed = self.by_first.get(word).into_iter().flatten();
            fuzzy.clear();
            if !self.fuzzy_first.is_empty() && word.len() >= 3 {
                for_each_deletion_key(word, &mut key, |k| {
                    fuzzy.extend(self.fuzzy_first.get(k).into_iter().flatten());
                });
                fuzzy.sort_unstable();
                fuzzy.dedup();
            }
            let prefixed = (1..=PREFIX_KEY)
                .filter_map(|k| leading(word, k))
                .flat_map(|key| self.prefix_first.get(key).into_iter().flatten());
            for &(rule, phrase) in indexed
                .chain(self.scan.iter())
                .chain(prefixed)
                .chain(fuzzy.iter())
            {
                let Some(r) = self.rules.get(rule) else {
                    continue;
                };
                let Some(pat) = r.phrases.get(phrase) else {
                    continue;
                };
                if let Some(end) = self.match_at(n, pat, at, r.fuzzy) {
                    hits.push(Hit {
                        rule,
                        phrase,
                        start: at,
                        end,
                    });
                }
            }
        }
        hits
    }

    fn is_filler(&self, n: &Normalized, i: usize) -> bool {
        n.tokens.get(i).is_some_and(|t| t.symbol) || self.fillers.contains(n.word(i))
    }

    /// Whether `rule`'s hits (plus filler words) cover tokens `[from, to)`
    /// exactly; returns the hits used.
    fn cover(
        &self,
        n: &Normalized,
        hits: &[Hit],
        rule: usize,
        from: usize,
        to: usize,
    ) -> Option<Vec<Hit>> {
        let mut used = Vec::new();
        let mut pos = from;
        while pos < to {
            let best = hits
                .iter()
                .filter(|h| h.rule == rule && h.start == pos && h.end <= to)
                .max_by_key(|h| h.end);
            match best {
                Some(h) => {
                    used.push(*h);
                    pos = h.end;
                }
                None if self.is_filler(n, pos) => pos += 1,
                None => return None,
            }
        }
        (!used.is_empty()).then_some(used)
    }

    fn negated(&self, n: &Normalized, hit: &Hit) -> bool {
        let Some(clause) = n.tokens.get(hit.start).map(|t| t.clause) else {
            return false;
        };
        (hit.start.saturating_sub(self.window)..hit.start).any(|i| {
            n.tokens.get(i).is_some_and(|t| t.clause == clause) && self.negators.contains(n.word(i))
        })
    }

    fn vetoed(&self, n: &Normalized, rule: &CompiledRule, hit: &Hit) -> bool {
        if rule.unless.is_empty() {
            return false;
        }
        let Some(clause) = n.tokens.get(hit.start).map(|t| t.clause) else {
            return false;
        };
        (0..n.tokens.len())
            .filter(|&i| n.tokens.get(i).is_some_and(|t| t.clause == clause))
            .any(|i| {
                rule.unless_by_first
                    .get(n.word(i))
                    .into_iter()
                    .flatten()
                    .chain(rule.unless_scan.iter())
                    .filter_map(|&ui| rule.unless.get(ui))
                    .any(|p| self.match_at(n, p, i, false).is_some())
            })
    }

    /// The hits of every rule that matches, after scope, negation, `unless`
    /// and suppression, in text order.
    pub fn find(&self, n: &Normalized) -> Vec<Hit> {
        let raw = self.raw_hits(n);
        if raw.is_empty() {
            return raw;
        }
        let clauses = clause_ranges(n);
        let mut accepted: Vec<Hit> = Vec::new();
        let mut with_hits: Vec<usize> = raw.iter().map(|h| h.rule).collect();
        with_hits.sort_unstable();
        with_hits.dedup();
        for ri in with_hits {
            let Some(rule) = self.rules.get(ri) else {
                continue;
            };
            let candidates: Vec<Hit> = match rule.scope {
                Scope::Anywhere => raw.iter().filter(|h| h.rule == ri).copied().collect(),
                Scope::Clause => clauses
                    .iter()
                    .filter_map(|&(a, b)| self.cover(n, &raw, ri, a, b))
                    .flatten()
                    .collect(),
                Scope::Leading => raw
                    .iter()
                    .filter(|h| h.rule == ri && h.start == 0)
                    .copied()
                    .collect(),
                Scope::Message => self
                    .cover(n, &raw, ri, 0, n.tokens.len())
                    .unwrap_or_default(),
            };
            accepted.extend(
                candidates.into_iter().filter(|h| {
                    (!rule.negatable || !self.negated(n, h)) && !self.vetoed(n, rule, h)
                }),
            );
        }
        // Suppression in two rounds: an intent only suppresses others if
        // some rule yielding it is not itself suppressed. "Sí, quiero
        // agendar el servicio": the bare "sí" (confirm) gives way to the
        // service request, so it must not take the booking down with it.
        let intents_of = |hits: &mut dyn Iterator<Item = &Hit>| {
            hits.fold(0u32, |m, h| {
                match self.rules.get(h.rule).map(|r| r.signal) {
                    Some(Signal::Intent(i)) => m | i.bit(),
                    _ => m,
                }
            })
        };
        let suppressed = |h: &Hit, present: u32| {
            self.rules
                .get(h.rule)
                .is_none_or(|r| r.suppress_mask & present != 0)
        };
        let first = intents_of(&mut accepted.iter());
        let standing = intents_of(&mut accepted.iter().filter(|h| !suppressed(h, first)));
        accepted.retain(|h| !suppressed(h, standing));
        // A longer opt-out phrase is more specific about channels ("take me
        // off the email list" over "take me off"): drop opt-out hits that
        // lie strictly inside another opt-out hit.
        let opt_out = |h: &Hit| {
            self.rules
                .get(h.rule)
                .is_some_and(|r| r.signal == Signal::Intent(Intent::OptOut))
        };
        let inner: Vec<Hit> = accepted
            .iter()
            .filter(|a| {
                opt_out(a)
                    && accepted.iter().any(|b| {
                        opt_out(b)
                            && b.start <= a.start
                            && a.end <= b.end
                            && (b.end - b.start) > (a.end - a.start)
                    })
            })
            .copied()
            .collect();
        accepted.retain(|h| !inner.contains(h));
        accepted.sort_by_key(|h| (h.start, h.rule, h.end));
        accepted.dedup_by_key(|h| (h.rule, h.start, h.end));
        accepted
    }

    /// Counts the words of `n` (normalised from `text`) that speak for
    /// English, Spanish or a language the rules do not read: marker words,
    /// matched rules, Spanish punctuation or accents, foreign letters and
    /// scripts.
    pub fn markers(&self, text: &str, n: &Normalized, hits: &[Hit]) -> MarkerCounts {
        let mut counts = MarkerCounts {
            spanish_marks: n.spanish_marks,
            ..MarkerCounts::default()
        };
        for (i, t) in n.tokens.iter().enumerate() {
            if t.symbol {
                continue;
            }
            let w = n.word(i);
            counts.english += usize::from(self.english.contains(w));
            counts.spanish += usize::from(self.spanish.contains(w));
            let raw = text.get(t.orig.0..t.orig.1).unwrap_or("");
            let (foreign, non_latin) = if raw.is_ascii() {
                (false, false)
            } else {
                (
                    raw.chars().any(is_foreign_latin),
                    raw.chars().any(is_non_latin_letter),
                )
            };
            counts.other += usize::from(foreign || self.other_languages.contains(w));
            if non_latin {
                counts.non_latin_words += 1;
            } else if w.chars().any(char::is_alphabetic) {
                counts.latin_words += 1;
            }
        }
        for h in hits {
            match self.rules.get(h.rule).and_then(|r| r.lang) {
                Some(Language::English) => counts.english += 1,
                Some(Language::Spanish) => counts.spanish += 1,
                _ => {}
            }
        }
        counts
    }
}

/// The token range `[start, end)` of each clause.
fn clause_ranges(n: &Normalized) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(u32, usize)> = None;
    for (i, t) in n.tokens.iter().enumerate() {
        match current {
            Some((c, start)) if c != t.clause => {
                out.push((start, i));
                current = Some((t.clause, i));
            }
            None => current = Some((t.clause, i)),
            _ => {}
        }
    }
    if let Some((_, start)) = current {
        out.push((start, n.tokens.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("unsubscribe", "unsubcribe", true)]
    #[case("stop", "stopp", true)]
    #[case("interested", "intrested", true)]
    #[case("interested", "intersted", true)]
    #[case("stop", "spot", false)]
    #[case("stop", "step", true)]
    #[case("stop", "shop", true)]
    #[case("stop", "top", false)]
    #[case("stop", "stopping", false)]
    fn one_typo_is_tolerated(#[case] a: &str, #[case] b: &str, #[case] expected: bool) {
        assert_eq!(within_one_edit(a, b), expected);
    }

    #[rstest]
    #[case("financ", "financing", true)]
    #[case("ac", "acura", true)]
    #[case("barat", "baratas", true)]
    #[case("financ", "fin", false)]
    fn a_prefix_word_is_found_through_its_index_key(
        #[case] prefix: &str,
        #[case] word: &str,
        #[case] found: bool,
    ) {
        let key = prefix_key(prefix);
        let hit = (1..=PREFIX_KEY)
            .filter_map(|k| leading(word, k))
            .any(|k| k == key);
        assert_eq!(hit && word.starts_with(prefix), found);
    }

    #[test]
    fn four_letter_words_inside_a_phrase_take_no_typo() {
        assert!(is_fuzzy_word("stop", 1));
        assert!(!is_fuzzy_word("dont", 2));
        assert!(is_fuzzy_word("contact", 2));
    }

    #[rstest]
    #[case("unsubscribe", "unsubcribe")]
    #[case("stop", "stopp")]
    #[case("contact", "cnotact")]
    #[case("stop", "shop")]
    fn words_within_one_edit_share_a_deletion_key(#[case] a: &str, #[case] b: &str) {
        let keys = deletion_keys(a);
        assert!(deletion_keys(b).iter().any(|k| keys.contains(k)));
        let mut buf = String::new();
        let mut streamed = Vec::new();
        for_each_deletion_key(b, &mut buf, |k| streamed.push(k.to_owned()));
        assert_eq!(streamed, deletion_keys(b));
    }

    #[test]
    fn prefix_and_wildcard_words_compile() {
        let p = compile_pattern("take me off * list");
        assert_eq!(p.toks.get(3), Some(&PatTok::Any));
        let p = compile_pattern("stop text*");
        assert_eq!(p.toks.get(1), Some(&PatTok::Prefix("text".into())));
        let p = compile_pattern("not *ing");
        assert_eq!(p.toks.get(1), Some(&PatTok::Suffix("ing".into())));
    }

    #[rstest]
    #[case("im not cancelling", true)]
    #[case("im not ing", false)]
    #[case("im not ted", false)]
    fn a_suffix_word_matches_longer_words_ending_with_it(#[case] text: &str, #[case] hit: bool) {
        let set = PhraseSet::from_toml(
            "[[rule]]\nid = \"a\"\nlabel = \"positive\"\nphrases = [\"not *ing\"]",
        )
        .unwrap_or_default();
        let engine = Engine::compile(&set);
        assert_eq!(!engine.find(&normalize(text)).is_empty(), hit);
    }

    #[test]
    fn an_intent_that_is_itself_suppressed_suppresses_nothing() {
        let set = PhraseSet::from_toml(
            "[[rule]]\nid = \"yes\"\nlabel = \"confirm\"\nsuppressed_by = [\"service\"]\nphrases = [\"si\"]\n\
             [[rule]]\nid = \"book\"\nlabel = \"appointment\"\nsuppressed_by = [\"confirm\"]\nphrases = [\"agendar\"]\n\
             [[rule]]\nid = \"svc\"\nlabel = \"service\"\nphrases = [\"servicio\"]",
        )
        .unwrap_or_default();
        let engine = Engine::compile(&set);
        let n = normalize("si quiero agendar el servicio");
        let mut rules: Vec<&str> = engine
            .find(&n)
            .iter()
            .filter_map(|h| engine.rules.get(h.rule).map(|r| r.id.as_str()))
            .collect();
        rules.sort_unstable();
        assert_eq!(rules, vec!["book", "svc"]);
    }

    #[test]
    fn clauses_are_contiguous_token_ranges() {
        let n = normalize("Stop. I'm coming, ok");
        assert_eq!(clause_ranges(&n), vec![(0, 1), (1, 3), (3, 4)]);
    }
}
