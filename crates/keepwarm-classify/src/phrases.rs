//! Phrase sets: the TOML a dealership edits, parsed and validated.
//!
//! Owns the file format and the merge of a dealership's overrides onto the
//! built-in set (`default_phrases.toml`). It checks every rule once, here, so
//! the matcher can trust what it compiles. It does no matching.
//!
//! ```toml
//! [settings]
//! negation_window = 3
//! negators = ["not", "dont", "no"]
//!
//! [[rule]]
//! id = "opt_out.carrier_keyword"
//! label = "opt_out"
//! scope = "clause"        # anywhere (default) | clause | message | leading
//! fuzzy = true            # allow one typo in words of 4+ letters
//! phrases = ["stop", "unsubscribe"]
//!
//! [[rule]]
//! id = "opt_out.refuse_contact"
//! label = "opt_out"
//! # Every combination, one entry per slot; "" leaves a slot out.
//! parts = [["dont", "never"], ["call", "text"], ["me", "this number"], ["again", ""]]
//! ```

use crate::error::ClassifyError;
use crate::intent::{Channel, ChannelSet, Intent, Language, Signal};
use crate::normalize::normalize;
use serde::Deserialize;
use std::collections::HashSet;

/// The built-in phrase set, English and Spanish.
pub const DEFAULT_PHRASES_TOML: &str = include_str!("default_phrases.toml");

/// Where a rule's phrase must sit for the rule to match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Anywhere inside one clause.
    #[default]
    Anywhere,
    /// The phrase (possibly repeated, with filler words such as "please" or
    /// emoji around it) must make up a whole clause: `STOP.` but not
    /// `stop by tomorrow`.
    Clause,
    /// As `Clause`, but for the whole message: a lone `START` or `no`.
    Message,
    /// At the very start of the message: `Yes I can come at 4`.
    Leading,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    negation_window: Option<usize>,
    negators: Option<Vec<String>>,
    fillers: Option<Vec<String>>,
    english_markers: Option<Vec<String>>,
    spanish_markers: Option<Vec<String>>,
    other_language_markers: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    label: String,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    parts: Vec<Vec<String>>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    negatable: bool,
    #[serde(default)]
    fuzzy: bool,
    revokes: Option<Vec<String>>,
    #[serde(default)]
    suppressed_by: Vec<String>,
    lang: Option<String>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhraseSet {
    #[serde(default)]
    settings: RawSettings,
    #[serde(default)]
    rule: Vec<RawRule>,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique id, reported in explanations (`opt_out.carrier_keyword`).
    pub id: String,
    /// What the rule yields when it matches.
    pub signal: Signal,
    /// Where the phrase must sit.
    pub scope: Scope,
    /// The phrases as written, then those built from the rule's `parts`. A
    /// word ending in `*` matches any word with that prefix, one starting
    /// with `*` any longer word with that suffix (`*ing`); a lone `*`
    /// matches any one word.
    pub phrases: Vec<String>,
    /// Phrases that cancel a match in the same clause.
    pub unless: Vec<String>,
    /// Whether a negator shortly before the match cancels it.
    pub negatable: bool,
    /// Whether words of four or more letters may carry one typo.
    pub fuzzy: bool,
    /// Channels revoked when the rule matches (opt-out rules only).
    pub revokes: ChannelSet,
    /// Intents whose presence (from other rules) drops this rule's matches.
    pub suppressed_by: Vec<Intent>,
    /// The language the phrases are written in, used for detection.
    pub lang: Option<Language>,
    /// A disabled rule only exists to switch off a built-in rule of the
    /// same id when merged.
    pub disabled: bool,
}

/// Settings shared by all rules; `None` means "not set in this file".
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Settings {
    /// How many words before a match a negator may stand (default 3).
    pub negation_window: Option<usize>,
    /// Words that negate what follows ("not", "dont", "no", "nunca").
    pub negators: Option<Vec<String>>,
    /// Words ignored around clause- and message-scope phrases ("please").
    pub fillers: Option<Vec<String>>,
    /// Common English words, for language detection.
    pub english_markers: Option<Vec<String>>,
    /// Common Spanish words, for language detection.
    pub spanish_markers: Option<Vec<String>>,
    /// Common words of languages the rules do not read (Vietnamese,
    /// Portuguese, French, Tagalog, Haitian Creole, ...) that are not also
    /// English or Spanish words: a reply made more of these than of English
    /// and Spanish markers fails closed (see `possible_opt_out`).
    pub other_language_markers: Option<Vec<String>>,
}

/// A validated set of rules and settings, ready to build a
/// [`Classifier`](crate::Classifier).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhraseSet {
    /// Shared settings.
    pub settings: Settings,
    /// Rules in file order.
    pub rules: Vec<Rule>,
}

impl PhraseSet {
    /// The built-in English and Spanish phrase set.
    pub fn default_set() -> Self {
        // The built-in file is checked by a unit test; an empty set is the
        // no-panic fallback should that ever be bypassed.
        Self::from_toml(DEFAULT_PHRASES_TOML).unwrap_or_default()
    }

    /// The built-in set, parsed once per process (its `parts` build a few
    /// thousand phrases, so parsing it is not free).
    pub(crate) fn built_in() -> &'static PhraseSet {
        static BUILT_IN: std::sync::OnceLock<PhraseSet> = std::sync::OnceLock::new();
        BUILT_IN.get_or_init(Self::default_set)
    }

    /// Parses and validates a phrase set written in TOML.
    pub fn from_toml(text: &str) -> Result<Self, ClassifyError> {
        let raw: RawPhraseSet = toml::from_str(text).map_err(|e| ClassifyError::InvalidToml {
            message: e.to_string(),
        })?;
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(raw.rule.len());
        for r in raw.rule {
            if !seen.insert(r.id.clone()) {
                return Err(ClassifyError::DuplicateRule { id: r.id });
            }
            rules.push(validate_rule(r)?);
        }
        let s = raw.settings;
        Ok(PhraseSet {
            settings: Settings {
                negation_window: s.negation_window,
                negators: s.negators,
                fillers: s.fillers,
                english_markers: s.english_markers,
                spanish_markers: s.spanish_markers,
                other_language_markers: s.other_language_markers,
            },
            rules,
        })
    }

    /// Layers `overrides` on top of this set: a rule with an existing id
    /// replaces it (or switches it off with `disabled = true`), new rules
    /// are added, and settings present in `overrides` win.
    pub fn merge(mut self, overrides: PhraseSet) -> Self {
        let o = overrides.settings;
        let s = &mut self.settings;
        s.negation_window = o.negation_window.or(s.negation_window);
        s.negators = o.negators.or(s.negators.take());
        s.fillers = o.fillers.or(s.fillers.take());
        s.english_markers = o.english_markers.or(s.english_markers.take());
        s.spanish_markers = o.spanish_markers.or(s.spanish_markers.take());
        s.other_language_markers = o.other_language_markers.or(s.other_language_markers.take());
        for rule in overrides.rules {
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => self.rules.push(rule),
            }
        }
        self
    }
}

fn validate_rule(r: RawRule) -> Result<Rule, ClassifyError> {
    let signal = Signal::try_from(r.label.clone()).map_err(|_| ClassifyError::UnknownLabel {
        rule: r.id.clone(),
        label: r.label.clone(),
    })?;
    let mut phrases = r.phrases;
    phrases.extend(expand_parts(&r.id, &r.parts)?);
    if phrases.is_empty() && !r.disabled {
        return Err(ClassifyError::NoPhrases { rule: r.id });
    }
    for phrase in phrases.iter().chain(&r.unless) {
        if normalize(phrase).tokens.is_empty() {
            return Err(ClassifyError::EmptyPhrase {
                rule: r.id.clone(),
                phrase: phrase.clone(),
            });
        }
    }
    let revokes = match (&r.revokes, signal) {
        (None, Signal::Intent(Intent::OptOut)) => ChannelSet::ALL,
        (None, _) => ChannelSet::NONE,
        (Some(_), s) if s != Signal::Intent(Intent::OptOut) => {
            return Err(ClassifyError::RevokesOnNonOptOut { rule: r.id })
        }
        (Some(list), _) => parse_channels(&r.id, list)?,
    };
    let mut suppressed_by = Vec::with_capacity(r.suppressed_by.len());
    for label in &r.suppressed_by {
        match label.parse::<Intent>() {
            Ok(i) if i != Intent::Other => suppressed_by.push(i),
            _ => {
                return Err(ClassifyError::UnknownLabel {
                    rule: r.id.clone(),
                    label: label.clone(),
                })
            }
        }
    }
    let lang = match r.lang.as_deref() {
        None => None,
        Some("en") => Some(Language::English),
        Some("es") => Some(Language::Spanish),
        Some(other) => {
            return Err(ClassifyError::UnknownLanguage {
                rule: r.id.clone(),
                lang: other.to_owned(),
            })
        }
    };
    Ok(Rule {
        id: r.id,
        signal,
        scope: r.scope,
        phrases,
        unless: r.unless,
        negatable: r.negatable,
        fuzzy: r.fuzzy,
        revokes,
        suppressed_by,
        lang,
        disabled: r.disabled,
    })
}

/// Most phrases one rule's `parts` may build.
const MAX_BUILT_PHRASES: usize = 5_000;

/// The phrases a rule's `parts` build: one entry from each slot, in order,
/// joined by spaces; an empty entry (`""`) makes its slot optional. Writing
/// a kind of phrasing as slots ("please" / "dont, do not, never" / "call,
/// text" / "me, this number" / "again, anymore") covers its every
/// combination, where a phrase list covers only the ones someone wrote.
fn expand_parts(rule: &str, parts: &[Vec<String>]) -> Result<Vec<String>, ClassifyError> {
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let count = parts
        .iter()
        .try_fold(1usize, |n, slot| n.checked_mul(slot.len()))
        .unwrap_or(usize::MAX);
    if count == 0 || count > MAX_BUILT_PHRASES {
        return Err(ClassifyError::BadParts {
            rule: rule.to_owned(),
            count,
            max: MAX_BUILT_PHRASES,
        });
    }
    let mut built = vec![String::new()];
    for slot in parts {
        built = built
            .iter()
            .flat_map(|head| {
                slot.iter()
                    .map(move |entry| match (head.is_empty(), entry.trim()) {
                        (_, "") => head.clone(),
                        (true, e) => e.to_owned(),
                        (false, e) => format!("{head} {e}"),
                    })
            })
            .collect();
    }
    built.retain(|p| !p.is_empty());
    built.dedup();
    Ok(built)
}

fn parse_channels(rule: &str, list: &[String]) -> Result<ChannelSet, ClassifyError> {
    let mut set = ChannelSet::NONE;
    for name in list {
        let add = match name.as_str() {
            "all" => ChannelSet::ALL,
            "sms" => ChannelSet::only(Channel::Sms),
            "email" => ChannelSet::only(Channel::Email),
            "call" => ChannelSet::only(Channel::Call),
            _ => {
                return Err(ClassifyError::UnknownChannel {
                    rule: rule.to_owned(),
                    channel: name.clone(),
                })
            }
        };
        set = set.union(add);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn the_built_in_set_loads_and_covers_every_label() {
        let set = PhraseSet::from_toml(DEFAULT_PHRASES_TOML);
        assert!(set.is_ok(), "{set:?}");
        let set = set.unwrap_or_default();
        for intent in Intent::ALL.iter().filter(|i| **i != Intent::Other) {
            assert!(
                set.rules
                    .iter()
                    .any(|r| r.signal == Signal::Intent(*intent)),
                "no rule for {intent}"
            );
        }
    }

    #[rstest]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"trade\"\nphrases = [\"x\"]",
        "unknown label"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"other\"\nphrases = [\"x\"]",
        "unknown label"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"positive\"\nphrases = []",
        "no phrases"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"positive\"\nphrases = [\"!!\"]",
        "no words"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"positive\"\nphrases = [\"x\"]\nrevokes = [\"sms\"]",
        "not opt_out"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrases = [\"x\"]\nrevokes = [\"fax\"]",
        "unknown channel"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrases = [\"x\"]\nlang = \"fr\"",
        "unknown lang"
    )]
    #[case("[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrases = [\"x\"]\n[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrases = [\"y\"]", "defined twice")]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrase = [\"x\"]",
        "invalid phrase set"
    )]
    #[case("not toml at all [", "invalid phrase set")]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nparts = [[\"dont\"], []]",
        "parts build 0 phrases"
    )]
    #[case(
        "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nparts = [[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"],[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"],[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"],[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]]",
        "at most 5000"
    )]
    fn a_bad_phrase_set_is_rejected_with_a_clear_message(#[case] toml: &str, #[case] needle: &str) {
        let err = PhraseSet::from_toml(toml).err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(needle)),
            "{err:?} lacks {needle:?}"
        );
    }

    #[test]
    fn parts_build_every_combination_and_an_empty_entry_leaves_its_slot_out() {
        let set = PhraseSet::from_toml(
            "[[rule]]\nid = \"a\"\nlabel = \"opt_out\"\nphrases = [\"stop\"]\nparts = [[\"please\", \"\"], [\"dont\", \"never\"], [\"text me\"]]",
        );
        let phrases = set.map(|s| {
            s.rules
                .into_iter()
                .flat_map(|r| r.phrases)
                .collect::<Vec<_>>()
        });
        assert_eq!(
            phrases,
            Ok(vec![
                "stop".to_owned(),
                "please dont text me".to_owned(),
                "please never text me".to_owned(),
                "dont text me".to_owned(),
                "never text me".to_owned(),
            ])
        );
    }

    #[test]
    fn overrides_replace_rules_by_id_and_add_new_ones() {
        let base = PhraseSet::from_toml(
            "[[rule]]\nid = \"a\"\nlabel = \"positive\"\nphrases = [\"great\"]\n[[rule]]\nid = \"b\"\nlabel = \"service\"\nphrases = [\"oil\"]",
        )
        .unwrap_or_default();
        let extra = PhraseSet::from_toml(
            "[settings]\nnegation_window = 5\n[[rule]]\nid = \"a\"\nlabel = \"positive\"\ndisabled = true\n[[rule]]\nid = \"c\"\nlabel = \"trade_in\"\nphrases = [\"swap\"]",
        )
        .unwrap_or_default();
        let merged = base.merge(extra);
        let ids: Vec<(&str, bool)> = merged
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r.disabled))
            .collect();
        assert_eq!(ids, vec![("a", true), ("b", false), ("c", false)]);
        assert_eq!(merged.settings.negation_window, Some(5));
    }
}
