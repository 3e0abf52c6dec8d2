//! The `[calls]` table of `settings.toml`: how long inbound calls ring whom, the click-to-call ring
//! time, the text a caller nobody answered gets, and the owner's call-back deadline.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::raw::Text;
use super::Validator;
use crate::blocks::Block;
use crate::cadence::Channel;
use crate::calls::CallRules;

/// `[calls]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalls {
    owner_ring_seconds: Option<Spanned<i64>>,
    team_ring_seconds: Option<Spanned<i64>>,
    click_to_call_ring_seconds: Option<Spanned<i64>>,
    text_back_block: Option<Text>,
    call_back_minutes: Option<Spanned<i64>>,
    voicemail_max_seconds: Option<Spanned<i64>>,
}

impl Validator {
    pub(super) fn calls(
        &mut self,
        raw: Option<&RawCalls>,
        blocks: &BTreeMap<String, Block>,
    ) -> CallRules {
        let mut rules = CallRules::default();
        let Some(raw) = raw else {
            return rules;
        };
        let mut number = |what: &str, value: &Option<Spanned<i64>>, min: i64, max: i64| {
            let value = value.as_ref()?;
            let n = *value.get_ref();
            if (min..=max).contains(&n) {
                u32::try_from(n).ok()
            } else {
                self.error_at(
                    value.span(),
                    format!("calls.{what}: {n} is outside {min}..={max}"),
                );
                None
            }
        };
        // Twilio rings a <Dial> for 5 to 600 seconds.
        if let Some(n) = number("owner_ring_seconds", &raw.owner_ring_seconds, 5, 600) {
            rules.owner_ring_seconds = n;
        }
        if let Some(n) = number("team_ring_seconds", &raw.team_ring_seconds, 5, 600) {
            rules.team_ring_seconds = n;
        }
        if let Some(n) = number(
            "click_to_call_ring_seconds",
            &raw.click_to_call_ring_seconds,
            5,
            600,
        ) {
            rules.click_to_call_ring_seconds = n;
        }
        if let Some(n) = number("call_back_minutes", &raw.call_back_minutes, 1, 24 * 60) {
            rules.call_back_minutes = n;
        }
        if let Some(n) = number("voicemail_max_seconds", &raw.voicemail_max_seconds, 5, 3600) {
            rules.voicemail_max_seconds = n;
        }
        if let Some(name) = &raw.text_back_block {
            match blocks.get(name.get_ref()) {
                Some(b) if b.channel == Channel::Sms => {
                    rules.text_back_block = Some(name.get_ref().clone());
                }
                Some(b) => self.error_at(
                    name.span(),
                    format!(
                        "calls.text_back_block `{}` is written for {}, not sms",
                        name.get_ref(),
                        b.channel
                    ),
                ),
                None => self.error_at(
                    name.span(),
                    format!(
                        "calls.text_back_block `{}` is not defined in blocks",
                        name.get_ref()
                    ),
                ),
            }
        }
        rules
    }
}
