//! Configuration: a directory of TOML files, parsed and validated into one [`Config`].
//!
//! The files are `settings.toml`, `dealerships.toml`, `staff.toml`, `segments.toml`, `routing.toml`,
//! `blocks.toml` and one `cadences/NAME.toml` per cadence. [`load_config`] takes their text (reading
//! the directory is the caller's IO) and returns either a validated configuration with lint warnings,
//! or every error found, each naming its file and line. The built-in starter configuration lives in
//! [`starter`] and is what `keepwarm init` writes and `keepwarm serve` uses by default.

mod audit;
mod blocks;
mod calls;
mod channels;
mod consent;
mod raw;
pub use consent::ConsentDefaults;
pub mod reference;
pub mod starter;

pub use channels::{
    ChannelSettings, DealershipChannels, SmtpSecurity, SmtpSettings, Transport, TwilioSettings,
};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::de::DeserializeOwned;
use toml::Spanned;

pub use audit::ReportDelivery;

use crate::audit::AuditSettings;
use crate::blocks::{Block, Placeholder, Variant};
use crate::cadence::{Anchor, Before, Cadence, CallMode, Channel, Step};
use crate::contact::{EmailAddress, PhoneNumber};
use crate::hours::{parse_time_of_day, DayHours, WeeklyHours};
use crate::language::normalize_language;
use crate::lead::SourceKind;
use crate::lint::{lint_first_sms, LintSettings};
use crate::routing::{Role, Staff, Team};
use crate::segment::{Segment, SegmentRule};
use crate::window::ZoneHours;

/// A problem in the configuration, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, relative to the configuration directory.
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A dealership (rooftop).
#[derive(Debug, Clone)]
pub struct Dealership {
    /// Stable id used by leads (`main`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The brand name used in messages.
    pub brand: String,
    /// The language leads are written to when neither the lead nor their words say (`en`).
    pub language: String,
    /// The IANA zone name.
    pub time_zone_name: String,
    /// The zone.
    pub time_zone: TimeZone,
    /// ISO 3166 alpha-2 country, the default region for phone numbers.
    pub country: String,
    /// Main phone number.
    pub phone: Option<PhoneNumber>,
    /// Sending e-mail address.
    pub email: Option<EmailAddress>,
    /// Postal address (e-mail footers).
    pub address: String,
    /// Business hours per department (`sales`, `service`).
    pub hours: BTreeMap<String, WeeklyHours>,
    /// Dates the store is closed.
    pub holidays: BTreeSet<Date>,
}

impl Dealership {
    /// The business hours of `department` as zone hours, holidays closed. A department the dealership
    /// has no hours for is never open (the configuration check refuses segments that use one).
    pub fn business_hours(&self, department: &str) -> ZoneHours {
        let mut hours = ZoneHours::new(
            self.time_zone.clone(),
            self.hours.get(department).copied().unwrap_or_default(),
        );
        hours.closed = self.holidays.clone();
        hours
    }
}

/// Raw-document retention and the hourly cap on new leads per source (`[intake]` in settings.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeLimits {
    /// Days a raw inbound document's body is kept; 0 keeps it forever. Default 90.
    pub keep_documents_days: u32,
    /// New leads per lead provider and per e-mail sender in one clock hour from outside documents
    /// (the e-mail webhook, ADF over HTTP); more are held for a person. Default 200.
    pub max_new_leads_per_source_hour: u32,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            keep_documents_days: 90,
            max_new_leads_per_source_hour: 200,
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Dealerships, in file order.
    pub dealerships: Vec<Dealership>,
    /// Staff, in file order (round-robin order within a team).
    pub staff: Vec<Staff>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Segments.
    pub segments: Vec<Segment>,
    /// Segmentation rules, in order.
    pub rules: Vec<SegmentRule>,
    /// The segment for leads no rule matches.
    pub fallback_segment: String,
    /// Segment name to team name.
    pub routes: BTreeMap<String, String>,
    /// Cadences by name.
    pub cadences: BTreeMap<String, Cadence>,
    /// Message blocks by name.
    pub blocks: BTreeMap<String, Block>,
    /// Lint settings.
    pub lint: LintSettings,
    /// The recipient's legal contact hours for calls and texts, read in the recipient's own zone, on
    /// top of the compliance table's rows.
    pub legal_hours: WeeklyHours,
    /// The hours e-mail may go out, read in the recipient's own zone (`contact.email_hours`).
    pub email_hours: WeeklyHours,
    /// The hours an e-mail answering the customer's own inquiry may go out, alone
    /// (`contact.email_reply_hours`, default any time).
    pub email_reply_hours: WeeklyHours,
    /// The contact rules in force: the built-in table with `compliance.toml` laid over it.
    pub compliance: crate::compliance::rules::RuleTable,
    /// The consent basis assumed for leads whose source sends no consent record (`[consent]`).
    pub consent: ConsentDefaults,
    /// API token from `settings.toml` (the environment overrides it).
    pub api_token: Option<String>,
    /// Days within which a new inquiry from a known person merges into their lead.
    pub duplicate_window_days: u32,
    /// Shared secret of the lead e-mail webhook from `settings.toml` (the environment overrides it).
    pub email_secret: Option<String>,
    /// Raw-document retention and the hourly cap on new leads per source.
    pub intake_limits: IntakeLimits,
    /// Escalation clocks.
    pub escalation: EscalationClock,
    /// What replies set in motion later.
    pub conversations: ConversationRules,
    /// Appointment cadences and the no-show clock.
    pub appointments: AppointmentRules,
    /// The dealership's own reply phrase lists (`replies.toml`, the reply classifier's format),
    /// checked and applied by the engine.
    pub reply_phrases: Option<String>,
    /// How messages leave the building (`channels.toml`).
    pub channels: ChannelSettings,
    /// How the weekly audit measures (`[audit]` in `settings.toml`).
    pub audit: AuditSettings,
    /// When and to whom the weekly audit is e-mailed (`[audit.delivery]`); off when absent.
    pub report_delivery: Option<ReportDelivery>,
    /// Calls through the store's number (`[calls]`).
    pub calls: crate::calls::CallRules,
}

/// What replies set in motion later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRules {
    /// The cadence a "not now" reply is re-enrolled into.
    pub nurture_cadence: Option<String>,
    /// Days after a "not now" reply before nurture starts (default 30).
    pub not_now_delay_days: u32,
    /// Days of customer silence after a hand-off before automation resumes (default 3).
    pub resume_after_silence_days: u32,
    /// Hours after a hand-off with no staff action on the lead before the manager is alerted
    /// (default 24).
    pub going_cold_hours: u32,
    /// Minutes after the customer's own message within which a person's answer is conversational:
    /// it may go outside the contact window (default 60).
    pub conversational_reply_minutes: u32,
    /// Minutes, counted inside business hours, within which a customer's message that is not hot
    /// should get a person's answer (default 15); hot ones use the escalation SLA.
    pub waiting_sla_minutes: u32,
}

/// Appointment cadences and the no-show clock (`settings.toml` `[appointments]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRules {
    /// The cadence a sales appointment starts (anchor `appointment`); without one, setting an
    /// appointment only ends follow-up.
    pub sales_cadence: Option<String>,
    /// The cadence a service appointment starts (defaults to the sales one).
    pub service_cadence: Option<String>,
    /// The cadence a missed appointment starts (anchor `no_show`).
    pub no_show_cadence: Option<String>,
    /// Minutes after an appointment's end before it counts as missed (default 120).
    pub no_show_grace_minutes: u32,
    /// An appointment's length when none is given (default 60).
    pub default_duration_minutes: u32,
}

impl AppointmentRules {
    /// The cadence an appointment of `kind` starts.
    pub fn cadence_for(&self, kind: crate::appointment::AppointmentKind) -> Option<&str> {
        match kind {
            crate::appointment::AppointmentKind::Sales => self.sales_cadence.as_deref(),
            crate::appointment::AppointmentKind::Service => self.service_cadence.as_deref(),
        }
    }
}

/// How long a person has to acknowledge a hot reply before it escalates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationClock {
    /// Minutes to acknowledge (default 5).
    pub ack_minutes: u32,
    /// Minutes after a breach before the next in the chain is told (default 10).
    pub second_deadline_minutes: u32,
    /// Per-label overrides of `ack_minutes`.
    pub ack_minutes_by_label: BTreeMap<String, u32>,
}

impl EscalationClock {
    /// The shortest acknowledgement time among `labels`.
    pub fn ack_minutes_for<'a>(&self, labels: impl IntoIterator<Item = &'a str>) -> u32 {
        labels
            .into_iter()
            .map(|l| {
                self.ack_minutes_by_label
                    .get(l)
                    .copied()
                    .unwrap_or(self.ack_minutes)
            })
            .min()
            .unwrap_or(self.ack_minutes)
    }
}

impl Config {
    /// Every language some block is written in, in first-seen order.
    pub fn languages(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for b in self.blocks.values() {
            for l in b.languages() {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
        out
    }

    /// The dealership with this id; `None` picks the first.
    pub fn dealership(&self, id: Option<&str>) -> Option<&Dealership> {
        match id {
            None => self.dealerships.first(),
            Some(id) => self.dealerships.iter().find(|d| d.id == id),
        }
    }

    /// The staff member with this id.
    pub fn staff_member(&self, id: &str) -> Option<&Staff> {
        self.staff.iter().find(|s| s.id == id)
    }

    /// The segment with this name.
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }

    /// The members of a team who take leads (managers do not), in file order.
    pub fn team_members(&self, team: &str) -> Vec<&Staff> {
        self.staff
            .iter()
            .filter(|s| s.team == team && s.role != Role::Manager)
            .collect()
    }

    /// Who takes turns at `dealership`'s new leads routed to `team`, in file order, and the key
    /// the turns are kept under. A team may span dealerships (each member works for one, or for
    /// all): only the members who work for the lead's dealership take its leads, and each
    /// dealership's turns are kept apart (`team@dealership`) so one rooftop's leads do not skip
    /// another's people. A team whose every member takes the dealership's leads keeps its turns
    /// under its own name. When nobody on the team works for the dealership (`check` warns of
    /// it), the whole team takes turns, so the lead still gets an owner.
    pub fn rotation(&self, team: &str, dealership: &str) -> (String, Vec<&Staff>) {
        let members = self.team_members(team);
        let own: Vec<&Staff> = members
            .iter()
            .copied()
            .filter(|s| crate::access::works_for(s, dealership))
            .collect();
        if own.is_empty() || own.len() == members.len() {
            (team.to_owned(), members)
        } else {
            (format!("{team}@{dealership}"), own)
        }
    }
}

/// A validated configuration and the lint warnings that do not stop it from running.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The configuration.
    pub config: Config,
    /// Warnings.
    pub warnings: Vec<ConfigError>,
}

/// Parses and validates the configuration from `(relative path, text)` pairs.
pub fn load_config(files: &[(String, String)]) -> Result<Checked, Vec<ConfigError>> {
    let mut v = Validator::default();
    let find = |name: &str| files.iter().find(|(p, _)| p == name);
    let settings: Option<raw::Settings> = find("settings.toml").and_then(|(p, t)| v.parse(p, t));
    let dealerships = v.required::<raw::Dealerships>(find("dealerships.toml"), "dealerships.toml");
    let staff = v.required::<raw::StaffFile>(find("staff.toml"), "staff.toml");
    let segments = v.required::<raw::Segments>(find("segments.toml"), "segments.toml");
    let routing = v.required::<raw::Routing>(find("routing.toml"), "routing.toml");
    let blocks = v.required::<raw::Blocks>(find("blocks.toml"), "blocks.toml");
    let raw_channels: Option<channels::RawChannels> =
        find("channels.toml").and_then(|(p, t)| v.parse(p, t));
    let mut cadence_files: Vec<(&String, raw::Cadence)> = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("cadences/")) {
        if let Some(c) = v.parse(path, text) {
            cadence_files.push((path, c));
        }
    }
    for (path, _) in files {
        let known = path.starts_with("cadences/")
            || [
                "settings.toml",
                "dealerships.toml",
                "staff.toml",
                "segments.toml",
                "routing.toml",
                "blocks.toml",
                "replies.toml",
                "channels.toml",
                "compliance.toml",
            ]
            .contains(&path.as_str());
        if !known && path.ends_with(".toml") {
            v.warn(
                path,
                None,
                "not a keepwarm configuration file; ignored".into(),
            );
        }
    }
    let (Some(dealerships), Some(staff), Some(segments), Some(routing), Some(blocks)) =
        (dealerships, staff, segments, routing, blocks)
    else {
        return Err(v.errors);
    };

    let text = |name: &str| find(name).map(|(_, t)| t.as_str()).unwrap_or("");
    v.current = ("settings.toml".into(), text("settings.toml").into());
    let legal_hours = v.settings(settings.as_ref());
    let email_hours = v.email_hours(settings.as_ref());
    let email_reply_hours = v.email_reply_hours(settings.as_ref());
    let consent = v.consent(settings.as_ref().and_then(|s| s.consent.as_ref()));
    v.check_consent_sources(&consent);
    let compliance = v.compliance(find("compliance.toml"));
    let duplicate_window_days = v.duplicate_window(settings.as_ref());
    let intake_limits = v.intake_limits(settings.as_ref());
    let escalation = v.escalation(settings.as_ref());
    let conversations = v.conversations(settings.as_ref());
    let appointments = v.appointments(settings.as_ref());
    v.current = ("dealerships.toml".into(), text("dealerships.toml").into());
    let dealerships = v.dealerships(dealerships);
    v.current = ("routing.toml".into(), text("routing.toml").into());
    let teams = v.teams(&routing);
    v.current = ("staff.toml".into(), text("staff.toml").into());
    let staff = v.staff(staff, &teams, &dealerships);
    v.current = ("routing.toml".into(), text("routing.toml").into());
    v.check_managers(&routing, &staff);
    v.current = ("blocks.toml".into(), text("blocks.toml").into());
    let lint = blocks::lint_settings(&mut v, blocks.lint.as_ref());
    let blocks = v.blocks(blocks, &lint);
    v.check_languages(&blocks, &dealerships);
    let mut cadences = BTreeMap::new();
    for (path, raw) in cadence_files {
        v.current = (path.clone(), text(path).into());
        if let Some(c) = v.cadence(raw, &blocks, &lint) {
            cadences.insert(c.name.clone(), c);
        }
    }
    v.current = ("settings.toml".into(), text("settings.toml").into());
    v.check_nurture(settings.as_ref(), &cadences);
    v.check_appointment_cadences(settings.as_ref(), &cadences);
    v.current = ("segments.toml".into(), text("segments.toml").into());
    let (segments_list, rules, fallback) = v.segments(segments, &cadences, &dealerships);
    v.current = ("routing.toml".into(), text("routing.toml").into());
    let routes = v.routes(&routing, &segments_list, &teams, &staff);
    v.check_rotations(&routing, &staff, &dealerships);
    v.current = ("channels.toml".into(), text("channels.toml").into());
    let channels = v.channels(raw_channels, &dealerships);
    v.check_channels_used(&channels, &cadences, &dealerships);
    v.current = ("settings.toml".into(), text("settings.toml").into());
    let (audit, report_delivery) = v.audit(
        settings.as_ref().and_then(|s| s.audit.as_ref()),
        &staff,
        &dealerships,
        &segments_list,
    );
    let calls = v.calls(settings.as_ref().and_then(|s| s.calls.as_ref()), &blocks);

    let languages: Vec<&str> = {
        let mut out: Vec<&str> = Vec::new();
        for l in blocks.values().flat_map(|b| b.languages()) {
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    };
    for d in &dealerships {
        let phone = d.phone.as_ref().map(PhoneNumber::national);
        let problems = crate::lint::replies::lint_keyword_replies(
            &d.brand,
            phone.as_deref(),
            &languages,
            lint.max_sms_segments,
        );
        for p in problems {
            v.errors.push(ConfigError {
                file: "dealerships.toml".into(),
                line: None,
                message: format!("dealership `{}`: {p}", d.id),
            });
        }
    }
    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    Ok(Checked {
        config: Config {
            dealerships,
            staff,
            teams,
            segments: segments_list,
            rules,
            fallback_segment: fallback,
            routes,
            cadences,
            blocks,
            lint,
            legal_hours,
            email_hours,
            email_reply_hours,
            compliance,
            consent,
            api_token: settings
                .as_ref()
                .and_then(|s| s.api.as_ref())
                .and_then(|a| a.token.clone()),
            duplicate_window_days,
            intake_limits,
            email_secret: settings.and_then(|s| s.intake).and_then(|i| i.email_secret),
            escalation,
            conversations,
            appointments,
            reply_phrases: find("replies.toml").map(|(_, t)| t.clone()),
            channels,
            audit,
            report_delivery,
            calls,
        },
        warnings: v.warnings,
    })
}

/// Collects errors and warnings while validating; `current` is the file being read.
#[derive(Default)]
struct Validator {
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigError>,
    current: (String, String),
}

impl Validator {
    fn parse<T: DeserializeOwned>(&mut self, path: &str, text: &str) -> Option<T> {
        match toml::from_str::<T>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start));
                self.errors.push(ConfigError {
                    file: path.to_owned(),
                    line,
                    message: e.message().trim().to_owned(),
                });
                None
            }
        }
    }

    fn required<T: DeserializeOwned>(
        &mut self,
        file: Option<&(String, String)>,
        name: &str,
    ) -> Option<T> {
        match file {
            Some((path, text)) => self.parse(path, text),
            None => {
                self.errors.push(ConfigError {
                    file: name.to_owned(),
                    line: None,
                    message:
                        "missing (run `keepwarm init DIR` for a complete starter configuration)"
                            .into(),
                });
                None
            }
        }
    }

    fn error_at(&mut self, span: std::ops::Range<usize>, message: String) {
        let line = line_of(&self.current.1, span.start);
        self.errors.push(ConfigError {
            file: self.current.0.clone(),
            line: Some(line),
            message,
        });
    }

    fn error_in_file(&mut self, message: String) {
        self.errors.push(ConfigError {
            file: self.current.0.clone(),
            line: None,
            message,
        });
    }

    fn warn(&mut self, file: &str, line: Option<usize>, message: String) {
        self.warnings.push(ConfigError {
            file: file.to_owned(),
            line,
            message,
        });
    }

    fn warn_at(&mut self, span: std::ops::Range<usize>, message: String) {
        let line = line_of(&self.current.1, span.start);
        let file = self.current.0.clone();
        self.warn(&file, Some(line), message);
    }

    fn settings(&mut self, raw: Option<&raw::Settings>) -> WeeklyHours {
        let contact = raw.and_then(|s| s.contact.as_ref());
        self.contact_hours("legal_hours", contact.and_then(|c| c.legal_hours.as_ref()))
    }

    fn email_hours(&mut self, raw: Option<&raw::Settings>) -> WeeklyHours {
        let contact = raw.and_then(|s| s.contact.as_ref());
        self.contact_hours("email_hours", contact.and_then(|c| c.email_hours.as_ref()))
    }

    fn email_reply_hours(&mut self, raw: Option<&raw::Settings>) -> WeeklyHours {
        let contact = raw.and_then(|s| s.contact.as_ref());
        match contact.and_then(|c| c.email_reply_hours.as_ref()) {
            None => WeeklyHours::always(),
            text => self.contact_hours("email_reply_hours", text),
        }
    }

    /// `contact.KEY` as every-day hours; 08:00-21:00 when absent or refused.
    fn contact_hours(&mut self, key: &str, text: Option<&raw::Text>) -> WeeklyHours {
        let default = WeeklyHours::every_day(DayHours {
            start: 8 * 60,
            end: 21 * 60,
        });
        let Some(text) = text else {
            return default;
        };
        match DayHours::parse(text.get_ref()) {
            Ok(h) => WeeklyHours::every_day(h),
            Err(e) => {
                self.error_at(text.span(), format!("contact.{key}: {e}"));
                default
            }
        }
    }

    /// The built-in compliance table with the override file's rows laid over it.
    fn compliance(
        &mut self,
        file: Option<&(String, String)>,
    ) -> crate::compliance::rules::RuleTable {
        let built_in = crate::compliance::rules::BUILT_IN_TABLE.clone();
        let Some((path, text)) = file else {
            return built_in;
        };
        match built_in.merged(text, path) {
            Ok(table) => table,
            Err(e) => {
                self.errors.push(ConfigError {
                    file: path.clone(),
                    line: None,
                    message: e.to_string(),
                });
                built_in
            }
        }
    }

    fn escalation(&mut self, raw: Option<&raw::Settings>) -> EscalationClock {
        let mut clock = EscalationClock {
            ack_minutes: 5,
            second_deadline_minutes: 10,
            ack_minutes_by_label: BTreeMap::new(),
        };
        let Some(e) = raw.and_then(|s| s.escalation.as_ref()) else {
            return clock;
        };
        let mut minutes = |what: &str, value: &Spanned<i64>| -> Option<u32> {
            match u32::try_from(*value.get_ref()) {
                Ok(m) if (1..=10_080).contains(&m) => Some(m),
                _ => {
                    self.error_at(
                        value.span(),
                        format!(
                            "escalation.{what}: {} is outside 1..=10080 minutes",
                            value.get_ref()
                        ),
                    );
                    None
                }
            }
        };
        if let Some(m) = e
            .ack_minutes
            .as_ref()
            .and_then(|v| minutes("ack_minutes", v))
        {
            clock.ack_minutes = m;
        }
        if let Some(m) = e
            .second_deadline_minutes
            .as_ref()
            .and_then(|v| minutes("second_deadline_minutes", v))
        {
            clock.second_deadline_minutes = m;
        }
        for (label, value) in &e.ack_minutes_by_label {
            if let Some(m) = minutes(&format!("ack_minutes_by_label.{label}"), value) {
                clock.ack_minutes_by_label.insert(label.clone(), m);
            }
        }
        clock
    }

    fn conversations(&mut self, raw: Option<&raw::Settings>) -> ConversationRules {
        let mut rules = ConversationRules {
            nurture_cadence: None,
            not_now_delay_days: 30,
            resume_after_silence_days: 3,
            going_cold_hours: 24,
            conversational_reply_minutes: 60,
            waiting_sla_minutes: 15,
        };
        let Some(c) = raw.and_then(|s| s.conversations.as_ref()) else {
            return rules;
        };
        rules.nurture_cadence = c.nurture_cadence.as_ref().map(|n| n.get_ref().clone());
        let mut number = |what: &str, value: &Option<Spanned<i64>>, max: i64| -> Option<u32> {
            let value = value.as_ref()?;
            match u32::try_from(*value.get_ref()) {
                Ok(n) if n >= 1 && i64::from(n) <= max => Some(n),
                _ => {
                    self.error_at(
                        value.span(),
                        format!(
                            "conversations.{what}: {} is outside 1..={max}",
                            value.get_ref()
                        ),
                    );
                    None
                }
            }
        };
        if let Some(n) = number("not_now_delay_days", &c.not_now_delay_days, 365) {
            rules.not_now_delay_days = n;
        }
        if let Some(n) = number(
            "resume_after_silence_days",
            &c.resume_after_silence_days,
            90,
        ) {
            rules.resume_after_silence_days = n;
        }
        if let Some(n) = number("going_cold_hours", &c.going_cold_hours, 24 * 30) {
            rules.going_cold_hours = n;
        }
        if let Some(n) = number(
            "conversational_reply_minutes",
            &c.conversational_reply_minutes,
            24 * 60,
        ) {
            rules.conversational_reply_minutes = n;
        }
        if let Some(n) = number(
            "waiting_sla_minutes",
            &c.waiting_sla_minutes,
            i64::from(crate::thread::MAX_SLA_MINUTES),
        ) {
            rules.waiting_sla_minutes = n;
        }
        rules
    }

    fn check_nurture(&mut self, raw: Option<&raw::Settings>, cadences: &BTreeMap<String, Cadence>) {
        if let Some(name) = raw
            .and_then(|s| s.conversations.as_ref())
            .and_then(|c| c.nurture_cadence.as_ref())
        {
            if !cadences.contains_key(name.get_ref()) {
                self.error_at(
                    name.span(),
                    format!(
                        "conversations.nurture_cadence `{}` is not defined in cadences/",
                        name.get_ref()
                    ),
                );
            }
        }
    }

    fn intake_limits(&mut self, raw: Option<&raw::Settings>) -> IntakeLimits {
        let intake = raw.and_then(|s| s.intake.as_ref());
        let defaults = IntakeLimits::default();
        let mut bounded = |value: Option<&Spanned<i64>>,
                           name: &str,
                           range: std::ops::RangeInclusive<u32>,
                           default: u32| {
            let Some(value) = value else {
                return default;
            };
            match u32::try_from(*value.get_ref()) {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    self.error_at(
                        value.span(),
                        format!(
                            "intake.{name}: {} is outside {}..={}",
                            value.get_ref(),
                            range.start(),
                            range.end()
                        ),
                    );
                    default
                }
            }
        };
        IntakeLimits {
            keep_documents_days: bounded(
                intake.and_then(|i| i.keep_documents_days.as_ref()),
                "keep_documents_days",
                0..=3650,
                defaults.keep_documents_days,
            ),
            max_new_leads_per_source_hour: bounded(
                intake.and_then(|i| i.max_new_leads_per_source_hour.as_ref()),
                "max_new_leads_per_source_hour",
                1..=1_000_000,
                defaults.max_new_leads_per_source_hour,
            ),
        }
    }

    fn duplicate_window(&mut self, raw: Option<&raw::Settings>) -> u32 {
        let Some(days) = raw
            .and_then(|s| s.intake.as_ref())
            .and_then(|i| i.duplicate_window_days.as_ref())
        else {
            return 30;
        };
        match u32::try_from(*days.get_ref()) {
            Ok(d) if (1..=365).contains(&d) => d,
            _ => {
                self.error_at(
                    days.span(),
                    format!(
                        "intake.duplicate_window_days: {} is outside 1..=365",
                        days.get_ref()
                    ),
                );
                30
            }
        }
    }

    fn weekly(&mut self, what: &str, days: &BTreeMap<String, Spanned<String>>) -> WeeklyHours {
        let mut parsed = Vec::new();
        for (day, text) in days {
            if crate::hours::day_index(day).is_none() {
                self.error_at(
                    text.span(),
                    format!("{what}: `{day}` is not a weekday (mon..sun)"),
                );
                continue;
            }
            match WeeklyHours::from_days([(day.as_str(), text.get_ref().as_str())]) {
                Ok(_) => parsed.push((day.as_str(), text.get_ref().as_str())),
                Err((_, e)) => self.error_at(text.span(), format!("{what} {day}: {e}")),
            }
        }
        WeeklyHours::from_days(parsed).unwrap_or_default()
    }

    fn dealerships(&mut self, raw: raw::Dealerships) -> Vec<Dealership> {
        if raw.dealership.is_empty() {
            self.error_in_file("no [[dealership]] defined".into());
        }
        let mut out: Vec<Dealership> = Vec::new();
        for d in raw.dealership {
            let id = d.id.get_ref().clone();
            if out.iter().any(|o| o.id == id) {
                self.error_at(d.id.span(), format!("dealership `{id}` is defined twice"));
            }
            let zone_name = d.time_zone.get_ref().clone();
            let time_zone = match TimeZone::get(&zone_name) {
                Ok(z) => z,
                Err(_) => {
                    self.error_at(
                        d.time_zone.span(),
                        format!("`{zone_name}` is not an IANA time zone (e.g. America/Chicago)"),
                    );
                    TimeZone::UTC
                }
            };
            let country = d
                .country
                .as_ref()
                .map_or("US".to_owned(), |c| c.get_ref().to_ascii_uppercase());
            let phone = d.phone.as_ref().and_then(|p| {
                PhoneNumber::parse(p.get_ref(), &country)
                    .map_err(|e| self.error_at(p.span(), format!("phone: {e}")))
                    .ok()
            });
            let email = d.email.as_ref().and_then(|e| {
                EmailAddress::parse(e.get_ref())
                    .map_err(|err| self.error_at(e.span(), format!("email: {err}")))
                    .ok()
            });
            let mut holidays = BTreeSet::new();
            for h in &d.holidays {
                match h.get_ref().parse::<Date>() {
                    Ok(date) => {
                        holidays.insert(date);
                    }
                    Err(_) => self.error_at(
                        h.span(),
                        format!("holiday `{}` is not a date (YYYY-MM-DD)", h.get_ref()),
                    ),
                }
            }
            let mut hours = BTreeMap::new();
            for (department, days) in &d.hours {
                let week = self.weekly(&format!("hours.{department}"), days);
                hours.insert(department.clone(), week);
            }
            let language = match &d.language {
                None => crate::blocks::DEFAULT_LANGUAGE.to_owned(),
                Some(tag) => normalize_language(tag.get_ref()).unwrap_or_else(|| {
                    self.error_at(
                        tag.span(),
                        format!("`{}` is not a language code (en, es, ...)", tag.get_ref()),
                    );
                    crate::blocks::DEFAULT_LANGUAGE.to_owned()
                }),
            };
            out.push(Dealership {
                id,
                name: d.name,
                brand: d.brand.unwrap_or_default(),
                language,
                time_zone_name: zone_name,
                time_zone,
                country,
                phone,
                email,
                address: d.address,
                hours,
                holidays,
            });
        }
        for d in &mut out {
            if d.brand.is_empty() {
                d.brand = d.name.clone();
            }
        }
        out
    }

    fn teams(&mut self, raw: &raw::Routing) -> Vec<Team> {
        let mut teams: Vec<Team> = Vec::new();
        for t in &raw.team {
            if teams.iter().any(|o| &o.name == t.name.get_ref()) {
                self.error_at(
                    t.name.span(),
                    format!("team `{}` is defined twice", t.name.get_ref()),
                );
            }
            teams.push(Team {
                name: t.name.get_ref().clone(),
                manager: t.manager.as_ref().map(|m| m.get_ref().clone()),
            });
        }
        teams
    }

    fn staff(
        &mut self,
        raw: raw::StaffFile,
        teams: &[Team],
        dealerships: &[Dealership],
    ) -> Vec<Staff> {
        let mut out: Vec<Staff> = Vec::new();
        for s in raw.staff {
            let id = s.id.get_ref().clone();
            if out.iter().any(|o| o.id == id) {
                self.error_at(s.id.span(), format!("staff `{id}` is defined twice"));
            }
            let role = match s.role.get_ref().parse::<Role>() {
                Ok(r) => r,
                Err(e) => {
                    self.error_at(s.role.span(), e);
                    Role::Sales
                }
            };
            if !teams.iter().any(|t| &t.name == s.team.get_ref()) {
                self.error_at(
                    s.team.span(),
                    format!(
                        "staff `{id}` is in unknown team `{}` (teams are defined in routing.toml)",
                        s.team.get_ref()
                    ),
                );
            }
            let phone = s.phone.as_ref().and_then(|p| {
                PhoneNumber::parse(p.get_ref(), "US")
                    .map_err(|e| self.error_at(p.span(), format!("staff `{id}` phone: {e}")))
                    .ok()
            });
            let email = s.email.as_ref().and_then(|e| {
                EmailAddress::parse(e.get_ref())
                    .map_err(|err| self.error_at(e.span(), format!("staff `{id}` email: {err}")))
                    .ok()
            });
            if s.phone.is_none() && s.email.is_none() {
                self.error_at(
                    s.id.span(),
                    format!("staff `{id}` needs a phone or an email for alerts and call tasks"),
                );
            }
            let shift = s
                .shift
                .as_ref()
                .map(|days| self.weekly(&format!("staff `{id}` shift"), days));
            let dealership = s.dealership.as_ref().map(|d| {
                if !dealerships.iter().any(|known| &known.id == d.get_ref()) {
                    self.error_at(
                        d.span(),
                        format!(
                            "staff `{id}` belongs to unknown dealership `{}` (dealerships are defined in dealerships.toml)",
                            d.get_ref()
                        ),
                    );
                }
                d.get_ref().clone()
            });
            out.push(Staff {
                id,
                name: s.name,
                role,
                phone,
                email,
                team: s.team.get_ref().clone(),
                shift,
                dealership,
            });
        }
        out
    }

    fn check_managers(&mut self, raw: &raw::Routing, staff: &[Staff]) {
        for t in &raw.team {
            if let Some(m) = &t.manager {
                if !staff.iter().any(|s| &s.id == m.get_ref()) {
                    self.error_at(
                        m.span(),
                        format!(
                            "team `{}` has unknown manager `{}`",
                            t.name.get_ref(),
                            m.get_ref()
                        ),
                    );
                }
            }
        }
    }

    fn cadence(
        &mut self,
        raw: raw::Cadence,
        blocks: &BTreeMap<String, Block>,
        lint: &LintSettings,
    ) -> Option<Cadence> {
        let name = raw.name.get_ref().clone();
        let expected_file = format!("cadences/{name}.toml");
        if self.current.0 != expected_file {
            self.warn_at(
                raw.name.span(),
                format!("cadence `{name}` would be easier to find in {expected_file}"),
            );
        }
        let anchor = match &raw.anchor {
            None => Anchor::Received,
            Some(a) => match a.get_ref().parse::<Anchor>() {
                Ok(a) => a,
                Err(e) => {
                    self.error_at(a.span(), e);
                    Anchor::Received
                }
            },
        };
        if raw.step.is_empty() {
            self.error_at(raw.name.span(), format!("cadence `{name}` has no [[step]]"));
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut first_sms_seen = false;
        for (i, s) in raw.step.iter().enumerate() {
            let n = i + 1;
            let Some((day, before)) = self.step_offset(n, s, anchor) else {
                continue;
            };
            let at = match &s.at {
                None => None,
                Some(t) => match parse_time_of_day(t.get_ref()) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        self.error_at(t.span(), format!("step {n}: at: {e}"));
                        None
                    }
                },
            };
            if let (Some(prev), Anchor::Appointment) = (steps.last(), anchor) {
                let prev_minutes = prev.before.map_or(u32::MAX, |b| b.approx_minutes());
                let minutes = before.map_or(u32::MAX, |b| b.approx_minutes());
                if prev.before.is_some() && minutes >= prev_minutes {
                    self.error_at(
                        s.before.as_ref().map_or(s.block.span(), Spanned::span),
                        format!("step {n} ({} before) does not come after step {} ({} before): reminders must get closer to the appointment", before.map_or("no offset".into(), |b| b.to_string()), n - 1, prev.before.map_or(String::new(), |b| b.to_string())),
                    );
                }
            } else if let Some(prev) = steps.last() {
                let earlier = day < prev.day
                    || (day == prev.day && matches!((prev.at, at), (Some(a), Some(b)) if b <= a));
                if earlier {
                    self.error_at(
                        s.day.as_ref().map_or(s.block.span(), Spanned::span),
                        format!("step {n} (day {day}) does not come after step {} (day {}): step offsets must increase", n - 1, prev.day),
                    );
                }
            }
            let channel = match s.channel.get_ref().parse::<Channel>() {
                Ok(c) => c,
                Err(e) => {
                    self.error_at(s.channel.span(), format!("step {n}: {e}"));
                    // This step may have been the first SMS: linting a later one as the first would
                    // add errors for a mistake that is not there.
                    first_sms_seen = true;
                    continue;
                }
            };
            let block_name = s.block.get_ref();
            match blocks.get(block_name) {
                None => {
                    self.error_at(
                        s.block.span(),
                        format!("step {n} uses unknown block \"{block_name}\""),
                    );
                    // The first SMS's block is unknown: one error, not lint errors on the next SMS.
                    first_sms_seen |= channel == Channel::Sms;
                }
                Some(block) => {
                    let appointment_only = block
                        .variants
                        .iter()
                        .flat_map(Variant::placeholders)
                        .find(|p| {
                            Placeholder::from_name(p).is_some_and(Placeholder::needs_appointment)
                        });
                    if let (Some(p), false) = (appointment_only, anchor == Anchor::Appointment) {
                        self.error_at(
                            s.block.span(),
                            format!("step {n}: block \"{block_name}\" uses {{{{{p}}}}}, which only cadences with anchor = \"appointment\" can fill"),
                        );
                    }
                    let fits = block.channel == channel
                        || (channel == Channel::Voicemail && block.channel == Channel::Call)
                        || (channel == Channel::Call && block.channel == Channel::Voicemail);
                    if !fits {
                        self.error_at(
                            s.block.span(),
                            format!("step {n} is a {channel} step but block \"{block_name}\" is written for {}", block.channel),
                        );
                    }
                    if channel == Channel::Sms && !first_sms_seen {
                        first_sms_seen = true;
                        for p in lint_first_sms(&block.variants, lint) {
                            self.error_at(
                                s.block.span(),
                                format!(
                                    "step {n}: block \"{block_name}\" variant {} {}",
                                    p.variant + 1,
                                    p.message
                                ),
                            );
                        }
                    }
                }
            }
            let mode = match &s.mode {
                None => None,
                Some(m) if channel != Channel::Call => {
                    self.error_at(
                        m.span(),
                        format!("step {n}: `mode` applies to call steps only (this is a {channel} step)"),
                    );
                    None
                }
                Some(m) => match m.get_ref().parse::<CallMode>() {
                    Ok(mode) => Some(mode),
                    Err(e) => {
                        self.error_at(m.span(), format!("step {n}: mode: {e}"));
                        None
                    }
                },
            };
            steps.push(Step {
                day,
                channel,
                block: block_name.clone(),
                at,
                mode,
                before,
            });
        }
        Some(Cadence {
            name,
            label: raw.label,
            anchor,
            steps,
        })
    }

    /// A step's day and, for appointment cadences, its offset before the appointment.
    fn step_offset(
        &mut self,
        n: usize,
        s: &raw::Step,
        anchor: Anchor,
    ) -> Option<(u32, Option<Before>)> {
        let before = match (&s.before, anchor) {
            (None, _) => None,
            (Some(b), Anchor::Appointment) => match Before::parse(b.get_ref()) {
                Ok(b) => Some(b),
                Err(e) => {
                    self.error_at(b.span(), format!("step {n}: before: {e}"));
                    return None;
                }
            },
            (Some(b), _) => {
                self.error_at(
                    b.span(),
                    format!(
                        "step {n}: `before` only applies to cadences with anchor = \"appointment\""
                    ),
                );
                return None;
            }
        };
        let day = match (&s.day, anchor) {
            (Some(d), Anchor::Appointment) if *d.get_ref() != 0 => {
                self.error_at(
                    d.span(),
                    format!("step {n}: appointment cadences time reminders with `before = \"1d\"` or `\"2h\"`, not `day`"),
                );
                return None;
            }
            (None, Anchor::Appointment) => 0,
            (None, _) => {
                self.error_at(s.channel.span(), format!("step {n}: `day` is missing"));
                return None;
            }
            (Some(d), _) => *d.get_ref(),
        };
        if !(0..=3650).contains(&day) {
            let span = s.day.as_ref().map_or(s.channel.span(), Spanned::span);
            self.error_at(span, format!("step {n}: day {day} is outside 0..=3650"));
            return None;
        }
        Some((day as u32, before))
    }

    fn appointments(&mut self, raw: Option<&raw::Settings>) -> AppointmentRules {
        let mut rules = AppointmentRules {
            sales_cadence: None,
            service_cadence: None,
            no_show_cadence: None,
            no_show_grace_minutes: 120,
            default_duration_minutes: 60,
        };
        let Some(a) = raw.and_then(|s| s.appointments.as_ref()) else {
            return rules;
        };
        rules.sales_cadence = a.cadence.as_ref().map(|c| c.get_ref().clone());
        rules.service_cadence = a
            .service_cadence
            .as_ref()
            .or(a.cadence.as_ref())
            .map(|c| c.get_ref().clone());
        rules.no_show_cadence = a.no_show_cadence.as_ref().map(|c| c.get_ref().clone());
        let mut minutes = |what: &str, value: &Option<Spanned<i64>>, max: i64| -> Option<u32> {
            let value = value.as_ref()?;
            match u32::try_from(*value.get_ref()) {
                Ok(n) if n >= 1 && i64::from(n) <= max => Some(n),
                _ => {
                    self.error_at(
                        value.span(),
                        format!(
                            "appointments.{what}: {} is outside 1..={max}",
                            value.get_ref()
                        ),
                    );
                    None
                }
            }
        };
        if let Some(m) = minutes("no_show_grace_minutes", &a.no_show_grace_minutes, 24 * 60) {
            rules.no_show_grace_minutes = m;
        }
        if let Some(m) = minutes(
            "default_duration_minutes",
            &a.default_duration_minutes,
            12 * 60,
        ) {
            rules.default_duration_minutes = m;
        }
        rules
    }

    fn check_appointment_cadences(
        &mut self,
        raw: Option<&raw::Settings>,
        cadences: &BTreeMap<String, Cadence>,
    ) {
        let Some(a) = raw.and_then(|s| s.appointments.as_ref()) else {
            return;
        };
        let named = [
            ("cadence", &a.cadence, Anchor::Appointment),
            ("service_cadence", &a.service_cadence, Anchor::Appointment),
            ("no_show_cadence", &a.no_show_cadence, Anchor::NoShow),
        ];
        for (key, name, anchor) in named {
            let Some(name) = name else { continue };
            match cadences.get(name.get_ref()) {
                None => self.error_at(
                    name.span(),
                    format!("appointments.{key}: cadence `{}` is not defined in cadences/", name.get_ref()),
                ),
                Some(c) if c.anchor != anchor => self.error_at(
                    name.span(),
                    format!("appointments.{key}: cadence `{}` has anchor = \"{}\"; it needs anchor = \"{anchor}\"", c.name, c.anchor),
                ),
                Some(_) => {}
            }
        }
    }

    fn segments(
        &mut self,
        raw: raw::Segments,
        cadences: &BTreeMap<String, Cadence>,
        dealerships: &[Dealership],
    ) -> (Vec<Segment>, Vec<SegmentRule>, String) {
        let mut segments: Vec<Segment> = Vec::new();
        for s in raw.segment {
            let name = s.name.get_ref().clone();
            if segments.iter().any(|o| o.name == name) {
                self.error_at(s.name.span(), format!("segment `{name}` is defined twice"));
            }
            let cadence = match &s.cadence {
                None => {
                    self.error_at(s.name.span(), format!("segment `{name}` has no cadence"));
                    String::new()
                }
                Some(c) => {
                    if cadences
                        .get(c.get_ref())
                        .is_some_and(|c| c.anchor.ends_at() != crate::lead::Stage::AppointmentSet)
                    {
                        self.error_at(
                            c.span(),
                            format!("segment `{name}` uses cadence `{}`, which is for appointments (its anchor is not received or enrolled)", c.get_ref()),
                        );
                    }
                    if !cadences.contains_key(c.get_ref()) {
                        self.error_at(
                            c.span(),
                            format!("segment `{name}` uses cadence `{}`, which is not defined in cadences/", c.get_ref()),
                        );
                    }
                    c.get_ref().clone()
                }
            };
            let hours = s.hours.get_ref().clone();
            for d in dealerships {
                match d.hours.get(&hours) {
                    Some(w) if w.is_ever_open() => {}
                    _ => self.error_at(
                        s.hours.span(),
                        format!("segment `{name}` uses `{hours}` hours, which dealership `{}` does not define", d.id),
                    ),
                }
            }
            segments.push(Segment {
                name,
                cadence,
                hours,
                description: s.description,
            });
        }
        let known = |n: &str| segments.iter().any(|s| s.name == n);
        let mut rules = Vec::new();
        for r in raw.rule {
            if !known(r.segment.get_ref()) {
                self.error_at(
                    r.segment.span(),
                    format!(
                        "rule `{}` assigns unknown segment `{}`",
                        r.name.get_ref(),
                        r.segment.get_ref()
                    ),
                );
            }
            let mut kinds = Vec::new();
            for k in &r.source_kinds {
                match k.get_ref().parse::<SourceKind>() {
                    Ok(k) => kinds.push(k),
                    Err(e) => self.error_at(k.span(), e),
                }
            }
            rules.push(SegmentRule {
                name: r.name.get_ref().clone(),
                segment: r.segment.get_ref().clone(),
                source_kinds: kinds,
                min_age_days: r.min_age_days,
                max_age_days: r.max_age_days,
                service_visit_older_than_days: r.service_visit_older_than_days,
                without_appointment: r.without_appointment,
            });
        }
        let fallback = raw.settings.fallback.get_ref().clone();
        if !known(&fallback) {
            self.error_at(
                raw.settings.fallback.span(),
                format!("fallback segment `{fallback}` is not defined"),
            );
        }
        (segments, rules, fallback)
    }

    /// Warns of a routed team that has nobody to take one dealership's leads: its leads would go
    /// round the whole team, to people who cannot see them.
    fn check_rotations(&mut self, raw: &raw::Routing, staff: &[Staff], dealerships: &[Dealership]) {
        let mut warned = BTreeSet::new();
        for r in &raw.route {
            let team = r.team.get_ref();
            let members: Vec<&Staff> = staff
                .iter()
                .filter(|s| &s.team == team && s.role != Role::Manager)
                .collect();
            if members.is_empty() {
                continue;
            }
            for d in dealerships {
                let takes = members.iter().any(|s| crate::access::works_for(s, &d.id));
                if !takes && warned.insert((team.clone(), d.id.clone())) {
                    self.warn_at(
                        r.team.span(),
                        format!(
                            "team `{team}` has nobody who works for dealership `{}`: its `{}` leads go round the whole team, to people who cannot see them",
                            d.id,
                            r.segment.get_ref()
                        ),
                    );
                }
            }
        }
    }

    fn routes(
        &mut self,
        raw: &raw::Routing,
        segments: &[Segment],
        teams: &[Team],
        staff: &[Staff],
    ) -> BTreeMap<String, String> {
        let mut routes = BTreeMap::new();
        for r in &raw.route {
            let (segment, team) = (r.segment.get_ref(), r.team.get_ref());
            if !segments.iter().any(|s| &s.name == segment) {
                self.error_at(
                    r.segment.span(),
                    format!("route for unknown segment `{segment}`"),
                );
            }
            if !teams.iter().any(|t| &t.name == team) {
                self.error_at(
                    r.team.span(),
                    format!("route for `{segment}` names unknown team `{team}`"),
                );
            } else if !staff
                .iter()
                .any(|s| &s.team == team && s.role != Role::Manager)
            {
                self.error_at(r.team.span(), format!("team `{team}` has no staff to own `{segment}` leads (managers are not in the rotation)"));
            }
            if routes.insert(segment.clone(), team.clone()).is_some() {
                self.error_at(
                    r.segment.span(),
                    format!("segment `{segment}` is routed twice"),
                );
            }
        }
        for s in segments {
            if !routes.contains_key(&s.name) {
                self.error_in_file(format!("segment `{}` has no [[route]] to a team", s.name));
            }
        }
        routes
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
