//! What a message to a lead is made of, worked out from the lead's own data: the language to write
//! in, the placeholder values (from the lead, its owner and its dealership, worded in that
//! language), and the zones and contact window its legal hours are read in.
//!
//! Pure functions over the lead document and the configuration; the language the customer's own
//! words are written in comes in already detected (the classifier runs at the edge).

use crate::blocks::{MessageContext, Placeholder};
use crate::compliance::place::{address_jurisdiction, recipient_jurisdictions, Recipient};
use crate::config::{Config, Dealership};
use crate::language::{lead_language, visit_day};
use crate::lead::{LeadInput, VehicleInput, VehicleInterest};
use crate::plan::{recipient_window, recipient_zones, OwnHours};
use crate::routing::Staff;
use crate::window::ContactWindow;
use crate::PhoneNumber;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The language to write to a lead in: the lead document's, else `comments_language` (the language
/// of the customer's own words on it, their comments, as the reply classifier reads them), else the
/// dealership's.
pub fn language_for(
    lead: &LeadInput,
    config: &Config,
    dealership: &Dealership,
    comments_language: Option<&str>,
) -> String {
    lead_language(
        lead,
        comments_language,
        &dealership.language,
        &config.languages(),
    )
}

/// The placeholder values for a lead, worded in `language`, for a message rendered at `now`.
pub fn message_context(
    lead: &LeadInput,
    owner: Option<&Staff>,
    dealership: &Dealership,
    language: &str,
    now: Timestamp,
) -> MessageContext {
    let spanish = language == "es";
    let mut c = MessageContext::default();
    let customer = &lead.customer;
    let full = customer.full_name.clone().or_else(|| {
        let parts: Vec<&str> = [
            customer.first_name.as_deref(),
            customer.last_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let first = customer.first_name.clone().or_else(|| {
        full.as_deref()
            .and_then(|f| f.split_whitespace().next())
            .map(str::to_owned)
    });
    if let Some(first) = first {
        c.set(Placeholder::FirstName, title_case(&first));
    }
    if let Some(last) = &customer.last_name {
        c.set(Placeholder::LastName, title_case(last));
    }
    if let Some(full) = full {
        c.set(Placeholder::CustomerName, full);
    }
    let wanted = lead.vehicles.iter().find(|v| {
        !matches!(
            v.interest,
            Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
        )
    });
    if let Some(v) = wanted {
        if let Some(name) = vehicle_name(v) {
            c.set(Placeholder::Vehicle, name);
        }
        c.set(Placeholder::VehicleMake, v.make.clone().unwrap_or_default());
        c.set(
            Placeholder::VehicleModel,
            v.model.clone().unwrap_or_default(),
        );
        if let Some(price) = v.price.filter(|p| *p > 0.0) {
            c.set(Placeholder::VehiclePrice, dollars(price));
        }
    }
    let trade = lead.vehicles.iter().find(|v| {
        matches!(
            v.interest,
            Some(VehicleInterest::TradeIn | VehicleInterest::Sell)
        )
    });
    if let Some(name) = trade.and_then(vehicle_name) {
        c.set(Placeholder::TradeIn, name);
    }
    if let Some(service) = &lead.service {
        c.set(
            Placeholder::ServiceNeed,
            service.need.clone().unwrap_or_default(),
        );
        if let Some(name) = service.vehicle.as_ref().and_then(vehicle_name) {
            c.set(Placeholder::ServiceVehicle, name);
        }
    }
    if let Some(payment) = &lead.payment {
        if let Some(m) = payment.monthly_target {
            let text = if spanish {
                format!("unos {} al mes", dollars(m))
            } else {
                format!("around {} a month", dollars(m))
            };
            c.set(Placeholder::Payment, text);
        }
        if let Some(d) = payment.down_payment {
            let text = if spanish {
                format!("{} de enganche", dollars(d))
            } else {
                format!("{} down", dollars(d))
            };
            c.set(Placeholder::DownPayment, text);
        }
    }
    if !lead.appointment_windows.is_empty() {
        c.set(
            Placeholder::AppointmentWindows,
            lead.appointment_windows.join(" or "),
        );
    }
    if let Some(t) = lead.timeframe.as_ref().and_then(|t| t.description.clone()) {
        c.set(Placeholder::Timeframe, t);
    }
    if let Some(owner) = owner {
        c.set_owner(&owner.name, owner.first_name());
    } else {
        // Never leave owner placeholders empty: the store itself is the sender.
        let (team, signed) = if spanish {
            ("el equipo de", "El equipo de")
        } else {
            ("the", "The")
        };
        let suffix = if spanish { "" } else { " team" };
        c.set(
            Placeholder::OwnerName,
            format!("{signed} {}{suffix}", dealership.name),
        );
        c.set(
            Placeholder::OwnerFirstName,
            format!("{team} {}{suffix}", dealership.name),
        );
    }
    c.set(
        Placeholder::VisitDay,
        visit_day(
            lead.received_at.unwrap_or(now),
            now,
            &dealership.time_zone,
            language,
        ),
    );
    c.set(Placeholder::Dealership, dealership.name.clone());
    c.set(Placeholder::Brand, dealership.brand.clone());
    c.set(
        Placeholder::DealershipPhone,
        dealership
            .phone
            .as_ref()
            .map(PhoneNumber::national)
            .unwrap_or_default(),
    );
    c.set(Placeholder::DealershipAddress, dealership.address.clone());
    c
}

/// "2024 Honda CR-V EX", or `None` without a make or model.
pub fn vehicle_name(v: &VehicleInput) -> Option<String> {
    if v.make.is_none() && v.model.is_none() {
        return None;
    }
    let year = v.year.map(|y| y.to_string());
    let parts: Vec<&str> = [
        year.as_deref(),
        v.make.as_deref(),
        v.model.as_deref(),
        v.trim.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|p| !p.is_empty())
    .collect();
    Some(parts.join(" "))
}

fn dollars(amount: f64) -> String {
    let whole = amount.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("${out}")
}

/// Names typed in all caps or all lower case ("DANA", "dana") read better as "Dana"; names with
/// deliberate mixed case ("McKenzie") are left alone.
fn title_case(name: &str) -> String {
    let trimmed = name.trim();
    let mixed = trimmed.chars().any(char::is_lowercase) && trimmed.chars().any(char::is_uppercase);
    if mixed {
        return trimmed.to_owned();
    }
    trimmed
        .split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the recipient may be (zones for the hours, jurisdictions from the phone's area code and
/// the lead's address for the rules), and the zone for calendar-day arithmetic.
pub fn zones_for(
    phone: Option<&PhoneNumber>,
    lead: &LeadInput,
    dealership: &Dealership,
) -> (Recipient, TimeZone) {
    let zones = recipient_zones(
        phone,
        lead.customer.postal_code.as_deref(),
        &dealership.time_zone_name,
    );
    let primary = zones
        .first()
        .and_then(|z| TimeZone::get(z).ok())
        .unwrap_or_else(|| dealership.time_zone.clone());
    let address = lead.customer.address.as_ref();
    let lives_in = address_jurisdiction(
        address.and_then(|a| a.region.as_deref()),
        address.and_then(|a| a.country.as_deref()),
        lead.customer.postal_code.as_deref(),
    );
    let recipient = Recipient {
        zones,
        jurisdictions: recipient_jurisdictions(phone, lives_in),
    };
    (recipient, primary)
}

/// The contact window for a lead in `segment`: the compliance table's rows for the recipient's
/// jurisdictions (calls and texts), the settings' own hours per channel, the dealership's business
/// hours and holidays for the segment's department.
pub fn window_for(
    config: &Config,
    recipient: &Recipient,
    dealership: &Dealership,
    segment: &str,
) -> ContactWindow {
    let department = config
        .segment(segment)
        .map_or("sales", |s| s.hours.as_str());
    recipient_window(
        &config.compliance,
        recipient,
        OwnHours {
            phone: config.legal_hours,
            email: config.email_hours,
            email_reply: config.email_reply_hours,
        },
        dealership.business_hours(department),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_config;
    use crate::config::starter;
    use crate::lead::parse_lead_json;

    #[test]
    fn context_comes_from_the_lead_owner_and_dealership() {
        let config = load_config(&starter::files()).unwrap().config;
        let lead = parse_lead_json(
            br#"{"source":{"kind":"internet"},"customer":{"first_name":"DANA","last_name":"reyes"},
                "vehicles":[{"interest":"trade-in","year":2015,"make":"Ford","model":"Focus"},
                            {"interest":"buy","year":2024,"make":"Honda","model":"CR-V","trim":"EX"}],
                "payment":{"monthly_target":1450.4,"down_payment":3000},
                "appointment_windows":["Saturday morning","Tuesday after 5"]}"#,
            "US",
        )
        .unwrap();
        let c = message_context(
            &lead.input,
            config.staff_member("sam"),
            &config.dealerships[0],
            "en",
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(c.get("first_name"), Some("Dana"));
        assert_eq!(c.get("last_name"), Some("Reyes"));
        assert_eq!(c.get("vehicle"), Some("2024 Honda CR-V EX"));
        assert_eq!(c.get("trade_in"), Some("2015 Ford Focus"));
        assert_eq!(c.get("payment"), Some("around $1,450 a month"));
        assert_eq!(c.get("down_payment"), Some("$3,000 down"));
        assert_eq!(
            c.get("appointment_windows"),
            Some("Saturday morning or Tuesday after 5")
        );
        assert_eq!(c.get("owner_first_name"), Some("Sam"));
        assert_eq!(c.get("dealership_phone"), Some("(312) 555-0100"));
        assert_eq!(c.get("service_need"), None);
    }
}
