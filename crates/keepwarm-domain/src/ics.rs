//! Calendar invites (iCalendar, RFC 5545) for appointment confirmations.
//!
//! [`render_invite`] writes one `VCALENDAR` with `METHOD:REQUEST` and one `VEVENT`: times in UTC, a
//! UID stable per appointment and a `SEQUENCE` that grows with each reschedule, so a calendar
//! updates the event it already has instead of adding a second one. Text values are escaped
//! (§3.3.11), lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character
//! (§3.1). [`read_properties`] is the reverse, strict about those same rules; tests use it to check
//! what was sent.

use jiff::Timestamp;

/// What an invite says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// Stable per appointment (`appointment-42@dealer.example`).
    pub uid: String,
    /// 0 for the first invite, one more for each reschedule.
    pub sequence: u32,
    /// When the invite was made.
    pub stamp: Timestamp,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Title ("Test drive at Lakeside Honda").
    pub summary: String,
    /// Longer text, if any.
    pub description: Option<String>,
    /// The dealership's address.
    pub location: String,
    /// The dealership's name.
    pub organizer_name: String,
    /// The dealership's e-mail address.
    pub organizer_email: String,
    /// The customer's name, if known.
    pub attendee_name: Option<String>,
    /// The customer's e-mail address.
    pub attendee_email: String,
}

/// The invite as an `.ics` file (CRLF line endings, folded lines).
pub fn render_invite(invite: &Invite) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//keepwarm//appointments//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:REQUEST".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape_text(&invite.uid)),
        format!("SEQUENCE:{}", invite.sequence),
        format!("DTSTAMP:{}", utc(invite.stamp)),
        format!("DTSTART:{}", utc(invite.start)),
        format!("DTEND:{}", utc(invite.end)),
        format!("SUMMARY:{}", escape_text(&invite.summary)),
    ];
    if let Some(d) = &invite.description {
        lines.push(format!("DESCRIPTION:{}", escape_text(d)));
    }
    lines.push(format!("LOCATION:{}", escape_text(&invite.location)));
    lines.push(format!(
        "ORGANIZER;CN={}:mailto:{}",
        param_value(&invite.organizer_name),
        invite.organizer_email
    ));
    let cn = invite
        .attendee_name
        .as_deref()
        .map(|n| format!(";CN={}", param_value(n)))
        .unwrap_or_default();
    lines.push(format!(
        "ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}",
        invite.attendee_email
    ));
    lines.extend(
        [
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        .map(str::to_owned),
    );
    lines.iter().map(|l| fold_line(l)).collect()
}

/// `20261205T163000Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a CN): quoted, since names carry commas; quotes and controls dropped (§3.2
/// does not allow them inside a quoted value).
fn param_value(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    format!("\"{clean}\"")
}

/// One content line, folded so no physical line exceeds 75 octets (continuations start with a
/// space), each ending in CRLF. Folds fall between characters, never inside one.
pub fn fold_line(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// Reads an `.ics` text strictly: every line must end in CRLF and be at most 75 octets; folded lines
/// are joined. Returns `(name with parameters, value)` per content line, with TEXT escapes undone.
pub fn read_properties(ics: &str) -> Result<Vec<(String, String)>, String> {
    if !ics.ends_with("\r\n") {
        return Err("the last line does not end in CRLF".into());
    }
    let mut logical: Vec<String> = Vec::new();
    for (i, line) in ics[..ics.len() - 2].split("\r\n").enumerate() {
        if line.contains('\n') || line.contains('\r') {
            return Err(format!("line {}: a bare CR or LF", i + 1));
        }
        if line.len() > 75 {
            return Err(format!("line {}: {} octets (limit 75)", i + 1, line.len()));
        }
        match line.strip_prefix(' ') {
            Some(rest) => logical
                .last_mut()
                .ok_or_else(|| format!("line {}: a continuation with nothing to continue", i + 1))?
                .push_str(rest),
            None => logical.push(line.to_owned()),
        }
    }
    logical
        .into_iter()
        .map(|l| {
            let colon = value_colon(&l).ok_or_else(|| format!("`{l}` has no value"))?;
            Ok((l[..colon].to_owned(), unescape(&l[colon + 1..])))
        })
        .collect()
}

/// The colon that starts the value: the first one outside a quoted parameter value.
fn value_colon(line: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn invite() -> Invite {
        Invite {
            uid: "appointment-7@keepwarm".into(),
            sequence: 1,
            stamp: "2026-12-01T15:00:00Z".parse().unwrap(),
            start: "2026-12-05T16:30:00Z".parse().unwrap(),
            end: "2026-12-05T17:30:00Z".parse().unwrap(),
            summary: "Test drive at Lakeside Honda".into(),
            description: Some("Ask for Sam; bring your license, trade-in title; and keys".into()),
            location: "100 Lake St, Chicago, IL 60601".into(),
            organizer_name: "Lakeside Motors, Inc.".into(),
            organizer_email: "sales@lakeside.example".into(),
            attendee_name: Some("Dana \"DJ\" Reyes".into()),
            attendee_email: "dana@example.com".into(),
        }
    }

    #[rstest]
    #[case("plain", "plain")]
    #[case("a,b", "a\\,b")]
    #[case("a;b", "a\\;b")]
    #[case("back\\slash", "back\\\\slash")]
    #[case("two\nlines", "two\\nlines")]
    #[case("crlf\r\nline", "crlf\\nline")]
    #[case("bell\u{7}", "bell")]
    fn text_is_escaped(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(escape_text(text), expected);
        if !text.contains('\r') && !text.contains('\u{7}') {
            assert_eq!(unescape(expected), text);
        }
    }

    #[rstest]
    #[case(&"a".repeat(75), 1)]
    #[case(&"a".repeat(76), 2)]
    #[case(&"é".repeat(60), 2)]
    #[case(&"🚗".repeat(40), 3)]
    #[case(&format!("SUMMARY:{}", "Prueba de manejo en Lakeside — ñandú ".repeat(5)), 3)]
    fn long_lines_fold_at_75_octets_between_characters(
        #[case] line: &str,
        #[case] physical: usize,
    ) {
        let folded = fold_line(line);
        let lines: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(lines.len(), physical, "{folded:?}");
        assert!(lines.iter().all(|l| l.len() <= 75), "{folded:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn an_invite_is_a_request_with_a_stable_uid_and_utc_times() {
        let ics = render_invite(&invite());
        assert!(ics.split("\r\n").all(|l| !l.contains('\n')));
        let props = read_properties(&ics).unwrap();
        let get = |name: &str| {
            props
                .iter()
                .find(|(n, _)| n == name || n.starts_with(&format!("{name};")))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(props.first().unwrap().0, "BEGIN");
        assert_eq!(get("METHOD"), Some("REQUEST"));
        assert_eq!(get("UID"), Some("appointment-7@keepwarm"));
        assert_eq!(get("SEQUENCE"), Some("1"));
        assert_eq!(get("DTSTAMP"), Some("20261201T150000Z"));
        assert_eq!(get("DTSTART"), Some("20261205T163000Z"));
        assert_eq!(get("DTEND"), Some("20261205T173000Z"));
        assert_eq!(get("LOCATION"), Some("100 Lake St, Chicago, IL 60601"));
        assert_eq!(
            get("DESCRIPTION"),
            Some("Ask for Sam; bring your license, trade-in title; and keys")
        );
        assert_eq!(get("ORGANIZER"), Some("mailto:sales@lakeside.example"));
        let attendee = props
            .iter()
            .find(|(n, _)| n.starts_with("ATTENDEE"))
            .unwrap();
        assert_eq!(attendee.1, "mailto:dana@example.com");
        assert!(
            attendee.0.contains("CN=\"Dana DJ Reyes\""),
            "{}",
            attendee.0
        );
        assert!(ics.contains("ORGANIZER;CN=\"Lakeside Motors, Inc.\":mailto:"));
        assert_eq!(
            props.last().unwrap(),
            &("END".to_owned(), "VCALENDAR".to_owned())
        );
    }

    #[rstest]
    #[case("A:1\nB:2\r\n", "bare")]
    #[case("BEGIN:VCALENDAR", "CRLF")]
    #[case(" orphan\r\n", "continuation")]
    #[case("NOVALUE\r\n", "no value")]
    fn the_reader_refuses_what_rfc_5545_does_not_allow(#[case] text: &str, #[case] why: &str) {
        let e = read_properties(text).unwrap_err();
        assert!(e.contains(why), "{e}");
    }

    #[test]
    fn a_line_over_75_octets_is_refused_by_the_reader() {
        let text = format!("SUMMARY:{}\r\n", "x".repeat(70));
        assert!(read_properties(&text).unwrap_err().contains("octets"));
    }
}
