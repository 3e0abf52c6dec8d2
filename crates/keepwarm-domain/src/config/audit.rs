//! The `[audit]` table of `settings.toml`: how the weekly audit measures, and to whom and when it is
//! e-mailed (`[audit.delivery]`).

use std::collections::BTreeMap;

use jiff::civil::{Time, Weekday};
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::raw::Text;
use super::Validator;
use crate::audit::{AuditSettings, SegmentBaseline};
use crate::routing::Staff;
use crate::segment::Segment;

/// `[audit]` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    /// Timing and message scores are read on a reproducible sample of this many leads per segment
    /// (all when fewer). Default 25.
    #[schemars(with = "Option<i64>")]
    sample_per_segment: Option<Spanned<i64>>,
    /// A touch is late when it leaves more than this many minutes after its due time (deferral
    /// into the contact window is not lateness). Default 15.
    #[schemars(with = "Option<i64>")]
    late_after_minutes: Option<Spanned<i64>>,
    /// A hot reply counts as handled when acknowledged in under this many minutes. Default 5.
    #[schemars(with = "Option<i64>")]
    acknowledge_within_minutes: Option<Spanned<i64>>,
    /// Appointment and show rates are compared with the previous this many weeks pooled, unless
    /// fixed rates are given. Default 4.
    #[schemars(with = "Option<i64>")]
    baseline_weeks: Option<Spanned<i64>>,
    /// A fixed baseline appointment rate (a share between 0 and 1) instead of past weeks.
    #[schemars(with = "Option<f64>")]
    baseline_appointment_rate: Option<Spanned<f64>>,
    /// A fixed baseline show rate (a share between 0 and 1) instead of past weeks.
    #[schemars(with = "Option<f64>")]
    baseline_show_rate: Option<Spanned<f64>>,
    /// A segment's own fixed rates (`[audit.baseline.service_defection]`), ahead of those above.
    #[serde(default)]
    baseline: BTreeMap<String, RawSegmentBaseline>,
    /// The audit and the week's funnel summary, e-mailed to managers once a week (in the sandbox,
    /// to the outbox). Off when absent.
    delivery: Option<RawDelivery>,
}

/// One segment's fixed baseline.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSegmentBaseline {
    /// Appointment rate, a share between 0 and 1.
    #[schemars(with = "Option<f64>")]
    appointment_rate: Option<Spanned<f64>>,
    /// Show rate, a share between 0 and 1.
    #[schemars(with = "Option<f64>")]
    show_rate: Option<Spanned<f64>>,
}

/// When and to whom the weekly audit is e-mailed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    /// Staff ids, each with an e-mail address.
    #[schemars(with = "Vec<String>")]
    recipients: Spanned<Vec<Text>>,
    /// The dealership's local weekday it goes out (`monday`). Default Monday.
    #[schemars(with = "Option<String>")]
    weekday: Option<Text>,
    /// The dealership's local time it goes out (`HH:MM`). Default `07:30`.
    #[schemars(with = "Option<String>")]
    time: Option<Text>,
    /// The dealership whose week is reported. Default: the first.
    #[schemars(with = "Option<String>")]
    dealership: Option<Text>,
}

/// When the weekly audit and funnel summary are e-mailed, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDelivery {
    /// Staff ids (each with an e-mail address).
    pub recipients: Vec<String>,
    /// The local weekday it goes out (default Monday).
    pub weekday: Weekday,
    /// The local time it goes out (default 07:30).
    pub time: Time,
    /// The dealership whose week is reported (default the first).
    pub dealership: Option<String>,
}

impl Validator {
    pub(super) fn audit(
        &mut self,
        raw: Option<&RawAudit>,
        staff: &[Staff],
        dealerships: &[super::Dealership],
        segments: &[Segment],
    ) -> (AuditSettings, Option<ReportDelivery>) {
        let mut settings = AuditSettings::default();
        let Some(raw) = raw else {
            return (settings, None);
        };
        let mut number = |what: &str, value: &Option<Spanned<i64>>, min: i64, max: i64| {
            let value = value.as_ref()?;
            let n = *value.get_ref();
            if (min..=max).contains(&n) {
                u32::try_from(n).ok()
            } else {
                self.error_at(
                    value.span(),
                    format!("audit.{what}: {n} is outside {min}..={max}"),
                );
                None
            }
        };
        if let Some(n) = number("sample_per_segment", &raw.sample_per_segment, 1, 1000) {
            settings.sample_per_segment = n as usize;
        }
        if let Some(n) = number("late_after_minutes", &raw.late_after_minutes, 0, 1440) {
            settings.late_after_minutes = n;
        }
        if let Some(n) = number(
            "acknowledge_within_minutes",
            &raw.acknowledge_within_minutes,
            1,
            240,
        ) {
            settings.acknowledge_within_minutes = n;
        }
        if let Some(n) = number("baseline_weeks", &raw.baseline_weeks, 1, 26) {
            settings.baseline_weeks = n;
        }
        settings.baseline_appointment_rate =
            self.share("baseline_appointment_rate", &raw.baseline_appointment_rate);
        settings.baseline_show_rate = self.share("baseline_show_rate", &raw.baseline_show_rate);
        for (segment, b) in &raw.baseline {
            if !segments.iter().any(|s| &s.name == segment) {
                let span = b
                    .appointment_rate
                    .as_ref()
                    .or(b.show_rate.as_ref())
                    .map_or(0..0, Spanned::span);
                self.error_at(
                    span,
                    format!(
                        "audit.baseline.{segment}: `{segment}` is not a segment in segments.toml"
                    ),
                );
                continue;
            }
            settings.baseline_by_segment.push(SegmentBaseline {
                segment: segment.clone(),
                appointment_rate: self.share(
                    &format!("baseline.{segment}.appointment_rate"),
                    &b.appointment_rate,
                ),
                show_rate: self.share(&format!("baseline.{segment}.show_rate"), &b.show_rate),
            });
        }
        let delivery = raw
            .delivery
            .as_ref()
            .and_then(|d| self.delivery(d, staff, dealerships));
        (settings, delivery)
    }

    /// A share between 0 and 1, or an error naming `audit.{what}`.
    fn share(&mut self, what: &str, value: &Option<Spanned<f64>>) -> Option<f64> {
        let v = value.as_ref()?;
        if (0.0..=1.0).contains(v.get_ref()) {
            Some(*v.get_ref())
        } else {
            self.error_at(
                v.span(),
                format!(
                    "audit.{what}: {} is not a share between 0 and 1 (0.3 is 30%)",
                    v.get_ref()
                ),
            );
            None
        }
    }

    fn delivery(
        &mut self,
        raw: &RawDelivery,
        staff: &[Staff],
        dealerships: &[super::Dealership],
    ) -> Option<ReportDelivery> {
        let mut ok = true;
        let mut recipients = Vec::new();
        if raw.recipients.get_ref().is_empty() {
            self.error_at(
                raw.recipients.span(),
                "audit.delivery.recipients: name at least one staff id".into(),
            );
            ok = false;
        }
        for r in raw.recipients.get_ref() {
            match staff.iter().find(|s| &s.id == r.get_ref()) {
                Some(s) if s.email.is_some() => recipients.push(s.id.clone()),
                Some(_) => {
                    self.error_at(
                        r.span(),
                        format!(
                            "audit.delivery.recipients: `{}` has no e-mail address in staff.toml",
                            r.get_ref()
                        ),
                    );
                    ok = false;
                }
                None => {
                    self.error_at(
                        r.span(),
                        format!(
                            "audit.delivery.recipients: `{}` is not in staff.toml",
                            r.get_ref()
                        ),
                    );
                    ok = false;
                }
            }
        }
        let weekday = match raw.weekday.as_ref() {
            None => Weekday::Monday,
            Some(w) => match parse_weekday(w.get_ref()) {
                Some(d) => d,
                None => {
                    self.error_at(
                        w.span(),
                        format!(
                            "audit.delivery.weekday: `{}` is not a weekday (monday ... sunday)",
                            w.get_ref()
                        ),
                    );
                    ok = false;
                    Weekday::Monday
                }
            },
        };
        let time = match raw.time.as_ref() {
            None => Time::constant(7, 30, 0, 0),
            Some(t) => match t.get_ref().parse::<Time>() {
                Ok(time) if t.get_ref().len() == 5 => time,
                _ => {
                    self.error_at(
                        t.span(),
                        format!(
                            "audit.delivery.time: `{}` is not a local time like 07:30",
                            t.get_ref()
                        ),
                    );
                    ok = false;
                    Time::midnight()
                }
            },
        };
        if let Some(d) = &raw.dealership {
            if !dealerships.iter().any(|x| &x.id == d.get_ref()) {
                self.error_at(
                    d.span(),
                    format!(
                        "audit.delivery.dealership: `{}` is not in dealerships.toml",
                        d.get_ref()
                    ),
                );
                ok = false;
            }
        }
        ok.then(|| ReportDelivery {
            recipients,
            weekday,
            time,
            dealership: raw.dealership.as_ref().map(|d| d.get_ref().clone()),
        })
    }
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text.to_lowercase().as_str() {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}
