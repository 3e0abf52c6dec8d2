//! Per-lead reply addresses: the dealership's own address with a signed tag after a `+`
//! (`sales+12-5f0c…@lakeside.example`), so a customer's answer to any e-mail keepwarm sent finds
//! its lead even when their mail program drops `In-Reply-To`. Plus-addressing delivers the answer
//! to the dealership's mailbox (Google Workspace, Microsoft 365, Postfix's `recipient_delimiter`);
//! the tag is made and checked by [`crate::UnsubscribeSigner::reply_tag`]. No IO.

/// The reply address of `tag` on the dealership's address `from` (`sales@x` → `sales+TAG@x`);
/// `None` when `from` is not an address.
pub fn reply_address(from: &str, tag: &str) -> Option<String> {
    let (local, domain) = from.trim().rsplit_once('@')?;
    // An address that already carries a tag keeps its mailbox, not its tag.
    let mailbox = local.split('+').next().unwrap_or(local);
    (!mailbox.is_empty() && !domain.is_empty()).then(|| format!("{mailbox}+{tag}@{domain}"))
}

/// The tag of a reply address (what follows the last `+` of its local part), if it has one.
pub fn reply_tag_in(address: &str) -> Option<&str> {
    let (local, _) = address.trim().rsplit_once('@')?;
    let (_, tag) = local.rsplit_once('+')?;
    (!tag.is_empty()).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Secret, UnsubscribeSigner};

    fn signer(key: &str) -> UnsubscribeSigner {
        UnsubscribeSigner::new("k1", Secret::new(key)).unwrap()
    }

    #[test]
    fn a_reply_address_carries_a_tag_only_its_key_makes() {
        let s = signer("test-unsubscribe-key-0123456789abcdef");
        let tag = s.reply_tag(12);
        let address = reply_address("sales@lakeside.example", &tag).unwrap();
        assert!(address.starts_with("sales+12-") && address.ends_with("@lakeside.example"));
        assert!(address.len() - "@lakeside.example".len() <= 64, "{address}");
        let read = reply_tag_in(&address.to_uppercase())
            .unwrap()
            .to_lowercase();
        assert_eq!(
            s.verify_reply_tag(&read),
            Some(12),
            "case-folded by a mail system"
        );
        // Another lead's number with this MAC, another key's tag, and junk are refused.
        let forged = tag.replacen("12-", "13-", 1);
        assert_eq!(s.verify_reply_tag(&forged), None);
        let other = signer("another-unsubscribe-key-0123456789ab").reply_tag(12);
        assert_eq!(s.verify_reply_tag(&other), None);
        for junk in [
            "",
            "12",
            "12-",
            "-abc",
            "x-00",
            "12-zz",
            "12-ab",
            "99999999999999999999-00",
        ] {
            assert_eq!(s.verify_reply_tag(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_tagged_address_keeps_its_mailbox() {
        assert_eq!(
            reply_address("sales+old@x.example", "7-ab").as_deref(),
            Some("sales+7-ab@x.example")
        );
        assert_eq!(reply_address("not an address", "7-ab"), None);
        assert_eq!(reply_tag_in("sales@x.example"), None);
        assert_eq!(reply_tag_in("sales+7-ab@x.example"), Some("7-ab"));
    }
}
