//! Choosing a block's variant for one lead: the lead's language and facts first (a variant whose
//! condition fails, or that asks what the customer already told us, is never sent), then the most
//! specific wording that renders, then a rotation seeded by lead and step, so that leads at the
//! same step get different wordings and a re-render after a crash gives the same text.

use super::{Block, MessageContext, Rendered};
use crate::condition::MessageFacts;

/// Who a message is for, as the choice of variant sees it.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    /// The placeholder values.
    pub context: &'a MessageContext,
    /// What the lead told us, and their language.
    pub facts: &'a MessageFacts,
    /// The variant indexes of this block the lead already received.
    pub used: &'a [usize],
    /// The lead's rotation seed for this step ([`rotation_seed`]).
    pub seed: u64,
}

/// A variant that may be sent, rendered.
struct Candidate {
    index: usize,
    subject: Option<String>,
    body: String,
    /// 2 for a condition that holds (the lead's facts chose it), plus 1 for a variant that needs
    /// the lead's own context: higher ranks are preferred.
    rank: u8,
}

/// The seed of a lead's rotation at one step of one block: a fixed hash (the same in every build
/// and run) of the three, so leads that arrive one after another, or that share an owner by round
/// robin, do not fall into step with each other.
pub fn rotation_seed(lead: i64, block: &str, step: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = block
        .bytes()
        .chain(lead.to_le_bytes())
        .chain((step as u64).to_le_bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // splitmix64's finaliser: every input bit moves every output bit.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The variants of `block` this lead may get, rendered, and whether a variant needing context the
/// lead lacks was passed over. Only variants in the lead's language are considered; a block with
/// none in it speaks the language of its first variant.
fn candidates(block: &Block, choice: &Choice<'_>) -> (Vec<Candidate>, bool) {
    let language = if block
        .variants
        .iter()
        .any(|v| v.language == choice.facts.language)
    {
        choice.facts.language.as_str()
    } else {
        block.variants.first().map_or("", |v| v.language.as_str())
    };
    let mut out = Vec::new();
    let mut specific_missing = false;
    for (index, v) in block.variants.iter().enumerate() {
        if v.language != language || !v.allowed_for(choice.facts) {
            continue;
        }
        let render = |t: &str| choice.context.render(t, block.allow_lead_links);
        let subject = match &v.subject {
            Some(s) => render(s).map(Some),
            None => Some(None),
        };
        match (subject, render(&v.text)) {
            (Some(subject), Some(body)) => out.push(Candidate {
                index,
                subject,
                body,
                rank: 2 * u8::from(v.when.is_some()) + u8::from(!v.is_generic()),
            }),
            _ => specific_missing |= !v.is_generic(),
        }
    }
    (out, specific_missing)
}

/// Picks and renders a variant of `block` for a lead.
///
/// Returns `None` only when no variant can be sent, which a validated configuration prevents (every
/// block has a fallback variant in each of its languages).
pub fn render_block(block: &Block, choice: &Choice<'_>) -> Option<Rendered> {
    let (cands, specific_missing) = candidates(block, choice);
    let fresh: Vec<&Candidate> = cands
        .iter()
        .filter(|c| !choice.used.contains(&c.index))
        .collect();
    let (pool, repeated) = if let Some(best) = fresh.iter().map(|c| c.rank).max() {
        (
            fresh.into_iter().filter(|c| c.rank == best).collect(),
            false,
        )
    } else {
        // Every usable wording was used: repeat the least used ones rather than send nothing.
        let uses = |c: &Candidate| choice.used.iter().filter(|u| **u == c.index).count();
        let least = cands.iter().map(uses).min()?;
        let pool: Vec<&Candidate> = cands.iter().filter(|c| uses(c) == least).collect();
        (pool, true)
    };
    let pick = pool[(choice.seed % pool.len() as u64) as usize];
    Some(Rendered {
        variant: pick.index,
        subject: pick.subject.clone(),
        body: pick.body.clone(),
        fell_back: specific_missing && block.variants[pick.index].is_generic(),
        repeated,
    })
}

/// A text that fits in `max_segments` SMS segments: `rendered` when it does, else the shortest
/// variant of `block` this lead may get that fits. `None` when none fits: the text would be split
/// into more messages than the dealership allows (a lead value of thousands of characters, a
/// variant grown past the limit), and it is not sent.
pub fn fit_sms(
    block: &Block,
    choice: &Choice<'_>,
    rendered: Rendered,
    max_segments: usize,
) -> Option<Rendered> {
    let segments = |text: &str| crate::sms::sms_length(text).segments;
    if segments(&rendered.body) <= max_segments {
        return Some(rendered);
    }
    let (cands, _) = candidates(block, choice);
    cands
        .into_iter()
        .filter(|c| segments(&c.body) <= max_segments)
        .min_by_key(|c| segments(&c.body))
        .map(|c| Rendered {
            variant: c.index,
            subject: None,
            body: c.body,
            fell_back: true,
            repeated: rendered.repeated,
        })
}
