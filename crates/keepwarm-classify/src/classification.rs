//! The public classifier and its result.
//!
//! Owns the [`Classifier`] handle and the serialisable [`Classification`]:
//! it normalises a reply, asks the matcher for hits and turns them into
//! intents, explanations, revoked channels and the re-subscribe flag.

use crate::combine::{buying_signal, combine, Thresholds};
use crate::error::ClassifyError;
use crate::intent::{Channel, ChannelSet, Intent, Language, Signal};
use crate::matcher::Engine;
use crate::model::{Model, Scored};
use crate::normalize::{normalize, Normalized};
use crate::phrases::PhraseSet;
use crate::quoted::own_words_len;
use crate::review::{review, Review};
use crate::unread::{unread_language, UNREAD_LANGUAGE_RULE};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A byte range `[start, end)` in the original reply text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Why a label was given: which rule matched, on which phrase, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The intent (or `resubscribe`) the rule yields.
    pub label: Signal,
    /// The rule's id in the phrase set.
    pub rule: String,
    /// The phrase as written in the phrase set.
    pub phrase: String,
    /// The text that matched, as the customer wrote it.
    pub matched: String,
    /// Where `matched` sits in the reply.
    pub span: Span,
}

/// Everything the classifier found in one reply.
///
/// Serialises as
/// `{"intents": [...], "explanations": [...], "revoked_channels": [...],
/// "resubscribe": false, "language": "en"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// Every intent found, in [`Intent`] declaration order, without
    /// repeats; exactly `[other]` when nothing matched.
    pub intents: Vec<Intent>,
    /// One entry per matched phrase, in text order.
    pub explanations: Vec<Explanation>,
    /// Channels the customer revoked consent for (empty unless
    /// `intents` holds `opt_out`; all three for a global opt-out).
    pub revoked_channels: ChannelSet,
    /// The reply was a lone re-subscribe keyword (`START`, `UNSTOP`, `YES`).
    pub resubscribe: bool,
    /// The reply's language: `en`, `es` or `und` (also for a language the
    /// rules do not read; `possible_opt_out` then names it).
    pub language: Language,
    /// Set when the reply may mean "stop" but no certain opt-out rule
    /// matched ("how did you get my number", "why do you keep texting me"):
    /// the first such cue. Never set together with the `opt_out` intent.
    /// The caller fails closed: it stops automated messages to the contact
    /// at once, sends no confirmation, and asks a person to confirm the
    /// opt-out or release it.
    #[serde(default)]
    pub possible_opt_out: Option<Explanation>,
    /// Set when a person should read the reply because the classifier is
    /// not confident (nothing matched, a possible opt-out, an opt-out mixed
    /// with a buying signal); `None` when the labels can be acted on alone.
    #[serde(default)]
    pub review: Option<Review>,
}

impl Classification {
    /// Whether `intent` was found.
    pub fn has(&self, intent: Intent) -> bool {
        self.intents.contains(&intent)
    }

    /// Whether any intent calls for a person (see [`Intent::is_handoff`]).
    pub fn escalates(&self) -> bool {
        self.intents.iter().any(|i| i.is_handoff())
    }

    /// Whether a person should read the reply although no handoff intent
    /// may be present (see [`Classification::review`]).
    pub fn needs_review(&self) -> bool {
        self.review.is_some()
    }

    /// Whether automated messages to the contact must stop now: a certain
    /// opt-out or a possible one.
    pub fn stops_automation(&self) -> bool {
        self.has(Intent::OptOut) || self.possible_opt_out.is_some()
    }
}

/// A reply classifier. Cloning is cheap (the compiled rules are shared) and
/// it is `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Classifier {
    engine: Arc<Engine>,
    /// Per compiled rule: whether it is a built-in rule as shipped, which
    /// the learned model was trained with. Only those feed the model and
    /// only their labels can be overruled.
    known_to_model: Arc<Vec<bool>>,
    /// The learned model, unless rules only. It weighs in: it labels replies no rule
    /// understood, adds labels it is fairly sure of and overrules rule
    /// labels it finds very unlikely (see `combine`); never opt-outs.
    model: Option<&'static Model>,
    /// Where the model's scores change the rules' labels.
    thresholds: Thresholds,
}

impl Classifier {
    /// Builds a classifier from a validated phrase set.
    pub fn new(set: &PhraseSet) -> Self {
        let engine = Engine::compile(set);
        let built_in = PhraseSet::built_in();
        let known_to_model = engine
            .rules
            .iter()
            .map(|compiled| {
                let rule = set.rules.iter().find(|r| r.id == compiled.id);
                rule.is_some_and(|r| built_in.rules.contains(r))
            })
            .collect();
        Classifier {
            engine: Arc::new(engine),
            known_to_model: Arc::new(known_to_model),
            model: Some(Model::built_in()),
            thresholds: Thresholds::SHIPPED,
        }
    }

    /// The same classifier without the learned model: the rules' labels
    /// stand as they are and replies no rule understood stay `other`
    /// (flagged for review). For measuring the rules alone and for
    /// dealerships that want rules only.
    pub fn rules_only(mut self) -> Self {
        self.model = None;
        self
    }

    /// The same classifier with another learned model (for measuring a
    /// model trained on part of the corpora).
    #[cfg(test)]
    pub(crate) fn with_model(mut self, model: &'static Model) -> Self {
        self.model = Some(model);
        self
    }

    /// The same classifier with other model thresholds (for calibrating
    /// them on a writer the model never saw).
    #[cfg(test)]
    pub(crate) fn with_thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// The rules' labels and the model's probability for every label, before
    /// they are combined (for calibrating thresholds offline).
    #[cfg(test)]
    pub(crate) fn rules_and_scores(&self, text: &str) -> (Vec<Intent>, Vec<(Intent, f32)>) {
        let own = text.get(..own_words_len(text)).unwrap_or(text);
        let n = normalize(own);
        let hits = self.engine.find(&n);
        let rules: Vec<&crate::matcher::CompiledRule> = hits
            .iter()
            .filter(|h| self.known_to_model.get(h.rule).copied().unwrap_or(false))
            .filter_map(|h| self.engine.rules.get(h.rule))
            .collect();
        let mut intents: Vec<Intent> = rules
            .iter()
            .filter_map(|r| match r.signal {
                Signal::Intent(i) => Some(i),
                _ => None,
            })
            .collect();
        intents.sort();
        intents.dedup();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let scores = self.model.map_or_else(Vec::new, |m| {
            m.score(&n, &ids, 1.1)
                .into_iter()
                .map(|s| (s.intent, s.probability))
                .collect()
        });
        (intents, scores)
    }

    /// The classifier for the built-in English and Spanish phrase set.
    pub fn default_set() -> Self {
        // Compiled once per process; a clone shares it.
        static DEFAULT: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(|| Self::new(PhraseSet::built_in()))
            .clone()
    }

    /// A classifier for a complete phrase set written in TOML (the built-in
    /// set is not included; see [`Classifier::default_with_overrides`]).
    pub fn from_toml(text: &str) -> Result<Self, ClassifyError> {
        Ok(Self::new(&PhraseSet::from_toml(text)?))
    }

    /// The built-in set with a dealership's TOML merged on top (see
    /// [`PhraseSet::merge`]).
    pub fn default_with_overrides(text: &str) -> Result<Self, ClassifyError> {
        let overrides = PhraseSet::from_toml(text)?;
        Ok(Self::new(&PhraseSet::built_in().clone().merge(overrides)))
    }

    /// Classifies one reply. Never panics, whatever the input.
    ///
    /// Quoted history below an e-mail reply (`> …`, `On … wrote:`) is not
    /// the customer's and is left out; spans still index into `text`.
    pub fn classify(&self, text: &str) -> Classification {
        let own = text.get(..own_words_len(text)).unwrap_or(text);
        let n = normalize(own);
        let hits = self.engine.find(&n);
        let mut intents = Vec::new();
        let mut explanations = Vec::with_capacity(hits.len());
        let mut revoked_channels = ChannelSet::NONE;
        let mut resubscribe = false;
        let mut possible_opt_out = None;
        for hit in &hits {
            let Some(rule) = self.engine.rules.get(hit.rule) else {
                continue;
            };
            match rule.signal {
                Signal::Intent(i) => {
                    if !intents.contains(&i) {
                        intents.push(i);
                    }
                    if i == Intent::OptOut {
                        revoked_channels = revoked_channels.union(rule.revokes);
                        if !rule.revokes.is_all() {
                            revoked_channels =
                                revoked_channels.union(listed_channels(own, &n, hit.end));
                        }
                    }
                }
                Signal::Resubscribe => resubscribe = true,
                Signal::PossibleOptOut => {}
            }
            let start = n.tokens.get(hit.start).map_or(0, |t| t.orig.0);
            let end = n
                .tokens
                .get(hit.end.saturating_sub(1))
                .map_or(start, |t| t.orig.1);
            let explanation = Explanation {
                label: rule.signal,
                rule: rule.id.clone(),
                phrase: self.engine.phrase_source(hit).to_owned(),
                matched: text.get(start..end).unwrap_or("").to_owned(),
                span: Span { start, end },
            };
            if rule.signal == Signal::PossibleOptOut && possible_opt_out.is_none() {
                possible_opt_out = Some(explanation.clone());
            }
            explanations.push(explanation);
        }
        let counts = self.engine.markers(own, &n, &hits);
        // Fail closed on a language the rules do not read: whatever the
        // rules or the model made of it, a person reads it before any more
        // automated messages go out.
        let unread = unread_language(own, counts);
        if let Some(name) = unread
            .as_ref()
            .filter(|_| !intents.contains(&Intent::OptOut))
        {
            possible_opt_out.get_or_insert_with(|| Explanation {
                label: Signal::PossibleOptOut,
                rule: UNREAD_LANGUAGE_RULE.to_owned(),
                phrase: format!("written in {name}, which the rules do not read"),
                matched: own.to_owned(),
                span: Span {
                    start: 0,
                    end: own.len(),
                },
            });
        }
        let mut model_confidence = None;
        let mut overruled = None;
        if let Some(model) = self.model.filter(|_| !is_help_keyword(&n)) {
            let known = |h: &&crate::matcher::Hit| {
                self.known_to_model.get(h.rule).copied().unwrap_or(false)
            };
            let rule_ids: Vec<&str> = hits
                .iter()
                .filter(known)
                .filter_map(|h| self.engine.rules.get(h.rule))
                .map(|r| r.id.as_str())
                .collect();
            let firm: Vec<Intent> = hits
                .iter()
                .filter(|h| !known(h))
                .filter_map(|h| match self.engine.rules.get(h.rule)?.signal {
                    Signal::Intent(i) => Some(i),
                    _ => None,
                })
                .collect();
            let t = &self.thresholds;
            let scored = model.score(&n, &rule_ids, t.add_from.min(t.handoff_from));
            let probabilities: Vec<(Intent, f32)> =
                scored.iter().map(|s| (s.intent, s.probability)).collect();
            let understood = !intents.is_empty() || possible_opt_out.is_some();
            let p_opt_out = probabilities
                .iter()
                .find(|(i, _)| *i == Intent::OptOut)
                .map_or(1.0, |(_, p)| *p);
            if intents.contains(&Intent::OptOut)
                && !firm.contains(&Intent::OptOut)
                && buying_signal(&intents)
                && p_opt_out < t.demote_opt_out_below
                && n.tokens.len() <= t.demote_opt_out_up_to_words
            {
                // Fail closed all the same: automation stops, a person
                // confirms the opt-out or releases it.
                intents.retain(|i| *i != Intent::OptOut);
                revoked_channels = ChannelSet::NONE;
                for e in explanations
                    .iter_mut()
                    .filter(|e| e.label == Signal::Intent(Intent::OptOut))
                {
                    e.label = Signal::PossibleOptOut;
                    e.phrase = format!(
                        "{} (beside a buying signal; learned model opt-out p={p_opt_out:.2})",
                        e.phrase
                    );
                }
                if possible_opt_out.is_none() {
                    possible_opt_out = explanations
                        .iter()
                        .find(|e| e.label == Signal::PossibleOptOut)
                        .cloned();
                }
            }
            let combined = combine(t, &intents, &firm, &probabilities);
            let stands = |i: Intent| i == Intent::OptOut || combined.kept.contains(&i);
            intents.retain(|i| stands(*i));
            explanations.retain(|e| match e.label {
                Signal::Intent(i) => stands(i),
                _ => true,
            });
            for s in scored.iter() {
                let explanation = model_explanation(own, s);
                if s.intent == Intent::OptOut {
                    // The model never decides an opt-out: it fails closed,
                    // at a higher bar where the rules read something else.
                    let from = if understood {
                        t.possible_opt_out_beside_rules_from
                    } else {
                        t.possible_opt_out_from
                    };
                    if possible_opt_out.is_none()
                        && !intents.contains(&Intent::OptOut)
                        && s.probability >= from
                    {
                        possible_opt_out.get_or_insert_with(|| explanation.clone());
                        explanations.push(explanation);
                    }
                } else if combined.added.iter().any(|(i, _)| *i == s.intent) {
                    intents.push(s.intent);
                    explanations.push(explanation);
                }
            }
            if !understood {
                model_confidence = combined.added.iter().map(|(_, p)| *p).reduce(f32::max);
            }
            if combined.handoff_overruled {
                overruled = Some(overruled_detail(&combined.dropped));
            }
        }
        intents.sort();
        if intents.is_empty() {
            intents.push(Intent::Other);
        }
        if intents.contains(&Intent::OptOut) {
            possible_opt_out = None;
        }
        let review = review(
            own,
            &intents,
            possible_opt_out.as_ref(),
            model_confidence,
            overruled,
        );
        Classification {
            intents,
            explanations,
            revoked_channels,
            resubscribe,
            language: if unread.is_some() {
                Language::Undetermined
            } else {
                counts.language()
            },
            possible_opt_out,
            review,
        }
    }
}

/// Carrier help keywords. A reply that is only one of them gets the help
/// message from the caller and no label from the learned model, whose
/// guess from one word ("HELP" as urgent) would escalate every such reply.
const HELP_KEYWORDS: [&str; 4] = ["help", "info", "ayuda", "informacion"];

/// Whether the reply is a lone carrier help keyword.
fn is_help_keyword(n: &crate::normalize::Normalized) -> bool {
    n.tokens.len() == 1 && HELP_KEYWORDS.contains(&n.word(0))
}

/// Says which of the rules' handoff labels the model overruled.
fn overruled_detail(dropped: &[(Intent, f32)]) -> String {
    let labels: Vec<String> = dropped
        .iter()
        .map(|(i, p)| format!("{} (p={p:.2})", i.as_str()))
        .collect();
    labels.join(", ")
}

/// Explains a label the model gave: its probability and strongest features,
/// over the whole of the customer's own words.
fn model_explanation(own: &str, s: &Scored) -> Explanation {
    let label = if s.intent == Intent::OptOut {
        Signal::PossibleOptOut
    } else {
        Signal::Intent(s.intent)
    };
    Explanation {
        label,
        rule: format!("model.{}", s.intent.as_str()),
        phrase: format!(
            "learned model p={:.2}; top features: {}",
            s.probability,
            s.top_features.join(", ")
        ),
        matched: own.to_owned(),
        span: Span {
            start: 0,
            end: own.len(),
        },
    }
}

/// The channels a stop request goes on to list right after the words that matched (token `from`
/// on, with nothing but spaces, commas, slashes or "&" between the words): "no more calls, e-mails
/// or texts", "stop calling, emailing and texting me", "no more calls/texts". Only a joined list
/// counts ("or", "and", "nor", "o", "ni", "y", a slash or "&"), so "don't call, text me instead"
/// revokes calls alone.
fn listed_channels(text: &str, n: &Normalized, from: usize) -> ChannelSet {
    let mut listed = ChannelSet::NONE;
    let mut joined = false;
    let mut i = from;
    while let Some(token) = n.tokens.get(i) {
        let gap_start = n
            .tokens
            .get(i.wrapping_sub(1))
            .map_or(token.orig.0, |t| t.orig.1);
        let gap = text.get(gap_start..token.orig.0).unwrap_or(".");
        if !gap
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, ',' | '/' | '&'))
        {
            break;
        }
        joined |= gap.contains(['/', '&']);
        let (word, next) = (n.word(i), n.word(i + 1));
        let channel = match word {
            "e" if matches!(next, "mail" | "mails" | "mailing") => {
                i += 1;
                Some(Channel::Email)
            }
            "phone" if matches!(next, "call" | "calls") => {
                i += 1;
                Some(Channel::Call)
            }
            _ => listed_channel(word),
        };
        match channel {
            Some(c) => listed = listed.union(ChannelSet::only(c)),
            None if matches!(word, "or" | "and" | "nor" | "o" | "ni" | "y") => joined = true,
            None => break,
        }
        i += 1;
    }
    match joined {
        true => listed,
        false => ChannelSet::NONE,
    }
}

/// The channel a word in a list of channels names.
fn listed_channel(word: &str) -> Option<Channel> {
    match word {
        "call" | "calls" | "calling" | "voicemail" | "voicemails" | "llamadas" | "llamarme" => {
            Some(Channel::Call)
        }
        "text" | "texts" | "texting" | "txt" | "txts" | "sms" | "mensajes" => Some(Channel::Sms),
        "email" | "emails" | "emailing" | "mail" | "mails" | "correos" => Some(Channel::Email),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_classifier_can_be_shared_across_threads() {
        assert_send_sync::<Classifier>();
    }

    #[test]
    fn a_reply_the_rules_read_as_a_refusal_still_fails_closed_when_the_model_reads_a_stop() {
        // The rules read `not_interested` only; the learned model reads a
        // request to stop, so automation stops and a person decides.
        let c = Classifier::default_set().classify("not interested. these texts can end now");
        assert!(c.has(Intent::NotInterested), "{c:?}");
        assert!(!c.has(Intent::OptOut), "{c:?}");
        assert!(
            c.possible_opt_out
                .as_ref()
                .is_some_and(|e| e.rule == "model.opt_out"),
            "{c:?}"
        );
        assert!(c.stops_automation() && c.needs_review(), "{c:?}");
    }

    #[test]
    fn a_long_email_that_asks_to_stop_stays_a_certain_opt_out_beside_a_price() {
        // Demote every rules' opt-out beside a buying signal, whatever the
        // model says: only the length of the reply decides.
        let c = Classifier::default_set().with_thresholds(Thresholds {
            demote_opt_out_below: 1.1,
            ..Thresholds::SHIPPED
        });
        let short = c.classify("Stop! What is the price on the blue one?");
        assert!(!short.has(Intent::OptOut) && short.possible_opt_out.is_some());
        let story = "We drove the wagon and the sedan last month and talked it over at home \
            for a long while with the kids and my mother, who rides with us most weekends. \
            The price you quoted was fair and the payment was close to what we wanted, but we \
            decided to keep the old car another year. ";
        let long = c.classify(&format!("{story}Please take me off your list."));
        assert!(long.has(Intent::OptOut), "{:?}", long.intents);
        assert!(long.has(Intent::PricePayment), "{:?}", long.intents);
    }

    #[test]
    fn an_empty_reply_is_other() {
        let c = Classifier::default_set().classify("");
        assert_eq!(c.intents, vec![Intent::Other]);
        assert!(c.explanations.is_empty());
    }

    #[test]
    #[allow(
        clippy::indexing_slicing,
        reason = "indexing a serde_json::Value yields Null, it never panics"
    )]
    fn a_result_serialises_to_the_documented_shape() {
        let c = Classifier::default_set().classify("STOP");
        let json = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(json["intents"], serde_json::json!(["opt_out"]));
        assert_eq!(
            json["revoked_channels"],
            serde_json::json!(["call", "email", "sms"])
        );
        assert_eq!(json["explanations"][0]["label"], "opt_out");
        assert_eq!(
            json["explanations"][0]["span"],
            serde_json::json!({"start": 0, "end": 4})
        );
        assert_eq!(json["resubscribe"], false);
    }

    #[test]
    fn a_custom_set_replaces_the_built_in_one() {
        let c = Classifier::from_toml(
            "[[rule]]\nid = \"t\"\nlabel = \"trade_in\"\nphrases = [\"swap my ride\"]",
        );
        // The rules alone: which rules apply is the point here, not what
        // the learned model adds beside them.
        let c = c.map(|c| c.rules_only().classify("can I swap my ride?").intents);
        assert_eq!(c, Ok(vec![Intent::TradeIn]));
    }

    #[test]
    fn overrides_extend_the_built_in_set() {
        let c = Classifier::default_with_overrides(
            "[[rule]]\nid = \"dealer.trade\"\nlabel = \"trade_in\"\nphrases = [\"swap my ride\"]",
        )
        .map(|c| c.classify("STOP. can I swap my ride?").intents);
        assert_eq!(c, Ok(vec![Intent::OptOut, Intent::TradeIn]));
    }
}
