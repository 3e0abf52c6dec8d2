//! Shared set-up: a fake Twilio with a client pointed at it, and message builders.

use keepwarm_twilio::fake::FakeTwilio;
use keepwarm_twilio::{SendMessage, Sender, TwilioClient};

/// The dealership's sending number in these tests.
pub const DEALER: &str = "+13125550100";
/// A lead's mobile number.
pub const LEAD: &str = "+13125550142";

/// A fake Twilio and a client configured for it.
pub struct TestApp {
    pub fake: FakeTwilio,
    pub client: TwilioClient,
}

impl TestApp {
    /// Asserts that no request broke Twilio's OpenAPI description, printing them if some did.
    pub fn assert_no_violations(&self) {
        let violations = self.fake.violations();
        assert!(violations.is_empty(), "schema violations: {violations:#?}");
    }
}

/// Starts a fake and a client with the fake's default (fast) retry policy.
pub async fn spawn_app() -> TestApp {
    let fake = FakeTwilio::start().await.unwrap();
    let client = TwilioClient::new(fake.config()).unwrap();
    TestApp { fake, client }
}

/// A text from the dealer's number to `to`.
pub fn text(to: &str, body: &str) -> SendMessage {
    SendMessage {
        to: to.to_owned(),
        from: Sender::Number(DEALER.to_owned()),
        body: body.to_owned(),
        status_callback: Some(
            "https://keepwarm.example/webhooks/twilio/status"
                .parse()
                .unwrap(),
        ),
    }
}
