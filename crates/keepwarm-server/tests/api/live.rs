//! The server with real transports: Twilio's API as a local fake that validates every request
//! against Twilio's OpenAPI description, and a real SMTP server process (aiosmtpd). The dealership
//! texts, calls and e-mails for real; the cadence mixes every kind of step.

use std::sync::Arc;

use keepwarm_channels::{Router, SandboxChannel, SmtpChannel, TwilioChannel};
use keepwarm_domain::config::{load_config, starter, Config};
use keepwarm_email::{ReceivedMessage, Secret, SmtpMailer, TestSmtpServer, UnsubscribeSigner};
use keepwarm_twilio::fake::{FakeTwilio, FAKE_AUTH_TOKEN};
use keepwarm_twilio::TwilioClient;

use crate::helpers::{fresh_store, launch, test_settings, FreshStore, TestApp, PUBLIC_URL};

/// The dealership's Twilio number.
pub const DEALER_NUMBER: &str = "+13125550100";

/// A cadence with every kind of step: text, e-mail, automated call, voicemail drop.
const LIVE_CADENCE: &str = r#"
name = "new_inquiry"
label = "live channels"
anchor = "received"

[[step]]
day = 0
channel = "sms"
block = "first_response"

[[step]]
day = 0
channel = "email"
block = "first_response_email"

[[step]]
day = 1
channel = "call"
mode = "automated"
block = "voicemail_hello"
at = "11:00"

[[step]]
day = 2
channel = "voicemail"
block = "voicemail_hello"
at = "11:00"

[[step]]
day = 3
channel = "sms"
block = "value_message"
at = "16:30"

[[step]]
day = 4
channel = "email"
block = "inventory_checkin"
at = "10:00"
"#;

const VOICEMAIL_BLOCK: &str = r#"
[[block]]
name = "voicemail_hello"
channel = "voicemail"
[[block.variant]]
text = "Hi, this is {{owner_first_name}} from {{brand}}. I have two times open this week for you to see the car. Call or text me back at {{dealership_phone}} whenever it suits you."
"#;

/// The starter configuration with every channel live for dealership `main`.
pub fn live_config(smtp_port: u16) -> Config {
    let files: Vec<(String, String)> = starter::files()
        .into_iter()
        .map(|(path, text)| {
            let text = match path.as_str() {
                "channels.toml" => format!(
                    "[twilio]\nmessages_per_second = 0\nring_seconds = 20\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\n\n[[dealership]]\nid = \"main\"\nsms = \"twilio\"\nvoice = \"twilio\"\nemail = \"smtp\"\nsms_from = \"{DEALER_NUMBER}\"\n"
                ),
                "cadences/new_inquiry.toml" => LIVE_CADENCE.to_owned(),
                "blocks.toml" => format!("{text}\n{VOICEMAIL_BLOCK}"),
                _ => text,
            };
            (path, text)
        })
        .collect();
    match load_config(&files) {
        Ok(c) => c.config,
        Err(errors) => panic!(
            "live config: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// The app with live transports, and the providers behind them.
pub struct LiveApp {
    pub app: TestApp,
    pub twilio: FakeTwilio,
    pub smtp: TestSmtpServer,
}

/// Starts the fake Twilio and a real SMTP server (configured by `smtp`), then the app sending
/// through them.
pub async fn spawn_live_app(start: &str, smtp: keepwarm_email::TestSmtpServerBuilder) -> LiveApp {
    let twilio = FakeTwilio::start().await.expect("fake twilio");
    twilio.set_now(start.parse().expect("start"));
    let smtp = smtp.start().expect("SMTP server (aiosmtpd)");
    let config = live_config(smtp.port());
    let FreshStore { store, database } = fresh_store().await;
    let signer = Arc::new(
        UnsubscribeSigner::new("k1", Secret::new("test-unsubscribe-key-0123456789abcdef"))
            .expect("signer"),
    );
    let client = TwilioClient::new(twilio.config()).expect("twilio client");
    let public = url::Url::parse(PUBLIC_URL).expect("url");
    let mailer = SmtpMailer::new(smtp.smtp_config()).expect("mailer");
    let router = Router::new(
        config.channels.clone(),
        Arc::new(SandboxChannel::new(
            keepwarm_engine::sandbox_outbox(&store).unwrap(),
        )),
    )
    .with_twilio(Arc::new(TwilioChannel::new(
        client,
        config.channels.clone(),
        Some(public),
    )))
    .with_smtp(Arc::new(SmtpChannel::new(
        mailer,
        (*signer).clone(),
        config.dealerships.clone(),
        config.channels.clone(),
        Some(PUBLIC_URL.into()),
    )));
    let settings = test_settings(FAKE_AUTH_TOKEN, Some(signer.clone()));
    let app = launch(config, store, Arc::new(router), start, settings)
        .await
        .holding(database);
    LiveApp { app, twilio, smtp }
}

impl LiveApp {
    /// Every e-mail the SMTP server accepted, parsed.
    pub fn emails(&self) -> Vec<ReceivedMessage> {
        self.smtp.messages().expect("maildir")
    }

    /// Posts a Twilio webhook signed as Twilio would sign it for `path` (with its query).
    pub async fn twilio_webhook(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let signature = keepwarm_twilio::compute_signature(
            FAKE_AUTH_TOKEN,
            &format!("{PUBLIC_URL}{path}"),
            &owned,
        );
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        self.app
            .client
            .post(format!("{}{path}", self.app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("X-Twilio-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("webhook")
    }
}
