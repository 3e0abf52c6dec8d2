//! What the engine tells operators about its work: Prometheus counters and histograms, and one
//! log line per meaningful event (lead received, touch finished, provider error, reply received,
//! escalation opened/breached/acknowledged, opt-out).
//!
//! Both speak in ids, kinds and counts only. A lead's phone number, e-mail address, name or message
//! body never reaches a label or a log line from here, and neither does a provider's error text
//! (Twilio and SMTP errors can quote the recipient): a provider error is logged by its kind and its
//! numeric code ([`provider_code`]). The full text stays on the lead's timeline, behind the API
//! token.
//!
//! The metrics live in this engine's own [`Telemetry`], not in a process-wide recorder, so two
//! engines in one process (the tests) never count each other's work. The server registers them
//! with [`Telemetry::register`] next to its own HTTP metrics and the gauges it reads from the store
//! at scrape time.

use std::collections::HashMap;

use jiff::Timestamp;
use keepwarm_channels::ChannelError;
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::{LeadId, SourceKind};
use keepwarm_store::{EscalationRow, TouchOutcome, TouchResult};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The engine's counters and histograms.
#[derive(Debug, Clone)]
pub struct Telemetry {
    touches: Family<TouchLabels, Counter>,
    dispatch_lag: Histogram,
    provider_errors: Family<ProviderErrorLabels, Counter>,
    inbound: Family<InboundLabels, Counter>,
    intake: Family<IntakeLabels, Counter>,
    escalations_opened: Counter,
    escalations_breached: Counter,
    time_to_acknowledge: Histogram,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TouchLabels {
    channel: String,
    result: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderErrorLabels {
    channel: String,
    kind: String,
    code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InboundLabels {
    label: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IntakeLabels {
    source: String,
    action: String,
}

impl Default for Telemetry {
    fn default() -> Self {
        Self {
            touches: Family::default(),
            // 1 s to about 1.5 days: a touch sent on time is in the first bucket, one held back
            // by an outage or a backlog shows where it waited.
            dispatch_lag: Histogram::new(exponential_buckets(1.0, 4.0, 10)),
            provider_errors: Family::default(),
            inbound: Family::default(),
            intake: Family::default(),
            escalations_opened: Counter::default(),
            escalations_breached: Counter::default(),
            // 30 s to about 8.5 hours.
            time_to_acknowledge: Histogram::new(exponential_buckets(30.0, 2.0, 10)),
        }
    }
}

impl Telemetry {
    /// Registers every metric under `registry` (which gives them their `keepwarm_` prefix).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "touches",
            "Touches finished by the dispatcher, by channel and result",
            self.touches.clone(),
        );
        registry.register(
            "dispatch_lag_seconds",
            "How long after its due time a touch was handed to its channel",
            self.dispatch_lag.clone(),
        );
        registry.register(
            "provider_errors",
            "Provider refusals and failures, by channel, kind and the provider's numeric code",
            self.provider_errors.clone(),
        );
        registry.register(
            "inbound_messages",
            "Customer replies received, by the classifier's label (none when it found none)",
            self.inbound.clone(),
        );
        registry.register(
            "intake_leads",
            "Inquiries taken in, by lead source and what intake did with them",
            self.intake.clone(),
        );
        registry.register(
            "escalations_opened",
            "Hot replies handed to a person",
            self.escalations_opened.clone(),
        );
        registry.register(
            "escalations_breached",
            "Escalation deadlines that passed without an acknowledgement",
            self.escalations_breached.clone(),
        );
        registry.register(
            "escalation_time_to_acknowledge_seconds",
            "From an escalation's opening to its acknowledgement",
            self.time_to_acknowledge.clone(),
        );
    }

    /// An inquiry went through intake.
    pub(crate) fn lead_received(&self, source: SourceKind, lead: i64, action: &str) {
        self.intake
            .get_or_create(&IntakeLabels {
                source: source.as_str().to_owned(),
                action: action.to_owned(),
            })
            .inc();
        tracing::info!(lead, source = source.as_str(), action, "lead received");
    }

    /// A batch of touches was recorded; `claims` gives each touch's channel and due time.
    pub(crate) fn touches_finished(
        &self,
        outcomes: &[TouchOutcome],
        claims: &HashMap<i64, (ChannelKind, Timestamp)>,
    ) {
        for o in outcomes {
            let Some((channel, due_at)) = claims.get(&o.touch_id) else {
                continue;
            };
            let result = result_word(&o.result);
            self.touches
                .get_or_create(&TouchLabels {
                    channel: channel.as_str().to_owned(),
                    result: result.to_owned(),
                })
                .inc();
            if let TouchResult::Sent { .. } = o.result {
                let lag = o.at.duration_since(*due_at).as_secs_f64().max(0.0);
                self.dispatch_lag.observe(lag);
            }
            tracing::info!(
                touch = o.touch_id,
                lead = o.lead_id.0,
                channel = channel.as_str(),
                result,
                "touch finished"
            );
        }
    }

    /// A channel refused or failed a message (`touch` is `None` for a queued staff alert).
    pub(crate) fn provider_error(
        &self,
        channel: ChannelKind,
        touch: Option<i64>,
        error: &ChannelError,
    ) {
        let kind = error_kind(error);
        let code =
            provider_code(error_text(error)).map_or_else(|| "none".to_owned(), |c| c.to_string());
        self.provider_errors
            .get_or_create(&ProviderErrorLabels {
                channel: channel.as_str().to_owned(),
                kind: kind.to_owned(),
                code: code.clone(),
            })
            .inc();
        tracing::warn!(
            touch,
            channel = channel.as_str(),
            kind,
            code,
            "provider refused or failed a message (its text is on the timeline)"
        );
    }

    /// A customer's reply was recorded (not a replay) with the classifier's labels.
    pub(crate) fn reply_received(&self, lead: LeadId, labels: &[&str], escalation: Option<i64>) {
        if labels.is_empty() {
            self.inbound
                .get_or_create(&InboundLabels {
                    label: "none".to_owned(),
                })
                .inc();
        }
        for label in labels {
            self.inbound
                .get_or_create(&InboundLabels {
                    label: (*label).to_owned(),
                })
                .inc();
        }
        tracing::info!(
            lead = lead.0,
            labels = labels.join(","),
            escalation,
            "reply received"
        );
        if let Some(escalation) = escalation {
            self.escalations_opened.inc();
            tracing::info!(escalation, lead = lead.0, "escalation opened");
        }
    }

    /// An escalation's deadline passed without an acknowledgement and it moved up its chain.
    pub(crate) fn escalation_breached(&self, e: &EscalationRow, level: i64) {
        self.escalations_breached.inc();
        tracing::info!(
            escalation = e.id,
            lead = e.lead_id.0,
            level,
            "escalation breached"
        );
    }

    /// A person acknowledged an escalation at `now`.
    pub(crate) fn escalation_acknowledged(&self, e: &EscalationRow, now: Timestamp) {
        let waited = now.duration_since(e.created_at).as_secs_f64().max(0.0);
        self.time_to_acknowledge.observe(waited);
        tracing::info!(
            escalation = e.id,
            lead = e.lead_id.0,
            seconds = waited.round() as i64,
            within_sla = now <= e.sla_due_at,
            "escalation acknowledged"
        );
    }

    /// A lead's follow-up stopped because the customer opted out (`via` says how: a reply, the
    /// carrier, a person).
    pub(crate) fn opted_out(&self, lead: LeadId, via: &str) {
        tracing::info!(lead = lead.0, via, "opt-out recorded");
    }
}

/// The word for a touch's result on metrics and logs.
fn result_word(result: &TouchResult) -> &'static str {
    match result {
        TouchResult::Sent { .. } => "sent",
        TouchResult::Reroute { .. } => "rerouted",
        TouchResult::Skipped { .. } => "skipped",
        TouchResult::Held => "held",
        TouchResult::Failed { .. } => "failed",
        TouchResult::Retry { .. } => "deferred",
        TouchResult::Ended { .. } => "ended",
    }
}

/// The kind of a channel error, as a label.
fn error_kind(error: &ChannelError) -> &'static str {
    match error {
        ChannelError::OptedOut(_) => "opted_out",
        ChannelError::Unreachable(_) => "unreachable",
        ChannelError::Rejected(_) => "rejected",
        ChannelError::Unavailable(_) => "unavailable",
        ChannelError::Uncertain(_) => "uncertain",
    }
}

fn error_text(error: &ChannelError) -> &str {
    match error {
        ChannelError::OptedOut(t)
        | ChannelError::Unreachable(t)
        | ChannelError::Rejected(t)
        | ChannelError::Unavailable(t)
        | ChannelError::Uncertain(t) => t,
    }
}

/// A provider's numeric error code, read only where the adapters write one: `Twilio 21610: …`,
/// `… code Some(20003) …` (Twilio), `SMTP server refused permanently (550)` and the other SMTP
/// forms. Three to five digits right after a known prefix: a phone number elsewhere in the text is
/// never taken for a code.
pub fn provider_code(text: &str) -> Option<u32> {
    const PREFIXES: [&str; 5] = [
        "Twilio ",
        "code Some(",
        "refused permanently (",
        "failed for now (",
        "configuration problem (",
    ];
    PREFIXES.iter().find_map(|prefix| {
        let start = text.find(prefix)? + prefix.len();
        let rest = &text[start..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = rest.as_bytes().get(digits);
        let closed = matches!(after, Some(b':' | b')'));
        ((3..=5).contains(&digits) && closed)
            .then(|| rest[..digits].parse().ok())
            .flatten()
    })
}

/// A channel error for a log line: its kind and code, never its text.
pub(crate) fn redacted(error: &ChannelError) -> String {
    redacted_text(error_kind(error), error_text(error))
}

/// A provider's error text for a log line: `what` and the provider's code, never the text itself.
pub(crate) fn redacted_text(what: &str, text: &str) -> String {
    match provider_code(text) {
        Some(code) => format!("{what} (code {code})"),
        None => what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_are_read_from_the_adapters_formats_only() {
        let cases = [
            ("Twilio 21610: the recipient has opted out: Attempt to send to unsubscribed recipient", Some(21610)),
            ("Twilio rejected the request (HTTP 400, code Some(21211)): The 'To' number +15551234567 is not valid", Some(21211)),
            ("Twilio unavailable after 3 attempt(s) (HTTP Some(503), code None): down", None),
            ("SMTP server refused permanently (550): no such user", Some(550)),
            ("SMTP sending failed for now (451): try later", Some(451)),
            ("the number +15551234567 is not reachable", None),
            ("Twilio 15551234567: not a code", None),
        ];
        for (text, expected) in cases {
            assert_eq!(provider_code(text), expected, "{text}");
        }
    }

    #[test]
    fn a_redacted_error_keeps_its_kind_and_code_but_not_the_number_it_quotes() {
        let error = ChannelError::Unreachable(
            "Twilio 21211: the recipient's number is unusable: The 'To' number +15551234567 is not a valid phone number".into(),
        );
        let line = redacted(&error);
        assert_eq!(line, "unreachable (code 21211)");
        assert!(!line.contains("555"));
    }
}
