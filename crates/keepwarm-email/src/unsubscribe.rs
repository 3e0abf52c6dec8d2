//! Signed unsubscribe tokens: the `TOKEN` in `https://…/u/TOKEN`.
//!
//! A token carries its claim (dealership, contact address, lead, issue time) in the clear and an
//! HMAC-SHA256 over it, so the unsubscribe handler needs no database row to know who asked, and
//! nobody can forge one for another address. The format is
//!
//! ```text
//! v1.<key id>.<base64url(JSON claim)>.<base64url(HMAC-SHA256(key, "v1.<key id>.<claim>"))>
//! ```
//!
//! The version prefix lets the format change later; the key id lets the signing key rotate: a
//! signer signs with its current key and still accepts tokens of the previous keys it was given.
//! This module does no IO and never reads the clock: `verify` takes `now`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;

use crate::Secret;

/// The token format this signer writes and reads.
const VERSION: &str = "v1";

/// Tokens longer than this are refused unread, so arbitrary input costs little to reject.
const MAX_TOKEN_LEN: usize = 2048;

/// The shortest validity a signer accepts: the issue asks for links that work for at least 60
/// days.
pub const MIN_VALIDITY: SignedDuration = SignedDuration::from_hours(60 * 24);

/// The validity of a new signer: 365 days.
pub const DEFAULT_VALIDITY: SignedDuration = SignedDuration::from_hours(365 * 24);

/// The shortest secret key accepted, in bytes (the length of an HMAC-SHA256 output).
pub const MIN_KEY_LEN: usize = 32;

/// Who asked to unsubscribe: what a token proves once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeClaim {
    /// The dealership that sent the e-mail (its id or slug, as the caller names it).
    pub dealership: String,
    /// The contact's e-mail address the message went to.
    pub contact: String,
    /// The lead the e-mail was about, when there was one.
    pub lead_id: Option<i64>,
    /// When the token was issued. Tokens keep whole seconds: a sub-second part is dropped by
    /// [`UnsubscribeSigner::sign`].
    pub issued_at: Timestamp,
}

/// Why a signer could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// The key id is empty, longer than 16 characters, or not ASCII letters and digits.
    #[error("unsubscribe key id `{0}` must be 1 to 16 ASCII letters or digits")]
    InvalidKeyId(String),
    /// The secret key is shorter than [`MIN_KEY_LEN`] bytes.
    #[error("the unsubscribe signing key must be at least {MIN_KEY_LEN} bytes, got {0}")]
    KeyTooShort(usize),
    /// Two keys were given the same id.
    #[error("unsubscribe key id `{0}` is given twice")]
    DuplicateKeyId(String),
    /// The validity asked for is shorter than [`MIN_VALIDITY`] (60 days).
    #[error("unsubscribe links must stay valid for at least 60 days, got {0:#}")]
    ValidityTooShort(SignedDuration),
}

/// Why a token was not accepted. The handler should show the same friendly page for all of them
/// (and offer the preferences form), never the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this format: wrong version prefix, wrong number of parts, bad base64, too
    /// long, or a signed claim that does not decode.
    #[error("not an unsubscribe token")]
    Malformed,
    /// Signed with a key id this signer does not know (a retired key, or another deployment).
    #[error("unsubscribe token signed with an unknown key")]
    UnknownKey,
    /// The signature does not match the claim: tampered with, or signed by another secret.
    #[error("unsubscribe token signature does not match")]
    BadSignature,
    /// Genuine, but older than the signer's validity. `expired_at` is `issued_at + validity`; a
    /// token is refused from that instant on.
    #[error("unsubscribe token expired at {expired_at}")]
    Expired {
        /// The instant the token stopped being valid.
        expired_at: Timestamp,
    },
}

/// One signing key: a short public id written into tokens and the keyed HMAC (the secret itself
/// is not kept around).
#[derive(Clone)]
struct SigningKey {
    id: String,
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl SigningKey {
    fn new(id: &str, secret: &Secret) -> Result<Self, SignerError> {
        let id_ok =
            !id.is_empty() && id.len() <= 16 && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !id_ok {
            return Err(SignerError::InvalidKeyId(id.to_owned()));
        }
        let key = secret.expose().as_bytes();
        if key.len() < MIN_KEY_LEN {
            return Err(SignerError::KeyTooShort(key.len()));
        }
        // HMAC accepts keys of any length; the error arm is unreachable but costs nothing.
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map_err(|_| SignerError::KeyTooShort(key.len()))?;
        Ok(SigningKey {
            id: id.to_owned(),
            keyed,
        })
    }

    fn mac(&self, signed_part: &str) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(signed_part.as_bytes());
        mac
    }
}

/// Signs and verifies unsubscribe tokens. `Debug` shows the key ids, never the secrets.
#[derive(Debug, Clone)]
pub struct UnsubscribeSigner {
    current: SigningKey,
    previous: Vec<SigningKey>,
    validity: SignedDuration,
}

/// The claim as it travels inside a token (short field names keep the URL short).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireClaim {
    d: String,
    c: String,
    l: Option<i64>,
    t: i64,
}

impl UnsubscribeSigner {
    /// A signer that signs with `secret` under the id `key_id` (1 to 16 ASCII letters or digits,
    /// e.g. `"k2026"`), valid for [`DEFAULT_VALIDITY`].
    pub fn new(key_id: &str, secret: Secret) -> Result<Self, SignerError> {
        Ok(UnsubscribeSigner {
            current: SigningKey::new(key_id, &secret)?,
            previous: Vec::new(),
            validity: DEFAULT_VALIDITY,
        })
    }

    /// Also accepts tokens signed by a previous key, so links already sent keep working after
    /// the key rotates.
    pub fn with_previous_key(mut self, key_id: &str, secret: Secret) -> Result<Self, SignerError> {
        let key = SigningKey::new(key_id, &secret)?;
        if key.id == self.current.id || self.previous.iter().any(|k| k.id == key.id) {
            return Err(SignerError::DuplicateKeyId(key.id));
        }
        self.previous.push(key);
        Ok(self)
    }

    /// Sets how long tokens stay valid; at least [`MIN_VALIDITY`] (60 days).
    pub fn with_validity(mut self, validity: SignedDuration) -> Result<Self, SignerError> {
        if validity < MIN_VALIDITY {
            return Err(SignerError::ValidityTooShort(validity));
        }
        self.validity = validity;
        Ok(self)
    }

    /// How long tokens stay valid after they are issued.
    pub fn validity(&self) -> SignedDuration {
        self.validity
    }

    /// The token for `claim`, URL-safe (`[A-Za-z0-9._-]`), signed with the current key.
    pub fn sign(&self, claim: &UnsubscribeClaim) -> String {
        // `Value`'s `Display` cannot fail, unlike `serde_json::to_string`.
        let json = serde_json::json!({
            "d": claim.dealership,
            "c": claim.contact,
            "l": claim.lead_id,
            "t": claim.issued_at.as_second(),
        })
        .to_string();
        let signed_part = format!(
            "{VERSION}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(json.as_bytes())
        );
        let signature = self.current.mac(&signed_part).finalize().into_bytes();
        format!("{signed_part}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Checks `token` and returns its claim if it was signed by one of this signer's keys and
    /// `now` is before `issued_at + validity`. Never panics, whatever the input.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<UnsubscribeClaim, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let (signed_part, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let mut parts = signed_part.split('.');
        let (Some(version), Some(key_id), Some(payload), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        if version != VERSION {
            return Err(TokenError::Malformed);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or(TokenError::UnknownKey)?;
        key.mac(signed_part)
            .verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;

        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let wire: WireClaim = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        let issued_at = Timestamp::from_second(wire.t).map_err(|_| TokenError::Malformed)?;
        let expired_at = issued_at
            .checked_add(self.validity)
            .map_err(|_| TokenError::Malformed)?;
        if now >= expired_at {
            return Err(TokenError::Expired { expired_at });
        }
        Ok(UnsubscribeClaim {
            dealership: wire.d,
            contact: wire.c,
            lead_id: wire.l,
            issued_at,
        })
    }
}

/// The domain that separates reply tags from unsubscribe tokens signed with the same key.
const REPLY_TAG_DOMAIN: &str = "reply-to.v1.";

/// Hex digits of a reply tag's MAC: 128 bits.
const REPLY_MAC_HEX: usize = 32;

impl UnsubscribeSigner {
    /// The tag of lead `lead_id`'s reply address (`sales+TAG@lakeside.example`, see
    /// [`crate::reply_to`]): `{lead}-{mac}`, the MAC the first 128 bits of
    /// HMAC-SHA256(key, `reply-to.v1.{lead}`) in lower-case hex, so a mail system that folds the
    /// address's case keeps it valid. Unguessable and unforgeable without the key; it does not
    /// expire (a customer may answer a months-old e-mail).
    pub fn reply_tag(&self, lead_id: i64) -> String {
        let mac = self
            .current
            .mac(&format!("{REPLY_TAG_DOMAIN}{lead_id}"))
            .finalize()
            .into_bytes();
        let hex: String = mac
            .iter()
            .take(REPLY_MAC_HEX / 2)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{lead_id}-{hex}")
    }

    /// The lead a reply tag names, if one of this signer's keys (current or previous) made it.
    /// Never panics, whatever the input.
    pub fn verify_reply_tag(&self, tag: &str) -> Option<i64> {
        let (lead, mac) = tag.trim().split_once('-')?;
        let lead_id: i64 = lead.parse().ok().filter(|l| *l > 0)?;
        if mac.len() != REPLY_MAC_HEX || lead.len() > 19 {
            return None;
        }
        let given: Vec<u8> = (0..REPLY_MAC_HEX)
            .step_by(2)
            .map(|i| u8::from_str_radix(mac.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?;
        std::iter::once(&self.current)
            .chain(&self.previous)
            .any(|k| {
                k.mac(&format!("{REPLY_TAG_DOMAIN}{lead_id}"))
                    .verify_truncated_left(&given)
                    .is_ok()
            })
            .then_some(lead_id)
    }
}

/// The unsubscribe URL for `token` under the public base URL of the keepwarm server
/// (`https://keepwarm.example.com` → `https://keepwarm.example.com/u/TOKEN`).
pub fn unsubscribe_url(public_base_url: &str, token: &str) -> String {
    format!("{}/u/{token}", public_base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> UnsubscribeSigner {
        UnsubscribeSigner::new("k1", Secret::new("0123456789abcdef0123456789abcdef")).unwrap()
    }

    fn claim() -> UnsubscribeClaim {
        UnsubscribeClaim {
            dealership: "sunrise-motors".to_owned(),
            contact: "dana@example.com".to_owned(),
            lead_id: Some(42),
            issued_at: "2026-01-10T12:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_signed_claim_verifies_back_to_itself() {
        let token = signer().sign(&claim());
        let now: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(signer().verify(&token, now), Ok(claim()));
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        assert!(token.starts_with("v1.k1."));
    }

    #[test]
    fn a_claim_without_a_lead_round_trips() {
        let claim = UnsubscribeClaim {
            lead_id: None,
            ..claim()
        };
        let token = signer().sign(&claim);
        assert_eq!(signer().verify(&token, claim.issued_at), Ok(claim));
    }

    #[test]
    fn a_token_expires_exactly_at_issue_time_plus_validity() {
        let signer = signer()
            .with_validity(SignedDuration::from_hours(90 * 24))
            .unwrap();
        let token = signer.sign(&claim());
        let expired_at = claim()
            .issued_at
            .checked_add(SignedDuration::from_hours(90 * 24))
            .unwrap();
        let just_before = expired_at
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap();
        assert!(signer.verify(&token, just_before).is_ok());
        assert_eq!(
            signer.verify(&token, expired_at),
            Err(TokenError::Expired { expired_at })
        );
    }

    #[test]
    fn the_default_validity_is_a_year_and_less_than_sixty_days_is_refused() {
        assert_eq!(signer().validity(), SignedDuration::from_hours(365 * 24));
        let short = SignedDuration::from_hours(59 * 24);
        assert_eq!(
            signer().with_validity(short).unwrap_err(),
            SignerError::ValidityTooShort(short)
        );
        assert!(signer().with_validity(MIN_VALIDITY).is_ok());
    }

    #[test]
    fn a_tampered_claim_fails_the_signature() {
        let token = signer().sign(&claim());
        let other = signer().sign(&UnsubscribeClaim {
            contact: "mallory@example.com".to_owned(),
            ..claim()
        });
        // The other claim with the first signature.
        let parts: Vec<&str> = token.split('.').collect();
        let other_parts: Vec<&str> = other.split('.').collect();
        let forged = format!("v1.k1.{}.{}", other_parts[2], parts[3]);
        assert_eq!(
            signer().verify(&forged, claim().issued_at),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_token_from_another_secret_is_rejected() {
        let stranger =
            UnsubscribeSigner::new("k1", Secret::new("another-secret-another-secret-xx")).unwrap();
        let token = stranger.sign(&claim());
        assert_eq!(
            signer().verify(&token, claim().issued_at),
            Err(TokenError::BadSignature)
        );
        let stranger =
            UnsubscribeSigner::new("k9", Secret::new("another-secret-another-secret-xx")).unwrap();
        assert_eq!(
            signer().verify(&stranger.sign(&claim()), claim().issued_at),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn tokens_of_a_previous_key_still_verify_after_rotation() {
        let old_token = signer().sign(&claim());
        let rotated =
            UnsubscribeSigner::new("k2", Secret::new("the-new-key-the-new-key-the-new-k"))
                .unwrap()
                .with_previous_key("k1", Secret::new("0123456789abcdef0123456789abcdef"))
                .unwrap();
        assert_eq!(rotated.verify(&old_token, claim().issued_at), Ok(claim()));
        assert!(rotated.sign(&claim()).starts_with("v1.k2."));
    }

    #[test]
    fn short_keys_and_odd_key_ids_are_refused() {
        assert_eq!(
            UnsubscribeSigner::new("k1", Secret::new("short")).unwrap_err(),
            SignerError::KeyTooShort(5)
        );
        assert!(matches!(
            UnsubscribeSigner::new("k.1", Secret::new("0123456789abcdef0123456789abcdef")),
            Err(SignerError::InvalidKeyId(_))
        ));
        assert!(matches!(
            signer().with_previous_key("k1", Secret::new("0123456789abcdef0123456789abcdef")),
            Err(SignerError::DuplicateKeyId(_))
        ));
    }

    #[test]
    fn the_signer_debug_output_hides_the_secret() {
        let debug = format!("{:?}", signer());
        assert!(!debug.contains("0123456789abcdef"), "{debug}");
        assert!(debug.contains("k1"));
    }

    #[test]
    fn malformed_tokens_are_named_malformed() {
        let now = claim().issued_at;
        for token in [
            "",
            "v1",
            "v1.k1.abc",
            "v2.k1.abc.def",
            "v1.k1.abc.def.ghi",
            "v1.k1.abc.!!!",
        ] {
            assert_eq!(
                signer().verify(token, now),
                Err(TokenError::Malformed),
                "{token}"
            );
        }
    }

    #[test]
    fn the_url_joins_the_base_and_the_token() {
        assert_eq!(
            unsubscribe_url("https://kw.example.com/", "v1.k1.a.b"),
            "https://kw.example.com/u/v1.k1.a.b"
        );
    }

    proptest::proptest! {
        #[test]
        fn verifying_arbitrary_input_never_panics(token in ".{0,300}") {
            let _ = signer().verify(&token, claim().issued_at);
        }

        #[test]
        fn verifying_token_shaped_input_never_panics(
            a in "[a-z0-9]{0,4}", b in "[A-Za-z0-9_-]{0,80}", c in "[A-Za-z0-9_-]{0,60}"
        ) {
            let _ = signer().verify(&format!("v1.{a}.{b}.{c}"), claim().issued_at);
        }

        #[test]
        fn any_claim_round_trips(
            dealership in ".{0,40}", contact in ".{0,60}", lead_id in proptest::option::of(proptest::num::i64::ANY),
            seconds in 0i64..4_000_000_000
        ) {
            let claim = UnsubscribeClaim {
                dealership, contact, lead_id,
                issued_at: Timestamp::from_second(seconds).unwrap(),
            };
            let token = signer().sign(&claim);
            proptest::prop_assert_eq!(signer().verify(&token, claim.issued_at), Ok(claim));
        }
    }
}
