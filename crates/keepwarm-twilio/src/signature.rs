//! Validating the `X-Twilio-Signature` of webhook requests. Pure functions, no IO.
//!
//! Twilio signs each webhook with `base64(HMAC-SHA1(auth_token, url + sorted(key + value)))`, where
//! `url` is the full URL Twilio requested (query string included) and the form parameters are
//! appended sorted by key (then by value for repeated keys). For JSON webhooks the body's SHA-256
//! travels as the `bodySHA256` query parameter and no parameters are appended. Twilio may sign the
//! URL with or without the scheme's standard port, so both forms are accepted, as Twilio's own SDKs
//! do. Comparison is constant-time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Why a webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The request carried no `X-Twilio-Signature` header.
    Missing,
    /// The signature does not match the URL, the parameters and the auth token.
    Mismatch,
    /// A JSON webhook's body does not hash to its `bodySHA256` parameter.
    BodyMismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "missing X-Twilio-Signature header",
            SignatureError::Mismatch => "X-Twilio-Signature does not match",
            SignatureError::BodyMismatch => "the body does not match its bodySHA256",
        })
    }
}

impl std::error::Error for SignatureError {}

/// The signature Twilio computes for a request to `url` with form `params`: the URL, then each
/// parameter name and value, sorted by name then value. A value repeated under one name counts
/// once, as in Twilio's helper libraries (twilio-python `sorted(set(values))`), so
/// `Body=a&Body=a` is signed as `Bodya`.
pub fn compute_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut mac = match Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        // HMAC accepts keys of any length; this branch cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(url.as_bytes());
    for (key, value) in sorted {
        mac.update(key.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a form-encoded webhook: `url` as Twilio requested it (the public URL plus path and query),
/// every form parameter received, and the `X-Twilio-Signature` header value.
pub fn validate(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    let given = signature
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(SignatureError::Missing)?;
    let matches = url_forms(url).iter().any(|candidate| {
        constant_time_eq(
            compute_signature(auth_token, candidate, params).as_bytes(),
            given.as_bytes(),
        )
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks a JSON webhook: the signature covers the URL (with its `bodySHA256` parameter) and no form
/// parameters; the body must hash to that parameter.
pub fn validate_json(
    auth_token: &str,
    url: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    validate(auth_token, url, &[], signature)?;
    let expected = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "bodySHA256")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or(SignatureError::BodyMismatch)?;
    if constant_time_eq(
        hex::encode(Sha256::digest(body)).as_bytes(),
        expected.to_ascii_lowercase().as_bytes(),
    ) {
        Ok(())
    } else {
        Err(SignatureError::BodyMismatch)
    }
}

/// The URL as given, without any port it names, with its scheme's standard port when it names
/// none, and with `%27` and `'` swapped: Twilio signs the URL as configured, and proxies and
/// frameworks add or drop these. (Twilio's SDKs accept the same forms.)
fn url_forms(url: &str) -> Vec<String> {
    let mut forms = vec![url.to_owned()];
    // The authority as written: `url::Url` drops a default port it was given, so read the text.
    if let (Ok(parsed), Some(rest)) = (url::Url::parse(url), url.split_once("://").map(|(_, r)| r))
    {
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let scheme = parsed.scheme();
        match authority
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        {
            Some((host, _)) => forms.push(format!("{scheme}://{host}{}", &rest[authority_end..])),
            None => {
                if let Some(port) = parsed.port_or_known_default() {
                    forms.push(format!(
                        "{scheme}://{authority}:{port}{}",
                        &rest[authority_end..]
                    ));
                }
            }
        }
    }
    let quoted: Vec<String> = forms
        .iter()
        .filter(|f| f.contains("%27"))
        .map(|f| f.replace("%27", "'"))
        .chain(
            forms
                .iter()
                .filter(|f| f.contains('\''))
                .map(|f| f.replace('\'', "%27")),
        )
        .collect();
    forms.extend(quoted);
    forms
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

    #[test]
    fn a_changed_parameter_fails() {
        let p = params(&[("Body", "STOP"), ("From", "+13125550100")]);
        let sig = compute_signature("tok", "https://x.example/webhooks/twilio/sms", &p);
        assert!(validate(
            "tok",
            "https://x.example/webhooks/twilio/sms",
            &p,
            Some(&sig)
        )
        .is_ok());
        let changed = params(&[("Body", "START"), ("From", "+13125550100")]);
        assert_eq!(
            validate(
                "tok",
                "https://x.example/webhooks/twilio/sms",
                &changed,
                Some(&sig)
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            validate(
                "other",
                "https://x.example/webhooks/twilio/sms",
                &p,
                Some(&sig)
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            validate("tok", "https://x.example/webhooks/twilio/sms", &p, None),
            Err(SignatureError::Missing)
        );
    }
}
