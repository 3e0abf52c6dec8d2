//! Calls through the store's number (issue 13): who an inbound call rings and in what order, what
//! a provider's call status means for the lead, and the rules a dealership sets for them
//! (`[calls]` in `settings.toml`).
//!
//! Plain decisions over configuration and the provider's words: no IO, and `now` is a parameter.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::routing::Staff;
use crate::PhoneNumber;

/// Twilio rings at most ten numbers at once in one `<Dial>`.
pub const MAX_NUMBERS_AT_ONCE: usize = 10;

/// How calls through the store's number are handled (`[calls]` in `settings.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRules {
    /// Seconds an inbound call rings the lead's owner before the team is tried (default 20).
    pub owner_ring_seconds: u32,
    /// Seconds it rings the team's on-shift members, all at once, before voicemail (default 20).
    pub team_ring_seconds: u32,
    /// Seconds a click-to-call lets each leg ring (default 25).
    pub click_to_call_ring_seconds: u32,
    /// The approved block texted to a caller nobody answered; without it (or when the dealership
    /// has no such block) [`missed_call_text`] is sent.
    pub text_back_block: Option<String>,
    /// Minutes the owner has to call back a caller nobody answered (default 15).
    pub call_back_minutes: u32,
    /// The longest voicemail recorded, in seconds (default 120).
    pub voicemail_max_seconds: u32,
}

impl Default for CallRules {
    fn default() -> Self {
        CallRules {
            owner_ring_seconds: 20,
            team_ring_seconds: 20,
            click_to_call_ring_seconds: 25,
            text_back_block: None,
            call_back_minutes: 15,
            voicemail_max_seconds: 120,
        }
    }
}

/// One round of ringing: these people's phones, all at once, for so long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring {
    /// The staff members rung.
    pub staff: Vec<String>,
    /// Their phones.
    pub numbers: Vec<PhoneNumber>,
    /// How long.
    pub seconds: u32,
}

/// Who an inbound call rings, round by round: the lead's owner first (when on shift and reachable
/// by phone), then every other on-shift member of the owner's team who has a phone, at once (at most
/// [`MAX_NUMBERS_AT_ONCE`]). After the last round the caller reaches voicemail. Empty when nobody
/// can be rung: straight to voicemail.
pub fn ring_order(
    owner: Option<&Staff>,
    team: &[&Staff],
    rules: &CallRules,
    now: Timestamp,
    zone: &TimeZone,
) -> Vec<Ring> {
    let mut rounds = Vec::new();
    let reachable = |s: &Staff| s.on_shift(now, zone).then(|| s.phone.clone()).flatten();
    if let Some((o, phone)) = owner.and_then(|o| reachable(o).map(|p| (o, p))) {
        rounds.push(Ring {
            staff: vec![o.id.clone()],
            numbers: vec![phone],
            seconds: rules.owner_ring_seconds,
        });
    }
    let (staff, numbers): (Vec<String>, Vec<PhoneNumber>) = team
        .iter()
        .filter(|s| owner.is_none_or(|o| o.id != s.id))
        .filter_map(|s| reachable(s).map(|p| (s.id.clone(), p)))
        .take(MAX_NUMBERS_AT_ONCE)
        .unzip();
    if !numbers.is_empty() {
        rounds.push(Ring {
            staff,
            numbers,
            seconds: rules.team_ring_seconds,
        });
    }
    rounds
}

/// How a `<Dial>` ended, from Twilio's `DialCallStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialEnd {
    /// Someone picked up and talked.
    Answered,
    /// Nobody picked up (`no-answer`, `busy`, `failed`, `canceled`, or a word this version does
    /// not know: an unknown status is never counted as a conversation).
    NotAnswered,
}

impl DialEnd {
    /// Reads `DialCallStatus`.
    pub fn of(status: &str) -> Self {
        match status {
            "completed" | "answered" => DialEnd::Answered,
            _ => DialEnd::NotAnswered,
        }
    }
}

/// The outcome of a call for the customer, from the status of the leg that reached them:
/// `connected`, `no_answer` (including busy and cancelled), `failed`. This is also the outcome a
/// call task is completed with (`no_answer` and `connected` are call-task outcomes; a failed call
/// completes no task).
pub fn customer_outcome(status: &str) -> &'static str {
    match status {
        "completed" | "answered" => "connected",
        "failed" => "failed",
        _ => "no_answer",
    }
}

/// How far along its life a call is at a provider's status word: `queued` 0, `initiated` 1,
/// `ringing` 2, `in-progress`/`answered` 3, ended (`completed`, `busy`, `no-answer`, `failed`,
/// `canceled`) 4; `None` for a word this version does not know.
pub fn call_stage(status: &str) -> Option<u8> {
    match status {
        "queued" => Some(0),
        "initiated" => Some(1),
        "ringing" => Some(2),
        "in-progress" | "answered" => Some(3),
        "completed" | "busy" | "no-answer" | "failed" | "canceled" => Some(4),
        _ => None,
    }
}

/// The text a caller nobody answered gets when the dealership has no block for it.
pub fn missed_call_text(owner_first_name: &str, brand: &str) -> String {
    format!("Sorry we missed your call. This is {owner_first_name} at {brand}, how can I help?")
}

/// The text-back as sent: when it is the first text the number gets from the store it carries the
/// opt-out words like any cadence's first text (unless its block already does).
pub fn text_back_body(body: String, opt_out_words: &str, first_text: bool) -> String {
    let carries = body.to_lowercase().contains(&opt_out_words.to_lowercase());
    if !first_text || carries || opt_out_words.trim().is_empty() {
        return body;
    }
    let end = if body.trim_end().ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{}{end} {opt_out_words}", body.trim_end())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::hours::WeeklyHours;
    use crate::routing::Role;

    fn staff(id: &str, phone: Option<&str>, shift: Option<WeeklyHours>) -> Staff {
        Staff {
            id: id.into(),
            name: format!("{id} Person"),
            role: Role::Sales,
            phone: phone.map(|p| PhoneNumber::parse(p, "US").unwrap()),
            email: None,
            team: "sales".into(),
            shift,
            dealership: None,
        }
    }

    fn now() -> Timestamp {
        "2026-03-03T15:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_inbound_call_rings_the_owner_then_the_rest_of_the_team_at_once() {
        let owner = staff("sam", Some("+13125550177"), None);
        let ana = staff("ana", Some("+13125550178"), None);
        let bo = staff("bo", Some("+13125550179"), None);
        let team = [&owner, &ana, &bo];
        let rounds = ring_order(
            Some(&owner),
            &team,
            &CallRules::default(),
            now(),
            &TimeZone::UTC,
        );
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].staff, ["sam"]);
        assert_eq!(rounds[0].seconds, 20);
        assert_eq!(rounds[1].staff, ["ana", "bo"]);
        assert_eq!(
            rounds[1]
                .numbers
                .iter()
                .map(PhoneNumber::as_str)
                .collect::<Vec<_>>(),
            ["+13125550178", "+13125550179"]
        );
    }

    #[test]
    fn nobody_off_shift_or_without_a_phone_is_rung() {
        let closed = WeeklyHours::default();
        let owner = staff("sam", Some("+13125550177"), Some(closed));
        let no_phone = staff("ana", None, None);
        let on = staff("bo", Some("+13125550179"), None);
        let team = [&owner, &no_phone, &on];
        let rounds = ring_order(
            Some(&owner),
            &team,
            &CallRules::default(),
            now(),
            &TimeZone::UTC,
        );
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].staff, ["bo"]);
        let alone = ring_order(
            Some(&owner),
            &[&owner],
            &CallRules::default(),
            now(),
            &TimeZone::UTC,
        );
        assert!(alone.is_empty(), "straight to voicemail: {alone:?}");
    }

    #[rstest]
    #[case::first_text_gets_the_words(
        "Sorry we missed your call. This is Sam at Lakeside, how can I help?",
        true,
        "Sorry we missed your call. This is Sam at Lakeside, how can I help? Reply STOP to opt out"
    )]
    #[case::a_known_number_does_not(
        "Sorry we missed your call.",
        false,
        "Sorry we missed your call."
    )]
    #[case::a_block_that_carries_them_keeps_its_own(
        "Missed you! reply stop to opt out",
        true,
        "Missed you! reply stop to opt out"
    )]
    #[case::a_sentence_is_closed_first("Call us back", true, "Call us back. Reply STOP to opt out")]
    fn the_first_text_back_carries_the_opt_out_words(
        #[case] body: &str,
        #[case] first: bool,
        #[case] sent: &str,
    ) {
        assert_eq!(
            text_back_body(body.to_owned(), "Reply STOP to opt out", first),
            sent
        );
    }

    #[rstest]
    #[case("completed", DialEnd::Answered, "connected")]
    #[case("answered", DialEnd::Answered, "connected")]
    #[case("no-answer", DialEnd::NotAnswered, "no_answer")]
    #[case("busy", DialEnd::NotAnswered, "no_answer")]
    #[case("canceled", DialEnd::NotAnswered, "no_answer")]
    #[case("failed", DialEnd::NotAnswered, "failed")]
    #[case("something-new", DialEnd::NotAnswered, "no_answer")]
    fn a_dial_status_reads_as_answered_or_not_and_as_an_outcome(
        #[case] status: &str,
        #[case] end: DialEnd,
        #[case] outcome: &str,
    ) {
        assert_eq!(DialEnd::of(status), end);
        assert_eq!(customer_outcome(status), outcome);
    }
}
