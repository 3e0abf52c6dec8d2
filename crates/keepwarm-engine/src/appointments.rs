//! Appointments once booked: what their messages say (placeholders, the calendar invite) and which
//! appointment a reminder is about. What a customer's confirm and reschedule replies do, and what
//! the no-show timer does, is the lead state machine's (`keepwarm_domain::machine`, `reply.rs`,
//! `no_show.rs`).
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
use keepwarm_domain::routing::Staff;
use keepwarm_store::{AppointmentRow, ClaimedTouch};

use crate::outcomes::is_appointment_cadence;
use crate::{Engine, Result};

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
