//! What dispatch reads from a claimed lead once: its stored document, the zone its calendar days are
//! counted in and its contact window. The send-time gate, the renderer and the planner of the next
//! step all need them; deriving them once per touch, and each distinct window once per batch, keeps
//! the gate cheap. Nothing here decides anything: the gate and the planner still run for every
//! touch with these facts as they are at send time.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::tz::TimeZone;
use keepwarm_domain::compliance::place::Recipient;
use keepwarm_domain::config::Config;
use keepwarm_domain::lead::LeadInput;
use keepwarm_domain::window::ContactWindow;
use keepwarm_domain::{EmailAddress, PhoneNumber};
use keepwarm_store::LeadRow;
use serde::Deserialize;

use crate::context::{window_for, zones_for};

/// A claimed lead's facts for dispatch.
pub(crate) struct LeadFacts {
    /// The first usable phone number (read and checked once: parsing it is the costly part).
    pub(crate) phone: Option<PhoneNumber>,
    /// The first usable e-mail address.
    pub(crate) email: Option<EmailAddress>,
    /// The lead's stored document, or why it cannot be read.
    pub(crate) input: Result<LeadInput, String>,
    /// Where the lead may be contacted, or `None` when its dealership is no longer configured.
    pub(crate) placed: Option<Placed>,
}

/// Where and when a lead may be contacted.
pub(crate) struct Placed {
    /// The zone for calendar-day arithmetic (the first zone the lead may be in).
    pub(crate) primary: TimeZone,
    /// Legal hours in every zone the lead may be in, with the dealership's business hours and
    /// holidays for the segment's department.
    pub(crate) window: Arc<ContactWindow>,
}

impl LeadFacts {
    /// The lead's document, or an empty one when it cannot be read (its phone still places it).
    pub(crate) fn input_or_default(&self) -> std::borrow::Cow<'_, LeadInput> {
        match &self.input {
            Ok(input) => std::borrow::Cow::Borrowed(input),
            Err(_) => std::borrow::Cow::Owned(LeadInput::default()),
        }
    }
}

/// Contact windows already built in one batch, by dealership, department and recipient (zones and
/// jurisdictions).
#[derive(Default)]
pub(crate) struct Windows {
    built: HashMap<(String, String, Recipient), Arc<ContactWindow>>,
}

impl Windows {
    /// The facts of `lead`, reading its document once and building its window only if no lead of
    /// the batch had the same one.
    pub(crate) fn facts(&mut self, config: &Config, lead: &LeadRow) -> LeadFacts {
        let input = LeadInput::deserialize(&lead.payload)
            .map(|mut input| {
                // "today" and a visit's age count from when the inquiry was made, as stored.
                input.received_at = Some(lead.received_at);
                input
            })
            .map_err(|e| format!("stored lead cannot be read: {e}"));
        let phone = lead.phone();
        let placed = config.dealership(Some(&lead.dealership)).map(|dealership| {
            let (zones, primary) = match &input {
                Ok(input) => zones_for(phone.as_ref(), input, dealership),
                Err(_) => zones_for(phone.as_ref(), &LeadInput::default(), dealership),
            };
            let department = config
                .segment(&lead.segment)
                .map_or("sales", |s| s.hours.as_str());
            let key = (dealership.id.clone(), department.to_owned(), zones);
            let window = match self.built.get(&key) {
                Some(window) => window.clone(),
                None => {
                    let window = Arc::new(window_for(config, &key.2, dealership, &lead.segment));
                    self.built.insert(key, window.clone());
                    window
                }
            };
            Placed { primary, window }
        });
        LeadFacts {
            email: lead.email(),
            phone,
            input,
            placed,
        }
    }
}
