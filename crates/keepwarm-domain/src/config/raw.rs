//! The configuration files as written: serde shapes with source spans, before any validation.
//! Nothing outside [`super`] sees these types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub(super) type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    #[serde(default)]
    pub contact: Option<ContactSettings>,
    #[serde(default)]
    pub api: Option<ApiSettings>,
    #[serde(default)]
    pub intake: Option<IntakeSettings>,
    #[serde(default)]
    pub escalation: Option<EscalationSettings>,
    #[serde(default)]
    pub conversations: Option<ConversationSettings>,
    #[serde(default)]
    pub appointments: Option<AppointmentSettings>,
    #[serde(default)]
    pub audit: Option<super::audit::RawAudit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AppointmentSettings {
    pub cadence: Option<Text>,
    pub service_cadence: Option<Text>,
    pub no_show_cadence: Option<Text>,
    pub no_show_grace_minutes: Option<Spanned<i64>>,
    pub default_duration_minutes: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConversationSettings {
    pub nurture_cadence: Option<Text>,
    pub not_now_delay_days: Option<Spanned<i64>>,
    pub resume_after_silence_days: Option<Spanned<i64>>,
    pub going_cold_hours: Option<Spanned<i64>>,
    pub conversational_reply_minutes: Option<Spanned<i64>>,
    pub waiting_sla_minutes: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EscalationSettings {
    pub ack_minutes: Option<Spanned<i64>>,
    pub second_deadline_minutes: Option<Spanned<i64>>,
    #[serde(default)]
    pub ack_minutes_by_label: BTreeMap<String, Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IntakeSettings {
    pub duplicate_window_days: Option<Spanned<i64>>,
    pub email_secret: Option<String>,
    pub keep_documents_days: Option<Spanned<i64>>,
    pub max_new_leads_per_source_hour: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContactSettings {
    pub legal_hours: Option<Text>,
    pub email_hours: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ApiSettings {
    pub token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Dealerships {
    #[serde(default)]
    pub dealership: Vec<Dealership>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Dealership {
    pub id: Text,
    pub name: String,
    pub brand: Option<String>,
    pub language: Option<Text>,
    pub time_zone: Text,
    pub country: Option<Text>,
    pub phone: Option<Text>,
    pub email: Option<Text>,
    pub address: String,
    #[serde(default)]
    pub holidays: Vec<Text>,
    #[serde(default)]
    pub hours: BTreeMap<String, BTreeMap<String, Text>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StaffFile {
    #[serde(default)]
    pub staff: Vec<StaffMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StaffMember {
    pub id: Text,
    pub name: String,
    pub role: Text,
    pub phone: Option<Text>,
    pub email: Option<Text>,
    pub team: Text,
    pub shift: Option<BTreeMap<String, Text>>,
    #[serde(default)]
    pub dealership: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Segments {
    pub settings: SegmentSettings,
    #[serde(default)]
    pub segment: Vec<Segment>,
    #[serde(default)]
    pub rule: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SegmentSettings {
    pub fallback: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Segment {
    pub name: Text,
    pub cadence: Option<Text>,
    pub hours: Text,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rule {
    pub name: Text,
    pub segment: Text,
    #[serde(default)]
    pub source_kinds: Vec<Text>,
    pub min_age_days: Option<u32>,
    pub max_age_days: Option<u32>,
    pub service_visit_older_than_days: Option<u32>,
    #[serde(default)]
    pub without_appointment: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Routing {
    #[serde(default)]
    pub team: Vec<Team>,
    #[serde(default)]
    pub route: Vec<Route>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Team {
    pub name: Text,
    pub manager: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Route {
    pub segment: Text,
    pub team: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Blocks {
    pub lint: Option<Lint>,
    #[serde(default)]
    pub block: Vec<Block>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Lint {
    pub banned_phrases: Option<Vec<String>>,
    pub opt_out_words: Option<String>,
    pub max_sms_segments: Option<usize>,
    pub cta_phrases: Option<Vec<String>>,
    pub opt_out_words_by_language: Option<BTreeMap<String, String>>,
    pub claims: Option<BTreeMap<String, Text>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Block {
    pub name: Text,
    pub channel: Text,
    #[serde(default)]
    pub allow_lead_links: bool,
    #[serde(default)]
    pub variant: Vec<Spanned<Variant>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Variant {
    pub subject: Option<Text>,
    pub text: Text,
    pub language: Option<Text>,
    pub when: Option<Text>,
    #[serde(default)]
    pub asks: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cadence {
    pub name: Text,
    pub label: Option<String>,
    pub anchor: Option<Text>,
    #[serde(default)]
    pub step: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Step {
    pub day: Option<Spanned<i64>>,
    pub before: Option<Text>,
    pub channel: Text,
    pub block: Text,
    pub at: Option<Text>,
    pub mode: Option<Text>,
}
