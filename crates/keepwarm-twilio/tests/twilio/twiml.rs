//! TwiML documents, escaped.

use keepwarm_twilio::{Dial, Record, Say, TwimlResponse};

const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

#[test]
fn an_empty_response_is_self_closing() {
    assert_eq!(
        TwimlResponse::new().render().as_str(),
        format!("{DECL}<Response/>")
    );
}

#[test]
fn dialling_the_owner_renders_a_dial() {
    let twiml = TwimlResponse::new().dial("+13125550177").render();
    assert_eq!(
        twiml.as_str(),
        format!("{DECL}<Response><Dial>+13125550177</Dial></Response>")
    );
}

#[test]
fn say_play_and_hangup_render_in_order_with_attributes() {
    let twiml = TwimlResponse::new()
        .say(Say {
            text: "Hi, this is Lakeside Honda.".into(),
            voice: Some("Polly.Joanna".into()),
            language: Some("en-US".into()),
        })
        .play("https://cdn.example/greeting.mp3?a=1&b=2".parse().unwrap())
        .hangup()
        .render();
    assert_eq!(
        twiml.as_str(),
        format!(
            "{DECL}<Response><Say voice=\"Polly.Joanna\" language=\"en-US\">Hi, this is Lakeside Honda.</Say>\
             <Play>https://cdn.example/greeting.mp3?a=1&amp;b=2</Play><Hangup/></Response>"
        )
    );
}

#[test]
fn text_and_attributes_are_escaped() {
    let twiml = TwimlResponse::new()
        .say(Say {
            text: "Tom & Jerry's <Autos> \"best\"".into(),
            voice: Some("a\"><Hangup/>".into()),
            language: None,
        })
        .dial_with_caller_id("+13125550177", "+1312<5550100>")
        .render();
    let xml = twiml.as_str();
    assert!(
        xml.contains("Tom &amp; Jerry&apos;s &lt;Autos&gt; &quot;best&quot;"),
        "{xml}"
    );
    assert!(
        xml.contains("voice=\"a&quot;&gt;&lt;Hangup/&gt;\""),
        "{xml}"
    );
    assert!(xml.contains("callerId=\"+1312&lt;5550100&gt;\""), "{xml}");
    assert_eq!(xml.matches("<Hangup/>").count(), 0, "{xml}");
    // And it is well-formed XML.
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            _ => continue,
        }
    }
}

/// The content of the document's one `<Say>`, unescaped, after checking the whole is well-formed.
fn spoken(xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    while !matches!(reader.read_event().unwrap(), quick_xml::events::Event::Eof) {}
    let start = xml.find("<Say>").unwrap() + "<Say>".len();
    let end = xml.find("</Say>").unwrap();
    quick_xml::escape::unescape(&xml[start..end])
        .unwrap()
        .into_owned()
}

proptest::proptest! {
    #[test]
    fn any_spoken_text_survives_escaping(text in "[a-zA-Z0-9 &<>\"'.,!?/;#]{1,60}") {
        let xml = TwimlResponse::new().say(Say::new(text.clone())).render();
        proptest::prop_assert_eq!(spoken(xml.as_str()), text);
    }
}

#[test]
fn ringing_several_numbers_renders_one_number_each_with_the_dial_attributes() {
    let twiml = TwimlResponse::new()
        .ring(Dial {
            numbers: vec!["+13125550177".into(), "+13125550178".into()],
            caller_id: Some("+13125550100".into()),
            timeout_seconds: Some(20),
            action: Some("https://kw.example/webhooks/twilio/voice/dial?lead=7&step=1".into()),
        })
        .render();
    assert_eq!(
        twiml.as_str(),
        format!(
            "{DECL}<Response><Dial action=\"https://kw.example/webhooks/twilio/voice/dial?lead=7&amp;step=1\" \
             method=\"POST\" callerId=\"+13125550100\" timeout=\"20\"><Number>+13125550177</Number>\
             <Number>+13125550178</Number></Dial></Response>"
        )
    );
}

#[test]
fn a_voicemail_records_with_its_action_and_beep() {
    let twiml = TwimlResponse::new()
        .record(Record {
            action: Some("/webhooks/twilio/voice/recording?lead=7".into()),
            max_length_seconds: Some(120),
            play_beep: true,
        })
        .render();
    assert_eq!(
        twiml.as_str(),
        format!(
            "{DECL}<Response><Record action=\"/webhooks/twilio/voice/recording?lead=7\" method=\"POST\" \
             maxLength=\"120\" playBeep=\"true\"/></Response>"
        )
    );
}
