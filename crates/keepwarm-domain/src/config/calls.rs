//! The `[calls]` table of `settings.toml`: how long inbound calls ring whom, the click-to-call ring
//! time, the text a caller nobody answered gets, and the owner's call-back deadline.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::raw::Text;
use super::Validator;
use crate::blocks::Block;
use crate::cadence::Channel;
use crate::calls::CallRules;

/// `[calls]` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalls {
    /// Seconds a call to the store rings the caller's owner (when on shift) before the team is
    /// tried. 5 to 600. Default 20.
    #[schemars(with = "Option<i64>")]
    owner_ring_seconds: Option<Spanned<i64>>,
    /// Seconds it then rings every other on-shift member of the owner's team at once before
    /// voicemail. 5 to 600. Default 20.
    #[schemars(with = "Option<i64>")]
    team_ring_seconds: Option<Spanned<i64>>,
    /// Seconds a click-to-call lets the person's phone, then the customer's, ring. 5 to 600.
    /// Default 25.
    #[schemars(with = "Option<i64>")]
    click_to_call_ring_seconds: Option<Spanned<i64>>,
    /// The sms block texted once to a caller nobody answered (rendered for the lead, signed by its
    /// owner). Default: "Sorry we missed your call. This is OWNER at BRAND, how can I help?".
    /// The first text a number gets from the store carries the lint's opt-out words.
    #[schemars(with = "Option<String>")]
    text_back_block: Option<Text>,
    /// Minutes the owner has to call back a caller nobody answered (the call-back task's due
    /// time). 1 to 1440. Default 15.
    #[schemars(with = "Option<i64>")]
    call_back_minutes: Option<Spanned<i64>>,
    /// The longest voicemail recorded, in seconds. 5 to 3600. Default 120.
    #[schemars(with = "Option<i64>")]
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
