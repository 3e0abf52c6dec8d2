//! `channels.toml`: how messages leave the building — which transport carries each kind of touch
//! for each dealership, the sending identities, and the provider settings that are not secrets.
//!
//! Secrets (Twilio's account SID and auth token, the SMTP password) never live here: they come
//! from the environment, and the binary checks that they are present for every transport this file
//! turns on. Without the file every dealership uses the sandbox, which records messages in the
//! outbox and sends nothing — what `keepwarm serve` runs with out of the box.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::raw::Text;
use super::{Dealership, Validator};
use crate::cadence::{Cadence, Channel};
use crate::contact::PhoneNumber;
use crate::lead::word_enum;

word_enum! {
    /// What carries one kind of touch.
    Transport {
        /// Recorded in the outbox; nothing leaves the machine.
        Sandbox = "sandbox",
        /// Twilio's REST API (texts, calls, voicemail).
        Twilio = "twilio",
        /// An SMTP relay (e-mail).
        Smtp = "smtp",
        /// Not available: steps on this channel are skipped with a reason, and `keepwarm check`
        /// reports every cadence that uses it.
        Off = "off",
    }
}

word_enum! {
    /// How the SMTP connection is secured.
    SmtpSecurity {
        /// Plain text (a relay on localhost, tests).
        None = "none",
        /// Plain connection upgraded with STARTTLS (port 587).
        Starttls = "starttls",
        /// TLS from the first byte (port 465).
        Tls = "tls",
    }
}

/// The channel configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelSettings {
    /// Twilio settings shared by every dealership that uses Twilio.
    pub twilio: TwilioSettings,
    /// The SMTP relay, when one is configured.
    pub smtp: Option<SmtpSettings>,
    /// Per-dealership transports and identities; a dealership not listed uses the sandbox.
    pub dealerships: BTreeMap<String, DealershipChannels>,
}

/// Twilio settings that are not secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct TwilioSettings {
    /// The API's base URL (`https://api.twilio.com`; a local fake in tests).
    pub api_base: String,
    /// Messages per second per sending number (carrier throughput); `None` is unlimited.
    pub messages_per_second: Option<f64>,
    /// How many messages a number may send at once before the rate applies.
    pub burst: u32,
    /// Seconds an automated call rings before it counts as not answered.
    pub ring_seconds: u32,
    /// The text-to-speech voice for voicemail messages (`<Say voice=...>`).
    pub say_voice: String,
}

impl Default for TwilioSettings {
    fn default() -> Self {
        Self {
            api_base: "https://api.twilio.com".into(),
            messages_per_second: Some(1.0),
            burst: 1,
            ring_seconds: 25,
            say_voice: "Polly.Joanna".into(),
        }
    }
}

/// The SMTP relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: SmtpSecurity,
    /// User name, when the relay wants one (the password comes from `KEEPWARM_SMTP_PASSWORD`).
    pub username: Option<String>,
    /// Seconds before a connection or command times out.
    pub timeout_seconds: u32,
}

/// One dealership's transports and sending identities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealershipChannels {
    /// What carries texts.
    pub sms: Transport,
    /// What carries automated calls and voicemail drops.
    pub voice: Transport,
    /// What carries e-mail.
    pub email: Transport,
    /// The number texts come from (unless a Messaging Service sends them).
    pub sms_from: Option<PhoneNumber>,
    /// A Twilio Messaging Service SID (`MG…`) that picks the sending number.
    pub messaging_service_sid: Option<String>,
    /// The number automated calls come from.
    pub caller_id: Option<PhoneNumber>,
    /// The display name on e-mails (defaults to the dealership's brand).
    pub email_from_name: Option<String>,
}

impl Default for DealershipChannels {
    fn default() -> Self {
        Self {
            sms: Transport::Sandbox,
            voice: Transport::Sandbox,
            email: Transport::Sandbox,
            sms_from: None,
            messaging_service_sid: None,
            caller_id: None,
            email_from_name: None,
        }
    }
}

impl DealershipChannels {
    /// The transport that carries a message of `kind`.
    pub fn transport(&self, kind: Channel) -> Transport {
        match kind {
            Channel::Sms => self.sms,
            Channel::Email => self.email,
            Channel::Call | Channel::Voicemail => self.voice,
        }
    }
}

impl ChannelSettings {
    /// A dealership's channels (all sandbox when it is not listed).
    pub fn for_dealership(&self, id: &str) -> DealershipChannels {
        self.dealerships.get(id).cloned().unwrap_or_default()
    }

    /// Whether any dealership sends through `transport`.
    pub fn uses(&self, transport: Transport) -> bool {
        self.dealerships
            .values()
            .any(|d| [d.sms, d.voice, d.email].contains(&transport))
    }
}

/// How messages leave the building. Secrets come from the environment, never from this file
/// (`KEEPWARM_TWILIO_ACCOUNT_SID`, `KEEPWARM_TWILIO_AUTH_TOKEN`, `KEEPWARM_SMTP_PASSWORD`); without
/// the file every dealership is `sandbox`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannels {
    /// The Twilio account (texts and calls).
    twilio: Option<RawTwilio>,
    /// The SMTP relay (e-mail).
    smtp: Option<RawSmtp>,
    /// Each dealership's transports and sending identities; a dealership not listed is `sandbox`.
    #[serde(default)]
    dealership: Vec<RawDealershipChannels>,
}

/// Twilio settings that are not secrets.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawTwilio {
    /// The API's base URL. Default `https://api.twilio.com`.
    #[schemars(with = "Option<String>")]
    api_base: Option<Text>,
    /// Carrier throughput per sending number (a 10DLC long code: about 1); 0 turns the limit off.
    /// Default 1.
    #[schemars(with = "Option<f64>")]
    messages_per_second: Option<Spanned<f64>>,
    /// Messages a number may send at once before the rate applies. Default 1.
    #[schemars(with = "Option<i64>")]
    burst: Option<Spanned<i64>>,
    /// Seconds an automated call rings before it counts as not answered (5 to 600). Default 25.
    #[schemars(with = "Option<i64>")]
    ring_seconds: Option<Spanned<i64>>,
    /// The text-to-speech voice that reads voicemail messages. Default `Polly.Joanna`.
    say_voice: Option<String>,
}

/// The SMTP relay; the password comes from `KEEPWARM_SMTP_PASSWORD`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    /// Host name.
    #[schemars(with = "String")]
    host: Text,
    /// Port. Default: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    #[schemars(with = "Option<i64>")]
    port: Option<Spanned<i64>>,
    /// `starttls`, `tls` or `none`. Default `starttls`.
    #[schemars(with = "Option<String>")]
    security: Option<Text>,
    /// User name, when the relay wants one.
    username: Option<String>,
    /// Seconds before a connection or command times out (1 to 600). Default 30.
    #[schemars(with = "Option<i64>")]
    timeout_seconds: Option<Spanned<i64>>,
}

/// One dealership's transports: `twilio` (`smtp` for e-mail) sends for real, `sandbox` records
/// every message in the outbox and sends nothing, `off` skips the steps with a reason on the
/// timeline.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawDealershipChannels {
    /// A dealership from `dealerships.toml`.
    #[schemars(with = "String")]
    id: Text,
    /// What carries texts: `twilio`, `sandbox` or `off`. Default `sandbox`.
    #[schemars(with = "Option<String>")]
    sms: Option<Text>,
    /// What carries automated calls and voicemail: `twilio`, `sandbox` or `off`. Default
    /// `sandbox`.
    #[schemars(with = "Option<String>")]
    voice: Option<Text>,
    /// What carries e-mail: `smtp`, `sandbox` or `off`. Default `sandbox`.
    #[schemars(with = "Option<String>")]
    email: Option<Text>,
    /// The Twilio number texts come from (or give `messaging_service_sid`).
    #[schemars(with = "Option<String>")]
    sms_from: Option<Text>,
    /// A Twilio Messaging Service SID (`MG...`) that picks the sending number.
    #[schemars(with = "Option<String>")]
    messaging_service_sid: Option<Text>,
    /// The number automated calls come from. Default: `sms_from`.
    #[schemars(with = "Option<String>")]
    caller_id: Option<Text>,
    /// The display name on e-mails (the address is the dealership's `email`). Default: the brand.
    email_from_name: Option<String>,
}

impl Validator {
    /// Validates `channels.toml` against the dealerships it names.
    pub(super) fn channels(
        &mut self,
        raw: Option<RawChannels>,
        dealerships: &[Dealership],
    ) -> ChannelSettings {
        let Some(raw) = raw else {
            return ChannelSettings::default();
        };
        let twilio = self.twilio(raw.twilio);
        let smtp = raw.smtp.map(|s| self.smtp(s));
        let mut out = BTreeMap::new();
        for d in raw.dealership {
            let id = d.id.get_ref().clone();
            let Some(dealership) = dealerships.iter().find(|x| x.id == id) else {
                self.error_at(
                    d.id.span(),
                    format!("unknown dealership `{id}` (not in dealerships.toml)"),
                );
                continue;
            };
            if out.contains_key(&id) {
                self.error_at(d.id.span(), format!("dealership `{id}` is listed twice"));
                continue;
            }
            let channels = self.dealership_channels(&d, dealership, smtp.is_some());
            out.insert(id, channels);
        }
        ChannelSettings {
            twilio,
            smtp,
            dealerships: out,
        }
    }

    fn twilio(&mut self, raw: Option<RawTwilio>) -> TwilioSettings {
        let mut t = TwilioSettings::default();
        let Some(raw) = raw else { return t };
        if let Some(base) = raw.api_base {
            match url::Url::parse(base.get_ref()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    t.api_base = base.get_ref().trim_end_matches('/').to_owned();
                }
                _ => self.error_at(
                    base.span(),
                    format!("api_base `{}` is not an http(s) URL", base.get_ref()),
                ),
            }
        }
        if let Some(rate) = raw.messages_per_second {
            let r = *rate.get_ref();
            if !(0.0..=10_000.0).contains(&r) || r.is_nan() {
                self.error_at(
                    rate.span(),
                    format!("messages_per_second {r} is outside 0..=10000 (0 turns the limit off)"),
                );
            } else {
                t.messages_per_second = (r > 0.0).then_some(r);
            }
        }
        if let Some(burst) = raw.burst {
            match u32::try_from(*burst.get_ref()) {
                Ok(b) if (1..=10_000).contains(&b) => t.burst = b,
                _ => self.error_at(burst.span(), "burst must be between 1 and 10000".into()),
            }
        }
        if let Some(ring) = raw.ring_seconds {
            match u32::try_from(*ring.get_ref()) {
                Ok(r) if (5..=600).contains(&r) => t.ring_seconds = r,
                _ => self.error_at(ring.span(), "ring_seconds must be between 5 and 600".into()),
            }
        }
        if let Some(voice) = raw.say_voice {
            t.say_voice = voice;
        }
        t
    }

    fn smtp(&mut self, raw: RawSmtp) -> SmtpSettings {
        let security = match &raw.security {
            None => SmtpSecurity::Starttls,
            Some(s) => s.get_ref().parse().unwrap_or_else(|e: String| {
                self.error_at(s.span(), format!("security: {e}"));
                SmtpSecurity::Starttls
            }),
        };
        let default_port = match security {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        };
        let port = match &raw.port {
            None => default_port,
            Some(p) => u16::try_from(*p.get_ref())
                .ok()
                .filter(|p| *p > 0)
                .unwrap_or_else(|| {
                    self.error_at(p.span(), format!("port {} is not a TCP port", p.get_ref()));
                    default_port
                }),
        };
        if raw.host.get_ref().trim().is_empty() {
            self.error_at(raw.host.span(), "host is empty".into());
        }
        let timeout_seconds = match &raw.timeout_seconds {
            None => 30,
            Some(t) => u32::try_from(*t.get_ref())
                .ok()
                .filter(|t| (1..=600).contains(t))
                .unwrap_or_else(|| {
                    self.error_at(t.span(), "timeout_seconds must be between 1 and 600".into());
                    30
                }),
        };
        SmtpSettings {
            host: raw.host.into_inner(),
            port,
            security,
            username: raw.username,
            timeout_seconds,
        }
    }

    fn dealership_channels(
        &mut self,
        d: &RawDealershipChannels,
        dealership: &Dealership,
        smtp_configured: bool,
    ) -> DealershipChannels {
        let id = &dealership.id;
        // A wrong word is one error. The placeholder it leaves is never used (a configuration with
        // errors does not load) but must not read as `off`: that would add an error for every
        // cadence step on the channel, nineteen for one typo in the starter configuration.
        let mut transport = |text: &Option<Text>, allowed: &[Transport], what: &str| match text {
            None => Transport::Sandbox,
            Some(t) => match t.get_ref().parse::<Transport>() {
                Ok(tr) if allowed.contains(&tr) => tr,
                Ok(tr) => {
                    let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                    self.error_at(
                        t.span(),
                        format!(
                            "{what} cannot go through `{tr}` (expected one of: {})",
                            names.join(", ")
                        ),
                    );
                    Transport::Sandbox
                }
                Err(e) => {
                    self.error_at(t.span(), format!("{what}: {e}"));
                    Transport::Sandbox
                }
            },
        };
        let phone_kinds = [Transport::Twilio, Transport::Sandbox, Transport::Off];
        let sms = transport(&d.sms, &phone_kinds, "sms");
        let voice = transport(&d.voice, &phone_kinds, "voice");
        let email = transport(
            &d.email,
            &[Transport::Smtp, Transport::Sandbox, Transport::Off],
            "email",
        );
        let sms_from = self.phone(&d.sms_from, &dealership.country, "sms_from");
        let caller_id = self.phone(&d.caller_id, &dealership.country, "caller_id");
        let messaging_service_sid = d.messaging_service_sid.as_ref().and_then(|m| {
            let sid = m.get_ref();
            let valid = sid.len() == 34
                && sid.starts_with("MG")
                && sid[2..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                self.error_at(
                    m.span(),
                    format!("messaging_service_sid `{sid}` is not a Messaging Service SID (MG followed by 32 hex digits)"),
                );
            }
            valid.then(|| sid.clone())
        });
        if sms == Transport::Twilio && sms_from.is_none() && messaging_service_sid.is_none() {
            self.error_at(
                d.id.span(),
                format!("dealership `{id}` texts through twilio but has neither sms_from nor messaging_service_sid"),
            );
        }
        if voice == Transport::Twilio
            && caller_id.is_none()
            && sms_from.is_none()
            && dealership.phone.is_none()
        {
            self.error_at(
                d.id.span(),
                format!("dealership `{id}` calls through twilio but has no caller_id, sms_from or phone"),
            );
        }
        if email == Transport::Smtp {
            if !smtp_configured {
                self.error_at(
                    d.id.span(),
                    format!("dealership `{id}` sends e-mail through smtp but channels.toml has no [smtp] section"),
                );
            }
            if dealership.email.is_none() {
                self.error_at(
                    d.id.span(),
                    format!("dealership `{id}` sends e-mail through smtp but has no `email` address in dealerships.toml"),
                );
            }
        }
        DealershipChannels {
            sms,
            voice,
            email,
            caller_id: caller_id.or_else(|| sms_from.clone()),
            sms_from,
            messaging_service_sid,
            email_from_name: d.email_from_name.clone(),
        }
    }

    fn phone(&mut self, text: &Option<Text>, country: &str, what: &str) -> Option<PhoneNumber> {
        let t = text.as_ref()?;
        match PhoneNumber::parse(t.get_ref(), country) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error_at(t.span(), format!("{what}: {e}"));
                None
            }
        }
    }

    /// Reports every cadence step whose channel is off for a dealership.
    pub(super) fn check_channels_used(
        &mut self,
        channels: &ChannelSettings,
        cadences: &BTreeMap<String, Cadence>,
        dealerships: &[Dealership],
    ) {
        for d in dealerships {
            let dc = channels.for_dealership(&d.id);
            for cadence in cadences.values() {
                for (i, step) in cadence.steps.iter().enumerate() {
                    // A call task is done by a person; it needs no transport.
                    let needs = step.channel != Channel::Call || step.is_automated_call();
                    if needs && dc.transport(step.channel) == Transport::Off {
                        self.error_in_file(format!(
                            "cadence `{}` step {} is {} {} step but {} is off for dealership `{}`",
                            cadence.name,
                            i + 1,
                            if matches!(step.channel, Channel::Email)
                                || step.channel == Channel::Call
                            {
                                "an"
                            } else {
                                "a"
                            },
                            if step.channel == Channel::Call {
                                "automated call"
                            } else {
                                step.channel.as_str()
                            },
                            match step.channel {
                                Channel::Sms => "sms",
                                Channel::Email => "email",
                                Channel::Call | Channel::Voicemail => "voice",
                            },
                            d.id
                        ));
                    }
                }
            }
        }
    }
}
