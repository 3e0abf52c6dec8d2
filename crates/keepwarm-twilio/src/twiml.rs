//! TwiML documents keepwarm answers Twilio's voice webhooks with: connect a call to the owner
//! (`<Dial>`, one number or several rung together), record a voicemail (`<Record>`), speak (`<Say>`), play a recording (`<Play>`), hang up, or do nothing. Every text
//! and attribute is XML-escaped; nothing here is assembled with unescaped `format!`.

use quick_xml::escape::escape;
use url::Url;

/// A rendered TwiML document, ready to serve as `text/xml` or pass as a call's `Twiml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twiml(String);

impl Twiml {
    /// The XML text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The XML text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Twiml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `<Say>` with its optional voice and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    /// The words to speak.
    pub text: String,
    /// `voice`, e.g. `Polly.Joanna` or `alice`.
    pub voice: Option<String>,
    /// `language`, e.g. `en-US`.
    pub language: Option<String>,
}

impl Say {
    /// Speech in Twilio's default voice and language.
    pub fn new(text: impl Into<String>) -> Self {
        Say {
            text: text.into(),
            voice: None,
            language: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verb {
    Say(Say),
    Play(Url),
    Dial {
        number: String,
        caller_id: Option<String>,
    },
    Ring(Dial),
    Record(Record),
    Hangup,
    Pause(u32),
    Redirect(String),
}

/// `<Dial>` ringing one or more numbers at once (each a `<Number>`; the first to answer is
/// connected, the others are hung up), with the caller ID shown, how long to ring and where Twilio
/// reports how it ended (`action`, with `DialCallStatus` and `DialCallDuration`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dial {
    /// The numbers rung together, E.164 (Twilio accepts at most ten).
    pub numbers: Vec<String>,
    /// `callerId`: the number shown to the people rung.
    pub caller_id: Option<String>,
    /// `timeout`: seconds to ring before giving up (Twilio's default is 30).
    pub timeout_seconds: Option<u32>,
    /// `action`: where Twilio posts how the dial ended and fetches what to do next.
    pub action: Option<String>,
}

/// `<Record>`: records the caller (a voicemail) and posts `RecordingUrl` to `action` when done.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// `action`: where Twilio posts the recording.
    pub action: Option<String>,
    /// `maxLength`: the longest recording, in seconds.
    pub max_length_seconds: Option<u32>,
    /// `playBeep`.
    pub play_beep: bool,
}

/// A `<Response>` built verb by verb: `TwimlResponse::new().say(..).dial(..).render()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwimlResponse {
    verbs: Vec<Verb>,
}

impl TwimlResponse {
    /// An empty response (`<Response/>`: Twilio does nothing further, e.g. for an inbound text).
    pub fn new() -> Self {
        TwimlResponse::default()
    }

    /// Appends `<Say voice=".." language="..">text</Say>`.
    pub fn say(mut self, say: Say) -> Self {
        self.verbs.push(Verb::Say(say));
        self
    }

    /// Appends `<Play>url</Play>`.
    pub fn play(mut self, url: Url) -> Self {
        self.verbs.push(Verb::Play(url));
        self
    }

    /// Appends `<Dial>number</Dial>`: connects the caller to `number` (E.164).
    pub fn dial(mut self, number: impl Into<String>) -> Self {
        self.verbs.push(Verb::Dial {
            number: number.into(),
            caller_id: None,
        });
        self
    }

    /// Appends `<Dial callerId="..">number</Dial>`: as [`TwimlResponse::dial`], showing
    /// `caller_id` to the person called.
    pub fn dial_with_caller_id(
        mut self,
        number: impl Into<String>,
        caller_id: impl Into<String>,
    ) -> Self {
        self.verbs.push(Verb::Dial {
            number: number.into(),
            caller_id: Some(caller_id.into()),
        });
        self
    }

    /// Appends a `<Dial>` of one or more `<Number>`s with its attributes.
    pub fn ring(mut self, dial: Dial) -> Self {
        self.verbs.push(Verb::Ring(dial));
        self
    }

    /// Appends `<Record>` with its attributes.
    pub fn record(mut self, record: Record) -> Self {
        self.verbs.push(Verb::Record(record));
        self
    }

    /// Appends `<Pause length="seconds"/>`.
    pub fn pause(mut self, seconds: u32) -> Self {
        self.verbs.push(Verb::Pause(seconds));
        self
    }

    /// Appends `<Redirect>url</Redirect>`: Twilio fetches its next instructions from `url`
    /// (absolute, or relative to the URL it called).
    pub fn redirect(mut self, url: impl Into<String>) -> Self {
        self.verbs.push(Verb::Redirect(url.into()));
        self
    }

    /// Appends `<Hangup/>`.
    pub fn hangup(mut self) -> Self {
        self.verbs.push(Verb::Hangup);
        self
    }

    /// The document, with its XML declaration.
    pub fn render(&self) -> Twiml {
        let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        if self.verbs.is_empty() {
            xml.push_str("<Response/>");
            return Twiml(xml);
        }
        xml.push_str("<Response>");
        for verb in &self.verbs {
            match verb {
                Verb::Say(say) => {
                    xml.push_str("<Say");
                    attribute(&mut xml, "voice", say.voice.as_deref());
                    attribute(&mut xml, "language", say.language.as_deref());
                    element_body(&mut xml, "Say", &say.text);
                }
                Verb::Play(url) => {
                    xml.push_str("<Play");
                    element_body(&mut xml, "Play", url.as_str());
                }
                Verb::Dial { number, caller_id } => {
                    xml.push_str("<Dial");
                    attribute(&mut xml, "callerId", caller_id.as_deref());
                    element_body(&mut xml, "Dial", number);
                }
                Verb::Ring(dial) => {
                    xml.push_str("<Dial");
                    attribute(&mut xml, "action", dial.action.as_deref());
                    attribute(&mut xml, "method", dial.action.as_ref().map(|_| "POST"));
                    attribute(&mut xml, "callerId", dial.caller_id.as_deref());
                    let timeout = dial.timeout_seconds.map(|t| t.to_string());
                    attribute(&mut xml, "timeout", timeout.as_deref());
                    xml.push('>');
                    for number in &dial.numbers {
                        xml.push_str("<Number");
                        element_body(&mut xml, "Number", number);
                    }
                    xml.push_str("</Dial>");
                }
                Verb::Record(record) => {
                    xml.push_str("<Record");
                    attribute(&mut xml, "action", record.action.as_deref());
                    attribute(&mut xml, "method", record.action.as_ref().map(|_| "POST"));
                    let max = record.max_length_seconds.map(|t| t.to_string());
                    attribute(&mut xml, "maxLength", max.as_deref());
                    attribute(
                        &mut xml,
                        "playBeep",
                        Some(if record.play_beep { "true" } else { "false" }),
                    );
                    xml.push_str("/>");
                }
                Verb::Hangup => xml.push_str("<Hangup/>"),
                Verb::Pause(seconds) => {
                    xml.push_str(&format!("<Pause length=\"{seconds}\"/>"));
                }
                Verb::Redirect(url) => {
                    xml.push_str("<Redirect method=\"POST\"");
                    element_body(&mut xml, "Redirect", url);
                }
            }
        }
        xml.push_str("</Response>");
        Twiml(xml)
    }
}

fn attribute(xml: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        xml.push(' ');
        xml.push_str(name);
        xml.push_str("=\"");
        xml.push_str(&escape(value));
        xml.push('"');
    }
}

fn element_body(xml: &mut String, name: &str, text: &str) {
    xml.push('>');
    xml.push_str(&escape(text));
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}
