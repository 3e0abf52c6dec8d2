//! Validating `blocks.toml`: each block's variants, their languages, conditions and declared
//! questions, the lint of their words, and the lint settings themselves. A block must have a
//! fallback variant (one needing nothing from the lead, unconditional, asking nothing) in every
//! language it is written in, so that every lead can always be sent something in its language.

use std::collections::BTreeMap;

use super::{raw, Validator};
use crate::blocks::{slots_in, Block, Placeholder, Topic, Variant};
use crate::cadence::Channel;
use crate::compliance::MessagePurpose;
use crate::condition::parse_condition;
use crate::language::normalize_language;
use crate::lint::{lint_variant, sales_words, LintSettings};

/// The lint settings: the defaults, with what `[lint]` gives in their place.
pub(super) fn lint_settings(v: &mut Validator, raw: Option<&raw::Lint>) -> LintSettings {
    let mut lint = LintSettings::default();
    let Some(raw) = raw else { return lint };
    if let Some(b) = &raw.banned_phrases {
        lint.banned_phrases = b.clone();
    }
    if let Some(o) = &raw.opt_out_words {
        lint.opt_out_words = o.clone();
    }
    if let Some(m) = raw.max_sms_segments {
        lint.max_sms_segments = m;
    }
    if let Some(c) = &raw.cta_phrases {
        lint.cta_phrases = c.clone();
    }
    if let Some(words) = &raw.opt_out_words_by_language {
        lint.opt_out_words_by_language = words.clone();
    }
    if let Some(claims) = &raw.claims {
        lint.claims = claims
            .iter()
            .filter_map(|(phrase, guard)| match parse_condition(guard.get_ref()) {
                Ok(c) => Some((phrase.clone(), c)),
                Err(e) => {
                    v.error_at(guard.span(), format!("lint.claims \"{phrase}\": {e}"));
                    None
                }
            })
            .collect();
    }
    lint
}

impl Validator {
    pub(super) fn blocks(
        &mut self,
        raw: raw::Blocks,
        lint: &LintSettings,
    ) -> BTreeMap<String, Block> {
        let mut out = BTreeMap::new();
        for b in raw.block {
            let name = b.name.get_ref().clone();
            if out.contains_key(&name) {
                self.error_at(b.name.span(), format!("block `{name}` is defined twice"));
            }
            let channel = match b.channel.get_ref().parse::<Channel>() {
                Ok(c) => c,
                Err(e) => {
                    self.error_at(b.channel.span(), format!("block `{name}`: {e}"));
                    continue;
                }
            };
            if b.variant.is_empty() {
                self.error_at(
                    b.name.span(),
                    format!("block `{name}` has no [[block.variant]]"),
                );
                continue;
            }
            let variants: Vec<Variant> = b
                .variant
                .iter()
                .map(|rv| self.variant(&name, rv.get_ref()))
                .collect();
            let purpose = match b.purpose.as_ref().map(|p| (p, p.get_ref().as_str())) {
                None | Some((_, "marketing")) => MessagePurpose::Marketing,
                Some((_, "informational")) => MessagePurpose::Informational,
                Some((_, "conversational")) => MessagePurpose::Conversational,
                Some((p, other)) => {
                    self.error_at(
                        p.span(),
                        format!("block `{name}`: purpose `{other}` is not marketing, informational or conversational"),
                    );
                    MessagePurpose::Marketing
                }
            };
            let block = Block {
                name: name.clone(),
                channel,
                variants,
                allow_lead_links: b.allow_lead_links,
                purpose,
            };
            if purpose == MessagePurpose::Informational {
                for (i, variant) in block.variants.iter().enumerate() {
                    if let Some(words) = sales_words(variant) {
                        self.error_at(
                            b.variant[i].span(),
                            format!("block `{name}` variant {}: is informational but sells (\"{words}\"); a message that informs and sells is marketing: declare `purpose = \"marketing\"` or take the sales words out", i + 1),
                        );
                    }
                }
            }
            for language in block.languages() {
                let has_fallback = block
                    .variants
                    .iter()
                    .any(|v| v.language == language && v.is_fallback());
                if !has_fallback {
                    self.error_at(
                        b.name.span(),
                        format!("block `{name}` has no fallback variant in `{language}` (one using only owner and dealership placeholders or placeholders with a fallback, with no `when` and no `asks`) to send when a lead's context is missing"),
                    );
                }
            }
            for (i, variant) in block.variants.iter().enumerate() {
                for p in lint_variant(i, variant, channel, lint) {
                    self.error_at(
                        b.variant[i].span(),
                        format!("block `{name}` variant {}: {}", i + 1, p.message),
                    );
                }
            }
            out.insert(name, block);
        }
        out
    }

    /// One variant, its placeholders, language, condition and questions checked.
    fn variant(&mut self, block: &str, rv: &raw::Variant) -> Variant {
        for text in rv.subject.iter().chain(std::iter::once(&rv.text)) {
            for (p, _) in slots_in(text.get_ref()) {
                if Placeholder::from_name(p).is_none() {
                    let offset = text.get_ref().find(&format!("{{{{{p}")).unwrap_or(0);
                    let known: Vec<&str> = Placeholder::ALL.iter().map(|p| p.name()).collect();
                    self.error_at(
                        text.span().start + offset..text.span().end,
                        format!(
                            "block `{block}` uses placeholder {{{{{p}}}}}, which no lead field can fill (known: {})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        let mut variant = Variant::new(rv.text.get_ref().clone());
        variant.subject = rv.subject.as_ref().map(|s| s.get_ref().clone());
        if let Some(tag) = &rv.language {
            match normalize_language(tag.get_ref()) {
                Some(l) if l == *tag.get_ref() => variant.language = l,
                Some(l) => self.error_at(
                    tag.span(),
                    format!(
                        "block `{block}`: language `{}` is written `{l}`",
                        tag.get_ref()
                    ),
                ),
                None => self.error_at(
                    tag.span(),
                    format!(
                        "block `{block}`: `{}` is not a language code (en, es, ...)",
                        tag.get_ref()
                    ),
                ),
            }
        }
        if let Some(when) = &rv.when {
            match parse_condition(when.get_ref()) {
                Ok(c) => variant.when = Some(c),
                Err(e) => self.error_at(when.span(), format!("block `{block}`: when: {e}")),
            }
        }
        for topic in &rv.asks {
            match topic.get_ref().parse::<Topic>() {
                Ok(t) => variant.asks.push(t),
                Err(e) => self.error_at(topic.span(), format!("block `{block}`: asks: {e}")),
            }
        }
        variant
    }

    /// Warns about customer-facing blocks missing a language other blocks are written in, and
    /// refuses a dealership whose default language no block speaks.
    pub(super) fn check_languages(
        &mut self,
        blocks: &BTreeMap<String, Block>,
        dealerships: &[super::Dealership],
    ) {
        let mut all: Vec<&str> = Vec::new();
        for b in blocks.values() {
            for l in b.languages() {
                if !all.contains(&l) {
                    all.push(l);
                }
            }
        }
        for b in blocks.values().filter(|b| b.channel != Channel::Call) {
            for l in all.iter().filter(|l| !b.languages().contains(l)) {
                let file = self.current.0.clone();
                self.warn(
                    &file,
                    None,
                    format!(
                        "block `{}` has no `{l}` variants: leads in `{l}` get its `{}` ones",
                        b.name,
                        b.languages().join("`/`")
                    ),
                );
            }
        }
        for d in dealerships {
            if !all.contains(&d.language.as_str()) {
                self.error_in_file(format!(
                    "dealership `{}` writes to leads in `{}` by default, but no block has a variant in it (blocks are written in: {})",
                    d.id,
                    d.language,
                    all.join(", ")
                ));
            }
        }
    }
}
