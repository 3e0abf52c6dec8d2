//! An incoming text or MMS, typed: [`InboundText`] from the form Twilio posts to a number's
//! messaging webhook, with its media links (`NumMedia`, `MediaUrl{n}`, `MediaContentType{n}`).
//! Parsing only: the caller checks the signature ([`crate::validate`]) and records the message.
//! A picture-only MMS has an empty `Body` and is still a message from the customer.

use crate::callbacks::CallbackError;

/// Most media items Twilio attaches to one incoming MMS.
pub const MAX_MEDIA: usize = 10;

/// One attachment of an incoming MMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLink {
    /// `MediaUrl{n}`: where Twilio keeps the file (an `https` URL on Twilio's API).
    pub url: String,
    /// `MediaContentType{n}` (`image/jpeg`), when given.
    pub content_type: Option<String>,
}

/// An incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText {
    /// `From`: the customer's number as Twilio gives it.
    pub from: String,
    /// `MessageSid` (or the older `SmsSid`), when given.
    pub message_sid: Option<String>,
    /// `Body`; empty for a picture-only MMS.
    pub body: String,
    /// The attachments, in order.
    pub media: Vec<MediaLink>,
}

impl InboundText {
    /// Reads the webhook's form parameters. `From` is required; `NumMedia` must be a number up to
    /// [`MAX_MEDIA`], each `MediaUrl{n}` below it present and an `https` URL. A message with neither
    /// text nor media is an error.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, CallbackError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let from = get("From").ok_or(CallbackError::Missing("From"))?;
        let count = match get("NumMedia") {
            None => 0,
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_MEDIA)
                .ok_or_else(|| CallbackError::Invalid {
                    param: "NumMedia",
                    value: n.to_owned(),
                })?,
        };
        let mut media = Vec::with_capacity(count);
        for i in 0..count {
            let url = get(&format!("MediaUrl{i}")).ok_or(CallbackError::Missing("MediaUrl"))?;
            if !url.starts_with("https://") {
                return Err(CallbackError::Invalid {
                    param: "MediaUrl",
                    value: url.to_owned(),
                });
            }
            media.push(MediaLink {
                url: url.to_owned(),
                content_type: get(&format!("MediaContentType{i}")).map(str::to_owned),
            });
        }
        let body = params
            .iter()
            .find(|(k, _)| k == "Body")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        if body.trim().is_empty() && media.is_empty() {
            return Err(CallbackError::Missing("Body"));
        }
        Ok(InboundText {
            from: from.to_owned(),
            message_sid: get("MessageSid")
                .or_else(|| get("SmsSid"))
                .map(str::to_owned),
            body,
            media,
        })
    }

    /// The text to record: the body, then one line per attachment (`[image/jpeg: URL]`), so the
    /// media links are kept with the message and a picture-only MMS is not an empty message.
    pub fn text_with_media(&self) -> String {
        let mut text = self.body.trim().to_owned();
        for m in &self.media {
            if !text.is_empty() {
                text.push('\n');
            }
            let kind = m.content_type.as_deref().unwrap_or("media");
            text.push_str(&format!("[{kind}: {}]", m.url));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const PICTURE: &str = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1";

    #[test]
    fn a_picture_only_mms_is_a_message_with_its_media_link() {
        let text = InboundText::from_params(&params(&[
            ("From", "+13125550601"),
            ("MessageSid", "MM1"),
            ("Body", ""),
            ("NumMedia", "1"),
            ("MediaUrl0", PICTURE),
            ("MediaContentType0", "image/jpeg"),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.media.len(), 1);
        assert_eq!(text.text_with_media(), format!("[image/jpeg: {PICTURE}]"));
    }

    #[test]
    fn a_text_with_a_picture_keeps_both() {
        let text = InboundText::from_params(&params(&[
            ("From", "+13125550601"),
            ("Body", "my trade"),
            ("NumMedia", "1"),
            ("MediaUrl0", PICTURE),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text.text_with_media(),
            format!("my trade\n[media: {PICTURE}]")
        );
    }

    #[test]
    fn bad_media_parameters_are_refused_by_name() {
        let err = |pairs: &[(&str, &str)]| InboundText::from_params(&params(pairs)).err();
        assert_eq!(
            err(&[("From", "+1"), ("NumMedia", "11")]),
            Some(CallbackError::Invalid {
                param: "NumMedia",
                value: "11".into()
            })
        );
        assert_eq!(
            err(&[("From", "+1"), ("NumMedia", "1")]),
            Some(CallbackError::Missing("MediaUrl"))
        );
        assert_eq!(
            err(&[("From", "+1"), ("NumMedia", "1"), ("MediaUrl0", "http://x")]),
            Some(CallbackError::Invalid {
                param: "MediaUrl",
                value: "http://x".into()
            })
        );
        assert_eq!(
            err(&[("From", "+1"), ("Body", " ")]),
            Some(CallbackError::Missing("Body"))
        );
        assert_eq!(err(&[("Body", "hi")]), Some(CallbackError::Missing("From")));
    }
}
