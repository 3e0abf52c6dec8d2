//! The weekly compliance report: what the gate deferred and why, what the kill switch held and the
//! do-not-call list skipped, every opt-out and how long it took to honour, and the automated
//! touches sent to a contact after it revoked that channel (must be 0). Pure: built from the
//! week's timeline events, which the engine reads.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// One timeline event the report reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportEvent {
    /// The lead.
    pub lead: i64,
    /// When.
    pub at: Timestamp,
    /// The kind (`touch_deferred`).
    pub kind: String,
    /// The data.
    pub data: Value,
}

/// One opt-out and how long it took to honour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OptOutRow {
    /// The lead.
    pub lead: i64,
    /// When the customer asked.
    #[schema(value_type = String)]
    pub asked_at: Timestamp,
    /// When automation stopped (the revocation, or a person's confirmation of a held one).
    #[schema(value_type = String)]
    pub honoured_at: Timestamp,
    /// Seconds between the two.
    pub seconds: i64,
    /// The channels revoked.
    pub channels: Vec<String>,
}

/// The report of one week for one dealership.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComplianceReport {
    /// The dealership.
    pub dealership: String,
    /// The ISO week.
    pub week: String,
    /// Its start and end (exclusive).
    #[schema(value_type = String)]
    pub start: Timestamp,
    /// Its end.
    #[schema(value_type = String)]
    pub end: Timestamp,
    /// Deferrals by the rule that deferred them (`contact_window`, `frequency_cap`).
    pub deferrals_by_rule: BTreeMap<String, u64>,
    /// Touches held by a kill switch.
    pub held_by_kill_switch: u64,
    /// Touch steps skipped because the number is on the do-not-call list.
    pub skipped_do_not_call: u64,
    /// Touch steps skipped for revoked consent.
    pub skipped_revoked: u64,
    /// Every opt-out of the week with the time taken to honour it.
    pub opt_outs: Vec<OptOutRow>,
    /// The longest time taken to honour an opt-out, in seconds.
    pub longest_honour_seconds: Option<i64>,
    /// Re-subscriptions (START, UNSTOP).
    pub resubscribed: u64,
    /// Automated touches sent on a channel after the contact revoked it (must be 0).
    pub sent_after_revocation: u64,
    /// Marketing call and text steps skipped because the contact's consent basis was short of what
    /// its jurisdictions require (the owner was asked to get consent).
    pub skipped_consent_basis: u64,
    /// Automated marketing calls and texts sent on a consent basis short of the one required, as
    /// recorded when each was sent (must be 0).
    pub sent_without_sufficient_basis: u64,
    /// The week's new leads by source (`internet (Cars.com)`), each with how many the evidence
    /// gives each basis for texts to their phone (`express_written`, `express`, `none`).
    pub consent_by_source: BTreeMap<String, BTreeMap<String, u64>>,
    /// What the report cannot say yet.
    pub not_tracked: Vec<String>,
}

/// Builds the report from the week's events (oldest first).
pub fn build(
    dealership: &str,
    week: &str,
    (start, end): (Timestamp, Timestamp),
    events: &[ReportEvent],
) -> ComplianceReport {
    let mut r = ComplianceReport {
        dealership: dealership.to_owned(),
        week: week.to_owned(),
        start,
        end,
        deferrals_by_rule: BTreeMap::new(),
        held_by_kill_switch: 0,
        skipped_do_not_call: 0,
        skipped_revoked: 0,
        opt_outs: Vec::new(),
        longest_honour_seconds: None,
        resubscribed: 0,
        sent_after_revocation: 0,
        skipped_consent_basis: 0,
        sent_without_sufficient_basis: 0,
        consent_by_source: BTreeMap::new(),
        not_tracked: vec![
            "consent coverage counts leads received this week whose phone is known; leads received before consent was recorded (older versions) are not counted".into(),
        ],
    };
    // Per lead: the last opt-out request not yet honoured, and the channels revoked so far.
    let mut asked: BTreeMap<i64, Timestamp> = BTreeMap::new();
    let mut revoked: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    for e in events {
        match e.kind.as_str() {
            "touch_deferred" => {
                *r.deferrals_by_rule
                    .entry(text(&e.data, "rule"))
                    .or_default() += 1;
            }
            "touch_held" if text(&e.data, "reason").starts_with("kill switch") => {
                r.held_by_kill_switch += 1;
            }
            "touch_skipped" => {
                let reason = text(&e.data, "reason");
                if reason.contains("Do Not Call") {
                    r.skipped_do_not_call += 1;
                } else if reason.starts_with("an automated marketing") && reason.contains("consent")
                {
                    r.skipped_consent_basis += 1;
                } else if reason.contains("revoked consent") {
                    r.skipped_revoked += 1;
                }
            }
            "inbound_message" | "opt_out_possible" => {
                let intents = &e.data["classification"]["intents"];
                let opt_out = intents
                    .as_array()
                    .is_some_and(|a| a.iter().any(|i| i == "opt_out"));
                if opt_out || e.kind == "opt_out_possible" {
                    asked.entry(e.lead).or_insert(e.at);
                }
            }
            "channel_revoked" | "follow_up_stopped" => {
                let channels: Vec<String> = if e.kind == "follow_up_stopped" {
                    if e.data["opted_out"] != true {
                        continue;
                    }
                    vec!["all".to_owned()]
                } else {
                    e.data["channels"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|c| c.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                // An e-mail opt-out records the revocation and the stop at the same instant: one.
                if r.opt_outs
                    .last()
                    .is_some_and(|o| o.lead == e.lead && o.honoured_at == e.at)
                {
                    continue;
                }
                let asked_at = asked.remove(&e.lead).unwrap_or(e.at);
                let seconds = e.at.as_second() - asked_at.as_second();
                r.opt_outs.push(OptOutRow {
                    lead: e.lead,
                    asked_at,
                    honoured_at: e.at,
                    seconds,
                    channels: channels.clone(),
                });
                revoked.entry(e.lead).or_default().extend(channels);
            }
            "consent_restored" => {
                r.resubscribed += 1;
                revoked.remove(&e.lead);
            }
            "received" => {
                if let Some(basis) = e.data["consent"].as_str() {
                    let source = &e.data["source"];
                    let name = match source["provider"].as_str() {
                        Some(p) => format!("{} ({p})", text(source, "kind")),
                        None => text(source, "kind"),
                    };
                    *r.consent_by_source
                        .entry(name)
                        .or_default()
                        .entry(basis.to_owned())
                        .or_default() += 1;
                }
            }
            "touch_sent" => {
                let consent = &e.data["consent"];
                if let (Some(held), Some(required)) =
                    (consent["basis"].as_str(), consent["required"].as_str())
                {
                    if basis_rank(held) < basis_rank(required) {
                        r.sent_without_sufficient_basis += 1;
                    }
                }
                let channel = text(&e.data, "channel");
                let word = if channel == "voicemail" {
                    "call"
                } else {
                    channel.as_str()
                };
                if revoked
                    .get(&e.lead)
                    .is_some_and(|c| c.iter().any(|c| c == "all" || c == word))
                {
                    r.sent_after_revocation += 1;
                }
            }
            _ => {}
        }
    }
    r.longest_honour_seconds = r.opt_outs.iter().map(|o| o.seconds).max();
    r
}

/// A basis word's strength, for comparing what was held with what was required.
fn basis_rank(word: &str) -> u8 {
    match word {
        "express_written" => 2,
        "express" => 1,
        _ => 0,
    }
}

/// The report as Markdown.
pub fn render_markdown(r: &ComplianceReport) -> String {
    let mut out = format!(
        "# Compliance report: {} {}\n\n{} to {}. Not legal advice.\n\n## Deferrals by rule\n\n",
        r.dealership, r.week, r.start, r.end
    );
    if r.deferrals_by_rule.is_empty() {
        out.push_str("None.\n");
    }
    for (rule, n) in &r.deferrals_by_rule {
        out.push_str(&format!("- {rule}: {n}\n"));
    }
    out.push_str(&format!(
        "\n## Held and skipped\n\n- held by a kill switch: {}\n- skipped, do-not-call list: {}\n- skipped, consent revoked: {}\n",
        r.held_by_kill_switch, r.skipped_do_not_call, r.skipped_revoked
    ));
    out.push_str(&format!(
        "\n## Opt-outs\n\n{} opt-outs; longest time to honour: {}; re-subscribed: {}\n\n",
        r.opt_outs.len(),
        r.longest_honour_seconds
            .map_or("-".to_owned(), |s| format!("{s} s")),
        r.resubscribed
    ));
    for o in &r.opt_outs {
        out.push_str(&format!(
            "- lead {}: asked {}, honoured {} ({} s), {}\n",
            o.lead,
            o.asked_at,
            o.honoured_at,
            o.seconds,
            o.channels.join(", ")
        ));
    }
    out.push_str(&format!(
        "\n## Sent after a revocation (must be 0)\n\n{}\n\n## Consent\n\n- marketing calls and texts skipped for want of a sufficient basis: {}\n- sent without a sufficient basis (must be 0): {}\n\nNew leads by source and the basis their evidence gives texts:\n\n",
        r.sent_after_revocation, r.skipped_consent_basis, r.sent_without_sufficient_basis
    ));
    if r.consent_by_source.is_empty() {
        out.push_str("None.\n");
    }
    for (source, bases) in &r.consent_by_source {
        let counts: Vec<String> = bases.iter().map(|(b, n)| format!("{b} {n}")).collect();
        out.push_str(&format!("- {source}: {}\n", counts.join(", ")));
    }
    out.push_str("\n## Not tracked yet\n\n");
    for n in &r.not_tracked {
        out.push_str(&format!("- {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn ev(lead: i64, t: &str, kind: &str, data: Value) -> ReportEvent {
        ReportEvent {
            lead,
            at: at(t),
            kind: kind.into(),
            data,
        }
    }

    #[test]
    fn the_report_counts_deferrals_holds_opt_outs_and_sends_after_a_revocation() {
        let events = [
            ev(
                1,
                "2026-12-01T10:00:00Z",
                "touch_deferred",
                json!({"rule": "contact_window"}),
            ),
            ev(
                1,
                "2026-12-01T10:00:00Z",
                "touch_deferred",
                json!({"rule": "frequency_cap"}),
            ),
            ev(
                2,
                "2026-12-01T10:00:00Z",
                "touch_deferred",
                json!({"rule": "contact_window"}),
            ),
            ev(
                2,
                "2026-12-01T11:00:00Z",
                "touch_held",
                json!({"reason": "kill switch engaged for dealership main"}),
            ),
            ev(
                2,
                "2026-12-01T11:00:00Z",
                "touch_held",
                json!({"reason": "follow-up is paused"}),
            ),
            ev(
                3,
                "2026-12-01T12:00:00Z",
                "touch_skipped",
                json!({"reason": "+1 is on the National Do Not Call list"}),
            ),
            ev(
                4,
                "2026-12-01T13:00:00Z",
                "opt_out_possible",
                json!({"words": "enough"}),
            ),
            ev(
                4,
                "2026-12-01T13:30:00Z",
                "channel_revoked",
                json!({"channels": ["all"]}),
            ),
            ev(
                5,
                "2026-12-01T14:00:00Z",
                "inbound_message",
                json!({"classification": {"intents": ["opt_out"]}}),
            ),
            ev(
                5,
                "2026-12-01T14:00:00Z",
                "channel_revoked",
                json!({"channels": ["sms"]}),
            ),
            ev(
                5,
                "2026-12-02T14:00:00Z",
                "touch_sent",
                json!({"channel": "email"}),
            ),
            ev(
                5,
                "2026-12-02T15:00:00Z",
                "touch_sent",
                json!({"channel": "sms"}),
            ),
            ev(
                6,
                "2026-12-02T15:00:00Z",
                "received",
                json!({"source": {"kind": "internet", "provider": "Cars.com"}, "consent": "express_written"}),
            ),
            ev(
                7,
                "2026-12-02T15:00:00Z",
                "received",
                json!({"source": {"kind": "phone"}, "consent": "express"}),
            ),
            ev(
                8,
                "2026-12-02T15:00:00Z",
                "received",
                json!({"source": {"kind": "phone"}, "consent": "express"}),
            ),
            ev(
                7,
                "2026-12-03T15:00:00Z",
                "touch_skipped",
                json!({"reason": "an automated marketing sms needs express_written consent (US.consent) and the customer's evidence gives express"}),
            ),
            ev(
                6,
                "2026-12-03T15:00:00Z",
                "touch_sent",
                json!({"channel": "sms", "consent": {"basis": "express_written", "required": "express_written"}}),
            ),
            ev(
                8,
                "2026-12-03T15:00:00Z",
                "touch_sent",
                json!({"channel": "sms", "consent": {"basis": "express", "required": "express_written"}}),
            ),
        ];
        let r = build(
            "main",
            "2026-W49",
            (at("2026-11-30T06:00:00Z"), at("2026-12-07T06:00:00Z")),
            &events,
        );
        assert_eq!(r.skipped_consent_basis, 1);
        assert_eq!(r.sent_without_sufficient_basis, 1);
        assert_eq!(
            r.consent_by_source["internet (Cars.com)"]["express_written"],
            1
        );
        assert_eq!(r.consent_by_source["phone"]["express"], 2);
        assert_eq!(r.deferrals_by_rule.get("contact_window"), Some(&2));
        assert_eq!(r.deferrals_by_rule.get("frequency_cap"), Some(&1));
        assert_eq!((r.held_by_kill_switch, r.skipped_do_not_call), (1, 1));
        assert_eq!(r.opt_outs.len(), 2);
        assert_eq!(r.opt_outs[0].seconds, 1800);
        assert_eq!(r.opt_outs[1].seconds, 0);
        assert_eq!(r.longest_honour_seconds, Some(1800));
        assert_eq!(r.sent_after_revocation, 1);
        let md = render_markdown(&r);
        assert!(
            md.contains("frequency_cap: 1")
                && md.contains("must be 0")
                && md.contains("- phone: express 2")
                && md.contains("sent without a sufficient basis (must be 0): 1"),
            "{md}"
        );
    }
}
