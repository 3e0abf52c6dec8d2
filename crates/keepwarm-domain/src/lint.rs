//! Message-block lint: what `keepwarm check` says about the words themselves.
//!
//! One call to action per message, SMS length in billed segments, no pressure language, and on the
//! first text of every cadence the brand name and the opt-out words (in the variant's language).
//! Beyond style: a greeting that leaves out a name we know, a claim (stock, used-car language, a
//! policy) not guarded by a condition that proves it, and a question about something a customer may
//! already have told us without `asks` declaring it, and a price, payment, rate or offer the lead's
//! data cannot prove (`price`). The lint reads each variant as it would go
//! out, rendered with a long sample context, so length limits hold for real customers.

mod price;
pub mod replies;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::blocks::{slots_in, MessageContext, Placeholder, Topic, Variant};
use crate::cadence::Channel;
use crate::condition::{parse_condition, Condition};
use crate::sms::{sms_length, Encoding};

/// Lint settings from `blocks.toml`'s `[lint]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintSettings {
    /// Phrases no message may contain (matched without regard to case).
    pub banned_phrases: Vec<String>,
    /// The words the first SMS of every cadence must carry.
    pub opt_out_words: String,
    /// The longest an SMS may be, in billed segments.
    pub max_sms_segments: usize,
    /// Phrases that ask the customer to do something; together with questions they count as calls to
    /// action.
    pub cta_phrases: Vec<String>,
    /// The opt-out words of the first SMS in other languages than English (`es = "Responde STOP
    /// para darte de baja"`).
    pub opt_out_words_by_language: BTreeMap<String, String>,
    /// Claims and the condition that must guard them: a variant saying `is here` must be sent only
    /// `when` the lead's data proves `in_stock`.
    pub claims: Vec<(String, Condition)>,
    /// Words that, in a question, ask about a topic a customer may already have told us.
    pub ask_phrases: Vec<(Topic, Vec<String>)>,
}

impl LintSettings {
    /// The opt-out words for a variant in `language`.
    pub fn opt_out_words_for(&self, language: &str) -> &str {
        self.opt_out_words_by_language
            .get(language)
            .map_or(&self.opt_out_words, String::as_str)
    }
}

/// The claims checked unless `blocks.toml` gives its own `[lint.claims]`: phrase, guarding condition.
pub const DEFAULT_CLAIMS: &[(&str, &str)] = &[
    ("is here", "in_stock"),
    ("is in stock", "in_stock"),
    ("is on the lot", "in_stock"),
    ("still available", "in_stock"),
    ("is available", "in_stock"),
    ("just arrived", "in_stock"),
    ("no appointment needed", "in_stock"),
    ("without an appointment", "in_stock"),
    ("está aquí", "in_stock"),
    ("ya llegó", "in_stock"),
    ("está disponible", "in_stock"),
    ("sigue disponible", "in_stock"),
    ("en inventario", "in_stock"),
    ("sin cita", "in_stock"),
    ("inspection report", "condition == 'used'"),
    ("pre-owned", "condition == 'used'"),
    ("informe de inspección", "condition == 'used'"),
    ("seminuevo", "condition == 'used'"),
];

fn default_claims() -> Vec<(String, Condition)> {
    DEFAULT_CLAIMS
        .iter()
        .filter_map(|(phrase, when)| Some(((*phrase).to_owned(), parse_condition(when).ok()?)))
        .collect()
}

fn default_ask_phrases() -> Vec<(Topic, Vec<String>)> {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect();
    vec![
        (
            Topic::Payment,
            words(&[
                "finance",
                "lease",
                "pay cash",
                "down payment",
                "monthly",
                "budget",
                "financiar",
                "arrendar",
                "de contado",
                "enganche",
                "pago mensual",
                "presupuesto",
            ]),
        ),
        (
            Topic::TradeIn,
            words(&[
                "have a trade",
                "trading in",
                "trade one in",
                "vehículo a cuenta",
                "dar a cuenta",
            ]),
        ),
        (
            Topic::Timeframe,
            words(&[
                "when are you planning",
                "how soon",
                "timeline",
                "timeframe",
                "para cuándo",
                "cuándo piensas",
            ]),
        ),
        (
            Topic::Vehicle,
            words(&[
                "what vehicle",
                "which vehicle",
                "what are you shopping for",
                "qué vehículo",
                "qué estás buscando",
            ]),
        ),
    ]
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            banned_phrases: [
                "act now",
                "last chance",
                "limited time",
                "won't last",
                "today only",
                "don't miss out",
                "final notice",
                "urgent",
                "hurry",
                "before it's gone",
                "once in a lifetime",
            ]
            .map(String::from)
            .to_vec(),
            opt_out_words: "Reply STOP to opt out".into(),
            opt_out_words_by_language: [(
                "es".to_owned(),
                "Responde STOP para darte de baja".to_owned(),
            )]
            .into_iter()
            .collect(),
            claims: default_claims(),
            ask_phrases: default_ask_phrases(),
            max_sms_segments: 2,
            cta_phrases: [
                "call me",
                "call us",
                "give me a call",
                "reply",
                "text me",
                "let me know",
                "click",
                "book",
                "schedule",
                "stop by",
                "come by",
                "pick a time",
                "grab a time",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintProblem {
    /// The variant's index in its block.
    pub variant: usize,
    /// What is wrong.
    pub message: String,
}

/// A long, realistic context used to render variants for the lint, so length checks reflect real
/// messages rather than template text.
pub fn sample_context() -> MessageContext {
    let mut c = MessageContext::default();
    let values = [
        (Placeholder::FirstName, "Alexandra"),
        (Placeholder::LastName, "Montgomery"),
        (Placeholder::CustomerName, "Alexandra Montgomery"),
        (Placeholder::Vehicle, "2024 Toyota Highlander Hybrid XLE"),
        (Placeholder::VehicleMake, "Toyota"),
        (Placeholder::VehicleModel, "Highlander Hybrid"),
        (Placeholder::VehiclePrice, "$48,995"),
        (Placeholder::TradeIn, "2017 Chevrolet Silverado 1500"),
        (Placeholder::ServiceNeed, "brake inspection"),
        (Placeholder::ServiceVehicle, "2019 Honda Accord"),
        (Placeholder::Payment, "around $450 a month"),
        (Placeholder::DownPayment, "$3,000 down"),
        (
            Placeholder::AppointmentWindows,
            "Saturday morning or Tuesday after 5",
        ),
        (Placeholder::Timeframe, "within 2 weeks"),
        (Placeholder::OwnerName, "Jordan Castellanos"),
        (Placeholder::OwnerFirstName, "Jordan"),
        (Placeholder::Dealership, "Lakeside Motors"),
        (Placeholder::Brand, "Lakeside Honda"),
        (Placeholder::DealershipPhone, "(312) 555-0100"),
        (
            Placeholder::DealershipAddress,
            "100 Lake St, Chicago, IL 60601",
        ),
        (Placeholder::VisitDay, "on Wednesday"),
        (Placeholder::AppointmentDay, "Wednesday, September 30"),
        (Placeholder::AppointmentTime, "10:30 AM"),
    ];
    for (p, v) in values {
        c.set(p, v);
    }
    c
}

/// Lints one variant of a block written for `channel`.
pub fn lint_variant(
    index: usize,
    variant: &Variant,
    channel: Channel,
    settings: &LintSettings,
) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    let problem = |message: String| LintProblem {
        variant: index,
        message,
    };
    let rendered = sample_context()
        .render(&variant.text, false)
        .unwrap_or_else(|| variant.text.clone());
    let lower = rendered.to_lowercase();
    for phrase in &settings.banned_phrases {
        if contains_phrase(&lower, &phrase.to_lowercase()) {
            problems.push(problem(format!("uses pressure language \"{phrase}\"")));
        }
    }
    let ctas = count_calls_to_action(&rendered, settings);
    if ctas > 1 && channel != Channel::Call {
        problems.push(problem(format!(
            "has {ctas} calls to action; keep one next step per message"
        )));
    }
    if channel == Channel::Sms {
        let len = sms_length(&rendered);
        if len.segments > settings.max_sms_segments {
            let enc = replies::encoding_name(len.encoding);
            problems.push(problem(format!(
                "is {} SMS segments ({enc}, {} units with sample context); the limit is {}",
                len.segments, len.units, settings.max_sms_segments
            )));
        }
    }
    if channel == Channel::Email && variant.subject.is_none() {
        problems.push(problem("is an e-mail without a subject".into()));
    }
    if channel != Channel::Call {
        problems.extend(
            lint_words(variant, channel, settings)
                .into_iter()
                .map(problem),
        );
    }
    problems
}

/// What a customer-facing variant says, beyond style: a greeting without a name we may know, an
/// unguarded claim, an undeclared question.
fn lint_words(variant: &Variant, channel: Channel, settings: &LintSettings) -> Vec<String> {
    let mut problems = Vec::new();
    // A voicemail may be heard by whoever answers: "Hi, this is Sam" is right there.
    let written = matches!(channel, Channel::Sms | Channel::Email);
    if let Some(greeting) = nameless_greeting(&variant.text).filter(|_| written) {
        problems.push(format!(
            "greets with \"{greeting}\" and no name, even for a lead whose name we know; write the name with a fallback (`Hi {{{{first_name|there}}}},`)"
        ));
    }
    let lower = variant.text.to_lowercase();
    for (phrase, guard) in &settings.claims {
        let guarded = variant.when.as_ref().is_some_and(|w| w.requires_all(guard));
        if contains_phrase(&lower, &phrase.to_lowercase()) && !guarded {
            problems.push(format!(
                "claims \"{phrase}\" without a condition proving it: add `when = \"{guard}\"` (a lead the data cannot prove it for gets another variant)"
            ));
        }
    }
    problems.extend(price::price_problems(variant));
    for question in questions(&without_placeholders(&lower)) {
        for (topic, phrases) in &settings.ask_phrases {
            let hit = phrases.iter().find(|p| contains_phrase(&question, p));
            if let (Some(p), false) = (hit, variant.asks.contains(topic)) {
                problems.push(format!(
                    "asks about {topic} (\"{p}\") without `asks = [\"{topic}\"]`, so a customer who already told us would be asked again"
                ));
            }
        }
    }
    problems
}

/// The greeting a text opens with when it names nobody (`Hello,`, `Hi, it's ...`, `Hola,`): the
/// words before the first comma or line break are only a greeting, with no customer placeholder.
fn nameless_greeting(text: &str) -> Option<String> {
    let opening = text
        .trim_start()
        .split([',', '\n', '!', '.'])
        .next()
        .unwrap_or_default()
        .trim();
    let names_customer = slots_in(opening)
        .iter()
        .any(|(name, _)| ["first_name", "customer_name", "last_name"].contains(name));
    let lower = opening.to_lowercase();
    let greeting = [
        "hi",
        "hello",
        "hey",
        "dear",
        "hola",
        "buenas",
        "buenos días",
        "estimado",
        "estimada",
    ]
    .contains(&lower.as_str());
    (greeting && !names_customer).then(|| opening.to_owned())
}

/// `text` with each `{{placeholder}}` replaced by `…`, so a placeholder's name is not read as words.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('…');
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// The sentences of `text` that end in a question mark.
fn questions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut sentence = String::new();
    for c in text.chars() {
        match c {
            '?' => {
                out.push(sentence.trim().to_owned());
                sentence.clear();
            }
            '.' | '!' | '\n' => sentence.clear(),
            _ => sentence.push(c),
        }
    }
    out
}

/// How one language's SMS variants are encoded: `(language, GSM-7 variants, UCS-2 variants, most
/// segments)`, each variant rendered with the sample context.
pub fn sms_encodings(blocks: &[&crate::blocks::Block]) -> Vec<(String, usize, usize, usize)> {
    let mut out: Vec<(String, usize, usize, usize)> = Vec::new();
    let sample = sample_context();
    for b in blocks.iter().filter(|b| b.channel == Channel::Sms) {
        for v in &b.variants {
            let text = sample
                .render(&v.text, false)
                .unwrap_or_else(|| v.text.clone());
            let len = sms_length(&text);
            let i = match out.iter().position(|(l, ..)| *l == v.language) {
                Some(i) => i,
                None => {
                    out.push((v.language.clone(), 0, 0, 0));
                    out.len() - 1
                }
            };
            let row = &mut out[i];
            match len.encoding {
                Encoding::Gsm7 => row.1 += 1,
                Encoding::Ucs2 => row.2 += 1,
            }
            row.3 = row.3.max(len.segments);
        }
    }
    out
}

/// Lints the first SMS of a cadence: every variant must name the brand and carry the opt-out words.
pub fn lint_first_sms(variants: &[Variant], settings: &LintSettings) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let names_brand = ["brand", "dealership"]
            .iter()
            .any(|p| super::blocks::placeholders_in(&v.text).contains(p));
        if !names_brand {
            problems.push(LintProblem {
                variant: i,
                message: "is the cadence's first SMS but does not name the brand ({{brand}})"
                    .into(),
            });
        }
        let words = settings.opt_out_words_for(&v.language);
        if !v.text.to_lowercase().contains(&words.to_lowercase()) {
            problems.push(LintProblem {
                variant: i,
                message: format!(
                    "is the cadence's first SMS but lacks the opt-out words \"{words}\""
                ),
            });
        }
    }
    problems
}

/// Counts the sentences that ask the customer to do something: questions, and sentences with a
/// call-to-action phrase. The opt-out sentence does not count.
pub fn count_calls_to_action(text: &str, settings: &LintSettings) -> usize {
    let mut lower = text.to_lowercase();
    for words in
        std::iter::once(&settings.opt_out_words).chain(settings.opt_out_words_by_language.values())
    {
        lower = lower.replace(&words.to_lowercase(), "");
    }
    let mut count = 0;
    let mut sentence = String::new();
    let mut flush = |sentence: &mut String, question: bool| {
        let s = sentence.trim();
        if !s.is_empty() {
            let has_phrase = settings
                .cta_phrases
                .iter()
                .any(|p| contains_phrase(s, &p.to_lowercase()));
            if question || has_phrase {
                count += 1;
            }
        }
        sentence.clear();
    };
    for c in lower.chars() {
        match c {
            '?' => flush(&mut sentence, true),
            '.' | '!' | '\n' => flush(&mut sentence, false),
            _ => sentence.push(c),
        }
    }
    flush(&mut sentence, false);
    count
}

/// Words that sell, beyond the price offers the lint's price module lists: an informational block must have
/// none (English and Spanish, whole words, any case).
pub const SALES_PHRASES: &[&str] = &[
    "sale",
    "deal",
    "deals",
    "special",
    "specials",
    "offer",
    "offers",
    "save",
    "savings",
    "financing",
    "lease",
    "test drive",
    "trade-in value",
    "new arrivals",
    "shop",
    "buy",
    "oferta",
    "ofertas",
    "promoción",
    "ahorre",
    "ahorra",
    "financiamiento",
    "prueba de manejo",
];

/// The first sales wording in `variant`'s text or subject (placeholders aside), if any.
pub fn sales_words(variant: &Variant) -> Option<&'static str> {
    let text = format!(
        "{} {}",
        variant.subject.as_deref().unwrap_or_default(),
        variant.text
    );
    let words = without_placeholders(&text.to_lowercase());
    price::OFFER_PHRASES
        .iter()
        .chain(SALES_PHRASES)
        .find(|p| contains_phrase(&words, p))
        .copied()
}

/// Whether `haystack` contains `phrase` as whole words.
pub(crate) fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    haystack.match_indices(phrase).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn v(text: &str) -> Variant {
        Variant::new(text)
    }

    fn messages(variant: &Variant) -> Vec<String> {
        lint_variant(0, variant, Channel::Sms, &LintSettings::default())
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[rstest]
    #[case("Hello,\n\nThanks for contacting {{dealership}}.")]
    #[case("Hi, it's {{owner_first_name}} at {{brand}}.")]
    #[case("Hola, soy {{owner_first_name}}.")]
    fn a_greeting_without_the_customers_name_is_flagged(#[case] text: &str) {
        let found = messages(&v(text));
        assert!(
            found.iter().any(|m| m.contains("no name")),
            "{text}: {found:?}"
        );
    }

    #[rstest]
    #[case("Hi {{first_name|there}}, it's {{owner_first_name}}.")]
    #[case("Hola {{first_name|}}, soy {{owner_first_name}}.")]
    #[case("{{first_name}}, quick one from {{owner_first_name}}.")]
    #[case("Thanks for reaching out to {{brand}}.")]
    fn a_greeting_with_the_name_or_none_at_all_is_not_flagged(#[case] text: &str) {
        assert!(messages(&v(text)).is_empty(), "{text}");
    }

    #[test]
    fn a_claim_needs_the_condition_that_proves_it() {
        let mut claim =
            v("Hi {{first_name}}, the {{vehicle}} is here and has a full inspection report.");
        let found = messages(&claim);
        assert!(
            found
                .iter()
                .any(|m| m.contains("\"is here\"") && m.contains("in_stock")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("condition == 'used'")),
            "{found:?}"
        );
        claim.when = parse_condition("in_stock").ok();
        assert_eq!(messages(&claim).len(), 1, "the stock claim is guarded now");
        claim.when = parse_condition("condition == 'used' and in_stock").ok();
        assert!(messages(&claim).is_empty());
        claim.when = parse_condition("in_stock or condition == 'used'").ok();
        assert_eq!(messages(&claim).len(), 2, "`or` proves neither");
        let spanish = v("Hola {{first_name}}, el {{vehicle}} ya llegó.");
        assert!(messages(&spanish).iter().any(|m| m.contains("ya llegó")));
    }

    #[test]
    fn a_question_about_payment_must_declare_it() {
        let mut ask = v("Hi {{first_name}}, are you planning to finance, lease or pay cash?");
        assert!(messages(&ask)
            .iter()
            .any(|m| m.contains("asks about payment")));
        ask.asks = vec![Topic::Payment];
        assert!(messages(&ask).is_empty());
        let statement = v("Hi {{first_name}}, I can work the numbers to fit your monthly budget.");
        assert!(messages(&statement).is_empty(), "a statement asks nothing");
    }

    #[test]
    fn spanish_first_texts_carry_spanish_opt_out_words() {
        let s = LintSettings::default();
        let mut es =
            v("Hola {{first_name}}, soy {{owner_first_name}} de {{brand}}. Reply STOP to opt out");
        es.language = "es".into();
        assert_eq!(lint_first_sms(std::slice::from_ref(&es), &s).len(), 1);
        es.text = "Hola {{first_name}}, soy {{owner_first_name}} de {{brand}}. Responde STOP para darte de baja".into();
        assert!(lint_first_sms(&[es], &s).is_empty());
    }

    #[rstest]
    #[case("Is Saturday good for a test drive?", 1)]
    #[case("Is Saturday good? Or would Sunday work?", 2)]
    #[case("Reply with a time that works. Reply STOP to opt out", 1)]
    #[case("Thanks for reaching out. Reply STOP to opt out", 0)]
    #[case("Want the price sheet? Call me at 555.", 2)]
    fn calls_to_action_are_counted(#[case] text: &str, #[case] expected: usize) {
        assert_eq!(
            count_calls_to_action(text, &LintSettings::default()),
            expected
        );
    }

    #[test]
    fn pressure_language_is_flagged() {
        let p = lint_variant(
            0,
            &v("Act now, this deal won't last!"),
            Channel::Sms,
            &LintSettings::default(),
        );
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn a_banned_phrase_inside_a_word_is_not_flagged() {
        let p = lint_variant(
            0,
            &v("Our hurrycane wash is free."),
            Channel::Sms,
            &LintSettings::default(),
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn long_sms_are_flagged_with_sample_context() {
        let text = format!("Hi {{{{first_name}}}}, {}", "x".repeat(300));
        let p = lint_variant(0, &v(&text), Channel::Sms, &LintSettings::default());
        assert!(p[0].message.contains("3 SMS segments"), "{p:?}");
    }

    #[test]
    fn the_first_sms_needs_brand_and_opt_out() {
        let s = LintSettings::default();
        assert_eq!(lint_first_sms(&[v("Hi there")], &s).len(), 2);
        assert!(lint_first_sms(&[v("Hi from {{brand}}. Reply STOP to opt out")], &s).is_empty());
    }
}
