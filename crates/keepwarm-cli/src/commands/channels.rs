//! Building the channels `channels.toml` asks for, with the secrets the environment holds, and
//! saying which secrets are missing (`keepwarm check`, `keepwarm serve`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use keepwarm_channels::{Router, SandboxChannel, SharedChannel, SmtpChannel, TwilioChannel};
use keepwarm_domain::config::{Config, SmtpSecurity, Transport};
use keepwarm_email::{Secret, SmtpConfig, SmtpCredentials, SmtpMailer, UnsubscribeSigner};
use keepwarm_store::SharedStore;
use keepwarm_twilio::{AuthToken, RateLimit, SharedSchedule, TwilioClient, TwilioConfig};

/// The secrets and addresses channels need, read from the environment once.
#[derive(Clone, Default)]
pub struct ChannelEnv {
    /// `KEEPWARM_TWILIO_ACCOUNT_SID`.
    pub twilio_account_sid: Option<String>,
    /// `KEEPWARM_TWILIO_AUTH_TOKEN`.
    pub twilio_auth_token: Option<String>,
    /// `KEEPWARM_SMTP_PASSWORD`.
    pub smtp_password: Option<String>,
    /// `KEEPWARM_PUBLIC_URL`, without a trailing slash.
    pub public_url: Option<String>,
    /// `KEEPWARM_UNSUBSCRIBE_KEY`: the unsubscribe-link signing key (else one kept in the database).
    pub unsubscribe_key: Option<String>,
}

impl std::fmt::Debug for ChannelEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "[set]" } else { "[unset]" };
        f.debug_struct("ChannelEnv")
            .field("twilio_account_sid", &self.twilio_account_sid)
            .field("twilio_auth_token", &set(&self.twilio_auth_token))
            .field("smtp_password", &set(&self.smtp_password))
            .field("public_url", &self.public_url)
            .field("unsubscribe_key", &set(&self.unsubscribe_key))
            .finish()
    }
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ChannelEnv {
    /// Reads the environment.
    pub fn from_env() -> Self {
        Self {
            twilio_account_sid: env_value("KEEPWARM_TWILIO_ACCOUNT_SID"),
            twilio_auth_token: env_value("KEEPWARM_TWILIO_AUTH_TOKEN"),
            smtp_password: env_value("KEEPWARM_SMTP_PASSWORD"),
            public_url: env_value("KEEPWARM_PUBLIC_URL")
                .map(|u| u.trim_end_matches('/').to_owned()),
            unsubscribe_key: env_value("KEEPWARM_UNSUBSCRIBE_KEY"),
        }
    }
}

/// What is missing for the transports the configuration turns on, one line each.
pub fn missing(config: &Config, env: &ChannelEnv) -> Vec<String> {
    let mut out = Vec::new();
    let channels = &config.channels;
    if channels.uses(Transport::Twilio) {
        if env.twilio_account_sid.is_none() {
            out.push(
                "channels.toml sends through twilio but KEEPWARM_TWILIO_ACCOUNT_SID is not set"
                    .into(),
            );
        } else if let Some(sid) = &env.twilio_account_sid {
            let valid = sid.len() == 34
                && sid.starts_with("AC")
                && sid[2..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                out.push("KEEPWARM_TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hex digits)".into());
            }
        }
        if env.twilio_auth_token.is_none() {
            out.push(
                "channels.toml sends through twilio but KEEPWARM_TWILIO_AUTH_TOKEN is not set"
                    .into(),
            );
        }
        if env.public_url.is_none() {
            out.push("channels.toml sends through twilio but KEEPWARM_PUBLIC_URL is not set (delivery reports and automated calls need it)".into());
        }
    }
    if channels.uses(Transport::Smtp) {
        if channels.smtp.as_ref().is_some_and(|s| s.username.is_some())
            && env.smtp_password.is_none()
        {
            out.push(
                "channels.toml logs in to the SMTP relay but KEEPWARM_SMTP_PASSWORD is not set"
                    .into(),
            );
        }
        if env.public_url.is_none() {
            out.push("channels.toml sends e-mail through smtp but KEEPWARM_PUBLIC_URL is not set (unsubscribe links need it)".into());
        }
    }
    out
}

/// The unsubscribe-link signer: the key from the environment, or one the database keeps (made on
/// first start, so links stay valid across restarts).
pub async fn unsubscribe_signer(
    store: &SharedStore,
    env: &ChannelEnv,
    now: Timestamp,
) -> anyhow::Result<UnsubscribeSigner> {
    let key = match &env.unsubscribe_key {
        Some(k) => k.clone(),
        None => {
            let candidate: [u8; 32] = rand::random();
            let hex: String = candidate.iter().map(|b| format!("{b:02x}")).collect();
            store
                .service_key("unsubscribe-v1", &hex, now)
                .await
                .context("reading the unsubscribe signing key")?
        }
    };
    UnsubscribeSigner::new("k1", Secret::new(key))
        .and_then(|s| s.with_validity(SignedDuration::from_hours(24 * 365)))
        .map_err(|e| anyhow::anyhow!("unsubscribe signing key: {e}"))
}

/// The channel the engine sends through: a router over the sandbox and whichever of Twilio and
/// SMTP the configuration uses and the environment has secrets for. A transport whose secrets are
/// missing is left out, so its touches wait (and `keepwarm check` says why) rather than vanish.
pub fn build(
    config: &Config,
    store: &SharedStore,
    env: &ChannelEnv,
    signer: &UnsubscribeSigner,
    sandbox_only: bool,
) -> anyhow::Result<SharedChannel> {
    // The sandbox's e-mails carry a Message-ID and the lead's reply address, as SMTP's do.
    let sandbox: SharedChannel = Arc::new(
        SandboxChannel::new(keepwarm_engine::sandbox_outbox(store)?)
            .with_email(signer.clone(), config.dealerships.clone()),
    );
    let mut router = Router::new(config.channels.clone(), sandbox);
    if sandbox_only {
        return Ok(Arc::new(router.sandbox_only()));
    }
    let public_url = env
        .public_url
        .as_deref()
        .map(url::Url::parse)
        .transpose()
        .context("KEEPWARM_PUBLIC_URL is not a URL")?;
    if let (true, Some(sid), Some(token)) = (
        config.channels.uses(Transport::Twilio),
        &env.twilio_account_sid,
        &env.twilio_auth_token,
    ) {
        let t = &config.channels.twilio;
        let mut twilio = TwilioConfig::new(sid.clone(), AuthToken::new(token.clone()));
        twilio.base_url = t.api_base.clone();
        twilio.send_rate = t
            .messages_per_second
            .map(|rate| RateLimit::one_every(Duration::from_secs_f64(1.0 / rate), t.burst));
        // Every process sending from a number shares its rate through the database.
        twilio.shared_schedule = Some(Arc::new(StoreSchedule(store.clone())));
        let client = TwilioClient::new(twilio).context("building the Twilio client")?;
        router = router.with_twilio(Arc::new(TwilioChannel::new(
            client,
            config.channels.clone(),
            public_url.clone(),
        )));
    }
    if let (true, Some(smtp)) = (config.channels.uses(Transport::Smtp), &config.channels.smtp) {
        let security = match smtp.security {
            SmtpSecurity::None => keepwarm_email::SmtpSecurity::None,
            SmtpSecurity::Starttls => keepwarm_email::SmtpSecurity::StartTls,
            SmtpSecurity::Tls => keepwarm_email::SmtpSecurity::Tls,
        };
        let mut c = SmtpConfig::new(smtp.host.clone(), smtp.port, security);
        c.timeout = Duration::from_secs(smtp.timeout_seconds.into());
        if let (Some(user), Some(password)) = (&smtp.username, &env.smtp_password) {
            c.credentials = Some(SmtpCredentials {
                username: user.clone(),
                password: Secret::new(password.clone()),
            });
        }
        let mailer = SmtpMailer::new(c).context("building the SMTP mailer")?;
        router = router.with_smtp(Arc::new(SmtpChannel::new(
            mailer,
            signer.clone(),
            config.dealerships.clone(),
            config.channels.clone(),
            env.public_url.clone(),
        )));
    }
    Ok(Arc::new(router))
}

/// The per-number send schedule kept in the database ([`keepwarm_store::Coordination`]), so that
/// every process sending from one number keeps that number's rate between them.
struct StoreSchedule(SharedStore);

impl std::fmt::Debug for StoreSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreSchedule")
    }
}

impl SharedSchedule for StoreSchedule {
    fn reserve<'a>(
        &'a self,
        sender: &'a str,
        interval: Duration,
        burst: u32,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Duration, String>> + Send + 'a>>
    {
        Box::pin(async move {
            self.0
                .reserve_send_slot(sender, interval, burst)
                .await
                .map_err(|e| e.to_string())
        })
    }
}
