//! Features of a reply for the learned model: words, word pairs, the
//! letter triples and quadruples of each word, and the rules that matched
//! it, each hashed into a fixed number of buckets.
//!
//! Shared verbatim by the build script (which trains the model) and the
//! crate (which applies it), so both see the same features. It owns only
//! feature extraction: no weights, no labels.

use crate::normalize::Normalized;

/// Number of hash buckets (a power of two).
pub(crate) const BUCKETS: usize = 1 << 14;

/// One feature: its name (for explanations) and its bucket.
pub(crate) struct Feature {
    pub name: String,
    pub bucket: usize,
}

fn bucket(name: &str) -> usize {
    // FNV-1a: stable across platforms and Rust versions, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h as usize) & (BUCKETS - 1)
}

fn push(out: &mut Vec<Feature>, name: String) {
    let bucket = bucket(&name);
    out.push(Feature { name, bucket });
}

/// Words that open a negation or a refusal: the next [`NEGATION_REACH`]
/// words of the clause also count as negated (`n:text` in "dont text me",
/// "no me escriban", "dejen de llamar"). "Stop" is not one: "stop me
/// from getting approved" is no refusal, and the pair "stop texting"
/// already carries its sense.
const NEGATORS: [&str; 18] = [
    "not", "no", "dont", "never", "cant", "cannot", "wont", "didnt", "doesnt", "isnt", "nunca",
    "ni", "dejen", "deje", "deja", "dejar", "nomas", "without",
];

/// How many words after a negator its scope reaches.
const NEGATION_REACH: usize = 3;

/// The class of a word whose kind matters more than its spelling, so the
/// model carries what it learned from "by friday" over to "by the 28th" or
/// "antes del jueves": numbers, dates, near times, lengths of time, money.
fn word_class(w: &str) -> Option<&'static str> {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let rest = w.get(digits..).unwrap_or("");
        return Some(match rest {
            "" => "<num>",
            "st" | "nd" | "rd" | "th" | "ro" | "do" | "vo" | "to" => "<ordinal>",
            "am" | "pm" | "ish" => "<clock>",
            "k" | "kish" | "mil" => "<money>",
            _ => "<numword>",
        });
    }
    Some(match w {
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
        | "mon" | "tues" | "wed" | "thurs" | "fri" | "lunes" | "martes" | "miercoles"
        | "jueves" | "viernes" | "sabado" | "domingo" => "<weekday>",
        "january" | "february" | "april" | "june" | "july" | "august" | "september" | "october"
        | "november" | "december" | "jan" | "feb" | "aug" | "sept" | "oct" | "nov" | "dec"
        | "enero" | "febrero" | "marzo" | "abril" | "mayo" | "junio" | "julio" | "agosto"
        | "septiembre" | "octubre" | "noviembre" | "diciembre" => "<month>",
        "today" | "tonight" | "tomorrow" | "tmrw" | "tmr" | "asap" | "hoy" | "manana"
        | "ahorita" | "ahora" | "inmediato" | "pronto" | "urgente" | "urgent" | "now"
        | "immediately" => "<soon>",
        "day" | "days" | "week" | "weeks" | "weekend" | "month" | "months" | "dia" | "dias"
        | "semana" | "semanas" | "finde" | "mes" | "meses" => "<period>",
        "christmas" | "easter" | "thanksgiving" | "navidad" | "birthday" | "cumpleanos"
        | "graduation" | "wedding" | "boda" => "<occasion>",
        _ => return None,
    })
}

/// The features of a normalised reply, at most `limit` of them: each word
/// (`w:`), its class (`k:`), the pair it makes with the word before it in
/// its clause (`b:`, also with either side's class in place of the word),
/// whether it opens a clause (`f:`, the imperative cue of "remove my
/// number" or "borren mi numero") and whether that clause is a question
/// (`q:?` and `q:` with the word that opens it: "is it still there?",
/// "¿tienen la roja?"), whether a negator governs it (`n:`), and
/// its letter triples and quadruples (`c:`, which carry Spanish and English
/// inflections and typos).
pub(crate) fn features(n: &Normalized, limit: usize) -> Vec<Feature> {
    let mut out = Vec::with_capacity(96);
    let mut prev: Option<(u32, &str, Option<&str>)> = None;
    let mut negated: Option<(u32, usize)> = None;
    for (i, t) in n.tokens.iter().enumerate() {
        if out.len() >= limit {
            break;
        }
        let w = n.word(i);
        if t.symbol {
            push(&mut out, format!("s:{w}"));
            prev = None;
            continue;
        }
        push(&mut out, format!("w:{w}"));
        let class = word_class(w);
        if let Some(k) = class {
            push(&mut out, format!("k:{k}"));
        }
        match prev {
            Some((clause, p, p_class)) if clause == t.clause => {
                push(&mut out, format!("b:{p} {w}"));
                if let Some(k) = class {
                    push(&mut out, format!("b:{p} {k}"));
                }
                if let Some(pk) = p_class {
                    push(&mut out, format!("b:{pk} {w}"));
                }
            }
            _ => {
                push(&mut out, format!("f:{w}"));
                if n.questions.contains(&t.clause) {
                    push(&mut out, "q:?".to_owned());
                    push(&mut out, format!("q:{w}"));
                }
            }
        }
        match negated {
            Some((clause, left)) if clause == t.clause && left > 0 => {
                push(&mut out, format!("n:{w}"));
                negated = Some((clause, left - 1));
            }
            _ => negated = None,
        }
        if NEGATORS.contains(&w) {
            negated = Some((t.clause, NEGATION_REACH));
        }
        prev = Some((t.clause, w, class));
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        for size in 3..=4 {
            if padded.len() <= size {
                continue;
            }
            for gram in padded.windows(size) {
                push(&mut out, format!("c:{}", gram.iter().collect::<String>()));
            }
        }
    }
    out
}

/// Features naming the rules that matched a reply (`r:opt_out.sms_only`)
/// and the label family of each (`g:opt_out`), so the model can learn how
/// far each rule is to be trusted.
pub(crate) fn rule_features(rule_ids: &[&str]) -> Vec<Feature> {
    let mut out = Vec::with_capacity(rule_ids.len() * 2);
    for id in rule_ids {
        push(&mut out, format!("r:{id}"));
        let family = id.split('.').next().unwrap_or(id);
        push(&mut out, format!("g:{family}"));
    }
    out
}

/// Every feature of a reply: its words (at most [`MAX_FEATURES`]) and the
/// ids of the rules that matched it.
pub(crate) fn reply_features(n: &Normalized, rule_ids: &[&str]) -> Vec<Feature> {
    let mut out = features(n, MAX_FEATURES);
    out.extend(rule_features(rule_ids));
    out
}

/// The labels the model scores, in weight order: every intent but `other`
/// (which is the absence of all of them).
pub(crate) const MODEL_LABELS: [&str; 16] = [
    "opt_out",
    "wrong_number",
    "bought_elsewhere",
    "not_interested",
    "not_now",
    "trade_in",
    "credit_finance",
    "urgent_timeline",
    "price_payment",
    "appointment",
    "reschedule",
    "confirm",
    "vehicle_question",
    "service",
    "human_request",
    "positive",
];

/// Most features taken from one reply (a long e-mail stays cheap).
pub(crate) const MAX_FEATURES: usize = 400;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn names(text: &str, prefix: &str) -> Vec<String> {
        features(&normalize(text), MAX_FEATURES)
            .into_iter()
            .filter(|f| f.name.starts_with(prefix))
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn a_negator_governs_the_next_words_of_its_clause_only() {
        assert_eq!(
            names("please dont text me again. call me", "n:"),
            ["n:text", "n:me", "n:again"]
        );
        assert_eq!(names("no me escriban", "n:"), ["n:me", "n:escriban"]);
        assert!(names("will this stop me from getting approved", "n:").is_empty());
    }

    #[test]
    fn dates_and_near_times_share_a_class_across_spellings_and_languages() {
        assert_eq!(
            names("need it by friday", "b:by"),
            ["b:by friday", "b:by <weekday>"]
        );
        assert_eq!(names("antes del jueves", "k:"), ["k:<weekday>"]);
        assert_eq!(
            names("by the 28th, 9 days, 20k", "k:"),
            ["k:<ordinal>", "k:<num>", "k:<period>", "k:<money>"]
        );
    }

    #[test]
    fn a_question_is_marked_with_the_word_that_opens_it() {
        assert_eq!(
            names("ok. is it still there? ¿tienen la roja? call me", "q:"),
            ["q:?", "q:is", "q:?", "q:tienen"]
        );
    }

    #[test]
    fn each_clause_marks_its_first_word() {
        assert_eq!(
            names("Remove my number. Borren mi correo", "f:"),
            ["f:remove", "f:borren"]
        );
    }
}
