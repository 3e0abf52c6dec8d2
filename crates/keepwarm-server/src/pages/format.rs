//! Times and names for people: the one place the workspace turns instants into the dealership's
//! local time ("Tue 2 Dec, 10:30"), spans into words ("12 min ago"), staff ids into names, and
//! block and cadence names into labels. Every page formats through a [`Words`]; none formats a
//! time or a name itself.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use keepwarm_domain::config::Config;
use keepwarm_domain::contact::PhoneNumber;

/// How one page shows times and names: the dealership's zone, the page's "now", the staff list.
#[derive(Clone, Copy)]
pub struct Words<'a> {
    config: &'a Config,
    zone: &'a TimeZone,
    country: &'a str,
    now: Timestamp,
}

impl<'a> Words<'a> {
    /// Words for a page drawn at `now`, in the zone of the configuration's first dealership (UTC
    /// without one).
    pub fn new(config: &'a Config, now: Timestamp) -> Self {
        Self::for_dealership(config, now, None)
    }

    /// Words in the zone of `dealership` (the first dealership's when `None` or unknown; UTC
    /// without any): a lead's page speaks its dealership's local time.
    pub fn for_dealership(config: &'a Config, now: Timestamp, dealership: Option<&str>) -> Self {
        static UTC: TimeZone = TimeZone::UTC;
        let home = dealership
            .and_then(|id| config.dealership(Some(id)))
            .or_else(|| config.dealerships.first());
        Self {
            config,
            zone: home.map_or(&UTC, |d| &d.time_zone),
            country: home.map_or("US", |d| d.country.as_str()),
            now,
        }
    }

    /// A stored phone number (E.164) as people dial it in the dealership's country:
    /// `(312) 555-0123`; with its country code when it is another country's. Kept as given when it
    /// is not a phone number.
    pub fn phone(&self, e164: &str) -> String {
        match PhoneNumber::parse(e164, self.country) {
            Ok(n) => n.for_people(self.country),
            Err(_) => e164.to_owned(),
        }
    }

    /// The instant the page was drawn.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The zone times are shown in.
    pub fn zone(&self) -> &TimeZone {
        self.zone
    }

    /// `Tue 2 Dec, 10:30` (the year added when it is not this year's).
    pub fn time(&self, at: Timestamp) -> String {
        let local = at.to_zoned_datetime(self.zone.clone());
        let this_year = self.now.to_zoned_datetime(self.zone.clone()).year();
        if local.year() == this_year {
            local.strftime("%a %-d %b, %H:%M").to_string()
        } else {
            local.strftime("%a %-d %b %Y, %H:%M").to_string()
        }
    }

    /// `10:30` today, else as [`Words::time`].
    pub fn short_time(&self, at: Timestamp) -> String {
        let local = at.to_zoned_datetime(self.zone.clone());
        if local.date() == self.now.to_zoned_datetime(self.zone.clone()).date() {
            local.strftime("%H:%M").to_string()
        } else {
            self.time(at)
        }
    }

    /// `12 min ago`, `in 3 h`, `just now`.
    pub fn relative(&self, at: Timestamp) -> String {
        let span = self.now.duration_since(at);
        if span.abs() < SignedDuration::from_secs(45) {
            return "just now".into();
        }
        let words = span_words(span.abs());
        if span.is_negative() {
            format!("in {words}")
        } else {
            format!("{words} ago")
        }
    }

    /// The staff member's name, or the id with "(not on staff)" for someone who left; `api` and
    /// `keepwarm` as the system's own names.
    pub fn staff(&self, id: &str) -> String {
        match self.config.staff_member(id) {
            Some(s) => s.name.clone(),
            None if id == "api" || id.is_empty() => "keepwarm API".into(),
            None if id == "keepwarm" || id == "system" => "keepwarm".into(),
            None => format!("{id} (not on staff)"),
        }
    }

    /// A block's or cadence's or any configured name as a label: `appointment_options` →
    /// `Appointment options`.
    pub fn label(&self, name: &str) -> String {
        label(name)
    }

    /// A cadence's label: its name as words, with its configured revision label when it has one.
    pub fn cadence(&self, name: &str) -> String {
        match self
            .config
            .cadences
            .get(name)
            .and_then(|c| c.label.as_deref())
        {
            Some(l) => format!("{} ({l})", label(name)),
            None => label(name),
        }
    }
}

/// `appointment_options` → `Appointment options`.
pub fn label(name: &str) -> String {
    let words = name.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `45 s`, `12 min`, `3 h 5 min`, `2 days`.
pub fn span_words(span: SignedDuration) -> String {
    let secs = span.as_secs().abs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 if secs % 3600 / 60 == 0 => format!("{} h", secs / 3600),
        3600..86_400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        86_400..172_800 => "1 day".into(),
        _ => format!("{} days", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepwarm_domain::config::{load_config, starter};

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn times_are_shown_in_the_dealerships_zone_with_the_year_only_when_another() {
        let config = load_config(&starter::files()).expect("starter").config;
        let words = Words::new(&config, ts("2026-12-02T18:00:00Z"));
        let zone = config.dealerships[0].time_zone_name.clone();
        assert_eq!(
            zone, "America/Chicago",
            "the starter's zone this table assumes"
        );
        // (instant, shown)
        let cases = [
            ("2026-12-02T16:30:00Z", "Wed 2 Dec, 10:30"),
            ("2026-12-01T05:59:00Z", "Mon 30 Nov, 23:59"),
            ("2025-12-02T16:30:00Z", "Tue 2 Dec 2025, 10:30"),
        ];
        for (at, shown) in cases {
            assert_eq!(words.time(ts(at)), shown, "{at}");
        }
        assert_eq!(words.short_time(ts("2026-12-02T16:30:00Z")), "10:30");
    }

    #[test]
    fn spans_read_as_words_before_and_after_now() {
        let config = load_config(&starter::files()).expect("starter").config;
        let words = Words::new(&config, ts("2026-12-02T18:00:00Z"));
        // (instant, shown)
        let cases = [
            ("2026-12-02T17:59:30Z", "just now"),
            ("2026-12-02T17:48:00Z", "12 min ago"),
            ("2026-12-02T15:00:00Z", "3 h ago"),
            ("2026-12-02T14:55:00Z", "3 h 5 min ago"),
            ("2026-12-02T21:00:00Z", "in 3 h"),
            ("2026-11-30T18:00:00Z", "2 days ago"),
        ];
        for (at, shown) in cases {
            assert_eq!(words.relative(ts(at)), shown, "{at}");
        }
    }

    #[test]
    fn staff_are_named_and_configured_names_become_labels() {
        let config = load_config(&starter::files()).expect("starter").config;
        let words = Words::new(&config, ts("2026-12-02T18:00:00Z"));
        let sam = config.staff_member("sam").expect("sam").name.clone();
        assert_eq!(words.staff("sam"), sam);
        assert_eq!(words.staff("gone"), "gone (not on staff)");
        assert_eq!(words.label("appointment_options"), "Appointment options");
        assert_eq!(label(""), "");
    }
}
