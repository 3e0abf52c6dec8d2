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
    /// Per word, the vocabulary id of an [`PatTok::Exact`] word
    /// ([`NO_WORD`] for the others): words compare as integers.
    ids: Vec<u32>,
}

/// The id of a reply word no phrase spells out.
const NO_WORD: u32 = u32::MAX;

/// A rule ready to match.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub id: String,
    pub signal: Signal,
    scope: Scope,
    phrases: Vec<Pattern>,
    unless: Vec<Pattern>,
    /// `unless` phrases by the vocabulary id of their first word, so a
    /// veto check looks only at the phrases that can start at each word.
    unless_by_first: HashMap<u32, Vec<usize>>,
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
    /// Every word spelled out in a phrase or an `unless` phrase, with its
    /// id: a reply's words are looked up once, then compared as integers.
    vocabulary: HashMap<String, u32>,
    /// Phrases of one word, or whose second word is not spelled out or may
    /// carry a typo, by the vocabulary id of their first word.
    by_first: Vec<Vec<(usize, usize)>>,
    /// The other phrases starting with a spelled-out word, by the ids of
    /// their first two words ([`pair_key`]): most reply words start some
    /// phrase ("i", "no", "can"), and their second word rules nearly all of
    /// those phrases out without trying them.
    by_pair: HashMap<u64, Vec<(usize, usize)>>,
    /// Phrases starting with a wildcard, tried everywhere.
    scan: Vec<(usize, usize)>,
    /// Phrases starting with a prefix word (`financ*`), by the first
    /// [`PREFIX_KEY`] letters of that prefix.
    prefix_first: HashMap<String, Vec<(usize, usize)>>,
    /// Fuzzy phrases by every one-letter deletion of their first word (and
    /// the word itself): a reply word within one edit of that first word
    /// shares a key with it, so only those phrases are tried.
    fuzzy_first: HashMap<String, Vec<(usize, usize)>>,
    /// Per vocabulary id, the prefix and fuzzy phrases that word may start,
    /// worked out once at compile time: most reply words are in the
    /// vocabulary, so only the others pay for the prefix and deletion-key
    /// lookups.
    near: Vec<Near>,
    negators: HashSet<String>,
    fillers: HashSet<String>,
    window: usize,
    /// Language marker words, each with the [`MARKS_ENGLISH`],
    /// [`MARKS_SPANISH`] and [`MARKS_OTHER`] bits of the lists it is in
    /// (one lookup per reply word instead of three).
    markers: HashMap<String, u8>,
}

/// The prefix and fuzzy phrases one word may start, in the order they are
/// tried.
#[derive(Debug, Default)]
struct Near {
    prefixed: Vec<(usize, usize)>,
    fuzzy: Vec<(usize, usize)>,
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

/// A word of the English markers.
const MARKS_ENGLISH: u8 = 1;
/// A word of the Spanish markers.
const MARKS_SPANISH: u8 = 2;
/// A word of the markers of languages the rules do not read.
const MARKS_OTHER: u8 = 4;

/// Every marker word with the bits of the lists it is in.
fn marker_words(lists: &[(u8, Option<&Vec<String>>)]) -> HashMap<String, u8> {
    let mut out: HashMap<String, u8> = HashMap::default();
    for &(bit, list) in lists {
        for word in word_set(list) {
            *out.entry(word).or_insert(0) |= bit;
        }
    }
    out
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
        ids: vec![NO_WORD; toks.len()],
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
    if a.is_ascii() && b.is_ascii() {
        // Bytes are letters: no allocation (this runs for every fuzzy
        // candidate of every word).
        return one_edit_apart(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    one_edit_apart(&a, &b)
}

/// [`within_one_edit`] over letters: at most one insertion, deletion,
/// substitution or swap of neighbours, with the same first letter.
fn one_edit_apart<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    if a.len().abs_diff(b.len()) > 1 || a.first() != b.first() {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
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

/// The index key of a phrase's first two words.
fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
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
            vocabulary: HashMap::default(),
            by_first: Vec::new(),
            by_pair: HashMap::default(),
            scan: Vec::new(),
            prefix_first: HashMap::default(),
            fuzzy_first: HashMap::default(),
            near: Vec::new(),
            negators: word_set(s.negators.as_ref()),
            fillers: word_set(s.fillers.as_ref()),
            window: s.negation_window.unwrap_or(3),
            markers: marker_words(&[
                (MARKS_ENGLISH, s.english_markers.as_ref()),
                (MARKS_SPANISH, s.spanish_markers.as_ref()),
                (MARKS_OTHER, s.other_language_markers.as_ref()),
            ]),
        };
        for rule in set.rules.iter().filter(|r| !r.disabled) {
            let ri = engine.rules.len();
            let phrases: Vec<Pattern> = rule
                .phrases
                .iter()
                .map(|p| engine.intern(compile_pattern(p)))
                .collect();
            for (pi, p) in phrases.iter().enumerate() {
                match p.toks.first() {
                    Some(PatTok::Exact(w)) if !(rule.fuzzy && is_fuzzy_word(w, p.toks.len())) => {
                        let first = p.ids.first().copied().unwrap_or(NO_WORD);
                        let second = match p.toks.get(1) {
                            Some(PatTok::Exact(w2))
                                if !(rule.fuzzy && is_fuzzy_word(w2, p.toks.len())) =>
                            {
                                p.ids.get(1).copied()
                            }
                            _ => None,
                        };
                        if let Some(second) = second {
                            let key = pair_key(first, second);
                            engine.by_pair.entry(key).or_default().push((ri, pi));
                        } else if let Some(list) = engine.by_first.get_mut(first as usize) {
                            list.push((ri, pi));
                        }
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
            let unless: Vec<Pattern> = rule
                .unless
                .iter()
                .map(|p| engine.intern(compile_pattern(p)))
                .collect();
            let mut unless_by_first: HashMap<u32, Vec<usize>> = HashMap::default();
            let mut unless_scan = Vec::new();
            for (ui, p) in unless.iter().enumerate() {
                match (p.toks.first(), p.ids.first()) {
                    (Some(PatTok::Exact(_)), Some(&id)) => {
                        unless_by_first.entry(id).or_default().push(ui)
                    }
                    (Some(_), _) => unless_scan.push(ui),
                    (None, _) => {}
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
        let mut words: Vec<(&String, &u32)> = engine.vocabulary.iter().collect();
        words.sort_unstable_by_key(|(_, id)| **id);
        let mut key = String::new();
        let near = words
            .into_iter()
            .map(|(word, _)| {
                let mut near = Near::default();
                engine.prefixed_candidates(word, &mut near.prefixed);
                engine.fuzzy_candidates(word, &mut key, &mut near.fuzzy);
                near
            })
            .collect();
        engine.near = near;
        engine
    }

    /// Appends the prefix phrases `word` may start.
    fn prefixed_candidates(&self, word: &str, out: &mut Vec<(usize, usize)>) {
        for k in 1..=PREFIX_KEY {
            if let Some(key) = leading(word, k) {
                out.extend(self.prefix_first.get(key).into_iter().flatten());
            }
        }
    }

    /// Appends the fuzzy phrases whose first word may be `word` with a
    /// typo, sorted and without repeats (`key` is scratch space).
    fn fuzzy_candidates(&self, word: &str, key: &mut String, out: &mut Vec<(usize, usize)>) {
        if self.fuzzy_first.is_empty() || word.len() < 3 {
            return;
        }
        let from = out.len();
        for_each_deletion_key(word, key, |k| {
            out.extend(self.fuzzy_first.get(k).into_iter().flatten());
        });
        let mut found = out.split_off(from);
        found.sort_unstable();
        found.dedup();
        out.append(&mut found);
    }

    /// Gives each exact word of `pattern` its vocabulary id, adding new
    /// words to the vocabulary.
    fn intern(&mut self, mut pattern: Pattern) -> Pattern {
        for (tok, id) in pattern.toks.iter().zip(pattern.ids.iter_mut()) {
            if let PatTok::Exact(w) = tok {
                let next = self.by_first.len() as u32;
                *id = *self.vocabulary.entry(w.clone()).or_insert(next);
                if *id == next {
                    self.by_first.push(Vec::new());
                }
            }
        }
        pattern
    }

    /// The vocabulary id of each word of `n` ([`NO_WORD`] for words no
    /// phrase spells out).
    fn word_ids(&self, n: &Normalized) -> Vec<u32> {
        (0..n.tokens.len())
            .map(|i| self.vocabulary.get(n.word(i)).copied().unwrap_or(NO_WORD))
            .collect()
    }

    /// The phrase of a hit, as written in the phrase set.
    pub fn phrase_source(&self, hit: &Hit) -> &str {
        self.rules
            .get(hit.rule)
            .and_then(|r| r.phrases.get(hit.phrase))
            .map_or("", |p| p.source.as_str())
    }

    fn match_at(
        &self,
        n: &Normalized,
        ids: &[u32],
        pat: &Pattern,
        at: usize,
        fuzzy: bool,
    ) -> Option<usize> {
        let clause = n.tokens.get(at)?.clause;
        for (k, (pt, &want)) in pat.toks.iter().zip(&pat.ids).enumerate() {
            let tok = n.tokens.get(at + k)?;
            if tok.clause != clause {
                return None;
            }
            let ok = match pt {
                PatTok::Exact(w) => {
                    (want != NO_WORD && ids.get(at + k) == Some(&want))
                        || (fuzzy
                            && is_fuzzy_word(w, pat.toks.len())
                            && within_one_edit(w, n.word(at + k)))
                }
                PatTok::Prefix(p) => n.word(at + k).starts_with(p.as_str()),
                PatTok::Suffix(s) => {
                    let word = n.word(at + k);
                    word.len() > s.len() && word.ends_with(s.as_str())
                }
                PatTok::Any => !tok.symbol,
            };
            if !ok {
                return None;
            }
        }
        Some(at + pat.toks.len())
    }

    fn raw_hits(&self, n: &Normalized, ids: &[u32]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        let mut key = String::new();
        for at in 0..n.tokens.len() {
            let id = ids.get(at).copied().unwrap_or(NO_WORD);
            candidates.clear();
            let first = self
                .by_first
                .get(id as usize)
                .map_or(&[][..], Vec::as_slice);
            let pair = ids
                .get(at + 1)
                .and_then(|&next| self.by_pair.get(&pair_key(id, next)))
                .map_or(&[][..], Vec::as_slice);
            candidates.extend_from_slice(first);
            candidates.extend_from_slice(pair);
            if !first.is_empty() && !pair.is_empty() {
                // Rule order, as one list by first word would give.
                candidates.sort_unstable();
            }
            candidates.extend_from_slice(&self.scan);
            match self.near.get(id as usize) {
                Some(near) => {
                    candidates.extend_from_slice(&near.prefixed);
                    candidates.extend_from_slice(&near.fuzzy);
                }
                None => {
                    let word = n.word(at);
                    self.prefixed_candidates(word, &mut candidates);
                    self.fuzzy_candidates(word, &mut key, &mut candidates);
                }
            }
            for &(rule, phrase) in &candidates {
                let Some(r) = self.rules.get(rule) else {
                    continue;
                };
                let Some(pat) = r.phrases.get(phrase) else {
                    continue;
                };
                if let Some(end) = self.match_at(n, ids, pat, at, r.fuzzy) {
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

    fn vetoed(&self, n: &Normalized, ids: &[u32], rule: &CompiledRule, hit: &Hit) -> bool {
        if rule.unless.is_empty() {
            return false;
        }
        let Some(clause) = n.tokens.get(hit.start).map(|t| t.clause) else {
            return false;
        };
        // A clause is a contiguous run of tokens around the hit.
        let in_clause = |i: &usize| n.tokens.get(*i).is_some_and(|t| t.clause == clause);
        let first = (0..hit.start)
            .rev()
            .take_while(in_clause)
            .last()
            .unwrap_or(hit.start);
        (first..n.tokens.len()).take_while(in_clause).any(|i| {
            rule.unless_by_first
                .get(ids.get(i).unwrap_or(&NO_WORD))
                .into_iter()
                .flatten()
                .chain(rule.unless_scan.iter())
                .filter_map(|&ui| rule.unless.get(ui))
                .any(|p| self.match_at(n, ids, p, i, false).is_some())
        })
    }

    /// The hits of every rule that matches, after scope, negation, `unless`
    /// and suppression, in text order.
    pub fn find(&self, n: &Normalized) -> Vec<Hit> {
        let ids = self.word_ids(n);
        let raw = self.raw_hits(n, &ids);
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
            accepted.extend(candidates.into_iter().filter(|h| {
                (!rule.negatable || !self.negated(n, h)) && !self.vetoed(n, &ids, rule, h)
            }));
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
            let marks = self.markers.get(w).copied().unwrap_or(0);
            counts.english += usize::from(marks & MARKS_ENGLISH != 0);
            counts.spanish += usize::from(marks & MARKS_SPANISH != 0);
            let raw = text.get(t.orig.0..t.orig.1).unwrap_or("");
            let (foreign, non_latin) = if raw.is_ascii() {
                (false, false)
            } else {
                (
                    raw.chars().any(is_foreign_latin),
                    raw.chars().any(is_non_latin_letter),
                )
            };
            counts.other += usize::from(foreign || marks & MARKS_OTHER != 0);
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

    /// Every phrase tried at every word, without the indexes.
    fn brute_force_hits(engine: &Engine, n: &Normalized) -> Vec<Hit> {
        let ids = engine.word_ids(n);
        let mut hits = Vec::new();
        for at in 0..n.tokens.len() {
            for (rule, r) in engine.rules.iter().enumerate() {
                for (phrase, pat) in r.phrases.iter().enumerate() {
                    if let Some(end) = engine.match_at(n, &ids, pat, at, r.fuzzy) {
                        hits.push(Hit {
                            rule,
                            phrase,
                            start: at,
                            end,
                        });
                    }
                }
            }
        }
        hits
    }

    #[test]
    fn the_indexes_find_every_phrase_that_trying_them_all_finds() {
        let engine = Engine::compile(&PhraseSet::default_set());
        let corpus = include_str!("../tests/data/replies.jsonl");
        let replies = corpus
            .lines()
            .step_by(20)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| Some(v.get("text")?.as_str()?.to_owned()))
            .chain(
                [
                    "pls stopp txting me, unsubcribe",
                    "im not intrested in financng",
                    "no me envien mas mensajes",
                ]
                .map(str::to_owned),
            );
        for reply in replies {
            let n = normalize(&reply);
            let mut fast = engine.raw_hits(&n, &engine.word_ids(&n));
            let mut slow = brute_force_hits(&engine, &n);
            fast.sort_by_key(|h| (h.start, h.rule, h.phrase));
            slow.sort_by_key(|h| (h.start, h.rule, h.phrase));
            assert_eq!(fast, slow, "{reply:?}");
        }
    }

    #[test]
    fn clauses_are_contiguous_token_ranges() {
        let n = normalize("Stop. I'm coming, ok");
        assert_eq!(clause_ranges(&n), vec![(0, 1), (1, 3), (3, 4)]);
    }
}
