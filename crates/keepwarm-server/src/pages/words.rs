//! The timeline in words: one sentence per event, for people ("Text sent: Appointment options
//! (step 3 of New inquiry v1d12af)"), never JSON. Names and times go through [`Words`].

use keepwarm_domain::cadence::Channel;
use keepwarm_domain::TimelineEvent as E;

use super::format::Words;

/// The lead's cadence, for sentences about its steps: name and version.
#[derive(Debug, Clone, Copy)]
pub struct CadenceRef<'a> {
    /// The cadence's name.
    pub name: &'a str,
    /// Its version (a content hash).
    pub version: &'a str,
}

/// `Text`, `E-mail`, `Call`, `Voicemail`.
pub fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Sms => "Text",
        Channel::Email => "E-mail",
        Channel::Call => "Call",
        Channel::Voicemail => "Voicemail",
    }
}

/// A channel word as stored (`sms`, `email`, `call`, `voicemail`) for people.
pub fn channel_word(word: &str) -> String {
    match word.parse::<Channel>() {
        Ok(c) => channel(c).to_owned(),
        Err(_) => super::format::label(word),
    }
}

fn step_of(w: &Words, step: usize, cadence: Option<CadenceRef>) -> String {
    match cadence {
        Some(c) => {
            let short: String = c.version.chars().take(7).collect();
            format!("step {step} of {} v{short}", w.cadence(c.name))
        }
        None => format!("step {step}"),
    }
}

/// One event as a sentence.
pub fn describe(w: &Words, event: &E, cadence: Option<CadenceRef>) -> String {
    match event {
        E::Received(r) => match &r.source.provider {
            Some(p) => format!("Lead received from {p} ({})", r.source.kind),
            None => format!("Lead received ({})", r.source.kind),
        },
        E::Segmented(s) => format!(
            "Put in segment {} by rule {}",
            w.label(&s.segment),
            w.label(&s.rule)
        ),
        E::OwnerAssigned(o) => match (&o.from, &o.by) {
            (Some(from), Some(by)) => format!(
                "Reassigned from {} to {} by {}: {}",
                w.staff(from),
                w.staff(&o.owner),
                w.staff(by),
                o.reason
            ),
            _ => format!("Owner: {} ({})", w.staff(&o.owner), o.reason),
        },
        E::Enrolled(e) => {
            let short: String = e.version.chars().take(7).collect();
            format!("Enrolled in {} v{short}", w.cadence(&e.cadence))
        }
        E::NurtureEnrolled(n) => format!("Moved to {}: {}", w.cadence(&n.cadence), n.reason),
        E::CadenceCompleted(c) => format!("Every step of {} done", w.cadence(&c.cadence)),
        E::InquiryMerged(m) => format!("Another inquiry merged into this lead ({})", m.reason),
        E::InquiryRecorded(r) => format!("Another inquiry recorded ({})", r.reason),
        E::FollowUpReopened(r) => format!("Follow-up reopened: {}", r.reason),
        E::FollowUpPaused(p) => format!("Follow-up paused by {}: {}", w.staff(&p.by), p.reason),
        E::FollowUpResumed(r) => format!("Follow-up resumed by {}: {}", w.staff(&r.by), r.reason),
        E::FollowUpStopped(s) => format!("Follow-up stopped by {}: {}", w.staff(&s.by), s.reason),
        E::StageChanged(s) => format!(
            "Stage {} → {} by {}{}",
            w.label(s.from.as_str()),
            w.label(s.to.as_str()),
            w.staff(&s.by),
            s.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        E::OutcomeSkipped(o) => format!("Outcome not applied: {}", o.reason),
        E::ContactUnusable(c) => format!(
            "{} {} cannot be used: {}",
            w.label(&c.kind),
            c.value,
            c.reason
        ),
        E::TouchScheduled(t) => format!(
            "{} planned for {}: {} ({})",
            channel(t.channel),
            w.time(t.due_at),
            w.label(&t.block),
            step_of(w, t.step, cadence)
        ),
        E::TouchUnplannable(t) => format!("Step {} could not be planned: {}", t.step, t.reason),
        E::TouchSent(t) if t.mode.as_deref() == Some("task") => format!(
            "Call task for {}: {} ({})",
            t.to.as_deref().map(|s| w.staff(s)).unwrap_or_default(),
            w.label(&t.block),
            step_of(w, t.step, cadence)
        ),
        E::TouchSent(t) => format!(
            "{} sent: {} ({})",
            channel(t.channel),
            w.label(&t.block),
            step_of(w, t.step, cadence)
        ),
        E::TouchFailed(t) => format!("{} failed: {}", channel(t.channel), t.reason),
        E::TouchRerouted(t) => format!(
            "{} sent as {} instead: {}",
            channel(t.from),
            channel(t.to).to_lowercase(),
            t.reason
        ),
        E::TouchDelayed(t) => format!("Touch delayed until {}: {}", w.time(t.retry_at), t.reason),
        E::TouchDeferred(t) => format!(
            "{} moved to {}: {}",
            channel(t.channel),
            w.time(t.deferred_to),
            t.reason
        ),
        E::TouchSkipped(t) => format!(
            "{} skipped (step {}): {}",
            channel(t.channel),
            t.step,
            t.reason
        ),
        E::TouchCancelled(t) => format!("Step {} cancelled: {}", t.step, t.reason),
        E::TouchHeld(t) => format!("Touch held: {}", t.reason),
        E::TouchReleased(t) => format!("Touch scheduled again: {}", t.reason),
        E::TouchUncertain(t) => format!("Whether a touch went out is unknown: {}", t.reason),
        E::DeliveryStatus(d) => format!("Delivery: {}", w.label(&d.status)),
        E::CallAnswered(c) => format!("Call answered: {}", w.label(&c.outcome)),
        E::VoicemailLeft(_) => "Voicemail left".to_owned(),
        E::InboundMessage(m) => format!(
            "Customer wrote ({}): “{}”",
            channel_word(&m.channel).to_lowercase(),
            m.body
        ),
        E::InboundCall(m) => format!("Customer called from {}", m.from),
        E::OptOutPossible(o) => format!("Possible opt-out, automation held: “{}”", o.words),
        E::OptOutHoldConfirmed(d) => format!("Opt-out confirmed by {}", w.staff(&d.by)),
        E::OptOutHoldReleased(d) => format!("Held opt-out released by {}", w.staff(&d.by)),
        E::ChannelRevoked(c) => format!(
            "Customer opted out of {}: “{}”",
            c.channels.join(", "),
            c.words
        ),
        E::ConsentAlreadyRevoked(c) => format!("Customer opted out again: “{}”", c.words),
        E::ConsentRestored(_) => "Customer gave consent again".to_owned(),
        E::OptOutConfirmed(_) => "Opt-out confirmation sent".to_owned(),
        E::OptOutConfirmationFailed(_) => "Opt-out confirmation could not be sent".to_owned(),
        E::Escalated(e) => format!(
            "Escalated to {} ({}), answer by {}",
            w.staff(&e.assignee),
            e.intents
                .iter()
                .map(|i| w.label(i))
                .collect::<Vec<_>>()
                .join(", "),
            w.time(e.sla_due_at)
        ),
        E::EscalationBreached(e) => {
            format!("Escalation not answered in time; {} told", w.staff(&e.told))
        }
        E::EscalationUnanswered(_) => {
            "Escalation reached the end of its chain unanswered".to_owned()
        }
        E::EscalationAcknowledged(a) => format!(
            "Escalation answered by {} ({})",
            w.staff(&a.by),
            if a.within_sla { "in time" } else { "late" }
        ),
        E::EscalationReassigned(r) => match &r.by {
            Some(by) if r.reason.is_none() => format!(
                "Escalation moved from {} to {} by {}",
                w.staff(&r.from),
                w.staff(&r.to),
                w.staff(by)
            ),
            _ => format!(
                "Escalation moved from {} to {}",
                w.staff(&r.from),
                w.staff(&r.to)
            ),
        },
        E::EscalationClosed(c) => format!("Escalation closed: {}", c.reason),
        E::StaffNotified(n) => format!("{} alerted", w.staff(&n.staff)),
        E::StaffNotificationFailed(n) => {
            format!("Alert to {} could not be sent", w.staff(&n.staff))
        }
        E::ResumeHeldBack(r) => format!("Automation stays paused: {}", r.reason),
        E::GoingColdAlert(g) => format!(
            "{} told the lead is going cold: {}",
            w.staff(&g.manager),
            g.why
        ),
        E::GoingColdAlertFailed(g) => format!("Going-cold alert to {} failed", w.staff(&g.manager)),
        E::ManagerAlerted(m) => format!("{} alerted", w.staff(&m.manager)),
        E::ManagerAlertFailed(m) => format!("Alert to {} failed", w.staff(&m.manager)),
        E::StaffMessageQueued(m) => format!(
            "{} by {} queued: “{}”",
            channel(m.channel),
            w.staff(&m.by),
            m.body
        ),
        E::StaffMessageSent(m) => format!(
            "{} sent by {}: “{}”",
            channel(m.channel),
            w.staff(&m.by),
            m.body
        ),
        E::StaffMessageFailed(m) => format!(
            "{} by {} could not be sent{}",
            channel(m.channel),
            w.staff(&m.by),
            m.outbound
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ),
        E::TaskCreated(t) => format!(
            "{} task for {}, due {}",
            w.label(&t.kind),
            w.staff(&t.owner),
            w.time(t.due_at)
        ),
        E::TaskCompleted(t) | E::CallLogged(t) => format!(
            "{} done by {}: {}{}",
            w.label(&t.kind),
            w.staff(&t.by),
            w.label(&t.outcome),
            t.note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        ),
        E::TaskReassigned(t) => {
            format!("Task moved from {} to {}", w.staff(&t.from), w.staff(&t.to))
        }
        E::TaskClosed(t) => format!("{} task closed: {}", w.label(&t.kind), t.reason),
        E::AppointmentSet(a) => format!(
            "{} appointment set for {} by {}",
            w.label(a.kind.as_str()),
            w.time(a.starts_at),
            w.staff(&a.by)
        ),
        E::AppointmentMoved(a) => format!(
            "Appointment moved to {} by {}",
            w.time(a.starts_at),
            w.staff(&a.by)
        ),
        E::AppointmentConfirmed(_) => "Customer confirmed the appointment".to_owned(),
        E::AppointmentRescheduleRequested(_) => "Customer asked to move the appointment".to_owned(),
        E::AppointmentShowed(_) => "Customer came in".to_owned(),
        E::AppointmentCancelled(_) => "Appointment cancelled".to_owned(),
        E::AppointmentNoShow(_) => "Customer did not come to the appointment".to_owned(),
        E::LanguageChanged(l) => format!("Language set to {} from the customer's reply", l.to),
        E::HelpReplied(_) => {
            "HELP answered with the store's name, number and how to stop".to_owned()
        }
        E::HelpReplyFailed(_) => "HELP answer could not be sent".to_owned(),
        E::CustomerWaiting(c) => format!(
            "Customer waits on an answer{}",
            if c.hot { " (hot)" } else { "" }
        ),
        E::NoteAdded(n) => format!("Note by {}: {}", n.name, n.body),
        E::CallRequested(c) => format!("{} asked to call the customer", c.name),
        E::CallProgress(c) => {
            let mut line = format!("Call ({}, {} leg): {}", c.direction, c.leg, c.status);
            if let Some(outcome) = &c.outcome {
                line.push_str(&format!(", {}", w.label(outcome)));
            }
            if let Some(s) = c.duration_seconds {
                line.push_str(&format!(" after {}m{:02}s", s / 60, s % 60));
            }
            line
        }
        E::CallMissed(m) => format!(
            "Missed call from {}{}",
            m.from,
            if m.texted_back { "; texted back" } else { "" }
        ),
        E::VoicemailReceived(v) => format!("Voicemail left: {}", v.recording_url),
        E::MissedCallTexted(_) => "Missed-call text sent".to_owned(),
        E::MissedCallTextFailed(_) => "Missed-call text could not be sent".to_owned(),
        E::Other(o) => w.label(&o.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepwarm_domain::config::{load_config, starter};
    use keepwarm_domain::timeline::TouchSent;

    #[test]
    fn a_sent_touch_reads_as_the_issue_writes_it() {
        let config = load_config(&starter::files()).expect("starter").config;
        let w = Words::new(&config, "2026-12-02T18:00:00Z".parse().expect("now"));
        let sent: TouchSent = serde_json::from_value(serde_json::json!({
            "touch_id": 1, "step": 3, "channel": "sms", "block": "appointment_options",
            "sent_at": "2026-12-02T16:30:00Z"
        }))
        .expect("touch_sent");
        let cadence = CadenceRef {
            name: "new_inquiry",
            version: "1d12af0e99",
        };
        let text = describe(&w, &E::TouchSent(Box::new(sent)), Some(cadence));
        assert!(
            text.starts_with("Text sent: Appointment options (step 3 of New inquiry"),
            "{text}"
        );
        assert!(text.ends_with("v1d12af0)"), "{text}");
    }
}
