//! Messages to staff that transitions queue: escalation alerts and "going cold" alerts to managers.
//!
//! Each is a [`NewOutbound`] for the durable queue, carrying the timeline events to record when
//! the channel takes it or refuses it for good. Nothing here sends anything.

use jiff::Timestamp;

use super::payload::{NewEvent, NewOutbound, OutboundPurpose, ESCALATION_ID};
use super::state::LeadState;
use crate::cadence::Channel;
use crate::config::Config;
use crate::routing::Staff;
use crate::timeline::{
    GoingColdAlert, GoingColdAlertFailed, OutboundNote, StaffNotificationFailed, StaffNotified,
};
use crate::{LeadId, TimelineEvent};

/// A staff member's own address for alerts: their phone by text, else their e-mail.
pub fn staff_address(staff: &Staff) -> Option<(Channel, String)> {
    match (&staff.phone, &staff.email) {
        (Some(p), _) => Some((Channel::Sms, p.as_str().to_owned())),
        (None, Some(e)) => Some((Channel::Email, e.as_str().to_owned())),
        (None, None) => None,
    }
}

/// A message to `staff` about a lead (or about no lead), to be queued, through their own address
/// ([`staff_address`]); `None` when they have no phone or e-mail.
#[allow(
    clippy::too_many_arguments,
    reason = "a flat description of one message"
)]
pub fn staff_alert(
    purpose: OutboundPurpose,
    lead: Option<LeadId>,
    dealership: &str,
    staff: &Staff,
    subject: String,
    body: String,
    on_sent: NewEvent,
    on_failed: NewEvent,
    now: Timestamp,
) -> Option<NewOutbound> {
    let (channel, recipient) = staff_address(staff)?;
    Some(staff_message(
        purpose, lead, dealership, channel, recipient, subject, body, on_sent, on_failed, now,
    ))
}

/// A message to a staff member at `recipient` on `channel` (a phone number or an e-mail address),
/// to be queued; the timeline records `on_sent` when the channel takes it and `on_failed` when it
/// refuses it for good.
#[allow(
    clippy::too_many_arguments,
    reason = "a flat description of one message"
)]
pub fn staff_message(
    purpose: OutboundPurpose,
    lead: Option<LeadId>,
    dealership: &str,
    channel: Channel,
    recipient: String,
    subject: String,
    body: String,
    on_sent: NewEvent,
    on_failed: NewEvent,
    now: Timestamp,
) -> NewOutbound {
    NewOutbound {
        lead_id: lead,
        purpose,
        channel: channel.as_str().to_owned(),
        recipient_kind: "staff".to_owned(),
        recipient,
        subject: Some(subject),
        body,
        attachments: Vec::new(),
        dealership: dealership.to_owned(),
        dedupe_key: None,
        on_sent: Some(Box::new(on_sent)),
        on_failed: Some(Box::new(on_failed)),
        due_at: now,
        sender: None,
    }
}

/// The alert about escalation `escalation` (or, with `None`, the one opened in the same change set)
/// on `lead` of `dealership` to `staff`; `None` when they have no phone or e-mail.
pub fn escalation_alert(
    lead: LeadId,
    dealership: &str,
    staff: &Staff,
    escalation: Option<i64>,
    text: &str,
    now: Timestamp,
) -> Option<NewOutbound> {
    let (_, to) = staff_address(staff)?;
    let subject_id = escalation.map_or(ESCALATION_ID.to_owned(), |e| e.to_string());
    staff_alert(
        OutboundPurpose::StaffAlert,
        Some(lead),
        dealership,
        staff,
        format!("Hot lead: escalation {subject_id}"),
        text.to_owned(),
        NewEvent::new(
            now,
            TimelineEvent::StaffNotified(StaffNotified {
                escalation_id: escalation,
                staff: staff.id.clone(),
                to,
                outbound: OutboundNote::default(),
            }),
        ),
        NewEvent::new(
            now,
            TimelineEvent::StaffNotificationFailed(StaffNotificationFailed {
                escalation_id: escalation,
                staff: staff.id.clone(),
                outbound: OutboundNote::default(),
            }),
        ),
        now,
    )
}

/// The manager of the team the lead's segment routes to, if the team has one configured.
pub(crate) fn team_manager<'c>(config: &'c Config, lead: &LeadState) -> Option<&'c Staff> {
    let team = config.routes.get(&lead.segment)?;
    config
        .teams
        .iter()
        .find(|t| &t.name == team)
        .and_then(|t| t.manager.as_deref())
        .and_then(|m| config.staff_member(m))
}

/// A "going cold" alert about `lead` for its team's manager, if the team has one to tell.
pub(crate) fn going_cold_alert(
    config: &Config,
    lead: &LeadState,
    why: &str,
    now: Timestamp,
) -> Option<NewOutbound> {
    let manager = team_manager(config, lead)?;
    let customer = lead.customer();
    let text = format!("GOING COLD: {customer} (lead {}): {why}.", lead.id);
    staff_alert(
        OutboundPurpose::ManagerAlert,
        Some(lead.id),
        &lead.dealership,
        manager,
        format!("Going cold: {customer}"),
        text,
        NewEvent::new(
            now,
            TimelineEvent::GoingColdAlert(GoingColdAlert {
                manager: manager.id.clone(),
                owner: lead.owner.clone(),
                why: why.to_owned(),
                outbound: OutboundNote::default(),
            }),
        ),
        NewEvent::new(
            now,
            TimelineEvent::GoingColdAlertFailed(GoingColdAlertFailed {
                manager: manager.id.clone(),
                outbound: OutboundNote::default(),
            }),
        ),
        now,
    )
}

/// The first `max` characters of `text`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
