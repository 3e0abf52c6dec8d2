//! Finding where the customer's own words end in an e-mail reply.
//!
//! Owns one question: at which byte does quoted history start (a `>` line,
//! an `On … wrote:` / `El … escribió:` header, an Outlook separator or
//! `-----Original Message-----`)? The dealership's own message quoted below
//! a reply says "financing", "trade-in" and "Reply STOP to opt out"; none of
//! that is the customer's. It must not know about rules or labels.

/// The byte length of `text` that the customer wrote: everything before the
/// first line of quoted history, or all of `text` when nothing is quoted or
/// nothing but quoted history is there.
pub(crate) fn own_words_len(text: &str) -> usize {
    let mut offset = 0usize;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let next = lines.peek().map_or("", |l| l.trim());
        if starts_history(line.trim(), next) {
            let before = text.get(..offset).unwrap_or("");
            return if before.trim().is_empty() {
                text.len()
            } else {
                offset
            };
        }
        offset += line.len();
    }
    text.len()
}

/// What the customer wrote in an e-mail reply, for reading it: the text before quoted history, with
/// a trailing signature (after a `-- ` line, or a mail app's "Sent from my iPhone") cut off too, and
/// trimmed. The whole text (trimmed) when nothing else would be left.
pub fn reply_words(text: &str) -> &str {
    let own = text.get(..own_words_len(text)).unwrap_or(text);
    let mut offset = 0usize;
    for line in own.split_inclusive('\n') {
        let t = line.trim();
        let lower = t.to_lowercase();
        let signature = t == "--"
            || lower.starts_with("sent from my ")
            || lower.starts_with("get outlook for ")
            || lower.starts_with("enviado desde mi ");
        if signature {
            let before = own.get(..offset).unwrap_or("").trim();
            return if before.is_empty() {
                own.trim()
            } else {
                before
            };
        }
        offset += line.len();
    }
    own.trim()
}

/// Whether `line` (trimmed) opens quoted history; `next` is the line after,
/// for a header wrapped over two lines.
fn starts_history(line: &str, next: &str) -> bool {
    let lower = line.to_lowercase();
    let header_end = |l: &str| l.ends_with("wrote:") || l.ends_with("escribió:");
    line.starts_with('>')
        || lower.starts_with("-----original message")
        || lower.starts_with("-----mensaje original")
        || (line.len() >= 20 && line.chars().all(|c| c == '_'))
        || ((lower.starts_with("on ") || lower.starts_with("el "))
            && (header_end(&lower) || header_end(&next.to_lowercase())))
        || (lower.starts_with("from:") && {
            let n = next.to_lowercase();
            n.starts_with("sent:") || n.starts_with("date:") || n.starts_with("to:")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Sounds good\n\nOn Mon, Mar 2, 2026 at 9:14 AM Lakeside <a@b.example> wrote:\n> Reply STOP to opt out.", "Sounds good\n\n")]
    #[case(
        "sí\nEl lun, 2 mar 2026 a las 9:14, Lakeside escribió:\n> Responda STOP",
        "sí\n"
    )]
    #[case(
        "ok\nOn Mon, Mar 2, 2026 at 9:14 AM Lakeside <a@b.example>\nwrote:\n> hi",
        "ok\n"
    )]
    #[case("yes\n> are you still looking?", "yes\n")]
    #[case("call me\n-----Original Message-----\nFrom: Lakeside", "call me\n")]
    #[case("call me\nFrom: Lakeside Motors\nSent: Monday", "call me\n")]
    #[case("> only quoted text", "> only quoted text")]
    #[case("On my way, be there at 5", "On my way, be there at 5")]
    #[case("STOP", "STOP")]
    fn quoted_history_is_cut_off(#[case] text: &str, #[case] own: &str) {
        assert_eq!(text.get(..own_words_len(text)), Some(own));
    }

    #[rstest]
    #[case(
        "Saturday works!\r\n\r\nOn Tue, Dec 1, 2026 at 9:03 AM Sam wrote:\r\n> Hi",
        "Saturday works!"
    )]
    #[case(
        "Saturday works!\n-- \nDana Reyes\nAcme Corp\n> quoted",
        "Saturday works!"
    )]
    #[case("yes please\n\nSent from my iPhone", "yes please")]
    #[case(
        "sí\nEnviado desde mi iPhone\nEl lun, 2 mar 2026, Sam escribió:\n> hola",
        "sí"
    )]
    #[case("Sent from my iPhone", "Sent from my iPhone")]
    #[case("  STOP  ", "STOP")]
    fn a_reply_loses_its_quoted_history_and_signature(#[case] text: &str, #[case] own: &str) {
        assert_eq!(reply_words(text), own);
    }
}
