//! The configuration files as written: serde shapes with source spans, before any validation.
//! Nothing outside [`super`] sees these types, except through [`super::reference`], which turns
//! their doc comments into the configuration reference (`docs/config.md`): a doc comment here is
//! what a dealership's administrator reads, so it says what the key does and its default.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

pub(super) type Text = Spanned<String>;

/// Everything here has a default; the file may be left out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    /// Contact hours every automated touch obeys.
    #[serde(default)]
    pub contact: Option<ContactSettings>,
    /// The HTTP API.
    #[serde(default)]
    pub api: Option<ApiSettings>,
    /// Taking leads in: duplicates, raw documents, the hourly cap.
    #[serde(default)]
    pub intake: Option<IntakeSettings>,
    /// How long a person has to acknowledge a hot reply handed to them.
    #[serde(default)]
    pub escalation: Option<EscalationSettings>,
    /// What replies set in motion later.
    #[serde(default)]
    pub conversations: Option<ConversationSettings>,
    /// Appointment cadences and the no-show clock.
    #[serde(default)]
    pub appointments: Option<AppointmentSettings>,
    /// How the weekly follow-up audit measures, and to whom it is e-mailed ([audit.md](audit.md)).
    #[serde(default)]
    pub audit: Option<super::audit::RawAudit>,
    /// Calls through the store's number: who an inbound call rings and for how long, and what a
    /// call nobody answered sets in motion.
    #[serde(default)]
    pub calls: Option<super::calls::RawCalls>,
    /// The consent basis assumed for leads whose source sends no consent record.
    #[serde(default)]
    pub consent: Option<super::consent::RawConsent>,
}

/// Setting an appointment ends the follow-up cadence and starts an appointment cadence.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AppointmentSettings {
    /// The cadence a sales appointment starts (`anchor = "appointment"`; its steps say how long
    /// before the appointment each reminder goes out). Without one, an appointment only ends
    /// follow-up.
    #[schemars(with = "Option<String>")]
    pub cadence: Option<Text>,
    /// The cadence a service appointment starts. Default: `cadence`.
    #[schemars(with = "Option<String>")]
    pub service_cadence: Option<Text>,
    /// The cadence a missed appointment starts (`anchor = "no_show"`).
    #[schemars(with = "Option<String>")]
    pub no_show_cadence: Option<Text>,
    /// Minutes after an appointment's end with no show recorded before it counts as missed.
    /// Default 120.
    #[schemars(with = "Option<i64>")]
    pub no_show_grace_minutes: Option<Spanned<i64>>,
    /// An appointment's length when the API or an import does not give one (the calendar invite's
    /// end). Default 60.
    #[schemars(with = "Option<i64>")]
    pub default_duration_minutes: Option<Spanned<i64>>,
}

/// What a customer's reply sets in motion after the moment it arrives.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ConversationSettings {
    /// The long-term cadence a "not now" reply re-enrolls the lead into, after
    /// `not_now_delay_days` (unless they wrote again meanwhile). Without one, "not now" only
    /// pauses follow-up.
    #[schemars(with = "Option<String>")]
    pub nurture_cadence: Option<Text>,
    /// Days after a "not now" reply before nurture starts. Default 30.
    #[schemars(with = "Option<i64>")]
    pub not_now_delay_days: Option<Spanned<i64>>,
    /// Days of customer silence after a hot reply was handed to a person before the cadence
    /// resumes where it stopped. Default 3.
    #[schemars(with = "Option<i64>")]
    pub resume_after_silence_days: Option<Spanned<i64>>,
    /// Hours after a hand-off with nothing done on the lead by staff before the team's manager
    /// gets a "going cold" alert. Default 24.
    #[schemars(with = "Option<i64>")]
    pub going_cold_hours: Option<Spanned<i64>>,
    /// A person's message obeys the contact window like automation, except a direct answer within
    /// this many minutes of the customer's own message (recorded as conversational). Default 60.
    #[schemars(with = "Option<i64>")]
    pub conversational_reply_minutes: Option<Spanned<i64>>,
    /// A customer's message that needs a person puts the lead in its owner's "waiting on us"
    /// queue; one that is not hot is due within this many minutes, counted inside business hours
    /// (hot ones use the escalation clock). Default 15.
    #[schemars(with = "Option<i64>")]
    pub waiting_sla_minutes: Option<Spanned<i64>>,
}

/// A hot reply (trade-in value, credit question, appointment request, ...) goes to its owner at
/// once, or to an on-shift teammate. Unacknowledged, the team's manager is told and the escalation
/// is breached; still unacknowledged later, the next manager in the chain is told.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EscalationSettings {
    /// Minutes to acknowledge a hot reply before it is breached. Default 5.
    #[schemars(with = "Option<i64>")]
    pub ack_minutes: Option<Spanned<i64>>,
    /// Minutes after a breach before the next manager in the chain is told. Default 10.
    #[schemars(with = "Option<i64>")]
    pub second_deadline_minutes: Option<Spanned<i64>>,
    /// `ack_minutes` for replies with this label (`credit_finance = 10`); a reply with several
    /// labels gets the shortest.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, i64>")]
    pub ack_minutes_by_label: BTreeMap<String, Spanned<i64>>,
}

/// Taking leads in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct IntakeSettings {
    /// A new inquiry whose phone or e-mail matches a lead whose last inquiry was within this many
    /// days merges into that lead (no second cadence, owner kept); older matches, and sold or lost
    /// leads, reopen follow-up under the new inquiry's segment. Default 30.
    #[schemars(with = "Option<i64>")]
    pub duplicate_window_days: Option<Spanned<i64>>,
    /// The shared secret of `POST /webhooks/email` (`?token=` or the basic-auth password). The
    /// `KEEPWARM_EMAIL_SECRET` environment variable wins; with neither, the route is off.
    pub email_secret: Option<String>,
    /// Days raw inbound documents (e-mails, ADF, CSV) are kept for replay before their bodies are
    /// removed; 0 keeps them forever. Default 90.
    #[schemars(with = "Option<i64>")]
    pub keep_documents_days: Option<Spanned<i64>>,
    /// New leads per lead provider and per e-mail sender in one clock hour, from the e-mail webhook
    /// and ADF over HTTP; more are held for a person (`keepwarm held list`) and the managers are
    /// alerted. Default 200.
    #[schemars(with = "Option<i64>")]
    pub max_new_leads_per_source_hour: Option<Spanned<i64>>,
}

/// Contact hours.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ContactSettings {
    /// `HH:MM-HH:MM` in the recipient's own zone (every zone they may be in) inside which an
    /// automated call, voicemail or text may go out, on top of the compliance table's rows for the
    /// recipient's states (`keepwarm compliance rules`), intersected with the dealership's business
    /// hours for the segment's department, holidays removed. Default `08:00-21:00`.
    #[schemars(with = "Option<String>")]
    pub legal_hours: Option<Text>,
    /// `HH:MM-HH:MM` in the recipient's own zone inside which an automated e-mail may go out (the
    /// state table does not limit e-mail), intersected with the business hours. Default
    /// `08:00-21:00`.
    #[schemars(with = "Option<String>")]
    pub email_hours: Option<Text>,
    /// `HH:MM-HH:MM` in the recipient's own zone inside which an automated e-mail that answers the
    /// customer's own inquiry (a block with `purpose = "conversational"`) may go out; these hours
    /// alone, not `email_hours` nor the business hours. Default `00:00-24:00`: any time.
    #[schemars(with = "Option<String>")]
    pub email_reply_hours: Option<Text>,
}

/// The HTTP API.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ApiSettings {
    /// The bearer token of `/api/v1`. The `KEEPWARM_API_TOKEN` environment variable wins; with
    /// neither, `keepwarm serve` makes a random one at start-up and prints it once.
    pub token: Option<String>,
}

/// The dealerships (rooftops).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Dealerships {
    /// One per rooftop. Leads name their dealership by `id`; with one dealership they may leave it
    /// out.
    #[serde(default)]
    pub dealership: Vec<Dealership>,
}

/// A dealership.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Dealership {
    /// Stable id used by leads, staff and the API (`main`).
    #[schemars(with = "String")]
    pub id: Text,
    /// The store's name, `{{dealership}}`.
    pub name: String,
    /// The name customers know the store by, `{{brand}}` in messages. Default: `name`.
    pub brand: Option<String>,
    /// The language leads are written to when neither the lead nor their words say. Default `en`.
    #[schemars(with = "Option<String>")]
    pub language: Option<Text>,
    /// An IANA zone (`America/Chicago`): the store's local time, and the customer's when their own
    /// zone is not known.
    #[schemars(with = "String")]
    pub time_zone: Text,
    /// ISO 3166 code used to read phone numbers written without a country code. Default `US`.
    #[schemars(with = "Option<String>")]
    pub country: Option<Text>,
    /// Main phone number, `{{dealership_phone}}`.
    #[schemars(with = "Option<String>")]
    pub phone: Option<Text>,
    /// The address e-mails come from.
    #[schemars(with = "Option<String>")]
    pub email: Option<Text>,
    /// Postal address, `{{dealership_address}}` and the e-mail footer.
    pub address: String,
    /// Dates (`YYYY-MM-DD`, in the store's zone) on which no automated touch goes out.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub holidays: Vec<Text>,
    /// Business hours per department (`[dealership.hours.sales]`), then per weekday
    /// (`mon = "09:00-20:00"` or `"closed"`); a segment picks its department.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<String, String>>")]
    pub hours: BTreeMap<String, BTreeMap<String, Text>>,
}

/// The people. Every lead has exactly one owner from the team its segment routes to.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StaffFile {
    /// One per person; within a team, this order is the round-robin order.
    #[serde(default)]
    pub staff: Vec<StaffMember>,
}

/// A person on staff.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StaffMember {
    /// Stable id (API, routing, reports, sign-in).
    #[schemars(with = "String")]
    pub id: Text,
    /// Full name, `{{owner_name}}`.
    pub name: String,
    /// `sales`, `bdc`, `service` or `manager`. Managers see their whole dealership and receive
    /// escalations; they are not in the round-robin rotation.
    #[schemars(with = "String")]
    pub role: Text,
    /// Mobile number for alerts and call tasks (a phone or an e-mail is required).
    #[schemars(with = "Option<String>")]
    pub phone: Option<Text>,
    /// E-mail address for alerts, reports and sign-in.
    #[schemars(with = "Option<String>")]
    pub email: Option<Text>,
    /// A team from `routing.toml`.
    #[schemars(with = "String")]
    pub team: Text,
    /// Working hours per weekday in the dealership's zone (`mon = "09:00-18:00"`); round robin skips
    /// people off shift. Without a shift, always on.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub shift: Option<BTreeMap<String, Text>>,
    /// The dealership this person works for. Default: every dealership of the group (a group
    /// manager, a shared BDC).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dealership: Option<Text>,
}

/// Segments and the ordered rules that put each lead in exactly one of them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Segments {
    /// What happens to a lead no rule matches.
    pub settings: SegmentSettings,
    /// The segments.
    #[serde(default)]
    pub segment: Vec<Segment>,
    /// Rules, tried in order; the first whose conditions all hold wins, and its name goes on the
    /// lead's timeline.
    #[serde(default)]
    pub rule: Vec<Rule>,
}

/// The fallback.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SegmentSettings {
    /// The segment of a lead no rule matches.
    #[schemars(with = "String")]
    pub fallback: Text,
}

/// A segment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Segment {
    /// Its name (`new_inquiry`), on leads, in reports and in `routing.toml`.
    #[schemars(with = "String")]
    pub name: Text,
    /// The cadence its leads are enrolled in.
    #[schemars(with = "Option<String>")]
    pub cadence: Option<Text>,
    /// The department (in `dealerships.toml` hours) whose business hours bound its touches.
    #[schemars(with = "String")]
    pub hours: Text,
    /// What the segment is, for people.
    #[serde(default)]
    pub description: String,
}

/// A segmentation rule; every condition given must hold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Rule {
    /// Its name, written on the timeline of the leads it places.
    #[schemars(with = "String")]
    pub name: Text,
    /// The segment it places leads in.
    #[schemars(with = "String")]
    pub segment: Text,
    /// `internet`, `phone`, `sms`, `walk_in`, `service` or `import`; any when absent.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub source_kinds: Vec<Text>,
    /// The inquiry (its `received_at`) is at least this many days old when the lead arrives.
    pub min_age_days: Option<u32>,
    /// The inquiry is at most this many days old when the lead arrives.
    pub max_age_days: Option<u32>,
    /// The last service visit is known and at least this many days ago.
    pub service_visit_older_than_days: Option<u32>,
    /// The lead has no appointment set.
    #[serde(default)]
    pub without_appointment: bool,
}

/// Teams and which team owns each segment's leads. Assignment is round robin within the team,
/// skipping people off shift; when nobody is on shift the lead still gets the next owner in turn.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Routing {
    /// The teams.
    #[serde(default)]
    pub team: Vec<Team>,
    /// Which team each segment's leads go to.
    #[serde(default)]
    pub route: Vec<Route>,
}

/// A team.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Team {
    /// Its name, used by `staff.toml` and routes.
    #[schemars(with = "String")]
    pub name: Text,
    /// The staff id of the manager who receives the team's escalations and alerts.
    #[schemars(with = "Option<String>")]
    pub manager: Option<Text>,
}

/// A route.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Route {
    /// A segment from `segments.toml`.
    #[schemars(with = "String")]
    pub segment: Text,
    /// The team that owns its leads.
    #[schemars(with = "String")]
    pub team: Text,
}

/// Approved message blocks and the rules every message is checked against.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Blocks {
    /// The message lint `keepwarm check` applies; built-in lists when absent.
    pub lint: Option<Lint>,
    /// The blocks cadence steps send.
    #[serde(default)]
    pub block: Vec<Block>,
}

/// The message lint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Lint {
    /// Phrases no message may contain (whole words, any case): pressure language.
    pub banned_phrases: Option<Vec<String>>,
    /// The words the first text of every cadence must carry, with the brand name. Default
    /// `Reply STOP to opt out`.
    pub opt_out_words: Option<String>,
    /// The longest text, in billed segments (GSM-7 160/153 characters, UCS-2 70/67). Default 2.
    pub max_sms_segments: Option<usize>,
    /// Phrases that ask the customer to do something; with questions, they count as calls to
    /// action, of which a message may carry one.
    pub cta_phrases: Option<Vec<String>>,
    /// `opt_out_words` in the other languages blocks are written in
    /// (`es = "Responde STOP para darte de baja"`).
    pub opt_out_words_by_language: Option<BTreeMap<String, String>>,
    /// Wording that asserts stock, a vehicle's condition or a policy, and the condition a variant
    /// saying it must be sent under (`"is here" = "in_stock"`). Replaces the built-in list.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub claims: Option<BTreeMap<String, Text>>,
}

/// A block: approved text for one channel, in variants.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Block {
    /// Its name, used by cadence steps.
    #[schemars(with = "String")]
    pub name: Text,
    /// `sms`, `email`, `call` (a script for the person calling) or `voicemail`.
    #[schemars(with = "String")]
    pub channel: Text,
    /// Lets lead values bring links and phone numbers into the text. Default false.
    #[serde(default)]
    pub allow_lead_links: bool,
    /// What the block's messages are for: `marketing` (the default; the frequency caps, the
    /// consent basis of the recipient's jurisdictions and the do-not-call list apply to its calls
    /// and texts), `informational` (about something the customer already has or asked for, such as
    /// an appointment; `check` refuses one whose text sells) or `conversational` (answers the
    /// customer's own inquiry). A message that both informs and sells is marketing.
    #[schemars(with = "Option<String>")]
    pub purpose: Option<Text>,
    /// The wordings. Every language the block is written in needs a fallback variant (no `when`,
    /// no `asks`, only placeholders that always fill).
    #[serde(default)]
    #[schemars(with = "Vec<Variant>")]
    pub variant: Vec<Spanned<Variant>>,
}

/// One wording of a block.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Variant {
    /// The e-mail subject (e-mail blocks need one).
    #[schemars(with = "Option<String>")]
    pub subject: Option<Text>,
    /// The text, with `{{placeholders}}`; `{{first_name|there}}` carries its own fallback.
    #[schemars(with = "String")]
    pub text: Text,
    /// Its language. Default `en`.
    #[schemars(with = "Option<String>")]
    pub language: Option<Text>,
    /// A condition on the lead's facts (`condition == 'used' and in_stock`, `trade_in`,
    /// `price_known`, `visit_age_hours < 12`, joined with and/or/not); such a variant is sent only
    /// when it holds, and preferred when it does.
    #[schemars(with = "Option<String>")]
    pub when: Option<Text>,
    /// What the variant asks (`payment`, `trade_in`, `timeframe`, `vehicle`, `visit_time`): it is
    /// kept from a customer who already told us.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub asks: Vec<Text>,
}

/// A cadence: the touches of one follow-up plan, one file each under `cadences/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Cadence {
    /// Its name, used by segments and settings (the file's name is not).
    #[schemars(with = "String")]
    pub name: Text,
    /// A label for people (`standard framework`); part of the version hash.
    pub label: Option<String>,
    /// What day offsets count from: `received` (the inquiry), `enrolled`, `appointment` (steps use
    /// `before`) or `no_show`. Default `received`.
    #[schemars(with = "Option<String>")]
    pub anchor: Option<Text>,
    /// The touches, in order.
    #[serde(default)]
    pub step: Vec<Step>,
}

/// A touch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Step {
    /// Calendar days after the anchor, in the customer's zone; offsets never decrease.
    #[schemars(with = "Option<i64>")]
    pub day: Option<Spanned<i64>>,
    /// For appointment cadences: how long before the start (`1d`, `2h`); without it, at once.
    #[schemars(with = "Option<String>")]
    pub before: Option<Text>,
    /// `sms`, `email`, `call` or `voicemail`.
    #[schemars(with = "String")]
    pub channel: Text,
    /// The block it sends.
    #[schemars(with = "String")]
    pub block: Text,
    /// Preferred local time (`HH:MM`, the customer's zone); without it the step keeps the anchor's
    /// time of day. The touch is then moved into the contact window.
    #[schemars(with = "Option<String>")]
    pub at: Option<Text>,
    /// For calls: `task` (a person calls; the default) or `automated` (an automated call that
    /// connects a person who answers to the owner and leaves the voicemail message otherwise).
    #[schemars(with = "Option<String>")]
    pub mode: Option<Text>,
}
