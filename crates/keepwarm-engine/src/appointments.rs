//! Appointments once booked: what their messages say (placeholders, the calendar invite), what the
//! no-show timer. What a customer's confirm and reschedule replies do is the lead state machine's
//! (`keepwarm_domain::machine`, `reply.rs`).
//!
//! Booking, moving and closing appointments is [`crate::outcomes`]' job; this module only reacts.

use jiff::Timestamp;
use keepwarm_channels::Attachment;
use keepwarm_domain::appointment::{
    appointment_day, appointment_time, AppointmentKind, AppointmentStatus,
};
use keepwarm_domain::blocks::{MessageContext, Placeholder};
use keepwarm_domain::cadence::CadenceSnapshot;
use keepwarm_domain::config::Dealership;
use keepwarm_domain::ics::{render_invite, Invite};
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::routing::Staff;
use keepwarm_domain::timeline::AppointmentNoShow;
use keepwarm_domain::Stage;
use keepwarm_domain::TimelineEvent;
use keepwarm_store::{
    AppointmentRow, AppointmentWrite, Change, ClaimedTouch, IfMoved, LeadRow, NewEvent,
    OutcomeRecord, StoreError, TimerRow,
};

use crate::outcomes::is_appointment_cadence;
use crate::{Engine, EngineError, Result};

/// The invite's media type.
pub const INVITE_CONTENT_TYPE: &str = "text/calendar; method=REQUEST; charset=UTF-8";

impl Engine {
    /// For a touch of an appointment cadence: the appointment it is about, or why it no longer
    /// applies. `None` for other cadences.
    pub(crate) async fn appointment_for(
        &self,
        c: &ClaimedTouch,
        snapshot: &CadenceSnapshot,
    ) -> Result<Option<std::result::Result<AppointmentRow, String>>> {
        if !is_appointment_cadence(snapshot) {
            return Ok(None);
        }
        let now = self.now();
        Ok(Some(
            match self.store().latest_appointment(c.lead.id).await? {
                Some(a) if a.status == AppointmentStatus::RescheduleRequested => Err(
                    "the customer asked to move the appointment; its owner books the new time"
                        .into(),
                ),
                Some(a) if a.status.is_open() && a.starts_at > now => Ok(a),
                Some(a) => Err(format!(
                    "the appointment is no longer ahead ({}, starting {})",
                    a.status, a.starts_at
                )),
                None => Err("the lead has no appointment".into()),
            },
        ))
    }

    /// The `no_show` timer: an appointment still open at its end plus the grace period was missed.
    /// The appointment becomes `no_show` and the lead starts the no-show recovery cadence. A timer
    /// left over from before a reschedule finds the appointment not yet over and does nothing.
    pub(crate) async fn fire_no_show(
        &self,
        lead: &LeadRow,
        _timer: &TimerRow,
        now: Timestamp,
    ) -> Result<bool> {
        let rules = &self.config().appointments;
        let grace = jiff::SignedDuration::from_mins(i64::from(rules.no_show_grace_minutes));
        let Some(a) = self.store().latest_appointment(lead.id).await? else {
            return Ok(false);
        };
        let over = a.ends_at.checked_add(grace).unwrap_or(Timestamp::MAX);
        if !a.status.is_open() || over > now || lead.stage != Stage::AppointmentSet {
            return Ok(false);
        }
        let mut events = vec![NewEvent::new(
            now,
            TimelineEvent::AppointmentNoShow(AppointmentNoShow {
                appointment_id: a.id,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                grace_minutes: rules.no_show_grace_minutes,
                by: "keepwarm".into(),
            }),
        )];
        let enrollment = match (&rules.no_show_cadence, lead.opted_out) {
            (Some(cadence), false) => self.no_show_enrollment(lead, cadence, now, &mut events)?,
            _ => None,
        };
        let record = OutcomeRecord {
            lead: lead.id,
            now,
            by: "keepwarm".into(),
            stage: None,
            at: now,
            reason: None,
            via: "timer".into(),
            stop: Some("appointment missed".into()),
            appointment: Some(AppointmentWrite::Status {
                id: a.id,
                from: a.status,
                to: AppointmentStatus::NoShow,
            }),
            enrollment,
            timers: Vec::new(),
            events,
            tasks: vec![no_show_task(lead, &a, self.config(), now)],
        };
        let no_show = Change::Outcome {
            record: Box::new(record),
            closing: None,
            if_moved: IfMoved::Refuse,
        };
        // The appointment moved on (confirmed, showed, moved) since the timer looked: nothing to do.
        match self.apply_changes(lead.id, vec![no_show]).await {
            Ok(()) => Ok(true),
            Err(EngineError::Store(StoreError::Conflict(_))) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn no_show_enrollment(
        &self,
        lead: &LeadRow,
        cadence: &str,
        now: Timestamp,
        events: &mut Vec<NewEvent>,
    ) -> Result<Option<keepwarm_store::NewEnrollment>> {
        let Some(dealership) = self.config().dealership(Some(&lead.dealership)).cloned() else {
            return Ok(None);
        };
        let input: LeadInput = serde_json::from_value(lead.payload.clone()).unwrap_or_default();
        let phones: Vec<_> = lead.phone().into_iter().collect();
        let reachable = !phones.is_empty() || lead.email().is_some();
        if !reachable {
            return Ok(None);
        }
        let planned = self.plan_enrollment(
            &lead.segment,
            Some(cadence),
            &lead.owner_id,
            &input,
            &phones,
            reachable,
            &dealership,
            now,
            now,
        )?;
        events.extend(planned.events);
        Ok(Some(planned.enrollment))
    }
}

/// The owner's task for a missed appointment: a person calls, whatever the recovery cadence says.
fn no_show_task(
    lead: &LeadRow,
    appointment: &AppointmentRow,
    config: &keepwarm_domain::config::Config,
    now: Timestamp,
) -> keepwarm_store::NewTask {
    let who = lead
        .display_name
        .clone()
        .unwrap_or_else(|| format!("lead {}", lead.id));
    let when = config
        .dealership(Some(&lead.dealership))
        .map(|d| {
            format!(
                "{} at {}",
                appointment_day(appointment.starts_at, &d.time_zone),
                appointment_time(appointment.starts_at, &d.time_zone)
            )
        })
        .unwrap_or_else(|| appointment.starts_at.to_string());
    let phone = lead
        .phone()
        .map(|p| format!(" at {}", p.national()))
        .unwrap_or_default();
    keepwarm_store::NewTask {
        owner_id: lead.owner_id.clone(),
        kind: "call".into(),
        touch_id: None,
        due_at: now,
        body: format!(
            "{who} missed their {} appointment ({when}). Call them{phone} to find a better time.",
            appointment.kind
        ),
    }
}

/// Fills the appointment placeholders, in the dealership's zone.
pub(crate) fn add_appointment_context(
    context: &mut MessageContext,
    appointment: &AppointmentRow,
    dealership: &Dealership,
) {
    let zone = &dealership.time_zone;
    context.set(
        Placeholder::AppointmentDay,
        appointment_day(appointment.starts_at, zone),
    );
    context.set(
        Placeholder::AppointmentTime,
        appointment_time(appointment.starts_at, zone),
    );
}

/// The calendar invite for an appointment e-mail, when the customer has an address and the
/// dealership (or the owner) one to send from.
pub(crate) fn invite_attachment(
    c: &ClaimedTouch,
    appointment: &AppointmentRow,
    dealership: &Dealership,
    owner: Option<&Staff>,
    now: Timestamp,
) -> Option<Attachment> {
    let attendee = c.lead.email()?;
    let organizer = dealership
        .email
        .clone()
        .or_else(|| owner.and_then(|o| o.email.clone()))?;
    let domain = organizer
        .as_str()
        .rsplit_once('@')
        .map_or("keepwarm", |(_, d)| d)
        .to_owned();
    let what = match appointment.kind {
        AppointmentKind::Sales => "Visit",
        AppointmentKind::Service => "Service appointment",
    };
    let with = owner
        .map(|o| format!("With {} at {}.", o.name, dealership.name))
        .unwrap_or_else(|| format!("At {}.", dealership.name));
    let phone = dealership
        .phone
        .as_ref()
        .map(|p| format!(" To move it, reply or call {}.", p.national()))
        .unwrap_or_else(|| " To move it, just reply.".into());
    let invite = Invite {
        uid: format!("appointment-{}@{domain}", appointment.id),
        sequence: u32::try_from(appointment.sequence).unwrap_or(0),
        stamp: now,
        start: appointment.starts_at,
        end: appointment.ends_at,
        summary: format!("{what} at {}", dealership.brand),
        description: Some(format!("{with}{phone}")),
        location: dealership.address.clone(),
        organizer_name: dealership.name.clone(),
        organizer_email: organizer.as_str().to_owned(),
        attendee_name: c.lead.display_name.clone(),
        attendee_email: attendee.as_str().to_owned(),
    };
    Some(Attachment {
        filename: "invite.ics".into(),
        content_type: INVITE_CONTENT_TYPE.into(),
        data: render_invite(&invite).into_bytes(),
    })
}
